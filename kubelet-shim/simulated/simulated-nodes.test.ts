import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { KubeObject } from '../../api/resource.js';
import { HttpClient } from '../../client/http-client.js';
import { refFor } from '../../client/refs.js';
import { startSkiff, type TestSkiff } from '../../conformance/harness.js';
import type { Lease, Node } from '../node-status.js';
import type { Pod } from '../pod-types.js';
import { type SimulatedNodes, startSimulatedNodes } from './simulated-nodes.js';

let skiff: TestSkiff;
let client: HttpClient;
let simulated: SimulatedNodes | undefined;
const errors: unknown[] = [];

/** Polls until `check` holds (the simulator and controllers run on real time); fails after 30 s. */
async function until<T>(check: () => Promise<T | undefined | false>, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const pods = refFor('Pod', 'default');
const listPods = async (labelSelector: string) => (await client.list<Pod>(pods, { labelSelector })).items;
const isReady = (pod: Pod) =>
  pod.status?.phase === 'Running' &&
  pod.status.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True');

beforeAll(async () => {
  skiff = await startSkiff({ controllers: true });
  client = new HttpClient({ connection: { server: skiff.url, namespace: 'default' } });
  simulated = await startSimulatedNodes({
    client,
    count: 3,
    namePrefix: 'sim-',
    onError: (e) => errors.push(e),
  });
}, 60_000);

afterAll(async () => {
  await simulated?.stop();
  await client?.close();
  await skiff?.stop();
});

describe('simulated nodes in a real Skiff', () => {
  test('three nodes register Ready, each with its own Lease', async () => {
    const nodes = (await client.list<Node>(refFor('Node'))).items;
    expect(nodes.map((node) => node.metadata?.name).sort()).toEqual(['sim-0', 'sim-1', 'sim-2']);
    for (const node of nodes) {
      expect(node.status?.conditions?.find((condition) => condition.type === 'Ready')?.status).toBe('True');
      expect(node.status?.addresses?.[0]?.type).toBe('InternalIP');
      expect(node.metadata?.labels?.['kubernetes.io/hostname']).toBe(node.metadata?.name);
      const lease = await client.get<Lease>(refFor('Lease', 'kube-node-lease'), node.metadata!.name!);
      expect(lease.spec?.holderIdentity).toBe(node.metadata?.name);
      expect(lease.metadata?.ownerReferences?.[0]?.uid).toBe(node.metadata?.uid);
    }
    const table = await skiff.kubectl(['get', 'nodes', '--no-headers']);
    expect(table.stdout.split('\n').filter((line) => / Ready /.test(line))).toHaveLength(3);
  });

  test('a node whose runtime is not ready reports Ready False at once, and True again after', async () => {
    const ready = async () =>
      (await client.get<Node>(refFor('Node'), 'sim-1')).status?.conditions?.find((c) => c.type === 'Ready');
    await simulated!.setNodeReady('sim-1', { ready: false, message: 'container runtime is down' });
    expect(await ready()).toMatchObject({
      status: 'False',
      reason: 'KubeletNotReady',
      message: 'container runtime is down',
    });
    await simulated!.setNodeReady('sim-1', { ready: true });
    expect(await ready()).toMatchObject({ status: 'True', reason: 'KubeletReady' });
  });

  test('a Deployment of 6 gets 6 Running, Ready pods spread over the nodes by the scheduler', async () => {
    await client.create(refFor('Deployment', 'default'), {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 6,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
        },
      },
    } as KubeObject);
    const running = await until(async () => {
      const items = await listPods('app=web');
      return items.length === 6 && items.every(isReady) && items;
    }, '6 ready pods');
    const byNode = new Map<string, Pod[]>();
    for (const pod of running)
      byNode.set(pod.spec.nodeName!, [...(byNode.get(pod.spec.nodeName!) ?? []), pod]);
    expect([...byNode.keys()].sort()).toEqual(['sim-0', 'sim-1', 'sim-2']);
    const nodes = new Map(
      (await client.list<Node>(refFor('Node'))).items.map((node) => [
        node.metadata?.name,
        node.status?.addresses?.[0]?.address,
      ]),
    );
    for (const pod of running) {
      const index = Number(pod.spec.nodeName!.slice('sim-'.length));
      expect(pod.status?.hostIP).toBe(nodes.get(pod.spec.nodeName));
      expect(pod.status?.podIP).toMatch(new RegExp(`^10\\.244\\.${index}\\.\\d+$`));
      expect(pod.status?.startTime).toBeDefined();
      expect(
        pod.status?.conditions?.map((condition) => `${condition.type}=${condition.status}`).sort(),
      ).toEqual([
        'ContainersReady=True',
        'Initialized=True',
        'PodReadyToStartContainers=True',
        'PodScheduled=True',
        'Ready=True',
      ]);
      expect(pod.status?.containerStatuses).toEqual([
        expect.objectContaining({
          name: 'web',
          image: 'nginx:1.27',
          imageID: 'sim://nginx:1.27',
          containerID: `sim://${pod.metadata?.uid}-web`,
          ready: true,
          started: true,
          restartCount: 0,
          state: { running: { startedAt: expect.any(String) } },
        }),
      ]);
    }
    expect(new Set(running.map((pod) => pod.status?.podIP)).size).toBe(6);
    await until(async () => {
      const deployment = await client.get<KubeObject & { status?: { availableReplicas?: number } }>(
        refFor('Deployment', 'default'),
        'web',
      );
      return deployment.status?.availableReplicas === 6;
    }, 'the Deployment to be available');
  }, 40_000);

  test('deleting a pod removes it, and its replacement runs', async () => {
    const [victim] = await listPods('app=web');
    await client.delete(pods, victim!.metadata!.name!);
    await until(
      async () => !(await listPods('app=web')).some((pod) => pod.metadata?.uid === victim!.metadata?.uid),
      'the pod to be gone',
    );
    await until(async () => {
      const items = await listPods('app=web');
      return items.length === 6 && items.every(isReady);
    }, 'a ready replacement');
  }, 40_000);

  test('a Job with completions 2 completes', async () => {
    const jobs = refFor('Job', 'default');
    await client.create(jobs, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'twice' },
      spec: {
        completions: 2,
        parallelism: 1,
        template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36' }] } },
      },
    } as KubeObject);
    const job = await until(async () => {
      const current = await client.get<
        KubeObject & { status?: { succeeded?: number; conditions?: { type: string; status: string }[] } }
      >(jobs, 'twice');
      return current.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') && current;
    }, 'the Job to complete');
    expect(job.status?.succeeded).toBe(2);
    const finished = await listPods('job-name=twice');
    expect(finished.map((pod) => pod.status?.phase)).toEqual(['Succeeded', 'Succeeded']);
    expect(finished[0]?.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({
      exitCode: 0,
      reason: 'Completed',
    });
  }, 40_000);

  test('a restarted simulator adopts its nodes and pods without moving them again', async () => {
    const before = await listPods('app=web');
    await simulated!.stop();
    simulated = await startSimulatedNodes({
      client,
      count: 3,
      namePrefix: 'sim-',
      onError: (e) => errors.push(e),
    });
    // A new pod still runs, with an address no live pod has.
    await client.create(pods, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'after-restart' },
      spec: { nodeName: before[0]!.spec.nodeName, containers: [{ name: 'c', image: 'busybox:1.36' }] },
    } as KubeObject);
    const fresh = await until(async () => {
      const pod = await client.get<Pod>(pods, 'after-restart');
      return isReady(pod) && pod;
    }, 'the new pod to run');
    expect(before.map((pod) => pod.status?.podIP)).not.toContain(fresh.status?.podIP);
    const after = await listPods('app=web');
    expect(after.map((pod) => pod.metadata?.resourceVersion).sort()).toEqual(
      before.map((pod) => pod.metadata?.resourceVersion).sort(),
    );
    expect(simulated.transitions).toBe(1);
    expect(errors).toEqual([]);
  }, 40_000);
});
