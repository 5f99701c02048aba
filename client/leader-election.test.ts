import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/resource.js';
import { startSkiff, type TestSkiff } from '../conformance/harness.js';
import { isClientError } from './errors.js';
import { HttpClient } from './http-client.js';
import { LeaderElector, type LeaderElectorOptions, type Lease, leaseRef } from './leader-election.js';
import { FakeClock, settle } from './testing/fake-clock.js';
import { MemoryClient } from './testing/memory-client.js';
import type { GetOptions, KubeClient, ResourceRef, UpdateOptions } from './types.js';

type LeaseClient = Pick<KubeClient, 'get' | 'create' | 'update'>;

/**
 * A client that can be cut off from the API (every request fails, as in a network partition) and
 * notes when its elector last renewed successfully.
 */
class PartitionableClient implements LeaseClient {
  partitioned = false;
  lastRenewAt: number | undefined;

  constructor(
    readonly inner: LeaseClient,
    readonly identity: string,
    readonly now: () => number,
  ) {}

  #check(): void {
    if (this.partitioned) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  }

  async get<T extends KubeObject>(ref: ResourceRef, name: string, options?: GetOptions): Promise<T> {
    this.#check();
    return this.inner.get<T>(ref, name, options);
  }

  async create<T extends KubeObject>(ref: ResourceRef, object: T): Promise<T> {
    this.#check();
    const created = await this.inner.create<T>(ref, object);
    this.lastRenewAt = this.now();
    return created;
  }

  async update<T extends KubeObject>(ref: ResourceRef, object: T, options?: UpdateOptions): Promise<T> {
    this.#check();
    const updated = await this.inner.update<T>(ref, object, options);
    if ((updated as Lease).spec?.holderIdentity === this.identity) this.lastRenewAt = this.now();
    return updated;
  }
}

interface Candidate {
  readonly elector: LeaderElector;
  readonly client: PartitionableClient;
  /** `started@t` and `stopped@t`, on the candidate's clock. */
  readonly history: string[];
  startedAt?: number;
  stoppedAt?: number;
}

function candidate(
  identity: string,
  inner: LeaseClient,
  now: () => number,
  options: Partial<LeaderElectorOptions> = {},
): Candidate {
  const client = new PartitionableClient(inner, identity, now);
  const history: string[] = [];
  const result: Candidate = {
    client,
    history,
    elector: new LeaderElector({
      client,
      lease: { namespace: 'kube-system', name: 'controller-manager' },
      identity,
      random: () => 0,
      onStartedLeading: () => {
        result.startedAt = now();
        history.push(`started@${now()}`);
      },
      onStoppedLeading: () => {
        result.stoppedAt = now();
        history.push(`stopped@${now()}`);
      },
      ...options,
    }),
  };
  return result;
}

const readLease = (client: LeaseClient) => client.get<Lease>(leaseRef('kube-system'), 'controller-manager');

describe('leader election with a fake clock', () => {
  it('a lone candidate creates the missing Lease and leads, with the defaults of kube-controller-manager', async () => {
    const clock = new FakeClock();
    const api = new MemoryClient({ clock });
    const a = candidate('a', api, () => clock.now(), { clock });
    a.elector.start();
    await settle();
    expect(a.elector.isLeader()).toBe(true);
    const lease = await readLease(api);
    expect(lease.spec).toEqual({
      holderIdentity: 'a',
      leaseDurationSeconds: 15,
      acquireTime: '2025-01-01T00:00:00.000000Z',
      renewTime: '2025-01-01T00:00:00.000000Z',
      leaseTransitions: 0,
    });
    await a.elector.stop();
  });

  it('the leader renews every retry period, keeping its acquireTime', async () => {
    const clock = new FakeClock();
    const api = new MemoryClient({ clock });
    const a = candidate('a', api, () => clock.now(), { clock });
    a.elector.start();
    await settle();
    await clock.advance(2000);
    expect((await readLease(api)).spec).toMatchObject({
      acquireTime: '2025-01-01T00:00:00.000000Z',
      renewTime: '2025-01-01T00:00:02.000000Z',
    });
    await clock.advance(2000);
    expect((await readLease(api)).spec?.renewTime).toBe('2025-01-01T00:00:04.000000Z');
    await a.elector.stop();
  });

  it('of two candidates starting together exactly one leads, and the other waits while the lease is renewed', async () => {
    const clock = new FakeClock();
    const api = new MemoryClient({ clock });
    const a = candidate('a', api, () => clock.now(), { clock, onError: () => {} });
    const b = candidate('b', api, () => clock.now(), { clock, onError: () => {} });
    a.elector.start();
    b.elector.start();
    await settle();
    for (let second = 0; second < 60; second++) {
      expect([a.elector.isLeader(), b.elector.isLeader()].filter(Boolean)).toHaveLength(1);
      await clock.advance(1000);
    }
    expect(b.elector.leader).toBe(a.elector.isLeader() ? 'a' : 'b');
    await Promise.all([a.elector.stop(), b.elector.stop()]);
  });

  it('a leader cut off from the API stops leading after the renew deadline; a candidate takes over a lease duration after the last renewal', async () => {
    const clock = new FakeClock();
    const api = new MemoryClient({ clock });
    const now = () => clock.now();
    const a = candidate('a', api, now, { clock, onError: () => {} });
    a.elector.start();
    await settle();
    const b = candidate('b', api, now, { clock, onError: () => {} });
    b.elector.start();
    await clock.advance(5000);
    a.client.partitioned = true;
    const lastRenewal = a.client.lastRenewAt!;
    while (b.startedAt === undefined) await clock.advance(100);

    expect(a.stoppedAt! - lastRenewal).toBe(12_000); // one retry period, then the 10 s renew deadline
    expect(a.stoppedAt!).toBeLessThan(b.startedAt);
    expect(b.startedAt - lastRenewal).toBeGreaterThanOrEqual(15_000);
    expect(b.startedAt - lastRenewal).toBeLessThanOrEqual(17_000);
    expect((await readLease(api)).spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    await Promise.all([a.elector.stop(), b.elector.stop()]);
  });

  it("a deposed leader's signal aborts, and onStoppedLeading waits for the work it started to end", async () => {
    const clock = new FakeClock();
    const api = new MemoryClient({ clock });
    const order: string[] = [];
    let signal: AbortSignal | undefined;
    const a = candidate('a', api, () => clock.now(), {
      clock,
      onError: () => {},
      onStartedLeading: async (leading) => {
        signal = leading;
        await new Promise((resolve) => leading.addEventListener('abort', resolve));
        await settle(1);
        order.push('work ended');
      },
      onStoppedLeading: () => order.push('stopped leading'),
    });
    a.elector.start();
    await settle();
    expect(signal?.aborted).toBe(false);
    a.client.partitioned = true;
    await clock.advance(12_000);
    expect(signal?.aborted).toBe(true);
    expect(order).toEqual(['work ended', 'stopped leading']);
    // It competes again, and leads again once the API is back.
    a.client.partitioned = false;
    await clock.advance(2000);
    expect(a.elector.isLeader()).toBe(true);
    await a.elector.stop();
  });

  it('stop releases the lease, so another candidate leads within a retry period', async () => {
    const clock = new FakeClock();
    const api = new MemoryClient({ clock });
    const a = candidate('a', api, () => clock.now(), { clock });
    const b = candidate('b', api, () => clock.now(), { clock });
    a.elector.start();
    await settle();
    b.elector.start();
    await clock.advance(4000);
    await a.elector.stop();
    expect(a.history).toEqual(['started@1735689600000', 'stopped@1735689604000']);
    expect((await readLease(api)).spec?.holderIdentity).toBe('');
    await clock.advance(2000);
    expect(b.elector.isLeader()).toBe(true);
    expect((await readLease(api)).spec?.leaseTransitions).toBe(1);
    await b.elector.stop();
  });

  it.each([
    [{ leaseDurationMs: 10_000, renewDeadlineMs: 10_000 }, 'leaseDurationMs'],
    [{ renewDeadlineMs: 2_000, retryPeriodMs: 2_000 }, 'retryPeriodMs'],
  ])('refuses durations that would let two leaders overlap: %o', (durations, named) => {
    expect(() => candidate('a', new MemoryClient(), Date.now, durations)).toThrow(named);
    try {
      candidate('a', new MemoryClient(), Date.now, durations);
    } catch (error) {
      expect(isClientError(error, 'SKIFF_ERR_INVALID_ARGUMENT')).toBe(true);
    }
  });
});

describe('leader election on a running Skiff', () => {
  let skiff: TestSkiff;
  let api: HttpClient;
  // Short durations so the takeover happens within the test; their ratios are the defaults'.
  const durations = { leaseDurationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 200 };

  beforeAll(async () => {
    skiff = await startSkiff();
    api = HttpClient.fromKubeconfig({ path: skiff.kubeconfig });
  });

  afterAll(async () => {
    await api?.close();
    await skiff?.stop();
  });

  it('two electors on one Lease: exactly one leads, and the other takes over within the lease duration once the leader stops renewing', async () => {
    const a = candidate('manager-a', api, Date.now, { ...durations, onError: () => {} });
    const b = candidate('manager-b', api, Date.now, { ...durations, onError: () => {} });
    a.elector.start();
    b.elector.start();
    try {
      await expect.poll(() => a.elector.isLeader() || b.elector.isLeader()).toBe(true);
      // For a while (several renewals) exactly one leads.
      const deadline = Date.now() + 1000;
      while (Date.now() < deadline) {
        expect([a.elector.isLeader(), b.elector.isLeader()].filter(Boolean)).toHaveLength(1);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const [leader, follower] = a.elector.isLeader() ? [a, b] : [b, a];
      const lease = await readLease(api);
      expect(lease.spec?.holderIdentity).toBe(leader.elector.identity);
      expect(follower.elector.leader).toBe(leader.elector.identity);

      leader.client.partitioned = true;
      const lastRenewal = leader.client.lastRenewAt!;
      await expect.poll(() => follower.elector.isLeader(), { timeout: 5000, interval: 10 }).toBe(true);
      const takeover = follower.startedAt! - lastRenewal;
      expect(leader.stoppedAt).toBeDefined();
      expect(leader.stoppedAt!).toBeLessThanOrEqual(follower.startedAt!);
      // Not before the lease duration has passed (less the time a request takes: the follower notes a
      // change when its read returns, the leader when its write does); at most one jittered retry
      // period after it (plus slack for a loaded machine).
      expect(takeover).toBeGreaterThanOrEqual(durations.leaseDurationMs - 50);
      expect(takeover).toBeLessThanOrEqual(durations.leaseDurationMs + 2.2 * durations.retryPeriodMs + 500);
      const taken = await readLease(api);
      expect(taken.spec).toMatchObject({
        holderIdentity: follower.elector.identity,
        leaseTransitions: (lease.spec?.leaseTransitions ?? 0) + 1,
      });
      expect(Date.parse(taken.spec!.acquireTime!)).toBeGreaterThan(Date.parse(lease.spec!.acquireTime!));
    } finally {
      await Promise.all([a.elector.stop(), b.elector.stop()]);
    }
  });

  it('a leader that stops hands over at once: it releases the Lease', async () => {
    const a = candidate('release-a', api, Date.now, {
      ...durations,
      lease: { namespace: 'kube-system', name: 'handover' },
    });
    const b = candidate('release-b', api, Date.now, {
      ...durations,
      lease: { namespace: 'kube-system', name: 'handover' },
    });
    a.elector.start();
    await expect.poll(() => a.elector.isLeader()).toBe(true);
    b.elector.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stoppedAt = Date.now();
    await a.elector.stop();
    try {
      await expect.poll(() => b.elector.isLeader(), { timeout: 2000, interval: 10 }).toBe(true);
      expect(b.startedAt! - stoppedAt).toBeLessThan(durations.leaseDurationMs);
    } finally {
      await b.elector.stop();
    }
  });
});
