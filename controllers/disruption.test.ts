import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/resource.js';
import { InformerFactory } from '../client/informer-factory.js';
import { refFor } from '../client/refs.js';
import { FakeClock } from '../client/testing/fake-clock.js';
import { MemoryClient } from '../client/testing/memory-client.js';
import { RecordingClient } from '../client/testing/recording-client.js';
import { DisruptionController } from './disruption.js';
import type { ControllerContext } from './framework.js';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const stamp = (instant: number) => `${new Date(instant).toISOString().slice(0, 19)}Z`;
const pdbRef = refFor({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' }, 'default');

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** A Deployment of `replicas` through its ReplicaSet, `ready` of its pods ready, and one budget. */
async function setup(
  spec: Record<string, unknown>,
  options: {
    replicas?: number;
    ready?: number;
    pods?: number;
    orphans?: number;
    disruptedPods?: Record<string, string>;
  } = {},
) {
  const clock = new FakeClock(NOW);
  const memory = new MemoryClient({ clock });
  const deployment = await memory.create<KubeObject>(refFor('Deployment', 'default'), {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: { replicas: options.replicas ?? 3 },
  });
  const set = await memory.create<KubeObject>(refFor('ReplicaSet', 'default'), {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: 'web-1',
      namespace: 'default',
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: 'web',
          uid: deployment.metadata!.uid!,
          controller: true,
        },
      ],
    },
    spec: { replicas: 3 },
  });
  const pods = options.pods ?? 3;
  for (let index = 0; index < pods + (options.orphans ?? 0); index++) {
    const managed = index < pods;
    await memory.create(refFor('Pod', 'default'), {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `web-${index}`,
        namespace: 'default',
        labels: { app: 'web' },
        ...(managed
          ? {
              ownerReferences: [
                {
                  apiVersion: 'apps/v1',
                  kind: 'ReplicaSet',
                  name: 'web-1',
                  uid: set.metadata!.uid!,
                  controller: true,
                },
              ],
            }
          : {}),
      },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: index < (options.ready ?? pods) ? 'True' : 'False' }],
      },
    });
  }
  await memory.create(pdbRef, {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'web', namespace: 'default', generation: 1 },
    spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
    ...(options.disruptedPods ? { status: { disruptedPods: options.disruptedPods } } : {}),
  });
  const client = new RecordingClient(memory);
  const informers = new InformerFactory({ client: memory, clock });
  const context: ControllerContext = { client, informers, clock, onError: () => {} };
  const controller = new DisruptionController({ context });
  informers.start();
  await informers.waitForSync();
  stops.push(() => informers.stop());
  const statuses = () =>
    client.writes
      .filter((write) => write.summary === 'update poddisruptionbudgets.policy/web/status -n default')
      .map((write) => (write.body as { status: unknown }).status);
  return { clock, memory, client, controller, statuses };
}

const allowed = (count: number, generation = 1) => ({
  type: 'DisruptionAllowed',
  status: count > 0 ? 'True' : 'False',
  observedGeneration: generation,
  lastTransitionTime: stamp(NOW),
  reason: count > 0 ? 'SufficientPods' : 'InsufficientPods',
  message: '',
});

describe('the disruption controller', () => {
  it.each([
    ['minAvailable 2', { minAvailable: 2 }, { expectedPods: 3, desiredHealthy: 2, disruptionsAllowed: 1 }],
    [
      'minAvailable 50% of the Deployment’s 4',
      { minAvailable: '50%' },
      { expectedPods: 4, desiredHealthy: 2, disruptionsAllowed: 1 },
    ],
    [
      'maxUnavailable 1 of 4',
      { maxUnavailable: 1 },
      { expectedPods: 4, desiredHealthy: 3, disruptionsAllowed: 0 },
    ],
    [
      'maxUnavailable 50% of 4',
      { maxUnavailable: '50%' },
      { expectedPods: 4, desiredHealthy: 2, disruptionsAllowed: 1 },
    ],
  ])('%s', async (_name, spec, expected) => {
    const cluster = await setup(spec, { replicas: 4 });
    await cluster.controller.reconcile('default/web');
    expect(cluster.statuses()).toEqual([
      {
        observedGeneration: 1,
        disruptionsAllowed: expected.disruptionsAllowed,
        currentHealthy: 3,
        desiredHealthy: expected.desiredHealthy,
        expectedPods: expected.expectedPods,
        conditions: [allowed(expected.disruptionsAllowed)],
      },
    ]);
    // Nothing changed: nothing written.
    const budget = await cluster.memory.get(pdbRef, 'web');
    cluster.client.writes.length = 0;
    await cluster.memory.update(pdbRef, budget);
    await cluster.clock.advance(0);
    await cluster.controller.reconcile('default/web');
    expect(cluster.statuses()).toEqual([]);
  });

  it('does not count unready pods nor pods in disruptedPods, and drops entries older than two minutes', async () => {
    const cluster = await setup(
      { minAvailable: 1 },
      { ready: 2, disruptedPods: { 'web-0': stamp(NOW - 30_000), 'web-1': stamp(NOW - 200_000) } },
    );
    expect(await cluster.controller.reconcile('default/web')).toEqual({ requeueAfterMs: 90_000 });
    expect(cluster.statuses()).toEqual([
      {
        observedGeneration: 1,
        disruptedPods: { 'web-0': stamp(NOW - 30_000) },
        disruptionsAllowed: 0,
        currentHealthy: 1,
        desiredHealthy: 1,
        expectedPods: 3,
        conditions: [allowed(0)],
      },
    ]);
  });

  it('a percentage over a pod with no known controller fails safe: no disruptions, SyncFailed', async () => {
    const cluster = await setup({ minAvailable: '50%' });
    await cluster.memory.delete(refFor('ReplicaSet', 'default'), 'web-1');
    await cluster.clock.advance(0);
    await cluster.controller.reconcile('default/web');
    expect(cluster.statuses()).toEqual([
      {
        disruptionsAllowed: 0,
        currentHealthy: 0,
        desiredHealthy: 0,
        expectedPods: 0,
        conditions: [
          {
            type: 'DisruptionAllowed',
            status: 'False',
            lastTransitionTime: stamp(NOW),
            reason: 'SyncFailed',
            message: 'found no controllers for pod "web-0"',
          },
        ],
      },
    ]);
  });

  it('a budget over unmanaged pods with maxUnavailable expects none and allows nothing', async () => {
    const cluster = await setup({ maxUnavailable: 1 }, { pods: 0, orphans: 2, ready: 2 });
    await cluster.controller.reconcile('default/web');
    expect(cluster.statuses()).toEqual([
      {
        observedGeneration: 1,
        disruptionsAllowed: 0,
        currentHealthy: 2,
        desiredHealthy: 0,
        expectedPods: 0,
        conditions: [allowed(0)],
      },
    ]);
  });
});
