/**
 * The one client interface every component uses to talk to the API: controllers, the scheduler, the
 * kubelet shim. Two implementations: over HTTP (`http-client.ts`) and in process (the API server's own
 * handler stack); code written against `KubeClient` runs unchanged on either.
 *
 * It comes in two small views, so a component asks for only what it uses:
 *   KubeReader  get, list, watch                   (an informer needs `Pick<KubeReader, 'list' | 'watch'>`)
 *   KubeWriter  create, update, patch, delete, deleteCollection
 *
 * Objects are plain JSON (`KubeObject`). Every failure the server reports is thrown as the project's
 * `StatusError` (api/status.ts), rebuilt from the server's `Status` body, so callers branch on `reason`:
 *
 *   try { await client.create(refFor('ConfigMap', 'default'), object) }
 *   catch (error) { if (!isStatusError(error, 'AlreadyExists')) throw error }
 *
 * A transport failure (connection refused, reset) is thrown as it is, not as a StatusError.
 */
import type { KubeObject } from '../api/resource.js';
import type { Status, StatusDetails } from '../api/status.js';

/**
 * Where a resource lives: `{ group: 'apps', version: 'v1', resource: 'deployments', namespace: 'default' }`.
 * `group` is '' for the core group. `namespace` is left out for cluster-scoped resources and for lists and
 * watches across all namespaces. `refFor` (refs.ts) builds one from a kind.
 */
export interface ResourceRef {
  readonly group: string;
  readonly version: string;
  /** The plural, as in URLs: `pods`. */
  readonly resource: string;
  readonly namespace?: string;
}

/** What every request may carry. */
export interface RequestOptions {
  /** Aborts the request (a watch: ends it). */
  readonly signal?: AbortSignal;
}

export interface GetOptions extends RequestOptions {
  /** `status`, `scale`. */
  readonly subresource?: string;
  /** '0': any version the server has cached; unset: the latest. */
  readonly resourceVersion?: string;
}

export interface ListOptions extends RequestOptions {
  /** `app=web,tier!=db` */
  readonly labelSelector?: string;
  /** `metadata.name=web`, `spec.nodeName=node-1` */
  readonly fieldSelector?: string;
  /** At most this many items; the rest through `continue`. */
  readonly limit?: number;
  /** The token from the previous page's `metadata.continue`. */
  readonly continue?: string;
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

export interface ListMeta {
  readonly resourceVersion: string;
  /** Present when more items remain: pass it back as `continue`. */
  readonly continue?: string;
  readonly remainingItemCount?: number;
}

export interface ObjectList<T extends KubeObject = KubeObject> {
  readonly items: T[];
  readonly metadata: ListMeta;
}

export interface WatchOptions extends RequestOptions {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /**
   * Unset: ADDED events for everything that exists now, then changes. 'N': changes after N only (a
   * resourceVersion too old for the server gives an ERROR event with code 410, or a 410 StatusError).
   */
  readonly resourceVersion?: string;
  readonly allowWatchBookmarks?: boolean;
  /** The server ends the watch after this long; the iteration then just ends. */
  readonly timeoutSeconds?: number;
  readonly sendInitialEvents?: boolean;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/**
 * One change. DELETED carries the object's last state. BOOKMARK carries only
 * `metadata.resourceVersion` (a point the client may resume from). ERROR carries a `Status`: code 410
 * means the resourceVersion is too old and the client must list again.
 */
export type WatchEvent<T extends KubeObject = KubeObject> =
  | { readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; readonly object: T }
  | { readonly type: 'ERROR'; readonly object: Status };

/**
 * An open watch: iterate it once (`for await`). It ends when the server ends it (timeoutSeconds, the
 * server going away), when `close()` is called, or when the signal aborts; after an ERROR event
 * nothing more arrives. A broken connection is thrown from the iteration.
 */
export interface Watch<T extends KubeObject = KubeObject> extends AsyncIterable<WatchEvent<T>> {
  close(): void;
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteOptions extends RequestOptions {
  /** Validate and answer, but persist nothing. */
  readonly dryRun?: boolean;
  readonly fieldManager?: string;
  readonly fieldValidation?: FieldValidation;
}

export interface CreateOptions extends WriteOptions {
  /**
   * Create a subresource of an existing object named by `object.metadata.name`: `binding` (a pods'
   * Binding), `eviction`.
   */
  readonly subresource?: string;
}

export interface UpdateOptions extends WriteOptions {
  /** `status`, `scale`, `finalize` (namespaces). */
  readonly subresource?: string;
}

/**
 * merge: RFC 7386 JSON merge patch. json: RFC 6902 JSON patch (a list of operations). strategic:
 * Kubernetes' strategic merge patch. apply: server-side apply (needs `fieldManager`).
 */
export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

export interface PatchOptions extends WriteOptions {
  readonly subresource?: string;
  /** Server-side apply only: take fields other managers own. */
  readonly force?: boolean;
}

export interface Preconditions {
  readonly uid?: string;
  readonly resourceVersion?: string;
}

export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

export interface DeleteOptions extends RequestOptions {
  readonly gracePeriodSeconds?: number;
  readonly propagationPolicy?: PropagationPolicy;
  /** Delete only if the object still has this uid / resourceVersion (else 409 Conflict). */
  readonly preconditions?: Preconditions;
  readonly dryRun?: boolean;
}

export interface DeleteCollectionOptions extends DeleteOptions {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

/** What a delete answers when the object is gone at once and the resource does not return it. */
export interface StatusSuccess {
  readonly kind: 'Status';
  readonly apiVersion: 'v1';
  readonly status: 'Success';
  readonly details?: StatusDetails;
}

export interface KubeReader {
  /** The object, or a NotFound StatusError. */
  get<T extends KubeObject = KubeObject>(ref: ResourceRef, name: string, options?: GetOptions): Promise<T>;
  list<T extends KubeObject = KubeObject>(ref: ResourceRef, options?: ListOptions): Promise<ObjectList<T>>;
  /** Resolves once the server has accepted the watch; a refusal (410, 403…) rejects with a StatusError. */
  watch<T extends KubeObject = KubeObject>(ref: ResourceRef, options?: WatchOptions): Promise<Watch<T>>;
}

export interface KubeWriter {
  /**
   * `ref.namespace` is where the object goes (the object's own `metadata.namespace` when the ref has
   * none). Returns the object as stored.
   */
  create<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    object: NoInfer<T>,
    options?: CreateOptions,
  ): Promise<T>;
  /**
   * Replaces the object named by `object.metadata.name`. With `metadata.resourceVersion` set, the write
   * succeeds only if that is still the current version (else 409 Conflict): optimistic concurrency.
   */
  update<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    object: NoInfer<T>,
    options?: UpdateOptions,
  ): Promise<T>;
  patch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    name: string,
    patchType: PatchType,
    patch: unknown,
    options?: PatchOptions,
  ): Promise<T>;
  /**
   * The object when it is still there (finalizers, a pod's grace period) or the resource answers deletes
   * with it (pods); otherwise the server's success Status.
   */
  delete<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    name: string,
    options?: DeleteOptions,
  ): Promise<T | StatusSuccess>;
  /** Deletes every object the selectors match in `ref`; returns what was deleted. */
  deleteCollection<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    options?: DeleteCollectionOptions,
  ): Promise<ObjectList<T>>;
}

export interface KubeClient extends KubeReader, KubeWriter {}

/** What an informer needs. */
export type ListerWatcher = Pick<KubeReader, 'list' | 'watch'>;
