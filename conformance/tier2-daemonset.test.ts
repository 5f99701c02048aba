import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../client/http-client.js';
import { ApiClient, poll } from './client.js';
import { startSkiff, type TestSkiff } from './harness.js';
import { PodDriver } from './pod-driver.js';

/**
 * Tier 2 of ../shared/conformance/SUBSET.md, DaemonSet (#59, #60, #62, #64), each test named after its
 * upstream conformance test and following its steps over HTTP, on three simulated nodes. A PodDriver
 * stands in for scheduler and kubelet: it binds each daemon pod to the node its affinity names and
 * reports it Running and Ready.
 */
let skiff: TestSkiff;
let api: ApiClient;
let client: HttpClient;
let driver: PodDriver;
const nodes = ['node-a', 'node-b', 'node-c'];

beforeAll(async () => {
  skiff = await startSkiff();
  api = new ApiClient(skiff.url);
  client = new HttpClient({ connection: { server: skiff.url, namespace: 'default' } });
  driver = await PodDriver.start({ client, nodes });
});
afterAll(async () => {
  await driver?.stop();
  await client?.close();
  await skiff?.stop();
  expect((driver?.errors ?? []).map(String)).toEqual([]);
});

type Json = Record<string, any>;
const HTTPD = 'registry.k8s.io/e2e-test-images/httpd:2.4.38-4';
const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.53';
const MINUTE = 60_000;
const labels = { 'daemonset-name': 'daemon-set' };
const selector = 'daemonset-name%3Ddaemon-set';

async function setUp(): Promise<string> {
  const namespace = await api.ok('POST', '/api/v1/namespaces', {
    metadata: {
      generateName: 'daemonsets-',
      annotations: { 'scheduler.alpha.kubernetes.io/node-selector': '' },
    },
  });
  return namespace.metadata.name;
}

function daemonSet(spec: Json = {}, template: Json = {}): Json {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'daemon-set', labels },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'app', image: HTTPD, ports: [{ containerPort: 9376 }] }], ...template },
      },
      ...spec,
    },
  };
}

const isAvailable = (pod: Json) =>
  pod.status?.phase === 'Running' &&
  (pod.status?.conditions ?? []).some((c: Json) => c.type === 'Ready' && c.status === 'True');

async function daemonPods(ns: string): Promise<Json[]> {
  const list = await api.ok('GET', `/api/v1/namespaces/${ns}/pods?labelSelector=${selector}`);
  return (list.items as Json[]).filter((pod) => !pod.metadata.deletionTimestamp);
}

/** Upstream's checkRunningOnAllNodes / checkDaemonPodOnNodes: one available pod on each, none elsewhere. */
async function runningOn(ns: string, expected: readonly string[], image?: string): Promise<void> {
  await poll(async () => {
    const byNode = new Map<string, Json[]>();
    for (const pod of await daemonPods(ns)) {
      if (!pod.spec.nodeName || !isAvailable(pod)) continue;
      if (image && pod.spec.containers[0].image !== image) continue;
      byNode.set(pod.spec.nodeName, [...(byNode.get(pod.spec.nodeName) ?? []), pod]);
    }
    return expected.every((node) => byNode.get(node)?.length === 1) && byNode.size === expected.length;
  }, 5 * MINUTE);
}

/** Upstream's checkDaemonStatus. */
async function statusMatches(ns: string, count: number): Promise<void> {
  await poll(async () => {
    const status = (await api.ok('GET', `/apis/apps/v1/namespaces/${ns}/daemonsets/daemon-set`)).status ?? {};
    return (
      status.desiredNumberScheduled === count &&
      status.currentNumberScheduled === count &&
      status.numberReady === count
    );
  }, MINUTE);
}

async function labelNode(node: string, value: string | null): Promise<void> {
  await api.ok(
    'PATCH',
    `/api/v1/nodes/${node}`,
    { metadata: { labels: { 'daemonset-color': value } } },
    'application/merge-patch+json',
  );
}

describe('[sig-apps] Daemon set [Serial]', () => {
  it('should run and stop simple daemon', async () => {
    const ns = await setUp();
    await api.ok('POST', `/apis/apps/v1/namespaces/${ns}/daemonsets`, daemonSet());
    await runningOn(ns, nodes);
    await statusMatches(ns, nodes.length);

    const [victim] = await daemonPods(ns);
    await api.ok('DELETE', `/api/v1/namespaces/${ns}/pods/${victim!.metadata.name}`);
    await poll(
      async () => (await daemonPods(ns)).every((pod) => pod.metadata.uid !== victim!.metadata.uid),
      MINUTE,
    );
    await runningOn(ns, nodes);
  });

  it('should run and stop complex daemon', async () => {
    const ns = await setUp();
    try {
      await api.ok(
        'POST',
        `/apis/apps/v1/namespaces/${ns}/daemonsets`,
        daemonSet({}, { nodeSelector: { 'daemonset-color': 'blue' } }),
      );
      await runningOn(ns, []);
      await labelNode('node-b', 'blue');
      await runningOn(ns, ['node-b']);
      await statusMatches(ns, 1);

      await labelNode('node-b', 'green');
      await poll(async () => (await daemonPods(ns)).length === 0, 5 * MINUTE);

      await api.ok(
        'PATCH',
        `/apis/apps/v1/namespaces/${ns}/daemonsets/daemon-set`,
        {
          spec: {
            template: { spec: { nodeSelector: { 'daemonset-color': 'green' } } },
            updateStrategy: { type: 'RollingUpdate' },
          },
        },
        'application/strategic-merge-patch+json',
      );
      await runningOn(ns, ['node-b']);
      await statusMatches(ns, 1);
    } finally {
      await labelNode('node-b', null);
    }
  });

  it('should update pod when spec was updated and update strategy is RollingUpdate', async () => {
    const ns = await setUp();
    const base = `/apis/apps/v1/namespaces/${ns}/daemonsets/daemon-set`;
    await api.ok(
      'POST',
      `/apis/apps/v1/namespaces/${ns}/daemonsets`,
      daemonSet({ updateStrategy: { type: 'RollingUpdate' } }),
    );
    await runningOn(ns, nodes);

    /** The ControllerRevisions of the set, and the one whose template is the set's current one. */
    const history = async () => {
      const set = await api.ok('GET', base);
      const revisions = (
        await api.ok('GET', `/apis/apps/v1/namespaces/${ns}/controllerrevisions?labelSelector=${selector}`)
      ).items as Json[];
      const image = set.spec.template.spec.containers[0].image;
      const current = revisions.find(
        (revision) => revision.data.spec.template.spec.containers[0].image === image,
      );
      return { revisions, current };
    };
    const podsCarry = async (hash: string) =>
      (await daemonPods(ns)).every((pod) => pod.metadata.labels['controller-revision-hash'] === hash);

    const first = await poll(async () => {
      const found = await history();
      return found.revisions.length === 1 && found.current ? found.current : undefined;
    }, 5 * MINUTE);
    expect(first.revision).toBe(1);
    expect(await podsCarry(first.metadata.labels['controller-revision-hash'])).toBe(true);

    await api.ok(
      'PATCH',
      base,
      { spec: { template: { spec: { containers: [{ name: 'app', image: AGNHOST }] } } } },
      'application/strategic-merge-patch+json',
    );
    // Never more than one node without an available daemon pod (maxUnavailable 1) while it rolls.
    let worstUnavailable = 0;
    await poll(
      async () => {
        const pods = await daemonPods(ns);
        const availableOn = new Set(pods.filter(isAvailable).map((pod) => pod.spec.nodeName));
        const unavailable = nodes.filter((node) => !availableOn.has(node)).length;
        worstUnavailable = Math.max(worstUnavailable, unavailable);
        if (unavailable > 1) throw new Error(`${unavailable} nodes without an available daemon pod`);
        return pods.length === nodes.length && pods.every((pod) => pod.spec.containers[0].image === AGNHOST);
      },
      5 * MINUTE,
      5,
    );
    expect(worstUnavailable).toBeLessThanOrEqual(1);
    await runningOn(ns, nodes, AGNHOST);

    const second = await poll(async () => {
      const found = await history();
      return found.revisions.length === 2 && found.current?.revision === 2 ? found.current : undefined;
    }, MINUTE);
    expect(await podsCarry(second.metadata.labels['controller-revision-hash'])).toBe(true);
  });

  it('should verify changes to a daemon set status', async () => {
    const ns = await setUp();
    const base = `/apis/apps/v1/namespaces/${ns}/daemonsets/daemon-set`;
    const listed = await api.ok('GET', `/apis/apps/v1/daemonsets?labelSelector=${selector}`);
    await api.ok('POST', `/apis/apps/v1/namespaces/${ns}/daemonsets`, daemonSet());
    await runningOn(ns, nodes);
    await statusMatches(ns, nodes.length);
    expect((await api.ok('GET', `${base}/status`)).metadata.name).toBe('daemon-set');

    for (;;) {
      const set = await api.ok('GET', base);
      set.status.conditions = [
        ...(set.status.conditions ?? []),
        { type: 'StatusUpdate', status: 'True', reason: 'E2E', message: 'Set from e2e test' },
      ];
      const result = await api.call('PUT', `${base}/status`, set);
      if (result.status === 409) continue;
      expect(result.status).toBe(200);
      break;
    }
    const watch = api.watch(
      `/apis/apps/v1/daemonsets?watch=1&labelSelector=${selector}&resourceVersion=${listed.metadata.resourceVersion}`,
    );
    await watch.ready;
    try {
      await watch.waitFor((event) =>
        (event.object.status?.conditions ?? []).some(
          (c: Json) => c.type === 'StatusUpdate' && c.reason === 'E2E',
        ),
      );
      await api.ok(
        'PATCH',
        `${base}/status`,
        { status: { conditions: [{ type: 'StatusPatched', status: 'True' }] } },
        'application/merge-patch+json',
      );
      await watch.waitFor((event) =>
        (event.object.status?.conditions ?? []).some((c: Json) => c.type === 'StatusPatched'),
      );
    } finally {
      watch.close();
    }
  });
});
