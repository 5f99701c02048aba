import { createHash } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isStreamingError } from './errors.js';
import { acceptWebSocket, closeCodes, connectWebSocket, type WebSocketConnection } from './websocket.js';

const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** An HTTP server whose upgrades are accepted with `choose`; resolves its URL and the accepted connections. */
async function startServer(
  choose: (offered: string[]) => string | undefined = (offered) => offered[0] ?? '',
) {
  const accepted: WebSocketConnection[] = [];
  const waiters: Array<(ws: WebSocketConnection) => void> = [];
  const server = http.createServer((_request, response) => response.writeHead(404).end());
  server.on('upgrade', (request, socket, head) => {
    const ws = acceptWebSocket(request, socket, head, choose);
    if (ws === undefined) return;
    const waiter = waiters.shift();
    if (waiter) waiter(ws);
    else accepted.push(ws);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/x`,
    port,
    nextConnection: () =>
      new Promise<WebSocketConnection>((resolve) => {
        const ready = accepted.shift();
        if (ready) resolve(ready);
        else waiters.push(resolve);
      }),
  };
}

function nextMessage(ws: WebSocketConnection): Promise<{ data: Buffer; binary: boolean }> {
  return new Promise((resolve) => ws.once('message', (data, binary) => resolve({ data, binary })));
}

describe('WebSocket handshake', () => {
  it('echoes a subprotocol containing "/" and "+" verbatim', async () => {
    const server = await startServer((offered) => offered.find((p) => p === 'SPDY/3.1+portforward.k8s.io'));
    const client = await connectWebSocket(server.url, ['SPDY/3.1+portforward.k8s.io']);
    const accepted = await server.nextConnection();
    expect(client.protocol).toBe('SPDY/3.1+portforward.k8s.io');
    expect(accepted.protocol).toBe('SPDY/3.1+portforward.k8s.io');
    client.terminate();
  });

  it('answers 400 when no offered subprotocol fits, and the client reports the status', async () => {
    const server = await startServer((offered) => offered.find((p) => p === 'v5.channel.k8s.io'));
    const error = await connectWebSocket(server.url, ['v4.channel.k8s.io']).catch((e: unknown) => e);
    expect(isStreamingError(error, 'SKIFF_ERR_STREAM_HANDSHAKE')).toBe(true);
    expect((error as { statusCode: number }).statusCode).toBe(400);
  });

  it('rejects a 101 whose subprotocol was not offered', async () => {
    const server = await startServer(() => 'v5.channel.k8s.io');
    const error = await connectWebSocket(server.url, ['v4.channel.k8s.io']).catch((e: unknown) => e);
    expect(isStreamingError(error, 'SKIFF_ERR_STREAM_HANDSHAKE')).toBe(true);
  });
});

describe('WebSocket messages', () => {
  it('carries binary and text messages both ways', async () => {
    const server = await startServer();
    const client = await connectWebSocket(server.url, ['a']);
    const accepted = await server.nextConnection();
    const atServer = nextMessage(accepted);
    client.send(Buffer.from([0, 1, 2, 255]));
    expect(await atServer).toEqual({ data: Buffer.from([0, 1, 2, 255]), binary: true });
    const atClient = nextMessage(client);
    accepted.send('héllo', { text: true });
    const text = await atClient;
    expect(text.binary).toBe(false);
    expect(text.data.toString('utf8')).toBe('héllo');
    client.terminate();
  });

  it('reassembles fragmented messages in both directions', async () => {
    const server = await startServer();
    const client = await connectWebSocket(server.url, ['a']);
    const accepted = await server.nextConnection();
    const payload = Buffer.alloc(10_000, 0).map((_, index) => index % 251);
    const atServer = nextMessage(accepted);
    client.send(payload, { fragmentBytes: 999 });
    expect((await atServer).data.equals(payload)).toBe(true);
    const atClient = nextMessage(client);
    accepted.send(payload, { fragmentBytes: 3 * 1024 });
    expect((await atClient).data.equals(payload)).toBe(true);
    client.terminate();
  });

  it('moves payloads of 64 KiB and more (16-bit and 64-bit lengths) intact', async () => {
    const server = await startServer();
    const client = await connectWebSocket(server.url, ['a']);
    const accepted = await server.nextConnection();
    for (const size of [125, 126, 65_535, 65_536, 3 * 1024 * 1024 + 7]) {
      const payload = Buffer.alloc(size).map((_, index) => (index * 7) % 256);
      const atServer = nextMessage(accepted);
      client.send(payload);
      const received = (await atServer).data;
      expect(received.length).toBe(size);
      expect(received.equals(payload)).toBe(true);
      const atClient = nextMessage(client);
      accepted.send(received);
      expect((await atClient).data.equals(payload)).toBe(true);
    }
    client.terminate();
  });

  it('answers a ping with a pong carrying the same bytes', async () => {
    const server = await startServer();
    const client = await connectWebSocket(server.url, ['a']);
    await server.nextConnection();
    const pong = once(client, 'pong');
    client.ping(Buffer.from('are you there'));
    expect((await pong)[0].toString()).toBe('are you there');
    client.terminate();
  });

  it('runs the close handshake: both ends see the code and reason', async () => {
    const server = await startServer();
    const client = await connectWebSocket(server.url, ['a']);
    const accepted = await server.nextConnection();
    const serverClosed = once(accepted, 'close');
    const clientClosed = once(client, 'close');
    client.close(4000, 'done here');
    expect(await serverClosed).toEqual([4000, 'done here']);
    expect((await clientClosed)[0]).toBe(4000);
    expect(client.send(Buffer.from('late'))).toBe(false);
  });

  it('reports 1006 when the peer drops the connection, without an error listener', async () => {
    const server = await startServer();
    const client = await connectWebSocket(server.url, ['a']);
    const accepted = await server.nextConnection();
    const closed = once(accepted, 'close');
    client.terminate();
    expect((await closed)[0]).toBe(closeCodes.abnormal);
  });
});

describe('WebSocket framing rules', () => {
  /** A raw TCP client that did the handshake by hand, to send frames the codec would never produce. */
  async function rawClient(url: string) {
    const { port } = new URL(url);
    const socket = net.connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    socket.write(
      'GET /x HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: a\r\n\r\n',
    );
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    return { socket, received: () => Buffer.concat(received) };
  }

  it('masks what a client sends', async () => {
    const rawServer = net.createServer();
    rawServer.listen(0, '127.0.0.1');
    await once(rawServer, 'listening');
    const port = (rawServer.address() as net.AddressInfo).port;
    const bytes: Buffer[] = [];
    rawServer.on('connection', (socket) => {
      socket.once('data', (request: Buffer) => {
        const key = /Sec-WebSocket-Key: (\S+)/i.exec(request.toString())![1]!;
        const accept = createHash('sha1')
          .update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
          .digest('base64');
        socket.write(
          `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: a\r\n\r\n`,
        );
        socket.on('data', (chunk: Buffer) => bytes.push(chunk));
      });
    });
    const client = await connectWebSocket(`ws://127.0.0.1:${port}/`, ['a']);
    client.send(Buffer.from('abcd'));
    await new Promise((resolve) => setImmediate(resolve));
    while (Buffer.concat(bytes).length < 10) await new Promise((resolve) => setImmediate(resolve));
    const frame = Buffer.concat(bytes);
    expect(frame[0]).toBe(0x82);
    expect(frame[1]).toBe(0x80 | 4);
    const key = frame.subarray(2, 6);
    const unmasked = Buffer.from(frame.subarray(6, 10).map((byte, index) => byte ^ key[index]!));
    expect(unmasked.toString()).toBe('abcd');
    client.terminate();
    rawServer.close();
  });

  it('closes with 1002 when a client sends an unmasked frame', async () => {
    const server = await startServer();
    const raw = await rawClient(server.url);
    const accepted = await server.nextConnection();
    const errors: Error[] = [];
    accepted.on('error', (error) => errors.push(error));
    const closed = new Promise((resolve) => accepted.once('close', resolve));
    raw.socket.write(Buffer.from([0x82, 0x02, 0x01, 0x02]));
    await closed;
    expect(errors.map((error) => isStreamingError(error, 'SKIFF_ERR_STREAM_PROTOCOL'))).toEqual([true]);
    const answer = raw.received();
    const frameStart = answer.indexOf('\r\n\r\n') + 4;
    expect(answer[frameStart]).toBe(0x88);
    expect(answer.readUInt16BE(frameStart + 2)).toBe(closeCodes.protocolError);
    raw.socket.destroy();
  });

  it('closes with 1009 when a message exceeds the limit', async () => {
    const accepted: WebSocketConnection[] = [];
    const server = http.createServer();
    server.on('upgrade', (request, socket, head) => {
      const ws = acceptWebSocket(request, socket, head, () => 'a', { maxMessageBytes: 100 });
      if (ws) accepted.push(ws);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    servers.push(server);
    const port = (server.address() as net.AddressInfo).port;
    const client = await connectWebSocket(`ws://127.0.0.1:${port}/`, ['a']);
    const closed = once(client, 'close');
    client.send(Buffer.alloc(60), { fragmentBytes: 30 });
    client.send(Buffer.alloc(101));
    expect((await closed)[0]).toBe(closeCodes.messageTooBig);
  });
});
