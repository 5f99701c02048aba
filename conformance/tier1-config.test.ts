import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, randomSuffix } from './client.js';
import { startSkiff, type TestSkiff } from './harness.js';

/**
 * Tier 1 of ../shared/conformance/SUBSET.md, config and storage objects: ConfigMaps, Secrets,
 * PodTemplates, core/v1 Events, PersistentVolumes and their claims. Each test is named after its
 * upstream conformance test and follows its steps over HTTP. Request bodies are shaped the way
 * client-go sends them (zero-valued structs marshal as `"creationTimestamp": null`, `"resources": {}`,
 * `[]byte` as base64), because that is what a real client puts on the wire.
 */
let skiff: TestSkiff;
let api: ApiClient;

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

const uuid = () => crypto.randomUUID();
const base64 = (text: string) => Buffer.from(text).toString('base64');
const fromBase64 = (text: string) => Buffer.from(text, 'base64').toString();
const strategicMerge = 'application/strategic-merge-patch+json';
const mergePatch = 'application/merge-patch+json';

type Result = Awaited<ReturnType<ApiClient['call']>>;

/** The rejection upstream's apierrors.IsInvalid recognises: a 422 Status with reason Invalid. */
function expectInvalid(result: Result, field?: string): void {
  expect(result.status, result.text).toBe(422);
  expect(result.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Invalid', code: 422 });
  if (field !== undefined) {
    const fields = (result.body.details?.causes ?? []).map((cause: { field: string }) => cause.field);
    expect(fields).toContain(field);
  }
}

/** Reads until `done` holds, every `intervalMs`, failing after `timeoutMs` (upstream's poll loops). */
async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 30_000, intervalMs = 50 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** client-go's retry.RetryOnConflict: read, change, write; again on 409 Conflict, up to 5 times. */
async function retryOnConflict(write: () => Promise<Result>): Promise<Record<string, any>> {
  for (let attempt = 1; ; attempt++) {
    const result = await write();
    if (result.status === 409 && attempt < 5) continue;
    if (result.status >= 300) throw new Error(`${result.status}: ${result.text}`);
    return result.body;
  }
}

const names = (list: Record<string, any>) =>
  (list.items as { metadata: { namespace?: string; name: string } }[]).map(
    (item) => `${item.metadata.namespace ?? ''}/${item.metadata.name}`,
  );

const expectValidResourceVersion = (object: Record<string, any>) =>
  expect(object.metadata.resourceVersion).toMatch(/^[1-9]\d*$/);

describe('[sig-node] ConfigMap', () => {
  it('should fail to create ConfigMap with empty key', async () => {
    const ns = await createNamespace('configmap');
    // Upstream's name has a capital K, so the create is invalid twice over; the key is what it tests.
    const result = await api.call('POST', `/api/v1/namespaces/${ns}/configmaps`, {
      metadata: { name: `configmap-test-emptyKey-${uuid()}`, namespace: ns, creationTimestamp: null },
      data: { '': 'value-1' },
    });
    expectInvalid(result, 'data[]');
  });

  it('should run through a ConfigMap lifecycle', async () => {
    const ns = await createNamespace('configmap');
    const name = `test-configmap${uuid()}`;
    const base = `/api/v1/namespaces/${ns}/configmaps`;
    await api.ok('POST', base, {
      metadata: { name, labels: { 'test-configmap-static': 'true' }, creationTimestamp: null },
      data: { valueName: 'value' },
    });
    const fetched = await api.ok('GET', `${base}/${name}`);
    expect(fetched.data.valueName).toBe('value');
    expect(fetched.metadata.labels['test-configmap-static']).toBe('true');

    // json.Marshal(v1.ConfigMap{...}) as upstream sends it, creationTimestamp null included.
    await api.ok(
      'PATCH',
      `${base}/${name}`,
      {
        metadata: { labels: { 'test-configmap': 'patched' }, creationTimestamp: null },
        data: { valueName: 'value1' },
      },
      strategicMerge,
    );
    const all = await api.ok(
      'GET',
      `/api/v1/configmaps?labelSelector=${encodeURIComponent('test-configmap=patched')}`,
    );
    const found = all.items.find(
      (item: Record<string, any>) =>
        item.metadata.name === name &&
        item.metadata.namespace === ns &&
        item.metadata.labels['test-configmap-static'] === 'true' &&
        item.metadata.labels['test-configmap'] === 'patched' &&
        item.data.valueName === 'value1',
    );
    expect(found, JSON.stringify(all.items)).toBeDefined();
    expect(found.metadata.creationTimestamp).toBe(fetched.metadata.creationTimestamp);

    const selector = encodeURIComponent('test-configmap-static=true');
    await api.ok('DELETE', `${base}?labelSelector=${selector}`);
    const remaining = await api.ok('GET', `${base}?labelSelector=${selector}`);
    expect(remaining.items).toEqual([]);
  });
});

describe('[sig-storage] ConfigMap', () => {
  it('should be immutable if `immutable` field is set', async () => {
    const ns = await createNamespace('configmap');
    const base = `/api/v1/namespaces/${ns}/configmaps`;
    let current = await api.ok('POST', base, {
      metadata: { name: 'immutable', namespace: ns, creationTimestamp: null },
      data: { 'data-1': 'value-1', 'data-2': 'value-2', 'data-3': 'value-3' },
    });
    current = await api.ok('PUT', `${base}/immutable`, {
      ...current,
      data: { ...current.data, 'data-4': 'value-4' },
    });
    current = await api.ok('PUT', `${base}/immutable`, { ...current, immutable: true });
    expect(current.immutable).toBe(true);

    expectInvalid(
      await api.call('PUT', `${base}/immutable`, {
        ...current,
        data: { ...current.data, 'data-5': 'value-5' },
      }),
      'data',
    );
    current = await api.ok('GET', `${base}/immutable`);
    expect(current.immutable).toBe(true);
    expect(current.data).toEqual({
      'data-1': 'value-1',
      'data-2': 'value-2',
      'data-3': 'value-3',
      'data-4': 'value-4',
    });
    expectInvalid(await api.call('PUT', `${base}/immutable`, { ...current, immutable: false }), 'immutable');

    current = await api.ok('GET', `${base}/immutable`);
    const relabelled = await api.ok('PUT', `${base}/immutable`, {
      ...current,
      metadata: { ...current.metadata, labels: { label1: 'value1' } },
    });
    expect(relabelled.metadata.labels).toEqual({ label1: 'value1' });
    await api.ok('DELETE', `${base}/immutable`);
  });
});

describe('[sig-node] Secrets', () => {
  it('should fail to create secret due to empty secret key', async () => {
    const ns = await createNamespace('secrets');
    const result = await api.call('POST', `/api/v1/namespaces/${ns}/secrets`, {
      metadata: { name: `secret-emptykey-test-${uuid()}`, namespace: ns, creationTimestamp: null },
      data: { '': base64('value-1\n') },
    });
    expectInvalid(result, 'data[]');
  });

  it('should patch a secret', async () => {
    const ns = await createNamespace('secrets');
    const name = `test-secret-${uuid()}`;
    const base = `/api/v1/namespaces/${ns}/secrets`;
    const created = await api.ok('POST', base, {
      metadata: { name, labels: { 'testsecret-constant': 'true' }, creationTimestamp: null },
      data: { key: base64('value') },
      type: 'Opaque',
    });
    expectValidResourceVersion(created);

    const constant = `/api/v1/secrets?labelSelector=${encodeURIComponent('testsecret-constant=true')}`;
    const listed = await api.ok('GET', constant);
    expect(listed.items.length).toBeGreaterThan(0);
    expect(names(listed)).toContain(`${ns}/${name}`);

    // Upstream marshals map[string][]byte{"key": []byte(base64("value1"))}: the wire carries the
    // base64 of the base64, the stored bytes are base64("value1"), and the test decodes them once more.
    await api.ok(
      'PATCH',
      `${base}/${name}`,
      { metadata: { labels: { testsecret: 'true' } }, data: { key: base64(base64('value1')) } },
      strategicMerge,
    );
    const patched = await api.ok('GET', `${base}/${name}`);
    expect(Number(patched.metadata.resourceVersion)).toBeGreaterThan(
      Number(created.metadata.resourceVersion),
    );
    expect(fromBase64(fromBase64(patched.data.key))).toBe('value1');
    expect(patched.metadata.labels).toEqual({ 'testsecret-constant': 'true', testsecret: 'true' });

    await api.ok('DELETE', `${base}?labelSelector=${encodeURIComponent('testsecret=true')}`);
    expect(names(await api.ok('GET', constant))).not.toContain(`${ns}/${name}`);
  });
});

describe('[sig-storage] Secrets', () => {
  it('should be immutable if `immutable` field is set', async () => {
    const ns = await createNamespace('secrets');
    const base = `/api/v1/namespaces/${ns}/secrets`;
    let current = await api.ok('POST', base, {
      metadata: { name: 'immutable', namespace: ns, creationTimestamp: null },
      data: { 'data-1': base64('value-1\n'), 'data-2': base64('value-2\n'), 'data-3': base64('value-3\n') },
    });
    expect(current.type).toBe('Opaque');
    current = await api.ok('PUT', `${base}/immutable`, {
      ...current,
      data: { ...current.data, 'data-4': base64('value-4\n') },
    });
    current = await api.ok('PUT', `${base}/immutable`, { ...current, immutable: true });
    expect(current.immutable).toBe(true);

    expectInvalid(
      await api.call('PUT', `${base}/immutable`, {
        ...current,
        data: { ...current.data, 'data-5': base64('value-5\n') },
      }),
      'data',
    );
    current = await api.ok('GET', `${base}/immutable`);
    expect(current.immutable).toBe(true);
    expect(Object.keys(current.data)).toEqual(['data-1', 'data-2', 'data-3', 'data-4']);
    expectInvalid(await api.call('PUT', `${base}/immutable`, { ...current, immutable: false }), 'immutable');

    current = await api.ok('GET', `${base}/immutable`);
    const relabelled = await api.ok('PUT', `${base}/immutable`, {
      ...current,
      metadata: { ...current.metadata, labels: { label1: 'value1' } },
    });
    expect(relabelled.metadata.labels).toEqual({ label1: 'value1' });
    await api.ok('DELETE', `${base}/immutable`);
  });
});

/** A PodTemplate as client-go marshals one: one container, zero values spelled out. */
const podTemplate = (name: string, labels: Record<string, string> | undefined, container: string) => ({
  metadata: { name, ...(labels ? { labels } : {}), creationTimestamp: null },
  template: {
    metadata: { creationTimestamp: null },
    spec: {
      containers: [{ name: container, image: 'registry.k8s.io/e2e-test-images/agnhost:2.53', resources: {} }],
    },
  },
});

describe('[sig-node] PodTemplates', () => {
  it('should run the lifecycle of PodTemplates', async () => {
    const ns = await createNamespace('podtemplate');
    const name = `nginx-pod-template-${uuid()}`;
    const base = `/api/v1/namespaces/${ns}/podtemplates`;
    const everywhere = `/api/v1/podtemplates?labelSelector=${encodeURIComponent('podtemplate-static=true')}`;
    expect((await api.ok('GET', everywhere)).items).toEqual([]);

    await api.ok('POST', base, podTemplate(name, { 'podtemplate-static': 'true' }, 'nginx'));
    const read = await api.ok('GET', `${base}/${name}`);
    expect(read.metadata.name).toBe(name);
    expectValidResourceVersion(read);

    const patched = await api.ok(
      'PATCH',
      `${base}/${name}`,
      { metadata: { labels: { podtemplate: 'patched' } } },
      strategicMerge,
    );
    expect(Number(patched.metadata.resourceVersion)).toBeGreaterThan(Number(read.metadata.resourceVersion));
    expect((await api.ok('GET', `${base}/${name}`)).metadata.labels).toMatchObject({
      podtemplate: 'patched',
    });

    await api.ok('DELETE', `${base}/${name}`);
    expect((await api.ok('GET', everywhere)).items).toEqual([]);
  });

  it('should delete a collection of pod templates', async () => {
    const ns = await createNamespace('podtemplate');
    const base = `/api/v1/namespaces/${ns}/podtemplates`;
    for (const name of ['test-podtemplate-1', 'test-podtemplate-2', 'test-podtemplate-3']) {
      await api.ok('POST', base, podTemplate(name, { 'podtemplate-set': 'true' }, 'token-test'));
    }
    const selected = `${base}?labelSelector=${encodeURIComponent('podtemplate-set=true')}`;
    expect((await api.ok('GET', selected)).items).toHaveLength(3);

    await api.ok('DELETE', selected, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 1 });
    await eventually(
      () => api.ok('GET', selected),
      (list) => list.items.length === 0,
      { timeoutMs: 60_000 },
    );
  });

  it('should replace a pod template', async () => {
    const ns = await createNamespace('podtemplate');
    const name = `podtemplate-${randomSuffix()}`;
    const base = `/api/v1/namespaces/${ns}/podtemplates`;
    await api.ok('POST', base, podTemplate(name, undefined, 'e2e-test'));
    const updated = await retryOnConflict(async () => {
      const current = await api.ok('GET', `${base}/${name}`);
      current.metadata.annotations = { updated: 'true' };
      return api.call('PUT', `${base}/${name}`, current);
    });
    expect(updated.metadata.annotations).toMatchObject({ updated: 'true' });
  });
});

describe('[sig-instrumentation] Events', () => {
  it('should manage the lifecycle of an event', async () => {
    const ns = await createNamespace('events');
    const base = `/api/v1/namespaces/${ns}/events`;
    const everywhere = `/api/v1/events?labelSelector=${encodeURIComponent('testevent-constant=true')}`;
    // A v1.Event as client-go marshals it: the unset times are null, source and strings zero.
    await api.ok('POST', base, {
      metadata: { name: 'event-test', labels: { 'testevent-constant': 'true' }, creationTimestamp: null },
      involvedObject: { namespace: ns },
      reason: 'Test',
      message: 'This is a test event',
      source: {},
      firstTimestamp: null,
      lastTimestamp: null,
      count: 1,
      type: 'Normal',
      eventTime: null,
      reportingComponent: '',
      reportingInstance: '',
    });
    expect(names(await api.ok('GET', everywhere))).toContain(`${ns}/event-test`);

    await api.ok(
      'PATCH',
      `${base}/event-test`,
      { message: 'This is a test event - patched' },
      strategicMerge,
    );
    expect((await api.ok('GET', `${base}/event-test`)).message).toBe('This is a test event - patched');

    const sent = await api.ok('GET', `${base}/event-test`);
    sent.series = { count: 100, lastObservedTime: '2017-09-19T13:49:16.000000Z' };
    delete sent.metadata.resourceVersion;
    delete sent.metadata.managedFields;
    await api.ok('PUT', `${base}/event-test`, sent);
    const stored = await api.ok('GET', `${base}/event-test`);
    delete stored.metadata.resourceVersion;
    delete stored.metadata.managedFields;
    expect(stored).toEqual(sent);

    await api.ok('DELETE', `${base}/event-test`);
    expect(names(await api.ok('GET', everywhere))).not.toContain(`${ns}/event-test`);
  });
});

/** e2epv.MakePersistentVolume with the CSI conformance config: 2Gi, all three access modes. */
const persistentVolume = (ns: string, driver: string, handle: string) => ({
  metadata: {
    generateName: `${ns}-`,
    labels: { 'e2e-pv-pool': ns },
    annotations: { 'pv.beta.kubernetes.io/gid': '777' },
    creationTimestamp: null,
  },
  spec: {
    capacity: { storage: '2Gi' },
    csi: { driver, volumeHandle: handle },
    accessModes: ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany'],
    storageClassName: ns,
  },
  status: {},
});

/** e2epv.MakePersistentVolumeClaim: generated name, 2Gi, the namespace as storage class. */
const persistentVolumeClaim = (ns: string) => ({
  metadata: { generateName: 'pvc-', namespace: ns, creationTimestamp: null },
  spec: {
    accessModes: ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany'],
    resources: { requests: { storage: '2Gi' } },
    storageClassName: ns,
  },
  status: {},
});

describe('[sig-storage] PersistentVolumes CSI Conformance', () => {
  const volumes = '/api/v1/persistentvolumes';

  it('should run through the lifecycle of a PV and a PVC', async () => {
    const ns = await createNamespace('pv');
    const claims = `/api/v1/namespaces/${ns}/persistentvolumeclaims`;
    const pool = `${volumes}?labelSelector=${encodeURIComponent(`e2e-pv-pool=${ns}`)}`;
    const createPair = async () => {
      const volume = await api.ok(
        'POST',
        volumes,
        persistentVolume(ns, `e2e-driver-${uuid()}`, 'e2e-conformance'),
      );
      const claim = await api.ok('POST', claims, persistentVolumeClaim(ns));
      return { volume, claim };
    };
    await createPair();

    const volumeList = await api.ok('GET', pool);
    expect(volumeList.items).toHaveLength(1);
    expectValidResourceVersion(volumeList);
    const claimList = await api.ok('GET', claims);
    expect(claimList.items).toHaveLength(1);
    expectValidResourceVersion(claimList);
    const initialVolume = volumeList.items[0];
    const initialClaim = claimList.items[0];
    expect(initialVolume.spec).toMatchObject({
      persistentVolumeReclaimPolicy: 'Retain',
      volumeMode: 'Filesystem',
    });
    expect(initialClaim.spec.volumeMode).toBe('Filesystem');

    const volumeName = initialVolume.metadata.name as string;
    const claimName = initialClaim.metadata.name as string;
    const patchedVolume = await api.ok(
      'PATCH',
      `${volumes}/${volumeName}`,
      { metadata: { labels: { [volumeName]: 'patched' } } },
      strategicMerge,
    );
    expect(patchedVolume.metadata.labels[volumeName]).toBe('patched');
    expect(Number(patchedVolume.metadata.resourceVersion)).toBeGreaterThan(
      Number(initialVolume.metadata.resourceVersion),
    );
    const patchedClaim = await api.ok(
      'PATCH',
      `${claims}/${claimName}`,
      { metadata: { labels: { [claimName]: 'patched' } } },
      strategicMerge,
    );
    expect(patchedClaim.metadata.labels[claimName]).toBe('patched');
    expect(Number(patchedClaim.metadata.resourceVersion)).toBeGreaterThan(
      Number(initialClaim.metadata.resourceVersion),
    );

    expect((await api.ok('GET', `${volumes}/${volumeName}`)).metadata.uid).toBe(patchedVolume.metadata.uid);
    expect((await api.ok('GET', `${claims}/${claimName}`)).metadata.uid).toBe(patchedClaim.metadata.uid);

    await api.ok('DELETE', `${claims}/${claimName}`);
    await eventually(
      () => api.ok('GET', claims),
      (list) => list.items.length === 0,
    );
    await api.ok('DELETE', `${volumes}/${volumeName}`);
    await eventually(
      () => api.ok('GET', pool),
      (list) => list.items.length === 0,
    );

    const second = await createPair();
    const secondVolume = second.volume.metadata.name as string;
    const secondClaim = second.claim.metadata.name as string;
    const updatedVolume = await retryOnConflict(async () => {
      const current = await api.ok('GET', `${volumes}/${secondVolume}`);
      current.metadata.labels[secondVolume] = 'updated';
      return api.call('PUT', `${volumes}/${secondVolume}`, current);
    });
    expect(updatedVolume.metadata.labels[secondVolume]).toBe('updated');
    const updatedClaim = await retryOnConflict(async () => {
      const current = await api.ok('GET', `${claims}/${secondClaim}`);
      current.metadata.labels = { [secondClaim]: 'updated' };
      return api.call('PUT', `${claims}/${secondClaim}`, current);
    });
    expect(updatedClaim.metadata.labels).toEqual({ [secondClaim]: 'updated' });

    const claimSelector = `labelSelector=${encodeURIComponent(`${secondClaim}=updated`)}`;
    const volumeSelector = `labelSelector=${encodeURIComponent(`${secondVolume}=updated`)}`;
    expect((await api.ok('GET', `/api/v1/persistentvolumeclaims?${claimSelector}`)).items).toHaveLength(1);
    await api.ok('DELETE', `${claims}?${claimSelector}`);
    await eventually(
      () => api.ok('GET', `${claims}?${claimSelector}`),
      (list) => list.items.length === 0,
    );
    await api.ok('DELETE', `${volumes}?${volumeSelector}`);
    await eventually(
      () => api.ok('GET', `${volumes}?${volumeSelector}`),
      (list) => list.items.length === 0,
    );
  });

  it('should apply changes to a pv/pvc status', async () => {
    const ns = await createNamespace('pv');
    const claims = `/api/v1/namespaces/${ns}/persistentvolumeclaims`;
    await api.ok('POST', volumes, persistentVolume(ns, `e2e-driver-${uuid()}`, 'e2e-status-conformance'));
    await api.ok('POST', claims, persistentVolumeClaim(ns));
    const volumeList = await api.ok(
      'GET',
      `${volumes}?labelSelector=${encodeURIComponent(`e2e-pv-pool=${ns}`)}`,
    );
    expect(volumeList.items).toHaveLength(1);
    const claimList = await api.ok('GET', claims);
    expect(claimList.items).toHaveLength(1);
    const volumeName = volumeList.items[0].metadata.name as string;
    const claimName = claimList.items[0].metadata.name as string;

    const claimStatus = await api.ok('GET', `${claims}/${claimName}/status`);
    expect(['Pending', 'Bound']).toContain(claimStatus.status.phase);
    const volumeStatus = await api.ok('GET', `${volumes}/${volumeName}/status`);
    expect(['Available', 'Bound', 'Pending']).toContain(volumeStatus.status.phase);
    expect(Number.isNaN(Date.parse(volumeStatus.status.lastPhaseTransitionTime))).toBe(false);

    const patchedClaim = await api.ok(
      'PATCH',
      `${claims}/${claimName}/status`,
      {
        status: {
          conditions: [
            {
              type: 'StatusPatched',
              status: 'True',
              reason: 'E2E patchedStatus',
              message: 'Set from e2e test',
            },
          ],
        },
      },
      mergePatch,
    );
    expect(patchedClaim.status.conditions).toContainEqual(
      expect.objectContaining({
        type: 'StatusPatched',
        reason: 'E2E patchedStatus',
        message: 'Set from e2e test',
      }),
    );
    const patchedVolume = await api.ok(
      'PATCH',
      `${volumes}/${volumeName}/status`,
      { status: { message: 'StatusPatched', reason: 'E2E patchStatus' } },
      mergePatch,
    );
    expect(patchedVolume.status).toMatchObject({ message: 'StatusPatched', reason: 'E2E patchStatus' });

    const updatedClaim = await retryOnConflict(async () => {
      const current = await api.ok('GET', `${claims}/${claimName}`);
      current.status.conditions.push({
        type: 'StatusUpdated',
        status: 'True',
        reason: 'E2E updateStatus',
        message: 'Set from e2e test',
      });
      return api.call('PUT', `${claims}/${claimName}/status`, current);
    });
    expect(updatedClaim.status.conditions).toContainEqual(
      expect.objectContaining({
        type: 'StatusUpdated',
        reason: 'E2E updateStatus',
        message: 'Set from e2e test',
      }),
    );
    const updatedVolume = await retryOnConflict(async () => {
      const current = await api.ok('GET', `${volumes}/${volumeName}`);
      current.status.reason = 'E2E updateStatus';
      current.status.message = 'StatusUpdated';
      return api.call('PUT', `${volumes}/${volumeName}/status`, current);
    });
    expect(updatedVolume.status).toMatchObject({ reason: 'E2E updateStatus', message: 'StatusUpdated' });
    // The phase did not change, so neither did the time it last changed.
    expect(updatedVolume.status.lastPhaseTransitionTime).toBe(volumeStatus.status.lastPhaseTransitionTime);
  });
});
