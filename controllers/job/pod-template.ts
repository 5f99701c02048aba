/**
 * The pod a Job starts (upstream's manageJob around CreatePodsWithGenerateName): the template as any
 * workload makes it, plus the Job's tracking finalizer, and for an Indexed Job the index — as an
 * annotation and a label, as `JOB_COMPLETION_INDEX` in every container, and in the hostname:
 *
 *   job `indexed-job`, index 2 →  generateName `indexed-job-2-`, hostname `indexed-job-2`,
 *                                 batch.kubernetes.io/job-completion-index: "2"
 */
import { controllerRef, type Pod, podFromTemplate } from '../pods.js';
import { COMPLETION_INDEX_ANNOTATION } from './indexes.js';
import { type Job, jobKind } from './types.js';

/** Keeps a finished pod until its Job has counted it (tracking with finalizers). */
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';
/** Names made from a generateName get 5 random characters; the rest must stay within 63. */
const MAX_GENERATED_NAME_LENGTH = 63 - 5;

interface Container {
  name?: string;
  env?: { name: string; [field: string]: unknown }[];
  [field: string]: unknown;
}

export function hasTrackingFinalizer(pod: Pod): boolean {
  return (pod.metadata?.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);
}

/** The pod for `job`, for completion index `index` when the Job is Indexed. */
export function podForJob(job: Job, index: number | undefined): Pod {
  const template = structuredClone(job.spec?.template ?? {});
  const finalizers = template.metadata?.finalizers ?? [];
  if (!finalizers.includes(JOB_TRACKING_FINALIZER)) {
    template.metadata = { ...template.metadata, finalizers: [...finalizers, JOB_TRACKING_FINALIZER] };
  }
  if (index !== undefined) {
    const spec = (template.spec ??= {});
    for (const field of ['initContainers', 'containers'] as const) {
      for (const container of (spec[field] as Container[] | undefined) ?? []) addIndexEnv(container);
    }
    template.metadata = {
      ...template.metadata,
      annotations: { ...template.metadata?.annotations, [COMPLETION_INDEX_ANNOTATION]: String(index) },
      labels: { ...template.metadata?.labels, [COMPLETION_INDEX_ANNOTATION]: String(index) },
    };
    spec.hostname = `${job.metadata?.name ?? ''}-${index}`;
  }
  const pod = podFromTemplate(job, template, controllerRef(job, jobKind));
  if (index !== undefined)
    pod.metadata = { ...pod.metadata, generateName: generateNameWithIndex(job, index) };
  return pod;
}

/** The index from the pod's own label, unless the container already sets the variable. */
function addIndexEnv(container: Container): void {
  const env = (container.env ??= []);
  if (env.some((variable) => variable.name === COMPLETION_INDEX_ENV)) return;
  env.push({
    name: COMPLETION_INDEX_ENV,
    valueFrom: { fieldRef: { fieldPath: `metadata.labels['${COMPLETION_INDEX_ANNOTATION}']` } },
  });
}

/** `<job>-<index>-`, the job's name cut short when the whole would be too long. */
function generateNameWithIndex(job: Job, index: number): string {
  const suffix = `-${index}-`;
  const prefix = `${job.metadata?.name ?? ''}${suffix}`;
  if (prefix.length <= MAX_GENERATED_NAME_LENGTH) return prefix;
  return `${prefix.slice(0, MAX_GENERATED_NAME_LENGTH - suffix.length)}${suffix}`;
}
