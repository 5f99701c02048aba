/**
 * The two questions the API server asks of every request, as Kubernetes does: who is this
 * (authentication), and may they do this (authorization). Each answer comes from a chain of small
 * implementations behind these interfaces; the server only calls `authenticate` then `authorize`.
 */
import type { IncomingMessage } from 'node:http';

/** The user a request acts as, as Kubernetes' user.Info (and the `user` of a TokenReview's status). */
export interface UserInfo {
  readonly username: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

export const anonymousUser: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };

/** What an authenticator sees of a request: its headers and the TLS socket (for client certificates). */
export type AuthenticationRequest = Pick<IncomingMessage, 'headers' | 'socket'>;

/**
 * undefined: this authenticator found no credentials of its kind (the next one is asked).
 * A user: authenticated. Credentials of its kind that are bad (expired, tampered, unknown) throw a
 * 401 StatusError (`unauthorized` in api/status.ts): the request fails, no other authenticator is asked.
 */
export interface Authenticator {
  authenticate(request: AuthenticationRequest): Promise<UserInfo | undefined>;
}

/**
 * What is being asked, as Kubernetes' authorizer.Attributes. A resource request carries the resource
 * fields (from RequestInfo); any other path (`/version`, `/api`, `/openapi/v2`, `/healthz`) is a
 * non-resource request with its path and a lower-case HTTP verb (`get`, `post` …).
 */
export interface Attributes {
  readonly user: UserInfo;
  /** get list watch create update patch delete deletecollection, or impersonate, bind, escalate, use … */
  readonly verb: string;
  readonly resourceRequest: boolean;
  readonly namespace?: string;
  readonly apiGroup?: string;
  readonly apiVersion?: string;
  readonly resource?: string;
  readonly subresource?: string;
  readonly name?: string;
  /** Non-resource requests only. */
  readonly path?: string;
}

export type Decision = 'allow' | 'deny' | 'no-opinion';

export interface AuthorizationResult {
  readonly decision: Decision;
  /** Why, for the 403 message and for SubjectAccessReview's status.reason. */
  readonly reason: string;
}

/** One link of the authorization chain; the first `allow` or `deny` wins, all `no-opinion` is a deny. */
export interface Authorizer {
  authorize(attributes: Attributes): Promise<AuthorizationResult>;
}
