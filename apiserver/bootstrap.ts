import { isStatusError } from '../api/status.js';
import { systemPriorityClasses } from './admission/priority.js';
import { admitter } from './admission.js';
import type { ResourceStore } from './resource-store.js';
import { storeKey } from './rest-handler.js';

/** The namespaces every cluster has from its first start; creating them again is a no-op. */
export const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;

export async function bootstrap(stores: ReadonlyMap<string, ResourceStore>): Promise<void> {
  // system-node-critical and system-cluster-critical, as upstream's scheduling post-start hook makes them.
  const priorityClasses = stores.get(storeKey('scheduling.k8s.io', 'v1', 'priorityclasses'));
  if (priorityClasses) {
    const admitClass = admitter({ resource: priorityClasses.resource });
    for (const priorityClass of systemPriorityClasses) {
      try {
        await priorityClasses.create(undefined, structuredClone(priorityClass), admitClass);
      } catch (error) {
        if (!isStatusError(error, 'AlreadyExists')) throw error;
      }
    }
  }
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
