/**
 * What a request asks, in the authorizer's terms (Kubernetes' authorizer.Attributes), and the 403 it
 * gets when that is refused.
 *
 *   GET /api/v1/namespaces/shop/pods/web            get pods "web" in shop
 *   GET /api/v1/namespaces/shop                     get namespaces "shop" in the namespace shop
 *   GET /api/v1/pods?fieldSelector=metadata.name=w  list pods, name "w" (as upstream's RequestInfo)
 *   GET /version, /api, /apis/apps/v1               non-resource: verb get, path as sent
 *
 * Refusals read as upstream's:
 *   pods "web" is forbidden: User "bob" cannot get resource "pods" in API group "" in the namespace "shop"
 *   nodes is forbidden: User "bob" cannot list resource "nodes" in API group "" at the cluster scope
 *   forbidden: User "system:anonymous" cannot get path "/metrics"
 * with `: <reason>` appended when the authorizer gave one.
 */

import type { Attributes, UserInfo } from '../../api/auth.js';
import { goQuote } from '../../api/go-quote.js';
import { forbidden, type StatusError } from '../../api/status.js';
import { parseRequestInfo } from '../request-info.js';

export interface RequestLine {
  readonly method: string;
  /** The URL's path, percent-decoded. */
  readonly path: string;
  readonly query: Readonly<Record<string, unknown>>;
}

export function requestAttributes(user: UserInfo, request: RequestLine): Attributes {
  const info = parseRequestInfo(request.method, request.path, request.query.watch);
  if (!info) {
    return { user, verb: request.method.toLowerCase(), resourceRequest: false, path: request.path };
  }
  const fieldSelector =
    typeof request.query.fieldSelector === 'string' ? request.query.fieldSelector : undefined;
  const collection = info.verb === 'list' || info.verb === 'watch' || info.verb === 'deletecollection';
  // A list or watch of one object by name (`kubectl get pod web -w`) is authorized as that name.
  const name =
    info.name ?? (info.verb === 'list' || info.verb === 'watch' ? exactName(fieldSelector) : undefined);
  // A namespace is its own namespace: a Role in `shop` may grant reading namespace `shop`.
  const namespace = info.resource === 'namespaces' && info.group === '' ? info.name : info.namespace;
  return {
    user,
    verb: info.verb,
    resourceRequest: true,
    apiGroup: info.group,
    apiVersion: info.version,
    resource: info.resource,
    ...(info.subresource !== undefined ? { subresource: info.subresource } : {}),
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(collection && fieldSelector !== undefined ? { fieldSelector } : {}),
  };
}

/** The 403 for refused attributes, with the authorizer's reason when it gave one. */
export function forbiddenError(attributes: Attributes, reason: string): StatusError {
  const message = forbiddenMessage(attributes);
  return forbidden(
    { group: attributes.apiGroup ?? '', resource: attributes.resource ?? '' },
    attributes.name ?? '',
    reason === '' ? message : `${message}: ${reason}`,
  );
}

export function forbiddenMessage(attributes: Attributes): string {
  const user = goQuote(attributes.user.username);
  if (!attributes.resourceRequest) {
    return `User ${user} cannot ${attributes.verb} path ${goQuote(attributes.path ?? '')}`;
  }
  const resource = attributes.subresource
    ? `${attributes.resource ?? ''}/${attributes.subresource}`
    : (attributes.resource ?? '');
  const what = `User ${user} cannot ${attributes.verb} resource ${goQuote(resource)} in API group ${goQuote(attributes.apiGroup ?? '')}`;
  return attributes.namespace
    ? `${what} in the namespace ${goQuote(attributes.namespace)}`
    : `${what} at the cluster scope`;
}

/** `metadata.name=web` (or `==`) in a field selector, when the selector requires exactly that name. */
function exactName(selector: string | undefined): string | undefined {
  if (!selector) return undefined;
  for (const term of selector.split(',')) {
    const match = term.trim().match(/^metadata\.name\s*==?\s*(.+)$/);
    if (match && /^[^/%]+$/.test(match[1]!) && match[1] !== '.' && match[1] !== '..') return match[1]!.trim();
  }
  return undefined;
}
