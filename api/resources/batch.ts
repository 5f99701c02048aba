/**
 * batch/v1: Jobs and CronJobs.
 *
 *   NAME      STATUS     COMPLETIONS   DURATION   AGE
 *   migrate   Complete   1/1           14s        2m
 *
 *   NAME      SCHEDULE      TIMEZONE   SUSPEND   ACTIVE   LAST SCHEDULE   AGE
 *   nightly   0 3 * * *     <none>     False     0        21h             9d
 */
import {
  ageColumn,
  containerColumns,
  formatLabelSelector,
  humanDuration,
  nameColumn,
  parseTimestamp,
  timestampSince,
} from '../printers.js';
import type { KubeObject, ResourceDefinition } from '../resource.js';
import { asArray, asInteger, asString, isSet, readPath } from './json.js';

/** Whether the first condition of the type is True (upstream looks no further). */
function hasCondition(job: KubeObject, type: string): boolean {
  const condition = asArray(readPath(job, 'status', 'conditions')).find(
    (candidate) => readPath(candidate, 'type') === type,
  );
  return readPath(condition, 'status') === 'True';
}

/** Complete and Failed are final and win even over a pending deletion; then Terminating, Suspended … */
function jobStatus(job: KubeObject): string {
  if (hasCondition(job, 'Complete')) return 'Complete';
  if (hasCondition(job, 'Failed')) return 'Failed';
  if (isSet(job.metadata?.deletionTimestamp)) return 'Terminating';
  if (hasCondition(job, 'Suspended')) return 'Suspended';
  if (hasCondition(job, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

/** `2/3` against spec.completions; without it, `0/1`, or `0/1 of 4` for a parallel work queue. */
function completions(job: KubeObject): string {
  const succeeded = asInteger(readPath(job, 'status', 'succeeded'));
  const wanted = readPath(job, 'spec', 'completions');
  if (isSet(wanted)) return `${succeeded}/${asInteger(wanted)}`;
  const parallelism = asInteger(readPath(job, 'spec', 'parallelism'));
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

/** From start to completion, or to now while running; blank before the job starts. */
function duration(job: KubeObject, now: number): string {
  const started = parseTimestamp(readPath(job, 'status', 'startTime'));
  if (started === undefined) return '';
  const completed = parseTimestamp(readPath(job, 'status', 'completionTime'));
  return humanDuration((completed ?? now) - started);
}

export const jobs: ResourceDefinition = {
  group: 'batch',
  version: 'v1',
  kind: 'Job',
  plural: 'jobs',
  singular: 'job',
  namespaced: true,
  categories: ['all'],
  schema: 'io.k8s.api.batch.v1.Job',
  subresources: { status: true },
  generation: true,
  columns: [
    nameColumn,
    {
      name: 'Status',
      type: 'string',
      description: 'Where the job stands: Running, Complete, Failed, Suspended, Terminating.',
      cell: jobStatus,
    },
    {
      name: 'Completions',
      type: 'string',
      description: 'Pods that succeeded, out of the completions asked for.',
      cell: completions,
    },
    {
      name: 'Duration',
      type: 'string',
      description: 'How long the job ran, or has been running.',
      cell: duration,
    },
    ageColumn,
    ...containerColumns((job) => readPath(job, 'spec', 'template', 'spec', 'containers')),
    {
      name: 'Selector',
      type: 'string',
      priority: 1,
      description: "The label selector that picks the job's pods.",
      cell: (job) => formatLabelSelector(readPath(job, 'spec', 'selector')),
    },
  ],
  fieldSelectors: {
    // The label says "successful"; the field it reads is status.succeeded.
    'status.successful': (job) => String(asInteger(readPath(job, 'status', 'succeeded'))),
  },
};

/** Go's printBoolPtr: `True`, `False`, or `<unset>` for a nil pointer. */
function formatBooleanPointer(value: unknown): string {
  if (!isSet(value)) return '<unset>';
  return value === true ? 'True' : 'False';
}

export const cronJobs: ResourceDefinition = {
  group: 'batch',
  version: 'v1',
  kind: 'CronJob',
  plural: 'cronjobs',
  singular: 'cronjob',
  namespaced: true,
  shortNames: ['cj'],
  categories: ['all'],
  schema: 'io.k8s.api.batch.v1.CronJob',
  subresources: { status: true },
  generation: true,
  columns: [
    nameColumn,
    {
      name: 'Schedule',
      type: 'string',
      description: 'When jobs are created, in cron syntax.',
      cell: (cronJob) => asString(readPath(cronJob, 'spec', 'schedule')),
    },
    {
      name: 'Timezone',
      type: 'string',
      description: 'The time zone the schedule is read in.',
      cell: (cronJob) => {
        const zone = readPath(cronJob, 'spec', 'timeZone');
        return isSet(zone) ? asString(zone) : '<none>';
      },
    },
    {
      // Declared boolean, but upstream fills it with the words True/False/<unset>.
      name: 'Suspend',
      type: 'boolean',
      description: 'Whether new runs are held back.',
      cell: (cronJob) => formatBooleanPointer(readPath(cronJob, 'spec', 'suspend')),
    },
    {
      name: 'Active',
      type: 'integer',
      description: 'Jobs of this cron job running now.',
      cell: (cronJob) => asArray(readPath(cronJob, 'status', 'active')).length,
    },
    {
      name: 'Last Schedule',
      type: 'string',
      description: 'How long ago a job was last scheduled.',
      cell: (cronJob, now) => {
        const last = readPath(cronJob, 'status', 'lastScheduleTime');
        return isSet(last) ? timestampSince(last, now) : '<none>';
      },
    },
    ageColumn,
    ...containerColumns((cronJob) =>
      readPath(cronJob, 'spec', 'jobTemplate', 'spec', 'template', 'spec', 'containers'),
    ),
    {
      name: 'Selector',
      type: 'string',
      priority: 1,
      description: 'The label selector of the job template, if it sets one.',
      cell: (cronJob) => formatLabelSelector(readPath(cronJob, 'spec', 'jobTemplate', 'spec', 'selector')),
    },
  ],
};
