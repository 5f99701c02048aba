import { goQuote } from '../../api/go-quote.js';
import { isRecord } from '../../api/resources/json.js';
import { FieldSet } from './field-set.js';

/**
 * `metadata.managedFields` read into field sets and written back (apimachinery's managedfields
 * encoding). Each entry is one manager's fields for one operation:
 *
 *   - manager: kubectl            one entry per manager, operation and subresource; an Update entry
 *     operation: Apply            also per apiVersion (an Apply entry moves to the version last applied)
 *     apiVersion: apps/v1
 *     time: "2026-11-22T10:00:00Z"   when the manager last changed something
 *     fieldsType: FieldsV1
 *     fieldsV1: {f:spec: {f:replicas: {}}}
 *     subresource: status         (only for writes to a subresource)
 *
 * Entries are written sorted: Apply before Update, then by time, manager, apiVersion, subresource.
 */
export type Operation = 'Apply' | 'Update';

export interface ManagerIdentity {
  readonly manager: string;
  readonly operation: Operation;
  /** Part of an Update manager's identity only. */
  readonly apiVersion?: string;
  readonly subresource?: string;
}

export interface VersionedSet {
  readonly set: FieldSet;
  readonly apiVersion: string;
  readonly applied: boolean;
}

/**
 * The managers' sets by identity, and when each last changed something. Identities are upstream's:
 * the JSON of manager, operation, apiVersion (Update only) and subresource — also what a conflict names.
 */
export interface Managed {
  readonly fields: Map<string, VersionedSet>;
  readonly times: Map<string, string | undefined>;
}

export const emptyManaged = (): Managed => ({ fields: new Map(), times: new Map() });

export function managerIdentifier(identity: ManagerIdentity): string {
  // Go's field order and omitempty: {"manager":…,"operation":…,"apiVersion":…,"subresource":…}.
  return JSON.stringify({
    manager: identity.manager,
    operation: identity.operation,
    ...(identity.operation === 'Update' && identity.apiVersion ? { apiVersion: identity.apiVersion } : {}),
    ...(identity.subresource ? { subresource: identity.subresource } : {}),
  });
}

export function parseIdentifier(identifier: string): ManagerIdentity {
  return JSON.parse(identifier) as ManagerIdentity;
}

/** Reads managedFields; throws (with upstream's words) on an entry it cannot use. */
export function decodeManagedFields(entries: readonly unknown[]): Managed {
  const managed = emptyManaged();
  for (const [index, raw] of entries.entries()) {
    const entry = isRecord(raw) ? raw : {};
    const operation = entry.operation;
    if (operation !== 'Apply' && operation !== 'Update')
      throw new Error('operation must be `Apply` or `Update`');
    if (typeof entry.apiVersion !== 'string' || entry.apiVersion === '') {
      throw new Error('apiVersion must not be empty');
    }
    if (entry.fieldsType !== 'FieldsV1') {
      throw new Error(
        entry.fieldsType === undefined || entry.fieldsType === ''
          ? `missing fieldsType in managed fields entry ${index}`
          : `invalid fieldsType ${JSON.stringify(entry.fieldsType)} in managed fields entry ${index}`,
      );
    }
    const identifier = managerIdentifier({
      manager: typeof entry.manager === 'string' ? entry.manager : '',
      operation,
      apiVersion: entry.apiVersion,
      ...(typeof entry.subresource === 'string' ? { subresource: entry.subresource } : {}),
    });
    const set = entry.fieldsV1 === undefined ? FieldSet.empty : FieldSet.fromFieldsV1(entry.fieldsV1);
    managed.fields.set(identifier, { set, apiVersion: entry.apiVersion, applied: operation === 'Apply' });
    managed.times.set(identifier, typeof entry.time === 'string' ? entry.time : undefined);
  }
  return managed;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: Operation;
  apiVersion: string;
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

/** The managedFields to store; undefined when no manager is left (the field is then omitted). */
export function encodeManagedFields(managed: Managed): ManagedFieldsEntry[] | undefined {
  if (managed.fields.size === 0) return undefined;
  const entries: ManagedFieldsEntry[] = [];
  for (const [identifier, versioned] of managed.fields) {
    const identity = parseIdentifier(identifier);
    const time = managed.times.get(identifier);
    entries.push(
      Object.freeze({
        manager: identity.manager,
        operation: versioned.applied ? 'Apply' : 'Update',
        apiVersion: versioned.apiVersion,
        ...(time !== undefined ? { time } : {}),
        fieldsType: 'FieldsV1',
        fieldsV1: versioned.set.toFieldsV1(),
        ...(identity.subresource ? { subresource: identity.subresource } : {}),
      }),
    );
  }
  const seconds = (time: string | undefined) =>
    time === undefined ? 0 : Math.floor(Date.parse(time) / 1000);
  const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  // Frozen, as everything shared with the watch cache ends up (see field-set.ts).
  entries.sort(
    (p, q) =>
      text(p.operation, q.operation) ||
      seconds(p.time) - seconds(q.time) ||
      text(p.manager, q.manager) ||
      text(p.apiVersion, q.apiVersion) ||
      text(p.subresource ?? '', q.subresource ?? ''),
  );
  return Object.freeze(entries) as ManagedFieldsEntry[];
}

/**
 * How a conflict names a manager: `"kubectl"` for an applier, `"kubectl-edit" using apps/v1` for an
 * updater, with `with subresource "status"` where it wrote one.
 */
export function describeManager(identifier: string): string {
  let identity: ManagerIdentity;
  try {
    identity = parseIdentifier(identifier);
  } catch {
    return goQuote(identifier);
  }
  let text = goQuote(identity.manager);
  if (identity.subresource) text += ` with subresource ${goQuote(identity.subresource)}`;
  if (identity.operation === 'Update') text += ` using ${identity.apiVersion ?? ''}`;
  return text;
}
