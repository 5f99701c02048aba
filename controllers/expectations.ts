import type { Clock } from '../client/clock.js';

/** Expectations not met after this long are given up, so a lost watch event cannot stall a controller. */
const EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;

interface Expectation {
  /** Creations still expected; at or below 0: met. */
  add: number;
  /** Deletions still expected. */
  del: number;
  /** The pods (`namespace/name`) whose deletion is expected, so each counts once — whether seen as a
   *  deletionTimestamp or as the delete itself. */
  readonly deleting: Set<string>;
  /** When set; after EXPECTATIONS_TIMEOUT_MS they no longer hold a set back. */
  readonly since: number;
}

/**
 * What each set (by key) waits to see before it manages replicas again. A set that never set any,
 * or whose expectations are met or expired, is free to act.
 *
 *   expectCreations('ns/web', 2)  → satisfied: false
 *   creationObserved('ns/web') ×2 → satisfied: true
 */
export class Expectations {
  readonly #clock: Clock;
  readonly #bySet = new Map<string, Expectation>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  satisfied(key: string): boolean {
    const expectation = this.#bySet.get(key);
    if (!expectation) return true;
    if (expectation.add <= 0 && expectation.del <= 0) return true;
    return this.#clock.now() - expectation.since > EXPECTATIONS_TIMEOUT_MS;
  }

  /** Creations and deletions at once (a DaemonSet creates on some nodes and deletes on others). */
  expect(key: string, creations: number, podKeys: readonly string[]): void {
    const deleting = new Set(podKeys);
    this.#bySet.set(key, { add: creations, del: deleting.size, deleting, since: this.#clock.now() });
  }

  expectCreations(key: string, count: number): void {
    this.#bySet.set(key, { add: count, del: 0, deleting: new Set(), since: this.#clock.now() });
  }

  expectDeletions(key: string, podKeys: readonly string[]): void {
    const deleting = new Set(podKeys);
    this.#bySet.set(key, { add: 0, del: deleting.size, deleting, since: this.#clock.now() });
  }

  /** One expected creation seen — or `count` that will never be (never attempted, or failed). */
  creationObserved(key: string, count = 1): void {
    const expectation = this.#bySet.get(key);
    if (expectation) expectation.add -= count;
  }

  deletionObserved(key: string, podKey: string): void {
    const expectation = this.#bySet.get(key);
    if (expectation?.deleting.delete(podKey)) expectation.del--;
  }

  delete(key: string): void {
    this.#bySet.delete(key);
  }
}
