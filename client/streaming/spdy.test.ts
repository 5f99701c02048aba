import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { rstStatus, SpdySession, type SpdyStream } from './spdy.js';
import { packHeaderBlock, spdyDictionary, unpackHeaderBlock } from './spdy-headers.js';
import { acceptWebSocket, connectWebSocket } from './websocket.js';
import { webSocketStream } from './websocket-stream.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A client and a server session over a real TCP connection on 127.0.0.1. */
async function sessionPair(options: { respectPeerWindow?: boolean } = {}) {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection');
  const clientSocket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const [serverSocket] = (await accepted) as [net.Socket];
  const client = new SpdySession(clientSocket, { role: 'client', ...options });
  const serverSession = new SpdySession(serverSocket, { role: 'server', ...options });
  cleanups.push(() => {
    clientSocket.destroy();
    serverSocket.destroy();
    server.close();
  });
  return { client, server: serverSession };
}

function nextStream(session: SpdySession): Promise<SpdyStream> {
  return new Promise((resolve) => session.once('stream', resolve));
}

/** Reads to the end (not with for-await: finishing an async iterator destroys the stream, a reset). */
function readAll(stream: SpdyStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  return new Promise((resolve) => {
    stream.on('data', (chunk: Buffer) => parts.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(parts)));
  });
}

/** Lets socket I/O and zlib callbacks run until `condition` holds (no timers involved). */
async function until(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 10_000 && !condition(); turn++)
    await new Promise((resolve) => setImmediate(resolve));
  expect(condition()).toBe(true);
}

describe('SPDY header blocks', () => {
  it('uses the 1423-byte SPDY/3 dictionary', () => {
    expect(spdyDictionary.length).toBe(1423);
    expect(spdyDictionary.subarray(0, 11)).toEqual(Buffer.from([0, 0, 0, 7, ...Buffer.from('options')]));
    expect(spdyDictionary.subarray(-7).toString('latin1')).toBe(',enq=0.');
  });

  it('packs and unpacks names lower-cased, several values joined by NUL', () => {
    const block = packHeaderBlock({ StreamType: 'data', port: '80', multi: 'a\0b' });
    expect(unpackHeaderBlock(block)).toEqual({ streamtype: 'data', port: '80', multi: 'a\0b' });
  });
});

describe('SPDY sessions', () => {
  it('opens streams whose headers survive the shared zlib contexts, and replies with headers', async () => {
    const { client, server } = await sessionPair();
    const seen: Array<Record<string, string>> = [];
    server.on('stream', (stream) => {
      seen.push(stream.headers);
      stream.respond({ 'x-answer': `for ${stream.id}` });
    });
    const streams = ['error', 'stdin', 'stdout', 'stderr'].map((type) =>
      client.openStream({ streamtype: type }),
    );
    const replies = await Promise.all(streams.map((stream) => once(stream, 'response')));
    // kubectl sends no :method/:path; the streams are accepted as they are.
    expect(seen).toEqual([
      { streamtype: 'error' },
      { streamtype: 'stdin' },
      { streamtype: 'stdout' },
      { streamtype: 'stderr' },
    ]);
    expect(replies.map(([headers]) => headers)).toEqual([
      { 'x-answer': 'for 1' },
      { 'x-answer': 'for 3' },
      { 'x-answer': 'for 5' },
      { 'x-answer': 'for 7' },
    ]);
  });

  it('carries data both ways and half-closes each direction with FIN', async () => {
    const { client, server } = await sessionPair();
    const incoming = nextStream(server);
    const stream = client.openStream({ streamtype: 'stdin' });
    stream.end('hello server');
    const atServer = await incoming;
    expect((await readAll(atServer)).toString()).toBe('hello server');
    // Our receive side ended, our send side is still open.
    atServer.end('hello client');
    expect((await readAll(stream)).toString()).toBe('hello client');
  });

  it('obeys the 64 KiB window: a reader that stops holds the writer, reading again releases it', async () => {
    const { client, server } = await sessionPair();
    const incoming = nextStream(server);
    const stream = client.openStream({ streamtype: 'data' });
    const payload = Buffer.alloc(1024 * 1024 + 3).map((_, index) => index % 253);
    stream.end(payload);
    const atServer = await incoming;
    atServer.pause();
    await until(() => atServer.readableLength === 64 * 1024);
    expect(stream.sendWindow).toBe(0);
    // Nothing beyond the window arrives while the reader stays paused.
    for (let turn = 0; turn < 50; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(atServer.readableLength).toBe(64 * 1024);
    atServer.resume();
    const received = await readAll(atServer);
    expect(received.length).toBe(payload.length);
    expect(received.equals(payload)).toBe(true);
  });

  it('without respectPeerWindow sends past the window (as Go spdystream peers expect)', async () => {
    const { client, server } = await sessionPair({ respectPeerWindow: false });
    const incoming = nextStream(server);
    const stream = client.openStream({ streamtype: 'data' });
    stream.end(Buffer.alloc(200 * 1024, 7));
    const atServer = await incoming;
    atServer.pause();
    await until(() => atServer.readableLength >= 128 * 1024);
    atServer.resume();
    expect((await readAll(atServer)).length).toBe(200 * 1024);
  });

  it('delivers a reset to the other side with its status', async () => {
    const { client, server } = await sessionPair();
    const incoming = nextStream(server);
    const stream = client.openStream({ streamtype: 'stdout' });
    const atServer = await incoming;
    atServer.respond();
    await once(stream, 'response');
    const reset = once(atServer, 'reset');
    stream.reset(rstStatus.cancel);
    expect(await reset).toEqual([rstStatus.cancel]);
    expect(atServer.wasReset).toBe(true);
    // Writing to a reset stream is a quiet no-op, not a crash.
    atServer.write('ignored');
  });

  it('echoes the peer’s pings and reports answers to its own', async () => {
    const { client, server } = await sessionPair();
    const pong = once(client, 'pong');
    const id = client.ping();
    expect(id % 2).toBe(1);
    expect(await pong).toEqual([id]);
    const serverPong = once(server, 'pong');
    const serverId = server.ping();
    expect(serverId % 2).toBe(0);
    expect(await serverPong).toEqual([serverId]);
  });

  it('GOAWAY stops new streams and closing the transport ends every stream', async () => {
    const { client, server } = await sessionPair();
    const incoming = nextStream(server);
    const stream = client.openStream({ streamtype: 'data' });
    const atServer = await incoming;
    atServer.write('last words');
    const goaway = once(client, 'goaway');
    const closed = once(client, 'close');
    server.close();
    expect((await goaway)[0]).toBe(1);
    await closed;
    expect((await readAll(stream)).toString()).toBe('last words');
    expect(() => client.openStream({ streamtype: 'x' })).toThrow();
  });

  it('runs over a WebSocket, each binary message carrying SPDY bytes', async () => {
    const sessions: SpdySession[] = [];
    const httpServer = http.createServer();
    httpServer.on('upgrade', (request, socket, head) => {
      const ws = acceptWebSocket(request, socket, head, (offered) =>
        offered.find((protocol) => protocol === 'SPDY/3.1+portforward.k8s.io'),
      );
      if (!ws) return;
      const session = new SpdySession(webSocketStream(ws), { role: 'server' });
      sessions.push(session);
      session.on('stream', (stream) => {
        stream.respond();
        stream.on('data', (chunk: Buffer) => stream.write(Buffer.from(chunk.toString().toUpperCase())));
        stream.on('end', () => stream.end());
      });
    });
    httpServer.listen(0, '127.0.0.1');
    await once(httpServer, 'listening');
    cleanups.push(() => {
      httpServer.closeAllConnections();
      httpServer.close();
    });
    const port = (httpServer.address() as net.AddressInfo).port;
    const ws = await connectWebSocket(`ws://127.0.0.1:${port}/`, ['SPDY/3.1+portforward.k8s.io']);
    const client = new SpdySession(webSocketStream(ws), { role: 'client' });
    const stream = client.openStream({ streamtype: 'data', port: '80', requestid: '0' });
    stream.end('tunnelled bytes '.repeat(10_000));
    expect((await readAll(stream)).toString()).toBe('TUNNELLED BYTES '.repeat(10_000));
    expect(sessions).toHaveLength(1);
    client.close();
  });
});
