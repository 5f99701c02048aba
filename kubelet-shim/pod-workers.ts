/**
 * One worker per pod, as upstream's pod workers: syncs of the same pod never overlap, a sync asked for
 * while one runs happens once right after it (however many were asked for), and a sync may ask to be
 * run again later (a back-off ending). Different pods sync in parallel.
 */
export class PodWorkers {
  private readonly workers = new Map<string, { running: boolean; again: boolean; timer?: NodeJS.Timeout }>();
  private stopped = false;

  constructor(
    private readonly syncOne: (uid: string) => Promise<{ retryAfterMs?: number } | undefined>,
    private readonly onError: (uid: string, error: unknown) => void,
    /** After a failed sync, the next try waits this long. */
    private readonly errorRetryMs = 2_000,
  ) {}

  /** Syncs the pod now, or right after the sync under way. */
  enqueue(uid: string): void {
    if (this.stopped) return;
    let worker = this.workers.get(uid);
    if (!worker) {
      worker = { running: false, again: false };
      this.workers.set(uid, worker);
    }
    clearTimeout(worker.timer);
    worker.timer = undefined;
    if (worker.running) {
      worker.again = true;
      return;
    }
    void this.run(uid, worker);
  }

  /** Forgets the pod's pending retry (it is gone). */
  forget(uid: string): void {
    const worker = this.workers.get(uid);
    if (!worker) return;
    clearTimeout(worker.timer);
    if (!worker.running) this.workers.delete(uid);
  }

  /** Resolves once no sync runs; none start after. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const worker of this.workers.values()) clearTimeout(worker.timer);
    while ([...this.workers.values()].some((worker) => worker.running)) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private async run(
    uid: string,
    worker: { running: boolean; again: boolean; timer?: NodeJS.Timeout },
  ): Promise<void> {
    worker.running = true;
    let retryAfterMs: number | undefined;
    do {
      worker.again = false;
      try {
        retryAfterMs = (await this.syncOne(uid))?.retryAfterMs;
      } catch (error) {
        this.onError(uid, error);
        retryAfterMs = this.errorRetryMs;
      }
    } while (worker.again && !this.stopped);
    worker.running = false;
    if (this.stopped) return;
    if (retryAfterMs !== undefined) {
      worker.timer = setTimeout(() => this.enqueue(uid), retryAfterMs);
      worker.timer.unref();
    }
  }
}
