import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/resource.js';
import { isStatusError } from '../api/status.js';
import { ApiClient, randomSuffix } from '../conformance/client.js';
import { startSkiff, type TestSkiff } from '../conformance/harness.js';
import { openLevelStore } from '../store/level.js';
import { openMemoryStore } from '../store/memory.js';
import { ServiceAllocator } from './service-allocation.js';

function service(name: string, spec: Record<string, unknown> = {}, uid = `uid-${name}`): KubeObject {
  return {
    metadata: { name, namespace: 'default', uid },
    spec: { type: 'ClusterIP', ports: [{ name: 'http', port: 80 }], ...spec },
  };
}

async function claimed(allocator: ServiceAllocator, object: KubeObject, old?: KubeObject) {
  const ticket = await allocator.claim(object, old);
  await ticket.commit();
  return object.spec as { clusterIP?: string; ports: { nodePort?: number }[] };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isStatusError(error)) return `${error.status.code} ${error.status.message}`;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('ServiceAllocator', () => {
  it('gives concurrent claims distinct addresses until the range is full, then says so', async () => {
    const store = await openMemoryStore();
    // A /28 has 14 usable addresses.
    const allocator = new ServiceAllocator({ store, serviceCIDR: '10.100.0.0/28' });
    const specs = await Promise.all(
      Array.from({ length: 14 }, (_, i) => claimed(allocator, service(`s${i}`))),
    );
    const ips = specs.map((spec) => spec.clusterIP);
    expect(new Set(ips).size).toBe(14);
    for (const ip of ips) expect(ip).toMatch(/^10\.100\.0\.([1-9]|1[0-4])$/);
    expect(await refusal(allocator.claim(service('full'), undefined))).toBe(
      '500 Internal error occurred: failed to allocate a serviceIP: range is full',
    );
    await store.close();
  });

  it('hands out a requested address once, refuses one outside the range, and frees on release', async () => {
    const store = await openMemoryStore();
    const allocator = new ServiceAllocator({ store });
    const first = service('a', { clusterIP: '10.96.0.50', clusterIPs: ['10.96.0.50'] });
    await claimed(allocator, first);
    expect(
      await refusal(
        allocator.claim(service('b', { clusterIP: '10.96.0.50', clusterIPs: ['10.96.0.50'] }), undefined),
      ),
    ).toBe(
      '422 Service "b" is invalid: spec.clusterIPs: Invalid value: ["10.96.0.50"]: failed to allocate IP 10.96.0.50: provided IP is already allocated',
    );
    expect(
      await refusal(
        allocator.claim(service('c', { clusterIP: '1.2.3.4', clusterIPs: ['1.2.3.4'] }), undefined),
      ),
    ).toBe(
      '422 Service "c" is invalid: spec.clusterIPs: Invalid value: ["1.2.3.4"]: failed to allocate IP 1.2.3.4: the provided IP (1.2.3.4) is not in the valid range. The range of valid IPs is 10.96.0.0/12',
    );
    await allocator.release(first);
    expect((await claimed(allocator, service('b', { clusterIP: '10.96.0.50' }))).clusterIP).toBe(
      '10.96.0.50',
    );
    await store.close();
  });

  it('picks dynamic addresses and ports above the static band', async () => {
    const store = await openMemoryStore();
    const allocator = new ServiceAllocator({ store });
    const spec = await claimed(allocator, service('n', { type: 'NodePort' }));
    const last = Number(spec.clusterIP!.split('.')[3]);
    const third = Number(spec.clusterIP!.split('.')[2]);
    expect(third > 0 || last >= 256 || spec.clusterIP!.split('.')[1] !== '96').toBe(true);
    expect(spec.ports[0]!.nodePort).toBeGreaterThanOrEqual(30_086);
    expect(spec.ports[0]!.nodePort).toBeLessThanOrEqual(32_767);
    await store.close();
  });

  it('refuses a node port taken or out of range, naming the port field, and claims nothing then', async () => {
    const store = await openMemoryStore();
    const allocator = new ServiceAllocator({ store });
    await claimed(
      allocator,
      service('a', { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }] }),
    );
    const ports = [
      { name: 'a', port: 80, nodePort: 30081 },
      { name: 'b', port: 81, nodePort: 30080 },
      { name: 'c', port: 82, nodePort: 80 },
    ];
    expect(await refusal(allocator.claim(service('b', { type: 'NodePort', ports }), undefined))).toBe(
      '422 Service "b" is invalid: [spec.ports[1].nodePort: Invalid value: 30080: provided port is already allocated, spec.ports[2].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767]',
    );
    // 30081 was claimed on the way and given back when the claim failed.
    const again = service('c', { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30081 }] });
    expect((await claimed(allocator, again)).ports[0]!.nodePort).toBe(30081);
    await store.close();
  });

  it('on update keeps what is held, frees what the new spec drops, and undoes an aborted claim', async () => {
    const store = await openMemoryStore();
    const allocator = new ServiceAllocator({ store });
    const old = service('a', { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30090 }] });
    await claimed(allocator, old);
    const ip = (old.spec as { clusterIP: string }).clusterIP;
    // NodePort → ClusterIP: the port goes back once the write lands, the address stays.
    const updated = service('a', { type: 'ClusterIP', clusterIP: ip, ports: [{ name: 'http', port: 80 }] });
    await claimed(allocator, updated, old);
    const other = service('b', { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30090 }] });
    expect((await claimed(allocator, other)).ports[0]!.nodePort).toBe(30090);
    expect(await refusal(allocator.claim(service('c', { clusterIP: ip }), undefined))).toContain(
      'provided IP is already allocated',
    );
    // A claim whose write failed gives its new address back.
    const externalName = service('d', { type: 'ExternalName', externalName: 'example.com', ports: [] });
    const toClusterIP = service('d', { type: 'ClusterIP', clusterIP: '10.96.0.77' });
    await (await allocator.claim(toClusterIP, externalName)).abort();
    expect((await claimed(allocator, service('e', { clusterIP: '10.96.0.77' }))).clusterIP).toBe(
      '10.96.0.77',
    );
    await store.close();
  });

  it('remembers allocations across a restart of the store', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'skiff-alloc-'));
    try {
      let store = await openLevelStore(directory);
      await claimed(new ServiceAllocator({ store }), service('a', { clusterIP: '10.96.0.60' }));
      await store.close();
      store = await openLevelStore(directory);
      const allocator = new ServiceAllocator({ store });
      expect(await refusal(allocator.claim(service('b', { clusterIP: '10.96.0.60' }), undefined))).toContain(
        'provided IP is already allocated',
      );
      await store.close();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('repair frees a claim found without its Service twice in a row, and claims what Services hold', async () => {
    const store = await openMemoryStore();
    const allocator = new ServiceAllocator({ store });
    // A claim whose Service write never happened (a crash between the two).
    await allocator.claim(service('lost', { clusterIP: '10.96.0.70' }), undefined);
    const kept = service('kept', { clusterIP: '10.96.0.71', clusterIPs: ['10.96.0.71'] });
    await claimed(allocator, kept);
    const unclaimed = service('old', { clusterIP: '10.96.0.72', clusterIPs: ['10.96.0.72'] });
    // The in-flight claim is skipped; settle it as a crashed process would never have.
    const fresh = new ServiceAllocator({ store });
    expect(await fresh.repair([kept, unclaimed])).toEqual({ freed: 0, claimed: 1 });
    expect(await fresh.repair([kept, unclaimed])).toEqual({ freed: 1, claimed: 0 });
    expect((await claimed(fresh, service('new', { clusterIP: '10.96.0.70' }))).clusterIP).toBe('10.96.0.70');
    expect(await refusal(fresh.claim(service('x', { clusterIP: '10.96.0.72' }), undefined))).toContain(
      'already allocated',
    );
    await store.close();
  });
});

describe('Services through the API', () => {
  let skiff: TestSkiff;
  let api: ApiClient;
  const ns = `svc-${randomSuffix()}`;
  const path = `/api/v1/namespaces/${ns}/services`;

  beforeAll(async () => {
    skiff = await startSkiff({ controllers: false });
    api = new ApiClient(skiff.url);
    await api.ok('POST', '/api/v1/namespaces', { metadata: { name: ns } });
  });
  afterAll(async () => {
    await skiff?.stop();
  });

  const create = (name: string, spec: Record<string, unknown>) =>
    api.call('POST', path, { metadata: { name }, spec });

  it('[sig-network] Services should provide secure master service: default/kubernetes on the first address', async () => {
    const kubernetes = await api.ok('GET', '/api/v1/namespaces/default/services/kubernetes');
    const port = Number(new URL(skiff.url).port);
    expect(kubernetes.spec).toMatchObject({
      clusterIP: '10.96.0.1',
      clusterIPs: ['10.96.0.1'],
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }],
    });
    expect(kubernetes.metadata.labels).toEqual({ component: 'apiserver', provider: 'kubernetes' });
    const endpoints = await api.ok('GET', '/api/v1/namespaces/default/endpoints/kubernetes');
    expect(endpoints.subsets).toEqual([
      { addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port, protocol: 'TCP' }] },
    ]);
    const slice = await api.ok(
      'GET',
      '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes',
    );
    expect(slice.endpoints).toEqual([{ addresses: ['127.0.0.1'], conditions: { ready: true } }]);
  });

  it('allocates a cluster IP and node ports, keeps them on a PUT that leaves them out, frees them on delete', async () => {
    const created = await create('web', {
      type: 'NodePort',
      selector: { app: 'web' },
      ports: [{ port: 80 }],
    });
    expect(created.status).toBe(201);
    const { clusterIP, clusterIPs, ports } = created.body.spec;
    expect(clusterIP).toMatch(/^10\.(9[6-9]|10\d|11[01])\.\d+\.\d+$/);
    expect(clusterIPs).toEqual([clusterIP]);
    expect(ports[0].nodePort).toBeGreaterThanOrEqual(30_000);
    // A PUT of the spec as written (no clusterIP, no nodePort) keeps both.
    const replaced = await api.ok('PUT', `${path}/web`, {
      metadata: { name: 'web', resourceVersion: created.body.metadata.resourceVersion },
      spec: { type: 'NodePort', selector: { app: 'web2' }, ports: [{ port: 80 }] },
    });
    expect(replaced.spec.clusterIP).toBe(clusterIP);
    expect(replaced.spec.ports[0].nodePort).toBe(ports[0].nodePort);
    const changed = await api.call(
      'PATCH',
      `${path}/web`,
      { spec: { clusterIP: '10.96.0.99', clusterIPs: ['10.96.0.99'] } },
      'application/merge-patch+json',
    );
    expect(changed.status).toBe(422);
    expect(changed.body.message).toBe(
      'Service "web" is invalid: spec.clusterIPs[0]: Invalid value: ["10.96.0.99"]: may not change once set',
    );
    await api.ok('DELETE', `${path}/web`);
    const again = await create('web-again', {
      type: 'NodePort',
      clusterIP,
      ports: [{ port: 80, nodePort: ports[0].nodePort }],
    });
    expect(again.status).toBe(201);
    expect(again.body.spec.clusterIP).toBe(clusterIP);
  });

  it('refuses a taken address with 422 naming spec.clusterIPs, and changes nothing', async () => {
    const first = await create('first', { clusterIP: '10.96.0.200', ports: [{ port: 80 }] });
    expect(first.status).toBe(201);
    const second = await create('second', { clusterIP: '10.96.0.200', ports: [{ port: 80 }] });
    expect(second.status).toBe(422);
    expect(second.body.details.causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.clusterIPs',
        message:
          'Invalid value: ["10.96.0.200"]: failed to allocate IP 10.96.0.200: provided IP is already allocated',
      },
    ]);
    expect((await api.call('GET', `${path}/second`)).status).toBe(404);
  });

  it('[sig-network] Services should be able to change the type from ExternalName to ClusterIP', async () => {
    const created = await create('external', { type: 'ExternalName', externalName: 'foo.example.com' });
    expect(created.status).toBe(201);
    expect(created.body.spec.clusterIP).toBeUndefined();
    const current = created.body;
    current.spec = {
      type: 'ClusterIP',
      externalName: '',
      selector: current.spec.selector,
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 9376 }],
    };
    const updated = await api.ok('PUT', `${path}/external`, current);
    expect(updated.spec.clusterIP).toMatch(/^10\./);
    expect(updated.spec.externalName).toBeUndefined();
    expect(updated.spec.ports[0].nodePort).toBeUndefined();
    // And back: the address is dropped with the type, and freed.
    const back = await api.ok(
      'PATCH',
      `${path}/external`,
      { spec: { type: 'ExternalName', externalName: 'bar.example.com', ports: null } },
      'application/merge-patch+json',
    );
    expect(back.spec.clusterIP).toBeUndefined();
    expect(back.spec.clusterIPs).toBeUndefined();
    const reuse = await create('reuse', { clusterIP: updated.spec.clusterIP, ports: [{ port: 80 }] });
    expect(reuse.status).toBe(201);
  });

  it('gives headless services no address, and refuses None for a NodePort service', async () => {
    const headless = await create('headless', { clusterIP: 'None', selector: { app: 'x' } });
    expect(headless.status).toBe(201);
    expect(headless.body.spec.clusterIPs).toEqual(['None']);
    const bad = await create('bad', { type: 'NodePort', clusterIP: 'None', ports: [{ port: 80 }] });
    expect(bad.status).toBe(422);
    expect(bad.body.message).toContain(
      'spec.clusterIPs[0]: Invalid value: "None": may not be set to \'None\' for NodePort services',
    );
  });

  it('kubectl expose makes a Service with an address that kubectl get shows', async () => {
    await api.ok('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, {
      metadata: { name: 'app' },
      spec: {
        selector: { matchLabels: { app: 'app' } },
        template: {
          metadata: { labels: { app: 'app' } },
          spec: {
            containers: [{ name: 'c', image: 'skiff.local/testimage:1', ports: [{ containerPort: 8080 }] }],
          },
        },
      },
    });
    const exposed = await skiff.kubectl([
      'expose',
      '-n',
      ns,
      'deployment',
      'app',
      '--port=80',
      '--target-port=8080',
      '--type=NodePort',
    ]);
    expect(exposed.stderr).toBe('');
    expect(exposed.stdout).toBe('service/app exposed\n');
    const got = await skiff.kubectl(['get', 'svc', '-n', ns, 'app', '--no-headers']);
    expect(got.stdout).toMatch(/^app\s+NodePort\s+10\.\d+\.\d+\.\d+\s+<none>\s+80:3\d{4}\/TCP\s+\d+s\n$/);
  });

  it('[sig-network] Services should delete a collection of services, freeing their addresses', async () => {
    const made = [];
    for (const [name, label, port] of [
      ['a', 'delete', 8001],
      ['b', 'delete', 8002],
      ['c', 'keep', 8003],
    ] as const) {
      const created = await api.ok('POST', path, {
        metadata: { name: `e2e-svc-${name}`, labels: { 'e2e-test-service': label } },
        spec: { ports: [{ name: 'http', port, targetPort: port }] },
      });
      made.push(created.spec.clusterIP as string);
    }
    await api.ok('DELETE', `${path}?labelSelector=e2e-test-service%3Ddelete`);
    const left = await api.ok('GET', `${path}?labelSelector=e2e-test-service`);
    expect(left.items.map((item: KubeObject) => item.metadata?.name)).toEqual(['e2e-svc-c']);
    const reuse = await create('reuse-a', { clusterIP: made[0], ports: [{ port: 80 }] });
    expect(reuse.status).toBe(201);
  });
});
