import protobuf from 'protobufjs';
import {
  allMessages,
  type FieldSchema,
  type MessageSchema,
  messageSchema,
  protobufName,
  specialTypes,
} from './dsl.js';

/**
 * Kubernetes' protobuf encoding, built from the schema: kubectl 1.32+ sends `create <generator>`,
 * `auth can-i` and `create token` bodies in it, with no JSON fallback.
 *
 * The wire form is the 4 magic bytes `k8s\0`, then a runtime.Unknown { typeMeta { apiVersion, kind },
 * raw, contentEncoding, contentType } whose `raw` is the object as its own message. Messages are proto2;
 * their field numbers come from the schema. apimachinery's special types have their own messages here
 * and their own JSON forms (an empty Time message means "unset").
 */
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

const scalarTypes: Record<string, string> = {
  string: 'string',
  int32: 'int32',
  int64: 'int64',
  bool: 'bool',
  double: 'double',
  bytes: 'bytes',
};

/** Messages for the special types, with their upstream field numbers. */
const specialMessages: Record<string, [string, number, string][]> = {
  Time: [
    ['seconds', 1, 'int64'],
    ['nanos', 2, 'int32'],
  ],
  MicroTime: [
    ['seconds', 1, 'int64'],
    ['nanos', 2, 'int32'],
  ],
  Duration: [['duration', 1, 'int64']],
  Quantity: [['string', 1, 'string']],
  IntOrString: [
    ['type', 1, 'int64'],
    ['intVal', 2, 'int32'],
    ['strVal', 3, 'string'],
  ],
  RawExtension: [['raw', 1, 'bytes']],
  FieldsV1: [['Raw', 1, 'bytes']],
  JSON: [['raw', 1, 'bytes']],
};

let root: protobuf.Root | undefined;

function buildRoot(): protobuf.Root {
  const built = new protobuf.Root();
  const special = built.define('skiff.special');
  for (const [name, fields] of Object.entries(specialMessages)) {
    const type = new protobuf.Type(name);
    for (const [fieldName, number, fieldType] of fields)
      type.add(new protobuf.Field(fieldName, number, fieldType));
    special.add(type);
  }
  const unknown = new protobuf.Type('Unknown');
  const typeMeta = new protobuf.Type('TypeMeta');
  typeMeta.add(new protobuf.Field('apiVersion', 1, 'string'));
  typeMeta.add(new protobuf.Field('kind', 2, 'string'));
  special.add(typeMeta);
  unknown.add(new protobuf.Field('typeMeta', 1, 'TypeMeta'));
  unknown.add(new protobuf.Field('raw', 2, 'bytes'));
  unknown.add(new protobuf.Field('contentEncoding', 3, 'string'));
  unknown.add(new protobuf.Field('contentType', 4, 'string'));
  special.add(unknown);

  for (const message of allMessages()) {
    const fullName = protobufName(message.name);
    const dot = fullName.lastIndexOf('.');
    const type = new protobuf.Type(fullName.slice(dot + 1));
    for (const [name, field] of Object.entries(message.fields)) {
      const wireType = wireTypeOf(field.type);
      if (field.shape === 'map') type.add(new protobuf.MapField(name, field.number, 'string', wireType));
      else
        type.add(
          new protobuf.Field(name, field.number, wireType, field.shape === 'list' ? 'repeated' : 'optional'),
        );
    }
    built.define(fullName.slice(0, dot)).add(type);
  }
  built.resolveAll();
  return built;
}

function wireTypeOf(type: string): string {
  if (scalarTypes[type]) return scalarTypes[type]!;
  if (specialTypes.has(type)) return `.skiff.special.${type}`;
  return `.${protobufName(type)}`;
}

function lookup(name: string): protobuf.Type {
  root ??= buildRoot();
  return root.lookupType(name);
}

export function isProtobufEnvelope(body: Uint8Array): boolean {
  return body.length >= 4 && Buffer.from(body.subarray(0, 4)).equals(MAGIC);
}

/** The message that is `apiVersion`/`kind` (an API object's top-level message). */
export function messageForKind(apiVersion: string, kind: string): MessageSchema | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  for (const message of allMessages()) {
    if (message.gvk?.some((gvk) => gvk.group === group && gvk.version === version && gvk.kind === kind))
      return message;
  }
  return undefined;
}

/**
 * Decodes a `k8s\0` body into the object's JSON form. `expected` names the message when the envelope's
 * type meta is empty (kubectl leaves it empty for some requests).
 */
export function decodeProtobufObject(body: Uint8Array, expected?: string): Record<string, unknown> {
  if (!isProtobufEnvelope(body))
    throw new Error('not a Kubernetes protobuf body: the k8s\\0 prefix is missing');
  const envelope = lookup('skiff.special.Unknown').decode(body.subarray(4)) as unknown as {
    typeMeta?: { apiVersion?: string; kind?: string };
    raw?: Uint8Array;
  };
  const apiVersion = envelope.typeMeta?.apiVersion ?? '';
  const kind = envelope.typeMeta?.kind ?? '';
  const schema =
    (kind ? messageForKind(apiVersion, kind) : undefined) ?? (expected ? messageSchema(expected) : undefined);
  if (!schema) throw new Error(`no schema for ${apiVersion || '(no apiVersion)'} ${kind || '(no kind)'}`);
  const decoded = lookup(protobufName(schema.name)).decode(envelope.raw ?? new Uint8Array());
  const object = toJson(schema, decoded as unknown as Record<string, unknown>);
  if (apiVersion) object.apiVersion = apiVersion;
  if (kind) object.kind = kind;
  return object;
}

/** A decoded message as JSON: only fields present on the wire, special types in their JSON forms. */
function toJson(schema: MessageSchema, message: Record<string, unknown>): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(schema.fields)) {
    if (!Object.hasOwn(message, name)) continue;
    const value = message[name];
    if (field.inline) {
      Object.assign(json, toJson(messageSchema(field.type), value as Record<string, unknown>));
      continue;
    }
    if (field.wrapped) {
      const unwrap = (wrapper: unknown) => [
        ...(((wrapper as { items?: unknown[] }).items ?? []) as unknown[]),
      ];
      json[name] =
        field.shape === 'map'
          ? Object.fromEntries(
              Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, unwrap(item)]),
            )
          : unwrap(value);
      continue;
    }
    if (field.shape === 'list') {
      const list = (value as unknown[]).map((item) => convert(field, item));
      if (list.length > 0) json[name] = list;
    } else if (field.shape === 'map') {
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.length > 0)
        json[name] = Object.fromEntries(entries.map(([key, item]) => [key, convert(field, item)]));
    } else {
      const converted = convert(field, value);
      // Go's JSON leaves out empty strings and unset times; proto2 sends them anyway.
      if (converted !== undefined && converted !== '') json[name] = converted;
    }
  }
  return json;
}

function convert(field: FieldSchema, value: unknown): unknown {
  switch (field.type) {
    case 'int64':
      return Number(value);
    case 'bytes':
      return Buffer.from(value as Uint8Array).toString('base64');
    case 'string':
    case 'int32':
    case 'bool':
    case 'double':
      return value;
    case 'Time':
    case 'MicroTime': {
      const time = value as { seconds?: unknown; nanos?: number };
      const seconds = Number(time.seconds ?? 0);
      const nanos = time.nanos ?? 0;
      if (seconds === 0 && nanos === 0) return undefined;
      const iso = new Date(seconds * 1000).toISOString().slice(0, 19);
      return field.type === 'Time'
        ? `${iso}Z`
        : `${iso}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`;
    }
    case 'Duration':
      return goDuration(Number((value as { duration?: unknown }).duration ?? 0));
    case 'Quantity':
      return (value as { string?: string }).string ?? '0';
    case 'IntOrString': {
      const intOrString = value as { type?: unknown; intVal?: number; strVal?: string };
      return Number(intOrString.type ?? 0) === 1 ? (intOrString.strVal ?? '') : (intOrString.intVal ?? 0);
    }
    case 'RawExtension':
    case 'JSON':
    case 'FieldsV1': {
      const raw =
        (value as { raw?: Uint8Array; Raw?: Uint8Array }).raw ?? (value as { Raw?: Uint8Array }).Raw;
      return raw && raw.length > 0 ? JSON.parse(Buffer.from(raw).toString('utf8')) : undefined;
    }
    default:
      return toJson(messageSchema(field.type), value as Record<string, unknown>);
  }
}

/** Go's time.Duration.String(): 1h30m0s, 2m3.5s, 250ms, 0s. */
export function goDuration(nanoseconds: number): string {
  if (nanoseconds === 0) return '0s';
  const sign = nanoseconds < 0 ? '-' : '';
  let rest = Math.abs(nanoseconds);
  if (rest < 1e9) {
    if (rest < 1e3) return `${sign}${rest}ns`;
    if (rest < 1e6) return `${sign}${rest / 1e3}µs`;
    return `${sign}${rest / 1e6}ms`;
  }
  const hours = Math.floor(rest / 3.6e12);
  rest -= hours * 3.6e12;
  const minutes = Math.floor(rest / 6e10);
  rest -= minutes * 6e10;
  const seconds = rest / 1e9;
  const secondsText = `${Number(seconds.toFixed(9))}s`;
  if (hours > 0) return `${sign}${hours}h${minutes}m${secondsText}`;
  if (minutes > 0) return `${sign}${minutes}m${secondsText}`;
  return `${sign}${secondsText}`;
}
