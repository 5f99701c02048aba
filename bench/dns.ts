import { createSocket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dnsPacket from 'dns-packet';
import { up } from '../cli/up.js';
import { HttpClient } from '../client/http-client.js';
import { refFor } from '../client/refs.js';
import { startClusterDns } from '../dns/server.js';
import { freePort } from '../store/testing/free-port.js';
import { formatNumber, now, printTable, summarize, throughput } from './stats.js';

/**
 * Cluster DNS (dns/server.ts) over UDP on loopback, with DNS_BENCH_SERVICES Services (default 1,000) in
 * an in-process Skiff. Each worker keeps one question in flight on its own socket; measured: answers
 * per second and the latency of each, for a Service's A record (answered from the informer caches) and
 * a name that does not exist (NXDOMAIN, same path). Forwarding to the host's resolvers is not timed:
 * no resolver is reachable here, and its cost is the upstream's.
 *
 *   DNS_BENCH_SERVICES=1000 DNS_BENCH_QUERIES=50000 npm run bench -- dns
 */
const SERVICES = Number(process.env.DNS_BENCH_SERVICES ?? 1_000);
const QUERIES = Number(process.env.DNS_BENCH_QUERIES ?? 50_000);
const WORKERS = 32;

export async function run(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'skiff-bench-dns-'));
  const skiff = await up({
    dataDir,
    port: await freePort(),
    ephemeral: true,
    controllers: false,
    scheduler: false,
  });
  const client = new HttpClient({ connection: { server: skiff.url, namespace: 'default' } });
  const services = refFor('Service', 'default');
  await throughput(SERVICES, 16, (i) =>
    client.create(services, {
      metadata: { name: `svc-${i}` },
      spec: { ports: [{ name: 'http', port: 80 }] },
    }),
  );
  const dns = await startClusterDns({
    client,
    address: '127.0.0.1',
    port: await freePort(),
    onError: () => {},
  });
  const sockets = await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      const socket = createSocket('udp4');
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      return socket;
    }),
  );
  const ask = (worker: number, name: string) =>
    new Promise<dnsPacket.DecodedPacket>((resolve) => {
      const socket = sockets[worker]!;
      socket.once('message', (message) => resolve(dnsPacket.decode(message)));
      socket.send(
        dnsPacket.encode({
          type: 'query',
          id: worker,
          flags: dnsPacket.RECURSION_DESIRED,
          questions: [{ type: 'A', name }],
        }),
        dns.port,
        '127.0.0.1',
      );
    });
  try {
    const rows: string[][] = [];
    for (const [label, nameOf] of [
      ['Service A record', (i: number) => `svc-${i % SERVICES}.default.svc.cluster.local`],
      ['missing name (NXDOMAIN)', (i: number) => `none-${i}.default.svc.cluster.local`],
    ] as const) {
      const samples: number[] = [];
      let wrong = 0;
      const rate = await throughput(QUERIES, WORKERS, async (i, worker) => {
        const started = now();
        const answer = await ask(worker, nameOf(i));
        samples.push(now() - started);
        const found = (answer.answers?.length ?? 0) > 0;
        if (found === label.startsWith('missing')) wrong++;
      });
      if (wrong > 0) throw new Error(`${wrong} wrong answers for ${label}`);
      const { p50, p99 } = summarize(samples);
      rows.push([label, formatNumber(rate), formatNumber(p50, 3), formatNumber(p99, 3)]);
    }
    console.log(`\nCluster DNS over UDP: ${SERVICES} Services, ${QUERIES} questions, ${WORKERS} in flight\n`);
    printTable(['question', 'answers/s', 'p50 ms', 'p99 ms'], rows);
  } finally {
    for (const socket of sockets) socket.close();
    await dns.stop();
    await client.close();
    await skiff.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
