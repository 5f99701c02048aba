/**
 * exec/attach with the runtime's stream server over SPDY/3.1, this end as the client — what kubectl
 * (client-go's remotecommand, protocol v4) does toward a kubelet:
 *
 *   handshake   POST, `Upgrade: SPDY/3.1`, `X-Stream-Protocol-Version: v4.channel.k8s.io` → 101
 *   streams     opened in this order, each with header `streamtype`:
 *                 error (always), stdin, stdout, stderr (each if requested; no stderr with a TTY),
 *                 resize (with a TTY)
 *               The server waits until exactly the streams the CRI request asked for are open, then
 *               starts the process. It knows them from the request behind the URL, not from us, so
 *               the set here must match what was passed to CRI Exec/Attach.
 *   running     stdin → the stdin stream; `endStdin` half-closes it (FIN): the process reads EOF and
 *               keeps running, its output still arriving on stdout/stderr.
 *   end         the server writes a JSON metav1.Status on the error stream (Success too, from v4 on)
 *               and closes the connection.
 */
import { EventEmitter } from 'node:events';
import type { SpdySession, SpdyStream } from '../../client/streaming/spdy.js';
import { connectSpdy } from '../../client/streaming/spdy-client.js';
import {
  type RuntimeOutputKind,
  type RuntimeRemoteCommand,
  type RuntimeRemoteCommandEvents,
  runtimeStreamProtocol,
} from './containerd-stream.js';
import type { RemoteCommandStreams } from './remote-command.js';

export async function connectSpdyRemoteCommand(
  url: string,
  streams: RemoteCommandStreams,
): Promise<RuntimeRemoteCommand> {
  const { session } = await connectSpdy(url, [runtimeStreamProtocol]);
  return new SpdyRemoteCommand(session, streams);
}

class SpdyRemoteCommand extends EventEmitter<RuntimeRemoteCommandEvents> implements RuntimeRemoteCommand {
  readonly transport = 'spdy';
  readonly #session: SpdySession;
  readonly #stdin: SpdyStream | undefined;
  readonly #resize: SpdyStream | undefined;
  #closed = false;

  constructor(session: SpdySession, streams: RemoteCommandStreams) {
    super();
    this.#session = session;
    const open = (type: string) => {
      const stream = session.openStream({ streamtype: type });
      // A reset or a write after the session went is not worth a crash; 'close' covers the ending.
      stream.on('error', () => {});
      return stream;
    };
    const readers: Array<[RuntimeOutputKind, SpdyStream]> = [['status', open('error')]];
    this.#stdin = streams.stdin ? open('stdin') : undefined;
    if (streams.stdout) readers.push(['stdout', open('stdout')]);
    if (streams.stderr && !streams.tty) readers.push(['stderr', open('stderr')]);
    this.#resize = streams.tty ? open('resize') : undefined;
    // The server sends nothing on stdin and resize, but its FIN (the process exited) must be read.
    this.#stdin?.resume();
    this.#resize?.resume();

    // Done once every stream the server writes on has ended: FIN, reset, or the session going away
    // (a stream's buffered data is still delivered before its 'end').
    let remaining = readers.length;
    for (const [kind, stream] of readers) {
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        remaining -= 1;
        if (remaining === 0) this.#finish();
      };
      stream.on('data', (data: Buffer) => {
        if (data.length > 0) this.emit('output', kind, data);
      });
      stream.on('end', end);
      stream.on('close', end);
    }
  }

  writeStdin(data: Buffer): void {
    if (data.length > 0 && writable(this.#stdin)) this.#stdin.write(data);
  }

  endStdin(): void {
    if (writable(this.#stdin)) this.#stdin.end();
  }

  resize(data: Buffer): void {
    if (writable(this.#resize)) this.#resize.write(data);
  }

  close(): void {
    this.#session.close();
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#session.close();
    this.emit('close');
  }
}

function writable(stream: SpdyStream | undefined): stream is SpdyStream {
  return stream !== undefined && !stream.writableEnded && !stream.destroyed;
}
