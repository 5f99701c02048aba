/**
 * A stand-in for containerd's stream server, for tests: WebSocket `v4.channel.k8s.io` only, single-use
 * tokens, and the message shapes containerd 1.6 sends (an empty message on each output channel first,
 * a JSON Status on channel 3, the port prefix on port-forward channels). Closing the WebSocket is the
 * only end-of-stdin it knows, as with the real one: the "process" sees EOF and its output goes nowhere.
 *
 * Commands the fake exec understands:
 *   echo ARGS…      prints ARGS joined by spaces and a newline, exits 0
 *   exit N          exits N
 *   fail            prints "oops" on stderr, exits 2
 *   read-line       reads stdin up to a newline, prints it upper-cased, exits 0
 *   cat             copies stdin to stdout until the connection closes
 *   sizes           reports every resize it receives on stdout (JSON line), exits when stdin says "q"
 */
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { acceptWebSocket, type WebSocketConnection } from '../../../client/streaming/websocket.js';
import type { RemoteCommandStreams } from '../remote-command.js';

const v4 = 'v4.channel.k8s.io';

export interface FakeRuntimeStreamServer {
  /** What CRI Exec would return for this command. */
  execUrl(command: string[], streams: RemoteCommandStreams): string;
  /** What CRI PortForward would return; connections go to `127.0.0.1:<portMap[port]>`. */
  portForwardUrl(portMap: Record<number, number>): string;
  /** Every stdin byte the fake processes received, and whether their stdin was closed. */
  readonly sessions: Array<{ command: string[]; stdin: string; stdinClosed: boolean }>;
  close(): Promise<void>;
}

type Token =
  | { kind: 'exec'; command: string[]; streams: RemoteCommandStreams }
  | { kind: 'portforward'; portMap: Record<number, number> };

export async function startFakeRuntimeStreamServer(): Promise<FakeRuntimeStreamServer> {
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
    const ws = acceptWebSocket(request, socket, head, (offered) =>
      offered.find((protocol) => protocol === v4),
    );
    if (ws === undefined) return;
    if (token.kind === 'exec') runExec(ws, token.command, token.streams, sessions);
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

function runExec(
  ws: WebSocketConnection,
  command: string[],
  streams: RemoteCommandStreams,
  sessions: FakeRuntimeStreamServer['sessions'],
): void {
  const record = { command, stdin: '', stdinClosed: false };
  sessions.push(record);
  if (streams.stdout) send(ws, 1);
  if (streams.stderr) send(ws, 2);
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
    send(ws, 3, JSON.stringify(status));
    ws.close();
  };
  const [program, ...args] = command;
  let onStdin: (text: string) => void = () => {};
  ws.on('message', (message) => {
    if (message[0] === 0) {
      const text = message.subarray(1).toString('utf8');
      record.stdin += text;
      onStdin(text);
    } else if (message[0] === 4 && program === 'sizes') {
      send(ws, 1, `${message.subarray(1).toString('utf8').trim()}\n`);
    }
  });
  ws.on('close', () => {
    record.stdinClosed = true;
  });
  switch (program) {
    case 'echo':
      send(ws, 1, `${args.join(' ')}\n`);
      exit(0);
      return;
    case 'exit':
      exit(Number(args[0]));
      return;
    case 'fail':
      send(ws, 2, 'oops\n');
      exit(2);
      return;
    case 'read-line': {
      let line = '';
      onStdin = (text) => {
        line += text;
        const end = line.indexOf('\n');
        if (end >= 0) {
          send(ws, 1, `${line.slice(0, end).toUpperCase()}\n`);
          exit(0);
        }
      };
      return;
    }
    case 'cat':
      onStdin = (text) => send(ws, 1, text);
      return;
    case 'sizes':
      onStdin = (text) => {
        if (text.includes('q')) exit(0);
      };
      return;
    default:
      send(ws, 2, `exec: "${program}": executable file not found in $PATH\n`);
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
