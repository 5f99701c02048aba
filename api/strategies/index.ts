import type { Strategy } from '../resource.js';
import { configMapStrategy, secretStrategy } from './config-data.js';
import { coreEventStrategy } from './events.js';
import { namespaceStrategy } from './namespaces.js';
import { nodeStrategy } from './nodes.js';
import { podStrategy } from './pods.js';
import {
  clusterRoleBindingStrategy,
  clusterRoleStrategy,
  roleBindingStrategy,
  roleStrategy,
} from './rbac.js';
import { serviceStrategy } from './services.js';
import { persistentVolumeClaimStrategy, persistentVolumeStrategy } from './volumes.js';
import {
  controllerRevisionStrategy,
  cronJobStrategy,
  daemonSetStrategy,
  deploymentStrategy,
  jobStrategy,
  podTemplateStrategy,
  replicaSetStrategy,
  replicationControllerStrategy,
  statefulSetStrategy,
} from './workloads.js';

/** The rules beyond the schema, by `group/plural` (core group: `/plural`). */
export const strategies: ReadonlyMap<string, Strategy> = new Map([
  ['/namespaces', namespaceStrategy],
  ['/nodes', nodeStrategy],
  ['/configmaps', configMapStrategy],
  ['/secrets', secretStrategy],
  ['/events', coreEventStrategy],
  ['/pods', podStrategy],
  ['/podtemplates', podTemplateStrategy],
  ['/services', serviceStrategy],
  ['/replicationcontrollers', replicationControllerStrategy],
  ['apps/deployments', deploymentStrategy],
  ['apps/replicasets', replicaSetStrategy],
  ['apps/statefulsets', statefulSetStrategy],
  ['apps/daemonsets', daemonSetStrategy],
  ['apps/controllerrevisions', controllerRevisionStrategy],
  ['batch/jobs', jobStrategy],
  ['batch/cronjobs', cronJobStrategy],
  ['/persistentvolumes', persistentVolumeStrategy],
  ['/persistentvolumeclaims', persistentVolumeClaimStrategy],
  ['rbac.authorization.k8s.io/roles', roleStrategy],
  ['rbac.authorization.k8s.io/clusterroles', clusterRoleStrategy],
  ['rbac.authorization.k8s.io/rolebindings', roleBindingStrategy],
  ['rbac.authorization.k8s.io/clusterrolebindings', clusterRoleBindingStrategy],
]);
