import { isDeepStrictEqual } from 'node:util';
import { badRequest, invalid, unsupportedMediaType } from '../api/status.js';

/**
 * The patch formats: JSON merge patch (RFC 7386) and JSON patch (RFC 6902). Strategic merge patch and
 * server-side apply build on the schema and live elsewhere.
 */
export const patchTypes = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
] as const;

export type PatchType = (typeof patchTypes)[number];

export function patchTypeOf(contentType: string | undefined): PatchType {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if ((patchTypes as readonly string[]).includes(type)) return type as PatchType;
  throw unsupportedMediaType([...patchTypes]);
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (value: unknown): value is Record<string, Json> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** RFC 7386: objects merge key by key, null deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

/** RFC 6901 pointer → path segments (`/metadata/labels/a~1b` → ['metadata', 'labels', 'a/b']). */
function segments(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/'))
    throw badRequest(`the JSON pointer ${JSON.stringify(pointer)} must start with /`);
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

const clone = <T>(value: T): T => structuredClone(value);

/** RFC 6902, applied to a copy; a failed `test` or a missing path is a 422 as Kubernetes answers it. */
export function jsonPatch(document: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw badRequest('json patch must be an array of operations');
  let root = clone(document);
  const fail = (message: string) =>
    invalid({ group: '', kind: 'Patch' }, '', [
      { type: 'FieldValueInvalid', field: '', badValue: '', detail: message },
    ]);
  const parentOf = (path: string[]): { parent: unknown; last: string } => {
    let parent: unknown = root;
    for (const segment of path.slice(0, -1)) {
      if (Array.isArray(parent)) parent = parent[Number(segment)];
      else if (isObject(parent)) parent = parent[segment];
      else throw fail(`doc is missing path: ${path.join('/')}`);
      if (parent === undefined) throw fail(`doc is missing path: /${path.join('/')}`);
    }
    return { parent, last: path[path.length - 1]! };
  };
  const read = (path: string[]): unknown => {
    if (path.length === 0) return root;
    const { parent, last } = parentOf(path);
    const value = Array.isArray(parent) ? parent[Number(last)] : isObject(parent) ? parent[last] : undefined;
    if (value === undefined) throw fail(`doc is missing path: /${path.join('/')}`);
    return value;
  };
  const remove = (path: string[]): unknown => {
    const value = read(path);
    const { parent, last } = parentOf(path);
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete (parent as Record<string, unknown>)[last];
    return value;
  };
  const add = (path: string[], value: unknown) => {
    if (path.length === 0) {
      root = value;
      return;
    }
    const { parent, last } = parentOf(path);
    if (Array.isArray(parent)) {
      const index = last === '-' ? parent.length : Number(last);
      if (!Number.isInteger(index) || index < 0 || index > parent.length)
        throw fail(`index out of range: ${last}`);
      parent.splice(index, 0, value);
    } else if (isObject(parent)) {
      parent[last] = value as Json;
    } else {
      throw fail(`doc is missing path: /${path.join('/')}`);
    }
  };
  for (const raw of operations as Operation[]) {
    if (!isObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw badRequest('each json patch operation needs "op" and "path"');
    }
    const path = segments(raw.path);
    switch (raw.op) {
      case 'add':
        add(path, clone(raw.value));
        break;
      case 'remove':
        remove(path);
        break;
      case 'replace':
        read(path);
        if (path.length === 0) root = clone(raw.value);
        else {
          remove(path);
          add(path, clone(raw.value));
        }
        break;
      case 'move':
        add(path, remove(segments(raw.from ?? '')));
        break;
      case 'copy':
        add(path, clone(read(segments(raw.from ?? ''))));
        break;
      case 'test':
        if (!isDeepStrictEqual(read(path), raw.value)) throw fail(`testing value /${path.join('/')} failed`);
        break;
      default:
        throw badRequest(`unexpected json patch operation "${raw.op}"`);
    }
  }
  return root;
}
