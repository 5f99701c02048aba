/**
 * Leader election on a `coordination.k8s.io/v1` Lease, as client-go's leaderelection package does it,
 * so that of several controller managers exactly one acts at a time.
 *
 * The Lease's spec is the record: holderIdentity, leaseDurationSeconds, acquireTime, renewTime,
 * leaseTransitions. Every write is an update carrying the resourceVersion that was read, so of two
 * candidates writing at once one gets 409 Conflict and stays a follower.
 *
 * A candidate never trusts the timestamps in the record (clocks differ between machines). It notes when
 * *it* last saw the record change, and takes over only once `leaseDurationMs` of its own clock have passed
 * without a change. A leader renews every `retryPeriodMs`; if it cannot renew for `renewDeadlineMs` it
 * stops leading (its signal aborts, `onStoppedLeading` runs) — before any candidate may take over,
 * because renewDeadline < leaseDuration. Then it becomes a candidate again.
 *
 * Timeline with the defaults (lease 15 s, renew deadline 10 s, retry 2 s): A renews at t=0 and then
 * loses the network. At t≈10 s A gives up leading. B last saw the record change at t≈0 (plus up to one
 * retry period), so at t≈15–17 s it takes the lease over.
 *
 * `stop()` releases a held lease (holderIdentity cleared), so a successor need not wait out the duration.
 */
import type { KubeObject } from '../api/resource.js';
import { isStatusError } from '../api/status.js';
import { type Clock, sleep, systemClock } from './clock.js';
import { ClientError } from './errors.js';
import type { KubeClient, ResourceRef } from './types.js';

export const leaseRef = (namespace: string): ResourceRef => ({
  group: 'coordination.k8s.io',
  version: 'v1',
  resource: 'leases',
  namespace,
});

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  /** MicroTime: `2025-01-01T00:00:00.000000Z`. */
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export type Lease = KubeObject & { spec?: LeaseSpec };

export interface LeaderElectorOptions {
  readonly client: Pick<KubeClient, 'get' | 'create' | 'update'>;
  /** The Lease, e.g. kube-system/kube-controller-manager. */
  readonly lease: { readonly namespace: string; readonly name: string };
  /** Unique per candidate: kube-controller-manager uses `hostname_uuid`. */
  readonly identity: string;
  /** How long a candidate waits, from the last change it saw, before taking an unrenewed lease. Default 15 s. */
  readonly leaseDurationMs?: number;
  /** How long a leader keeps trying to renew before it stops leading. Default 10 s. */
  readonly renewDeadlineMs?: number;
  /** How often candidates try to acquire and a leader renews. Default 2 s. */
  readonly retryPeriodMs?: number;
  /**
   * Runs when this candidate becomes leader; `signal` aborts when it stops being leader (lost lease or
   * `stop()`). Whatever it starts must end when the signal aborts: if it returns a promise, the elector
   * waits for it before `onStoppedLeading`, before releasing the lease and before competing again.
   */
  readonly onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  readonly onStoppedLeading?: () => void;
  /** Another (or this) candidate was seen to hold the lease. */
  readonly onNewLeader?: (identity: string) => void;
  /** Failed reads and writes of the Lease (they are retried). Default: ignored. */
  readonly onError?: (error: unknown) => void;
  /** Clear the holder on `stop()`. Default true. */
  readonly releaseOnStop?: boolean;
  readonly clock?: Clock;
  /** For retry jitter; default Math.random. */
  readonly random?: () => number;
}

/** client-go's JitterFactor: waits are retryPeriod × (1 + [0, 1.2)). */
const JITTER_FACTOR = 1.2;

export class LeaderElector {
  readonly #options: Required<Omit<LeaderElectorOptions, 'onStoppedLeading' | 'onNewLeader' | 'onError'>> &
    Pick<LeaderElectorOptions, 'onStoppedLeading' | 'onNewLeader' | 'onError'>;
  readonly #stopping = new AbortController();
  #running: Promise<void> | undefined;
  /** The record as last read or written, when this candidate's clock saw it change, and its version. */
  #observed: { spec: LeaseSpec; at: number; resourceVersion: string | undefined } | undefined;
  /** While leading: the signal given to onStartedLeading, and the promise it returned. */
  #leading: { signal: AbortController; work: Promise<void> } | undefined;
  #reportedLeader: string | undefined;

  constructor(options: LeaderElectorOptions) {
    const filled = {
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      releaseOnStop: true,
      clock: systemClock,
      random: Math.random,
      ...options,
    };
    if (!filled.identity) throw new ClientError('SKIFF_ERR_INVALID_ARGUMENT', 'identity must not be empty');
    if (filled.leaseDurationMs <= filled.renewDeadlineMs) {
      throw new ClientError(
        'SKIFF_ERR_INVALID_ARGUMENT',
        'leaseDurationMs must be greater than renewDeadlineMs',
      );
    }
    if (filled.renewDeadlineMs <= JITTER_FACTOR * filled.retryPeriodMs) {
      throw new ClientError(
        'SKIFF_ERR_INVALID_ARGUMENT',
        `renewDeadlineMs must be greater than retryPeriodMs × ${JITTER_FACTOR}`,
      );
    }
    this.#options = filled;
  }

  get identity(): string {
    return this.#options.identity;
  }

  isLeader(): boolean {
    return this.#leading !== undefined;
  }

  /** The holder this candidate last saw ('' when the lease is free, undefined before the first read). */
  get leader(): string | undefined {
    return this.#observed?.spec.holderIdentity;
  }

  /** Starts competing for the lease, and keeps at it until `stop()`. */
  start(): void {
    if (this.#stopping.signal.aborted)
      throw new ClientError('SKIFF_ERR_SHUT_DOWN', 'the elector has stopped');
    this.#running ??= this.#run();
  }

  /** Stops competing; a leader stops leading (and releases the lease unless told not to). */
  async stop(): Promise<void> {
    this.#stopping.abort();
    await this.#running;
  }

  async #run(): Promise<void> {
    const { clock, retryPeriodMs, renewDeadlineMs } = this.#options;
    const stopping = this.#stopping.signal;
    while (!stopping.aborted) {
      // Candidate: try until the lease is ours.
      while (!stopping.aborted && !(await this.#tryAcquireOrRenew())) {
        await sleep(clock, this.#jittered(retryPeriodMs), stopping);
      }
      if (stopping.aborted) return;
      this.#startLeading();
      // Leader: renew every retry period; give up when a renewal keeps failing for the renew deadline.
      for (;;) {
        await sleep(clock, retryPeriodMs, stopping);
        if (stopping.aborted) break;
        const deadline = clock.now() + renewDeadlineMs;
        let renewed = false;
        while (!stopping.aborted && clock.now() < deadline) {
          if (await this.#tryAcquireOrRenew(deadline)) {
            renewed = true;
            break;
          }
          // Someone else holds it now: we are not leader, whatever the deadline says.
          if (this.#heldByOther()) break;
          await sleep(clock, Math.min(retryPeriodMs, deadline - clock.now()), stopping);
        }
        if (!renewed) break;
      }
      // Stop our work before letting go of the lease, so a successor never overlaps with it.
      await this.#stopLeading();
      if (stopping.aborted && this.#options.releaseOnStop) await this.#release();
    }
  }

  #heldByOther(): boolean {
    const holder = this.#observed?.spec.holderIdentity ?? '';
    return holder !== '' && holder !== this.#options.identity;
  }

  /**
   * One attempt: read the lease (create it if missing); if it is free, ours, or unrenewed for a lease
   * duration, write ourselves in with the resourceVersion we read. True when we hold it afterwards.
   * `deadline` bounds the attempt's requests (a renewal must not hang past the renew deadline).
   */
  async #tryAcquireOrRenew(deadline?: number): Promise<boolean> {
    const { client, lease, identity, clock, leaseDurationMs } = this.#options;
    const controller = new AbortController();
    const abort = () => controller.abort();
    this.#stopping.signal.addEventListener('abort', abort, { once: true });
    const cancelTimer = deadline === undefined ? undefined : clock.setTimer(abort, deadline - clock.now());
    const signal = controller.signal;
    const ref = leaseRef(lease.namespace);
    try {
      let current: Lease;
      try {
        current = await client.get<Lease>(ref, lease.name, { signal });
      } catch (error) {
        if (!isStatusError(error, 'NotFound')) throw error;
        const now = clock.now();
        const created = await client.create<Lease>(
          ref,
          {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name: lease.name, namespace: lease.namespace },
            spec: this.#record(now, undefined),
          },
          { signal },
        );
        this.#observe(created, clock.now());
        return true;
      }
      // Observed when the answer arrived, not when asked: a change made while the read was in flight
      // must not count as older than it is.
      const now = clock.now();
      this.#observe(current, now);
      const holder = current.spec?.holderIdentity ?? '';
      const observedAt = this.#observed!.at;
      if (holder !== '' && holder !== identity && observedAt + leaseDurationMs > now) return false;
      const updated = await client.update<Lease>(
        ref,
        {
          ...current,
          metadata: { ...current.metadata, name: lease.name, namespace: lease.namespace },
          spec: { ...current.spec, ...this.#record(now, current.spec) },
        },
        { signal },
      );
      this.#observe(updated, clock.now());
      return true;
    } catch (error) {
      // Conflict: another candidate wrote first. Anything else: the API is unreachable or slow.
      if (!this.#stopping.signal.aborted) this.#options.onError?.(error);
      return false;
    } finally {
      cancelTimer?.();
      this.#stopping.signal.removeEventListener('abort', abort);
    }
  }

  /** Our record: a renewal keeps acquireTime and transitions; a takeover sets them anew. */
  #record(now: number, previous: LeaseSpec | undefined): LeaseSpec {
    const { identity, leaseDurationMs } = this.#options;
    const renewing = previous?.holderIdentity === identity;
    const time = microTime(now);
    return {
      holderIdentity: identity,
      leaseDurationSeconds: Math.max(1, Math.round(leaseDurationMs / 1000)),
      acquireTime: renewing && previous?.acquireTime ? previous.acquireTime : time,
      renewTime: time,
      // As client-go counts: every change of holder, a takeover of a released lease included.
      leaseTransitions: (previous?.leaseTransitions ?? 0) + (previous !== undefined && !renewing ? 1 : 0),
    };
  }

  /** Notes the record; its observation time moves only when the record changed. */
  #observe(lease: Lease, now: number): void {
    const spec = lease.spec ?? {};
    const previous = this.#observed;
    const changed =
      previous === undefined ||
      previous.spec.holderIdentity !== spec.holderIdentity ||
      previous.spec.renewTime !== spec.renewTime ||
      previous.spec.acquireTime !== spec.acquireTime ||
      previous.spec.leaseTransitions !== spec.leaseTransitions;
    this.#observed = {
      spec,
      at: changed ? now : previous.at,
      resourceVersion: lease.metadata?.resourceVersion,
    };
    const holder = spec.holderIdentity ?? '';
    if (holder !== '' && holder !== this.#reportedLeader) {
      this.#reportedLeader = holder;
      this.#options.onNewLeader?.(holder);
    }
  }

  /** Clears the holder, so a successor need not wait out the lease (client-go's ReleaseOnCancel). */
  async #release(): Promise<void> {
    const { client, lease, clock } = this.#options;
    const ref = leaseRef(lease.namespace);
    try {
      const current = await client.get<Lease>(ref, lease.name);
      if (current.spec?.holderIdentity !== this.#options.identity) return;
      const now = microTime(clock.now());
      await client.update<Lease>(ref, {
        ...current,
        spec: {
          ...current.spec,
          holderIdentity: '',
          leaseDurationSeconds: 1,
          acquireTime: now,
          renewTime: now,
        },
      });
    } catch (error) {
      this.#options.onError?.(error);
    }
  }

  #startLeading(): void {
    const signal = new AbortController();
    let work: Promise<void>;
    try {
      work = Promise.resolve(this.#options.onStartedLeading(signal.signal));
    } catch (error) {
      work = Promise.reject(error);
    }
    this.#leading = {
      signal,
      work: work.catch((error: unknown) => this.#options.onError?.(error)),
    };
  }

  /** Aborts the leader's signal, waits for what `onStartedLeading` returned, then `onStoppedLeading`. */
  async #stopLeading(): Promise<void> {
    const leading = this.#leading;
    if (!leading) return;
    this.#leading = undefined;
    leading.signal.abort();
    await leading.work;
    try {
      this.#options.onStoppedLeading?.();
    } catch (error) {
      this.#options.onError?.(error);
    }
  }

  #jittered(periodMs: number): number {
    return periodMs + this.#options.random() * JITTER_FACTOR * periodMs;
  }
}

/** Kubernetes' MicroTime: RFC 3339 with six fractional digits, `2025-01-01T00:00:00.123000Z`. */
export function microTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}000Z`;
}
