import { afterEach, describe, expect, it } from 'vitest';
import { InformerFactory } from '../client/informer-factory.js';
import { refFor } from '../client/refs.js';
import { FakeClock } from '../client/testing/fake-clock.js';
import { MemoryClient } from '../client/testing/memory-client.js';
import { RecordingClient } from '../client/testing/recording-client.js';
import type { ControllerContext } from './framework.js';
import { NodeLifecycleController } from './node-lifecycle.js';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const stamp = (instant: number) => `${new Date(instant).toISOString().slice(0, 19)}Z`;
const nodesRef = refFor('Node');
const leasesRef = refFor('Lease', 'kube-node-lease');

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function setup(options: { unschedulable?: boolean; otherNodes?: number } = {}) {
  const clock = new FakeClock(NOW);
  const memory = new MemoryClient({ clock });
  const node = (name: string) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    spec: options.unschedulable && name === 'node-1' ? { unschedulable: true } : {},
    status: {
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          lastHeartbeatTime: stamp(NOW),
          lastTransitionTime: stamp(NOW),
        },
        {
          type: 'MemoryPressure',
          status: 'False',
          reason: 'KubeletHasSufficientMemory',
          lastHeartbeatTime: stamp(NOW),
          lastTransitionTime: stamp(NOW),
        },
      ],
    },
  });
  for (let index = 1; index <= 1 + (options.otherNodes ?? 1); index++) {
    await memory.create(nodesRef, node(`node-${index}`));
    await memory.create(leasesRef, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: `node-${index}`, namespace: 'kube-node-lease' },
      spec: { holderIdentity: `node-${index}`, renewTime: '2025-01-01T12:00:00.000000Z' },
    });
  }
  await memory.create(refFor('Pod', 'default'), {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default' },
    spec: { nodeName: 'node-1' },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: stamp(NOW) }],
    },
  });
  const client = new RecordingClient(memory, clock);
  const informers = new InformerFactory({ client: memory, clock });
  const context: ControllerContext = { client, informers, clock, onError: () => {} };
  const controller = new NodeLifecycleController({ context, nodeMonitorGracePeriodMs: 40_000 });
  informers.start();
  await informers.waitForSync();
  stops.push(() => informers.stop());
  const writes = () => client.writes.filter((write) => !write.summary.startsWith('create events'));
  return { clock, memory, client, controller, writes };
}

describe('the node lifecycle controller', () => {
  it('leaves a node alone while its Lease is renewed, and looks again at the grace period’s end', async () => {
    const cluster = await setup();
    expect(await cluster.controller.reconcile('node-1')).toEqual({ requeueAfterMs: 40_001 });
    await cluster.clock.advance(30_000);
    const lease = await cluster.memory.get(leasesRef, 'node-1');
    await cluster.memory.update(leasesRef, {
      ...lease,
      spec: { ...(lease.spec as object), renewTime: '2025-01-01T12:00:30.000000Z' },
    });
    await cluster.clock.advance(0);
    // The renewal moved the deadline to 30 s + 40 s.
    expect(await cluster.controller.reconcile('node-1')).toEqual({ requeueAfterMs: 40_001 });
    await cluster.clock.advance(20_000);
    expect(await cluster.controller.reconcile('node-1')).toEqual({ requeueAfterMs: 20_001 });
    expect(cluster.writes()).toEqual([]);
  });

  it('a node silent for the grace period turns Unknown, is tainted unreachable, and its pods not ready', async () => {
    const cluster = await setup();
    await cluster.controller.reconcile('node-1');
    await cluster.clock.advance(40_001);
    expect(await cluster.controller.reconcile('node-1')).toBeUndefined();
    const at = stamp(NOW + 40_001);
    const writes = cluster.writes();
    expect(writes.map((write) => write.summary)).toEqual([
      'update nodes/node-1/status',
      'patch nodes/node-1',
      'update pods/web/status -n default',
    ]);
    const status = (writes[0]!.body as { status: { conditions: unknown[] } }).status;
    expect(status.conditions).toEqual([
      {
        type: 'Ready',
        status: 'Unknown',
        reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.',
        lastHeartbeatTime: stamp(NOW),
        lastTransitionTime: at,
      },
      {
        type: 'MemoryPressure',
        status: 'Unknown',
        reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.',
        lastHeartbeatTime: stamp(NOW),
        lastTransitionTime: at,
      },
      {
        type: 'DiskPressure',
        status: 'Unknown',
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
        lastHeartbeatTime: expect.any(String),
        lastTransitionTime: at,
      },
      {
        type: 'PIDPressure',
        status: 'Unknown',
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
        lastHeartbeatTime: expect.any(String),
        lastTransitionTime: at,
      },
    ]);
    expect((writes[1]!.body as { spec: unknown }).spec).toEqual({
      taints: [
        { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: at },
        { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: at },
      ],
    });
    const pod = writes[2]!.body as { status: { conditions: unknown[] } };
    expect(pod.status.conditions).toEqual([{ type: 'Ready', status: 'False', lastTransitionTime: at }]);
  });

  it('removes the taints when the node reports Ready again', async () => {
    const cluster = await setup();
    await cluster.controller.reconcile('node-1');
    await cluster.clock.advance(40_001);
    await cluster.controller.reconcile('node-1');
    const node = await cluster.memory.get(nodesRef, 'node-1');
    const later = stamp(NOW + 60_000);
    await cluster.clock.advance(20_000);
    await cluster.memory.update(nodesRef, {
      ...node,
      status: {
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'KubeletReady',
            lastHeartbeatTime: later,
            lastTransitionTime: later,
          },
        ],
      },
    });
    await cluster.clock.advance(0);
    cluster.client.writes.length = 0;
    expect(await cluster.controller.reconcile('node-1')).toEqual({ requeueAfterMs: 40_001 });
    expect(cluster.writes()).toEqual([
      {
        summary: 'patch nodes/node-1',
        body: { metadata: { resourceVersion: expect.any(String) }, spec: { taints: null } },
      },
    ]);
  });

  it('taints a cordoned node unschedulable:NoSchedule', async () => {
    const cluster = await setup({ unschedulable: true });
    await cluster.controller.reconcile('node-1');
    expect(cluster.writes()).toEqual([
      {
        summary: 'patch nodes/node-1',
        body: {
          metadata: { resourceVersion: expect.any(String) },
          spec: {
            taints: [
              { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: stamp(NOW) },
            ],
          },
        },
      },
    ]);
  });

  it('does not taint NoExecute when every node of the only zone is down (the control plane is the likelier culprit)', async () => {
    const cluster = await setup({ otherNodes: 0 });
    await cluster.controller.reconcile('node-1');
    await cluster.clock.advance(40_001);
    await cluster.controller.reconcile('node-1');
    const patch = cluster.writes().find((write) => write.summary === 'patch nodes/node-1');
    expect(
      (patch!.body as { spec: { taints: { effect: string }[] } }).spec.taints.map((taint) => taint.effect),
    ).toEqual(['NoSchedule']);
  });
});
