/**
 * The proxy against the real kernel: two network namespaces on a bridge of the test's own stand in for
 * pods (no containerd needed), each running a tiny HTTP server that answers with its name; Services and
 * EndpointSlices live in an in-process Skiff; the proxy's rules do real NAT. Needs root and nft.
 *
 * Everything here is named skt-* / skt*, on 10.199.0.0/24, with service IPs in 10.96.250.0/24 and
 * NodePorts 3199x, so it can run beside a real Skiff node. The proxy runs with its own table, sink and
 * CIDR names (skt-proxy, sktsvc0, 10.96.250.0/24) for the same reason.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HttpClient } from '../client/http-client.js';
import { refFor } from '../client/refs.js';
import { startSkiff, type TestSkiff } from '../conformance/harness.js';
import { type RunningProxy, startProxy } from './proxy.js';
import {
  canUseKernelNetworking,
  fetchOnce,
  type NetnsBackends,
  startNetnsBackends,
  trySh,
} from './testing/netns-backends.js';

const table = 'skt-proxy';
const sink = 'sktsvc0';
const serviceCIDR = '10.96.250.0/24';
const nodeName = 'skt-node';
const backendIPs = { a: '10.199.0.2', b: '10.199.0.3' } as const;

function sh(command: string): string {
  return execFileSync('sh', ['-c', command], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function removeProxyLeftovers(): void {
  trySh(`nft add table ip ${table}; nft delete table ip ${table}`);
  trySh(`ip route del ${serviceCIDR}`);
  trySh(`ip link del ${sink}`);
}

async function spread(host: string, port: number, count: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    const body = await fetchOnce(host, port);
    counts[body] = (counts[body] ?? 0) + 1;
  }
  return counts;
}

function listTable(): string {
  return trySh(`nft list table ip ${table}`) ?? '';
}

const services = refFor('Service', 'default');
const slices = refFor({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' }, 'default');

function service(name: string, clusterIP: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: { clusterIP, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }], ...extra },
  };
}

function slice(name: string, serviceName: string, ready: Readonly<Record<string, boolean>>) {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': serviceName } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: Object.entries(backendIPs).map(([backend, ip]) => ({
      addresses: [ip],
      conditions: { ready: ready[backend] ?? true },
      nodeName,
    })),
  };
}

// In CI the kernel parts are required: their absence fails the run rather than skipping it.
if (!canUseKernelNetworking && process.env.CI === 'true') {
  throw new Error('the service proxy test needs root, nft and ip in CI (scripts/install-test-deps.sh)');
}

describe.skipIf(!canUseKernelNetworking)('service proxy with kernel NAT (root)', () => {
  let skiff: TestSkiff;
  let client: HttpClient;
  let proxy: RunningProxy | undefined;
  let backends: NetnsBackends | undefined;
  let routeLocalnetBefore = '';

  beforeAll(async () => {
    removeProxyLeftovers();
    routeLocalnetBefore = sh('cat /proc/sys/net/ipv4/conf/all/route_localnet').trim();
    backends = await startNetnsBackends({ prefix: 'skt', subnet: '10.199.0', count: 2 });
    skiff = await startSkiff({ controllers: false });
    client = new HttpClient({ connection: { server: skiff.url, namespace: 'default' } });
    proxy = await startProxy({
      client,
      nodeName,
      nodeIPs: [],
      serviceCIDR,
      podCIDR: '10.199.0.0/24',
      tableName: table,
      sinkDevice: sink,
      bridges: [backends.bridge],
      onError: (error) => console.error('proxy error:', error),
    });
  }, 60_000);

  afterAll(async () => {
    await proxy?.stop().catch(() => {});
    await client?.close();
    await skiff?.stop();
    await backends?.stop();
    removeProxyLeftovers();
  });

  it('a ClusterIP answers from the host and spreads over both backends', async () => {
    await client.create(
      services,
      service('skt-web', '10.96.250.10', {
        type: 'NodePort',
        ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP', nodePort: 31990 }],
      }),
    );
    await client.create(slices, slice('skt-web-1', 'skt-web', {}));
    await vi.waitFor(() => expect(listTable()).toContain('default/skt-web/tcp/http__10.199.0.3/8080'), {
      timeout: 5000,
      interval: 20,
    });
    const counts = await spread('10.96.250.10', 80, 20);
    expect(counts.a).toBeGreaterThanOrEqual(1);
    expect(counts.b).toBeGreaterThanOrEqual(1);
    expect((counts.a ?? 0) + (counts.b ?? 0)).toBe(20);
  });

  it('a NodePort answers on 127.0.0.1', async () => {
    const body = await fetchOnce('127.0.0.1', 31990);
    expect(['a', 'b']).toContain(body);
  });

  it('an endpoint marked not ready stops receiving', async () => {
    const current = await client.get(slices, 'skt-web-1');
    await client.update(slices, {
      ...slice('skt-web-1', 'skt-web', { b: false }),
      metadata: current.metadata,
    });
    await vi.waitFor(() => expect(listTable()).not.toContain('default/skt-web/tcp/http__10.199.0.3/8080'), {
      timeout: 5000,
      interval: 20,
    });
    expect(await spread('10.96.250.10', 80, 10)).toEqual({ a: 10 });
  });

  it('ClientIP affinity pins the host to one backend', async () => {
    await client.create(
      services,
      service('skt-sticky', '10.96.250.11', {
        sessionAffinity: 'ClientIP',
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } },
      }),
    );
    await client.create(slices, slice('skt-sticky-1', 'skt-sticky', {}));
    await vi.waitFor(() => expect(listTable()).toContain('affinity-'), { timeout: 5000, interval: 20 });
    const counts = await spread('10.96.250.11', 80, 10);
    expect(Object.values(counts)).toEqual([10]);
  });

  it('a service without endpoints refuses connections', async () => {
    await client.create(services, service('skt-empty', '10.96.250.12'));
    await vi.waitFor(() => expect(listTable()).toContain('10.96.250.12 . tcp . 80 : goto reject-chain'), {
      timeout: 5000,
      interval: 20,
    });
    await expect(fetchOnce('10.96.250.12', 80)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('deleting a Service removes its rules', async () => {
    await client.delete(services, 'skt-web');
    await vi.waitFor(() => expect(listTable()).not.toContain('skt-web'), { timeout: 5000, interval: 20 });
    expect(listTable()).toContain('skt-sticky');
  });

  it('stopping the proxy leaves no table, route or veth and restores sysctls', async () => {
    await proxy!.stop();
    proxy = undefined;
    expect(trySh(`nft list table ip ${table}`)).toBeUndefined();
    expect(sh('nft list tables')).not.toContain(table);
    expect(sh('ip route')).not.toContain(serviceCIDR.replace('/24', ''));
    expect(trySh(`ip link show ${sink}`)).toBeUndefined();
    expect(sh('cat /proc/sys/net/ipv4/conf/all/route_localnet').trim()).toBe(routeLocalnetBefore);
  });
});
