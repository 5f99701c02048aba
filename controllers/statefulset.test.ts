import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/resource.js';
import { conflict } from '../api/status.js';
import { InformerFactory } from '../client/informer-factory.js';
import { refFor } from '../client/refs.js';
import { FakeClock, settle } from '../client/testing/fake-clock.js';
import { MemoryClient } from '../client/testing/memory-client.js';
import { RecordingClient } from '../client/testing/recording-client.js';
import type { ControllerContext } from './framework.js';
import { type ControllerRevision, hashRevision } from './history.js';
import type { Pod } from './pods.js';
import type { StatefulSetSpec } from './statefulset/identity.js';
import { revisionData } from './statefulset/revisions.js';
import { type PersistentVolumeClaim, type StatefulSet, StatefulSetController } from './statefulset.js';

/**
 * The controller over a memory client: its writes land, and the informers see them as a watch would.
 * Nothing runs pods: the test plays the API server (a new pod is Pending) and the kubelet (`run`
 * makes a pod Running and Ready on a node; `finish` ends a pod whose deletion began).
 */
const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const setsRef = refFor('StatefulSet', 'default');
const podsRef = refFor('Pod', 'default');
const revisionsRef = refFor('ControllerRevision', 'default');
const claimsRef = refFor('PersistentVolumeClaim', 'default');

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

function template(image: string) {
  return { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } };
}

const dataClaim: PersistentVolumeClaim = {
  metadata: { name: 'data' },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
};

function statefulSet(spec: Partial<StatefulSetSpec> = {}, image = 'nginx:1.26'): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default', generation: 1 },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      serviceName: 'nginx',
      template: template(image),
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      revisionHistoryLimit: 10,
      ...spec,
    },
  };
}

/** The name of the revision holding the set's template (collision count 0). */
function revisionName(set: StatefulSet): string {
  return `web-${hashRevision(revisionData(set), 0)}`;
}

async function setup(objects: KubeObject[] = [statefulSet()]) {
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
  const controller = new StatefulSetController({ context });
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
    /** One reconcile of default/web once the caches have caught up; returns what it asked for. */
    async reconcile() {
      await settle();
      client.writes.length = 0;
      const result = await controller.reconcile('default/web');
      await settle();
      await fixture.admitPods();
      return result;
    },
    /** The API server makes every new pod Pending; the memory client does not. */
    async admitPods() {
      for (const pod of await fixture.pods()) {
        if (pod.status?.phase) continue;
        await memory.update(podsRef, { ...pod, status: { phase: 'Pending' } });
      }
      await settle();
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
    async set() {
      return memory.get<StatefulSet>(setsRef, 'web');
    },
    async pods(): Promise<Pod[]> {
      return (await memory.list<Pod>(podsRef)).items;
    },
    async revisions(): Promise<ControllerRevision[]> {
      return (await memory.list<ControllerRevision>(revisionsRef)).items;
    },
    /** `web-0=<revision>` for every pod, by name; `*` marks a pod being deleted. */
    async podRevisions(): Promise<string[]> {
      return (await fixture.pods()).map(
        (pod) =>
          `${pod.metadata?.name}=${pod.metadata?.labels?.['controller-revision-hash']}${pod.metadata?.deletionTimestamp ? '*' : ''}`,
      );
    },
    /** Plays scheduler and kubelet: the pod is on a node, Running and Ready (since now). */
    async run(...names: string[]) {
      for (const name of names) {
        const pod = await memory.get<Pod>(podsRef, name);
        await memory.update(podsRef, {
          ...pod,
          spec: { ...pod.spec, nodeName: 'node-1' },
          status: {
            phase: 'Running',
            conditions: [
              { type: 'Ready', status: 'True', lastTransitionTime: new Date(clock.now()).toISOString() },
            ],
          },
        });
      }
      await settle();
    },
    async setPhase(name: string, phase: string) {
      const pod = await memory.get<Pod>(podsRef, name);
      await memory.update(podsRef, { ...pod, status: { ...pod.status, phase } });
      await settle();
    },
    /** Plays kubelet confirming a graceful deletion: the pod is gone. */
    async finish(...names: string[]) {
      for (const name of names) await memory.delete(podsRef, name);
      await settle();
    },
    /** Reconciles, running every new pod, until nothing more is written (at most `rounds` times). */
    async converge(rounds = 20) {
      for (let round = 0; round < rounds; round++) {
        await fixture.reconcile();
        let played = false;
        for (const pod of await fixture.pods()) {
          if (pod.metadata?.deletionTimestamp) await fixture.finish(pod.metadata.name!);
          else if (pod.status?.phase === 'Pending') await fixture.run(pod.metadata!.name!);
          else continue;
          played = true;
        }
        if (fixture.writes.length === 0 && !played) return;
      }
      throw new Error('the set did not settle');
    },
    /** What a user's edit of the spec does: the change, and a new generation. */
    async edit(change: (spec: StatefulSetSpec) => StatefulSetSpec) {
      const current = await fixture.set();
      await memory.update(setsRef, {
        ...current,
        metadata: { ...current.metadata, generation: (current.metadata?.generation ?? 1) + 1 },
        spec: change(structuredClone(current.spec!)),
      });
      await settle();
    },
    async setImage(image: string) {
      await fixture.edit((spec) => ({ ...spec, template: template(image) }));
    },
  };
  return fixture;
}

describe('the StatefulSet controller', () => {
  it('makes the first revision, then the claim and pod of ordinal 0 only, and writes the status', async () => {
    const set = statefulSet({ volumeClaimTemplates: [dataClaim] });
    const cluster = await setup([set]);
    const revision = revisionName(set);
    expect(revision).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);

    expect(await cluster.reconcile()).toBeUndefined();

    expect(cluster.writes).toEqual([
      `create controllerrevisions.apps/${revision} -n default`,
      'create persistentvolumeclaims/data-web-0 -n default',
      'create pods/web-0 -n default',
      'update statefulsets.apps/web/status -n default',
    ]);
    const { uid } = (await cluster.set()).metadata!;
    const owner = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid };
    expect(cluster.body(0)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name: revision,
        namespace: 'default',
        labels: { app: 'web', 'controller-revision-hash': revision.slice(4) },
        ownerReferences: [{ ...owner, controller: true, blockOwnerDeletion: true }],
      },
      data: {
        spec: {
          template: {
            $patch: 'replace',
            metadata: { creationTimestamp: null, labels: { app: 'web' } },
            spec: { containers: [{ image: 'nginx:1.26', name: 'web' }] },
          },
        },
      },
      revision: 1,
    });
    expect(cluster.body(1)).toEqual({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data-web-0', namespace: 'default', labels: { app: 'web' } },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    expect(cluster.body(2)).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        labels: {
          app: 'web',
          'statefulset.kubernetes.io/pod-name': 'web-0',
          'apps.kubernetes.io/pod-index': '0',
          'controller-revision-hash': revision,
        },
        ownerReferences: [{ ...owner, controller: true, blockOwnerDeletion: true }],
        name: 'web-0',
        namespace: 'default',
      },
      spec: {
        containers: [{ name: 'web', image: 'nginx:1.26' }],
        hostname: 'web-0',
        subdomain: 'nginx',
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-0' } }],
      },
    });
    // The pod made this time is not counted yet: it has no phase until the server has it.
    expect((cluster.body(3) as StatefulSet).status).toEqual({
      observedGeneration: 1,
      replicas: 0,
      currentRevision: revision,
      updateRevision: revision,
      collisionCount: 0,
      availableReplicas: 0,
    });
    expect(cluster.events).toEqual([
      'Normal SuccessfulCreate create Claim data-web-0 Pod web-0 in StatefulSet web success',
      'Normal SuccessfulCreate create Pod web-0 in StatefulSet web successful',
    ]);
    expect(cluster.errors).toEqual([]);
  });

  it('OrderedReady makes each ordinal only once every lower one is Running and Ready', async () => {
    const cluster = await setup();
    await cluster.reconcile();
    const revision = revisionName(statefulSet());

    // web-0 is Pending: nothing more is made; the status now counts it.
    await cluster.reconcile();
    expect(cluster.writes).toEqual(['update statefulsets.apps/web/status -n default']);
    expect((await cluster.set()).status).toMatchObject({
      replicas: 1,
      currentReplicas: 1,
      updatedReplicas: 1,
    });

    await cluster.run('web-0');
    await cluster.reconcile();
    expect(cluster.writes).toEqual([
      'create pods/web-1 -n default',
      'update statefulsets.apps/web/status -n default',
    ]);

    await cluster.run('web-1');
    await cluster.reconcile();
    expect(cluster.writes).toEqual([
      'create pods/web-2 -n default',
      'update statefulsets.apps/web/status -n default',
    ]);

    await cluster.run('web-2');
    await cluster.reconcile();
    expect((await cluster.set()).status).toEqual({
      observedGeneration: 1,
      replicas: 3,
      readyReplicas: 3,
      currentReplicas: 3,
      updatedReplicas: 3,
      currentRevision: revision,
      updateRevision: revision,
      collisionCount: 0,
      availableReplicas: 3,
    });
    // Nothing changed: nothing written.
    await cluster.reconcile();
    expect(cluster.writes).toEqual([]);
    expect(cluster.errors).toEqual([]);
  });

  it('Parallel makes every ordinal at once, in slow-start batches', async () => {
    const cluster = await setup([statefulSet({ podManagementPolicy: 'Parallel' })]);
    await cluster.reconcile();
    expect(cluster.writes).toEqual([
      `create controllerrevisions.apps/${revisionName(statefulSet())} -n default`,
      'create pods/web-0 -n default',
      'create pods/web-1 -n default',
      'create pods/web-2 -n default',
      'update statefulsets.apps/web/status -n default',
    ]);
    expect(cluster.errors).toEqual([]);
  });

  it('scales down from the highest ordinal, one at a time, each after the one above has terminated', async () => {
    const cluster = await setup();
    await cluster.converge();
    await cluster.edit((spec) => ({ ...spec, replicas: 1 }));

    await cluster.reconcile();
    expect(cluster.writes).toEqual([
      'delete pods/web-2 -n default',
      'update statefulsets.apps/web/status -n default',
    ]);
    expect(cluster.events).toEqual([
      'Normal SuccessfulDelete delete Pod web-2 in StatefulSet web successful',
    ]);

    // web-2 is terminating: web-1 waits for it.
    await cluster.reconcile();
    expect(cluster.writes.filter((write) => write.startsWith('delete'))).toEqual([]);

    await cluster.finish('web-2');
    await cluster.reconcile();
    expect(cluster.writes).toEqual([
      'delete pods/web-1 -n default',
      'update statefulsets.apps/web/status -n default',
    ]);
    await cluster.finish('web-1');
    await cluster.reconcile();
    expect((await cluster.pods()).map((pod) => pod.metadata?.name)).toEqual(['web-0']);
    expect((await cluster.set()).status).toMatchObject({
      observedGeneration: 2,
      replicas: 1,
      readyReplicas: 1,
    });
    expect(cluster.errors).toEqual([]);
  });

  it('an OrderedReady scale-down waits while a lower pod is not ready', async () => {
    const cluster = await setup();
    await cluster.converge();
    await cluster.setPhase('web-0', 'Pending');
    await cluster.edit((spec) => ({ ...spec, replicas: 2 }));
    await cluster.reconcile();
    expect(cluster.writes.filter((write) => write.startsWith('delete'))).toEqual([]);
  });

  it('deletes a failed pod and makes it again once it is gone', async () => {
    const cluster = await setup();
    await cluster.converge();
    await cluster.setPhase('web-1', 'Failed');

    await cluster.reconcile();
    expect(cluster.writes).toEqual([
      'delete pods/web-1 -n default',
      'update statefulsets.apps/web/status -n default',
    ]);
    await cluster.finish('web-1');
    await cluster.reconcile();
    expect(cluster.writes).toEqual([
      'create pods/web-1 -n default',
      'update statefulsets.apps/web/status -n default',
    ]);
  });

  it('rolls a new template out from the highest ordinal down, one pod at a time, each after the one above is ready', async () => {
    const cluster = await setup();
    await cluster.converge();
    const old = revisionName(statefulSet());
    const next = revisionName(statefulSet({}, 'nginx:1.27'));

    await cluster.setImage('nginx:1.27');
    await cluster.reconcile();
    expect(cluster.writes).toEqual([
      `create controllerrevisions.apps/${next} -n default`,
      'delete pods/web-2 -n default',
      'update statefulsets.apps/web/status -n default',
    ]);
    expect((cluster.body(0) as ControllerRevision).revision).toBe(2);
    expect((await cluster.set()).status).toMatchObject({
      observedGeneration: 2,
      replicas: 3,
      currentReplicas: 2,
      currentRevision: old,
      updateRevision: next,
    });

    // web-2 terminating: the rollout waits for it.
    await cluster.reconcile();
    expect(cluster.writes.filter((write) => !write.startsWith('update'))).toEqual([]);
    await cluster.finish('web-2');
    await cluster.reconcile();
    expect(cluster.writes).toEqual([
      'create pods/web-2 -n default',
      'update statefulsets.apps/web/status -n default',
    ]);
    expect(await cluster.podRevisions()).toEqual([`web-0=${old}`, `web-1=${old}`, `web-2=${next}`]);
    const recreated = (await cluster.pods())[2]!;
    expect(recreated.spec).toMatchObject({ containers: [{ name: 'web', image: 'nginx:1.27' }] });

    // web-2 is not ready yet: web-1 waits.
    await cluster.reconcile();
    expect(cluster.writes.filter((write) => write.startsWith('delete'))).toEqual([]);
    await cluster.run('web-2');
    await cluster.reconcile();
    expect(cluster.writes).toEqual([
      'delete pods/web-1 -n default',
      'update statefulsets.apps/web/status -n default',
    ]);

    await cluster.converge();
    expect(await cluster.podRevisions()).toEqual([`web-0=${next}`, `web-1=${next}`, `web-2=${next}`]);
    expect((await cluster.set()).status).toMatchObject({
      replicas: 3,
      readyReplicas: 3,
      currentReplicas: 3,
      updatedReplicas: 3,
      currentRevision: next,
      updateRevision: next,
    });
    expect(cluster.errors).toEqual([]);
  });

  it('a partition keeps lower ordinals at the current revision, even when they are made again', async () => {
    const cluster = await setup();
    await cluster.converge();
    const old = revisionName(statefulSet());
    const next = revisionName(statefulSet({}, 'nginx:1.27'));
    await cluster.edit((spec) => ({
      ...spec,
      template: template('nginx:1.27'),
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } },
    }));
    await cluster.converge();
    expect(await cluster.podRevisions()).toEqual([`web-0=${old}`, `web-1=${old}`, `web-2=${next}`]);
    expect((await cluster.set()).status).toMatchObject({
      currentReplicas: 2,
      updatedReplicas: 1,
      currentRevision: old,
      updateRevision: next,
    });

    // A deleted pod below the partition comes back at the current revision.
    await cluster.finish('web-0');
    await cluster.converge();
    expect(await cluster.podRevisions()).toEqual([`web-0=${old}`, `web-1=${old}`, `web-2=${next}`]);
    expect((await cluster.pods())[0]!.spec).toMatchObject({ containers: [{ image: 'nginx:1.26' }] });

    // Partition 0: the rest follows, and the update revision becomes current.
    await cluster.edit((spec) => ({
      ...spec,
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
    }));
    await cluster.converge();
    expect(await cluster.podRevisions()).toEqual([`web-0=${next}`, `web-1=${next}`, `web-2=${next}`]);
    expect((await cluster.set()).status).toMatchObject({ currentRevision: next, updateRevision: next });
  });

  it('OnDelete replaces no pod; a pod deleted by someone comes back at the update revision', async () => {
    const cluster = await setup([statefulSet({ updateStrategy: { type: 'OnDelete' } })]);
    await cluster.converge();
    const old = revisionName(statefulSet());
    const next = revisionName(statefulSet({}, 'nginx:1.27'));
    await cluster.setImage('nginx:1.27');
    await cluster.converge();
    expect(await cluster.podRevisions()).toEqual([`web-0=${old}`, `web-1=${old}`, `web-2=${old}`]);

    await cluster.finish('web-1');
    await cluster.converge();
    expect(await cluster.podRevisions()).toEqual([`web-0=${old}`, `web-1=${next}`, `web-2=${old}`]);
    // OnDelete never completes an update: the current revision stays.
    expect((await cluster.set()).status).toMatchObject({
      currentReplicas: 2,
      updatedReplicas: 1,
      currentRevision: old,
      updateRevision: next,
    });
  });

  it('rolling back to an earlier template renumbers its revision instead of making a new one', async () => {
    const cluster = await setup();
    await cluster.converge();
    const old = revisionName(statefulSet());
    const next = revisionName(statefulSet({}, 'nginx:1.27'));
    await cluster.setImage('nginx:1.27');
    await cluster.converge();

    await cluster.setImage('nginx:1.26');
    await cluster.reconcile();
    expect(cluster.writes).toEqual([
      `patch controllerrevisions.apps/${old} -n default`,
      'delete pods/web-2 -n default',
      'update statefulsets.apps/web/status -n default',
    ]);
    expect(cluster.body(0)).toEqual({ revision: 3 });
    expect((await cluster.set()).status).toMatchObject({ currentRevision: next, updateRevision: old });
    await cluster.converge();
    const revisions = await cluster.revisions();
    expect(revisions.map((revision) => `${revision.metadata?.name}=${revision.revision}`).sort()).toEqual(
      [`${old}=3`, `${next}=2`].sort(),
    );
    expect((await cluster.set()).status).toMatchObject({ currentRevision: old, updateRevision: old });
  });

  it('deletes history beyond revisionHistoryLimit, oldest first, keeping revisions that pods still run', async () => {
    const cluster = await setup([statefulSet({ revisionHistoryLimit: 1 })]);
    await cluster.converge();
    const first = revisionName(statefulSet());
    const second = revisionName(statefulSet({}, 'nginx:1.27'));
    await cluster.setImage('nginx:1.27');
    await cluster.converge();
    await cluster.setImage('nginx:1.28');
    // While pods still run the first two revisions, both stay.
    await cluster.reconcile();
    expect(cluster.writes.filter((write) => write.startsWith('delete controllerrevisions'))).toEqual([]);
    await cluster.converge();
    // All pods at the third: the second is the one kept as history; the first goes.
    const names = (await cluster.revisions()).map((revision) => revision.metadata?.name);
    expect(names).not.toContain(first);
    expect(names).toContain(second);
    expect(names).toHaveLength(2);
  });

  it('writes the status only when it changed, keeping conditions someone else set', async () => {
    const cluster = await setup();
    await cluster.converge();
    const set = await cluster.set();
    const condition = { type: 'StatusUpdate', status: 'True', reason: 'E2E', message: 'Set from e2e test' };
    await cluster.memory.update(setsRef, { ...set, status: { ...set.status, conditions: [condition] } });
    await cluster.reconcile();
    expect(cluster.writes).toEqual([]);

    await cluster.setPhase('web-2', 'Pending');
    await cluster.reconcile();
    expect(cluster.writes).toEqual(['update statefulsets.apps/web/status -n default']);
    expect((await cluster.set()).status).toMatchObject({ readyReplicas: 2, conditions: [condition] });
  });

  it('writes the status again on the latest version after a conflict', async () => {
    const cluster = await setup();
    cluster.client.failures.push({
      summary: 'update statefulsets.apps/web/status -n default',
      error: conflict({ group: 'apps', resource: 'statefulsets' }, 'web', 'the object has been modified'),
    });
    await cluster.reconcile();
    expect(cluster.writes.filter((write) => write.includes('status'))).toEqual([
      'update statefulsets.apps/web/status -n default',
      'update statefulsets.apps/web/status -n default',
    ]);
    expect((await cluster.set()).status).toMatchObject({ observedGeneration: 1 });
    expect(cluster.errors).toEqual([]);
  });

  it('adopts an orphan named as a member, and leaves alone a pod that is named otherwise', async () => {
    const orphan = (name: string): Pod => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default', labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'nginx:1.26' }] },
      status: { phase: 'Pending' },
    });
    const cluster = await setup([statefulSet(), orphan('web-0'), orphan('other')]);
    await cluster.reconcile();
    expect(cluster.writes).toEqual([
      'patch pods/web-0 -n default',
      `create controllerrevisions.apps/${revisionName(statefulSet())} -n default`,
      'update statefulsets.apps/web/status -n default',
    ]);
    // Adopted, it is web-0; being Pending it holds web-1 back. Its identity is mended once it runs.
    await cluster.run('web-0');
    await cluster.reconcile();
    expect(cluster.writes).toEqual([
      'update pods/web-0 -n default',
      'create pods/web-1 -n default',
      'update statefulsets.apps/web/status -n default',
    ]);
    expect((await cluster.pods()).find((pod) => pod.metadata?.name === 'web-0')?.metadata?.labels).toEqual({
      app: 'web',
      'statefulset.kubernetes.io/pod-name': 'web-0',
      'apps.kubernetes.io/pod-index': '0',
    });
    expect(cluster.events).toContain(
      'Normal SuccessfulUpdate update Pod web-0 in StatefulSet web successful',
    );
  });

  it('numbers pods from spec.ordinals.start', async () => {
    const cluster = await setup([statefulSet({ replicas: 2, ordinals: { start: 5 } })]);
    await cluster.converge();
    expect((await cluster.pods()).map((pod) => pod.metadata?.name)).toEqual(['web-5', 'web-6']);
    expect((await cluster.pods())[0]!.metadata?.labels?.['apps.kubernetes.io/pod-index']).toBe('5');
  });

  it('keeps claims when pods go, under the default Retain policy', async () => {
    const cluster = await setup([statefulSet({ volumeClaimTemplates: [dataClaim] })]);
    await cluster.converge();
    await cluster.edit((spec) => ({ ...spec, replicas: 1 }));
    await cluster.converge();
    const claims = (await cluster.memory.list<PersistentVolumeClaim>(claimsRef)).items;
    expect(claims.map((claim) => [claim.metadata?.name, claim.metadata?.ownerReferences])).toEqual([
      ['data-web-0', undefined],
      ['data-web-1', undefined],
      ['data-web-2', undefined],
    ]);
  });

  it('whenDeleted: Delete gives the claims to the set; whenScaled: Delete gives a condemned pod its claim', async () => {
    const cluster = await setup([
      statefulSet({
        replicas: 2,
        volumeClaimTemplates: [dataClaim],
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' },
      }),
    ]);
    await cluster.converge();
    const set = await cluster.set();
    const owners = async () =>
      (await cluster.memory.list<PersistentVolumeClaim>(claimsRef)).items.map((claim) => [
        claim.metadata?.name,
        (claim.metadata?.ownerReferences ?? []).map((owner) => `${owner.kind}/${owner.name}`),
      ]);
    expect(await owners()).toEqual([
      ['data-web-0', ['StatefulSet/web']],
      ['data-web-1', ['StatefulSet/web']],
    ]);
    expect(set.metadata?.uid).toBeDefined();

    await cluster.edit((spec) => ({ ...spec, replicas: 1 }));
    await cluster.reconcile();
    expect(cluster.writes).toEqual([
      'update persistentvolumeclaims/data-web-1 -n default',
      'delete pods/web-1 -n default',
      'update statefulsets.apps/web/status -n default',
    ]);
    const web1 = (await cluster.pods()).find((pod) => pod.metadata?.name === 'web-1')!;
    expect((cluster.body(0) as PersistentVolumeClaim).metadata?.ownerReferences).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Pod',
        name: 'web-1',
        uid: web1.metadata?.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
  });

  it('asks to be requeued when ready pods will have been ready for minReadySeconds', async () => {
    const cluster = await setup([statefulSet({ replicas: 1, minReadySeconds: 30 })]);
    await cluster.reconcile();
    await cluster.run('web-0');
    expect(await cluster.reconcile()).toEqual({ requeueAfterMs: 30_000 });
    expect((await cluster.set()).status).toMatchObject({ readyReplicas: 1, availableReplicas: 0 });
    await cluster.clock.advance(31_000);
    expect(await cluster.reconcile()).toBeUndefined();
    expect((await cluster.set()).status).toMatchObject({ readyReplicas: 1, availableReplicas: 1 });
  });

  it('a set being deleted makes and deletes no pods', async () => {
    const set = statefulSet();
    set.metadata!.deletionTimestamp = '2025-01-01T11:00:00Z';
    set.metadata!.finalizers = ['foregroundDeletion'];
    const cluster = await setup([set]);
    await cluster.reconcile();
    expect(cluster.writes.filter((write) => write.includes('pods'))).toEqual([]);
  });

  it('counts a collision when its revision name is taken by a different snapshot', async () => {
    const set = statefulSet();
    const taken: ControllerRevision = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: { name: revisionName(set), namespace: 'default' },
      data: { something: 'else' },
      revision: 1,
    };
    const cluster = await setup([set, taken]);
    await cluster.reconcile();
    const name = `web-${hashRevision(revisionData(set), 1)}`;
    expect(cluster.writes.slice(0, 2)).toEqual([
      `create controllerrevisions.apps/${revisionName(set)} -n default`,
      `create controllerrevisions.apps/${name} -n default`,
    ]);
    expect((await cluster.set()).status).toMatchObject({ collisionCount: 1, updateRevision: name });
  });

  it('copies the set’s annotations onto a new revision, for rollout history’s change cause', async () => {
    const set = statefulSet();
    set.metadata!.annotations = { 'kubernetes.io/change-cause': 'first' };
    const cluster = await setup([set]);
    await cluster.reconcile();
    expect((cluster.body(0) as ControllerRevision).metadata?.annotations).toEqual({
      'kubernetes.io/change-cause': 'first',
    });
  });
});
