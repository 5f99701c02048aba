import { goQuote } from '../../api/go-quote.js';
import { isRecord } from '../../api/resources/json.js';

/**
 * One step of a field path, as server-side apply names the parts of an object (structured-merge-diff's
 * PathElement), and its two spellings:
 *
 *   step                         in managedFields (FieldsV1)           in messages (conflicts)
 *   a struct or map field        f:replicas                            .replicas
 *   an item of a keyed list      k:{"containerPort":80,"protocol":"TCP"}  [containerPort=80,protocol="TCP"]
 *   an item of a set             v:"example.com/finalizer"             [="example.com/finalizer"]
 *   an item by position          i:0                                   [0]
 *
 * Steps are ordered (fields, then keys, then values, then indexes; each by its content) because a
 * field set keeps its members sorted and FieldsV1 lists them in that order.
 */
export type PathElement =
  | { readonly type: 'field'; readonly name: string }
  /** The key fields of a keyed list's item, sorted by name. */
  | { readonly type: 'key'; readonly fields: readonly KeyField[] }
  | { readonly type: 'value'; readonly value: unknown }
  | { readonly type: 'index'; readonly index: number };

export type KeyField = readonly [name: string, value: unknown];

export type Path = readonly PathElement[];

/** Field steps are by far the most common: one object per name, made once. */
const fieldSteps = new Map<string, PathElement>();

export function fieldElement(name: string): PathElement {
  let step = fieldSteps.get(name);
  if (!step) {
    step = { type: 'field', name };
    if (fieldSteps.size < 100_000) fieldSteps.set(name, step);
  }
  return step;
}

export function keyElement(fields: KeyField[]): PathElement {
  fields.sort(([a], [b]) => compareStrings(a, b));
  return { type: 'key', fields };
}

export function valueElement(value: unknown): PathElement {
  return { type: 'value', value };
}

export function indexElement(index: number): PathElement {
  return { type: 'index', index };
}

const typeOrder = { field: 0, key: 1, value: 2, index: 3 } as const;

/** Go compares strings byte by byte; for the names and values found in objects, code units agree. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareElements(a: PathElement, b: PathElement): number {
  if (a === b) return 0;
  if (a.type !== b.type) return typeOrder[a.type] - typeOrder[b.type];
  switch (a.type) {
    case 'field':
      return compareStrings(a.name, (b as typeof a).name);
    case 'key': {
      const other = (b as typeof a).fields;
      for (let index = 0; ; index++) {
        const left = a.fields[index];
        const right = other[index];
        if (!left) return right ? -1 : 0;
        if (!right) return 1;
        const byName = compareStrings(left[0], right[0]);
        if (byName !== 0) return byName;
        const byValue = compareValues(left[1], right[1]);
        if (byValue !== 0) return byValue;
      }
    }
    case 'value':
      return compareValues(a.value, (b as typeof a).value);
    case 'index':
      return a.index - (b as typeof a).index;
  }
}

/** Go's order of decoded JSON values: numbers, strings, booleans, lists, maps, null. */
const valueRank = (value: unknown): number => {
  if (typeof value === 'number') return 0;
  if (typeof value === 'string') return 1;
  if (typeof value === 'boolean') return 2;
  if (Array.isArray(value)) return 3;
  if (isRecord(value)) return 4;
  return 5;
};

export function compareValues(a: unknown, b: unknown): number {
  const rank = valueRank(a) - valueRank(b);
  if (rank !== 0) return rank;
  if (typeof a === 'number') return a - (b as number);
  if (typeof a === 'string') return compareStrings(a, b as string);
  if (typeof a === 'boolean') return Number(a) - Number(b);
  if (Array.isArray(a)) {
    const other = b as unknown[];
    for (let index = 0; index < Math.min(a.length, other.length); index++) {
      const byItem = compareValues(a[index], other[index]);
      if (byItem !== 0) return byItem;
    }
    return a.length - other.length;
  }
  if (isRecord(a)) {
    const other = b as Record<string, unknown>;
    const left = Object.keys(a).sort(compareStrings);
    const right = Object.keys(other).sort(compareStrings);
    for (let index = 0; index < Math.min(left.length, right.length); index++) {
      const byName = compareStrings(left[index]!, right[index]!);
      if (byName !== 0) return byName;
      const byValue = compareValues(a[left[index]!], other[right[index]!]);
      if (byValue !== 0) return byValue;
    }
    return left.length - right.length;
  }
  return 0;
}

/** Each step's FieldsV1 key, worked out once (steps are immutable). */
const serialized = new WeakMap<PathElement, string>();

/** The step as a FieldsV1 key: `f:name`, `k:{"name":"web"}`, `v:"a"`, `i:0`. */
export function serializeElement(step: PathElement): string {
  let text = serialized.get(step);
  if (text === undefined) {
    switch (step.type) {
      case 'field':
        // Cached too: the same few names are written over and over, as property names.
        text = `f:${step.name}`;
        break;
      case 'key':
        text = `k:{${step.fields.map(([name, value]) => `${goJson(name)}:${goJson(value)}`).join(',')}}`;
        break;
      case 'value':
        text = `v:${goJson(step.value)}`;
        break;
      case 'index':
        text = `i:${step.index}`;
        break;
    }
    serialized.set(step, text);
  }
  return text;
}

/** A FieldsV1 key as a step; undefined for a kind of step this server does not know (skipped, as upstream does). */
export function parseElement(text: string): PathElement | undefined {
  if (text.length < 2 || text[1] !== ':') throw new Error(`invalid path element ${JSON.stringify(text)}`);
  const content = text.slice(2);
  switch (text[0]) {
    case 'f':
      return fieldElement(content);
    case 'k': {
      const parsed: unknown = JSON.parse(content);
      if (!isRecord(parsed)) throw new Error(`invalid key ${JSON.stringify(content)}`);
      const step = keyElement(Object.entries(parsed));
      serialized.set(step, text);
      return step;
    }
    case 'v': {
      const step = valueElement(JSON.parse(content));
      serialized.set(step, text);
      return step;
    }
    case 'i': {
      const index = Number(content);
      if (!Number.isInteger(index)) throw new Error(`invalid index ${JSON.stringify(content)}`);
      return indexElement(index);
    }
    default:
      return undefined;
  }
}

/** The step as upstream prints paths in messages: `.replicas`, `[name="web"]`, `[="a"]`, `[0]`. */
export function formatElement(step: PathElement): string {
  switch (step.type) {
    case 'field':
      return `.${step.name}`;
    case 'key':
      return `[${step.fields.map(([name, value]) => `${name}=${formatValue(value)}`).join(',')}]`;
    case 'value':
      return `[=${formatValue(step.value)}]`;
    case 'index':
      return `[${step.index}]`;
  }
}

export function formatPath(path: Path): string {
  return path.map(formatElement).join('');
}

function formatValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return goQuote(value);
  if (Array.isArray(value)) return `[${value.map(formatValue).join(',')}]`;
  if (isRecord(value)) {
    return Object.entries(value)
      .map(([key, item]) => `${key}=${formatValue(item)}`)
      .join('');
  }
  return String(value);
}

/**
 * JSON as Go's encoder writes it (keys in FieldsV1 are compared as text by clients): `<`, `>` and `&`
 * are escaped as \u003c, \u003e and \u0026, and so are U+2028 and U+2029.
 */
const goEscaped = /[<>&\u2028\u2029]/;

function goJson(value: unknown): string {
  const text = JSON.stringify(value);
  if (!goEscaped.test(text)) return text;
  return text.replace(/[<>&\u2028\u2029]/g, (character) => {
    return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}
