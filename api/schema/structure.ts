import { type FieldError, fieldError } from '../field-error.js';
import {
  type FieldSchema,
  jsonFields,
  type MessageSchema,
  messageSchema,
  specialTypes,
  wrappedItemType,
} from './dsl.js';

/**
 * What the schema says about an object's shape, as Kubernetes' decoder and declarative validation say it:
 *
 * - `prune` walks an object against its message, removes the fields the type does not have (Kubernetes
 *   decodes into typed structs, so unknown fields never reach storage) and reports them by path for
 *   `fieldValidation` (Strict: 400, Warn: a Warning header, Ignore: silence). Values of the wrong JSON
 *   type are reported too: they cannot be decoded at all.
 * - `applyDefaults` fills declared defaults into every message present in the object.
 * - `validateDeclared` checks required fields and enums.
 *
 * Paths are printed as Kubernetes prints them: `spec.containers[0].image`, `metadata.labels[app]`.
 */
export interface PruneResult {
  /** Paths of fields the type does not have, e.g. `spec.replica`. */
  readonly unknown: string[];
  /** Values that do not decode into their field's type. */
  readonly typeErrors: { path: string; expected: string; actual: string }[];
}

const jsonType = (value: unknown) =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;

export function prune(schemaName: string, object: unknown): PruneResult {
  const result: PruneResult = { unknown: [], typeErrors: [] };
  walkMessage(messageSchema(schemaName), object, '', result);
  return result;
}

function walkMessage(schema: MessageSchema, value: unknown, path: string, result: PruneResult): void {
  if (value === null || value === undefined) return;
  if (jsonType(value) !== 'object') {
    result.typeErrors.push({ path: path || '.', expected: 'object', actual: jsonType(value) });
    return;
  }
  const object = value as Record<string, unknown>;
  const fields = jsonFields(schema);
  for (const key of Object.keys(object)) {
    const field = fields[key];
    const fieldPath = path ? `${path}.${key}` : key;
    if (!field) {
      // apiVersion and kind are part of every top-level object, declared or not.
      if (path === '' && (key === 'apiVersion' || key === 'kind')) continue;
      result.unknown.push(fieldPath);
      delete object[key];
      continue;
    }
    walkField(field, object[key], fieldPath, result);
  }
}

function walkField(field: FieldSchema, value: unknown, path: string, result: PruneResult): void {
  if (value === null || value === undefined) return;
  if (field.wrapped) {
    // JSON holds the bare list (or, in a map, a bare list per key).
    const item: FieldSchema = { ...field, shape: 'list', type: wrappedItemType(field), wrapped: false };
    if (field.shape === 'map' && jsonType(value) === 'object') {
      for (const [key, list] of Object.entries(value as Record<string, unknown>))
        walkField(item, list, `${path}[${key}]`, result);
    } else walkField(item, value, path, result);
    return;
  }
  if (field.shape === 'list') {
    if (!Array.isArray(value)) {
      result.typeErrors.push({ path, expected: 'array', actual: jsonType(value) });
      return;
    }
    for (const [index, item] of value.entries()) walkValue(field, item, `${path}[${index}]`, result);
  } else if (field.shape === 'map') {
    if (jsonType(value) !== 'object') {
      result.typeErrors.push({ path, expected: 'object', actual: jsonType(value) });
      return;
    }
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      walkValue(field, item, `${path}[${key}]`, result);
    }
  } else {
    walkValue(field, value, path, result);
  }
}

function walkValue(field: FieldSchema, value: unknown, path: string, result: PruneResult): void {
  if (value === null) return;
  const actual = jsonType(value);
  const mismatch = (expected: string) => result.typeErrors.push({ path, expected, actual });
  switch (field.type) {
    case 'string':
    case 'bytes':
    case 'Time':
    case 'MicroTime':
    case 'Duration':
      if (actual !== 'string') mismatch('string');
      return;
    case 'int32':
    case 'int64':
      if (actual !== 'number' || !Number.isInteger(value)) mismatch('integer');
      return;
    case 'double':
      if (actual !== 'number') mismatch('number');
      return;
    case 'bool':
      if (actual !== 'boolean') mismatch('boolean');
      return;
    case 'Quantity':
    case 'IntOrString':
      if (actual !== 'string' && actual !== 'number') mismatch('string or number');
      return;
    case 'FieldsV1':
      if (actual !== 'object') mismatch('object');
      return;
    case 'RawExtension':
    case 'JSON':
      return;
    default:
      walkMessage(messageSchema(field.type), value, path, result);
  }
}

/**
 * What defaulting and validation need of one message, computed once: the few fields with a default or
 * a rule, and the fields that hold messages (to descend into). The walks below then visit only the keys
 * an object has, not every field its type could have — a PodSpec has forty, a pod sets a handful.
 */
interface MessagePlan {
  readonly defaulted: readonly [string, FieldSchema][];
  readonly required: readonly [string, FieldSchema][];
  readonly enums: readonly [string, FieldSchema][];
  readonly nested: ReadonlyMap<string, FieldSchema>;
}

const plans = new Map<string, MessagePlan>();

function planFor(schema: MessageSchema): MessagePlan {
  let plan = plans.get(schema.name);
  if (!plan) {
    const fields = Object.entries(jsonFields(schema));
    plan = {
      defaulted: fields.filter(([, field]) => field.default !== undefined && !isZero(field.default)),
      required: fields.filter(([name, field]) => field.required && name !== 'metadata'),
      enums: fields.filter(([, field]) => field.enum !== undefined && field.shape === 'single'),
      nested: new Map(fields.filter(([, field]) => !field.wrapped && isMessage(field.type))),
    };
    plans.set(schema.name, plan);
  }
  return plan;
}

/** Calls `visit` with each message value a field holds (one, each list item, each map value). */
function eachMessage(
  field: FieldSchema,
  value: unknown,
  path: string,
  visit: (value: unknown, path: string) => void,
) {
  if (value === null || value === undefined) return;
  if (field.shape === 'list') {
    if (Array.isArray(value)) for (const [index, item] of value.entries()) visit(item, `${path}[${index}]`);
  } else if (field.shape === 'map') {
    if (jsonType(value) === 'object') {
      for (const [key, item] of Object.entries(value as Record<string, unknown>))
        visit(item, `${path}[${key}]`);
    }
  } else visit(value, path);
}

/**
 * Fills declared defaults in the object and in every nested message it has. Zero values ('', 0, false,
 * {}) are not filled: the published schemas declare them for Go's non-pointer fields, where they only
 * restate "absent", and writing them would make a stored object differ from what the user sent.
 */
export function applyDefaults(schemaName: string, object: unknown): void {
  defaultMessage(messageSchema(schemaName), object);
}

function defaultMessage(schema: MessageSchema, value: unknown): void {
  if (jsonType(value) !== 'object') return;
  const object = value as Record<string, unknown>;
  const plan = planFor(schema);
  for (const [key, field] of plan.defaulted) {
    if (object[key] === undefined) object[key] = structuredClone(field.default);
  }
  for (const key of Object.keys(object)) {
    const field = plan.nested.get(key);
    if (field) eachMessage(field, object[key], '', (item) => defaultMessage(messageSchema(field.type), item));
  }
}

/** Required fields present (non-empty strings) and enum values allowed, everywhere in the object. */
export function validateDeclared(schemaName: string, object: unknown): FieldError[] {
  const errors: FieldError[] = [];
  checkMessage(messageSchema(schemaName), object, '', errors);
  return errors;
}

function checkMessage(schema: MessageSchema, value: unknown, path: string, errors: FieldError[]): void {
  if (jsonType(value) !== 'object') return;
  const object = value as Record<string, unknown>;
  const plan = planFor(schema);
  const at = (key: string) => (path ? `${path}.${key}` : key);
  for (const [key, field] of plan.required) {
    const present = object[key];
    if (present === undefined || present === null || (present === '' && !field.allowEmpty))
      errors.push(fieldError.required(at(key), ''));
  }
  for (const [key, field] of plan.enums) {
    const present = object[key];
    if (typeof present === 'string' && !field.enum!.includes(present)) {
      errors.push(fieldError.notSupported(at(key), present, field.enum!));
    }
  }
  for (const key of Object.keys(object)) {
    const field = plan.nested.get(key);
    if (field) {
      const nested = messageSchema(field.type);
      eachMessage(field, object[key], at(key), (item, itemPath) =>
        checkMessage(nested, item, itemPath, errors),
      );
    }
  }
}

function isZero(value: unknown): boolean {
  if (value === '' || value === 0 || value === false) return true;
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}

const scalars = new Set(['string', 'int32', 'int64', 'bool', 'double', 'bytes']);
function isMessage(type: string): boolean {
  return !scalars.has(type) && !specialTypes.has(type);
}
