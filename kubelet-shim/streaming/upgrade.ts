/**
 * The HTTP side of the streaming endpoints, before any framing: which upgrade a request asks for, the
 * protocol versions it offers, and the raw 101 / error answers on the socket.
 *
 * SPDY negotiation is apimachinery's httpstream handshake: the client lists versions in one or more
 * `X-Stream-Protocol-Version` headers (preferred first); the server picks the first one it supports and
 * echoes it in the 101. A client that offers none gets the oldest behaviour (empty version).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { isWebSocketRequest, writeHttpError } from '../../client/streaming/websocket.js';

export { writeHttpError } from '../../client/streaming/websocket.js';

export type UpgradeKind = 'websocket' | 'spdy' | 'none';

export function upgradeKind(request: IncomingMessage): UpgradeKind {
  if (isWebSocketRequest(request)) return 'websocket';
  const upgrade = request.headers.upgrade;
  if (typeof upgrade === 'string' && upgrade.toLowerCase().startsWith('spdy/3.1')) return 'spdy';
  return 'none';
}

/** The `X-Stream-Protocol-Version` values offered, in order (repeated headers and comma lists alike). */
export function offeredStreamProtocols(request: IncomingMessage): string[] {
  const offered: string[] = [];
  for (let index = 0; index < request.rawHeaders.length; index += 2) {
    if (request.rawHeaders[index]!.toLowerCase() !== 'x-stream-protocol-version') continue;
    for (const part of request.rawHeaders[index + 1]!.split(',')) {
      const value = part.trim();
      if (value !== '') offered.push(value);
    }
  }
  return offered;
}

/**
 * Picks the client's most preferred version the server supports. undefined when the client offered
 * versions and none fits; '' when it offered none (legacy clients).
 */
export function negotiateStreamProtocol(
  offered: readonly string[],
  supported: readonly string[],
): string | undefined {
  if (offered.length === 0) return '';
  return offered.find((protocol) => supported.includes(protocol));
}

/** Answers the SPDY upgrade with 101, echoing the chosen version (omitted when none was negotiated). */
export function acceptSpdyUpgrade(socket: Duplex, protocol: string): void {
  const lines = ['HTTP/1.1 101 Switching Protocols', 'Connection: Upgrade', 'Upgrade: SPDY/3.1'];
  if (protocol !== '') lines.push(`X-Stream-Protocol-Version: ${protocol}`);
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
}

/** The httpstream handshake's refusal: 403 naming both sides' versions, as upstream words it. */
export function refuseStreamProtocol(
  socket: Duplex,
  offered: readonly string[],
  supported: readonly string[],
): void {
  writeHttpError(
    socket,
    403,
    `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server supports [${supported.join(' ')}]`,
    supported.map((protocol) => `X-Stream-Protocol-Version: ${protocol}\r\n`).join(''),
  );
}
