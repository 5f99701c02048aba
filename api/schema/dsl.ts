/**
 * The schema language: how Skiff declares each API type once.
 *
 * A type is a message: named fields, each with its JSON name, its protobuf field number and its type,
 * plus what the rest of the system needs to know about it — whether it is required, its default, the
 * values it may take, and how a patch merges it (patch strategy and merge key, list and map types).
 * Validation, defaulting, OpenAPI, protobuf and strategic-merge-patch metadata are all derived from
 * these declarations; nothing else in the project restates a type's shape.
 *
 * Example, a trimmed Container:
 *
 *   message('io.k8s.api.core.v1.Container', {
 *     name: f.string(1, { required: true }),
 *     image: f.string(2),
 *     command: f.list(3, 'string', { listType: 'atomic' }),
 *     ports: f.list(6, 'io.k8s.api.core.v1.ContainerPort', {
 *       patchStrategy: 'merge', patchMergeKey: 'containerPort',
 *       listType: 'map', listMapKeys: ['containerPort', 'protocol'],
 *     }),
 *     resources: f.message(8, 'io.k8s.api.core.v1.ResourceRequirements'),
 *   });
 *
 * Names are the OpenAPI definition names (`io.k8s.api.core.v1.Container`); the protobuf full name swaps
 * the first two segments (`k8s.io.api.core.v1.Container`).
 */

/** Protobuf scalars, with their JSON forms: string, number (int64 as a number), boolean, base64 for bytes. */
export type ScalarType = 'string' | 'int32' | 'int64' | 'bool' | 'double' | 'bytes';

/**
 * Types whose JSON form differs from their protobuf message (apimachinery's special types):
 *   Time, MicroTime   RFC 3339 strings (protobuf: seconds + nanos; an empty message means unset)
 *   Duration          a Go duration string such as "5m0s" (protobuf: int64 nanoseconds)
 *   Quantity          "100m", "1Gi" (protobuf: { string })
 *   IntOrString       a number or a string (protobuf: { type, intVal, strVal })
 *   RawExtension      any embedded JSON object (protobuf: { raw bytes })
 *   FieldsV1          managedFields' field set, a JSON object (protobuf: { Raw bytes })
 *   JSON              any JSON value (protobuf: { raw bytes })
 */
export type SpecialType =
  | 'Time'
  | 'MicroTime'
  | 'Duration'
  | 'Quantity'
  | 'IntOrString'
  | 'RawExtension'
  | 'FieldsV1'
  | 'JSON';

export const specialTypes: ReadonlySet<string> = new Set<SpecialType>([
  'Time',
  'MicroTime',
  'Duration',
  'Quantity',
  'IntOrString',
  'RawExtension',
  'FieldsV1',
  'JSON',
]);

/** A scalar, a special type, or the full name of a message. */
export type TypeName = ScalarType | SpecialType | (string & {});

export type FieldShape = 'single' | 'list' | 'map';

export interface FieldOptions {
  /** Must be present (and, for strings, non-empty) after defaulting. */
  readonly required?: boolean;
  /** A required string that may be empty (present but ''), as upstream validates Condition.message. */
  readonly allowEmpty?: boolean;
  /** Filled in when absent (declarative defaults only; conditional ones live in the resource). */
  readonly default?: unknown;
  /** The only values allowed (string fields). */
  readonly enum?: readonly string[];
  /** A short description of our own, shown by `kubectl explain`. */
  readonly description?: string;
  /** Strategic merge patch: how a list or map merges. */
  readonly patchStrategy?: 'merge' | 'replace' | 'retainKeys' | 'merge,retainKeys';
  /** Strategic merge patch: the field that identifies a list element. */
  readonly patchMergeKey?: string;
  /** Server-side apply: atomic (replace whole), set (scalars, union), map (merge by listMapKeys). */
  readonly listType?: 'atomic' | 'set' | 'map';
  readonly listMapKeys?: readonly string[];
  /** Server-side apply: atomic or granular (the default) for maps and structs. */
  readonly mapType?: 'atomic' | 'granular';
  /** Set only by the server; writes to it are ignored (documented as read-only in OpenAPI). */
  readonly readOnly?: boolean;
  /** Numbers: int32 or int64 as OpenAPI formats; strings: 'byte', 'date-time', 'int-or-string'. */
  readonly format?: string;
  /**
   * A Go embedded struct: protobuf nests it as this field, JSON spreads its fields into the parent
   * (Volume's `hostPath` is JSON's `volumes[0].hostPath` but protobuf's `volumeSource.hostPath`).
   */
  readonly inline?: boolean;
  /**
   * A list protobuf wraps in a message of one repeated field `items` (meta/v1 Verbs, ExtraValue); JSON
   * shows the bare list. The field's type is the wrapper message.
   */
  readonly wrapped?: boolean;
}

export interface FieldSchema extends FieldOptions {
  /** Protobuf field number. */
  readonly number: number;
  readonly shape: FieldShape;
  /** The element type of a list, the value type of a map (keys are strings), or the field's type. */
  readonly type: TypeName;
}

export interface MessageSchema {
  /** OpenAPI definition name, e.g. io.k8s.api.core.v1.Pod. */
  readonly name: string;
  readonly fields: Readonly<Record<string, FieldSchema>>;
  readonly description?: string;
  /** The message is a whole API object of these group/version/kinds (x-kubernetes-group-version-kind). */
  readonly gvk?: readonly { group: string; version: string; kind: string }[];
}

const field =
  (type: TypeName, shape: FieldShape = 'single') =>
  (number: number, options: FieldOptions = {}): FieldSchema => ({ number, shape, type, ...options });

/** Field constructors: `f.string(1)`, `f.message(8, 'io.k8s…ResourceRequirements')`, `f.list(3, 'string')`. */
export const f = {
  string: field('string'),
  int32: field('int32'),
  int64: field('int64'),
  bool: field('bool'),
  double: field('double'),
  bytes: field('bytes'),
  time: field('Time'),
  microTime: field('MicroTime'),
  duration: field('Duration'),
  quantity: field('Quantity'),
  intOrString: field('IntOrString'),
  rawExtension: field('RawExtension'),
  json: field('JSON'),
  message: (number: number, type: string, options: FieldOptions = {}): FieldSchema => ({
    number,
    shape: 'single',
    type,
    ...options,
  }),
  list: (number: number, type: TypeName, options: FieldOptions = {}): FieldSchema => ({
    number,
    shape: 'list',
    type,
    ...options,
  }),
  /** map<string, type>. */
  map: (number: number, type: TypeName, options: FieldOptions = {}): FieldSchema => ({
    number,
    shape: 'map',
    type,
    ...options,
  }),
};

const registry = new Map<string, MessageSchema>();

/** Declares a message; each name is declared once. */
export function message(
  name: string,
  fields: Record<string, FieldSchema>,
  extra: Omit<MessageSchema, 'name' | 'fields'> = {},
): MessageSchema {
  if (registry.has(name)) throw new Error(`message ${name} is declared twice`);
  const schema: MessageSchema = { name, fields, ...extra };
  registry.set(name, schema);
  return schema;
}

/** The declared message; throws for an unknown name (a typo in a declaration, caught by the schema tests). */
export function messageSchema(name: string): MessageSchema {
  const schema = registry.get(name);
  if (!schema) throw new Error(`unknown message ${name}`);
  return schema;
}

export function hasMessage(name: string): boolean {
  return registry.has(name);
}

export function allMessages(): IterableIterator<MessageSchema> {
  return registry.values();
}

const jsonViews = new Map<string, Readonly<Record<string, FieldSchema>>>();

/**
 * The fields as JSON sees them: an inline field's own fields take its place. Memoised: the registry is
 * complete once the type modules have loaded.
 */
export function jsonFields(schema: MessageSchema): Readonly<Record<string, FieldSchema>> {
  let view = jsonViews.get(schema.name);
  if (!view) {
    const fields: Record<string, FieldSchema> = {};
    for (const [name, field] of Object.entries(schema.fields)) {
      if (field.inline) Object.assign(fields, jsonFields(messageSchema(field.type)));
      else fields[name] = field;
    }
    view = fields;
    jsonViews.set(schema.name, view);
  }
  return view;
}

/** The element type of a wrapped list: the wrapper's `items` field. */
export function wrappedItemType(field: FieldSchema): string {
  const items = messageSchema(field.type).fields.items;
  if (!items) throw new Error(`${field.type} is not a list wrapper: it has no items field`);
  return items.type;
}

/** io.k8s.api.core.v1.Pod → k8s.io.api.core.v1.Pod */
export function protobufName(name: string): string {
  const [first, second, ...rest] = name.split('.');
  return [second, first, ...rest].join('.');
}
