/**
 * NodeName (Filter): a pod that names its node in `spec.nodeName` fits only that node.
 */
import { ActionType, type EnqueueExtensions, type FilterPlugin } from '../../framework/interfaces.js';
import { unresolvable } from '../../framework/status.js';

export const NODE_NAME = 'NodeName';
export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";

export function nodeName() {
  return {
    name: NODE_NAME,
    filter(_state, pod, node) {
      const wanted = pod.pod.spec?.nodeName;
      if (!wanted || wanted === node.name) return undefined;
      return unresolvable(ERR_REASON_NODE_NAME);
    },
    eventsToRegister: () => [{ event: { resource: 'Node', action: ActionType.Add } }],
  } satisfies FilterPlugin & EnqueueExtensions;
}
