import { isDeepStrictEqual } from 'node:util';
import { parseSchedule } from '../cron/schedule.js';
import { TimeZone } from '../cron/time-zone.js';
import { type FieldError, fieldError } from '../field-error.js';
import { type LabelSelector, labelSelectorAsSelector, validateLabelSelector } from '../labels.js';
import type { KubeObject, Strategy } from '../resource.js';
import { defaultPodSpec } from './pods.js';

/**
 * The workload kinds that embed a pod template: their defaults (replicas, update strategies, history
 * limits, the template's pod defaults), the rule that the selector selects the template's labels, and
 * the selector's immutability. A workload's status is written only through its status subresource.
 */
interface Template {
  metadata?: { labels?: Record<string, string> };
  spec?: Record<string, unknown>;
}

interface WorkloadSpec {
  replicas?: number;
  selector?: LabelSelector;
  template?: Template;
  [field: string]: unknown;
}

const specOf = (object: KubeObject) => (object.spec ??= {}) as WorkloadSpec;

function defaultTemplate(template: Template | undefined): void {
  if (template) defaultPodSpec((template.spec ??= {}) as never);
}

/** selector required, valid, non-empty, matching the template's labels; immutable once set. */
function validateSelector(
  spec: WorkloadSpec,
  old: KubeObject | undefined,
  templatePath = 'spec.template',
): FieldError[] {
  const errors: FieldError[] = [];
  if (!spec.selector) return [fieldError.required('spec.selector', '')];
  errors.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const selector = labelSelectorAsSelector(spec.selector);
  if (selector.empty)
    errors.push(fieldError.invalid('spec.selector', spec.selector, 'empty selector is invalid'));
  const labels = spec.template?.metadata?.labels;
  if (!selector.matches(labels)) {
    errors.push(
      fieldError.invalid(
        `${templatePath}.metadata.labels`,
        labels ?? {},
        '`selector` does not match template `labels`',
      ),
    );
  }
  const oldSelector = old ? (old.spec as WorkloadSpec | undefined)?.selector : undefined;
  if (old && JSON.stringify(oldSelector) !== JSON.stringify(spec.selector)) {
    errors.push(fieldError.invalid('spec.selector', spec.selector, 'field is immutable'));
  }
  return errors;
}

function validateReplicas(spec: WorkloadSpec): FieldError[] {
  return spec.replicas !== undefined && spec.replicas < 0
    ? [fieldError.invalid('spec.replicas', spec.replicas, 'must be greater than or equal to 0')]
    : [];
}

export const deploymentStrategy: Strategy = {
  default(deployment) {
    const spec = specOf(deployment);
    spec.replicas ??= 1;
    const strategy = (spec.strategy ??= { type: 'RollingUpdate' }) as {
      type?: string;
      rollingUpdate?: object;
    };
    strategy.type ??= 'RollingUpdate';
    if (strategy.type === 'RollingUpdate') {
      strategy.rollingUpdate = { maxUnavailable: '25%', maxSurge: '25%', ...strategy.rollingUpdate };
    }
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
    defaultTemplate(spec.template);
  },
  validate: (deployment, old) => [
    ...validateSelector(specOf(deployment), old),
    ...validateReplicas(specOf(deployment)),
  ],
};

export const replicaSetStrategy: Strategy = {
  default(replicaSet) {
    const spec = specOf(replicaSet);
    spec.replicas ??= 1;
    defaultTemplate(spec.template);
  },
  validate: (replicaSet, old) => [
    ...validateSelector(specOf(replicaSet), old),
    ...validateReplicas(specOf(replicaSet)),
  ],
};

export const statefulSetStrategy: Strategy = {
  default(statefulSet) {
    const spec = specOf(statefulSet);
    spec.replicas ??= 1;
    spec.podManagementPolicy ??= 'OrderedReady';
    const strategy = (spec.updateStrategy ??= { type: 'RollingUpdate' }) as {
      type?: string;
      rollingUpdate?: object;
    };
    if (strategy.type === 'RollingUpdate')
      strategy.rollingUpdate = { partition: 0, ...strategy.rollingUpdate };
    spec.revisionHistoryLimit ??= 10;
    spec.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: 'Retain', whenScaled: 'Retain' };
    defaultTemplate(spec.template);
  },
  validate: (statefulSet, old) => [
    ...validateSelector(specOf(statefulSet), old),
    ...validateReplicas(specOf(statefulSet)),
  ],
};

export const daemonSetStrategy: Strategy = {
  default(daemonSet) {
    const spec = specOf(daemonSet);
    const strategy = (spec.updateStrategy ??= { type: 'RollingUpdate' }) as {
      type?: string;
      rollingUpdate?: object;
    };
    if (strategy.type === 'RollingUpdate')
      strategy.rollingUpdate = { maxUnavailable: 1, maxSurge: 0, ...strategy.rollingUpdate };
    spec.revisionHistoryLimit ??= 10;
    defaultTemplate(spec.template);
  },
  validate: (daemonSet, old) => validateSelector(specOf(daemonSet), old),
};

/** Replication controllers select with a plain map, defaulted from the template's labels. */
export const replicationControllerStrategy: Strategy = {
  default(controller) {
    const spec = specOf(controller) as WorkloadSpec & { selector?: Record<string, string> };
    spec.replicas ??= 1;
    const labels = spec.template?.metadata?.labels;
    if (!spec.selector && labels) spec.selector = { ...labels };
    defaultTemplate(spec.template);
  },
  validate(controller) {
    const spec = specOf(controller) as WorkloadSpec & { selector?: Record<string, string> };
    const errors = validateReplicas(spec);
    if (!spec.selector || Object.keys(spec.selector).length === 0)
      errors.push(fieldError.required('spec.selector', ''));
    else if (
      !labelSelectorAsSelector({ matchLabels: spec.selector }).matches(spec.template?.metadata?.labels)
    ) {
      errors.push(
        fieldError.invalid(
          'spec.template.metadata.labels',
          spec.template?.metadata?.labels ?? {},
          '`selector` does not match template `labels`',
        ),
      );
    }
    return errors;
  },
};

/**
 * Jobs: unless told otherwise (manualSelector), the server picks the selector — the job's own uid —
 * and labels the template with it, so a job's pods are its own.
 */
export const jobStrategy: Strategy = {
  default(job) {
    const spec = specOf(job);
    const manual = spec.manualSelector === true;
    const uid = job.metadata?.uid ?? '';
    if (!manual && !spec.selector && uid) {
      spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
      const template = (spec.template ??= {});
      const metadata = (template.metadata ??= {});
      metadata.labels = {
        ...metadata.labels,
        'batch.kubernetes.io/controller-uid': uid,
        'batch.kubernetes.io/job-name': job.metadata?.name ?? '',
        'controller-uid': uid,
        'job-name': job.metadata?.name ?? '',
      };
    }
    // Neither set: one pod to completion. Only parallelism set: a work queue, completions stays unset.
    if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1;
    spec.parallelism ??= 1;
    spec.backoffLimit ??= 6;
    spec.completionMode ??= 'NonIndexed';
    spec.suspend ??= false;
    spec.podReplacementPolicy ??= 'TerminatingOrFailed';
    defaultTemplate(spec.template);
  },
  validate(job, old) {
    const spec = specOf(job);
    const restart = (spec.template?.spec as { restartPolicy?: string } | undefined)?.restartPolicy;
    const errors = validateSelector(spec, old);
    if (restart !== 'Never' && restart !== 'OnFailure') {
      errors.push(
        fieldError.notSupported('spec.template.spec.restartPolicy', restart ?? '', ['OnFailure', 'Never']),
      );
    }
    if (old && JSON.stringify((old.spec as WorkloadSpec).template) !== JSON.stringify(spec.template)) {
      errors.push(fieldError.invalid('spec.template', spec.template, 'field is immutable'));
    }
    errors.push(...validateJobCounts(spec));
    return errors;
  },
};

export const cronJobStrategy: Strategy = {
  default(cronJob) {
    const spec = specOf(cronJob);
    spec.concurrencyPolicy ??= 'Allow';
    spec.suspend ??= false;
    spec.successfulJobsHistoryLimit ??= 3;
    spec.failedJobsHistoryLimit ??= 1;
    const jobTemplate = (spec.jobTemplate ?? {}) as { spec?: WorkloadSpec };
    defaultTemplate(jobTemplate.spec?.template);
  },
  validate(cronJob, old) {
    const spec = specOf(cronJob);
    if (!spec.schedule)
      return [fieldError.required('spec.schedule', ''), ...validateCronJobSpec(cronJob, old)];
    return validateCronJobSpec(cronJob, old);
  },
};

/** A pod template object is a template and nothing else: its pod spec gets the pod defaults. */
export const podTemplateStrategy: Strategy = {
  default(podTemplate) {
    defaultTemplate(podTemplate.template as Template | undefined);
  },
};

/**
 * ControllerRevisions are immutable snapshots: `data` never changes once written (a rollback renumbers
 * a revision, it never rewrites one), and `revision` is a non-negative number.
 */
export const controllerRevisionStrategy: Strategy = {
  validate(revision, old) {
    const errors: FieldError[] = [];
    if (revision.data === undefined || revision.data === null)
      errors.push(fieldError.required('data', 'data is mandatory'));
    const number = revision.revision;
    if (typeof number === 'number' && number < 0)
      errors.push(fieldError.invalid('revision', number, 'must be greater than or equal to 0'));
    if (old && !isDeepStrictEqual(revision.data, old.data))
      errors.push(fieldError.invalid('data', revision.data, 'field is immutable'));
    return errors;
  },
};

// ---------------------------------------------------------------------------------------------------
// Jobs and CronJobs: the rest of upstream's batch validation that the controllers rely on (counts,
// completion modes, schedules, zones). The schedule parser and zones are the CronJob controller's own
// (controllers/cronjob/), so the API refuses exactly the schedules the controller could not run.

const nonNegative = (value: unknown, field: string): FieldError[] =>
  typeof value === 'number' && value < 0
    ? [fieldError.invalid(field, value, 'must be greater than or equal to 0')]
    : [];

function validateJobCounts(spec: WorkloadSpec, path = 'spec'): FieldError[] {
  const errors = [
    ...nonNegative(spec.parallelism, `${path}.parallelism`),
    ...nonNegative(spec.completions, `${path}.completions`),
    ...nonNegative(spec.activeDeadlineSeconds, `${path}.activeDeadlineSeconds`),
    ...nonNegative(spec.backoffLimit, `${path}.backoffLimit`),
    ...nonNegative(spec.ttlSecondsAfterFinished, `${path}.ttlSecondsAfterFinished`),
  ];
  const mode = spec.completionMode;
  if (mode !== undefined && mode !== 'NonIndexed' && mode !== 'Indexed') {
    errors.push(fieldError.notSupported(`${path}.completionMode`, mode, ['NonIndexed', 'Indexed']));
  }
  if (mode === 'Indexed' && spec.completions === undefined) {
    errors.push(fieldError.required(`${path}.completions`, 'when completion mode is Indexed'));
  }
  return errors;
}

/** Job names get `-<minutes since the epoch>` (11 characters) appended, and must stay DNS labels. */
const MAX_CRON_JOB_NAME_LENGTH = 63 - 11;

function validateCronJobSpec(cronJob: KubeObject, old: KubeObject | undefined): FieldError[] {
  const spec = specOf(cronJob);
  const errors: FieldError[] = [];
  const name = cronJob.metadata?.name ?? '';
  if (!old && name.length > MAX_CRON_JOB_NAME_LENGTH) {
    errors.push(
      fieldError.invalid(
        'metadata.name',
        name,
        `must be no more than ${MAX_CRON_JOB_NAME_LENGTH} characters`,
      ),
    );
  }
  const schedule = spec.schedule as string | undefined;
  const timeZone = spec.timeZone as string | undefined;
  if (schedule) {
    try {
      parseSchedule(schedule);
    } catch (error) {
      errors.push(fieldError.invalid('spec.schedule', schedule, (error as Error).message));
    }
    // A zone in the schedule stays allowed on objects that already had one.
    const oldSchedule = (old?.spec as { schedule?: string } | undefined)?.schedule ?? '';
    if (timeZone !== undefined && schedule.includes('TZ')) {
      errors.push(
        fieldError.invalid(
          'spec.schedule',
          schedule,
          'cannot use both timeZone field and TZ or CRON_TZ in schedule',
        ),
      );
    } else if (schedule.includes('TZ') && !oldSchedule.includes('TZ')) {
      errors.push(
        fieldError.invalid(
          'spec.schedule',
          schedule,
          'cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
        ),
      );
    }
  }
  errors.push(...nonNegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  const policy = spec.concurrencyPolicy;
  if (policy !== 'Allow' && policy !== 'Forbid' && policy !== 'Replace') {
    errors.push(
      fieldError.notSupported('spec.concurrencyPolicy', policy ?? '', ['Allow', 'Forbid', 'Replace']),
    );
  }
  errors.push(...nonNegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
  errors.push(...nonNegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  if (timeZone !== undefined) {
    if (timeZone === '') {
      errors.push(fieldError.invalid('spec.timeZone', timeZone, 'timeZone must be nil or non-empty string'));
    } else {
      if (timeZone.toLowerCase() === 'local') {
        errors.push(
          fieldError.invalid(
            'spec.timeZone',
            timeZone,
            'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones',
          ),
        );
      }
      // Go loads "Local" without complaint; it is refused above.
      try {
        if (timeZone !== 'Local') TimeZone.load(timeZone);
      } catch (error) {
        errors.push(fieldError.invalid('spec.timeZone', timeZone, (error as Error).message));
      }
    }
  }
  const jobSpec = (spec.jobTemplate as { spec?: WorkloadSpec } | undefined)?.spec;
  if (jobSpec) errors.push(...validateJobCounts(jobSpec, 'spec.jobTemplate.spec'));
  return errors;
}
