/**
 * exec/attach with the runtime's stream server over WebSocket `v4.channel.k8s.io` — the fallback when it
 * refuses SPDY. Channels: 0 stdin →, 1 stdout ←, 2 stderr ←, 3 status ←, 4 resize →.
 *
 * v4 cannot close one channel, so stdin EOF ends the whole connection — after a grace in which a process
 * that already has what it needs (`read line; echo $line`) finishes by itself, its output and exit code
 * intact. Output written after that, and the exit status, are lost (the client then sees success).
 */
import { EventEmitter } from 'node:events';
import { type Clock, systemClock } from '../../client/clock.js';
import type { WebSocketConnection } from '../../client/streaming/websocket.js';
import {
  channelMessage,
  channels,
  connectRuntimeStream,
  type RuntimeConnectOptions,
  type RuntimeRemoteCommand,
  type RuntimeRemoteCommandEvents,
} from './containerd-stream.js';
import type { RemoteCommandStreams } from './remote-command.js';

/** How long a process may run on after its client ended stdin before the runtime connection closes. */
export const stdinEndGraceMs = 2_000;

export async function connectWebSocketRemoteCommand(
  url: string,
  _streams: RemoteCommandStreams,
  options: RuntimeConnectOptions = {},
): Promise<RuntimeRemoteCommand> {
  return new WebSocketRemoteCommand(await connectRuntimeStream(url), options.clock ?? systemClock);
}

class WebSocketRemoteCommand
  extends EventEmitter<RuntimeRemoteCommandEvents>
  implements RuntimeRemoteCommand
{
  readonly transport = 'websocket';
  readonly #ws: WebSocketConnection;
  readonly #clock: Clock;
  #cancelGrace: (() => void) | undefined;

  constructor(ws: WebSocketConnection, clock: Clock) {
    super();
    this.#ws = ws;
    this.#clock = clock;
    ws.on('message', (message, binary) => {
      if (!binary || message.length < 2) return;
      const data = message.subarray(1);
      if (message[0] === channels.stdout) this.emit('output', 'stdout', data);
      else if (message[0] === channels.stderr) this.emit('output', 'stderr', data);
      else if (message[0] === channels.status) this.emit('output', 'status', data);
    });
    ws.on('close', () => {
      this.#cancelGrace?.();
      this.emit('close');
    });
  }

  writeStdin(data: Buffer): void {
    if (data.length > 0) this.#ws.send(channelMessage(channels.stdin, data));
  }

  endStdin(): void {
    if (this.#cancelGrace !== undefined) return;
    this.#cancelGrace = this.#clock.setTimer(() => this.#ws.close(), stdinEndGraceMs);
  }

  resize(data: Buffer): void {
    this.#ws.send(channelMessage(channels.resize, data));
  }

  close(): void {
    this.#ws.close();
  }
}
