/**
 * A pod's topology spread constraints, compiled: its own (with `matchLabelKeys` folded into the
 * selector), or — when it has none — the profile's defaults, which select the pod's siblings: the pods
 * matched by the Services that select it and by its owning ReplicaSet, ReplicationController or
 * StatefulSet (upstream's DefaultSelector). With nothing selecting it, a pod has no default constraints.
 *
 * kube-scheduler's system defaults (`defaultingType: System`):
 *
 *   hostname  maxSkew 3  ScheduleAnyway
 *   zone      maxSkew 5  ScheduleAnyway
 */
import { labelSelectorAsSelector, type Selector } from '../../../api/labels.js';
import type { RequiredNodeAffinity } from '../../../api/scheduling/required-node-affinity.js';
import { findUntoleratedTaint } from '../../../api/scheduling/taints.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import {
  LABEL_HOSTNAME,
  LABEL_ZONE,
  type Node,
  type Pod,
  type TopologySpreadConstraint,
} from '../../types.js';

export interface Constraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly selector: Selector;
  readonly minDomains: number;
  /** Honor: nodes the pod's node affinity excludes are not domains. */
  readonly honorNodeAffinity: boolean;
  /** Honor: nodes with taints the pod does not tolerate are not domains. */
  readonly honorNodeTaints: boolean;
}

export const SYSTEM_DEFAULT_CONSTRAINTS: readonly TopologySpreadConstraint[] = [
  { topologyKey: LABEL_HOSTNAME, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 3 },
  { topologyKey: LABEL_ZONE, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 5 },
];

/** The pod's own constraints of one kind (DoNotSchedule or ScheduleAnyway), compiled. */
export function ownConstraints(pod: Pod, whenUnsatisfiable: string): Constraint[] {
  const labels = pod.metadata?.labels ?? {};
  return (pod.spec?.topologySpreadConstraints ?? [])
    .filter((constraint) => constraint.whenUnsatisfiable === whenUnsatisfiable)
    .map((constraint) => {
      // matchLabelKeys: the pod's own values for those keys narrow the selector (same revision only).
      const extra = (constraint.matchLabelKeys ?? [])
        .filter((key) => labels[key] !== undefined)
        .map((key) => ({ key, operator: 'In', values: [labels[key]!] }));
      const base = constraint.labelSelector ?? null;
      const selector = labelSelectorAsSelector(
        base && extra.length > 0
          ? { ...base, matchExpressions: [...(base.matchExpressions ?? []), ...extra] }
          : base,
      );
      return {
        maxSkew: constraint.maxSkew,
        topologyKey: constraint.topologyKey,
        selector,
        minDomains: constraint.minDomains ?? 1,
        honorNodeAffinity: (constraint.nodeAffinityPolicy ?? 'Honor') === 'Honor',
        honorNodeTaints: (constraint.nodeTaintsPolicy ?? 'Ignore') === 'Honor',
      };
    });
}

/** Default constraints with the sibling selector; none if nothing selects the pod. */
export function defaultConstraints(
  defaults: readonly TopologySpreadConstraint[],
  whenUnsatisfiable: string,
  selector: Selector | undefined,
): Constraint[] {
  if (!selector || selector.empty) return [];
  return defaults
    .filter((constraint) => constraint.whenUnsatisfiable === whenUnsatisfiable)
    .map((constraint) => ({
      maxSkew: constraint.maxSkew,
      topologyKey: constraint.topologyKey,
      selector,
      minDomains: 1,
      honorNodeAffinity: true,
      honorNodeTaints: false,
    }));
}

/** Whether the node has every constraint's topology label. */
export function hasAllTopologyKeys(
  labels: Readonly<Record<string, string>>,
  constraints: readonly Constraint[],
): boolean {
  for (const constraint of constraints) if (labels[constraint.topologyKey] === undefined) return false;
  return true;
}

/** Whether the node counts as a domain for this constraint (node inclusion policies). */
export function includesNode(
  constraint: Constraint,
  pod: Pod,
  node: Node,
  affinity: RequiredNodeAffinity,
): boolean {
  if (constraint.honorNodeAffinity && !affinity.matches(node)) return false;
  if (
    constraint.honorNodeTaints &&
    findUntoleratedTaint(
      node.spec?.taints,
      pod.spec?.tolerations,
      (taint) => taint.effect === 'NoSchedule' || taint.effect === 'NoExecute',
    )
  ) {
    return false;
  }
  return true;
}

/** Pods on the node in `namespace` that `selector` matches, not counting pods being deleted. */
export function countMatchingPods(node: NodeInfo, selector: Selector, namespace: string): number {
  let count = 0;
  for (const pod of node.pods) {
    if (pod.namespace !== namespace || pod.pod.metadata?.deletionTimestamp) continue;
    if (selector.matches(pod.labels)) count++;
  }
  return count;
}

/** Whether a pod counts against a constraint: in the namespace, selected. */
export function podCounts(pod: PodInfo, selector: Selector, namespace: string): boolean {
  return pod.namespace === namespace && !pod.pod.metadata?.deletionTimestamp && selector.matches(pod.labels);
}
