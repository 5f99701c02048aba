/**
 * apps/v1: Deployment, ReplicaSet, StatefulSet, DaemonSet, ControllerRevision, as Kubernetes 1.33 has
 * them.
 *
 * Field names and numbers are the wire protocol (JSON and protobuf): never renumber or rename them.
 */
import { f, message } from '../schema/dsl.js';

export const ControllerRevision = message(
  'io.k8s.api.apps.v1.ControllerRevision',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    data: f.rawExtension(2),
    revision: f.int64(3, { required: true, default: 0, format: 'int64' }),
  },
  { gvk: [{ group: 'apps', version: 'v1', kind: 'ControllerRevision' }] },
);

export const ControllerRevisionList = message(
  'io.k8s.api.apps.v1.ControllerRevisionList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.apps.v1.ControllerRevision', { required: true }),
  },
  { gvk: [{ group: 'apps', version: 'v1', kind: 'ControllerRevisionList' }] },
);

export const DaemonSet = message(
  'io.k8s.api.apps.v1.DaemonSet',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    spec: f.message(2, 'io.k8s.api.apps.v1.DaemonSetSpec', { default: {} }),
    status: f.message(3, 'io.k8s.api.apps.v1.DaemonSetStatus', { default: {} }),
  },
  { gvk: [{ group: 'apps', version: 'v1', kind: 'DaemonSet' }] },
);

message('io.k8s.api.apps.v1.DaemonSetCondition', {
  type: f.string(1, { required: true, default: '' }),
  status: f.string(2, { required: true, default: '' }),
  lastTransitionTime: f.time(3),
  reason: f.string(4),
  message: f.string(5),
});

export const DaemonSetList = message(
  'io.k8s.api.apps.v1.DaemonSetList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.apps.v1.DaemonSet', { required: true }),
  },
  { gvk: [{ group: 'apps', version: 'v1', kind: 'DaemonSetList' }] },
);

message('io.k8s.api.apps.v1.DaemonSetSpec', {
  selector: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector', { required: true }),
  template: f.message(2, 'io.k8s.api.core.v1.PodTemplateSpec', { required: true, default: {} }),
  updateStrategy: f.message(3, 'io.k8s.api.apps.v1.DaemonSetUpdateStrategy', { default: {} }),
  minReadySeconds: f.int32(4, { format: 'int32' }),
  revisionHistoryLimit: f.int32(6, { format: 'int32' }),
});

message('io.k8s.api.apps.v1.DaemonSetStatus', {
  currentNumberScheduled: f.int32(1, { required: true, default: 0, format: 'int32' }),
  numberMisscheduled: f.int32(2, { required: true, default: 0, format: 'int32' }),
  desiredNumberScheduled: f.int32(3, { required: true, default: 0, format: 'int32' }),
  numberReady: f.int32(4, { required: true, default: 0, format: 'int32' }),
  observedGeneration: f.int64(5, { format: 'int64' }),
  updatedNumberScheduled: f.int32(6, { format: 'int32' }),
  numberAvailable: f.int32(7, { format: 'int32' }),
  numberUnavailable: f.int32(8, { format: 'int32' }),
  collisionCount: f.int32(9, { format: 'int32' }),
  conditions: f.list(10, 'io.k8s.api.apps.v1.DaemonSetCondition', {
    patchStrategy: 'merge',
    patchMergeKey: 'type',
    listType: 'map',
    listMapKeys: ['type'],
  }),
});

message('io.k8s.api.apps.v1.DaemonSetUpdateStrategy', {
  type: f.string(1),
  rollingUpdate: f.message(2, 'io.k8s.api.apps.v1.RollingUpdateDaemonSet'),
});

export const Deployment = message(
  'io.k8s.api.apps.v1.Deployment',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    spec: f.message(2, 'io.k8s.api.apps.v1.DeploymentSpec', { default: {} }),
    status: f.message(3, 'io.k8s.api.apps.v1.DeploymentStatus', { default: {} }),
  },
  { gvk: [{ group: 'apps', version: 'v1', kind: 'Deployment' }] },
);

message('io.k8s.api.apps.v1.DeploymentCondition', {
  type: f.string(1, { required: true, default: '' }),
  status: f.string(2, { required: true, default: '' }),
  lastUpdateTime: f.time(6),
  lastTransitionTime: f.time(7),
  reason: f.string(4),
  message: f.string(5),
});

export const DeploymentList = message(
  'io.k8s.api.apps.v1.DeploymentList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.apps.v1.Deployment', { required: true }),
  },
  { gvk: [{ group: 'apps', version: 'v1', kind: 'DeploymentList' }] },
);

message('io.k8s.api.apps.v1.DeploymentSpec', {
  replicas: f.int32(1, { format: 'int32' }),
  selector: f.message(2, 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector', { required: true }),
  template: f.message(3, 'io.k8s.api.core.v1.PodTemplateSpec', { required: true, default: {} }),
  strategy: f.message(4, 'io.k8s.api.apps.v1.DeploymentStrategy', {
    default: {},
    patchStrategy: 'retainKeys',
  }),
  minReadySeconds: f.int32(5, { format: 'int32' }),
  revisionHistoryLimit: f.int32(6, { format: 'int32' }),
  paused: f.bool(7),
  progressDeadlineSeconds: f.int32(9, { format: 'int32' }),
});

message('io.k8s.api.apps.v1.DeploymentStatus', {
  observedGeneration: f.int64(1, { format: 'int64' }),
  replicas: f.int32(2, { format: 'int32' }),
  updatedReplicas: f.int32(3, { format: 'int32' }),
  readyReplicas: f.int32(7, { format: 'int32' }),
  availableReplicas: f.int32(4, { format: 'int32' }),
  unavailableReplicas: f.int32(5, { format: 'int32' }),
  terminatingReplicas: f.int32(9, { format: 'int32' }),
  conditions: f.list(6, 'io.k8s.api.apps.v1.DeploymentCondition', {
    patchStrategy: 'merge',
    patchMergeKey: 'type',
    listType: 'map',
    listMapKeys: ['type'],
  }),
  collisionCount: f.int32(8, { format: 'int32' }),
});

message('io.k8s.api.apps.v1.DeploymentStrategy', {
  type: f.string(1),
  rollingUpdate: f.message(2, 'io.k8s.api.apps.v1.RollingUpdateDeployment'),
});

export const ReplicaSet = message(
  'io.k8s.api.apps.v1.ReplicaSet',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    spec: f.message(2, 'io.k8s.api.apps.v1.ReplicaSetSpec', { default: {} }),
    status: f.message(3, 'io.k8s.api.apps.v1.ReplicaSetStatus', { default: {} }),
  },
  { gvk: [{ group: 'apps', version: 'v1', kind: 'ReplicaSet' }] },
);

message('io.k8s.api.apps.v1.ReplicaSetCondition', {
  type: f.string(1, { required: true, default: '' }),
  status: f.string(2, { required: true, default: '' }),
  lastTransitionTime: f.time(3),
  reason: f.string(4),
  message: f.string(5),
});

export const ReplicaSetList = message(
  'io.k8s.api.apps.v1.ReplicaSetList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.apps.v1.ReplicaSet', { required: true }),
  },
  { gvk: [{ group: 'apps', version: 'v1', kind: 'ReplicaSetList' }] },
);

message('io.k8s.api.apps.v1.ReplicaSetSpec', {
  replicas: f.int32(1, { format: 'int32' }),
  minReadySeconds: f.int32(4, { format: 'int32' }),
  selector: f.message(2, 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector', { required: true }),
  template: f.message(3, 'io.k8s.api.core.v1.PodTemplateSpec', { default: {} }),
});

message('io.k8s.api.apps.v1.ReplicaSetStatus', {
  replicas: f.int32(1, { required: true, default: 0, format: 'int32' }),
  fullyLabeledReplicas: f.int32(2, { format: 'int32' }),
  readyReplicas: f.int32(4, { format: 'int32' }),
  availableReplicas: f.int32(5, { format: 'int32' }),
  terminatingReplicas: f.int32(7, { format: 'int32' }),
  observedGeneration: f.int64(3, { format: 'int64' }),
  conditions: f.list(6, 'io.k8s.api.apps.v1.ReplicaSetCondition', {
    patchStrategy: 'merge',
    patchMergeKey: 'type',
    listType: 'map',
    listMapKeys: ['type'],
  }),
});

message('io.k8s.api.apps.v1.RollingUpdateDaemonSet', {
  maxUnavailable: f.intOrString(1),
  maxSurge: f.intOrString(2),
});

message('io.k8s.api.apps.v1.RollingUpdateDeployment', {
  maxUnavailable: f.intOrString(1),
  maxSurge: f.intOrString(2),
});

message('io.k8s.api.apps.v1.RollingUpdateStatefulSetStrategy', {
  partition: f.int32(1, { format: 'int32' }),
  maxUnavailable: f.intOrString(2),
});

export const StatefulSet = message(
  'io.k8s.api.apps.v1.StatefulSet',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    spec: f.message(2, 'io.k8s.api.apps.v1.StatefulSetSpec', { default: {} }),
    status: f.message(3, 'io.k8s.api.apps.v1.StatefulSetStatus', { default: {} }),
  },
  { gvk: [{ group: 'apps', version: 'v1', kind: 'StatefulSet' }] },
);

message('io.k8s.api.apps.v1.StatefulSetCondition', {
  type: f.string(1, { required: true, default: '' }),
  status: f.string(2, { required: true, default: '' }),
  lastTransitionTime: f.time(3),
  reason: f.string(4),
  message: f.string(5),
});

export const StatefulSetList = message(
  'io.k8s.api.apps.v1.StatefulSetList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.apps.v1.StatefulSet', { required: true }),
  },
  { gvk: [{ group: 'apps', version: 'v1', kind: 'StatefulSetList' }] },
);

message('io.k8s.api.apps.v1.StatefulSetOrdinals', {
  start: f.int32(1, { default: 0, format: 'int32' }),
});

message('io.k8s.api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy', {
  whenDeleted: f.string(1),
  whenScaled: f.string(2),
});

message('io.k8s.api.apps.v1.StatefulSetSpec', {
  replicas: f.int32(1, { format: 'int32' }),
  selector: f.message(2, 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector', { required: true }),
  template: f.message(3, 'io.k8s.api.core.v1.PodTemplateSpec', { required: true, default: {} }),
  volumeClaimTemplates: f.list(4, 'io.k8s.api.core.v1.PersistentVolumeClaim', { listType: 'atomic' }),
  serviceName: f.string(5, { default: '' }),
  podManagementPolicy: f.string(6),
  updateStrategy: f.message(7, 'io.k8s.api.apps.v1.StatefulSetUpdateStrategy', { default: {} }),
  revisionHistoryLimit: f.int32(8, { format: 'int32' }),
  minReadySeconds: f.int32(9, { format: 'int32' }),
  persistentVolumeClaimRetentionPolicy: f.message(
    10,
    'io.k8s.api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy',
  ),
  ordinals: f.message(11, 'io.k8s.api.apps.v1.StatefulSetOrdinals'),
});

message('io.k8s.api.apps.v1.StatefulSetStatus', {
  observedGeneration: f.int64(1, { format: 'int64' }),
  replicas: f.int32(2, { required: true, default: 0, format: 'int32' }),
  readyReplicas: f.int32(3, { format: 'int32' }),
  currentReplicas: f.int32(4, { format: 'int32' }),
  updatedReplicas: f.int32(5, { format: 'int32' }),
  currentRevision: f.string(6),
  updateRevision: f.string(7),
  collisionCount: f.int32(9, { format: 'int32' }),
  conditions: f.list(10, 'io.k8s.api.apps.v1.StatefulSetCondition', {
    patchStrategy: 'merge',
    patchMergeKey: 'type',
    listType: 'map',
    listMapKeys: ['type'],
  }),
  availableReplicas: f.int32(11, { default: 0, format: 'int32' }),
});

message('io.k8s.api.apps.v1.StatefulSetUpdateStrategy', {
  type: f.string(1),
  rollingUpdate: f.message(2, 'io.k8s.api.apps.v1.RollingUpdateStatefulSetStrategy'),
});
