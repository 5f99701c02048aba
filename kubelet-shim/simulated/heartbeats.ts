/**
 * One timer for every simulated node's Lease and status, so a thousand nodes cost one timer, not two
 * thousand. Nodes are dealt into as many slots as there are ticks in a renew interval; each tick serves
 * one slot, a bounded number of nodes at a time, so the writes spread evenly over the interval:
 *
 *   renewIntervalMs 10,000, tickMs 1,000 → 10 slots; node i is served at ticks i mod 10, i mod 10 + 10, …
 *   1,000 nodes → 100 lease renewals each second, never 1,000 at once.
 *
 * A node still busy from its last turn (a slow write) skips a turn rather than queueing a second one.
 * Status is synced on the node's turn once `statusUpdateFrequencyMs` has passed since its last sync
 * (the reporter itself decides whether anything is posted).
 */
import type { Clock } from '../../client/clock.js';
import type { NodeStatusReporter } from '../node-status.js';

export interface HeartbeatsOptions {
  readonly clock: Clock;
  readonly renewIntervalMs: number;
  readonly statusUpdateFrequencyMs: number;
  /** Default: a tenth of the renew interval. */
  readonly tickMs?: number;
  /** Writes in flight at once; default 32. */
  readonly concurrency?: number;
  readonly onError: (error: unknown) => void;
}

interface Member {
  readonly reporter: NodeStatusReporter;
  busy: boolean;
  /** A paused node neither renews its Lease nor posts status: to the control plane it has died. */
  paused: boolean;
  lastStatusSyncMs: number;
}

export class Heartbeats {
  readonly #options: HeartbeatsOptions;
  readonly #tickMs: number;
  readonly #slots: Member[][];
  readonly #members = new Map<string, Member>();
  readonly #running = new Set<Promise<void>>();
  #tick = 0;
  #cancel: (() => void) | undefined;
  #stopped = false;

  constructor(options: HeartbeatsOptions) {
    this.#options = options;
    this.#tickMs = options.tickMs ?? Math.max(1, Math.floor(options.renewIntervalMs / 10));
    const slots = Math.max(1, Math.round(options.renewIntervalMs / this.#tickMs));
    this.#slots = Array.from({ length: slots }, () => []);
  }

  /** Adds a registered node; its status counts as just synced. */
  add(reporter: NodeStatusReporter): void {
    const member: Member = {
      reporter,
      busy: false,
      paused: false,
      lastStatusSyncMs: this.#options.clock.now(),
    };
    this.#slots[this.#members.size % this.#slots.length]!.push(member);
    this.#members.set(reporter.nodeName, member);
  }

  start(): void {
    if (this.#cancel || this.#stopped) return;
    this.#schedule();
  }

  /** Syncs one node's status now (its readiness changed, say), outside its turn. */
  async syncNow(nodeName: string): Promise<void> {
    const member = this.#members.get(nodeName);
    if (!member) return;
    member.lastStatusSyncMs = this.#options.clock.now();
    await member.reporter.syncStatus();
  }

  /** Stops (`paused` true) or resumes one node's heartbeats. */
  setPaused(nodeName: string, paused: boolean): void {
    const member = this.#members.get(nodeName);
    if (member) member.paused = paused;
  }

  /** Cancels the timer and waits for the writes in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#cancel?.();
    await Promise.allSettled([...this.#running]);
  }

  #schedule(): void {
    this.#cancel = this.#options.clock.setTimer(() => {
      if (this.#stopped) return;
      const slot = this.#slots[this.#tick++ % this.#slots.length]!;
      const turn = this.#serve(slot.filter((member) => !member.busy && !member.paused));
      this.#running.add(turn);
      void turn.finally(() => this.#running.delete(turn));
      this.#schedule();
    }, this.#tickMs);
  }

  async #serve(members: Member[]): Promise<void> {
    for (const member of members) member.busy = true;
    let next = 0;
    const worker = async () => {
      while (next < members.length && !this.#stopped) {
        const member = members[next++]!;
        try {
          await member.reporter.renewLease();
          const now = this.#options.clock.now();
          if (now - member.lastStatusSyncMs >= this.#options.statusUpdateFrequencyMs) {
            member.lastStatusSyncMs = now;
            await member.reporter.syncStatus();
          }
        } catch (error) {
          this.#options.onError(error);
        } finally {
          member.busy = false;
        }
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(members.length, this.#options.concurrency ?? 32) }, worker),
    );
    // Members left unserved because we stopped are no longer busy either.
    for (const member of members) member.busy = false;
  }
}
