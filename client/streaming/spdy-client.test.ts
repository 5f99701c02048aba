import { once } from 'node:events';
import http from 'node:http';
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isStreamingError } from './errors.js';
import { SpdySession } from './spdy.js';
import { connectSpdy } from './spdy-client.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A server that answers the upgrade like the kubelet's streaming library, recording what it read. */
async function startServer(supported: string[]) {
  const received: Buffer[] = [];
  const server = http.createServer((_request, response) => response.writeHead(404).end());
  server.on('upgrade', (request, socket, head) => {
    const offered = request.headers['x-stream-protocol-version'];
    const list = (Array.isArray(offered) ? offered : [offered ?? '']).flatMap((value) => value.split(','));
    const chosen = list.map((value) => value.trim()).find((value) => supported.includes(value));
    if (chosen === undefined || request.method !== 'POST') {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 21\r\n\r\nunable to negotiate\r\n');
      return;
    }
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${chosen}\r\n\r\n`,
    );
    if (head.length > 0) socket.unshift(head);
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    const session = new SpdySession(socket, { role: 'server', respectPeerWindow: false });
    session.on('stream', (stream) => {
      stream.respond();
      stream.resume();
      // Answers with more than a window's worth, then FIN.
      stream.end(Buffer.alloc(100_000, 1));
    });
    cleanups.push(() => {
      socket.destroy();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/exec/t1`, received };
}

describe('connectSpdy', () => {
  it('POSTs the upgrade, offers each version and returns the one the server chose', async () => {
    const { url } = await startServer(['v4.channel.k8s.io']);
    const { session, protocol } = await connectSpdy(url, ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
    cleanups.push(() => session.destroy());
    expect(protocol).toBe('v4.channel.k8s.io');
  });

  it('a refusal is a handshake error carrying the HTTP status', async () => {
    const { url } = await startServer(['portforward.k8s.io']);
    const error = await connectSpdy(url, ['v4.channel.k8s.io']).catch((caught: unknown) => caught);
    expect(isStreamingError(error, 'SKIFF_ERR_STREAM_HANDSHAKE') && error.statusCode).toBe(403);
  });

  it('reads a stream to its FIN without sending WINDOW_UPDATE (frame type 9) to the Go-style server', async () => {
    const { url, received } = await startServer(['v4.channel.k8s.io']);
    const { session } = await connectSpdy(url, ['v4.channel.k8s.io']);
    cleanups.push(() => session.destroy());
    const stream = session.openStream({ streamtype: 'stdout' });
    let bytes = 0;
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    await once(stream, 'end');
    expect(bytes).toBe(100_000);
    // Control frames start 0x80 0x03 0x00 <type>; the client sent only its SYN_STREAM.
    const sent = Buffer.concat(received);
    const types: number[] = [];
    for (let offset = 0; offset + 8 <= sent.length; ) {
      if (sent[offset]! & 0x80) types.push(sent.readUInt16BE(offset + 2));
      offset += 8 + (sent.readUInt32BE(offset + 4) & 0xffffff);
    }
    expect(types).toEqual([1]);
  });
});
