/**
 * How long a failed work item waits before its retry, as client-go's workqueue rate limiters decide.
 * The controller default combines two limits and takes the longer wait:
 *
 *   per item   5 ms, 10 ms, 20 ms, … doubling on each failure of that item, capped at 1000 s;
 *   overall    a token bucket of 10 per second with bursts of 100, shared by all items, so a storm of
 *              failures cannot turn into a storm of retries.
 *
 * Example: the first failure of a key waits 5 ms; its eleventh waits 5 ms × 2¹⁰ ≈ 5.1 s. If 150 keys
 * fail at once, the first 100 go through the bucket at once and the rest are spread 100 ms apart.
 * `forget(item)` (after a success) starts the item's doubling over.
 */
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';

export interface RateLimiter<T> {
  /** How long `item` must wait before its retry; counts the retry. */
  when(item: T): number;
  /** The item succeeded: forget its failures. */
  forget(item: T): void;
  /** Retries counted for `item` since it was last forgotten. */
  retries(item: T): number;
}

/** Per item: `baseDelayMs × 2^failures`, capped at `maxDelayMs`. */
export class ItemExponentialRateLimiter<T> implements RateLimiter<T> {
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #failures = new Map<T, number>();

  constructor(options: { baseDelayMs?: number; maxDelayMs?: number } = {}) {
    this.#baseDelayMs = options.baseDelayMs ?? 5;
    this.#maxDelayMs = options.maxDelayMs ?? 1_000_000;
  }

  when(item: T): number {
    const failures = this.#failures.get(item) ?? 0;
    this.#failures.set(item, failures + 1);
    const delay = this.#baseDelayMs * 2 ** failures;
    return Number.isFinite(delay) && delay < this.#maxDelayMs ? delay : this.#maxDelayMs;
  }

  forget(item: T): void {
    this.#failures.delete(item);
  }

  retries(item: T): number {
    return this.#failures.get(item) ?? 0;
  }
}

/**
 * A token bucket (Go's rate.Limiter as client-go uses it): `burst` tokens, refilled at `qps` per second.
 * Each `when` takes a token, borrowing from the future when none is left, and returns how long until
 * that borrowed token exists. Items are not told apart.
 */
export class TokenBucketRateLimiter<T> implements RateLimiter<T> {
  readonly #qps: number;
  readonly #burst: number;
  readonly #clock: Clock;
  /** May go negative: tokens already promised to waiting items. */
  #tokens: number;
  #last: number;

  constructor(options: { qps?: number; burst?: number; clock?: Clock } = {}) {
    this.#qps = options.qps ?? 10;
    this.#burst = options.burst ?? 100;
    this.#clock = options.clock ?? systemClock;
    this.#tokens = this.#burst;
    this.#last = this.#clock.now();
  }

  when(_item: T): number {
    const now = this.#clock.now();
    const elapsed = Math.max(0, now - this.#last);
    this.#tokens = Math.min(this.#burst, this.#tokens + (elapsed * this.#qps) / 1000);
    this.#last = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.#qps) * 1000;
  }

  forget(_item: T): void {}

  retries(_item: T): number {
    return 0;
  }
}

/** The longest wait any of `limiters` asks for (each one counts the retry). */
export class MaxOfRateLimiter<T> implements RateLimiter<T> {
  readonly #limiters: readonly RateLimiter<T>[];

  constructor(...limiters: RateLimiter<T>[]) {
    this.#limiters = limiters;
  }

  when(item: T): number {
    let longest = 0;
    for (const limiter of this.#limiters) longest = Math.max(longest, limiter.when(item));
    return longest;
  }

  forget(item: T): void {
    for (const limiter of this.#limiters) limiter.forget(item);
  }

  retries(item: T): number {
    let most = 0;
    for (const limiter of this.#limiters) most = Math.max(most, limiter.retries(item));
    return most;
  }
}

/** client-go's DefaultControllerRateLimiter: per item 5 ms doubling to 1000 s, overall 10 qps, burst 100. */
export function defaultControllerRateLimiter<T>(clock: Clock = systemClock): RateLimiter<T> {
  return new MaxOfRateLimiter<T>(
    new ItemExponentialRateLimiter<T>({ baseDelayMs: 5, maxDelayMs: 1_000_000 }),
    new TokenBucketRateLimiter<T>({ qps: 10, burst: 100, clock }),
  );
}
