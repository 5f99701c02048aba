import { afterEach, describe, expect, it } from 'vitest';
import { InformerFactory } from '../../client/informer-factory.js';
import { refFor } from '../../client/refs.js';
import { FakeClock } from '../../client/testing/fake-clock.js';
import { MemoryClient } from '../../client/testing/memory-client.js';
import { RecordingClient } from '../../client/testing/recording-client.js';
import type { ControllerContext } from '../framework.js';
import { TaintEvictionController } from './taint-eviction.js';
import type { Toleration } from './taints.js';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const stamp = (instant: number) => `${new Date(instant).toISOString().slice(0, 19)}Z`;

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function setup(tolerations: Toleration[], taintedAt = NOW) {
  // The pod is an hour old when its node is tainted.
  const clock = new FakeClock(NOW - 3_600_000);
  const memory = new MemoryClient({ clock });
  await memory.create(refFor('Pod', 'default'), {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default' },
    spec: { nodeName: 'node-1', tolerations },
    status: { phase: 'Running' },
  });
  await clock.advance(3_600_000);
  await memory.create(refFor('Node'), {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-1' },
    spec: {
      taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: stamp(taintedAt) }],
    },
  });
  const client = new RecordingClient(memory);
  const informers = new InformerFactory({ client: memory, clock });
  const context: ControllerContext = { client, informers, clock, onError: () => {} };
  const controller = new TaintEvictionController({ context });
  informers.start();
  await informers.waitForSync();
  stops.push(() => informers.stop());
  const writes = () => client.writes.filter((write) => !write.summary.startsWith('create events'));
  return { clock, memory, client, controller, writes };
}

const disruptionTarget = (at: number) => ({
  metadata: { uid: expect.any(String) },
  status: {
    conditions: [
      {
        type: 'DisruptionTarget',
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: stamp(at),
        reason: 'DeletionByTaintManager',
        message: 'Taint manager: deleting due to NoExecute taint',
      },
    ],
  },
});

describe('the taint-eviction controller', () => {
  it('deletes a pod that does not tolerate a NoExecute taint at once, DisruptionTarget first', async () => {
    const cluster = await setup([]);
    expect(await cluster.controller.reconcile('default/web')).toBeUndefined();
    expect(cluster.writes()).toEqual([
      { summary: 'patch pods/web/status -n default', body: disruptionTarget(NOW) },
      { summary: 'delete pods/web -n default' },
    ]);
  });

  it('waits tolerationSeconds from the taint’s timeAdded', async () => {
    const toleration = {
      key: 'node.kubernetes.io/unreachable',
      operator: 'Exists',
      effect: 'NoExecute',
      tolerationSeconds: 300,
    };
    const cluster = await setup([toleration], NOW - 100_000);
    expect(await cluster.controller.reconcile('default/web')).toEqual({ requeueAfterMs: 200_000 });
    expect(cluster.writes()).toEqual([]);
    await cluster.clock.advance(200_000);
    await cluster.controller.reconcile('default/web');
    expect(cluster.writes().map((write) => write.summary)).toEqual([
      'patch pods/web/status -n default',
      'delete pods/web -n default',
    ]);
  });

  it('leaves a pod that tolerates the taint forever, and one whose node lost the taint', async () => {
    const forever = await setup([{ operator: 'Exists' }]);
    expect(await forever.controller.reconcile('default/web')).toBeUndefined();
    const other = await setup([
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 },
    ]);
    const node = await other.memory.get(refFor('Node'), 'node-1');
    await other.memory.update(refFor('Node'), { ...node, spec: {} });
    await other.clock.advance(0);
    expect(await other.controller.reconcile('default/web')).toBeUndefined();
    expect([...forever.writes(), ...other.writes()]).toEqual([]);
  });
});
