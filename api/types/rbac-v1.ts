/**
 * rbac.authorization.k8s.io/v1: Role, ClusterRole, RoleBinding, ClusterRoleBinding, as Kubernetes 1.33
 * has them.
 *
 * Field names and numbers are the wire protocol (JSON and protobuf): never renumber or rename them.
 */
import { f, message } from '../schema/dsl.js';

message('io.k8s.api.rbac.v1.AggregationRule', {
  clusterRoleSelectors: f.list(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector', {
    listType: 'atomic',
  }),
});

export const ClusterRole = message(
  'io.k8s.api.rbac.v1.ClusterRole',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    rules: f.list(2, 'io.k8s.api.rbac.v1.PolicyRule', { listType: 'atomic' }),
    aggregationRule: f.message(3, 'io.k8s.api.rbac.v1.AggregationRule'),
  },
  { gvk: [{ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole' }] },
);

export const ClusterRoleBinding = message(
  'io.k8s.api.rbac.v1.ClusterRoleBinding',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    subjects: f.list(2, 'io.k8s.api.rbac.v1.Subject', { listType: 'atomic' }),
    roleRef: f.message(3, 'io.k8s.api.rbac.v1.RoleRef', { required: true, default: {} }),
  },
  { gvk: [{ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding' }] },
);

export const ClusterRoleBindingList = message(
  'io.k8s.api.rbac.v1.ClusterRoleBindingList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.rbac.v1.ClusterRoleBinding', { required: true }),
  },
  { gvk: [{ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBindingList' }] },
);

export const ClusterRoleList = message(
  'io.k8s.api.rbac.v1.ClusterRoleList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.rbac.v1.ClusterRole', { required: true }),
  },
  { gvk: [{ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleList' }] },
);

message('io.k8s.api.rbac.v1.PolicyRule', {
  verbs: f.list(1, 'string', { required: true, listType: 'atomic' }),
  apiGroups: f.list(2, 'string', { listType: 'atomic' }),
  resources: f.list(3, 'string', { listType: 'atomic' }),
  resourceNames: f.list(4, 'string', { listType: 'atomic' }),
  nonResourceURLs: f.list(5, 'string', { listType: 'atomic' }),
});

export const Role = message(
  'io.k8s.api.rbac.v1.Role',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    rules: f.list(2, 'io.k8s.api.rbac.v1.PolicyRule', { listType: 'atomic' }),
  },
  { gvk: [{ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role' }] },
);

export const RoleBinding = message(
  'io.k8s.api.rbac.v1.RoleBinding',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    subjects: f.list(2, 'io.k8s.api.rbac.v1.Subject', { listType: 'atomic' }),
    roleRef: f.message(3, 'io.k8s.api.rbac.v1.RoleRef', { required: true, default: {} }),
  },
  { gvk: [{ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding' }] },
);

export const RoleBindingList = message(
  'io.k8s.api.rbac.v1.RoleBindingList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.rbac.v1.RoleBinding', { required: true }),
  },
  { gvk: [{ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBindingList' }] },
);

export const RoleList = message(
  'io.k8s.api.rbac.v1.RoleList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.rbac.v1.Role', { required: true }),
  },
  { gvk: [{ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleList' }] },
);

message('io.k8s.api.rbac.v1.RoleRef', {
  apiGroup: f.string(1, { required: true, default: '' }),
  kind: f.string(2, { required: true, default: '' }),
  name: f.string(3, { required: true, default: '' }),
});

message('io.k8s.api.rbac.v1.Subject', {
  kind: f.string(1, { required: true, default: '' }),
  apiGroup: f.string(2),
  name: f.string(3, { required: true, default: '' }),
  namespace: f.string(4),
});
