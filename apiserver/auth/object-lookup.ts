/**
 * The few objects authentication reads: the ServiceAccount a token names, and the Pod, Secret or Node
 * it is bound to. Reads come from the watch cache (a Map lookup, cheap enough for every request) and go
 * to the store only when asked for `fresh`: a caller that finds nothing, or not the uid it expects,
 * asks again fresh, so an object created a moment ago is not refused while the cache catches up.
 */
import type { KubeObject } from '../../api/resource.js';
import { isStatusError } from '../../api/status.js';
import type { ResourceStore } from '../resource-store.js';
import { storeKey } from '../rest-handler.js';

export type LookupResource = 'serviceaccounts' | 'pods' | 'secrets' | 'nodes';

export interface ObjectLookup {
  get(
    resource: LookupResource,
    namespace: string | undefined,
    name: string,
    options?: { fresh?: boolean },
  ): Promise<KubeObject | undefined>;
}

/** Reads the API server's own stores; `stores` is called on each read, so it may be bound late. */
export function storeLookup(stores: () => ReadonlyMap<string, ResourceStore>): ObjectLookup {
  return {
    async get(resource, namespace, name, options = {}) {
      const store = stores().get(storeKey('', 'v1', resource));
      if (!store) return undefined;
      const scope = resource === 'nodes' ? undefined : namespace;
      if (!options.fresh) return store.cache.get(store.keyFor(scope, name))?.object;
      try {
        return await store.get(scope, name);
      } catch (error) {
        if (isStatusError(error, 'NotFound')) return undefined;
        throw error;
      }
    },
  };
}

/** The cached copy when it has the expected uid, else a fresh read. */
export async function lookupWithUid(
  objects: ObjectLookup,
  resource: LookupResource,
  namespace: string | undefined,
  name: string,
  uid: string | undefined,
): Promise<KubeObject | undefined> {
  const cached = await objects.get(resource, namespace, name);
  if (cached && (uid === undefined || cached.metadata?.uid === uid)) return cached;
  return objects.get(resource, namespace, name, { fresh: true });
}
