import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../resource.js';
import {
  behaviorAnnotation,
  conversionFor,
  conversions,
  metricSpecsAnnotation,
  metricStatusesAnnotation,
  storageResourceOf,
  storedAs,
} from './index.js';

describe('finding a resource’s conversion', () => {
  it('keys conversions by the stored resource', () => {
    expect(conversions.get('autoscaling/horizontalpodautoscalers')?.storageVersion).toBe('autoscaling/v2');
    expect(conversions.get('/events')?.storageVersion).toBe('v1');
  });

  it('stores events.k8s.io events with core’s', () => {
    expect(storedAs.get('events.k8s.io/events')).toBe('/events');
    expect(storageResourceOf('events.k8s.io', 'events')).toBe('/events');
    expect(conversionFor('events.k8s.io', 'events')).toBe(conversions.get('/events'));
    expect(conversionFor('', 'events')).toBe(conversions.get('/events'));
  });

  it('has nothing for a resource served in one version', () => {
    expect(storageResourceOf('apps', 'deployments')).toBe('apps/deployments');
    expect(conversionFor('apps', 'deployments')).toBeUndefined();
  });

  it('lists the storage version first among the served ones', () => {
    for (const conversion of conversions.values()) {
      expect(conversion.servedVersions[0]).toBe(conversion.storageVersion);
    }
  });
});

/** Freezes every object and array below `value`, so an edit in place throws. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Sets a marker on every object and array below `value`: an output sharing a node with its input would show it. */
function scribble(value: unknown): void {
  if (Array.isArray(value)) {
    value.push('scribbled');
    for (const child of value.slice(0, -1)) scribble(child);
  } else if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    for (const child of Object.values(record)) scribble(child);
    record.scribbled = true;
  }
}

const hpaV2: KubeObject = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, annotations: { team: 'a' } },
  spec: {
    scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' },
    minReplicas: 1,
    maxReplicas: 5,
    metrics: [
      {
        type: 'Resource',
        resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '1Gi' } },
      },
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } },
      },
    ],
    behavior: { scaleUp: { policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }] } },
  },
  status: {
    currentReplicas: 2,
    desiredReplicas: 2,
    currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 40 } } }],
    conditions: [{ type: 'AbleToScale', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z' }],
  },
};

const hpaV1: KubeObject = {
  apiVersion: 'autoscaling/v1',
  kind: 'HorizontalPodAutoscaler',
  metadata: {
    name: 'web',
    annotations: {
      [metricSpecsAnnotation]:
        '[{"type":"Resource","resource":{"name":"memory","targetAverageValue":"1Gi"}}]',
      [metricStatusesAnnotation]: '[{"type":"Resource","resource":{"name":"cpu","currentAverageValue":"1"}}]',
      [behaviorAnnotation]: '{"ScaleUp":{"Policies":[{"Type":"Pods","Value":4,"PeriodSeconds":15}]}}',
    },
  },
  spec: {
    scaleTargetRef: { kind: 'Deployment', name: 'web' },
    maxReplicas: 5,
    targetCPUUtilizationPercentage: 60,
  },
  status: { currentReplicas: 2, desiredReplicas: 2, currentCPUUtilizationPercentage: 40 },
};

const coreEvent: KubeObject = {
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name: 'e', namespace: 'default' },
  involvedObject: { kind: 'Pod', name: 'web-1' },
  source: { component: 'kubelet' },
  series: { count: 2, lastObservedTime: '2025-01-01T00:00:00.000000Z' },
  related: { kind: 'Node', name: 'node-1' },
  message: 'hello',
};

const eventsV1Event: KubeObject = {
  apiVersion: 'events.k8s.io/v1',
  kind: 'Event',
  metadata: { name: 'e', namespace: 'default' },
  regarding: { kind: 'Pod', name: 'web-1' },
  deprecatedSource: { component: 'kubelet' },
  series: { count: 2, lastObservedTime: '2025-01-01T00:00:00.000000Z' },
  note: 'hello',
};

describe('conversions never edit their input', () => {
  const hpa = conversions.get('autoscaling/horizontalpodautoscalers')!;
  const events = conversions.get('/events')!;
  const cases: [string, (object: KubeObject) => KubeObject, KubeObject][] = [
    ['autoscaling/v2 → v1', (o) => hpa.fromStorage(o, 'autoscaling/v1'), hpaV2],
    ['autoscaling/v2 → v2', (o) => hpa.fromStorage(o, 'autoscaling/v2'), hpaV2],
    ['autoscaling/v1 → v2', (o) => hpa.toStorage(o, 'autoscaling/v1'), hpaV1],
    ['autoscaling/v2 written', (o) => hpa.toStorage(o, 'autoscaling/v2'), hpaV2],
    ['core Event → events.k8s.io', (o) => events.fromStorage(o, 'events.k8s.io/v1'), coreEvent],
    ['core Event → core', (o) => events.fromStorage(o, 'v1'), coreEvent],
    ['events.k8s.io Event → core', (o) => events.toStorage(o, 'events.k8s.io/v1'), eventsV1Event],
    ['core Event written', (o) => events.toStorage(o, 'v1'), coreEvent],
  ];

  it.each(cases)('%s works on a frozen input', (_name, convert, input) => {
    expect(() => convert(deepFreeze(structuredClone(input)))).not.toThrow();
  });

  it.each(cases)('%s shares nothing with its input', (_name, convert, input) => {
    const original = structuredClone(input);
    const copy = structuredClone(input);
    scribble(convert(copy));
    expect(copy).toEqual(original);
  });
});
