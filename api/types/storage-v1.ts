/**
 * storage.k8s.io/v1: StorageClass, CSIDriver, CSINode, CSIStorageCapacity and VolumeAttachment, as
 * Kubernetes 1.33 has them.
 *
 * Field names and numbers are the wire protocol (JSON and protobuf): never renumber or rename them.
 */
import { f, message } from '../schema/dsl.js';

export const CSIDriver = message(
  'io.k8s.api.storage.v1.CSIDriver',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    spec: f.message(2, 'io.k8s.api.storage.v1.CSIDriverSpec', { required: true, default: {} }),
  },
  { gvk: [{ group: 'storage.k8s.io', version: 'v1', kind: 'CSIDriver' }] },
);

export const CSIDriverList = message(
  'io.k8s.api.storage.v1.CSIDriverList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.storage.v1.CSIDriver', { required: true }),
  },
  { gvk: [{ group: 'storage.k8s.io', version: 'v1', kind: 'CSIDriverList' }] },
);

message('io.k8s.api.storage.v1.CSIDriverSpec', {
  attachRequired: f.bool(1),
  podInfoOnMount: f.bool(2),
  volumeLifecycleModes: f.list(3, 'string', { listType: 'set' }),
  storageCapacity: f.bool(4),
  fsGroupPolicy: f.string(5),
  tokenRequests: f.list(6, 'io.k8s.api.storage.v1.TokenRequest', { listType: 'atomic' }),
  requiresRepublish: f.bool(7),
  seLinuxMount: f.bool(8),
  nodeAllocatableUpdatePeriodSeconds: f.int64(9, { format: 'int64' }),
});

export const CSINode = message(
  'io.k8s.api.storage.v1.CSINode',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    spec: f.message(2, 'io.k8s.api.storage.v1.CSINodeSpec', { required: true, default: {} }),
  },
  { gvk: [{ group: 'storage.k8s.io', version: 'v1', kind: 'CSINode' }] },
);

message('io.k8s.api.storage.v1.CSINodeDriver', {
  name: f.string(1, { required: true, default: '' }),
  nodeID: f.string(2, { required: true, default: '' }),
  topologyKeys: f.list(3, 'string', { listType: 'atomic' }),
  allocatable: f.message(4, 'io.k8s.api.storage.v1.VolumeNodeResources'),
});

export const CSINodeList = message(
  'io.k8s.api.storage.v1.CSINodeList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.storage.v1.CSINode', { required: true }),
  },
  { gvk: [{ group: 'storage.k8s.io', version: 'v1', kind: 'CSINodeList' }] },
);

message('io.k8s.api.storage.v1.CSINodeSpec', {
  drivers: f.list(1, 'io.k8s.api.storage.v1.CSINodeDriver', {
    required: true,
    patchStrategy: 'merge',
    patchMergeKey: 'name',
    listType: 'map',
    listMapKeys: ['name'],
  }),
});

export const CSIStorageCapacity = message(
  'io.k8s.api.storage.v1.CSIStorageCapacity',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    nodeTopology: f.message(2, 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'),
    storageClassName: f.string(3, { required: true, default: '' }),
    capacity: f.quantity(4),
    maximumVolumeSize: f.quantity(5),
  },
  { gvk: [{ group: 'storage.k8s.io', version: 'v1', kind: 'CSIStorageCapacity' }] },
);

export const CSIStorageCapacityList = message(
  'io.k8s.api.storage.v1.CSIStorageCapacityList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.storage.v1.CSIStorageCapacity', { required: true }),
  },
  { gvk: [{ group: 'storage.k8s.io', version: 'v1', kind: 'CSIStorageCapacityList' }] },
);

export const StorageClass = message(
  'io.k8s.api.storage.v1.StorageClass',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    provisioner: f.string(2, { required: true, default: '' }),
    parameters: f.map(3, 'string'),
    reclaimPolicy: f.string(4),
    mountOptions: f.list(5, 'string', { listType: 'atomic' }),
    allowVolumeExpansion: f.bool(6),
    volumeBindingMode: f.string(7),
    allowedTopologies: f.list(8, 'io.k8s.api.core.v1.TopologySelectorTerm', { listType: 'atomic' }),
  },
  { gvk: [{ group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass' }] },
);

export const StorageClassList = message(
  'io.k8s.api.storage.v1.StorageClassList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.storage.v1.StorageClass', { required: true }),
  },
  { gvk: [{ group: 'storage.k8s.io', version: 'v1', kind: 'StorageClassList' }] },
);

message('io.k8s.api.storage.v1.TokenRequest', {
  audience: f.string(1, { required: true, default: '' }),
  expirationSeconds: f.int64(2, { format: 'int64' }),
});

export const VolumeAttachment = message(
  'io.k8s.api.storage.v1.VolumeAttachment',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    spec: f.message(2, 'io.k8s.api.storage.v1.VolumeAttachmentSpec', { required: true, default: {} }),
    status: f.message(3, 'io.k8s.api.storage.v1.VolumeAttachmentStatus', { default: {} }),
  },
  { gvk: [{ group: 'storage.k8s.io', version: 'v1', kind: 'VolumeAttachment' }] },
);

export const VolumeAttachmentList = message(
  'io.k8s.api.storage.v1.VolumeAttachmentList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.storage.v1.VolumeAttachment', { required: true }),
  },
  { gvk: [{ group: 'storage.k8s.io', version: 'v1', kind: 'VolumeAttachmentList' }] },
);

message('io.k8s.api.storage.v1.VolumeAttachmentSource', {
  persistentVolumeName: f.string(1),
  inlineVolumeSpec: f.message(2, 'io.k8s.api.core.v1.PersistentVolumeSpec'),
});

message('io.k8s.api.storage.v1.VolumeAttachmentSpec', {
  attacher: f.string(1, { required: true, default: '' }),
  source: f.message(2, 'io.k8s.api.storage.v1.VolumeAttachmentSource', { required: true, default: {} }),
  nodeName: f.string(3, { required: true, default: '' }),
});

message('io.k8s.api.storage.v1.VolumeAttachmentStatus', {
  attached: f.bool(1, { required: true, default: false }),
  attachmentMetadata: f.map(2, 'string'),
  attachError: f.message(3, 'io.k8s.api.storage.v1.VolumeError'),
  detachError: f.message(4, 'io.k8s.api.storage.v1.VolumeError'),
});

message('io.k8s.api.storage.v1.VolumeError', {
  time: f.time(1),
  message: f.string(2),
  errorCode: f.int32(3, { format: 'int32' }),
});

message('io.k8s.api.storage.v1.VolumeNodeResources', {
  count: f.int32(1, { format: 'int32' }),
});
