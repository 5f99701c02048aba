/**
 * The authentication chain, as Kubernetes' union authenticator runs it:
 *
 *   1. a client certificate, if the TLS client sent one;
 *   2. `Authorization: Bearer <token>`, offered to each token authenticator in turn (the static token
 *      file, ServiceAccount JWTs); a token none of them knows is `invalid bearer token`;
 *   3. nothing at all: the anonymous user (system:anonymous in system:unauthenticated), or 401 when
 *      anonymous requests are turned off.
 *
 * Bad credentials are never taken as none: a request whose credentials all fail is answered 401, even
 * where anonymous requests are allowed. Every authenticated user gets `system:authenticated`.
 */

import {
  type AuthenticationRequest,
  type Authenticator,
  anonymousUser,
  type TokenAuthentication,
  type TokenAuthenticator,
  type UserInfo,
} from '../../api/auth.js';
import { isStatusError, unauthorized } from '../../api/status.js';

export const allAuthenticatedGroup = 'system:authenticated';
export const allUnauthenticatedGroup = 'system:unauthenticated';

export interface AuthenticationChainOptions {
  /** Client certificates; asked first. */
  readonly certificates?: Authenticator;
  /** Bearer token authenticators, asked in order. */
  readonly tokens?: readonly TokenAuthenticator[];
  /**
   * The audiences this API server accepts tokens for. A token authenticator that answers with no
   * audiences (a static token: not issued for anyone in particular) is taken as valid for these.
   */
  readonly apiAudiences?: readonly string[];
  /** Who a request without credentials is; `anonymousUser` by default, `false` to refuse it (401). */
  readonly anonymous?: UserInfo | false;
}

export class AuthenticationChain implements Authenticator, TokenAuthenticator {
  readonly #certificates: Authenticator | undefined;
  readonly #tokens: readonly TokenAuthenticator[];
  readonly #apiAudiences: readonly string[];
  readonly #anonymous: UserInfo | false;

  constructor(options: AuthenticationChainOptions) {
    this.#certificates = options.certificates;
    this.#tokens = options.tokens ?? [];
    this.#apiAudiences = options.apiAudiences ?? [];
    this.#anonymous = options.anonymous ?? anonymousUser;
  }

  /** A user, or undefined when the request has no credentials and anonymous requests are refused. */
  async authenticate(request: AuthenticationRequest): Promise<UserInfo | undefined> {
    const failures: string[] = [];
    if (this.#certificates) {
      try {
        const user = await this.#certificates.authenticate(request);
        if (user) return withAuthenticatedGroup(user);
      } catch (error) {
        failures.push(failureMessage(error));
      }
    }
    const token = bearerToken(request.headers.authorization);
    if (token !== undefined) {
      try {
        const result = await this.authenticateToken(token);
        if (result) return result.user;
        failures.push('invalid bearer token');
      } catch (error) {
        failures.push('invalid bearer token', failureMessage(error));
      }
    }
    if (failures.length > 0) throw unauthorized(aggregate(failures));
    return this.#anonymous === false ? undefined : this.#anonymous;
  }

  /** For the bearer path and TokenReview: the first token authenticator that knows the token. */
  async authenticateToken(
    token: string,
    audiences?: readonly string[],
  ): Promise<TokenAuthentication | undefined> {
    const failures: string[] = [];
    for (const authenticator of this.#tokens) {
      let result: TokenAuthentication | undefined;
      try {
        result = await authenticator.authenticateToken(token, audiences);
      } catch (error) {
        failures.push(failureMessage(error));
        continue;
      }
      if (!result) continue;
      let granted = result.audiences;
      if (granted.length === 0) {
        // Not issued for an audience: good for the API server's own, and only those.
        granted =
          audiences && audiences.length > 0
            ? this.#apiAudiences.filter((audience) => audiences.includes(audience))
            : this.#apiAudiences;
        if (granted.length === 0 && audiences && audiences.length > 0) continue;
      }
      return { user: withAuthenticatedGroup(result.user), audiences: granted };
    }
    if (failures.length > 0) throw unauthorized(aggregate(failures));
    return undefined;
  }
}

/** The token of `Authorization: Bearer <token>`, as upstream reads it; undefined for any other scheme. */
export function bearerToken(header: string | undefined): string | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  const [scheme, token] = value.split(' ', 3);
  if (scheme?.toLowerCase() !== 'bearer' || !token) return undefined;
  return token;
}

/** Users with the group added, by the authenticator's (cached) user: no copy per request. */
const authenticatedUsers = new WeakMap<UserInfo, UserInfo>();

/** Adds `system:authenticated` unless the user is already in it or in `system:unauthenticated`. */
export function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.groups.includes(allAuthenticatedGroup) || user.groups.includes(allUnauthenticatedGroup)) {
    return user;
  }
  let added = authenticatedUsers.get(user);
  if (!added) {
    added = { ...user, groups: [...user.groups, allAuthenticatedGroup] };
    authenticatedUsers.set(user, added);
  }
  return added;
}

function failureMessage(error: unknown): string {
  if (isStatusError(error, 'Unauthorized')) return error.message;
  throw error;
}

/** Go's aggregate error text: one message alone, several as `[a, b]`. */
function aggregate(messages: readonly string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? unique[0]! : `[${unique.join(', ')}]`;
}
