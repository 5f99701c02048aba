/**
 * autoscaling/v2: HorizontalPodAutoscaler with metrics and scaling behaviour, as Kubernetes 1.33
 * has them.
 *
 * Field names and numbers are the wire protocol (JSON and protobuf): never renumber or rename them.
 */
import { f, message } from '../schema/dsl.js';

message('io.k8s.api.autoscaling.v2.ContainerResourceMetricSource', {
  name: f.string(1, { required: true, default: '' }),
  target: f.message(2, 'io.k8s.api.autoscaling.v2.MetricTarget', { required: true, default: {} }),
  container: f.string(3, { required: true, default: '' }),
});

message('io.k8s.api.autoscaling.v2.ContainerResourceMetricStatus', {
  name: f.string(1, { required: true, default: '' }),
  current: f.message(2, 'io.k8s.api.autoscaling.v2.MetricValueStatus', { required: true, default: {} }),
  container: f.string(3, { required: true, default: '' }),
});

message('io.k8s.api.autoscaling.v2.CrossVersionObjectReference', {
  kind: f.string(1, { required: true, default: '' }),
  name: f.string(2, { required: true, default: '' }),
  apiVersion: f.string(3),
});

message('io.k8s.api.autoscaling.v2.ExternalMetricSource', {
  metric: f.message(1, 'io.k8s.api.autoscaling.v2.MetricIdentifier', { required: true, default: {} }),
  target: f.message(2, 'io.k8s.api.autoscaling.v2.MetricTarget', { required: true, default: {} }),
});

message('io.k8s.api.autoscaling.v2.ExternalMetricStatus', {
  metric: f.message(1, 'io.k8s.api.autoscaling.v2.MetricIdentifier', { required: true, default: {} }),
  current: f.message(2, 'io.k8s.api.autoscaling.v2.MetricValueStatus', { required: true, default: {} }),
});

message('io.k8s.api.autoscaling.v2.HPAScalingPolicy', {
  type: f.string(1, { required: true, default: '' }),
  value: f.int32(2, { required: true, default: 0, format: 'int32' }),
  periodSeconds: f.int32(3, { required: true, default: 0, format: 'int32' }),
});

message('io.k8s.api.autoscaling.v2.HPAScalingRules', {
  stabilizationWindowSeconds: f.int32(3, { format: 'int32' }),
  selectPolicy: f.string(1),
  policies: f.list(2, 'io.k8s.api.autoscaling.v2.HPAScalingPolicy', { listType: 'atomic' }),
  tolerance: f.quantity(4),
});

export const HorizontalPodAutoscaler = message(
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    spec: f.message(2, 'io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec', { default: {} }),
    status: f.message(3, 'io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus', { default: {} }),
  },
  { gvk: [{ group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler' }] },
);

message('io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerBehavior', {
  scaleUp: f.message(1, 'io.k8s.api.autoscaling.v2.HPAScalingRules'),
  scaleDown: f.message(2, 'io.k8s.api.autoscaling.v2.HPAScalingRules'),
});

message('io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerCondition', {
  type: f.string(1, { required: true, default: '' }),
  status: f.string(2, { required: true, default: '' }),
  lastTransitionTime: f.time(3),
  reason: f.string(4),
  message: f.string(5),
});

export const HorizontalPodAutoscalerList = message(
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler', { required: true }),
  },
  { gvk: [{ group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscalerList' }] },
);

message('io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec', {
  scaleTargetRef: f.message(1, 'io.k8s.api.autoscaling.v2.CrossVersionObjectReference', {
    required: true,
    default: {},
  }),
  minReplicas: f.int32(2, { format: 'int32' }),
  maxReplicas: f.int32(3, { required: true, default: 0, format: 'int32' }),
  metrics: f.list(4, 'io.k8s.api.autoscaling.v2.MetricSpec', { listType: 'atomic' }),
  behavior: f.message(5, 'io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerBehavior'),
});

message('io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus', {
  observedGeneration: f.int64(1, { format: 'int64' }),
  lastScaleTime: f.time(2),
  currentReplicas: f.int32(3, { format: 'int32' }),
  desiredReplicas: f.int32(4, { required: true, default: 0, format: 'int32' }),
  currentMetrics: f.list(5, 'io.k8s.api.autoscaling.v2.MetricStatus', { listType: 'atomic' }),
  conditions: f.list(6, 'io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerCondition', {
    patchStrategy: 'merge',
    patchMergeKey: 'type',
    listType: 'map',
    listMapKeys: ['type'],
  }),
});

message('io.k8s.api.autoscaling.v2.MetricIdentifier', {
  name: f.string(1, { required: true, default: '' }),
  selector: f.message(2, 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'),
});

message('io.k8s.api.autoscaling.v2.MetricSpec', {
  type: f.string(1, { required: true, default: '' }),
  object: f.message(2, 'io.k8s.api.autoscaling.v2.ObjectMetricSource'),
  pods: f.message(3, 'io.k8s.api.autoscaling.v2.PodsMetricSource'),
  resource: f.message(4, 'io.k8s.api.autoscaling.v2.ResourceMetricSource'),
  containerResource: f.message(7, 'io.k8s.api.autoscaling.v2.ContainerResourceMetricSource'),
  external: f.message(5, 'io.k8s.api.autoscaling.v2.ExternalMetricSource'),
});

message('io.k8s.api.autoscaling.v2.MetricStatus', {
  type: f.string(1, { required: true, default: '' }),
  object: f.message(2, 'io.k8s.api.autoscaling.v2.ObjectMetricStatus'),
  pods: f.message(3, 'io.k8s.api.autoscaling.v2.PodsMetricStatus'),
  resource: f.message(4, 'io.k8s.api.autoscaling.v2.ResourceMetricStatus'),
  containerResource: f.message(7, 'io.k8s.api.autoscaling.v2.ContainerResourceMetricStatus'),
  external: f.message(5, 'io.k8s.api.autoscaling.v2.ExternalMetricStatus'),
});

message('io.k8s.api.autoscaling.v2.MetricTarget', {
  type: f.string(1, { required: true, default: '' }),
  value: f.quantity(2),
  averageValue: f.quantity(3),
  averageUtilization: f.int32(4, { format: 'int32' }),
});

message('io.k8s.api.autoscaling.v2.MetricValueStatus', {
  value: f.quantity(1),
  averageValue: f.quantity(2),
  averageUtilization: f.int32(3, { format: 'int32' }),
});

message('io.k8s.api.autoscaling.v2.ObjectMetricSource', {
  describedObject: f.message(1, 'io.k8s.api.autoscaling.v2.CrossVersionObjectReference', {
    required: true,
    default: {},
  }),
  target: f.message(2, 'io.k8s.api.autoscaling.v2.MetricTarget', { required: true, default: {} }),
  metric: f.message(3, 'io.k8s.api.autoscaling.v2.MetricIdentifier', { required: true, default: {} }),
});

message('io.k8s.api.autoscaling.v2.ObjectMetricStatus', {
  metric: f.message(1, 'io.k8s.api.autoscaling.v2.MetricIdentifier', { required: true, default: {} }),
  current: f.message(2, 'io.k8s.api.autoscaling.v2.MetricValueStatus', { required: true, default: {} }),
  describedObject: f.message(3, 'io.k8s.api.autoscaling.v2.CrossVersionObjectReference', {
    required: true,
    default: {},
  }),
});

message('io.k8s.api.autoscaling.v2.PodsMetricSource', {
  metric: f.message(1, 'io.k8s.api.autoscaling.v2.MetricIdentifier', { required: true, default: {} }),
  target: f.message(2, 'io.k8s.api.autoscaling.v2.MetricTarget', { required: true, default: {} }),
});

message('io.k8s.api.autoscaling.v2.PodsMetricStatus', {
  metric: f.message(1, 'io.k8s.api.autoscaling.v2.MetricIdentifier', { required: true, default: {} }),
  current: f.message(2, 'io.k8s.api.autoscaling.v2.MetricValueStatus', { required: true, default: {} }),
});

message('io.k8s.api.autoscaling.v2.ResourceMetricSource', {
  name: f.string(1, { required: true, default: '' }),
  target: f.message(2, 'io.k8s.api.autoscaling.v2.MetricTarget', { required: true, default: {} }),
});

message('io.k8s.api.autoscaling.v2.ResourceMetricStatus', {
  name: f.string(1, { required: true, default: '' }),
  current: f.message(2, 'io.k8s.api.autoscaling.v2.MetricValueStatus', { required: true, default: {} }),
});
