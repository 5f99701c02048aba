/**
 * What the Job controller asks of a Job's spec and its pods (upstream's job_controller.go helpers):
 * is it Indexed, suspended, someone else's, out of time or retries; is a pod terminating, failed.
 */
import { type Pod, timeOf } from '../pods.js';
import type { Job } from './types.js';

/** The value of spec.managedBy that means the built-in controller. */
export const JOB_CONTROLLER_NAME = 'kubernetes.io/job-controller';

/** spec.managedBy names another controller: this one leaves the Job alone. */
export function managedElsewhere(job: Job): boolean {
  const manager = job.spec?.managedBy;
  return manager !== undefined && manager !== null && manager !== JOB_CONTROLLER_NAME;
}

export function isIndexed(job: Job): boolean {
  return job.spec?.completionMode === 'Indexed';
}

export function isSuspended(job: Job): boolean {
  return job.spec?.suspend === true;
}

/** podReplacementPolicy Failed (or a podFailurePolicy): a pod is replaced once it has failed, not before. */
export function onlyReplaceFailedPods(job: Job): boolean {
  return (
    job.spec?.podReplacementPolicy === 'Failed' || (job.spec?.podFailurePolicy ?? undefined) !== undefined
  );
}

export function isPodTerminating(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && Boolean(pod.metadata?.deletionTimestamp);
}

/** Failed, or (unless only failed pods are replaced) deleted before it succeeded. */
export function isPodFailed(pod: Pod, job: Job): boolean {
  if (pod.status?.phase === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return Boolean(pod.metadata?.deletionTimestamp) && pod.status?.phase !== 'Succeeded';
}

/** Under restartPolicy OnFailure, failures are container restarts: their sum against backoffLimit. */
export function pastBackoffLimitOnFailure(job: Job, pods: readonly Pod[]): boolean {
  if ((job.spec?.template?.spec as { restartPolicy?: string } | undefined)?.restartPolicy !== 'OnFailure') {
    return false;
  }
  let restarts = 0;
  for (const pod of pods) {
    const phase = pod.status?.phase;
    if (phase !== 'Running' && phase !== 'Pending') continue;
    const statuses = [
      ...((pod.status?.initContainerStatuses as { restartCount?: number }[] | undefined) ?? []),
      ...(pod.status?.containerStatuses ?? []),
    ];
    for (const status of statuses) restarts += status.restartCount ?? 0;
  }
  const limit = job.spec?.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

/** Running (not suspended) for activeDeadlineSeconds or longer. */
export function pastActiveDeadline(job: Job, now: number): boolean {
  const deadline = job.spec?.activeDeadlineSeconds;
  const start = job.status?.startTime;
  if (deadline === undefined || !start || isSuspended(job)) return false;
  return now - timeOf(start) >= deadline * 1000;
}
