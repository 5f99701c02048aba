import type { KubeObject } from '../api/resource.js';
import { tooLargeResourceVersion } from '../api/status.js';
import { isStoreError } from '../store/errors.js';
import type { KeyValue, Store } from '../store/types.js';
import type { WatchStream } from '../store/watch-stream.js';

/**
 * One resource's objects and recent changes, kept in memory so that lists and watches are served without
 * reading the store, and each change is decoded and serialised once no matter how many clients watch.
 *
 * It lists the resource's key prefix once, then follows the store's watch from that revision. Every
 * change becomes a `CacheEvent` that keeps the object before and after (so a watcher with a selector
 * can see an object stop matching), and a bounded window of recent events serves watches that resume
 * from a resourceVersion.
 *
 * Window example, capacity 3: after events at revisions 7, 9, 12, 15 the window holds 9, 12, 15 and
 * `windowStart` is 7 — a watch from 7 or later is served; from 6 it gets 410 Gone, because the change
 * at 7 is no longer here.
 *
 * Ordering rule: `#apply` is the only writer of `#objects`, `#revision` and `#window`, and it runs
 * synchronously per store event; `watch()` snapshots and subscribes in one synchronous step, so a watcher
 * sees every change after its snapshot exactly once.
 */
export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface CachedObject {
  readonly key: string;
  /** The object as served, with metadata.resourceVersion set; shared, never to be edited. */
  readonly object: KubeObject;
  readonly revision: number;
}

export interface CacheEvent {
  readonly type: EventType;
  readonly key: string;
  /** After the change; for DELETED, the last state with the deletion's resourceVersion. */
  readonly object: KubeObject;
  /** Before the change (undefined for ADDED). */
  readonly previous: KubeObject | undefined;
  readonly revision: number;
  /** Serialisations made once and shared by every watcher (see `serialized`). */
  readonly memo: Map<string, Buffer>;
}

export interface CacheWatcher {
  /** Called synchronously for each change after the watcher's start; must not throw or block. */
  readonly onEvent: (event: CacheEvent) => void;
  /** The cache stopped (store closed or failed): the watch ends and the client starts a new one. */
  readonly onEnd: (error?: Error) => void;
}

export interface WatchCacheOptions {
  readonly store: Store;
  /** The resource's key prefix, e.g. `/registry/core/pods/`. */
  readonly prefix: string;
  readonly decode: (kv: KeyValue, revision: number) => KubeObject;
  /** Events kept for watches that resume from a resourceVersion. */
  readonly capacity?: number;
}

export class WatchCache {
  readonly #options: WatchCacheOptions;
  readonly #capacity: number;
  readonly #objects = new Map<string, CachedObject>();
  #window: CacheEvent[] = [];
  #windowStart = 0;
  #revision = 0;
  readonly #watchers = new Set<CacheWatcher>();
  #stream: WatchStream | undefined;
  #freshnessWaiters: { revision: number; resolve: () => void }[] = [];
  #stopped: Error | undefined;
  #reloading: Promise<void> | undefined;

  private constructor(options: WatchCacheOptions) {
    this.#options = options;
    this.#capacity = options.capacity ?? 1000;
  }

  static async start(options: WatchCacheOptions): Promise<WatchCache> {
    const cache = new WatchCache(options);
    await cache.#load();
    return cache;
  }

  get revision(): number {
    return this.#revision;
  }

  /** Current objects in key order. */
  list(): CachedObject[] {
    return [...this.#objects.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  get(key: string): CachedObject | undefined {
    return this.#objects.get(key);
  }

  /**
   * Resolves once the cache has seen every change up to `revision` (the store's revision when a
   * consistent read began). Unrelated writes advance the store's revision too, so the cache asks the
   * store for a progress notification rather than waiting for an event of its own.
   */
  async waitUntilFresh(revision: number, timeoutMs = 3000): Promise<void> {
    await this.ready();
    if (this.#revision >= revision) return;
    if (this.#stopped) throw this.#stopped;
    const fresh = new Promise<void>((resolve) => this.#freshnessWaiters.push({ revision, resolve }));
    this.#stream?.requestProgress();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(tooLargeResourceVersion(revision, this.#revision)), timeoutMs);
    });
    try {
      await Promise.race([fresh, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Subscribes to changes after `fromRevision`, or, with `fromRevision` undefined, to the current state
   * (returned, to be sent as synthetic ADDED events) and every change after it. Returns undefined in
   * place of the window when `fromRevision` is older than the window (the caller answers 410 Gone).
   */
  watch(
    fromRevision: number | undefined,
    watcher: CacheWatcher,
  ): { initial: CachedObject[]; replay: CacheEvent[]; revision: number } | undefined {
    if (this.#stopped) throw this.#stopped;
    let initial: CachedObject[] = [];
    let replay: CacheEvent[] = [];
    if (fromRevision === undefined) {
      initial = this.list();
    } else {
      if (fromRevision < this.#windowStart) return undefined;
      replay = this.#window.filter((event) => event.revision > fromRevision);
    }
    this.#watchers.add(watcher);
    return { initial, replay, revision: this.#revision };
  }

  /** The oldest resourceVersion a watch can resume from. */
  get windowStart(): number {
    return this.#windowStart;
  }

  unwatch(watcher: CacheWatcher): void {
    this.#watchers.delete(watcher);
  }

  stop(error?: Error): void {
    this.#stopped ??= error ?? new Error('watch cache stopped');
    this.#stream?.close();
    for (const watcher of [...this.#watchers]) watcher.onEnd(error);
    this.#watchers.clear();
  }

  async #load(): Promise<void> {
    const { store, prefix, decode } = this.#options;
    let continueToken: string | undefined;
    let revision = 0;
    do {
      const page = await store.list({
        prefix,
        limit: 1000,
        ...(continueToken ? { continue: continueToken } : {}),
      });
      revision = page.revision;
      for (const kv of page.items) {
        this.#objects.set(kv.key, {
          key: kv.key,
          object: decode(kv, kv.modRevision),
          revision: kv.modRevision,
        });
      }
      continueToken = page.continue;
    } while (continueToken);
    this.#revision = revision;
    this.#windowStart = revision;
    this.#follow(store.watch(prefix, revision, { maxBuffered: 100_000 }));
  }

  #follow(stream: WatchStream): void {
    this.#stream = stream;
    void (async () => {
      try {
        for await (const message of stream) {
          if (message.type === 'progress') this.#advance(message.revision);
          else this.#apply(message.type, message.kv, message.revision);
        }
        if (!this.#stopped) this.stop(new Error('the store ended the watch'));
      } catch (error) {
        // The store's watch broke (too slow, compacted, closed): start over from a fresh list, so
        // watchers of this cache end and re-watch, as Kubernetes' reflector does.
        if (this.#stopped) return;
        if (isStoreError(error, 'SKIFF_ERR_CLOSED')) {
          this.stop(error);
          return;
        }
        await this.#restart(error);
      }
    })();
  }

  async #restart(cause: unknown): Promise<void> {
    for (const watcher of [...this.#watchers]) watcher.onEnd(cause instanceof Error ? cause : undefined);
    this.#watchers.clear();
    this.#objects.clear();
    this.#window = [];
    // Until the new list is in, the cache knows nothing: readers wait in `ready()` rather than see an
    // empty cache or subscribe to a window that lost its events.
    this.#reloading = this.#load().catch((error: unknown) => {
      this.stop(error instanceof Error ? error : new Error(String(error)));
    });
    await this.#reloading;
    this.#reloading = undefined;
  }

  /** Resolves when the cache holds a complete state (at once, except while it reloads after a broken watch). */
  async ready(): Promise<void> {
    while (this.#reloading) await this.#reloading;
    if (this.#stopped) throw this.#stopped;
  }

  #apply(storeType: 'put' | 'delete', kv: KeyValue, revision: number): void {
    const previous = this.#objects.get(kv.key);
    const object = this.#options.decode(kv, revision);
    let type: EventType;
    if (storeType === 'delete') {
      this.#objects.delete(kv.key);
      type = 'DELETED';
    } else {
      this.#objects.set(kv.key, { key: kv.key, object, revision });
      type = previous ? 'MODIFIED' : 'ADDED';
    }
    const event: CacheEvent = {
      type,
      key: kv.key,
      object,
      previous: previous?.object,
      revision,
      memo: new Map(),
    };
    this.#window.push(event);
    if (this.#window.length > this.#capacity) {
      const dropped = this.#window.splice(0, this.#window.length - this.#capacity);
      this.#windowStart = dropped[dropped.length - 1]!.revision;
    }
    for (const watcher of this.#watchers) watcher.onEvent(event);
    this.#advance(revision);
  }

  #advance(revision: number): void {
    if (revision <= this.#revision) return;
    this.#revision = revision;
    if (this.#freshnessWaiters.length === 0) return;
    const waiting = this.#freshnessWaiters;
    this.#freshnessWaiters = [];
    for (const waiter of waiting) {
      if (waiter.revision <= revision) waiter.resolve();
      else this.#freshnessWaiters.push(waiter);
    }
  }
}
