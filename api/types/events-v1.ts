/**
 * events.k8s.io/v1: Event, as Kubernetes 1.33 has it.
 *
 * Field names and numbers are the wire protocol (JSON and protobuf): never renumber or rename them.
 */
import { f, message } from '../schema/dsl.js';

export const Event = message(
  'io.k8s.api.events.v1.Event',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    eventTime: f.microTime(2, { required: true }),
    series: f.message(3, 'io.k8s.api.events.v1.EventSeries'),
    reportingController: f.string(4),
    reportingInstance: f.string(5),
    action: f.string(6),
    reason: f.string(7),
    regarding: f.message(8, 'io.k8s.api.core.v1.ObjectReference', { default: {} }),
    related: f.message(9, 'io.k8s.api.core.v1.ObjectReference'),
    note: f.string(10),
    type: f.string(11),
    deprecatedSource: f.message(12, 'io.k8s.api.core.v1.EventSource', { default: {} }),
    deprecatedFirstTimestamp: f.time(13),
    deprecatedLastTimestamp: f.time(14),
    deprecatedCount: f.int32(15, { format: 'int32' }),
  },
  { gvk: [{ group: 'events.k8s.io', version: 'v1', kind: 'Event' }] },
);

export const EventList = message(
  'io.k8s.api.events.v1.EventList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.events.v1.Event', { required: true }),
  },
  { gvk: [{ group: 'events.k8s.io', version: 'v1', kind: 'EventList' }] },
);

message('io.k8s.api.events.v1.EventSeries', {
  count: f.int32(1, { required: true, default: 0, format: 'int32' }),
  lastObservedTime: f.microTime(2, { required: true }),
});
