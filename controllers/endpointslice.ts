/**
 * The EndpointSlice controller, as kube-controller-manager's (pkg/controller/endpointslice with the
 * staging endpointslice reconciler): for every Service with a selector, EndpointSlices listing the
 * selected pods, at most 100 endpoints each.
 *
 * One reconcile of `namespace/name`, from the informers' caches:
 *
 *   no such service            → nothing: its slices belong to it (ownerReference, controller) and the
 *                                garbage collector removes them
 *   ExternalName, no selector  → nothing (slices of a service without selector are the user's; those
 *                                made while it had one stay, as upstream leaves them)
 *   the service's slices (labels `kubernetes.io/service-name` and `endpointslice.kubernetes.io/
 *   managed-by: endpointslice-controller.k8s.io`, not being deleted), checked against this
 *   controller's own recent writes (slice-tracker.ts: a lagging cache fails the sync, to be retried)
 *   → the writes reconcileSlices plans (endpointslice/reconciler.ts), made in order: creates (named
 *     `<service>-<random>` by generateName), updates, deletes; each stamped with the
 *     last-change-trigger-time annotation.
 *
 * An endpoint carries the pod's addresses of the slice's family, conditions (serving: the pod is Ready;
 * terminating: it is being deleted; ready: serving and not terminating, or always when the service
 * publishes not-ready addresses), its node and that node's `topology.kubernetes.io/zone`, a targetRef to
 * the pod, and a hostname when the pod's hostname + subdomain point at this service.
 *
 * Keys are enqueued for service changes, for the services a pod's add, change or delete concerns (old
 * and new labels), and — a second later, as upstream — for slices changed or deleted by anyone but this
 * controller.
 *
 * Events, as upstream: `FailedToUpdateEndpointSlices` on the service when a sync fails.
 */

import { isStatusError } from '../api/status.js';
import { EventRecorder } from '../client/event-recorder.js';
import { namespaceIndex, objectKey, splitKey } from '../client/indexed-store.js';
import type { Informer } from '../client/informer.js';
import { refFor } from '../client/refs.js';
import type { KubeClient } from '../client/types.js';
import type { WorkQueue } from '../client/work-queue.js';
import {
  selectorMatches,
  serviceSelector,
  servicesSelecting,
  servicesToUpdateOnPodChange,
} from './endpointslice/pod-endpoints.js';
import {
  DEFAULT_MAX_ENDPOINTS_PER_SLICE,
  reconcileSlices,
  type SlicePlan,
} from './endpointslice/reconciler.js';
import { EndpointSliceTracker } from './endpointslice/slice-tracker.js';
import { formatTriggerTime, TriggerTimeTracker } from './endpointslice/trigger-time.js';
import {
  type EndpointSlice,
  type Node,
  SERVICE_NAME_LABEL,
  type Service,
  SLICE_CONTROLLER_NAME,
  SLICE_MANAGED_BY_LABEL,
} from './endpointslice/types.js';
import {
  type Controller,
  type ControllerContext,
  type ControllerFactory,
  QueueController,
  type ReconcileResult,
} from './framework.js';
import { eventKeyOf, hasStatusCause, messageOf, NAMESPACE_TERMINATING_CAUSE, type Pod } from './pods.js';

/** A slice changed by someone else is looked at after this long (upstream's endpointSliceChangeMinSyncDelay). */
const SLICE_CHANGE_DELAY_MS = 1000;

export interface EndpointSliceControllerOptions {
  readonly context: ControllerContext;
  /** Default 100 (kube-controller-manager's --max-endpoints-per-slice). */
  readonly maxEndpointsPerSlice?: number;
  readonly workers?: number;
}

export class EndpointSliceController implements Controller {
  readonly name = 'endpointslice-controller';
  readonly #client: KubeClient;
  readonly #maxEndpointsPerSlice: number;
  readonly #services: Informer<Service>;
  readonly #pods: Informer<Pod>;
  readonly #slices: Informer<EndpointSlice>;
  readonly #nodes: Informer<Node>;
  readonly #queue: QueueController;
  readonly #events: EventRecorder;
  readonly #triggerTimes = new TriggerTimeTracker();
  readonly #tracker = new EndpointSliceTracker();

  constructor(options: EndpointSliceControllerOptions) {
    const { context } = options;
    this.#client = context.client;
    this.#maxEndpointsPerSlice = options.maxEndpointsPerSlice ?? DEFAULT_MAX_ENDPOINTS_PER_SLICE;
    this.#events = new EventRecorder({
      client: context.client,
      component: 'endpoint-slice-controller',
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
    this.#slices = context.informers.informerFor<EndpointSlice>(refFor('EndpointSlice'));
    this.#nodes = context.informers.informerFor<Node>(refFor('Node'));
    const enqueue = (service: Service) => this.#queue.enqueue(objectKey(service));
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
    this.#slices.addEventHandler({
      onAdd: (slice) => {
        if (this.#managed(slice) && this.#tracker.shouldSync(slice)) this.#enqueueForSlice(slice);
      },
      onUpdate: (old, slice) => {
        // The controller never changes this label, but users may: both services must look again.
        if (old.metadata?.labels?.[SERVICE_NAME_LABEL] !== slice.metadata?.labels?.[SERVICE_NAME_LABEL]) {
          this.#enqueueForSlice(slice);
          this.#enqueueForSlice(old);
          return;
        }
        if (
          this.#managed(old) !== this.#managed(slice) ||
          (this.#managed(slice) && this.#tracker.shouldSync(slice))
        ) {
          this.#enqueueForSlice(slice);
        }
      },
      onDelete: (slice) => {
        // A deletion this controller did not make (or expect): recreate what is missing.
        if (this.#managed(slice) && this.#tracker.has(slice) && !this.#tracker.handleDeletion(slice)) {
          this.#enqueueForSlice(slice);
        }
      },
    });
  }

  /** The work queue (tests look at what the handlers enqueued). */
  get queue(): WorkQueue<string> {
    return this.#queue.queue;
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await this.#queue.run(signal);
    } finally {
      await this.#events.stop();
    }
  }

  #managed(slice: EndpointSlice): boolean {
    return slice.metadata?.labels?.[SLICE_MANAGED_BY_LABEL] === SLICE_CONTROLLER_NAME;
  }

  #enqueueForSlice(slice: EndpointSlice): void {
    const serviceName = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!serviceName) return;
    this.#queue.queue.addAfter(`${slice.metadata?.namespace}/${serviceName}`, SLICE_CHANGE_DELAY_MS);
  }

  #podAddedOrDeleted(pod: Pod): void {
    for (const key of servicesSelecting(this.#servicesIn(pod), pod.metadata?.labels))
      this.#queue.enqueue(key);
  }

  #servicesIn(pod: Pod): Service[] {
    return this.#services.store.byIndex(namespaceIndex, pod.metadata?.namespace ?? '');
  }

  // ---- reconcile ----

  /** Brings the EndpointSlices of one service (`namespace/name`) in line with its pods. */
  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const { namespace, name } = splitKey(key);
    const service = this.#services.store.getByName(namespace, name);
    if (!service) {
      // The garbage collector deletes the slices through their owner reference.
      this.#triggerTimes.deleteService(namespace, name);
      this.#tracker.deleteService(namespace, name);
      return undefined;
    }
    if (service.spec?.type === 'ExternalName') return undefined;
    const selector = serviceSelector(service);
    if (!selector) return undefined;

    const pods = this.#pods.store
      .byIndex(namespaceIndex, namespace ?? '')
      .filter((pod) => selectorMatches(selector, pod.metadata?.labels));
    const slices = this.#slices.store.byIndex(namespaceIndex, namespace ?? '').filter((slice) => {
      const labels = slice.metadata?.labels;
      return (
        labels?.[SERVICE_NAME_LABEL] === name &&
        labels?.[SLICE_MANAGED_BY_LABEL] === SLICE_CONTROLLER_NAME &&
        // One already being deleted must not hold the sync up.
        !slice.metadata?.deletionTimestamp
      );
    });
    if (this.#tracker.staleSlices(service, slices)) {
      throw new Error('EndpointSlice informer cache is out of date');
    }
    const triggerTime = this.#triggerTimes.compute(service, pods);
    const plan = reconcileSlices({
      service,
      pods,
      slices,
      nodeNamed: (nodeName) => this.#nodes.store.getByName(undefined, nodeName),
      maxEndpointsPerSlice: this.#maxEndpointsPerSlice,
      controllerName: SLICE_CONTROLLER_NAME,
      triggerTime: triggerTime === undefined ? undefined : formatTriggerTime(triggerTime),
    });
    const errors = [...plan.errors];
    for (const step of plan.steps) {
      const failure = await this.#carryOut(service, step);
      if (failure !== undefined) errors.push(failure);
    }
    for (const slice of plan.obsolete) {
      const failure = await this.#delete(service, slice);
      if (failure !== undefined) errors.push(`error deleting ${failure}`);
    }
    if (errors.length > 0) {
      // Upstream's aggregate error: each message once (a pod skipped for both address types is one
      // problem), one alone, several in brackets.
      const unique = [...new Set(errors)];
      const message = unique.length === 1 ? unique[0]! : `[${unique.join(', ')}]`;
      const meta = service.metadata ?? {};
      this.#events.event(
        {
          kind: 'Service',
          apiVersion: 'v1',
          namespace: meta.namespace,
          name: meta.name,
          uid: meta.uid,
          resourceVersion: meta.resourceVersion,
        },
        'Warning',
        'FailedToUpdateEndpointSlices',
        `Error updating Endpoint Slices for Service ${namespace}/${name}: ${message}`,
      );
      throw new Error(message);
    }
    return undefined;
  }

  /** Upstream's finalize: creates, updates, deletes; stops at the first failure and returns its message. */
  async #carryOut(service: Service, step: SlicePlan): Promise<string | undefined> {
    const namespace = service.metadata?.namespace;
    const ref = refFor('EndpointSlice', namespace);
    const serviceName = `${namespace}/${service.metadata?.name}`;
    for (const slice of step.creates) {
      try {
        this.#tracker.update(await this.#client.create<EndpointSlice>(ref, slice));
      } catch (error) {
        // Creates keep failing while the namespace goes away; nothing to do about it.
        if (hasStatusCause(error, NAMESPACE_TERMINATING_CAUSE)) return undefined;
        return `failed to create EndpointSlice for Service ${serviceName}: ${messageOf(error)}`;
      }
    }
    for (const slice of step.updates) {
      try {
        // Objects from a list carry no kind; the write names it anyway.
        const body = { ...slice, apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' };
        this.#tracker.update(await this.#client.update<EndpointSlice>(ref, body));
      } catch (error) {
        return `failed to update ${slice.metadata?.name} EndpointSlice for Service ${serviceName}: ${messageOf(error)}`;
      }
    }
    for (const slice of step.deletes) {
      const failure = await this.#delete(service, slice);
      if (failure !== undefined) return `failed to delete ${failure}`;
    }
    return undefined;
  }

  /** Deletes a slice (one already gone is fine); on failure, `<name> EndpointSlice for Service …: why`. */
  async #delete(service: Service, slice: EndpointSlice): Promise<string | undefined> {
    const namespace = service.metadata?.namespace;
    try {
      await this.#client.delete(refFor('EndpointSlice', namespace), slice.metadata?.name ?? '');
      this.#tracker.expectDeletion(slice);
    } catch (error) {
      if (isStatusError(error, 'NotFound')) return undefined;
      return `${slice.metadata?.name} EndpointSlice for Service ${namespace}/${service.metadata?.name}: ${messageOf(error)}`;
    }
    return undefined;
  }
}

/** kube-controller-manager's EndpointSlice controller. */
export const endpointSliceController: ControllerFactory = (context) =>
  new EndpointSliceController({ context });
