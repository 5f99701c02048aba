/**
 * exec and attach on the node: answers kubectl's streaming protocols itself and relays to the container
 * runtime's stream server.
 *
 *   kubectl ── WebSocket v5/v4/v1/base64 ─┐                     ┌─ SPDY/3.1 v4 ──────┐
 *   kubectl ── SPDY/3.1 v5/v4/v3/v2/v1 ───┴─ serveRemoteCommand ─┴─ (WebSocket v4) ───┴─ containerd
 *
 * Order of work: read the requested streams from the query, negotiate the client's protocol, ask CRI
 * for the stream URL (`target.open`) and connect to it (containerd-stream.ts) — failures so far are
 * plain HTTP errors the client can print — then answer the upgrade and relay. Runtime output that
 * arrives before the client's streams exist (a SPDY client opens them after the 101) is held until
 * they do.
 *
 * What each client protocol gets on its status channel (as the kubelet does):
 *   v4, v5            the runtime's JSON metav1.Status, as the runtime sent it (Success included);
 *   v1, v2, v3        plain text: the Status message on failure, nothing on success.
 *
 * Stdin end-of-file (v5's CLOSE `[255, 0]`, or FIN on the SPDY stdin stream) becomes a FIN on the
 * runtime's SPDY stdin stream: the process reads EOF and runs on, and its later output and exit status
 * still reach the client (`cat; echo done; exit 3`). Only on the WebSocket v4 fallback, which cannot
 * half-close, does it end the whole runtime connection (after a grace; see containerd-websocket-exec.ts).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type Clock, systemClock } from '../../client/clock.js';
import { SpdySession, type SpdyStream } from '../../client/streaming/spdy.js';
import { acceptWebSocket, offeredSubprotocols } from '../../client/streaming/websocket.js';
import {
  channelMessage,
  channels,
  connectRuntimeRemoteCommand,
  type RuntimeOutputKind,
  type RuntimeRemoteCommand,
} from './containerd-stream.js';
import {
  acceptSpdyUpgrade,
  negotiateStreamProtocol,
  offeredStreamProtocols,
  refuseStreamProtocol,
  upgradeKind,
  writeHttpError,
} from './upgrade.js';

export interface RemoteCommandStreams {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export interface RemoteCommandTarget {
  /** Asks CRI for a stream URL (Exec or Attach) with the streams the client requested. */
  open(streams: RemoteCommandStreams): Promise<string>;
}

export interface RemoteCommandOptions {
  clock?: Clock;
  /** How long a SPDY client has to open the streams it asked for (the kubelet's default: 30 s). */
  streamCreationTimeoutMs?: number;
}

/** WebSocket subprotocols, in the order the server prefers them when a client offers several. */
export const remoteCommandWebSocketProtocols = [
  'v5.channel.k8s.io',
  'v4.channel.k8s.io',
  'v4.base64.channel.k8s.io',
  'channel.k8s.io',
  'base64.channel.k8s.io',
] as const;

/** SPDY `X-Stream-Protocol-Version`s. */
export const remoteCommandSpdyProtocols = [
  'v5.channel.k8s.io',
  'v4.channel.k8s.io',
  'v3.channel.k8s.io',
  'v2.channel.k8s.io',
  'channel.k8s.io',
] as const;

/** v5's channel for "close another channel" messages: `[255, channel]`. */
const closeChannel = 255;

/**
 * The requested streams. kubectl sends `stdin=true&stdout=true…` (API server names); the API server's
 * proxy and the kubelet use `input=1&output=1&error=1`; both are read. With a TTY, stderr is merged into
 * stdout, so a stderr request is dropped (as the kubelet does).
 */
export function parseRemoteCommandStreams(query: URLSearchParams): RemoteCommandStreams | { error: string } {
  const flag = (...names: string[]) =>
    names.some((name) => query.getAll(name).some((value) => value === '1' || value.toLowerCase() === 'true'));
  const tty = flag('tty');
  const streams = {
    stdin: flag('stdin', 'input'),
    stdout: flag('stdout', 'output'),
    stderr: flag('stderr', 'error') && !tty,
    tty,
  };
  if (!streams.stdin && !streams.stdout && !streams.stderr) {
    return { error: 'you must specify at least 1 of stdin, stdout, stderr' };
  }
  return streams;
}

/**
 * Chooses the WebSocket subprotocol: the client's most preferred one that is supported; a client that
 * offers none speaks the original binary channel protocol.
 */
export function chooseRemoteCommandWebSocketProtocol(offered: readonly string[]): string | undefined {
  if (offered.length === 0) return '';
  return offered.find((protocol) =>
    (remoteCommandWebSocketProtocols as readonly string[]).includes(protocol),
  );
}

/** The client side of a session, whatever its framing. */
interface ClientEnd {
  stdout(data: Buffer): void;
  stderr(data: Buffer): void;
  /** The runtime's JSON Status bytes; each framing passes them on or turns them into text. */
  status(json: Buffer): void;
  /** Everything was sent: end the streams and the connection. */
  finish(): void;
}

/** What the client does, reported to the relay. */
interface ClientEvents {
  stdin(data: Buffer): void;
  stdinEnd(): void;
  resize(data: Buffer): void;
  gone(): void;
}

export function serveRemoteCommand(
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  target: RemoteCommandTarget,
  options: RemoteCommandOptions = {},
): void {
  socket.on('error', () => {
    // A client that vanishes mid-handshake: its 'close' ends the session.
  });
  serve(request, socket, head, target, options).catch((error: unknown) => {
    socket.destroy(error instanceof Error ? error : new Error(String(error)));
  });
}

async function serve(
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  target: RemoteCommandTarget,
  options: RemoteCommandOptions,
): Promise<void> {
  const query = new URL(request.url ?? '/', 'http://node').searchParams;
  const streams = parseRemoteCommandStreams(query);
  if ('error' in streams) return writeHttpError(socket, 400, streams.error);

  const kind = upgradeKind(request);
  let protocol: string | undefined;
  if (kind === 'websocket') {
    protocol = chooseRemoteCommandWebSocketProtocol(offeredSubprotocols(request));
    if (protocol === undefined) {
      return writeHttpError(
        socket,
        400,
        `unable to upgrade: unsupported websocket subprotocols ${JSON.stringify(offeredSubprotocols(request))}`,
      );
    }
  } else if (kind === 'spdy') {
    const offered = offeredStreamProtocols(request);
    protocol = negotiateStreamProtocol(offered, remoteCommandSpdyProtocols);
    if (protocol === undefined) return refuseStreamProtocol(socket, offered, remoteCommandSpdyProtocols);
  } else {
    return writeHttpError(socket, 400, 'Upgrade request required');
  }

  let upstream: RuntimeRemoteCommand;
  try {
    upstream = await connectRuntimeRemoteCommand(
      () => target.open(streams),
      streams,
      options.clock === undefined ? {} : { clock: options.clock },
    );
  } catch (error) {
    return writeHttpError(socket, 500, error instanceof Error ? error.message : String(error));
  }
  // Runtime output is held until the client side is ready for it.
  const held: Array<[RuntimeOutputKind, Buffer]> = [];
  let deliver: ((kind: RuntimeOutputKind, data: Buffer) => void) | undefined;
  let upstreamClosed = false;
  let onUpstreamClosed: (() => void) | undefined;
  upstream.on('output', (kind, data) => {
    if (data.length === 0) return;
    if (deliver) deliver(kind, data);
    else held.push([kind, data]);
  });
  upstream.on('close', () => {
    upstreamClosed = true;
    onUpstreamClosed?.();
  });
  if (socket.destroyed) {
    upstream.close();
    return;
  }

  const events: ClientEvents = {
    stdin: (data) => upstream.writeStdin(data),
    stdinEnd: () => upstream.endStdin(),
    resize: (data) => upstream.resize(data),
    gone: () => upstream.close(),
  };
  const client =
    kind === 'websocket'
      ? openWebSocketClient(request, socket, head, protocol, events)
      : await openSpdyClient(socket, head, protocol, streams, events, options);
  if (client === undefined) {
    upstream.close();
    return;
  }

  deliver = (outputKind, data) => {
    if (outputKind === 'stdout') client.stdout(data);
    else if (outputKind === 'stderr') client.stderr(data);
    else client.status(data);
  };
  for (const [outputKind, data] of held.splice(0)) deliver(outputKind, data);
  onUpstreamClosed = () => client.finish();
  if (upstreamClosed) client.finish();
}

/** The Status a v1–v3 client reads on its error stream: the message on failure, nothing on success. */
function statusAsText(json: Buffer): Buffer | undefined {
  try {
    const status = JSON.parse(json.toString('utf8')) as {
      status?: string;
      message?: string;
      details?: { causes?: Array<{ reason?: string; message?: string }> };
    };
    if (status.status === 'Success') return undefined;
    if (status.message) return Buffer.from(status.message, 'utf8');
    const exitCode = status.details?.causes?.find((cause) => cause.reason === 'ExitCode')?.message;
    return Buffer.from(
      exitCode === undefined
        ? 'command failed'
        : `command terminated with non-zero exit code: exit code ${exitCode}`,
      'utf8',
    );
  } catch {
    return json;
  }
}

// --- WebSocket clients --------------------------------------------------------------------------------

function openWebSocketClient(
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  protocol: string,
  events: ClientEvents,
): ClientEnd | undefined {
  const ws = acceptWebSocket(request, socket, head, () => protocol);
  if (ws === undefined) return undefined;
  const base64 = protocol.includes('base64');
  const jsonStatus = protocol.startsWith('v4.') || protocol.startsWith('v5.');
  const v5 = protocol.startsWith('v5.');
  let stdinOpen = true;
  const send = (channel: number, data: Buffer) => {
    if (base64) ws.send(String.fromCharCode(48 + channel) + data.toString('base64'), { text: true });
    else ws.send(channelMessage(channel, data));
  };
  ws.on('message', (message, binary) => {
    let channel: number;
    let data: Buffer;
    if (base64) {
      if (binary || message.length === 0) return;
      channel = message[0]! - 48;
      data = Buffer.from(message.subarray(1).toString('latin1'), 'base64');
    } else {
      if (!binary || message.length === 0) return;
      channel = message[0]!;
      data = message.subarray(1);
    }
    if (channel === channels.stdin && stdinOpen) events.stdin(data);
    else if (channel === channels.resize) events.resize(data);
    else if (v5 && channel === closeChannel && data[0] === channels.stdin && stdinOpen) {
      stdinOpen = false;
      events.stdinEnd();
    }
  });
  ws.on('close', () => events.gone());
  // As the kubelet does: an empty message on the lowest output channel tells the client it is connected.
  send(channels.stdout, Buffer.alloc(0));
  return {
    stdout: (data) => send(channels.stdout, data),
    stderr: (data) => send(channels.stderr, data),
    status: (json) => {
      const body = jsonStatus ? json : statusAsText(json);
      if (body !== undefined) send(channels.status, body);
    },
    finish: () => ws.close(),
  };
}

// --- SPDY clients ---------------------------------------------------------------------------------------

/**
 * Answers the SPDY upgrade and waits for the streams the client must open: `error` always, one per
 * requested stream, and `resize` with a TTY from v3 on. Resolves undefined if they do not all come in
 * time or the client leaves.
 */
function openSpdyClient(
  socket: Duplex,
  head: Buffer,
  protocol: string,
  requested: RemoteCommandStreams,
  events: ClientEvents,
  options: RemoteCommandOptions,
): Promise<ClientEnd | undefined> {
  acceptSpdyUpgrade(socket, protocol);
  if (head.length > 0) socket.unshift(head);
  const session = new SpdySession(socket, { role: 'server', respectPeerWindow: false });
  const jsonStatus = protocol === 'v4.channel.k8s.io' || protocol === 'v5.channel.k8s.io';
  const resizable =
    requested.tty && protocol !== '' && protocol !== 'channel.k8s.io' && protocol !== 'v2.channel.k8s.io';
  const expected = new Set(['error']);
  if (requested.stdin) expected.add('stdin');
  if (requested.stdout) expected.add('stdout');
  if (requested.stderr) expected.add('stderr');
  if (resizable) expected.add('resize');
  const opened = new Map<string, SpdyStream>();
  const clock = options.clock ?? systemClock;

  return new Promise((resolve) => {
    let settled = false;
    const settle = (client: ClientEnd | undefined) => {
      if (settled) return;
      settled = true;
      cancelTimer();
      resolve(client);
    };
    const cancelTimer = clock.setTimer(() => {
      session.close();
      settle(undefined);
    }, options.streamCreationTimeoutMs ?? 30_000);
    session.on('close', () => {
      events.gone();
      settle(undefined);
    });
    session.on('stream', (stream) => {
      const type = stream.headers.streamtype ?? '';
      if (!expected.has(type) || opened.has(type)) {
        stream.reset();
        return;
      }
      stream.respond();
      opened.set(type, stream);
      if (type === 'stdin') {
        stream.on('data', (data: Buffer) => events.stdin(data));
        stream.on('end', () => events.stdinEnd());
      } else if (type === 'resize') {
        stream.on('data', (data: Buffer) => events.resize(data));
      } else {
        // Output streams carry nothing from the client; read them so their FIN is seen.
        stream.resume();
      }
      if (opened.size === expected.size) settle(spdyClientEnd(session, opened, jsonStatus));
    });
  });
}

function spdyClientEnd(
  session: SpdySession,
  streams: Map<string, SpdyStream>,
  jsonStatus: boolean,
): ClientEnd {
  let finished = false;
  return {
    stdout: (data) => streams.get('stdout')?.write(data),
    stderr: (data) => streams.get('stderr')?.write(data),
    status: (json) => {
      const body = jsonStatus ? json : statusAsText(json);
      if (body !== undefined) streams.get('error')?.write(body);
    },
    finish: () => {
      if (finished) return;
      finished = true;
      for (const type of ['stdout', 'stderr', 'error']) streams.get(type)?.end();
      session.close();
    },
  };
}
