/**
 * The store's one error type. Callers branch on `code`, never on the message.
 *
 * The API server maps these to Kubernetes `Status` errors: COMPACTED → 410 Gone ("Expired"),
 * FUTURE_REVISION → 504 ("Timeout": too large resource version), INVALID_* → 400/422, VALUE_TOO_LARGE → 413,
 * WATCH_TOO_SLOW and UNAVAILABLE → the watch ends and the client starts a new one.
 */
export const storeErrorCodes = [
  'SKIFF_ERR_INVALID_KEY',
  'SKIFF_ERR_INVALID_ARGUMENT',
  'SKIFF_ERR_VALUE_TOO_LARGE',
  'SKIFF_ERR_COMPACTED',
  'SKIFF_ERR_FUTURE_REVISION',
  'SKIFF_ERR_CLOSED',
  'SKIFF_ERR_WATCH_TOO_SLOW',
  'SKIFF_ERR_UNAVAILABLE',
] as const;

export type StoreErrorCode = (typeof storeErrorCodes)[number];

export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly code: StoreErrorCode;
  /** For COMPACTED: the oldest revision still readable. */
  readonly compactRevision?: number;
  /** For FUTURE_REVISION: the store's revision when the request was refused. */
  readonly currentRevision?: number;

  constructor(
    code: StoreErrorCode,
    message: string,
    extra: { compactRevision?: number; currentRevision?: number; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.code = code;
    if (extra.compactRevision !== undefined) this.compactRevision = extra.compactRevision;
    if (extra.currentRevision !== undefined) this.currentRevision = extra.currentRevision;
  }
}

export const invalidKey = (key: unknown, why: string) =>
  new StoreError('SKIFF_ERR_INVALID_KEY', `invalid key ${JSON.stringify(key)}: ${why}`);

export const invalidArgument = (message: string) => new StoreError('SKIFF_ERR_INVALID_ARGUMENT', message);

export const valueTooLarge = (key: string, size: number, limit: number) =>
  new StoreError('SKIFF_ERR_VALUE_TOO_LARGE', `value for ${key} is ${size} bytes; the limit is ${limit}`);

/** `compactRevision`, when known: the oldest revision still readable. */
export const compacted = (requested: number, compactRevision?: number) =>
  new StoreError(
    'SKIFF_ERR_COMPACTED',
    compactRevision === undefined
      ? `revision ${requested} has been compacted`
      : `revision ${requested} has been compacted; the oldest available revision is ${compactRevision}`,
    compactRevision === undefined ? {} : { compactRevision },
  );

/** `currentRevision`, when known: the store's revision when the request was refused. */
export const futureRevision = (requested: number, currentRevision?: number) =>
  new StoreError(
    'SKIFF_ERR_FUTURE_REVISION',
    currentRevision === undefined
      ? `revision ${requested} is in the future`
      : `revision ${requested} is in the future; the current revision is ${currentRevision}`,
    currentRevision === undefined ? {} : { currentRevision },
  );

export const closed = (cause?: unknown) =>
  new StoreError('SKIFF_ERR_CLOSED', 'the store is closed', cause === undefined ? {} : { cause });

export const watchTooSlow = (buffered: number) =>
  new StoreError(
    'SKIFF_ERR_WATCH_TOO_SLOW',
    `watcher fell too far behind (${buffered} events unread); start a new watch from the last revision seen`,
  );

export const unavailable = (message: string, cause?: unknown) =>
  new StoreError('SKIFF_ERR_UNAVAILABLE', message, cause === undefined ? {} : { cause });

export function isStoreError(error: unknown, code?: StoreErrorCode): error is StoreError {
  return error instanceof StoreError && (code === undefined || error.code === code);
}
