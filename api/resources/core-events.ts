/**
 * core/v1 Events, and the event printer both event APIs share.
 *
 * Upstream stores events.k8s.io/v1 Events in the same place as core ones and prints both from the
 * same internal object, so `kubectl get events` and `kubectl get events.events.k8s.io` show the same
 * table. The two JSON shapes name things differently (involvedObject / regarding, message / note,
 * count / deprecatedCount …), so the printer reads an `EventView` that each version fills in.
 *
 *   LAST SEEN   TYPE      REASON    OBJECT      MESSAGE
 *   2m          Warning   BackOff   pod/web-1   Back-off restarting failed container
 */
import { nameColumn, parseTimestamp, timestampSince } from '../printers.js';
import type { KubeObject, ResourceDefinition, TableColumn } from '../resource.js';
import { asInteger, asString, isRecord, readPath } from './json.js';

/** What the printer needs of an event, whichever version's JSON it came from. */
export interface EventView {
  readonly firstTimestamp: unknown;
  readonly lastTimestamp: unknown;
  readonly eventTime: unknown;
  /** The series object, if the event is a series (newer API); undefined otherwise. */
  readonly series: unknown;
  readonly count: number;
  readonly type: string;
  readonly reason: string;
  readonly involvedKind: string;
  readonly involvedName: string;
  readonly involvedFieldPath: string;
  readonly sourceComponent: string;
  readonly sourceHost: string;
  readonly reportingController: string;
  readonly reportingInstance: string;
  readonly message: string;
}

export function coreEventView(event: KubeObject): EventView {
  return {
    firstTimestamp: event.firstTimestamp,
    lastTimestamp: event.lastTimestamp,
    eventTime: event.eventTime,
    series: event.series,
    count: asInteger(event.count),
    type: asString(event.type),
    reason: asString(event.reason),
    involvedKind: asString(readPath(event, 'involvedObject', 'kind')),
    involvedName: asString(readPath(event, 'involvedObject', 'name')),
    involvedFieldPath: asString(readPath(event, 'involvedObject', 'fieldPath')),
    sourceComponent: asString(readPath(event, 'source', 'component')),
    sourceHost: asString(readPath(event, 'source', 'host')),
    // core/v1 spells the reporting controller `reportingComponent`.
    reportingController: asString(event.reportingComponent),
    reportingInstance: asString(event.reportingInstance),
    message: asString(event.message),
  };
}

/** First Seen: firstTimestamp, else the newer API's eventTime. */
function firstSeen(view: EventView, now: number): string {
  const first = parseTimestamp(view.firstTimestamp) === undefined ? view.eventTime : view.firstTimestamp;
  return timestampSince(first, now);
}

/** Last Seen: the series' last observation, else lastTimestamp, else whatever First Seen shows. */
function lastSeen(view: EventView, now: number): string {
  if (isRecord(view.series)) return timestampSince(view.series.lastObservedTime, now);
  return parseTimestamp(view.lastTimestamp) === undefined
    ? firstSeen(view, now)
    : timestampSince(view.lastTimestamp, now);
}

/** The series count, else count — where a singleton event from the newer API, with count 0, counts 1. */
function occurrences(view: EventView): number {
  if (isRecord(view.series)) return asInteger(view.series.count);
  return view.count === 0 ? 1 : view.count;
}

/** `pod/web-1`, or just `node` for an event about a kind rather than an object. */
function involvedObject(view: EventView): string {
  const kind = view.involvedKind.toLowerCase();
  return view.involvedName === '' ? kind : `${kind}/${view.involvedName}`;
}

/** `kubelet, node-1`: component (or reporting controller), then host (or reporting instance) if any. */
function source(view: EventView): string {
  const component = view.sourceComponent || view.reportingController;
  const instance = view.sourceHost || view.reportingInstance;
  return instance === '' ? component : `${component}, ${instance}`;
}

/** The event table; the Name column comes last and only with `-o wide`. */
export function eventColumns(viewOf: (event: KubeObject) => EventView): readonly TableColumn[] {
  return [
    {
      name: 'Last Seen',
      type: 'string',
      description: 'How long ago the event was last observed.',
      cell: (event, now) => lastSeen(viewOf(event), now),
    },
    {
      name: 'Type',
      type: 'string',
      description: 'Normal or Warning.',
      cell: (event) => viewOf(event).type,
    },
    {
      name: 'Reason',
      type: 'string',
      description: 'A short, machine-readable word for why the event happened.',
      cell: (event) => viewOf(event).reason,
    },
    {
      name: 'Object',
      type: 'string',
      description: 'The object the event is about, as kind/name.',
      cell: (event) => involvedObject(viewOf(event)),
    },
    {
      name: 'Subobject',
      type: 'string',
      priority: 1,
      description: 'The part of the object the event is about, such as one container.',
      cell: (event) => viewOf(event).involvedFieldPath,
    },
    {
      name: 'Source',
      type: 'string',
      priority: 1,
      description: 'The component, and the host or instance, that reported the event.',
      cell: (event) => source(viewOf(event)),
    },
    {
      name: 'Message',
      type: 'string',
      description: 'What happened, in words.',
      cell: (event) => viewOf(event).message.trim(),
    },
    {
      name: 'First Seen',
      type: 'string',
      priority: 1,
      description: 'How long ago the event was first observed.',
      cell: (event, now) => firstSeen(viewOf(event), now),
    },
    {
      name: 'Count',
      type: 'string',
      priority: 1,
      description: 'How many times the event has occurred.',
      cell: (event) => occurrences(viewOf(event)),
    },
    { ...nameColumn, priority: 1 },
  ];
}

export const coreEvents: ResourceDefinition = {
  group: '',
  version: 'v1',
  kind: 'Event',
  plural: 'events',
  singular: 'event',
  namespaced: true,
  shortNames: ['ev'],
  schema: 'io.k8s.api.core.v1.Event',
  allowCreateOnUpdate: true,
  columns: eventColumns(coreEventView),
  fieldSelectors: {
    'involvedObject.kind': (event) => asString(readPath(event, 'involvedObject', 'kind')),
    'involvedObject.namespace': (event) => asString(readPath(event, 'involvedObject', 'namespace')),
    'involvedObject.name': (event) => asString(readPath(event, 'involvedObject', 'name')),
    'involvedObject.uid': (event) => asString(readPath(event, 'involvedObject', 'uid')),
    'involvedObject.apiVersion': (event) => asString(readPath(event, 'involvedObject', 'apiVersion')),
    'involvedObject.resourceVersion': (event) =>
      asString(readPath(event, 'involvedObject', 'resourceVersion')),
    'involvedObject.fieldPath': (event) => asString(readPath(event, 'involvedObject', 'fieldPath')),
    reason: (event) => asString(event.reason),
    reportingComponent: (event) => asString(event.reportingComponent),
    // The source component, or the reporting controller for events from the newer API.
    source: (event) => asString(readPath(event, 'source', 'component')) || asString(event.reportingComponent),
    type: (event) => asString(event.type),
  },
};
