import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../conformance/client.js';
import { startSkiff, type TestSkiff } from '../../conformance/harness.js';
import { managerOf } from './requests.js';

/** Server-side apply and managedFields over HTTP, as clients see them. */
let skiff: TestSkiff;
let api: ApiClient;
let counter = 0;

beforeAll(async () => {
  skiff = await startSkiff({ controllers: false });
  api = new ApiClient(skiff.url);
});
afterAll(async () => {
  await skiff?.stop();
});

async function namespace(): Promise<string> {
  const name = `ssa-${++counter}`;
  await api.ok('POST', '/api/v1/namespaces', { metadata: { name } });
  return name;
}

const applyType = 'application/apply-patch+yaml';
const configMap = (data: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'settings' },
  data,
});

describe('server-side apply over HTTP', () => {
  it('creates with 201, then applies with 200, and a YAML body is YAML', async () => {
    const ns = await namespace();
    const path = `/api/v1/namespaces/${ns}/configmaps/settings?fieldManager=tool`;
    const created = await api.call('PATCH', path, configMap({ mode: 'fast' }), applyType);
    expect(created.status).toBe(201);
    expect(created.body.metadata.managedFields).toEqual([
      {
        manager: 'tool',
        operation: 'Apply',
        apiVersion: 'v1',
        time: expect.any(String),
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { 'f:mode': {} } },
      },
    ]);
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: slow\n';
    const response = await fetch(`${skiff.url}${path}`, {
      method: 'PATCH',
      headers: { 'Content-Type': applyType },
      body: yaml,
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: unknown }).data).toEqual({ mode: 'slow' });
  });

  it('needs a fieldManager (422), and refuses force on other patches (422)', async () => {
    const ns = await namespace();
    const missing = await api.call(
      'PATCH',
      `/api/v1/namespaces/${ns}/configmaps/settings`,
      configMap({}),
      applyType,
    );
    expect(missing.status).toBe(422);
    expect(missing.body).toMatchObject({
      reason: 'Invalid',
      message:
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      details: {
        group: 'meta.k8s.io',
        kind: 'PatchOptions',
        causes: [{ reason: 'FieldValueRequired', field: 'fieldManager' }],
      },
    });
    await api.ok('POST', `/api/v1/namespaces/${ns}/configmaps`, configMap({ a: '1' }));
    const forced = await api.call(
      'PATCH',
      `/api/v1/namespaces/${ns}/configmaps/settings?force=true`,
      { data: {} },
      'application/merge-patch+json',
    );
    expect(forced.status).toBe(422);
    expect(forced.body.message).toBe(
      'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
    );
  });

  it('answers a conflict with 409 and FieldManagerConflict causes; force takes the field', async () => {
    const ns = await namespace();
    const path = (manager: string, force = false) =>
      `/api/v1/namespaces/${ns}/configmaps/settings?fieldManager=${manager}${force ? '&force=true' : ''}`;
    await api.ok('PATCH', path('first'), configMap({ mode: 'fast' }), applyType);
    const refused = await api.call('PATCH', path('second'), configMap({ mode: 'slow' }), applyType);
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Apply failed with 1 conflict: conflict with "first": .data.mode',
      reason: 'Conflict',
      details: {
        causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "first"', field: '.data.mode' }],
      },
      code: 409,
    });
    const forced = await api.ok('PATCH', path('second', true), configMap({ mode: 'slow' }), applyType);
    expect(forced.data).toEqual({ mode: 'slow' });
    expect(forced.metadata.managedFields.map((entry: { manager: string }) => entry.manager)).toEqual([
      'second',
    ]);
  });

  it('dryRun=All answers as if applied and stores nothing', async () => {
    const ns = await namespace();
    const base = `/api/v1/namespaces/${ns}/configmaps/settings?fieldManager=tool`;
    const dry = await api.call('PATCH', `${base}&dryRun=All`, configMap({ mode: 'fast' }), applyType);
    expect(dry.status).toBe(201);
    expect((await api.call('GET', `/api/v1/namespaces/${ns}/configmaps/settings`)).status).toBe(404);
    const stored = await api.ok('PATCH', base, configMap({ mode: 'fast' }), applyType);
    const changed = await api.ok('PATCH', `${base}&dryRun=All`, configMap({ mode: 'slow' }), applyType);
    expect(changed.data).toEqual({ mode: 'slow' });
    expect(await api.ok('GET', `/api/v1/namespaces/${ns}/configmaps/settings`)).toEqual(stored);
  });

  it('keeps a status write in its own entry, apart from the main resource', async () => {
    const ns = await namespace();
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'c' }] } },
      },
    };
    const path = `/apis/apps/v1/namespaces/${ns}/deployments/web`;
    await api.ok('PATCH', `${path}?fieldManager=owner`, deployment, applyType);
    const status = await api.ok(
      'PATCH',
      `${path}/status?fieldManager=status-writer`,
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, status: { replicas: 1 } },
      applyType,
    );
    const entries = status.metadata.managedFields as {
      manager: string;
      subresource?: string;
      fieldsV1: unknown;
    }[];
    expect(entries.map((entry) => [entry.manager, entry.subresource])).toEqual([
      ['owner', undefined],
      ['status-writer', 'status'],
    ]);
    expect(entries[1]!.fieldsV1).toEqual({ 'f:status': { 'f:replicas': {} } });
  });

  it('a created namespace is owned for its defaulted label only, as upstream records it', async () => {
    const created = await api.ok('POST', '/api/v1/namespaces?fieldManager=kubectl-create', {
      metadata: { name: 'owned-ns' },
    });
    expect(created.metadata.managedFields).toEqual([
      expect.objectContaining({
        manager: 'kubectl-create',
        operation: 'Update',
        fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:kubernetes.io/metadata.name': {} } } },
      }),
    ]);
  });

  it('a write that changes nothing keeps the resourceVersion and managedFields', async () => {
    const ns = await namespace();
    const created = await api.ok(
      'POST',
      `/api/v1/namespaces/${ns}/configmaps?fieldManager=maker`,
      configMap({ a: '1' }),
    );
    const patched = await api.ok(
      'PATCH',
      `/api/v1/namespaces/${ns}/configmaps/settings?fieldManager=patcher`,
      { data: { a: '1' } },
      'application/strategic-merge-patch+json',
    );
    expect(patched).toEqual(created);
  });
});

describe('who the writer is', () => {
  it.each([
    { fieldManager: 'helm', userAgent: 'kubectl/v1.33.1', manager: 'helm' },
    {
      fieldManager: undefined,
      userAgent: 'kubectl/v1.33.1 (linux/amd64) kubernetes/8adc0f0',
      manager: 'kubectl',
    },
    { fieldManager: undefined, userAgent: 'Go-http-client/1.1', manager: 'Go-http-client' },
    { fieldManager: undefined, userAgent: 'tab\there/1', manager: 'tabhere' },
    { fieldManager: undefined, userAgent: undefined, manager: '' },
    { fieldManager: undefined, userAgent: 'x'.repeat(200), manager: 'x'.repeat(128) },
  ])(
    'fieldManager $fieldManager, User-Agent $userAgent → $manager',
    ({ fieldManager, userAgent, manager }) => {
      expect(managerOf(fieldManager, userAgent)).toBe(manager);
    },
  );
});
