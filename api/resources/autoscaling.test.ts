import { describe, expect, it } from 'vitest';
import type { KubeObject, ResourceDefinition } from '../resource.js';
import { formatMetrics, horizontalPodAutoscalersV1, horizontalPodAutoscalersV2 } from './autoscaling.js';

const now = Date.parse('2025-06-01T12:00:00Z');

function row(resource: ResourceDefinition, object: KubeObject): Record<string, unknown> {
  return Object.fromEntries(
    (resource.columns ?? []).map((column) => [column.name, column.cell(object, now)]),
  );
}

const cpu = {
  type: 'Resource',
  resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
};
const memory = {
  type: 'Resource',
  resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '2Gi' } },
};

describe('the autoscaler table', () => {
  it('prints an autoscaling/v2 HPA as kubectl get hpa shows it', () => {
    const web: KubeObject = {
      metadata: { name: 'web', namespace: 'shop', creationTimestamp: '2025-05-26T12:00:00Z' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 2,
        maxReplicas: 10,
        metrics: [cpu, memory],
      },
      status: {
        currentReplicas: 3,
        desiredReplicas: 3,
        currentMetrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', current: { averageUtilization: 42, averageValue: '210m' } },
          },
          { type: 'Resource', resource: { name: 'memory', current: { averageValue: '1024Mi' } } },
        ],
      },
    };
    expect(row(horizontalPodAutoscalersV2, web)).toEqual({
      Name: 'web',
      Reference: 'Deployment/web',
      Targets: 'cpu: 42%/80%, memory: 1Gi/2Gi',
      MinPods: '2',
      MaxPods: 10,
      Replicas: 3,
      Age: '6d',
    });
  });

  it('prints the same table for an autoscaling/v1 HPA', () => {
    const web: KubeObject = {
      metadata: { name: 'web', namespace: 'shop', creationTimestamp: '2025-05-26T12:00:00Z' },
      spec: {
        scaleTargetRef: { kind: 'Deployment', name: 'web' },
        maxReplicas: 10,
        targetCPUUtilizationPercentage: 80,
      },
      status: { currentReplicas: 3, desiredReplicas: 3 },
    };
    expect(row(horizontalPodAutoscalersV1, web)).toEqual({
      Name: 'web',
      Reference: 'Deployment/web',
      Targets: 'cpu: <unknown>/80%',
      MinPods: '<unset>',
      MaxPods: 10,
      Replicas: 3,
      Age: '6d',
    });
  });

  it.each([
    ['no metrics', [], [], '<none>'],
    ['an unmeasured utilization target', [cpu], [], 'cpu: <unknown>/80%'],
    [
      'a utilization target without a value (auto)',
      [
        {
          type: 'ContainerResource',
          containerResource: { name: 'cpu', container: 'app', target: { type: 'Utilization' } },
        },
      ],
      [],
      'cpu: <unknown>/<auto>',
    ],
    [
      'a pods metric',
      [
        {
          type: 'Pods',
          pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '100' } },
        },
      ],
      [{ type: 'Pods', pods: { metric: { name: 'rps' }, current: { averageValue: '1500m' } } }],
      '1500m/100',
    ],
    [
      'an external average target',
      [
        {
          type: 'External',
          external: { metric: { name: 'queue' }, target: { type: 'AverageValue', averageValue: '30' } },
        },
      ],
      [],
      '<unknown>/30 (avg)',
    ],
    [
      'an object value target',
      [{ type: 'Object', object: { metric: { name: 'hits' }, target: { type: 'Value', value: '10k' } } }],
      [{ type: 'Object', object: { current: { value: '12k' } } }],
      '12k/10k',
    ],
    [
      'three metrics, the third summarised',
      [cpu, memory, cpu],
      [],
      'cpu: <unknown>/80%, memory: <unknown>/2Gi + 1 more...',
    ],
  ])('prints targets for %s', (_, specs, statuses, expected) => {
    expect(formatMetrics(specs, statuses)).toBe(expected);
  });
});

describe('autoscaler resource facts', () => {
  it('serves the same kind in v2 and v1, with the same short name and category', () => {
    for (const resource of [horizontalPodAutoscalersV2, horizontalPodAutoscalersV1]) {
      expect([resource.plural, resource.shortNames, resource.categories, resource.subresources]).toEqual([
        'horizontalpodautoscalers',
        ['hpa'],
        ['all'],
        { status: true },
      ]);
    }
  });
});
