import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/resource.js';
import type { Node, Taint } from '../api/scheduling/types.js';
import { conflict } from '../api/status.js';
import { InformerFactory } from '../client/informer-factory.js';
import { refFor } from '../client/refs.js';
import { FakeClock, settle } from '../client/testing/fake-clock.js';
import { MemoryClient } from '../client/testing/memory-client.js';
import { RecordingClient } from '../client/testing/recording-client.js';
import { revisionData } from './daemonset/revisions.js';
import type { DaemonSetUpdateStrategy } from './daemonset/types.js';
import { type DaemonSet, DaemonSetController } from './daemonset.js';
import { computeHash } from './deployment/util.js';
import type { ControllerContext } from './framework.js';
import type { ControllerRevision } from './history.js';
import type { Pod, PodTemplate } from './pods.js';

/**
 * The controller over a memory client: its writes land, and the informers see them as a watch would.
 * Nothing schedules or runs pods: the test seeds pods on nodes, marks them ready, and finishes
 * deletions (a bound pod's delete only marks it, as the API does).
 */
const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const daemonSetsRef = refFor('DaemonSet', 'default');
const podsRef = refFor('Pod', 'default');
const revisionsRef = refFor('ControllerRevision', 'default');
const nodesRef = refFor('Node');

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

function template(image = 'agent:1', extra: Record<string, unknown> = {}): PodTemplate {
  return {
    metadata: { labels: { app: 'agent' } },
    spec: { containers: [{ name: 'agent', image }], ...extra },
  };
}

interface DaemonSetOptions {
  image?: string;
  spec?: Record<string, unknown>;
  strategy?: DaemonSetUpdateStrategy;
  revisionHistoryLimit?: number;
  minReadySeconds?: number;
  status?: DaemonSet['status'];
}

function daemonSet(options: DaemonSetOptions = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'default', generation: 1 },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: template(options.image, options.spec),
      updateStrategy: options.strategy ?? {
        type: 'RollingUpdate',
        rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
      },
      revisionHistoryLimit: options.revisionHistoryLimit ?? 10,
      ...(options.minReadySeconds ? { minReadySeconds: options.minReadySeconds } : {}),
    },
    ...(options.status ? { status: options.status } : {}),
  };
}

function node(
  name: string,
  options: { labels?: Record<string, string>; taints?: Taint[]; unschedulable?: boolean } = {},
): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...options.labels } },
    spec: {
      ...(options.taints ? { taints: options.taints } : {}),
      ...(options.unschedulable ? { unschedulable: true } : {}),
    },
    status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2025-01-01T11:59:00Z' }] },
  };
}

const hashOf = (podTemplate: PodTemplate, collisionCount?: number) =>
  computeHash(podTemplate, collisionCount);

const readyStatus = (since = NOW) => ({
  phase: 'Running',
  conditions: [
    { type: 'Ready', status: 'True', lastTransitionTime: `${new Date(since).toISOString().slice(0, 19)}Z` },
  ],
});

async function setup(options: { daemonSet?: DaemonSet; nodes?: Node[] } = {}) {
  const clock = new FakeClock(NOW);
  const memory = new MemoryClient({ clock });
  for (const each of options.nodes ?? [node('node-a'), node('node-b'), node('node-c')])
    await memory.create(nodesRef, each);
  const created = await memory.create<DaemonSet>(daemonSetsRef, options.daemonSet ?? daemonSet());
  const client = new RecordingClient(memory, clock);
  const informers = new InformerFactory({ client, clock });
  const errors: unknown[] = [];
  const context: ControllerContext = {
    client,
    informers,
    clock,
    onError: (_controller, _key, error) => errors.push(error),
  };
  const controller = new DaemonSetController({ context });
  informers.start();
  await informers.waitForSync();
  stops.push(() => informers.stop());

  const isEvent = (summary: string) =>
    summary.startsWith('create events') || summary.startsWith('patch events');
  const uid = created.metadata!.uid!;
  const fixture = {
    clock,
    memory,
    client,
    controller,
    errors,
    uid,
    /** One reconcile of default/agent once the caches have caught up. */
    async reconcile() {
      await settle();
      client.writes.length = 0;
      const result = await controller.reconcile('default/agent');
      await settle();
      return result;
    },
    get writes(): string[] {
      return client.writes.map((write) => write.summary).filter((summary) => !isEvent(summary));
    },
    body(index: number) {
      return client.writes.filter((write) => !isEvent(write.summary))[index]?.body;
    },
    get events(): string[] {
      return client.writes
        .filter((write) => write.summary.startsWith('create events'))
        .map((write) => {
          const event = write.body as { type: string; reason: string; message: string };
          return `${event.type} ${event.reason} ${event.message}`;
        });
    },
    async daemonSet() {
      return memory.get<DaemonSet>(daemonSetsRef, 'agent');
    },
    /** Live pods (not being deleted) as `node=name(image)`, by node. */
    async placement(): Promise<string[]> {
      const pods = (await memory.list<Pod>(podsRef)).items.filter((pod) => !pod.metadata?.deletionTimestamp);
      return pods
        .map((pod) => {
          const spec = pod.spec as { nodeName?: string; containers: { image: string }[]; affinity?: unknown };
          const target =
            spec.nodeName ??
            (
              spec.affinity as {
                nodeAffinity: {
                  requiredDuringSchedulingIgnoredDuringExecution: {
                    nodeSelectorTerms: { matchFields: { values: string[] }[] }[];
                  };
                };
              }
            ).nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]!
              .matchFields[0]!.values[0];
          return `${target}=${spec.containers[0]!.image}`;
        })
        .sort();
    },
    async pods(): Promise<Pod[]> {
      return (await memory.list<Pod>(podsRef)).items;
    },
    async revisions(): Promise<ControllerRevision[]> {
      return (await memory.list<ControllerRevision>(revisionsRef)).items.sort(
        (a, b) => a.revision - b.revision,
      );
    },
    /** A daemon pod as the scheduler and kubelet would leave it: bound to `nodeName`, running, ready. */
    async seedPod(
      nodeName: string,
      podTemplate: PodTemplate,
      options: { phase?: string; ready?: boolean; name?: string } = {},
    ) {
      const pod = await memory.create<Pod>(podsRef, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          ...(options.name ? { name: options.name } : { generateName: 'agent-' }),
          labels: { app: 'agent', 'controller-revision-hash': hashOf(podTemplate) },
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'DaemonSet',
              name: 'agent',
              uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: { ...structuredClone(podTemplate.spec), nodeName },
        status:
          options.ready === false
            ? { phase: options.phase ?? 'Pending' }
            : options.phase && options.phase !== 'Running'
              ? { phase: options.phase }
              : readyStatus(clock.now()),
      });
      await settle();
      return pod;
    },
    /** Plays scheduler and kubelet for every pod the controller made: bound where pinned, ready. */
    async runPods() {
      for (const pod of await fixture.pods()) {
        if (pod.metadata?.deletionTimestamp || (pod.status?.phase && pod.status.phase !== 'Pending'))
          continue;
        const target = (
          pod.spec as {
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: { matchFields: { values: string[] }[] }[];
                };
              };
            };
          }
        ).affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]!
          .matchFields[0]!.values[0];
        await memory.update(podsRef, {
          ...pod,
          spec: { ...pod.spec, nodeName: target },
          status: readyStatus(clock.now()),
        });
      }
      await settle();
    },
    /** The kubelet confirms every graceful deletion: pods marked for deletion go. */
    async finishDeletions() {
      for (const pod of await fixture.pods()) {
        if (pod.metadata?.deletionTimestamp) await memory.delete(podsRef, pod.metadata.name!);
      }
      await settle();
    },
    /** What `kubectl set image` does: a new template, a new generation. */
    async setTemplate(podTemplate: PodTemplate, strategy?: DaemonSetUpdateStrategy) {
      const current = await fixture.daemonSet();
      await memory.update(daemonSetsRef, {
        ...current,
        metadata: { ...current.metadata, generation: (current.metadata?.generation ?? 1) + 1 },
        spec: { ...current.spec, template: podTemplate, ...(strategy ? { updateStrategy: strategy } : {}) },
      });
      await settle();
    },
  };
  return fixture;
}

const ownerReference = (uid: string) => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  name: 'agent',
  uid,
  controller: true,
  blockOwnerDeletion: true,
});

const daemonTolerations = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

describe('the DaemonSet controller', () => {
  it('puts one pod, pinned by node affinity, on every node the template fits, and records revision 1', async () => {
    const cluster = await setup({
      daemonSet: daemonSet({ spec: { nodeSelector: { role: 'worker' } } }),
      nodes: [
        node('node-a', { labels: { role: 'worker' } }),
        node('node-b', {
          labels: { role: 'worker' },
          taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }],
        }),
        node('node-c', {
          labels: { role: 'worker' },
          unschedulable: true,
          taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }],
        }),
        node('node-d', { labels: { role: 'db' } }),
        node('node-e', { labels: { role: 'worker' }, taints: [{ key: 'slow', effect: 'PreferNoSchedule' }] }),
      ],
    });
    const podTemplate = template('agent:1', { nodeSelector: { role: 'worker' } });
    const hash = hashOf(podTemplate);

    await cluster.reconcile();

    expect(cluster.writes).toEqual([
      `create controllerrevisions.apps/agent-${hash} -n default`,
      'create pods -n default',
      'create pods -n default',
      'create pods -n default',
      'update daemonsets.apps/agent/status -n default',
    ]);
    expect(cluster.body(0)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name: `agent-${hash}`,
        namespace: 'default',
        labels: { app: 'agent', 'controller-revision-hash': hash },
        ownerReferences: [ownerReference(cluster.uid)],
      },
      data: {
        spec: {
          template: {
            $patch: 'replace',
            metadata: { creationTimestamp: null, labels: { app: 'agent' } },
            spec: { containers: [{ image: 'agent:1', name: 'agent' }], nodeSelector: { role: 'worker' } },
          },
        },
      },
      revision: 1,
    });
    // Keys in Go's order, so kubectl's byte comparison of revisions works.
    expect(JSON.stringify((cluster.body(0) as ControllerRevision).data)).toBe(
      '{"spec":{"template":{"$patch":"replace","metadata":{"creationTimestamp":null,"labels":{"app":"agent"}},"spec":{"containers":[{"image":"agent:1","name":"agent"}],"nodeSelector":{"role":"worker"}}}}}',
    );
    const pinnedTo = (name: string) => ({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [name] }] }],
        },
      },
    });
    expect(cluster.body(1)).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: 'agent-',
        labels: { app: 'agent', 'pod-template-generation': '1', 'controller-revision-hash': hash },
        ownerReferences: [ownerReference(cluster.uid)],
      },
      spec: {
        containers: [{ name: 'agent', image: 'agent:1' }],
        nodeSelector: { role: 'worker' },
        tolerations: daemonTolerations,
        affinity: pinnedTo('node-a'),
      },
    });
    // A cordoned node still runs its daemons; a PreferNoSchedule taint keeps nothing out.
    expect((cluster.body(2) as Pod).spec?.affinity).toEqual(pinnedTo('node-c'));
    expect((cluster.body(3) as Pod).spec?.affinity).toEqual(pinnedTo('node-e'));
    expect(cluster.events).toHaveLength(3);
    expect(cluster.events[0]).toMatch(/^Normal SuccessfulCreate Created pod: agent-\w+$/);

    // Status, once the cache holds the pods (it may already have by the first status write): three
    // nodes want one, none is ready yet.
    await cluster.reconcile();
    expect(cluster.writes.filter((write) => !write.endsWith('/status -n default'))).toEqual([]);
    expect((await cluster.daemonSet()).status).toEqual({
      currentNumberScheduled: 3,
      numberMisscheduled: 0,
      desiredNumberScheduled: 3,
      numberReady: 0,
      observedGeneration: 1,
      updatedNumberScheduled: 3,
      numberUnavailable: 3,
    });

    // The pods run: all available, and a further reconcile with nothing to change writes nothing.
    await cluster.runPods();
    await cluster.reconcile();
    expect((await cluster.daemonSet()).status).toMatchObject({
      currentNumberScheduled: 3,
      desiredNumberScheduled: 3,
      numberReady: 3,
      numberAvailable: 3,
      updatedNumberScheduled: 3,
    });
    expect((await cluster.daemonSet()).status?.numberUnavailable).toBeUndefined();
    await cluster.reconcile();
    expect(cluster.writes).toEqual([]);
    expect(cluster.errors).toEqual([]);
  });

  it('adds network-unavailable to the tolerations of host-network pods, and keeps the tolerations it finds', async () => {
    const extra = {
      hostNetwork: true,
      tolerations: [
        {
          key: 'node.kubernetes.io/not-ready',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 30,
        },
      ],
    };
    const cluster = await setup({ daemonSet: daemonSet({ spec: extra }), nodes: [node('node-a')] });
    await cluster.reconcile();
    expect((cluster.body(1) as Pod).spec?.tolerations).toEqual([
      ...daemonTolerations,
      { key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' },
    ]);
  });

  it('replaces required node affinity terms with the node-name term, keeping preferred ones', async () => {
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }],
        },
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 1, preference: { matchExpressions: [{ key: 'ssd', operator: 'Exists' }] } },
        ],
      },
    };
    const cluster = await setup({
      daemonSet: daemonSet({ spec: { affinity } }),
      nodes: [node('node-a', { labels: { zone: 'a' } }), node('node-b', { labels: { zone: 'b' } })],
    });
    await cluster.reconcile();
    expect(cluster.writes.filter((write) => write.startsWith('create pods'))).toHaveLength(1);
    expect((cluster.body(1) as Pod).spec?.affinity).toEqual({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-a'] }] },
          ],
        },
        preferredDuringSchedulingIgnoredDuringExecution:
          affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution,
      },
    });
  });

  it('deletes pods from nodes that stop fitting, but keeps them on nodes tainted NoSchedule only', async () => {
    const cluster = await setup({
      daemonSet: daemonSet({ spec: { nodeSelector: { color: 'blue' } } }),
      nodes: [
        node('node-a', { labels: { color: 'green' } }),
        node('node-b', { labels: { color: 'blue' }, taints: [{ key: 'maintenance', effect: 'NoSchedule' }] }),
        node('node-c', { labels: { color: 'blue' }, taints: [{ key: 'evict', effect: 'NoExecute' }] }),
      ],
    });
    const podTemplate = template('agent:1', { nodeSelector: { color: 'blue' } });
    const onA = await cluster.seedPod('node-a', podTemplate);
    await cluster.seedPod('node-b', podTemplate);
    const onC = await cluster.seedPod('node-c', podTemplate);

    await cluster.reconcile();

    expect(cluster.writes.slice(1)).toEqual([
      `delete pods/${onA.metadata?.name} -n default`,
      `delete pods/${onC.metadata?.name} -n default`,
      'update daemonsets.apps/agent/status -n default',
    ]);
    expect(cluster.events).toEqual([
      `Normal SuccessfulDelete Deleted pod: ${onA.metadata?.name}`,
      `Normal SuccessfulDelete Deleted pod: ${onC.metadata?.name}`,
    ]);
    // Nobody wants a pod (node-b's taint keeps new ones out), yet node-b's stays, and the others count as
    // misscheduled while they go.
    expect((await cluster.daemonSet()).status).toMatchObject({
      desiredNumberScheduled: 0,
      currentNumberScheduled: 0,
      numberMisscheduled: 3,
    });
  });

  it('keeps the oldest of several pods on a node, and removes unscheduled pods meant for nodes that are gone', async () => {
    const cluster = await setup({ nodes: [node('node-a')] });
    const podTemplate = template();
    const oldest = await cluster.seedPod('node-a', podTemplate, { name: 'agent-first' });
    await cluster.clock.advance(1000);
    const newer = await cluster.seedPod('node-a', podTemplate, { name: 'agent-second' });
    await cluster.memory.create<Pod>(podsRef, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'agent-stray',
        labels: { app: 'agent' },
        ownerReferences: [ownerReference(cluster.uid)],
      },
      spec: {
        containers: [{ name: 'agent', image: 'agent:1' }],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-gone'] }] },
              ],
            },
          },
        },
      },
    });

    await cluster.reconcile();

    expect(cluster.writes.slice(1, 3)).toEqual([
      `delete pods/${newer.metadata?.name} -n default`,
      'delete pods/agent-stray -n default',
    ]);
    expect(
      (await cluster.pods()).find((pod) => pod.metadata?.name === oldest.metadata?.name)?.metadata
        ?.deletionTimestamp,
    ).toBeUndefined();
  });

  it('adopts a matching orphan on its node instead of creating another pod', async () => {
    const cluster = await setup({ nodes: [node('node-a')] });
    await cluster.memory.create<Pod>(podsRef, {
      apiVersion: 'v1',
      kind: 'Pod',
      // Made by this template (its hash label says so) and running: adopted, it is up to date.
      metadata: { name: 'orphan', labels: { app: 'agent', 'controller-revision-hash': hashOf(template()) } },
      spec: { nodeName: 'node-a', containers: [{ name: 'agent', image: 'agent:1' }] },
      status: readyStatus(),
    });
    await cluster.reconcile();
    expect(cluster.writes.slice(0, 3)).toEqual([
      `create controllerrevisions.apps/agent-${hashOf(template())} -n default`,
      'patch pods/orphan -n default',
      'update daemonsets.apps/agent/status -n default',
    ]);
    expect((await cluster.pods()).map((pod) => pod.metadata?.ownerReferences?.[0]?.uid)).toEqual([
      cluster.uid,
    ]);
  });

  it('deletes a failed pod, with a FailedDaemonPod event, and backs off before deleting its failed successor', async () => {
    // Already observed once: the backoff is kept per node and observed generation.
    const cluster = await setup({
      daemonSet: daemonSet({
        status: {
          currentNumberScheduled: 1,
          numberMisscheduled: 0,
          desiredNumberScheduled: 1,
          numberReady: 1,
          observedGeneration: 1,
        },
      }),
      nodes: [node('node-a')],
    });
    const failed = await cluster.seedPod('node-a', template(), { phase: 'Failed' });

    await cluster.reconcile();
    expect(cluster.writes.slice(1)).toEqual([
      `delete pods/${failed.metadata?.name} -n default`,
      'update daemonsets.apps/agent/status -n default',
    ]);
    expect(cluster.events).toEqual([
      `Warning FailedDaemonPod Found failed daemon pod default/${failed.metadata?.name} on node node-a, will try to kill it`,
      `Normal SuccessfulDelete Deleted pod: ${failed.metadata?.name}`,
    ]);

    // The kubelet finishes the deletion; a replacement comes, and fails too, at once.
    await cluster.finishDeletions();
    await cluster.reconcile();
    expect(cluster.writes.filter((write) => write.startsWith('create pods'))).toHaveLength(1);
    const [replacement] = await cluster.pods();
    await cluster.memory.update(podsRef, {
      ...replacement!,
      spec: { ...replacement!.spec, nodeName: 'node-a' },
      status: { phase: 'Failed' },
    });
    await cluster.clock.advance(400);
    const result = await cluster.reconcile();
    expect(cluster.writes.filter((write) => write.startsWith('delete'))).toEqual([]);
    expect(result).toEqual({ requeueAfterMs: 1000 });

    // Past the backoff, it goes; the next delay is twice as long.
    await cluster.clock.advance(700);
    await cluster.reconcile();
    expect(cluster.writes.filter((write) => write.startsWith('delete'))).toEqual([
      `delete pods/${replacement!.metadata?.name} -n default`,
    ]);
    await cluster.finishDeletions();
    await cluster.reconcile();
    const [third] = await cluster.pods();
    await cluster.memory.update(podsRef, {
      ...third!,
      spec: { ...third!.spec, nodeName: 'node-a' },
      status: { phase: 'Failed' },
    });
    expect(await cluster.reconcile()).toEqual({ requeueAfterMs: 2000 });
    expect(cluster.writes.filter((write) => write.startsWith('delete'))).toEqual([]);
  });

  it('deletes a succeeded pod with a SucceededDaemonPod event', async () => {
    const cluster = await setup({ nodes: [node('node-a')] });
    const done = await cluster.seedPod('node-a', template(), { phase: 'Succeeded' });
    await cluster.reconcile();
    expect(cluster.events[0]).toBe(
      `Normal SucceededDaemonPod Found succeeded daemon pod default/${done.metadata?.name} on node node-a, will try to delete it`,
    );
    expect(cluster.writes).toContain(`delete pods/${done.metadata?.name} -n default`);
  });

  it('waits for its creations to be seen before managing pods again, for at most 5 minutes', async () => {
    // The informers read a copy of the cluster that never sees the controller's writes.
    const clock = new FakeClock(NOW);
    const cluster = new MemoryClient({ clock });
    const view = new MemoryClient({ clock });
    for (const memory of [cluster, view]) {
      await memory.create(nodesRef, node('node-a'));
      await memory.create(daemonSetsRef, daemonSet());
    }
    const client = new RecordingClient(cluster, clock);
    const informers = new InformerFactory({ client: view, clock });
    const controller = new DaemonSetController({
      context: { client, informers, clock, onError: () => undefined },
    });
    informers.start();
    await informers.waitForSync();
    stops.push(() => informers.stop());
    const podCreations = () =>
      client.writes.filter((write) => write.summary === 'create pods -n default').length;

    await controller.reconcile('default/agent');
    expect(podCreations()).toBe(1);
    await clock.advance(60_000);
    await controller.reconcile('default/agent');
    expect(podCreations()).toBe(1);
    await clock.advance(4 * 60_000 + 1);
    await controller.reconcile('default/agent');
    expect(podCreations()).toBe(2);
  });

  it('counts a pod available only minReadySeconds after it became ready, and looks again then', async () => {
    const cluster = await setup({ daemonSet: daemonSet({ minReadySeconds: 10 }), nodes: [node('node-a')] });
    await cluster.seedPod('node-a', template());
    expect(await cluster.reconcile()).toEqual({ requeueAfterMs: 10_000 });
    expect((await cluster.daemonSet()).status).toMatchObject({ numberReady: 1, numberUnavailable: 1 });
    await cluster.clock.advance(10_001);
    expect(await cluster.reconcile()).toBeUndefined();
    expect((await cluster.daemonSet()).status).toMatchObject({ numberReady: 1, numberAvailable: 1 });
  });

  it('writes status without losing the conditions someone else set, retrying once on a conflict', async () => {
    const condition = { type: 'StatusUpdate', status: 'True', reason: 'E2E', message: 'Set from e2e test' };
    const cluster = await setup({
      daemonSet: daemonSet({
        status: {
          currentNumberScheduled: 0,
          numberMisscheduled: 0,
          desiredNumberScheduled: 0,
          numberReady: 0,
          conditions: [condition],
        },
      }),
      nodes: [],
    });
    cluster.client.failures.push({
      summary: 'update daemonsets.apps/agent/status -n default',
      error: conflict({ group: 'apps', resource: 'daemonsets' }, 'agent', 'the object has been modified'),
    });
    await cluster.reconcile();
    expect(cluster.writes.slice(1)).toEqual([
      'update daemonsets.apps/agent/status -n default',
      'update daemonsets.apps/agent/status -n default',
    ]);
    expect((await cluster.daemonSet()).status).toEqual({
      currentNumberScheduled: 0,
      numberMisscheduled: 0,
      desiredNumberScheduled: 0,
      numberReady: 0,
      observedGeneration: 1,
      conditions: [condition],
    });
  });

  it('warns and does nothing for a DaemonSet selecting every pod', async () => {
    const cluster = await setup({
      daemonSet: { ...daemonSet(), spec: { ...daemonSet().spec, selector: {} } },
    });
    await cluster.reconcile();
    expect(cluster.writes).toEqual([]);
    expect(cluster.events).toEqual([
      'Warning SelectingAll This daemon set is selecting all pods. A non-empty selector is required.',
    ]);
  });
});

describe('the DaemonSet controller, rolling updates', () => {
  async function rolledOut(strategy?: DaemonSetUpdateStrategy) {
    const cluster = await setup({ daemonSet: daemonSet(strategy ? { strategy } : {}) });
    await cluster.reconcile();
    await cluster.runPods();
    await cluster.reconcile();
    expect(await cluster.placement()).toEqual(['node-a=agent:1', 'node-b=agent:1', 'node-c=agent:1']);
    return cluster;
  }

  it('with maxUnavailable 1, replaces one pod at a time, each once its predecessor is available', async () => {
    const cluster = await rolledOut();
    const newTemplate = template('agent:2');
    await cluster.setTemplate(newTemplate);

    await cluster.reconcile();
    const deleted = cluster.writes.filter((write) => write.startsWith('delete pods'));
    expect(cluster.writes[0]).toBe(`create controllerrevisions.apps/agent-${hashOf(newTemplate)} -n default`);
    expect(deleted).toHaveLength(1);
    expect((cluster.body(0) as ControllerRevision).revision).toBe(2);

    // While that pod terminates, nothing else is touched.
    await cluster.reconcile();
    expect(cluster.writes.filter((write) => !write.endsWith('/status -n default'))).toEqual([]);

    for (let step = 0; step < 3; step++) {
      await cluster.finishDeletions();
      await cluster.reconcile();
      expect(cluster.writes.filter((write) => write.startsWith('create pods'))).toHaveLength(1);
      // Created but not yet ready: still no further deletion.
      await cluster.reconcile();
      expect(cluster.writes.filter((write) => write.startsWith('delete pods'))).toEqual([]);
      await cluster.runPods();
      await cluster.reconcile();
      expect(cluster.writes.filter((write) => write.startsWith('delete pods'))).toHaveLength(
        step < 2 ? 1 : 0,
      );
    }
    expect(await cluster.placement()).toEqual(['node-a=agent:2', 'node-b=agent:2', 'node-c=agent:2']);
    expect((await cluster.daemonSet()).status).toMatchObject({
      observedGeneration: 2,
      updatedNumberScheduled: 3,
      numberAvailable: 3,
    });
    expect(
      (await cluster.pods()).every(
        (pod) => pod.metadata?.labels?.['controller-revision-hash'] === hashOf(newTemplate),
      ),
    ).toBe(true);
  });

  it('with maxUnavailable 50% of three nodes, replaces two at once (percentages round up)', async () => {
    const cluster = await rolledOut({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: '50%', maxSurge: 0 },
    });
    await cluster.setTemplate(template('agent:2'));
    await cluster.reconcile();
    expect(cluster.writes.filter((write) => write.startsWith('delete pods'))).toHaveLength(2);
  });

  it('deletes an old pod that is not available at once, beyond maxUnavailable', async () => {
    const cluster = await rolledOut();
    const [first] = await cluster.pods();
    await cluster.memory.update(podsRef, { ...first!, status: { phase: 'Running' } });
    await cluster.setTemplate(template('agent:2'));
    await cluster.reconcile();
    expect(cluster.writes.filter((write) => write.startsWith('delete pods'))).toEqual([
      `delete pods/${first!.metadata?.name} -n default`,
    ]);
  });

  it('with maxSurge 1, starts the new pod beside the old one and deletes the old one once the new one is available', async () => {
    const cluster = await rolledOut({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
    });
    await cluster.setTemplate(template('agent:2'));

    await cluster.reconcile();
    expect(cluster.writes.filter((write) => write.startsWith('delete'))).toEqual([]);
    expect(await cluster.placement()).toEqual([
      'node-a=agent:1',
      'node-a=agent:2',
      'node-b=agent:1',
      'node-c=agent:1',
    ]);
    // The new pod is not ready: no other node surges.
    await cluster.reconcile();
    expect(cluster.writes.filter((write) => write.startsWith('create pods'))).toEqual([]);

    // Available: the old pod on node-a goes, and node-b's successor starts (in this reconcile if the
    // deletion is seen in time, else the next).
    await cluster.runPods();
    await cluster.reconcile();
    expect(cluster.writes.filter((write) => write.startsWith('delete'))).toHaveLength(1);
    await cluster.finishDeletions();
    await cluster.reconcile();
    expect(await cluster.placement()).toEqual([
      'node-a=agent:2',
      'node-b=agent:1',
      'node-b=agent:2',
      'node-c=agent:1',
    ]);
  });

  it('with OnDelete, leaves old pods alone and gives a deleted pod the new template', async () => {
    const cluster = await rolledOut({ type: 'OnDelete' });
    await cluster.setTemplate(template('agent:2'));
    await cluster.reconcile();
    expect(
      cluster.writes.filter((write) => write.startsWith('delete') || write.startsWith('create pods')),
    ).toEqual([]);
    const status = (await cluster.daemonSet()).status;
    expect(status).toMatchObject({ observedGeneration: 2, numberAvailable: 3 });
    expect(status?.updatedNumberScheduled ?? 0).toBe(0);

    const [first] = await cluster.pods();
    await cluster.memory.delete(podsRef, first!.metadata!.name!);
    await cluster.reconcile();
    expect(await cluster.placement()).toEqual(['node-a=agent:2', 'node-b=agent:1', 'node-c=agent:1']);
  });

  it('renumbers the old revision when the template goes back to it, and keeps history to revisionHistoryLimit', async () => {
    const cluster = await setup({ daemonSet: daemonSet({ revisionHistoryLimit: 1 }), nodes: [] });
    await cluster.reconcile();
    await cluster.setTemplate(template('agent:2'));
    await cluster.reconcile();
    expect(
      (await cluster.revisions()).map((revision) => `${revision.metadata?.name}=${revision.revision}`),
    ).toEqual([`agent-${hashOf(template('agent:1'))}=1`, `agent-${hashOf(template('agent:2'))}=2`]);

    // Back to agent:1 (what kubectl rollout undo does): the same revision, renumbered, and nothing new.
    await cluster.setTemplate(template('agent:1'));
    await cluster.reconcile();
    expect(cluster.writes[0]).toBe(
      `update controllerrevisions.apps/agent-${hashOf(template('agent:1'))} -n default`,
    );
    expect(
      (await cluster.revisions()).map((revision) => `${revision.metadata?.name}=${revision.revision}`),
    ).toEqual([`agent-${hashOf(template('agent:2'))}=2`, `agent-${hashOf(template('agent:1'))}=3`]);

    // A third template: with a limit of 1, the oldest unused revision goes.
    await cluster.setTemplate(template('agent:3'));
    await cluster.reconcile();
    expect(cluster.writes).toContain(
      `delete controllerrevisions.apps/agent-${hashOf(template('agent:2'))} -n default`,
    );
    expect((await cluster.revisions()).map((revision) => revision.revision)).toEqual([3, 4]);
  });

  it('keeps an old revision a live pod still runs, past the history limit', async () => {
    const cluster = await setup({
      daemonSet: daemonSet({ revisionHistoryLimit: 0 }),
      nodes: [node('node-a')],
    });
    await cluster.reconcile();
    await cluster.runPods();
    await cluster.setTemplate(template('agent:2'), { type: 'OnDelete' });
    await cluster.reconcile();
    expect(cluster.writes.filter((write) => write.startsWith('delete controllerrevisions'))).toEqual([]);
    expect(await cluster.revisions()).toHaveLength(2);
  });

  it('keeps the newest of two revisions holding the current template, relabelling pods of the other first', async () => {
    const cluster = await setup({ daemonSet: daemonSet({ strategy: { type: 'OnDelete' } }), nodes: [] });
    for (const [hash, revision] of [
      ['aaa', 1],
      ['bbb', 2],
    ] as const) {
      await cluster.memory.create<ControllerRevision>(revisionsRef, {
        apiVersion: 'apps/v1',
        kind: 'ControllerRevision',
        metadata: {
          name: `agent-${hash}`,
          labels: { app: 'agent', 'controller-revision-hash': hash },
          ownerReferences: [ownerReference(cluster.uid)],
        },
        data: revisionData(template()),
        revision,
      });
    }
    const pod = await cluster.seedPod('node-a', template());
    await cluster.memory.patch(podsRef, pod.metadata!.name!, 'merge', {
      metadata: { labels: { 'controller-revision-hash': 'aaa' } },
    });
    await cluster.reconcile();
    expect(cluster.writes.slice(0, 2)).toEqual([
      `patch pods/${pod.metadata?.name} -n default`,
      'delete controllerrevisions.apps/agent-aaa -n default',
    ]);
    expect(cluster.body(0)).toEqual({ metadata: { labels: { 'controller-revision-hash': 'bbb' } } });
    expect((await cluster.revisions()).map((revision) => revision.metadata?.name)).toEqual(['agent-bbb']);
  });

  it('raises collisionCount when another revision holds the hash name, then uses the new hash', async () => {
    const cluster = await setup({ nodes: [] });
    const name = `agent-${hashOf(template())}`;
    await cluster.memory.create<ControllerRevision>(revisionsRef, {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name,
        labels: { app: 'agent', 'controller-revision-hash': 'other' },
        ownerReferences: [ownerReference(cluster.uid)],
      },
      data: { spec: { template: { $patch: 'replace', metadata: { labels: { app: 'agent' } }, spec: {} } } },
      revision: 1,
    });
    await expect(cluster.reconcile()).rejects.toThrow(/already exists/);
    expect(cluster.writes).toEqual([
      `create controllerrevisions.apps/${name} -n default`,
      'update daemonsets.apps/agent/status -n default',
    ]);
    expect((await cluster.daemonSet()).status?.collisionCount).toBe(1);

    await cluster.reconcile();
    expect(cluster.writes[0]).toBe(
      `create controllerrevisions.apps/agent-${hashOf(template(), 1)} -n default`,
    );
    expect((cluster.body(0) as ControllerRevision).revision).toBe(2);
  });
});

describe('the DaemonSet controller, event handlers', () => {
  it('wakes a DaemonSet when a node starts or stops fitting, not on a heartbeat', async () => {
    const cluster = await setup({
      daemonSet: daemonSet({ spec: { nodeSelector: { color: 'blue' } } }),
      nodes: [node('node-a')],
    });
    const drain = async () => {
      await settle();
      const keys: string[] = [];
      while (cluster.controller.queue.length > 0) {
        const key = (await cluster.controller.queue.get())!;
        cluster.controller.queue.done(key);
        keys.push(key);
      }
      return keys;
    };
    await drain();
    const current = await cluster.memory.get<Node>(nodesRef, 'node-a');
    await cluster.memory.update(nodesRef, {
      ...current,
      status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2025-01-01T12:00:10Z' }] },
    });
    expect(await drain()).toEqual([]);

    const beat = await cluster.memory.get<Node>(nodesRef, 'node-a');
    await cluster.memory.update(nodesRef, {
      ...beat,
      metadata: { ...beat.metadata, labels: { ...beat.metadata?.labels, color: 'blue' } },
    });
    expect(await drain()).toEqual(['default/agent']);

    await cluster.memory.create(nodesRef, node('node-b'));
    expect(await drain()).toEqual([]);
    await cluster.memory.create(nodesRef, node('node-c', { labels: { color: 'blue' } }));
    expect(await drain()).toEqual(['default/agent']);
  });

  it('wakes its DaemonSet when a daemon pod changes, and counts off the creations it expects', async () => {
    const cluster = await setup({ nodes: [node('node-a')] });
    await cluster.reconcile();
    const [pod] = await cluster.pods();
    expect(pod).toBeDefined();
    const object: KubeObject = { ...pod!, status: readyStatus() };
    await cluster.memory.update(podsRef, object);
    await settle();
    expect(cluster.controller.queue.length).toBe(1);
  });
});
