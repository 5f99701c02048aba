import { describe, expect, it } from 'vitest';
import type { KubeObject, ResourceDefinition } from '../resource.js';
import { coreEvents } from './core-events.js';
import { events } from './events.js';

const now = Date.parse('2025-06-01T12:00:00Z');
const ago = (minutes: number) => new Date(now - minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

function row(resource: ResourceDefinition, event: KubeObject): Record<string, unknown> {
  return Object.fromEntries((resource.columns ?? []).map((column) => [column.name, column.cell(event, now)]));
}

/** A kubelet back-off event as core/v1 carries it. */
const backOff: KubeObject = {
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name: 'web-1.17f3a9c2d1e0b4a5', namespace: 'shop', creationTimestamp: ago(30) },
  involvedObject: {
    kind: 'Pod',
    namespace: 'shop',
    name: 'web-1',
    uid: '5c1d6a0e-8f3b-4c1e-9d2a-7b6e5f4a3c21',
    apiVersion: 'v1',
    resourceVersion: '4211',
    fieldPath: 'spec.containers{app}',
  },
  reason: 'BackOff',
  message: 'Back-off restarting failed container app in pod web-1_shop\n',
  source: { component: 'kubelet', host: 'node-1' },
  firstTimestamp: ago(30),
  lastTimestamp: ago(2),
  count: 14,
  type: 'Warning',
  eventTime: null,
  reportingComponent: 'kubelet',
  reportingInstance: 'node-1',
};

/** The same event read through events.k8s.io/v1. */
const backOffV1: KubeObject = {
  apiVersion: 'events.k8s.io/v1',
  kind: 'Event',
  metadata: backOff.metadata,
  regarding: backOff.involvedObject,
  reason: 'BackOff',
  note: backOff.message,
  deprecatedSource: backOff.source,
  deprecatedFirstTimestamp: backOff.firstTimestamp,
  deprecatedLastTimestamp: backOff.lastTimestamp,
  deprecatedCount: 14,
  type: 'Warning',
  eventTime: null,
  reportingController: 'kubelet',
  reportingInstance: 'node-1',
};

const expectedRow = {
  'Last Seen': '2m',
  Type: 'Warning',
  Reason: 'BackOff',
  Object: 'pod/web-1',
  Subobject: 'spec.containers{app}',
  Source: 'kubelet, node-1',
  Message: 'Back-off restarting failed container app in pod web-1_shop',
  'First Seen': '30m',
  Count: 14,
  Name: 'web-1.17f3a9c2d1e0b4a5',
};

describe('the event table', () => {
  it('starts with Last Seen and keeps Name for -o wide, last', () => {
    expect(coreEvents.columns?.map(({ name, priority, format }) => [name, priority ?? 0, format])).toEqual([
      ['Last Seen', 0, undefined],
      ['Type', 0, undefined],
      ['Reason', 0, undefined],
      ['Object', 0, undefined],
      ['Subobject', 1, undefined],
      ['Source', 1, undefined],
      ['Message', 0, undefined],
      ['First Seen', 1, undefined],
      ['Count', 1, undefined],
      ['Name', 1, 'name'],
    ]);
  });

  it('prints a core/v1 event as kubectl get events -o wide shows it', () => {
    expect(row(coreEvents, backOff)).toEqual(expectedRow);
  });

  it('prints the same event read through events.k8s.io/v1 identically', () => {
    expect(row(events, backOffV1)).toEqual(expectedRow);
  });

  it('reads a series event from the newer API: last observation, series count, reporting controller', () => {
    const series: KubeObject = {
      metadata: { name: 'web.181', namespace: 'shop', creationTimestamp: ago(60) },
      regarding: { kind: 'Deployment', name: 'web' },
      reason: 'ScalingReplicaSet',
      note: 'Scaled up replica set web-7d4b9 to 3',
      type: 'Normal',
      eventTime: '2025-06-01T11:00:00.000000Z',
      series: { count: 3, lastObservedTime: '2025-06-01T11:55:00.000000Z' },
      reportingController: 'deployment-controller',
      reportingInstance: '',
    };
    const printed = row(events, series);
    expect([
      printed['Last Seen'],
      printed['First Seen'],
      printed.Count,
      printed.Source,
      printed.Object,
    ]).toEqual(['5m', '60m', 3, 'deployment-controller', 'deployment/web']);
  });

  it('counts a singleton event without a count once, and names a kind without an object bare', () => {
    const singleton: KubeObject = {
      metadata: { name: 'x', namespace: 'default' },
      involvedObject: { kind: 'Node' },
      eventTime: ago(3),
      type: 'Normal',
      reason: 'RegisteredNode',
      message: 'registered',
    };
    const printed = row(coreEvents, singleton);
    expect([printed.Count, printed.Object, printed['Last Seen']]).toEqual([1, 'node', '3m']);
  });
});

describe('event field selectors', () => {
  it('selects core events by their involved object, reason, source and type', () => {
    const fields = Object.fromEntries(
      Object.entries(coreEvents.fieldSelectors ?? {}).map(([field, read]) => [field, read(backOff)]),
    );
    expect(fields).toEqual({
      'involvedObject.kind': 'Pod',
      'involvedObject.namespace': 'shop',
      'involvedObject.name': 'web-1',
      'involvedObject.uid': '5c1d6a0e-8f3b-4c1e-9d2a-7b6e5f4a3c21',
      'involvedObject.apiVersion': 'v1',
      'involvedObject.resourceVersion': '4211',
      'involvedObject.fieldPath': 'spec.containers{app}',
      reason: 'BackOff',
      reportingComponent: 'kubelet',
      source: 'kubelet',
      type: 'Warning',
    });
  });

  it('falls back to the reporting controller for the source of a newer-API event', () => {
    const newer: KubeObject = { reportingComponent: 'deployment-controller' };
    expect(coreEvents.fieldSelectors?.source?.(newer)).toBe('deployment-controller');
  });

  it('selects events.k8s.io events by their own field names', () => {
    const fields = Object.fromEntries(
      Object.entries(events.fieldSelectors ?? {}).map(([field, read]) => [field, read(backOffV1)]),
    );
    expect(fields).toEqual({
      'regarding.kind': 'Pod',
      'regarding.namespace': 'shop',
      'regarding.name': 'web-1',
      'regarding.uid': '5c1d6a0e-8f3b-4c1e-9d2a-7b6e5f4a3c21',
      'regarding.apiVersion': 'v1',
      'regarding.resourceVersion': '4211',
      'regarding.fieldPath': 'spec.containers{app}',
      reason: 'BackOff',
      reportingController: 'kubelet',
      type: 'Warning',
    });
  });
});
