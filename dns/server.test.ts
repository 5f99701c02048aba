import { createSocket } from 'node:dgram';
import dnsPacket, { type Answer, type DecodedPacket, type RecordType } from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../client/http-client.js';
import { refFor } from '../client/refs.js';
import { poll } from '../conformance/client.js';
import { startSkiff, type TestSkiff } from '../conformance/harness.js';
import { type RunningClusterDns, startClusterDns } from './server.js';

let skiff: TestSkiff;
let client: HttpClient;
let dns: RunningClusterDns;
let upstream: ReturnType<typeof createSocket>;

/** Asks the server one question over UDP. */
function ask(name: string, type: RecordType, port = dns.port): Promise<DecodedPacket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no answer for ${name}`));
    }, 3_000);
    socket.on('message', (message) => {
      clearTimeout(timer);
      socket.close();
      resolve(dnsPacket.decode(message));
    });
    socket.send(
      dnsPacket.encode({
        type: 'query',
        id: 7,
        flags: dnsPacket.RECURSION_DESIRED,
        questions: [{ type, name }],
      }),
      port,
      '127.0.0.1',
    );
  });
}

const data = (answers: Answer[] | undefined) =>
  (answers ?? []).map((answer) => (answer as { data: unknown }).data);
const rcode = (packet: DecodedPacket) => (packet as unknown as { rcode: string }).rcode;

beforeAll(async () => {
  skiff = await startSkiff({ controllers: false });
  client = new HttpClient({ connection: { server: skiff.url, namespace: 'default' } });
  // An upstream resolver that knows one name.
  upstream = createSocket('udp4');
  upstream.on('message', (message, peer) => {
    const query = dnsPacket.decode(message);
    upstream.send(
      dnsPacket.encode({
        type: 'response',
        id: query.id ?? 0,
        flags: dnsPacket.RECURSION_AVAILABLE,
        questions: query.questions ?? [],
        answers: [{ type: 'A', name: 'example.test', ttl: 60, data: '192.0.2.7' }],
      }),
      peer.port,
      peer.address,
    );
  });
  await new Promise<void>((resolve) => upstream.bind(0, '127.0.0.1', () => resolve()));
  const ns = refFor('Service', 'default');
  await client.create(ns, {
    metadata: { name: 'web' },
    spec: {
      clusterIP: '10.96.200.10',
      ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
      selector: { app: 'web' },
    },
  });
  await client.create(ns, {
    metadata: { name: 'db' },
    spec: { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }], selector: { app: 'db' } },
  });
  await client.create(ns, {
    metadata: { name: 'outside' },
    spec: { type: 'ExternalName', externalName: 'example.test' },
  });
  await client.create(refFor('EndpointSlice', 'default'), {
    metadata: { name: 'db-abc', labels: { 'kubernetes.io/service-name': 'db' } },
    addressType: 'IPv4',
    endpoints: [
      { addresses: ['10.88.0.11'], hostname: 'db-0', conditions: { ready: true } },
      { addresses: ['10.88.0.12'], hostname: 'db-1', conditions: { ready: true } },
      { addresses: ['10.88.0.13'], hostname: 'db-2', conditions: { ready: false } },
    ],
    ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
  });
  dns = await startClusterDns({
    client,
    address: '127.0.0.1',
    port: 0,
    upstream: [`127.0.0.1:${(upstream.address() as { port: number }).port}`],
  });
});
afterAll(async () => {
  await dns?.stop();
  upstream?.close();
  await client?.close();
  await skiff?.stop();
});

describe('cluster DNS', () => {
  it('answers a ClusterIP service with its address, and its named port with SRV', async () => {
    const a = await ask('web.default.svc.cluster.local', 'A');
    expect(rcode(a)).toBe('NOERROR');
    expect(a.flag_aa).toBe(true);
    expect(data(a.answers)).toEqual(['10.96.200.10']);
    const srv = await ask('_http._tcp.web.default.svc.cluster.local', 'SRV');
    expect(data(srv.answers)).toEqual([
      { priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' },
    ]);
    expect(data(srv.additionals)).toEqual(['10.96.200.10']);
  });

  it('answers a headless service with each ready endpoint, and each by its hostname', async () => {
    const a = await ask('db.default.svc.cluster.local', 'A');
    expect(data(a.answers).sort()).toEqual(['10.88.0.11', '10.88.0.12']);
    expect(data((await ask('db-1.db.default.svc.cluster.local', 'A')).answers)).toEqual(['10.88.0.12']);
    const srv = await ask('_pg._tcp.db.default.svc.cluster.local', 'SRV');
    expect(
      data(srv.answers)
        .map((record) => (record as { target: string }).target)
        .sort(),
    ).toEqual(['db-0.db.default.svc.cluster.local', 'db-1.db.default.svc.cluster.local']);
  });

  it('answers ExternalName with a CNAME and pods by their dashed address', async () => {
    const cname = await ask('outside.default.svc.cluster.local', 'A');
    expect(cname.answers?.[0]).toMatchObject({ type: 'CNAME', data: 'example.test' });
    expect(data((await ask('10-88-0-5.default.pod.cluster.local', 'A')).answers)).toEqual(['10.88.0.5']);
  });

  it('says NXDOMAIN for names the cluster does not have, and no data for a type a name lacks', async () => {
    const missing = await ask('nope.default.svc.cluster.local', 'A');
    expect(rcode(missing)).toBe('NXDOMAIN');
    expect(missing.authorities?.[0]?.type).toBe('SOA');
    const noAaaa = await ask('web.default.svc.cluster.local', 'AAAA');
    expect(rcode(noAaaa)).toBe('NOERROR');
    expect(noAaaa.answers).toEqual([]);
  });

  it('forwards other names to the host resolvers', async () => {
    const outside = await ask('example.test', 'A');
    expect(data(outside.answers)).toEqual(['192.0.2.7']);
    expect(outside.id).toBe(7);
  });

  it('follows changes: a new service answers once created', async () => {
    await client.create(refFor('Service', 'default'), {
      metadata: { name: 'late' },
      spec: { clusterIP: '10.96.200.11', ports: [{ port: 81 }] },
    });
    await poll(
      async () => data((await ask('late.default.svc.cluster.local', 'A')).answers)[0] === '10.96.200.11',
    );
  });
});
