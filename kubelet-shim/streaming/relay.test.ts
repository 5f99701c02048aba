/**
 * The relays with this repository's own clients (WebSocket and SPDY) against the fake runtime stream
 * server: the protocol variants kubectl does not exercise by default.
 */
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStreamingError } from '../../client/streaming/errors.js';
import { SpdySession, type SpdyStream } from '../../client/streaming/spdy.js';
import { connectWebSocket, type WebSocketConnection } from '../../client/streaming/websocket.js';
import { servePortForward } from './port-forward.js';
import { serveRemoteCommand } from './remote-command.js';
import {
  type FakeRuntimeStreamServer,
  startFakeRuntimeStreamServer,
} from './testing/fake-runtime-stream-server.js';

let runtime: FakeRuntimeStreamServer;
let node: http.Server;
let port: number;
/** Upgraded sockets leave the server's books; they are destroyed by hand at the end. */
const upgraded = new Set<import('node:stream').Duplex>();

beforeAll(async () => {
  runtime = await startFakeRuntimeStreamServer();
  node = http.createServer((_request, response) => response.writeHead(404).end());
  node.on('upgrade', (request, socket, head) => {
    upgraded.add(socket);
    const url = new URL(request.url ?? '/', 'http://node');
    if (url.pathname === '/portForward/default/p') {
      servePortForward(request, socket, head, { open: async () => runtime.portForwardUrl({}) });
      return;
    }
    serveRemoteCommand(request, socket, head, {
      open: async (streams) => runtime.execUrl(url.searchParams.getAll('command'), streams),
    });
  });
  node.listen(0, '127.0.0.1');
  await once(node, 'listening');
  port = (node.address() as net.AddressInfo).port;
});

afterAll(async () => {
  for (const socket of upgraded) socket.destroy();
  node.closeAllConnections();
  await new Promise((resolve) => node.close(resolve));
  await runtime.close();
});

/** Collects a WebSocket session's messages by channel until it closes. */
function collect(ws: WebSocketConnection, base64 = false): Promise<Map<number, string>> {
  const byChannel = new Map<number, string>();
  ws.on('message', (data, binary) => {
    const channel = base64 ? data[0]! - 48 : data[0]!;
    const text = base64
      ? Buffer.from(data.subarray(1).toString(), 'base64').toString()
      : data.subarray(1).toString();
    expect(binary).toBe(!base64);
    byChannel.set(channel, (byChannel.get(channel) ?? '') + text);
  });
  return new Promise((resolve) => ws.on('close', () => resolve(byChannel)));
}

describe('remote command relay', () => {
  it('v5: CLOSE of stdin is the process’s EOF; its later output and exit code still arrive', async () => {
    const ws = await connectWebSocket(
      `ws://127.0.0.1:${port}/exec/default/p/c?command=cat-done&command=3&input=1&output=1`,
      ['v5.channel.k8s.io'],
    );
    const done = collect(ws);
    ws.send(Buffer.from([0, ...Buffer.from('abc\n')]));
    ws.send(Buffer.from([255, 0]));
    const messages = await done;
    expect(messages.get(1)).toBe('abc\ndone\n');
    expect(JSON.parse(messages.get(3)!)).toMatchObject({
      status: 'Failure',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
    const session = runtime.sessions.find((entry) => entry.command[0] === 'cat-done')!;
    expect(session).toMatchObject({ transport: 'spdy', stdin: 'abc\n', stdinClosed: true });
  });

  it('SPDY v4: FIN on stdin is the process’s EOF; its later output and the exit Status still arrive', async () => {
    const { session } = await spdyConnect(
      '/exec/default/p/c?command=cat-done&command=3&stdin=true&stdout=true&stderr=true',
      ['v4.channel.k8s.io'],
    );
    const error = session.openStream({ streamtype: 'error' });
    const stdin = session.openStream({ streamtype: 'stdin' });
    const stdout = session.openStream({ streamtype: 'stdout' });
    session.openStream({ streamtype: 'stderr' });
    const output = readAll(stdout);
    stdin.end('from stdin\n');
    expect((await output).toString()).toBe('from stdin\ndone\n');
    expect(JSON.parse((await readAll(error)).toString())).toMatchObject({
      status: 'Failure',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
  });

  it('falls back to WebSocket v4 (with a fresh URL) when the runtime refuses SPDY', async () => {
    const websocketOnly = await startFakeRuntimeStreamServer({ spdy: false });
    const opened: string[] = [];
    const server = http.createServer();
    server.on('upgrade', (request, socket, head) => {
      upgraded.add(socket);
      serveRemoteCommand(request, socket, head, {
        open: async (streams) => {
          const url = websocketOnly.execUrl(['read-line'], streams);
          opened.push(url);
          return url;
        },
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const ws = await connectWebSocket(
        `ws://127.0.0.1:${(server.address() as net.AddressInfo).port}/exec?input=1&output=1`,
        ['v5.channel.k8s.io'],
      );
      const done = collect(ws);
      ws.send(Buffer.from([0, ...Buffer.from('hello\n')]));
      const messages = await done;
      expect(messages.get(1)).toBe('HELLO\n');
      expect(JSON.parse(messages.get(3)!)).toMatchObject({ status: 'Success' });
      expect(opened).toHaveLength(2);
      expect(websocketOnly.sessions.map((entry) => entry.transport)).toEqual(['websocket']);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await websocketOnly.close();
    }
  });

  it('v4.base64: text frames carry base64 data, the Status stays JSON', async () => {
    const ws = await connectWebSocket(
      `ws://127.0.0.1:${port}/exec/default/p/c?command=exit&command=4&stdout=true&stderr=true`,
      ['v4.base64.channel.k8s.io'],
    );
    const messages = await collect(ws, true);
    expect(JSON.parse(messages.get(3)!)).toMatchObject({
      status: 'Failure',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '4' }] },
    });
  });

  it('channel.k8s.io (v1): a failure is plain text, success sends nothing', async () => {
    const failed = await collect(
      await connectWebSocket(`ws://127.0.0.1:${port}/exec/default/p/c?command=exit&command=5&output=1`, [
        'channel.k8s.io',
      ]),
    );
    expect(failed.get(3)).toMatch(/^command terminated with non-zero exit code: .*exit code 5$/);
    const succeeded = await collect(
      await connectWebSocket(`ws://127.0.0.1:${port}/exec/default/p/c?command=echo&command=ok&output=1`, [
        'channel.k8s.io',
      ]),
    );
    expect(succeeded.get(1)).toBe('ok\n');
    expect(succeeded.has(3)).toBe(false);
  });

  it('refuses a request that asks for no stream with 400', async () => {
    const error = await connectWebSocket(`ws://127.0.0.1:${port}/exec/default/p/c?command=echo`, [
      'v5.channel.k8s.io',
    ]).catch((e: unknown) => e);
    expect(isStreamingError(error, 'SKIFF_ERR_STREAM_HANDSHAKE') && error.statusCode).toBe(400);
  });

  it('SPDY v2 with a TTY: resize has no stream, the Status arrives as text', async () => {
    const { session, version } = await spdyConnect(
      '/exec/default/p/c?command=exit&command=6&stdin=true&stdout=true&tty=true',
      ['v2.channel.k8s.io'],
    );
    expect(version).toBe('v2.channel.k8s.io');
    const error = session.openStream({ streamtype: 'error' });
    session.openStream({ streamtype: 'stdin' });
    session.openStream({ streamtype: 'stdout' });
    expect((await readAll(error)).toString()).toMatch(/exit code 6$/);
  });

  it('SPDY v4 with a TTY: resize events reach the runtime’s channel 4', async () => {
    const { session } = await spdyConnect('/exec/default/p/c?command=sizes&stdin=true&stdout=true&tty=true', [
      'v4.channel.k8s.io',
    ]);
    const error = session.openStream({ streamtype: 'error' });
    const stdin = session.openStream({ streamtype: 'stdin' });
    const stdout = session.openStream({ streamtype: 'stdout' });
    const resize = session.openStream({ streamtype: 'resize' });
    resize.write('{"Width":100,"Height":30}\n');
    const output = readAll(stdout);
    await new Promise<void>((resolve) => stdout.once('data', () => resolve()));
    stdin.write('q');
    expect((await output).toString()).toContain('{"Width":100,"Height":30}');
    expect(JSON.parse((await readAll(error)).toString())).toMatchObject({ status: 'Success' });
  });
});

describe('port-forward relay', () => {
  it('writes the runtime’s error text on the error stream and ends both streams', async () => {
    const { session } = await spdyConnect('/portForward/default/p', ['portforward.k8s.io']);
    const error = session.openStream({ streamtype: 'error', port: '8080', requestid: '0' }, { fin: true });
    const data = session.openStream({ streamtype: 'data', port: '8080', requestid: '0' });
    const [errorText, dataText] = await Promise.all([readAll(error), readAll(data)]);
    expect(errorText.toString()).toBe('failed to connect to port 8080: connection refused');
    expect(dataText.length).toBe(0);
  });

  it('refuses a SPDY upgrade that does not ask for portforward.k8s.io with 403', async () => {
    const answer = await rawUpgrade('/portForward/default/p', ['v4.channel.k8s.io']);
    expect(answer).toMatch(/^HTTP\/1.1 403/);
  });
});

function readAll(stream: SpdyStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  return new Promise((resolve) => {
    stream.on('data', (chunk: Buffer) => parts.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(parts)));
  });
}

function rawUpgrade(path: string, versions: string[]): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: node\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n` +
        `${versions.map((version) => `X-Stream-Protocol-Version: ${version}\r\n`).join('')}Content-Length: 0\r\n\r\n`,
    );
    let answer = '';
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
    });
    socket.on('close', () => resolve(answer));
  });
}

async function spdyConnect(
  path: string,
  versions: string[],
): Promise<{ session: SpdySession; version: string }> {
  const request = http.request({
    host: '127.0.0.1',
    port,
    path,
    method: 'POST',
    agent: false,
    headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': versions },
  });
  request.end();
  const [response, socket, head] = (await once(request, 'upgrade')) as [
    http.IncomingMessage,
    net.Socket,
    Buffer,
  ];
  if (head.length > 0) socket.unshift(head);
  return {
    session: new SpdySession(socket, { role: 'client', respectPeerWindow: false }),
    version: String(response.headers['x-stream-protocol-version']),
  };
}
