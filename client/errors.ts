/**
 * The client's own errors (not the server's: those are `StatusError`s). Callers branch on `code`.
 */
export const clientErrorCodes = [
  /** No resource Skiff serves has that kind (or group/version/plural). */
  'SKIFF_ERR_UNKNOWN_RESOURCE',
  /** A ref or object the request cannot be built from (a namespaced write without a namespace). */
  'SKIFF_ERR_INVALID_ARGUMENT',
  /** The kubeconfig is missing, unreadable, or asks for what the client cannot do (exec plugins). */
  'SKIFF_ERR_KUBECONFIG',
  /** The server sent something that is not what the API promises (a watch line that is not JSON). */
  'SKIFF_ERR_BAD_RESPONSE',
  /** The work queue, informer or elector was used after it stopped. */
  'SKIFF_ERR_SHUT_DOWN',
] as const;

export type ClientErrorCode = (typeof clientErrorCodes)[number];

export class ClientError extends Error {
  override readonly name = 'ClientError';
  readonly code: ClientErrorCode;

  constructor(code: ClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isClientError(error: unknown, code?: ClientErrorCode): error is ClientError {
  return error instanceof ClientError && (code === undefined || error.code === code);
}
