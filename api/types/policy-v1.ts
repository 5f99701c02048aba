/**
 * policy/v1: PodDisruptionBudget and Eviction, as Kubernetes 1.33 has them.
 *
 * Field names and numbers are the wire protocol (JSON and protobuf): never renumber or rename them.
 */
import { f, message } from '../schema/dsl.js';

export const Eviction = message(
  'io.k8s.api.policy.v1.Eviction',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    deleteOptions: f.message(2, 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions'),
  },
  { gvk: [{ group: 'policy', version: 'v1', kind: 'Eviction' }] },
);

export const PodDisruptionBudget = message(
  'io.k8s.api.policy.v1.PodDisruptionBudget',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    spec: f.message(2, 'io.k8s.api.policy.v1.PodDisruptionBudgetSpec', { default: {} }),
    status: f.message(3, 'io.k8s.api.policy.v1.PodDisruptionBudgetStatus', { default: {} }),
  },
  { gvk: [{ group: 'policy', version: 'v1', kind: 'PodDisruptionBudget' }] },
);

export const PodDisruptionBudgetList = message(
  'io.k8s.api.policy.v1.PodDisruptionBudgetList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.policy.v1.PodDisruptionBudget', { required: true }),
  },
  { gvk: [{ group: 'policy', version: 'v1', kind: 'PodDisruptionBudgetList' }] },
);

message('io.k8s.api.policy.v1.PodDisruptionBudgetSpec', {
  minAvailable: f.intOrString(1),
  selector: f.message(2, 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector', { patchStrategy: 'replace' }),
  maxUnavailable: f.intOrString(3),
  unhealthyPodEvictionPolicy: f.string(4),
});

message('io.k8s.api.policy.v1.PodDisruptionBudgetStatus', {
  observedGeneration: f.int64(1, { format: 'int64' }),
  disruptedPods: f.map(2, 'Time'),
  disruptionsAllowed: f.int32(3, { required: true, default: 0, format: 'int32' }),
  currentHealthy: f.int32(4, { required: true, default: 0, format: 'int32' }),
  desiredHealthy: f.int32(5, { required: true, default: 0, format: 'int32' }),
  expectedPods: f.int32(6, { required: true, default: 0, format: 'int32' }),
  conditions: f.list(7, 'io.k8s.apimachinery.pkg.apis.meta.v1.Condition', {
    patchStrategy: 'merge',
    patchMergeKey: 'type',
    listType: 'map',
    listMapKeys: ['type'],
  }),
});
