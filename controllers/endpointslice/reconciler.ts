/**
 * The EndpointSlice reconciler (upstream's staging/src/k8s.io/endpointslice reconciler.go), as a pure
 * function: from a service, the pods it selects and the slices it has, the writes that make the slices
 * say what the pods are. The controller (../endpointslice.ts) carries them out.
 *
 * Per address type the service serves (its ipFamilies: IPv4, IPv6):
 *
 *   desired   every pod that should be in endpoints (terminating ones included), as an endpoint, grouped
 *             by the ports it offers (a pod lacking a named target port offers fewer ports, so lands in
 *             another group: a slice has one port list for all its endpoints)
 *   existing  the service's slices of that address type, grouped by their ports
 *
 *   for each port group:
 *     1. go through the existing slices: keep the endpoints still desired (in their place, updated),
 *        drop the rest; a slice left empty is deleted, a changed one updated, one whose labels no
 *        longer mirror the service's is updated
 *     2. top up the slices being updated anyway with endpoints not yet placed (fullest first)
 *     3. put what is left into the unchanged slice it fills best, else into new slices of at most
 *        `maxEndpointsPerSlice` (100)
 *   slices of port groups no longer desired are deleted; a service with no endpoints at all keeps one
 *   empty placeholder slice; and a slice about to be deleted is reused (updated) for one about to be
 *   created, rather than churned.
 *
 * Endpoints are matched by their addresses, hostname and pod (upstream's endpoint hash), so a pod that
 * turns ready or starts terminating is an update in place. Where upstream leaves an order to Go's map
 * iteration (which endpoints go into which slice, in what order), this takes the pods' cache order, so
 * the result is deterministic.
 */
import type { OwnerReference } from '../../api/resource.js';
import { isPodReady, type Pod } from '../pods.js';
import { dumpEndpointSlicePort, fnv128aHex } from './go-hash.js';
import {
  findPort,
  isIPv6,
  isServiceIPSet,
  podIPs,
  shouldPodBeInEndpoints,
  shouldSetHostname,
} from './pod-endpoints.js';
import {
  type AddressType,
  type Endpoint,
  type EndpointSlice,
  type EndpointSlicePort,
  HEADLESS_SERVICE_LABEL,
  LAST_CHANGE_TRIGGER_TIME_ANNOTATION,
  type Node,
  SERVICE_NAME_LABEL,
  type Service,
  SLICE_MANAGED_BY_LABEL,
} from './types.js';

/** Upstream's default --max-endpoints-per-slice. */
export const DEFAULT_MAX_ENDPOINTS_PER_SLICE = 100;
const ZONE_LABEL = 'topology.kubernetes.io/zone';

export interface ReconcileInput {
  readonly service: Service;
  /** The pods the service selects, in a stable order. */
  readonly pods: readonly Pod[];
  /** The service's slices managed by this controller, not being deleted. */
  readonly slices: readonly EndpointSlice[];
  /** A node by name, if the cache has it. */
  readonly nodeNamed: (name: string) => Node | undefined;
  readonly maxEndpointsPerSlice: number;
  readonly controllerName: string;
  /** The last-change-trigger-time to stamp on what is written, formatted; undefined clears it. */
  readonly triggerTime: string | undefined;
}

/** One address type's writes, made in this order: creates, updates, deletes. */
export interface SlicePlan {
  readonly creates: EndpointSlice[];
  readonly updates: EndpointSlice[];
  readonly deletes: EndpointSlice[];
}

export interface ReconcilePlan {
  /** One per address type the service serves. */
  readonly steps: SlicePlan[];
  /** Slices of an address type the service no longer serves: deleted last. */
  readonly obsolete: EndpointSlice[];
  /** Problems that left pods out (a missing node): reported after the writes, and retried. */
  readonly errors: string[];
}

export function reconcileSlices(input: ReconcileInput): ReconcilePlan {
  const { service } = input;
  const supported = addressTypesOf(service);
  const byType = new Map<AddressType, EndpointSlice[]>();
  const unsupported: EndpointSlice[] = [];
  for (const slice of input.slices) {
    const type = slice.addressType ?? 'IPv4';
    if (!supported.includes(type)) unsupported.push(slice);
    else byType.set(type, [...(byType.get(type) ?? []), slice]);
  }
  const steps: SlicePlan[] = [];
  const errors: string[] = [];
  for (const type of supported) {
    steps.push(reconcileAddressType(input, byType.get(type) ?? [], type, errors));
  }
  return { steps, obsolete: unsupported, errors };
}

/** Upstream's getAddressTypesForService: the service's ipFamilies, else guessed as upstream does. */
export function addressTypesOf(service: Service): AddressType[] {
  const types: AddressType[] = [];
  for (const family of service.spec?.ipFamilies ?? []) {
    if (family === 'IPv4' && !types.includes('IPv4')) types.push('IPv4');
    if (family === 'IPv6' && !types.includes('IPv6')) types.push('IPv6');
  }
  if (types.length > 0) return types;
  if (isServiceIPSet(service)) return [isIPv6(service.spec?.clusterIP ?? '') ? 'IPv6' : 'IPv4'];
  // Headless and no families (an API server that does not default them): both, until it does.
  return ['IPv4', 'IPv6'];
}

interface PortGroup {
  readonly ports: EndpointSlicePort[];
  /** Endpoint key → endpoint, in the pods' order. */
  readonly desired: Map<string, Endpoint>;
}

function reconcileAddressType(
  input: ReconcileInput,
  existing: readonly EndpointSlice[],
  addressType: AddressType,
  errors: string[],
): SlicePlan {
  const { service } = input;
  let deletes: EndpointSlice[] = [];
  let creates: EndpointSlice[] = [];
  const updates: EndpointSlice[] = [];

  const existingByPorts = new Map<string, EndpointSlice[]>();
  for (const slice of existing) {
    if (!ownedBy(slice, service)) {
      deletes.push(slice);
      continue;
    }
    const key = portsKey(sortPorts(slice.ports ?? []));
    existingByPorts.set(key, [...(existingByPorts.get(key) ?? []), slice]);
  }

  const groups = new Map<string, PortGroup>();
  for (const pod of input.pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports = sortPorts(endpointPorts(service, pod));
    const key = portsKey(ports);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { ports, desired: new Map() }));
    const nodeName = pod.spec?.nodeName ?? '';
    const node = input.nodeNamed(nodeName);
    // A pod on a node the cache does not know is left out (and the sync retried), so that a pod whose
    // node is gone cannot hold the slices still; unless the service publishes every address anyway.
    if (!node && !service.spec?.publishNotReadyAddresses) {
      errors.push(
        `skipping Pod ${pod.metadata?.name} for Service ${service.metadata?.namespace}/${service.metadata?.name}: Node ${nodeName} Not Found`,
      );
      continue;
    }
    const endpoint = podToEndpoint(pod, node, service, addressType);
    if (endpoint.addresses.length > 0) group.desired.set(endpointKey(endpoint), endpoint);
  }

  for (const [key, group] of groups) {
    const planned = reconcilePortGroup(input, existingByPorts.get(key) ?? [], group, addressType);
    creates.push(...planned.creates);
    updates.push(...planned.updates);
    deletes.push(...planned.deletes);
  }
  for (const [key, slices] of existingByPorts) if (!groups.has(key)) deletes.push(...slices);

  // A service with no endpoints keeps one empty slice, so that readers can tell "none" from "not yet".
  if (existing.length === deletes.length && creates.length === 0) {
    const placeholder = newSlice(input, [], addressType);
    if (deletes.length === 1 && isSamePlaceholder(deletes[0]!, placeholder)) deletes = [];
    else creates.push(placeholder);
  }

  // Rather than delete one slice and create another, reuse the doomed one (same type, same owner).
  for (let index = 0; index < deletes.length && creates.length > 0; ) {
    const doomed = deletes[index]!;
    const created = creates[creates.length - 1]!;
    if (doomed.addressType === created.addressType && ownedBy(doomed, service)) {
      created.metadata = { ...created.metadata, name: doomed.metadata?.name };
      creates = creates.slice(0, -1);
      updates.push(created);
      deletes = [...deletes.slice(0, index), ...deletes.slice(index + 1)];
    } else {
      index++;
    }
  }
  // No new slices for a service on its way out: the garbage collector would race with them.
  if (service.metadata?.deletionTimestamp) creates = [];
  for (const slice of [...creates, ...updates]) stampTriggerTime(slice, input.triggerTime);
  return { creates, updates, deletes };
}

function reconcilePortGroup(
  input: ReconcileInput,
  existing: readonly EndpointSlice[],
  group: PortGroup,
  addressType: AddressType,
): SlicePlan {
  const max = input.maxEndpointsPerSlice;
  const desired = new Map(group.desired);
  const byName = new Map<string, EndpointSlice>();
  const unchanged: string[] = [];
  const toUpdate: string[] = [];
  const toDelete: string[] = [];

  // 1. Keep what is still desired, in place; note what changed.
  for (const slice of existing) {
    const name = slice.metadata?.name ?? '';
    byName.set(name, slice);
    const kept: Endpoint[] = [];
    let changed = false;
    for (const endpoint of slice.endpoints ?? []) {
      const key = endpointKey(endpoint);
      const wanted = desired.get(key);
      if (!wanted) continue;
      kept.push(wanted);
      if (!equalBeyondKey(wanted, endpoint)) changed = true;
      desired.delete(key);
    }
    const [labels, labelsChanged] = sliceLabels(slice, input.service, input.controllerName);
    if (changed || kept.length !== (slice.endpoints ?? []).length) {
      if (kept.length === 0) {
        toDelete.push(name);
      } else {
        byName.set(name, { ...structuredClone(slice), endpoints: kept, metadata: withLabels(slice, labels) });
        toUpdate.push(name);
      }
    } else if (labelsChanged) {
      byName.set(name, { ...structuredClone(slice), metadata: withLabels(slice, labels) });
      toUpdate.push(name);
    } else {
      unchanged.push(name);
    }
  }

  const remaining = [...desired.values()];
  // 2. Top up the slices being written anyway, fullest first.
  if (remaining.length > 0 && toUpdate.length > 0) {
    const slices = toUpdate.map((name) => byName.get(name)!);
    slices.sort((a, b) => (b.endpoints ?? []).length - (a.endpoints ?? []).length);
    for (const slice of slices) {
      const endpoints = slice.endpoints ?? [];
      while (remaining.length > 0 && endpoints.length < max) endpoints.push(remaining.shift()!);
      slice.endpoints = endpoints;
    }
  }

  // 3. The rest: into the unchanged slice they fill best, else new slices.
  const creates: EndpointSlice[] = [];
  while (remaining.length > 0) {
    let slice: EndpointSlice | undefined;
    if (remaining.length < max && unchanged.length > 0) {
      const best = sliceToFill(
        unchanged.map((name) => byName.get(name)!),
        remaining.length,
        max,
      );
      if (best) {
        slice = structuredClone(best);
        byName.set(slice.metadata?.name ?? '', slice);
      }
    }
    slice ??= newSlice(input, group.ports, addressType);
    const endpoints = slice.endpoints ?? [];
    while (remaining.length > 0 && endpoints.length < max) endpoints.push(remaining.shift()!);
    slice.endpoints = endpoints;
    const name = slice.metadata?.name;
    if (name) {
      toUpdate.push(name);
      unchanged.splice(unchanged.indexOf(name), 1);
    } else {
      creates.push(slice);
    }
  }

  return {
    creates,
    updates: toUpdate.map((name) => byName.get(name)!),
    deletes: toDelete.map((name) => byName.get(name)!),
  };
}

/** Upstream's getSliceToFill: the slice that ends up closest to full, if any has room for all. */
function sliceToFill(
  slices: readonly EndpointSlice[],
  count: number,
  max: number,
): EndpointSlice | undefined {
  let closest = max;
  let chosen: EndpointSlice | undefined;
  for (const slice of slices) {
    const left = max - (count + (slice.endpoints ?? []).length);
    if (left >= 0 && left < closest) {
      closest = left;
      chosen = slice;
      if (left === 0) break;
    }
  }
  return chosen;
}

// ---------------------------------------------------------------------------------------------------
// Endpoints and ports

/** Upstream's getEndpointPorts: one port per service port the pod has (a headless service may have none). */
export function endpointPorts(service: Service, pod: Pod): EndpointSlicePort[] {
  const ports: EndpointSlicePort[] = [];
  for (const servicePort of service.spec?.ports ?? []) {
    const port = findPort(pod, servicePort);
    if (port === undefined) continue;
    ports.push({
      name: servicePort.name ?? '',
      protocol: servicePort.protocol ?? 'TCP',
      port,
      ...(servicePort.appProtocol !== undefined ? { appProtocol: servicePort.appProtocol } : {}),
    });
  }
  return ports;
}

/** Ports in upstream's order: by the fnv-128a of their Go dump (NewPortMapKey sorts them in place). */
export function sortPorts(ports: readonly EndpointSlicePort[]): EndpointSlicePort[] {
  return ports
    .map((port) => ({ port, hash: portHash(port) }))
    .sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0))
    .map(({ port }) => port);
}

/**
 * Port hashes, remembered: every pod of a service computes the same few, and fnv-128a over BigInt is not
 * cheap. Bounded by starting afresh when full.
 */
const portHashes = new Map<string, string>();
const PORT_HASHES_KEPT = 10_000;

function portHash(port: EndpointSlicePort): string {
  const dump = dumpEndpointSlicePort(port);
  let hash = portHashes.get(dump);
  if (hash === undefined) {
    if (portHashes.size >= PORT_HASHES_KEPT) portHashes.clear();
    portHashes.set(dump, (hash = fnv128aHex(dump)));
  }
  return hash;
}

function portsKey(sorted: readonly EndpointSlicePort[]): string {
  return JSON.stringify(
    sorted.map((port) => [
      port.name ?? null,
      port.protocol ?? null,
      port.port ?? null,
      port.appProtocol ?? null,
    ]),
  );
}

/** Upstream's podToEndpoint: the pod's addresses of one family, its conditions, node, zone and name. */
export function podToEndpoint(
  pod: Pod,
  node: Node | undefined,
  service: Service,
  addressType: AddressType,
): Endpoint {
  const serving = isPodReady(pod);
  const terminating = Boolean(pod.metadata?.deletionTimestamp);
  // A terminating pod is never "ready", for the sake of older readers, unless every address is published.
  const ready = Boolean(service.spec?.publishNotReadyAddresses) || (serving && !terminating);
  const addresses = podIPs(pod)
    .filter((ip) => (addressType === 'IPv6') === isIPv6(ip))
    .map(canonicalIP)
    .sort();
  const nodeName = pod.spec?.nodeName ?? '';
  const zone = node?.metadata?.labels?.[ZONE_LABEL] ?? '';
  return {
    addresses,
    conditions: { ready, serving, terminating },
    ...(shouldSetHostname(pod, service) ? { hostname: pod.spec?.hostname } : {}),
    targetRef: {
      kind: 'Pod',
      namespace: pod.metadata?.namespace,
      name: pod.metadata?.name,
      uid: pod.metadata?.uid,
    },
    ...(nodeName !== '' ? { nodeName } : {}),
    ...(zone !== '' ? { zone } : {}),
  };
}

/** As Go's net.ParseIP(ip).String(): IPv6 compressed and lower-case, IPv4 without leading zeros. */
function canonicalIP(ip: string): string {
  if (isIPv6(ip)) {
    try {
      return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
    } catch {
      return ip;
    }
  }
  const octets = ip.split('.');
  return octets.length === 4 && octets.every((octet) => /^\d{1,3}$/.test(octet))
    ? octets.map((octet) => String(Number(octet))).join('.')
    : ip;
}

/** Upstream's endpoint hash: what makes two endpoints the same one (conditions may differ). */
function endpointKey(endpoint: Endpoint): string {
  return JSON.stringify([
    [...endpoint.addresses].sort(),
    endpoint.hostname ?? '',
    endpoint.targetRef?.namespace ?? '',
    endpoint.targetRef?.name ?? '',
  ]);
}

/** Upstream's EndpointsEqualBeyondHash: node, zone, conditions and target (its resourceVersion aside). */
function equalBeyondKey(a: Endpoint, b: Endpoint): boolean {
  const target = (endpoint: Endpoint) => {
    const { resourceVersion: _ignored, ...rest } = endpoint.targetRef ?? {};
    return endpoint.targetRef === undefined ? undefined : JSON.stringify(sortedEntries(rest));
  };
  return (
    (a.nodeName ?? null) === (b.nodeName ?? null) &&
    (a.zone ?? null) === (b.zone ?? null) &&
    (a.conditions?.ready ?? null) === (b.conditions?.ready ?? null) &&
    (a.conditions?.serving ?? null) === (b.conditions?.serving ?? null) &&
    (a.conditions?.terminating ?? null) === (b.conditions?.terminating ?? null) &&
    target(a) === target(b)
  );
}

function sortedEntries(object: Record<string, unknown>): [string, unknown][] {
  return Object.entries(object)
    .filter(([, value]) => value !== undefined && value !== '')
    .sort(([a], [b]) => (a < b ? -1 : 1));
}

// ---------------------------------------------------------------------------------------------------
// Slices

function ownedBy(slice: EndpointSlice, service: Service): boolean {
  return (slice.metadata?.ownerReferences ?? []).some(
    (owner) => owner.uid === service.metadata?.uid && owner.kind === 'Service' && owner.apiVersion === 'v1',
  );
}

function serviceOwnerReference(service: Service): OwnerReference {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    name: service.metadata?.name ?? '',
    uid: service.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Upstream's newEndpointSlice: named `<service>-<random>` by the API server, owned by the service. */
function newSlice(
  input: ReconcileInput,
  ports: EndpointSlicePort[],
  addressType: AddressType,
): EndpointSlice {
  const { service } = input;
  const name = service.metadata?.name ?? '';
  // The dash makes names prettier, unless it would make the prefix too long to be a name.
  const generateName = name.length + 1 > 253 ? name : `${name}-`;
  const [labels] = sliceLabels({}, service, input.controllerName);
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName,
      namespace: service.metadata?.namespace,
      labels,
      ownerReferences: [serviceOwnerReference(service)],
    },
    addressType,
    endpoints: [],
    ports: structuredClone(ports),
  };
}

const reservedLabels = new Set([SERVICE_NAME_LABEL, SLICE_MANAGED_BY_LABEL, HEADLESS_SERVICE_LABEL]);

/**
 * Upstream's setEndpointSliceLabels: the service's labels (its reserved ones aside), the headless label
 * when the service has no cluster IP, the service's name and the manager. The flag says whether the
 * slice's own (non-reserved) labels differ from the service's.
 */
function sliceLabels(
  slice: EndpointSlice,
  service: Service,
  controllerName: string,
): [Record<string, string>, boolean] {
  const own = Object.entries(slice.metadata?.labels ?? {}).filter(([key]) => !reservedLabels.has(key));
  const wanted = Object.entries(service.metadata?.labels ?? {}).filter(([key]) => !reservedLabels.has(key));
  const changed =
    own.length !== wanted.length || wanted.some(([key, value]) => slice.metadata?.labels?.[key] !== value);
  const labels: Record<string, string> = Object.fromEntries(wanted);
  if (!isServiceIPSet(service)) labels[HEADLESS_SERVICE_LABEL] = '';
  labels[SERVICE_NAME_LABEL] = service.metadata?.name ?? '';
  labels[SLICE_MANAGED_BY_LABEL] = controllerName;
  return [labels, changed];
}

function withLabels(slice: EndpointSlice, labels: Record<string, string>) {
  return { ...structuredClone(slice.metadata ?? {}), labels };
}

/** Upstream's placeholderSliceCompare: an empty slice with the same namespace, labels and owners. */
function isSamePlaceholder(slice: EndpointSlice, placeholder: EndpointSlice): boolean {
  const labels = (object: EndpointSlice) => JSON.stringify(sortedEntries(object.metadata?.labels ?? {}));
  const owners = (object: EndpointSlice) =>
    JSON.stringify(
      (object.metadata?.ownerReferences ?? []).map((owner) => [
        owner.apiVersion,
        owner.kind,
        owner.name,
        owner.uid,
        owner.controller ?? null,
        owner.blockOwnerDeletion ?? null,
      ]),
    );
  return (
    slice.metadata?.namespace === placeholder.metadata?.namespace &&
    labels(slice) === labels(placeholder) &&
    owners(slice) === owners(placeholder) &&
    slice.addressType === placeholder.addressType &&
    (slice.endpoints ?? []).length === 0 &&
    (slice.ports ?? []).length === 0
  );
}

function stampTriggerTime(slice: EndpointSlice, triggerTime: string | undefined): void {
  const annotations = { ...(slice.metadata?.annotations ?? {}) };
  if (triggerTime !== undefined) annotations[LAST_CHANGE_TRIGGER_TIME_ANNOTATION] = triggerTime;
  else delete annotations[LAST_CHANGE_TRIGGER_TIME_ANNOTATION];
  const { annotations: _previous, ...metadata } = slice.metadata ?? {};
  slice.metadata = { ...metadata, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) };
}
