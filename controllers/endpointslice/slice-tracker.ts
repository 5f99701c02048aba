/**
 * Upstream's EndpointSliceTracker: the generation of every EndpointSlice the controller last wrote, per
 * service, so that it can tell its own writes coming back through the informer from someone else's
 * change, and a cache that has not caught up with its writes from the truth.
 *
 * Why it matters: right after creating a slice the cache does not show it yet; a sync reading that cache
 * would create the slice a second time. With the tracker, that sync sees "tracked but not in the cache"
 * and fails (to be retried after backoff) instead.
 *
 *   wrote web-abc at generation 2   → a cache showing web-abc at 1 is stale; at 2, not
 *   deleted web-abc                 → a cache still showing web-abc is stale
 *   created web-xyz                 → a cache not showing web-xyz is stale
 */
import type { EndpointSlice, Service } from './types.js';
import { SERVICE_NAME_LABEL } from './types.js';

/** The generation recorded for a slice this controller deleted. */
const DELETION_EXPECTED = -1;

function serviceKeyOf(slice: EndpointSlice): string {
  return `${slice.metadata?.namespace}/${slice.metadata?.labels?.[SERVICE_NAME_LABEL] ?? ''}`;
}

export class EndpointSliceTracker {
  /** Service key → slice uid → generation written (or DELETION_EXPECTED). */
  readonly #generations = new Map<string, Map<string, number>>();
  /** Service key → the uid of the service these generations were written for. */
  readonly #serviceUids = new Map<string, string>();

  /** Whether a write of this slice was recorded (its deletion included). */
  has(slice: EndpointSlice): boolean {
    return this.#generations.get(serviceKeyOf(slice))?.has(slice.metadata?.uid ?? '') ?? false;
  }

  /** False only for a slice at (or below) the generation this controller wrote: its own write. */
  shouldSync(slice: EndpointSlice): boolean {
    const generation = this.#generations.get(serviceKeyOf(slice))?.get(slice.metadata?.uid ?? '');
    return generation === undefined || (slice.metadata?.generation ?? 0) > generation;
  }

  /** Whether the cached slices lag behind this controller's writes for the service. */
  staleSlices(service: Service, slices: readonly EndpointSlice[]): boolean {
    const key = `${service.metadata?.namespace}/${service.metadata?.name}`;
    const uid = service.metadata?.uid ?? '';
    const tracked = this.#serviceUids.get(key);
    // A service deleted and made again: what was written for the old one says nothing now.
    if (tracked && uid && tracked !== uid) this.#generations.delete(key);
    this.#serviceUids.set(key, uid);
    const generations = this.#generations.get(key);
    if (!generations) return false;
    const seen = new Set<string>();
    for (const slice of slices) {
      const sliceUid = slice.metadata?.uid ?? '';
      seen.add(sliceUid);
      const expected = generations.get(sliceUid);
      if (
        expected !== undefined &&
        (expected === DELETION_EXPECTED || expected > (slice.metadata?.generation ?? 0))
      ) {
        return true;
      }
    }
    for (const [sliceUid, generation] of generations) {
      if (generation !== DELETION_EXPECTED && !seen.has(sliceUid)) return true;
    }
    return false;
  }

  /** Records a slice as the API returned it from a create or update. */
  update(slice: EndpointSlice): void {
    this.#forService(slice).set(slice.metadata?.uid ?? '', slice.metadata?.generation ?? 0);
  }

  expectDeletion(slice: EndpointSlice): void {
    this.#forService(slice).set(slice.metadata?.uid ?? '', DELETION_EXPECTED);
  }

  /** Forgets a deleted slice; true when its deletion was this controller's own. */
  handleDeletion(slice: EndpointSlice): boolean {
    const generations = this.#generations.get(serviceKeyOf(slice));
    const uid = slice.metadata?.uid ?? '';
    const generation = generations?.get(uid);
    generations?.delete(uid);
    return generation === undefined || generation === DELETION_EXPECTED;
  }

  deleteService(namespace: string | undefined, name: string): void {
    this.#generations.delete(`${namespace}/${name}`);
    this.#serviceUids.delete(`${namespace}/${name}`);
  }

  #forService(slice: EndpointSlice): Map<string, number> {
    const key = serviceKeyOf(slice);
    let generations = this.#generations.get(key);
    if (!generations) this.#generations.set(key, (generations = new Map()));
    return generations;
  }
}
