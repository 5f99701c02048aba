import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { up } from '../cli/up.js';
import { HttpClient } from '../client/http-client.js';
import { refFor } from '../client/refs.js';
import { type SyncResult, startProxy } from '../proxy/proxy.js';
import {
  canUseKernelNetworking,
  fetchOnce,
  startNetnsBackends,
  trySh,
} from '../proxy/testing/netns-backends.js';
import { freePort } from '../store/testing/free-port.js';
import { formatNumber, now, printTable, summarize, throughput } from './stats.js';

/**
 * The service proxy benchmark (root; nft). An in-process Skiff holds PROXY_BENCH_SERVICES Services
 * (default 1,000) of 10 endpoints each (fake addresses: only the rules are timed), plus one Service in
 * front of two real backends (network namespaces, proxy/testing). Measured:
 *
 *   - the first full sync (the whole table in one nft transaction);
 *   - EndpointSlice change → rule in force: from the update request to the proxy's nft transaction having
 *     committed with the new endpoint (nft -f returns after the kernel commit); sampled sequentially;
 *   - one HTTP GET on a fresh connection, through the ClusterIP vs straight to a backend's address.
 *
 *   PROXY_BENCH_SERVICES=1000 PROXY_BENCH_CHANGES=50 npm run bench -- proxy
 */
const SERVICES = Number(process.env.PROXY_BENCH_SERVICES ?? 1_000);
const ENDPOINTS = 10;
const CHANGES = Number(process.env.PROXY_BENCH_CHANGES ?? 50);
const REQUESTS = 300;
const table = 'skt-bench-proxy';
const sink = 'sktbsvc0';
const serviceCIDR = '10.100.0.0/16';

const serviceIP = (i: number) => `10.100.${Math.floor(i / 250)}.${(i % 250) + 1}`;
const endpointIP = (i: number, j: number, generation = 0) =>
  `10.${201 + generation}.${Math.floor(i / 25)}.${(i % 25) * 10 + j + 1}`;

function slice(name: string, serviceName: string, ips: readonly string[], resourceVersion?: string) {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name,
      namespace: 'default',
      labels: { 'kubernetes.io/service-name': serviceName },
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true }, nodeName: 'bench-node' })),
  };
}

function service(name: string, clusterIP: string) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: { clusterIP, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
  };
}

function removeLeftovers(): void {
  trySh(`nft add table ip ${table}; nft delete table ip ${table}`);
  trySh(`ip route del ${serviceCIDR}`);
  trySh(`ip link del ${sink}`);
}

export async function run(): Promise<void> {
  if (!canUseKernelNetworking) {
    console.error('the proxy benchmark needs root, nft and ip');
    process.exitCode = 1;
    return;
  }
  removeLeftovers();
  const dataDir = await mkdtemp(join(tmpdir(), 'skiff-bench-proxy-'));
  const skiff = await up({
    dataDir,
    port: await freePort(),
    ephemeral: true,
    controllers: false,
    scheduler: false,
  });
  const client = new HttpClient({ connection: { server: skiff.url, namespace: 'default' } });
  const backends = await startNetnsBackends({ prefix: 'sktb', subnet: '10.198.0', count: 2 });
  const services = refFor('Service', 'default');
  const slices = refFor({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' }, 'default');
  let proxy: Awaited<ReturnType<typeof startProxy>> | undefined;
  try {
    const loadRate = await throughput(SERVICES, 16, async (i) => {
      await client.create(services, service(`svc-${i}`, serviceIP(i)));
      await client.create(
        slices,
        slice(
          `svc-${i}-1`,
          `svc-${i}`,
          Array.from({ length: ENDPOINTS }, (_, j) => endpointIP(i, j)),
        ),
      );
    });
    await client.create(services, service('real', '10.100.250.1'));
    await client.create(
      slices,
      slice(
        'real-1',
        'real',
        backends.list.map((backend) => backend.ip),
      ),
    );

    // Every applied transaction, with when it committed; a waiter looks for its marker in the text.
    let waiter: { marker: string; resolve: (at: number) => void } | undefined;
    const syncs: SyncResult[] = [];
    const startedAt = now();
    proxy = await startProxy({
      client,
      nodeName: 'bench-node',
      serviceCIDR,
      podCIDR: backends.subnet,
      tableName: table,
      sinkDevice: sink,
      bridges: [backends.bridge],
      resyncPeriodMs: 0,
      onSync: (result) => {
        syncs.push(result);
        if (waiter && result.transaction.includes(waiter.marker)) waiter.resolve(now());
      },
    });
    const firstSyncMs = now() - startedAt;
    const first = syncs[0]!;

    const latencies: number[] = [];
    const syncDurations: number[] = [];
    for (let k = 0; k < CHANGES; k++) {
      const i = (k * 7919) % SERVICES;
      const current = await client.get(slices, `svc-${i}-1`);
      const marker = endpointIP(i, k % ENDPOINTS, 1 + (k % 40));
      const ips = Array.from({ length: ENDPOINTS }, (_, j) =>
        j === k % ENDPOINTS ? marker : endpointIP(i, j),
      );
      const applied = new Promise<number>((resolve) => {
        waiter = { marker: `dnat to ${marker}:8080`, resolve };
      });
      const begin = now();
      await client.update(slices, slice(`svc-${i}-1`, `svc-${i}`, ips, current.metadata?.resourceVersion));
      latencies.push((await applied) - begin);
      syncDurations.push(syncs.at(-1)!.durationMs);
      waiter = undefined;
    }
    // The kernel has the last change (not only the proxy's text).
    const lastMarker = endpointIP(
      ((CHANGES - 1) * 7919) % SERVICES,
      (CHANGES - 1) % ENDPOINTS,
      1 + ((CHANGES - 1) % 40),
    );
    const inKernel = execFileSync('nft', ['list', 'table', 'ip', table], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    if (!inKernel.includes(`dnat to ${lastMarker}:8080`))
      throw new Error('the last change is not in the kernel');

    const change = summarize(latencies);
    const apply = summarize(syncDurations);
    console.log(
      `\nService proxy: ${SERVICES} Services × ${ENDPOINTS} endpoints (created at ${formatNumber(loadRate)} Service+slice pairs/s)\n`,
    );
    printTable(
      ['measure', 'p50 ms', 'p99 ms', 'max ms'],
      [
        ['first full sync (startProxy → table applied)', formatNumber(firstSyncMs, 1), '', ''],
        [
          `EndpointSlice update → rule in force (${CHANGES} changes)`,
          formatNumber(change.p50, 1),
          formatNumber(change.p99, 1),
          formatNumber(change.max, 1),
        ],
        [
          '  of which: model + render + nft -f',
          formatNumber(apply.p50, 1),
          formatNumber(apply.p99, 1),
          formatNumber(apply.max, 1),
        ],
      ],
    );
    console.log(
      `\nTransaction size: ${formatNumber(first.bytes / 1024)} KiB for ${first.servicePorts} service ports\n`,
    );

    // Connection latency: fresh connection + GET, sequential.
    const direct: number[] = [];
    const viaClusterIP: number[] = [];
    for (let i = 0; i < 20; i++) {
      await fetchOnce(backends.list[0]!.ip, 8080);
      await fetchOnce('10.100.250.1', 80);
    }
    for (let i = 0; i < REQUESTS; i++) {
      let begin = now();
      await fetchOnce(backends.list[0]!.ip, 8080);
      direct.push(now() - begin);
      begin = now();
      await fetchOnce('10.100.250.1', 80);
      viaClusterIP.push(now() - begin);
    }
    const directStats = summarize(direct);
    const clusterStats = summarize(viaClusterIP);
    printTable(
      ['path (new connection + GET)', 'p50 ms', 'p99 ms'],
      [
        ['direct to the backend address', formatNumber(directStats.p50, 2), formatNumber(directStats.p99, 2)],
        [
          `through the ClusterIP (nft DNAT, ${SERVICES + 1} services loaded)`,
          formatNumber(clusterStats.p50, 2),
          formatNumber(clusterStats.p99, 2),
        ],
      ],
    );
  } finally {
    await proxy?.stop();
    await client.close();
    await skiff.stop();
    await backends.stop();
    removeLeftovers();
    await rm(dataDir, { recursive: true, force: true });
  }
}
