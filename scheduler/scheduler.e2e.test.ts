/**
 * The scheduler end to end: a real Skiff (API server and controllers, in process), Node objects the
 * test makes, and the scheduler started by the test with `startScheduler` over HTTP. Pods are bound but never run
 * (no kubelet): the tests read spec.nodeName, the PodScheduled condition and the Events.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { KubeObject } from '../api/resource.js';
import type { Taint } from '../api/scheduling/types.js';
import { HttpClient } from '../client/http-client.js';
import { refFor } from '../client/refs.js';
import { FakeClock } from '../client/testing/fake-clock.js';
import { startSkiff, type TestSkiff } from '../conformance/harness.js';
import { type RunningScheduler, startScheduler } from './index.js';
import type { Affinity, Pod, TopologySpreadConstraint } from './types.js';

const ZONE = 'topology.kubernetes.io/zone';

let skiff: TestSkiff;
let client: HttpClient;
let scheduler: RunningScheduler | undefined;

beforeEach(async () => {
  // `skiff up` runs a scheduler of its own; these tests start theirs (with a fake clock, or leader
  // election), so Skiff's is turned off.
  skiff = await startSkiff({ controllers: true, scheduler: false });
  client = new HttpClient({ connection: { server: skiff.url, namespace: 'default' } });
});

afterEach(async () => {
  await scheduler?.stop();
  scheduler = undefined;
  await client.close();
  await skiff.stop();
});

/** A Node as a kubelet would register it: created, then its status (allocatable, Ready) written. */
async function addNode(
  name: string,
  options: { cpu?: string; zone?: string; labels?: Record<string, string>; taints?: Taint[] } = {},
): Promise<void> {
  await client.create(refFor('Node'), {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        ...(options.zone ? { [ZONE]: options.zone } : {}),
        ...(options.labels ?? {}),
      },
    },
    spec: options.taints ? { taints: options.taints } : {},
  });
  const allocatable = { cpu: options.cpu ?? '4', memory: '8Gi', pods: '110' };
  await client.patch(
    refFor('Node'),
    name,
    'merge',
    { status: { capacity: allocatable, allocatable, conditions: [{ type: 'Ready', status: 'True' }] } },
    { subresource: 'status' },
  );
}

interface PodOptions {
  cpu?: string;
  labels?: Record<string, string>;
  tolerations?: Pod['spec'] extends infer S ? (S extends { tolerations?: infer T } ? T : never) : never;
  nodeSelector?: Record<string, string>;
  affinity?: Affinity;
  spread?: TopologySpreadConstraint[];
  priorityClassName?: string;
}

function podSpec(options: PodOptions): Pod['spec'] {
  return {
    terminationGracePeriodSeconds: 0,
    containers: [
      {
        name: 'main',
        image: 'example:1',
        ...(options.cpu ? { resources: { requests: { cpu: options.cpu } } } : {}),
      },
    ],
    ...(options.tolerations ? { tolerations: options.tolerations } : {}),
    ...(options.nodeSelector ? { nodeSelector: options.nodeSelector } : {}),
    ...(options.affinity ? { affinity: options.affinity } : {}),
    ...(options.spread ? { topologySpreadConstraints: options.spread } : {}),
    ...(options.priorityClassName ? { priorityClassName: options.priorityClassName } : {}),
  };
}

async function createPod(name: string, options: PodOptions = {}): Promise<void> {
  await client.create(refFor('Pod', 'default'), {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: options.labels ?? {} },
    spec: podSpec(options),
  });
}

const getPod = (name: string) => client.get<Pod>(refFor('Pod', 'default'), name);

async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result) return result;
    if (Date.now() > deadline) throw new Error('the condition never held');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const boundTo = (name: string) => eventually(async () => (await getPod(name)).spec?.nodeName);

/** The pod's PodScheduled=False message, once the scheduler has written one. */
const unschedulableMessage = (name: string) =>
  eventually(async () => {
    const condition = (await getPod(name)).status?.conditions?.find(
      (candidate) => candidate.type === 'PodScheduled',
    );
    return condition?.status === 'False' && condition.reason === 'Unschedulable'
      ? condition.message
      : undefined;
  });

interface EventObject extends KubeObject {
  involvedObject: { name?: string };
  reason: string;
  message: string;
  type: string;
  source?: { component?: string };
}

async function eventsFor(name: string): Promise<EventObject[]> {
  const events = await client.list<EventObject>(refFor('Event', 'default'));
  return events.items.filter((event) => event.involvedObject.name === name);
}

const start = (clock?: FakeClock) => {
  scheduler = startScheduler({ client, log: () => {}, ...(clock ? { clock } : {}) });
};

describe('the scheduler against a running Skiff', () => {
  test('taints keep off pods without a toleration; tolerating pods may use the node', async () => {
    await addNode('gpu', {
      labels: { accelerator: 'gpu' },
      taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }],
    });
    await addNode('plain');
    start();
    await createPod('ordinary');
    await createPod('trainer', {
      nodeSelector: { accelerator: 'gpu' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }],
    });
    await createPod('stranded', { nodeSelector: { accelerator: 'gpu' } });
    expect(await boundTo('ordinary')).toBe('plain');
    expect(await boundTo('trainer')).toBe('gpu');
    const message =
      "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.";
    expect(await unschedulableMessage('stranded')).toBe(message);
    const failed = await eventually(async () =>
      (await eventsFor('stranded')).find((event) => event.reason === 'FailedScheduling'),
    );
    expect([failed.type, failed.message, failed.source?.component]).toEqual([
      'Warning',
      message,
      'default-scheduler',
    ]);
    const scheduled = await eventually(async () =>
      (await eventsFor('trainer')).find((event) => event.reason === 'Scheduled'),
    );
    expect([scheduled.type, scheduled.message]).toEqual([
      'Normal',
      'Successfully assigned default/trainer to gpu',
    ]);
    const bound = await getPod('trainer');
    expect(bound.status?.conditions?.find((condition) => condition.type === 'PodScheduled')?.status).toBe(
      'True',
    );
  });

  test('node affinity: required terms decide, preferred ones choose among the rest', async () => {
    await addNode('a-1', { zone: 'a' });
    await addNode('b-1', { zone: 'b', labels: { disk: 'ssd' } });
    await addNode('b-2', { zone: 'b' });
    start();
    await createPod('in-b', {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: ZONE, operator: 'In', values: ['b'] }] }],
          },
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 100,
              preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] },
            },
          ],
        },
      },
    });
    await createPod('nowhere', {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: ZONE, operator: 'In', values: ['z'] }] }],
          },
        },
      },
    });
    expect(await boundTo('in-b')).toBe('b-1');
    expect(await unschedulableMessage('nowhere')).toBe(
      "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    );
  });

  test('pod anti-affinity spreads a Deployment’s replicas across zones', async () => {
    await addNode('a-1', { zone: 'a' });
    await addNode('a-2', { zone: 'a' });
    await addNode('b-1', { zone: 'b' });
    await addNode('c-1', { zone: 'c' });
    start();
    const labels = { app: 'web' };
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 3,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: podSpec({
            affinity: {
              podAntiAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: [
                  { labelSelector: { matchLabels: labels }, topologyKey: ZONE },
                ],
              },
            },
          }),
        },
      },
    };
    await client.create(refFor('Deployment', 'default'), deployment as KubeObject);
    const zoneOf: Record<string, string> = { 'a-1': 'a', 'a-2': 'a', 'b-1': 'b', 'c-1': 'c' };
    const placed = await eventually(async () => {
      const pods = (await client.list<Pod>(refFor('Pod', 'default'), { labelSelector: 'app=web' })).items;
      const nodes = pods.map((item) => item.spec?.nodeName).filter((name): name is string => Boolean(name));
      return pods.length === 3 && nodes.length === 3 ? nodes : undefined;
    });
    expect(placed.map((name) => zoneOf[name]).sort()).toEqual(['a', 'b', 'c']);

    // A fourth replica has no zone left.
    await client.patch(refFor('Deployment', 'default'), 'web', 'merge', { spec: { replicas: 4 } });
    const pending = await eventually(async () => {
      const pods = (await client.list<Pod>(refFor('Pod', 'default'), { labelSelector: 'app=web' })).items;
      return pods.find((item) => !item.spec?.nodeName)?.metadata?.name;
    });
    expect(await unschedulableMessage(pending)).toBe(
      "0/4 nodes are available: 4 node(s) didn't match pod anti-affinity rules. preemption: 0/4 nodes are available: 4 No preemption victims found for incoming pod.",
    );
  });

  test('topology spread keeps zones within maxSkew', async () => {
    for (const zone of ['a', 'b', 'c']) {
      await addNode(`${zone}-1`, { zone });
      await addNode(`${zone}-2`, { zone });
    }
    start();
    const spread: TopologySpreadConstraint[] = [
      {
        maxSkew: 1,
        topologyKey: ZONE,
        whenUnsatisfiable: 'DoNotSchedule',
        labelSelector: { matchLabels: { app: 'spread' } },
      },
    ];
    for (let index = 0; index < 6; index++)
      await createPod(`spread-${index}`, { labels: { app: 'spread' }, spread });
    const zones = await eventually(async () => {
      const pods = (await client.list<Pod>(refFor('Pod', 'default'), { labelSelector: 'app=spread' })).items;
      const nodes = pods.map((item) => item.spec?.nodeName).filter((name): name is string => Boolean(name));
      return nodes.length === 6 ? nodes.map((name) => name.slice(0, 1)) : undefined;
    });
    const counts = Object.fromEntries(
      ['a', 'b', 'c'].map((zone) => [zone, zones.filter((value) => value === zone).length]),
    );
    expect(counts).toEqual({ a: 2, b: 2, c: 2 });
  });

  test('resources exhausted: the pending pod is scheduled when a node is added, not by polling', async () => {
    await addNode('small', { cpu: '1' });
    const clock = new FakeClock(Date.now());
    const failures: string[] = [];
    scheduler = startScheduler({
      client,
      clock,
      log: () => {},
      observer: { failed: (pod, message) => failures.push(`${pod.metadata?.name}: ${message}`) },
    });
    await createPod('filler', { cpu: '800m' });
    expect(await boundTo('filler')).toBe('small');
    await createPod('waiting', { cpu: '500m' });
    expect(await unschedulableMessage('waiting')).toBe(
      '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
    );
    // Time passing retries nothing: the pod waits for a cluster event that could help it.
    await clock.advance(20_000);
    expect(failures).toHaveLength(1);
    await addNode('added', { cpu: '2' });
    expect(await boundTo('waiting')).toBe('added');
    expect(failures).toHaveLength(1);
  });

  test('preemption: a higher-priority pod evicts a lower-priority one and takes its place', async () => {
    for (const [name, value] of [
      ['low', 10],
      ['high', 1000],
    ] as const) {
      await client.create(refFor('PriorityClass'), {
        apiVersion: 'scheduling.k8s.io/v1',
        kind: 'PriorityClass',
        metadata: { name },
        value,
      } as KubeObject);
    }
    await addNode('only', { cpu: '2' });
    start();
    await createPod('batch', { cpu: '1500m', priorityClassName: 'low' });
    expect(await boundTo('batch')).toBe('only');
    await createPod('urgent', { cpu: '1500m', priorityClassName: 'high' });
    expect(await boundTo('urgent')).toBe('only');
    await eventually(async () => {
      try {
        await getPod('batch');
        return false;
      } catch (error) {
        return (error as { reason?: string }).reason === 'NotFound';
      }
    });
    const preempted = await eventually(async () =>
      (await eventsFor('batch')).find((event) => event.reason === 'Preempted'),
    );
    const urgent = await getPod('urgent');
    expect(preempted.message).toBe(`Preempted by pod ${urgent.metadata?.uid} on node only`);
    expect(urgent.status?.nominatedNodeName).toBe('only');
    const failed = await eventually(async () =>
      (await eventsFor('urgent')).find((event) => event.reason === 'FailedScheduling'),
    );
    expect(failed.message).toBe('0/1 nodes are available: 1 Insufficient cpu.');
  });

  test('with leader election it schedules only while holding the kube-scheduler Lease', async () => {
    await addNode('n1');
    scheduler = startScheduler({ client, log: () => {}, leaderElection: { identity: 'e2e-scheduler' } });
    const lease = await eventually(async () => {
      const held = await client
        .get<KubeObject & { spec?: { holderIdentity?: string } }>(
          refFor('Lease', 'kube-system'),
          'kube-scheduler',
        )
        .catch(() => undefined);
      return held?.spec?.holderIdentity ? held : undefined;
    });
    expect(lease.spec?.holderIdentity).toBe('e2e-scheduler');
    await createPod('led');
    expect(await boundTo('led')).toBe('n1');
    await scheduler.stop();
    scheduler = undefined;
    const released = await client.get<KubeObject & { spec?: { holderIdentity?: string } }>(
      refFor('Lease', 'kube-system'),
      'kube-scheduler',
    );
    expect(released.spec?.holderIdentity ?? '').toBe('');
  });
});
