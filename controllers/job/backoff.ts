/**
 * The delay before a Job replaces failed pods (upstream's backoff_utils.go): 10 s after one failure
 * since the last success, doubling with each further one, at most 10 minutes (upstream's
 * MaxJobPodFailureBackOff; the docs still say six), counted from the last failure.
 *
 *   failures since the last success   0    1     2     3     …   7+
 *   delay                             0    10 s  20 s  40 s  …   10 min
 *
 * The record of each job lives in memory only, as upstream's: a restarted controller starts counting
 * afresh. It is written when the job's status is, so failures counted once are not counted again.
 */
import { type Pod, podCondition, timeOf } from '../pods.js';

export const DEFAULT_POD_FAILURE_BACKOFF_MS = 10_000;
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000;

export interface BackoffRecord {
  readonly key: string;
  readonly failuresAfterLastSuccess: number;
  /** Milliseconds since the epoch. */
  readonly lastFailureTime?: number;
}

export class BackoffStore {
  readonly #records = new Map<string, BackoffRecord>();

  get(key: string): BackoffRecord | undefined {
    return this.#records.get(key);
  }

  update(record: BackoffRecord): void {
    this.#records.set(record.key, record);
  }

  remove(key: string): void {
    this.#records.delete(key);
  }

  /**
   * The job's record after these pods finished (those not yet counted): failures add up, a success
   * starts the count again from the failures after it.
   */
  next(key: string, newSucceeded: readonly Pod[], newFailed: readonly Pod[]): BackoffRecord {
    const old = this.#records.get(key) ?? { key, failuresAfterLastSuccess: 0 };
    if (newSucceeded.length === 0 && newFailed.length === 0) return old;
    const failedTimes = newFailed.map(finishedTime).sort((a, b) => a - b);
    if (newSucceeded.length === 0) {
      return {
        key,
        failuresAfterLastSuccess: old.failuresAfterLastSuccess + newFailed.length,
        lastFailureTime: failedTimes.at(-1)!,
      };
    }
    const lastSuccess = Math.max(...newSucceeded.map(finishedTime));
    const after = failedTimes.filter((time) => time > lastSuccess);
    return after.length === 0
      ? { key, failuresAfterLastSuccess: 0 }
      : { key, failuresAfterLastSuccess: after.length, lastFailureTime: after.at(-1)! };
  }
}

/** How long until pods may be created again; 0 when they may be now. */
export function remainingBackoff(
  record: BackoffRecord,
  now: number,
  defaultBackoffMs = DEFAULT_POD_FAILURE_BACKOFF_MS,
  maxBackoffMs = MAX_POD_FAILURE_BACKOFF_MS,
): number {
  if (record.failuresAfterLastSuccess === 0 || record.lastFailureTime === undefined) return 0;
  let backoff = defaultBackoffMs;
  for (let failure = 1; failure < record.failuresAfterLastSuccess; failure++) {
    backoff *= 2;
    if (backoff >= maxBackoffMs) {
      backoff = maxBackoffMs;
      break;
    }
  }
  const elapsed = now - record.lastFailureTime;
  return backoff < elapsed ? 0 : backoff - elapsed;
}

interface TerminatedState {
  finishedAt?: string;
}

/**
 * When a pod finished: the last of its containers' finish times if all have one; else when its Ready
 * condition turned False; else its deletion time less its grace period; else its creation.
 */
export function finishedTime(pod: Pod): number {
  const statuses = pod.status?.containerStatuses ?? [];
  let latest: number | undefined;
  for (const status of statuses) {
    const terminated = (status.state as { terminated?: TerminatedState } | undefined)?.terminated;
    const finished = timeOf(terminated?.finishedAt);
    if (!terminated || finished === 0) {
      latest = undefined;
      break;
    }
    latest = latest === undefined ? finished : Math.max(latest, finished);
  }
  if (latest !== undefined) return latest;
  const ready = podCondition(pod, 'Ready');
  if (ready?.status === 'False' && timeOf(ready.lastTransitionTime) !== 0)
    return timeOf(ready.lastTransitionTime);
  const deletion = timeOf(pod.metadata?.deletionTimestamp);
  if (pod.metadata?.deletionTimestamp) {
    return deletion - (pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
  }
  return timeOf(pod.metadata?.creationTimestamp);
}
