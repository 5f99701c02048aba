import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../client/http-client.js';
import { refFor } from '../client/refs.js';
import type { Watch } from '../client/types.js';
import { poll } from '../conformance/client.js';
import { startSkiff, type TestSkiff } from '../conformance/harness.js';
import { PodDriver } from '../conformance/pod-driver.js';
import type { ControllerRevision } from './history.js';
import type { Pod } from './pods.js';
import type { PersistentVolumeClaim, StatefulSet } from './statefulset.js';

/**
 * The StatefulSet controller in a whole Skiff (API server, controller manager, garbage collector),
 * over HTTP, with stock kubectl. No scheduler or kubelet exists yet: a PodDriver binds each pod through
 * pods/binding and reports it Running and Ready by writing its status; `setReady` breaks and restores a
 * pod's readiness, as upstream's tests do by moving a readiness probe's file away and back.
 */
let skiff: TestSkiff;
let client: HttpClient;
let driver: PodDriver;

beforeAll(async () => {
  skiff = await startSkiff();
  client = new HttpClient({ connection: { server: skiff.url, namespace: 'default' } });
  driver = await PodDriver.start({ client });
}, 60_000);
afterAll(async () => {
  await driver?.stop();
  await client?.close();
  await skiff?.stop();
});

const HTTPD = 'registry.k8s.io/e2e-test-images/httpd:2.4.38-4';
const HTTPD_NEW = 'registry.k8s.io/e2e-test-images/httpd:2.4.39-4';
const LIMIT = 30_000;

async function namespace(name: string): Promise<string> {
  await client.create(refFor('Namespace'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  // The headless Service the set's pods take their subdomain from.
  await client.create(refFor('Service', name), {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'test' },
    spec: { clusterIP: 'None', selector: { foo: 'bar' }, ports: [{ port: 80 }] },
  });
  return name;
}

function statefulSet(name: string, replicas: number, spec: Record<string, unknown> = {}): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name },
    spec: {
      replicas,
      serviceName: 'test',
      selector: { matchLabels: { foo: 'bar' } },
      template: {
        metadata: { labels: { foo: 'bar' } },
        spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'webserver', image: HTTPD }] },
      },
      ...spec,
    },
  };
}

const setsRef = (ns: string) => refFor('StatefulSet', ns);
const podsRef = (ns: string) => refFor('Pod', ns);

const isReady = (pod: Pod) =>
  pod.status?.phase === 'Running' &&
  (pod.status?.conditions ?? []).some(
    (condition) => condition.type === 'Ready' && condition.status === 'True',
  );
const imageOf = (pod: Pod) => (pod.spec as { containers: { image: string }[] }).containers[0]!.image;
const revisionOf = (pod: Pod) => pod.metadata?.labels?.['controller-revision-hash'];

/** The live pods, by ordinal. */
async function livePods(ns: string): Promise<Pod[]> {
  const pods = (await client.list<Pod>(podsRef(ns))).items.filter((pod) => !pod.metadata?.deletionTimestamp);
  return pods.sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1));
}

/** Waits until `count` pods are Running and Ready and the set has observed its generation. */
async function readySet(ns: string, name: string, count: number): Promise<{ set: StatefulSet; pods: Pod[] }> {
  return poll(async () => {
    const set = await client.get<StatefulSet>(setsRef(ns), name);
    const pods = await livePods(ns);
    const observed = (set.status?.observedGeneration ?? 0) >= (set.metadata?.generation ?? 0);
    return observed && pods.length === count && pods.every(isReady) && set.status?.readyReplicas === count
      ? { set, pods }
      : undefined;
  }, LIMIT);
}

/** Waits until the rolling update is complete: every pod ready at the update revision, which is current. */
async function rolledOut(
  ns: string,
  name: string,
  count: number,
): Promise<{ set: StatefulSet; pods: Pod[] }> {
  return poll(async () => {
    const { set, pods } = await readySet(ns, name, count);
    const { currentRevision, updateRevision } = set.status ?? {};
    return currentRevision === updateRevision && pods.every((pod) => revisionOf(pod) === updateRevision)
      ? { set, pods }
      : undefined;
  }, LIMIT);
}

async function setImage(ns: string, name: string, image: string): Promise<StatefulSet> {
  return client.patch<StatefulSet>(setsRef(ns), name, 'strategic', {
    spec: { template: { spec: { containers: [{ name: 'webserver', image }] } } },
  });
}

/** The set's status once it has seen `generation`. */
async function observed(ns: string, name: string, generation: number): Promise<StatefulSet> {
  return poll(async () => {
    const set = await client.get<StatefulSet>(setsRef(ns), name);
    return (set.status?.observedGeneration ?? 0) >= generation ? set : undefined;
  }, LIMIT);
}

/** Records the names of pods as they are deleted (their deletion begins or they go). */
async function watchDeletions(ns: string): Promise<{ names: string[]; watch: Watch<Pod> }> {
  const names: string[] = [];
  const watch = await client.watch<Pod>(podsRef(ns), {
    resourceVersion: (await client.list(podsRef(ns))).metadata.resourceVersion,
  });
  void (async () => {
    for await (const event of watch) {
      if (event.type !== 'MODIFIED' && event.type !== 'DELETED') continue;
      const pod = event.object as Pod;
      const name = pod.metadata?.name ?? '';
      if ((event.type === 'DELETED' || pod.metadata?.deletionTimestamp) && names.at(-1) !== name)
        names.push(name);
    }
  })().catch(() => undefined);
  return { names, watch };
}

describe('the StatefulSet controller, in Skiff', () => {
  it('makes stable pods with claims in order, and scales through the scale subresource', async () => {
    const ns = await namespace('sts-scale');
    await client.create(
      setsRef(ns),
      statefulSet('ss', 1, {
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
          },
        ],
      }),
    );
    const { set, pods } = await readySet(ns, 'ss', 1);
    expect(pods[0]!.metadata?.name).toBe('ss-0');
    expect(pods[0]!.spec).toMatchObject({
      hostname: 'ss-0',
      subdomain: 'test',
      volumes: expect.arrayContaining([{ name: 'data', persistentVolumeClaim: { claimName: 'data-ss-0' } }]),
    });
    expect(pods[0]!.metadata?.labels).toMatchObject({
      foo: 'bar',
      'statefulset.kubernetes.io/pod-name': 'ss-0',
      'apps.kubernetes.io/pod-index': '0',
      'controller-revision-hash': set.status?.updateRevision,
    });

    // The scale subresource, as the conformance test drives it.
    const scale = await client.get(setsRef(ns), 'ss', { subresource: 'scale' });
    expect(scale).toMatchObject({ spec: { replicas: 1 }, status: { replicas: 1 } });
    await client.update(
      setsRef(ns),
      {
        apiVersion: 'autoscaling/v1',
        kind: 'Scale',
        metadata: { name: 'ss', namespace: ns },
        spec: { replicas: 2 },
      },
      { subresource: 'scale' },
    );
    await client.patch(setsRef(ns), 'ss', 'strategic', { spec: { replicas: 4 } }, { subresource: 'scale' });
    const scaled = await readySet(ns, 'ss', 4);
    expect(scaled.pods.map((pod) => pod.metadata?.name)).toEqual(['ss-0', 'ss-1', 'ss-2', 'ss-3']);
    // Made in order: each pod after the one below it.
    const created = scaled.pods.map((pod) => Date.parse(pod.metadata!.creationTimestamp!));
    expect([...created].sort((a, b) => a - b)).toEqual(created);

    // Scaled down, the claims stay (Retain).
    await client.patch(setsRef(ns), 'ss', 'merge', { spec: { replicas: 1 } });
    await readySet(ns, 'ss', 1);
    const claims = (await client.list<PersistentVolumeClaim>(refFor('PersistentVolumeClaim', ns))).items;
    expect(claims.map((claim) => claim.metadata?.name).sort()).toEqual([
      'data-ss-0',
      'data-ss-1',
      'data-ss-2',
      'data-ss-3',
    ]);

    const events = await poll(async () => {
      const list = await client.list(refFor('Event', ns), { fieldSelector: 'involvedObject.name=ss' });
      const messages = list.items.map((event) => `${event.reason} ${event.message}`);
      return messages.includes('SuccessfulDelete delete Pod ss-1 in StatefulSet ss successful')
        ? messages
        : undefined;
    }, LIMIT);
    expect(events).toContain('SuccessfulCreate create Pod ss-0 in StatefulSet ss successful');
    expect(events).toContain('SuccessfulCreate create Claim data-ss-0 Pod ss-0 in StatefulSet ss success');
  }, 60_000);

  it('rolls updates out in reverse ordinal order, and rolls back to the prior revision', async () => {
    const ns = await namespace('sts-roll');
    await client.create(setsRef(ns), statefulSet('ss2', 3));
    const first = await rolledOut(ns, 'ss2', 3);
    const original = first.set.status!.currentRevision!;
    expect(first.pods.every((pod) => revisionOf(pod) === original)).toBe(true);

    // With ss2-1 not ready, the update waits.
    await driver.setReady(ns, 'ss2-1', false);
    await poll(
      async () =>
        (await client.get<StatefulSet>(setsRef(ns), 'ss2')).status?.readyReplicas === 2 ? true : undefined,
      LIMIT,
    );
    const deletions = await watchDeletions(ns);
    const updated = await setImage(ns, 'ss2', HTTPD_NEW);
    const seen = await observed(ns, 'ss2', updated.metadata!.generation!);
    expect(seen.status?.currentRevision).toBe(original);
    expect(seen.status?.updateRevision).not.toBe(original);
    expect(deletions.names).toEqual([]);

    await driver.setReady(ns, 'ss2-1', true);
    const done = await rolledOut(ns, 'ss2', 3);
    deletions.watch.close();
    expect(deletions.names).toEqual(['ss2-2', 'ss2-1', 'ss2-0']);
    expect(done.pods.map(imageOf)).toEqual([HTTPD_NEW, HTTPD_NEW, HTTPD_NEW]);
    const next = done.set.status!.currentRevision!;
    expect(next).not.toBe(original);

    // Back to the old image: the old revision is reused, no third one is made.
    await driver.setReady(ns, 'ss2-1', false);
    const back = await setImage(ns, 'ss2', HTTPD);
    const rolling = await observed(ns, 'ss2', back.metadata!.generation!);
    expect(rolling.status?.updateRevision).toBe(original);
    expect(rolling.status?.currentRevision).not.toBe(original);
    await driver.setReady(ns, 'ss2-1', true);
    const rolledBack = await rolledOut(ns, 'ss2', 3);
    expect(rolledBack.set.status?.currentRevision).toBe(original);
    expect(rolledBack.pods.map(imageOf)).toEqual([HTTPD, HTTPD, HTTPD]);
    const revisions = (await client.list<ControllerRevision>(refFor('ControllerRevision', ns))).items;
    expect(revisions.map((revision) => `${revision.metadata?.name}:${revision.revision}`).sort()).toEqual(
      [`${original}:3`, `${next}:2`].sort(),
    );
  }, 90_000);

  it('performs canary and phased updates with a partition', async () => {
    const ns = await namespace('sts-canary');
    await client.create(
      setsRef(ns),
      statefulSet('ss2', 3, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 3 } } }),
    );
    const { set } = await rolledOut(ns, 'ss2', 3);
    const current = set.status!.currentRevision!;

    // Partition ≥ replicas: a new update revision, no pod changes.
    const updated = await setImage(ns, 'ss2', HTTPD_NEW);
    const seen = await observed(ns, 'ss2', updated.metadata!.generation!);
    const update = seen.status!.updateRevision!;
    expect(update).not.toBe(current);
    expect((await livePods(ns)).map(revisionOf)).toEqual([current, current, current]);

    const revisionsWhen = async (partition: number) => {
      await client.patch(setsRef(ns), 'ss2', 'merge', {
        spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition } } },
      });
      const wanted = [0, 1, 2].map((ordinal) => (ordinal < partition ? current : update));
      return poll(async () => {
        const { pods } = await readySet(ns, 'ss2', 3);
        return JSON.stringify(pods.map(revisionOf)) === JSON.stringify(wanted) ? pods : undefined;
      }, LIMIT);
    };
    // Canary: only ss2-2.
    const canary = await revisionsWhen(2);
    expect(canary.map(imageOf)).toEqual([HTTPD, HTTPD, HTTPD_NEW]);

    // Deleted pods come back at the revision the partition gives their ordinal.
    await client.delete(podsRef(ns), 'ss2-0', { gracePeriodSeconds: 0 });
    await client.delete(podsRef(ns), 'ss2-2', { gracePeriodSeconds: 0 });
    const before = new Map(canary.map((pod) => [pod.metadata?.name, pod.metadata?.uid]));
    const recreated = await poll(async () => {
      const { pods } = await readySet(ns, 'ss2', 3);
      const remade = ['ss2-0', 'ss2-2'].every((name) => {
        const pod = pods.find((candidate) => candidate.metadata?.name === name);
        return pod !== undefined && pod.metadata?.uid !== before.get(name);
      });
      return remade ? pods : undefined;
    }, LIMIT);
    expect(recreated.map(revisionOf)).toEqual([current, current, update]);

    // Phased: partition 1, then 0.
    expect((await revisionsWhen(1)).map(revisionOf)).toEqual([current, update, update]);
    expect((await revisionsWhen(0)).map(revisionOf)).toEqual([update, update, update]);
    const finished = await rolledOut(ns, 'ss2', 3);
    expect(finished.set.status?.currentRevision).toBe(update);
  }, 90_000);

  it('keeps a condition someone else set on the status', async () => {
    const ns = await namespace('sts-status');
    await client.create(setsRef(ns), statefulSet('ss', 1));
    const { set } = await readySet(ns, 'ss', 1);
    const condition = { type: 'StatusUpdate', status: 'True', reason: 'E2E', message: 'Set from e2e test' };
    await client.update(
      setsRef(ns),
      { ...set, status: { ...set.status, conditions: [condition] } },
      { subresource: 'status' },
    );
    // The controller writes the status again as the set grows; the condition stays.
    await client.patch(setsRef(ns), 'ss', 'merge', { spec: { replicas: 2 } });
    const grown = await readySet(ns, 'ss', 2);
    expect(grown.set.status?.conditions).toEqual([condition]);
    expect(grown.set.status).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 2 });
  }, 60_000);

  it('works with kubectl rollout status, history and undo; deleting the set removes its pods', async () => {
    const ns = await namespace('sts-kubectl');
    await client.create(setsRef(ns), statefulSet('web', 2));
    await rolledOut(ns, 'web', 2);
    const kubectl = (...args: string[]) => skiff.kubectl(['-n', ns, ...args]);

    const status = await kubectl('rollout', 'status', 'statefulset/web', '--timeout=20s');
    expect(status.stderr).toBe('');
    // The defaulted partition (0) sends kubectl down its partitioned branch, as against any cluster.
    expect(status.stdout).toBe('partitioned roll out complete: 2 new pods have been updated...\n');

    await kubectl('annotate', 'statefulset/web', 'kubernetes.io/change-cause=new image');
    const set = await client.get<StatefulSet>(setsRef(ns), 'web');
    const original = set.status!.currentRevision!;
    await setImage(ns, 'web', HTTPD_NEW);
    await poll(async () => {
      const { set: current } = await rolledOut(ns, 'web', 2);
      return current.status?.currentRevision !== original ? true : undefined;
    }, LIMIT);

    const history = await kubectl('rollout', 'history', 'statefulset/web');
    expect(history.stderr).toBe('');
    expect(history.stdout).toMatch(
      /^statefulset\.apps\/web\s*\nREVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+new image\n/,
    );
    const one = await kubectl('rollout', 'history', 'statefulset/web', '--revision=1');
    expect(one.stdout).toContain(`Image:\t${HTTPD}`);

    const undo = await kubectl('rollout', 'undo', 'statefulset/web');
    expect(undo.stderr).toBe('');
    expect(undo.stdout).toBe('statefulset.apps/web rolled back\n');
    const undone = await poll(async () => {
      const result = await rolledOut(ns, 'web', 2);
      return result.set.status?.currentRevision === original ? result : undefined;
    }, LIMIT);
    expect(undone.pods.map(imageOf)).toEqual([HTTPD, HTTPD]);
    const afterUndo = await kubectl('rollout', 'history', 'statefulset/web');
    expect(afterUndo.stdout).toMatch(/REVISION\s+CHANGE-CAUSE\n2\s+new image\n3\s+<none>\n/);

    // The revision's data is the very patch kubectl computes from the set: it sees nothing to undo.
    const again = await kubectl('rollout', 'undo', 'statefulset/web', '--to-revision=3');
    expect(again.stdout).toBe(
      'statefulset.apps/web skipped rollback (current template already matches revision 3)\n',
    );

    const deleted = await kubectl('delete', 'statefulset/web');
    expect(deleted.stdout).toBe('statefulset.apps "web" deleted\n');
    await poll(async () => ((await livePods(ns)).length === 0 ? true : undefined), LIMIT);
    expect(driver.errors.map(String)).toEqual([]);
  }, 90_000);

  it('keeps a ControllerRevision’s data immutable and its revision non-negative', async () => {
    const ns = await namespace('sts-revisions');
    const ref = refFor('ControllerRevision', ns);
    await client.create<ControllerRevision>(ref, {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: { name: 'snapshot' },
      data: { spec: { template: { $patch: 'replace' } } },
      revision: 1,
    });
    const renumbered = await client.patch<ControllerRevision>(ref, 'snapshot', 'merge', { revision: 2 });
    expect(renumbered.revision).toBe(2);
    const rewrite = await client
      .patch(ref, 'snapshot', 'merge', { data: { other: true } })
      .catch((error) => error);
    expect(rewrite.status).toMatchObject({
      code: 422,
      reason: 'Invalid',
      details: { causes: [{ reason: 'FieldValueInvalid', field: 'data' }] },
    });
    expect(rewrite.status.message).toMatch(
      /^ControllerRevision\.apps "snapshot" is invalid: data: Invalid value: .*: field is immutable$/,
    );
    const negative = await client.patch(ref, 'snapshot', 'merge', { revision: -1 }).catch((error) => error);
    expect(negative.status.message).toBe(
      'ControllerRevision.apps "snapshot" is invalid: revision: Invalid value: -1: must be greater than or equal to 0',
    );
  });
});
