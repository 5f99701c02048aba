/**
 * batch/v1 Jobs as the Job, CronJob and TTL-after-finished controllers read and write them, and the
 * small facts about them all three share (upstream's pkg/controller/job/util): is a job finished, and
 * how.
 */
import type { LabelSelector } from '../../api/labels.js';
import type { KubeObject } from '../../api/resource.js';
import type { PodTemplate } from '../pods.js';

export const jobKind = { apiVersion: 'batch/v1', kind: 'Job' } as const;

export interface JobCondition {
  type: string;
  status: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string | null;
  reason?: string;
  message?: string;
}

export interface UncountedTerminatedPods {
  succeeded?: string[];
  failed?: string[];
}

export interface JobStatus {
  conditions?: JobCondition[];
  startTime?: string;
  completionTime?: string;
  active?: number;
  succeeded?: number;
  failed?: number;
  terminating?: number;
  completedIndexes?: string;
  failedIndexes?: string;
  uncountedTerminatedPods?: UncountedTerminatedPods;
  ready?: number;
  [field: string]: unknown;
}

export interface JobSpec {
  parallelism?: number;
  completions?: number;
  activeDeadlineSeconds?: number;
  backoffLimit?: number;
  selector?: LabelSelector;
  manualSelector?: boolean;
  template?: PodTemplate;
  ttlSecondsAfterFinished?: number;
  completionMode?: string;
  suspend?: boolean;
  podReplacementPolicy?: string;
  podFailurePolicy?: unknown;
  managedBy?: string;
  [field: string]: unknown;
}

export interface Job extends KubeObject {
  spec?: JobSpec;
  status?: JobStatus;
}

/** Condition types and reasons (batch/v1 constants). */
export const JobConditionType = {
  complete: 'Complete',
  failed: 'Failed',
  suspended: 'Suspended',
  failureTarget: 'FailureTarget',
  successCriteriaMet: 'SuccessCriteriaMet',
} as const;

/** The finished condition, Complete or Failed, if the job has one that is True. */
export function finishedCondition(job: Job): JobCondition | undefined {
  return job.status?.conditions?.find(
    (condition) =>
      (condition.type === JobConditionType.complete || condition.type === JobConditionType.failed) &&
      condition.status === 'True',
  );
}

/** Upstream's IsJobFinished: a Complete or Failed condition that is True. */
export function isJobFinished(job: Job): boolean {
  return finishedCondition(job) !== undefined;
}

export function isJobSucceeded(job: Job): boolean {
  return finishedCondition(job)?.type === JobConditionType.complete;
}
