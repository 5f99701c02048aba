/**
 * The node's HTTPS endpoint, on the kubelet's paths, which the API server reaches for everything that
 * happens on the node itself:
 *
 *   GET  /healthz                                         ok
 *   GET  /containerLogs/{ns}/{pod}/{container}?follow&tailLines&sinceSeconds&sinceTime&timestamps
 *                                                         &previous&limitBytes&stream     the log, streamed
 *   GET|POST /exec/{ns}/{pod}[/{uid}]/{container}?command=…&input=1&output=1&error=1&tty=1   (upgrade)
 *   GET|POST /attach/{ns}/{pod}[/{uid}]/{container}?input=1&output=1&error=1&tty=1          (upgrade)
 *   GET|POST /portForward/{ns}/{pod}[/{uid}]                                                (upgrade)
 *
 * Streaming requests are handed to kubelet-shim/streaming with a target that asks the runtime (CRI Exec,
 * Attach, PortForward) for a stream URL. Errors read as the kubelet's: plain text, e.g. 404
 * `pod "web" does not exist`, 400 `previous terminated container "app" in pod "web" not found`.
 *
 * Who may call: a TLS client certificate from `clientCA` whose subject has O=system:masters, as the API
 * server's `apiserver-kubelet-client` has. No certificate (or one from another CA): 401 Unauthorized;
 * another identity: 403, as a kubelet that delegates authorization would answer it.
 */
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import { isIP, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { issueCertificate, subjectOf } from '../apiserver/pki/certificate.js';
import type { CertificateAuthority, KeyPair } from '../apiserver/pki/cluster-pki.js';
import { type Clock, systemClock } from '../client/clock.js';
import { writeHttpError } from '../client/streaming/websocket.js';
import { type ContainerLogOptions, type LogStreamSelection, readContainerLog } from './logs.js';
import {
  type PortForwardTarget,
  type RemoteCommandStreams,
  type RemoteCommandTarget,
  servePortForward,
  serveRemoteCommand,
} from './streaming/index.js';

/** What the node server needs from the node: its pods as the runtime runs them. */
export interface NodeRuntimeView {
  /** The pod's sandbox and containers, by the names in the URL; undefined when it is not on this node. */
  lookup(namespace: string, pod: string): PodRuntimeInfo | undefined;
  /** CRI Exec: a stream URL for `cmd` in the container. */
  exec(containerId: string, cmd: string[], streams: RemoteCommandStreams): Promise<string>;
  /** CRI Attach: a stream URL for the container's own stdio. */
  attach(containerId: string, streams: RemoteCommandStreams): Promise<string>;
  /** CRI PortForward: a stream URL for the sandbox (the port goes in the URL's query). */
  portForward(sandboxId: string, port: number): Promise<string>;
}

export interface PodRuntimeInfo {
  readonly uid: string;
  readonly sandboxId?: string;
  /** Every container of the pod's spec (init, regular, ephemeral), by name, whether it ran yet or not. */
  readonly containers: ReadonlyMap<string, ContainerRuntimeInfo>;
}

export interface ContainerRuntimeInfo {
  /** The CRI id of the current (or, once exited, the last) attempt; absent before the first. */
  readonly id?: string;
  /** That attempt's log file. */
  readonly logPath?: string;
  /** The log file of the attempt before it, for `kubectl logs --previous`. */
  readonly previousLogPath?: string;
  readonly running: boolean;
  /** Why it is not running, when it waits (ContainerCreating, PodInitializing, ErrImagePull …). */
  readonly waitingReason?: string;
}

export interface NodeServerOptions {
  /** Listen address; default all. */
  readonly host?: string;
  /** 0 picks a free port (see NodeServer.port). */
  readonly port: number;
  readonly tls: { readonly certificate: string; readonly key: string };
  /** PEM: the CA whose system:masters client certificates may call. */
  readonly clientCA: string;
  readonly runtime: NodeRuntimeView;
  readonly clock?: Clock;
  /** How often a followed log checks whether its container still runs. Default 1 s. */
  readonly containerCheckIntervalMs?: number;
  /** How often a followed log looks at its file without a change notification. Default 1 s. */
  readonly logPollIntervalMs?: number;
}

export interface NodeServer {
  readonly port: number;
  close(): Promise<void>;
}

const privilegedGroup = 'system:masters';

export async function startNodeServer(options: NodeServerOptions): Promise<NodeServer> {
  const server = https.createServer({
    cert: options.tls.certificate,
    key: options.tls.key,
    ca: options.clientCA,
    requestCert: true,
    // Checked per request, so that a refused client gets the kubelet's 401 rather than a TLS alert.
    rejectUnauthorized: false,
    minVersion: 'TLSv1.2',
  });
  const sockets = new Set<Socket>();
  server.on('secureConnection', (socket: TLSSocket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    handleRequest(options, request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        writeText(response, 500, error instanceof Error ? error.message : String(error));
      } else {
        response.destroy();
      }
    });
  });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    handleUpgrade(options, request, socket, head);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** The kubelet's routes: the first path segment, then the rest decoded. */
interface Route {
  readonly kind: 'healthz' | 'containerLogs' | 'exec' | 'attach' | 'portForward';
  readonly namespace: string;
  readonly pod: string;
  readonly uid?: string;
  readonly container: string;
}

function parseRoute(url: string): Route | undefined {
  const path = url.split('?', 1)[0]!;
  let parts: string[];
  try {
    parts = path
      .split('/')
      .filter((part) => part !== '')
      .map((part) => decodeURIComponent(part));
  } catch {
    return undefined;
  }
  const [kind, namespace = '', pod = '', ...rest] = parts;
  switch (kind) {
    case 'healthz':
      return parts.length === 1 ? { kind, namespace: '', pod: '', container: '' } : undefined;
    case 'containerLogs':
      return rest.length === 1 ? { kind, namespace, pod, container: rest[0]! } : undefined;
    case 'exec':
    case 'attach':
      if (rest.length === 1) return { kind, namespace, pod, container: rest[0]! };
      if (rest.length === 2) return { kind, namespace, pod, uid: rest[0]!, container: rest[1]! };
      return undefined;
    case 'portForward':
      if (rest.length === 0 && pod !== '') return { kind, namespace, pod, container: '' };
      if (rest.length === 1) return { kind, namespace, pod, uid: rest[0]!, container: '' };
      return undefined;
    default:
      return undefined;
  }
}

/** 401 / 403 text, or undefined when the caller may go on. */
function refusal(request: IncomingMessage): { status: number; message: string } | undefined {
  const socket = request.socket as TLSSocket;
  const certificate = socket.authorized ? socket.getPeerX509Certificate?.() : undefined;
  if (!certificate) return { status: 401, message: 'Unauthorized' };
  const subject = subjectOf(certificate);
  if (subject.organizations.includes(privilegedGroup)) return undefined;
  return {
    status: 403,
    message: `Forbidden (user=${subject.commonName}, verb=${verbOf(request.method)}, resource=nodes, subresource(s)=[proxy])`,
  };
}

function verbOf(method: string | undefined): string {
  switch (method) {
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    default:
      return 'get';
  }
}

async function handleRequest(
  options: NodeServerOptions,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const refused = refusal(request);
  if (refused) return writeText(response, refused.status, refused.message);
  const route = parseRoute(request.url ?? '/');
  if (!route) return writeText(response, 404, '404 page not found');
  switch (route.kind) {
    case 'healthz':
      return writeText(response, 200, 'ok');
    case 'containerLogs':
      if (request.method !== 'GET' && request.method !== 'HEAD')
        return writeText(response, 405, 'Method Not Allowed');
      return serveContainerLogs(options, route, request, response);
    default:
      // exec, attach and portForward are only upgrades.
      return writeText(response, 400, 'Upgrade request required');
  }
}

function handleUpgrade(
  options: NodeServerOptions,
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): void {
  socket.on('error', () => {
    // a client that goes away mid-handshake
  });
  const refused = refusal(request);
  if (refused) {
    writeHttpError(socket, refused.status, refused.message);
    return;
  }
  const route = parseRoute(request.url ?? '/');
  if (!route || route.kind === 'healthz' || route.kind === 'containerLogs') {
    writeHttpError(socket, 404, '404 page not found');
    return;
  }
  const pod = options.runtime.lookup(route.namespace, route.pod);
  if (!pod || (route.uid !== undefined && route.uid !== pod.uid)) {
    writeHttpError(socket, 404, 'pod does not exist');
    return;
  }
  const { runtime } = options;
  if (route.kind === 'portForward') {
    const sandboxId = pod.sandboxId;
    if (sandboxId === undefined) {
      writeHttpError(socket, 404, 'pod does not exist');
      return;
    }
    const target: PortForwardTarget = { open: (port) => runtime.portForward(sandboxId, port) };
    servePortForward(request, socket, head, target);
    return;
  }
  // Only a running container takes exec or attach; the kubelet looks among the running ones.
  const container = pod.containers.get(route.container);
  const containerId = container?.running ? container.id : undefined;
  if (containerId === undefined) {
    writeHttpError(socket, 404, `container not found (${goQuote(route.container)})`);
    return;
  }
  const query = new URL(request.url ?? '/', 'https://node').searchParams;
  const command = query.getAll('command');
  const target: RemoteCommandTarget =
    route.kind === 'exec'
      ? { open: (streams) => runtime.exec(containerId, command, streams) }
      : { open: (streams) => runtime.attach(containerId, streams) };
  serveRemoteCommand(request, socket, head, target);
}

/** The kubelet's PodLogOptions, read from the query as its v1 parameter codec reads them. */
interface NodeLogOptions extends ContainerLogOptions {
  readonly previous: boolean;
  readonly sinceSeconds?: number;
  readonly sinceTime?: number;
}

export function parseLogQuery(query: URLSearchParams): NodeLogOptions | { error: string; status: number } {
  const undecodable = { status: 400, error: '{"message": "Unable to decode query."}' };
  const invalid = { status: 422, error: '{"message": "Invalid request."}' };
  const flag = (name: string): boolean | undefined => {
    const value = query.get(name);
    if (value === null || value === '') return false;
    if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
    if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
    return undefined;
  };
  const integer = (name: string): number | null | undefined => {
    const value = query.get(name);
    if (value === null || value === '') return null;
    return /^[+-]?\d+$/.test(value) ? Number(value) : undefined;
  };
  // The kubelet still reads the old `tail` name; `all` means no limit.
  const tail = query.get('tail');
  const tailValue = tail !== null && tail !== '' ? (tail === 'all' ? null : tail) : undefined;
  if (tailValue !== undefined) {
    if (tailValue === null) query.delete('tailLines');
    else query.set('tailLines', tailValue);
  }
  const follow = flag('follow');
  const previous = flag('previous');
  const timestamps = flag('timestamps');
  const tailLines = integer('tailLines');
  const limitBytes = integer('limitBytes');
  const sinceSeconds = integer('sinceSeconds');
  if ([follow, previous, timestamps, tailLines, limitBytes, sinceSeconds].includes(undefined))
    return undecodable;
  const sinceTimeText = query.get('sinceTime');
  let sinceTime: number | undefined;
  if (sinceTimeText !== null && sinceTimeText !== '') {
    sinceTime = Date.parse(sinceTimeText);
    if (!/^\d{4}-\d\d-\d\dT/.test(sinceTimeText) || Number.isNaN(sinceTime)) return undecodable;
  }
  const streamText = query.get('stream');
  let stream: LogStreamSelection = 'All';
  if (streamText !== null && streamText !== '') {
    if (streamText !== 'All' && streamText !== 'Stdout' && streamText !== 'Stderr') return invalid;
    stream = streamText;
  }
  if (tailLines !== null && tailLines! < 0) return invalid;
  if (limitBytes !== null && limitBytes! < 1) return invalid;
  if (sinceSeconds !== null && sinceTime !== undefined) return invalid;
  if (sinceSeconds !== null && sinceSeconds! < 1) return invalid;
  return {
    follow: follow!,
    previous: previous!,
    timestamps: timestamps!,
    stream,
    ...(tailLines !== null ? { tailLines: tailLines! } : {}),
    ...(limitBytes !== null ? { limitBytes: limitBytes! } : {}),
    ...(sinceSeconds !== null ? { sinceSeconds: sinceSeconds! } : {}),
    ...(sinceTime !== undefined ? { sinceTime } : {}),
  };
}

/**
 * Which log file answers, decided as the kubelet's validateContainerLogStatus decides it from the
 * container's state; an error message (400) when there is none.
 */
export function containerLogFile(
  container: ContainerRuntimeInfo,
  names: { readonly pod: string; readonly container: string },
  previous: boolean,
): { path: string; live: boolean } | { error: string } {
  const subject = `container ${goQuote(names.container)} in pod ${goQuote(names.pod)}`;
  if (previous) {
    if (container.previousLogPath === undefined) {
      return { error: `previous terminated ${subject} not found` };
    }
    return { path: container.previousLogPath, live: false };
  }
  if (container.logPath !== undefined) return { path: container.logPath, live: container.running };
  switch (container.waitingReason) {
    case 'ErrImagePull':
      return { error: `${subject} is waiting to start: image can't be pulled` };
    case 'ImagePullBackOff':
      return { error: `${subject} is waiting to start: trying and failing to pull image` };
    default:
      return { error: `${subject} is waiting to start: ${container.waitingReason ?? 'ContainerCreating'}` };
  }
}

async function serveContainerLogs(
  options: NodeServerOptions,
  route: Route,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const query = new URL(request.url ?? '/', 'https://node').searchParams;
  const logOptions = parseLogQuery(query);
  if ('error' in logOptions) return writeText(response, logOptions.status, logOptions.error);
  const pod = options.runtime.lookup(route.namespace, route.pod);
  if (!pod) return writeText(response, 404, `pod ${goQuote(route.pod)} does not exist`);
  const container = pod.containers.get(route.container);
  if (!container) {
    return writeText(
      response,
      404,
      `container ${goQuote(route.container)} not found in pod ${goQuote(route.pod)}`,
    );
  }
  const file = containerLogFile(
    container,
    { pod: route.pod, container: route.container },
    logOptions.previous,
  );
  if ('error' in file) return writeText(response, 400, file.error);

  const clock = options.clock ?? systemClock;
  const since =
    logOptions.sinceSeconds !== undefined
      ? clock.now() - logOptions.sinceSeconds * 1000
      : logOptions.sinceTime;
  const abort = new AbortController();
  response.once('close', () => abort.abort());
  const follow = logOptions.follow && file.live;
  response.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Transfer-Encoding': 'chunked' });
  // The headers go out now: a follow of a quiet container must not leave the client waiting for them.
  response.flushHeaders();
  if (request.method === 'HEAD') return void response.end();
  await readContainerLog({
    path: file.path,
    output: response,
    follow,
    ...(follow
      ? {
          containerEnded: containerEnded(options, route, container.id, abort.signal),
          ...(options.logPollIntervalMs !== undefined ? { pollIntervalMs: options.logPollIntervalMs } : {}),
        }
      : {}),
    ...(logOptions.tailLines !== undefined ? { tailLines: logOptions.tailLines } : {}),
    ...(since !== undefined ? { since } : {}),
    ...(logOptions.limitBytes !== undefined ? { limitBytes: logOptions.limitBytes } : {}),
    timestamps: logOptions.timestamps ?? false,
    stream: logOptions.stream ?? 'All',
    signal: abort.signal,
    clock,
  });
  response.end();
}

/**
 * Settles when the followed attempt is over: the pod or container is gone from the node, no longer
 * runs, or a new attempt replaced it. Checked on a timer, as the kubelet checks the container's state
 * while it waits for log lines.
 */
function containerEnded(
  options: NodeServerOptions,
  route: Route,
  containerId: string | undefined,
  signal: AbortSignal,
): Promise<void> {
  const clock = options.clock ?? systemClock;
  const interval = options.containerCheckIntervalMs ?? 1000;
  return new Promise((resolve) => {
    let cancel = () => {};
    const finish = () => {
      cancel();
      resolve();
    };
    const check = () => {
      if (signal.aborted) return finish();
      const current = options.runtime.lookup(route.namespace, route.pod)?.containers.get(route.container);
      if (!current?.running || current.id !== containerId) return finish();
      cancel = clock.setTimer(check, interval);
    };
    signal.addEventListener('abort', finish, { once: true });
    cancel = clock.setTimer(check, interval);
  });
}

function writeText(response: ServerResponse, status: number, message: string): void {
  const body = Buffer.from(message, 'utf8');
  response.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': body.length,
    'X-Content-Type-Options': 'nosniff',
  });
  response.end(body);
}

/** Go's %q for the plain names that appear here. */
function goQuote(value: string): string {
  return JSON.stringify(value);
}

export interface KubeletServingCertificateOptions {
  readonly nodeName: string;
  /** The node's addresses and host names, for the certificate's names. */
  readonly addresses: readonly string[];
  /** In `skiff up`: the cluster CA issues it (CN system:node:<name>, O system:nodes). */
  readonly ca?: Pick<CertificateAuthority, 'issueServingCertificate'>;
  /** Standalone: a self-signed pair kept in <rootDir>/pki/kubelet.crt and kubelet.key, reused while valid. */
  readonly rootDir?: string;
  readonly now?: () => number;
}

const day = 24 * 60 * 60 * 1000;

/** The node's serving certificate: issued by the cluster CA when there is one, else self-signed. */
export async function kubeletServingCertificate(options: KubeletServingCertificateOptions): Promise<KeyPair> {
  const now = options.now ?? Date.now;
  const dnsNames = new Set([options.nodeName, 'localhost']);
  const ipAddresses = new Set(['127.0.0.1']);
  for (const address of options.addresses) {
    if (isIP(address)) ipAddresses.add(address);
    else if (address !== '') dnsNames.add(address);
  }
  const names = { dnsNames: [...dnsNames], ipAddresses: [...ipAddresses] };
  if (options.ca) {
    return options.ca.issueServingCertificate(
      { commonName: `system:node:${options.nodeName}`, organizations: ['system:nodes'] },
      names,
      { now: now() },
    );
  }
  if (!options.rootDir) throw new Error('kubeletServingCertificate needs a CA or a root directory');
  const directory = join(options.rootDir, 'pki');
  const certificatePath = join(directory, 'kubelet.crt');
  const keyPath = join(directory, 'kubelet.key');
  const existing = await readPair(certificatePath, keyPath);
  if (existing) {
    const certificate = new X509Certificate(existing.certificate);
    const fresh = Date.parse(certificate.validTo) - now() > 30 * day;
    const covers =
      names.dnsNames.every((name) => certificate.checkHost(name) !== undefined) &&
      names.ipAddresses.every((address) => certificate.checkIP(address) !== undefined);
    if (fresh && covers) return existing;
  }
  // As the kubelet names its self-signed certificate: <host>@<unix seconds>.
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const certificate = issueCertificate({
    subject: { commonName: `${options.nodeName}@${Math.floor(now() / 1000)}` },
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    notBefore: new Date(now() - 5 * 60 * 1000),
    notAfter: new Date(now() + 365 * day),
    usage: 'server',
    ...names,
  });
  const key = keys.privateKey.export({ type: 'sec1', format: 'pem' }) as string;
  await mkdir(directory, { recursive: true, mode: 0o700 });
  await writeFileAtomically(keyPath, key, 0o600);
  await writeFileAtomically(certificatePath, certificate, 0o644);
  return { certificate, key };
}

async function readPair(certificatePath: string, keyPath: string): Promise<KeyPair | undefined> {
  try {
    return { certificate: await readFile(certificatePath, 'utf8'), key: await readFile(keyPath, 'utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function writeFileAtomically(path: string, content: string, mode: number): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, content, { mode });
  await rename(temporary, path);
}
