/**
 * core/v1, the rest: Namespace, Service, Endpoints, ConfigMap, Secret, ServiceAccount, Node, Event,
 * PersistentVolume(Claim), LimitRange, ResourceQuota, ReplicationController, Binding and their parts, as
 * Kubernetes 1.33 has them.
 *
 * Field names and numbers are the wire protocol (JSON and protobuf): never renumber or rename them.
 */
import { f, message } from '../schema/dsl.js';

message('io.k8s.api.core.v1.AttachedVolume', {
  name: f.string(1, { required: true, default: '' }),
  devicePath: f.string(2, { required: true, default: '' }),
});

message('io.k8s.api.core.v1.AvoidPods', {
  preferAvoidPods: f.list(1, 'io.k8s.api.core.v1.PreferAvoidPodsEntry'),
});

message('io.k8s.api.core.v1.AzureFilePersistentVolumeSource', {
  secretName: f.string(1, { required: true, default: '' }),
  shareName: f.string(2, { required: true, default: '' }),
  readOnly: f.bool(3),
  secretNamespace: f.string(4),
});

export const Binding = message(
  'io.k8s.api.core.v1.Binding',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    target: f.message(2, 'io.k8s.api.core.v1.ObjectReference', { required: true, default: {} }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'Binding' }] },
);

message('io.k8s.api.core.v1.CSIPersistentVolumeSource', {
  driver: f.string(1, { required: true, default: '' }),
  volumeHandle: f.string(2, { required: true, default: '' }),
  readOnly: f.bool(3),
  fsType: f.string(4),
  volumeAttributes: f.map(5, 'string'),
  controllerPublishSecretRef: f.message(6, 'io.k8s.api.core.v1.SecretReference'),
  nodeStageSecretRef: f.message(7, 'io.k8s.api.core.v1.SecretReference'),
  nodePublishSecretRef: f.message(8, 'io.k8s.api.core.v1.SecretReference'),
  controllerExpandSecretRef: f.message(9, 'io.k8s.api.core.v1.SecretReference'),
  nodeExpandSecretRef: f.message(10, 'io.k8s.api.core.v1.SecretReference'),
});

message('io.k8s.api.core.v1.CephFSPersistentVolumeSource', {
  monitors: f.list(1, 'string', { required: true, listType: 'atomic' }),
  path: f.string(2),
  user: f.string(3),
  secretFile: f.string(4),
  secretRef: f.message(5, 'io.k8s.api.core.v1.SecretReference'),
  readOnly: f.bool(6),
});

message('io.k8s.api.core.v1.CinderPersistentVolumeSource', {
  volumeID: f.string(1, { required: true, default: '' }),
  fsType: f.string(2),
  readOnly: f.bool(3),
  secretRef: f.message(4, 'io.k8s.api.core.v1.SecretReference'),
});

message('io.k8s.api.core.v1.ClientIPConfig', {
  timeoutSeconds: f.int32(1, { format: 'int32' }),
});

message('io.k8s.api.core.v1.ComponentCondition', {
  type: f.string(1, { required: true, default: '' }),
  status: f.string(2, { required: true, default: '' }),
  message: f.string(3),
  error: f.string(4),
});

export const ComponentStatus = message(
  'io.k8s.api.core.v1.ComponentStatus',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    conditions: f.list(2, 'io.k8s.api.core.v1.ComponentCondition', {
      patchStrategy: 'merge',
      patchMergeKey: 'type',
      listType: 'map',
      listMapKeys: ['type'],
    }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'ComponentStatus' }] },
);

export const ComponentStatusList = message(
  'io.k8s.api.core.v1.ComponentStatusList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.core.v1.ComponentStatus', { required: true }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'ComponentStatusList' }] },
);

export const ConfigMap = message(
  'io.k8s.api.core.v1.ConfigMap',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    immutable: f.bool(4),
    data: f.map(2, 'string'),
    binaryData: f.map(3, 'bytes', { format: 'byte' }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'ConfigMap' }] },
);

export const ConfigMapList = message(
  'io.k8s.api.core.v1.ConfigMapList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.core.v1.ConfigMap', { required: true }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'ConfigMapList' }] },
);

message('io.k8s.api.core.v1.ConfigMapNodeConfigSource', {
  namespace: f.string(1, { required: true, default: '' }),
  name: f.string(2, { required: true, default: '' }),
  uid: f.string(3),
  resourceVersion: f.string(4),
  kubeletConfigKey: f.string(5, { required: true, default: '' }),
});

message('io.k8s.api.core.v1.ContainerImage', {
  names: f.list(1, 'string', { listType: 'atomic' }),
  sizeBytes: f.int64(2, { format: 'int64' }),
});

message('io.k8s.api.core.v1.DaemonEndpoint', {
  Port: f.int32(1, { required: true, default: 0, format: 'int32' }),
});

message('io.k8s.api.core.v1.EndpointAddress', {
  ip: f.string(1, { required: true, default: '' }),
  hostname: f.string(3),
  nodeName: f.string(4),
  targetRef: f.message(2, 'io.k8s.api.core.v1.ObjectReference'),
});

message('io.k8s.api.core.v1.EndpointPort', {
  name: f.string(1),
  port: f.int32(2, { required: true, default: 0, format: 'int32' }),
  protocol: f.string(3),
  appProtocol: f.string(4),
});

message('io.k8s.api.core.v1.EndpointSubset', {
  addresses: f.list(1, 'io.k8s.api.core.v1.EndpointAddress', { listType: 'atomic' }),
  notReadyAddresses: f.list(2, 'io.k8s.api.core.v1.EndpointAddress', { listType: 'atomic' }),
  ports: f.list(3, 'io.k8s.api.core.v1.EndpointPort', { listType: 'atomic' }),
});

export const Endpoints = message(
  'io.k8s.api.core.v1.Endpoints',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    subsets: f.list(2, 'io.k8s.api.core.v1.EndpointSubset', { listType: 'atomic' }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'Endpoints' }] },
);

export const EndpointsList = message(
  'io.k8s.api.core.v1.EndpointsList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.core.v1.Endpoints', { required: true }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'EndpointsList' }] },
);

export const Event = message(
  'io.k8s.api.core.v1.Event',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', {
      required: true,
      default: {},
    }),
    involvedObject: f.message(2, 'io.k8s.api.core.v1.ObjectReference', { required: true, default: {} }),
    reason: f.string(3),
    message: f.string(4),
    source: f.message(5, 'io.k8s.api.core.v1.EventSource', { default: {} }),
    firstTimestamp: f.time(6),
    lastTimestamp: f.time(7),
    count: f.int32(8, { format: 'int32' }),
    type: f.string(9),
    eventTime: f.microTime(10),
    series: f.message(11, 'io.k8s.api.core.v1.EventSeries'),
    action: f.string(12),
    related: f.message(13, 'io.k8s.api.core.v1.ObjectReference'),
    reportingComponent: f.string(14, { default: '' }),
    reportingInstance: f.string(15, { default: '' }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'Event' }] },
);

export const EventList = message(
  'io.k8s.api.core.v1.EventList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.core.v1.Event', { required: true }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'EventList' }] },
);

message('io.k8s.api.core.v1.EventSeries', {
  count: f.int32(1, { format: 'int32' }),
  lastObservedTime: f.microTime(2),
});

message('io.k8s.api.core.v1.EventSource', {
  component: f.string(1),
  host: f.string(2),
});

message('io.k8s.api.core.v1.FlexPersistentVolumeSource', {
  driver: f.string(1, { required: true, default: '' }),
  fsType: f.string(2),
  secretRef: f.message(3, 'io.k8s.api.core.v1.SecretReference'),
  readOnly: f.bool(4),
  options: f.map(5, 'string'),
});

message('io.k8s.api.core.v1.GlusterfsPersistentVolumeSource', {
  endpoints: f.string(1, { required: true, default: '' }),
  path: f.string(2, { required: true, default: '' }),
  readOnly: f.bool(3),
  endpointsNamespace: f.string(4),
});

message('io.k8s.api.core.v1.ISCSIPersistentVolumeSource', {
  targetPortal: f.string(1, { required: true, default: '' }),
  iqn: f.string(2, { required: true, default: '' }),
  lun: f.int32(3, { required: true, default: 0, format: 'int32' }),
  iscsiInterface: f.string(4, { default: 'default' }),
  fsType: f.string(5),
  readOnly: f.bool(6),
  portals: f.list(7, 'string', { listType: 'atomic' }),
  chapAuthDiscovery: f.bool(8),
  chapAuthSession: f.bool(11),
  secretRef: f.message(10, 'io.k8s.api.core.v1.SecretReference'),
  initiatorName: f.string(12),
});

export const LimitRange = message(
  'io.k8s.api.core.v1.LimitRange',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    spec: f.message(2, 'io.k8s.api.core.v1.LimitRangeSpec', { default: {} }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'LimitRange' }] },
);

message('io.k8s.api.core.v1.LimitRangeItem', {
  type: f.string(1, { required: true, default: '' }),
  max: f.map(2, 'Quantity'),
  min: f.map(3, 'Quantity'),
  default: f.map(4, 'Quantity'),
  defaultRequest: f.map(5, 'Quantity'),
  maxLimitRequestRatio: f.map(6, 'Quantity'),
});

export const LimitRangeList = message(
  'io.k8s.api.core.v1.LimitRangeList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.core.v1.LimitRange', { required: true }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'LimitRangeList' }] },
);

message('io.k8s.api.core.v1.LimitRangeSpec', {
  limits: f.list(1, 'io.k8s.api.core.v1.LimitRangeItem', { required: true, listType: 'atomic' }),
});

message('io.k8s.api.core.v1.List', {
  metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta'),
  items: f.list(2, 'RawExtension'),
});

message('io.k8s.api.core.v1.LoadBalancerIngress', {
  ip: f.string(1),
  hostname: f.string(2),
  ipMode: f.string(3),
  ports: f.list(4, 'io.k8s.api.core.v1.PortStatus', { listType: 'atomic' }),
});

message('io.k8s.api.core.v1.LoadBalancerStatus', {
  ingress: f.list(1, 'io.k8s.api.core.v1.LoadBalancerIngress', { listType: 'atomic' }),
});

message('io.k8s.api.core.v1.LocalVolumeSource', {
  path: f.string(1, { required: true, default: '' }),
  fsType: f.string(2),
});

message('io.k8s.api.core.v1.ModifyVolumeStatus', {
  targetVolumeAttributesClassName: f.string(1),
  status: f.string(2, { required: true, default: '' }),
});

export const Namespace = message(
  'io.k8s.api.core.v1.Namespace',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    spec: f.message(2, 'io.k8s.api.core.v1.NamespaceSpec', { default: {} }),
    status: f.message(3, 'io.k8s.api.core.v1.NamespaceStatus', { default: {} }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'Namespace' }] },
);

message('io.k8s.api.core.v1.NamespaceCondition', {
  type: f.string(1, { required: true, default: '' }),
  status: f.string(2, { required: true, default: '' }),
  lastTransitionTime: f.time(4),
  reason: f.string(5),
  message: f.string(6),
});

export const NamespaceList = message(
  'io.k8s.api.core.v1.NamespaceList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.core.v1.Namespace', { required: true }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'NamespaceList' }] },
);

message('io.k8s.api.core.v1.NamespaceSpec', {
  finalizers: f.list(1, 'string', { listType: 'atomic' }),
});

message('io.k8s.api.core.v1.NamespaceStatus', {
  phase: f.string(1),
  conditions: f.list(2, 'io.k8s.api.core.v1.NamespaceCondition', {
    patchStrategy: 'merge',
    patchMergeKey: 'type',
    listType: 'map',
    listMapKeys: ['type'],
  }),
});

export const Node = message(
  'io.k8s.api.core.v1.Node',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    spec: f.message(2, 'io.k8s.api.core.v1.NodeSpec', { default: {} }),
    status: f.message(3, 'io.k8s.api.core.v1.NodeStatus', { default: {} }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'Node' }] },
);

message('io.k8s.api.core.v1.NodeAddress', {
  type: f.string(1, { required: true, default: '' }),
  address: f.string(2, { required: true, default: '' }),
});

message('io.k8s.api.core.v1.NodeCondition', {
  type: f.string(1, { required: true, default: '' }),
  status: f.string(2, { required: true, default: '' }),
  lastHeartbeatTime: f.time(3),
  lastTransitionTime: f.time(4),
  reason: f.string(5),
  message: f.string(6),
});

message('io.k8s.api.core.v1.NodeConfigSource', {
  configMap: f.message(2, 'io.k8s.api.core.v1.ConfigMapNodeConfigSource'),
});

message('io.k8s.api.core.v1.NodeConfigStatus', {
  assigned: f.message(1, 'io.k8s.api.core.v1.NodeConfigSource'),
  active: f.message(2, 'io.k8s.api.core.v1.NodeConfigSource'),
  lastKnownGood: f.message(3, 'io.k8s.api.core.v1.NodeConfigSource'),
  error: f.string(4),
});

message('io.k8s.api.core.v1.NodeDaemonEndpoints', {
  kubeletEndpoint: f.message(1, 'io.k8s.api.core.v1.DaemonEndpoint', { default: {} }),
});

message('io.k8s.api.core.v1.NodeFeatures', {
  supplementalGroupsPolicy: f.bool(1),
});

export const NodeList = message(
  'io.k8s.api.core.v1.NodeList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.core.v1.Node', { required: true }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'NodeList' }] },
);

message('io.k8s.api.core.v1.NodeProxyOptions', {
  path: f.string(1),
});

message('io.k8s.api.core.v1.NodeRuntimeHandler', {
  name: f.string(1, { default: '' }),
  features: f.message(2, 'io.k8s.api.core.v1.NodeRuntimeHandlerFeatures'),
});

message('io.k8s.api.core.v1.NodeRuntimeHandlerFeatures', {
  recursiveReadOnlyMounts: f.bool(1),
  userNamespaces: f.bool(2),
});

message('io.k8s.api.core.v1.NodeSpec', {
  podCIDR: f.string(1),
  podCIDRs: f.list(7, 'string', { patchStrategy: 'merge', listType: 'set' }),
  providerID: f.string(3),
  unschedulable: f.bool(4),
  taints: f.list(5, 'io.k8s.api.core.v1.Taint', { listType: 'atomic' }),
  configSource: f.message(6, 'io.k8s.api.core.v1.NodeConfigSource'),
  externalID: f.string(2),
});

message('io.k8s.api.core.v1.NodeStatus', {
  capacity: f.map(1, 'Quantity'),
  allocatable: f.map(2, 'Quantity'),
  phase: f.string(3),
  conditions: f.list(4, 'io.k8s.api.core.v1.NodeCondition', {
    patchStrategy: 'merge',
    patchMergeKey: 'type',
    listType: 'map',
    listMapKeys: ['type'],
  }),
  addresses: f.list(5, 'io.k8s.api.core.v1.NodeAddress', {
    patchStrategy: 'merge',
    patchMergeKey: 'type',
    listType: 'map',
    listMapKeys: ['type'],
  }),
  daemonEndpoints: f.message(6, 'io.k8s.api.core.v1.NodeDaemonEndpoints', { default: {} }),
  nodeInfo: f.message(7, 'io.k8s.api.core.v1.NodeSystemInfo', { default: {} }),
  images: f.list(8, 'io.k8s.api.core.v1.ContainerImage', { listType: 'atomic' }),
  volumesInUse: f.list(9, 'string', { listType: 'atomic' }),
  volumesAttached: f.list(10, 'io.k8s.api.core.v1.AttachedVolume', { listType: 'atomic' }),
  config: f.message(11, 'io.k8s.api.core.v1.NodeConfigStatus'),
  runtimeHandlers: f.list(12, 'io.k8s.api.core.v1.NodeRuntimeHandler', { listType: 'atomic' }),
  features: f.message(13, 'io.k8s.api.core.v1.NodeFeatures'),
});

message('io.k8s.api.core.v1.NodeSwapStatus', {
  capacity: f.int64(1, { format: 'int64' }),
});

// The kubelet reports what it can read; a machine without, say, a readable product_uuid sends ''.
message('io.k8s.api.core.v1.NodeSystemInfo', {
  machineID: f.string(1, { required: true, allowEmpty: true, default: '' }),
  systemUUID: f.string(2, { required: true, allowEmpty: true, default: '' }),
  bootID: f.string(3, { required: true, allowEmpty: true, default: '' }),
  kernelVersion: f.string(4, { required: true, allowEmpty: true, default: '' }),
  osImage: f.string(5, { required: true, allowEmpty: true, default: '' }),
  containerRuntimeVersion: f.string(6, { required: true, allowEmpty: true, default: '' }),
  kubeletVersion: f.string(7, { required: true, allowEmpty: true, default: '' }),
  kubeProxyVersion: f.string(8, { required: true, allowEmpty: true, default: '' }),
  operatingSystem: f.string(9, { required: true, allowEmpty: true, default: '' }),
  architecture: f.string(10, { required: true, allowEmpty: true, default: '' }),
  swap: f.message(11, 'io.k8s.api.core.v1.NodeSwapStatus'),
});

message('io.k8s.api.core.v1.ObjectReference', {
  kind: f.string(1),
  namespace: f.string(2),
  name: f.string(3),
  uid: f.string(4),
  apiVersion: f.string(5),
  resourceVersion: f.string(6),
  fieldPath: f.string(7),
});

export const PersistentVolume = message(
  'io.k8s.api.core.v1.PersistentVolume',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    spec: f.message(2, 'io.k8s.api.core.v1.PersistentVolumeSpec', { default: {} }),
    status: f.message(3, 'io.k8s.api.core.v1.PersistentVolumeStatus', { default: {} }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'PersistentVolume' }] },
);

export const PersistentVolumeClaim = message(
  'io.k8s.api.core.v1.PersistentVolumeClaim',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    spec: f.message(2, 'io.k8s.api.core.v1.PersistentVolumeClaimSpec', { default: {} }),
    status: f.message(3, 'io.k8s.api.core.v1.PersistentVolumeClaimStatus', { default: {} }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'PersistentVolumeClaim' }] },
);

message('io.k8s.api.core.v1.PersistentVolumeClaimCondition', {
  type: f.string(1, { required: true, default: '' }),
  status: f.string(2, { required: true, default: '' }),
  lastProbeTime: f.time(3),
  lastTransitionTime: f.time(4),
  reason: f.string(5),
  message: f.string(6),
});

export const PersistentVolumeClaimList = message(
  'io.k8s.api.core.v1.PersistentVolumeClaimList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.core.v1.PersistentVolumeClaim', { required: true }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'PersistentVolumeClaimList' }] },
);

message('io.k8s.api.core.v1.PersistentVolumeClaimStatus', {
  phase: f.string(1),
  accessModes: f.list(2, 'string', { listType: 'atomic' }),
  capacity: f.map(3, 'Quantity'),
  conditions: f.list(4, 'io.k8s.api.core.v1.PersistentVolumeClaimCondition', {
    patchStrategy: 'merge',
    patchMergeKey: 'type',
    listType: 'map',
    listMapKeys: ['type'],
  }),
  allocatedResources: f.map(5, 'Quantity'),
  allocatedResourceStatuses: f.map(7, 'string', { mapType: 'granular' }),
  currentVolumeAttributesClassName: f.string(8),
  modifyVolumeStatus: f.message(9, 'io.k8s.api.core.v1.ModifyVolumeStatus'),
});

export const PersistentVolumeList = message(
  'io.k8s.api.core.v1.PersistentVolumeList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.core.v1.PersistentVolume', { required: true }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'PersistentVolumeList' }] },
);

message('io.k8s.api.core.v1.PersistentVolumeSource', {
  gcePersistentDisk: f.message(1, 'io.k8s.api.core.v1.GCEPersistentDiskVolumeSource'),
  awsElasticBlockStore: f.message(2, 'io.k8s.api.core.v1.AWSElasticBlockStoreVolumeSource'),
  hostPath: f.message(3, 'io.k8s.api.core.v1.HostPathVolumeSource'),
  glusterfs: f.message(4, 'io.k8s.api.core.v1.GlusterfsPersistentVolumeSource'),
  nfs: f.message(5, 'io.k8s.api.core.v1.NFSVolumeSource'),
  rbd: f.message(6, 'io.k8s.api.core.v1.RBDPersistentVolumeSource'),
  iscsi: f.message(7, 'io.k8s.api.core.v1.ISCSIPersistentVolumeSource'),
  cinder: f.message(8, 'io.k8s.api.core.v1.CinderPersistentVolumeSource'),
  cephfs: f.message(9, 'io.k8s.api.core.v1.CephFSPersistentVolumeSource'),
  fc: f.message(10, 'io.k8s.api.core.v1.FCVolumeSource'),
  flocker: f.message(11, 'io.k8s.api.core.v1.FlockerVolumeSource'),
  flexVolume: f.message(12, 'io.k8s.api.core.v1.FlexPersistentVolumeSource'),
  azureFile: f.message(13, 'io.k8s.api.core.v1.AzureFilePersistentVolumeSource'),
  vsphereVolume: f.message(14, 'io.k8s.api.core.v1.VsphereVirtualDiskVolumeSource'),
  quobyte: f.message(15, 'io.k8s.api.core.v1.QuobyteVolumeSource'),
  azureDisk: f.message(16, 'io.k8s.api.core.v1.AzureDiskVolumeSource'),
  photonPersistentDisk: f.message(17, 'io.k8s.api.core.v1.PhotonPersistentDiskVolumeSource'),
  portworxVolume: f.message(18, 'io.k8s.api.core.v1.PortworxVolumeSource'),
  scaleIO: f.message(19, 'io.k8s.api.core.v1.ScaleIOPersistentVolumeSource'),
  local: f.message(20, 'io.k8s.api.core.v1.LocalVolumeSource'),
  storageos: f.message(21, 'io.k8s.api.core.v1.StorageOSPersistentVolumeSource'),
  csi: f.message(22, 'io.k8s.api.core.v1.CSIPersistentVolumeSource'),
});

message('io.k8s.api.core.v1.PersistentVolumeSpec', {
  capacity: f.map(1, 'Quantity'),
  persistentVolumeSource: f.message(2, 'io.k8s.api.core.v1.PersistentVolumeSource', { inline: true }),
  accessModes: f.list(3, 'string', { listType: 'atomic' }),
  claimRef: f.message(4, 'io.k8s.api.core.v1.ObjectReference', { mapType: 'granular' }),
  persistentVolumeReclaimPolicy: f.string(5),
  storageClassName: f.string(6),
  mountOptions: f.list(7, 'string', { listType: 'atomic' }),
  volumeMode: f.string(8),
  nodeAffinity: f.message(9, 'io.k8s.api.core.v1.VolumeNodeAffinity'),
  volumeAttributesClassName: f.string(10),
});

message('io.k8s.api.core.v1.PersistentVolumeStatus', {
  phase: f.string(1),
  message: f.string(2),
  reason: f.string(3),
  lastPhaseTransitionTime: f.time(4),
});

message('io.k8s.api.core.v1.PodSignature', {
  podController: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference'),
});

message('io.k8s.api.core.v1.PortStatus', {
  port: f.int32(1, { required: true, default: 0, format: 'int32' }),
  protocol: f.string(2, { required: true, default: '' }),
  error: f.string(3),
});

message('io.k8s.api.core.v1.Preconditions', {
  uid: f.string(1),
});

message('io.k8s.api.core.v1.PreferAvoidPodsEntry', {
  podSignature: f.message(1, 'io.k8s.api.core.v1.PodSignature'),
  evictionTime: f.time(2),
  reason: f.string(3),
  message: f.string(4),
});

message('io.k8s.api.core.v1.RBDPersistentVolumeSource', {
  monitors: f.list(1, 'string', { required: true, listType: 'atomic' }),
  image: f.string(2, { required: true, default: '' }),
  fsType: f.string(3),
  pool: f.string(4, { default: 'rbd' }),
  user: f.string(5, { default: 'admin' }),
  keyring: f.string(6, { default: '/etc/ceph/keyring' }),
  secretRef: f.message(7, 'io.k8s.api.core.v1.SecretReference'),
  readOnly: f.bool(8),
});

message('io.k8s.api.core.v1.RangeAllocation', {
  metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
  range: f.string(2),
  data: f.bytes(3),
});

export const ReplicationController = message(
  'io.k8s.api.core.v1.ReplicationController',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    spec: f.message(2, 'io.k8s.api.core.v1.ReplicationControllerSpec', { default: {} }),
    status: f.message(3, 'io.k8s.api.core.v1.ReplicationControllerStatus', { default: {} }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'ReplicationController' }] },
);

message('io.k8s.api.core.v1.ReplicationControllerCondition', {
  type: f.string(1, { required: true, default: '' }),
  status: f.string(2, { required: true, default: '' }),
  lastTransitionTime: f.time(3),
  reason: f.string(4),
  message: f.string(5),
});

export const ReplicationControllerList = message(
  'io.k8s.api.core.v1.ReplicationControllerList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.core.v1.ReplicationController', { required: true }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'ReplicationControllerList' }] },
);

message('io.k8s.api.core.v1.ReplicationControllerSpec', {
  replicas: f.int32(1, { default: 1, format: 'int32' }),
  minReadySeconds: f.int32(4, { default: 0, format: 'int32' }),
  selector: f.map(2, 'string', { mapType: 'atomic' }),
  template: f.message(3, 'io.k8s.api.core.v1.PodTemplateSpec'),
});

message('io.k8s.api.core.v1.ReplicationControllerStatus', {
  replicas: f.int32(1, { required: true, default: 0, format: 'int32' }),
  fullyLabeledReplicas: f.int32(2, { format: 'int32' }),
  readyReplicas: f.int32(4, { format: 'int32' }),
  availableReplicas: f.int32(5, { format: 'int32' }),
  observedGeneration: f.int64(3, { format: 'int64' }),
  conditions: f.list(6, 'io.k8s.api.core.v1.ReplicationControllerCondition', {
    patchStrategy: 'merge',
    patchMergeKey: 'type',
    listType: 'map',
    listMapKeys: ['type'],
  }),
});

export const ResourceQuota = message(
  'io.k8s.api.core.v1.ResourceQuota',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    spec: f.message(2, 'io.k8s.api.core.v1.ResourceQuotaSpec', { default: {} }),
    status: f.message(3, 'io.k8s.api.core.v1.ResourceQuotaStatus', { default: {} }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'ResourceQuota' }] },
);

export const ResourceQuotaList = message(
  'io.k8s.api.core.v1.ResourceQuotaList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.core.v1.ResourceQuota', { required: true }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'ResourceQuotaList' }] },
);

message('io.k8s.api.core.v1.ResourceQuotaSpec', {
  hard: f.map(1, 'Quantity'),
  scopes: f.list(2, 'string', { listType: 'atomic' }),
  scopeSelector: f.message(3, 'io.k8s.api.core.v1.ScopeSelector'),
});

message('io.k8s.api.core.v1.ResourceQuotaStatus', {
  hard: f.map(1, 'Quantity'),
  used: f.map(2, 'Quantity'),
});

message('io.k8s.api.core.v1.ScaleIOPersistentVolumeSource', {
  gateway: f.string(1, { required: true, default: '' }),
  system: f.string(2, { required: true, default: '' }),
  secretRef: f.message(3, 'io.k8s.api.core.v1.SecretReference', { required: true }),
  sslEnabled: f.bool(4),
  protectionDomain: f.string(5),
  storagePool: f.string(6),
  storageMode: f.string(7, { default: 'ThinProvisioned' }),
  volumeName: f.string(8),
  fsType: f.string(9, { default: 'xfs' }),
  readOnly: f.bool(10),
});

message('io.k8s.api.core.v1.ScopeSelector', {
  matchExpressions: f.list(1, 'io.k8s.api.core.v1.ScopedResourceSelectorRequirement', { listType: 'atomic' }),
});

message('io.k8s.api.core.v1.ScopedResourceSelectorRequirement', {
  scopeName: f.string(1, { required: true, default: '' }),
  operator: f.string(2, { required: true, default: '' }),
  values: f.list(3, 'string', { listType: 'atomic' }),
});

export const Secret = message(
  'io.k8s.api.core.v1.Secret',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    immutable: f.bool(5),
    data: f.map(2, 'bytes', { format: 'byte' }),
    stringData: f.map(4, 'string'),
    type: f.string(3),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'Secret' }] },
);

export const SecretList = message(
  'io.k8s.api.core.v1.SecretList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.core.v1.Secret', { required: true }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'SecretList' }] },
);

message('io.k8s.api.core.v1.SecretReference', {
  name: f.string(1),
  namespace: f.string(2),
});

message('io.k8s.api.core.v1.SerializedReference', {
  reference: f.message(1, 'io.k8s.api.core.v1.ObjectReference'),
});

export const Service = message(
  'io.k8s.api.core.v1.Service',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    spec: f.message(2, 'io.k8s.api.core.v1.ServiceSpec', { default: {} }),
    status: f.message(3, 'io.k8s.api.core.v1.ServiceStatus', { default: {} }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'Service' }] },
);

export const ServiceAccount = message(
  'io.k8s.api.core.v1.ServiceAccount',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    secrets: f.list(2, 'io.k8s.api.core.v1.ObjectReference', {
      patchStrategy: 'merge',
      patchMergeKey: 'name',
      listType: 'map',
      listMapKeys: ['name'],
    }),
    imagePullSecrets: f.list(3, 'io.k8s.api.core.v1.LocalObjectReference', { listType: 'atomic' }),
    automountServiceAccountToken: f.bool(4),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'ServiceAccount' }] },
);

export const ServiceAccountList = message(
  'io.k8s.api.core.v1.ServiceAccountList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.core.v1.ServiceAccount', { required: true }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'ServiceAccountList' }] },
);

export const ServiceList = message(
  'io.k8s.api.core.v1.ServiceList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.core.v1.Service', { required: true }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'ServiceList' }] },
);

message('io.k8s.api.core.v1.ServicePort', {
  name: f.string(1),
  protocol: f.string(2, { default: 'TCP' }),
  appProtocol: f.string(6),
  port: f.int32(3, { required: true, default: 0, format: 'int32' }),
  targetPort: f.intOrString(4),
  nodePort: f.int32(5, { format: 'int32' }),
});

message('io.k8s.api.core.v1.ServiceProxyOptions', {
  path: f.string(1),
});

message('io.k8s.api.core.v1.ServiceSpec', {
  ports: f.list(1, 'io.k8s.api.core.v1.ServicePort', {
    patchStrategy: 'merge',
    patchMergeKey: 'port',
    listType: 'map',
    listMapKeys: ['port', 'protocol'],
  }),
  selector: f.map(2, 'string', { mapType: 'atomic' }),
  clusterIP: f.string(3),
  clusterIPs: f.list(18, 'string', { listType: 'atomic' }),
  type: f.string(4),
  externalIPs: f.list(5, 'string', { listType: 'atomic' }),
  sessionAffinity: f.string(7),
  loadBalancerIP: f.string(8),
  loadBalancerSourceRanges: f.list(9, 'string', { listType: 'atomic' }),
  externalName: f.string(10),
  externalTrafficPolicy: f.string(11),
  healthCheckNodePort: f.int32(12, { format: 'int32' }),
  publishNotReadyAddresses: f.bool(13),
  sessionAffinityConfig: f.message(14, 'io.k8s.api.core.v1.SessionAffinityConfig'),
  ipFamilies: f.list(19, 'string', { listType: 'atomic' }),
  ipFamilyPolicy: f.string(17),
  allocateLoadBalancerNodePorts: f.bool(20),
  loadBalancerClass: f.string(21),
  internalTrafficPolicy: f.string(22),
  trafficDistribution: f.string(23),
});

message('io.k8s.api.core.v1.ServiceStatus', {
  loadBalancer: f.message(1, 'io.k8s.api.core.v1.LoadBalancerStatus', { default: {} }),
  conditions: f.list(2, 'io.k8s.apimachinery.pkg.apis.meta.v1.Condition', {
    patchStrategy: 'merge',
    patchMergeKey: 'type',
    listType: 'map',
    listMapKeys: ['type'],
  }),
});

message('io.k8s.api.core.v1.SessionAffinityConfig', {
  clientIP: f.message(1, 'io.k8s.api.core.v1.ClientIPConfig'),
});

message('io.k8s.api.core.v1.StorageOSPersistentVolumeSource', {
  volumeName: f.string(1),
  volumeNamespace: f.string(2),
  fsType: f.string(3),
  readOnly: f.bool(4),
  secretRef: f.message(5, 'io.k8s.api.core.v1.ObjectReference'),
});

message('io.k8s.api.core.v1.Taint', {
  key: f.string(1, { required: true, default: '' }),
  value: f.string(2),
  effect: f.string(3, { required: true, default: '' }),
  timeAdded: f.time(4),
});

message('io.k8s.api.core.v1.TopologySelectorLabelRequirement', {
  key: f.string(1, { required: true, default: '' }),
  values: f.list(2, 'string', { required: true, listType: 'atomic' }),
});

message('io.k8s.api.core.v1.TopologySelectorTerm', {
  matchLabelExpressions: f.list(1, 'io.k8s.api.core.v1.TopologySelectorLabelRequirement', {
    listType: 'atomic',
  }),
});

message('io.k8s.api.core.v1.VolumeNodeAffinity', {
  required: f.message(1, 'io.k8s.api.core.v1.NodeSelector'),
});
