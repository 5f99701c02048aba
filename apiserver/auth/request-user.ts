/**
 * Who a request acts as, kept beside the request once authentication (and impersonation) has decided:
 * the authorizer, the handlers (SelfSubjectReview, RBAC's escalation checks) and later the audit log
 * read it from here. Keyed by the raw request, so fastify's request and Node's message both find it.
 */
import type { IncomingMessage } from 'node:http';
import type { UserInfo } from '../../api/auth.js';

export interface RequestIdentity {
  /** The user the request acts as (the impersonated one, when impersonating). */
  readonly user: UserInfo;
  /** Who authenticated, when that is not `user`: the impersonator. */
  readonly impersonator?: UserInfo;
}

const identities = new WeakMap<object, RequestIdentity>();

type AnyRequest = IncomingMessage | { readonly raw: IncomingMessage };

const rawOf = (request: AnyRequest): object => ('raw' in request ? request.raw : request);

export function setRequestIdentity(request: AnyRequest, identity: RequestIdentity): void {
  identities.set(rawOf(request), identity);
}

export function requestIdentity(request: AnyRequest): RequestIdentity | undefined {
  return identities.get(rawOf(request));
}

/** The user a request acts as; undefined when the server runs without authentication. */
export function requestUser(request: AnyRequest): UserInfo | undefined {
  return identities.get(rawOf(request))?.user;
}
