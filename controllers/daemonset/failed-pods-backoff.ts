/**
 * The backoff between deleting a node's failed daemon pods (client-go's flowcontrol.Backoff, as
 * kube-controller-manager makes it for DaemonSets: 1 s, doubling, at most 15 min). A kubelet that
 * keeps rejecting a daemon pod would otherwise have the controller delete and recreate it in a hot loop.
 *
 *   t=0    failed pod → not in backoff: next() (1 s), delete it
 *   t=0.4  its replacement failed → in backoff: look again in 1 s
 *   t=1.2  not in backoff any more: next() (2 s), delete it … then 4 s, 8 s, … 15 min
 *
 * An entry untouched for twice the maximum starts over at the initial delay, and is then forgotten.
 */
interface Entry {
  backoffMs: number;
  lastUpdate: number;
}

export class FailedPodsBackoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #entries = new Map<string, Entry>();

  constructor(options: { initialMs?: number; maxMs?: number } = {}) {
    this.#initialMs = options.initialMs ?? 1000;
    this.#maxMs = options.maxMs ?? 15 * 60_000;
  }

  /** The current delay for `key` (0 when it has none). */
  get(key: string): number {
    return this.#entries.get(key)?.backoffMs ?? 0;
  }

  /** Whether less than the current delay has passed since the last `next(key)`. */
  isInBackOffSinceUpdate(key: string, now: number): boolean {
    const entry = this.#entries.get(key);
    return entry !== undefined && now - entry.lastUpdate < entry.backoffMs;
  }

  /** Starts or doubles the delay for `key`. */
  next(key: string, now: number): void {
    this.#collect(now);
    const entry = this.#entries.get(key);
    if (!entry || this.#expired(entry, now)) {
      this.#entries.set(key, { backoffMs: this.#initialMs, lastUpdate: now });
      return;
    }
    entry.backoffMs = Math.min(entry.backoffMs * 2, this.#maxMs);
    entry.lastUpdate = now;
  }

  #expired(entry: Entry, now: number): boolean {
    return now - entry.lastUpdate > 2 * this.#maxMs;
  }

  /** Upstream collects garbage once a minute; here whenever an entry is set, which bounds the map as well. */
  #collect(now: number): void {
    for (const [key, entry] of this.#entries) if (this.#expired(entry, now)) this.#entries.delete(key);
  }
}
