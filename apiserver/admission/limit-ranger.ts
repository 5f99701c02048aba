/**
 * LimitRanger: a namespace's LimitRanges give containers default resources and bound what pods,
 * containers and claims may ask for.
 *
 * Mutating, on pod create: each container and init container gets the `default` (limits) and
 * `defaultRequest` (requests) of the LimitRanges' Container items for every resource it does not set,
 * and the pod is annotated `kubernetes.io/limit-ranger` with what was set. The defaults are read as
 * upstream defaults a LimitRange item: a missing `default` is the `max`, a missing `defaultRequest` the
 * `default`, else the `min`.
 *
 * Validating: on pod create, each Container item's min / max / maxLimitRequestRatio against every
 * container, and each Pod item's against the pod's totals; on claim create and update, each
 * PersistentVolumeClaim item's min / max against the claim's storage request (an update is checked
 * only for requests it changes). A violation is a 403 naming the rule:
 *
 *   pods "web" is forbidden: maximum cpu usage per Container is 1, but limit is 2
 *
 * several at once as `[first, second]`.
 */
import type { KubeObject } from '../../api/resource.js';
import { forbidden } from '../../api/status.js';
import { AdmissionObjects } from './objects.js';
import { parseQuantity, parseResourceList, podResources, type ResourceList } from './resource-list.js';
import type { AdmissionPlugin, AdmissionPluginFactory, AdmissionRequest } from './types.js';

const limitRangerAnnotation = 'kubernetes.io/limit-ranger';

interface LimitRangeItem {
  type?: string;
  max?: Record<string, unknown>;
  min?: Record<string, unknown>;
  default?: Record<string, unknown>;
  defaultRequest?: Record<string, unknown>;
  maxLimitRequestRatio?: Record<string, unknown>;
}

interface Container {
  name?: string;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
}

interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
}

function itemsOf(limitRange: KubeObject): LimitRangeItem[] {
  return ((limitRange.spec as { limits?: LimitRangeItem[] } | undefined)?.limits ?? []).filter(
    (item): item is LimitRangeItem => typeof item === 'object' && item !== null,
  );
}

/** Upstream's SetDefaults_LimitRangeItem, for a Container item's limits and requests. */
export function containerDefaults(item: LimitRangeItem): {
  limits: Record<string, unknown>;
  requests: Record<string, unknown>;
} {
  const limits: Record<string, unknown> = { ...item.default };
  for (const [name, value] of Object.entries(item.max ?? {})) if (!(name in limits)) limits[name] = value;
  const requests: Record<string, unknown> = { ...item.defaultRequest };
  for (const [name, value] of Object.entries(limits)) if (!(name in requests)) requests[name] = value;
  for (const [name, value] of Object.entries(item.min ?? {})) if (!(name in requests)) requests[name] = value;
  return { limits, requests };
}

/** Sets what a container leaves out; returns the annotation's phrases for it. */
function mergeContainer(
  container: Container,
  defaults: { limits: ResourceList; requests: ResourceList },
  label: string,
): string[] {
  const resources = container.resources ?? {};
  const limits = { ...resources.limits };
  const requests = { ...resources.requests };
  const setLimits: string[] = [];
  const setRequests: string[] = [];
  for (const [name, quantity] of defaults.limits) {
    if (name in limits) continue;
    limits[name] = quantity.toString();
    setLimits.push(name);
  }
  for (const [name, quantity] of defaults.requests) {
    if (name in requests) continue;
    requests[name] = quantity.toString();
    setRequests.push(name);
  }
  // Empty lists stay absent, as upstream's omitempty leaves them out.
  if (setLimits.length > 0 || setRequests.length > 0) {
    container.resources = {
      ...resources,
      ...(Object.keys(limits).length > 0 ? { limits } : {}),
      ...(Object.keys(requests).length > 0 ? { requests } : {}),
    };
  }
  const phrases: string[] = [];
  if (setRequests.length > 0)
    phrases.push(`${setRequests.sort().join(', ')} request for ${label} ${container.name}`);
  if (setLimits.length > 0)
    phrases.push(`${setLimits.sort().join(', ')} limit for ${label} ${container.name}`);
  return phrases;
}

// ---- constraints (upstream's wording, including its double spaces) ----

function minConstraint(
  type: string,
  name: string,
  enforced: string,
  requests: ResourceList,
  limits: ResourceList,
): string | undefined {
  const min = parseQuantity(enforced);
  if (!min) return undefined;
  const request = requests.get(name);
  const limit = limits.get(name);
  if (!request) return `minimum ${name} usage per ${type} is ${min}.  No request is specified`;
  if (min.cmp(request) > 0) return `minimum ${name} usage per ${type} is ${min}, but request is ${request}`;
  if (limit && min.cmp(limit) > 0)
    return `minimum ${name} usage per ${type} is ${min}, but limit is ${limit}`;
  return undefined;
}

function maxConstraint(
  type: string,
  name: string,
  enforced: string,
  requests: ResourceList,
  limits: ResourceList,
): string | undefined {
  const max = parseQuantity(enforced);
  if (!max) return undefined;
  const request = requests.get(name);
  const limit = limits.get(name);
  if (!limit) return `maximum ${name} usage per ${type} is ${max}.  No limit is specified`;
  if (limit.cmp(max) > 0) return `maximum ${name} usage per ${type} is ${max}, but limit is ${limit}`;
  if (request && request.cmp(max) > 0)
    return `maximum ${name} usage per ${type} is ${max}, but request is ${request}`;
  return undefined;
}

/** For claims, whose limits are not user input: only the request is bounded. */
function maxRequestConstraint(
  type: string,
  name: string,
  enforced: string,
  requests: ResourceList,
): string | undefined {
  const max = parseQuantity(enforced);
  if (!max) return undefined;
  const request = requests.get(name);
  if (!request) return `maximum ${name} usage per ${type} is ${max}.  No request is specified`;
  if (request.cmp(max) > 0) return `maximum ${name} usage per ${type} is ${max}, but request is ${request}`;
  return undefined;
}

function ratioConstraint(
  type: string,
  name: string,
  enforced: string,
  requests: ResourceList,
  limits: ResourceList,
): string | undefined {
  const ratio = parseQuantity(enforced);
  if (!ratio) return undefined;
  const request = requests.get(name);
  const limit = limits.get(name);
  if (!request || request.isZero()) {
    return `${name} max limit to request ratio per ${type} is ${ratio}, but no request is specified or request is 0`;
  }
  if (!limit || limit.isZero()) {
    return `${name} max limit to request ratio per ${type} is ${ratio}, but no limit is specified or limit is 0`;
  }
  // limit > request × ratio, in thousandths and exact.
  const limitMilli = BigInt(Math.abs(limit.milliValue()));
  const requestMilli = BigInt(Math.abs(request.milliValue()));
  if (limitMilli * 1000n > requestMilli * BigInt(ratio.milliValue())) {
    return `${name} max limit to request ratio per ${type} is ${ratio}, but provided ratio is ${ratioText(limitMilli, requestMilli)}`;
  }
  return undefined;
}

/** limit / request to six decimals, rounded half to even (`4.000000`). */
function ratioText(limit: bigint, request: bigint): string {
  const scaled = limit * 1_000_000n;
  let quotient = scaled / request;
  const remainder = scaled % request;
  if (remainder * 2n > request || (remainder * 2n === request && quotient % 2n === 1n)) quotient += 1n;
  const digits = quotient.toString().padStart(7, '0');
  return `${digits.slice(0, -6)}.${digits.slice(-6)}`;
}

/** Upstream's error aggregate: one message as is, several as `[a, b]`, repeats once. */
function aggregate(problems: (string | undefined)[]): string | undefined {
  const unique = [...new Set(problems.filter((problem): problem is string => problem !== undefined))];
  if (unique.length === 0) return undefined;
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}

function containerProblems(item: LimitRangeItem, containers: readonly Container[]): (string | undefined)[] {
  const type = item.type ?? '';
  const problems: (string | undefined)[] = [];
  for (const container of containers) {
    const requests = parseResourceList(container.resources?.requests);
    const limits = parseResourceList(container.resources?.limits);
    for (const [name, value] of Object.entries(item.min ?? {}))
      problems.push(minConstraint(type, name, String(value), requests, limits));
    for (const [name, value] of Object.entries(item.max ?? {}))
      problems.push(maxConstraint(type, name, String(value), requests, limits));
    for (const [name, value] of Object.entries(item.maxLimitRequestRatio ?? {})) {
      problems.push(ratioConstraint(type, name, String(value), requests, limits));
    }
  }
  return problems;
}

function podProblems(limitRange: KubeObject, pod: KubeObject): (string | undefined)[] {
  const spec = (pod.spec ?? {}) as PodSpec;
  const problems: (string | undefined)[] = [];
  for (const item of itemsOf(limitRange)) {
    if (item.type === 'Container') {
      problems.push(
        ...containerProblems(item, spec.containers ?? []),
        ...containerProblems(item, spec.initContainers ?? []),
      );
    }
    if (item.type === 'Pod') {
      const requests = podResources(spec as never, 'requests');
      const limits = podResources(spec as never, 'limits');
      for (const [name, value] of Object.entries(item.min ?? {}))
        problems.push(minConstraint('Pod', name, String(value), requests, limits));
      for (const [name, value] of Object.entries(item.max ?? {}))
        problems.push(maxConstraint('Pod', name, String(value), requests, limits));
      for (const [name, value] of Object.entries(item.maxLimitRequestRatio ?? {})) {
        problems.push(ratioConstraint('Pod', name, String(value), requests, limits));
      }
    }
  }
  return problems;
}

function claimProblems(
  limitRange: KubeObject,
  claim: KubeObject,
  old: KubeObject | undefined,
): (string | undefined)[] {
  const requestsOf = (object: KubeObject | undefined) =>
    parseResourceList(
      (object?.spec as { resources?: { requests?: unknown } } | undefined)?.resources?.requests,
    );
  const requests = requestsOf(claim);
  const oldRequests = old ? requestsOf(old) : new Map();
  // A stored request was valid when stored: only a changed one is checked again.
  const unchanged = (name: string) => {
    const now = requests.get(name);
    const before = oldRequests.get(name);
    return now !== undefined && before !== undefined && now.equals(before);
  };
  const problems: (string | undefined)[] = [];
  for (const item of itemsOf(limitRange)) {
    if (item.type !== 'PersistentVolumeClaim') continue;
    for (const [name, value] of Object.entries(item.min ?? {})) {
      if (!unchanged(name)) problems.push(minConstraint(item.type, name, String(value), requests, new Map()));
    }
    for (const [name, value] of Object.entries(item.max ?? {})) {
      if (!unchanged(name)) problems.push(maxRequestConstraint(item.type, name, String(value), requests));
    }
  }
  return problems;
}

export class LimitRanger implements AdmissionPlugin {
  readonly name = 'LimitRanger';
  readonly #objects: AdmissionObjects;

  constructor(objects: AdmissionObjects) {
    this.#objects = objects;
  }

  admit(request: AdmissionRequest): void {
    if (!this.#handles(request) || request.resource.plural !== 'pods') return;
    const spec = (request.object.spec ??= {}) as PodSpec;
    for (const limitRange of this.#limitRanges(request)) {
      const merged = { limits: new Map(), requests: new Map() } as {
        limits: ResourceList;
        requests: ResourceList;
      };
      for (const item of itemsOf(limitRange)) {
        if (item.type !== 'Container') continue;
        const defaults = containerDefaults(item);
        for (const [name, quantity] of parseResourceList(defaults.limits)) merged.limits.set(name, quantity);
        for (const [name, quantity] of parseResourceList(defaults.requests))
          merged.requests.set(name, quantity);
      }
      const phrases = [
        ...(spec.containers ?? []).flatMap((container) => mergeContainer(container, merged, 'container')),
        ...(spec.initContainers ?? []).flatMap((container) =>
          mergeContainer(container, merged, 'init container'),
        ),
      ];
      if (phrases.length > 0) {
        const metadata = (request.object.metadata ??= {});
        metadata.annotations = {
          ...metadata.annotations,
          [limitRangerAnnotation]: `LimitRanger plugin set: ${phrases.join('; ')}`,
        };
      }
    }
  }

  validate(request: AdmissionRequest): void {
    if (!this.#handles(request)) return;
    const pod = request.resource.plural === 'pods';
    for (const limitRange of this.#limitRanges(request)) {
      const problem = aggregate(
        pod
          ? podProblems(limitRange, request.object)
          : claimProblems(limitRange, request.object, request.oldObject),
      );
      if (problem) {
        throw forbidden({ group: '', resource: request.resource.plural }, request.name, problem);
      }
    }
  }

  /** Pods on create (their containers' resources cannot change after), claims on create and update. */
  #handles(request: AdmissionRequest): boolean {
    const { resource, subresource, operation, oldObject } = request;
    if (resource.group !== '' || subresource !== undefined) return false;
    if (oldObject?.metadata?.deletionTimestamp) return false;
    if (resource.plural === 'pods') return operation === 'CREATE';
    return resource.plural === 'persistentvolumeclaims';
  }

  #limitRanges(request: AdmissionRequest): KubeObject[] {
    return this.#objects.list('', 'limitranges', request.namespace);
  }
}

export const limitRangerPlugin: AdmissionPluginFactory = (context) =>
  new LimitRanger(new AdmissionObjects(context.stores));
