/**
 * The read view admission plugins have of the cluster: upstream's plugins read through informer
 * listers and look the store up live on a miss; these read the server's watch caches the same way.
 * Objects returned are shared with the cache: plugins never edit them.
 */
import type { KubeObject } from '../../api/resource.js';
import type { ResourceStore } from '../resource-store.js';

export class AdmissionObjects {
  readonly #stores: ReadonlyMap<string, ResourceStore>;
  readonly #byResource = new Map<string, ResourceStore | undefined>();

  constructor(stores: ReadonlyMap<string, ResourceStore>) {
    this.#stores = stores;
  }

  /** The store of `group`/`plural` in its storage version; undefined when the server does not serve it. */
  store(group: string, plural: string): ResourceStore | undefined {
    const key = `${group}/${plural}`;
    if (!this.#byResource.has(key)) {
      const found = [...this.#stores.values()].find(
        (store) => store.resource.group === group && store.resource.plural === plural,
      );
      this.#byResource.set(key, found);
    }
    return this.#byResource.get(key);
  }

  /** One object: from the cache, else read from the store (a cache that has not caught up yet). */
  async get(group: string, plural: string, namespace: string | undefined, name: string) {
    const store = this.store(group, plural);
    if (!store) return undefined;
    const cached = store.cache.get(store.keyFor(namespace, name));
    if (cached) return store.present(cached.object);
    return store.find(namespace, name);
  }

  /** The cached objects of a resource, in one namespace or (cluster-scoped kinds) all of them. */
  list(group: string, plural: string, namespace?: string): KubeObject[] {
    const store = this.store(group, plural);
    if (!store) return [];
    const prefix = store.prefixFor(namespace);
    return store.cache
      .list()
      .filter((entry) => entry.key.startsWith(prefix))
      .map((entry) => store.present(entry.object));
  }
}
