/**
 * port-forward on the node: kubectl's SPDY session (direct, or tunnelled in WebSocket by kubectl 1.31+)
 * relayed to the container runtime's WebSocket v4 port-forward server.
 *
 *   kubectl ── SPDY/3.1 `portforward.k8s.io` ─────────────┐
 *   kubectl ── WebSocket `SPDY/3.1+portforward.k8s.io` ───┴─ servePortForward ── WebSocket v4 ── containerd
 *
 * For each local connection kubectl opens two SPDY streams with the same `requestid` and `port`: `error`
 * (which it half-closes at once) and `data`. Once both are there, the relay asks CRI for a PortForward
 * URL (`target.open(port)`), connects to it with `?port=N`, and copies bytes: the data stream ↔ runtime
 * channel 0; runtime channel 1 (an error text) → the error stream. The runtime prefixes each channel's
 * first message with the port (u16 little-endian); those two bytes are dropped.
 *
 * Ending: when the runtime closes (the pod's side of the connection is done) both SPDY streams get FIN.
 * When kubectl half-closes the data stream (its local client stopped sending), the runtime connection is
 * closed, since v4 cannot close only one direction; bytes the pod still sends after that are lost.
 * Failures (CRI, connect) are written on the error stream as text, as the kubelet words them.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { SpdySession, type SpdyStream } from '../../client/streaming/spdy.js';
import { acceptWebSocket, offeredSubprotocols } from '../../client/streaming/websocket.js';
import { webSocketStream } from '../../client/streaming/websocket-stream.js';
import {
  channelMessage,
  connectRuntimeStream,
  portForwardChannels,
  portForwardUrl,
} from './containerd-stream.js';
import {
  acceptSpdyUpgrade,
  negotiateStreamProtocol,
  offeredStreamProtocols,
  refuseStreamProtocol,
  upgradeKind,
  writeHttpError,
} from './upgrade.js';

export interface PortForwardTarget {
  /** Asks CRI for a PortForward stream URL for the pod's sandbox and this port. */
  open(port: number): Promise<string>;
}

export const portForwardProtocol = 'portforward.k8s.io';
/** kubectl 1.31+: SPDY bytes inside WebSocket binary messages. */
export const portForwardTunnelProtocol = 'SPDY/3.1+portforward.k8s.io';

export function servePortForward(
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  target: PortForwardTarget,
): void {
  socket.on('error', () => {
    // a client that vanishes: the session's 'close' cleans up
  });
  const kind = upgradeKind(request);
  let transport: Duplex;
  if (kind === 'websocket') {
    const ws = acceptWebSocket(request, socket, head, (offered) =>
      offered.find((protocol) => protocol === portForwardTunnelProtocol),
    );
    // Refused (400): kubectl falls back to direct SPDY.
    if (ws === undefined) return;
    transport = webSocketStream(ws);
  } else if (kind === 'spdy') {
    const offered = offeredStreamProtocols(request);
    const protocol = negotiateStreamProtocol(offered, [portForwardProtocol]);
    // Port-forward has no legacy version: a client must ask for it by name.
    if (protocol === undefined || protocol === '') {
      refuseStreamProtocol(socket, offered, [portForwardProtocol]);
      return;
    }
    acceptSpdyUpgrade(socket, protocol);
    if (head.length > 0) socket.unshift(head);
    transport = socket;
  } else {
    writeHttpError(
      socket,
      400,
      `Upgrade request required (offered websocket subprotocols: ${JSON.stringify(offeredSubprotocols(request))})`,
    );
    return;
  }

  const session = new SpdySession(transport, { role: 'server', respectPeerWindow: false });
  /** Streams waiting for their partner, by request id. */
  const pairs = new Map<string, { data?: SpdyStream; error?: SpdyStream }>();
  const active = new Set<() => void>();
  session.on('close', () => {
    for (const stop of active) stop();
  });
  session.on('stream', (stream) => {
    const type = stream.headers.streamtype;
    const port = Number(stream.headers.port);
    if ((type !== 'data' && type !== 'error') || !Number.isInteger(port) || port < 1 || port > 65535) {
      stream.reset();
      return;
    }
    stream.respond();
    // Old clients sent no requestid: the error stream came first, the data stream right after it.
    const requestId = stream.headers.requestid ?? String(type === 'error' ? stream.id : stream.id - 2);
    const pair = pairs.get(requestId) ?? {};
    pair[type] = stream;
    pairs.set(requestId, pair);
    if (pair.data && pair.error) {
      pairs.delete(requestId);
      const stop = forward(port, pair.data, pair.error, target, () => active.delete(stop));
      active.add(stop);
    }
  });
}

/** Relays one connection; returns a function that tears it down. */
function forward(
  port: number,
  data: SpdyStream,
  error: SpdyStream,
  target: PortForwardTarget,
  done: () => void,
): () => void {
  let stopped = false;
  let close: (() => void) | undefined;
  const finish = () => {
    if (stopped) return;
    stopped = true;
    close?.();
    if (!data.writableEnded) data.end();
    if (!error.writableEnded) error.end();
    done();
  };
  // kubectl half-closes the error stream at once; read it so its FIN is seen.
  error.resume();
  const fail = (reason: unknown) => {
    if (stopped) return;
    const message = reason instanceof Error ? reason.message : String(reason);
    error.write(`error forwarding port ${port}: ${message}`);
    finish();
  };
  // Bytes from kubectl before the runtime connection is up wait in the stream (paused).
  data.pause();
  target
    .open(port)
    .then((url) => connectRuntimeStream(portForwardUrl(url, port)))
    .then((upstream) => {
      if (stopped || data.destroyed) {
        upstream.close();
        return;
      }
      close = () => upstream.close();
      const prefixPending = new Set<number>([portForwardChannels.data, portForwardChannels.error]);
      upstream.on('message', (message, binary) => {
        if (!binary || message.length === 0) return;
        const channel = message[0]!;
        let payload = message.subarray(1);
        if (prefixPending.delete(channel)) payload = payload.subarray(2);
        if (payload.length === 0) return;
        if (channel === portForwardChannels.data) data.write(payload);
        else if (channel === portForwardChannels.error) {
          error.write(payload);
        }
      });
      upstream.on('close', finish);
      data.on('data', (chunk: Buffer) => upstream.send(channelMessage(portForwardChannels.data, chunk)));
      data.on('end', () => upstream.close());
      data.on('close', () => upstream.close());
      data.resume();
    })
    .catch(fail);
  data.on('close', () => {
    if (close === undefined) finish();
  });
  return finish;
}
