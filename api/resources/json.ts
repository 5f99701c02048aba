/**
 * Reading stored objects as plain JSON, the way Go reads them after decoding into typed structs.
 *
 * Upstream's printers and field selectors run on typed objects, where an absent field is the type's
 * zero value: `""`, `0`, `false`, an empty list. These readers give the same answers on JSON that may
 * lack a field or hold the wrong type, so a cell or a selectable field never throws:
 *
 *   asInteger(readPath(pod, 'status', 'containerStatuses', 0, 'restartCount'))   // 0 when absent
 *   asString(readPath(pod, 'spec', 'nodeName'))                                // '' when absent
 */

/** The value at `path` below `value`, or undefined as soon as a step is missing. */
export function readPath(value: unknown, ...path: readonly (string | number)[]): unknown {
  let current = value;
  for (const step of path) {
    if (typeof step === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[step];
    } else {
      if (!isRecord(current)) return undefined;
      current = current[step];
    }
  }
  return current;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string, or Go's zero value `''`. */
export function asString(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** An integer (JSON numbers are read as Go reads int32/int64 fields), or `0`. */
export function asInteger(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : 0;
}

/** Only a JSON `true` is true, as a Go bool decodes. */
export function asBoolean(value: unknown): boolean {
  return value === true;
}

export function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asRecord(value: unknown): Readonly<Record<string, unknown>> {
  return isRecord(value) ? value : {};
}

/** A map of strings (labels, selectors, annotations); non-string values are dropped. */
export function asStringMap(value: unknown): Readonly<Record<string, string>> {
  const map: Record<string, string> = {};
  for (const [key, entry] of Object.entries(asRecord(value))) {
    if (typeof entry === 'string') map[key] = entry;
  }
  return map;
}

/** Whether a pointer field is set: present and not null (Go's `!= nil`). */
export function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}
