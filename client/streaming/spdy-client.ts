/**
 * The client side of apimachinery's SPDY/3.1 upgrade (httpstream): what kubectl does toward a kubelet,
 * and what the node does toward containerd's stream server (the kubelet's streaming library).
 *
 *   POST <url>  Connection: Upgrade, Upgrade: SPDY/3.1,
 *               X-Stream-Protocol-Version: <each offered version, preferred first>
 *   ← 101 Switching Protocols, Upgrade: SPDY/3.1, X-Stream-Protocol-Version: <the chosen one>
 *
 * and then SPDY frames on the same socket, this end as the client (odd stream ids). Any other answer is
 * a refusal: 400 (not an upgrade it accepts), 403 (no common version), 404 (an unknown or spent token).
 */
import http from 'node:http';
import https from 'node:https';
import { StreamingError } from './errors.js';
import { SpdySession } from './spdy.js';

export interface SpdyClientOptions {
  /** Extra request headers. */
  headers?: Record<string, string>;
  /**
   * Flow control, both default false: the servers this connects to (Go's spdystream) neither send
   * WINDOW_UPDATE nor read ours once they are done (see `SpdySessionOptions.grantWindow`).
   */
  respectPeerWindow?: boolean;
  grantWindow?: boolean;
  ca?: string | Buffer;
}

export interface SpdyClientConnection {
  session: SpdySession;
  /** The version the server chose ('' when the client offered none). */
  protocol: string;
}

export function connectSpdy(
  url: string,
  protocols: readonly string[],
  options: SpdyClientOptions = {},
): Promise<SpdyClientConnection> {
  const target = new URL(url);
  const secure = target.protocol === 'https:' || target.protocol === 'wss:';
  return new Promise((resolve, reject) => {
    const requestOptions = {
      method: 'POST',
      hostname: target.hostname.replace(/^\[|\]$/g, ''),
      port: target.port === '' ? (secure ? 443 : 80) : Number(target.port),
      path: `${target.pathname}${target.search}`,
      headers: {
        ...options.headers,
        Connection: 'Upgrade',
        Upgrade: 'SPDY/3.1',
        // Node sends an array as one header line per value, as Go's client does.
        ...(protocols.length > 0 ? { 'X-Stream-Protocol-Version': [...protocols] } : {}),
        'Content-Length': '0',
      },
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
      if (response.statusCode !== 101) return fail(`SPDY upgrade answered ${response.statusCode}`);
      const upgrade = String(response.headers.upgrade ?? '').toLowerCase();
      if (!upgrade.includes('spdy/3.1')) return fail(`SPDY upgrade answered with Upgrade: ${upgrade}`);
      const chosen = response.headers['x-stream-protocol-version'];
      const protocol = typeof chosen === 'string' ? chosen : '';
      if (protocols.length > 0 && !protocols.includes(protocol)) {
        return fail(
          `server chose stream protocol ${JSON.stringify(protocol)}, not one of ${JSON.stringify(protocols)}`,
        );
      }
      if (head.length > 0) socket.unshift(head);
      const session = new SpdySession(socket, {
        role: 'client',
        respectPeerWindow: options.respectPeerWindow ?? false,
        grantWindow: options.grantWindow ?? false,
      });
      resolve({ session, protocol });
    });
    // A refusal is an ordinary response: read its body (the reason) into the error.
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
            `SPDY upgrade answered ${response.statusCode}${body === '' ? '' : `: ${body}`}`,
            { statusCode: response.statusCode ?? 0 },
          ),
        );
      });
    });
    request.on('error', (error) =>
      reject(
        new StreamingError('SKIFF_ERR_STREAM_HANDSHAKE', `SPDY connect: ${error.message}`, { cause: error }),
      ),
    );
    request.end();
  });
}
