import { futureRevision, invalidArgument, invalidKey, valueTooLarge } from './errors.js';
import { MAX_KEY_BYTES, MAX_VALUE_BYTES } from './types.js';

/**
 * Checks shared by every backend, so that bad input gets the same typed error from each and changes nothing.
 *
 * Keys are printable ASCII without spaces and start with '/': Kubernetes' keys
 * (`/registry/pods/default/web-0`) always are, and with ASCII only, JavaScript's string order is the same as
 * the byte order LevelDB and etcd sort by, so pages come back in one order from every backend.
 */
const KEY_PATTERN = /^\/[\x21-\x7e]*$/;

export function checkKey(key: unknown, what = 'key'): asserts key is string {
  if (typeof key !== 'string' || key.length === 0)
    throw invalidKey(key, `${what} must be a non-empty string`);
  if (key.length > MAX_KEY_BYTES)
    throw invalidKey(key.slice(0, 64), `${what} is longer than ${MAX_KEY_BYTES}`);
  if (!KEY_PATTERN.test(key)) {
    throw invalidKey(key, `${what} must start with '/' and hold only printable ASCII without spaces`);
  }
}

export function checkValue(key: string, value: unknown): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw invalidArgument(`value for ${key} must be a Uint8Array`);
  if (value.byteLength > MAX_VALUE_BYTES) throw valueTooLarge(key, value.byteLength, MAX_VALUE_BYTES);
}

export function checkRevisionArgument(revision: unknown, what: string): asserts revision is number {
  if (typeof revision !== 'number' || !Number.isSafeInteger(revision) || revision < 0) {
    throw invalidArgument(`${what} must be a non-negative integer, not ${String(revision)}`);
  }
}

/** A read at `revision` (0: current) against a store at `current`; returns the revision to read at. */
export function resolveReadRevision(revision: number | undefined, current: number): number {
  if (revision === undefined || revision === 0) return current;
  checkRevisionArgument(revision, 'revision');
  if (revision > current) throw futureRevision(revision, current);
  return revision;
}

export function checkLimit(limit: unknown): number {
  if (limit === undefined || limit === 0) return 0;
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 0) {
    throw invalidArgument(`limit must be a non-negative integer, not ${String(limit)}`);
  }
  return limit;
}

/**
 * A continue token names the revision the chain of pages is read at and the first key of the next page.
 * It is opaque to callers: base64url of `{"rev":R,"next":"/registry/pods/default/web-7"}`.
 */
export interface ContinuePoint {
  readonly revision: number;
  readonly next: string;
}

export function encodeContinue(point: ContinuePoint): string {
  return Buffer.from(JSON.stringify({ rev: point.revision, next: point.next })).toString('base64url');
}

export function decodeContinue(token: string, prefix: string): ContinuePoint {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalidArgument('continue token is malformed');
  }
  const { rev, next } = (parsed ?? {}) as { rev?: unknown; next?: unknown };
  if (typeof rev !== 'number' || !Number.isSafeInteger(rev) || rev <= 0 || typeof next !== 'string') {
    throw invalidArgument('continue token is malformed');
  }
  if (!next.startsWith(prefix)) throw invalidArgument('continue token does not belong to this prefix');
  return { revision: rev, next };
}
