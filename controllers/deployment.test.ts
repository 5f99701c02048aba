import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/resource.js';
import { InformerFactory } from '../client/informer-factory.js';
import { refFor } from '../client/refs.js';
import { FakeClock, settle } from '../client/testing/fake-clock.js';
import { MemoryClient } from '../client/testing/memory-client.js';
import { RecordingClient } from '../client/testing/recording-client.js';
import { computeHash, type PodTemplate, type ReplicaSet } from './deployment/util.js';
import { type Deployment, DeploymentController } from './deployment.js';
import type { ControllerContext } from './framework.js';

/**
 * The controller over a memory client: its writes land, and the informers see them as a watch
 * would. Nothing runs pods: the test plays the ReplicaSet controller by writing each set's status.
 */
const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const deploymentsRef = refFor('Deployment', 'default');
const setsRef = refFor('ReplicaSet', 'default');

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

function template(image: string): PodTemplate {
  return { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } };
}

interface DeploymentOptions {
  replicas?: number;
  strategy?: Deployment['spec'] extends infer S ? (S extends { strategy?: infer T } ? T : never) : never;
  image?: string;
  revisionHistoryLimit?: number;
  progressDeadlineSeconds?: number;
  paused?: boolean;
  annotations?: Record<string, string>;
}

function deployment(options: DeploymentOptions = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'default',
      generation: 1,
      ...(options.annotations ? { annotations: options.annotations } : {}),
    },
    spec: {
      replicas: options.replicas ?? 3,
      selector: { matchLabels: { app: 'web' } },
      template: template(options.image ?? 'nginx:1.26'),
      strategy: options.strategy ?? {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
      },
      revisionHistoryLimit: options.revisionHistoryLimit ?? 10,
      progressDeadlineSeconds: options.progressDeadlineSeconds ?? 600,
      ...(options.paused ? { paused: true } : {}),
    },
  };
}

async function setup(objects: KubeObject[] = [deployment()]) {
  const clock = new FakeClock(NOW);
  const memory = new MemoryClient({ clock });
  for (const object of objects) await memory.create(refFor(object.kind!, 'default'), object);
  const client = new RecordingClient(memory, clock);
  const informers = new InformerFactory({ client, clock });
  const errors: unknown[] = [];
  const context: ControllerContext = {
    client,
    informers,
    clock,
    onError: (_controller, _key, error) => errors.push(error),
  };
  const controller = new DeploymentController({ context });
  informers.start();
  await informers.waitForSync();
  stops.push(() => informers.stop());

  const isEvent = (summary: string) =>
    summary.startsWith('create events') || summary.startsWith('patch events');
  const fixture = {
    clock,
    memory,
    client,
    controller,
    errors,
    /** One reconcile of default/web once the caches have caught up; returns the writes it made. */
    async reconcile() {
      await settle();
      client.writes.length = 0;
      const result = await controller.reconcile('default/web');
      await settle();
      return result;
    },
    get writes(): string[] {
      return client.writes.map((write) => write.summary).filter((summary) => !isEvent(summary));
    },
    get events(): string[] {
      return client.writes
        .filter((write) => write.summary.startsWith('create events'))
        .map((write) => {
          const event = write.body as { type: string; reason: string; message: string };
          return `${event.type} ${event.reason} ${event.message}`;
        });
    },
    body(index: number) {
      return client.writes.filter((write) => !isEvent(write.summary))[index]?.body;
    },
    async deployment() {
      return memory.get<Deployment>(deploymentsRef, 'web');
    },
    async sets(): Promise<ReplicaSet[]> {
      return (await memory.list<ReplicaSet>(setsRef)).items;
    },
    /** The sizes of the sets, oldest first: `web-abc=3`. */
    async sizes(): Promise<string[]> {
      const sets = await fixture.sets();
      sets.sort((a, b) => revision(a) - revision(b));
      return sets.map((set) => `${set.metadata?.name}=${set.spec?.replicas}`);
    },
    /** Plays the ReplicaSet controller and kubelet: every set has its pods, `available` of them ready. */
    async observe(available: (set: ReplicaSet) => number = (set) => set.spec?.replicas ?? 0) {
      for (const set of await fixture.sets()) {
        const replicas = set.spec?.replicas ?? 0;
        const ready = Math.min(replicas, available(set));
        await memory.update(setsRef, {
          ...set,
          status: {
            replicas,
            ...(ready > 0 ? { readyReplicas: ready, availableReplicas: ready } : {}),
            observedGeneration: set.metadata?.generation ?? 0,
          },
        });
      }
      await settle();
    },
    /** What a user's `kubectl set image` does: a new template, a new generation. */
    async setImage(image: string) {
      const current = await fixture.deployment();
      await memory.update(deploymentsRef, {
        ...current,
        metadata: { ...current.metadata, generation: (current.metadata?.generation ?? 1) + 1 },
        spec: { ...current.spec, template: template(image) },
      });
      await clock.advance(1000);
    },
  };
  return fixture;
}

const revision = (set: ReplicaSet) =>
  Number(set.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
const hashOf = (image: string) => computeHash(template(image));

describe('the Deployment controller', () => {
  it('makes the first ReplicaSet: named by the template hash, labelled, owned, annotated, at full size', async () => {
    const cluster = await setup([deployment({ annotations: { 'kubernetes.io/change-cause': 'first' } })]);
    const hash = hashOf('nginx:1.26');
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);

    await cluster.reconcile();

    expect(cluster.writes).toEqual([
      `create replicasets.apps/web-${hash} -n default`,
      'patch deployments.apps/web -n default',
      'update deployments.apps/web/status -n default',
      'update deployments.apps/web/status -n default',
    ]);
    const { uid } = (await cluster.deployment()).metadata!;
    expect(cluster.body(0)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `web-${hash}`,
        namespace: 'default',
        labels: { app: 'web', 'pod-template-hash': hash },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: 'web',
            uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
        annotations: {
          'kubernetes.io/change-cause': 'first',
          'deployment.kubernetes.io/revision': '1',
          'deployment.kubernetes.io/desired-replicas': '3',
          'deployment.kubernetes.io/max-replicas': '4',
        },
      },
      spec: {
        replicas: 3,
        minReadySeconds: 0,
        selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } },
        template: {
          metadata: { labels: { app: 'web', 'pod-template-hash': hash } },
          spec: { containers: [{ name: 'web', image: 'nginx:1.26' }] },
        },
      },
    });
    expect(cluster.body(1)).toEqual({
      metadata: { annotations: { 'deployment.kubernetes.io/revision': '1' } },
    });
    expect(cluster.events).toEqual([
      `Normal ScalingReplicaSet Scaled up replica set web-${hash} from 0 to 3`,
    ]);

    const stored = await cluster.deployment();
    expect(stored.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    expect(stored.status).toEqual({
      observedGeneration: 1,
      unavailableReplicas: 3,
      conditions: [
        {
          type: 'Progressing',
          status: 'True',
          lastUpdateTime: '2025-01-01T12:00:00Z',
          lastTransitionTime: '2025-01-01T12:00:00Z',
          reason: 'NewReplicaSetCreated',
          message: `Created new replica set "web-${hash}"`,
        },
        {
          type: 'Available',
          status: 'False',
          lastUpdateTime: '2025-01-01T12:00:00Z',
          lastTransitionTime: '2025-01-01T12:00:00Z',
          reason: 'MinimumReplicasUnavailable',
          message: 'Deployment does not have minimum availability.',
        },
      ],
    });

    // The pods come up: the rollout is complete, and a second reconcile has nothing to write.
    await cluster.observe();
    await cluster.clock.advance(5000);
    await cluster.reconcile();
    expect(cluster.writes).toEqual(['update deployments.apps/web/status -n default']);
    const complete = await cluster.deployment();
    expect(complete.status).toMatchObject({
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
    });
    expect(complete.status?.unavailableReplicas).toBeUndefined();
    expect(complete.status?.conditions?.map((c) => [c.type, c.status, c.reason, c.message])).toEqual([
      // A condition that changes moves to the end, as upstream's SetDeploymentCondition does.
      ['Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'],
      [
        'Progressing',
        'True',
        'NewReplicaSetAvailable',
        `ReplicaSet "web-${hash}" has successfully progressed.`,
      ],
    ]);
    await cluster.reconcile();
    expect(cluster.writes).toEqual([]);
    expect(cluster.errors).toEqual([]);
  });

  it('rolls a new template out one surge at a time, scaling the old set down as new pods become available', async () => {
    const cluster = await setup([
      deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }),
    ]);
    await cluster.reconcile();
    await cluster.observe();
    await cluster.reconcile();
    const old = `web-${hashOf('nginx:1.26')}`;
    const next = `web-${hashOf('nginx:1.27')}`;

    await cluster.setImage('nginx:1.27');
    await cluster.reconcile();
    expect(cluster.writes).toEqual([
      `create replicasets.apps/${next} -n default`,
      'patch deployments.apps/web -n default',
      'update deployments.apps/web/status -n default',
      'update deployments.apps/web/status -n default',
    ]);
    expect(cluster.body(0)).toMatchObject({
      metadata: {
        annotations: {
          'deployment.kubernetes.io/revision': '2',
          'deployment.kubernetes.io/desired-replicas': '3',
          'deployment.kubernetes.io/max-replicas': '4',
        },
      },
      spec: { replicas: 1 },
    });
    expect(await cluster.sizes()).toEqual([`${old}=3`, `${next}=1`]);

    // Nothing moves until the new pod is available (maxUnavailable 0).
    await cluster.observe((set) => (set.metadata?.name === next ? 0 : 3));
    await cluster.reconcile();
    expect(cluster.writes.filter((write) => write.includes('replicasets'))).toEqual([]);

    // Then, each time the pods catch up, one step: down, up, down, up, down.
    const steps: string[][] = [];
    for (let step = 0; step < 5; step++) {
      await cluster.observe();
      await cluster.reconcile();
      steps.push(await cluster.sizes());
    }
    expect(steps).toEqual([
      [`${old}=2`, `${next}=1`],
      [`${old}=2`, `${next}=2`],
      [`${old}=1`, `${next}=2`],
      [`${old}=1`, `${next}=3`],
      [`${old}=0`, `${next}=3`],
    ]);
    await cluster.observe();
    await cluster.reconcile();
    const done = await cluster.deployment();
    expect(done.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    expect(done.status).toMatchObject({
      replicas: 3,
      updatedReplicas: 3,
      availableReplicas: 3,
      observedGeneration: 2,
    });
    expect(done.status?.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({
      reason: 'NewReplicaSetAvailable',
      message: `ReplicaSet "${next}" has successfully progressed.`,
    });
    expect(cluster.errors).toEqual([]);
  });

  it('resolves percentages as upstream: 25% of 10 surges 3 (rounded up) and leaves 2 unavailable (rounded down)', async () => {
    const cluster = await setup([deployment({ replicas: 10 })]);
    await cluster.reconcile();
    await cluster.observe();
    await cluster.reconcile();
    await cluster.setImage('nginx:1.27');
    await cluster.reconcile();
    const old = `web-${hashOf('nginx:1.26')}`;
    const next = `web-${hashOf('nginx:1.27')}`;
    expect(await cluster.sizes()).toEqual([`${old}=8`, `${next}=3`]);
    expect(cluster.events).toEqual([
      `Normal ScalingReplicaSet Scaled up replica set ${next} from 0 to 3`,
      `Normal ScalingReplicaSet Scaled down replica set ${old} to 8 from 10`,
    ]);
    const sets = await cluster.sets();
    expect(sets.map((set) => set.metadata?.annotations?.['deployment.kubernetes.io/max-replicas'])).toEqual([
      '13',
      '13',
    ]);
  });

  it('Recreate scales the old set to 0 and makes the new one only once the old pods are gone', async () => {
    const cluster = await setup([deployment({ strategy: { type: 'Recreate' } })]);
    await cluster.reconcile();
    await cluster.observe();
    await cluster.reconcile();
    const old = `web-${hashOf('nginx:1.26')}`;
    const next = `web-${hashOf('nginx:1.27')}`;

    await cluster.setImage('nginx:1.27');
    await cluster.reconcile();
    expect(cluster.writes).toEqual([
      `update replicasets.apps/${old} -n default`,
      'update deployments.apps/web/status -n default',
    ]);
    expect(cluster.events).toEqual([`Normal ScalingReplicaSet Scaled down replica set ${old} to 0 from 3`]);

    // The old set still reports its pods: nothing new yet.
    await cluster.reconcile();
    expect(cluster.writes.filter((write) => write.includes('replicasets'))).toEqual([]);

    await cluster.observe();
    await cluster.reconcile();
    expect(cluster.writes[0]).toBe(`create replicasets.apps/${next} -n default`);
    expect(await cluster.sizes()).toEqual([`${old}=0`, `${next}=3`]);
    expect(cluster.events).toEqual([`Normal ScalingReplicaSet Scaled up replica set ${next} from 0 to 3`]);
  });

  it('deletes the oldest empty old sets beyond revisionHistoryLimit once the rollout is complete', async () => {
    const cluster = await setup([deployment({ revisionHistoryLimit: 1 })]);
    for (const image of ['nginx:1.26', 'nginx:1.27', 'nginx:1.28']) {
      if (image !== 'nginx:1.26') await cluster.setImage(image);
      for (let round = 0; round < 8; round++) {
        await cluster.reconcile();
        await cluster.observe();
      }
    }
    const names = (await cluster.sets()).map((set) => set.metadata?.name).sort();
    expect(names).toEqual([`web-${hashOf('nginx:1.27')}`, `web-${hashOf('nginx:1.28')}`].sort());
    expect(await cluster.sizes()).toEqual([`web-${hashOf('nginx:1.27')}=0`, `web-${hashOf('nginx:1.28')}=3`]);
    expect(cluster.errors).toEqual([]);
  });

  it('a paused deployment rolls nothing out but says so, and rolls out once resumed', async () => {
    const cluster = await setup([deployment()]);
    await cluster.reconcile();
    await cluster.observe();
    await cluster.reconcile();
    const current = await cluster.deployment();
    await cluster.memory.update(deploymentsRef, {
      ...current,
      metadata: { ...current.metadata, generation: 2 },
      spec: { ...current.spec, paused: true, template: template('nginx:1.27') },
    });
    await cluster.reconcile();
    // The paused condition, then the status of the new generation: no ReplicaSet is touched.
    expect(cluster.writes).toEqual([
      'update deployments.apps/web/status -n default',
      'update deployments.apps/web/status -n default',
    ]);
    const paused = await cluster.deployment();
    expect(paused.status?.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({
      status: 'Unknown',
      reason: 'DeploymentPaused',
      message: 'Deployment is paused',
    });
    expect(paused.status?.observedGeneration).toBe(2);
    expect(await cluster.sets()).toHaveLength(1);

    await cluster.memory.update(deploymentsRef, {
      ...paused,
      metadata: { ...paused.metadata, generation: 3 },
      spec: { ...paused.spec, paused: false },
    });
    await cluster.reconcile();
    expect(cluster.writes[0]).toBe('update deployments.apps/web/status -n default');
    expect(cluster.body(0)).toMatchObject({
      status: {
        conditions: expect.arrayContaining([expect.objectContaining({ reason: 'DeploymentResumed' })]),
      },
    });
    expect(cluster.writes).toContain(`create replicasets.apps/web-${hashOf('nginx:1.27')} -n default`);
  });

  it('reports ProgressDeadlineExceeded when the new set makes no progress for progressDeadlineSeconds', async () => {
    const cluster = await setup([deployment({ progressDeadlineSeconds: 60 })]);
    await cluster.reconcile();
    // The pods appear but never become ready: that is progress once, then none.
    await cluster.observe(() => 0);
    await cluster.reconcile();
    expect(cluster.writes).toEqual(['update deployments.apps/web/status -n default']);
    const result = await cluster.reconcile();
    expect(cluster.writes).toEqual([]);
    // No progress since the set was made at NOW: look again a second after the deadline.
    expect(result).toEqual({ requeueAfterMs: 61_000 });
    await cluster.clock.advance(61_000);
    await cluster.reconcile();
    const stuck = await cluster.deployment();
    expect(stuck.status?.conditions?.find((c) => c.type === 'Progressing')).toEqual({
      type: 'Progressing',
      status: 'False',
      lastUpdateTime: '2025-01-01T12:01:01Z',
      lastTransitionTime: '2025-01-01T12:01:01Z',
      reason: 'ProgressDeadlineExceeded',
      message: `ReplicaSet "web-${hashOf('nginx:1.26')}" has timed out progressing.`,
    });
  });

  it('spreads a scale-up mid-rollout over the sets in proportion to their sizes', async () => {
    const cluster = await setup([deployment({ replicas: 10 })]);
    await cluster.reconcile();
    await cluster.observe();
    await cluster.reconcile();
    await cluster.setImage('nginx:1.27');
    await cluster.reconcile();
    await cluster.observe((set) => (set.metadata?.name === `web-${hashOf('nginx:1.27')}` ? 0 : 8));
    const current = await cluster.deployment();
    await cluster.memory.update(deploymentsRef, { ...current, spec: { ...current.spec, replicas: 20 } });
    await cluster.reconcile();
    // Allowed 20 + 5 surge = 25 over 8 + 3 = 11 with max-replicas 13: 8·25/13 ≈ 15, 3·25/13 ≈ 6,
    // and the leftover (25 − 21 = 4) to the largest.
    expect(await cluster.sizes()).toEqual([
      `web-${hashOf('nginx:1.26')}=19`,
      `web-${hashOf('nginx:1.27')}=6`,
    ]);
    const sets = await cluster.sets();
    expect(
      sets.map((set) => set.metadata?.annotations?.['deployment.kubernetes.io/desired-replicas']),
    ).toEqual(['20', '20']);
  });
});
