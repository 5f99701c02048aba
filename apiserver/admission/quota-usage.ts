/**
 * What objects count against a ResourceQuota (upstream's quota evaluators), shared by the
 * ResourceQuota admission plugin (which charges a write's usage) and the resourcequota controller
 * (which recomputes a quota's `status.used` from what exists).
 *
 * - Pods: `pods` and compute — `cpu`/`requests.cpu`, `memory`/`requests.memory`,
 *   `ephemeral-storage`, `limits.*`, hugepages, `requests.<extended resource>` — for pods still
 *   running (not Succeeded or Failed, nor stuck terminating past twice their grace period), and
 *   `count/pods` for every pod stored. Pods are the only kind quota scopes select among.
 * - Services: `services`, `services.nodeports`, `services.loadbalancers`.
 * - PersistentVolumeClaims: `persistentvolumeclaims`, `requests.storage`, and per class
 *   `<class>.storageclass.storage.k8s.io/requests.storage` and `…/persistentvolumeclaims`.
 * - Everything else: `count/<resource>` (`count/deployments.apps`), and the legacy names `configmaps`,
 *   `secrets`, `replicationcontrollers`, `resourcequotas`.
 */
import { Quantity } from '../../api/quantity.js';
import type { KubeObject } from '../../api/resource.js';
import {
  addResourceLists,
  maskResourceList,
  parseQuantity,
  parseResourceList,
  podResources,
  type ResourceList,
} from './resource-list.js';
import type { AdmissionOperation } from './types.js';

export interface ScopeSelector {
  readonly scopeName: string;
  readonly operator: string;
  readonly values?: readonly string[];
}

export interface QuotaEvaluator {
  readonly group: string;
  readonly plural: string;
  /** The quota resources among `names` this evaluator measures. */
  matchingResources(names: readonly string[]): string[];
  /** Whether a write can change usage (creates; some updates). */
  handles(operation: AdmissionOperation, object: KubeObject, old: KubeObject | undefined): boolean;
  matchesScope(selector: ScopeSelector, object: KubeObject): boolean;
  usage(object: KubeObject, now: number): ResourceList;
  /** What a quota on `required` demands of the object (pods must state cpu and memory); a message, or undefined. */
  constraints(required: readonly string[], object: KubeObject): string | undefined;
}

const one = () => Quantity.fromInteger(1);
const zero = () => Quantity.fromInteger(0);

/** `count/pods`, `count/deployments.apps`. */
export function objectCountName(group: string, plural: string): string {
  return group === '' ? `count/${plural}` : `count/${plural}.${group}`;
}

/** The group and resource a `count/…` name counts. */
export function parseObjectCountName(name: string): { group: string; plural: string } | undefined {
  if (!name.startsWith('count/')) return undefined;
  const rest = name.slice('count/'.length);
  const dot = rest.indexOf('.');
  return dot < 0 ? { group: '', plural: rest } : { group: rest.slice(dot + 1), plural: rest.slice(0, dot) };
}

// ---- object counts ----

const legacyCountNames: Readonly<Record<string, string>> = {
  configmaps: 'configmaps',
  secrets: 'secrets',
  replicationcontrollers: 'replicationcontrollers',
  resourcequotas: 'resourcequotas',
};

function objectCountEvaluator(group: string, plural: string): QuotaEvaluator {
  const names = [
    objectCountName(group, plural),
    ...(group === '' && legacyCountNames[plural] ? [legacyCountNames[plural]] : []),
  ];
  return {
    group,
    plural,
    matchingResources: (input) => input.filter((name) => names.includes(name)),
    handles: (operation) => operation === 'CREATE',
    matchesScope: () => false,
    usage: () => new Map(names.map((name) => [name, one()])),
    constraints: () => undefined,
  };
}

// ---- pods ----

const podResourceNames = [
  'count/pods',
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'pods',
];
/** Before QoS classes existed, quota on these made each container state them; it still does. */
const podValidationSet = new Set([
  'cpu',
  'memory',
  'requests.cpu',
  'requests.memory',
  'limits.cpu',
  'limits.memory',
]);

/** Names with a domain outside kubernetes.io (`example.com/gpu`) are extended resources. */
function isExtendedResource(name: string): boolean {
  return name.includes('/') && !name.includes('kubernetes.io/') && !name.startsWith('requests.');
}

function isExtendedQuotaName(name: string): boolean {
  return name.startsWith('requests.') && isExtendedResource(name.slice('requests.'.length));
}

interface PodShape {
  metadata?: { deletionTimestamp?: string; deletionGracePeriodSeconds?: number; namespace?: string };
  spec?: {
    activeDeadlineSeconds?: number;
    priorityClassName?: string;
    containers?: { name?: string; resources?: { requests?: unknown; limits?: unknown } }[];
    initContainers?: { name?: string; resources?: { requests?: unknown; limits?: unknown } }[];
    affinity?: Record<
      string,
      | {
          requiredDuringSchedulingIgnoredDuringExecution?: AffinityTerm[];
          preferredDuringSchedulingIgnoredDuringExecution?: { podAffinityTerm?: AffinityTerm }[];
        }
      | undefined
    >;
  };
  status?: { phase?: string };
}

interface AffinityTerm {
  namespaces?: string[];
  namespaceSelector?: unknown;
}

/** Compute usage from requests and limits (upstream's podComputeUsageHelper). */
function computeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const usage: ResourceList = new Map([['pods', one()]]);
  for (const resource of ['cpu', 'memory', 'ephemeral-storage']) {
    const request = requests.get(resource);
    if (request) {
      usage.set(resource, request);
      usage.set(`requests.${resource}`, request);
    }
    const limit = limits.get(resource);
    if (limit) usage.set(`limits.${resource}`, limit);
  }
  for (const [name, request] of requests) {
    if (name.startsWith('hugepages-')) {
      usage.set(name, request);
      usage.set(`requests.${name}`, request);
    }
    if (isExtendedResource(name)) usage.set(`requests.${name}`, request);
  }
  return usage;
}

/** Whether a pod still counts for compute quota at `now`. */
export function podCountsForCompute(pod: KubeObject, now: number): boolean {
  const shape = pod as PodShape;
  const phase = shape.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  // A pod stuck terminating (its node lost) stops counting, so its replacement can be made.
  const deletion = shape.metadata?.deletionTimestamp;
  const grace = shape.metadata?.deletionGracePeriodSeconds;
  if (deletion && grace !== undefined && now > Date.parse(deletion) + grace * 1000) return false;
  return true;
}

function isTerminating(pod: KubeObject): boolean {
  const deadline = (pod as PodShape).spec?.activeDeadlineSeconds;
  return deadline !== undefined && deadline !== null && deadline >= 0;
}

function isBestEffort(pod: KubeObject): boolean {
  const spec = (pod as PodShape).spec ?? {};
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])].every((container) => {
    for (const field of ['requests', 'limits'] as const) {
      const list = parseResourceList(container.resources?.[field]);
      for (const resource of ['cpu', 'memory']) if ((list.get(resource)?.sign() ?? 0) > 0) return false;
    }
    return true;
  });
}

function usesCrossNamespaceAffinity(pod: KubeObject): boolean {
  const affinity = (pod as PodShape).spec?.affinity ?? {};
  const terms = [affinity.podAffinity, affinity.podAntiAffinity].flatMap((kind) => [
    ...(kind?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
    ...(kind?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map(
      (weighted) => weighted.podAffinityTerm ?? {},
    ),
  ]);
  return terms.some((term) => term.namespaceSelector !== undefined || (term.namespaces ?? []).length > 0);
}

/** A PriorityClass scope is a label requirement on the key `PriorityClass` (always present, maybe ""). */
function matchesPriorityClass(selector: ScopeSelector, className: string): boolean {
  const values = selector.values ?? [];
  switch (selector.operator) {
    case 'Exists':
      return className !== '';
    case 'In':
      return values.includes(className);
    case 'NotIn':
      return !values.includes(className);
    default:
      return false;
  }
}

const podEvaluator: QuotaEvaluator = {
  group: '',
  plural: 'pods',
  matchingResources: (input) =>
    input.filter(
      (name) =>
        podResourceNames.includes(name) ||
        name.startsWith('hugepages-') ||
        name.startsWith('requests.hugepages-') ||
        isExtendedQuotaName(name),
    ),
  // A pod's resources cannot change after create; an update can only move it between the
  // Terminating and NotTerminating scopes (activeDeadlineSeconds).
  handles: (operation, object, old) =>
    operation === 'CREATE' || (old !== undefined && isTerminating(old) !== isTerminating(object)),
  matchesScope(selector, object) {
    switch (selector.scopeName) {
      case 'Terminating':
        return isTerminating(object);
      case 'NotTerminating':
        return !isTerminating(object);
      case 'BestEffort':
        return isBestEffort(object);
      case 'NotBestEffort':
        return !isBestEffort(object);
      case 'PriorityClass':
        return matchesPriorityClass(selector, (object as PodShape).spec?.priorityClassName ?? '');
      case 'CrossNamespacePodAffinity':
        return usesCrossNamespaceAffinity(object);
      default:
        return false;
    }
  },
  usage(object, now) {
    const usage: ResourceList = new Map([['count/pods', one()]]);
    if (!podCountsForCompute(object, now)) return usage;
    const spec = (object as PodShape).spec ?? {};
    const compute = computeUsage(
      podResources(spec, 'requests', { overhead: true }),
      podResources(spec, 'limits', { overhead: true }),
    );
    for (const [name, quantity] of compute) usage.set(name, quantity);
    return usage;
  },
  constraints(required, object) {
    const wanted = required.filter((name) => podValidationSet.has(name));
    if (wanted.length === 0) return undefined;
    const spec = (object as PodShape).spec ?? {};
    const missing = new Map<string, Set<string>>();
    for (const container of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
      const stated = computeUsage(
        parseResourceList(container.resources?.requests),
        parseResourceList(container.resources?.limits),
      );
      for (const name of wanted) {
        if (stated.has(name)) continue;
        const containers = missing.get(name) ?? new Set<string>();
        containers.add(container.name ?? '');
        missing.set(name, containers);
      }
    }
    if (missing.size === 0) return undefined;
    const parts = [...missing.keys()]
      .sort()
      .map((name) => `${name} for: ${[...missing.get(name)!].sort().join(',')}`);
    return `must specify ${parts.join('; ')}`;
  },
};

// ---- services ----

interface ServiceShape {
  spec?: { type?: string; ports?: { nodePort?: number }[]; allocateLoadBalancerNodePorts?: boolean };
}

const serviceEvaluator: QuotaEvaluator = {
  group: '',
  plural: 'services',
  matchingResources: (input) =>
    input.filter((name) =>
      ['count/services', 'services', 'services.nodeports', 'services.loadbalancers'].includes(name),
    ),
  handles: (operation) => operation === 'CREATE' || operation === 'UPDATE',
  matchesScope: () => false,
  usage(object) {
    const spec = (object as ServiceShape).spec ?? {};
    const ports = spec.ports ?? [];
    let nodePorts = 0;
    let loadBalancers = 0;
    if (spec.type === 'NodePort') nodePorts = ports.length;
    if (spec.type === 'LoadBalancer') {
      loadBalancers = 1;
      // Without allocated node ports, only the ports that ask for one count.
      nodePorts =
        spec.allocateLoadBalancerNodePorts === false
          ? ports.filter((port) => (port.nodePort ?? 0) !== 0).length
          : ports.length;
    }
    return new Map([
      ['count/services', one()],
      ['services', one()],
      ['services.loadbalancers', Quantity.fromInteger(loadBalancers)],
      ['services.nodeports', Quantity.fromInteger(nodePorts)],
    ]);
  },
  constraints: () => undefined,
};

// ---- persistent volume claims ----

const storageClassSuffix = '.storageclass.storage.k8s.io/';

interface ClaimShape {
  metadata?: { annotations?: Record<string, string> };
  spec?: { storageClassName?: string; resources?: { requests?: Record<string, unknown> } };
  status?: { allocatedResources?: Record<string, unknown> };
}

function claimClass(claim: ClaimShape): string {
  return (
    claim.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ??
    claim.spec?.storageClassName ??
    ''
  );
}

const claimEvaluator: QuotaEvaluator = {
  group: '',
  plural: 'persistentvolumeclaims',
  matchingResources: (input) =>
    input.filter(
      (name) =>
        ['count/persistentvolumeclaims', 'persistentvolumeclaims', 'requests.storage'].includes(name) ||
        (name.includes(storageClassSuffix) &&
          (name.endsWith('/requests.storage') || name.endsWith('/persistentvolumeclaims'))),
    ),
  handles: (operation) => operation === 'CREATE' || operation === 'UPDATE',
  matchesScope: () => false,
  usage(object) {
    const claim = object as ClaimShape;
    const usage: ResourceList = new Map([
      ['persistentvolumeclaims', one()],
      ['count/persistentvolumeclaims', one()],
    ]);
    const className = claimClass(claim);
    if (className) usage.set(`${className}${storageClassSuffix}persistentvolumeclaims`, one());
    // What was asked, or what a resize already gave if that is more.
    const requested = parseQuantity(claim.spec?.resources?.requests?.storage);
    const allocated = parseQuantity(claim.status?.allocatedResources?.storage);
    const storage =
      requested && allocated
        ? allocated.cmp(requested) > 0
          ? allocated
          : requested
        : (requested ?? allocated);
    if (storage) {
      usage.set('requests.storage', storage);
      if (className) usage.set(`${className}${storageClassSuffix}requests.storage`, storage);
    }
    return usage;
  },
  constraints: () => undefined,
};

/** The evaluator for a resource. */
export function quotaEvaluator(group: string, plural: string): QuotaEvaluator {
  if (group === '' && plural === 'pods') return podEvaluator;
  if (group === '' && plural === 'services') return serviceEvaluator;
  if (group === '' && plural === 'persistentvolumeclaims') return claimEvaluator;
  return objectCountEvaluator(group, plural);
}

// ---- quotas ----

interface QuotaShape {
  spec?: {
    hard?: Record<string, unknown>;
    scopes?: string[];
    scopeSelector?: { matchExpressions?: ScopeSelector[] };
  };
  status?: { hard?: Record<string, unknown>; used?: Record<string, unknown> };
}

/** A quota's scopes as selectors: each `scopes` entry is an Exists. */
export function scopeSelectorsOf(quota: KubeObject): ScopeSelector[] {
  const spec = (quota as QuotaShape).spec ?? {};
  return [
    ...(spec.scopes ?? []).map((scopeName) => ({ scopeName, operator: 'Exists' })),
    ...(spec.scopeSelector?.matchExpressions ?? []),
  ];
}

/** Whether a quota limits something the evaluator measures, and selects the object by its scopes. */
export function quotaMatches(
  evaluator: QuotaEvaluator,
  quota: KubeObject,
  object: KubeObject,
  hard: readonly string[],
): boolean {
  if (evaluator.matchingResources(hard).length === 0) return false;
  return scopeSelectorsOf(quota).every((selector) => evaluator.matchesScope(selector, object));
}

/** The resources a quota enforces now: what the controller copied from spec.hard into status. */
export function statusHard(quota: KubeObject): ResourceList {
  return parseResourceList((quota as QuotaShape).status?.hard);
}

export function statusUsed(quota: KubeObject): ResourceList {
  return parseResourceList((quota as QuotaShape).status?.used);
}

export function specHard(quota: KubeObject): ResourceList {
  return parseResourceList((quota as QuotaShape).spec?.hard);
}

/** The evaluators a quota's resource names call for: pods, services, claims, and each `count/…` kind. */
function evaluatorsFor(names: readonly string[]): QuotaEvaluator[] {
  const evaluators = [podEvaluator, serviceEvaluator, claimEvaluator];
  const known = new Set(evaluators.map((evaluator) => `${evaluator.group}/${evaluator.plural}`));
  const add = (group: string, plural: string) => {
    if (known.has(`${group}/${plural}`)) return;
    known.add(`${group}/${plural}`);
    evaluators.push(objectCountEvaluator(group, plural));
  };
  for (const plural of Object.keys(legacyCountNames)) if (names.includes(plural)) add('', plural);
  for (const name of names) {
    const counted = parseObjectCountName(name);
    if (counted) add(counted.group, counted.plural);
  }
  return evaluators.filter((evaluator) => evaluator.matchingResources(names).length > 0);
}

/**
 * A quota's usage in its namespace: for each resource it limits that some evaluator measures, the
 * sum over the objects its scopes select (zero when there are none). `list` gives a namespace's
 * objects of a kind, or undefined when they cannot be read (those resources are left out).
 */
export function calculateUsage(
  quota: KubeObject,
  list: (group: string, plural: string) => readonly KubeObject[] | undefined,
  now: number,
): ResourceList {
  const names = [...specHard(quota).keys()];
  const selectors = scopeSelectorsOf(quota);
  let used: ResourceList = new Map();
  for (const evaluator of evaluatorsFor(names)) {
    const objects = list(evaluator.group, evaluator.plural);
    if (!objects) continue;
    const measured = evaluator.matchingResources(names);
    let sum: ResourceList = new Map(measured.map((name) => [name, zero()]));
    for (const object of objects) {
      if (!selectors.every((selector) => evaluator.matchesScope(selector, object))) continue;
      sum = addResourceLists(sum, maskResourceList(evaluator.usage(object, now), measured));
    }
    used = addResourceLists(used, sum);
  }
  return used;
}
