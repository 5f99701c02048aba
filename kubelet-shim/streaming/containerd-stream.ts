/**
 * The connection to the container runtime's stream server (the URL CRI's Exec, Attach or PortForward
 * returned). containerd 1.6 answers WebSocket with `v4.channel.k8s.io` (it refuses v5 with 403): every
 * binary message is one channel byte and data —
 *
 *   exec/attach:  0 stdin →, 1 stdout ←, 2 stderr ←, 3 status ← (a JSON metav1.Status), 4 resize →
 *   port-forward: 0 data ↔, 1 error ← — each channel's first message is the port, u16 little-endian
 *
 * and it sends an empty message on each output channel first. v4 has no way to close one channel:
 * only the whole connection can end, which also ends stdin for the process (and drops its output).
 */
import { connectWebSocket, type WebSocketConnection } from '../../client/streaming/websocket.js';

export const runtimeStreamProtocol = 'v4.channel.k8s.io';

export const channels = { stdin: 0, stdout: 1, stderr: 2, status: 3, resize: 4 } as const;
export const portForwardChannels = { data: 0, error: 1 } as const;

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
