/**
 * The controllers' work queue, with Kubernetes' semantics (client-go's workqueue: a rate-limited,
 * delaying queue). Items are keys (`namespace/name`), compared with `===`.
 *
 * Invariants, kept by `add`, `get` and `done`:
 *   - `#dirty` holds every key that needs processing; `#queue` holds, in order, those of them that are not
 *     being processed right now. A key is never in the queue twice.
 *   - `#processing` holds the keys a worker took with `get` and has not yet `done`.
 *   - So a key is never processed by two workers at once, and a key added while it is processed is
 *     processed once more after `done` — one more time however often it was added meanwhile.
 *
 * Example: add(a), add(b), add(a) → queue [a, b]. get() → a (processing {a}). add(a) → dirty {a, b},
 * queue [b] (a waits for its worker). done(a) → queue [b, a].
 *
 * Retries: `addRateLimited(key)` re-adds after the rate limiter's delay (by default per key 5 ms doubling
 * to 1000 s, combined with 10 qps / burst 100 overall; see rate-limiter.ts); `forget(key)` after a
 * success resets the key's doubling; `addAfter(key, ms)` is for polling (`requeueAfter`). A key waiting
 * for a delay and added again keeps the earlier of its two times.
 *
 * Time comes from the injected clock, so tests drive delays with a FakeClock.
 */
import { type Clock, systemClock } from './clock.js';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.js';

export interface WorkQueueOptions<T> {
  readonly clock?: Clock;
  /** Default: `defaultControllerRateLimiter` on the same clock. */
  readonly rateLimiter?: RateLimiter<T>;
}

export class WorkQueue<T = string> {
  readonly #clock: Clock;
  readonly #rateLimiter: RateLimiter<T>;
  /** Keys to process, in order; none of them is in `#processing`. Read from `#head` on. */
  #queue: T[] = [];
  #head = 0;
  readonly #dirty = new Set<T>();
  readonly #processing = new Set<T>();
  /** Keys waiting out a delay: when they are due, and how to cancel the timer. */
  readonly #delayed = new Map<T, { at: number; cancel: () => void }>();
  /** Workers blocked in `get`, first come first served. */
  readonly #getters: ((item: T | undefined) => void)[] = [];
  #shuttingDown = false;
  #drained: (() => void) | undefined;

  constructor(options: WorkQueueOptions<T> = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter<T>(this.#clock);
  }

  /** Keys ready for a worker now (not counting ones being processed or waiting out a delay). */
  get length(): number {
    return this.#queue.length - this.#head;
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Marks `item` as needing processing. Ignored once shut down. */
  add(item: T): void {
    if (this.#shuttingDown || this.#dirty.has(item)) return;
    this.#dirty.add(item);
    if (this.#processing.has(item)) return;
    this.#queue.push(item);
    this.#handOut();
  }

  /**
   * The next key to process; waits for one. Undefined once the queue is shut down and empty. Every key
   * returned must be given back with `done`.
   */
  get(): Promise<T | undefined> {
    if (this.length > 0) return Promise.resolve(this.#take());
    if (this.#shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#getters.push(resolve));
  }

  /** The worker has finished with `item`; if it was added meanwhile, it is queued again. */
  done(item: T): void {
    this.#processing.delete(item);
    if (this.#dirty.has(item)) {
      this.#queue.push(item);
      this.#handOut();
    }
    if (this.#processing.size === 0) this.#drained?.();
  }

  /** Adds `item` once `delayMs` have passed (at once when `delayMs` ≤ 0). */
  addAfter(item: T, delayMs: number): void {
    if (this.#shuttingDown) return;
    if (delayMs <= 0) {
      this.add(item);
      return;
    }
    const at = this.#clock.now() + delayMs;
    const waiting = this.#delayed.get(item);
    if (waiting && waiting.at <= at) return;
    waiting?.cancel();
    const cancel = this.#clock.setTimer(() => {
      this.#delayed.delete(item);
      this.add(item);
    }, delayMs);
    this.#delayed.set(item, { at, cancel });
  }

  /** Adds `item` after the rate limiter's delay: for a retry after a failure. */
  addRateLimited(item: T): void {
    this.addAfter(item, this.#rateLimiter.when(item));
  }

  /** `item` succeeded (or failed for good): its next failure starts the backoff over. */
  forget(item: T): void {
    this.#rateLimiter.forget(item);
  }

  /** How many times `item` has been retried since it was last forgotten. */
  retries(item: T): number {
    return this.#rateLimiter.retries(item);
  }

  /**
   * Stops taking keys: `add` is ignored, delayed keys are dropped, and once the queued keys are handed
   * out, waiting and future `get` calls return undefined.
   */
  shutDown(): void {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    for (const { cancel } of this.#delayed.values()) cancel();
    this.#delayed.clear();
    this.#handOut();
    for (const getter of this.#getters.splice(0)) getter(undefined);
  }

  /** `shutDown`, then resolves once every key being processed is `done`. */
  async shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.#processing.size === 0) return;
    await new Promise<void>((resolve) => {
      this.#drained = resolve;
    });
  }

  #take(): T {
    const item = this.#queue[this.#head]!;
    this.#head++;
    // Reclaim the consumed prefix now and then instead of shifting on every take.
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    this.#processing.add(item);
    this.#dirty.delete(item);
    return item;
  }

  #handOut(): void {
    while (this.#getters.length > 0 && this.length > 0) this.#getters.shift()!(this.#take());
  }
}
