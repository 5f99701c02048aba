/**
 * A stand-in for containerd's stream server, for tests. Like the real one (the kubelet's streaming
 * library) it has single-use tokens, spent on the first request whatever its upgrade, and answers two
 * framings for exec/attach:
 *
 *   SPDY/3.1   `X-Stream-Protocol-Version` v4/v3/v2/v1; the client opens `error`, then the requested
 *              `stdin`/`stdout`/`stderr`, then `resize` with a TTY (header `streamtype`); the process
 *              starts once they are all there. FIN on stdin is the process's EOF; the JSON Status goes
 *              on `error`, then the connection closes. (`{ spdy: false }` refuses SPDY with 400.)
 *   WebSocket  `v4.channel.k8s.io`: an empty message on each output channel first, the JSON Status on
 *              channel 3. Closing the connection is its only end-of-stdin, and output after it is lost.
 *
 * Port-forward is WebSocket v4 only, with the port prefix on each channel's first message.
 *
 * Commands the fake exec understands:
 *   echo ARGS…      prints ARGS joined by spaces and a newline, exits 0
 *   exit N          exits N
 *   fail            prints "oops" on stderr, exits 2
 *   read-line       reads stdin up to a newline, prints it upper-cased, exits 0
 *   cat             copies stdin to stdout until EOF, then exits 0
 *   cat-done N      `cat; echo done; exit N`: copies stdin to stdout until EOF, then prints "done", exits N
 *   sizes           reports every resize it receives on stdout (JSON line), exits when stdin says "q"
 */
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { SpdySession, type SpdyStream } from '../../../client/streaming/spdy.js';
import { acceptWebSocket, type WebSocketConnection } from '../../../client/streaming/websocket.js';
import type { RemoteCommandStreams } from '../remote-command.js';
import {
  acceptSpdyUpgrade,
  negotiateStreamProtocol,
  offeredStreamProtocols,
  refuseStreamProtocol,
  upgradeKind,
  writeHttpError,
} from '../upgrade.js';

const v4 = 'v4.channel.k8s.io';
/** The remote command versions the kubelet's streaming library answers over SPDY. */
const spdyProtocols = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];

export interface FakeRuntimeStreamServerOptions {
  /** Answer SPDY upgrades (default true); false refuses them with 400, as a WebSocket-only server would. */
  spdy?: boolean;
}

export interface FakeRuntimeStreamServer {
  /** What CRI Exec would return for this command. */
  execUrl(command: string[], streams: RemoteCommandStreams): string;
  /** What CRI PortForward would return; connections go to `127.0.0.1:<portMap[port]>`. */
  portForwardUrl(portMap: Record<number, number>): string;
  /** Every stdin byte the fake processes received, and whether their stdin was closed. */
  readonly sessions: FakeExecSession[];
  close(): Promise<void>;
}

export interface FakeExecSession {
  command: string[];
  transport: 'spdy' | 'websocket';
  stdin: string;
  stdinClosed: boolean;
}

type Token =
  | { kind: 'exec'; command: string[]; streams: RemoteCommandStreams }
  | { kind: 'portforward'; portMap: Record<number, number> };

export async function startFakeRuntimeStreamServer(
  options: FakeRuntimeStreamServerOptions = {},
): Promise<FakeRuntimeStreamServer> {
  const tokens = new Map<string, Token>();
  const sessions: FakeRuntimeStreamServer['sessions'] = [];
  let counter = 0;
  const server = http.createServer((_request, response) => response.writeHead(404).end());
  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://fake');
    const token = tokens.get(url.pathname.split('/')[2] ?? '');
    if (token === undefined) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    tokens.delete(url.pathname.split('/')[2]!);
    if (upgradeKind(request) === 'spdy') {
      if (token.kind !== 'exec' || options.spdy === false) {
        writeHttpError(socket, 400, 'unable to upgrade: SPDY is not served here');
        return;
      }
      const offered = offeredStreamProtocols(request);
      const protocol = negotiateStreamProtocol(offered, spdyProtocols);
      if (protocol === undefined) {
        refuseStreamProtocol(socket, offered, spdyProtocols);
        return;
      }
      acceptSpdyUpgrade(socket, protocol);
      if (head.length > 0) socket.unshift(head);
      serveSpdyExec(socket, token.command, token.streams, sessions);
      return;
    }
    const ws = acceptWebSocket(request, socket, head, (offered) =>
      offered.find((protocol) => protocol === v4),
    );
    if (ws === undefined) return;
    if (token.kind === 'exec')
      runExec(webSocketProcessIo(ws, token.streams), token.command, sessions, 'websocket');
    else runPortForward(ws, Number(url.searchParams.get('port')), token.portMap);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return {
    sessions,
    execUrl(command, streams) {
      const token = `t${++counter}`;
      tokens.set(token, { kind: 'exec', command, streams });
      return `${base}/exec/${token}`;
    },
    portForwardUrl(portMap) {
      const token = `t${++counter}`;
      tokens.set(token, { kind: 'portforward', portMap });
      return `${base}/portforward/${token}`;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function send(ws: WebSocketConnection, channel: number, data: string | Buffer = ''): void {
  ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from(data)]));
}

/** What a fake process sees of its connection, whatever the framing. */
interface ProcessIo {
  stdout(data: string): void;
  stderr(data: string): void;
  /** Writes the Status and closes the connection. */
  exit(status: object): void;
  onStdin(handler: (text: string) => void): void;
  /** Stdin's EOF: a SPDY FIN, or the WebSocket closing. */
  onStdinEnd(handler: () => void): void;
  onResize(handler: (text: string) => void): void;
}

function webSocketProcessIo(ws: WebSocketConnection, streams: RemoteCommandStreams): ProcessIo {
  if (streams.stdout) send(ws, 1);
  if (streams.stderr) send(ws, 2);
  return {
    stdout: (data) => send(ws, 1, data),
    stderr: (data) => send(ws, 2, data),
    exit: (status) => {
      send(ws, 3, JSON.stringify(status));
      ws.close();
    },
    onStdin: (handler) =>
      ws.on('message', (message) => {
        if (message[0] === 0) handler(message.subarray(1).toString('utf8'));
      }),
    onStdinEnd: (handler) => ws.on('close', handler),
    onResize: (handler) =>
      ws.on('message', (message) => {
        if (message[0] === 4) handler(message.subarray(1).toString('utf8'));
      }),
  };
}

/** Waits for the streams the request asked for (as the kubelet's library does), then runs the process. */
function serveSpdyExec(
  socket: Duplex,
  command: string[],
  requested: RemoteCommandStreams,
  sessions: FakeRuntimeStreamServer['sessions'],
): void {
  const session = new SpdySession(socket, { role: 'server', respectPeerWindow: false });
  const expected = new Set(['error']);
  if (requested.stdin) expected.add('stdin');
  if (requested.stdout) expected.add('stdout');
  if (requested.stderr) expected.add('stderr');
  if (requested.tty) expected.add('resize');
  const streams = new Map<string, SpdyStream>();
  session.on('stream', (stream) => {
    const type = stream.headers.streamtype ?? '';
    if (!expected.has(type) || streams.has(type)) {
      stream.reset();
      return;
    }
    stream.respond();
    streams.set(type, stream);
    if (type !== 'stdin' && type !== 'resize') stream.resume();
    if (streams.size < expected.size) return;
    const stdin = streams.get('stdin');
    const resize = streams.get('resize');
    let exited = false;
    // Writes once the connection is gone go nowhere, as a real process's would.
    const write = (type: string, data: string) => {
      const stream = streams.get(type);
      if (stream && !session.isClosed && !stream.writableEnded && !stream.destroyed) stream.write(data);
    };
    const io: ProcessIo = {
      stdout: (data) => write('stdout', data),
      stderr: (data) => write('stderr', data),
      exit: (status) => {
        exited = true;
        write('error', JSON.stringify(status));
        session.close();
      },
      onStdin: (handler) => stdin?.on('data', (chunk: Buffer) => handler(chunk.toString('utf8'))),
      // EOF is the FIN; a connection that drops before the process exits is EOF too.
      onStdinEnd: (handler) => {
        stdin?.on('end', handler);
        session.on('close', () => {
          if (!exited) handler();
        });
      },
      onResize: (handler) => resize?.on('data', (chunk: Buffer) => handler(chunk.toString('utf8'))),
    };
    stdin?.resume();
    resize?.resume();
    runExec(io, command, sessions, 'spdy');
  });
}

function runExec(
  io: ProcessIo,
  command: string[],
  sessions: FakeRuntimeStreamServer['sessions'],
  transport: FakeExecSession['transport'],
): void {
  const record: FakeExecSession = { command, transport, stdin: '', stdinClosed: false };
  sessions.push(record);
  let exited = false;
  const exit = (code: number) => {
    if (exited) return;
    exited = true;
    const status =
      code === 0
        ? { metadata: {}, status: 'Success' }
        : {
            metadata: {},
            status: 'Failure',
            message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${code}`,
            reason: 'NonZeroExitCode',
            details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
          };
    io.exit(status);
  };
  const [program, ...args] = command;
  let onStdin: (text: string) => void = () => {};
  let onStdinEnd: () => void = () => {};
  io.onStdin((text) => {
    record.stdin += text;
    onStdin(text);
  });
  io.onStdinEnd(() => {
    if (record.stdinClosed) return;
    record.stdinClosed = true;
    onStdinEnd();
  });
  io.onResize((text) => {
    if (program === 'sizes') io.stdout(`${text.trim()}\n`);
  });
  switch (program) {
    case 'echo':
      io.stdout(`${args.join(' ')}\n`);
      exit(0);
      return;
    case 'exit':
      exit(Number(args[0]));
      return;
    case 'fail':
      io.stderr('oops\n');
      exit(2);
      return;
    case 'read-line': {
      let line = '';
      onStdin = (text) => {
        line += text;
        const end = line.indexOf('\n');
        if (end >= 0) {
          io.stdout(`${line.slice(0, end).toUpperCase()}\n`);
          exit(0);
        }
      };
      return;
    }
    case 'cat':
    case 'cat-done':
      onStdin = (text) => io.stdout(text);
      onStdinEnd = () => {
        if (program === 'cat-done') io.stdout('done\n');
        exit(program === 'cat-done' ? Number(args[0] ?? 0) : 0);
      };
      return;
    case 'sizes':
      onStdin = (text) => {
        if (text.includes('q')) exit(0);
      };
      return;
    default:
      io.stderr(`exec: "${program}": executable file not found in $PATH\n`);
      exit(127);
      return;
  }
}

function runPortForward(ws: WebSocketConnection, port: number, portMap: Record<number, number>): void {
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16LE(port, 0);
  send(ws, 0, prefix);
  send(ws, 1, prefix);
  const localPort = portMap[port];
  if (localPort === undefined) {
    send(ws, 1, `failed to connect to port ${port}: connection refused`);
    ws.close();
    return;
  }
  const connection = net.connect(localPort, '127.0.0.1');
  connection.on('error', (error) => {
    send(ws, 1, error.message);
    ws.close();
  });
  connection.on('data', (chunk: Buffer) => send(ws, 0, chunk));
  connection.on('end', () => ws.close());
  ws.on('message', (message) => {
    if (message[0] === 0) connection.write(message.subarray(1));
  });
  ws.on('close', () => connection.destroy());
}
