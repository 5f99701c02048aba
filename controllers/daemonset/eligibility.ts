/**
 * Which nodes a DaemonSet's pod belongs on, as upstream's NodeShouldRunDaemonPod: the daemon pod (the
 * template with the daemon tolerations, see daemon-pod.ts) is checked against each node.
 *
 *   template nodeName set to another node    → shouldRun no,  shouldContinueRunning no
 *   nodeSelector or required affinity fail   → no, no
 *   an untolerated NoExecute taint           → no, no   (a running pod would be evicted anyway)
 *   an untolerated NoSchedule taint only     → no, yes  (no new pod, but a running one stays)
 *   otherwise                                → yes, yes
 *
 * PreferNoSchedule taints and `spec.unschedulable` keep no daemon pod out: cordoning a node must not
 * stop its daemons (the unschedulable taint the node controller adds is among the daemon tolerations).
 */
import { requiredNodeAffinity } from '../../api/scheduling/required-node-affinity.js';
import { findUntoleratedTaint } from '../../api/scheduling/taints.js';
import type { Node, PodPlacementSpec, Taint } from '../../api/scheduling/types.js';
import { withDaemonTolerations } from './daemon-pod.js';
import type { DaemonSet } from './types.js';

export interface Eligibility {
  /** A daemon pod should be created on the node if none runs there. */
  readonly shouldRun: boolean;
  /** A daemon pod already on the node may stay. */
  readonly shouldContinueRunning: boolean;
}

const repels = (taint: Taint) => taint.effect === 'NoSchedule' || taint.effect === 'NoExecute';
const evicts = (taint: Taint) => taint.effect === 'NoExecute';

/** Compiles the DaemonSet's placement rules once; the result answers for any node. */
export function daemonEligibility(daemonSet: DaemonSet): (node: Node) => Eligibility {
  const spec = withDaemonTolerations((daemonSet.spec?.template?.spec ?? {}) as PodPlacementSpec);
  const affinity = requiredNodeAffinity(spec);
  return (node) => {
    const name = node.metadata?.name ?? '';
    if (spec.nodeName && spec.nodeName !== name) return { shouldRun: false, shouldContinueRunning: false };
    if (!affinity.matches(node)) return { shouldRun: false, shouldContinueRunning: false };
    const taints = node.spec?.taints;
    if (findUntoleratedTaint(taints, spec.tolerations, repels) === undefined)
      return { shouldRun: true, shouldContinueRunning: true };
    return {
      shouldRun: false,
      shouldContinueRunning: findUntoleratedTaint(taints, spec.tolerations, evicts) === undefined,
    };
  };
}
