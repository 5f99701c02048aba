/**
 * The kubelet's crash-loop back-off: a container that exits waits 10 s before its first restart, then
 * twice as long after each further one, at most 5 minutes; after 10 minutes without a restart it starts
 * again from 10 s.
 */
export class Backoff {
  private readonly entries = new Map<string, { delayMs: number; lastRestart: number }>();

  constructor(
    private readonly initialMs = 10_000,
    private readonly maxMs = 300_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** How long `key` must still wait, counted from when it last finished; 0 when it may restart now. */
  remaining(key: string, finishedAt: number): number {
    const entry = this.fresh(key);
    if (!entry) return 0;
    return Math.max(0, finishedAt + entry.delayMs - this.now());
  }

  /** The current delay, as reported in the CrashLoopBackOff message. */
  delay(key: string): number {
    return this.fresh(key)?.delayMs ?? this.initialMs;
  }

  /** Records a restart: the next one waits longer. */
  restarted(key: string): void {
    const entry = this.fresh(key);
    this.entries.set(key, {
      delayMs: entry ? Math.min(entry.delayMs * 2, this.maxMs) : this.initialMs,
      lastRestart: this.now(),
    });
  }

  /** Forgets every key starting with `prefix` (a pod's containers, when the pod goes). */
  forget(prefix: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  private fresh(key: string) {
    const entry = this.entries.get(key);
    if (entry && this.now() - entry.lastRestart > 2 * this.maxMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }
}
