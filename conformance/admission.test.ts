import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, poll } from './client.js';
import { kubectlBinaries, requireKubectl, startSkiff, type TestSkiff } from './harness.js';

/**
 * Admission as `skiff up` runs it, over HTTP and through kubectl: NamespaceLifecycle, ServiceAccount,
 * LimitRanger, PodSecurity, Priority, DefaultTolerationSeconds, DefaultStorageClass and ResourceQuota,
 * with the controllers (serviceaccount, resourcequota) they rely on.
 */
let skiff: TestSkiff;
let api: ApiClient;

beforeAll(async () => {
  requireKubectl();
  skiff = await startSkiff();
  api = new ApiClient(skiff.url);
});
afterAll(async () => {
  await skiff?.stop();
});

let namespaces = 0;
/** A fresh namespace; its `default` ServiceAccount is the controller's to make. */
async function namespace(labels?: Record<string, string>): Promise<string> {
  const name = `admission-${++namespaces}-${Math.random().toString(36).slice(2, 7)}`;
  await api.ok('POST', '/api/v1/namespaces', { metadata: { name, ...(labels ? { labels } : {}) } });
  return name;
}

const pod = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec },
});

const privilegedPod = (name: string) =>
  pod(name, { containers: [{ name: 'c', image: 'nginx', securityContext: { privileged: true } }] });

const restrictedViolations =
  'privileged (container "c" must not set securityContext.privileged=true), ' +
  'allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), ' +
  'unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), ' +
  'runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), ' +
  'seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")';

/** A quota, once the resourcequota controller has counted what it limits. */
async function syncedQuota(ns: string, name: string, hard: Record<string, string>) {
  await api.ok('POST', `/api/v1/namespaces/${ns}/resourcequotas`, { metadata: { name }, spec: { hard } });
  return poll(async () => {
    const quota = await api.ok('GET', `/api/v1/namespaces/${ns}/resourcequotas/${name}`);
    return Object.keys(hard).every((resource) => quota.status?.used?.[resource] !== undefined) && quota;
  });
}

describe('PodSecurity', () => {
  it('PodSecurity restricted rejects a privileged pod with the upstream message', async () => {
    const ns = await namespace({ 'pod-security.kubernetes.io/enforce': 'restricted' });
    const refused = await api.call('POST', `/api/v1/namespaces/${ns}/pods`, privilegedPod('x'));
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `pods "x" is forbidden: violates PodSecurity "restricted:latest": ${restrictedViolations}`,
      reason: 'Forbidden',
      details: { name: 'x', kind: 'pods' },
      code: 403,
    });
    expect((await api.call('GET', `/api/v1/namespaces/${ns}/pods/x`)).status).toBe(404);
    for (const { path } of kubectlBinaries.slice(-1)) {
      const result = await skiff.kubectl(['create', '-n', ns, '-f', '-'], {
        binary: path,
        input: JSON.stringify(privilegedPod('y')),
      });
      expect(result.code).not.toBe(0);
      expect(result.stderr.trim()).toBe(
        `Error from server (Forbidden): error when creating "STDIN": pods "y" is forbidden: violates PodSecurity "restricted:latest": ${restrictedViolations}`,
      );
    }
  });

  it('warns kubectl of what a warned level would refuse, and lets the pod in', async () => {
    const ns = await namespace({ 'pod-security.kubernetes.io/warn': 'baseline' });
    const created = await api.call('POST', `/api/v1/namespaces/${ns}/pods`, privilegedPod('loud'));
    expect(created.status).toBe(201);
    expect(created.headers.get('warning')).toBe(
      '299 - "would violate PodSecurity \\"baseline:latest\\": privileged (container \\"c\\" must not set securityContext.privileged=true)"',
    );
    for (const { path } of kubectlBinaries.slice(-1)) {
      const result = await skiff.kubectl(['create', '-n', ns, '-f', '-'], {
        binary: path,
        input: JSON.stringify(privilegedPod('quiet')),
      });
      expect(result.code).toBe(0);
      expect(result.stderr).toContain(
        'Warning: would violate PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)',
      );
    }
  });
});

describe('ResourceQuota', () => {
  it('quota races: 20 concurrent creates against a quota of 5 leave exactly 5', async () => {
    const ns = await namespace();
    await syncedQuota(ns, 'five', { pods: '5' });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        api.call('POST', `/api/v1/namespaces/${ns}/pods`, pod(`p${index}`)),
      ),
    );
    expect(results.filter((result) => result.status === 201)).toHaveLength(5);
    const refused = results.filter((result) => result.status !== 201);
    expect(refused).toHaveLength(15);
    for (const result of refused) {
      expect(result.status).toBe(403);
      expect(result.body.reason).toBe('Forbidden');
      expect(result.body.message).toMatch(
        /^pods "p\d+" is forbidden: exceeded quota: five, requested: pods=1, used: pods=5, limited: pods=5$/,
      );
    }
    expect((await api.ok('GET', `/api/v1/namespaces/${ns}/pods`)).items).toHaveLength(5);
    const quota = await api.ok('GET', `/api/v1/namespaces/${ns}/resourcequotas/five`);
    expect(quota.status).toEqual({ hard: { pods: '5' }, used: { pods: '5' } });
  });

  it('gives usage back when an object is deleted, so another fits', async () => {
    const ns = await namespace();
    await syncedQuota(ns, 'one', { 'count/secrets': '1' });
    const secret = (name: string) => ({ metadata: { name }, stringData: { key: 'value' } });
    await api.ok('POST', `/api/v1/namespaces/${ns}/secrets`, secret('a'));
    const refused = await api.call('POST', `/api/v1/namespaces/${ns}/secrets`, secret('b'));
    expect(refused.body.message).toBe(
      'secrets "b" is forbidden: exceeded quota: one, requested: count/secrets=1, used: count/secrets=1, limited: count/secrets=1',
    );
    await api.ok('DELETE', `/api/v1/namespaces/${ns}/secrets/a`);
    // The resourcequota controller recounts after the deletion.
    await poll(
      async () => (await api.call('POST', `/api/v1/namespaces/${ns}/secrets`, secret('b'))).status === 201,
    );
  });
});

describe('defaults from admission', () => {
  it('runs a pod in a new namespace as its default ServiceAccount, with the token volume mounted', async () => {
    const ns = await namespace();
    const created = await api.ok(
      'POST',
      `/api/v1/namespaces/${ns}/pods`,
      pod('web', { initContainers: [{ name: 'i', image: 'busybox' }] }),
    );
    expect(created.spec.serviceAccountName).toBe('default');
    const volume = created.spec.volumes.find((candidate: { name: string }) =>
      candidate.name.startsWith('kube-api-access-'),
    );
    expect(volume.name).toMatch(/^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(volume.projected.sources).toEqual([
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      {
        downwardAPI: {
          items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
        },
      },
    ]);
    const mount = {
      name: volume.name,
      readOnly: true,
      mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
    };
    expect(created.spec.containers[0].volumeMounts).toEqual([mount]);
    expect(created.spec.initContainers[0].volumeMounts).toEqual([mount]);
    expect(created.spec.tolerations).toEqual([
      {
        key: 'node.kubernetes.io/not-ready',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      },
      {
        key: 'node.kubernetes.io/unreachable',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      },
    ]);
    const refused = await api.call(
      'POST',
      `/api/v1/namespaces/${ns}/pods`,
      pod('ghost', { serviceAccountName: 'ghost' }),
    );
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe(
      `pods "ghost" is forbidden: error looking up service account ${ns}/ghost: serviceaccount "ghost" not found`,
    );
  });

  it('fills container resources from a LimitRange, and refuses what exceeds it', async () => {
    const ns = await namespace();
    await api.ok('POST', `/api/v1/namespaces/${ns}/limitranges`, {
      metadata: { name: 'cpu' },
      spec: { limits: [{ type: 'Container', max: { cpu: '1' }, defaultRequest: { cpu: '250m' } }] },
    });
    const created = await api.ok('POST', `/api/v1/namespaces/${ns}/pods`, pod('sized'));
    expect(created.spec.containers[0].resources).toEqual({ limits: { cpu: '1' }, requests: { cpu: '250m' } });
    expect(created.metadata.annotations['kubernetes.io/limit-ranger']).toBe(
      'LimitRanger plugin set: cpu request for container c; cpu limit for container c',
    );
    expect(created.status.qosClass).toBe('Burstable');
    const refused = await api.call(
      'POST',
      `/api/v1/namespaces/${ns}/pods`,
      pod('big', { containers: [{ name: 'c', image: 'nginx', resources: { limits: { cpu: '2' } } }] }),
    );
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe(
      'pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2',
    );
  });

  it('gives a pod its PriorityClass’s value, the built-in classes included', async () => {
    const classes = await api.ok('GET', '/apis/scheduling.k8s.io/v1/priorityclasses');
    expect(
      classes.items.map((item: { metadata: { name: string }; value: number }) => [
        item.metadata.name,
        item.value,
      ]),
    ).toEqual([
      ['system-cluster-critical', 2000000000],
      ['system-node-critical', 2000001000],
    ]);
    const created = await api.ok(
      'POST',
      '/api/v1/namespaces/kube-system/pods',
      pod('critical', { priorityClassName: 'system-cluster-critical' }),
    );
    expect(created.spec.priority).toBe(2000000000);
    const refused = await api.call(
      'POST',
      '/api/v1/namespaces/default/pods',
      pod('vip', { priorityClassName: 'vip' }),
    );
    expect(refused.body.message).toBe('pods "vip" is forbidden: no PriorityClass with name vip was found');
  });

  it('gives a claim without a class the default StorageClass', async () => {
    await api.ok('POST', '/apis/storage.k8s.io/v1/storageclasses', {
      metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'rancher.io/local-path',
    });
    const ns = await namespace();
    const claim = {
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    };
    const created = await poll(async () => {
      const result = await api.ok('POST', `/api/v1/namespaces/${ns}/persistentvolumeclaims`, {
        ...claim,
        metadata: { generateName: 'data-' },
      });
      return result.spec.storageClassName === 'standard' && result;
    });
    expect(created.spec.storageClassName).toBe('standard');
  });
});
