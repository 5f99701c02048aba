/**
 * What one scheduling attempt of one pod carries between extension points: a plugin's PreFilter works
 * something out once (the pod's requests, topology counts), writes it under its own key, and its Filter
 * reads it for every node; PreScore and Score likewise. A new CycleState is made for every attempt, so
 * nothing leaks from one attempt to the next.
 *
 * Preemption tries "what if these pods were gone" on copies: `clone()` copies every value that has a
 * `clone()` of its own (values without one are shared, so they must not change after PreFilter).
 *
 * `skipFilter` / `skipScore` hold the plugins whose PreFilter / PreScore answered Skip this cycle.
 */
import type { FilterPlugin } from './interfaces.js';

export interface StateData {
  clone?(): StateData;
}

export class CycleState {
  readonly #data = new Map<string, unknown>();
  readonly skipFilter = new Set<string>();
  readonly skipScore = new Set<string>();
  /** The Filter plugins that run this cycle (those not skipped), worked out once after PreFilter. */
  filters: readonly FilterPlugin[] | undefined;

  read<T>(key: string): T | undefined {
    return this.#data.get(key) as T | undefined;
  }

  write(key: string, value: unknown): void {
    this.#data.set(key, value);
  }

  delete(key: string): void {
    this.#data.delete(key);
  }

  clone(): CycleState {
    const copy = new CycleState();
    for (const [key, value] of this.#data) {
      const data = value as StateData | undefined;
      copy.#data.set(key, typeof data?.clone === 'function' ? data.clone() : value);
    }
    for (const name of this.skipFilter) copy.skipFilter.add(name);
    for (const name of this.skipScore) copy.skipScore.add(name);
    copy.filters = this.filters;
    return copy;
  }
}
