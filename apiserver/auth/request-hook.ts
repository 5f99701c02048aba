/**
 * What the API server does with every request before routing it, in Kubernetes' filter order:
 *
 *   1. authenticate — bad credentials, or none where anonymous requests are off: 401 `Unauthorized`;
 *   2. impersonate — `Impersonate-*` headers switch the user, if the authorizer allows it;
 *   3. remember the user on the request (requestUser()) for handlers, admission and audit;
 *   4. authorize — when an authorizer is configured; refused: 403 with upstream's message.
 *
 * It runs as fastify's onRequest hook, before the body is read: a refused request costs no parsing.
 * The 401 says only `Unauthorized`, as upstream's does; why is not the client's business.
 */
import { Socket } from 'node:net';
import type { FastifyRequest } from 'fastify';
import { type Authenticator, type Authorizer, anonymousUser, type UserInfo } from '../../api/auth.js';
import { isStatusError, unauthorized } from '../../api/status.js';
import { forbiddenError, requestAttributes } from './attributes.js';
import { impersonate, wantsImpersonation } from './impersonation.js';
import { setRequestIdentity } from './request-user.js';

export interface RequestHookOptions {
  /** Absent: every request is the anonymous user (useful only with an authorizer). */
  readonly authenticator?: Authenticator;
  readonly authorizer?: Authorizer;
  /**
   * Who a request from the in-process client acts as when it carries no credentials. Those requests
   * arrive through fastify's inject, without a socket: only code inside this process can send them.
   */
  readonly inProcessUser?: UserInfo;
  /** Told of each failed authentication (upstream logs "Unable to authenticate the request"). */
  readonly onAuthenticationFailure?: (request: FastifyRequest, reason: string) => void;
}

export function requestHook(options: RequestHookOptions): (request: FastifyRequest) => Promise<void> {
  const { authorizer } = options;
  return async (request) => {
    const requestor = await authenticate(options, request);
    const user = wantsImpersonation(request.headers)
      ? await impersonate(requestor, request.raw, authorizer)
      : requestor;
    setRequestIdentity(request, user === requestor ? { user } : { user, impersonator: requestor });
    if (!authorizer) return;
    const attributes = requestAttributes(user, {
      method: request.method,
      path: decodePath(request.url),
      query: request.query as Record<string, unknown>,
    });
    const result = await authorizer.authorize(attributes);
    if (result.decision !== 'allow') throw forbiddenError(attributes, result.reason);
  };
}

async function authenticate(options: RequestHookOptions, request: FastifyRequest): Promise<UserInfo> {
  if (
    options.inProcessUser &&
    !(request.raw.socket instanceof Socket) &&
    request.headers.authorization === undefined
  ) {
    return options.inProcessUser;
  }
  if (!options.authenticator) return anonymousUser;
  try {
    const user = await options.authenticator.authenticate(request.raw);
    if (user) return user;
    options.onAuthenticationFailure?.(request, 'no credentials, and anonymous requests are not allowed');
  } catch (error) {
    if (!isStatusError(error, 'Unauthorized')) throw error;
    options.onAuthenticationFailure?.(request, error.message);
  }
  throw unauthorized('Unauthorized');
}

function decodePath(url: string): string {
  const path = url.split('?', 1)[0]!;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
