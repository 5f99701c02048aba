/**
 * Cluster DNS: answers the cluster zone from Services and EndpointSlices (records.ts), over UDP and
 * TCP, and forwards every other name to the host's resolvers, as CoreDNS does for a cluster. It reads
 * the API through informers only, like any other component.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import dnsPacket, { type DecodedPacket, type Packet } from 'dns-packet';
import type { KubeObject } from '../api/resource.js';
import { Informer } from '../client/informer.js';
import { refFor } from '../client/refs.js';
import type { ListerWatcher } from '../client/types.js';
import { ClusterRecords, type EndpointSliceRecord, type ServiceRecord } from './records.js';

export interface ClusterDnsOptions {
  readonly client: ListerWatcher;
  /** Where to listen (UDP and TCP); port 0 picks a free one. */
  readonly address: string;
  readonly port: number;
  readonly clusterDomain?: string;
  /** `ip` or `ip:port` of resolvers for names outside the cluster zone (default: none, SERVFAIL). */
  readonly upstream?: readonly string[];
  /** How long a forwarded question may take. Default 2 s. */
  readonly forwardTimeoutMs?: number;
  readonly onError?: (error: unknown) => void;
}

export interface RunningClusterDns {
  readonly address: string;
  readonly port: number;
  stop(): Promise<void>;
}

const NXDOMAIN = 3;
const SERVFAIL = 2;
const serviceNameLabel = 'kubernetes.io/service-name';

export async function startClusterDns(options: ClusterDnsOptions): Promise<RunningClusterDns> {
  const report =
    options.onError ??
    ((error: unknown) => console.error(`dns: ${error instanceof Error ? error.message : String(error)}`));
  const services = new Informer<KubeObject>({
    client: options.client,
    ref: refFor('Service'),
    onError: report,
  });
  const slices = new Informer<KubeObject>({
    client: options.client,
    ref: refFor('EndpointSlice'),
    indexers: {
      service: (slice) => {
        const name = slice.metadata?.labels?.[serviceNameLabel];
        return name ? [`${slice.metadata?.namespace}/${name}`] : [];
      },
    },
    onError: report,
  });
  services.start();
  slices.start();
  await Promise.all([services.waitForSync(), slices.waitForSync()]);
  const records = new ClusterRecords(
    {
      service: (namespace, name) => services.store.getByName(namespace, name) as ServiceRecord | undefined,
      slices: (namespace, service) =>
        slices.store.byIndex('service', `${namespace}/${service}`) as EndpointSliceRecord[],
    },
    options.clusterDomain,
  );
  const upstream = (options.upstream ?? []).map((server) => {
    const [host, port] =
      server.includes(']:') || /^[^:]+:\d+$/.test(server) ? splitHostPort(server) : [server, 53];
    return { host, port };
  });
  const forwardTimeoutMs = options.forwardTimeoutMs ?? 2_000;

  /** The answer to one query message, or undefined to drop it (garbage). */
  async function answer(message: Buffer): Promise<Buffer | undefined> {
    let query: DecodedPacket;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return undefined;
    }
    const question = query.questions?.[0];
    if (!question) return undefined;
    const recursion = (query.flags ?? 0) & dnsPacket.RECURSION_DESIRED;
    if (!records.inZone(question.name)) return forward(message, query);
    const resolved = records.resolve(question.name, question.type);
    const response: Packet = {
      type: 'response',
      id: query.id ?? 0,
      flags:
        dnsPacket.AUTHORITATIVE_ANSWER |
        dnsPacket.RECURSION_AVAILABLE |
        recursion |
        (resolved.rcode === 'NXDOMAIN' ? NXDOMAIN : 0),
      questions: [question],
      answers: resolved.answers,
      authorities: resolved.authorities,
      additionals: resolved.additionals,
    };
    return dnsPacket.encode(response);
  }

  /** Relays the question to the first upstream resolver that answers in time; SERVFAIL otherwise. */
  async function forward(message: Buffer, query: DecodedPacket): Promise<Buffer> {
    for (const server of upstream) {
      const reply = await new Promise<Buffer | undefined>((resolve) => {
        const socket = createSocket(server.host.includes(':') ? 'udp6' : 'udp4');
        const timer = setTimeout(() => finish(undefined), forwardTimeoutMs);
        function finish(value: Buffer | undefined) {
          clearTimeout(timer);
          socket.close();
          resolve(value);
        }
        socket.on('message', (data) => finish(data));
        socket.on('error', () => finish(undefined));
        socket.send(message, server.port, server.host);
      });
      if (reply) return reply;
    }
    return dnsPacket.encode({
      type: 'response',
      id: query.id ?? 0,
      flags: dnsPacket.RECURSION_AVAILABLE | SERVFAIL,
      questions: query.questions ?? [],
    });
  }

  const udp: UdpSocket = createSocket(options.address.includes(':') ? 'udp6' : 'udp4');
  udp.on('message', (message, peer) => {
    answer(message).then(
      (reply) => {
        if (reply) udp.send(reply, peer.port, peer.address);
      },
      (error: unknown) => report(error),
    );
  });
  udp.on('error', report);
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(options.port, options.address, () => {
      udp.off('error', reject);
      resolve();
    });
  });
  const port = udp.address().port;

  // DNS over TCP: each message behind a 2-byte length.
  const connections = new Set<Socket>();
  const tcp: Server = createServer((socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const length = buffered.readUInt16BE(0);
        const message = buffered.subarray(2, 2 + length);
        buffered = buffered.subarray(2 + length);
        answer(message).then(
          (reply) => {
            if (!reply || socket.destroyed) return;
            const framed = Buffer.alloc(2 + reply.length);
            framed.writeUInt16BE(reply.length, 0);
            reply.copy(framed, 2);
            socket.write(framed);
          },
          (error: unknown) => report(error),
        );
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(port, options.address, () => {
      tcp.off('error', reject);
      resolve();
    });
  });

  return {
    address: options.address,
    port,
    async stop() {
      udp.close();
      for (const socket of connections) socket.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
      await Promise.all([services.stop(), slices.stop()]);
    },
  };
}

function splitHostPort(value: string): [string, number] {
  const index = value.lastIndexOf(':');
  return [value.slice(0, index).replace(/^\[|\]$/g, ''), Number(value.slice(index + 1))];
}
