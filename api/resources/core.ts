/**
 * The smaller core/v1 kinds: PodTemplate, Namespace, ConfigMap, Secret, ServiceAccount, LimitRange,
 * ResourceQuota and ReplicationController. Pods, services and endpoints, nodes, events and volumes have
 * files of their own (core-*.ts) because their printers carry more logic.
 */
import {
  ageColumn,
  compareStrings,
  containerColumns,
  defaultColumns,
  formatLabels,
  formatQuantity,
  nameColumn,
} from '../printers.js';
import { allVerbs, type ResourceDefinition } from '../resource.js';
import { asArray, asInteger, asRecord, asString, readPath } from './json.js';

export const podTemplates: ResourceDefinition = {
  group: '',
  version: 'v1',
  kind: 'PodTemplate',
  plural: 'podtemplates',
  singular: 'podtemplate',
  namespaced: true,
  schema: 'io.k8s.api.core.v1.PodTemplate',
  // Any change to the template bumps the generation.
  generation: true,
  returnDeletedObject: true,
  // No Age column: upstream's PodTemplate table has none.
  columns: [
    nameColumn,
    ...containerColumns((template) => readPath(template, 'template', 'spec', 'containers'), 0),
    {
      name: 'Pod Labels',
      type: 'string',
      description: 'Labels the template gives its pods.',
      cell: (template) => formatLabels(readPath(template, 'template', 'metadata', 'labels')),
    },
  ],
};

export const namespaces: ResourceDefinition = {
  group: '',
  version: 'v1',
  kind: 'Namespace',
  plural: 'namespaces',
  singular: 'namespace',
  namespaced: false,
  shortNames: ['ns'],
  schema: 'io.k8s.api.core.v1.Namespace',
  // The finalize subresource is served outside the generic handler.
  subresources: { status: true },
  // Namespaces cannot be deleted as a collection: upstream's namespace storage has no DeleteCollection.
  verbs: allVerbs.filter((verb) => verb !== 'deletecollection'),
  returnDeletedObject: true,
  columns: [
    nameColumn,
    {
      name: 'Status',
      type: 'string',
      description: 'The namespace phase: Active, or Terminating while it is being deleted.',
      cell: (namespace) => asString(readPath(namespace, 'status', 'phase')),
    },
    ageColumn,
  ],
  fieldSelectors: {
    'status.phase': (namespace) => asString(readPath(namespace, 'status', 'phase')),
  },
};

export const configMaps: ResourceDefinition = {
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  plural: 'configmaps',
  singular: 'configmap',
  namespaced: true,
  shortNames: ['cm'],
  schema: 'io.k8s.api.core.v1.ConfigMap',
  columns: [
    nameColumn,
    {
      name: 'Data',
      type: 'string',
      description: 'Number of keys, text and binary together.',
      cell: (configMap) =>
        Object.keys(asRecord(configMap.data)).length + Object.keys(asRecord(configMap.binaryData)).length,
    },
    ageColumn,
  ],
};

export const secrets: ResourceDefinition = {
  group: '',
  version: 'v1',
  kind: 'Secret',
  plural: 'secrets',
  singular: 'secret',
  namespaced: true,
  schema: 'io.k8s.api.core.v1.Secret',
  columns: [
    nameColumn,
    {
      name: 'Type',
      type: 'string',
      description: 'The kind of secret, such as Opaque or kubernetes.io/tls.',
      cell: (secret) => asString(secret.type),
    },
    {
      name: 'Data',
      type: 'string',
      description: 'Number of keys the secret holds.',
      // stringData is folded into data when written; count both in case an object still carries it.
      cell: (secret) =>
        new Set([...Object.keys(asRecord(secret.data)), ...Object.keys(asRecord(secret.stringData))]).size,
    },
    ageColumn,
  ],
  fieldSelectors: {
    type: (secret) => asString(secret.type),
  },
};

export const serviceAccounts: ResourceDefinition = {
  group: '',
  version: 'v1',
  kind: 'ServiceAccount',
  plural: 'serviceaccounts',
  singular: 'serviceaccount',
  namespaced: true,
  shortNames: ['sa'],
  schema: 'io.k8s.api.core.v1.ServiceAccount',
  returnDeletedObject: true,
  columns: [
    nameColumn,
    {
      name: 'Secrets',
      type: 'string',
      description: 'Number of secrets listed on the service account.',
      cell: (account) => asArray(account.secrets).length,
    },
    ageColumn,
  ],
};

export const limitRanges: ResourceDefinition = {
  group: '',
  version: 'v1',
  kind: 'LimitRange',
  plural: 'limitranges',
  singular: 'limitrange',
  namespaced: true,
  shortNames: ['limits'],
  schema: 'io.k8s.api.core.v1.LimitRange',
  allowCreateOnUpdate: true,
  // Upstream has no LimitRange printer: the default Name / Created At table.
  columns: defaultColumns,
};

/**
 * One ResourceQuota cell: `name: used/hard` for each hard limit in name order, `limits.*` resources in
 * the Limit column and all others in the Request column.
 */
function quotaUsage(quota: unknown, limits: boolean): string {
  const hard = asRecord(readPath(quota, 'status', 'hard'));
  const used = asRecord(readPath(quota, 'status', 'used'));
  return Object.keys(hard)
    .sort(compareStrings)
    .filter((resource) => {
      const pieces = resource.split('.');
      return (pieces.length > 1 && pieces[0] === 'limits') === limits;
    })
    .map((resource) => `${resource}: ${formatQuantity(used[resource])}/${formatQuantity(hard[resource])}`)
    .join(', ');
}

export const resourceQuotas: ResourceDefinition = {
  group: '',
  version: 'v1',
  kind: 'ResourceQuota',
  plural: 'resourcequotas',
  singular: 'resourcequota',
  namespaced: true,
  shortNames: ['quota'],
  schema: 'io.k8s.api.core.v1.ResourceQuota',
  subresources: { status: true },
  returnDeletedObject: true,
  columns: [
    nameColumn,
    {
      name: 'Request',
      type: 'string',
      description: 'Usage against each hard limit that is not a limits.* resource, as used/hard.',
      cell: (quota) => quotaUsage(quota, false),
    },
    {
      name: 'Limit',
      type: 'string',
      description: 'Usage against each limits.* hard limit, as used/hard.',
      cell: (quota) => quotaUsage(quota, true),
    },
    ageColumn,
  ],
};

export const replicationControllers: ResourceDefinition = {
  group: '',
  version: 'v1',
  kind: 'ReplicationController',
  plural: 'replicationcontrollers',
  singular: 'replicationcontroller',
  namespaced: true,
  shortNames: ['rc'],
  categories: ['all'],
  schema: 'io.k8s.api.core.v1.ReplicationController',
  subresources: {
    status: true,
    // Unlike the apps kinds, spec.selector here is a plain label map ({app: web}); the Scale's
    // status.selector is that map as a selector string (`app=web`).
    scale: {
      specReplicasPath: '.spec.replicas',
      statusReplicasPath: '.status.replicas',
      labelSelectorPath: '.spec.selector',
    },
  },
  generation: true,
  columns: [
    nameColumn,
    {
      name: 'Desired',
      type: 'integer',
      description: 'Replicas asked for.',
      cell: (rc) => asInteger(readPath(rc, 'spec', 'replicas')),
    },
    {
      name: 'Current',
      type: 'integer',
      description: 'Replicas that exist now.',
      cell: (rc) => asInteger(readPath(rc, 'status', 'replicas')),
    },
    {
      name: 'Ready',
      type: 'integer',
      description: 'Replicas that are ready.',
      cell: (rc) => asInteger(readPath(rc, 'status', 'readyReplicas')),
    },
    ageColumn,
    ...containerColumns((rc) => readPath(rc, 'spec', 'template', 'spec', 'containers')),
    {
      name: 'Selector',
      type: 'string',
      priority: 1,
      description: 'The labels a pod must carry to count as a replica.',
      cell: (rc) => formatLabels(readPath(rc, 'spec', 'selector')),
    },
  ],
  fieldSelectors: {
    'status.replicas': (rc) => String(asInteger(readPath(rc, 'status', 'replicas'))),
  },
};
