import type { Store } from './types.js';

export interface CompactorOptions {
  readonly store: Pick<Store, 'currentRevision' | 'compactRevision' | 'compact'>;
  /** Keep at least this many revisions of history. */
  readonly retainRevisions?: number;
  /** Keep at least this much time of history. */
  readonly retainMs?: number;
  /** How often to look. */
  readonly intervalMs?: number;
  readonly now?: () => number;
  readonly onError?: (error: unknown) => void;
}

/**
 * Automatic compaction: keeps 5 minutes or 10,000 revisions of history, whichever is more, and forgets
 * the rest. Works on any backend (for etcd it issues etcd's own Compact).
 *
 * The time rule needs "the revision as of five minutes ago", so each tick samples the current revision.
 * Example with the defaults: at 12:00 the revision was 40,000; at 12:05 it is 43,000. Ten thousand
 * revisions back is 33,000, five minutes back is 40,000; the smaller wins, so history after 33,000 stays.
 */
export class Compactor {
  readonly #options: Required<Omit<CompactorOptions, 'onError'>> & Pick<CompactorOptions, 'onError'>;
  /** (time, revision) samples, oldest first; only the ones that may still decide the time rule are kept. */
  #samples: { at: number; revision: number }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(options: CompactorOptions) {
    this.#options = {
      retainRevisions: 10_000,
      retainMs: 5 * 60_000,
      intervalMs: 30_000,
      now: Date.now,
      ...options,
    };
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.tick(), this.#options.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** One look: sample, then compact as far as both rules allow. Returns the revision compacted to, if any. */
  async tick(): Promise<number | undefined> {
    if (this.#running) return undefined;
    let compactedTo: number | undefined;
    this.#running = (async () => {
      const { store, retainRevisions, retainMs, now } = this.#options;
      const at = now();
      const revision = await store.currentRevision();
      this.#samples.push({ at, revision });
      // The newest sample at least retainMs old is "the revision as of retainMs ago"; older ones are useless.
      const cutoff = at - retainMs;
      let aged = -1;
      for (let i = 0; i < this.#samples.length && this.#samples[i]!.at <= cutoff; i++) aged = i;
      if (aged < 0) return;
      this.#samples = this.#samples.slice(aged);
      const target = Math.min(revision - retainRevisions, this.#samples[0]!.revision);
      if (target <= (await store.compactRevision())) return;
      await store.compact(target);
      compactedTo = target;
    })().catch((error: unknown) => this.#options.onError?.(error));
    try {
      await this.#running;
    } finally {
      this.#running = undefined;
    }
    return compactedTo;
  }
}
