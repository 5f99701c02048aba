/**
 * core/v1, the Pod half: Pod, PodTemplate, PodSpec, containers, probes, volumes, affinity and
 * everything else a pod spec or status refers to, as Kubernetes 1.33 has them.
 *
 * Field names and numbers are the wire protocol (JSON and protobuf): never renumber or rename them.
 */
import { f, message } from '../schema/dsl.js';

message('io.k8s.api.core.v1.AWSElasticBlockStoreVolumeSource', {
  volumeID: f.string(1, { required: true, default: '' }),
  fsType: f.string(2),
  partition: f.int32(3, { format: 'int32' }),
  readOnly: f.bool(4),
});

message('io.k8s.api.core.v1.Affinity', {
  nodeAffinity: f.message(1, 'io.k8s.api.core.v1.NodeAffinity'),
  podAffinity: f.message(2, 'io.k8s.api.core.v1.PodAffinity'),
  podAntiAffinity: f.message(3, 'io.k8s.api.core.v1.PodAntiAffinity'),
});

message('io.k8s.api.core.v1.AppArmorProfile', {
  type: f.string(1, { required: true, default: '' }),
  localhostProfile: f.string(2),
});

message('io.k8s.api.core.v1.AzureDiskVolumeSource', {
  diskName: f.string(1, { required: true, default: '' }),
  diskURI: f.string(2, { required: true, default: '' }),
  cachingMode: f.string(3, { default: 'ReadWrite' }),
  fsType: f.string(4, { default: 'ext4' }),
  readOnly: f.bool(5, { default: false }),
  kind: f.string(6, { default: 'Shared' }),
});

message('io.k8s.api.core.v1.AzureFileVolumeSource', {
  secretName: f.string(1, { required: true, default: '' }),
  shareName: f.string(2, { required: true, default: '' }),
  readOnly: f.bool(3),
});

message('io.k8s.api.core.v1.CSIVolumeSource', {
  driver: f.string(1, { required: true, default: '' }),
  readOnly: f.bool(2),
  fsType: f.string(3),
  volumeAttributes: f.map(4, 'string'),
  nodePublishSecretRef: f.message(5, 'io.k8s.api.core.v1.LocalObjectReference'),
});

message('io.k8s.api.core.v1.Capabilities', {
  add: f.list(1, 'string', { listType: 'atomic' }),
  drop: f.list(2, 'string', { listType: 'atomic' }),
});

message('io.k8s.api.core.v1.CephFSVolumeSource', {
  monitors: f.list(1, 'string', { required: true, listType: 'atomic' }),
  path: f.string(2),
  user: f.string(3),
  secretFile: f.string(4),
  secretRef: f.message(5, 'io.k8s.api.core.v1.LocalObjectReference'),
  readOnly: f.bool(6),
});

message('io.k8s.api.core.v1.CinderVolumeSource', {
  volumeID: f.string(1, { required: true, default: '' }),
  fsType: f.string(2),
  readOnly: f.bool(3),
  secretRef: f.message(4, 'io.k8s.api.core.v1.LocalObjectReference'),
});

message('io.k8s.api.core.v1.ClusterTrustBundleProjection', {
  name: f.string(1),
  signerName: f.string(2),
  labelSelector: f.message(3, 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'),
  optional: f.bool(5),
  path: f.string(4, { required: true, default: '' }),
});

message('io.k8s.api.core.v1.ConfigMapEnvSource', {
  localObjectReference: f.message(1, 'io.k8s.api.core.v1.LocalObjectReference', { inline: true }),
  optional: f.bool(2),
});

message('io.k8s.api.core.v1.ConfigMapKeySelector', {
  localObjectReference: f.message(1, 'io.k8s.api.core.v1.LocalObjectReference', { inline: true }),
  key: f.string(2, { required: true, default: '' }),
  optional: f.bool(3),
});

message('io.k8s.api.core.v1.ConfigMapProjection', {
  localObjectReference: f.message(1, 'io.k8s.api.core.v1.LocalObjectReference', { inline: true }),
  items: f.list(2, 'io.k8s.api.core.v1.KeyToPath', { listType: 'atomic' }),
  optional: f.bool(4),
});

message('io.k8s.api.core.v1.ConfigMapVolumeSource', {
  localObjectReference: f.message(1, 'io.k8s.api.core.v1.LocalObjectReference', { inline: true }),
  items: f.list(2, 'io.k8s.api.core.v1.KeyToPath', { listType: 'atomic' }),
  defaultMode: f.int32(3, { format: 'int32' }),
  optional: f.bool(4),
});

message('io.k8s.api.core.v1.Container', {
  name: f.string(1, { required: true, default: '' }),
  image: f.string(2),
  command: f.list(3, 'string', { listType: 'atomic' }),
  args: f.list(4, 'string', { listType: 'atomic' }),
  workingDir: f.string(5),
  ports: f.list(6, 'io.k8s.api.core.v1.ContainerPort', {
    patchStrategy: 'merge',
    patchMergeKey: 'containerPort',
    listType: 'map',
    listMapKeys: ['containerPort', 'protocol'],
  }),
  envFrom: f.list(19, 'io.k8s.api.core.v1.EnvFromSource', { listType: 'atomic' }),
  env: f.list(7, 'io.k8s.api.core.v1.EnvVar', {
    patchStrategy: 'merge',
    patchMergeKey: 'name',
    listType: 'map',
    listMapKeys: ['name'],
  }),
  resources: f.message(8, 'io.k8s.api.core.v1.ResourceRequirements', { default: {} }),
  resizePolicy: f.list(23, 'io.k8s.api.core.v1.ContainerResizePolicy', { listType: 'atomic' }),
  restartPolicy: f.string(24),
  volumeMounts: f.list(9, 'io.k8s.api.core.v1.VolumeMount', {
    patchStrategy: 'merge',
    patchMergeKey: 'mountPath',
    listType: 'map',
    listMapKeys: ['mountPath'],
  }),
  volumeDevices: f.list(21, 'io.k8s.api.core.v1.VolumeDevice', {
    patchStrategy: 'merge',
    patchMergeKey: 'devicePath',
    listType: 'map',
    listMapKeys: ['devicePath'],
  }),
  livenessProbe: f.message(10, 'io.k8s.api.core.v1.Probe'),
  readinessProbe: f.message(11, 'io.k8s.api.core.v1.Probe'),
  startupProbe: f.message(22, 'io.k8s.api.core.v1.Probe'),
  lifecycle: f.message(12, 'io.k8s.api.core.v1.Lifecycle'),
  terminationMessagePath: f.string(13),
  terminationMessagePolicy: f.string(20),
  imagePullPolicy: f.string(14),
  securityContext: f.message(15, 'io.k8s.api.core.v1.SecurityContext'),
  stdin: f.bool(16),
  stdinOnce: f.bool(17),
  tty: f.bool(18),
});

message('io.k8s.api.core.v1.ContainerPort', {
  name: f.string(1),
  hostPort: f.int32(2, { format: 'int32' }),
  containerPort: f.int32(3, { required: true, default: 0, format: 'int32' }),
  protocol: f.string(4, { default: 'TCP' }),
  hostIP: f.string(5),
});

message('io.k8s.api.core.v1.ContainerResizePolicy', {
  resourceName: f.string(1, { required: true, default: '' }),
  restartPolicy: f.string(2, { required: true, default: '' }),
});

message('io.k8s.api.core.v1.ContainerState', {
  waiting: f.message(1, 'io.k8s.api.core.v1.ContainerStateWaiting'),
  running: f.message(2, 'io.k8s.api.core.v1.ContainerStateRunning'),
  terminated: f.message(3, 'io.k8s.api.core.v1.ContainerStateTerminated'),
});

message('io.k8s.api.core.v1.ContainerStateRunning', {
  startedAt: f.time(1),
});

message('io.k8s.api.core.v1.ContainerStateTerminated', {
  exitCode: f.int32(1, { required: true, default: 0, format: 'int32' }),
  signal: f.int32(2, { format: 'int32' }),
  reason: f.string(3),
  message: f.string(4),
  startedAt: f.time(5),
  finishedAt: f.time(6),
  containerID: f.string(7),
});

message('io.k8s.api.core.v1.ContainerStateWaiting', {
  reason: f.string(1),
  message: f.string(2),
});

message('io.k8s.api.core.v1.ContainerStatus', {
  name: f.string(1, { required: true, default: '' }),
  state: f.message(2, 'io.k8s.api.core.v1.ContainerState', { default: {} }),
  lastState: f.message(3, 'io.k8s.api.core.v1.ContainerState', { default: {} }),
  ready: f.bool(4, { required: true, default: false }),
  restartCount: f.int32(5, { required: true, default: 0, format: 'int32' }),
  image: f.string(6, { required: true, default: '' }),
  // Required in upstream's schema but empty until the image is pulled (a waiting container), and not
  // checked by its validation: kubelets report `imageID: ""`.
  imageID: f.string(7, { default: '' }),
  containerID: f.string(8),
  started: f.bool(9),
  allocatedResources: f.map(10, 'Quantity'),
  resources: f.message(11, 'io.k8s.api.core.v1.ResourceRequirements'),
  volumeMounts: f.list(12, 'io.k8s.api.core.v1.VolumeMountStatus', {
    patchStrategy: 'merge',
    patchMergeKey: 'mountPath',
    listType: 'map',
    listMapKeys: ['mountPath'],
  }),
  user: f.message(13, 'io.k8s.api.core.v1.ContainerUser'),
  allocatedResourcesStatus: f.list(14, 'io.k8s.api.core.v1.ResourceStatus', {
    patchStrategy: 'merge',
    patchMergeKey: 'name',
    listType: 'map',
    listMapKeys: ['name'],
  }),
  stopSignal: f.string(15),
});

message('io.k8s.api.core.v1.ContainerUser', {
  linux: f.message(1, 'io.k8s.api.core.v1.LinuxContainerUser'),
});

message('io.k8s.api.core.v1.DownwardAPIProjection', {
  items: f.list(1, 'io.k8s.api.core.v1.DownwardAPIVolumeFile', { listType: 'atomic' }),
});

message('io.k8s.api.core.v1.DownwardAPIVolumeFile', {
  path: f.string(1, { required: true, default: '' }),
  fieldRef: f.message(2, 'io.k8s.api.core.v1.ObjectFieldSelector'),
  resourceFieldRef: f.message(3, 'io.k8s.api.core.v1.ResourceFieldSelector'),
  mode: f.int32(4, { format: 'int32' }),
});

message('io.k8s.api.core.v1.DownwardAPIVolumeSource', {
  items: f.list(1, 'io.k8s.api.core.v1.DownwardAPIVolumeFile', { listType: 'atomic' }),
  defaultMode: f.int32(2, { format: 'int32' }),
});

message('io.k8s.api.core.v1.EmptyDirVolumeSource', {
  medium: f.string(1),
  sizeLimit: f.quantity(2),
});

message('io.k8s.api.core.v1.EnvFromSource', {
  prefix: f.string(1),
  configMapRef: f.message(2, 'io.k8s.api.core.v1.ConfigMapEnvSource'),
  secretRef: f.message(3, 'io.k8s.api.core.v1.SecretEnvSource'),
});

message('io.k8s.api.core.v1.EnvVar', {
  name: f.string(1, { required: true, default: '' }),
  value: f.string(2),
  valueFrom: f.message(3, 'io.k8s.api.core.v1.EnvVarSource'),
});

message('io.k8s.api.core.v1.EnvVarSource', {
  fieldRef: f.message(1, 'io.k8s.api.core.v1.ObjectFieldSelector'),
  resourceFieldRef: f.message(2, 'io.k8s.api.core.v1.ResourceFieldSelector'),
  configMapKeyRef: f.message(3, 'io.k8s.api.core.v1.ConfigMapKeySelector'),
  secretKeyRef: f.message(4, 'io.k8s.api.core.v1.SecretKeySelector'),
});

message('io.k8s.api.core.v1.EphemeralContainer', {
  ephemeralContainerCommon: f.message(1, 'io.k8s.api.core.v1.EphemeralContainerCommon', { inline: true }),
  targetContainerName: f.string(2),
});

message('io.k8s.api.core.v1.EphemeralContainerCommon', {
  name: f.string(1, { required: true, default: '' }),
  image: f.string(2),
  command: f.list(3, 'string', { listType: 'atomic' }),
  args: f.list(4, 'string', { listType: 'atomic' }),
  workingDir: f.string(5),
  ports: f.list(6, 'io.k8s.api.core.v1.ContainerPort', {
    patchStrategy: 'merge',
    patchMergeKey: 'containerPort',
    listType: 'map',
    listMapKeys: ['containerPort', 'protocol'],
  }),
  envFrom: f.list(19, 'io.k8s.api.core.v1.EnvFromSource', { listType: 'atomic' }),
  env: f.list(7, 'io.k8s.api.core.v1.EnvVar', {
    patchStrategy: 'merge',
    patchMergeKey: 'name',
    listType: 'map',
    listMapKeys: ['name'],
  }),
  resources: f.message(8, 'io.k8s.api.core.v1.ResourceRequirements', { default: {} }),
  resizePolicy: f.list(23, 'io.k8s.api.core.v1.ContainerResizePolicy', { listType: 'atomic' }),
  restartPolicy: f.string(24),
  volumeMounts: f.list(9, 'io.k8s.api.core.v1.VolumeMount', {
    patchStrategy: 'merge',
    patchMergeKey: 'mountPath',
    listType: 'map',
    listMapKeys: ['mountPath'],
  }),
  volumeDevices: f.list(21, 'io.k8s.api.core.v1.VolumeDevice', {
    patchStrategy: 'merge',
    patchMergeKey: 'devicePath',
    listType: 'map',
    listMapKeys: ['devicePath'],
  }),
  livenessProbe: f.message(10, 'io.k8s.api.core.v1.Probe'),
  readinessProbe: f.message(11, 'io.k8s.api.core.v1.Probe'),
  startupProbe: f.message(22, 'io.k8s.api.core.v1.Probe'),
  lifecycle: f.message(12, 'io.k8s.api.core.v1.Lifecycle'),
  terminationMessagePath: f.string(13),
  terminationMessagePolicy: f.string(20),
  imagePullPolicy: f.string(14),
  securityContext: f.message(15, 'io.k8s.api.core.v1.SecurityContext'),
  stdin: f.bool(16),
  stdinOnce: f.bool(17),
  tty: f.bool(18),
});

message('io.k8s.api.core.v1.EphemeralVolumeSource', {
  volumeClaimTemplate: f.message(1, 'io.k8s.api.core.v1.PersistentVolumeClaimTemplate'),
});

message('io.k8s.api.core.v1.ExecAction', {
  command: f.list(1, 'string', { listType: 'atomic' }),
});

message('io.k8s.api.core.v1.FCVolumeSource', {
  targetWWNs: f.list(1, 'string', { listType: 'atomic' }),
  lun: f.int32(2, { format: 'int32' }),
  fsType: f.string(3),
  readOnly: f.bool(4),
  wwids: f.list(5, 'string', { listType: 'atomic' }),
});

message('io.k8s.api.core.v1.FlexVolumeSource', {
  driver: f.string(1, { required: true, default: '' }),
  fsType: f.string(2),
  secretRef: f.message(3, 'io.k8s.api.core.v1.LocalObjectReference'),
  readOnly: f.bool(4),
  options: f.map(5, 'string'),
});

message('io.k8s.api.core.v1.FlockerVolumeSource', {
  datasetName: f.string(1),
  datasetUUID: f.string(2),
});

message('io.k8s.api.core.v1.GCEPersistentDiskVolumeSource', {
  pdName: f.string(1, { required: true, default: '' }),
  fsType: f.string(2),
  partition: f.int32(3, { format: 'int32' }),
  readOnly: f.bool(4),
});

message('io.k8s.api.core.v1.GRPCAction', {
  port: f.int32(1, { required: true, default: 0, format: 'int32' }),
  service: f.string(2, { default: '' }),
});

message('io.k8s.api.core.v1.GitRepoVolumeSource', {
  repository: f.string(1, { required: true, default: '' }),
  revision: f.string(2),
  directory: f.string(3),
});

message('io.k8s.api.core.v1.GlusterfsVolumeSource', {
  endpoints: f.string(1, { required: true, default: '' }),
  path: f.string(2, { required: true, default: '' }),
  readOnly: f.bool(3),
});

message('io.k8s.api.core.v1.HTTPGetAction', {
  path: f.string(1),
  port: f.intOrString(2, { required: true }),
  host: f.string(3),
  scheme: f.string(4),
  httpHeaders: f.list(5, 'io.k8s.api.core.v1.HTTPHeader', { listType: 'atomic' }),
});

message('io.k8s.api.core.v1.HTTPHeader', {
  name: f.string(1, { required: true, default: '' }),
  value: f.string(2, { required: true, default: '' }),
});

message('io.k8s.api.core.v1.HostAlias', {
  ip: f.string(1, { required: true, default: '' }),
  hostnames: f.list(2, 'string', { listType: 'atomic' }),
});

message('io.k8s.api.core.v1.HostIP', {
  ip: f.string(1, { required: true, default: '' }),
});

message('io.k8s.api.core.v1.HostPathVolumeSource', {
  path: f.string(1, { required: true, default: '' }),
  type: f.string(2),
});

message('io.k8s.api.core.v1.ISCSIVolumeSource', {
  targetPortal: f.string(1, { required: true, default: '' }),
  iqn: f.string(2, { required: true, default: '' }),
  lun: f.int32(3, { required: true, default: 0, format: 'int32' }),
  iscsiInterface: f.string(4, { default: 'default' }),
  fsType: f.string(5),
  readOnly: f.bool(6),
  portals: f.list(7, 'string', { listType: 'atomic' }),
  chapAuthDiscovery: f.bool(8),
  chapAuthSession: f.bool(11),
  secretRef: f.message(10, 'io.k8s.api.core.v1.LocalObjectReference'),
  initiatorName: f.string(12),
});

message('io.k8s.api.core.v1.ImageVolumeSource', {
  reference: f.string(1),
  pullPolicy: f.string(2),
});

message('io.k8s.api.core.v1.KeyToPath', {
  key: f.string(1, { required: true, default: '' }),
  path: f.string(2, { required: true, default: '' }),
  mode: f.int32(3, { format: 'int32' }),
});

message('io.k8s.api.core.v1.Lifecycle', {
  postStart: f.message(1, 'io.k8s.api.core.v1.LifecycleHandler'),
  preStop: f.message(2, 'io.k8s.api.core.v1.LifecycleHandler'),
  stopSignal: f.string(3),
});

message('io.k8s.api.core.v1.LifecycleHandler', {
  exec: f.message(1, 'io.k8s.api.core.v1.ExecAction'),
  httpGet: f.message(2, 'io.k8s.api.core.v1.HTTPGetAction'),
  tcpSocket: f.message(3, 'io.k8s.api.core.v1.TCPSocketAction'),
  sleep: f.message(4, 'io.k8s.api.core.v1.SleepAction'),
});

message('io.k8s.api.core.v1.LinuxContainerUser', {
  uid: f.int64(1, { required: true, default: 0, format: 'int64' }),
  gid: f.int64(2, { required: true, default: 0, format: 'int64' }),
  supplementalGroups: f.list(3, 'int64', { format: 'int64', listType: 'atomic' }),
});

message('io.k8s.api.core.v1.LocalObjectReference', {
  name: f.string(1, { default: '' }),
});

message('io.k8s.api.core.v1.NFSVolumeSource', {
  server: f.string(1, { required: true, default: '' }),
  path: f.string(2, { required: true, default: '' }),
  readOnly: f.bool(3),
});

message('io.k8s.api.core.v1.NodeAffinity', {
  requiredDuringSchedulingIgnoredDuringExecution: f.message(1, 'io.k8s.api.core.v1.NodeSelector'),
  preferredDuringSchedulingIgnoredDuringExecution: f.list(2, 'io.k8s.api.core.v1.PreferredSchedulingTerm', {
    listType: 'atomic',
  }),
});

message('io.k8s.api.core.v1.NodeSelector', {
  nodeSelectorTerms: f.list(1, 'io.k8s.api.core.v1.NodeSelectorTerm', { required: true, listType: 'atomic' }),
});

message('io.k8s.api.core.v1.NodeSelectorRequirement', {
  key: f.string(1, { required: true, default: '' }),
  operator: f.string(2, { required: true, default: '' }),
  values: f.list(3, 'string', { listType: 'atomic' }),
});

message('io.k8s.api.core.v1.NodeSelectorTerm', {
  matchExpressions: f.list(1, 'io.k8s.api.core.v1.NodeSelectorRequirement', { listType: 'atomic' }),
  matchFields: f.list(2, 'io.k8s.api.core.v1.NodeSelectorRequirement', { listType: 'atomic' }),
});

message('io.k8s.api.core.v1.ObjectFieldSelector', {
  apiVersion: f.string(1),
  fieldPath: f.string(2, { required: true, default: '' }),
});

message('io.k8s.api.core.v1.PersistentVolumeClaimSpec', {
  accessModes: f.list(1, 'string', { listType: 'atomic' }),
  selector: f.message(4, 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'),
  resources: f.message(2, 'io.k8s.api.core.v1.VolumeResourceRequirements', { default: {} }),
  volumeName: f.string(3),
  storageClassName: f.string(5),
  volumeMode: f.string(6),
  dataSource: f.message(7, 'io.k8s.api.core.v1.TypedLocalObjectReference'),
  dataSourceRef: f.message(8, 'io.k8s.api.core.v1.TypedObjectReference'),
  volumeAttributesClassName: f.string(9),
});

message('io.k8s.api.core.v1.PersistentVolumeClaimTemplate', {
  metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
  spec: f.message(2, 'io.k8s.api.core.v1.PersistentVolumeClaimSpec', { required: true, default: {} }),
});

message('io.k8s.api.core.v1.PersistentVolumeClaimVolumeSource', {
  claimName: f.string(1, { required: true, default: '' }),
  readOnly: f.bool(2),
});

message('io.k8s.api.core.v1.PhotonPersistentDiskVolumeSource', {
  pdID: f.string(1, { required: true, default: '' }),
  fsType: f.string(2),
});

export const Pod = message(
  'io.k8s.api.core.v1.Pod',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    spec: f.message(2, 'io.k8s.api.core.v1.PodSpec', { default: {} }),
    status: f.message(3, 'io.k8s.api.core.v1.PodStatus', { default: {} }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'Pod' }] },
);

message('io.k8s.api.core.v1.PodAffinity', {
  requiredDuringSchedulingIgnoredDuringExecution: f.list(1, 'io.k8s.api.core.v1.PodAffinityTerm', {
    listType: 'atomic',
  }),
  preferredDuringSchedulingIgnoredDuringExecution: f.list(2, 'io.k8s.api.core.v1.WeightedPodAffinityTerm', {
    listType: 'atomic',
  }),
});

message('io.k8s.api.core.v1.PodAffinityTerm', {
  labelSelector: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'),
  namespaces: f.list(2, 'string', { listType: 'atomic' }),
  topologyKey: f.string(3, { required: true, default: '' }),
  namespaceSelector: f.message(4, 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'),
  matchLabelKeys: f.list(5, 'string', { listType: 'atomic' }),
  mismatchLabelKeys: f.list(6, 'string', { listType: 'atomic' }),
});

message('io.k8s.api.core.v1.PodAntiAffinity', {
  requiredDuringSchedulingIgnoredDuringExecution: f.list(1, 'io.k8s.api.core.v1.PodAffinityTerm', {
    listType: 'atomic',
  }),
  preferredDuringSchedulingIgnoredDuringExecution: f.list(2, 'io.k8s.api.core.v1.WeightedPodAffinityTerm', {
    listType: 'atomic',
  }),
});

message('io.k8s.api.core.v1.PodAttachOptions', {
  stdin: f.bool(1),
  stdout: f.bool(2),
  stderr: f.bool(3),
  tty: f.bool(4),
  container: f.string(5),
});

message('io.k8s.api.core.v1.PodCondition', {
  type: f.string(1, { required: true, default: '' }),
  observedGeneration: f.int64(7, { format: 'int64' }),
  status: f.string(2, { required: true, default: '' }),
  lastProbeTime: f.time(3),
  lastTransitionTime: f.time(4),
  reason: f.string(5),
  message: f.string(6),
});

message('io.k8s.api.core.v1.PodDNSConfig', {
  nameservers: f.list(1, 'string', { listType: 'atomic' }),
  searches: f.list(2, 'string', { listType: 'atomic' }),
  options: f.list(3, 'io.k8s.api.core.v1.PodDNSConfigOption', { listType: 'atomic' }),
});

message('io.k8s.api.core.v1.PodDNSConfigOption', {
  name: f.string(1),
  value: f.string(2),
});

message('io.k8s.api.core.v1.PodExecOptions', {
  stdin: f.bool(1),
  stdout: f.bool(2),
  stderr: f.bool(3),
  tty: f.bool(4),
  container: f.string(5),
  command: f.list(6, 'string'),
});

message('io.k8s.api.core.v1.PodIP', {
  ip: f.string(1, { required: true, default: '' }),
});

export const PodList = message(
  'io.k8s.api.core.v1.PodList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.core.v1.Pod', { required: true }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'PodList' }] },
);

message('io.k8s.api.core.v1.PodLogOptions', {
  container: f.string(1),
  follow: f.bool(2),
  previous: f.bool(3),
  sinceSeconds: f.int64(4),
  sinceTime: f.time(5),
  timestamps: f.bool(6),
  tailLines: f.int64(7),
  limitBytes: f.int64(8),
  insecureSkipTLSVerifyBackend: f.bool(9),
  stream: f.string(10),
});

message('io.k8s.api.core.v1.PodOS', {
  name: f.string(1, { required: true, default: '' }),
});

message('io.k8s.api.core.v1.PodPortForwardOptions', {
  ports: f.list(1, 'int32'),
});

message('io.k8s.api.core.v1.PodProxyOptions', {
  path: f.string(1),
});

message('io.k8s.api.core.v1.PodReadinessGate', {
  conditionType: f.string(1, { required: true, default: '' }),
});

message('io.k8s.api.core.v1.PodResourceClaim', {
  name: f.string(1, { required: true, default: '' }),
  resourceClaimName: f.string(3),
  resourceClaimTemplateName: f.string(4),
});

message('io.k8s.api.core.v1.PodResourceClaimStatus', {
  name: f.string(1, { required: true, default: '' }),
  resourceClaimName: f.string(2),
});

message('io.k8s.api.core.v1.PodSchedulingGate', {
  name: f.string(1, { required: true, default: '' }),
});

message('io.k8s.api.core.v1.PodSecurityContext', {
  seLinuxOptions: f.message(1, 'io.k8s.api.core.v1.SELinuxOptions'),
  windowsOptions: f.message(8, 'io.k8s.api.core.v1.WindowsSecurityContextOptions'),
  runAsUser: f.int64(2, { format: 'int64' }),
  runAsGroup: f.int64(6, { format: 'int64' }),
  runAsNonRoot: f.bool(3),
  supplementalGroups: f.list(4, 'int64', { format: 'int64', listType: 'atomic' }),
  supplementalGroupsPolicy: f.string(12),
  fsGroup: f.int64(5, { format: 'int64' }),
  sysctls: f.list(7, 'io.k8s.api.core.v1.Sysctl', { listType: 'atomic' }),
  fsGroupChangePolicy: f.string(9),
  seccompProfile: f.message(10, 'io.k8s.api.core.v1.SeccompProfile'),
  appArmorProfile: f.message(11, 'io.k8s.api.core.v1.AppArmorProfile'),
  seLinuxChangePolicy: f.string(13),
});

message('io.k8s.api.core.v1.PodSpec', {
  volumes: f.list(1, 'io.k8s.api.core.v1.Volume', {
    patchStrategy: 'merge,retainKeys',
    patchMergeKey: 'name',
    listType: 'map',
    listMapKeys: ['name'],
  }),
  initContainers: f.list(20, 'io.k8s.api.core.v1.Container', {
    patchStrategy: 'merge',
    patchMergeKey: 'name',
    listType: 'map',
    listMapKeys: ['name'],
  }),
  containers: f.list(2, 'io.k8s.api.core.v1.Container', {
    required: true,
    patchStrategy: 'merge',
    patchMergeKey: 'name',
    listType: 'map',
    listMapKeys: ['name'],
  }),
  ephemeralContainers: f.list(34, 'io.k8s.api.core.v1.EphemeralContainer', {
    patchStrategy: 'merge',
    patchMergeKey: 'name',
    listType: 'map',
    listMapKeys: ['name'],
  }),
  restartPolicy: f.string(3),
  terminationGracePeriodSeconds: f.int64(4, { format: 'int64' }),
  activeDeadlineSeconds: f.int64(5, { format: 'int64' }),
  dnsPolicy: f.string(6),
  nodeSelector: f.map(7, 'string', { mapType: 'atomic' }),
  serviceAccountName: f.string(8),
  serviceAccount: f.string(9),
  automountServiceAccountToken: f.bool(21),
  nodeName: f.string(10),
  hostNetwork: f.bool(11),
  hostPID: f.bool(12),
  hostIPC: f.bool(13),
  shareProcessNamespace: f.bool(27),
  securityContext: f.message(14, 'io.k8s.api.core.v1.PodSecurityContext'),
  imagePullSecrets: f.list(15, 'io.k8s.api.core.v1.LocalObjectReference', {
    patchStrategy: 'merge',
    patchMergeKey: 'name',
    listType: 'map',
    listMapKeys: ['name'],
  }),
  hostname: f.string(16),
  subdomain: f.string(17),
  affinity: f.message(18, 'io.k8s.api.core.v1.Affinity'),
  schedulerName: f.string(19),
  tolerations: f.list(22, 'io.k8s.api.core.v1.Toleration', { listType: 'atomic' }),
  hostAliases: f.list(23, 'io.k8s.api.core.v1.HostAlias', {
    patchStrategy: 'merge',
    patchMergeKey: 'ip',
    listType: 'map',
    listMapKeys: ['ip'],
  }),
  priorityClassName: f.string(24),
  priority: f.int32(25, { format: 'int32' }),
  dnsConfig: f.message(26, 'io.k8s.api.core.v1.PodDNSConfig'),
  readinessGates: f.list(28, 'io.k8s.api.core.v1.PodReadinessGate', { listType: 'atomic' }),
  runtimeClassName: f.string(29),
  enableServiceLinks: f.bool(30),
  preemptionPolicy: f.string(31),
  overhead: f.map(32, 'Quantity'),
  topologySpreadConstraints: f.list(33, 'io.k8s.api.core.v1.TopologySpreadConstraint', {
    patchStrategy: 'merge',
    patchMergeKey: 'topologyKey',
    listType: 'map',
    listMapKeys: ['topologyKey', 'whenUnsatisfiable'],
  }),
  setHostnameAsFQDN: f.bool(35),
  os: f.message(36, 'io.k8s.api.core.v1.PodOS'),
  hostUsers: f.bool(37),
  schedulingGates: f.list(38, 'io.k8s.api.core.v1.PodSchedulingGate', {
    patchStrategy: 'merge',
    patchMergeKey: 'name',
    listType: 'map',
    listMapKeys: ['name'],
  }),
  resourceClaims: f.list(39, 'io.k8s.api.core.v1.PodResourceClaim', {
    patchStrategy: 'merge,retainKeys',
    patchMergeKey: 'name',
    listType: 'map',
    listMapKeys: ['name'],
  }),
  resources: f.message(40, 'io.k8s.api.core.v1.ResourceRequirements'),
});

message('io.k8s.api.core.v1.PodStatus', {
  observedGeneration: f.int64(17, { format: 'int64' }),
  phase: f.string(1),
  conditions: f.list(2, 'io.k8s.api.core.v1.PodCondition', {
    patchStrategy: 'merge',
    patchMergeKey: 'type',
    listType: 'map',
    listMapKeys: ['type'],
  }),
  message: f.string(3),
  reason: f.string(4),
  nominatedNodeName: f.string(11),
  hostIP: f.string(5),
  hostIPs: f.list(16, 'io.k8s.api.core.v1.HostIP', {
    patchStrategy: 'merge',
    patchMergeKey: 'ip',
    listType: 'atomic',
  }),
  podIP: f.string(6),
  podIPs: f.list(12, 'io.k8s.api.core.v1.PodIP', {
    patchStrategy: 'merge',
    patchMergeKey: 'ip',
    listType: 'map',
    listMapKeys: ['ip'],
  }),
  startTime: f.time(7),
  initContainerStatuses: f.list(10, 'io.k8s.api.core.v1.ContainerStatus', { listType: 'atomic' }),
  containerStatuses: f.list(8, 'io.k8s.api.core.v1.ContainerStatus', { listType: 'atomic' }),
  qosClass: f.string(9),
  ephemeralContainerStatuses: f.list(13, 'io.k8s.api.core.v1.ContainerStatus', { listType: 'atomic' }),
  resize: f.string(14),
  resourceClaimStatuses: f.list(15, 'io.k8s.api.core.v1.PodResourceClaimStatus', {
    patchStrategy: 'merge,retainKeys',
    patchMergeKey: 'name',
    listType: 'map',
    listMapKeys: ['name'],
  }),
});

message('io.k8s.api.core.v1.PodStatusResult', {
  metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
  status: f.message(2, 'io.k8s.api.core.v1.PodStatus'),
});

export const PodTemplate = message(
  'io.k8s.api.core.v1.PodTemplate',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    template: f.message(2, 'io.k8s.api.core.v1.PodTemplateSpec', { default: {} }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'PodTemplate' }] },
);

export const PodTemplateList = message(
  'io.k8s.api.core.v1.PodTemplateList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.core.v1.PodTemplate', { required: true }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'PodTemplateList' }] },
);

message('io.k8s.api.core.v1.PodTemplateSpec', {
  metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
  spec: f.message(2, 'io.k8s.api.core.v1.PodSpec', { default: {} }),
});

message('io.k8s.api.core.v1.PortworxVolumeSource', {
  volumeID: f.string(1, { required: true, default: '' }),
  fsType: f.string(2),
  readOnly: f.bool(3),
});

message('io.k8s.api.core.v1.PreferredSchedulingTerm', {
  weight: f.int32(1, { required: true, default: 0, format: 'int32' }),
  preference: f.message(2, 'io.k8s.api.core.v1.NodeSelectorTerm', { required: true, default: {} }),
});

message('io.k8s.api.core.v1.Probe', {
  handler: f.message(1, 'io.k8s.api.core.v1.ProbeHandler', { inline: true }),
  initialDelaySeconds: f.int32(2, { format: 'int32' }),
  timeoutSeconds: f.int32(3, { format: 'int32' }),
  periodSeconds: f.int32(4, { format: 'int32' }),
  successThreshold: f.int32(5, { format: 'int32' }),
  failureThreshold: f.int32(6, { format: 'int32' }),
  terminationGracePeriodSeconds: f.int64(7, { format: 'int64' }),
});

message('io.k8s.api.core.v1.ProbeHandler', {
  exec: f.message(1, 'io.k8s.api.core.v1.ExecAction'),
  httpGet: f.message(2, 'io.k8s.api.core.v1.HTTPGetAction'),
  tcpSocket: f.message(3, 'io.k8s.api.core.v1.TCPSocketAction'),
  grpc: f.message(4, 'io.k8s.api.core.v1.GRPCAction'),
});

message('io.k8s.api.core.v1.ProjectedVolumeSource', {
  sources: f.list(1, 'io.k8s.api.core.v1.VolumeProjection', { listType: 'atomic' }),
  defaultMode: f.int32(2, { format: 'int32' }),
});

message('io.k8s.api.core.v1.QuobyteVolumeSource', {
  registry: f.string(1, { required: true, default: '' }),
  volume: f.string(2, { required: true, default: '' }),
  readOnly: f.bool(3),
  user: f.string(4),
  group: f.string(5),
  tenant: f.string(6),
});

message('io.k8s.api.core.v1.RBDVolumeSource', {
  monitors: f.list(1, 'string', { required: true, listType: 'atomic' }),
  image: f.string(2, { required: true, default: '' }),
  fsType: f.string(3),
  pool: f.string(4, { default: 'rbd' }),
  user: f.string(5, { default: 'admin' }),
  keyring: f.string(6, { default: '/etc/ceph/keyring' }),
  secretRef: f.message(7, 'io.k8s.api.core.v1.LocalObjectReference'),
  readOnly: f.bool(8),
});

message('io.k8s.api.core.v1.ResourceClaim', {
  name: f.string(1, { required: true, default: '' }),
  request: f.string(2),
});

message('io.k8s.api.core.v1.ResourceFieldSelector', {
  containerName: f.string(1),
  resource: f.string(2, { required: true, default: '' }),
  divisor: f.quantity(3),
});

message('io.k8s.api.core.v1.ResourceHealth', {
  resourceID: f.string(1, { required: true, default: '' }),
  health: f.string(2),
});

message('io.k8s.api.core.v1.ResourceRequirements', {
  limits: f.map(1, 'Quantity'),
  requests: f.map(2, 'Quantity'),
  claims: f.list(3, 'io.k8s.api.core.v1.ResourceClaim', { listType: 'map', listMapKeys: ['name'] }),
});

message('io.k8s.api.core.v1.ResourceStatus', {
  name: f.string(1, { required: true, default: '' }),
  resources: f.list(2, 'io.k8s.api.core.v1.ResourceHealth', { listType: 'map', listMapKeys: ['resourceID'] }),
});

message('io.k8s.api.core.v1.SELinuxOptions', {
  user: f.string(1),
  role: f.string(2),
  type: f.string(3),
  level: f.string(4),
});

message('io.k8s.api.core.v1.ScaleIOVolumeSource', {
  gateway: f.string(1, { required: true, default: '' }),
  system: f.string(2, { required: true, default: '' }),
  secretRef: f.message(3, 'io.k8s.api.core.v1.LocalObjectReference', { required: true }),
  sslEnabled: f.bool(4),
  protectionDomain: f.string(5),
  storagePool: f.string(6),
  storageMode: f.string(7, { default: 'ThinProvisioned' }),
  volumeName: f.string(8),
  fsType: f.string(9, { default: 'xfs' }),
  readOnly: f.bool(10),
});

message('io.k8s.api.core.v1.SeccompProfile', {
  type: f.string(1, { required: true, default: '' }),
  localhostProfile: f.string(2),
});

message('io.k8s.api.core.v1.SecretEnvSource', {
  localObjectReference: f.message(1, 'io.k8s.api.core.v1.LocalObjectReference', { inline: true }),
  optional: f.bool(2),
});

message('io.k8s.api.core.v1.SecretKeySelector', {
  localObjectReference: f.message(1, 'io.k8s.api.core.v1.LocalObjectReference', { inline: true }),
  key: f.string(2, { required: true, default: '' }),
  optional: f.bool(3),
});

message('io.k8s.api.core.v1.SecretProjection', {
  localObjectReference: f.message(1, 'io.k8s.api.core.v1.LocalObjectReference', { inline: true }),
  items: f.list(2, 'io.k8s.api.core.v1.KeyToPath', { listType: 'atomic' }),
  optional: f.bool(4),
});

message('io.k8s.api.core.v1.SecretVolumeSource', {
  secretName: f.string(1),
  items: f.list(2, 'io.k8s.api.core.v1.KeyToPath', { listType: 'atomic' }),
  defaultMode: f.int32(3, { format: 'int32' }),
  optional: f.bool(4),
});

message('io.k8s.api.core.v1.SecurityContext', {
  capabilities: f.message(1, 'io.k8s.api.core.v1.Capabilities'),
  privileged: f.bool(2),
  seLinuxOptions: f.message(3, 'io.k8s.api.core.v1.SELinuxOptions'),
  windowsOptions: f.message(10, 'io.k8s.api.core.v1.WindowsSecurityContextOptions'),
  runAsUser: f.int64(4, { format: 'int64' }),
  runAsGroup: f.int64(8, { format: 'int64' }),
  runAsNonRoot: f.bool(5),
  readOnlyRootFilesystem: f.bool(6),
  allowPrivilegeEscalation: f.bool(7),
  procMount: f.string(9),
  seccompProfile: f.message(11, 'io.k8s.api.core.v1.SeccompProfile'),
  appArmorProfile: f.message(12, 'io.k8s.api.core.v1.AppArmorProfile'),
});

message('io.k8s.api.core.v1.ServiceAccountTokenProjection', {
  audience: f.string(1),
  expirationSeconds: f.int64(2, { format: 'int64' }),
  path: f.string(3, { required: true, default: '' }),
});

message('io.k8s.api.core.v1.SleepAction', {
  seconds: f.int64(1, { required: true, default: 0, format: 'int64' }),
});

message('io.k8s.api.core.v1.StorageOSVolumeSource', {
  volumeName: f.string(1),
  volumeNamespace: f.string(2),
  fsType: f.string(3),
  readOnly: f.bool(4),
  secretRef: f.message(5, 'io.k8s.api.core.v1.LocalObjectReference'),
});

message('io.k8s.api.core.v1.Sysctl', {
  name: f.string(1, { required: true, default: '' }),
  value: f.string(2, { required: true, default: '' }),
});

message('io.k8s.api.core.v1.TCPSocketAction', {
  port: f.intOrString(1, { required: true }),
  host: f.string(2),
});

message('io.k8s.api.core.v1.Toleration', {
  key: f.string(1),
  operator: f.string(2),
  value: f.string(3),
  effect: f.string(4),
  tolerationSeconds: f.int64(5, { format: 'int64' }),
});

message('io.k8s.api.core.v1.TopologySpreadConstraint', {
  maxSkew: f.int32(1, { required: true, default: 0, format: 'int32' }),
  topologyKey: f.string(2, { required: true, default: '' }),
  whenUnsatisfiable: f.string(3, { required: true, default: '' }),
  labelSelector: f.message(4, 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'),
  minDomains: f.int32(5, { format: 'int32' }),
  nodeAffinityPolicy: f.string(6),
  nodeTaintsPolicy: f.string(7),
  matchLabelKeys: f.list(8, 'string', { listType: 'atomic' }),
});

message('io.k8s.api.core.v1.TypedLocalObjectReference', {
  apiGroup: f.string(1),
  kind: f.string(2, { required: true, default: '' }),
  name: f.string(3, { required: true, default: '' }),
});

message('io.k8s.api.core.v1.TypedObjectReference', {
  apiGroup: f.string(1),
  kind: f.string(2, { required: true, default: '' }),
  name: f.string(3, { required: true, default: '' }),
  namespace: f.string(4),
});

message('io.k8s.api.core.v1.Volume', {
  name: f.string(1, { required: true, default: '' }),
  volumeSource: f.message(2, 'io.k8s.api.core.v1.VolumeSource', { inline: true }),
});

message('io.k8s.api.core.v1.VolumeDevice', {
  name: f.string(1, { required: true, default: '' }),
  devicePath: f.string(2, { required: true, default: '' }),
});

message('io.k8s.api.core.v1.VolumeMount', {
  name: f.string(1, { required: true, default: '' }),
  readOnly: f.bool(2),
  recursiveReadOnly: f.string(7),
  mountPath: f.string(3, { required: true, default: '' }),
  subPath: f.string(4),
  mountPropagation: f.string(5),
  subPathExpr: f.string(6),
});

message('io.k8s.api.core.v1.VolumeMountStatus', {
  name: f.string(1, { required: true, default: '' }),
  mountPath: f.string(2, { required: true, default: '' }),
  readOnly: f.bool(3),
  recursiveReadOnly: f.string(4),
});

message('io.k8s.api.core.v1.VolumeProjection', {
  secret: f.message(1, 'io.k8s.api.core.v1.SecretProjection'),
  downwardAPI: f.message(2, 'io.k8s.api.core.v1.DownwardAPIProjection'),
  configMap: f.message(3, 'io.k8s.api.core.v1.ConfigMapProjection'),
  serviceAccountToken: f.message(4, 'io.k8s.api.core.v1.ServiceAccountTokenProjection'),
  clusterTrustBundle: f.message(5, 'io.k8s.api.core.v1.ClusterTrustBundleProjection'),
});

message('io.k8s.api.core.v1.VolumeResourceRequirements', {
  limits: f.map(1, 'Quantity'),
  requests: f.map(2, 'Quantity'),
});

message('io.k8s.api.core.v1.VolumeSource', {
  hostPath: f.message(1, 'io.k8s.api.core.v1.HostPathVolumeSource'),
  emptyDir: f.message(2, 'io.k8s.api.core.v1.EmptyDirVolumeSource'),
  gcePersistentDisk: f.message(3, 'io.k8s.api.core.v1.GCEPersistentDiskVolumeSource'),
  awsElasticBlockStore: f.message(4, 'io.k8s.api.core.v1.AWSElasticBlockStoreVolumeSource'),
  gitRepo: f.message(5, 'io.k8s.api.core.v1.GitRepoVolumeSource'),
  secret: f.message(6, 'io.k8s.api.core.v1.SecretVolumeSource'),
  nfs: f.message(7, 'io.k8s.api.core.v1.NFSVolumeSource'),
  iscsi: f.message(8, 'io.k8s.api.core.v1.ISCSIVolumeSource'),
  glusterfs: f.message(9, 'io.k8s.api.core.v1.GlusterfsVolumeSource'),
  persistentVolumeClaim: f.message(10, 'io.k8s.api.core.v1.PersistentVolumeClaimVolumeSource'),
  rbd: f.message(11, 'io.k8s.api.core.v1.RBDVolumeSource'),
  flexVolume: f.message(12, 'io.k8s.api.core.v1.FlexVolumeSource'),
  cinder: f.message(13, 'io.k8s.api.core.v1.CinderVolumeSource'),
  cephfs: f.message(14, 'io.k8s.api.core.v1.CephFSVolumeSource'),
  flocker: f.message(15, 'io.k8s.api.core.v1.FlockerVolumeSource'),
  downwardAPI: f.message(16, 'io.k8s.api.core.v1.DownwardAPIVolumeSource'),
  fc: f.message(17, 'io.k8s.api.core.v1.FCVolumeSource'),
  azureFile: f.message(18, 'io.k8s.api.core.v1.AzureFileVolumeSource'),
  configMap: f.message(19, 'io.k8s.api.core.v1.ConfigMapVolumeSource'),
  vsphereVolume: f.message(20, 'io.k8s.api.core.v1.VsphereVirtualDiskVolumeSource'),
  quobyte: f.message(21, 'io.k8s.api.core.v1.QuobyteVolumeSource'),
  azureDisk: f.message(22, 'io.k8s.api.core.v1.AzureDiskVolumeSource'),
  photonPersistentDisk: f.message(23, 'io.k8s.api.core.v1.PhotonPersistentDiskVolumeSource'),
  projected: f.message(26, 'io.k8s.api.core.v1.ProjectedVolumeSource'),
  portworxVolume: f.message(24, 'io.k8s.api.core.v1.PortworxVolumeSource'),
  scaleIO: f.message(25, 'io.k8s.api.core.v1.ScaleIOVolumeSource'),
  storageos: f.message(27, 'io.k8s.api.core.v1.StorageOSVolumeSource'),
  csi: f.message(28, 'io.k8s.api.core.v1.CSIVolumeSource'),
  ephemeral: f.message(29, 'io.k8s.api.core.v1.EphemeralVolumeSource'),
  image: f.message(30, 'io.k8s.api.core.v1.ImageVolumeSource'),
});

message('io.k8s.api.core.v1.VsphereVirtualDiskVolumeSource', {
  volumePath: f.string(1, { required: true, default: '' }),
  fsType: f.string(2),
  storagePolicyName: f.string(3),
  storagePolicyID: f.string(4),
});

message('io.k8s.api.core.v1.WeightedPodAffinityTerm', {
  weight: f.int32(1, { required: true, default: 0, format: 'int32' }),
  podAffinityTerm: f.message(2, 'io.k8s.api.core.v1.PodAffinityTerm', { required: true, default: {} }),
});

message('io.k8s.api.core.v1.WindowsSecurityContextOptions', {
  gmsaCredentialSpecName: f.string(1),
  gmsaCredentialSpec: f.string(2),
  runAsUserName: f.string(3),
  hostProcess: f.bool(4),
});
