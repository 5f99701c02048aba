import { closed, compacted, futureRevision, type StoreError } from './errors.js';
import { KeyIndex } from './key-index.js';
import type {
  KeyValue,
  ListOptions,
  ListResult,
  ReadOptions,
  Store,
  WatchEvent,
  WatchOptions,
  WriteResult,
} from './types.js';
import {
  checkKey,
  checkLimit,
  checkRevisionArgument,
  checkValue,
  decodeContinue,
  encodeContinue,
  resolveReadRevision,
} from './validate.js';
import { DEFAULT_MAX_BUFFERED, WatchStream } from './watch-stream.js';

/**
 * Where an MVCC store keeps its history durably. The store holds its working set in memory (the key
 * index and the events since the last compaction) and asks the persistence only to remember: every write
 * is appended before it is acknowledged, and everything is read back once, at open.
 */
export interface Persistence {
  /** Every event kept, in revision order, and the revision the history was compacted at. */
  load(): Promise<{ events: WatchEvent[]; compactRevision: number }>;
  /** Durably appends these events (one write batch); resolves only when they survive a crash. */
  append(events: readonly WatchEvent[]): Promise<void>;
  /** Durably records `compactRevision` and forgets the events at `removed` revisions, reclaiming their space. */
  compact(compactRevision: number, removed: readonly number[]): Promise<void>;
  close(): Promise<void>;
}

export interface MvccStoreOptions {
  readonly kind: string;
  readonly persistence: Persistence;
  /** Most writes that share one append (one sync to disk). */
  readonly maxBatch?: number;
}

type Operation =
  | { readonly kind: 'create'; readonly key: string; readonly value: Uint8Array }
  | { readonly kind: 'update'; readonly key: string; readonly value: Uint8Array; readonly expected: number }
  | { readonly kind: 'delete'; readonly key: string; readonly expected: number | undefined };

interface PendingWrite {
  readonly operation: Operation;
  readonly resolve: (result: WriteResult) => void;
  readonly reject: (error: unknown) => void;
}

interface Watcher {
  readonly prefix: string;
  readonly afterRevision: number;
  readonly stream: WatchStream;
}

/**
 * The store behind the `memory://` and `level://` backends: multi-version concurrency control over an
 * in-memory index, in the manner of etcd's mvcc package.
 *
 * Writes are group-committed. A write waits in `pending` while an append is in flight; when the append
 * finishes, every waiting write is decided in arrival order against the committed state plus the writes
 * decided before it in the same batch, the successful ones are appended together (one sync), and only then
 * are they applied to memory, delivered to watchers and acknowledged. So a reader never sees a write that
 * could still be lost, and a batch of 64 writers costs one sync instead of 64.
 *
 * Ordering rule: `#apply` is the only place that moves `#revision`, changes the index or appends to `#log`,
 * and it runs synchronously for a whole batch, followed by delivery to watchers in the same tick. Watch
 * registration is synchronous too, so "replay the log, then subscribe" can have no gap and no duplicate.
 */
export class MvccStore implements Store {
  readonly kind: string;
  readonly #persistence: Persistence;
  readonly #maxBatch: number;
  readonly #index = new KeyIndex();
  /**
   * Every event after the compaction point, in order: `#log[i].revision === #compactRevision + 1 + i`.
   * Example: compacted at 100 with current revision 103 → #log holds the events of 101, 102 and 103.
   */
  #log: WatchEvent[] = [];
  #revision = 0;
  #compactRevision = 0;
  #pending: PendingWrite[] = [];
  #appending = false;
  #closedWith: StoreError | undefined;
  readonly #watchers = new Set<Watcher>();

  private constructor(options: MvccStoreOptions) {
    this.kind = options.kind;
    this.#persistence = options.persistence;
    this.#maxBatch = options.maxBatch ?? 1000;
  }

  static async open(options: MvccStoreOptions): Promise<MvccStore> {
    const store = new MvccStore(options);
    const { events, compactRevision } = await options.persistence.load();
    store.#compactRevision = compactRevision;
    store.#revision = compactRevision;
    for (const event of events) store.#apply(event, event.revision > compactRevision);
    return store;
  }

  // ---- reads ----

  async get(key: string, options: ReadOptions = {}): Promise<KeyValue | undefined> {
    this.#checkOpen();
    checkKey(key);
    const revision = this.#readRevision(options.revision);
    return this.#index.at(key, revision);
  }

  async list(options: ListOptions): Promise<ListResult> {
    this.#checkOpen();
    const { prefix } = options;
    checkKey(prefix, 'prefix');
    const limit = checkLimit(options.limit);
    let revision: number;
    let from = prefix;
    if (options.continue !== undefined) {
      const point = decodeContinue(options.continue, prefix);
      revision = this.#readRevision(point.revision);
      from = point.next;
    } else {
      revision = this.#readRevision(options.revision);
    }
    const items: KeyValue[] = [];
    let next: string | undefined;
    let remaining = 0;
    for (const kv of this.#index.range(prefix, from, revision)) {
      if (limit === 0 || items.length < limit) items.push(kv);
      else {
        next ??= kv.key;
        remaining++;
      }
    }
    return next === undefined
      ? { items, revision, remaining: 0 }
      : { items, revision, remaining, continue: encodeContinue({ revision, next }) };
  }

  async count(prefix: string): Promise<number> {
    this.#checkOpen();
    checkKey(prefix, 'prefix');
    let count = 0;
    for (const _ of this.#index.range(prefix, prefix, this.#revision)) count++;
    return count;
  }

  async currentRevision(): Promise<number> {
    this.#checkOpen();
    return this.#revision;
  }

  async compactRevision(): Promise<number> {
    this.#checkOpen();
    return this.#compactRevision;
  }

  // ---- writes ----

  create(key: string, value: Uint8Array): Promise<WriteResult> {
    checkKey(key);
    checkValue(key, value);
    return this.#enqueue({ kind: 'create', key, value });
  }

  update(key: string, value: Uint8Array, expectedRevision: number): Promise<WriteResult> {
    checkKey(key);
    checkValue(key, value);
    checkRevisionArgument(expectedRevision, 'expectedRevision');
    return this.#enqueue({ kind: 'update', key, value, expected: expectedRevision });
  }

  delete(key: string, expectedRevision?: number): Promise<WriteResult> {
    checkKey(key);
    if (expectedRevision !== undefined) checkRevisionArgument(expectedRevision, 'expectedRevision');
    return this.#enqueue({ kind: 'delete', key, expected: expectedRevision });
  }

  #enqueue(operation: Operation): Promise<WriteResult> {
    if (this.#closedWith) return Promise.reject(this.#closedWith);
    return new Promise((resolve, reject) => {
      this.#pending.push({ operation, resolve, reject });
      this.#startAppend();
    });
  }

  /** Decides the waiting writes as one batch and appends the successful ones; see the class comment. */
  #startAppend(): void {
    if (this.#appending || this.#pending.length === 0) return;
    const batch = this.#pending.splice(0, this.#maxBatch);
    const decided = new Map<string, KeyValue | undefined>();
    const events: WatchEvent[] = [];
    const results: WriteResult[] = [];
    let revision = this.#revision;
    for (const { operation } of batch) {
      const { key } = operation;
      const current = decided.has(key) ? decided.get(key) : this.#index.latest(key);
      let event: WatchEvent | undefined;
      if (operation.kind === 'create') {
        if (current === undefined) {
          revision++;
          const kv = {
            key,
            value: operation.value,
            createRevision: revision,
            modRevision: revision,
            version: 1,
          };
          event = { type: 'put', revision, kv };
        }
      } else if (operation.kind === 'update') {
        if (current !== undefined && current.modRevision === operation.expected) {
          revision++;
          const kv = {
            ...current,
            value: operation.value,
            modRevision: revision,
            version: current.version + 1,
          };
          event = { type: 'put', revision, kv };
        }
      } else if (
        current !== undefined &&
        (operation.expected ?? current.modRevision) === current.modRevision
      ) {
        revision++;
        event = { type: 'delete', revision, kv: current };
      }
      if (event) {
        events.push(event);
        decided.set(key, event.type === 'put' ? event.kv : undefined);
        results.push({ ok: true, revision, kv: event.kv });
      } else {
        results.push({ ok: false, current });
      }
    }
    const acknowledge = () => {
      for (const event of events) this.#apply(event, true);
      this.#deliver(events);
      for (const [i, write] of batch.entries()) write.resolve(results[i]!);
    };
    if (events.length === 0) {
      acknowledge();
      this.#startAppend();
      return;
    }
    this.#appending = true;
    this.#persistence.append(events).then(
      () => {
        // Durable now, so acknowledged even when the store is closing.
        this.#appending = false;
        acknowledge();
        if (!this.#closedWith) this.#startAppend();
      },
      (error: unknown) => {
        // Fail-stop: after a failed sync the disk's state is unknown, so accept nothing more.
        this.#appending = false;
        const failure = closed(error);
        for (const write of batch) write.reject(failure);
        void this.#shutDown(failure);
      },
    );
  }

  /** Applies one committed event to memory. `logged`: after the compaction point, so watchable. */
  #apply(event: WatchEvent, logged: boolean): void {
    if (event.type === 'put') this.#index.put(event.kv);
    else this.#index.remove(event.kv.key, event.revision);
    if (logged) this.#log.push(event);
    this.#revision = Math.max(this.#revision, event.revision);
  }

  #deliver(events: readonly WatchEvent[]): void {
    if (this.#watchers.size === 0) return;
    for (const event of events) {
      for (const watcher of this.#watchers) {
        if (event.revision > watcher.afterRevision && event.kv.key.startsWith(watcher.prefix)) {
          watcher.stream.push(event);
        }
      }
    }
  }

  // ---- watch ----

  watch(prefix: string, afterRevision: number, options: WatchOptions = {}): WatchStream {
    this.#checkOpen();
    checkKey(prefix, 'prefix');
    checkRevisionArgument(afterRevision, 'afterRevision');
    if (afterRevision < this.#compactRevision) throw compacted(afterRevision, this.#compactRevision);
    const stream: WatchStream = new WatchStream({
      maxBuffered: options.maxBuffered ?? DEFAULT_MAX_BUFFERED,
      progressIntervalMs: options.progressIntervalMs ?? 0,
      requestProgress: () =>
        stream.push({ type: 'progress', revision: Math.max(this.#revision, afterRevision) }),
      onEnd: () => this.#watchers.delete(watcher),
    });
    const watcher: Watcher = { prefix, afterRevision, stream };
    const history: WatchEvent[] = [];
    for (let i = afterRevision - this.#compactRevision; i < this.#log.length; i++) {
      const event = this.#log[i]!;
      if (event.kv.key.startsWith(prefix)) history.push(event);
    }
    stream.replay(history);
    this.#watchers.add(watcher);
    return stream;
  }

  // ---- maintenance ----

  async compact(revision: number): Promise<void> {
    this.#checkOpen();
    checkRevisionArgument(revision, 'revision');
    if (revision > this.#revision) throw futureRevision(revision, this.#revision);
    if (revision <= this.#compactRevision) return;
    const dropped = this.#log.slice(0, revision - this.#compactRevision);
    const touched = new Set(dropped.map((event) => event.kv.key));
    const removed = this.#index.compact(touched, revision);
    this.#log = this.#log.slice(dropped.length);
    this.#compactRevision = revision;
    await this.#persistence.compact(revision, removed);
  }

  async close(): Promise<void> {
    if (this.#closedWith) return;
    await this.#shutDown(closed());
  }

  async #shutDown(reason: StoreError): Promise<void> {
    this.#closedWith = reason;
    for (const write of this.#pending.splice(0)) write.reject(reason);
    for (const watcher of [...this.#watchers]) watcher.stream.fail(reason);
    while (this.#appending) await new Promise((resolve) => setImmediate(resolve));
    await this.#persistence.close();
  }

  #checkOpen(): void {
    if (this.#closedWith) throw this.#closedWith;
  }

  #readRevision(revision: number | undefined): number {
    const resolved = resolveReadRevision(revision, this.#revision);
    if (resolved < this.#compactRevision) throw compacted(resolved, this.#compactRevision);
    return resolved;
  }
}
