import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProtobufObject, decodeProtobufWatchFrames } from '../api/schema/protobuf.js';
import { ApiClient } from '../conformance/client.js';
import { startSkiff, type TestSkiff } from '../conformance/harness.js';

/** The API semantics Kubernetes defines, checked over HTTP against a running Skiff. */
let skiff: TestSkiff;
let api: ApiClient;
let counter = 0;

beforeAll(async () => {
  // The API alone: these tests write statuses that controllers would also write.
  skiff = await startSkiff({ controllers: false });
  api = new ApiClient(skiff.url);
});
afterAll(async () => {
  await skiff?.stop();
});

async function namespace(): Promise<string> {
  const name = `sem-${++counter}`;
  await api.ok('POST', '/api/v1/namespaces', { metadata: { name } });
  return name;
}

const pod = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'busybox:1.36' }], ...extra },
});

describe('writes', () => {
  it('fills system metadata and defaults on create', async () => {
    const ns = await namespace();
    const created = await api.ok('POST', `/api/v1/namespaces/${ns}/pods`, pod('web'));
    expect(created.metadata).toMatchObject({ name: 'web', namespace: ns, generation: 1 });
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(created.spec).toMatchObject({
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
    });
    expect(created.spec.containers[0]).toMatchObject({
      imagePullPolicy: 'IfNotPresent',
      terminationMessagePolicy: 'File',
    });
    expect(created.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
  });

  it('reads a body without Content-Type as JSON, application/yaml as YAML, and refuses an empty one', async () => {
    const ns = await namespace();
    const bare = await fetch(`${skiff.url}/api/v1/namespaces/${ns}/configmaps`, {
      method: 'POST',
      body: new Blob(['{"metadata":{"name":"bare"}}']),
    });
    expect(bare.status).toBe(201);
    const empty = await api.call('POST', `/api/v1/namespaces/${ns}/configmaps`, undefined);
    expect(empty.status).toBe(400);
    const response = await fetch(`${skiff.url}/api/v1/namespaces/${ns}/configmaps`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/yaml' },
      body: 'metadata:\n  name: from-yaml\ndata:\n  a: "1"\n',
    });
    expect(response.status).toBe(201);
    expect(((await response.json()) as { data: unknown }).data).toEqual({ a: '1' });
  });

  it("keeps the status a Node is registered with, and drops a Deployment create's status", async () => {
    const node = await api.ok('POST', '/api/v1/nodes', {
      metadata: { name: `registered-${Math.random().toString(36).slice(2, 7)}` },
      status: { capacity: { pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
    });
    expect(node.status).toMatchObject({
      capacity: { pods: '110' },
      conditions: [{ type: 'Ready', status: 'True' }],
    });
    const ns = await namespace();
    const deployment = await api.ok('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, {
      metadata: { name: 'w' },
      spec: {
        selector: { matchLabels: { app: 'w' } },
        template: {
          metadata: { labels: { app: 'w' } },
          spec: { containers: [{ name: 'c', image: 'nginx' }] },
        },
      },
      status: { replicas: 7 },
    });
    expect(deployment.status?.replicas).toBeUndefined();
  });

  it('gives generateName a random suffix', async () => {
    const ns = await namespace();
    const created = await api.ok('POST', `/api/v1/namespaces/${ns}/configmaps`, {
      metadata: { generateName: 'cfg-' },
    });
    expect(created.metadata.name).toMatch(/^cfg-[a-z0-9]{5}$/);
  });

  it('refuses a stale resourceVersion with 409 Conflict and keeps the object', async () => {
    const ns = await namespace();
    const created = await api.ok('POST', `/api/v1/namespaces/${ns}/configmaps`, {
      metadata: { name: 'c' },
      data: { a: '1' },
    });
    await api.ok('PUT', `/api/v1/namespaces/${ns}/configmaps/c`, { ...created, data: { a: '2' } });
    const stale = await api.call('PUT', `/api/v1/namespaces/${ns}/configmaps/c`, {
      ...created,
      data: { a: '3' },
    });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ kind: 'Status', reason: 'Conflict', code: 409 });
    expect(stale.body.message).toBe(
      'Operation cannot be fulfilled on configmaps "c": the object has been modified; please apply your changes to the latest version and try again',
    );
    expect((await api.ok('GET', `/api/v1/namespaces/${ns}/configmaps/c`)).data).toEqual({ a: '2' });
  });

  it('does not change the resourceVersion when a write changes nothing', async () => {
    const ns = await namespace();
    const created = await api.ok('POST', `/api/v1/namespaces/${ns}/configmaps`, {
      metadata: { name: 'c' },
      data: { a: '1' },
    });
    const same = await api.ok(
      'PATCH',
      `/api/v1/namespaces/${ns}/configmaps/c`,
      { data: { a: '1' } },
      'application/merge-patch+json',
    );
    expect(same.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
  });

  it('bumps generation on spec changes only, not on status or metadata', async () => {
    const ns = await namespace();
    const path = `/apis/apps/v1/namespaces/${ns}/deployments`;
    const template = {
      metadata: { labels: { app: 'w' } },
      spec: { containers: [{ name: 'c', image: 'nginx:1' }] },
    };
    await api.ok('POST', path, {
      metadata: { name: 'w' },
      spec: { selector: { matchLabels: { app: 'w' } }, template },
    });
    const labeled = await api.ok(
      'PATCH',
      `${path}/w`,
      { metadata: { labels: { x: 'y' } } },
      'application/merge-patch+json',
    );
    expect(labeled.metadata.generation).toBe(1);
    const status = await api.ok(
      'PATCH',
      `${path}/w/status`,
      { status: { replicas: 3 } },
      'application/merge-patch+json',
    );
    expect(status.metadata.generation).toBe(1);
    expect(status.status.replicas).toBe(3);
    const scaled = await api.ok(
      'PATCH',
      `${path}/w`,
      { spec: { replicas: 4 } },
      'application/merge-patch+json',
    );
    expect(scaled.metadata.generation).toBe(2);
    expect(scaled.status.replicas).toBe(3);
    // Replacing it with the manifest it was made from (no defaults filled in, replicas 4 as now) changes
    // nothing: specs are compared after defaulting, as upstream decodes with defaults first.
    const replaced = await api.ok('PUT', `${path}/w`, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'w', labels: { x: 'y' } },
      spec: { replicas: 4, selector: { matchLabels: { app: 'w' } }, template },
    });
    expect(replaced.metadata.generation).toBe(2);
    expect(replaced.metadata.resourceVersion).toBe(scaled.metadata.resourceVersion);
  });

  it('keeps a deployment selector immutable and matching its template', async () => {
    const ns = await namespace();
    const path = `/apis/apps/v1/namespaces/${ns}/deployments`;
    const mismatch = await api.call('POST', path, {
      metadata: { name: 'w' },
      spec: {
        selector: { matchLabels: { app: 'other' } },
        template: { metadata: { labels: { app: 'w' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
      },
    });
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.message).toContain('spec.template.metadata.labels: Invalid value');
  });

  it('writes nothing on dryRun=All', async () => {
    const ns = await namespace();
    const dry = await api.call('POST', `/api/v1/namespaces/${ns}/configmaps?dryRun=All`, {
      metadata: { name: 'dry' },
    });
    expect(dry.status).toBe(201);
    expect((await api.call('GET', `/api/v1/namespaces/${ns}/configmaps/dry`)).status).toBe(404);
  });

  it('answers unknown fields per fieldValidation', async () => {
    const ns = await namespace();
    const body = { metadata: { name: 'f' }, data: {}, spec: { surprise: true } };
    const strict = await api.call('POST', `/api/v1/namespaces/${ns}/configmaps?fieldValidation=Strict`, body);
    expect(strict.status).toBe(400);
    expect(strict.body.message).toBe(
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "spec"',
    );
    const warned = await api.call('POST', `/api/v1/namespaces/${ns}/configmaps`, body);
    expect(warned.status).toBe(201);
    expect(warned.headers.get('warning')).toBe('299 - "unknown field \\"spec\\""');
    expect(warned.body.spec).toBeUndefined();
  });

  it('refuses objects in a missing namespace (404) or a terminating one (403)', async () => {
    const missing = await api.call('POST', '/api/v1/namespaces/nowhere/configmaps', {
      metadata: { name: 'x' },
    });
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('namespaces "nowhere" not found');
    const ns = await namespace();
    const deleting = await api.ok('DELETE', `/api/v1/namespaces/${ns}`);
    expect(deleting.status.phase).toBe('Terminating');
    const refused = await api.call('POST', `/api/v1/namespaces/${ns}/configmaps`, {
      metadata: { name: 'x' },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain(
      `unable to create new content in namespace ${ns} because it is being terminated`,
    );
    // The namespace controller's last step: emptying spec.finalizers removes the namespace.
    await api.ok('PUT', `/api/v1/namespaces/${ns}/finalize`, { ...deleting, spec: { finalizers: [] } });
    expect((await api.call('GET', `/api/v1/namespaces/${ns}`)).status).toBe(404);
  });
});

describe('deletion', () => {
  it('deletes an unscheduled pod at once and a scheduled one gracefully', async () => {
    const ns = await namespace();
    await api.ok('POST', `/api/v1/namespaces/${ns}/pods`, pod('loose'));
    await api.ok('DELETE', `/api/v1/namespaces/${ns}/pods/loose`);
    expect((await api.call('GET', `/api/v1/namespaces/${ns}/pods/loose`)).status).toBe(404);

    await api.ok('POST', `/api/v1/namespaces/${ns}/pods`, pod('bound', { nodeName: 'node-1' }));
    const terminating = await api.ok('DELETE', `/api/v1/namespaces/${ns}/pods/bound`);
    expect(terminating.metadata.deletionGracePeriodSeconds).toBe(30);
    expect(terminating.metadata.deletionTimestamp).toBeDefined();
    expect((await api.call('GET', `/api/v1/namespaces/${ns}/pods/bound`)).status).toBe(200);
    // The node confirms.
    await api.ok('DELETE', `/api/v1/namespaces/${ns}/pods/bound`, { gracePeriodSeconds: 0 });
    expect((await api.call('GET', `/api/v1/namespaces/${ns}/pods/bound`)).status).toBe(404);
  });

  it('keeps an object with finalizers until they are removed', async () => {
    const ns = await namespace();
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    await api.ok('POST', path, { metadata: { name: 'held', finalizers: ['example.com/hold'] } });
    const deleting = await api.ok('DELETE', `${path}/held`);
    expect(deleting.metadata.deletionTimestamp).toBeDefined();
    const released = await api.ok(
      'PATCH',
      `${path}/held`,
      { metadata: { finalizers: null } },
      'application/merge-patch+json',
    );
    expect(released.metadata.finalizers).toBeUndefined();
    expect((await api.call('GET', `${path}/held`)).status).toBe(404);
  });

  it('lets a later propagation policy replace an earlier one’s finalizer', async () => {
    const ns = await namespace();
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    await api.ok('POST', path, { metadata: { name: 'p', finalizers: ['example.com/hold'] } });
    await api.ok('DELETE', `${path}/p`, { propagationPolicy: 'Orphan' });
    const foreground = await api.ok('DELETE', `${path}/p`, { propagationPolicy: 'Foreground' });
    expect(foreground.metadata.finalizers).toEqual(['example.com/hold', 'foregroundDeletion']);
    const background = await api.ok('DELETE', `${path}/p`, { propagationPolicy: 'Background' });
    expect(background.metadata.finalizers).toEqual(['example.com/hold']);
  });

  it('refuses a changed uid and a second controller reference', async () => {
    const ns = await namespace();
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    await api.ok('POST', path, { metadata: { name: 'u' } });
    const changed = await api.call(
      'PATCH',
      `${path}/u`,
      { metadata: { uid: 'another' } },
      'application/merge-patch+json',
    );
    expect(changed.status).toBe(422);
    expect(changed.body.message).toContain('metadata.uid: Invalid value: "another": field is immutable');
    const owner = (kind: string) => ({
      apiVersion: 'v1',
      kind,
      name: kind.toLowerCase(),
      uid: `${kind}-uid`,
      controller: true,
    });
    const two = await api.call('POST', path, {
      metadata: { name: 'two', ownerReferences: [owner('A'), owner('B')] },
    });
    expect(two.status).toBe(422);
    expect(two.body.message).toContain('Only one reference can have Controller set to true');
  });

  it('answers a non-pod delete with a Success Status carrying the uid', async () => {
    const ns = await namespace();
    const created = await api.ok('POST', `/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: 'c' } });
    const deleted = await api.ok('DELETE', `/api/v1/namespaces/${ns}/configmaps/c`);
    expect(deleted).toMatchObject({
      kind: 'Status',
      status: 'Success',
      details: { name: 'c', kind: 'configmaps', uid: created.metadata.uid },
    });
  });
});

describe('lists and watches', () => {
  it('pages a list with limit and continue, all at the first page’s resourceVersion', async () => {
    const ns = await namespace();
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    for (let i = 0; i < 5; i++) await api.ok('POST', path, { metadata: { name: `c${i}` } });
    const first = await api.ok('GET', `${path}?limit=2`);
    expect(first.items.map((item: { metadata: { name: string } }) => item.metadata.name)).toEqual([
      'c0',
      'c1',
    ]);
    expect(first.metadata.remainingItemCount).toBe(3);
    await api.ok('POST', path, { metadata: { name: 'c2a' } });
    const second = await api.ok(
      'GET',
      `${path}?limit=2&continue=${encodeURIComponent(first.metadata.continue)}`,
    );
    expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    expect(second.items.map((item: { metadata: { name: string } }) => item.metadata.name)).toEqual([
      'c2',
      'c3',
    ]);
  });

  it('filters by label and field selectors, and refuses unknown field labels', async () => {
    const ns = await namespace();
    const path = `/api/v1/namespaces/${ns}/pods`;
    await api.ok('POST', path, { ...pod('a'), metadata: { name: 'a', labels: { tier: 'web' } } });
    await api.ok('POST', path, {
      ...pod('b', { nodeName: 'n1' }),
      metadata: { name: 'b', labels: { tier: 'db' } },
    });
    const names = async (query: string) =>
      (await api.ok('GET', `${path}?${query}`)).items.map(
        (item: { metadata: { name: string } }) => item.metadata.name,
      );
    expect(await names('labelSelector=tier%20in%20(web,cache)')).toEqual(['a']);
    expect(await names('labelSelector=!missing,tier!=web')).toEqual(['b']);
    expect(await names('fieldSelector=spec.nodeName%3Dn1')).toEqual(['b']);
    expect(await names('fieldSelector=metadata.name!%3Da')).toEqual(['b']);
    const bad = await api.call('GET', `${path}?fieldSelector=spec.bogus%3Dx`);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('field label not supported: spec.bogus');
  });

  it('starts a watch without a resourceVersion with synthetic ADDED events', async () => {
    const ns = await namespace();
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    await api.ok('POST', path, { metadata: { name: 'existing' } });
    const watch = api.watch(`${path}?watch=true`);
    await watch.ready;
    expect((await watch.next()).object.metadata.name).toBe('existing');
    await api.ok('POST', path, { metadata: { name: 'later' } });
    const event = await watch.next();
    expect([event.type, event.object.metadata.name]).toEqual(['ADDED', 'later']);
    watch.close();
  });

  it('ends initial events with a bookmark when sendInitialEvents is asked for', async () => {
    const ns = await namespace();
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    await api.ok('POST', path, { metadata: { name: 'one' } });
    const watch = api.watch(
      `${path}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`,
    );
    await watch.ready;
    expect((await watch.next()).type).toBe('ADDED');
    const bookmark = await watch.next();
    expect(bookmark.type).toBe('BOOKMARK');
    expect(bookmark.object.metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
    watch.close();
  });

  it('serves the legacy /watch/ paths', async () => {
    const ns = await namespace();
    const watch = api.watch(`/api/v1/watch/namespaces/${ns}/configmaps`);
    await watch.ready;
    await api.ok('POST', `/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: 'w' } });
    expect((await watch.next()).object.metadata.name).toBe('w');
    watch.close();
  });

  it('answers a Table to the Table Accept header', async () => {
    const ns = await namespace();
    await api.ok('POST', `/api/v1/namespaces/${ns}/configmaps`, {
      metadata: { name: 't' },
      data: { a: '1', b: '2' },
    });
    const response = await fetch(`${skiff.url}/api/v1/namespaces/${ns}/configmaps`, {
      headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' },
    });
    const table = (await response.json()) as {
      kind: string;
      columnDefinitions: { name: string }[];
      rows: { cells: unknown[] }[];
    };
    expect(table.kind).toBe('Table');
    expect(table.columnDefinitions.map((column) => column.name)).toEqual(['Name', 'Data', 'Age']);
    expect(table.rows[0]!.cells.slice(0, 2)).toEqual(['t', 2]);
  });
});

describe('protobuf', () => {
  const protobufFirst = { Accept: 'application/vnd.kubernetes.protobuf,application/json' };

  it('answers objects, lists and errors in protobuf to clients that prefer it', async () => {
    const ns = await namespace();
    const created = await api.ok('POST', `/api/v1/namespaces/${ns}/pods`, pod('pb'));
    const response = await fetch(`${skiff.url}/api/v1/namespaces/${ns}/pods/pb`, { headers: protobufFirst });
    expect(response.headers.get('content-type')).toBe('application/vnd.kubernetes.protobuf');
    expect(decodeProtobufObject(new Uint8Array(await response.arrayBuffer()))).toEqual(created);
    const list = await fetch(`${skiff.url}/api/v1/namespaces/${ns}/pods`, { headers: protobufFirst });
    const decoded = decodeProtobufObject(new Uint8Array(await list.arrayBuffer())) as {
      kind: string;
      items: unknown[];
    };
    expect(decoded.kind).toBe('PodList');
    // List items are bare messages in protobuf: no apiVersion and kind of their own, as upstream sends them.
    const { apiVersion: _apiVersion, kind: _kind, ...bare } = created;
    expect(decoded.items).toEqual([bare]);
    const missing = await fetch(`${skiff.url}/api/v1/namespaces/${ns}/pods/none`, { headers: protobufFirst });
    expect(missing.status).toBe(404);
    expect(decodeProtobufObject(new Uint8Array(await missing.arrayBuffer()))).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      code: 404,
    });
  });

  it('streams watch events as length-prefixed protobuf frames', async () => {
    const ns = await namespace();
    const created = await api.ok('POST', `/api/v1/namespaces/${ns}/configmaps`, {
      metadata: { name: 'w' },
      data: { a: '1' },
    });
    const response = await fetch(
      `${skiff.url}/api/v1/namespaces/${ns}/configmaps?watch=true&resourceVersion=0&timeoutSeconds=1`,
      {
        headers: protobufFirst,
      },
    );
    expect(response.headers.get('content-type')).toBe('application/vnd.kubernetes.protobuf;stream=watch');
    const frames = decodeProtobufWatchFrames(new Uint8Array(await response.arrayBuffer()));
    expect(frames).toEqual([{ type: 'ADDED', object: created }]);
  });
});

describe('several versions of one resource', () => {
  it('serves core events as events.k8s.io/v1 events, in lists and watches', async () => {
    const ns = await namespace();
    const watch = api.watch(`/apis/events.k8s.io/v1/namespaces/${ns}/events?watch=true`);
    await watch.ready;
    const core = await api.ok('POST', `/api/v1/namespaces/${ns}/events`, {
      metadata: { name: 'e1' },
      involvedObject: { kind: 'Pod', name: 'web', namespace: ns },
      reason: 'Started',
      message: 'Started container web',
      type: 'Normal',
      source: { component: 'kubelet' },
      count: 1,
    });
    const viewed = await api.ok('GET', `/apis/events.k8s.io/v1/namespaces/${ns}/events/e1`);
    expect(viewed).toMatchObject({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      regarding: { kind: 'Pod', name: 'web' },
      note: 'Started container web',
      deprecatedSource: { component: 'kubelet' },
      deprecatedCount: 1,
      metadata: { resourceVersion: core.metadata.resourceVersion, uid: core.metadata.uid },
    });
    const event = await watch.next();
    expect(event.object.note).toBe('Started container web');
    expect(event.object.apiVersion).toBe('events.k8s.io/v1');
    const selected = await api.ok(
      'GET',
      `/apis/events.k8s.io/v1/namespaces/${ns}/events?fieldSelector=regarding.name%3Dweb`,
    );
    expect(selected.items).toHaveLength(1);
    watch.close();
  });

  it('serves autoscaling/v2 HorizontalPodAutoscalers as autoscaling/v1 and back', async () => {
    const ns = await namespace();
    await api.ok('POST', `/apis/autoscaling/v1/namespaces/${ns}/horizontalpodautoscalers`, {
      metadata: { name: 'web' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 1,
        maxReplicas: 5,
        targetCPUUtilizationPercentage: 70,
      },
    });
    const v2 = await api.ok('GET', `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers/web`);
    expect(v2.apiVersion).toBe('autoscaling/v2');
    expect(v2.spec.metrics).toEqual([
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
      },
    ]);
    const v1 = await api.ok('GET', `/apis/autoscaling/v1/namespaces/${ns}/horizontalpodautoscalers/web`);
    expect(v1.spec.targetCPUUtilizationPercentage).toBe(70);
  });
});
