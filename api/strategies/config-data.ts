import { type FieldError, fieldError } from '../field-error.js';
import type { KubeObject, Strategy } from '../resource.js';
import { byteLength, maxLengthMessage, regexMessage } from '../validation-messages.js';

/**
 * ConfigMaps and Secrets, as upstream's ValidateConfigMap and ValidateSecret see them: keys must be
 * usable as file names (`[-._a-zA-Z0-9]+`, not `.`, `..` or starting `..`), the values together hold
 * at most 1 MiB, a key may not be in both of a ConfigMap's data and binaryData, and once `immutable`
 * is true neither the data nor the flag may change again. A Secret's type never changes, and the
 * well-known types require their keys (a TLS secret its `tls.crt` and `tls.key`).
 */
const maxDataBytes = 1024 * 1024;
const keyFormat = '[-._a-zA-Z0-9]+';
const keyPattern = new RegExp(`^${keyFormat}$`);
const immutableMessage = 'field is immutable when `immutable` is set';

/** Upstream's IsConfigMapKey: every problem with a key, each its own message. */
function configKeyProblems(key: string): string[] {
  const problems: string[] = [];
  if (byteLength(key) > 253) problems.push(maxLengthMessage(253, 'characters'));
  if (!keyPattern.test(key)) {
    problems.push(
      regexMessage(
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
        keyFormat,
        'key.name',
        'KEY_NAME',
        'key-name',
      ),
    );
  }
  if (key === '.') problems.push("must not be '.'");
  else if (key === '..') problems.push("must not be '..'");
  else if (key.startsWith('..')) problems.push("must not start with '..'");
  return problems;
}

const mapOf = (value: unknown) => (value ?? {}) as Record<string, string>;

function validateKeys(data: Record<string, string>, field: string): FieldError[] {
  return Object.keys(data).flatMap((key) =>
    configKeyProblems(key).map((problem) => fieldError.invalid(`${field}[${key}]`, key, problem)),
  );
}

/** Bytes a base64 value decodes to. */
const decodedLength = (value: string) => Buffer.from(value, 'base64').length;

/** What `immutable: true` freezes: the flag itself and the named data fields. */
function validateImmutable(
  object: KubeObject,
  old: KubeObject | undefined,
  fields: readonly string[],
): FieldError[] {
  if (old?.immutable !== true) return [];
  const errors: FieldError[] = [];
  if (object.immutable !== true) errors.push(fieldError.forbidden('immutable', immutableMessage));
  for (const field of fields) {
    if (!sameMap(mapOf(object[field]), mapOf(old[field])))
      errors.push(fieldError.forbidden(field, immutableMessage));
  }
  return errors;
}

function sameMap(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key])
  );
}

export const configMapStrategy: Strategy = {
  validate(configMap, old) {
    const data = mapOf(configMap.data);
    const binaryData = mapOf(configMap.binaryData);
    const errors = [
      ...validateImmutable(configMap, old, ['data', 'binaryData']),
      ...validateKeys(data, 'data'),
    ];
    for (const key of Object.keys(data)) {
      if (Object.hasOwn(binaryData, key)) {
        errors.push(fieldError.invalid(`data[${key}]`, key, 'duplicate of key present in binaryData'));
      }
    }
    errors.push(...validateKeys(binaryData, 'binaryData'));
    const size =
      Object.values(data).reduce((sum, value) => sum + byteLength(value), 0) +
      Object.values(binaryData).reduce((sum, value) => sum + decodedLength(value), 0);
    // Upstream reports the size against the whole object: an empty field path.
    if (size > maxDataBytes) errors.push(fieldError.tooLong('', maxDataBytes));
    return errors;
  },
};

/** The keys each well-known Secret type must have (upstream's ValidateSecret switch). */
function validateSecretType(secret: KubeObject, data: Record<string, string>): FieldError[] {
  const has = (key: string) => Object.hasOwn(data, key);
  const required = (key: string) => fieldError.required(`data[${key}]`, '');
  const jsonProblem = (key: string): FieldError[] => {
    try {
      const parsed: unknown = JSON.parse(Buffer.from(data[key] ?? '', 'base64').toString());
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return [];
      return [fieldError.invalid(`data[${key}]`, '<secret contents redacted>', 'must be a JSON object')];
    } catch (error) {
      return [fieldError.invalid(`data[${key}]`, '<secret contents redacted>', (error as Error).message)];
    }
  };
  switch (secret.type) {
    case 'kubernetes.io/service-account-token':
      return secret.metadata?.annotations?.['kubernetes.io/service-account.name']
        ? []
        : [fieldError.required('metadata.annotations[kubernetes.io/service-account.name]', '')];
    case 'kubernetes.io/dockercfg':
      return has('.dockercfg') ? jsonProblem('.dockercfg') : [required('.dockercfg')];
    case 'kubernetes.io/dockerconfigjson':
      return has('.dockerconfigjson') ? jsonProblem('.dockerconfigjson') : [required('.dockerconfigjson')];
    case 'kubernetes.io/basic-auth':
      // Either may be empty, but one of them must be there.
      return has('username') || has('password') ? [] : [required('username'), required('password')];
    case 'kubernetes.io/ssh-auth':
      return decodedLength(data['ssh-privatekey'] ?? '') > 0 ? [] : [required('ssh-privatekey')];
    case 'kubernetes.io/tls':
      return [
        ...(has('tls.crt') ? [] : [required('tls.crt')]),
        ...(has('tls.key') ? [] : [required('tls.key')]),
      ];
    default:
      return [];
  }
}

/** Standard, padded base64, as Go's decoder for []byte accepts it (line breaks aside). */
const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export const secretStrategy: Strategy = {
  default(secret) {
    if (!secret.type) secret.type = 'Opaque';
  },
  validate(secret, old) {
    const data = mapOf(secret.data);
    const errors: FieldError[] = [];
    if (old && old.type !== secret.type)
      errors.push(fieldError.invalid('type', secret.type, 'field is immutable'));
    errors.push(...validateImmutable(secret, old, ['data']), ...validateKeys(data, 'data'));
    for (const [key, value] of Object.entries(data)) {
      if (typeof value !== 'string' || !base64Pattern.test(value.replace(/[\r\n]/g, ''))) {
        errors.push(
          fieldError.invalid(`data[${key}]`, '<secret contents redacted>', 'must be base64 encoded'),
        );
      }
    }
    const size = Object.values(data).reduce((sum, value) => sum + decodedLength(String(value)), 0);
    if (size > maxDataBytes) errors.push(fieldError.tooLong('data', maxDataBytes));
    errors.push(...validateSecretType(secret, data));
    return errors;
  },
  prepareForCreate: mergeStringData,
  prepareForUpdate: mergeStringData,
};

/** stringData is write-only: merged into data (its keys win), never stored. */
function mergeStringData(secret: KubeObject): void {
  const stringData = secret.stringData as Record<string, string> | undefined;
  if (!stringData) return;
  const data = { ...mapOf(secret.data) };
  for (const [key, value] of Object.entries(stringData))
    data[key] = Buffer.from(String(value)).toString('base64');
  secret.data = data;
  delete secret.stringData;
}
