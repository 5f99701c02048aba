/**
 * An informer's cache: objects by key (`namespace/name`, or `name` when cluster-scoped), plus indexes
 * that answer "which objects have index value V" without a scan.
 *
 * Every stored object is deep-frozen: it is shared by every reader (several controllers read one pod
 * informer), so it must never be edited in place. Clone before changing — `structuredClone(pod)` — and
 * write the clone through the client; the cache changes only when the watch reports the write.
 *
 * Index example: with the built-in `namespace` index, after pods a/web, a/db and b/web are stored,
 * `byIndex('namespace', 'a')` is [a/db, a/web]. With `controller`, a pod whose ownerReferences hold
 * `{ uid: 'u1', controller: true }` is found by `byIndex('controller', 'u1')`.
 *
 * Invariant: `#indices[name][value]` holds exactly the keys of stored objects whose index function
 * returns `value`; `#set` and `#delete` are the only writers and keep it so.
 */
import type { KubeObject } from '../api/resource.js';
import { ClientError } from './errors.js';

/** The values an object is indexed under (none: not in this index). */
export type IndexFunction<T extends KubeObject = KubeObject> = (object: T) => readonly string[];

/** `namespace/name`, or `name` for a cluster-scoped object (client-go's MetaNamespaceKeyFunc). */
export function objectKey(object: KubeObject): string {
  const namespace = object.metadata?.namespace;
  const name = object.metadata?.name ?? '';
  return namespace ? `${namespace}/${name}` : name;
}

/** The inverse of `objectKey`: `'a/web'` → { namespace: 'a', name: 'web' }; `'node-1'` → { name: 'node-1' }. */
export function splitKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export const namespaceIndex = 'namespace';
export const controllerIndex = 'controller';

/** The built-in indexes: by namespace, and by the uid of the owner that is the object's controller. */
export const defaultIndexers: Readonly<Record<string, IndexFunction>> = {
  [namespaceIndex]: (object) => (object.metadata?.namespace ? [object.metadata.namespace] : []),
  [controllerIndex]: (object) => {
    const owner = object.metadata?.ownerReferences?.find((reference) => reference.controller === true);
    return owner ? [owner.uid] : [];
  },
};

/** What readers of a cache may do: look, never write. */
export interface StoreReader<T extends KubeObject = KubeObject> {
  get(key: string): T | undefined;
  /** By namespace and name (namespace undefined for cluster-scoped objects). */
  getByName(namespace: string | undefined, name: string): T | undefined;
  list(): T[];
  keys(): string[];
  readonly size: number;
  /** Objects whose `index` function returned `value`, in key order. */
  byIndex(index: string, value: string): T[];
  /** The values an index currently holds. */
  indexValues(index: string): string[];
}

export class IndexedStore<T extends KubeObject = KubeObject> implements StoreReader<T> {
  readonly #objects = new Map<string, T>();
  readonly #indexers: ReadonlyMap<string, IndexFunction<T>>;
  readonly #indices = new Map<string, Map<string, Set<string>>>();

  /** `indexers` are added to the built-in ones (a custom indexer may replace a built-in by name). */
  constructor(indexers: Readonly<Record<string, IndexFunction<T>>> = {}) {
    this.#indexers = new Map(
      Object.entries({ ...(defaultIndexers as Record<string, IndexFunction<T>>), ...indexers }),
    );
    for (const name of this.#indexers.keys()) this.#indices.set(name, new Map());
  }

  get(key: string): T | undefined {
    return this.#objects.get(key);
  }

  getByName(namespace: string | undefined, name: string): T | undefined {
    return this.#objects.get(namespace ? `${namespace}/${name}` : name);
  }

  list(): T[] {
    return [...this.#objects.values()];
  }

  keys(): string[] {
    return [...this.#objects.keys()];
  }

  get size(): number {
    return this.#objects.size;
  }

  byIndex(index: string, value: string): T[] {
    const keys = this.#index(index).get(value);
    if (!keys) return [];
    return [...keys].sort().map((key) => this.#objects.get(key)!);
  }

  indexValues(index: string): string[] {
    return [...this.#index(index).keys()];
  }

  /** Stores (a frozen) `object` under its key; returns what was there before. */
  set(object: T): T | undefined {
    const key = objectKey(object);
    const previous = this.#objects.get(key);
    if (previous) this.#unindex(key, previous);
    const frozen = deepFreeze(object);
    this.#objects.set(key, frozen);
    for (const [name, indexer] of this.#indexers) {
      const index = this.#indices.get(name)!;
      for (const value of indexer(frozen)) {
        let keys = index.get(value);
        if (!keys) index.set(value, (keys = new Set()));
        keys.add(key);
      }
    }
    return previous;
  }

  /** Removes the object at `key`; returns it. */
  delete(key: string): T | undefined {
    const previous = this.#objects.get(key);
    if (!previous) return undefined;
    this.#unindex(key, previous);
    this.#objects.delete(key);
    return previous;
  }

  #unindex(key: string, object: T): void {
    for (const [name, indexer] of this.#indexers) {
      const index = this.#indices.get(name)!;
      for (const value of indexer(object)) {
        const keys = index.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(value);
      }
    }
  }

  #index(name: string): Map<string, Set<string>> {
    const index = this.#indices.get(name);
    if (!index) throw new ClientError('SKIFF_ERR_INVALID_ARGUMENT', `no index named "${name}"`);
    return index;
  }
}

/** Freezes `value` and everything reachable from it; returns it. */
export function deepFreeze<V>(value: V): V {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const member of Object.values(value)) deepFreeze(member);
  return value;
}
