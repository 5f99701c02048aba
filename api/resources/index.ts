/**
 * Every built-in resource Skiff serves, in the order discovery lists them: the core group first, then
 * the named groups alphabetically; within a group the preferred version first (autoscaling/v2 before
 * autoscaling/v1), and within a version the order upstream's own discovery shows.
 */
import type { ResourceDefinition } from '../resource.js';
import { controllerRevisions, daemonSets, deployments, replicaSets, statefulSets } from './apps.js';
import { selfSubjectReviews, selfSubjectReviewsV1beta1, tokenReviews } from './authentication.js';
import {
  localSubjectAccessReviews,
  selfSubjectAccessReviews,
  selfSubjectRulesReviews,
  subjectAccessReviews,
} from './authorization.js';
import { horizontalPodAutoscalersV1, horizontalPodAutoscalersV2 } from './autoscaling.js';
import { cronJobs, jobs } from './batch.js';
import { leases } from './coordination.js';
import {
  configMaps,
  limitRanges,
  namespaces,
  podTemplates,
  replicationControllers,
  resourceQuotas,
  secrets,
  serviceAccounts,
} from './core.js';
import { coreEvents } from './core-events.js';
import { nodes } from './core-nodes.js';
import { pods } from './core-pods.js';
import { endpoints, services } from './core-services.js';
import { persistentVolumeClaims, persistentVolumes } from './core-volumes.js';
import { endpointSlices } from './discovery.js';
import { events } from './events.js';
import { ingresses, networkPolicies } from './networking.js';
import { podDisruptionBudgets } from './policy.js';
import { clusterRoleBindings, clusterRoles, roleBindings, roles } from './rbac.js';
import { priorityClasses } from './scheduling.js';
import { storageClasses } from './storage.js';

export const resources: readonly ResourceDefinition[] = [
  // core/v1
  pods,
  podTemplates,
  namespaces,
  services,
  endpoints,
  configMaps,
  secrets,
  serviceAccounts,
  nodes,
  coreEvents,
  persistentVolumes,
  persistentVolumeClaims,
  limitRanges,
  resourceQuotas,
  replicationControllers,
  // apps/v1
  deployments,
  replicaSets,
  statefulSets,
  daemonSets,
  controllerRevisions,
  // authentication.k8s.io: reviews, answered and never stored; v1 is preferred
  selfSubjectReviews,
  tokenReviews,
  selfSubjectReviewsV1beta1,
  // authorization.k8s.io/v1: access reviews, answered and never stored
  localSubjectAccessReviews,
  selfSubjectAccessReviews,
  selfSubjectRulesReviews,
  subjectAccessReviews,
  // autoscaling: v2 is preferred
  horizontalPodAutoscalersV2,
  horizontalPodAutoscalersV1,
  // batch/v1
  jobs,
  cronJobs,
  // coordination.k8s.io/v1
  leases,
  // discovery.k8s.io/v1
  endpointSlices,
  // events.k8s.io/v1
  events,
  // networking.k8s.io/v1
  ingresses,
  networkPolicies,
  // policy/v1
  podDisruptionBudgets,
  // rbac.authorization.k8s.io/v1
  roles,
  roleBindings,
  clusterRoles,
  clusterRoleBindings,
  // scheduling.k8s.io/v1
  priorityClasses,
  // storage.k8s.io/v1
  storageClasses,
];

function key(group: string, version: string, plural: string): string {
  return `${group}/${version}/${plural}`;
}

const byKey = new Map(
  resources.map((resource) => [key(resource.group, resource.version, resource.plural), resource]),
);

/** The resource served at `/apis/{group}/{version}/{plural}` (group `''` for `/api/v1`), if Skiff serves one. */
export function findResource(group: string, version: string, plural: string): ResourceDefinition | undefined {
  return byKey.get(key(group, version, plural));
}
