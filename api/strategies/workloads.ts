import { isDeepStrictEqual } from 'node:util';
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
  validate(cronJob) {
    const spec = specOf(cronJob);
    return spec.schedule ? [] : [fieldError.required('spec.schedule', '')];
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
