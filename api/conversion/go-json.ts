/**
 * JSON the way Go's encoding/json writes and reads it, for the values Kubernetes tucks into annotations
 * when a version cannot express a field (autoscaling/v1's `autoscaling.alpha.kubernetes.io/*`).
 *
 * Clients see those annotations as opaque strings, so they must match upstream's byte for byte, and
 * upstream must be able to read ours (and we theirs). Three habits of encoding/json matter:
 *
 * - Writing escapes `<`, `>`, `&`, U+2028 and U+2029 (`"a<b"` is written `"a\u003cb"`). Key order is the
 *   caller's: build objects in the Go struct's field order. Maps are written with sorted keys.
 * - Reading matches keys case-insensitively (`"scaleup"` fills `ScaleUp`), and `null` is the same as
 *   absent. Unknown keys are ignored.
 * - A value of the wrong type (a string where a number belongs, `1.5` for an int32, a malformed
 *   quantity or time) fails the whole decode. Upstream then ignores the annotation; the readers here
 *   throw `GoJsonError` so the caller can do the same.
 */
import { Quantity } from '../quantity.js';
import { isRecord } from '../resources/json.js';

/** The text did not decode into the Go type it stands for. Caught where upstream ignores a bad value. */
export class GoJsonError extends Error {
  override readonly name = 'GoJsonError';
}

const goEscapes: Readonly<Record<string, string>> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** json.Marshal: `stringifyGo({ note: 'a<b' })` is `{"note":"a\u003cb"}`. */
export function stringifyGo(value: unknown): string {
  // These characters can only occur inside strings in JSON text, so replacing them everywhere is safe.
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (character) => goEscapes[character] ?? character,
  );
}

/** json.Unmarshal's syntax step: the parsed value, or GoJsonError for malformed text. */
export function parseGo(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new GoJsonError(`malformed JSON: ${(error as Error).message}`);
  }
}

/** The value of `name` in `record`, matched as Go matches keys: case-insensitively, the last match winning. */
function lookup(record: Readonly<Record<string, unknown>>, name: string): unknown {
  const wanted = name.toLowerCase();
  let found: unknown;
  for (const [key, value] of Object.entries(record)) {
    if (key.toLowerCase() === wanted) found = value;
  }
  return found === null ? undefined : found;
}

/** A struct: an object, or undefined for `null` (Go leaves the zero struct). */
export function decodeStruct(value: unknown): Readonly<Record<string, unknown>> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw new GoJsonError(`expected an object, got ${JSON.stringify(value)}`);
  return value;
}

/** A list: an array, or undefined for `null`. */
export function decodeList(value: unknown): readonly unknown[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new GoJsonError(`expected an array, got ${JSON.stringify(value)}`);
  return value;
}

/** Typed reads of one field of a decoded struct; each is undefined when the field is absent or null. */
export const field = {
  struct(record: Readonly<Record<string, unknown>>, name: string) {
    return decodeStruct(lookup(record, name));
  },

  list(record: Readonly<Record<string, unknown>>, name: string) {
    return decodeList(lookup(record, name));
  },

  string(record: Readonly<Record<string, unknown>>, name: string): string | undefined {
    const value = lookup(record, name);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw new GoJsonError(`${name}: expected a string`);
    return value;
  },

  int32(record: Readonly<Record<string, unknown>>, name: string): number | undefined {
    const value = lookup(record, name);
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) {
      throw new GoJsonError(`${name}: expected an int32`);
    }
    return value;
  },

  /** A resource.Quantity, in its canonical form (`"1.5Gi"` reads as `"1536Mi"`); Go accepts a bare number too. */
  quantity(record: Readonly<Record<string, unknown>>, name: string): string | undefined {
    const value = lookup(record, name);
    if (value === undefined) return undefined;
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new GoJsonError(`${name}: expected a quantity`);
    }
    return canonicalQuantity(String(value).trim(), name);
  },

  /** A metav1.Time: RFC 3339, read back in UTC to the second, as metav1.Time marshals itself. */
  time(record: Readonly<Record<string, unknown>>, name: string): string | undefined {
    const value = lookup(record, name);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw new GoJsonError(`${name}: expected a time`);
    return canonicalTime(value, name);
  },

  /** A map[string]string. */
  stringMap(record: Readonly<Record<string, unknown>>, name: string): Record<string, string> | undefined {
    const value = decodeStruct(lookup(record, name));
    if (value === undefined) return undefined;
    const map: Record<string, string> = {};
    for (const [key, entry] of Object.entries(value)) {
      if (entry !== null && typeof entry !== 'string')
        throw new GoJsonError(`${name}.${key}: expected a string`);
      map[key] = entry ?? '';
    }
    return map;
  },
};

function canonicalQuantity(text: string, name: string): string {
  try {
    return Quantity.parse(text).toString();
  } catch {
    throw new GoJsonError(`${name}: malformed quantity ${JSON.stringify(text)}`);
  }
}

/** RFC 3339 with a `T`, seconds and a zone; fractions allowed, as Go's time.RFC3339 parser allows them. */
const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function canonicalTime(text: string, name: string): string {
  const millis = Date.parse(text);
  if (!rfc3339.test(text) || Number.isNaN(millis)) {
    throw new GoJsonError(`${name}: malformed time ${JSON.stringify(text)}`);
  }
  // metav1.Time writes whole seconds in UTC: 2025-01-01T02:00:00.5+02:00 → 2025-01-01T00:00:00Z.
  return `${new Date(Math.floor(millis / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

/** A quantity written as Go writes it: canonical when it parses, else as given (stored data is trusted). */
export function writeQuantity(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return Quantity.parse(value).toString();
  } catch {
    return value;
  }
}

/** A map[string]string as Go writes it: keys sorted. */
export function sortedMap(map: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(map).sort()) sorted[key] = map[key];
  return sorted;
}
