/**
 * Taints and tolerations, as core/v1's Toleration.ToleratesTaint and the scheduling helpers built on it:
 * a taint repels every pod without a toleration for it.
 *
 *   toleration                          taint dedicated=gpu:NoSchedule
 *   {key: dedicated, value: gpu}        tolerated (operator empty means Equal)
 *   {key: dedicated, operator: Exists}  tolerated (any value)
 *   {operator: Exists}                  tolerated (empty key with Exists: every taint)
 *   {key: dedicated, effect: NoExecute} not tolerated (the effect differs; empty would match any)
 *   {key: dedicated, value: cpu}        not tolerated
 */
import type { Taint, Toleration } from './types.js';

export const TaintEffect = {
  NoSchedule: 'NoSchedule',
  PreferNoSchedule: 'PreferNoSchedule',
  NoExecute: 'NoExecute',
} as const;

/** Whether `toleration` tolerates `taint`. An operator other than Exists or Equal tolerates nothing. */
export function tolerates(taint: Taint, toleration: Toleration): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? '') {
    case '':
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/** Whether any of `tolerations` tolerates `taint`. */
export function tolerationsTolerateTaint(
  tolerations: readonly Toleration[] | undefined,
  taint: Taint,
): boolean {
  return (tolerations ?? []).some((toleration) => tolerates(taint, toleration));
}

/**
 * The first of `taints` that `include` selects and no toleration tolerates (upstream's
 * FindMatchingUntoleratedTaint), or undefined when the pod tolerates all the selected ones.
 *
 *   findUntoleratedTaint(node.spec.taints, pod.spec.tolerations,
 *     (taint) => taint.effect === 'NoSchedule' || taint.effect === 'NoExecute')
 */
export function findUntoleratedTaint(
  taints: readonly Taint[] | undefined,
  tolerations: readonly Toleration[] | undefined,
  include: (taint: Taint) => boolean = () => true,
): Taint | undefined {
  return (taints ?? []).find((taint) => include(taint) && !tolerationsTolerateTaint(tolerations, taint));
}
