/**
 * apps/v1: Deployments, ReplicaSets, StatefulSets, DaemonSets and ControllerRevisions.
 *
 *   NAME   READY   UP-TO-DATE   AVAILABLE   AGE
 *   web    2/3     3            2           4m
 *
 * apps/v1 registers no field-label conversions, so these kinds select on metadata.name and
 * metadata.namespace only (a ReplicaSet's `status.replicas` is selectable in its registry but refused
 * at the API, unlike a ReplicationController's).
 */
import {
  ageColumn,
  containerColumns,
  formatDeploymentSelector,
  formatLabelSelector,
  formatLabels,
  nameColumn,
} from '../printers.js';
import type { KubeObject, ResourceDefinition, ScaleSubresource, TableColumn } from '../resource.js';
import { asArray, asInteger, asString, readPath } from './json.js';

/**
 * The scale subresource of the apps kinds. Their selector lives in spec.selector as a LabelSelector
 * object ({matchLabels, matchExpressions}); none of them has a status.selector. The Scale reports that
 * selector as a string (`app=web,tier in (front)`).
 */
const appsScale: ScaleSubresource = {
  specReplicasPath: '.spec.replicas',
  statusReplicasPath: '.status.replicas',
  labelSelectorPath: '.spec.selector',
};

function templateContainers(object: KubeObject): unknown {
  return readPath(object, 'spec', 'template', 'spec', 'containers');
}

function integerColumn(name: string, description: string, ...path: readonly string[]): TableColumn {
  return { name, type: 'integer', description, cell: (object) => asInteger(readPath(object, ...path)) };
}

/** `ready/desired`, as Deployments and StatefulSets show readiness. */
function readyOfDesired(object: KubeObject): string {
  return `${asInteger(readPath(object, 'status', 'readyReplicas'))}/${asInteger(readPath(object, 'spec', 'replicas'))}`;
}

export const deployments: ResourceDefinition = {
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  plural: 'deployments',
  singular: 'deployment',
  namespaced: true,
  shortNames: ['deploy'],
  categories: ['all'],
  schema: 'io.k8s.api.apps.v1.Deployment',
  subresources: { status: true, scale: appsScale },
  // Upstream also bumps a Deployment's generation when its annotations change (the rollback annotation).
  generation: true,
  columns: [
    nameColumn,
    {
      name: 'Ready',
      type: 'string',
      description: 'Ready replicas out of those asked for.',
      cell: readyOfDesired,
    },
    {
      name: 'Up-to-date',
      type: 'string',
      description: 'Replicas already running the current pod template.',
      cell: (deployment) => asInteger(readPath(deployment, 'status', 'updatedReplicas')),
    },
    {
      name: 'Available',
      type: 'string',
      description: 'Replicas available to serve (ready for at least minReadySeconds).',
      cell: (deployment) => asInteger(readPath(deployment, 'status', 'availableReplicas')),
    },
    ageColumn,
    ...containerColumns(templateContainers),
    {
      name: 'Selector',
      type: 'string',
      priority: 1,
      description: 'The label selector that picks the pods the deployment manages.',
      cell: (deployment) => formatDeploymentSelector(readPath(deployment, 'spec', 'selector')),
    },
  ],
};

export const replicaSets: ResourceDefinition = {
  group: 'apps',
  version: 'v1',
  kind: 'ReplicaSet',
  plural: 'replicasets',
  singular: 'replicaset',
  namespaced: true,
  shortNames: ['rs'],
  categories: ['all'],
  schema: 'io.k8s.api.apps.v1.ReplicaSet',
  subresources: { status: true, scale: appsScale },
  generation: true,
  columns: [
    nameColumn,
    integerColumn('Desired', 'Replicas asked for.', 'spec', 'replicas'),
    integerColumn('Current', 'Replicas that exist now.', 'status', 'replicas'),
    integerColumn('Ready', 'Replicas that are ready.', 'status', 'readyReplicas'),
    ageColumn,
    ...containerColumns(templateContainers),
    {
      name: 'Selector',
      type: 'string',
      priority: 1,
      description: 'The label selector a pod must match to count as a replica.',
      cell: (replicaSet) => formatLabelSelector(readPath(replicaSet, 'spec', 'selector')),
    },
  ],
};

export const statefulSets: ResourceDefinition = {
  group: 'apps',
  version: 'v1',
  kind: 'StatefulSet',
  plural: 'statefulsets',
  singular: 'statefulset',
  namespaced: true,
  shortNames: ['sts'],
  categories: ['all'],
  schema: 'io.k8s.api.apps.v1.StatefulSet',
  subresources: { status: true, scale: appsScale },
  generation: true,
  columns: [
    nameColumn,
    {
      name: 'Ready',
      type: 'string',
      description: 'Ready replicas out of those asked for.',
      cell: readyOfDesired,
    },
    ageColumn,
    ...containerColumns(templateContainers),
  ],
};

export const daemonSets: ResourceDefinition = {
  group: 'apps',
  version: 'v1',
  kind: 'DaemonSet',
  plural: 'daemonsets',
  singular: 'daemonset',
  namespaced: true,
  shortNames: ['ds'],
  categories: ['all'],
  schema: 'io.k8s.api.apps.v1.DaemonSet',
  subresources: { status: true },
  generation: true,
  columns: [
    nameColumn,
    integerColumn('Desired', 'Nodes that should run the daemon pod.', 'status', 'desiredNumberScheduled'),
    integerColumn('Current', 'Nodes running at least one daemon pod.', 'status', 'currentNumberScheduled'),
    integerColumn('Ready', 'Nodes whose daemon pod is ready.', 'status', 'numberReady'),
    integerColumn(
      'Up-to-date',
      'Nodes running the current pod template.',
      'status',
      'updatedNumberScheduled',
    ),
    integerColumn('Available', 'Nodes whose daemon pod is available.', 'status', 'numberAvailable'),
    {
      name: 'Node Selector',
      type: 'string',
      description: 'The node labels the daemon pods are restricted to.',
      cell: (daemonSet) => formatLabels(readPath(daemonSet, 'spec', 'template', 'spec', 'nodeSelector')),
    },
    ageColumn,
    ...containerColumns(templateContainers),
    {
      name: 'Selector',
      type: 'string',
      priority: 1,
      description: 'The label selector that picks the daemon pods.',
      cell: (daemonSet) => formatLabelSelector(readPath(daemonSet, 'spec', 'selector')),
    },
  ],
};

/**
 * The controlling owner as `kind.group/name` in lower case (`statefulset.apps/web`), `kind/name` for
 * a core owner, `<none>` when nothing controls the revision.
 */
function controllerOf(revision: KubeObject): string {
  const owner = asArray(revision.metadata?.ownerReferences).find(
    (reference) => readPath(reference, 'controller') === true,
  );
  if (owner === undefined) return '<none>';
  const apiVersion = asString(readPath(owner, 'apiVersion'));
  const slash = apiVersion.indexOf('/');
  const group = slash === -1 ? '' : apiVersion.slice(0, slash);
  const kind = asString(readPath(owner, 'kind'));
  const name = asString(readPath(owner, 'name'));
  if (group === '' && kind === '') return name;
  const groupKind = group === '' ? kind : `${kind}.${group}`;
  return `${groupKind.toLowerCase()}/${name}`;
}

export const controllerRevisions: ResourceDefinition = {
  group: 'apps',
  version: 'v1',
  kind: 'ControllerRevision',
  plural: 'controllerrevisions',
  singular: 'controllerrevision',
  namespaced: true,
  schema: 'io.k8s.api.apps.v1.ControllerRevision',
  columns: [
    nameColumn,
    {
      name: 'Controller',
      type: 'string',
      description: 'The workload that owns the revision, as kind.group/name.',
      cell: controllerOf,
    },
    {
      name: 'Revision',
      type: 'string',
      description: 'The revision number.',
      cell: (revision) => asInteger(revision.revision),
    },
    ageColumn,
  ],
};
