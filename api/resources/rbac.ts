/**
 * rbac.authorization.k8s.io/v1: Roles, RoleBindings, ClusterRoles and ClusterRoleBindings.
 *
 * Roles have no printer upstream (the default Name / Created At table). Bindings show their role, and
 * with `-o wide` their subjects:
 *
 *   NAME   ROLE              AGE   USERS   GROUPS           SERVICEACCOUNTS
 *   view   ClusterRole/view  3d    alice   system:viewers   kube-system/reader
 *
 * All four may be created by PUT, which is how RBAC bootstrapping reconciles them.
 */
import { ageColumn, defaultColumns, nameColumn } from '../printers.js';
import type { KubeObject, ResourceDefinition, TableColumn } from '../resource.js';
import { asArray, asString, readPath } from './json.js';

/** Subject names of one sort; service accounts as namespace/name. Others (unknown kinds) are not shown. */
function subjects(binding: KubeObject, kind: 'User' | 'Group' | 'ServiceAccount'): string {
  return asArray(binding.subjects)
    .filter((subject) => readPath(subject, 'kind') === kind)
    .map((subject) => {
      const name = asString(readPath(subject, 'name'));
      return kind === 'ServiceAccount' ? `${asString(readPath(subject, 'namespace'))}/${name}` : name;
    })
    .join(', ');
}

const bindingColumns: readonly TableColumn[] = [
  nameColumn,
  {
    name: 'Role',
    type: 'string',
    description: 'The role granted, as Kind/name.',
    cell: (binding) =>
      `${asString(readPath(binding, 'roleRef', 'kind'))}/${asString(readPath(binding, 'roleRef', 'name'))}`,
  },
  ageColumn,
  {
    name: 'Users',
    type: 'string',
    priority: 1,
    description: 'Users the role is granted to.',
    cell: (binding) => subjects(binding, 'User'),
  },
  {
    name: 'Groups',
    type: 'string',
    priority: 1,
    description: 'Groups the role is granted to.',
    cell: (binding) => subjects(binding, 'Group'),
  },
  {
    name: 'ServiceAccounts',
    type: 'string',
    priority: 1,
    description: 'Service accounts the role is granted to, as namespace/name.',
    cell: (binding) => subjects(binding, 'ServiceAccount'),
  },
];

const rbacFacts = {
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  allowCreateOnUpdate: true,
} as const;

export const roles: ResourceDefinition = {
  ...rbacFacts,
  kind: 'Role',
  plural: 'roles',
  singular: 'role',
  namespaced: true,
  schema: 'io.k8s.api.rbac.v1.Role',
  columns: defaultColumns,
};

export const roleBindings: ResourceDefinition = {
  ...rbacFacts,
  kind: 'RoleBinding',
  plural: 'rolebindings',
  singular: 'rolebinding',
  namespaced: true,
  schema: 'io.k8s.api.rbac.v1.RoleBinding',
  columns: bindingColumns,
};

export const clusterRoles: ResourceDefinition = {
  ...rbacFacts,
  kind: 'ClusterRole',
  plural: 'clusterroles',
  singular: 'clusterrole',
  namespaced: false,
  schema: 'io.k8s.api.rbac.v1.ClusterRole',
  columns: defaultColumns,
};

export const clusterRoleBindings: ResourceDefinition = {
  ...rbacFacts,
  kind: 'ClusterRoleBinding',
  plural: 'clusterrolebindings',
  singular: 'clusterrolebinding',
  namespaced: false,
  schema: 'io.k8s.api.rbac.v1.ClusterRoleBinding',
  columns: bindingColumns,
};
