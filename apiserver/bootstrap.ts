import { isStatusError } from '../api/status.js';
import { admitter } from './admission.js';
import type { ResourceStore } from './resource-store.js';
import { storeKey } from './rest-handler.js';

/** The namespaces every cluster has from its first start; creating them again is a no-op. */
export const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;

export async function bootstrap(stores: ReadonlyMap<string, ResourceStore>): Promise<void> {
  const namespaces = stores.get(storeKey('', 'v1', 'namespaces'));
  if (!namespaces) return;
  const admit = admitter({ resource: namespaces.resource });
  for (const name of systemNamespaces) {
    try {
      await namespaces.create(undefined, { metadata: { name } }, admit);
    } catch (error) {
      if (!isStatusError(error, 'AlreadyExists')) throw error;
    }
  }
}
