import { type FieldError, fieldError } from '../field-error.js';
import type { KubeObject, Strategy } from '../resource.js';

/**
 * ConfigMaps and Secrets: keys must be valid file names (`[-._a-zA-Z0-9]+`), and once `immutable` is
 * true neither the data nor the flag may change again.
 */
const keyPattern = /^[-._a-zA-Z0-9]+$/;
const keyMessage =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

function validateKeys(object: KubeObject, fields: readonly string[]): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Map<string, string>();
  for (const field of fields) {
    for (const key of Object.keys((object[field] as Record<string, unknown> | undefined) ?? {})) {
      const path = `${field}[${key}]`;
      if (
        key === '' ||
        key.length > 253 ||
        !keyPattern.test(key) ||
        key === '.' ||
        key === '..' ||
        key.startsWith('..')
      ) {
        errors.push(fieldError.invalid(path, key, keyMessage));
      }
      const other = seen.get(key);
      if (other !== undefined)
        errors.push(fieldError.invalid(path, key, `duplicate of key present in ${other}`));
      seen.set(key, field);
    }
  }
  return errors;
}

function validateImmutable(
  object: KubeObject,
  old: KubeObject | undefined,
  fields: readonly string[],
): FieldError[] {
  if (old?.immutable !== true) return [];
  const errors: FieldError[] = [];
  if (object.immutable !== true)
    errors.push(fieldError.forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const field of fields) {
    if (JSON.stringify(object[field] ?? {}) !== JSON.stringify(old[field] ?? {})) {
      errors.push(fieldError.forbidden(field, 'field is immutable when `immutable` is set'));
    }
  }
  return errors;
}

export const configMapStrategy: Strategy = {
  validate: (configMap, old) => [
    ...validateKeys(configMap, ['data', 'binaryData']),
    ...validateImmutable(configMap, old, ['data', 'binaryData']),
  ],
};

export const secretStrategy: Strategy = {
  default(secret) {
    if (!secret.type) secret.type = 'Opaque';
  },
  validate(secret, old) {
    const errors = [...validateKeys(secret, ['data']), ...validateImmutable(secret, old, ['data'])];
    if (old && old.type !== secret.type)
      errors.push(fieldError.invalid('type', secret.type, 'field is immutable'));
    for (const [key, value] of Object.entries((secret.data as Record<string, unknown> | undefined) ?? {})) {
      if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
        errors.push(
          fieldError.invalid(`data[${key}]`, '<secret contents redacted>', 'must be base64 encoded'),
        );
      }
    }
    return errors;
  },
  prepareForCreate: mergeStringData,
  prepareForUpdate: mergeStringData,
};

/** stringData is write-only: merged into data, never stored. */
function mergeStringData(secret: KubeObject): void {
  const stringData = secret.stringData as Record<string, string> | undefined;
  if (!stringData) return;
  const data = { ...((secret.data as Record<string, string> | undefined) ?? {}) };
  for (const [key, value] of Object.entries(stringData))
    data[key] = Buffer.from(String(value)).toString('base64');
  secret.data = data;
  delete secret.stringData;
}
