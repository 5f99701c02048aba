import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../resource.js';
import { conversionFor, isConversionError } from './index.js';

const events = conversionFor('events.k8s.io', 'events')!;

const toEventsV1 = (object: KubeObject) => events.fromStorage(object, 'events.k8s.io/v1');
const fromEventsV1 = (object: KubeObject) => events.toStorage(object, 'events.k8s.io/v1');

const metadata = { name: 'web-1.17f0a', namespace: 'default', uid: 'e-1', resourceVersion: '42' };
const pod = {
  kind: 'Pod',
  namespace: 'default',
  name: 'web-1',
  uid: 'p-1',
  apiVersion: 'v1',
  fieldPath: 'spec.containers{app}',
};
const node = { kind: 'Node', name: 'node-1', uid: 'node-1' };

/** The same event in both shapes: every field set. */
const coreEvent: KubeObject = {
  apiVersion: 'v1',
  kind: 'Event',
  metadata,
  involvedObject: pod,
  reason: 'BackOff',
  message: 'Back-off restarting failed container',
  source: { component: 'kubelet', host: 'node-1' },
  firstTimestamp: '2025-01-01T00:00:00Z',
  lastTimestamp: '2025-01-01T00:05:00Z',
  count: 7,
  type: 'Warning',
  eventTime: '2025-01-01T00:00:00.123456Z',
  series: { count: 6, lastObservedTime: '2025-01-01T00:05:00.000001Z' },
  action: 'Restarting',
  related: node,
  reportingComponent: 'kubelet',
  reportingInstance: 'node-1',
};

const eventsV1Event: KubeObject = {
  apiVersion: 'events.k8s.io/v1',
  kind: 'Event',
  metadata,
  eventTime: '2025-01-01T00:00:00.123456Z',
  series: { count: 6, lastObservedTime: '2025-01-01T00:05:00.000001Z' },
  reportingController: 'kubelet',
  reportingInstance: 'node-1',
  action: 'Restarting',
  reason: 'BackOff',
  regarding: pod,
  related: node,
  note: 'Back-off restarting failed container',
  type: 'Warning',
  deprecatedSource: { component: 'kubelet', host: 'node-1' },
  deprecatedFirstTimestamp: '2025-01-01T00:00:00Z',
  deprecatedLastTimestamp: '2025-01-01T00:05:00Z',
  deprecatedCount: 7,
};

describe('core/v1 ⇄ events.k8s.io/v1', () => {
  it('renames every field', () => {
    expect(toEventsV1(coreEvent)).toEqual(eventsV1Event);
    expect(fromEventsV1(eventsV1Event)).toEqual(coreEvent);
  });

  it('writes each shape in its own field order', () => {
    expect(Object.keys(toEventsV1(coreEvent))).toEqual(Object.keys(eventsV1Event));
    expect(Object.keys(fromEventsV1(eventsV1Event))).toEqual(Object.keys(coreEvent));
  });

  // Upstream's Test_convert_v1_Event_To_core_Event and Test_convert_core_Event_To_v1_Event.
  it('converts upstream’s test event', () => {
    const meta = { name: 'foo', namespace: 'default' };
    const regarding = { kind: 'Pod', namespace: 'default', name: 'foo' };
    const source = { component: 'controller-manager', host: 'master1' };
    expect(
      fromEventsV1({
        metadata: meta,
        regarding,
        deprecatedSource: source,
        note: 'convert v1 event to core event',
      }),
    ).toEqual({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: meta,
      involvedObject: regarding,
      source,
      message: 'convert v1 event to core event',
    });
    expect(
      toEventsV1({
        metadata: meta,
        involvedObject: regarding,
        source,
        message: 'convert core event to v1 event',
      }),
    ).toEqual({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: meta,
      regarding,
      deprecatedSource: source,
      note: 'convert core event to v1 event',
    });
  });

  it('drops fields neither shape has, and the other shape’s spellings', () => {
    const stored = fromEventsV1({
      ...eventsV1Event,
      message: 'core spelling',
      involvedObject: node,
      extra: true,
    });
    expect(stored).toEqual(coreEvent);
  });
});

describe('round trips', () => {
  const oldStyle: KubeObject = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata,
    involvedObject: pod,
    reason: 'Pulled',
    message: 'Container image "nginx" already present on machine',
    source: { component: 'kubelet', host: 'node-1' },
    firstTimestamp: '2025-01-01T00:00:00Z',
    lastTimestamp: '2025-01-01T00:00:00Z',
    count: 1,
    type: 'Normal',
    eventTime: null,
    reportingComponent: '',
    reportingInstance: '',
  };
  const newStyle: KubeObject = {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { ...metadata, namespace: 'kube-system' },
    eventTime: '2025-01-01T00:00:00.000000Z',
    series: { count: 2, lastObservedTime: '2025-01-01T00:01:00.000000Z' },
    reportingController: 'example.com/scheduler',
    reportingInstance: 'scheduler-7f9c',
    action: 'Binding',
    reason: 'Scheduled',
    regarding: pod,
    related: node,
    note: 'Successfully assigned default/web-1 to node-1',
    type: 'Normal',
  };

  it.each([
    ['an old-style core event', oldStyle],
    ['a core event with series, related and reportingInstance', coreEvent],
  ])('core/v1 → events.k8s.io/v1 → core/v1: %s', (_name, event) => {
    expect(fromEventsV1(toEventsV1(event))).toEqual(event);
  });

  it.each([
    ['a new-style event', newStyle],
    ['an event with every field', eventsV1Event],
  ])('events.k8s.io/v1 → core/v1 → events.k8s.io/v1: %s', (_name, event) => {
    expect(toEventsV1(fromEventsV1(event))).toEqual(event);
  });

  it('core/v1 is stored as written', () => {
    expect(events.toStorage(coreEvent, 'v1')).toEqual(coreEvent);
    expect(events.fromStorage(coreEvent, 'v1')).toEqual(coreEvent);
  });
});

it('refuses a version events are not served in', () => {
  let caught: unknown;
  try {
    events.fromStorage(coreEvent, 'events.k8s.io/v1beta1');
  } catch (error) {
    caught = error;
  }
  expect(isConversionError(caught) && caught.code).toBe('SKIFF_ERR_UNSUPPORTED_VERSION');
});
