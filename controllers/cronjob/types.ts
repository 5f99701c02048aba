/** batch/v1 CronJobs as the CronJob controller reads and writes them. */
import type { KubeObject } from '../../api/resource.js';
import type { ObjectReference } from '../../client/event-recorder.js';
import type { JobSpec } from '../job/types.js';

export const cronJobKind = { apiVersion: 'batch/v1', kind: 'CronJob' } as const;

export interface JobTemplate {
  metadata?: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [field: string]: unknown;
  };
  spec?: JobSpec;
}

export interface CronJobSpec {
  schedule?: string;
  timeZone?: string;
  startingDeadlineSeconds?: number;
  concurrencyPolicy?: string;
  suspend?: boolean;
  jobTemplate?: JobTemplate;
  successfulJobsHistoryLimit?: number;
  failedJobsHistoryLimit?: number;
  [field: string]: unknown;
}

export interface CronJobStatus {
  active?: ObjectReference[];
  lastScheduleTime?: string;
  lastSuccessfulTime?: string;
  [field: string]: unknown;
}

export interface CronJob extends KubeObject {
  spec?: CronJobSpec;
  status?: CronJobStatus;
}
