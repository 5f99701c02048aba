/**
 * batch/v1: Job and CronJob, as Kubernetes 1.33 has them.
 *
 * Field names and numbers are the wire protocol (JSON and protobuf): never renumber or rename them.
 */
import { f, message } from '../schema/dsl.js';

export const CronJob = message(
  'io.k8s.api.batch.v1.CronJob',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    spec: f.message(2, 'io.k8s.api.batch.v1.CronJobSpec', { default: {} }),
    status: f.message(3, 'io.k8s.api.batch.v1.CronJobStatus', { default: {} }),
  },
  { gvk: [{ group: 'batch', version: 'v1', kind: 'CronJob' }] },
);

export const CronJobList = message(
  'io.k8s.api.batch.v1.CronJobList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.batch.v1.CronJob', { required: true }),
  },
  { gvk: [{ group: 'batch', version: 'v1', kind: 'CronJobList' }] },
);

message('io.k8s.api.batch.v1.CronJobSpec', {
  schedule: f.string(1, { required: true, default: '' }),
  timeZone: f.string(8),
  startingDeadlineSeconds: f.int64(2, { format: 'int64' }),
  concurrencyPolicy: f.string(3),
  suspend: f.bool(4),
  jobTemplate: f.message(5, 'io.k8s.api.batch.v1.JobTemplateSpec', { required: true, default: {} }),
  successfulJobsHistoryLimit: f.int32(6, { format: 'int32' }),
  failedJobsHistoryLimit: f.int32(7, { format: 'int32' }),
});

message('io.k8s.api.batch.v1.CronJobStatus', {
  active: f.list(1, 'io.k8s.api.core.v1.ObjectReference', { listType: 'atomic' }),
  lastScheduleTime: f.time(4),
  lastSuccessfulTime: f.time(5),
});

export const Job = message(
  'io.k8s.api.batch.v1.Job',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    spec: f.message(2, 'io.k8s.api.batch.v1.JobSpec', { default: {} }),
    status: f.message(3, 'io.k8s.api.batch.v1.JobStatus', { default: {} }),
  },
  { gvk: [{ group: 'batch', version: 'v1', kind: 'Job' }] },
);

message('io.k8s.api.batch.v1.JobCondition', {
  type: f.string(1, { required: true, default: '' }),
  status: f.string(2, { required: true, default: '' }),
  lastProbeTime: f.time(3),
  lastTransitionTime: f.time(4),
  reason: f.string(5),
  message: f.string(6),
});

export const JobList = message(
  'io.k8s.api.batch.v1.JobList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.batch.v1.Job', { required: true }),
  },
  { gvk: [{ group: 'batch', version: 'v1', kind: 'JobList' }] },
);

message('io.k8s.api.batch.v1.JobSpec', {
  parallelism: f.int32(1, { format: 'int32' }),
  completions: f.int32(2, { format: 'int32' }),
  activeDeadlineSeconds: f.int64(3, { format: 'int64' }),
  podFailurePolicy: f.message(11, 'io.k8s.api.batch.v1.PodFailurePolicy'),
  successPolicy: f.message(16, 'io.k8s.api.batch.v1.SuccessPolicy'),
  backoffLimit: f.int32(7, { format: 'int32' }),
  backoffLimitPerIndex: f.int32(12, { format: 'int32' }),
  maxFailedIndexes: f.int32(13, { format: 'int32' }),
  selector: f.message(4, 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'),
  manualSelector: f.bool(5),
  template: f.message(6, 'io.k8s.api.core.v1.PodTemplateSpec', { required: true, default: {} }),
  ttlSecondsAfterFinished: f.int32(8, { format: 'int32' }),
  completionMode: f.string(9),
  suspend: f.bool(10),
  podReplacementPolicy: f.string(14),
  managedBy: f.string(15),
});

message('io.k8s.api.batch.v1.JobStatus', {
  conditions: f.list(1, 'io.k8s.api.batch.v1.JobCondition', {
    patchStrategy: 'merge',
    patchMergeKey: 'type',
    listType: 'atomic',
  }),
  startTime: f.time(2),
  completionTime: f.time(3),
  active: f.int32(4, { format: 'int32' }),
  succeeded: f.int32(5, { format: 'int32' }),
  failed: f.int32(6, { format: 'int32' }),
  terminating: f.int32(11, { format: 'int32' }),
  completedIndexes: f.string(7),
  failedIndexes: f.string(10),
  uncountedTerminatedPods: f.message(8, 'io.k8s.api.batch.v1.UncountedTerminatedPods'),
  ready: f.int32(9, { format: 'int32' }),
});

message('io.k8s.api.batch.v1.JobTemplateSpec', {
  metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
  spec: f.message(2, 'io.k8s.api.batch.v1.JobSpec', { default: {} }),
});

message('io.k8s.api.batch.v1.PodFailurePolicy', {
  rules: f.list(1, 'io.k8s.api.batch.v1.PodFailurePolicyRule', { required: true, listType: 'atomic' }),
});

message('io.k8s.api.batch.v1.PodFailurePolicyOnExitCodesRequirement', {
  containerName: f.string(1),
  operator: f.string(2, { required: true, default: '' }),
  values: f.list(3, 'int32', { required: true, format: 'int32', listType: 'set' }),
});

message('io.k8s.api.batch.v1.PodFailurePolicyOnPodConditionsPattern', {
  type: f.string(1, { required: true, default: '' }),
  status: f.string(2, { required: true, default: '' }),
});

message('io.k8s.api.batch.v1.PodFailurePolicyRule', {
  action: f.string(1, { required: true, default: '' }),
  onExitCodes: f.message(2, 'io.k8s.api.batch.v1.PodFailurePolicyOnExitCodesRequirement'),
  onPodConditions: f.list(3, 'io.k8s.api.batch.v1.PodFailurePolicyOnPodConditionsPattern', {
    listType: 'atomic',
  }),
});

message('io.k8s.api.batch.v1.SuccessPolicy', {
  rules: f.list(1, 'io.k8s.api.batch.v1.SuccessPolicyRule', { required: true, listType: 'atomic' }),
});

message('io.k8s.api.batch.v1.SuccessPolicyRule', {
  succeededIndexes: f.string(1),
  succeededCount: f.int32(2, { format: 'int32' }),
});

message('io.k8s.api.batch.v1.UncountedTerminatedPods', {
  succeeded: f.list(1, 'string', { listType: 'set' }),
  failed: f.list(2, 'string', { listType: 'set' }),
});
