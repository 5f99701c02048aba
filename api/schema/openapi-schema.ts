import {
  type FieldSchema,
  jsonFields,
  type MessageSchema,
  messageSchema,
  type SpecialType,
  specialTypes,
  type TypeName,
  wrappedItemType,
} from './dsl.js';

/**
 * OpenAPI v3 schema objects derived from the schema language, in the shape of Kubernetes' published v3
 * documents (`api/openapi-spec/v3`), so that `kubectl explain`, kubectl's patch-metadata lookup and
 * generated clients read Skiff's schemas as they read upstream's. A message becomes a component of its
 * own name; a field becomes a property:
 *
 *   ports: f.list(6, 'io.k8s.api.core.v1.ContainerPort', {
 *     patchStrategy: 'merge', patchMergeKey: 'containerPort', listType: 'map', listMapKeys: ['containerPort', 'protocol'],
 *   })
 *   →
 *   "ports": {
 *     "type": "array",
 *     "items": { "allOf": [{ "$ref": "#/components/schemas/io.k8s.api.core.v1.ContainerPort" }] },
 *     "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["containerPort", "protocol"],
 *     "x-kubernetes-patch-strategy": "merge", "x-kubernetes-patch-merge-key": "containerPort"
 *   }
 *
 * - A reference to a message or special type is `allOf: [{ $ref }]`, as upstream's v3 writes it: in
 *   OpenAPI 3.0 a `$ref` cannot carry siblings (description, default, extensions), an `allOf` can.
 * - Scalars are inline: int32/int64 are integers with that format, double a number, bytes a `byte` string.
 * - Special types are components of their upstream names and shapes: Time and MicroTime date-time strings,
 *   Quantity `oneOf` string or number, IntOrString `oneOf` integer or string with format `int-or-string`,
 *   RawExtension and FieldsV1 objects, JSON any value.
 * - Inline (embedded) fields are spread into their parent, as JSON spreads them; a wrapped list is the
 *   bare array JSON shows, not its protobuf wrapper message.
 * - A message that is an API object (it has group/version/kinds) gets `apiVersion` and `kind`, which the
 *   declarations leave out, and `x-kubernetes-group-version-kind`, by which kubectl finds it.
 * - Descriptions are the declarations' own; where a declaration has none the schema has none.
 */
export interface SchemaObject {
  readonly type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  readonly format?: string;
  readonly description?: string;
  readonly properties?: Readonly<Record<string, SchemaObject>>;
  readonly additionalProperties?: SchemaObject;
  readonly items?: SchemaObject;
  readonly required?: readonly string[];
  readonly default?: unknown;
  readonly enum?: readonly string[];
  readonly readOnly?: boolean;
  readonly allOf?: readonly SchemaObject[];
  readonly oneOf?: readonly SchemaObject[];
  readonly $ref?: string;
  readonly 'x-kubernetes-group-version-kind'?: readonly { group: string; version: string; kind: string }[];
  readonly 'x-kubernetes-list-type'?: string;
  readonly 'x-kubernetes-list-map-keys'?: readonly string[];
  readonly 'x-kubernetes-map-type'?: string;
  readonly 'x-kubernetes-patch-strategy'?: string;
  readonly 'x-kubernetes-patch-merge-key'?: string;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
}

/** Special types: their upstream component names and schemas (descriptions are Skiff's own). */
const specialComponents: Readonly<Record<SpecialType, { name: string; schema: SchemaObject }>> = {
  Time: {
    name: 'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
    schema: {
      description: 'An RFC 3339 date and time in UTC, to the second: 2024-05-01T12:00:00Z.',
      type: 'string',
      format: 'date-time',
    },
  },
  MicroTime: {
    name: 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime',
    schema: {
      description: 'An RFC 3339 date and time in UTC, to the microsecond: 2024-05-01T12:00:00.000000Z.',
      type: 'string',
      format: 'date-time',
    },
  },
  Duration: {
    name: 'io.k8s.apimachinery.pkg.apis.meta.v1.Duration',
    schema: { description: 'A duration as Go writes it: 1h30m, 5m0s, 250ms.', type: 'string' },
  },
  Quantity: {
    name: 'io.k8s.apimachinery.pkg.api.resource.Quantity',
    schema: {
      description: 'A fixed-point number with an optional suffix: 100m, 0.5, 128Mi, 1Gi, 2k.',
      oneOf: [{ type: 'string' }, { type: 'number' }],
    },
  },
  IntOrString: {
    name: 'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
    schema: {
      description: 'An integer or a string: a port number or a port name, a count or a percentage.',
      format: 'int-or-string',
      oneOf: [{ type: 'integer' }, { type: 'string' }],
    },
  },
  RawExtension: {
    name: 'io.k8s.apimachinery.pkg.runtime.RawExtension',
    schema: { description: 'An embedded object of any kind.', type: 'object' },
  },
  FieldsV1: {
    name: 'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1',
    schema: { description: 'A set of field paths, as managedFields records them.', type: 'object' },
  },
  JSON: {
    name: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON',
    schema: { description: 'Any JSON value.', 'x-kubernetes-preserve-unknown-fields': true },
  },
};

const componentNameOfSpecial = new Map(
  Object.entries(specialComponents).map(([type, { name }]) => [name, type as SpecialType]),
);

const scalars: ReadonlyMap<string, SchemaObject> = new Map<string, SchemaObject>([
  ['string', { type: 'string' }],
  ['int32', { type: 'integer', format: 'int32' }],
  ['int64', { type: 'integer', format: 'int64' }],
  ['bool', { type: 'boolean' }],
  ['double', { type: 'number', format: 'double' }],
  ['bytes', { type: 'string', format: 'byte' }],
]);

/** Kinds registered without TypeMeta: their JSON has no apiVersion or kind of its own. */
const withoutTypeMeta: ReadonlySet<string> = new Set(['io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent']);

/** `#/components/schemas/NAME`, as a property refers to a component. */
export const componentRef = (name: string): string => `#/components/schemas/${name}`;

/** The component a value of this type refers to (a message or special type); undefined for scalars. */
export function componentName(type: TypeName): string | undefined {
  if (scalars.has(type)) return undefined;
  if (specialTypes.has(type)) return specialComponents[type as SpecialType].name;
  return type;
}

const components = new Map<string, SchemaObject>();

/**
 * The schema object of a component: a declared message or a special type's upstream name. Memoised: the
 * registry is complete once the type modules have loaded. Throws for a name that is neither.
 */
export function componentSchema(name: string): SchemaObject {
  let schema = components.get(name);
  if (!schema) {
    const special = componentNameOfSpecial.get(name);
    schema = special ? specialComponents[special].schema : messageObject(messageSchema(name));
    components.set(name, schema);
  }
  return schema;
}

/**
 * Every component the roots need, the roots included: the closure of their references, sorted by name as
 * upstream's documents are.
 *
 *   reachableComponents(['io.k8s.api.coordination.v1.Lease'])
 *   → Lease, LeaseSpec, ObjectMeta, ManagedFieldsEntry, OwnerReference, FieldsV1, MicroTime, Time
 */
export function reachableComponents(roots: readonly string[]): Map<string, SchemaObject> {
  const found = new Set<string>();
  const pending = [...roots];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (found.has(name)) continue;
    found.add(name);
    if (componentNameOfSpecial.has(name)) continue;
    for (const field of Object.values(jsonFields(messageSchema(name)))) {
      const referred = componentName(field.wrapped ? wrappedItemType(field) : field.type);
      if (referred !== undefined && !found.has(referred)) pending.push(referred);
    }
  }
  return new Map([...found].sort().map((name) => [name, componentSchema(name)]));
}

function messageObject(schema: MessageSchema): SchemaObject {
  const properties: Record<string, SchemaObject> = {};
  if (schema.gvk && !withoutTypeMeta.has(schema.name)) {
    properties.apiVersion = { type: 'string' };
    properties.kind = { type: 'string' };
  }
  const required: string[] = [];
  for (const [name, field] of Object.entries(jsonFields(schema))) {
    properties[name] = propertySchema(field);
    if (field.required) required.push(name);
  }
  return {
    ...(schema.description !== undefined ? { description: schema.description } : {}),
    type: 'object',
    properties,
    ...(required.length > 0 ? { required } : {}),
    ...(schema.gvk
      ? {
          'x-kubernetes-group-version-kind': schema.gvk.map(({ group, version, kind }) => ({
            group,
            version,
            kind,
          })),
        }
      : {}),
  };
}

/** A field as a property: its value's schema in its shape, with what the declaration says about it. */
export function propertySchema(field: FieldSchema): SchemaObject {
  const single = field.shape === 'single';
  // A wrapped field's value is the bare list its wrapper message holds.
  const value: SchemaObject = field.wrapped
    ? { type: 'array', items: valueSchema(wrappedItemType(field)) }
    : valueSchema(field.type, field.format, single ? undefined : field.enum);
  const shaped: SchemaObject =
    field.shape === 'list'
      ? { type: 'array', items: value }
      : field.shape === 'map'
        ? { type: 'object', additionalProperties: value }
        : value;
  const annotations: SchemaObject = {
    ...(field.description !== undefined ? { description: field.description } : {}),
    ...(field.default !== undefined ? { default: field.default } : {}),
    ...(single && field.enum ? { enum: field.enum } : {}),
    ...(field.readOnly ? { readOnly: true } : {}),
    ...(field.listType ? { 'x-kubernetes-list-type': field.listType } : {}),
    ...(field.listMapKeys ? { 'x-kubernetes-list-map-keys': field.listMapKeys } : {}),
    ...(field.mapType ? { 'x-kubernetes-map-type': field.mapType } : {}),
    ...(field.patchStrategy ? { 'x-kubernetes-patch-strategy': field.patchStrategy } : {}),
    ...(field.patchMergeKey ? { 'x-kubernetes-patch-merge-key': field.patchMergeKey } : {}),
  };
  return { ...shaped, ...annotations };
}

/** One value of a type: a scalar inline (with the declared format, if any), anything else a reference. */
function valueSchema(type: TypeName, format?: string, values?: readonly string[]): SchemaObject {
  const scalar = scalars.get(type);
  if (scalar) {
    return {
      ...scalar,
      ...(format !== undefined ? { format } : {}),
      ...(values ? { enum: values } : {}),
    };
  }
  return { allOf: [{ $ref: componentRef(componentName(type)!) }] };
}
