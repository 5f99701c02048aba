/**
 * events.k8s.io/v1 Events: the same events as core/v1's, in the newer shape (regarding, note,
 * reportingController, deprecated* fields). They share core's short name `ev` and its table.
 */
import type { KubeObject, ResourceDefinition } from '../resource.js';
import { type EventView, eventColumns } from './core-events.js';
import { asInteger, asString, readPath } from './json.js';

export function eventsV1View(event: KubeObject): EventView {
  return {
    firstTimestamp: event.deprecatedFirstTimestamp,
    lastTimestamp: event.deprecatedLastTimestamp,
    eventTime: event.eventTime,
    series: event.series,
    count: asInteger(event.deprecatedCount),
    type: asString(event.type),
    reason: asString(event.reason),
    involvedKind: asString(readPath(event, 'regarding', 'kind')),
    involvedName: asString(readPath(event, 'regarding', 'name')),
    involvedFieldPath: asString(readPath(event, 'regarding', 'fieldPath')),
    sourceComponent: asString(readPath(event, 'deprecatedSource', 'component')),
    sourceHost: asString(readPath(event, 'deprecatedSource', 'host')),
    reportingController: asString(event.reportingController),
    reportingInstance: asString(event.reportingInstance),
    message: asString(event.note),
  };
}

export const events: ResourceDefinition = {
  group: 'events.k8s.io',
  version: 'v1',
  kind: 'Event',
  plural: 'events',
  singular: 'event',
  namespaced: true,
  shortNames: ['ev'],
  schema: 'io.k8s.api.events.v1.Event',
  allowCreateOnUpdate: true,
  columns: eventColumns(eventsV1View),
  // This version's own field names; core/v1's spellings (involvedObject.*, source) are refused here.
  fieldSelectors: {
    'regarding.kind': (event) => asString(readPath(event, 'regarding', 'kind')),
    'regarding.namespace': (event) => asString(readPath(event, 'regarding', 'namespace')),
    'regarding.name': (event) => asString(readPath(event, 'regarding', 'name')),
    'regarding.uid': (event) => asString(readPath(event, 'regarding', 'uid')),
    'regarding.apiVersion': (event) => asString(readPath(event, 'regarding', 'apiVersion')),
    'regarding.resourceVersion': (event) => asString(readPath(event, 'regarding', 'resourceVersion')),
    'regarding.fieldPath': (event) => asString(readPath(event, 'regarding', 'fieldPath')),
    reason: (event) => asString(event.reason),
    reportingController: (event) => asString(event.reportingController),
    type: (event) => asString(event.type),
  },
};
