/**
 * Resource vectors as the scheduler counts them: CPU in millicores, memory and ephemeral storage in
 * bytes, a pod count, and "scalar" resources (extended ones such as `example.com/gpu`, `hugepages-2Mi`)
 * in whole units — plain numbers, so a Filter over thousands of nodes does no parsing.
 *
 * A pod's request, as upstream's resourcehelper.PodRequests (with sidecars) computes it:
 *
 *   containers            summed (they run together)
 *   init containers       one at a time, so the largest counts — each alongside the sidecars
 *                         (init containers with restartPolicy Always) started before it
 *   sidecars              added to the containers' sum too (they keep running)
 *   overhead              added last
 *
 *   containers [cpu 1, cpu 1], init [cpu 3]             → cpu 3
 *   containers [cpu 1], init [sidecar cpu 1, cpu 2]     → max(1 + 1, 1 + 2) = cpu 3
 *
 * For scoring, a container that requests no CPU or memory counts as 100m and 200Mi (upstream's
 * "non-zero" requests), so pods without requests still spread instead of piling onto one node.
 */
import { Quantity } from '../../api/quantity.js';
import type { Container, PodSpec, ResourceList } from '../types.js';

export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export class Resource {
  milliCPU = 0;
  memory = 0;
  ephemeralStorage = 0;
  allowedPodNumber = 0;
  /** Extended, hugepages and other scalar resources, by name; undefined until one is added. */
  scalar: Map<string, number> | undefined;

  static fromList(list: ResourceList | undefined): Resource {
    const resource = new Resource();
    resource.addList(list);
    return resource;
  }

  addList(list: ResourceList | undefined): void {
    if (!list) return;
    for (const name in list) {
      const value = list[name];
      if (value === undefined) continue;
      switch (name) {
        case 'cpu':
          this.milliCPU += milliValue(value);
          break;
        case 'memory':
          this.memory += wholeValue(value);
          break;
        case 'ephemeral-storage':
          this.ephemeralStorage += wholeValue(value);
          break;
        case 'pods':
          this.allowedPodNumber += wholeValue(value);
          break;
        default:
          if (isScalarResourceName(name)) this.addScalar(name, wholeValue(value));
      }
    }
  }

  /** Raises each resource to at least what `list` has. */
  setMaxList(list: ResourceList | undefined): void {
    if (!list) return;
    const other = Resource.fromList(list);
    this.setMax(other);
  }

  setMax(other: Resource): void {
    this.milliCPU = Math.max(this.milliCPU, other.milliCPU);
    this.memory = Math.max(this.memory, other.memory);
    this.ephemeralStorage = Math.max(this.ephemeralStorage, other.ephemeralStorage);
    if (other.scalar) {
      for (const [name, value] of other.scalar) {
        this.setScalar(name, Math.max(this.scalar?.get(name) ?? 0, value));
      }
    }
  }

  add(other: Resource, sign = 1): void {
    this.milliCPU += sign * other.milliCPU;
    this.memory += sign * other.memory;
    this.ephemeralStorage += sign * other.ephemeralStorage;
    this.allowedPodNumber += sign * other.allowedPodNumber;
    if (other.scalar) {
      for (const [name, value] of other.scalar) this.addScalar(name, sign * value);
    }
  }

  addScalar(name: string, value: number): void {
    this.setScalar(name, (this.scalar?.get(name) ?? 0) + value);
  }

  setScalar(name: string, value: number): void {
    (this.scalar ??= new Map()).set(name, value);
  }

  /** The amount of `name` in its unit (millicores for cpu). */
  get(name: string): number {
    switch (name) {
      case 'cpu':
        return this.milliCPU;
      case 'memory':
        return this.memory;
      case 'ephemeral-storage':
        return this.ephemeralStorage;
      case 'pods':
        return this.allowedPodNumber;
      default:
        return this.scalar?.get(name) ?? 0;
    }
  }

  isZero(): boolean {
    if (this.milliCPU !== 0 || this.memory !== 0 || this.ephemeralStorage !== 0) return false;
    if (this.scalar) for (const value of this.scalar.values()) if (value !== 0) return false;
    return true;
  }

  clone(): Resource {
    const copy = new Resource();
    copy.milliCPU = this.milliCPU;
    copy.memory = this.memory;
    copy.ephemeralStorage = this.ephemeralStorage;
    copy.allowedPodNumber = this.allowedPodNumber;
    if (this.scalar) copy.scalar = new Map(this.scalar);
    return copy;
  }
}

/** What a pod asks for: its requests, and the non-zero CPU and memory used for scoring. */
export interface PodRequests {
  readonly requests: Resource;
  readonly nonZeroMilliCPU: number;
  readonly nonZeroMemory: number;
}

export function computePodRequests(spec: PodSpec | undefined): PodRequests {
  const requests = new Resource();
  const nonZero = new Resource();
  for (const container of spec?.containers ?? []) {
    addContainer(requests, nonZero, container);
  }
  const sidecars = new Resource();
  const sidecarsNonZero = new Resource();
  const initMax = new Resource();
  const initMaxNonZero = new Resource();
  for (const container of spec?.initContainers ?? []) {
    const own = new Resource();
    const ownNonZero = new Resource();
    addContainer(own, ownNonZero, container);
    if (container.restartPolicy === 'Always') {
      sidecars.add(own);
      sidecarsNonZero.add(ownNonZero);
      initMax.setMax(sidecars);
      initMaxNonZero.setMax(sidecarsNonZero);
    } else {
      own.add(sidecars);
      ownNonZero.add(sidecarsNonZero);
      initMax.setMax(own);
      initMaxNonZero.setMax(ownNonZero);
    }
  }
  requests.add(sidecars);
  nonZero.add(sidecarsNonZero);
  requests.setMax(initMax);
  nonZero.setMax(initMaxNonZero);
  if (spec?.overhead) {
    const overhead = Resource.fromList(spec.overhead);
    requests.add(overhead);
    nonZero.add(overhead);
  }
  return { requests, nonZeroMilliCPU: nonZero.milliCPU, nonZeroMemory: nonZero.memory };
}

function addContainer(requests: Resource, nonZero: Resource, container: Container): void {
  const list = container.resources?.requests;
  requests.addList(list);
  nonZero.milliCPU += list?.cpu !== undefined ? milliValue(list.cpu) : DEFAULT_MILLI_CPU_REQUEST;
  nonZero.memory += list?.memory !== undefined ? wholeValue(list.memory) : DEFAULT_MEMORY_REQUEST;
}

/**
 * Whether a resource is counted as a scalar: extended resources (`example.com/gpu`), resources under
 * `kubernetes.io/`, `hugepages-*` and `attachable-volumes-*` (upstream's IsScalarResourceName).
 */
export function isScalarResourceName(name: string): boolean {
  if (name.startsWith('hugepages-') || name.startsWith('attachable-volumes-')) return true;
  if (!name.includes('/')) return false;
  return name.includes('kubernetes.io/') || !name.startsWith('requests.');
}

/** Extended resources proper: a domain-qualified name outside `kubernetes.io/`. */
export function isExtendedResourceName(name: string): boolean {
  return name.includes('/') && !name.includes('kubernetes.io/') && !name.startsWith('requests.');
}

/**
 * Quantities repeat (every replica asks for `100m`), so each distinct text is parsed once. The memo is
 * bounded: past its size it is cleared, which costs only re-parsing.
 */
const parsed = new Map<string, Quantity>();
const MAX_MEMO = 10_000;

function quantity(value: string | number): Quantity | undefined {
  const text = String(value);
  let result = parsed.get(text);
  if (result === undefined) {
    try {
      result = Quantity.parse(text);
    } catch {
      return undefined;
    }
    if (parsed.size >= MAX_MEMO) parsed.clear();
    parsed.set(text, result);
  }
  return result;
}

/** Thousandths, rounded up (`0.5` → 500; upstream's MilliValue). Unparseable: 0. */
export function milliValue(value: string | number): number {
  if (typeof value === 'number') return Math.ceil(value * 1000);
  return quantity(value)?.milliValue() ?? 0;
}

/** Whole units, rounded up (upstream's Value). Unparseable: 0. */
export function wholeValue(value: string | number): number {
  if (typeof value === 'number') return Math.ceil(value);
  return quantity(value)?.value() ?? 0;
}
