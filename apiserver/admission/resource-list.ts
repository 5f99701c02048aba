/**
 * ResourceLists (`{cpu: "500m", memory: "1Gi", pods: "3"}`) as exact quantities, with the arithmetic
 * LimitRanger and ResourceQuota do on them (upstream's quota/v1 helpers): sums, maxima, masks,
 * comparisons, and the `name=value,…` form quota messages print.
 */
import { Quantity } from '../../api/quantity.js';

export type ResourceList = Map<string, Quantity>;

/** Reads a JSON ResourceList; values that are not quantities are left out (validation reports them). */
export function parseResourceList(raw: unknown): ResourceList {
  const list: ResourceList = new Map();
  if (typeof raw !== 'object' || raw === null) return list;
  for (const [name, value] of Object.entries(raw)) {
    const quantity = parseQuantity(value);
    if (quantity) list.set(name, quantity);
  }
  return list;
}

export function parseQuantity(value: unknown): Quantity | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  try {
    return Quantity.parse(String(value));
  } catch {
    return undefined;
  }
}

/** As JSON, names sorted (Go writes maps in key order). */
export function toJSONResourceList(list: ResourceList): Record<string, string> {
  return Object.fromEntries([...list.keys()].sort().map((name) => [name, list.get(name)!.toString()]));
}

/** a + b, resource by resource; a resource in one list only keeps its value. */
export function addResourceLists(a: ResourceList, b: ResourceList): ResourceList {
  const sum: ResourceList = new Map(a);
  for (const [name, quantity] of b) {
    const existing = sum.get(name);
    sum.set(name, existing ? existing.add(quantity) : quantity);
  }
  return sum;
}

/** a - b, never below zero, for the resources of `a`. */
export function subtractNonNegative(a: ResourceList, b: ResourceList): ResourceList {
  const difference: ResourceList = new Map();
  for (const [name, quantity] of a) {
    const other = b.get(name);
    const value = other ? quantity.sub(other) : quantity;
    difference.set(name, value.sign() < 0 ? Quantity.fromInteger(0) : value);
  }
  return difference;
}

/** The larger of each resource. */
export function maxResourceLists(a: ResourceList, b: ResourceList): ResourceList {
  const result: ResourceList = new Map(a);
  for (const [name, quantity] of b) {
    const existing = result.get(name);
    if (!existing || quantity.cmp(existing) > 0) result.set(name, quantity);
  }
  return result;
}

/** Only the named resources. */
export function maskResourceList(list: ResourceList, names: Iterable<string>): ResourceList {
  const wanted = new Set(names);
  return new Map([...list].filter(([name]) => wanted.has(name)));
}

/** Whether every resource of `a` that `limits` bounds is within it, and which are not. */
export function lessThanOrEqual(
  a: ResourceList,
  limits: ResourceList,
): { allowed: boolean; exceeded: string[] } {
  const exceeded: string[] = [];
  for (const [name, limit] of limits) {
    const value = a.get(name);
    if (value && value.cmp(limit) > 0) exceeded.push(name);
  }
  return { allowed: exceeded.length === 0, exceeded };
}

export function isZeroResourceList(list: ResourceList): boolean {
  return [...list.values()].every((quantity) => quantity.isZero());
}

export function negativeResources(list: ResourceList): string[] {
  return [...list].filter(([, quantity]) => quantity.sign() < 0).map(([name]) => name);
}

/** Same resources with equal values (`1000m` equals `1`). */
export function equalResourceLists(a: ResourceList, b: ResourceList): boolean {
  if (a.size !== b.size) return false;
  for (const [name, quantity] of a) {
    const other = b.get(name);
    if (!other?.equals(quantity)) return false;
  }
  return true;
}

/** `limits.cpu=1,pods=2`: sorted by name, as quota messages print lists. */
export function prettyPrint(list: ResourceList): string {
  return [...list.keys()]
    .sort()
    .map((name) => `${name}=${list.get(name)!.toString()}`)
    .join(',');
}

interface Container {
  restartPolicy?: string;
  resources?: { requests?: unknown; limits?: unknown };
}

interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  overhead?: unknown;
}

/**
 * A pod's effective requests or limits: its containers' sum, raised to what any init container needs
 * while it runs (with the sidecars — init containers that restart always — started before it), plus
 * the pod overhead when asked. Upstream's resource helpers' PodRequests / PodLimits.
 *
 *   containers 1 + 1 cpu, init container 3 cpu  →  3 cpu
 */
export function podResources(
  spec: PodSpec,
  field: 'requests' | 'limits',
  options: { overhead?: boolean } = {},
): ResourceList {
  let total: ResourceList = new Map();
  for (const container of spec.containers ?? []) {
    total = addResourceLists(total, parseResourceList(container.resources?.[field]));
  }
  let sidecars: ResourceList = new Map();
  let initPeak: ResourceList = new Map();
  for (const container of spec.initContainers ?? []) {
    const own = parseResourceList(container.resources?.[field]);
    if (container.restartPolicy === 'Always') {
      total = addResourceLists(total, own);
      sidecars = addResourceLists(sidecars, own);
      initPeak = maxResourceLists(initPeak, sidecars);
    } else {
      initPeak = maxResourceLists(initPeak, addResourceLists(own, sidecars));
    }
  }
  total = maxResourceLists(total, initPeak);
  if (options.overhead) total = addResourceLists(total, parseResourceList(spec.overhead));
  return total;
}
