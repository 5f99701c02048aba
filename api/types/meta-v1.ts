/**
 * meta.k8s.io/v1 (apimachinery): object and list metadata, owner references, managed fields, label
 * selectors, conditions, Status, delete options and the discovery documents, as Kubernetes 1.33 has them.
 *
 * Field names and numbers are the wire protocol (JSON and protobuf): never renumber or rename them.
 */
import { f, message } from '../schema/dsl.js';

/**
 * DeleteOptions and WatchEvent are registered in every group/version; upstream 1.33's spec lists these
 * (x-kubernetes-group-version-kind), including groups Skiff does not serve.
 */
const everyGroupVersion: readonly (readonly [group: string, version: string])[] = [
  ['', 'v1'],
  ['admission.k8s.io', 'v1'],
  ['admission.k8s.io', 'v1beta1'],
  ['admissionregistration.k8s.io', 'v1'],
  ['admissionregistration.k8s.io', 'v1alpha1'],
  ['admissionregistration.k8s.io', 'v1beta1'],
  ['apiextensions.k8s.io', 'v1'],
  ['apiextensions.k8s.io', 'v1beta1'],
  ['apiregistration.k8s.io', 'v1'],
  ['apiregistration.k8s.io', 'v1beta1'],
  ['apps', 'v1'],
  ['apps', 'v1beta1'],
  ['apps', 'v1beta2'],
  ['authentication.k8s.io', 'v1'],
  ['authentication.k8s.io', 'v1alpha1'],
  ['authentication.k8s.io', 'v1beta1'],
  ['authorization.k8s.io', 'v1'],
  ['authorization.k8s.io', 'v1beta1'],
  ['autoscaling', 'v1'],
  ['autoscaling', 'v2'],
  ['autoscaling', 'v2beta1'],
  ['autoscaling', 'v2beta2'],
  ['batch', 'v1'],
  ['batch', 'v1beta1'],
  ['certificates.k8s.io', 'v1'],
  ['certificates.k8s.io', 'v1alpha1'],
  ['certificates.k8s.io', 'v1beta1'],
  ['coordination.k8s.io', 'v1'],
  ['coordination.k8s.io', 'v1alpha2'],
  ['coordination.k8s.io', 'v1beta1'],
  ['discovery.k8s.io', 'v1'],
  ['discovery.k8s.io', 'v1beta1'],
  ['events.k8s.io', 'v1'],
  ['events.k8s.io', 'v1beta1'],
  ['extensions', 'v1beta1'],
  ['flowcontrol.apiserver.k8s.io', 'v1'],
  ['flowcontrol.apiserver.k8s.io', 'v1beta1'],
  ['flowcontrol.apiserver.k8s.io', 'v1beta2'],
  ['flowcontrol.apiserver.k8s.io', 'v1beta3'],
  ['imagepolicy.k8s.io', 'v1alpha1'],
  ['internal.apiserver.k8s.io', 'v1alpha1'],
  ['networking.k8s.io', 'v1'],
  ['networking.k8s.io', 'v1alpha1'],
  ['networking.k8s.io', 'v1beta1'],
  ['node.k8s.io', 'v1'],
  ['node.k8s.io', 'v1alpha1'],
  ['node.k8s.io', 'v1beta1'],
  ['policy', 'v1'],
  ['policy', 'v1beta1'],
  ['rbac.authorization.k8s.io', 'v1'],
  ['rbac.authorization.k8s.io', 'v1alpha1'],
  ['rbac.authorization.k8s.io', 'v1beta1'],
  ['resource.k8s.io', 'v1alpha3'],
  ['resource.k8s.io', 'v1beta1'],
  ['resource.k8s.io', 'v1beta2'],
  ['scheduling.k8s.io', 'v1'],
  ['scheduling.k8s.io', 'v1alpha1'],
  ['scheduling.k8s.io', 'v1beta1'],
  ['storage.k8s.io', 'v1'],
  ['storage.k8s.io', 'v1alpha1'],
  ['storage.k8s.io', 'v1beta1'],
  ['storagemigration.k8s.io', 'v1alpha1'],
];

const inEveryGroupVersion = (kind: string) =>
  everyGroupVersion.map(([group, version]) => ({ group, version, kind }));

export const APIGroup = message(
  'io.k8s.apimachinery.pkg.apis.meta.v1.APIGroup',
  {
    name: f.string(1, { required: true, default: '' }),
    versions: f.list(2, 'io.k8s.apimachinery.pkg.apis.meta.v1.GroupVersionForDiscovery', {
      required: true,
      listType: 'atomic',
    }),
    preferredVersion: f.message(3, 'io.k8s.apimachinery.pkg.apis.meta.v1.GroupVersionForDiscovery', {
      default: { groupVersion: '', version: '' },
    }),
    serverAddressByClientCIDRs: f.list(4, 'io.k8s.apimachinery.pkg.apis.meta.v1.ServerAddressByClientCIDR', {
      listType: 'atomic',
    }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'APIGroup' }] },
);

export const APIGroupList = message(
  'io.k8s.apimachinery.pkg.apis.meta.v1.APIGroupList',
  {
    groups: f.list(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.APIGroup', {
      required: true,
      listType: 'atomic',
    }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'APIGroupList' }] },
);

message('io.k8s.apimachinery.pkg.apis.meta.v1.APIResource', {
  name: f.string(1, { required: true, default: '' }),
  singularName: f.string(6, { required: true, default: '' }),
  namespaced: f.bool(2, { required: true, default: false }),
  group: f.string(8),
  version: f.string(9),
  kind: f.string(3, { required: true, default: '' }),
  verbs: f.message(4, 'io.k8s.apimachinery.pkg.apis.meta.v1.Verbs', { required: true, wrapped: true }),
  shortNames: f.list(5, 'string', { listType: 'atomic' }),
  categories: f.list(7, 'string', { listType: 'atomic' }),
  storageVersionHash: f.string(10),
});

export const APIResourceList = message(
  'io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList',
  {
    groupVersion: f.string(1, { required: true, default: '' }),
    resources: f.list(2, 'io.k8s.apimachinery.pkg.apis.meta.v1.APIResource', {
      required: true,
      listType: 'atomic',
    }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'APIResourceList' }] },
);

export const APIVersions = message(
  'io.k8s.apimachinery.pkg.apis.meta.v1.APIVersions',
  {
    versions: f.list(1, 'string', { required: true, listType: 'atomic' }),
    serverAddressByClientCIDRs: f.list(2, 'io.k8s.apimachinery.pkg.apis.meta.v1.ServerAddressByClientCIDR', {
      required: true,
      listType: 'atomic',
    }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'APIVersions' }] },
);

message('io.k8s.apimachinery.pkg.apis.meta.v1.Condition', {
  type: f.string(1, { required: true, default: '' }),
  status: f.string(2, { required: true, default: '' }),
  observedGeneration: f.int64(3, { format: 'int64' }),
  lastTransitionTime: f.time(4, { required: true }),
  reason: f.string(5, { required: true, default: '' }),
  message: f.string(6, { required: true, allowEmpty: true, default: '' }),
});

export const DeleteOptions = message(
  'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
  {
    gracePeriodSeconds: f.int64(1, { format: 'int64' }),
    preconditions: f.message(2, 'io.k8s.apimachinery.pkg.apis.meta.v1.Preconditions'),
    orphanDependents: f.bool(3),
    propagationPolicy: f.string(4),
    dryRun: f.list(5, 'string', { listType: 'atomic' }),
    ignoreStoreReadErrorWithClusterBreakingPotential: f.bool(6),
  },
  { gvk: inEveryGroupVersion('DeleteOptions') },
);

message('io.k8s.apimachinery.pkg.apis.meta.v1.FieldSelectorRequirement', {
  key: f.string(1, { required: true, default: '' }),
  operator: f.string(2, { required: true, default: '' }),
  values: f.list(3, 'string', { listType: 'atomic' }),
});

message('io.k8s.apimachinery.pkg.apis.meta.v1.GroupVersionForDiscovery', {
  groupVersion: f.string(1, { required: true, default: '' }),
  version: f.string(2, { required: true, default: '' }),
});

message('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector', {
  matchLabels: f.map(1, 'string'),
  matchExpressions: f.list(2, 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement', {
    listType: 'atomic',
  }),
});

message('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement', {
  key: f.string(1, { required: true, default: '' }),
  operator: f.string(2, { required: true, default: '' }),
  values: f.list(3, 'string', { listType: 'atomic' }),
});

message('io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', {
  selfLink: f.string(1),
  resourceVersion: f.string(2),
  continue: f.string(3),
  remainingItemCount: f.int64(4, { format: 'int64' }),
});

message('io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry', {
  manager: f.string(1),
  operation: f.string(2),
  apiVersion: f.string(3),
  time: f.time(4),
  fieldsType: f.string(6),
  fieldsV1: f.message(7, 'FieldsV1'),
  subresource: f.string(8),
});

message('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', {
  name: f.string(1),
  generateName: f.string(2),
  namespace: f.string(3),
  selfLink: f.string(4),
  uid: f.string(5),
  resourceVersion: f.string(6),
  generation: f.int64(7, { format: 'int64' }),
  creationTimestamp: f.time(8),
  deletionTimestamp: f.time(9),
  deletionGracePeriodSeconds: f.int64(10, { format: 'int64' }),
  labels: f.map(11, 'string'),
  annotations: f.map(12, 'string'),
  ownerReferences: f.list(13, 'io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference', {
    patchStrategy: 'merge',
    patchMergeKey: 'uid',
    listType: 'map',
    listMapKeys: ['uid'],
  }),
  finalizers: f.list(14, 'string', { patchStrategy: 'merge', listType: 'set' }),
  managedFields: f.list(17, 'io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry', {
    listType: 'atomic',
  }),
});

message('io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference', {
  apiVersion: f.string(5, { required: true, default: '' }),
  kind: f.string(1, { required: true, default: '' }),
  name: f.string(3, { required: true, default: '' }),
  uid: f.string(4, { required: true, default: '' }),
  controller: f.bool(6),
  blockOwnerDeletion: f.bool(7),
});

export const PartialObjectMetadata = message(
  'io.k8s.apimachinery.pkg.apis.meta.v1.PartialObjectMetadata',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
  },
  { gvk: [{ group: 'meta.k8s.io', version: 'v1', kind: 'PartialObjectMetadata' }] },
);

export const PartialObjectMetadataList = message(
  'io.k8s.apimachinery.pkg.apis.meta.v1.PartialObjectMetadataList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta'),
    items: f.list(2, 'io.k8s.apimachinery.pkg.apis.meta.v1.PartialObjectMetadata'),
  },
  { gvk: [{ group: 'meta.k8s.io', version: 'v1', kind: 'PartialObjectMetadataList' }] },
);

message('io.k8s.apimachinery.pkg.apis.meta.v1.Preconditions', {
  uid: f.string(1),
  resourceVersion: f.string(2),
});

message('io.k8s.apimachinery.pkg.apis.meta.v1.ServerAddressByClientCIDR', {
  clientCIDR: f.string(1, { required: true, default: '' }),
  serverAddress: f.string(2, { required: true, default: '' }),
});

export const Status = message(
  'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    status: f.string(2),
    message: f.string(3),
    reason: f.string(4),
    details: f.message(5, 'io.k8s.apimachinery.pkg.apis.meta.v1.StatusDetails', { listType: 'atomic' }),
    code: f.int32(6, { format: 'int32' }),
  },
  { gvk: [{ group: '', version: 'v1', kind: 'Status' }] },
);

message('io.k8s.apimachinery.pkg.apis.meta.v1.StatusCause', {
  reason: f.string(1),
  message: f.string(2),
  field: f.string(3),
});

message('io.k8s.apimachinery.pkg.apis.meta.v1.StatusDetails', {
  name: f.string(1),
  group: f.string(2),
  kind: f.string(3),
  uid: f.string(6),
  causes: f.list(4, 'io.k8s.apimachinery.pkg.apis.meta.v1.StatusCause', { listType: 'atomic' }),
  retryAfterSeconds: f.int32(5, { format: 'int32' }),
});

message('io.k8s.apimachinery.pkg.apis.meta.v1.Verbs', {
  items: f.list(1, 'string'),
});

export const WatchEvent = message(
  'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent',
  {
    type: f.string(1, { required: true, default: '' }),
    object: f.rawExtension(2, { required: true }),
  },
  { gvk: inEveryGroupVersion('WatchEvent') },
);
