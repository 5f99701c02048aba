/**
 * PodDisruptionBudgets as both the disruption controller and the eviction subresource read and write
 * them, with the one rule they share (upstream's component-helpers/apps/poddisruptionbudget): the
 * `DisruptionAllowed` condition says True/SufficientPods while disruptionsAllowed > 0, else
 * False/InsufficientPods, and carries the status's observedGeneration.
 */
import type { KubeObject } from '../../api/resource.js';
import { formatTime } from '../pods.js';

export interface PdbCondition {
  type: string;
  status: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
  reason: string;
  message: string;
}

export interface PodDisruptionBudgetStatus {
  observedGeneration?: number;
  disruptedPods?: Record<string, string>;
  disruptionsAllowed?: number;
  currentHealthy?: number;
  desiredHealthy?: number;
  expectedPods?: number;
  conditions?: PdbCondition[];
}

export interface PodDisruptionBudget extends KubeObject {
  spec?: {
    minAvailable?: number | string;
    maxUnavailable?: number | string;
    selector?: unknown;
    unhealthyPodEvictionPolicy?: string;
  };
  status?: PodDisruptionBudgetStatus;
}

export const DISRUPTION_ALLOWED = 'DisruptionAllowed';
export const SUFFICIENT_PODS = 'SufficientPods';
export const INSUFFICIENT_PODS = 'InsufficientPods';
export const SYNC_FAILED = 'SyncFailed';

/**
 * apimachinery's SetStatusCondition: replaces the condition of that type, keeping its
 * lastTransitionTime unless the status changed. Returns a new list.
 */
export function setCondition(
  conditions: readonly PdbCondition[] | undefined,
  next: Omit<PdbCondition, 'lastTransitionTime'>,
  now: number,
): PdbCondition[] {
  const list = [...(conditions ?? [])];
  const index = list.findIndex((condition) => condition.type === next.type);
  const existing = index >= 0 ? list[index] : undefined;
  const lastTransitionTime =
    existing && existing.status === next.status && existing.lastTransitionTime
      ? existing.lastTransitionTime
      : formatTime(now);
  const condition: PdbCondition = {
    type: next.type,
    status: next.status,
    ...(next.observedGeneration ? { observedGeneration: next.observedGeneration } : {}),
    lastTransitionTime,
    reason: next.reason,
    message: next.message,
  };
  if (index >= 0) list[index] = condition;
  else list.push(condition);
  return list;
}

/** The status with its DisruptionAllowed condition brought in line with disruptionsAllowed. */
export function withDisruptionAllowedCondition(
  status: PodDisruptionBudgetStatus,
  now: number,
): PodDisruptionBudgetStatus {
  const allowed = (status.disruptionsAllowed ?? 0) > 0;
  return {
    ...status,
    conditions: setCondition(
      status.conditions,
      {
        type: DISRUPTION_ALLOWED,
        status: allowed ? 'True' : 'False',
        ...(status.observedGeneration ? { observedGeneration: status.observedGeneration } : {}),
        reason: allowed ? SUFFICIENT_PODS : INSUFFICIENT_PODS,
        message: '',
      },
      now,
    ),
  };
}

/** Upstream's ConditionsAreUpToDate: the condition exists, matches disruptionsAllowed and the observed generation. */
export function conditionsAreUpToDate(status: PodDisruptionBudgetStatus | undefined): boolean {
  const condition = status?.conditions?.find((candidate) => candidate.type === DISRUPTION_ALLOWED);
  if (!condition || (condition.observedGeneration ?? 0) !== (status?.observedGeneration ?? 0)) return false;
  return (status?.disruptionsAllowed ?? 0) > 0
    ? condition.status === 'True' && condition.reason === SUFFICIENT_PODS
    : condition.status === 'False' && condition.reason === INSUFFICIENT_PODS;
}
