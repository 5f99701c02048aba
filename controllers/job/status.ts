/**
 * A Job's status as the Job controller writes it (upstream's job_controller.go helpers): conditions,
 * moving counted pods out of uncountedTerminatedPods, and the JSON shape of the whole.
 */
import { formatTime } from '../pods.js';
import { type Job, type JobCondition, JobConditionType, type JobStatus } from './types.js';

/**
 * Moves uncounted pods that have lost their finalizer into the counters. Returns whether anything
 * moved.
 */
export function countUncountedWithoutFinalizers(
  status: JobStatus,
  withFinalizer: ReadonlySet<string>,
): boolean {
  const uncounted = status.uncountedTerminatedPods;
  if (!uncounted) return false;
  let updated = false;
  for (const field of ['succeeded', 'failed'] as const) {
    const before = uncounted[field] ?? [];
    const still = before.filter((uid) => withFinalizer.has(uid));
    if (still.length === before.length) continue;
    updated = true;
    status[field] = (status[field] ?? 0) + before.length - still.length;
    if (still.length > 0) uncounted[field] = still;
    else delete uncounted[field];
  }
  return updated;
}

export function trueCondition(job: Job, type: string): JobCondition | undefined {
  return job.status?.conditions?.find((condition) => condition.type === type && condition.status === 'True');
}

export function newCondition(
  type: string,
  status: string,
  reason: string,
  message: string,
  now: number,
): JobCondition {
  const time = formatTime(now);
  return {
    type,
    status,
    lastProbeTime: time,
    lastTransitionTime: time,
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}

export function failedConditionFor(failureTarget: JobCondition, now: number): JobCondition {
  return newCondition(
    JobConditionType.failed,
    'True',
    failureTarget.reason ?? '',
    failureTarget.message ?? '',
    now,
  );
}

/**
 * Sets the condition of `type` to the given state, replacing it when status, reason or message differ;
 * a condition that does not exist is not added as False (nothing to say). Conditions of other types,
 * our own or anyone's, are kept. Returns whether anything changed.
 */
export function ensureCondition(
  status: JobStatus,
  type: string,
  value: string,
  reason: string,
  message: string,
  now: number,
): boolean {
  const conditions = (status.conditions ??= []);
  const index = conditions.findIndex((condition) => condition.type === type);
  if (index >= 0) {
    const existing = conditions[index]!;
    if (
      existing.status === value &&
      (existing.reason ?? '') === reason &&
      (existing.message ?? '') === message
    ) {
      return false;
    }
    conditions[index] = newCondition(type, value, reason, message, now);
    return true;
  }
  if (value === 'False') {
    if (conditions.length === 0) delete status.conditions;
    return false;
  }
  conditions.push(newCondition(type, value, reason, message, now));
  return true;
}

/**
 * The status as upstream's JSON has it: fields in JobStatus order, zero counters left out but `ready`
 * and `terminating` always written, uncountedTerminatedPods always present.
 */
export function wireStatus(status: JobStatus): JobStatus {
  const {
    conditions,
    startTime,
    completionTime,
    active,
    succeeded,
    failed,
    terminating,
    completedIndexes,
    failedIndexes,
    uncountedTerminatedPods,
    ready,
    ...rest
  } = status;
  const uncounted: JobStatus['uncountedTerminatedPods'] = {
    ...(uncountedTerminatedPods?.succeeded?.length
      ? { succeeded: [...uncountedTerminatedPods.succeeded] }
      : {}),
    ...(uncountedTerminatedPods?.failed?.length ? { failed: [...uncountedTerminatedPods.failed] } : {}),
  };
  return {
    ...(conditions && conditions.length > 0 ? { conditions } : {}),
    ...(startTime ? { startTime } : {}),
    ...(completionTime ? { completionTime } : {}),
    ...(active ? { active } : {}),
    ...(succeeded ? { succeeded } : {}),
    ...(failed ? { failed } : {}),
    ...(terminating !== undefined ? { terminating } : {}),
    ...(completedIndexes ? { completedIndexes } : {}),
    ...(failedIndexes !== undefined ? { failedIndexes } : {}),
    uncountedTerminatedPods: uncounted,
    ...(ready !== undefined ? { ready } : {}),
    ...rest,
  };
}
