/**
 * Impersonation headers (`kubectl --as bob --as-group dev`), as Kubernetes handles them: the requester
 * must be allowed the `impersonate` verb on each thing asked for, and the request then acts as the
 * impersonated user.
 *
 *   Impersonate-User: bob                              users "bob"                (group "")
 *   Impersonate-User: system:serviceaccount:ns:name    serviceaccounts "name" in ns (group "")
 *   Impersonate-Group: dev (repeatable)                groups "dev"               (group "")
 *   Impersonate-Uid: 1234                              uids "1234"                (authentication.k8s.io)
 *   Impersonate-Extra-Scopes: view (repeatable)        userextras/scopes "view"   (authentication.k8s.io)
 *
 * Groups, extras or a uid without a user are a 400. A ServiceAccount without explicit groups gets its
 * ServiceAccount groups. Everyone impersonated gets `system:authenticated` (system:anonymous gets
 * `system:unauthenticated`) unless the headers named one of the two.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { type Attributes, type Authorizer, anonymousUser, type UserInfo } from '../../api/auth.js';
import { badRequest } from '../../api/status.js';
import { forbiddenError } from './attributes.js';
import { allAuthenticatedGroup, allUnauthenticatedGroup } from './authenticate.js';
import { allServiceAccountsGroup, serviceAccountUsernamePrefix } from './service-account-token.js';

const userHeader = 'impersonate-user';
const groupHeader = 'impersonate-group';
const uidHeader = 'impersonate-uid';
const extraHeaderPrefix = 'impersonate-extra-';

/** Headers as Node gives them, each header's lines kept apart where it can (`headersDistinct`). */
export interface ImpersonationRequest {
  readonly headers: IncomingHttpHeaders;
  readonly headersDistinct?: Readonly<Record<string, string[] | undefined>>;
}

/** Whether the request carries any impersonation header; cheap, for the common case of none. */
export function wantsImpersonation(headers: IncomingHttpHeaders): boolean {
  for (const name in headers) if (name.startsWith('impersonate-')) return true;
  return false;
}

/**
 * The user to act as, after checking that `requestor` may impersonate each part of it; throws a 400
 * for a malformed request and a 403 naming the first part refused. Without an authorizer everything is
 * allowed, as every other request is.
 */
export async function impersonate(
  requestor: UserInfo,
  request: ImpersonationRequest,
  authorizer: Authorizer | undefined,
): Promise<UserInfo> {
  const values = (name: string): string[] => {
    const distinct = request.headersDistinct?.[name];
    if (distinct) return distinct;
    const value = request.headers[name];
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
  };
  const username = values(userHeader)[0] ?? '';
  const groupsAsked = values(groupHeader);
  const uid = values(uidHeader)[0] ?? '';
  const extra: Record<string, string[]> = {};
  for (const name of Object.keys(request.headers)) {
    if (!name.startsWith(extraHeaderPrefix)) continue;
    extra[unescapeExtraKey(name.slice(extraHeaderPrefix.length))] = values(name);
  }
  const extraKeys = Object.keys(extra);
  if (username === '') {
    if (groupsAsked.length > 0 || extraKeys.length > 0 || uid !== '') {
      throw badRequest(`requested ${describe(groupsAsked, extra, uid)} without impersonating a user`);
    }
    return requestor;
  }

  const checks: Attributes[] = [];
  const ask = (fields: Omit<Attributes, 'user' | 'verb' | 'resourceRequest'>) =>
    checks.push({ user: requestor, verb: 'impersonate', resourceRequest: true, ...fields });
  let groups: string[] = [];
  const serviceAccount = splitServiceAccountUsername(username);
  if (serviceAccount) {
    ask({ apiGroup: '', apiVersion: 'v1', resource: 'serviceaccounts', ...serviceAccount });
    if (groupsAsked.length === 0) {
      groups = [allServiceAccountsGroup, `${allServiceAccountsGroup}:${serviceAccount.namespace}`];
    }
  } else {
    ask({ apiGroup: '', apiVersion: 'v1', resource: 'users', name: username });
  }
  for (const group of groupsAsked) {
    ask({ apiGroup: '', apiVersion: 'v1', resource: 'groups', name: group });
    groups.push(group);
  }
  for (const key of extraKeys) {
    for (const value of extra[key]!) {
      ask({
        apiGroup: 'authentication.k8s.io',
        apiVersion: 'v1',
        resource: 'userextras',
        subresource: key,
        name: value,
      });
    }
  }
  if (uid !== '') ask({ apiGroup: 'authentication.k8s.io', apiVersion: 'v1', resource: 'uids', name: uid });

  if (authorizer) {
    for (const attributes of checks) {
      const result = await authorizer.authorize(attributes);
      if (result.decision !== 'allow') throw forbiddenError(attributes, result.reason);
    }
  }

  if (username === anonymousUser.username) {
    if (!groups.includes(allUnauthenticatedGroup)) groups.push(allUnauthenticatedGroup);
  } else if (!groups.includes(allAuthenticatedGroup) && !groups.includes(allUnauthenticatedGroup)) {
    groups.push(allAuthenticatedGroup);
  }
  return {
    username,
    ...(uid !== '' ? { uid } : {}),
    groups,
    ...(extraKeys.length > 0 ? { extra } : {}),
  };
}

/** `system:serviceaccount:NS:NAME` → its namespace and name; undefined for any other user name. */
export function splitServiceAccountUsername(
  username: string,
): { namespace: string; name: string } | undefined {
  if (!username.startsWith(serviceAccountUsernamePrefix)) return undefined;
  const parts = username.slice(serviceAccountUsernamePrefix.length).split(':');
  if (parts.length !== 2) return undefined;
  const [namespace, name] = parts as [string, string];
  const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
  const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
  if (!dnsLabel.test(namespace) || namespace.length > 63) return undefined;
  if (!dnsSubdomain.test(name) || name.length > 253) return undefined;
  return { namespace, name };
}

/** Extra keys travel percent-encoded in header names (`Impersonate-Extra-Example.com%2fscopes`). */
function unescapeExtraKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded.toLowerCase());
  } catch {
    return encoded.toLowerCase();
  }
}

function describe(groups: readonly string[], extra: Record<string, string[]>, uid: string): string {
  const parts = [
    ...groups.map((group) => `Group ${group}`),
    ...Object.entries(extra).flatMap(([key, values]) => values.map((value) => `UserExtra ${key}=${value}`)),
    ...(uid !== '' ? [`UID ${uid}`] : []),
  ];
  return `[${parts.join(' ')}]`;
}
