/**
 * Events: core/v1 `events` and events.k8s.io/v1 `events` are one resource in two shapes. Upstream keeps
 * both in /registry/events (Skiff: /registry/core/events) in the core shape, so an event written through
 * either API is listed by both. The newer API renames seven fields and keeps the rest:
 *
 *   core/v1              events.k8s.io/v1
 *   involvedObject   ⇄   regarding
 *   message          ⇄   note
 *   source           ⇄   deprecatedSource
 *   firstTimestamp   ⇄   deprecatedFirstTimestamp
 *   lastTimestamp    ⇄   deprecatedLastTimestamp
 *   count            ⇄   deprecatedCount
 *   reportingComponent ⇄ reportingController
 *   reason, type, eventTime, series, action, related, reportingInstance: the same in both
 *
 * Every field has exactly one counterpart, so the conversion loses nothing either way (upstream's
 * Convert_v1_Event_To_core_Event and back, pkg/apis/events/v1/conversion.go). Fields neither shape
 * knows are dropped, as decoding into the Go type drops them.
 */
import type { KubeObject } from '../resource.js';
import { type Conversion, unsupportedVersion } from './conversion.js';

const coreVersion = 'v1';
const eventsVersion = 'events.k8s.io/v1';
const servedVersions = [coreVersion, eventsVersion] as const;

/** [core/v1 name, events.k8s.io/v1 name], in core/v1's field order. */
const coreToEvents: readonly (readonly [string, string])[] = [
  ['involvedObject', 'regarding'],
  ['reason', 'reason'],
  ['message', 'note'],
  ['source', 'deprecatedSource'],
  ['firstTimestamp', 'deprecatedFirstTimestamp'],
  ['lastTimestamp', 'deprecatedLastTimestamp'],
  ['count', 'deprecatedCount'],
  ['type', 'type'],
  ['eventTime', 'eventTime'],
  ['series', 'series'],
  ['action', 'action'],
  ['related', 'related'],
  ['reportingComponent', 'reportingController'],
  ['reportingInstance', 'reportingInstance'],
];

/** events.k8s.io/v1's field order, for output in that shape. */
const eventsFieldOrder = [
  'eventTime',
  'series',
  'reportingController',
  'reportingInstance',
  'action',
  'reason',
  'regarding',
  'related',
  'note',
  'type',
  'deprecatedSource',
  'deprecatedFirstTimestamp',
  'deprecatedLastTimestamp',
  'deprecatedCount',
] as const;

const eventsNameOf = new Map(coreToEvents);
const coreNameOf = new Map(coreToEvents.map(([core, events]) => [events, core]));

/** apiVersion, kind and metadata, the head of every converted event. */
function head(object: KubeObject, apiVersion: string): KubeObject {
  const out: KubeObject = { apiVersion, kind: 'Event' };
  if (object.metadata !== undefined) out.metadata = structuredClone(object.metadata);
  return out;
}

/** Copies each field present in `object` under its name in the other shape, in `order`. */
function renameFields(
  object: KubeObject,
  out: KubeObject,
  order: readonly string[],
  sourceNameOf: ReadonlyMap<string, string>,
): KubeObject {
  for (const name of order) {
    const value = object[sourceNameOf.get(name) ?? name];
    if (value !== undefined) out[name] = structuredClone(value);
  }
  return out;
}

/** A core/v1 event as events.k8s.io/v1 shows it. */
export function coreEventToEventsV1(event: KubeObject): KubeObject {
  return renameFields(event, head(event, eventsVersion), eventsFieldOrder, coreNameOf);
}

/** An events.k8s.io/v1 event in the core/v1 shape it is stored in. */
export function eventsV1EventToCore(event: KubeObject): KubeObject {
  const coreOrder = coreToEvents.map(([core]) => core);
  return renameFields(event, head(event, coreVersion), coreOrder, eventsNameOf);
}

/** A core/v1 event as it stands, a copy with its apiVersion and kind set. */
function copyCoreEvent(event: KubeObject): KubeObject {
  return { ...structuredClone(event), apiVersion: coreVersion, kind: 'Event' };
}

export const eventConversion: Conversion = {
  storageVersion: coreVersion,
  servedVersions,

  toStorage(object, fromApiVersion) {
    if (fromApiVersion === coreVersion) return copyCoreEvent(object);
    if (fromApiVersion === eventsVersion) return eventsV1EventToCore(object);
    throw unsupportedVersion('Event', fromApiVersion, servedVersions);
  },

  fromStorage(object, toApiVersion) {
    if (toApiVersion === coreVersion) return copyCoreEvent(object);
    if (toApiVersion === eventsVersion) return coreEventToEventsV1(object);
    throw unsupportedVersion('Event', toApiVersion, servedVersions);
  },
};
