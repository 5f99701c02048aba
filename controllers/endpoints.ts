/**
 * The Endpoints controller, as kube-controller-manager's (pkg/controller/endpoint): for every Service
 * with a selector, an Endpoints object of the same name listing the selected pods' addresses.
 *
 * One reconcile of `namespace/name`, from the informers' caches:
 *
 *   no such service            → delete the Endpoints of that name (NotFound is fine)
 *   ExternalName, no selector  → leave any Endpoints alone (they are the user's)
 *   otherwise, for each selected pod that has an IP, is not finished and (unless the service publishes
 *   not-ready addresses) not being deleted:
 *     its address of the service's IP family: ip, nodeName, targetRef (kind Pod, namespace, name, uid),
 *     and hostname when the pod's hostname + subdomain point at this service;
 *     for each service port, the port its targetPort reaches on the pod (a number, or a named container
 *     port; a pod without that name is left out of that port), ready when the pod is Ready (or the
 *     service publishes not-ready addresses), else among notReadyAddresses
 *   subsets repacked into canonical form (repack.ts); at most 1000 addresses (ready ones first), with
 *   `endpoints.kubernetes.io/over-capacity: truncated` when cut;
 *   labels: the service's, `service.kubernetes.io/headless` without a cluster IP, and
 *   `endpoints.kubernetes.io/managed-by: endpoint-controller`; the last-change-trigger-time annotation
 *   → create, or update (with the cached resourceVersion), or nothing when subsets, labels and the
 *     capacity annotation are already right.
 *
 * Keys are enqueued for service changes, for the services a pod's add, change or delete concerns
 * (old and new labels), for a deleted Endpoints (to put it back), and at start for every Endpoints (to
 * delete those whose service went while the controller was away).
 *
 * Events, as upstream: `FailedToCreateEndpoint` and `FailedToUpdateEndpoint` on the Endpoints.
 */
import { isStatusError } from '../api/status.js';
import { EventRecorder } from '../client/event-recorder.js';
import { namespaceIndex, objectKey, splitKey } from '../client/indexed-store.js';
import type { Informer } from '../client/informer.js';
import { refFor } from '../client/refs.js';
import type { KubeClient } from '../client/types.js';
import type { WorkQueue } from '../client/work-queue.js';
import {
  findPort,
  isIPv6,
  isServiceIPSet,
  podIPs,
  selectorMatches,
  serviceSelector,
  servicesSelecting,
  servicesToUpdateOnPodChange,
  shouldPodBeInEndpoints,
  shouldSetHostname,
} from './endpointslice/pod-endpoints.js';
import { repackSubsets } from './endpointslice/repack.js';
import { formatTriggerTime, TriggerTimeTracker } from './endpointslice/trigger-time.js';
import {
  ENDPOINTS_CONTROLLER_NAME,
  ENDPOINTS_MANAGED_BY_LABEL,
  type EndpointAddress,
  type EndpointPort,
  type EndpointSubset,
  type Endpoints,
  HEADLESS_SERVICE_LABEL,
  LAST_CHANGE_TRIGGER_TIME_ANNOTATION,
  LEADER_ELECTION_ANNOTATION,
  OVER_CAPACITY_ANNOTATION,
  type Service,
} from './endpointslice/types.js';
import {
  type Controller,
  type ControllerContext,
  type ControllerFactory,
  QueueController,
  type ReconcileResult,
} from './framework.js';
import {
  eventKeyOf,
  hasStatusCause,
  isPodReady,
  messageOf,
  NAMESPACE_TERMINATING_CAUSE,
  type Pod,
} from './pods.js';

/** At most this many addresses (ready and not) in one Endpoints (upstream's maxCapacity). */
export const MAX_ENDPOINTS_CAPACITY = 1000;

export interface EndpointsControllerOptions {
  readonly context: ControllerContext;
  readonly workers?: number;
}

export class EndpointsController implements Controller {
  readonly name = 'endpoints-controller';
  readonly #client: KubeClient;
  readonly #services: Informer<Service>;
  readonly #pods: Informer<Pod>;
  readonly #endpoints: Informer<Endpoints>;
  readonly #queue: QueueController;
  readonly #events: EventRecorder;
  readonly #triggerTimes = new TriggerTimeTracker();
  /**
   * Key → a resourceVersion this controller has already replaced. Seeing it in the cache means the
   * cache lags behind the last write (an update the API turned into a no-op returns the same version,
   * so only a changed version is recorded).
   */
  readonly #staleVersions = new Map<string, string>();

  constructor(options: EndpointsControllerOptions) {
    const { context } = options;
    this.#client = context.client;
    this.#events = new EventRecorder({
      client: context.client,
      component: 'endpoint-controller',
      clock: context.clock,
      onError: (error, event) => context.onError(this.name, eventKeyOf(event), error),
    });
    this.#queue = new QueueController({
      name: this.name,
      context,
      reconcile: (key) => this.reconcile(key),
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
    });
    this.#services = context.informers.informerFor<Service>(refFor('Service'));
    this.#pods = context.informers.informerFor<Pod>(refFor('Pod'));
    this.#endpoints = context.informers.informerFor<Endpoints>(refFor('Endpoints'));
    const enqueue = (object: Service | Endpoints) => this.#queue.enqueue(objectKey(object));
    this.#services.addEventHandler({
      onAdd: enqueue,
      onUpdate: (_old, service) => enqueue(service),
      onDelete: enqueue,
    });
    this.#pods.addEventHandler({
      onAdd: (pod) => this.#podAddedOrDeleted(pod),
      onUpdate: (old, pod) => {
        for (const key of servicesToUpdateOnPodChange(this.#servicesIn(pod), old, pod))
          this.#queue.enqueue(key);
      },
      onDelete: (pod) => this.#podAddedOrDeleted(pod),
    });
    // Someone deleted an Endpoints this controller keeps: put it back (or confirm it should be gone).
    this.#endpoints.addEventHandler({ onDelete: enqueue });
  }

  /** The work queue (tests look at what the handlers enqueued). */
  get queue(): WorkQueue<string> {
    return this.#queue.queue;
  }

  async run(signal: AbortSignal): Promise<void> {
    this.#enqueueLeftovers();
    try {
      await this.#queue.run(signal);
    } finally {
      await this.#events.stop();
    }
  }

  /**
   * Every Endpoints once at start: those whose service was deleted while the controller was not
   * running are deleted by their sync. Old-style leader-election records are no service's.
   */
  #enqueueLeftovers(): void {
    for (const endpoints of this.#endpoints.store.list()) {
      if (endpoints.metadata?.annotations?.[LEADER_ELECTION_ANNOTATION] !== undefined) continue;
      this.#queue.enqueue(objectKey(endpoints));
    }
  }

  #podAddedOrDeleted(pod: Pod): void {
    for (const key of servicesSelecting(this.#servicesIn(pod), pod.metadata?.labels))
      this.#queue.enqueue(key);
  }

  #servicesIn(pod: Pod): Service[] {
    return this.#services.store.byIndex(namespaceIndex, pod.metadata?.namespace ?? '');
  }

  // ---- reconcile ----

  /** Brings the Endpoints of one service (`namespace/name`) in line with its pods; see the module comment. */
  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const { namespace, name } = splitKey(key);
    const ref = refFor('Endpoints', namespace);
    const service = this.#services.store.getByName(namespace, name);
    if (!service) {
      try {
        await this.#client.delete(ref, name);
      } catch (error) {
        if (!isStatusError(error, 'NotFound')) throw error;
      }
      this.#triggerTimes.deleteService(namespace, name);
      this.#staleVersions.delete(key);
      return undefined;
    }
    // ExternalName services have no endpoints; without a selector, the endpoints are the user's.
    if (service.spec?.type === 'ExternalName') return undefined;
    const selector = serviceSelector(service);
    if (!selector) return undefined;

    const pods = this.#pods.store
      .byIndex(namespaceIndex, namespace ?? '')
      .filter((pod) => selectorMatches(selector, pod.metadata?.labels));
    // Computed on every sync, so the tracker's memory stays current even when nothing is written.
    const triggerTime = this.#triggerTimes.compute(service, pods);
    const subsets = repackSubsets(desiredSubsets(service, pods));
    const { subsets: kept, truncated } = truncateSubsets(subsets);

    const current = this.#endpoints.store.getByName(namespace, name);
    if (current && this.#staleVersions.get(key) === current.metadata?.resourceVersion) {
      throw new Error(
        `endpoints informer cache is out of date, resource version ${current.metadata?.resourceVersion} already processed for endpoints ${key}`,
      );
    }
    if (
      current &&
      sameSubsets(current.subsets ?? [], kept) &&
      labelsCorrect(current.metadata?.labels ?? {}, service.metadata?.labels ?? {}) &&
      (current.metadata?.annotations?.[OVER_CAPACITY_ANNOTATION] === 'truncated') === truncated
    ) {
      return undefined;
    }

    const next = endpointsFor(service, current, kept, triggerTime, truncated);
    try {
      if (!current) {
        await this.#client.create<Endpoints>(ref, next);
      } else {
        const updated = await this.#client.update<Endpoints>(ref, next);
        const before = current.metadata?.resourceVersion;
        if (before !== undefined && updated.metadata?.resourceVersion !== before)
          this.#staleVersions.set(key, before);
      }
    } catch (error) {
      // Creates keep failing while the namespace goes away; nothing to do about it.
      if (
        !current &&
        isStatusError(error, 'Forbidden') &&
        hasStatusCause(error, NAMESPACE_TERMINATING_CAUSE)
      ) {
        return undefined;
      }
      const reference = {
        kind: 'Endpoints',
        apiVersion: 'v1',
        ...(next.metadata?.namespace !== undefined ? { namespace: next.metadata.namespace } : {}),
        name,
        ...(next.metadata?.uid !== undefined ? { uid: next.metadata.uid } : {}),
        ...(next.metadata?.resourceVersion !== undefined
          ? { resourceVersion: next.metadata.resourceVersion }
          : {}),
      };
      if (!current) {
        this.#events.event(
          reference,
          'Warning',
          'FailedToCreateEndpoint',
          `Failed to create endpoint for service ${namespace}/${name}: ${messageOf(error)}`,
        );
      } else {
        this.#events.event(
          reference,
          'Warning',
          'FailedToUpdateEndpoint',
          `Failed to update endpoint ${namespace}/${name}: ${messageOf(error)}`,
        );
      }
      throw error;
    }
    return undefined;
  }
}

/** kube-controller-manager's Endpoints controller. */
export const endpointsController: ControllerFactory = (context) => new EndpointsController({ context });

// ---------------------------------------------------------------------------------------------------
// Subsets

/** One subset per pod and port, before repacking (upstream's addEndpointSubset per pod and port). */
function desiredSubsets(service: Service, pods: readonly Pod[]): EndpointSubset[] {
  const publishNotReady = Boolean(service.spec?.publishNotReadyAddresses);
  const servicePorts = service.spec?.ports ?? [];
  const subsets: EndpointSubset[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const address = addressFor(service, pod);
    // A pod without an IP of the service's family (a cluster half-way to dual stack).
    if (!address) continue;
    const ready = publishNotReady || isPodReady(pod);
    const add = (port: EndpointPort | undefined) =>
      subsets.push({
        ...(ready ? { addresses: [address] } : { notReadyAddresses: [address] }),
        ...(port ? { ports: [port] } : {}),
      });
    if (servicePorts.length === 0) {
      // Only a headless service may do without ports; its addresses then carry none.
      if (service.spec?.clusterIP === 'None') add(undefined);
      continue;
    }
    for (const servicePort of servicePorts) {
      const port = findPort(pod, servicePort);
      if (port === undefined) continue;
      add({
        name: servicePort.name ?? '',
        port,
        protocol: servicePort.protocol ?? 'TCP',
        ...(servicePort.appProtocol !== undefined ? { appProtocol: servicePort.appProtocol } : {}),
      });
    }
  }
  return subsets;
}

/**
 * Upstream's podToEndpointAddressForService: the pod's first IP of the service's family (its first
 * ipFamily; else that of its cluster IP; else, headless, that of the pod's IP).
 */
function addressFor(service: Service, pod: Pod): EndpointAddress | undefined {
  const clusterIP = service.spec?.clusterIP ?? '';
  const family =
    service.spec?.ipFamilies?.[0] ??
    (isServiceIPSet(service)
      ? isIPv6(clusterIP)
        ? 'IPv6'
        : 'IPv4'
      : isIPv6(pod.status?.podIP ?? '')
        ? 'IPv6'
        : 'IPv4');
  const ip = podIPs(pod).find((candidate) => isIPv6(candidate) === (family === 'IPv6'));
  if (ip === undefined) return undefined;
  return {
    ip,
    ...(shouldSetHostname(pod, service) ? { hostname: pod.spec?.hostname } : {}),
    nodeName: pod.spec?.nodeName ?? '',
    targetRef: {
      kind: 'Pod',
      namespace: pod.metadata?.namespace,
      name: pod.metadata?.name,
      uid: pod.metadata?.uid,
    },
  };
}

/**
 * Upstream's truncateEndpoints: past 1000 addresses, keep ready ones first. Each subset keeps a share
 * of the room proportional to its size (rounded up, so the last may get less): with 1200 ready
 * addresses in subsets of 800 and 400, they keep 667 and 333, and every not-ready address goes.
 */
export function truncateSubsets(subsets: readonly EndpointSubset[]): {
  subsets: EndpointSubset[];
  truncated: boolean;
} {
  let ready = 0;
  let notReady = 0;
  for (const subset of subsets) {
    ready += subset.addresses?.length ?? 0;
    notReady += subset.notReadyAddresses?.length ?? 0;
  }
  if (ready + notReady <= MAX_ENDPOINTS_CAPACITY) return { subsets: [...subsets], truncated: false };
  const truncateReady = ready > MAX_ENDPOINTS_CAPACITY;
  const room = truncateReady ? MAX_ENDPOINTS_CAPACITY : MAX_ENDPOINTS_CAPACITY - ready;
  const total = truncateReady ? ready : notReady;
  let left = room;
  const kept = subsets.map((subset) => {
    const size = (truncateReady ? subset.addresses?.length : subset.notReadyAddresses?.length) ?? 0;
    const share = Math.min(Math.ceil((size / total) * room), left);
    const { addresses, notReadyAddresses, ...rest } = subset;
    if (truncateReady) {
      const keptReady = (addresses ?? []).slice(0, share);
      left -= keptReady.length;
      return { ...(keptReady.length > 0 ? { addresses: keptReady } : {}), ...rest };
    }
    const keptNotReady = (notReadyAddresses ?? []).slice(0, share);
    left -= keptNotReady.length;
    return {
      ...(addresses ? { addresses } : {}),
      ...(keptNotReady.length > 0 ? { notReadyAddresses: keptNotReady } : {}),
      ...rest,
    };
  });
  return { subsets: kept, truncated: true };
}

/** Subsets compared as upstream does: field by field, a target's resourceVersion aside. */
function sameSubsets(a: readonly EndpointSubset[], b: readonly EndpointSubset[]): boolean {
  return JSON.stringify(a.map(normalizeSubset)) === JSON.stringify(b.map(normalizeSubset));
}

function normalizeSubset(subset: EndpointSubset): unknown {
  const address = (entry: EndpointAddress) => [
    entry.ip,
    entry.hostname ?? '',
    // An empty node name may not survive the round trip through the API; it means the same.
    entry.nodeName ?? '',
    entry.targetRef
      ? [
          entry.targetRef.kind ?? '',
          entry.targetRef.namespace ?? '',
          entry.targetRef.name ?? '',
          entry.targetRef.uid ?? '',
          entry.targetRef.apiVersion ?? '',
          entry.targetRef.fieldPath ?? '',
        ]
      : null,
  ];
  return [
    (subset.addresses ?? []).map(address),
    (subset.notReadyAddresses ?? []).map(address),
    (subset.ports ?? []).map((port) => [
      port.name ?? '',
      port.port,
      port.protocol ?? '',
      port.appProtocol ?? null,
    ]),
  ];
}

/**
 * Whether the Endpoints' labels are the service's plus the controller's own: managed-by set, and the
 * headless label (which the service does not carry) left out of the comparison.
 */
function labelsCorrect(
  labels: Readonly<Record<string, string>>,
  serviceLabels: Readonly<Record<string, string>>,
) {
  if (labels[ENDPOINTS_MANAGED_BY_LABEL] !== ENDPOINTS_CONTROLLER_NAME) return false;
  let skipped = 0;
  for (const [key, value] of Object.entries(labels)) {
    if (key === HEADLESS_SERVICE_LABEL || key === ENDPOINTS_MANAGED_BY_LABEL) skipped++;
    else if (serviceLabels[key] !== value) return false;
  }
  return Object.keys(serviceLabels).length === Object.keys(labels).length - skipped;
}

/** The Endpoints to write: the current one (if any) with new subsets, labels and annotations. */
function endpointsFor(
  service: Service,
  current: Endpoints | undefined,
  subsets: EndpointSubset[],
  triggerTime: number | undefined,
  truncated: boolean,
): Endpoints {
  const labels: Record<string, string> = { ...(service.metadata?.labels ?? {}) };
  if (!isServiceIPSet(service)) labels[HEADLESS_SERVICE_LABEL] = '';
  else delete labels[HEADLESS_SERVICE_LABEL];
  labels[ENDPOINTS_MANAGED_BY_LABEL] = ENDPOINTS_CONTROLLER_NAME;
  const annotations: Record<string, string> = { ...(current?.metadata?.annotations ?? {}) };
  if (triggerTime !== undefined)
    annotations[LAST_CHANGE_TRIGGER_TIME_ANNOTATION] = formatTriggerTime(triggerTime);
  else delete annotations[LAST_CHANGE_TRIGGER_TIME_ANNOTATION];
  if (truncated) annotations[OVER_CAPACITY_ANNOTATION] = 'truncated';
  else delete annotations[OVER_CAPACITY_ANNOTATION];
  const base: Endpoints = current
    ? structuredClone(current)
    : { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: service.metadata?.name } };
  const { labels: _labels, annotations: _annotations, ...metadata } = base.metadata ?? {};
  const { subsets: _subsets, apiVersion: _apiVersion, kind: _kind, ...rest } = base;
  return {
    // Objects from a list carry no kind; the write names it anyway.
    apiVersion: 'v1',
    kind: 'Endpoints',
    ...rest,
    metadata: {
      ...metadata,
      labels: sortedRecord(labels),
      ...(Object.keys(annotations).length > 0 ? { annotations: sortedRecord(annotations) } : {}),
    },
    ...(subsets.length > 0 ? { subsets } : {}),
  };
}

/** Keys in order, as Go writes a map. */
function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
