/**
 * An informer keeps a local, indexed copy of one resource (optionally narrowed by selectors) and tells
 * handlers what changed, as client-go's shared informer does:
 *
 *   list (in pages) ──► replace the cache ──► watch from the list's resourceVersion ──► apply each event
 *        ▲                                          │
 *        └── 410 Gone / an error / the server ──────┘   (a watch that ends at its own timeoutSeconds is
 *            dropping the watch early                    resumed from the last resourceVersion seen instead)
 *
 * A relist compares the new list with the cache: new objects are added, changed ones (by
 * resourceVersion) updated, and objects that vanished while the informer was not watching are deleted
 * with their last known state. Every `resyncPeriodMs` each handler is called with `onUpdate(o, o)` for
 * every cached object, so level-triggered controllers revisit everything now and then.
 *
 * Handlers run synchronously, in event order, and must be quick (compute a key, add it to a work queue).
 * Objects handed to them and held in `store` are frozen and shared: never edit them in place.
 *
 * Failures back off: the first relist after a 410 is immediate; repeated failures wait 800 ms, doubling
 * to 30 s (client-go's reflector backoff), on the injected clock.
 */
import type { KubeObject } from '../api/resource.js';
import { fromStatus, isStatusError } from '../api/status.js';
import { type Clock, sleep, systemClock } from './clock.js';
import { ClientError } from './errors.js';
import {
  deepFreeze,
  IndexedStore,
  type IndexFunction,
  objectKey,
  type StoreReader,
} from './indexed-store.js';
import type { ListerWatcher, ResourceRef, Watch } from './types.js';

export interface EventHandlers<T extends KubeObject = KubeObject> {
  onAdd?(object: T): void;
  /** `oldObject === newObject` for a resync. */
  onUpdate?(oldObject: T, newObject: T): void;
  /** With the object's last state (as the watch reported it, or as last cached if the deletion was missed). */
  onDelete?(object: T): void;
}

export interface InformerOptions<T extends KubeObject = KubeObject> {
  readonly client: ListerWatcher;
  readonly ref: ResourceRef;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Replays every cached object to the handlers this often; 0 or unset: never. */
  readonly resyncPeriodMs?: number;
  /** Indexes besides the built-in `namespace` and `controller` ones. */
  readonly indexers?: Readonly<Record<string, IndexFunction<T>>>;
  readonly clock?: Clock;
  /** Items per list page (client-go's pager: 500). */
  readonly pageSize?: number;
  /** Each watch asks the server to end it after this many seconds. Default: 5 to 10 minutes, at random. */
  readonly watchTimeoutSeconds?: () => number;
  /** List and watch failures (they are retried) and handler exceptions. Default: console.error. */
  readonly onError?: (error: unknown) => void;
}

const INITIAL_BACKOFF_MS = 800;
const MAX_BACKOFF_MS = 30_000;
/** A watch that ends within this much of its timeoutSeconds ended on time (the server's timer is not ours). */
const TIMEOUT_SLACK_MS = 1000;

type Phase = 'new' | 'running' | 'stopped';

export class Informer<T extends KubeObject = KubeObject> {
  readonly #options: InformerOptions<T>;
  readonly #clock: Clock;
  readonly #store: IndexedStore<T>;
  readonly #handlers = new Set<EventHandlers<T>>();
  readonly #stopping = new AbortController();
  #phase: Phase = 'new';
  #synced = false;
  #syncWaiters: ((synced: boolean) => void)[] = [];
  #resourceVersion = '';
  #watch: Watch<T> | undefined;
  #cancelResync: (() => void) | undefined;
  #running: Promise<void> | undefined;
  /** Failures since the last healthy watch; decides the backoff before the next list. */
  #failures = 0;
  /** Set by a 410 after a healthy watch: skip the backoff once. */
  #relistAtOnce = false;

  constructor(options: InformerOptions<T>) {
    if (options.resyncPeriodMs !== undefined && options.resyncPeriodMs < 0) {
      throw new ClientError('SKIFF_ERR_INVALID_ARGUMENT', 'resyncPeriodMs must not be negative');
    }
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#store = new IndexedStore<T>(options.indexers);
  }

  /** The cache: frozen objects, never to be edited in place. */
  get store(): StoreReader<T> {
    return this.#store;
  }

  get ref(): ResourceRef {
    return this.#options.ref;
  }

  /** The resourceVersion the cache is current to. */
  get lastSyncResourceVersion(): string {
    return this.#resourceVersion;
  }

  /** True once the first list is in the cache. */
  hasSynced(): boolean {
    return this.#synced;
  }

  /** Resolves true once synced, or false if the informer stops (or `signal` aborts) first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.#synced) return Promise.resolve(true);
    if (this.#phase === 'stopped' || signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = () => resolve(false);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#syncWaiters.push((synced) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(synced);
      });
    });
  }

  /**
   * Adds handlers; returns a function that removes them. Added after objects are cached, the handlers
   * first get `onAdd` for each of them, so every handler sees the whole set.
   */
  addEventHandler(handlers: EventHandlers<T>): () => void {
    this.#handlers.add(handlers);
    for (const object of this.#store.list()) this.#call(handlers, 'onAdd', object);
    return () => this.#handlers.delete(handlers);
  }

  start(): void {
    if (this.#phase === 'stopped') throw new ClientError('SKIFF_ERR_SHUT_DOWN', 'the informer has stopped');
    if (this.#phase === 'running') return;
    this.#phase = 'running';
    this.#running = this.#run();
  }

  /** Ends the watch, cancels timers, and resolves once the informer's loop has finished. */
  async stop(): Promise<void> {
    if (this.#phase === 'stopped') return this.#running;
    this.#phase = 'stopped';
    this.#stopping.abort();
    this.#watch?.close();
    this.#cancelResync?.();
    for (const waiter of this.#syncWaiters.splice(0)) waiter(false);
    await this.#running;
  }

  get #stopped(): boolean {
    return this.#phase === 'stopped';
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      if (this.#failures > 0 && !this.#relistAtOnce) {
        const backoff = Math.min(INITIAL_BACKOFF_MS * 2 ** (this.#failures - 1), MAX_BACKOFF_MS);
        await sleep(this.#clock, backoff, this.#stopping.signal);
        if (this.#stopped) return;
      }
      this.#relistAtOnce = false;
      try {
        await this.#listAndReplace();
        if (this.#stopped) return;
        this.#markSynced();
        await this.#watchUntilRelist();
      } catch (error) {
        if (this.#stopped) return;
        this.#failures++;
        this.#report(error);
      }
    }
  }

  async #listAndReplace(): Promise<void> {
    const { client, ref, labelSelector, fieldSelector } = this.#options;
    const selectors = {
      ...(labelSelector !== undefined ? { labelSelector } : {}),
      ...(fieldSelector !== undefined ? { fieldSelector } : {}),
    };
    const signal = this.#stopping.signal;
    const items: T[] = [];
    let resourceVersion = '';
    let token: string | undefined;
    let limit: number | undefined = this.#options.pageSize ?? 500;
    do {
      try {
        const page = await client.list<T>(ref, {
          ...selectors,
          ...(limit !== undefined ? { limit } : {}),
          ...(token !== undefined ? { continue: token } : {}),
          signal,
        });
        items.push(...page.items);
        resourceVersion = page.metadata.resourceVersion;
        token = page.metadata.continue || undefined;
      } catch (error) {
        // A continue token that expired mid-way: list everything in one go instead (as client-go's pager).
        if (token === undefined || !isGone(error)) throw error;
        items.length = 0;
        token = undefined;
        limit = undefined;
      }
    } while (token !== undefined);
    this.#replace(items, resourceVersion);
  }

  /** Watches, resuming after on-time ends, until a relist is needed (410, or the server dropped us). */
  async #watchUntilRelist(): Promise<void> {
    const { client, ref, labelSelector, fieldSelector } = this.#options;
    while (!this.#stopped) {
      const timeoutSeconds = Math.max(
        1,
        Math.round(this.#options.watchTimeoutSeconds?.() ?? 300 * (1 + Math.random())),
      );
      const startedAt = this.#clock.now();
      let watch: Watch<T>;
      try {
        watch = await client.watch<T>(ref, {
          ...(labelSelector !== undefined ? { labelSelector } : {}),
          ...(fieldSelector !== undefined ? { fieldSelector } : {}),
          resourceVersion: this.#resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds,
          signal: this.#stopping.signal,
        });
      } catch (error) {
        if (isGone(error)) return this.#expired();
        throw error;
      }
      this.#watch = watch;
      try {
        for await (const event of watch) {
          if (this.#stopped) return;
          if (event.type === 'ERROR') {
            if (event.object.code === 410) return this.#expired();
            throw fromStatus(event.object);
          }
          this.#failures = 0;
          this.#apply(event.type, event.object);
        }
      } finally {
        watch.close();
        this.#watch = undefined;
      }
      if (this.#stopped) return;
      const endedOnTime = this.#clock.now() - startedAt >= timeoutSeconds * 1000 - TIMEOUT_SLACK_MS;
      // The server ended the watch early (it dropped a slow watcher, restarted its cache, or is going
      // away): events may be lost in between, so list again rather than trust a resume.
      if (!endedOnTime) return;
      this.#failures = 0;
    }
  }

  /**
   * 410: the resourceVersion is too old to watch from. After a healthy watch the relist is immediate;
   * a 410 straight after a list counts as one more failure and backs off.
   */
  #expired(): void {
    this.#relistAtOnce = this.#failures === 0;
    this.#failures++;
  }

  #apply(type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK', object: T): void {
    const resourceVersion = object.metadata?.resourceVersion;
    if (type === 'BOOKMARK') {
      if (resourceVersion) this.#resourceVersion = resourceVersion;
      return;
    }
    if (type === 'DELETED') {
      this.#store.delete(objectKey(object));
      // The event's object is the final state (the server sends it); a delete of something never
      // cached still goes out.
      this.#emitDelete(deepFreeze(object));
    } else {
      const previous = this.#store.set(object);
      const stored = this.#store.get(objectKey(object))!;
      if (previous) this.#emit('onUpdate', previous, stored);
      else this.#emit('onAdd', stored);
    }
    if (resourceVersion) this.#resourceVersion = resourceVersion;
  }

  #replace(items: readonly T[], resourceVersion: string): void {
    const listed = new Set<string>();
    for (const item of items) {
      const key = objectKey(item);
      listed.add(key);
      const previous = this.#store.set(item);
      const stored = this.#store.get(key)!;
      if (!previous) this.#emit('onAdd', stored);
      else if (previous.metadata?.resourceVersion !== stored.metadata?.resourceVersion) {
        this.#emit('onUpdate', previous, stored);
      }
    }
    for (const key of this.#store.keys()) {
      if (listed.has(key)) continue;
      const last = this.#store.delete(key);
      if (last) this.#emitDelete(last);
    }
    this.#resourceVersion = resourceVersion;
  }

  #markSynced(): void {
    if (this.#synced) return;
    this.#synced = true;
    for (const waiter of this.#syncWaiters.splice(0)) waiter(true);
    this.#scheduleResync();
  }

  #scheduleResync(): void {
    const period = this.#options.resyncPeriodMs ?? 0;
    if (period <= 0 || this.#stopped) return;
    this.#cancelResync = this.#clock.setTimer(() => {
      for (const object of this.#store.list()) this.#emit('onUpdate', object, object);
      this.#scheduleResync();
    }, period);
  }

  #emit(kind: 'onAdd', object: T): void;
  #emit(kind: 'onUpdate', oldObject: T, newObject: T): void;
  #emit(kind: 'onAdd' | 'onUpdate', first: T, second?: T): void {
    for (const handlers of this.#handlers) this.#call(handlers, kind, first, second);
  }

  #emitDelete(object: T): void {
    for (const handlers of this.#handlers) this.#call(handlers, 'onDelete', object);
  }

  #call(handlers: EventHandlers<T>, kind: keyof EventHandlers<T>, first: T, second?: T): void {
    try {
      if (kind === 'onUpdate') handlers.onUpdate?.(first, second ?? first);
      else handlers[kind]?.(first);
    } catch (error) {
      this.#report(error);
    }
  }

  #report(error: unknown): void {
    (this.#options.onError ?? ((failure) => console.error('informer:', describe(this.ref), failure)))(error);
  }
}

function isGone(error: unknown): boolean {
  return isStatusError(error) && error.code === 410;
}

function describe(ref: ResourceRef): string {
  return ref.group === '' ? ref.resource : `${ref.resource}.${ref.group}`;
}
