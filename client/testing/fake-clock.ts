import type { Clock } from '../clock.js';

/**
 * A clock that moves only when a test says so. `advance(ms)` fires every timer due within the step in
 * time order, and after each one lets pending promise callbacks and I/O callbacks run, so the code a
 * timer started (a fake client call, a queue hand-off) has settled before the next timer fires.
 *
 *   const clock = new FakeClock();
 *   queue.addAfter('a', 100);
 *   await clock.advance(99);   // 'a' not yet queued
 *   await clock.advance(1);    // now it is
 */
export class FakeClock implements Clock {
  #now: number;
  #sequence = 0;
  /** Pending timers; `sequence` keeps timers due at the same instant in the order they were set. */
  readonly #timers = new Map<number, { at: number; sequence: number; callback: () => void }>();

  constructor(start = Date.UTC(2025, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(callback: () => void, delayMs: number): () => void {
    const id = ++this.#sequence;
    this.#timers.set(id, { at: this.#now + Math.max(0, delayMs), sequence: id, callback });
    return () => this.#timers.delete(id);
  }

  /** How many timers are waiting. */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing due timers one at a time (each followed by `settle()`). */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    await settle();
    for (;;) {
      let next: { id: number; at: number; sequence: number; callback: () => void } | undefined;
      for (const [id, timer] of this.#timers) {
        if (timer.at > target) continue;
        if (!next || timer.at < next.at || (timer.at === next.at && timer.sequence < next.sequence)) {
          next = { id, ...timer };
        }
      }
      if (!next) break;
      this.#timers.delete(next.id);
      this.#now = Math.max(this.#now, next.at);
      next.callback();
      await settle();
    }
    this.#now = target;
  }
}

/**
 * Lets everything already scheduled run: promise callbacks, then a few turns of the event loop for
 * callbacks those queue in turn. No time passes on any clock.
 */
export async function settle(turns = 5): Promise<void> {
  for (let turn = 0; turn < turns; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
}
