import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/resource.js';
import { isStatusError } from '../api/status.js';
import { HttpClient } from '../client/http-client.js';
import { InformerFactory } from '../client/informer-factory.js';
import { refFor } from '../client/refs.js';
import type { KubeClient } from '../client/types.js';
import { DisruptionController, disruptionController } from '../controllers/disruption.js';
import { allControllers } from '../controllers/index.js';
import { type RunningControllerManager, startControllerManager } from '../controllers/manager.js';
import { NodeLifecycleController, nodeLifecycleController } from '../controllers/node-lifecycle.js';
import {
  TaintEvictionController,
  taintEvictionController,
} from '../controllers/nodelifecycle/taint-eviction.js';
import { PodGcController, podGcController } from '../controllers/podgc.js';
import { ApiClient, poll } from './client.js';
import { requireKubectl, startSkiff, type TestSkiff } from './harness.js';

/**
 * Nodes coming and going against a real Skiff with the real scheduler: simulated nodes (a Node, a
 * Lease renewed every second, and a kubelet that runs pods and confirms their deletion — until the node
 * "dies"), the node lifecycle, taint-eviction, pod GC and disruption controllers with short periods
 * (the harness runs the controllers with upstream's, so they run here under the test's own manager),
 * and stock kubectl for cordon, uncordon and drain.
 */
const GRACE_MS = 3_000;
const RENEW_MS = 1_000;

let skiff: TestSkiff;
let api: ApiClient;
let client: HttpClient;
let manager: RunningControllerManager;
const nodes = new Map<string, SimulatedNode>();

const ours = new Set([
  nodeLifecycleController,
  taintEvictionController,
  podGcController,
  disruptionController,
]);

beforeAll(async () => {
  requireKubectl();
  skiff = await startSkiff({ controllers: false, scheduler: true });
  api = new ApiClient(skiff.url);
  client = new HttpClient({ connection: { server: skiff.url, namespace: 'default' } });
  manager = startControllerManager({
    client,
    log: () => {},
    controllers: [
      // Every other controller as `skiff up` runs it (a Deployment needs its ReplicaSets).
      ...allControllers.filter((make) => !ours.has(make)),
      (context) =>
        new NodeLifecycleController({
          context,
          nodeMonitorGracePeriodMs: GRACE_MS,
          nodeStartupGracePeriodMs: GRACE_MS,
        }),
      (context) => new TaintEvictionController({ context }),
      (context) => new PodGcController({ context, batchDelayMs: 200 }),
      (context) => new DisruptionController({ context }),
    ],
  });
  nodes.set('node-a', await SimulatedNode.start(client, 'node-a'));
}, 60_000);

afterAll(async () => {
  for (const node of nodes.values()) await node.stop();
  await manager?.stop();
  await client?.close();
  await skiff?.stop();
});

const nodePath = (name: string) => `/api/v1/nodes/${name}`;
const taintKeys = (node: Record<string, any>) =>
  ((node.spec?.taints ?? []) as { key: string; effect: string }[])
    .map((taint) => `${taint.key}:${taint.effect}`)
    .sort();
const podsOf = async (namespace: string, app: string) =>
  (await api.ok('GET', `/api/v1/namespaces/${namespace}/pods?labelSelector=app%3D${app}`)).items as Record<
    string,
    any
  >[];

function deployment(name: string, replicas: number, tolerationSeconds?: number) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 30,
          containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }],
          ...(tolerationSeconds !== undefined
            ? {
                tolerations: ['node.kubernetes.io/unreachable', 'node.kubernetes.io/not-ready'].map(
                  (key) => ({
                    key,
                    operator: 'Exists',
                    effect: 'NoExecute',
                    tolerationSeconds,
                  }),
                ),
              }
            : {}),
        },
      },
    },
  };
}

describe('nodes', () => {
  it('a node whose lease stops is Unknown and tainted unreachable; its pods go after tolerationSeconds and come back elsewhere', async () => {
    await api.ok('POST', '/apis/apps/v1/namespaces/default/deployments', deployment('web', 2, 2));
    const first = await poll(async () => {
      const pods = await podsOf('default', 'web');
      return pods.length === 2 && pods.every((pod) => pod.spec.nodeName === 'node-a' && isReady(pod)) && pods;
    });
    nodes.set('node-b', await SimulatedNode.start(client, 'node-b'));

    nodes.get('node-a')!.kill();
    const dead = await poll(async () => {
      const node = await api.ok('GET', nodePath('node-a'));
      const ready = node.status.conditions.find((condition: { type: string }) => condition.type === 'Ready');
      return ready.status === 'Unknown' && taintKeys(node).length === 2 && node;
    }, 20_000);
    const ready = dead.status.conditions.find((condition: { type: string }) => condition.type === 'Ready');
    expect(ready).toMatchObject({
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
    });
    for (const type of ['MemoryPressure', 'DiskPressure', 'PIDPressure']) {
      expect(
        dead.status.conditions.find((condition: { type: string }) => condition.type === type)?.status,
      ).toBe('Unknown');
    }
    expect(taintKeys(dead)).toEqual([
      'node.kubernetes.io/unreachable:NoExecute',
      'node.kubernetes.io/unreachable:NoSchedule',
    ]);

    // The old pods: marked not ready, then (2 s on) given DisruptionTarget and deleted — they stay
    // Terminating, since no kubelet on node-a confirms it.
    const oldNames = new Set(first.map((pod) => pod.metadata.name));
    await poll(async () => {
      const pods = (await podsOf('default', 'web')).filter((pod) => oldNames.has(pod.metadata.name));
      return (
        pods.length === 2 &&
        pods.every(
          (pod) =>
            pod.metadata.deletionTimestamp &&
            !isReady(pod) &&
            pod.status.conditions.some(
              (condition: Record<string, string>) =>
                condition.type === 'DisruptionTarget' && condition.reason === 'DeletionByTaintManager',
            ),
        )
      );
    }, 20_000);
    // Replacements run on node-b, placed there by the scheduler.
    await poll(async () => {
      const fresh = (await podsOf('default', 'web')).filter((pod) => !oldNames.has(pod.metadata.name));
      return fresh.length === 2 && fresh.every((pod) => pod.spec.nodeName === 'node-b' && isReady(pod));
    }, 20_000);

    // Back: the kubelet posts Ready again, the taints go, and it finishes the pods' deletions.
    await nodes.get('node-a')!.revive();
    await poll(async () => taintKeys(await api.ok('GET', nodePath('node-a'))).length === 0, 20_000);
    await poll(
      async () => (await podsOf('default', 'web')).every((pod) => !oldNames.has(pod.metadata.name)),
      20_000,
    );
  }, 90_000);

  it('kubectl cordon and uncordon set and clear the unschedulable taint', async () => {
    const cordon = await skiff.kubectl(['cordon', 'node-b']);
    expect(cordon.stdout).toContain('node/node-b cordoned');
    await poll(async () => {
      const node = await api.ok('GET', nodePath('node-b'));
      return taintKeys(node).includes('node.kubernetes.io/unschedulable:NoSchedule');
    }, 10_000);

    // With node-b closed, a new Deployment's pods all land on node-a (used by the drain below).
    await api.ok('POST', '/apis/apps/v1/namespaces/default/deployments', deployment('db', 2));
    await poll(async () => {
      const pods = await podsOf('default', 'db');
      return pods.length === 2 && pods.every((pod) => pod.spec.nodeName === 'node-a' && isReady(pod));
    }, 20_000);

    const uncordon = await skiff.kubectl(['uncordon', 'node-b']);
    expect(uncordon.stdout).toContain('node/node-b uncordoned');
    await poll(async () => taintKeys(await api.ok('GET', nodePath('node-b'))).length === 0, 10_000);
  }, 60_000);

  it('kubectl drain waits while a PodDisruptionBudget allows no disruption, and evicts once it does', async () => {
    await api.ok('POST', '/apis/policy/v1/namespaces/default/poddisruptionbudgets', {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'db' },
      spec: { minAvailable: 2, selector: { matchLabels: { app: 'db' } } },
    });
    const budget = await poll(async () => {
      const pdb = await api.ok('GET', '/apis/policy/v1/namespaces/default/poddisruptionbudgets/db');
      return pdb.status?.observedGeneration === 1 && pdb.status.currentHealthy === 2 && pdb;
    }, 10_000);
    expect(budget.status).toMatchObject({ disruptionsAllowed: 0, desiredHealthy: 2, expectedPods: 2 });
    expect(budget.status.conditions).toEqual([
      expect.objectContaining({ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods' }),
    ]);
    const dbPods = new Set((await podsOf('default', 'db')).map((pod) => pod.metadata.name));

    const drain = skiff.kubectl(['drain', 'node-a', '--ignore-daemonsets', '--timeout=80s']);
    // The drain cordons node-a and then keeps being refused: the pods stay.
    await poll(async () => (await api.ok('GET', nodePath('node-a'))).spec.unschedulable === true, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const during = await podsOf('default', 'db');
    expect(
      during.filter((pod) => dbPods.has(pod.metadata.name) && !pod.metadata.deletionTimestamp),
    ).toHaveLength(2);

    // A third replica (on node-b: node-a is cordoned) lets the budget spare one pod at a time.
    await api.ok(
      'PATCH',
      '/apis/apps/v1/namespaces/default/deployments/db',
      { spec: { replicas: 3 } },
      'application/merge-patch+json',
    );
    const result = await drain;
    expect(result.stderr).toContain("Cannot evict pod as it would violate the pod's disruption budget.");
    expect(result.stdout).toContain('node/node-a drained');
    expect(result.code).toBe(0);
    const after = await podsOf('default', 'db');
    expect(after.filter((pod) => pod.spec.nodeName === 'node-a')).toEqual([]);
    expect(after.filter((pod) => isReady(pod))).toHaveLength(3);
  }, 120_000);
});

function isReady(pod: Record<string, any>): boolean {
  return (pod.status?.conditions ?? []).some(
    (condition: Record<string, string>) => condition.type === 'Ready' && condition.status === 'True',
  );
}

const microTime = () => new Date().toISOString().replace('Z', '000Z');
const stamp = () => `${new Date().toISOString().slice(0, 19)}Z`;

/**
 * One simulated node: its Node and Lease, the Lease renewed every second, and a kubelet that reports
 * its pods Running and Ready and confirms their deletions — while alive. `kill` stops all of it;
 * `revive` posts Ready again and resumes.
 */
class SimulatedNode {
  readonly #client: KubeClient;
  readonly #name: string;
  readonly #informers: InformerFactory;
  #alive = true;
  #timer: ReturnType<typeof setInterval> | undefined;
  #chain: Promise<void> = Promise.resolve();

  private constructor(client: KubeClient, name: string) {
    this.#client = client;
    this.#name = name;
    this.#informers = new InformerFactory({ client, onError: () => {} });
    const pods = this.#informers.informerFor<KubeObject>(refFor('Pod'), {
      fieldSelector: `spec.nodeName=${name}`,
    });
    const handle = (pod: KubeObject) => {
      this.#chain = this.#chain.then(() => this.#sync(pod)).catch(() => {});
    };
    pods.addEventHandler({ onAdd: handle, onUpdate: (_old, pod) => handle(pod) });
    this.#resync = () => {
      for (const pod of pods.store.list()) handle(pod);
    };
  }

  readonly #resync: () => void;

  static async start(client: KubeClient, name: string): Promise<SimulatedNode> {
    const node = new SimulatedNode(client, name);
    await client.create(refFor('Node'), {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' } },
    });
    await node.#postReady();
    await client.create(refFor('Lease', 'kube-node-lease'), {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace: 'kube-node-lease' },
      spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime() },
    });
    node.#timer = setInterval(() => void node.#renew(), RENEW_MS);
    node.#informers.start();
    await node.#informers.waitForSync();
    return node;
  }

  kill(): void {
    this.#alive = false;
  }

  async revive(): Promise<void> {
    this.#alive = true;
    await this.#postReady();
    await this.#renew();
    this.#resync();
  }

  async stop(): Promise<void> {
    this.#alive = false;
    clearInterval(this.#timer);
    await this.#informers.stop();
    await this.#chain;
  }

  async #postReady(): Promise<void> {
    await this.#client.patch(
      refFor('Node'),
      this.#name,
      'strategic',
      {
        status: {
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'KubeletReady',
              message: 'kubelet is posting ready status',
              lastHeartbeatTime: stamp(),
              lastTransitionTime: stamp(),
            },
            ...['MemoryPressure', 'DiskPressure', 'PIDPressure'].map((type) => ({
              type,
              status: 'False',
              reason: `KubeletHas${type === 'PIDPressure' ? 'SufficientPID' : type === 'MemoryPressure' ? 'SufficientMemory' : 'NoDiskPressure'}`,
              message: 'simulated',
              lastHeartbeatTime: stamp(),
              lastTransitionTime: stamp(),
            })),
          ],
          capacity: { cpu: '8', memory: '32Gi', pods: '110' },
          allocatable: { cpu: '8', memory: '32Gi', pods: '110' },
        },
      },
      { subresource: 'status' },
    );
  }

  async #renew(): Promise<void> {
    if (!this.#alive) return;
    try {
      await this.#client.patch(refFor('Lease', 'kube-node-lease'), this.#name, 'merge', {
        spec: { renewTime: microTime() },
      });
    } catch (error) {
      if (!isStatusError(error)) throw error;
    }
  }

  async #sync(pod: KubeObject): Promise<void> {
    if (!this.#alive) return;
    const ref = refFor('Pod', pod.metadata?.namespace);
    const name = pod.metadata?.name ?? '';
    if (pod.metadata?.deletionTimestamp) {
      await this.#client.delete(ref, name, {
        gracePeriodSeconds: 0,
        preconditions: { uid: pod.metadata.uid ?? '' },
      });
      return;
    }
    const status = pod.status as { phase?: string } | undefined;
    if (status?.phase === 'Running') return;
    const condition = (type: string) => ({
      type,
      status: 'True',
      lastProbeTime: null,
      lastTransitionTime: stamp(),
    });
    await this.#client.patch(
      ref,
      name,
      'merge',
      {
        status: {
          phase: 'Running',
          startTime: stamp(),
          podIP: '10.244.0.10',
          conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map(condition),
        },
      },
      { subresource: 'status' },
    );
  }
}
