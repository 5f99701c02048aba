import { afterEach, describe, expect, it } from 'vitest';
import { InformerFactory } from '../client/informer-factory.js';
import { refFor } from '../client/refs.js';
import { FakeClock } from '../client/testing/fake-clock.js';
import { MemoryClient } from '../client/testing/memory-client.js';
import { RecordingClient } from '../client/testing/recording-client.js';
import type { ControllerContext } from './framework.js';
import { PodGcController } from './podgc.js';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const stamp = (instant: number) => `${new Date(instant).toISOString().slice(0, 19)}Z`;
const podsRef = refFor('Pod', 'default');

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function setup(
  pods: { name: string; phase: string; node?: string; age?: number; deleting?: boolean; reason?: string }[],
  threshold = 2,
) {
  const clock = new FakeClock(NOW);
  const memory = new MemoryClient({ clock });
  await memory.create(refFor('Node'), { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' } });
  for (const pod of pods) {
    await memory.create(podsRef, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: pod.name,
        namespace: 'default',
        ...(pod.deleting ? { deletionTimestamp: stamp(NOW) } : {}),
      },
      spec: pod.node ? { nodeName: pod.node } : {},
      status: { phase: pod.phase, ...(pod.reason ? { reason: pod.reason } : {}) },
    });
    // The memory client stamps creation with its clock: space the pods out.
    await clock.advance(pod.age ?? 1_000);
  }
  const client = new RecordingClient(memory);
  const informers = new InformerFactory({ client: memory, clock });
  const context: ControllerContext = { client, informers, clock, onError: () => {} };
  const controller = new PodGcController({
    context,
    terminatedPodGcThreshold: threshold,
    quarantineMs: 40_000,
  });
  informers.start();
  await informers.waitForSync();
  stops.push(() => informers.stop());
  return { clock, memory, client, controller };
}

describe('the pod garbage collector', () => {
  it('deletes finished pods beyond the threshold, evicted first, then oldest first, forcibly', async () => {
    const cluster = await setup([
      { name: 'a', phase: 'Succeeded', node: 'node-1' },
      { name: 'b', phase: 'Failed', node: 'node-1' },
      { name: 'c', phase: 'Succeeded', node: 'node-1' },
      { name: 'd', phase: 'Failed', node: 'node-1', reason: 'Evicted' },
      { name: 'e', phase: 'Running', node: 'node-1' },
    ]);
    expect(await cluster.controller.reconcile()).toBeUndefined();
    expect(cluster.client.writes).toEqual([
      { summary: 'delete pods/d -n default', body: { gracePeriodSeconds: 0 } },
      { summary: 'delete pods/a -n default', body: { gracePeriodSeconds: 0 } },
    ]);
  });

  it('collects the pods of a node gone from the cache after the quarantine, once the API says 404', async () => {
    const cluster = await setup([{ name: 'orphan', phase: 'Running', node: 'node-9' }], 0);
    expect(await cluster.controller.reconcile()).toEqual({ requeueAfterMs: 40_000 });
    expect(cluster.client.writes).toEqual([]);
    await cluster.clock.advance(40_000);
    expect(await cluster.controller.reconcile()).toBeUndefined();
    expect(cluster.client.writes).toEqual([
      {
        summary: 'patch pods/orphan/status -n default',
        body: {
          metadata: { uid: expect.any(String) },
          status: {
            phase: 'Failed',
            conditions: [
              {
                type: 'DisruptionTarget',
                status: 'True',
                reason: 'DeletionByPodGC',
                message: 'PodGC: node no longer exists',
                lastProbeTime: null,
                lastTransitionTime: stamp(NOW + 41_000),
              },
            ],
          },
        },
      },
      { summary: 'delete pods/orphan -n default', body: { gracePeriodSeconds: 0 } },
    ]);
  });

  it('spares the pods of a node the API still has, and starts its quarantine over', async () => {
    const cluster = await setup([{ name: 'stray', phase: 'Running', node: 'node-9' }], 0);
    await cluster.controller.reconcile();
    // The API has node-9; the cache has not seen it (a slow watch).
    const get = cluster.client.get.bind(cluster.client);
    cluster.client.get = (async (ref: Parameters<typeof get>[0], name: string) =>
      ref.resource === 'nodes' && name === 'node-9' ? { metadata: { name } } : get(ref, name)) as typeof get;
    await cluster.clock.advance(40_000);
    expect(await cluster.controller.reconcile()).toBeUndefined();
    expect(cluster.client.writes).toEqual([]);
    expect(await cluster.controller.reconcile()).toEqual({ requeueAfterMs: 40_000 });
  });

  it('force-deletes unscheduled pods that are being deleted, marking them Failed', async () => {
    const cluster = await setup([{ name: 'pending', phase: 'Pending', deleting: true }], 0);
    await cluster.controller.reconcile();
    expect(cluster.client.writes).toEqual([
      {
        summary: 'patch pods/pending/status -n default',
        body: { metadata: { uid: expect.any(String) }, status: { phase: 'Failed' } },
      },
      { summary: 'delete pods/pending -n default', body: { gracePeriodSeconds: 0 } },
    ]);
  });
});
