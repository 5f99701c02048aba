import { afterEach, describe, expect, it } from 'vitest';
import { InformerFactory } from '../client/informer-factory.js';
import { refFor } from '../client/refs.js';
import { FakeClock } from '../client/testing/fake-clock.js';
import { MemoryClient } from '../client/testing/memory-client.js';
import { RecordingClient } from '../client/testing/recording-client.js';
import type { ControllerContext } from './framework.js';
import type { Job } from './job/types.js';
import { TtlAfterFinishedController } from './ttl-after-finished.js';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const stamp = (instant: number) => `${new Date(instant).toISOString().slice(0, 19)}Z`;
const jobsRef = refFor({ apiVersion: 'batch/v1', kind: 'Job' }, 'default');

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/**
 * The controller reads its cache from `cacheSource` and writes (and reads afresh) through `memory`:
 * the same Job in both, so a test can change the API's copy behind the cache's back.
 */
async function setup(job: Partial<Job>) {
  const clock = new FakeClock(NOW);
  const memory = new MemoryClient({ clock });
  const cacheSource = new MemoryClient({ clock });
  for (const store of [memory, cacheSource]) {
    await store.create<Job>(jobsRef, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'pi', namespace: 'default' },
      ...job,
    });
  }
  const client = new RecordingClient(memory, clock);
  const informers = new InformerFactory({ client: cacheSource, clock });
  const context: ControllerContext = { client, informers, clock, onError: () => {} };
  const controller = new TtlAfterFinishedController({ context });
  informers.start();
  await informers.waitForSync();
  stops.push(() => informers.stop());
  return { clock, memory, client, controller };
}

const finished = (type: 'Complete' | 'Failed', at: number) => ({
  conditions: [{ type, status: 'True', lastTransitionTime: stamp(at) }],
});

describe('the TTL-after-finished controller', () => {
  it('waits until ttlSecondsAfterFinished after the finish, then deletes the Job in the foreground', async () => {
    const cluster = await setup({
      spec: { ttlSecondsAfterFinished: 100 },
      status: finished('Complete', NOW - 40_000),
    });
    // Enqueued by the informer's add.
    expect(cluster.controller.queue.length).toBe(1);

    expect(await cluster.controller.reconcile('default/pi')).toEqual({ requeueAfterMs: 60_000 });
    expect(cluster.client.writes).toEqual([]);

    const uid = (await cluster.memory.list(jobsRef)).items[0]?.metadata?.uid;
    await cluster.clock.advance(60_000);
    expect(await cluster.controller.reconcile('default/pi')).toBeUndefined();
    expect(cluster.client.writes).toEqual([
      {
        summary: 'delete jobs.batch/pi -n default',
        body: { propagationPolicy: 'Foreground', preconditions: { uid } },
      },
    ]);
  });

  it('counts from a Failed condition too', async () => {
    const cluster = await setup({ spec: { ttlSecondsAfterFinished: 0 }, status: finished('Failed', NOW) });
    await cluster.controller.reconcile('default/pi');
    expect(cluster.client.writes.map((write) => write.summary)).toEqual(['delete jobs.batch/pi -n default']);
  });

  it('trusts the API over the cache: a TTL raised meanwhile defers the deletion', async () => {
    const cluster = await setup({
      spec: { ttlSecondsAfterFinished: 10 },
      status: finished('Complete', NOW - 20_000),
    });
    const job = (await cluster.memory.list<Job>(jobsRef)).items[0]!;
    // The API's copy only: the cache still says 10 s.
    await cluster.memory.update(jobsRef, { ...job, spec: { ttlSecondsAfterFinished: 50 } });

    expect(await cluster.controller.reconcile('default/pi')).toEqual({ requeueAfterMs: 30_000 });
    expect(cluster.client.writes).toEqual([]);
  });

  it('leaves unfinished Jobs and Jobs without a TTL alone', async () => {
    const running = await setup({ spec: { ttlSecondsAfterFinished: 0 }, status: {} });
    expect(running.controller.queue.length).toBe(0);
    expect(await running.controller.reconcile('default/pi')).toBeUndefined();
    const kept = await setup({ spec: {}, status: finished('Complete', NOW - 1000) });
    expect(await kept.controller.reconcile('default/pi')).toBeUndefined();
    expect([...running.client.writes, ...kept.client.writes]).toEqual([]);
  });
});
