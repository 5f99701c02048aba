import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resources } from '../api/resources/index.js';
import { createInProcessClient } from '../apiserver/in-process-client.js';
import { type ApiServer, createApiServer } from '../apiserver/server.js';
import type { HttpClient } from '../client/http-client.js';
import { refFor } from '../client/refs.js';
import { openMemoryStore } from '../store/memory.js';
import type { Store } from '../store/types.js';
import type { ReplicaSet } from './deployment/util.js';
import { type Deployment, deploymentController } from './deployment.js';
import { type RunningControllerManager, startControllerManager } from './manager.js';
import { type Pod, replicaSetController } from './replicaset.js';

/**
 * The Deployment and ReplicaSet controllers against a real API server (in process, over a memory
 * store), run by the controller manager. The test plays kubelet: it marks pods ready.
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
async function eventually<T>(check: () => Promise<T>, deadlineMs = 15_000): Promise<T> {
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

const now = () => `${new Date().toISOString().slice(0, 19)}Z`;

/** What a kubelet writes once every container passes its readiness probe. */
async function markReady(pod: Pod): Promise<void> {
  await client.patch(
    refFor('Pod', pod.metadata!.namespace!),
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

/** Plays kubelet until `done` holds: every live pod not yet ready is made ready. */
async function readyPodsUntil<T>(namespace: string, done: () => Promise<T>): Promise<T> {
  return eventually(async () => {
    const pods = (await client.list<Pod>(refFor('Pod', namespace))).items;
    for (const pod of pods) {
      if (pod.metadata?.deletionTimestamp) continue;
      const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      if (!ready) await markReady(pod).catch(() => undefined);
    }
    return done();
  }, 30_000);
}

describe('the Deployment controller, through the API server', () => {
  it('rolls a deployment of 3 out to a new image completely, the old ReplicaSet left at 0', async () => {
    await client.create(refFor('Namespace'), {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'roll' },
    });
    manager = startControllerManager({
      client,
      controllers: [deploymentController, replicaSetController],
      log: (message) => logs.push(message),
    });
    const deploymentsRef = refFor('Deployment', 'roll');
    const setsRef = refFor('ReplicaSet', 'roll');
    const container = (image: string) => ({ containers: [{ name: 'web', image }] });
    await client.create<Deployment>(deploymentsRef, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: container('nginx:1.26') },
      },
    });

    const first = await readyPodsUntil('roll', async () => {
      const current = await client.get<Deployment>(deploymentsRef, 'web');
      expect(current.status).toMatchObject({ updatedReplicas: 3, availableReplicas: 3, readyReplicas: 3 });
      const sets = (await client.list<ReplicaSet>(setsRef)).items;
      expect(sets).toHaveLength(1);
      return sets[0]!;
    });
    expect(first.metadata?.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(first.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('1');

    // A new image: a second set takes over completely.
    await client.patch(deploymentsRef, 'web', 'merge', {
      spec: { template: { spec: container('nginx:1.27') } },
    });
    const done = await readyPodsUntil('roll', async () => {
      const current = await client.get<Deployment>(deploymentsRef, 'web');
      expect(current.status).toMatchObject({
        observedGeneration: 2,
        replicas: 3,
        updatedReplicas: 3,
        availableReplicas: 3,
      });
      const sets = (await client.list<ReplicaSet>(setsRef)).items;
      const old = sets.find((set) => set.metadata?.name === first.metadata?.name);
      expect(old?.spec?.replicas).toBe(0);
      expect(old?.status?.replicas ?? 0).toBe(0);
      return current;
    });
    expect(done.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    expect(done.status?.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'NewReplicaSetAvailable',
    });
    expect(done.status?.conditions?.find((c) => c.type === 'Available')).toMatchObject({
      status: 'True',
      reason: 'MinimumReplicasAvailable',
    });
    const pods = (await client.list<Pod>(refFor('Pod', 'roll'))).items.filter(
      (pod) => !pod.metadata?.deletionTimestamp,
    );
    expect(pods.map((pod) => (pod.spec as { containers: { image: string }[] }).containers[0]!.image)).toEqual(
      ['nginx:1.27', 'nginx:1.27', 'nginx:1.27'],
    );

    const events = await eventually(async () => {
      const list = await client.list(refFor('Event', 'roll'), { fieldSelector: 'involvedObject.name=web' });
      const scaling = list.items.filter((event) => event.reason === 'ScalingReplicaSet');
      expect(scaling.length).toBeGreaterThanOrEqual(2);
      return scaling;
    });
    expect(events[0]).toMatchObject({
      type: 'Normal',
      message: `Scaled up replica set ${first.metadata?.name} from 0 to 3`,
      involvedObject: { kind: 'Deployment', name: 'web', namespace: 'roll' },
      source: { component: 'deployment-controller' },
    });
  }, 60_000);
});
