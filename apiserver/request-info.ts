/**
 * What a resource request asks for, read from its path, query and method the way Kubernetes does:
 *
 *   GET    /api/v1/namespaces/default/pods?watch=true   → watch pods in default
 *   GET    /apis/apps/v1/deployments                    → list deployments in all namespaces
 *   PUT    /apis/apps/v1/namespaces/ns/deployments/web/scale → update the scale subresource of web
 *   GET    /api/v1/watch/namespaces/ns/pods/web         → watch one pod (the legacy watch path)
 *   DELETE /api/v1/namespaces/ns/configmaps             → deletecollection
 *
 * `/api/v1/namespaces/NAME` is the namespace itself; `/api/v1/namespaces/NAME/status` and `/finalize`
 * are its subresources rather than a resource called "status" inside it.
 */
export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface RequestInfo {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
  readonly verb: Verb;
}

const namespaceSubresources = new Set(['status', 'finalize']);
const truthy = new Set(['true', '1', 'True']);

export function isWatchParameter(value: unknown): boolean {
  return typeof value === 'string' && truthy.has(value);
}

/** undefined when the path is not a resource path (discovery, /version …). */
export function parseRequestInfo(
  method: string,
  path: string,
  watchParameter: unknown,
): RequestInfo | undefined {
  const parts = path.split('/').filter((part) => part !== '');
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1];
    if (rest.length > 2 && !namespaceSubresources.has(rest[2]!)) rest = rest.slice(2);
  }
  const [resource, name, subresource, ...extra] = rest;
  // Only a proxy subresource has a path of its own after it (nodes/x/proxy/healthz).
  if (!resource || (extra.length > 0 && subresource !== 'proxy')) return undefined;
  const info = { group, version, resource, namespace, name, subresource };
  if (resource === 'namespaces') info.namespace = undefined;
  const named = name !== undefined;
  const watch = watchPath || (method === 'GET' && isWatchParameter(watchParameter));
  let verb: Verb;
  switch (method) {
    case 'GET':
    case 'HEAD':
      verb = watch ? 'watch' : named ? 'get' : 'list';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = named ? 'delete' : 'deletecollection';
      break;
    default:
      return undefined;
  }
  return { ...stripUndefined(info), verb };
}

function stripUndefined<T extends Record<string, unknown>>(object: T): T {
  for (const key of Object.keys(object)) if (object[key] === undefined) delete object[key];
  return object;
}
