/**
 * Errors of the streaming transports (WebSocket, SPDY). They are the connection's own failures, not
 * Kubernetes `Status`es: a handshake the peer refused, bytes that break the protocol, a connection that
 * went away. Callers branch on `code`.
 */
export const streamingErrorCodes = [
  /** The peer did not answer the upgrade with 101, or answered it wrongly (accept hash, subprotocol). */
  'SKIFF_ERR_STREAM_HANDSHAKE',
  /** The peer sent bytes the protocol forbids (an unmasked client frame, a bad SPDY version, …). */
  'SKIFF_ERR_STREAM_PROTOCOL',
  /** A message or frame larger than this end accepts. */
  'SKIFF_ERR_STREAM_TOO_LARGE',
  /** The connection closed before the operation finished. */
  'SKIFF_ERR_STREAM_CLOSED',
] as const;

export type StreamingErrorCode = (typeof streamingErrorCodes)[number];

export class StreamingError extends Error {
  override readonly name = 'StreamingError';
  readonly code: StreamingErrorCode;
  /** For handshake failures: the HTTP status the peer answered with. */
  readonly statusCode: number | undefined;

  constructor(
    code: StreamingErrorCode,
    message: string,
    options: { statusCode?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.statusCode = options.statusCode;
  }
}

export function isStreamingError(error: unknown, code?: StreamingErrorCode): error is StreamingError {
  return error instanceof StreamingError && (code === undefined || error.code === code);
}
