import { randomBytes, randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Conversion } from '../api/conversion/index.js';
import type { FieldSelector } from '../api/fields.js';
import type { Selector } from '../api/labels.js';
import { groupVersion, type KubeObject, type ResourceDefinition } from '../api/resource.js';
import {
  alreadyExists,
  badRequest,
  conflict,
  gone,
  notFound,
  optimisticLockErrorMessage,
  resourceExpired,
  tooLargeResourceVersion,
} from '../api/status.js';
import { isStoreError } from '../store/errors.js';
import type { KeyValue, Store } from '../store/types.js';
import { WatchCache } from './watch-cache.js';

/**
 * One resource's objects in the store, with Kubernetes' semantics for each verb: system metadata on
 * create, optimistic concurrency and no-op detection on update, graceful deletion and finalizers on
 * delete, consistent pagination on list. Objects are stored as JSON without their resourceVersion,
 * which is the store's modRevision and is filled in on the way out.
 *
 * What an object must look like (schema, defaults, validation) is not decided here: callers pass the
 * new object through `admit` (see `ObjectAdmission`) before it is written.
 */
export interface ListOptions {
  readonly namespace?: string;
  readonly labelSelector?: Selector;
  readonly fieldSelector?: FieldSelector;
  readonly limit?: number;
  readonly continue?: string;
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: string;
}

export interface ListResult {
  readonly items: KubeObject[];
  readonly resourceVersion: string;
  readonly continue?: string;
  readonly remainingItemCount?: number;
}

export interface DeleteOptions {
  readonly gracePeriodSeconds?: number;
  readonly propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  readonly preconditions?: { uid?: string; resourceVersion?: string };
  readonly dryRun?: boolean;
}

/** Turns a candidate object into the one to store, or throws a StatusError (defaults, validation). */
export type Admit = (object: KubeObject, old: KubeObject | undefined) => KubeObject | Promise<KubeObject>;

export interface ResourceStoreOptions {
  readonly store: Store;
  readonly resource: ResourceDefinition;
  readonly now?: () => Date;
  /** What objects of this resource hold outside themselves (a Service's cluster IP and node ports). */
  readonly claims?: WriteClaims;
}

/**
 * Things an object holds outside its own key, kept in step with its writes: claimed after admission and
 * before the write, then committed or given back by how the write went, and released when the object is
 * gone. Dry runs claim nothing.
 */
export interface WriteClaims {
  /** Claims what `object` needs that `old` did not hold; may fill them into `object` (an allocated IP). */
  claim(object: KubeObject, old: KubeObject | undefined): Promise<ClaimTicket>;
  /** The object is deleted: everything it held goes back. */
  release(object: KubeObject): Promise<void>;
}

export interface ClaimTicket {
  /** The write landed: what `old` held and the new object does not goes back. */
  commit(): Promise<void>;
  /** The write did not land: what this claim took goes back. */
  abort(): Promise<void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Characters Kubernetes uses for generateName suffixes: no vowels, no confusable digits. */
const suffixAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

export function formatTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

export class ResourceStore {
  readonly resource: ResourceDefinition;
  readonly cache: WatchCache;
  readonly #store: Store;
  readonly #now: () => Date;
  readonly #prefix: string;
  /**
   * For a version other than the stored one: how objects cross between the two. Everything this class
   * reads is converted on the way out (`present`) and everything it writes on the way in (`#toStorage`),
   * so callers, selectors and admission only ever see the version they asked for.
   */
  readonly #conversion: Conversion | undefined;
  readonly #claims: WriteClaims | undefined;

  private constructor(
    options: ResourceStoreOptions,
    cache: WatchCache,
    prefix: string,
    conversion?: Conversion,
  ) {
    this.resource = options.resource;
    this.#store = options.store;
    this.#now = options.now ?? (() => new Date());
    this.cache = cache;
    this.#prefix = prefix;
    this.#conversion = conversion;
    this.#claims = options.claims;
  }

  /** The same objects served as another version of the resource (autoscaling/v1 HPAs, events.k8s.io events). */
  asVersion(resource: ResourceDefinition, conversion: Conversion): ResourceStore {
    return new ResourceStore(
      { store: this.#store, resource, now: this.#now, ...(this.#claims ? { claims: this.#claims } : {}) },
      this.cache,
      this.#prefix,
      conversion,
    );
  }

  /** A stored object as this version presents it. */
  present(object: KubeObject): KubeObject {
    return this.#conversion ? this.#conversion.fromStorage(object, groupVersion(this.resource)) : object;
  }

  #toStorage(object: KubeObject): KubeObject {
    return this.#conversion ? this.#conversion.toStorage(object, groupVersion(this.resource)) : object;
  }

  /** Memo keys for serialised events differ per served version. */
  get versionKey(): string {
    return groupVersion(this.resource);
  }

  static async open(options: ResourceStoreOptions): Promise<ResourceStore> {
    const { resource } = options;
    const prefix = `/registry/${resource.group || 'core'}/${resource.plural}/`;
    const decode = (kv: KeyValue, revision: number) => decodeShared(kv.value, revision);
    const cache = await WatchCache.start({ store: options.store, prefix, decode });
    return new ResourceStore(options, cache, prefix);
  }

  get qualified() {
    return { group: this.resource.group, resource: this.resource.plural };
  }

  /** `/registry/core/pods/default/` for a namespace, the whole resource without one. */
  prefixFor(namespace: string | undefined): string {
    return this.resource.namespaced && namespace ? `${this.#prefix}${namespace}/` : this.#prefix;
  }

  keyFor(namespace: string | undefined, name: string): string {
    return this.resource.namespaced ? `${this.#prefix}${namespace}/${name}` : `${this.#prefix}${name}`;
  }

  async get(namespace: string | undefined, name: string): Promise<KubeObject> {
    const kv = await this.#store.get(this.keyFor(namespace, name));
    if (!kv) throw notFound(this.qualified, name);
    return this.present(decodeObject(kv.value, kv.modRevision));
  }

  async find(namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    const kv = await this.#store.get(this.keyFor(namespace, name));
    return kv ? this.present(decodeObject(kv.value, kv.modRevision)) : undefined;
  }

  // ---- list ----

  async list(options: ListOptions): Promise<ListResult> {
    const match = options.resourceVersionMatch;
    const rv = options.resourceVersion;
    if (match !== undefined && match !== 'NotOlderThan' && match !== 'Exact') {
      throw badRequest(`unsupported resourceVersionMatch "${match}"`);
    }
    if (match !== undefined && (rv === undefined || rv === '')) {
      throw badRequest('resourceVersionMatch is forbidden unless resourceVersion is provided');
    }
    if (options.continue && rv)
      throw badRequest('specifying resource version is not allowed when using continue');
    const requested = rv ? parseResourceVersion(rv) : undefined;
    // Paginated and exact reads go to the store, whose pages are one consistent snapshot; the rest are
    // served from the cache once it has caught up with what the caller must see.
    if (options.limit || options.continue || match === 'Exact') {
      return this.#listFromStore(options, match === 'Exact' ? requested : undefined);
    }
    if (requested === undefined) await this.cache.waitUntilFresh(await this.#store.currentRevision());
    else if (requested > 0) await this.cache.waitUntilFresh(requested);
    else await this.cache.ready();
    const prefix = this.prefixFor(options.namespace);
    const items = this.cache
      .list()
      .filter((entry) => entry.key.startsWith(prefix))
      .map((entry) => this.present(entry.object))
      .filter((object) => this.matches(object, options));
    return { items, resourceVersion: String(this.cache.revision) };
  }

  async #listFromStore(options: ListOptions, revision: number | undefined): Promise<ListResult> {
    const prefix = this.prefixFor(options.namespace);
    const limit = options.limit ?? 0;
    const filtered = !(options.labelSelector?.empty ?? true) || !(options.fieldSelector?.empty ?? true);
    const items: KubeObject[] = [];
    let token = options.continue;
    let readAt = revision;
    try {
      for (;;) {
        const page = await this.#store.list({
          prefix,
          limit: limit === 0 ? 0 : limit - items.length,
          ...(token ? { continue: token } : readAt ? { revision: readAt } : {}),
        });
        readAt = page.revision;
        for (const kv of page.items) {
          const object = this.present(decodeObject(kv.value, kv.modRevision));
          if (this.matches(object, options)) items.push(object);
        }
        token = page.continue;
        // With a selector a page may match fewer than `limit`: read on, as Kubernetes does.
        if (!token || limit === 0 || items.length >= limit) {
          return {
            items,
            resourceVersion: String(page.revision),
            ...(token ? { continue: token } : {}),
            ...(token && !filtered ? { remainingItemCount: page.remaining } : {}),
          };
        }
      }
    } catch (error) {
      throw translateStoreError(error, options.continue !== undefined);
    }
  }

  /** Whether the object passes the list's or watch's label and field selectors. */
  matches(object: KubeObject, options: Pick<ListOptions, 'labelSelector' | 'fieldSelector'>): boolean {
    if (options.labelSelector && !options.labelSelector.empty) {
      if (!options.labelSelector.matches(object.metadata?.labels)) return false;
    }
    if (options.fieldSelector && !options.fieldSelector.empty) {
      if (!options.fieldSelector.matches(this.selectableFields(object))) return false;
    }
    return true;
  }

  selectableFields(object: KubeObject): Record<string, string> {
    const fields: Record<string, string> = {
      'metadata.name': object.metadata?.name ?? '',
      'metadata.namespace': object.metadata?.namespace ?? '',
    };
    for (const [field, read] of Object.entries(this.resource.fieldSelectors ?? {}))
      fields[field] = read(object);
    return fields;
  }

  // ---- create ----

  /** Fills system metadata, admits, and writes. Returns the stored object (not written on dry run). */
  async create(
    namespace: string | undefined,
    input: KubeObject,
    admit: Admit,
    dryRun = false,
  ): Promise<KubeObject> {
    const metadata = { ...(input.metadata ?? {}) };
    const generated = !metadata.name && metadata.generateName;
    for (let attempt = 0; ; attempt++) {
      const { apiVersion: _apiVersion, kind: _kind, metadata: _metadata, ...fields } = input;
      // apiVersion, kind and metadata first, as Kubernetes writes them.
      const object: KubeObject = {
        apiVersion: groupVersion(this.resource),
        kind: this.resource.kind,
        metadata: {
          ...metadata,
          ...(generated ? { name: `${metadata.generateName}${randomSuffix(5)}` } : {}),
          uid: randomUUID(),
          creationTimestamp: formatTime(this.#now()),
          ...(this.resource.generation ? { generation: 1 } : {}),
        },
        ...fields,
      };
      const meta = object.metadata!;
      for (const field of [
        'resourceVersion',
        'deletionTimestamp',
        'deletionGracePeriodSeconds',
        'selfLink',
      ] as const) {
        delete meta[field];
      }
      if (!this.resource.generation) delete meta.generation;
      if (this.resource.namespaced) meta.namespace = namespace;
      else delete meta.namespace;
      const admitted = await admit(object, undefined);
      if (dryRun) return admitted;
      const name = admitted.metadata!.name!;
      const ticket = await this.#claims?.claim(admitted, undefined);
      const result = await this.#store
        .create(this.keyFor(namespace, name), encodeObject(this.#toStorage(admitted)))
        .catch(async (error: unknown) => {
          await ticket?.abort();
          throw error;
        });
      await (result.ok ? ticket?.commit() : ticket?.abort());
      if (result.ok) return withResourceVersion(admitted, result.revision);
      // A generated name that collided gets a new suffix; a chosen name that exists is the caller's error.
      if (!generated || attempt >= 8) throw alreadyExists(this.qualified, name);
    }
  }

  // ---- update ----

  /**
   * Reads the object, asks `update` for its new state, and writes it with compare-and-swap on the
   * revision read, retrying from the read when another writer won — unless the caller named a
   * resourceVersion, which then must still be current (409 Conflict otherwise). An update that changes
   * nothing writes nothing and keeps the resourceVersion (kubectl's "(no change)").
   */
  async update(
    namespace: string | undefined,
    name: string,
    update: (current: KubeObject) => KubeObject | Promise<KubeObject>,
    admit: Admit,
    options: { dryRun?: boolean; preconditionResourceVersion?: string } = {},
  ): Promise<KubeObject> {
    const key = this.keyFor(namespace, name);
    for (;;) {
      const kv = await this.#store.get(key);
      if (!kv) throw notFound(this.qualified, name);
      const current = this.present(decodeObject(kv.value, kv.modRevision));
      const wanted = options.preconditionResourceVersion;
      if (wanted && wanted !== current.metadata?.resourceVersion) {
        throw conflict(this.qualified, name, optimisticLockErrorMessage);
      }
      const candidate = await update(current);
      const admitted = await admit(candidate, current);
      if (sameObject(admitted, current)) return current;
      if (options.dryRun) return admitted;
      // Removing the last finalizer of an object being deleted completes the deletion, unless the
      // resource's own terms (a pod's grace period, a namespace's spec.finalizers) still hold it.
      const meta = admitted.metadata ?? {};
      const held = this.resource.strategy?.holdsDeletion?.(admitted) ?? false;
      if (meta.deletionTimestamp && (meta.finalizers?.length ?? 0) === 0 && !held) {
        const deleted = await this.#store.delete(key, kv.modRevision);
        if (deleted.ok) {
          await this.#claims?.release(current);
          return withResourceVersion(admitted, deleted.revision);
        }
        if (wanted) throw conflict(this.qualified, name, optimisticLockErrorMessage);
        continue;
      }
      const ticket = await this.#claims?.claim(admitted, current);
      const result = await this.#store
        .update(key, encodeObject(this.#toStorage(admitted)), kv.modRevision)
        .catch(async (error: unknown) => {
          await ticket?.abort();
          throw error;
        });
      await (result.ok ? ticket?.commit() : ticket?.abort());
      if (result.ok) return withResourceVersion(admitted, result.revision);
      if (wanted) throw conflict(this.qualified, name, optimisticLockErrorMessage);
    }
  }

  async exists(namespace: string | undefined, name: string): Promise<boolean> {
    return (await this.#store.get(this.keyFor(namespace, name))) !== undefined;
  }

  // ---- delete ----

  /**
   * Deletes, or begins deleting: an object with finalizers (or a cascade that adds one) gets a
   * deletionTimestamp and stays until they are removed; a pod on a node gets a grace period and stays
   * until its node confirms. Returns the object and whether it is gone.
   */
  async delete(
    namespace: string | undefined,
    name: string,
    options: DeleteOptions,
  ): Promise<{ object: KubeObject; deleted: boolean }> {
    const key = this.keyFor(namespace, name);
    for (;;) {
      const kv = await this.#store.get(key);
      if (!kv) throw notFound(this.qualified, name);
      const current = this.present(decodeObject(kv.value, kv.modRevision));
      const meta = current.metadata ?? {};
      const { preconditions } = options;
      if (preconditions?.uid && preconditions.uid !== meta.uid) {
        throw conflict(
          this.qualified,
          name,
          `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${meta.uid ?? ''}`,
        );
      }
      if (preconditions?.resourceVersion && preconditions.resourceVersion !== meta.resourceVersion) {
        throw conflict(
          this.qualified,
          name,
          `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion ?? ''}`,
        );
      }
      const pending = this.#pendingDeletion(current, options);
      if (pending) {
        if (options.dryRun || sameObject(pending, current)) return { object: pending, deleted: false };
        const result = await this.#store.update(key, encodeObject(this.#toStorage(pending)), kv.modRevision);
        if (result.ok) return { object: withResourceVersion(pending, result.revision), deleted: false };
        continue;
      }
      if (options.dryRun) return { object: current, deleted: true };
      const result = await this.#store.delete(key, kv.modRevision);
      if (result.ok) {
        await this.#claims?.release(current);
        return { object: withResourceVersion(current, result.revision), deleted: true };
      }
    }
  }

  /** The object's state while its deletion waits (finalizers, the resource's own terms), or undefined to delete now. */
  #pendingDeletion(current: KubeObject, options: DeleteOptions): KubeObject | undefined {
    const now = this.#now();
    const own = this.resource.strategy?.beginDeletion?.(current, {
      now,
      ...(options.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: options.gracePeriodSeconds } : {}),
    });
    const base = own ?? current;
    const meta = base.metadata ?? {};
    // A propagation policy replaces the other's finalizer, as upstream: Orphan after Foreground orphans,
    // and an explicit Background drops both.
    let finalizers = [...(meta.finalizers ?? [])];
    const policy = options.propagationPolicy;
    if (policy !== undefined) {
      finalizers = finalizers.filter(
        (finalizer) => finalizer !== 'orphan' && finalizer !== 'foregroundDeletion',
      );
      if (policy === 'Orphan') finalizers.push('orphan');
      if (policy === 'Foreground') finalizers.push('foregroundDeletion');
    }
    if (!own && finalizers.length === 0) return undefined;
    return {
      ...base,
      metadata: {
        ...meta,
        ...(finalizers.length > 0 ? { finalizers } : {}),
        deletionTimestamp: meta.deletionTimestamp ?? formatTime(now),
        deletionGracePeriodSeconds: meta.deletionGracePeriodSeconds ?? 0,
      },
    };
  }
}

/**
 * Objects this process just wrote, by the bytes it wrote: the in-process stores hand the same bytes back
 * in their watch events, so the watch cache takes the object instead of parsing it again. Entries go
 * when the bytes do. Such an object is shared: nobody edits it.
 */
const written = new WeakMap<Uint8Array, KubeObject>();

export function decodeObject(value: Uint8Array, revision: number): KubeObject {
  return withResourceVersion(JSON.parse(decoder.decode(value)) as KubeObject, revision);
}

/** For the watch cache: the object as written when this process wrote it, else decoded. */
export function decodeShared(value: Uint8Array, revision: number): KubeObject {
  const object = written.get(value);
  return object ? withResourceVersion(object, revision) : decodeObject(value, revision);
}

export function encodeObject(object: KubeObject): Uint8Array {
  const { resourceVersion: _, ...metadata } = object.metadata ?? {};
  const bytes = encoder.encode(JSON.stringify({ ...object, metadata }));
  written.set(bytes, { ...object, metadata });
  return bytes;
}

function withResourceVersion(object: KubeObject, revision: number): KubeObject {
  return { ...object, metadata: { ...object.metadata, resourceVersion: String(revision) } };
}

/** Equal apart from resourceVersion: the test for a write that changes nothing. */
function sameObject(a: KubeObject, b: KubeObject): boolean {
  const strip = (object: KubeObject) => ({
    ...object,
    metadata: { ...object.metadata, resourceVersion: undefined },
  });
  return isDeepStrictEqual(JSON.parse(JSON.stringify(strip(a))), JSON.parse(JSON.stringify(strip(b))));
}

function randomSuffix(length: number): string {
  const bytes = randomBytes(length);
  let suffix = '';
  for (const byte of bytes) suffix += suffixAlphabet[byte % suffixAlphabet.length];
  return suffix;
}

export function parseResourceVersion(text: string): number {
  if (!/^\d+$/.test(text)) throw badRequest(`invalid resource version "${text}"`);
  return Number(text);
}

/** Maps the store's typed errors onto the Status a client expects. */
export function translateStoreError(error: unknown, continuing = false): unknown {
  if (isStoreError(error, 'SKIFF_ERR_COMPACTED')) {
    return continuing
      ? resourceExpired(
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue value from the response to receive the list as of a more recent time.',
        )
      : gone(`too old resource version: ${error.message}`);
  }
  if (isStoreError(error, 'SKIFF_ERR_FUTURE_REVISION')) {
    return tooLargeResourceVersion(0, error.currentRevision ?? 0);
  }
  if (isStoreError(error, 'SKIFF_ERR_INVALID_ARGUMENT'))
    return badRequest(`continue key is not valid: ${error.message}`);
  return error;
}
