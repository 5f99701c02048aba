import protobuf from 'protobufjs';
import type { Status } from '../status.js';
import {
  allMessages,
  type FieldSchema,
  hasMessage,
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

// ---------------------------------------------------------------------------------------------------------------
// Encoding: the JSON form of an object → the `k8s\0` envelope, for clients that prefer protobuf.
//
// The writer walks the schema itself rather than going through protobufjs' Type.encode, so that the bytes
// are the ones Go's generated (gogo, proto2) marshalers write:
//   - fields in field-number order, whatever order the schema declares them in;
//   - repeated scalars one tag per element (proto2 is not packed);
//   - map entries sorted by key bytes (Go sorts them; JS objects put integer-like keys first), each entry
//     with both its key and its value;
//   - Time as { seconds, nanos } with both written, and an unset Time not written at all: a Time of
//     { seconds: 0 } would decode in Go as 1970-01-01, not as unset;
//   - IntOrString with all three of { type, intVal, strVal }, as Go writes its non-pointer fields.
// One difference is deliberate: a field absent from the JSON is absent from the wire, where Go would write
// the zero value of a non-pointer field (an empty string, `spec {}`). Go's unmarshalers read both the same.
// ---------------------------------------------------------------------------------------------------------------

/** Stable codes for objects that cannot be encoded; the API server answers these as it sees fit (406, 500). */
export type ProtobufEncodeErrorCode =
  /** No message is declared for the object's apiVersion/kind (upstream's errNotMarshalable). */
  | 'SKIFF_ERR_NOT_MARSHALABLE'
  /** A value does not fit its field: a malformed time or duration, text where a number belongs. */
  | 'SKIFF_ERR_INVALID_VALUE';

export class ProtobufEncodeError extends Error {
  override readonly name = 'ProtobufEncodeError';
  readonly code: ProtobufEncodeErrorCode;

  constructor(code: ProtobufEncodeErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Protobuf wire types. */
const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;

const tag = (number: number, wireType: number) => ((number << 3) | wireType) >>> 0;

const kindCache = new Map<string, MessageSchema>();

/** messageForKind, remembered: it is asked once per response and per watch event. */
function cachedMessageForKind(apiVersion: string, kind: string): MessageSchema | undefined {
  const key = `${apiVersion}\0${kind}`;
  let schema = kindCache.get(key);
  if (!schema) {
    schema = messageForKind(apiVersion, kind);
    if (schema) kindCache.set(key, schema);
  }
  return schema;
}

/**
 * Encodes an object as Kubernetes' protobuf body: `k8s\0`, then runtime.Unknown { typeMeta { apiVersion,
 * kind }, raw = the object's own message, contentEncoding "", contentType "" }. The message is the one
 * declared for the object's apiVersion/kind, else `schemaName` (an OpenAPI name such as
 * `io.k8s.api.core.v1.ConfigMap`). Fields the schema does not know are left out.
 *
 *   encodeProtobufObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c1' }, data: { a: 'b' } })
 *     → 6b 38 73 00 | 0a 0f (typeMeta "v1" "ConfigMap") | 12 0e (raw, 14 bytes) | 1a 00 | 22 00
 */
export function encodeProtobufObject(object: Record<string, unknown>, schemaName?: string): Buffer {
  let apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
  let kind = typeof object.kind === 'string' ? object.kind : '';
  const schema =
    (kind ? cachedMessageForKind(apiVersion, kind) : undefined) ??
    (schemaName && hasMessage(schemaName) ? messageSchema(schemaName) : undefined);
  if (!schema) {
    throw new ProtobufEncodeError(
      'SKIFF_ERR_NOT_MARSHALABLE',
      `no protobuf message for ${apiVersion || '(no apiVersion)'} ${kind || '(no kind)'}${schemaName ? ` or ${schemaName}` : ''}`,
    );
  }
  // An object without type meta (one encoded by schema name) is still self-describing on the wire when
  // its message is exactly one kind.
  const only = schema.gvk?.length === 1 ? schema.gvk[0] : undefined;
  if (!kind && only) {
    kind = only.kind;
    apiVersion = only.group ? `${only.group}/${only.version}` : only.version;
  }
  const raw = protobuf.Writer.create();
  writeMessage(raw, schema, object);
  return envelope(apiVersion, kind, raw.finish());
}

/** A Status (an error, or the Success of a delete) as protobuf: kind Status, apiVersion v1. */
export function encodeProtobufStatus(status: Status | Readonly<Record<string, unknown>>): Buffer {
  return encodeProtobufObject({ ...status, apiVersion: 'v1', kind: 'Status' });
}

/**
 * One frame of a protobuf watch stream (`application/vnd.kubernetes.protobuf;stream=watch`):
 *
 *   [4-byte big-endian length N] [N bytes: meta.v1.WatchEvent { 1 type, 2 object RawExtension { 1 raw } }]
 *
 * The WatchEvent itself is bare — no `k8s\0`, no runtime.Unknown — because upstream encodes it with the
 * protobuf RawSerializer (the StreamSerializer of apimachinery's protobuf serializer, written through
 * LengthDelimitedFramer). Only the object inside is enveloped: `object.raw` is exactly what
 * encodeProtobufObject returns, since client-go decodes it with the full protobuf Serializer, which
 * requires the `k8s\0` prefix. An ERROR event's object is a Status; a BOOKMARK's is an object of the
 * watched kind with only metadata.resourceVersion.
 */
export function encodeProtobufWatchEvent(
  type: string,
  object: Record<string, unknown>,
  schemaName?: string,
): Buffer {
  const writer = protobuf.Writer.create();
  writer.uint32(tag(1, LENGTH_DELIMITED)).string(type);
  writer.uint32(tag(2, LENGTH_DELIMITED)).fork();
  writer.uint32(tag(1, LENGTH_DELIMITED)).bytes(encodeProtobufObject(object, schemaName));
  writer.ldelim();
  const event = writer.finish();
  const frame = Buffer.allocUnsafe(4 + event.length);
  frame.writeUInt32BE(event.length, 0);
  frame.set(event, 4);
  return frame;
}

/**
 * Splits a protobuf watch stream into its events (the reverse of encodeProtobufWatchEvent). The stream
 * must hold whole frames: a client reading from a socket keeps the unfinished tail for the next read.
 */
export function decodeProtobufWatchFrames(
  stream: Uint8Array,
): { type: string; object: Record<string, unknown> }[] {
  const bytes = Buffer.from(stream.buffer, stream.byteOffset, stream.byteLength);
  const watchEvent = lookup(protobufName('io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent'));
  const events: { type: string; object: Record<string, unknown> }[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (bytes.length - offset < 4)
      throw new Error(`a watch frame is cut short: ${bytes.length - offset} bytes of its length`);
    const length = bytes.readUInt32BE(offset);
    const end = offset + 4 + length;
    if (end > bytes.length)
      throw new Error(`a watch frame is cut short: ${bytes.length - offset - 4} of ${length} bytes`);
    const event = watchEvent.decode(bytes.subarray(offset + 4, end)) as unknown as {
      type?: string;
      object?: { raw?: Uint8Array };
    };
    events.push({
      type: event.type ?? '',
      object: decodeProtobufObject(event.object?.raw ?? new Uint8Array()),
    });
    offset = end;
  }
  return events;
}

function envelope(apiVersion: string, kind: string, raw: Uint8Array): Buffer {
  const writer = protobuf.Writer.create();
  writer.uint32(tag(1, LENGTH_DELIMITED)).fork();
  writer.uint32(tag(1, LENGTH_DELIMITED)).string(apiVersion);
  writer.uint32(tag(2, LENGTH_DELIMITED)).string(kind);
  writer.ldelim();
  writer.uint32(tag(2, LENGTH_DELIMITED)).bytes(raw);
  // Go's runtime.Unknown writes its two strings even when they are empty.
  writer.uint32(tag(3, LENGTH_DELIMITED)).string('');
  writer.uint32(tag(4, LENGTH_DELIMITED)).string('');
  return Buffer.concat([MAGIC, writer.finish()]);
}

const fieldOrder = new Map<string, [string, FieldSchema][]>();

function fieldsByNumber(schema: MessageSchema): [string, FieldSchema][] {
  let fields = fieldOrder.get(schema.name);
  if (!fields) {
    fields = Object.entries(schema.fields).sort(([, a], [, b]) => a.number - b.number);
    fieldOrder.set(schema.name, fields);
  }
  return fields;
}

/** Writes a message's fields from its JSON form (without the message's own tag and length). */
function writeMessage(writer: protobuf.Writer, schema: MessageSchema, json: Record<string, unknown>): void {
  for (const [name, field] of fieldsByNumber(schema)) {
    if (field.inline) {
      // JSON spread the embedded struct's fields into this object; gather them back into their message.
      // Go writes a non-pointer embedded struct even when it is empty.
      const inner = messageSchema(field.type);
      nested(writer, field.number, () => writeMessage(writer, inner, json));
      continue;
    }
    const value = json[name];
    if (value === undefined || value === null) continue;
    // A wrapped list is the bare list in JSON and a message { items } on the wire.
    const wrap = (item: unknown) => (field.wrapped ? { items: item } : item);
    if (field.shape === 'list' && !field.wrapped) {
      if (!Array.isArray(value)) throw invalid(name, 'a list', value);
      for (const item of value) writeValue(writer, field.number, field.type, item, name);
    } else if (field.shape === 'map') {
      if (!isObject(value)) throw invalid(name, 'an object', value);
      for (const key of Object.keys(value).sort(compareBytes)) {
        nested(writer, field.number, () => {
          writer.uint32(tag(1, LENGTH_DELIMITED)).string(key);
          writeValue(writer, 2, field.type, wrap(value[key]), `${name}.${key}`);
        });
      }
    } else {
      writeValue(writer, field.number, field.type, wrap(value), name);
    }
  }
}

/** One value of a field (a single field, a list element or a map value), tag included. */
function writeValue(
  writer: protobuf.Writer,
  number: number,
  type: string,
  value: unknown,
  path: string,
): void {
  if (value === undefined || value === null) return;
  switch (type) {
    case 'string':
      writer.uint32(tag(number, LENGTH_DELIMITED)).string(String(value));
      return;
    case 'int32':
      writer.uint32(tag(number, VARINT)).int32(integer(value, path));
      return;
    case 'int64':
      writer.uint32(tag(number, VARINT)).int64(integer(value, path));
      return;
    case 'bool':
      writer.uint32(tag(number, VARINT)).bool(value === true);
      return;
    case 'double':
      writer.uint32(tag(number, FIXED64)).double(Number(value));
      return;
    case 'bytes':
      if (typeof value !== 'string') throw invalid(path, 'base64 text', value);
      writer.uint32(tag(number, LENGTH_DELIMITED)).bytes(Buffer.from(value, 'base64'));
      return;
    case 'Time':
    case 'MicroTime': {
      if (value === '') return; // unset
      const { seconds, nanos } = parseTime(value, path);
      nested(writer, number, () => {
        writer.uint32(tag(1, VARINT)).int64(seconds);
        writer.uint32(tag(2, VARINT)).int32(nanos);
      });
      return;
    }
    case 'Duration': {
      if (typeof value !== 'string') throw invalid(path, 'a duration such as "5m0s"', value);
      const nanoseconds = parseGoDuration(value);
      if (nanoseconds === undefined) throw invalid(path, 'a duration such as "5m0s"', value);
      nested(writer, number, () => writer.uint32(tag(1, VARINT)).int64(nanoseconds));
      return;
    }
    case 'Quantity':
      nested(writer, number, () => writer.uint32(tag(1, LENGTH_DELIMITED)).string(String(value)));
      return;
    case 'IntOrString': {
      const isString = typeof value === 'string';
      nested(writer, number, () => {
        writer.uint32(tag(1, VARINT)).int64(isString ? 1 : 0);
        writer.uint32(tag(2, VARINT)).int32(isString ? 0 : integer(value, path));
        writer.uint32(tag(3, LENGTH_DELIMITED)).string(isString ? value : '');
      });
      return;
    }
    case 'RawExtension':
    case 'FieldsV1':
    case 'JSON':
      nested(writer, number, () =>
        writer.uint32(tag(1, LENGTH_DELIMITED)).bytes(Buffer.from(JSON.stringify(value), 'utf8')),
      );
      return;
    default: {
      if (!isObject(value)) throw invalid(path, 'an object', value);
      const schema = messageSchema(type);
      nested(writer, number, () => writeMessage(writer, schema, value));
    }
  }
}

/** A length-delimited field whose body `write` fills in. */
function nested(writer: protobuf.Writer, number: number, write: () => void): void {
  writer.uint32(tag(number, LENGTH_DELIMITED)).fork();
  write();
  writer.ldelim();
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Go's sort.Strings order: by UTF-8 bytes. */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function integer(value: unknown, path: string): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number)) throw invalid(path, 'an integer', value);
  return number;
}

function invalid(path: string, expected: string, value: unknown): ProtobufEncodeError {
  return new ProtobufEncodeError(
    'SKIFF_ERR_INVALID_VALUE',
    `${path}: expected ${expected}, got ${JSON.stringify(value)}`,
  );
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/** RFC 3339 (with any fraction and offset, as Go's time.Parse takes it) → Unix seconds and nanoseconds. */
function parseTime(value: unknown, path: string): { seconds: number; nanos: number } {
  const match = typeof value === 'string' ? RFC3339.exec(value) : null;
  if (!match) throw invalid(path, 'an RFC 3339 time such as "2025-03-01T12:34:56Z"', value);
  const [, year, month, day, hour, minute, second, fraction = '', sign, offsetHours, offsetMinutes] = match;
  const date = new Date(
    Date.UTC(2000, Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second)),
  );
  date.setUTCFullYear(Number(year)); // Date.UTC maps years 0–99 to 1900–1999
  let seconds = date.getTime() / 1000;
  if (sign) seconds -= (sign === '-' ? -1 : 1) * (Number(offsetHours) * 3600 + Number(offsetMinutes) * 60);
  return { seconds, nanos: Number(fraction.padEnd(9, '0')) };
}

const durationUnits: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 6e10,
  h: 3.6e12,
};
const durationPart = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/**
 * Go's time.ParseDuration: "1h30m", "2m3.5s", "250ms", "-5m", "0" → nanoseconds; undefined when the text is
 * not a duration. The reverse of goDuration.
 */
export function parseGoDuration(text: string): number | undefined {
  const sign = text.startsWith('-') ? -1 : 1;
  const rest = text.startsWith('-') || text.startsWith('+') ? text.slice(1) : text;
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  durationPart.lastIndex = 0;
  while (durationPart.lastIndex < rest.length) {
    const match = durationPart.exec(rest);
    if (!match) return undefined;
    total += Number(match[1]) * durationUnits[match[2]!]!;
  }
  return sign * Math.round(total);
}
