/**
 * NodeUnschedulable (Filter): a cordoned node (`spec.unschedulable: true`, `kubectl cordon`) takes only
 * pods that tolerate the `node.kubernetes.io/unschedulable:NoSchedule` taint (DaemonSet pods do).
 */
import { tolerationsTolerateTaint } from '../../../api/scheduling/taints.js';
import { ActionType, type EnqueueExtensions, type FilterPlugin } from '../../framework/interfaces.js';
import { unresolvable } from '../../framework/status.js';
import type { Node } from '../../types.js';

export const NODE_UNSCHEDULABLE = 'NodeUnschedulable';
export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
const UNSCHEDULABLE_TAINT = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

export function nodeUnschedulable() {
  return {
    name: NODE_UNSCHEDULABLE,
    filter(_state, pod, node) {
      if (!node.unschedulable) return node.node ? undefined : unresolvable('node not found');
      if (tolerationsTolerateTaint(pod.pod.spec?.tolerations, UNSCHEDULABLE_TAINT)) return undefined;
      return unresolvable(ERR_REASON_UNSCHEDULABLE);
    },
    eventsToRegister: () => [
      {
        event: { resource: 'Node', action: ActionType.Add | ActionType.UpdateNodeTaint },
        // Only a node that is schedulable now can help.
        hint: (_pod, _old, node) => ((node as Node | undefined)?.spec?.unschedulable ? 'Skip' : 'Queue'),
      },
      { event: { resource: 'Pod', action: ActionType.UpdatePodToleration } },
    ],
  } satisfies FilterPlugin & EnqueueExtensions;
}
