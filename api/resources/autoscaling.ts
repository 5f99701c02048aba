/**
 * HorizontalPodAutoscalers in autoscaling/v2 (preferred) and autoscaling/v1, one table for both:
 *
 *   NAME   REFERENCE        TARGETS                        MINPODS   MAXPODS   REPLICAS   AGE
 *   web    Deployment/web   cpu: 42%/80%, memory: 1Gi/2Gi  2         10        3          6d
 *
 * Upstream prints the internal (v2-shaped) object whichever version was asked for; a v1 object's CPU
 * fields are read here as the one Resource metric they convert to.
 */
import { ageColumn, formatQuantityPointer, nameColumn } from '../printers.js';
import type { KubeObject, ResourceDefinition, TableColumn } from '../resource.js';
import { asArray, asInteger, asString, isSet, readPath } from './json.js';

/** Targets shown before `+ N more...`. */
const shownMetrics = 2;

/** `current/target`, with `(avg)` when the target is an average value; the current value is `<unknown>` until measured. */
function valueTarget(spec: unknown, status: unknown): string {
  if (isSet(readPath(spec, 'target', 'averageValue'))) {
    const current = readPath(status, 'current', 'averageValue');
    const shown = isSet(status) && isSet(current) ? formatQuantityPointer(current) : '<unknown>';
    return `${shown}/${formatQuantityPointer(readPath(spec, 'target', 'averageValue'))} (avg)`;
  }
  const shown = isSet(status) ? formatQuantityPointer(readPath(status, 'current', 'value')) : '<unknown>';
  return `${shown}/${formatQuantityPointer(readPath(spec, 'target', 'value'))}`;
}

/** `cpu: 42%/80%` for a utilization target, `memory: 1Gi/2Gi` for an average value. */
function resourceTarget(spec: unknown, status: unknown): string {
  const name = asString(readPath(spec, 'name'));
  if (isSet(readPath(spec, 'target', 'averageValue'))) {
    const shown = isSet(status)
      ? formatQuantityPointer(readPath(status, 'current', 'averageValue'))
      : '<unknown>';
    return `${name}: ${shown}/${formatQuantityPointer(readPath(spec, 'target', 'averageValue'))}`;
  }
  const current = readPath(status, 'current', 'averageUtilization');
  const shown = isSet(status) && isSet(current) ? `${asInteger(current)}%` : '<unknown>';
  const target = readPath(spec, 'target', 'averageUtilization');
  return `${name}: ${shown}/${isSet(target) ? `${asInteger(target)}%` : '<auto>'}`;
}

/** One metric; statuses are matched to specs by position, as upstream does. */
function formatMetric(spec: unknown, status: unknown): string {
  switch (readPath(spec, 'type')) {
    case 'External':
      return valueTarget(readPath(spec, 'external'), readPath(status, 'external'));
    case 'Object':
      return valueTarget(readPath(spec, 'object'), readPath(status, 'object'));
    case 'Pods': {
      const podsStatus = readPath(status, 'pods');
      const shown = isSet(podsStatus)
        ? formatQuantityPointer(readPath(podsStatus, 'current', 'averageValue'))
        : '<unknown>';
      return `${shown}/${formatQuantityPointer(readPath(spec, 'pods', 'target', 'averageValue'))}`;
    }
    case 'Resource':
      return resourceTarget(readPath(spec, 'resource'), readPath(status, 'resource'));
    case 'ContainerResource':
      return resourceTarget(readPath(spec, 'containerResource'), readPath(status, 'containerResource'));
    default:
      return '<unknown type>';
  }
}

/** The first two metrics as `current/target`, `+ N more...` after them, `<none>` with no metrics. */
export function formatMetrics(specs: readonly unknown[], statuses: readonly unknown[]): string {
  if (specs.length === 0) return '<none>';
  const list = specs.slice(0, shownMetrics).map((spec, index) => formatMetric(spec, statuses[index]));
  const joined = list.join(', ');
  return specs.length > shownMetrics ? `${joined} + ${specs.length - shownMetrics} more...` : joined;
}

/** The metric specs and statuses of an HPA in the v2 shape, whichever version its JSON is in. */
type MetricsOf = (autoscaler: KubeObject) => { specs: readonly unknown[]; statuses: readonly unknown[] };

const v2Metrics: MetricsOf = (autoscaler) => ({
  specs: asArray(readPath(autoscaler, 'spec', 'metrics')),
  statuses: asArray(readPath(autoscaler, 'status', 'currentMetrics')),
});

/** autoscaling/v1 knows one metric: CPU utilization, target and current. */
const v1Metrics: MetricsOf = (autoscaler) => {
  const target = readPath(autoscaler, 'spec', 'targetCPUUtilizationPercentage');
  const current = readPath(autoscaler, 'status', 'currentCPUUtilizationPercentage');
  return {
    specs: isSet(target)
      ? [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: target } },
          },
        ]
      : [],
    statuses: isSet(current)
      ? [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: current } } }]
      : [],
  };
};

function autoscalerColumns(metricsOf: MetricsOf): readonly TableColumn[] {
  return [
    nameColumn,
    {
      name: 'Reference',
      type: 'string',
      description: 'The workload being scaled, as Kind/name.',
      cell: (autoscaler) =>
        `${asString(readPath(autoscaler, 'spec', 'scaleTargetRef', 'kind'))}/${asString(readPath(autoscaler, 'spec', 'scaleTargetRef', 'name'))}`,
    },
    {
      name: 'Targets',
      type: 'string',
      description: 'Each metric as current/target.',
      cell: (autoscaler) => {
        const { specs, statuses } = metricsOf(autoscaler);
        return formatMetrics(specs, statuses);
      },
    },
    {
      name: 'MinPods',
      type: 'string',
      description: 'The fewest replicas the autoscaler will scale down to.',
      cell: (autoscaler) => {
        const min = readPath(autoscaler, 'spec', 'minReplicas');
        return isSet(min) ? String(asInteger(min)) : '<unset>';
      },
    },
    {
      name: 'MaxPods',
      type: 'string',
      description: 'The most replicas the autoscaler will scale up to.',
      cell: (autoscaler) => asInteger(readPath(autoscaler, 'spec', 'maxReplicas')),
    },
    {
      name: 'Replicas',
      type: 'string',
      description: 'Replicas the target had when last observed.',
      cell: (autoscaler) => asInteger(readPath(autoscaler, 'status', 'currentReplicas')),
    },
    ageColumn,
  ];
}

const autoscalerFacts = {
  group: 'autoscaling',
  kind: 'HorizontalPodAutoscaler',
  plural: 'horizontalpodautoscalers',
  singular: 'horizontalpodautoscaler',
  namespaced: true,
  shortNames: ['hpa'],
  categories: ['all'],
  subresources: { status: true },
  // Generation tracking for HPAs arrived after 1.33 (behind HPAGeneration); 1.33 leaves it unset.
} as const;

export const horizontalPodAutoscalersV2: ResourceDefinition = {
  ...autoscalerFacts,
  version: 'v2',
  schema: 'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler',
  columns: autoscalerColumns(v2Metrics),
};

export const horizontalPodAutoscalersV1: ResourceDefinition = {
  ...autoscalerFacts,
  version: 'v1',
  schema: 'io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler',
  columns: autoscalerColumns(v1Metrics),
};
