import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../client/http-client.js';
import { ApiClient, poll, randomSuffix } from './client.js';
import { startSkiff, type TestSkiff } from './harness.js';
import { PodDriver } from './pod-driver.js';

/**
 * Tier 2 of ../shared/conformance/SUBSET.md: the apps controllers (ReplicationController, ReplicaSet,
 * Deployment) and the garbage collector, each test named after its upstream conformance test and
 * following its steps over HTTP. No kubelet or scheduler exists yet: a PodDriver binds pods to a
 * simulated node and reports them Running and Ready, as those would (images tagged `404` never start).
 * Upstream's minute-long limits are kept as limits; the controllers meet them in well under a second.
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

const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.53';
const HTTPD = 'registry.k8s.io/e2e-test-images/httpd:2.4.38-4';
const _HTTPD_NEW = 'registry.k8s.io/e2e-test-images/httpd:2.4.39-4';
const NGINX = 'registry.k8s.io/e2e-test-images/nginx:1.14-4';
const PAUSE = 'registry.k8s.io/pause:3.10';
const MINUTE = 60_000;

async function createNamespace(base: string): Promise<string> {
  const namespace = await api.ok('POST', '/api/v1/namespaces', { metadata: { generateName: `${base}-` } });
  return namespace.metadata.name;
}

type Json = Record<string, any>;

function podTemplate(labels: Record<string, string>, name: string, image: string, extra: Json = {}): Json {
  return {
    metadata: { labels },
    spec: { terminationGracePeriodSeconds: 0, containers: [{ name, image }], ...extra },
  };
}

function replicaSet(name: string, replicas: number, labels: Record<string, string>, image = AGNHOST): Json {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, labels },
    spec: { replicas, selector: { matchLabels: labels }, template: podTemplate(labels, name, image) },
  };
}

function replicationController(
  name: string,
  replicas: number,
  labels: Record<string, string>,
  image = HTTPD,
  container = name,
): Json {
  return {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name, labels },
    spec: { replicas, selector: labels, template: podTemplate(labels, container, image) },
  };
}

function deployment(
  name: string,
  replicas: number,
  labels: Record<string, string>,
  image: string,
  spec: Json = {},
): Json {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: podTemplate(labels, 'agnhost', image),
      ...spec,
    },
  };
}

const selectorOf = (labels: Record<string, string>) =>
  encodeURIComponent(
    Object.entries(labels)
      .map(([key, value]) => `${key}=${value}`)
      .join(','),
  );

async function pods(ns: string, labels?: Record<string, string>): Promise<Json[]> {
  const query = labels ? `?labelSelector=${selectorOf(labels)}` : '';
  return (await api.ok('GET', `/api/v1/namespaces/${ns}/pods${query}`)).items;
}

const isRunning = (pod: Json) => pod.status?.phase === 'Running';
const _isReady = (pod: Json) =>
  (pod.status?.conditions ?? []).some((c: Json) => c.type === 'Ready' && c.status === 'True');
const controllerRef = (object: Json) =>
  (object.metadata.ownerReferences ?? []).find((o: Json) => o.controller);

/** Waits until exactly `count` pods with the labels are Running (and not being deleted). */
async function runningPods(ns: string, labels: Record<string, string>, count: number): Promise<Json[]> {
  return poll(async () => {
    const found = (await pods(ns, labels)).filter((pod) => !pod.metadata.deletionTimestamp);
    return found.length === count && found.every(isRunning) ? found : undefined;
  }, 2 * MINUTE);
}

/** GET, change, PUT; again on a conflict (upstream's RetryOnConflict / UpdateXWithRetries). */
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

const strategic = 'application/strategic-merge-patch+json';
const merge = 'application/merge-patch+json';

describe('[sig-apps] ReplicationController', () => {
  it('should adopt matching pods on creation', async () => {
    const ns = await createNamespace('replication-controller');
    const labels = { name: 'pod-adoption' };
    await api.ok('POST', `/api/v1/namespaces/${ns}/pods`, {
      metadata: { name: 'pod-adoption', labels },
      spec: { containers: [{ name: 'pod-adoption', image: HTTPD }] },
    });
    await runningPods(ns, labels, 1);
    const rc = await api.ok('POST', `/api/v1/namespaces/${ns}/replicationcontrollers`, {
      ...replicationController('pod-adoption', 1, labels),
    });
    await poll(async () => {
      const pod = await api.call('GET', `/api/v1/namespaces/${ns}/pods/pod-adoption`);
      if (pod.status === 404) return true;
      return controllerRef(pod.body)?.uid === rc.metadata.uid;
    }, MINUTE);
  });

  it('should release no longer matching pods', async () => {
    const ns = await createNamespace('replication-controller');
    const labels = { name: 'pod-release' };
    const rc = await api.ok('POST', `/api/v1/namespaces/${ns}/replicationcontrollers`, {
      ...replicationController('pod-release', 1, labels),
    });
    const [pod] = await runningPods(ns, labels, 1);
    const path = `/api/v1/namespaces/${ns}/pods/${pod!.metadata.name}`;
    await updateWithRetries(path, (object) => {
      object.metadata.labels = { name: 'not-matching-name' };
    });
    await poll(async () => controllerRef(await api.ok('GET', path))?.uid !== rc.metadata.uid, MINUTE);
  });

  it('should test the lifecycle of a ReplicationController', async () => {
    const ns = await createNamespace('replication-controller');
    const base = `/api/v1/namespaces/${ns}/replicationcontrollers`;
    const labels = { 'test-rc-static': 'true' };
    const listed = await api.ok('GET', `/api/v1/replicationcontrollers?labelSelector=${selectorOf(labels)}`);
    const watch = api.watch(
      `/api/v1/namespaces/${ns}/replicationcontrollers?watch=1&labelSelector=${selectorOf(labels)}&resourceVersion=${listed.metadata.resourceVersion}`,
    );
    await watch.ready;
    try {
      const rc = replicationController('rc-test', 1, labels, NGINX);
      rc.spec.template.spec.containers[0].name = 'rc-test';
      await api.ok('POST', base, rc);
      expect((await watch.next(MINUTE)).type).toBe('ADDED');
      await watch.waitFor(
        (event) => event.object.status?.replicas === 1 && event.object.status?.readyReplicas === 1,
        5 * MINUTE,
      );

      const patched = await api.ok(
        'PATCH',
        `${base}/rc-test`,
        { metadata: { labels: { 'test-rc': 'patched' } } },
        strategic,
      );
      expect(patched.metadata.labels['test-rc']).toBe('patched');
      await watch.waitFor(
        (event) => event.type === 'MODIFIED' && event.object.metadata.labels?.['test-rc'] === 'patched',
        MINUTE,
      );

      const statusPatched = await api.ok(
        'PATCH',
        `${base}/rc-test/status`,
        { status: { readyReplicas: 0, availableReplicas: 0 } },
        strategic,
      );
      expect(statusPatched.status.readyReplicas ?? 0).toBe(0);
      await watch.waitFor(
        (event) => event.type === 'MODIFIED' && (event.object.status?.readyReplicas ?? 0) === 0,
        MINUTE,
      );
      await watch.waitFor((event) => event.object.status?.replicas === 1, MINUTE);
      expect((await api.ok('GET', `${base}/rc-test/status`)).status.replicas).toBe(1);

      await api.ok('PATCH', `${base}/rc-test/scale`, { spec: { replicas: 2 } }, strategic);
      await watch.waitFor(
        (event) => event.object.status?.replicas === 2 && event.object.status?.readyReplicas === 2,
        5 * MINUTE,
      );

      const current = await api.ok('GET', `${base}/rc-test`);
      expect(current.metadata.labels['test-rc']).toBe('patched');
      current.status = { ...current.status, availableReplicas: 1, readyReplicas: 1 };
      await api.ok('PUT', `${base}/rc-test/status`, current);
      await watch.waitFor(
        (event) => event.type === 'MODIFIED' && event.object.status?.readyReplicas === 1,
        MINUTE,
      );

      const all = await api.ok('GET', `/api/v1/replicationcontrollers?labelSelector=${selectorOf(labels)}`);
      const found = all.items.find(
        (item: Json) => item.metadata.namespace === ns && item.metadata.name === 'rc-test',
      );
      expect(found.metadata.labels).toMatchObject({ 'test-rc-static': 'true', 'test-rc': 'patched' });

      await api.ok('DELETE', `${base}?labelSelector=${selectorOf(labels)}`);
      await watch.waitFor((event) => event.type === 'DELETED', MINUTE);
    } finally {
      watch.close();
    }
  });

  it('should get and update a ReplicationController scale', async () => {
    const ns = await createNamespace('replication-controller');
    const name = `e2e-rc-${randomSuffix()}`;
    const base = `/api/v1/namespaces/${ns}/replicationcontrollers`;
    await api.ok('POST', base, replicationController(name, 1, { name }));
    await poll(async () => (await api.ok('GET', `${base}/${name}`)).status?.replicas === 1, MINUTE);
    const scale = await api.ok('GET', `${base}/${name}/scale`);
    expect(scale.apiVersion).toBe('autoscaling/v1');
    expect(scale.status.replicas).toBe(1);
    delete scale.metadata.resourceVersion;
    scale.spec.replicas = 2;
    await api.ok('PUT', `${base}/${name}/scale`, scale);
    await poll(async () => (await api.ok('GET', `${base}/${name}`)).status?.replicas === 2, MINUTE);
  });
});

describe('[sig-apps] ReplicaSet', () => {
  it('should adopt matching pods on creation and release no longer matching pods', async () => {
    const ns = await createNamespace('replicaset');
    const name = 'pod-adoption-release';
    const labels = { name };
    await api.ok('POST', `/api/v1/namespaces/${ns}/pods`, {
      metadata: { name, labels },
      spec: { containers: [{ name, image: AGNHOST }] },
    });
    await runningPods(ns, labels, 1);
    const rs = await api.ok(
      'POST',
      `/apis/apps/v1/namespaces/${ns}/replicasets`,
      replicaSet(name, 1, labels),
    );
    await poll(async () => {
      const pod = await api.call('GET', `/api/v1/namespaces/${ns}/pods/${name}`);
      return pod.status === 404 || controllerRef(pod.body)?.uid === rs.metadata.uid;
    }, MINUTE);

    const [pod] = await pods(ns, labels);
    const path = `/api/v1/namespaces/${ns}/pods/${pod!.metadata.name}`;
    await updateWithRetries(path, (object) => {
      object.metadata.labels = { name: 'not-matching-name' };
    });
    await poll(async () => controllerRef(await api.ok('GET', path))?.uid !== rs.metadata.uid, MINUTE);
  });

  it('Replicaset should have a working scale subresource', async () => {
    const ns = await createNamespace('replicaset');
    const labels = { name: 'sample-pod', pod: 'agnhost' };
    const base = `/apis/apps/v1/namespaces/${ns}/replicasets`;
    const rs = replicaSet('test-rs', 1, labels);
    rs.spec.template.spec.containers[0].name = 'agnhost';
    await api.ok('POST', base, rs);
    await runningPods(ns, labels, 1);
    await poll(async () => (await api.ok('GET', `${base}/test-rs`)).status?.replicas === 1, MINUTE);

    const scale = await api.ok('GET', `${base}/test-rs/scale`);
    expect(scale.spec.replicas).toBe(1);
    expect(scale.status.replicas).toBe(1);
    delete scale.metadata.resourceVersion;
    scale.spec.replicas = 2;
    expect((await api.ok('PUT', `${base}/test-rs/scale`, scale)).spec.replicas).toBe(2);
    expect((await api.ok('GET', `${base}/test-rs`)).spec.replicas).toBe(2);

    await api.ok('PATCH', `${base}/test-rs/scale`, { spec: { replicas: 4 } }, strategic);
    expect((await api.ok('GET', `${base}/test-rs`)).spec.replicas).toBe(4);
  });

  it('Replace and Patch tests', async () => {
    const ns = await createNamespace('replicaset');
    const base = `/apis/apps/v1/namespaces/${ns}/replicasets`;
    const patchedLabel = { 'test-rs': 'patched' };
    const listed = await api.ok('GET', `/apis/apps/v1/replicasets?labelSelector=${selectorOf(patchedLabel)}`);
    const labels = { name: 'sample-pod', pod: 'agnhost' };
    const rs = replicaSet('test-rs', 1, labels);
    rs.spec.template.spec.containers[0].name = 'agnhost';
    const created = await api.ok('POST', base, rs);
    await runningPods(ns, labels, 1);

    await updateWithRetries(`${base}/test-rs`, (object) => {
      object.spec.replicas = 2;
    });
    const patched = await api.ok(
      'PATCH',
      `${base}/test-rs`,
      {
        metadata: { labels: patchedLabel },
        spec: {
          replicas: 3,
          template: {
            spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'test-rs', image: PAUSE }] },
          },
        },
      },
      strategic,
    );
    expect(Number(patched.metadata.resourceVersion)).toBeGreaterThan(
      Number(created.metadata.resourceVersion),
    );
    expect(patched.spec.template.spec.containers.map((c: Json) => c.name)).toEqual(['test-rs', 'agnhost']);

    const watch = api.watch(
      `/apis/apps/v1/replicasets?watch=1&labelSelector=${selectorOf(patchedLabel)}&resourceVersion=${listed.metadata.resourceVersion}`,
    );
    await watch.ready;
    try {
      await watch.waitFor((event) => {
        const object = event.object;
        return (
          object.metadata.labels?.['test-rs'] === 'patched' &&
          object.status?.readyReplicas === 3 &&
          object.status?.availableReplicas === 3 &&
          object.spec.template.spec.containers[0].image === PAUSE &&
          object.spec.template.spec.terminationGracePeriodSeconds === 0
        );
      }, 5 * MINUTE);
    } finally {
      watch.close();
    }
    // The set added the third pod from the new template; the two it had keep the old one.
    const images = (await pods(ns, labels)).map((pod) => pod.spec.containers.length).sort();
    expect(images).toEqual([1, 1, 2]);
  });

  it('should validate Replicaset Status endpoints', async () => {
    const ns = await createNamespace('replicaset');
    const base = `/apis/apps/v1/namespaces/${ns}/replicasets`;
    const labels = { name: 'sample-pod', pod: 'agnhost' };
    const listed = await api.ok('GET', `/apis/apps/v1/replicasets?labelSelector=${selectorOf(labels)}`);
    await api.ok('POST', base, { ...replicaSet('test-rs', 1, labels) });
    await runningPods(ns, labels, 1);
    expect((await api.ok('GET', `${base}/test-rs/status`)).metadata.name).toBe('test-rs');

    await updateWithRetries(`${base}/test-rs/status`, (object) => {
      object.status.conditions = [
        ...(object.status.conditions ?? []),
        { type: 'StatusUpdate', status: 'True', reason: 'E2E', message: 'Set from e2e test' },
      ];
    });
    const watch = api.watch(
      `/apis/apps/v1/replicasets?watch=1&labelSelector=${selectorOf(labels)}&resourceVersion=${listed.metadata.resourceVersion}`,
    );
    await watch.ready;
    try {
      await watch.waitFor((event) =>
        (event.object.status?.conditions ?? []).some(
          (c: Json) => c.type === 'StatusUpdate' && c.reason === 'E2E' && c.message === 'Set from e2e test',
        ),
      );
      await api.ok(
        'PATCH',
        `${base}/test-rs/status`,
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
});

describe('[sig-apps] Deployment', () => {
  const deploymentsOf = (ns: string) => `/apis/apps/v1/namespaces/${ns}/deployments`;
  const replicaSetsOf = async (ns: string): Promise<Json[]> =>
    (await api.ok('GET', `/apis/apps/v1/namespaces/${ns}/replicasets`)).items;

  /** Upstream's WaitForDeploymentComplete. */
  async function complete(ns: string, name: string): Promise<Json> {
    return poll(async () => {
      const d = await api.ok('GET', `${deploymentsOf(ns)}/${name}`);
      const s = d.status ?? {};
      return s.updatedReplicas === d.spec.replicas &&
        s.replicas === d.spec.replicas &&
        s.availableReplicas === d.spec.replicas &&
        (s.observedGeneration ?? 0) >= d.metadata.generation
        ? d
        : undefined;
    }, 5 * MINUTE);
  }

  it('RollingUpdateDeployment should delete old pods and create new ones', async () => {
    const ns = await createNamespace('deployment');
    const labels = { name: 'sample-pod', pod: 'httpd' };
    const rs = replicaSet('test-rolling-update-controller', 1, labels, HTTPD);
    rs.metadata.annotations = { 'deployment.kubernetes.io/revision': '3546343826724305832' };
    await api.ok('POST', `/apis/apps/v1/namespaces/${ns}/replicasets`, rs);
    await runningPods(ns, labels, 1);

    const d = deployment('test-rolling-update-deployment', 1, { name: 'sample-pod' }, AGNHOST, {
      strategy: { type: 'RollingUpdate' },
    });
    await api.ok('POST', deploymentsOf(ns), d);
    await poll(async () => {
      const current = await api.ok('GET', `${deploymentsOf(ns)}/test-rolling-update-deployment`);
      const revision = current.metadata.annotations?.['deployment.kubernetes.io/revision'];
      const newSet = (await replicaSetsOf(ns)).find(
        (set) => set.metadata.annotations?.['deployment.kubernetes.io/revision'] === '3546343826724305833',
      );
      return revision === '3546343826724305833' && newSet?.spec.template.spec.containers[0].image === AGNHOST;
    }, 5 * MINUTE);
    const done = await complete(ns, 'test-rolling-update-deployment');
    const owned = (await replicaSetsOf(ns)).filter((set) => controllerRef(set)?.uid === done.metadata.uid);
    const old = owned.filter((set) => set.metadata.name === 'test-rolling-update-controller');
    expect(owned).toHaveLength(2);
    expect(old).toHaveLength(1);
    expect(old[0]!.spec.replicas).toBe(0);
  });

  it('RecreateDeployment should delete old pods and create new ones', async () => {
    const ns = await createNamespace('deployment');
    const name = 'test-recreate-deployment';
    const labels = { name: 'sample-pod-3' };
    await api.ok(
      'POST',
      deploymentsOf(ns),
      deployment(name, 1, labels, AGNHOST, { strategy: { type: 'Recreate' } }),
    );
    await poll(async () => {
      const d = await api.ok('GET', `${deploymentsOf(ns)}/${name}`);
      return d.metadata.annotations?.['deployment.kubernetes.io/revision'] === '1';
    }, MINUTE);
    await complete(ns, name);

    const updated = await updateWithRetries(`${deploymentsOf(ns)}/${name}`, (object) => {
      object.spec.template.spec.containers[0].name = 'httpd';
      object.spec.template.spec.containers[0].image = HTTPD;
    });
    const watch = api.watch(
      `${deploymentsOf(ns)}?watch=1&fieldSelector=metadata.name%3D${name}&resourceVersion=${updated.metadata.resourceVersion}`,
    );
    await watch.ready;
    try {
      await watch.waitFor((event) => {
        const { spec, status = {}, metadata } = event.object;
        if ((status.updatedReplicas ?? 0) > 0 && status.replicas !== status.updatedReplicas) {
          throw new Error(`old and new pods together: ${JSON.stringify(status)}`);
        }
        return (
          spec.replicas === status.replicas &&
          status.replicas === status.updatedReplicas &&
          (status.observedGeneration ?? 0) >= metadata.generation
        );
      }, 2 * MINUTE);
    } finally {
      watch.close();
    }
  });

  it('deployment should delete old replica sets', async () => {
    const ns = await createNamespace('deployment');
    const labels = { name: 'cleanup-pod', pod: 'httpd' };
    await api.ok(
      'POST',
      `/apis/apps/v1/namespaces/${ns}/replicasets`,
      replicaSet('test-cleanup-controller', 1, labels, HTTPD),
    );
    await runningPods(ns, labels, 1);
    const listed = await api.ok('GET', `/api/v1/namespaces/${ns}/pods`);
    const watch = api.watch(
      `/api/v1/namespaces/${ns}/pods?watch=1&resourceVersion=${listed.metadata.resourceVersion}`,
    );
    await watch.ready;
    try {
      await api.ok(
        'POST',
        deploymentsOf(ns),
        deployment('test-cleanup-deployment', 1, { name: 'cleanup-pod' }, AGNHOST, {
          strategy: { type: 'RollingUpdate' },
          revisionHistoryLimit: 0,
        }),
      );
      const d = await poll(async () => {
        const current = await api.ok('GET', `${deploymentsOf(ns)}/test-cleanup-deployment`);
        const owned = (await replicaSetsOf(ns)).filter(
          (set) => controllerRef(set)?.uid === current.metadata.uid,
        );
        const newSet = owned.find((set) => set.spec.template.spec.containers[0].image === AGNHOST);
        return owned.length === 1 && newSet ? current : undefined;
      }, 5 * MINUTE);
      await complete(ns, d.metadata.name);
      const added: Json[] = [];
      for (;;) {
        const event = await watch.next(500).catch(() => undefined);
        if (!event) break;
        if (event.type === 'ADDED') added.push(event.object);
      }
      expect(added.length).toBeLessThanOrEqual(1);
      for (const pod of added) expect(pod.spec.containers[0].name).toBe('agnhost');
    } finally {
      watch.close();
    }
  });

  it('deployment should support proportional scaling', async () => {
    const ns = await createNamespace('deployment');
    const name = 'webserver-deployment';
    const labels = { name: 'httpd' };
    await api.ok(
      'POST',
      deploymentsOf(ns),
      deployment(name, 10, labels, HTTPD, {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } },
      }),
    );
    await runningPods(ns, labels, 10);
    const first = await complete(ns, name);
    const firstSet = (await replicaSetsOf(ns)).find((set) => controllerRef(set)?.uid === first.metadata.uid)!;

    await updateWithRetries(`${deploymentsOf(ns)}/${name}`, (object) => {
      object.spec.template.spec.containers[0].image = 'webserver:404';
    });
    const setNamed = async (setName: string) =>
      api.ok('GET', `/apis/apps/v1/namespaces/${ns}/replicasets/${setName}`);
    await poll(async () => {
      const set = await setNamed(firstSet.metadata.name);
      return set.spec.replicas === 8 && set.status.availableReplicas === 8 && set.status.replicas === 8;
    }, MINUTE);
    const secondSet = await poll(async () => {
      const set = (await replicaSetsOf(ns)).find(
        (candidate) => candidate.spec.template.spec.containers[0].image === 'webserver:404',
      );
      return set && set.spec.replicas === 5 && set.status?.replicas === 5 ? set : undefined;
    }, MINUTE);
    expect(secondSet.status.availableReplicas ?? 0).toBe(0);

    await updateWithRetries(`${deploymentsOf(ns)}/${name}`, (object) => {
      object.spec.replicas = 30;
    });
    await poll(async () => (await setNamed(firstSet.metadata.name)).spec.replicas === 20, MINUTE);
    await poll(async () => (await setNamed(secondSet.metadata.name)).spec.replicas === 13, MINUTE);
  });

  it('should run the lifecycle of a Deployment', async () => {
    const ns = await createNamespace('deployment');
    const base = deploymentsOf(ns);
    const labels = { 'test-deployment-static': 'true' };
    const listed = await api.ok('GET', `/apis/apps/v1/deployments?labelSelector=${selectorOf(labels)}`);
    const watch = api.watch(
      `/apis/apps/v1/deployments?watch=1&labelSelector=${selectorOf(labels)}&resourceVersion=${listed.metadata.resourceVersion}`,
    );
    await watch.ready;
    try {
      const original = deployment('test-deployment', 2, labels, AGNHOST);
      original.spec.template.spec.containers[0].name = 'test-deployment';
      original.spec.template.spec.terminationGracePeriodSeconds = 1;
      await api.ok('POST', base, original);
      expect((await watch.next(30_000)).type).toBe('ADDED');
      await watch.waitFor((event) => event.object.status?.readyReplicas === 2, 5 * MINUTE);

      await api.ok(
        'PATCH',
        `${base}/test-deployment`,
        {
          metadata: { labels: { 'test-deployment': 'patched' } },
          spec: {
            replicas: 1,
            template: {
              spec: {
                terminationGracePeriodSeconds: 2,
                containers: [{ name: 'test-deployment', image: PAUSE }],
              },
            },
          },
        },
        strategic,
      );
      await watch.waitFor((event) => event.type === 'MODIFIED', 30_000);
      await watch.waitFor((event) => {
        const { status = {}, spec } = event.object;
        return (
          status.readyReplicas === 1 &&
          status.updatedReplicas === 1 &&
          (status.unavailableReplicas ?? 0) === 0 &&
          spec.template.spec.containers[0].image === PAUSE &&
          spec.template.spec.terminationGracePeriodSeconds === 2
        );
      }, 5 * MINUTE);

      const all = await api.ok('GET', `/apis/apps/v1/deployments?labelSelector=${selectorOf(labels)}`);
      expect(all.items.some((item: Json) => item.metadata.name === 'test-deployment')).toBe(true);

      // An unconditional update: no resourceVersion.
      const replacement = structuredClone(original);
      replacement.metadata.labels = { ...labels, 'test-deployment': 'updated' };
      replacement.spec.template.spec.containers[0].image = HTTPD;
      await api.ok('PUT', `${base}/test-deployment`, replacement);
      await watch.waitFor((event) => event.type === 'MODIFIED', 30_000);
      const status = await api.ok('GET', `${base}/test-deployment/status`);
      expect(status.spec.template.spec.containers[0].image).toBe(HTTPD);
      expect(status.metadata.labels['test-deployment']).toBe('updated');
      const settled = (event: { object: Json }) => {
        const s = event.object.status ?? {};
        return (
          s.readyReplicas === 2 &&
          s.updatedReplicas === 2 &&
          (s.unavailableReplicas ?? 0) === 0 &&
          event.object.spec.template.spec.containers[0].image === HTTPD
        );
      };
      await watch.waitFor(settled, 5 * MINUTE);

      await api.ok(
        'PATCH',
        `${base}/test-deployment/status`,
        { status: { readyReplicas: 0, availableReplicas: 0 } },
        strategic,
      );
      await watch.waitFor(
        (event) =>
          (event.object.status?.readyReplicas ?? 0) === 0 &&
          (event.object.status?.availableReplicas ?? 0) === 0,
        30_000,
      );
      await watch.waitFor(settled, 5 * MINUTE);

      await api.ok('DELETE', `${base}?labelSelector=${selectorOf(labels)}&gracePeriodSeconds=1`);
      await watch.waitFor((event) => event.type === 'DELETED', MINUTE);
    } finally {
      watch.close();
    }
  });

  it('should validate Deployment Status endpoints', async () => {
    const ns = await createNamespace('deployment');
    const base = deploymentsOf(ns);
    const name = `test-deployment-${randomSuffix()}`;
    const labels = { name: 'httpd', e2e: 'testing' };
    const listed = await api.ok('GET', `/apis/apps/v1/deployments?labelSelector=e2e%3Dtesting`);
    await api.ok('POST', base, deployment(name, 1, labels, HTTPD));
    await complete(ns, name);
    expect((await api.ok('GET', `${base}/${name}/status`)).metadata.name).toBe(name);

    await updateWithRetries(`${base}/${name}/status`, (object) => {
      object.status.conditions = [
        ...(object.status.conditions ?? []),
        { type: 'StatusUpdate', status: 'True', reason: 'E2E', message: 'Set from e2e test' },
      ];
    });
    const watch = api.watch(
      `/apis/apps/v1/deployments?watch=1&labelSelector=e2e%3Dtesting&resourceVersion=${listed.metadata.resourceVersion}`,
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
        `${base}/${name}/status`,
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
});

describe('[sig-api-machinery] Garbage collector', () => {
  it('should orphan pods created by rc if delete options say so', async () => {
    const ns = await createNamespace('gc');
    // Half the nodes' allocatable pods, within [10, 100]: 55 for the one simulated node's 110.
    const nodes = (await api.ok('GET', '/api/v1/nodes')).items as Json[];
    const allocatable = nodes.reduce((sum, node) => sum + Number(node.status?.allocatable?.pods ?? 10), 0);
    const replicas = Math.min(100, Math.max(10, Math.floor(allocatable / 2)));
    const labels = { name: `gc-orphan-${randomSuffix()}` };
    const base = `/api/v1/namespaces/${ns}/replicationcontrollers`;
    const rc = await api.ok(
      'POST',
      base,
      replicationController('simpletest.rc', replicas, labels, NGINX, 'nginx'),
    );
    await poll(
      async () => (await api.ok('GET', `${base}/simpletest.rc`)).status?.replicas === replicas,
      2 * MINUTE,
    );

    await api.ok('DELETE', `${base}/simpletest.rc`, {
      propagationPolicy: 'Orphan',
      preconditions: { uid: rc.metadata.uid },
    });
    await poll(async () => (await api.ok('GET', base)).items.length === 0, 3 * MINUTE);
    // Upstream then waits 30 s; nothing may delete the orphans in that time. A second suffices here:
    // the orphans have no owner left for anything to act on.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const remaining = await pods(ns);
    expect(remaining).toHaveLength(replicas);
    for (const pod of remaining) expect(pod.metadata.ownerReferences ?? []).toEqual([]);
  });

  it('should delete RS created by deployment when not orphaning', async () => {
    const ns = await createNamespace('gc');
    const labels = { name: `gc-${randomSuffix()}` };
    const base = `/apis/apps/v1/namespaces/${ns}/deployments`;
    const d = await api.ok('POST', base, deployment('simpletest.deployment', 2, labels, NGINX));
    await poll(
      async () => (await api.ok('GET', `/apis/apps/v1/namespaces/${ns}/replicasets`)).items.length > 0,
      MINUTE,
    );
    await api.ok('DELETE', `${base}/simpletest.deployment`, {
      propagationPolicy: 'Background',
      preconditions: { uid: d.metadata.uid },
    });
    await poll(async () => {
      const [deployments, sets, remaining] = await Promise.all([
        api.ok('GET', base),
        api.ok('GET', `/apis/apps/v1/namespaces/${ns}/replicasets`),
        pods(ns),
      ]);
      return deployments.items.length === 0 && sets.items.length === 0 && remaining.length === 0;
    }, 2 * MINUTE);
  });

  it('should orphan RS created by deployment when deleteOptions.PropagationPolicy is Orphan', async () => {
    const ns = await createNamespace('gc');
    const labels = { name: `gc-${randomSuffix()}` };
    const base = `/apis/apps/v1/namespaces/${ns}/deployments`;
    const setsPath = `/apis/apps/v1/namespaces/${ns}/replicasets`;
    const d = await api.ok('POST', base, deployment('simpletest.deployment', 2, labels, NGINX));
    await poll(async () => {
      const [set] = (await api.ok('GET', setsPath)).items as Json[];
      return (
        set !== undefined &&
        (set.status?.observedGeneration ?? 0) >= set.metadata.generation &&
        set.status?.replicas === set.spec.replicas
      );
    }, MINUTE);
    await api.ok('DELETE', `${base}/simpletest.deployment`, {
      propagationPolicy: 'Orphan',
      preconditions: { uid: d.metadata.uid },
    });
    await poll(async () => (await api.ok('GET', base)).items.length === 0, 2 * MINUTE);
    const sets = (await api.ok('GET', setsPath)).items as Json[];
    expect(sets).toHaveLength(1);
    expect(await pods(ns)).toHaveLength(2);
    for (const set of sets) expect(controllerRef(set)).toBeUndefined();
  });

  it('should not be blocked by dependency circle', async () => {
    const ns = await createNamespace('gc');
    const base = `/api/v1/namespaces/${ns}/pods`;
    const created: Record<string, Json> = {};
    for (const name of ['pod1', 'pod2', 'pod3']) {
      created[name] = await api.ok('POST', base, {
        metadata: { name },
        spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'nginx', image: NGINX }] },
      });
    }
    const own = async (child: string, owner: string) => {
      await api.ok(
        'PATCH',
        `${base}/${child}`,
        {
          metadata: {
            ownerReferences: [
              {
                apiVersion: 'v1',
                kind: 'Pod',
                name: owner,
                uid: created[owner]!.metadata.uid,
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          },
        },
        strategic,
      );
    };
    await own('pod1', 'pod3');
    await own('pod2', 'pod1');
    await own('pod3', 'pod2');
    await api.ok('DELETE', `${base}/pod1`, {
      propagationPolicy: 'Foreground',
      preconditions: { uid: created.pod1!.metadata.uid },
    });
    await poll(async () => (await pods(ns)).length === 0, 150_000);
  });
});
