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
 * 401 StatusError (`unauthorized` in api/status.ts): the request fails unless another authenticator
 * of the chain accepts other credentials it carries (as upstream's union authenticator decides).
 */
export interface Authenticator {
  authenticate(request: AuthenticationRequest): Promise<UserInfo | undefined>;
}

/**
 * A bearer token's authenticator (a static token file, ServiceAccount JWTs), asked by the request
 * chain and by TokenReview. `audiences`: whom the caller wants the token to be for (the API server's
 * own audiences when absent). Same contract: undefined for a token not of its kind, a 401 StatusError
 * for a bad one of its kind.
 */
export interface TokenAuthenticator {
  authenticateToken(token: string, audiences?: readonly string[]): Promise<TokenAuthentication | undefined>;
}

export interface TokenAuthentication {
  readonly user: UserInfo;
  /**
   * The audiences the token was found valid for (TokenReview's status.audiences); empty from a token
   * not issued for any audience (a static token), which the chain takes as the API server's own.
   */
  readonly audiences: readonly string[];
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
  /**
   * list, watch and deletecollection only: the request's `fieldSelector`, as sent. The Node authorizer
   * lets a node list only the pods bound to it (`spec.nodeName=NAME`) and read only its own Node
   * (`metadata.name=NAME`, which upstream's RequestInfo also turns into `name`).
   */
  readonly fieldSelector?: string;
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
  /**
   * What `user` may do in `namespace`, for SelfSubjectRulesReview (`kubectl auth can-i --list`). A link
   * that cannot list its rules leaves this out, or answers `incomplete` (the Node authorizer for nodes).
   */
  rulesFor?(user: UserInfo, namespace: string): Promise<SubjectRules>;
}

/** An RBAC PolicyRule (rbac.authorization.k8s.io/v1), with absent lists read as empty. */
export interface PolicyRule {
  readonly verbs: readonly string[];
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly nonResourceURLs?: readonly string[];
}

/** authorization.k8s.io/v1 ResourceRule and NonResourceRule, as a SelfSubjectRulesReview lists them. */
export interface ResourceRule {
  readonly verbs: readonly string[];
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
}

export interface NonResourceRule {
  readonly verbs: readonly string[];
  readonly nonResourceURLs?: readonly string[];
}

/** A SubjectRulesReviewStatus: the rules, whether some authorizer could not list its own, and why. */
export interface SubjectRules {
  readonly resourceRules: readonly ResourceRule[];
  readonly nonResourceRules: readonly NonResourceRule[];
  readonly incomplete: boolean;
  readonly evaluationError?: string;
}

/** A binding's roleRef. */
export interface RoleRef {
  readonly apiGroup: string;
  readonly kind: string;
  readonly name: string;
}

/**
 * The RBAC rules behind a user, as upstream's AuthorizationRuleResolver: what escalation prevention
 * compares a new Role or binding against.
 */
export interface PolicyRuleResolver {
  /**
   * Every rule bound to `user`: cluster-wide, plus `namespace`'s when it is not ''. `errors` holds what
   * could not be resolved (a binding to a missing role); the rules found are still returned.
   */
  policyRulesFor(
    user: UserInfo,
    namespace: string,
  ): Promise<{ readonly rules: readonly PolicyRule[]; readonly errors: readonly string[] }>;
  /** The rules of the role `roleRef` names (a Role in `namespace`); a 404 StatusError if it does not exist. */
  roleReferenceRules(roleRef: RoleRef, namespace: string): Promise<readonly PolicyRule[]>;
}

/** What a write's requester-dependent checks need: the whole authorizer chain and the RBAC rules. */
export interface RequestAuthorization {
  readonly authorizer: Authorizer;
  readonly rules: PolicyRuleResolver;
}
