import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/resource.js';
import type { Node, Taint } from '../api/scheduling/types.js';
import { isStatusError } from '../api/status.js';
import { HttpClient } from '../client/http-client.js';
import { refFor } from '../client/refs.js';
import { startSkiff, type TestSkiff } from '../conformance/harness.js';
import type { DaemonSet } from './daemonset.js';
import type { ControllerRevision } from './history.js';
import type { Pod } from './pods.js';

/**
 * The DaemonSet controller in a whole Skiff (API server and controller manager, in process), as the
 * DaemonSet conformance tests (#59, #60, #62, #64 of SUBSET.md) and kubectl see it. No scheduler or
 * kubelet exists yet: the test plays both — it binds each pending pod to the node its affinity names
 * (through `pods/binding`), reports bound pods Running and Ready (a `status` patch), and finishes
 * graceful deletions.
 */
let skiff: TestSkiff;
let client: HttpClient;

const NODES = ['ds-node-1', 'ds-node-2', 'ds-node-3'];
const TAINTED = 'ds-node-tainted';
const HTTPD = 'registry.k8s.io/e2e-test-images/httpd:2.4.38-4';
const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.53';
const LABEL = 'daemonset-name';

beforeAll(async () => {
  skiff = await startSkiff();
  client = new HttpClient({ connection: { server: skiff.url, namespace: 'default' } });
  for (const name of NODES) await client.create(refFor('Node'), nodeObject(name));
  await client.create(
    refFor('Node'),
    nodeObject(TAINTED, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]),
  );
}, 60_000);
afterAll(async () => {
  await client?.close();
  await skiff?.stop();
});

function nodeObject(name: string, taints?: Taint[]): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' } },
    spec: taints ? { taints } : {},
  };
}

async function createNamespace(name: string): Promise<void> {
  await client.create(refFor('Namespace'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

function daemonSetObject(
  options: { nodeSelector?: Record<string, string>; changeCause?: string } = {},
): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: {
      name: 'daemon-set',
      ...(options.changeCause ? { annotations: { 'kubernetes.io/change-cause': options.changeCause } } : {}),
    },
    spec: {
      selector: { matchLabels: { [LABEL]: 'daemon-set' } },
      template: {
        metadata: { labels: { [LABEL]: 'daemon-set' } },
        spec: {
          terminationGracePeriodSeconds: 0,
          containers: [{ name: 'app', image: HTTPD, ports: [{ containerPort: 9376 }] }],
          ...(options.nodeSelector ? { nodeSelector: options.nodeSelector } : {}),
        },
      },
    },
  };
}

const now = () => `${new Date().toISOString().slice(0, 19)}Z`;
const isReady = (pod: Pod) =>
  pod.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ??
  false;
const imageOf = (pod: Pod) => (pod.spec as { containers: { image: string }[] }).containers[0]!.image;

/** The node a daemon pod's affinity pins it to. */
function pinnedNode(pod: Pod): string | undefined {
  const affinity = (pod.spec as { affinity?: Record<string, any> }).affinity;
  return affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]
    ?.matchFields?.[0]?.values?.[0];
}

/**
 * One pass of scheduler and kubelet over the namespace's pods: finish deletions, bind pending pods to
 * their pinned node, report bound pods Running and Ready (or Failed, for `fail`).
 */
async function drive(namespace: string, fail: (pod: Pod) => boolean = () => false): Promise<void> {
  const ref = refFor('Pod', namespace);
  for (const pod of (await client.list<Pod>(ref)).items) {
    const name = pod.metadata?.name ?? '';
    try {
      if (pod.metadata?.deletionTimestamp) {
        await client.delete(ref, name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
      } else if (!pod.spec?.nodeName) {
        const target = pinnedNode(pod);
        if (!target) continue;
        await client.create(
          ref,
          {
            apiVersion: 'v1',
            kind: 'Binding',
            metadata: { name, namespace, uid: pod.metadata?.uid },
            target: { apiVersion: 'v1', kind: 'Node', name: target },
          } as KubeObject,
          { subresource: 'binding' },
        );
      } else if (fail(pod) && pod.status?.phase !== 'Failed') {
        await client.patch(ref, name, 'merge', { status: { phase: 'Failed' } }, { subresource: 'status' });
      } else if (!fail(pod) && pod.status?.phase !== 'Failed' && !isReady(pod)) {
        await client.patch(
          ref,
          name,
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
    } catch (error) {
      // Changed or gone meanwhile: the next pass sees it as it is.
      if (!isStatusError(error, 'NotFound') && !isStatusError(error, 'Conflict')) throw error;
    }
  }
}

/** Drives the namespace until `check` stops throwing, or fails with its last error after the deadline. */
async function until<T>(
  namespace: string,
  check: () => Promise<T>,
  options: { fail?: (pod: Pod) => boolean; deadlineMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (options.deadlineMs ?? 30_000);
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await drive(namespace, options.fail);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function livePods(namespace: string): Promise<Pod[]> {
  return (await client.list<Pod>(refFor('Pod', namespace))).items.filter(
    (pod) => !pod.metadata?.deletionTimestamp,
  );
}

/** Every one of `nodes` runs exactly one ready daemon pod (with `image`), and no other node runs one. */
async function runningOn(namespace: string, nodes: readonly string[], image = HTTPD): Promise<Pod[]> {
  const pods = await livePods(namespace);
  expect(pods.map((pod) => pod.spec?.nodeName ?? '(pending)').sort()).toEqual([...nodes].sort());
  for (const pod of pods) {
    expect(isReady(pod)).toBe(true);
    expect(imageOf(pod)).toBe(image);
  }
  return pods;
}

async function daemonSetStatus(namespace: string) {
  return (await client.get<DaemonSet>(refFor('DaemonSet', namespace), 'daemon-set')).status ?? {};
}

async function revisions(namespace: string): Promise<ControllerRevision[]> {
  return (await client.list<ControllerRevision>(refFor('ControllerRevision', namespace))).items.sort(
    (a, b) => a.revision - b.revision,
  );
}

async function kubectl(...args: string[]) {
  return skiff.kubectl(args, { binary: '/usr/bin/kubectl' });
}

describe('the DaemonSet controller, through Skiff', () => {
  it('runs one pod per node, replaces a deleted one, rolls a new image out one node at a time, and kubectl rollout works', async () => {
    const namespace = 'daemons-simple';
    await createNamespace(namespace);
    const dsRef = refFor('DaemonSet', namespace);
    await client.create(dsRef, daemonSetObject({ changeCause: 'first' }));

    // #59: exactly one available pod on every node it tolerates, none on the tainted one.
    const first = await until(namespace, () => runningOn(namespace, NODES));
    await until(namespace, async () =>
      expect(await daemonSetStatus(namespace)).toMatchObject({
        desiredNumberScheduled: 3,
        currentNumberScheduled: 3,
        numberReady: 3,
        numberAvailable: 3,
        updatedNumberScheduled: 3,
        numberMisscheduled: 0,
        observedGeneration: 1,
      }),
    );
    for (const pod of first) {
      expect(pod.metadata?.ownerReferences).toEqual([
        expect.objectContaining({ kind: 'DaemonSet', name: 'daemon-set', controller: true }),
      ]);
      expect(pod.metadata?.labels?.['pod-template-generation']).toBe('1');
    }

    // #62: one revision, number 1, whose hash every pod carries.
    const [initial, ...others] = await revisions(namespace);
    expect(others).toEqual([]);
    expect(initial?.revision).toBe(1);
    const firstHash = initial?.metadata?.labels?.['controller-revision-hash'];
    expect(first.map((pod) => pod.metadata?.labels?.['controller-revision-hash'])).toEqual([
      firstHash,
      firstHash,
      firstHash,
    ]);

    // A daemon pod deleted by hand comes back.
    const victim = first[0]!;
    await client.delete(refFor('Pod', namespace), victim.metadata!.name!);
    await until(namespace, async () => {
      const pods = await runningOn(namespace, NODES);
      expect(pods.map((pod) => pod.metadata?.name)).not.toContain(victim.metadata?.name);
    });

    // #62: a new image rolls out with at most one node without an available pod at any time.
    await client.patch(dsRef, 'daemon-set', 'strategic', {
      metadata: { annotations: { 'kubernetes.io/change-cause': 'agnhost' } },
      spec: { template: { spec: { containers: [{ name: 'app', image: AGNHOST }] } } },
    });
    let worst = 0;
    await until(namespace, async () => {
      const pods = await livePods(namespace);
      const available = new Set(pods.filter(isReady).map((pod) => pod.spec?.nodeName));
      const unavailable = NODES.filter((node) => !available.has(node)).length;
      worst = Math.max(worst, unavailable, pods.filter((pod) => !isReady(pod)).length);
      await runningOn(namespace, NODES, AGNHOST);
    });
    expect(worst).toBeLessThanOrEqual(1);
    expect(worst).toBe(1);
    const [, current, ...rest] = await revisions(namespace);
    expect(rest).toEqual([]);
    expect(current?.revision).toBe(2);
    const secondHash = current?.metadata?.labels?.['controller-revision-hash'];
    await until(namespace, async () => {
      const pods = await livePods(namespace);
      expect(pods.map((pod) => pod.metadata?.labels?.['controller-revision-hash'])).toEqual([
        secondHash,
        secondHash,
        secondHash,
      ]);
      expect(await daemonSetStatus(namespace)).toMatchObject({
        observedGeneration: 2,
        updatedNumberScheduled: 3,
        numberAvailable: 3,
      });
    });

    // kubectl reads the rollout from status and the history from the ControllerRevisions.
    const status = await kubectl(
      'rollout',
      'status',
      'daemonset/daemon-set',
      '-n',
      namespace,
      '--timeout=20s',
    );
    expect(status).toMatchObject({ code: 0, stdout: 'daemon set "daemon-set" successfully rolled out\n' });
    const history = await kubectl('rollout', 'history', 'daemonset/daemon-set', '-n', namespace);
    expect(history.code).toBe(0);
    expect(history.stdout.split('\n').map((line) => line.trim().split(/\s+/).join(' '))).toEqual([
      'daemonset.apps/daemon-set',
      'REVISION CHANGE-CAUSE',
      '1 first',
      '2 agnhost',
      '',
      '',
    ]);
    const revisionOne = await kubectl(
      'rollout',
      'history',
      'daemonset/daemon-set',
      '-n',
      namespace,
      '--revision=1',
    );
    expect(revisionOne.stdout).toContain(`Image:\t${HTTPD}`);

    // Undo: the first template comes back, under its old revision renumbered 3.
    const undo = await kubectl('rollout', 'undo', 'daemonset/daemon-set', '-n', namespace);
    expect(undo).toMatchObject({ code: 0, stdout: 'daemonset.apps/daemon-set rolled back\n' });
    await until(namespace, () => runningOn(namespace, NODES, HTTPD));
    await until(namespace, async () => {
      const all = await revisions(namespace);
      expect(
        all.map(
          (revision) => `${revision.metadata?.labels?.['controller-revision-hash']}=${revision.revision}`,
        ),
      ).toEqual([`${secondHash}=2`, `${firstHash}=3`]);
    });
    // Undoing to the revision already running is skipped, as kubectl tells by comparing revisions' data.
    const again = await kubectl(
      'rollout',
      'undo',
      'daemonset/daemon-set',
      '-n',
      namespace,
      '--to-revision=3',
    );
    expect(again).toMatchObject({
      code: 0,
      stdout: 'daemonset.apps/daemon-set skipped rollback (current template already matches revision 3)\n',
    });

    const events = await client.list(refFor('Event', namespace), {
      fieldSelector: 'involvedObject.name=daemon-set',
    });
    const reasons = new Set(events.items.map((event) => event.reason));
    expect(reasons).toEqual(new Set(['SuccessfulCreate', 'SuccessfulDelete']));
    expect(events.items.find((event) => event.reason === 'SuccessfulCreate')).toMatchObject({
      type: 'Normal',
      source: { component: 'daemonset-controller' },
      involvedObject: { kind: 'DaemonSet', name: 'daemon-set', namespace },
      message: expect.stringMatching(/^Created pod: daemon-set-\w+$/),
    });
  }, 120_000);

  it('follows node labels and taints: pods come where the selector matches and go where it stops matching', async () => {
    const namespace = 'daemons-complex';
    await createNamespace(namespace);
    const dsRef = refFor('DaemonSet', namespace);
    const labelNode = async (name: string, labels: Record<string, string | null>) =>
      client.patch(refFor('Node'), name, 'merge', { metadata: { labels } });
    await client.create(dsRef, daemonSetObject({ nodeSelector: { 'daemonset-color': 'blue' } }));

    // #60: no node is blue, so no pod.
    await until(namespace, async () => {
      expect(await daemonSetStatus(namespace)).toMatchObject({
        desiredNumberScheduled: 0,
        observedGeneration: 1,
      });
    });
    expect(await livePods(namespace)).toEqual([]);

    await labelNode('ds-node-2', { 'daemonset-color': 'blue' });
    await until(namespace, () => runningOn(namespace, ['ds-node-2']));
    await until(namespace, async () =>
      expect(await daemonSetStatus(namespace)).toMatchObject({
        desiredNumberScheduled: 1,
        currentNumberScheduled: 1,
        numberReady: 1,
      }),
    );

    await labelNode('ds-node-2', { 'daemonset-color': 'green' });
    await until(namespace, async () => expect(await livePods(namespace)).toEqual([]));

    await client.patch(dsRef, 'daemon-set', 'strategic', {
      spec: {
        template: { spec: { nodeSelector: { 'daemonset-color': 'green' } } },
        updateStrategy: { type: 'RollingUpdate' },
      },
    });
    await until(namespace, () => runningOn(namespace, ['ds-node-2']));

    // A NoExecute taint the pod does not tolerate takes its pod away; without it, the pod returns.
    await client.patch(refFor('Node'), 'ds-node-2', 'merge', {
      spec: { taints: [{ key: 'evict', value: 'yes', effect: 'NoExecute' }] },
    });
    await until(namespace, async () => expect(await livePods(namespace)).toEqual([]));
    await client.patch(refFor('Node'), 'ds-node-2', 'merge', { spec: { taints: null } });
    await until(namespace, () => runningOn(namespace, ['ds-node-2']));

    await labelNode('ds-node-2', { 'daemonset-color': null });
    await until(namespace, async () => expect(await livePods(namespace)).toEqual([]));
  }, 120_000);

  it('keeps status conditions others set (#64), and replaces a failed pod with a FailedDaemonPod event', async () => {
    const namespace = 'daemons-status';
    await createNamespace(namespace);
    const dsRef = refFor('DaemonSet', namespace);
    await client.create(dsRef, daemonSetObject());
    await until(namespace, () => runningOn(namespace, NODES));

    const current = await client.get<DaemonSet>(dsRef, 'daemon-set', { subresource: 'status' });
    await client.update<DaemonSet>(
      dsRef,
      {
        ...current,
        status: {
          ...current.status,
          conditions: [{ type: 'StatusUpdate', status: 'True', reason: 'E2E', message: 'Set from e2e test' }],
        },
      },
      { subresource: 'status' },
    );
    await client.patch(
      dsRef,
      'daemon-set',
      'merge',
      { status: { conditions: [{ type: 'StatusPatched', status: 'True' }] } },
      { subresource: 'status' },
    );

    // One pod fails: it is deleted and replaced, and every status write since kept the condition.
    const [doomed] = await livePods(namespace);
    const failedName = doomed!.metadata!.name!;
    await until(
      namespace,
      async () => {
        const pods = await livePods(namespace);
        expect(pods.map((pod) => pod.metadata?.name)).not.toContain(failedName);
        expect(pods).toHaveLength(3);
      },
      { fail: (pod) => pod.metadata?.name === failedName },
    );
    await until(namespace, () => runningOn(namespace, NODES));
    const after = await client.get<DaemonSet>(dsRef, 'daemon-set');
    expect(after.status?.conditions).toEqual([{ type: 'StatusPatched', status: 'True' }]);
    expect(after.status).toMatchObject({ numberReady: 3, numberAvailable: 3 });

    const events = await client.list(refFor('Event', namespace));
    const failures = events.items.filter((event) => event.reason === 'FailedDaemonPod');
    expect(failures.map((event) => event.message)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Found failed daemon pod ${namespace}/${failedName} on node ds-node-\\d, will try to kill it$`,
        ),
      ),
    ]);
  }, 120_000);
});
