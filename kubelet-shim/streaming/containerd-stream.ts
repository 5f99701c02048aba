/**
 * The connection to the container runtime's stream server (the URL CRI's Exec, Attach or PortForward
 * returned). containerd's stream server is the kubelet's streaming library, so it answers both of
 * kubectl's framings toward a kubelet:
 *
 *   SPDY/3.1 (preferred here)   POST + `Upgrade: SPDY/3.1`, `X-Stream-Protocol-Version: v4.channel.k8s.io`;
 *                               one SPDY stream per `streamType` (containerd-spdy-exec.ts). A stream can be
 *                               half-closed, so stdin EOF is a FIN and output still flows afterwards.
 *   WebSocket v4 (fallback)     one binary message per write: a channel byte and data (below). v4 has no
 *                               way to close one channel (containerd 1.6 refuses v5 with 403), so stdin
 *                               EOF can only end the whole connection (containerd-websocket-exec.ts).
 *
 * WebSocket v4 channels:
 *   exec/attach:  0 stdin →, 1 stdout ←, 2 stderr ←, 3 status ← (a JSON metav1.Status), 4 resize →
 *   port-forward: 0 data ↔, 1 error ← — each channel's first message is the port, u16 little-endian
 * and the server sends an empty message on each output channel first.
 *
 * CRI stream URLs are single-use: the server spends the token on the first request, before it looks at
 * the upgrade. So falling back to WebSocket after a refused SPDY upgrade asks CRI for a new URL.
 */
import type { EventEmitter } from 'node:events';
import type { Clock } from '../../client/clock.js';
import { isStreamingError } from '../../client/streaming/errors.js';
import { connectWebSocket, type WebSocketConnection } from '../../client/streaming/websocket.js';
import { connectSpdyRemoteCommand } from './containerd-spdy-exec.js';
import { connectWebSocketRemoteCommand } from './containerd-websocket-exec.js';
import type { RemoteCommandStreams } from './remote-command.js';

export const runtimeStreamProtocol = 'v4.channel.k8s.io';

export const channels = { stdin: 0, stdout: 1, stderr: 2, status: 3, resize: 4 } as const;
export const portForwardChannels = { data: 0, error: 1 } as const;

export type RuntimeOutputKind = 'stdout' | 'stderr' | 'status';

export type RuntimeRemoteCommandEvents = {
  /** Process output, and (kind 'status') the runtime's JSON metav1.Status once the process ended. */
  output: [kind: RuntimeOutputKind, data: Buffer];
  /** Once: the runtime sent everything it will send (or the connection dropped). */
  close: [];
};

/** One exec/attach session with the runtime, whichever framing carries it. */
export interface RuntimeRemoteCommand extends EventEmitter<RuntimeRemoteCommandEvents> {
  readonly transport: 'spdy' | 'websocket';
  writeStdin(data: Buffer): void;
  /** The client's stdin ended: the process should read EOF. */
  endStdin(): void;
  /** A terminal size, as the client sent it (JSON `{"Width":…,"Height":…}`). */
  resize(data: Buffer): void;
  /** Ends the session (the client left). */
  close(): void;
}

export interface RuntimeConnectOptions {
  clock?: Clock;
}

/**
 * Connects to an exec/attach URL over SPDY; if the server refuses the SPDY upgrade (an HTTP answer other
 * than 101), asks `open` for a fresh URL and connects over WebSocket v4 instead.
 */
export async function connectRuntimeRemoteCommand(
  open: () => Promise<string>,
  streams: RemoteCommandStreams,
  options: RuntimeConnectOptions = {},
): Promise<RuntimeRemoteCommand> {
  const url = await open();
  try {
    return await connectSpdyRemoteCommand(url, streams);
  } catch (error) {
    // Only a refusal falls back; a runtime that cannot be reached at all is reported as it is.
    if (!isStreamingError(error, 'SKIFF_ERR_STREAM_HANDSHAKE') || !error.statusCode) throw error;
    return connectWebSocketRemoteCommand(await open(), streams, options);
  }
}

export function connectRuntimeStream(url: string): Promise<WebSocketConnection> {
  return connectWebSocket(url, [runtimeStreamProtocol]);
}

/** containerd's PortForward URL with the `?port=N` its WebSocket protocol expects. */
export function portForwardUrl(url: string, port: number): string {
  const target = new URL(url);
  target.searchParams.set('port', String(port));
  return target.toString();
}

/** One channel message: the channel byte, then the data. */
export function channelMessage(channel: number, data: Buffer | Uint8Array = Buffer.alloc(0)): Buffer {
  const message = Buffer.allocUnsafe(1 + data.length);
  message[0] = channel;
  message.set(data, 1);
  return message;
}
