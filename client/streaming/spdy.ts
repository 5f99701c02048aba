/**
 * SPDY/3.1 sessions — the framing kubectl's exec/attach (≤1.29, and fallback) and port-forward (every
 * version; 1.31+ inside WebSocket) speak, and the one the kubelet and containerd stream servers answer.
 *
 * A `SpdySession` runs over any Duplex: a raw upgraded socket, or a WebSocket turned into a byte stream
 * (`webSocketStream`). Each SPDY stream is a Node Duplex (`SpdyStream`): what you write goes out as DATA
 * frames, `end()` sends FLAG_FIN (half-close), and the readable side ends when the peer's FIN arrives.
 *
 * Frames (SPDY/3 §2.2), all big-endian:
 *
 *   control: 1 | version(15)=3 | type(16) | flags(8) | length(24) | payload
 *   data:    0 | stream id(31)            | flags(8) | length(24) | payload
 *
 *   SYN_STREAM(1)  stream id, associated id, priority(3 bits)+unused, slot, compressed header block
 *   SYN_REPLY(2)   stream id, header block          RST_STREAM(3)  stream id, status
 *   SETTINGS(4)    count, (flags(8) id(24) value)…  PING(6)        id (client odd, server even)
 *   GOAWAY(7)      last good stream id, status      HEADERS(8)     stream id, header block
 *   WINDOW_UPDATE(9) stream id (0 = the session), delta
 *
 * Flow control (SPDY/3.1 §2.6.8): each stream and the session as a whole start with a 64 KiB window in
 * each direction. The receiver grants more with WINDOW_UPDATE as its reader consumes bytes; this end
 * does so from the stream's `_read`, so a reader that stops reading stops the peer. Go's spdystream —
 * the library inside kubectl, the kubelet and containerd — neither sends WINDOW_UPDATE nor obeys it;
 * against it, construct the session with `respectPeerWindow: false`, and its bytes beyond the window are
 * held back by pausing the transport instead (TCP's own backpressure, as spdystream expects).
 *
 * kubectl's SYN_STREAMs carry only `streamtype` (and `port`/`requestid` for port-forward), no
 * `:method`/`:path`; nothing here requires them.
 */
import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import { ByteQueue } from './byte-queue.js';
import { StreamingError } from './errors.js';
import { HeaderDecoder, HeaderEncoder, type SpdyHeaders } from './spdy-headers.js';

export type { SpdyHeaders } from './spdy-headers.js';

const spdyVersion = 3;
const frameTypes = {
  synStream: 1,
  synReply: 2,
  rstStream: 3,
  settings: 4,
  ping: 6,
  goAway: 7,
  headers: 8,
  windowUpdate: 9,
} as const;
const flagFin = 0x01;
const settingsInitialWindowSize = 7;
/** The window every stream and the session start with (SPDY/3.1 §2.6.8). */
export const defaultWindowBytes = 64 * 1024;
/** Largest DATA payload this end sends in one frame (the format allows 16 MiB; small frames interleave streams). */
const maxDataFrameBytes = 32 * 1024;
/** Largest frame accepted from the peer. */
const maxFrameBytes = 16 * 1024 * 1024 - 1;

/** RST_STREAM status codes (SPDY/3 §2.6.3). */
export const rstStatus = {
  protocolError: 1,
  invalidStream: 2,
  refusedStream: 3,
  unsupportedVersion: 4,
  cancel: 5,
  internalError: 6,
  flowControlError: 7,
  streamInUse: 8,
  streamAlreadyClosed: 9,
  frameTooLarge: 11,
} as const;

/** GOAWAY status codes (SPDY/3 §2.6.6). */
export const goAwayStatus = { ok: 0, protocolError: 1, internalError: 2 } as const;

export interface SpdySessionOptions {
  /** A client opens odd-numbered streams and pings; a server even. */
  role: 'client' | 'server';
  /**
   * Hold DATA back when the peer's window is used up, until its WINDOW_UPDATE. Default true; false for
   * Go spdystream peers (kubectl, kubelet, containerd), which never send WINDOW_UPDATE.
   */
  respectPeerWindow?: boolean;
  /**
   * Send WINDOW_UPDATE as our reader consumes bytes. Default true; false toward a Go spdystream server
   * that closes the connection right after its last frame: a WINDOW_UPDATE still in flight then reaches
   * a socket that no longer reads, its kernel answers with a TCP reset, and a reset can discard the
   * peer's last frames (the exit Status) before this end has read them.
   */
  grantWindow?: boolean;
}

type SessionEvents = {
  /** The peer opened a stream (SYN_STREAM). Answer with `stream.respond()` (or just write). */
  stream: [stream: SpdyStream];
  /** The peer answered one of our pings. */
  pong: [id: number];
  goaway: [lastGoodStreamId: number, status: number];
  /** Emitted only when listened to; 'close' follows. */
  error: [error: Error];
  /** Once, when the transport is gone; every stream has been ended or destroyed. */
  close: [];
};

/** A frame read off the wire, before its header block (if any) is decompressed. */
interface RawFrame {
  control: boolean;
  /** Control: the frame type. Data: the stream id. */
  typeOrStream: number;
  flags: number;
  payload: Buffer;
}

/** An item of the output queue: header-bearing frames wait for compression, later frames queue behind them. */
interface OutputItem {
  bytes: Buffer | undefined;
}

export class SpdySession extends EventEmitter<SessionEvents> {
  readonly #transport: Duplex;
  readonly #role: 'client' | 'server';
  readonly #respectPeerWindow: boolean;
  readonly #grantWindowUpdates: boolean;
  readonly #encoder = new HeaderEncoder();
  readonly #decoder = new HeaderDecoder();
  readonly #input = new ByteQueue();
  readonly #frames: RawFrame[] = [];
  #processing = false;
  readonly #output: OutputItem[] = [];
  readonly #streams = new Map<number, SpdyStream>();
  #nextStreamId: number;
  #nextPingId: number;
  #lastPeerStreamId = 0;
  #goneAway = false;
  #closed = false;
  /** The transport ended or closed; the session closes once the frames already read are handled. */
  #inputEnded = false;
  /** The peer's initial window for new streams (SETTINGS can change it). */
  #peerInitialWindow = defaultWindowBytes;
  /** How many more bytes the session-level window lets us send. */
  #sendWindow = defaultWindowBytes;
  /** Streams waiting for window (or for the transport to drain) to send their queued DATA. */
  readonly #blocked = new Set<SpdyStream>();
  /** Streams whose readable buffer is full; the transport stays paused while any remain. */
  readonly #backedUp = new Set<SpdyStream>();

  constructor(transport: Duplex, options: SpdySessionOptions) {
    super();
    this.#transport = transport;
    this.#role = options.role;
    this.#respectPeerWindow = options.respectPeerWindow ?? true;
    this.#grantWindowUpdates = options.grantWindow ?? true;
    this.#nextStreamId = options.role === 'client' ? 1 : 2;
    this.#nextPingId = options.role === 'client' ? 1 : 2;
    // WINDOW_UPDATEs and PINGs are tiny; Nagle's algorithm would hold them back behind delayed ACKs.
    if ('setNoDelay' in transport && typeof transport.setNoDelay === 'function') transport.setNoDelay(true);
    transport.on('data', (chunk: Buffer) => this.#receive(chunk));
    transport.on('drain', () => this.#flushBlocked());
    transport.on('end', () => {
      if (!transport.writableEnded) transport.end();
      this.#inputDone();
    });
    transport.on('error', (error) => this.#reportError(error));
    transport.on('close', () => this.#inputDone());
    transport.resume();
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /** Opens a stream (SYN_STREAM). `fin` half-closes our side at once (for streams we only read). */
  openStream(headers: SpdyHeaders, options: { fin?: boolean } = {}): SpdyStream {
    if (this.#closed || this.#goneAway) {
      throw new StreamingError('SKIFF_ERR_STREAM_CLOSED', 'the SPDY session is closed or going away');
    }
    const id = this.#nextStreamId;
    this.#nextStreamId += 2;
    const stream = new SpdyStream(this.#controller(), id, headers, true);
    this.#streams.set(id, stream);
    const fixed = Buffer.alloc(10);
    fixed.writeUInt32BE(id, 0);
    fixed.writeUInt32BE(0, 4);
    fixed[8] = 0; // priority 0 (highest), slot 0
    this.#queueHeaderFrame(frameTypes.synStream, options.fin ? flagFin : 0, fixed, headers);
    if (options.fin) {
      stream.markLocalFinSent();
      stream.end();
    }
    return stream;
  }

  /** Sends a PING; the peer's echo comes back as a 'pong' event with the same id. */
  ping(): number {
    const id = this.#nextPingId;
    this.#nextPingId = (this.#nextPingId + 2) % 0x80000000 || (this.#role === 'client' ? 1 : 2);
    this.#writeControl(frameTypes.ping, 0, u32(id));
    return id;
  }

  /** Asks the peer for new window on the session (used internally; exposed for tests). */
  get sendWindow(): number {
    return this.#sendWindow;
  }

  /** Sends GOAWAY and ends the transport once everything queued is written. Open streams are not waited for. */
  close(status: number = goAwayStatus.ok): void {
    if (this.#closed) return;
    this.#sendGoAway(status);
    this.#whenFlushed(() => this.#transport.end());
  }

  /** Drops the transport at once. */
  destroy(): void {
    this.#transport.destroy();
  }

  // --- reading -------------------------------------------------------------------------------------

  #receive(chunk: Buffer): void {
    if (this.#closed) return;
    this.#input.push(chunk);
    while (this.#input.length >= 8) {
      const length = this.#input.peek(8).readUInt32BE(4) & 0xffffff;
      if (length > maxFrameBytes) {
        this.#protocolFailure('frame too large');
        return;
      }
      if (this.#input.length < 8 + length) break;
      const frame = this.#input.take(8 + length);
      const first = frame.readUInt32BE(0);
      const control = (first & 0x80000000) !== 0;
      if (control && ((first >>> 16) & 0x7fff) !== spdyVersion) {
        this.#protocolFailure(`unsupported SPDY version ${(first >>> 16) & 0x7fff}`);
        return;
      }
      this.#frames.push({
        control,
        typeOrStream: control ? first & 0xffff : first & 0x7fffffff,
        flags: frame[4]!,
        payload: frame.subarray(8),
      });
    }
    this.#process();
  }

  /**
   * Handles queued frames in order. Frames with header blocks wait for zlib (asynchronous in Node);
   * later frames wait behind them, so a DATA frame never overtakes the SYN_STREAM that opened its stream.
   */
  #process(): void {
    if (this.#processing) return;
    this.#processing = true;
    const run = async () => {
      try {
        for (let frame = this.#frames.shift(); frame !== undefined; frame = this.#frames.shift()) {
          if (this.#closed) break;
          const pending = this.#handle(frame);
          if (pending !== undefined) await pending;
        }
      } catch (error) {
        this.#protocolFailure(error instanceof Error ? error.message : String(error));
      } finally {
        this.#processing = false;
        if (this.#inputEnded) this.#teardown();
      }
    };
    void run();
  }

  #handle(frame: RawFrame): Promise<void> | undefined {
    if (!frame.control) {
      this.#handleData(frame.typeOrStream, frame.flags, frame.payload);
      return undefined;
    }
    const payload = frame.payload;
    switch (frame.typeOrStream) {
      case frameTypes.synStream:
        if (payload.length < 10) throw new Error('short SYN_STREAM');
        return this.#handleSynStream(payload.readUInt32BE(0) & 0x7fffffff, frame.flags, payload.subarray(10));
      case frameTypes.synReply:
      case frameTypes.headers:
        if (payload.length < 4) throw new Error('short SYN_REPLY/HEADERS');
        return this.#handleReply(payload.readUInt32BE(0) & 0x7fffffff, frame.flags, payload.subarray(4));
      case frameTypes.rstStream: {
        if (payload.length < 8) throw new Error('short RST_STREAM');
        const stream = this.#streams.get(payload.readUInt32BE(0) & 0x7fffffff);
        if (stream !== undefined) {
          this.#forget(stream);
          stream.receiveReset(payload.readUInt32BE(4));
        }
        return undefined;
      }
      case frameTypes.settings:
        this.#handleSettings(payload);
        return undefined;
      case frameTypes.ping: {
        if (payload.length < 4) throw new Error('short PING');
        const id = payload.readUInt32BE(0);
        // Ids of the peer's parity are its pings (echo them); ids of ours are answers to our pings.
        const ours = (id % 2 === 1) === (this.#role === 'client');
        if (ours) this.emit('pong', id);
        else this.#writeControl(frameTypes.ping, 0, payload.subarray(0, 4));
        return undefined;
      }
      case frameTypes.goAway: {
        const last = payload.length >= 4 ? payload.readUInt32BE(0) & 0x7fffffff : 0;
        const status = payload.length >= 8 ? payload.readUInt32BE(4) : 0;
        this.#goneAway = true;
        this.emit('goaway', last, status);
        return undefined;
      }
      case frameTypes.windowUpdate: {
        if (payload.length < 8) throw new Error('short WINDOW_UPDATE');
        const id = payload.readUInt32BE(0) & 0x7fffffff;
        const delta = payload.readUInt32BE(4) & 0x7fffffff;
        if (id === 0) this.#sendWindow += delta;
        else this.#streams.get(id)?.addSendWindow(delta);
        this.#flushBlocked();
        return undefined;
      }
      default:
        // Unknown control frames are ignored (SPDY/3 §2.2.1), like CREDENTIAL (10).
        return undefined;
    }
  }

  async #handleSynStream(id: number, flags: number, block: Buffer): Promise<void> {
    // Decompress even when refusing the stream: the zlib context must see every block.
    const headers = await this.#decoder.decode(block);
    const expectedParity = this.#role === 'server' ? 1 : 0;
    if (id === 0 || id % 2 !== expectedParity || id <= this.#lastPeerStreamId) {
      return this.#protocolFailure(`invalid stream id ${id} in SYN_STREAM`);
    }
    this.#lastPeerStreamId = id;
    if (this.#goneAway) {
      this.#writeRst(id, rstStatus.refusedStream);
      return;
    }
    const stream = new SpdyStream(this.#controller(), id, headers, false);
    this.#streams.set(id, stream);
    if ((flags & flagFin) !== 0) stream.receiveEnd();
    if (this.listenerCount('stream') === 0) {
      stream.reset(rstStatus.refusedStream);
      return;
    }
    this.emit('stream', stream);
  }

  async #handleReply(id: number, flags: number, block: Buffer): Promise<void> {
    const headers = await this.#decoder.decode(block);
    const stream = this.#streams.get(id);
    if (stream === undefined) return;
    stream.receiveReply(headers);
    if ((flags & flagFin) !== 0) this.#remoteFinished(stream);
  }

  #handleData(id: number, flags: number, data: Buffer): void {
    const stream = this.#streams.get(id);
    if (stream === undefined) {
      // A stream that was never opened gets a reset; one that finished or was reset a moment ago may
      // still have DATA in flight, which is dropped quietly.
      const peerParity = this.#role === 'server' ? 1 : 0;
      const neverOpened = id % 2 === peerParity ? id > this.#lastPeerStreamId : id >= this.#nextStreamId;
      if (id !== 0 && neverOpened) this.#writeRst(id, rstStatus.invalidStream);
      return;
    }
    if (stream.remoteEnded) {
      this.#writeRst(id, rstStatus.streamAlreadyClosed);
      return;
    }
    if (data.length > 0) {
      if (!stream.receiveData(data)) {
        this.#backedUp.add(stream);
        this.#transport.pause();
      }
    }
    if ((flags & flagFin) !== 0) this.#remoteFinished(stream);
  }

  #handleSettings(payload: Buffer): void {
    if (payload.length < 4) return;
    const count = payload.readUInt32BE(0);
    for (let index = 0; index < count && 4 + index * 8 + 8 <= payload.length; index++) {
      const id = payload.readUInt32BE(4 + index * 8) & 0xffffff;
      const value = payload.readUInt32BE(8 + index * 8);
      if (id === settingsInitialWindowSize) {
        // Applies to every stream, retroactively (SPDY/3 §2.6.8): shift open windows by the difference.
        const difference = value - this.#peerInitialWindow;
        this.#peerInitialWindow = value;
        for (const stream of this.#streams.values()) stream.addSendWindow(difference);
      }
    }
    this.#flushBlocked();
  }

  #remoteFinished(stream: SpdyStream): void {
    stream.receiveEnd();
    if (stream.localFinished) this.#forget(stream);
  }

  #forget(stream: SpdyStream): void {
    this.#streams.delete(stream.id);
    this.#blocked.delete(stream);
    this.#unblockReader(stream);
  }

  #unblockReader(stream: SpdyStream): void {
    if (this.#backedUp.delete(stream) && this.#backedUp.size === 0 && !this.#closed) this.#transport.resume();
  }

  // --- writing -------------------------------------------------------------------------------------

  /** What a stream may ask of its session; kept narrow so streams cannot reach the rest. */
  #controller(): StreamController {
    return {
      respectPeerWindow: this.#respectPeerWindow,
      initialSendWindow: () => this.#peerInitialWindow,
      sendReply: (stream, headers, fin) => {
        this.#queueHeaderFrame(frameTypes.synReply, fin ? flagFin : 0, u32(stream.id), headers);
        if (fin) this.#localFinished(stream);
      },
      trySend: (stream) => this.#trySend(stream),
      sendRst: (stream, status) => {
        this.#forget(stream);
        this.#writeRst(stream.id, status);
      },
      consumed: (stream, bytes) => this.#grantWindow(stream, bytes),
      readerReady: (stream) => this.#unblockReader(stream),
      isClosed: () => this.#closed,
    };
  }

  /**
   * Sends as much of the stream's queued DATA as the windows allow. Returns true when all of it (and its
   * FIN, if asked for) went out; otherwise the stream stays in `#blocked` until a WINDOW_UPDATE or 'drain'.
   */
  #trySend(stream: SpdyStream): boolean {
    if (this.#closed) return true;
    for (;;) {
      const pending = stream.peekPending();
      if (pending === undefined) break;
      if (pending.length === 0) {
        stream.takePending(0);
        continue;
      }
      let allowed = Math.min(pending.length, maxDataFrameBytes);
      if (this.#respectPeerWindow) allowed = Math.min(allowed, stream.sendWindow, this.#sendWindow);
      if (allowed <= 0) {
        this.#blocked.add(stream);
        return false;
      }
      const part = stream.takePending(allowed);
      stream.addSendWindow(-part.length);
      this.#sendWindow -= part.length;
      const last = stream.pendingBytes === 0 && stream.finQueued;
      this.#writeData(stream.id, last ? flagFin : 0, part);
      if (last) {
        stream.markLocalFinSent();
        this.#localFinished(stream);
      }
    }
    if (stream.finQueued && !stream.localFinished) {
      this.#writeData(stream.id, flagFin, Buffer.alloc(0));
      stream.markLocalFinSent();
      this.#localFinished(stream);
    }
    this.#blocked.delete(stream);
    if (this.#transport.writableNeedDrain) {
      // Written, but the transport is full: the stream's write callback waits for 'drain'.
      this.#blocked.add(stream);
      return false;
    }
    return true;
  }

  #flushBlocked(): void {
    for (const stream of [...this.#blocked]) {
      if (this.#transport.writableNeedDrain) return;
      if (this.#trySend(stream)) stream.sendCompleted();
    }
  }

  #localFinished(stream: SpdyStream): void {
    if (stream.remoteEnded) this.#forget(stream);
  }

  /** Grants the peer window for bytes a stream's reader consumed (the stream decides the batches). */
  #grantWindow(stream: SpdyStream, bytes: number): void {
    if (this.#closed || bytes <= 0 || !this.#grantWindowUpdates) return;
    if (this.#streams.has(stream.id) && !stream.remoteEnded) {
      this.#writeControl(frameTypes.windowUpdate, 0, u32pair(stream.id, bytes));
    }
    // The session window is granted back alongside (the stream already batches), so it never lags the
    // sum of the streams' grants — bytes consumed on a stream that has since ended count too.
    this.#writeControl(frameTypes.windowUpdate, 0, u32pair(0, bytes));
  }

  #sendGoAway(status: number): void {
    if (this.#goneAway && status === goAwayStatus.ok) return;
    this.#goneAway = true;
    this.#writeControl(frameTypes.goAway, 0, u32pair(this.#lastPeerStreamId, status));
  }

  #writeRst(id: number, status: number): void {
    this.#writeControl(frameTypes.rstStream, 0, u32pair(id, status));
  }

  #writeControl(type: number, flags: number, payload: Buffer): void {
    this.#enqueue(Buffer.concat([controlHeader(type, flags, payload.length), payload]));
  }

  #writable(): boolean {
    return !this.#closed && !this.#transport.writableEnded && !this.#transport.destroyed;
  }

  #writeData(id: number, flags: number, payload: Buffer): void {
    const header = Buffer.allocUnsafe(8);
    header.writeUInt32BE(id & 0x7fffffff, 0);
    header.writeUInt32BE(((flags & 0xff) << 24) | payload.length, 4);
    header[4] = flags;
    if (this.#output.length === 0) {
      if (!this.#writable()) return;
      this.#transport.write(header);
      if (payload.length > 0) this.#transport.write(payload);
      return;
    }
    this.#enqueue(Buffer.concat([header, payload]));
  }

  /** Queues a frame whose header block must be compressed first; frames queued later wait for it. */
  #queueHeaderFrame(type: number, flags: number, fixed: Buffer, headers: SpdyHeaders): void {
    const item: OutputItem = { bytes: undefined };
    this.#output.push(item);
    this.#encoder.encode(headers).then(
      (block) => {
        item.bytes = Buffer.concat([controlHeader(type, flags, fixed.length + block.length), fixed, block]);
        this.#flushOutput();
      },
      (error: unknown) => this.#protocolFailure(`header compression failed: ${String(error)}`),
    );
  }

  #enqueue(bytes: Buffer): void {
    if (this.#closed) return;
    if (this.#output.length === 0) {
      if (this.#writable()) this.#transport.write(bytes);
      return;
    }
    this.#output.push({ bytes });
  }

  #flushOutput(): void {
    while (this.#output.length > 0 && this.#output[0]!.bytes !== undefined) {
      const item = this.#output.shift()!;
      if (this.#writable()) this.#transport.write(item.bytes!);
    }
    if (this.#output.length === 0) for (const callback of this.#flushWaiters.splice(0)) callback();
  }

  readonly #flushWaiters: Array<() => void> = [];
  #whenFlushed(callback: () => void): void {
    if (this.#output.length === 0) callback();
    else this.#flushWaiters.push(callback);
  }

  // --- ending --------------------------------------------------------------------------------------

  /**
   * The transport will deliver nothing more. Frames already read are still handled — a peer often sends
   * its last DATA, FIN and GOAWAY and hangs up at once — and then the session closes.
   */
  #inputDone(): void {
    this.#inputEnded = true;
    if (!this.#processing) this.#teardown();
  }

  #protocolFailure(message: string): void {
    if (this.#closed) return;
    this.#reportError(new StreamingError('SKIFF_ERR_STREAM_PROTOCOL', message));
    this.#sendGoAway(goAwayStatus.protocolError);
    this.#whenFlushed(() => this.#transport.end());
    this.#teardown();
  }

  #reportError(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  #teardown(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const stream of this.#streams.values()) stream.sessionClosed();
    this.#streams.clear();
    this.#blocked.clear();
    this.#backedUp.clear();
    this.#frames.length = 0;
    this.#encoder.close();
    this.#decoder.close();
    this.emit('close');
  }
}

/** The session's side of a stream (see `SpdySession.#controller`). */
interface StreamController {
  readonly respectPeerWindow: boolean;
  initialSendWindow(): number;
  sendReply(stream: SpdyStream, headers: SpdyHeaders, fin: boolean): void;
  trySend(stream: SpdyStream): boolean;
  sendRst(stream: SpdyStream, status: number): void;
  consumed(stream: SpdyStream, bytes: number): void;
  readerReady(stream: SpdyStream): void;
  isClosed(): boolean;
}

/**
 * One SPDY stream. Readable: the peer's DATA, ending at its FIN. Writable: our DATA, `end()` sends FIN.
 * `destroy()` before both sides finished resets the stream (RST_STREAM CANCEL). A reset from the peer
 * ends the readable side and destroys the stream without an error, so nobody needs an 'error' listener.
 */
export class SpdyStream extends Duplex {
  readonly id: number;
  /** For a stream the peer opened: its SYN_STREAM headers. For one we opened: the headers we sent. */
  readonly headers: SpdyHeaders;
  /** For a stream we opened: the SYN_REPLY headers, once they arrived. */
  replyHeaders: SpdyHeaders | undefined;
  readonly #controller: StreamController;
  readonly #initiatedLocally: boolean;
  #replied: boolean;
  #sendWindow: number;
  /** Bytes written by our side and not yet framed, oldest first. */
  readonly #pending: Buffer[] = [];
  #pendingBytes = 0;
  #finQueued = false;
  #finSent = false;
  #remoteEnded = false;
  #reset = false;
  /** The callback of the `_write`/`_final` waiting for window or drain. */
  #sendCallback: ((error?: Error | null) => void) | undefined;
  /** Bytes pushed to the readable side, and how many of them were already granted back as window. */
  #received = 0;
  #granted = 0;

  constructor(controller: StreamController, id: number, headers: SpdyHeaders, initiatedLocally: boolean) {
    // The buffer holds a full window plus slack, so a peer that obeys flow control never fills it.
    super({ allowHalfOpen: true, readableHighWaterMark: defaultWindowBytes * 2 });
    this.#controller = controller;
    this.id = id;
    this.headers = headers;
    this.#initiatedLocally = initiatedLocally;
    this.#replied = initiatedLocally;
    this.#sendWindow = controller.initialSendWindow();
  }

  get sendWindow(): number {
    return this.#sendWindow;
  }
  get remoteEnded(): boolean {
    return this.#remoteEnded;
  }
  get localFinished(): boolean {
    return this.#finSent;
  }
  get wasReset(): boolean {
    return this.#reset;
  }

  /** Answers a stream the peer opened (SYN_REPLY). Writing or ending does it implicitly with no headers. */
  respond(headers: SpdyHeaders = {}, options: { fin?: boolean } = {}): void {
    if (this.#replied || this.#reset || this.#controller.isClosed()) return;
    this.#replied = true;
    if (options.fin) {
      this.#finQueued = true;
      this.#finSent = true;
    }
    this.#controller.sendReply(this, headers, options.fin === true);
    if (options.fin && !this.writableEnded) this.end();
  }

  /** Resets the stream (RST_STREAM) and destroys it. */
  reset(status: number = rstStatus.cancel): void {
    if (this.#reset) return;
    this.#reset = true;
    if (!this.#controller.isClosed() && !(this.#finSent && this.#remoteEnded))
      this.#controller.sendRst(this, status);
    this.#finishReadable();
    this.destroy();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#queueSend(chunk, false, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.#finSent) {
      callback();
      return;
    }
    this.#queueSend(Buffer.alloc(0), true, callback);
  }

  #queueSend(chunk: Buffer, fin: boolean, callback: (error?: Error | null) => void): void {
    if (this.#reset || this.#controller.isClosed()) {
      callback();
      return;
    }
    if (!this.#replied) this.respond();
    if (chunk.length > 0) {
      this.#pending.push(chunk);
      this.#pendingBytes += chunk.length;
    }
    if (fin) this.#finQueued = true;
    if (this.#controller.trySend(this)) callback();
    else this.#sendCallback = callback;
  }

  override _read(): void {
    this.#controller.readerReady(this);
  }

  /**
   * Every way of consuming goes through `read()` (flowing mode calls it in a loop) or hands a pushed
   * chunk straight to 'data' listeners; both are followed by `#grantConsumed`. (`_read` alone would
   * not do: Node calls it before taking the bytes out of the buffer, and not again until the next push —
   * which a peer out of window never sends.)
   */
  override read(size?: number): unknown {
    const chunk: unknown = super.read(size);
    this.#grantConsumed();
    return chunk;
  }

  /** Grants the peer window for what the reader consumed: in batches of half a window, or all once drained. */
  #grantConsumed(): void {
    const grant = this.#received - this.readableLength - this.#granted;
    if (grant >= defaultWindowBytes / 2 || (grant > 0 && this.readableLength === 0)) {
      this.#granted += grant;
      this.#controller.consumed(this, grant);
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.#reset && !(this.#finSent && this.#remoteEnded) && !this.#controller.isClosed()) {
      this.#reset = true;
      this.#controller.sendRst(this, rstStatus.cancel);
    }
    const waiting = this.#sendCallback;
    this.#sendCallback = undefined;
    waiting?.();
    callback(error);
  }

  // Called by the session ---------------------------------------------------------------------------

  peekPending(): Buffer | undefined {
    return this.#pending[0];
  }
  takePending(count: number): Buffer {
    const first = this.#pending[0]!;
    if (count >= first.length) {
      this.#pending.shift();
      this.#pendingBytes -= first.length;
      return first;
    }
    this.#pending[0] = first.subarray(count);
    this.#pendingBytes -= count;
    return first.subarray(0, count);
  }
  get pendingBytes(): number {
    return this.#pendingBytes;
  }
  get finQueued(): boolean {
    return this.#finQueued;
  }
  markLocalFinSent(): void {
    this.#finSent = true;
    this.#finQueued = true;
  }
  addSendWindow(delta: number): void {
    this.#sendWindow += delta;
  }
  /** The queued DATA all went out: release the waiting write. */
  sendCompleted(): void {
    const callback = this.#sendCallback;
    this.#sendCallback = undefined;
    callback?.();
  }
  receiveReply(headers: SpdyHeaders): void {
    if (!this.#initiatedLocally) return;
    this.replyHeaders = { ...this.replyHeaders, ...headers };
    this.emit('response', headers);
  }
  /** Returns false when the readable buffer is full. */
  receiveData(data: Buffer): boolean {
    if (this.#reset || this.destroyed) return true;
    this.#received += data.length;
    const more = this.push(data);
    this.#grantConsumed();
    return more;
  }
  receiveEnd(): void {
    if (this.#remoteEnded) return;
    this.#remoteEnded = true;
    if (!this.destroyed) this.push(null);
  }
  receiveReset(status: number): void {
    if (this.#reset) return;
    this.#reset = true;
    this.emit('reset', status);
    this.#finishReadable();
    this.destroy();
  }
  /**
   * The transport is gone. The readable side ends normally (data already received stays readable — a
   * peer often sends its last DATA and FIN and hangs up at once); writes from now on are dropped.
   */
  sessionClosed(): void {
    this.#finishReadable();
    this.#reset = true;
    const waiting = this.#sendCallback;
    this.#sendCallback = undefined;
    waiting?.();
    if (!this.writableEnded && !this.destroyed) this.end();
  }

  #finishReadable(): void {
    if (!this.#remoteEnded) {
      this.#remoteEnded = true;
      if (!this.destroyed) this.push(null);
    }
  }
}

function controlHeader(type: number, flags: number, length: number): Buffer {
  const header = Buffer.allocUnsafe(8);
  header.writeUInt32BE((0x80000000 | (spdyVersion << 16) | type) >>> 0, 0);
  header.writeUInt32BE(((flags << 24) | length) >>> 0, 4);
  return header;
}

function u32(value: number): Buffer {
  const buffer = Buffer.allocUnsafe(4);
  buffer.writeUInt32BE(value >>> 0, 0);
  return buffer;
}

function u32pair(first: number, second: number): Buffer {
  const buffer = Buffer.allocUnsafe(8);
  buffer.writeUInt32BE(first >>> 0, 0);
  buffer.writeUInt32BE(second >>> 0, 4);
  return buffer;
}
