import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/resource.js';
import { resources } from '../api/resources/index.js';
import { createInProcessClient } from '../apiserver/in-process-client.js';
import { type ApiServer, createApiServer } from '../apiserver/server.js';
import type { HttpClient } from '../client/http-client.js';
import { refFor } from '../client/refs.js';
import { openMemoryStore } from '../store/memory.js';
import type { Store } from '../store/types.js';
import { type RunningControllerManager, startControllerManager } from './manager.js';
import type { Pod, ReplicatedSet } from './replicaset.js';
import { replicaSetController } from './replicaset.js';
import { replicationControllerController } from './replication-controller.js';

/**
 * The controllers against a real API server (in process, over a memory store), run by the controller
 * manager. Nothing runs pods: the test marks them ready itself, as a kubelet would.
 */
let store: Store;
let server: ApiServer;
let client: HttpClient;
let manager: RunningControllerManager | undefined;
const logs: string[] = [];

beforeAll(async () => {
  store = await openMemoryStore();
  server = await createApiServer({ store, resources });
  client = createInProcessClient(server);
});
afterEach(async () => {
  await manager?.stop();
  manager = undefined;
});
afterAll(async () => {
  await client?.close();
  await server?.close();
  await store?.close();
});

/** Retries `check` until it stops throwing, or fails with its last error after `deadlineMs`. */
async function eventually<T>(check: () => Promise<T>, deadlineMs = 10_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

function run(...controllers: Parameters<typeof startControllerManager>[0]['controllers']): void {
  manager = startControllerManager({ client, controllers, log: (message) => logs.push(message) });
}

const podsRef = (namespace: string) => refFor('Pod', namespace);

async function podsOf(namespace: string, labelSelector: string): Promise<Pod[]> {
  return (await client.list<Pod>(podsRef(namespace), { labelSelector })).items;
}

async function createNamespace(name: string): Promise<void> {
  await client.create(refFor('Namespace'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

function template(labels: Record<string, string>) {
  return { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } };
}

const now = () => `${new Date().toISOString().slice(0, 19)}Z`;

/** What a kubelet would write once the pod's containers pass their readiness probes. */
async function markReady(pod: Pod): Promise<void> {
  await client.patch(
    podsRef(pod.metadata!.namespace!),
    pod.metadata!.name!,
    'merge',
    {
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now() }],
      },
    },
    { subresource: 'status' },
  );
}

describe('the ReplicaSet controller, through the API server', () => {
  it('keeps the pods a ReplicaSet asks for: creates, replaces, scales down, and reports them ready', async () => {
    await createNamespace('shop');
    run(replicaSetController);
    const setsRef = refFor('ReplicaSet', 'shop');
    const created = await client.create<ReplicatedSet>(setsRef, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web' },
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) },
    });
    const reference = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      name: 'web',
      uid: created.metadata!.uid!,
      controller: true,
      blockOwnerDeletion: true,
    };

    // Three pods owned by the set appear.
    const first = await eventually(async () => {
      const pods = await podsOf('shop', 'app=web');
      expect(pods).toHaveLength(3);
      return pods;
    });
    for (const pod of first) {
      expect(pod.metadata?.name).toMatch(/^web-[a-z0-9]{5}$/);
      expect(pod.metadata?.ownerReferences).toEqual([reference]);
    }

    // One deleted is replaced.
    const victim = first[0]!.metadata!.name!;
    await client.delete(podsRef('shop'), victim);
    const replaced = await eventually(async () => {
      const pods = await podsOf('shop', 'app=web');
      expect(pods.map((pod) => pod.metadata?.name)).not.toContain(victim);
      expect(pods).toHaveLength(3);
      return pods;
    });

    // Scaled to 1 through the scale subresource: two go.
    await client.patch(setsRef, 'web', 'merge', { spec: { replicas: 1 } }, { subresource: 'scale' });
    const [survivor] = await eventually(async () => {
      const pods = await podsOf('shop', 'app=web');
      expect(pods).toHaveLength(1);
      return pods;
    });
    expect(replaced.map((pod) => pod.metadata?.name)).toContain(survivor?.metadata?.name);

    // The test plays kubelet: the survivor becomes ready, and the status follows.
    await markReady(survivor!);
    const set = await eventually(async () => {
      const current = await client.get<ReplicatedSet>(setsRef, 'web');
      expect(current.status).toMatchObject({
        replicas: 1,
        fullyLabeledReplicas: 1,
        readyReplicas: 1,
        availableReplicas: 1,
        observedGeneration: current.metadata?.generation,
      });
      return current;
    });
    expect(set.metadata?.generation).toBe(2);

    // Every pod made and removed was announced as upstream announces it.
    const events = await eventually(async () => {
      const list = await client.list(refFor('Event', 'shop'), { fieldSelector: 'involvedObject.name=web' });
      const byReason = (reason: string) => list.items.filter((event) => event.reason === reason);
      expect(byReason('SuccessfulCreate')).toHaveLength(4);
      expect(byReason('SuccessfulDelete')).toHaveLength(2);
      return list.items;
    });
    expect(events.find((event) => event.reason === 'SuccessfulCreate')).toMatchObject({
      type: 'Normal',
      message: expect.stringMatching(/^Created pod: web-[a-z0-9]{5}$/),
      involvedObject: { kind: 'ReplicaSet', apiVersion: 'apps/v1', name: 'web', namespace: 'shop' },
      source: { component: 'replicaset-controller' },
    });
  });

  it('adopts a matching orphan and releases a pod relabelled out of the set', async () => {
    await createNamespace('adopt');
    const orphan = await client.create<Pod>(podsRef('adopt'), {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'orphan', labels: { app: 'api' } },
      spec: { containers: [{ name: 'api', image: 'nginx:1.27' }] },
    });
    run(replicaSetController);
    const setsRef = refFor('ReplicaSet', 'adopt');
    const created = await client.create<ReplicatedSet>(setsRef, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'api' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'api' } }, template: template({ app: 'api' }) },
    });
    const uid = created.metadata!.uid!;

    await eventually(async () => {
      const pods = await podsOf('adopt', 'app=api');
      expect(pods).toHaveLength(2);
      expect(pods.every((pod) => pod.metadata?.ownerReferences?.[0]?.uid === uid)).toBe(true);
      expect(pods.map((pod) => pod.metadata?.uid)).toContain(orphan.metadata?.uid);
    });

    // Relabelled out of the selector: released (the reference removed), and replaced.
    await client.patch(podsRef('adopt'), 'orphan', 'merge', { metadata: { labels: { app: 'debug' } } });
    await eventually(async () => {
      const released = await client.get<Pod>(podsRef('adopt'), 'orphan');
      expect(released.metadata?.ownerReferences ?? []).toEqual([]);
      expect(await podsOf('adopt', 'app=api')).toHaveLength(2);
    });
  });

  it('counts a pod available only once it has been ready for minReadySeconds', async () => {
    await createNamespace('slow');
    run(replicaSetController);
    const setsRef = refFor('ReplicaSet', 'slow');
    await client.create<ReplicatedSet>(setsRef, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web' },
      spec: {
        replicas: 1,
        minReadySeconds: 1,
        selector: { matchLabels: { app: 'web' } },
        template: template({ app: 'web' }),
      },
    });
    const [pod] = await eventually(async () => {
      const pods = await podsOf('slow', 'app=web');
      expect(pods).toHaveLength(1);
      return pods;
    });
    await markReady(pod!);
    await eventually(async () => {
      const set = await client.get<ReplicatedSet>(setsRef, 'web');
      expect(set.status).toMatchObject({ readyReplicas: 1 });
      expect(set.status?.availableReplicas ?? 0).toBe(0);
    });
    // Nothing changes in the cluster now: only the controller's own requeue can notice the time pass.
    await eventually(async () => {
      const set = await client.get<ReplicatedSet>(setsRef, 'web');
      expect(set.status).toMatchObject({ readyReplicas: 1, availableReplicas: 1 });
    });
  });
});

describe('the ReplicationController controller, through the API server', () => {
  it('keeps a ReplicationController’s pods, owned by it', async () => {
    await createNamespace('legacy');
    run(replicationControllerController);
    const controllersRef = refFor('ReplicationController', 'legacy');
    const created = await client.create<KubeObject>(controllersRef, {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'web' },
      spec: { replicas: 2, selector: { app: 'web' }, template: template({ app: 'web' }) },
    });
    const pods = await eventually(async () => {
      const items = await podsOf('legacy', 'app=web');
      expect(items).toHaveLength(2);
      return items;
    });
    for (const pod of pods) {
      expect(pod.metadata?.ownerReferences).toEqual([
        {
          apiVersion: 'v1',
          kind: 'ReplicationController',
          name: 'web',
          uid: created.metadata!.uid!,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
    }
    for (const pod of pods) await markReady(pod);
    await eventually(async () => {
      const current = await client.get<ReplicatedSet>(controllersRef, 'web');
      expect(current.status).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 2 });
    });
  });
});
