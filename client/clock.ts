/**
 * Time, injected. Everything in `client/` that waits (work queue delays, informer resyncs and backoff,
 * leader election's retry loop) asks a `Clock`, so tests drive time with `FakeClock` (client/testing)
 * instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `callback` once `delayMs` have passed; the returned function cancels it (safe to call twice). */
  setTimer(callback: () => void, delayMs: number): () => void;
}

/** The real clock. Timers keep the process alive, so every owner cancels its timers when it stops. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(callback, delayMs) {
    const timer = setTimeout(callback, Math.max(0, delayMs));
    return () => clearTimeout(timer);
  },
};

/**
 * Resolves after `delayMs` on `clock`, or at once when `signal` aborts (it never rejects: callers look at
 * `signal.aborted` to tell which happened).
 */
export function sleep(clock: Clock, delayMs: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const finish = () => {
      cancel();
      signal?.removeEventListener('abort', finish);
      resolve();
    };
    const cancel = clock.setTimer(finish, delayMs);
    signal?.addEventListener('abort', finish, { once: true });
  });
}

/** A time as Kubernetes writes metav1.Time: RFC 3339 in UTC, to the second (`2026-11-22T10:00:00Z`). */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}
