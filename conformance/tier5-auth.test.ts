import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poll, randomSuffix, type WatchEventJson } from './client.js';
import { startSkiff, type TestSkiff } from './harness.js';

/**
 * Tier 5 of ../shared/conformance/SUBSET.md: service accounts, tokens and authorization, each test
 * named after its upstream conformance test and following its steps. Skiff runs as `skiff up` does:
 * HTTPS, Node,RBAC with the bootstrap policy, the admission plugins and the controllers; requests go
 * as the cluster admin (a client certificate in system:masters). #170 (a projected token read by a
 * running container) waits for the kubelet shim.
 */
let skiff: TestSkiff;

beforeAll(async () => {
  skiff = await startSkiff({ tls: true, authorizationMode: 'Node,RBAC' });
});
afterAll(async () => {
  await skiff?.stop();
});

type Json = Record<string, any>;

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await skiff.request(method, path, body, headers);
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as Json };
}

async function ok(method: string, path: string, body?: unknown, headers?: Record<string, string>) {
  const result = await call(method, path, body, headers);
  if (result.status >= 300)
    throw new Error(`${method} ${path} → ${result.status}: ${JSON.stringify(result.body)}`);
  return result.body;
}

async function createNamespace(base: string): Promise<string> {
  return (await ok('POST', '/api/v1/namespaces', { metadata: { generateName: `${base}-` } })).metadata.name;
}

/** A watch over the test's HTTPS connection, read line by line. */
async function openWatch(path: string) {
  const response = await skiff.request('GET', path);
  if (!response.body) throw new Error('watch has no body');
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    async until(type: WatchEventJson['type'], timeoutMs = 30_000): Promise<WatchEventJson> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const newline = buffer.indexOf('\n');
        if (newline >= 0) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          if (!line) continue;
          const event = JSON.parse(line) as WatchEventJson;
          if (event.type === type) return event;
          continue;
        }
        if (Date.now() > deadline) throw new Error(`no ${type} event within ${timeoutMs} ms`);
        const { value, done } = await reader.read();
        if (done) throw new Error('watch ended');
        buffer += decoder.decode(value, { stream: true });
      }
    },
    close: () => reader.cancel(),
  };
}

describe('[sig-auth] ServiceAccounts', () => {
  it('should run through the lifecycle of a ServiceAccount', async () => {
    const ns = await createNamespace('svcaccounts');
    const base = `/api/v1/namespaces/${ns}/serviceaccounts`;
    const created = await ok('POST', base, {
      metadata: { name: 'testserviceaccount', labels: { 'test-serviceaccount-static': 'true' } },
    });
    expect((await ok('GET', `${base}/testserviceaccount`)).metadata.uid).toBe(created.metadata.uid);

    const watch = await openWatch(
      `${base}?watch=true&labelSelector=test-serviceaccount-static%3Dtrue&timeoutSeconds=180`,
    );
    try {
      await watch.until('ADDED');
      await ok(
        'PATCH',
        `${base}/testserviceaccount`,
        { automountServiceAccountToken: false },
        { 'Content-Type': 'application/strategic-merge-patch+json' },
      );
      await watch.until('MODIFIED');
      const all = await ok('GET', '/api/v1/serviceaccounts?labelSelector=test-serviceaccount-static%3Dtrue');
      const found = (all.items as Json[]).find(
        (item) => item.metadata.name === 'testserviceaccount' && item.metadata.namespace === ns,
      );
      expect(found?.automountServiceAccountToken).toBe(false);
      await ok('DELETE', base);
      await watch.until('DELETED');
    } finally {
      await watch.close();
    }
  });

  it('should guarantee kube-root-ca.crt exist in any namespace', async () => {
    const ns = await createNamespace('svcaccounts');
    const path = `/api/v1/namespaces/${ns}/configmaps/kube-root-ca.crt`;
    const present = () =>
      poll(async () => ((await call('GET', path)).status === 200 ? true : undefined), 30_000, 100);
    await present();
    await ok('DELETE', `${path}?gracePeriodSeconds=0`);
    await present();
    // An unconditional update (no resourceVersion) emptying the CA: the publisher puts it back.
    await ok('PUT', path, { metadata: { name: 'kube-root-ca.crt' }, data: { 'ca.crt': '' } });
    await poll(async () => Boolean((await ok('GET', path)).data?.['ca.crt']), 30_000, 100);
    expect((await ok('GET', path)).data['ca.crt']).toBe(skiff.caCertificate);
  });

  it('should allow opting out of API token automount', async () => {
    const ns = await createNamespace('svcaccounts');
    await ok('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, {
      metadata: { name: 'mount' },
      automountServiceAccountToken: true,
    });
    await ok('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, {
      metadata: { name: 'nomount' },
      automountServiceAccountToken: false,
    });
    const mounted = (pod: Json) =>
      (pod.spec.containers as Json[]).some((container) =>
        (container.volumeMounts ?? []).some(
          (mount: Json) => mount.mountPath === '/var/run/secrets/kubernetes.io/serviceaccount',
        ),
      );
    const cases: [string, boolean | undefined, boolean][] = [];
    for (const account of ['default', 'mount', 'nomount']) {
      cases.push([account, undefined, account !== 'nomount'], [account, true, true], [account, false, false]);
    }
    for (const [account, podAutomount, expected] of cases) {
      const suffix = podAutomount === undefined ? '' : podAutomount ? '-mountspec' : '-nomountspec';
      const pod = await ok('POST', `/api/v1/namespaces/${ns}/pods`, {
        metadata: { name: `pod-service-account-${account}sa${suffix}` },
        spec: {
          serviceAccountName: account,
          restartPolicy: 'Never',
          ...(podAutomount === undefined ? {} : { automountServiceAccountToken: podAutomount }),
          containers: [{ name: 'token-test', image: 'registry.k8s.io/e2e-test-images/agnhost:2.53' }],
        },
      });
      expect([pod.metadata.name, mounted(pod)]).toEqual([pod.metadata.name, expected]);
    }
  });
});

describe('[sig-auth] SubjectReview', () => {
  it('should support SubjectReview API operations', async () => {
    const ns = await createNamespace('subjectreview');
    const account = await ok('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, {
      metadata: { name: `e2e-${randomSuffix()}` },
    });
    const name = account.metadata.name;
    const username = `system:serviceaccount:${ns}:${name}`;
    const groups = ['system:authenticated', 'system:serviceaccounts', `system:serviceaccounts:${ns}`];
    const uid = account.metadata.uid;
    const resourceAttributes = { verb: 'list', resource: 'configmaps', namespace: ns, version: 'v1' };

    const review = await ok('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: { user: username, groups, uid, resourceAttributes },
    });
    const reviewed = Boolean(review.status?.allowed);

    const response = await skiff.request('GET', `/api/v1/namespaces/${ns}/configmaps`, undefined, {
      'Impersonate-User': username,
      'Impersonate-Group': groups.join(','),
      'Impersonate-Uid': uid,
    });
    expect([200, 403]).toContain(response.status);
    const observed = response.status === 200;
    expect(observed).toBe(reviewed);
    // With the default policy, a fresh ServiceAccount may not list ConfigMaps.
    expect(observed).toBe(false);

    const local = await ok(
      'POST',
      `/apis/authorization.k8s.io/v1/namespaces/${ns}/localsubjectaccessreviews`,
      {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'LocalSubjectAccessReview',
        metadata: { namespace: ns },
        spec: { user: name, groups, uid, resourceAttributes },
      },
    );
    expect(Boolean(local.status?.allowed)).toBe(observed);
  });
});
