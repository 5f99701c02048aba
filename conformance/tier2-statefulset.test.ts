import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../client/http-client.js';
import { ApiClient, poll } from './client.js';
import { startSkiff, type TestSkiff } from './harness.js';
import { PodDriver } from './pod-driver.js';

/**
 * Tier 2 of ../shared/conformance/SUBSET.md, StatefulSet (#65–#69), each test named after its upstream
 * conformance test and following its steps over HTTP. A PodDriver stands in for scheduler and kubelet;
 * where upstream breaks a pod's readiness probe (moving index.html away by exec), the driver reports
 * the pod not ready instead.
 */
let skiff: TestSkiff;
let api: ApiClient;
let client: HttpClient;
let driver: PodDriver;

beforeAll(async () => {
  skiff = await startSkiff();
  api = new ApiClient(skiff.url);
  client = new HttpClient({ connection: { server: skiff.url, namespace: 'default' } });
  driver = await PodDriver.start({ client });
});
afterAll(async () => {
  await driver?.stop();
  await client?.close();
  await skiff?.stop();
  expect((driver?.errors ?? []).map(String)).toEqual([]);
});

type Json = Record<string, any>;
const HTTPD = 'registry.k8s.io/e2e-test-images/httpd:2.4.38-4';
const HTTPD_NEW = 'registry.k8s.io/e2e-test-images/httpd:2.4.39-4';
const PAUSE = 'registry.k8s.io/pause:3.10';
const MINUTE = 60_000;
const strategic = 'application/strategic-merge-patch+json';
const merge = 'application/merge-patch+json';
const labels = { foo: 'bar', baz: 'blah' };

/** A namespace with the headless Service `test` every StatefulSet test makes. */
async function setUp(base: string): Promise<string> {
  const ns = (await api.ok('POST', '/api/v1/namespaces', { metadata: { generateName: `${base}-` } })).metadata
    .name;
  await api.ok('POST', `/api/v1/namespaces/${ns}/services`, {
    metadata: { name: 'test' },
    spec: { clusterIP: 'None', selector: labels, ports: [{ name: 'http', port: 80 }] },
  });
  return ns;
}

function statefulSet(
  name: string,
  replicas: number,
  podLabels: Record<string, string> = labels,
  spec: Json = {},
) {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name },
    spec: {
      replicas,
      serviceName: 'test',
      selector: { matchLabels: podLabels },
      template: {
        metadata: { labels: podLabels },
        spec: {
          containers: [
            {
              name: 'webserver',
              image: HTTPD,
              readinessProbe: {
                httpGet: { path: '/index.html', port: 80 },
                periodSeconds: 1,
                successThreshold: 1,
                failureThreshold: 1,
              },
            },
          ],
        },
      },
      ...spec,
    },
  };
}

const setsOf = (ns: string) => `/apis/apps/v1/namespaces/${ns}/statefulsets`;
const isReady = (pod: Json) =>
  pod.status?.phase === 'Running' &&
  (pod.status?.conditions ?? []).some((c: Json) => c.type === 'Ready' && c.status === 'True');

async function podsOf(ns: string, podLabels: Record<string, string> = labels): Promise<Json[]> {
  const query = encodeURIComponent(
    Object.entries(podLabels)
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
  );
  const list = await api.ok('GET', `/api/v1/namespaces/${ns}/pods?labelSelector=${query}`);
  return (list.items as Json[]).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

/** Upstream's WaitForRunningAndReady plus the observedGeneration check. */
async function runningAndReady(
  ns: string,
  name: string,
  count: number,
  podLabels: Record<string, string> = labels,
): Promise<Json> {
  return poll(async () => {
    const set = await api.ok('GET', `${setsOf(ns)}/${name}`);
    const pods = (await podsOf(ns, podLabels)).filter((pod) => !pod.metadata.deletionTimestamp);
    return pods.length === count &&
      pods.every(isReady) &&
      (set.status?.observedGeneration ?? 0) >= set.metadata.generation
      ? set
      : undefined;
  }, 10 * MINUTE);
}

async function updateWithRetries(path: string, change: (object: Json) => void): Promise<Json> {
  for (;;) {
    const object = await api.ok('GET', path);
    change(object);
    const result = await api.call('PUT', path, object);
    if (result.status === 409) continue;
    if (result.status >= 300) throw new Error(`PUT ${path} → ${result.status}: ${result.text}`);
    return result.body;
  }
}

// A StatefulSet labels its pods with the whole revision name (`ss2-556684d946`).
const revisionOf = (pod: Json) => pod.metadata.labels['controller-revision-hash'];
const imageOf = (pod: Json) => pod.spec.containers[0].image;

describe('[sig-apps] StatefulSet Basic StatefulSet functionality [StatefulSetBasic]', () => {
  it('should have a working scale subresource', async () => {
    const ns = await setUp('statefulset');
    await api.ok('POST', setsOf(ns), statefulSet('ss', 1));
    await runningAndReady(ns, 'ss', 1);
    const scale = await api.ok('GET', `${setsOf(ns)}/ss/scale`);
    expect(scale.spec.replicas).toBe(1);
    expect(scale.status.replicas).toBe(1);
    delete scale.metadata.resourceVersion;
    scale.spec.replicas = 2;
    expect((await api.ok('PUT', `${setsOf(ns)}/ss/scale`, scale)).spec.replicas).toBe(2);
    expect((await api.ok('GET', `${setsOf(ns)}/ss`)).spec.replicas).toBe(2);
    await api.ok('PATCH', `${setsOf(ns)}/ss/scale`, { spec: { replicas: 4 } }, strategic);
    expect((await api.ok('GET', `${setsOf(ns)}/ss`)).spec.replicas).toBe(4);
  });

  it('should list, patch and delete a collection of StatefulSets', async () => {
    const ns = await setUp('statefulset');
    const podLabels = { name: 'sample-pod', pod: 'httpd' };
    await api.ok('POST', setsOf(ns), statefulSet('test-ss', 1, podLabels));
    await runningAndReady(ns, 'test-ss', 1, podLabels);
    await api.ok(
      'PATCH',
      `${setsOf(ns)}/test-ss`,
      {
        metadata: { labels: { 'test-ss': 'patched' } },
        spec: {
          replicas: 2,
          template: {
            spec: { TerminationGracePeriodSeconds: 1, containers: [{ name: 'test-ss', image: PAUSE }] },
          },
        },
      },
      strategic,
    );
    const patched = await api.ok('GET', `${setsOf(ns)}/test-ss`);
    expect(patched.spec.replicas).toBe(2);
    expect(patched.spec.template.spec.containers[0].image).toBe(PAUSE);
    expect(patched.spec.template.spec.TerminationGracePeriodSeconds).toBeUndefined();
    await runningAndReady(ns, 'test-ss', 2, podLabels);

    const listed = await api.ok('GET', '/apis/apps/v1/statefulsets?labelSelector=test-ss%3Dpatched');
    expect(listed.items).toHaveLength(1);
    await api.ok('DELETE', `${setsOf(ns)}?labelSelector=test-ss%3Dpatched&gracePeriodSeconds=1`);
    expect(
      (await api.ok('GET', '/apis/apps/v1/statefulsets?labelSelector=test-ss%3Dpatched')).items,
    ).toHaveLength(0);
  });

  it('should validate Statefulset Status endpoints', async () => {
    const ns = await setUp('statefulset');
    const listed = await api.ok('GET', '/apis/apps/v1/statefulsets?labelSelector=e2e%3Dtesting');
    await api.ok('POST', setsOf(ns), statefulSet('ss', 1));
    await runningAndReady(ns, 'ss', 1);
    await api.ok('PATCH', `${setsOf(ns)}/ss`, { metadata: { labels: { e2e: 'testing' } } }, strategic);
    expect((await api.ok('GET', `${setsOf(ns)}/ss/status`)).metadata.name).toBe('ss');
    await updateWithRetries(`${setsOf(ns)}/ss/status`, (object) => {
      object.status.conditions = [
        ...(object.status.conditions ?? []),
        { type: 'StatusUpdate', status: 'True', reason: 'E2E', message: 'Set from e2e test' },
      ];
    });
    const watch = api.watch(
      `/apis/apps/v1/statefulsets?watch=1&labelSelector=e2e%3Dtesting&resourceVersion=${listed.metadata.resourceVersion}`,
    );
    await watch.ready;
    try {
      await watch.waitFor(
        (event) =>
          event.object.metadata.name === 'ss' &&
          event.object.metadata.namespace === ns &&
          (event.object.status?.conditions ?? []).some(
            (c: Json) => c.type === 'StatusUpdate' && c.reason === 'E2E' && c.message === 'Set from e2e test',
          ),
        10 * MINUTE,
      );
      await api.ok(
        'PATCH',
        `${setsOf(ns)}/ss/status`,
        { status: { conditions: [{ type: 'StatusPatched', status: 'True' }] } },
        merge,
      );
      await watch.waitFor((event) =>
        (event.object.status?.conditions ?? []).some((c: Json) => c.type === 'StatusPatched'),
      );
    } finally {
      watch.close();
    }
  });

  it('should perform rolling updates and roll backs of template modifications', async () => {
    const ns = await setUp('statefulset');
    await api.ok('POST', setsOf(ns), statefulSet('ss2', 3));
    let set = await runningAndReady(ns, 'ss2', 3);
    expect(set.status.currentRevision).toBe(set.status.updateRevision);
    const original = set.status.currentRevision;
    for (const pod of await podsOf(ns)) expect(revisionOf(pod)).toBe(original);

    const rollTo = async (image: string) => {
      await driver.setReady(ns, 'ss2-1', false);
      await poll(async () => !isReady(await api.ok('GET', `/api/v1/namespaces/${ns}/pods/ss2-1`)), MINUTE);
      const updated = await updateWithRetries(`${setsOf(ns)}/ss2`, (object) => {
        object.spec.template.spec.containers[0].image = image;
      });
      const observed = await poll(async () => {
        const current = await api.ok('GET', `${setsOf(ns)}/ss2`);
        return (current.status?.observedGeneration ?? 0) >= updated.metadata.generation ? current : undefined;
      }, MINUTE);
      expect(observed.status.currentRevision).not.toBe(observed.status.updateRevision);
      await driver.setReady(ns, 'ss2-1', true);
      return observed.status.updateRevision as string;
    };
    const done = async (image: string, revision: string) =>
      poll(async () => {
        const current = await api.ok('GET', `${setsOf(ns)}/ss2`);
        const pods = (await podsOf(ns)).filter((pod) => !pod.metadata.deletionTimestamp);
        return current.status?.currentRevision === revision &&
          current.status?.updateRevision === revision &&
          pods.length === 3 &&
          pods.every((pod) => isReady(pod) && imageOf(pod) === image && revisionOf(pod) === revision)
          ? current
          : undefined;
      }, 10 * MINUTE);

    const updateRevision = await rollTo(HTTPD_NEW);
    set = await done(HTTPD_NEW, updateRevision);
    expect(set.status.currentRevision).toBe(updateRevision);

    // Rolling back reuses the original revision rather than making a new one.
    const rollbackRevision = await rollTo(HTTPD);
    expect(rollbackRevision).toBe(original);
    await done(HTTPD, original);
  });

  it('should perform canary updates and phased rolling updates of template modifications', async () => {
    const ns = await setUp('statefulset');
    const partitioned = (partition: number) => ({ type: 'RollingUpdate', rollingUpdate: { partition } });
    await api.ok('POST', setsOf(ns), statefulSet('ss2', 3, labels, { updateStrategy: partitioned(3) }));
    let set = await runningAndReady(ns, 'ss2', 3);
    const current = set.status.currentRevision;
    expect(current).toBe(set.status.updateRevision);
    for (const pod of await podsOf(ns)) expect(revisionOf(pod)).toBe(current);

    const updated = await updateWithRetries(`${setsOf(ns)}/ss2`, (object) => {
      object.spec.template.spec.containers[0].image = HTTPD_NEW;
    });
    set = await poll(async () => {
      const latest = await api.ok('GET', `${setsOf(ns)}/ss2`);
      return (latest.status?.observedGeneration ?? 0) >= updated.metadata.generation ? latest : undefined;
    }, MINUTE);
    const update = set.status.updateRevision;
    expect(update).not.toBe(current);
    for (const pod of await podsOf(ns)) {
      expect(imageOf(pod)).toBe(HTTPD);
      expect(revisionOf(pod)).toBe(current);
    }

    /** Ordinals at or above the partition run the update; the rest the current revision. */
    const partitionedDone = (partition: number) =>
      poll(async () => {
        const pods = (await podsOf(ns)).filter((pod) => !pod.metadata.deletionTimestamp);
        return (
          pods.length === 3 &&
          pods.every((pod) => {
            const ordinal = Number(pod.metadata.name.split('-').at(-1));
            const [image, revision] = ordinal >= partition ? [HTTPD_NEW, update] : [HTTPD, current];
            return isReady(pod) && imageOf(pod) === image && revisionOf(pod) === revision;
          })
        );
      }, 10 * MINUTE);

    // Canary: only the highest ordinal.
    await api.ok('PATCH', `${setsOf(ns)}/ss2`, { spec: { updateStrategy: partitioned(2) } }, strategic);
    await partitionedDone(2);
    // Pods made again keep the revision the partition dictates.
    for (const name of ['ss2-0', 'ss2-2']) {
      await api.ok('DELETE', `/api/v1/namespaces/${ns}/pods/${name}`, { gracePeriodSeconds: 0 });
    }
    await runningAndReady(ns, 'ss2', 3);
    await partitionedDone(2);
    // Phased: down to 1, then 0.
    for (const partition of [1, 0]) {
      await api.ok(
        'PATCH',
        `${setsOf(ns)}/ss2`,
        { spec: { updateStrategy: partitioned(partition) } },
        strategic,
      );
      await partitionedDone(partition);
    }
    await poll(async () => {
      const latest = await api.ok('GET', `${setsOf(ns)}/ss2`);
      return latest.status.currentRevision === latest.status.updateRevision;
    }, MINUTE);
  });
});
