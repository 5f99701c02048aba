/**
 * autoscaling/v1: HorizontalPodAutoscaler, Scale, and the metric types upstream keeps in this
 * package for round-tripping v2 fields through annotations, as Kubernetes 1.33 has them.
 *
 * Field names and numbers are the wire protocol (JSON and protobuf): never renumber or rename them.
 */
import { f, message } from '../schema/dsl.js';

message('io.k8s.api.autoscaling.v1.ContainerResourceMetricSource', {
  name: f.string(1),
  targetAverageUtilization: f.int32(2),
  targetAverageValue: f.quantity(3),
  container: f.string(5),
});

message('io.k8s.api.autoscaling.v1.ContainerResourceMetricStatus', {
  name: f.string(1),
  currentAverageUtilization: f.int32(2),
  currentAverageValue: f.quantity(3),
  container: f.string(4),
});

message('io.k8s.api.autoscaling.v1.CrossVersionObjectReference', {
  kind: f.string(1, { required: true, default: '' }),
  name: f.string(2, { required: true, default: '' }),
  apiVersion: f.string(3),
});

message('io.k8s.api.autoscaling.v1.ExternalMetricSource', {
  metricName: f.string(1),
  metricSelector: f.message(2, 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'),
  targetValue: f.quantity(3),
  targetAverageValue: f.quantity(4),
});

message('io.k8s.api.autoscaling.v1.ExternalMetricStatus', {
  metricName: f.string(1),
  metricSelector: f.message(2, 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'),
  currentValue: f.quantity(3),
  currentAverageValue: f.quantity(4),
});

export const HorizontalPodAutoscaler = message(
  'io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    spec: f.message(2, 'io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerSpec', { default: {} }),
    status: f.message(3, 'io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerStatus', { default: {} }),
  },
  { gvk: [{ group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscaler' }] },
);

message('io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerCondition', {
  type: f.string(1),
  status: f.string(2),
  lastTransitionTime: f.time(3),
  reason: f.string(4),
  message: f.string(5),
});

export const HorizontalPodAutoscalerList = message(
  'io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler', { required: true }),
  },
  { gvk: [{ group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscalerList' }] },
);

message('io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerSpec', {
  scaleTargetRef: f.message(1, 'io.k8s.api.autoscaling.v1.CrossVersionObjectReference', {
    required: true,
    default: {},
  }),
  minReplicas: f.int32(2, { format: 'int32' }),
  maxReplicas: f.int32(3, { required: true, default: 0, format: 'int32' }),
  targetCPUUtilizationPercentage: f.int32(4, { format: 'int32' }),
});

message('io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerStatus', {
  observedGeneration: f.int64(1, { format: 'int64' }),
  lastScaleTime: f.time(2),
  currentReplicas: f.int32(3, { required: true, default: 0, format: 'int32' }),
  desiredReplicas: f.int32(4, { required: true, default: 0, format: 'int32' }),
  currentCPUUtilizationPercentage: f.int32(5, { format: 'int32' }),
});

message('io.k8s.api.autoscaling.v1.MetricSpec', {
  type: f.string(1),
  object: f.message(2, 'io.k8s.api.autoscaling.v1.ObjectMetricSource'),
  pods: f.message(3, 'io.k8s.api.autoscaling.v1.PodsMetricSource'),
  resource: f.message(4, 'io.k8s.api.autoscaling.v1.ResourceMetricSource'),
  containerResource: f.message(7, 'io.k8s.api.autoscaling.v1.ContainerResourceMetricSource'),
  external: f.message(5, 'io.k8s.api.autoscaling.v1.ExternalMetricSource'),
});

message('io.k8s.api.autoscaling.v1.MetricStatus', {
  type: f.string(1),
  object: f.message(2, 'io.k8s.api.autoscaling.v1.ObjectMetricStatus'),
  pods: f.message(3, 'io.k8s.api.autoscaling.v1.PodsMetricStatus'),
  resource: f.message(4, 'io.k8s.api.autoscaling.v1.ResourceMetricStatus'),
  containerResource: f.message(7, 'io.k8s.api.autoscaling.v1.ContainerResourceMetricStatus'),
  external: f.message(5, 'io.k8s.api.autoscaling.v1.ExternalMetricStatus'),
});

message('io.k8s.api.autoscaling.v1.ObjectMetricSource', {
  target: f.message(1, 'io.k8s.api.autoscaling.v1.CrossVersionObjectReference'),
  metricName: f.string(2),
  targetValue: f.quantity(3),
  selector: f.message(4, 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'),
  averageValue: f.quantity(5),
});

message('io.k8s.api.autoscaling.v1.ObjectMetricStatus', {
  target: f.message(1, 'io.k8s.api.autoscaling.v1.CrossVersionObjectReference'),
  metricName: f.string(2),
  currentValue: f.quantity(3),
  selector: f.message(4, 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'),
  averageValue: f.quantity(5),
});

message('io.k8s.api.autoscaling.v1.PodsMetricSource', {
  metricName: f.string(1),
  targetAverageValue: f.quantity(2),
  selector: f.message(3, 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'),
});

message('io.k8s.api.autoscaling.v1.PodsMetricStatus', {
  metricName: f.string(1),
  currentAverageValue: f.quantity(2),
  selector: f.message(3, 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'),
});

message('io.k8s.api.autoscaling.v1.ResourceMetricSource', {
  name: f.string(1),
  targetAverageUtilization: f.int32(2),
  targetAverageValue: f.quantity(3),
});

message('io.k8s.api.autoscaling.v1.ResourceMetricStatus', {
  name: f.string(1),
  currentAverageUtilization: f.int32(2),
  currentAverageValue: f.quantity(3),
});

export const Scale = message(
  'io.k8s.api.autoscaling.v1.Scale',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    spec: f.message(2, 'io.k8s.api.autoscaling.v1.ScaleSpec', { default: {} }),
    status: f.message(3, 'io.k8s.api.autoscaling.v1.ScaleStatus', { default: {} }),
  },
  { gvk: [{ group: 'autoscaling', version: 'v1', kind: 'Scale' }] },
);

message('io.k8s.api.autoscaling.v1.ScaleSpec', {
  replicas: f.int32(1, { format: 'int32' }),
});

message('io.k8s.api.autoscaling.v1.ScaleStatus', {
  replicas: f.int32(1, { required: true, default: 0, format: 'int32' }),
  selector: f.string(2),
});
