import {
  type FieldSchema,
  hasMessage,
  jsonFields,
  messageSchema,
  specialTypes,
  wrappedItemType,
} from '../../api/schema/dsl.js';
import { atomicStructs } from '../../api/schema/struct-types.js';

/**
 * How server-side apply sees a type, derived from the declarations in `api/types` the way kube-openapi's
 * schemaconv derives it from OpenAPI:
 *
 *   scalars, and Time, Quantity, IntOrString, Duration     leaves
 *   a message                                              a struct of its fields: granular, unless the
 *                                                          message or the field says atomic
 *   map<string, T>                                         granular, unless `mapType: 'atomic'`
 *   a list with listType atomic, or with no list type      atomic: owned and replaced whole
 *     and no merge strategy
 *   listType set, or patchStrategy merge without a key     a set of scalars, item by item (`v:`)
 *   listType map, or patchStrategy merge with a key        items by their keys (`k:`); a key field the
 *                                                          item lacks takes its declared default, so a
 *                                                          port without a protocol is `protocol: TCP`
 *   RawExtension, JSON, a field the schema lacks           deduced from the value: objects granular,
 *                                                          lists atomic
 */
export type TypeRef = ScalarType | StructType | MapType | ListType | DeducedType;

export interface ScalarType {
  readonly kind: 'scalar';
  /** What JSON values it takes; `untyped` (Time, Quantity, IntOrString …) takes any scalar. */
  readonly scalar: 'string' | 'numeric' | 'boolean' | 'untyped';
}

export interface StructType {
  readonly kind: 'struct';
  readonly name: string;
  readonly atomic: boolean;
  readonly fields: Readonly<Record<string, FieldSchema>>;
}

export interface MapType {
  readonly kind: 'map';
  readonly atomic: boolean;
  readonly values: TypeRef;
}

export interface ListType {
  readonly kind: 'list';
  /** Atomic lists are leaves; associative ones are keyed (`keys` non-empty) or sets. */
  readonly associative: boolean;
  readonly keys: readonly string[];
  /** Declared defaults of the key fields, for items that leave a key out. */
  readonly keyDefaults: Readonly<Record<string, unknown>>;
  readonly element: TypeRef;
}

export interface DeducedType {
  readonly kind: 'deduced';
}

const scalars = {
  string: { kind: 'scalar', scalar: 'string' },
  numeric: { kind: 'scalar', scalar: 'numeric' },
  boolean: { kind: 'scalar', scalar: 'boolean' },
  untyped: { kind: 'scalar', scalar: 'untyped' },
} as const satisfies Record<string, ScalarType>;
export const deducedType: DeducedType = { kind: 'deduced' };

/** The type of a whole object of the message `schemaName`; objects without a schema are deduced. */
export function objectType(schemaName: string): TypeRef {
  return hasMessage(schemaName) ? messageType(schemaName, undefined) : deducedType;
}

const structTypes = new Map<string, StructType>();

function messageType(name: string, mapType: FieldSchema['mapType']): TypeRef {
  if (specialTypes.has(name)) {
    return name === 'RawExtension' || name === 'JSON' || name === 'FieldsV1' ? deducedType : scalars.untyped;
  }
  if (!hasMessage(name)) return scalars.untyped;
  const atomic = mapType ? mapType === 'atomic' : atomicStructs.has(name);
  const key = atomic ? `${name}#atomic` : name;
  let type = structTypes.get(key);
  if (!type) {
    type = { kind: 'struct', name, atomic, fields: jsonFields(messageSchema(name)) };
    structTypes.set(key, type);
  }
  return type;
}

function valueType(type: string, mapType?: FieldSchema['mapType']): TypeRef {
  switch (type) {
    case 'string':
    case 'bytes':
      return scalars.string;
    case 'int32':
    case 'int64':
    case 'double':
      return scalars.numeric;
    case 'bool':
      return scalars.boolean;
    default:
      return messageType(type, mapType);
  }
}

const fieldTypes = new WeakMap<FieldSchema, TypeRef>();

/** The type of the value a field holds. */
export function fieldType(field: FieldSchema): TypeRef {
  let type = fieldTypes.get(field);
  if (!type) {
    type = computeFieldType(field);
    fieldTypes.set(field, type);
  }
  return type;
}

function computeFieldType(field: FieldSchema): TypeRef {
  if (field.wrapped) {
    const items = wrappedItemType(field);
    const list = listType(field, valueType(items));
    return field.shape === 'map' ? { kind: 'map', atomic: field.mapType === 'atomic', values: list } : list;
  }
  if (field.shape === 'list') return listType(field, valueType(field.type));
  if (field.shape === 'map') {
    return { kind: 'map', atomic: field.mapType === 'atomic', values: valueType(field.type) };
  }
  return valueType(field.type, field.mapType);
}

function listType(field: FieldSchema, element: TypeRef): ListType {
  let associative = false;
  let keys: readonly string[] = [];
  if (field.listType) {
    associative = field.listType !== 'atomic';
    if (field.listType === 'map') keys = field.listMapKeys ?? [];
  } else if (field.patchStrategy?.split(',').includes('merge')) {
    associative = true;
    if (field.patchMergeKey) keys = [field.patchMergeKey];
  }
  const keyDefaults: Record<string, unknown> = {};
  if (element.kind === 'struct') {
    for (const key of keys) {
      const declared = element.fields[key]?.default;
      if (declared !== undefined) keyDefaults[key] = declared;
    }
  }
  return { kind: 'list', associative, keys, keyDefaults, element };
}

/** The type of one key of a struct or map value; undefined for a struct field the schema lacks. */
export function memberType(type: StructType | MapType | DeducedType, key: string): TypeRef | undefined {
  if (type.kind === 'map') return type.values;
  if (type.kind === 'deduced') return deducedType;
  const field = type.fields[key];
  return field ? fieldType(field) : undefined;
}

/** Whether `key` is a declared field (a struct's), as opposed to an entry of a map. */
export function isNamedField(type: TypeRef, key: string): boolean {
  return type.kind === 'struct' && type.fields[key] !== undefined;
}

const zeroObjects = new Map<string, string>();

/**
 * The object a create starts from, as Go's zero value of the type serialises: a struct field that is
 * not a pointer (the published schema gives it `default: {}`) is an empty object, a field without
 * `omitempty` (the schema's `required`) is there as its zero value — null for lists, maps and pointers —
 * and ObjectMeta has `creationTimestamp: null`. Comparing a new object with this one decides which of
 * its maps and lists a creator owns as a whole (a `labels` map it brings: `".": {}`) and which were
 * there anyway (`spec`, a pod's `containers`).
 */
export function zeroObject(schemaName: string): Record<string, unknown> {
  if (!hasMessage(schemaName)) return {};
  let text = zeroObjects.get(schemaName);
  if (text === undefined) {
    text = JSON.stringify(zeroOf(schemaName, new Set()));
    zeroObjects.set(schemaName, text);
  }
  return JSON.parse(text) as Record<string, unknown>;
}

const isEmptyObject = (value: unknown) =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;

function zeroOf(name: string, visiting: Set<string>): Record<string, unknown> {
  if (name === 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta') return { creationTimestamp: null };
  const zero: Record<string, unknown> = {};
  visiting.add(name);
  for (const [key, field] of Object.entries(jsonFields(messageSchema(name)))) {
    const isMessage = !specialTypes.has(field.type) && hasMessage(field.type);
    if (field.shape === 'single' && !field.wrapped && isMessage && isEmptyObject(field.default)) {
      if (!visiting.has(field.type)) zero[key] = zeroOf(field.type, visiting);
    } else if (field.required && key !== 'metadata') {
      const scalarZero = field.default === '' || field.default === 0 || field.default === false;
      zero[key] = field.shape === 'single' && scalarZero ? field.default : null;
    }
  }
  visiting.delete(name);
  return zero;
}
