/**
 * DefaultBinder (Bind): binds the pod as kube-scheduler does, with a Binding through the
 * `pods/binding` subresource — the API server sets spec.nodeName and PodScheduled=True in one write,
 * and refuses (409) a pod already bound or being deleted.
 */
import { refFor } from '../../../client/refs.js';
import type { BindPlugin, FrameworkHandle } from '../../framework/interfaces.js';
import { errorStatus } from '../../framework/status.js';

export const DEFAULT_BINDER = 'DefaultBinder';

export function defaultBinder(_args: unknown, handle: FrameworkHandle) {
  return {
    name: DEFAULT_BINDER,
    async bind(_state, pod, nodeName) {
      try {
        await handle.client.create(
          refFor('Pod', pod.namespace),
          {
            apiVersion: 'v1',
            kind: 'Binding',
            metadata: { name: pod.name, namespace: pod.namespace, ...(pod.uid ? { uid: pod.uid } : {}) },
            target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
          },
          { subresource: 'binding' },
        );
        return undefined;
      } catch (error) {
        return errorStatus(error);
      }
    },
  } satisfies BindPlugin;
}
