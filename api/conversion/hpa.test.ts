import { describe, expect, it } from 'vitest';
import type { KubeObject, ObjectMeta } from '../resource.js';
import {
  behaviorAnnotation,
  conditionsAnnotation,
  conversions,
  isConversionError,
  metricSpecsAnnotation,
  metricStatusesAnnotation,
} from './index.js';

const hpa = conversions.get('autoscaling/horizontalpodautoscalers')!;

const toV1 = (object: KubeObject) => hpa.fromStorage(object, 'autoscaling/v1');
const fromV1 = (object: KubeObject) => hpa.toStorage(object, 'autoscaling/v1');

const metadata = {
  name: 'web',
  namespace: 'default',
  uid: 'u-1',
  resourceVersion: '7',
  labels: { app: 'web' },
};
const scaleTargetRef = { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' };

function v2(
  spec: Record<string, unknown>,
  status?: Record<string, unknown>,
  meta: ObjectMeta = metadata,
): KubeObject {
  const object: KubeObject = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: structuredClone(meta),
    spec: { scaleTargetRef, minReplicas: 1, maxReplicas: 3, ...spec },
  };
  if (status !== undefined) object.status = status;
  return object;
}

function v1(
  spec: Record<string, unknown>,
  status?: Record<string, unknown>,
  meta: ObjectMeta = metadata,
): KubeObject {
  const object: KubeObject = {
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata: structuredClone(meta),
    spec: { scaleTargetRef, minReplicas: 1, maxReplicas: 3, ...spec },
  };
  if (status !== undefined) object.status = status;
  return object;
}

const resource = (name: string, target: Record<string, unknown>) => ({
  type: 'Resource',
  resource: { name, target },
});
const cpuUtilization = (averageUtilization: number) =>
  resource('cpu', { type: 'Utilization', averageUtilization });
const describedObject = { kind: 'Deployment', name: 'my-deployment', apiVersion: 'apps/v1' };

/** Every metric source and target kind, the CPU utilization last (it comes back last from v1). */
const everyMetric = [
  {
    type: 'Pods',
    pods: {
      metric: { name: 'http_requests_per_second' },
      target: { type: 'AverageValue', averageValue: '1k' },
    },
  },
  {
    type: 'Object',
    object: {
      describedObject,
      target: { type: 'AverageValue', averageValue: '100' },
      metric: { name: 'requests-per-second' },
    },
  },
  {
    type: 'Object',
    object: {
      describedObject,
      target: { type: 'Value', value: '200' },
      metric: { name: 'errors-per-second' },
    },
  },
  {
    type: 'External',
    external: {
      metric: { name: 'queue_depth', selector: { matchLabels: { queue: 'a&b' } } },
      target: { type: 'AverageValue', averageValue: '50' },
    },
  },
  {
    type: 'External',
    external: { metric: { name: 'queue_length', selector: {} }, target: { type: 'Value', value: '30' } },
  },
  {
    type: 'ContainerResource',
    containerResource: {
      name: 'cpu',
      target: { type: 'Utilization', averageUtilization: 60 },
      container: 'app',
    },
  },
  {
    type: 'ContainerResource',
    containerResource: {
      name: 'memory',
      target: { type: 'AverageValue', averageValue: '128Mi' },
      container: 'app',
    },
  },
  resource('memory', { type: 'Utilization', averageUtilization: 80 }),
  resource('memory', { type: 'AverageValue', averageValue: '256Mi' }),
  resource('cpu', { type: 'AverageValue', averageValue: '500m' }),
  cpuUtilization(75),
];

const behavior = {
  scaleUp: {
    stabilizationWindowSeconds: 0,
    selectPolicy: 'Max',
    policies: [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ],
  },
  scaleDown: {
    stabilizationWindowSeconds: 300,
    policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
    tolerance: '50m',
  },
};

const lastTransitionTime = '2025-01-01T00:00:00Z';

describe('autoscaling/v2 → v1 → v2 gives back the stored object', () => {
  const cases: [string, KubeObject][] = [
    ['a CPU utilization target', v2({ metrics: [cpuUtilization(60)] })],
    ['no minReplicas', v2({ minReplicas: undefined, metrics: [cpuUtilization(60)] })],
    [
      'memory targets, which v1 keeps in an annotation',
      v2({
        metrics: [
          resource('memory', { type: 'Utilization', averageUtilization: 80 }),
          resource('memory', { type: 'AverageValue', averageValue: '1Gi' }),
          cpuUtilization(60),
        ],
      }),
    ],
    ['every kind of metric', v2({ metrics: everyMetric })],
    ['a behavior in both directions', v2({ metrics: [cpuUtilization(60)], behavior })],
    [
      'a behavior for scaling up only',
      v2({ metrics: [cpuUtilization(60)], behavior: { scaleUp: behavior.scaleUp } }),
    ],
    [
      'a behavior for scaling down only',
      v2({ metrics: [cpuUtilization(60)], behavior: { scaleDown: behavior.scaleDown } }),
    ],
    [
      'current metrics and conditions',
      v2(
        { metrics: [cpuUtilization(50)] },
        {
          observedGeneration: 7,
          lastScaleTime: lastTransitionTime,
          currentReplicas: 2,
          desiredReplicas: 3,
          currentMetrics: [
            {
              type: 'Resource',
              resource: { name: 'cpu', current: { averageValue: '120m', averageUtilization: 40 } },
            },
            {
              type: 'Pods',
              pods: { metric: { name: 'http_requests_per_second' }, current: { averageValue: '123' } },
            },
            { type: 'External', external: { metric: { name: 'queue_length' }, current: { value: '42' } } },
            {
              type: 'Object',
              object: { metric: { name: 'requests-per-minute' }, current: { value: '0' }, describedObject },
            },
            {
              type: 'ContainerResource',
              containerResource: { name: 'memory', current: { averageValue: '256Mi' }, container: 'app' },
            },
          ],
          conditions: [
            {
              type: 'ScalingActive',
              status: 'True',
              lastTransitionTime,
              reason: 'ValidMetricFound',
              message:
                'the HPA was able to successfully calculate a replica count from cpu resource utilization',
            },
            { type: 'AbleToScale', status: 'True', lastTransitionTime, reason: 'ReadyForNewScale' },
          ],
        },
      ),
    ],
    [
      'annotations of its own',
      v2({ metrics: everyMetric, behavior }, undefined, { ...metadata, annotations: { team: 'payments' } }),
    ],
  ];

  it.each(cases)('%s', (_name, stored) => {
    expect(fromV1(toV1(stored))).toEqual(stored);
  });
});

describe('autoscaling/v1 → v2 → v1 gives back what the client wrote', () => {
  const memoryAnnotation = '[{"type":"Resource","resource":{"name":"memory","targetAverageValue":"1Gi"}}]';
  const behaviorText =
    '{"ScaleUp":null,"ScaleDown":{"StabilizationWindowSeconds":60,"SelectPolicy":"Min","Policies":[{"Type":"Pods","Value":1,"PeriodSeconds":60}],"Tolerance":null}}';
  const cases: [string, KubeObject][] = [
    ['a CPU target', v1({ targetCPUUtilizationPercentage: 70 })],
    [
      'a CPU target and a status',
      v1(
        { targetCPUUtilizationPercentage: 70 },
        { observedGeneration: 2, currentReplicas: 2, desiredReplicas: 2 },
      ),
    ],
    [
      'a memory target kept in the annotation',
      v1({ targetCPUUtilizationPercentage: 60 }, undefined, {
        ...metadata,
        annotations: { [metricSpecsAnnotation]: memoryAnnotation },
      }),
    ],
    [
      'a behavior kept in the annotation',
      v1({ targetCPUUtilizationPercentage: 60 }, undefined, {
        ...metadata,
        annotations: { [behaviorAnnotation]: behaviorText, owner: 'sre' },
      }),
    ],
  ];

  it.each(cases)('%s', (_name, written) => {
    expect(toV1(fromV1(written))).toEqual(written);
  });

  it('records the raw value of the CPU reading it stores from v1', () => {
    const written = v1(
      { targetCPUUtilizationPercentage: 70 },
      { currentReplicas: 2, desiredReplicas: 2, currentCPUUtilizationPercentage: 40 },
    );
    expect(toV1(fromV1(written))).toEqual({
      ...written,
      metadata: {
        ...metadata,
        annotations: {
          [metricStatusesAnnotation]:
            '[{"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":40,"currentAverageValue":"0"}}]',
        },
      },
    });
  });

  it('gives an HPA without metrics the 80% CPU target v1 always implied', () => {
    const written = v1({});
    expect(fromV1(written).spec).toMatchObject({ metrics: [cpuUtilization(80)] });
    expect(toV1(fromV1(written))).toEqual(v1({ targetCPUUtilizationPercentage: 80 }));
  });
});

describe('autoscaling/v2 → v1, as upstream converts', () => {
  it('takes the first CPU utilization target, skipping a CPU average-value one (upstream #101370)', () => {
    const stored = v2({
      metrics: [resource('cpu', { type: 'AverageValue', averageValue: '300m' }), cpuUtilization(70)],
    });
    expect(toV1(stored)).toEqual(
      v1({ targetCPUUtilizationPercentage: 70 }, undefined, {
        ...metadata,
        annotations: {
          [metricSpecsAnnotation]:
            '[{"type":"Resource","resource":{"name":"cpu","targetAverageValue":"300m"}}]',
        },
      }),
    );
  });

  it('leaves the CPU percentage out when there are no metrics', () => {
    expect(toV1(v2({ metrics: [] })).spec).toEqual({ scaleTargetRef, minReplicas: 1, maxReplicas: 3 });
  });

  it('writes the annotations as Go writes them', () => {
    const stored = v2(
      {
        metrics: [
          {
            type: 'External',
            external: {
              metric: { name: 'queue', selector: { matchLabels: { z: '1', a: '<2>' } } },
              target: { type: 'AverageValue', averageValue: '1.5Gi' },
            },
          },
          {
            type: 'Object',
            object: {
              describedObject,
              target: { type: 'AverageValue', averageValue: '100' },
              metric: { name: 'rps' },
            },
          },
        ],
        behavior: { scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [] } },
      },
      { desiredReplicas: 1, conditions: [{ type: 'AbleToScale', status: 'False' }] },
    );
    expect(toV1(stored).metadata?.annotations).toEqual({
      [metricSpecsAnnotation]:
        '[{"type":"External","external":{"metricName":"queue","metricSelector":{"matchLabels":{"a":"\\u003c2\\u003e","z":"1"}},"targetAverageValue":"1536Mi"}},' +
        '{"type":"Object","object":{"target":{"kind":"Deployment","name":"my-deployment","apiVersion":"apps/v1"},"metricName":"rps","targetValue":"0","averageValue":"100"}}]',
      [behaviorAnnotation]:
        '{"ScaleUp":{"StabilizationWindowSeconds":0,"SelectPolicy":"Max","Policies":[],"Tolerance":null},"ScaleDown":null}',
      [conditionsAnnotation]: '[{"type":"AbleToScale","status":"False","lastTransitionTime":null}]',
    });
  });

  it('replaces round-trip annotations already on the object with its own', () => {
    const stored = v2({ metrics: [cpuUtilization(60)] }, undefined, {
      ...metadata,
      annotations: { [metricSpecsAnnotation]: '[]', [behaviorAnnotation]: '{}', keep: 'me' },
    });
    expect(toV1(stored).metadata).toEqual({ ...metadata, annotations: { keep: 'me' } });
  });

  it('takes the last CPU utilization reading for currentCPUUtilizationPercentage', () => {
    const reading = (averageUtilization: number) => ({
      type: 'Resource',
      resource: { name: 'cpu', current: { averageUtilization } },
    });
    const stored = v2({ metrics: [cpuUtilization(50)] }, { currentMetrics: [reading(10), reading(30)] });
    expect(toV1(stored).status).toEqual({ currentCPUUtilizationPercentage: 30 });
  });
});

describe('autoscaling/v1 → v2, as upstream converts', () => {
  const withAnnotations = (annotations: Record<string, string>, spec: Record<string, unknown> = {}) =>
    v1(spec, undefined, { ...metadata, annotations });

  it('puts the CPU target after the annotated metrics', () => {
    // Upstream's TestCPUMetricHoistedToEnd_RoundTrip_V2V1.
    const external = {
      type: 'External',
      external: { metric: { name: 'queue_length' }, target: { type: 'Value', value: '30' } },
    };
    const stored = v2({ metrics: [cpuUtilization(80), external] });
    expect(fromV1(toV1(stored)).spec).toMatchObject({ metrics: [external, cpuUtilization(80)] });
  });

  it('ignores a behavior annotation that decodes to no behavior', () => {
    // Upstream's TestConversionWithNilBehaviors, for v1's stricter check.
    expect(fromV1(withAnnotations({ [behaviorAnnotation]: '{}' })).spec).not.toHaveProperty('behavior');
  });

  it('reads the behavior annotation with any key case, as encoding/json does', () => {
    const spec = fromV1(
      withAnnotations({
        [behaviorAnnotation]: '{"scaleup":{"stabilizationWindowSeconds":30,"tolerance":"0.05"}}',
      }),
    ).spec;
    expect(spec).toMatchObject({
      behavior: { scaleUp: { stabilizationWindowSeconds: 30, tolerance: '50m' } },
    });
  });

  it('ignores an annotation that does not decode, and drops it', () => {
    const written = withAnnotations(
      {
        [metricSpecsAnnotation]:
          '[{"type":"Resource","resource":{"name":"memory","targetAverageUtilization":"80"}}]',
        [metricStatusesAnnotation]: 'not json',
        [conditionsAnnotation]: '[{"type":"AbleToScale","lastTransitionTime":"yesterday"}]',
        other: 'kept',
      },
      { targetCPUUtilizationPercentage: 60 },
    );
    expect(fromV1(written)).toEqual(
      v2({ metrics: [cpuUtilization(60)] }, undefined, { ...metadata, annotations: { other: 'kept' } }),
    );
  });

  it('reads an Object average-value target back without a zero value', () => {
    const object = {
      type: 'Object',
      object: {
        target: describedObject,
        metricName: 'rps',
        targetValue: '0',
        averageValue: '100',
      },
    };
    const spec = fromV1(withAnnotations({ [metricSpecsAnnotation]: JSON.stringify([object]) })).spec;
    expect(spec).toMatchObject({
      metrics: [
        {
          type: 'Object',
          object: {
            describedObject,
            target: { type: 'AverageValue', averageValue: '100' },
            metric: { name: 'rps' },
          },
        },
      ],
    });
  });

  it('lets the annotated current metrics replace the CPU percentage', () => {
    const written = v1(
      { targetCPUUtilizationPercentage: 60 },
      { currentReplicas: 1, desiredReplicas: 1, currentCPUUtilizationPercentage: 40 },
      {
        ...metadata,
        annotations: {
          [metricStatusesAnnotation]:
            '[{"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":41,"currentAverageValue":"101m"}}]',
        },
      },
    );
    expect(fromV1(written).status).toEqual({
      currentReplicas: 1,
      desiredReplicas: 1,
      currentMetrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', current: { averageValue: '101m', averageUtilization: 41 } },
        },
      ],
    });
  });
});

describe('the stored version', () => {
  it('drops round-trip annotations a v2 client sets', () => {
    const written = v2({ metrics: [cpuUtilization(60)] }, undefined, {
      ...metadata,
      annotations: { [behaviorAnnotation]: '{}', 'autoscaling.alpha.kubernetes.io/scale-up-tolerance': '1' },
    });
    expect(hpa.toStorage(written, 'autoscaling/v2')).toEqual(v2({ metrics: [cpuUtilization(60)] }));
  });

  it('sets apiVersion and kind whichever version was written', () => {
    const { apiVersion: _, kind: __, ...bare } = v1({ targetCPUUtilizationPercentage: 50 });
    expect(fromV1(bare)).toMatchObject({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' });
    expect(toV1(bare)).toMatchObject({ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler' });
  });

  it('refuses a version the resource is not served in', () => {
    let caught: unknown;
    try {
      hpa.toStorage(v2({}), 'autoscaling/v2beta2');
    } catch (error) {
      caught = error;
    }
    expect(isConversionError(caught) && caught.code).toBe('SKIFF_ERR_UNSUPPORTED_VERSION');
  });
});
