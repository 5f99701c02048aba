import type { WatchStream } from './watch-stream.js';

/**
 * The store: a revisioned, watchable key-value map, the etcd analogue under the API server.
 *
 * One global revision counts every write; each write takes the next revision. Each key keeps
 * createRevision (the write that created it), modRevision (its last write; the object's resourceVersion)
 * and version (writes since creation, 1 on create). A delete is a write too: it takes a revision and is
 * delivered to watchers as a `delete` event carrying the key's last state.
 *
 * The interface is composed of small views so that a component can be given only what it needs.
 */
export interface KeyValue {
  readonly key: string;
  readonly value: Uint8Array;
  readonly createRevision: number;
  readonly modRevision: number;
  readonly version: number;
}

export interface ReadOptions {
  /** Read the state as of this revision (0 or absent: the current state). */
  readonly revision?: number;
}

export interface ListOptions extends ReadOptions {
  /** Keys starting with this prefix; it must itself start with '/'. */
  readonly prefix: string;
  /** At most this many items (0 or absent: no limit). */
  readonly limit?: number;
  /**
   * The token a previous page returned. The page is read at that page's revision, so a chain of pages is
   * one consistent snapshot; once that revision is compacted the token is refused with SKIFF_ERR_COMPACTED.
   */
  readonly continue?: string;
}

export interface ListResult {
  readonly items: KeyValue[];
  /** The revision the list was read at. */
  readonly revision: number;
  /** Present when more items follow; pass it back as `continue`. */
  readonly continue?: string;
  /** How many matching keys follow this page (0 when none). */
  readonly remaining: number;
}

export type WriteResult =
  | { readonly ok: true; readonly revision: number; readonly kv: KeyValue }
  | { readonly ok: false; readonly current: KeyValue | undefined };

export interface StoreReader {
  get(key: string, options?: ReadOptions): Promise<KeyValue | undefined>;
  list(options: ListOptions): Promise<ListResult>;
  /** Live keys under the prefix at the current revision. */
  count(prefix: string): Promise<number>;
  currentRevision(): Promise<number>;
}

export interface StoreWriter {
  /** Creates the key; `{ ok: false, current }` when it exists. */
  create(key: string, value: Uint8Array): Promise<WriteResult>;
  /** Compare-and-swap: writes only if the key's modRevision is `expectedRevision`; else `{ ok: false, current }`. */
  update(key: string, value: Uint8Array, expectedRevision: number): Promise<WriteResult>;
  /**
   * Deletes the key (only if its modRevision is `expectedRevision`, when given). On success `kv` is the
   * key's last state and `revision` the delete's own revision.
   */
  delete(key: string, expectedRevision?: number): Promise<WriteResult>;
}

export interface WatchOptions {
  /** Live events a watcher may leave unread before it is closed with SKIFF_ERR_WATCH_TOO_SLOW. */
  readonly maxBuffered?: number;
  /** Send a progress event after this long without events (0 or absent: only on request). */
  readonly progressIntervalMs?: number;
}

export interface StoreWatcher {
  /**
   * Events for keys under `prefix` with revisions after `afterRevision`, in revision order: first the
   * history still kept, then live events, with no gap and no duplicate. Throws SKIFF_ERR_COMPACTED when
   * that history is gone. A start revision ahead of the store is allowed: events arrive when it is reached.
   */
  watch(prefix: string, afterRevision: number, options?: WatchOptions): WatchStream;
}

export interface StoreMaintenance {
  /** Forgets history before `revision` (no-op when already compacted that far) and reclaims its space. */
  compact(revision: number): Promise<void>;
  /** The oldest revision still readable (0 before any compaction). */
  compactRevision(): Promise<number>;
  close(): Promise<void>;
}

export interface Store extends StoreReader, StoreWriter, StoreWatcher, StoreMaintenance {
  /** `memory`, `level` or `etcd`. */
  readonly kind: string;
}

export type WatchEvent =
  | { readonly type: 'put'; readonly revision: number; readonly kv: KeyValue }
  /** `kv` is the state just before the delete; `revision` is the delete's own revision. */
  | { readonly type: 'delete'; readonly revision: number; readonly kv: KeyValue };

/** All events up to `revision` have been delivered. */
export interface ProgressEvent {
  readonly type: 'progress';
  readonly revision: number;
}

export type WatchMessage = WatchEvent | ProgressEvent;

/** etcd's default request limit: a value above it is refused everywhere, so the backends agree. */
export const MAX_VALUE_BYTES = 1.5 * 1024 * 1024;
export const MAX_KEY_BYTES = 4096;
