/**
 * RFC 6455 WebSocket for both ends, on Node built-ins only.
 *
 * Why not the `ws` package: kubectl 1.31+ offers the subprotocol `SPDY/3.1+portforward.k8s.io`, which
 * contains `/` and `+` — not an RFC 7230 token — and `ws` refuses it with a 400 before any handler runs
 * (kubectl then silently falls back to plain SPDY). Here the subprotocol is whatever the caller chooses
 * from the offered list, echoed byte for byte.
 *
 * - `acceptWebSocket(request, socket, head, choose)` answers an upgrade request on a server socket:
 *   101 with `Sec-WebSocket-Protocol: <chosen>`, or 400 when `choose` finds nothing it speaks.
 * - `connectWebSocket(url, protocols)` opens a client connection (ws:// over TCP, as containerd's
 *   stream server on 127.0.0.1 needs; wss:// too).
 *
 * A `WebSocketConnection` sends and receives whole messages (binary or text), reassembles fragments,
 * masks what a client sends and insists on masks from clients, answers pings, and runs the close
 * handshake. Nothing here throws into the event loop: a broken peer ends in 'close' (with 'error' first
 * only when someone listens for it).
 *
 * Frame layout (RFC 6455 §5.2), for reading the parser below:
 *
 *   byte 0: FIN | RSV1-3 | opcode (4 bits)      byte 1: MASK | length (7 bits: 0-125, 126 → u16, 127 → u64)
 *   [extended length] [4-byte masking key if MASK] payload (XOR-ed with the key, cycling every 4 bytes)
 */
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { type Clock, systemClock } from '../clock.js';
import { ByteQueue } from './byte-queue.js';
import { StreamingError } from './errors.js';

/** The GUID RFC 6455 §1.3 appends to the client's key before hashing it into Sec-WebSocket-Accept. */
const handshakeGuid = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Close codes (RFC 6455 §7.4.1) this module sends or reports. */
export const closeCodes = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  unsupportedData: 1003,
  /** Reported, never sent: the peer's close frame carried no code. */
  noStatus: 1005,
  /** Reported, never sent: the connection dropped without a close frame. */
  abnormal: 1006,
  invalidPayload: 1007,
  policyViolation: 1008,
  messageTooBig: 1009,
  internalError: 1011,
} as const;

const opcodes = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** How long `close()` waits for the peer's close frame (and a client for the server's FIN) before dropping the socket. */
const closeTimeoutMs = 5_000;

export interface WebSocketOptions {
  /** 'client' masks every frame it sends and rejects masked frames; 'server' the other way round. */
  role: 'client' | 'server';
  /** The negotiated subprotocol ('' when none). */
  protocol: string;
  /** Bytes that arrived with the upgrade, before the socket was handed over. */
  head?: Buffer;
  /** Largest message (all fragments together) accepted; bigger ones close the connection with 1009. Default 64 MiB. */
  maxMessageBytes?: number;
  clock?: Clock;
}

export interface SendOptions {
  /** Text messages go as opcode 1 (the data must be UTF-8); default binary. */
  text?: boolean;
  /** Split the message into fragments of at most this many bytes (continuation frames). */
  fragmentBytes?: number;
}

type WebSocketEvents = {
  /** A complete message; `binary` is false for text messages (whose bytes are valid UTF-8). */
  message: [data: Buffer, binary: boolean];
  ping: [data: Buffer];
  pong: [data: Buffer];
  /** The socket took everything queued; `send` may go on after it returned false. */
  drain: [];
  /** Emitted only when listened to; 'close' always follows. */
  error: [error: Error];
  /** Once. `code` is the peer's close code, 1005 when its close frame had none, 1006 when it sent none. */
  close: [code: number, reason: string];
};

type State = 'open' | 'closing' | 'closed';

export class WebSocketConnection extends EventEmitter<WebSocketEvents> {
  readonly protocol: string;
  readonly #socket: Duplex;
  readonly #role: 'client' | 'server';
  readonly #maxMessageBytes: number;
  readonly #clock: Clock;
  readonly #input = new ByteQueue();
  #state: State = 'open';
  /** True once we sent a close frame; we never send another frame after it. */
  #closeSent = false;
  #closeReceived: { code: number; reason: string } | undefined;
  #cancelCloseTimer: (() => void) | undefined;
  /** The message being reassembled from fragments, if any. */
  #fragments: { binary: boolean; parts: Buffer[]; length: number } | undefined;
  /** Header of the frame whose payload has not fully arrived yet. */
  #pending: { fin: boolean; opcode: number; mask: Buffer | undefined; length: number } | undefined;

  constructor(socket: Duplex, options: WebSocketOptions) {
    super();
    this.#socket = socket;
    this.#role = options.role;
    this.protocol = options.protocol;
    this.#maxMessageBytes = options.maxMessageBytes ?? 64 * 1024 * 1024;
    this.#clock = options.clock ?? systemClock;
    if ('setNoDelay' in socket && typeof socket.setNoDelay === 'function') socket.setNoDelay(true);
    socket.on('drain', () => this.emit('drain'));
    // A peer that half-closes has nothing more to say; finish our side too (sockets from an http.Server
    // allow half-open connections, so this does not happen by itself).
    socket.on('end', () => {
      if (!socket.writableEnded) socket.end();
    });
    socket.on('error', (error) => this.#reportError(error));
    socket.on('close', () => this.#closed());
    if (options.head !== undefined) this.#input.push(options.head);
    // Reading starts on the next turn of the event loop: the server may have sent whole messages (even
    // its close) along with the 101, and whoever awaited this connection must have attached its
    // 'message' listener before they are parsed. Promise continuations and nextTicks all run first.
    setImmediate(() => {
      socket.on('data', (chunk: Buffer) => this.#receive(chunk));
      socket.resume();
      this.#receive(Buffer.alloc(0));
    });
  }

  /** True while messages can still be sent. */
  get isOpen(): boolean {
    return this.#state === 'open';
  }

  /** Bytes handed to the socket and not yet written out. */
  get bufferedAmount(): number {
    return this.#socket.writableLength;
  }

  /**
   * Sends one message. Returns false when the socket's buffer is over its high-water mark (wait for
   * 'drain' before sending more) or when the connection is no longer open (the message is dropped).
   */
  send(data: Buffer | Uint8Array | string, options: SendOptions = {}): boolean {
    if (this.#state !== 'open') return false;
    const payload = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
    const opcode = options.text ? opcodes.text : opcodes.binary;
    const step = options.fragmentBytes !== undefined && options.fragmentBytes > 0 ? options.fragmentBytes : 0;
    if (step === 0 || payload.length <= step) return this.#writeFrame(opcode, payload, true);
    let flushed = true;
    for (let offset = 0; offset < payload.length; offset += step) {
      const end = Math.min(payload.length, offset + step);
      flushed = this.#writeFrame(
        offset === 0 ? opcode : opcodes.continuation,
        payload.subarray(offset, end),
        end === payload.length,
      );
    }
    return flushed;
  }

  ping(data: Buffer = Buffer.alloc(0)): void {
    if (this.#state === 'open') this.#writeFrame(opcodes.ping, data.subarray(0, 125), true);
  }

  /**
   * Starts the close handshake: sends a close frame and waits (at most 5 s) for the peer's. Messages
   * that arrive meanwhile are still delivered.
   */
  close(code: number = closeCodes.normal, reason = ''): void {
    if (this.#state !== 'open') return;
    this.#state = 'closing';
    this.#sendClose(code, reason);
    this.#cancelCloseTimer = this.#clock.setTimer(() => this.terminate(), closeTimeoutMs);
  }

  /** Drops the connection at once, without a close handshake. */
  terminate(): void {
    this.#socket.destroy();
  }

  #sendClose(code: number | undefined, reason: string): void {
    if (this.#closeSent) return;
    let payload = Buffer.alloc(0);
    if (code !== undefined) {
      const text = Buffer.from(reason, 'utf8').subarray(0, 123);
      payload = Buffer.allocUnsafe(2 + text.length);
      payload.writeUInt16BE(code, 0);
      text.copy(payload, 2);
    }
    this.#writeFrame(opcodes.close, payload, true);
    this.#closeSent = true;
  }

  #writeFrame(opcode: number, payload: Buffer, fin: boolean): boolean {
    if (this.#closeSent || this.#socket.destroyed || this.#socket.writableEnded) return false;
    const masked = this.#role === 'client';
    const length = payload.length;
    const lengthBytes = length < 126 ? 0 : length < 0x10000 ? 2 : 8;
    const header = Buffer.allocUnsafe(2 + lengthBytes + (masked ? 4 : 0));
    header[0] = (fin ? 0x80 : 0) | opcode;
    header[1] = (masked ? 0x80 : 0) | (lengthBytes === 0 ? length : lengthBytes === 2 ? 126 : 127);
    if (lengthBytes === 2) header.writeUInt16BE(length, 2);
    else if (lengthBytes === 8) header.writeBigUInt64BE(BigInt(length), 2);
    if (!masked) {
      if (length === 0) return this.#socket.write(header);
      this.#socket.write(header);
      return this.#socket.write(payload);
    }
    const key = randomBytes(4);
    key.copy(header, 2 + lengthBytes);
    const body = Buffer.allocUnsafe(length);
    applyMask(payload, key, body);
    return this.#socket.write(Buffer.concat([header, body]));
  }

  #receive(chunk: Buffer): void {
    if (this.#state === 'closed') return;
    this.#input.push(chunk);
    try {
      while (this.#parseOne()) {
        // each call consumes one frame
      }
    } catch (error) {
      if (error instanceof FrameError) this.#fail(error.closeCode, error.message);
      else this.#fail(closeCodes.internalError, String(error));
    }
  }

  /** Parses one frame from the input if it is complete; false when more bytes are needed. */
  #parseOne(): boolean {
    if (this.#state === 'closed' || this.#closeReceived !== undefined) return false;
    if (this.#pending === undefined) {
      if (this.#input.length < 2) return false;
      const first = this.#input.byteAt(0);
      const second = this.#input.byteAt(1);
      const lengthCode = second & 0x7f;
      const lengthBytes = lengthCode === 126 ? 2 : lengthCode === 127 ? 8 : 0;
      const hasMask = (second & 0x80) !== 0;
      const headerLength = 2 + lengthBytes + (hasMask ? 4 : 0);
      if (this.#input.length < headerLength) return false;
      const header = this.#input.take(headerLength);
      if ((first & 0x70) !== 0)
        throw new FrameError(closeCodes.protocolError, 'reserved bits set without an extension');
      if (hasMask !== (this.#role === 'server')) {
        throw new FrameError(
          closeCodes.protocolError,
          this.#role === 'server' ? 'client frame not masked' : 'server frame masked',
        );
      }
      let length = lengthCode;
      if (lengthBytes === 2) length = header.readUInt16BE(2);
      else if (lengthBytes === 8) {
        const big = header.readBigUInt64BE(2);
        if (big > BigInt(Number.MAX_SAFE_INTEGER))
          throw new FrameError(closeCodes.messageTooBig, 'frame too large');
        length = Number(big);
      }
      const opcode = first & 0x0f;
      const fin = (first & 0x80) !== 0;
      if (opcode >= 0x8) {
        if (!fin) throw new FrameError(closeCodes.protocolError, 'fragmented control frame');
        if (length > 125)
          throw new FrameError(closeCodes.protocolError, 'control frame longer than 125 bytes');
      }
      const already = this.#fragments?.length ?? 0;
      if (opcode < 0x8 && already + length > this.#maxMessageBytes) {
        throw new FrameError(closeCodes.messageTooBig, `message larger than ${this.#maxMessageBytes} bytes`);
      }
      const mask = hasMask ? header.subarray(headerLength - 4, headerLength) : undefined;
      this.#pending = { fin, opcode, mask, length };
    }
    const frame = this.#pending;
    if (this.#input.length < frame.length) return false;
    this.#pending = undefined;
    const raw = this.#input.take(frame.length);
    let payload = raw;
    if (frame.mask !== undefined) {
      payload = Buffer.allocUnsafe(raw.length);
      applyMask(raw, frame.mask, payload);
    }
    this.#handleFrame(frame.fin, frame.opcode, payload);
    return true;
  }

  #handleFrame(fin: boolean, opcode: number, payload: Buffer): void {
    switch (opcode) {
      case opcodes.text:
      case opcodes.binary: {
        if (this.#fragments !== undefined)
          throw new FrameError(closeCodes.protocolError, 'new message inside a fragmented one');
        if (fin) {
          this.#deliver(payload, opcode === opcodes.binary);
          return;
        }
        this.#fragments = { binary: opcode === opcodes.binary, parts: [payload], length: payload.length };
        return;
      }
      case opcodes.continuation: {
        const message = this.#fragments;
        if (message === undefined)
          throw new FrameError(closeCodes.protocolError, 'continuation without a message');
        message.parts.push(payload);
        message.length += payload.length;
        if (!fin) return;
        this.#fragments = undefined;
        this.#deliver(Buffer.concat(message.parts, message.length), message.binary);
        return;
      }
      case opcodes.ping:
        if (this.#state === 'open') this.#writeFrame(opcodes.pong, payload, true);
        this.emit('ping', payload);
        return;
      case opcodes.pong:
        this.emit('pong', payload);
        return;
      case opcodes.close:
        this.#handleClose(payload);
        return;
      default:
        throw new FrameError(closeCodes.protocolError, `unknown opcode ${opcode}`);
    }
  }

  #deliver(data: Buffer, binary: boolean): void {
    if (!binary && !isUtf8(data))
      throw new FrameError(closeCodes.invalidPayload, 'text message is not UTF-8');
    this.emit('message', data, binary);
  }

  #handleClose(payload: Buffer): void {
    if (payload.length === 1) throw new FrameError(closeCodes.protocolError, 'close frame of one byte');
    let code: number = closeCodes.noStatus;
    let reason = '';
    if (payload.length >= 2) {
      code = payload.readUInt16BE(0);
      if (!isValidCloseCode(code))
        throw new FrameError(closeCodes.protocolError, `invalid close code ${code}`);
      const text = payload.subarray(2);
      if (!isUtf8(text)) throw new FrameError(closeCodes.invalidPayload, 'close reason is not UTF-8');
      reason = text.toString('utf8');
    }
    this.#closeReceived = { code, reason };
    if (this.#state === 'open') {
      // Echo the peer's code, as RFC 6455 §5.5.1 asks.
      this.#state = 'closing';
      this.#sendClose(code === closeCodes.noStatus ? undefined : code, '');
    }
    // The server closes TCP first (RFC 6455 §7.1.1); a client ending its side as well does no harm and
    // spares a wait when the server is slow to do so.
    this.#socket.end();
    if (this.#role === 'client' && this.#cancelCloseTimer === undefined) {
      this.#cancelCloseTimer = this.#clock.setTimer(() => this.terminate(), closeTimeoutMs);
    }
  }

  #fail(code: number, message: string): void {
    if (this.#state === 'closed') return;
    this.#reportError(
      new StreamingError(
        code === closeCodes.messageTooBig ? 'SKIFF_ERR_STREAM_TOO_LARGE' : 'SKIFF_ERR_STREAM_PROTOCOL',
        message,
      ),
    );
    this.#state = 'closing';
    this.#sendClose(code, message);
    this.#socket.end();
    this.#cancelCloseTimer ??= this.#clock.setTimer(() => this.terminate(), closeTimeoutMs);
  }

  #reportError(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  #closed(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#cancelCloseTimer?.();
    const received = this.#closeReceived;
    this.emit('close', received?.code ?? closeCodes.abnormal, received?.reason ?? '');
  }
}

/** A frame the protocol forbids; carries the close code to fail the connection with. */
class FrameError extends Error {
  readonly closeCode: number;
  constructor(closeCode: number, message: string) {
    super(message);
    this.closeCode = closeCode;
  }
}

/** XORs `source` with the 4-byte `key` into `target` (the same length). */
function applyMask(source: Buffer, key: Buffer, target: Buffer): void {
  const length = source.length;
  let index = 0;
  // Four bytes at a time where alignment allows; the key repeats every 4 bytes, so it lines up.
  if (length >= 8) {
    const word = key.readUInt32LE(0);
    for (; index + 4 <= length; index += 4) {
      target.writeUInt32LE((source.readUInt32LE(index) ^ word) >>> 0, index);
    }
  }
  for (; index < length; index++) target[index] = source[index]! ^ key[index & 3]!;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
function isUtf8(data: Buffer): boolean {
  try {
    utf8Decoder.decode(data);
    return true;
  } catch {
    return false;
  }
}

function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

function acceptKey(key: string): string {
  return createHash('sha1')
    .update(key + handshakeGuid)
    .digest('base64');
}

/** The subprotocols a request offers, in order (the header may repeat and each may list several). */
export function offeredSubprotocols(request: IncomingMessage): string[] {
  const offered: string[] = [];
  for (let index = 0; index < request.rawHeaders.length; index += 2) {
    if (request.rawHeaders[index]!.toLowerCase() !== 'sec-websocket-protocol') continue;
    for (const part of request.rawHeaders[index + 1]!.split(',')) {
      const value = part.trim();
      if (value !== '') offered.push(value);
    }
  }
  return offered;
}

/** Whether an HTTP request asks to upgrade to WebSocket. */
export function isWebSocketRequest(request: IncomingMessage): boolean {
  const upgrade = request.headers.upgrade;
  const connection = request.headers.connection ?? '';
  return (
    typeof upgrade === 'string' &&
    upgrade.toLowerCase() === 'websocket' &&
    connection
      .toLowerCase()
      .split(',')
      .some((token) => token.trim() === 'upgrade')
  );
}

/**
 * Answers a WebSocket upgrade on a server socket (from http.Server's 'upgrade' event). `chooseProtocol`
 * sees the offered subprotocols and returns the one to speak, verbatim, or undefined to refuse: the peer
 * then gets `400 Bad Request` and the socket is closed. Returns the open connection, or undefined when
 * the request was refused.
 */
export function acceptWebSocket(
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  chooseProtocol: (offered: string[]) => string | undefined,
  options: { maxMessageBytes?: number; clock?: Clock } = {},
): WebSocketConnection | undefined {
  const key = request.headers['sec-websocket-key'];
  const refuse = (status: number, message: string, extraHeaders = ''): undefined => {
    writeHttpError(socket, status, message, extraHeaders);
    return undefined;
  };
  if (request.method !== 'GET' || !isWebSocketRequest(request))
    return refuse(400, 'not a websocket upgrade request');
  if (request.headers['sec-websocket-version'] !== '13') {
    return refuse(426, 'unsupported websocket version', 'Sec-WebSocket-Version: 13\r\n');
  }
  if (typeof key !== 'string' || Buffer.from(key, 'base64').length !== 16) {
    return refuse(400, 'missing or invalid Sec-WebSocket-Key');
  }
  const offered = offeredSubprotocols(request);
  const chosen = chooseProtocol(offered);
  if (chosen === undefined) {
    return refuse(400, `none of the offered subprotocols is supported: ${JSON.stringify(offered)}`);
  }
  const lines = [
    'HTTP/1.1 101 Switching Protocols',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Accept: ${acceptKey(key)}`,
  ];
  if (chosen !== '') lines.push(`Sec-WebSocket-Protocol: ${chosen}`);
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  return new WebSocketConnection(socket, { role: 'server', protocol: chosen, head, ...options });
}

/** Writes a plain-text HTTP error on a raw (not yet upgraded) socket and closes it. */
export function writeHttpError(socket: Duplex, status: number, message: string, extraHeaders = ''): void {
  const body = Buffer.from(`${message}\n`, 'utf8');
  const reason = http.STATUS_CODES[status] ?? 'Error';
  socket.on('error', () => {
    // the peer may already be gone; nothing to tell it
  });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\n` +
      `Connection: close\r\n${extraHeaders}\r\n${body.toString('utf8')}`,
  );
}

/**
 * Opens a client WebSocket to `url` (ws://, wss://, or http(s):// meaning the same) offering
 * `protocols`. Resolves once the server answered 101 with a valid accept hash and one of the offered
 * subprotocols; rejects with a `SKIFF_ERR_STREAM_HANDSHAKE` error (carrying the HTTP status) otherwise.
 */
export function connectWebSocket(
  url: string,
  protocols: readonly string[],
  options: {
    headers?: Record<string, string>;
    maxMessageBytes?: number;
    clock?: Clock;
    ca?: string | Buffer;
  } = {},
): Promise<WebSocketConnection> {
  const target = new URL(url);
  const secure = target.protocol === 'wss:' || target.protocol === 'https:';
  const key = randomBytes(16).toString('base64');
  const headers: Record<string, string> = {
    ...options.headers,
    Connection: 'Upgrade',
    Upgrade: 'websocket',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': key,
  };
  if (protocols.length > 0) headers['Sec-WebSocket-Protocol'] = protocols.join(', ');
  return new Promise((resolve, reject) => {
    const requestOptions = {
      method: 'GET',
      hostname: target.hostname.replace(/^\[|\]$/g, ''),
      port: target.port === '' ? (secure ? 443 : 80) : Number(target.port),
      path: `${target.pathname}${target.search}`,
      headers,
      agent: false as const,
      ...(options.ca === undefined ? {} : { ca: options.ca }),
    };
    const request = secure ? https.request(requestOptions) : http.request(requestOptions);
    request.on('upgrade', (response, socket, head) => {
      const fail = (message: string) => {
        socket.destroy();
        reject(
          new StreamingError('SKIFF_ERR_STREAM_HANDSHAKE', message, { statusCode: response.statusCode ?? 0 }),
        );
      };
      if (response.statusCode !== 101) return fail(`websocket upgrade answered ${response.statusCode}`);
      if (response.headers['sec-websocket-accept'] !== acceptKey(key))
        return fail('wrong Sec-WebSocket-Accept');
      const chosen = response.headers['sec-websocket-protocol'];
      const protocol = typeof chosen === 'string' ? chosen : '';
      if (protocols.length > 0 && !protocols.includes(protocol)) {
        return fail(
          `server chose subprotocol ${JSON.stringify(protocol)}, not one of ${JSON.stringify(protocols)}`,
        );
      }
      resolve(
        new WebSocketConnection(socket, {
          role: 'client',
          protocol,
          head,
          ...(options.maxMessageBytes === undefined ? {} : { maxMessageBytes: options.maxMessageBytes }),
          ...(options.clock === undefined ? {} : { clock: options.clock }),
        }),
      );
    });
    request.on('response', (response) => {
      const parts: Buffer[] = [];
      let length = 0;
      response.on('data', (chunk: Buffer) => {
        if (length < 4096) parts.push(chunk);
        length += chunk.length;
      });
      response.on('error', () => {
        // the body is only used for the message
      });
      response.on('end', () => {
        const body = Buffer.concat(parts).toString('utf8').slice(0, 4096).trim();
        reject(
          new StreamingError(
            'SKIFF_ERR_STREAM_HANDSHAKE',
            `websocket upgrade answered ${response.statusCode}${body === '' ? '' : `: ${body}`}`,
            { statusCode: response.statusCode ?? 0 },
          ),
        );
      });
    });
    request.on('error', (error) =>
      reject(
        new StreamingError('SKIFF_ERR_STREAM_HANDSHAKE', `websocket connect: ${error.message}`, {
          cause: error,
        }),
      ),
    );
    request.end();
  });
}
