import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../client/http-client.js';
import { ApiClient, randomSuffix } from './client.js';
import { startSkiff, type TestSkiff } from './harness.js';
import { PodDriver } from './pod-driver.js';

/**
 * Tier 1 of ../shared/conformance/SUBSET.md: API machinery (discovery, version, watch, namespaces),
 * each test named after its upstream conformance test and following its steps over HTTP.
 * A "no event" window is kept short (the upstream tests wait 10 s); events must arrive well within it.
 */
let skiff: TestSkiff;
let api: ApiClient;
const quiet = 300;

beforeAll(async () => {
  skiff = await startSkiff();
  api = new ApiClient(skiff.url);
});
afterAll(async () => {
  await skiff?.stop();
});

async function createNamespace(base: string): Promise<string> {
  const namespace = await api.ok('POST', '/api/v1/namespaces', { metadata: { generateName: `${base}-` } });
  return namespace.metadata.name;
}

const configMap = (name: string, labels: Record<string, string>, data: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, labels },
  data,
});

describe('[sig-api-machinery] Discovery', () => {
  it('should validate PreferredVersion for each APIGroup', async () => {
    const groups = await api.ok('GET', '/apis/');
    expect(groups.groups.length).toBeGreaterThan(0);
    for (const group of groups.groups) {
      const detail = await api.ok('GET', `/apis/${group.name}/`);
      expect(detail.versions.length).toBeGreaterThan(0);
      expect(detail.versions.map((v: { groupVersion: string }) => v.groupVersion)).toContain(
        detail.preferredVersion.groupVersion,
      );
    }
  });
});

describe('[sig-api-machinery] server version', () => {
  it('should find the server version', async () => {
    const version = await api.ok('GET', '/version');
    expect(version.major).toMatch(/^[1-9]$/);
    expect(version.minor.replace(/\D/g, '')).toBe(/\d+/.exec(version.minor)?.[0]);
  });
});

describe('[sig-api-machinery] Watchers', () => {
  it('should observe add, update, and delete watch notifications on configmaps', async () => {
    const ns = await createNamespace('watch');
    const base = `/api/v1/namespaces/${ns}/configmaps`;
    const selector = (values: string) =>
      `${base}?watch=true&labelSelector=${encodeURIComponent(`watch-this-configmap in (${values})`)}`;
    const watchA = api.watch(selector('multiple-watchers-A'));
    const watchB = api.watch(selector('multiple-watchers-B'));
    const watchAB = api.watch(selector('multiple-watchers-A,multiple-watchers-B'));
    await Promise.all([watchA.ready, watchB.ready, watchAB.ready]);

    const created = await api.ok(
      'POST',
      base,
      configMap('e2e-watch-test-configmap-a', { 'watch-this-configmap': 'multiple-watchers-A' }),
    );
    for (const watch of [watchA, watchAB])
      expect(await watch.next()).toEqual({ type: 'ADDED', object: created });
    let current = created;
    for (const mutation of ['1', '2']) {
      current = await api.ok('PUT', `${base}/e2e-watch-test-configmap-a`, { ...current, data: { mutation } });
      for (const watch of [watchA, watchAB])
        expect(await watch.next()).toEqual({ type: 'MODIFIED', object: current });
    }
    await api.ok('DELETE', `${base}/e2e-watch-test-configmap-a`);
    for (const watch of [watchA, watchAB]) expect((await watch.next()).type).toBe('DELETED');
    await watchB.expectNothing(quiet);

    const createdB = await api.ok(
      'POST',
      base,
      configMap('e2e-watch-test-configmap-b', { 'watch-this-configmap': 'multiple-watchers-B' }),
    );
    for (const watch of [watchB, watchAB])
      expect(await watch.next()).toEqual({ type: 'ADDED', object: createdB });
    await api.ok('DELETE', `${base}/e2e-watch-test-configmap-b`);
    for (const watch of [watchB, watchAB]) expect((await watch.next()).type).toBe('DELETED');
    await watchA.expectNothing(quiet);
    for (const watch of [watchA, watchB, watchAB]) watch.close();
  });

  it('should be able to restart watching from the last resource version observed by the previous watch', async () => {
    const ns = await createNamespace('watch');
    const base = `/api/v1/namespaces/${ns}/configmaps`;
    const labels = { 'watch-this-configmap': 'watch-closed-and-restarted' };
    const first = api.watch(
      `${base}?watch=true&labelSelector=watch-this-configmap%3Dwatch-closed-and-restarted`,
    );
    await first.ready;
    const created = await api.ok('POST', base, configMap('e2e-watch-test-watch-closed', labels));
    const updated = await api.ok('PUT', `${base}/e2e-watch-test-watch-closed`, {
      ...created,
      data: { mutation: '1' },
    });
    expect(await first.next()).toEqual({ type: 'ADDED', object: created });
    const modified = await first.next();
    expect(modified).toEqual({ type: 'MODIFIED', object: updated });
    first.close();

    const second = await api.ok('PUT', `${base}/e2e-watch-test-watch-closed`, {
      ...updated,
      data: { mutation: '2' },
    });
    const restarted = api.watch(
      `${base}?watch=true&labelSelector=watch-this-configmap%3Dwatch-closed-and-restarted&resourceVersion=${modified.object.metadata.resourceVersion}`,
    );
    await restarted.ready;
    await api.ok('DELETE', `${base}/e2e-watch-test-watch-closed`);
    expect(await restarted.next()).toEqual({ type: 'MODIFIED', object: second });
    expect((await restarted.next()).type).toBe('DELETED');
    restarted.close();
  });

  it('should observe an object deletion if it stops meeting the requirements of the selector', async () => {
    const ns = await createNamespace('watch');
    const base = `/api/v1/namespaces/${ns}/configmaps`;
    const watch = api.watch(
      `${base}?watch=true&labelSelector=${encodeURIComponent('watch-this-configmap in (label-changed-and-restored)')}`,
    );
    await watch.ready;
    const name = 'e2e-watch-test-label-changed';
    const created = await api.ok(
      'POST',
      base,
      configMap(name, { 'watch-this-configmap': 'label-changed-and-restored' }),
    );
    const first = await api.ok('PUT', `${base}/${name}`, { ...created, data: { mutation: '1' } });
    const moved = await api.ok('PUT', `${base}/${name}`, {
      ...first,
      metadata: { ...first.metadata, labels: { 'watch-this-configmap': 'wrong-value' } },
    });
    expect(await watch.next()).toEqual({ type: 'ADDED', object: created });
    expect(await watch.next()).toEqual({ type: 'MODIFIED', object: first });
    expect((await watch.next()).type).toBe('DELETED');
    const second = await api.ok('PUT', `${base}/${name}`, { ...moved, data: { mutation: '2' } });
    await watch.expectNothing(quiet);
    const restored = await api.ok('PUT', `${base}/${name}`, {
      ...second,
      metadata: { ...second.metadata, labels: { 'watch-this-configmap': 'label-changed-and-restored' } },
    });
    const third = await api.ok('PUT', `${base}/${name}`, { ...restored, data: { mutation: '3' } });
    await api.ok('DELETE', `${base}/${name}`);
    expect(await watch.next()).toEqual({ type: 'ADDED', object: restored });
    expect(await watch.next()).toEqual({ type: 'MODIFIED', object: third });
    expect((await watch.next()).type).toBe('DELETED');
    watch.close();
  });

  it('should receive events on concurrent watches in same order', async () => {
    const ns = await createNamespace('watch');
    const base = `/api/v1/namespaces/${ns}/configmaps`;
    let resourceVersion = (await api.ok('GET', base)).metadata.resourceVersion as string;
    let producing = true;
    const existing: string[] = [];
    const producer = (async () => {
      for (let i = 0; producing; i++) {
        const choice = existing.length === 0 ? 0 : Math.floor(Math.random() * 3);
        if (choice === 0) {
          await api.ok('POST', base, configMap(`cm-${i}`, {}));
          existing.push(`cm-${i}`);
        } else if (choice === 1) {
          const name = existing[Math.floor(Math.random() * existing.length)]!;
          await api.call('PUT', `${base}/${name}`, configMap(name, {}, {}));
        } else {
          const name = existing.splice(Math.floor(Math.random() * existing.length), 1)[0]!;
          await api.ok('DELETE', `${base}/${name}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const watches = [];
    try {
      for (let i = 0; i < 30; i++) {
        const watch = api.watch(`${base}?watch=true&resourceVersion=${resourceVersion}`);
        await watch.ready;
        watches.push(watch);
        const event = await watches[0]!.next();
        resourceVersion = event.object.metadata.resourceVersion;
        for (const other of watches.slice(1)) {
          expect((await other.next()).object.metadata.resourceVersion).toBe(resourceVersion);
        }
      }
    } finally {
      producing = false;
      await producer;
      for (const watch of watches) watch.close();
    }
  });
});

/** Polls `check` until it returns true, failing after `timeoutMs`. */
async function eventually(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('[sig-api-machinery] Namespaces [Serial]', () => {
  it('should ensure that all pods are removed when a namespace is deleted', async () => {
    // No kubelet yet: the pod driver binds the pod, reports it Running, and finishes its deletion.
    const client = new HttpClient({ connection: { server: skiff.url, namespace: 'default' } });
    const driver = await PodDriver.start({ client });
    try {
      const ns = await createNamespace('nsdeletetest');
      await eventually(
        async () =>
          (await api.call('GET', `/api/v1/namespaces/${ns}/serviceaccounts/default`)).status === 200,
      );
      await api.ok('POST', `/api/v1/namespaces/${ns}/pods`, {
        metadata: { name: 'test-pod' },
        spec: { containers: [{ name: 'nginx', image: 'registry.k8s.io/pause:3.10' }] },
      });
      await eventually(
        async () =>
          (await api.ok('GET', `/api/v1/namespaces/${ns}/pods/test-pod`)).status?.phase === 'Running',
      );
      await api.ok('DELETE', `/api/v1/namespaces/${ns}`);
      await eventually(
        async () => (await api.call('GET', `/api/v1/namespaces/${ns}`)).status === 404,
        90_000,
      );
      const again = await createNamespace('nsdeletetest');
      expect((await api.call('GET', `/api/v1/namespaces/${again}/pods/test-pod`)).status).toBe(404);
    } finally {
      await driver.stop();
      await client.close();
    }
    expect(driver.errors.map(String)).toEqual([]);
  });

  it('should ensure that all services are removed when a namespace is deleted', async () => {
    const ns = await createNamespace('nsdeletetest');
    await eventually(
      async () => (await api.call('GET', `/api/v1/namespaces/${ns}/serviceaccounts/default`)).status === 200,
    );
    await api.ok('POST', `/api/v1/namespaces/${ns}/services`, {
      metadata: { name: 'test-service' },
      spec: { selector: { foo: 'bar', baz: 'blah' }, ports: [{ port: 80, targetPort: 80 }] },
    });
    await api.ok('DELETE', `/api/v1/namespaces/${ns}`);
    await eventually(async () => (await api.call('GET', `/api/v1/namespaces/${ns}`)).status === 404);
    const again = await createNamespace('nsdeletetest');
    expect((await api.call('GET', `/api/v1/namespaces/${again}/services/test-service`)).status).toBe(404);
  });

  it('should patch a Namespace', async () => {
    const name = `nspatchtest-${randomSuffix()}`;
    const created = await api.ok('POST', '/api/v1/namespaces', { metadata: { name } });
    const patched = await api.ok(
      'PATCH',
      `/api/v1/namespaces/${name}`,
      { metadata: { labels: { testLabel: 'testValue' } } },
      'application/strategic-merge-patch+json',
    );
    expect(Number(patched.metadata.resourceVersion)).toBeGreaterThan(
      Number(created.metadata.resourceVersion),
    );
    expect((await api.ok('GET', `/api/v1/namespaces/${name}`)).metadata.labels.testLabel).toBe('testValue');
  });

  it('should apply changes to a namespace status', async () => {
    const ns = await createNamespace('status');
    expect((await api.ok('GET', `/api/v1/namespaces/${ns}/status`)).status.phase).toBe('Active');
    const patched = await api.ok(
      'PATCH',
      `/api/v1/namespaces/${ns}/status`,
      {
        metadata: { annotations: { 'e2e-patched-ns-status': ns } },
        status: {
          conditions: [
            { type: 'StatusPatch', status: 'True', reason: 'E2E', message: 'Patched by an e2e test' },
          ],
        },
      },
      'application/merge-patch+json',
    );
    expect(patched.metadata.annotations['e2e-patched-ns-status']).toBe(ns);
    expect(patched.status.conditions.at(-1)).toMatchObject({
      reason: 'E2E',
      message: 'Patched by an e2e test',
    });
    const current = await api.ok('GET', `/api/v1/namespaces/${ns}/status`);
    current.status.conditions.push({
      type: 'StatusUpdate',
      status: 'True',
      reason: 'E2E',
      message: 'Updated by an e2e test',
    });
    const updated = await api.ok('PUT', `/api/v1/namespaces/${ns}/status`, current);
    expect(updated.status.conditions.at(-1)).toMatchObject({
      type: 'StatusUpdate',
      message: 'Updated by an e2e test',
    });
  });

  it('should apply an update to a Namespace', async () => {
    const ns = await createNamespace('update');
    const current = await api.ok('GET', `/api/v1/namespaces/${ns}`);
    current.metadata.labels = { ...current.metadata.labels, [ns]: 'updated' };
    const updated = await api.ok('PUT', `/api/v1/namespaces/${ns}`, current);
    expect(updated.metadata.labels[ns]).toBe('updated');
  });

  it('should apply a finalizer to a Namespace', async () => {
    const name = `e2e-ns-${randomSuffix()}`;
    await api.ok('POST', '/api/v1/namespaces', { metadata: { name } });
    const current = await api.ok('GET', `/api/v1/namespaces/${name}`);
    current.spec.finalizers.push('e2e.example.com/fakeFinalizer');
    const added = await api.ok('PUT', `/api/v1/namespaces/${name}/finalize`, current);
    expect(added.spec.finalizers).toEqual(['kubernetes', 'e2e.example.com/fakeFinalizer']);
    const again = await api.ok('GET', `/api/v1/namespaces/${name}`);
    again.spec.finalizers = again.spec.finalizers.filter(
      (f: string) => f !== 'e2e.example.com/fakeFinalizer',
    );
    const removed = await api.ok('PUT', `/api/v1/namespaces/${name}/finalize`, again);
    expect(removed.spec.finalizers).toEqual(['kubernetes']);
  });
});
