/**
 * ServiceAccount tokens: JWTs Skiff signs with `<dataDir>/pki/sa.key`, with the claims Kubernetes puts
 * in a bound token, and the checks it makes when one comes back.
 *
 *   {
 *     "iss": "https://kubernetes.default.svc.cluster.local",
 *     "sub": "system:serviceaccount:shop:builder",
 *     "aud": ["https://kubernetes.default.svc.cluster.local"],
 *     "exp": 1767229200, "iat": 1767225600, "nbf": 1767225600, "jti": "…",
 *     "kubernetes.io": {
 *       "namespace": "shop",
 *       "serviceaccount": { "name": "builder", "uid": "…" },
 *       "pod": { "name": "web-0", "uid": "…" },          (when bound to a pod)
 *       "node": { "name": "node-1", "uid": "…" }          (the pod's node, or a node-bound token)
 *     }
 *   }
 *
 * A token is accepted when it is ours (our issuer; anything else is left to other authenticators),
 * our key signed it, the clock is within nbf..exp (a minute's leeway, as upstream), one of its
 * audiences is one the caller accepts, and the ServiceAccount — and the Pod, Secret or Node it is
 * bound to — still exists with the uid in the token. Deleting the ServiceAccount or the pod revokes it.
 *
 * Signature checks are cached by token (a client sends the same token on every request); the time,
 * audience and bound-object checks run every time.
 */
import { createPublicKey, type KeyObject, randomUUID } from 'node:crypto';
import type { TokenAuthentication, TokenAuthenticator, UserInfo } from '../../api/auth.js';
import type { KubeObject } from '../../api/resource.js';
import { unauthorized } from '../../api/status.js';
import { decodeJwt, keyIdOf, signJwt, verifyJwt } from './jwt.js';
import { lookupWithUid, type ObjectLookup } from './object-lookup.js';
import { credentialIdExtra } from './x509.js';

/** The issuer kubeadm configures, which Skiff uses by default: the in-cluster name of the API server. */
export const defaultServiceAccountIssuer = 'https://kubernetes.default.svc.cluster.local';

export const serviceAccountUsernamePrefix = 'system:serviceaccount:';
export const allServiceAccountsGroup = 'system:serviceaccounts';

/** The extras a pod-bound token gives its user (upstream's names). */
export const podNameExtra = 'authentication.kubernetes.io/pod-name';
export const podUidExtra = 'authentication.kubernetes.io/pod-uid';
export const nodeNameExtra = 'authentication.kubernetes.io/node-name';
export const nodeUidExtra = 'authentication.kubernetes.io/node-uid';

const leewaySeconds = 60;

export interface ServiceAccountTokensOptions {
  readonly issuer?: string;
  /** What a token must be for to reach this API server; `[issuer]` by default. */
  readonly apiAudiences?: readonly string[];
  /** The private key tokens are signed with. */
  readonly signingKey: KeyObject;
  /** Keys whose tokens are accepted besides the signing key's own (rotated-out keys). */
  readonly verificationKeys?: readonly KeyObject[];
  readonly objects: ObjectLookup;
  /** Milliseconds since the epoch. */
  readonly now?: () => number;
  /** Tokens whose signature has been checked, kept for reuse. */
  readonly cacheSize?: number;
}

interface ObjectRef {
  readonly name: string;
  readonly uid: string;
}

/** The `kubernetes.io` claim. */
export interface KubernetesClaims {
  readonly namespace: string;
  readonly serviceaccount: ObjectRef;
  readonly pod?: ObjectRef;
  readonly secret?: ObjectRef;
  readonly node?: ObjectRef;
}

export interface ServiceAccountClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: readonly string[];
  readonly exp: number;
  readonly iat: number;
  readonly nbf: number;
  readonly jti: string;
  readonly 'kubernetes.io': KubernetesClaims;
}

export interface IssueTokenRequest {
  readonly serviceAccount: KubeObject;
  readonly audiences: readonly string[];
  readonly expirationSeconds: number;
  readonly pod?: KubeObject;
  readonly secret?: KubeObject;
  readonly node?: KubeObject;
}

export class ServiceAccountTokens implements TokenAuthenticator {
  readonly issuer: string;
  readonly apiAudiences: readonly string[];
  readonly #signingKey: KeyObject;
  readonly #keyId: string;
  readonly #keys: ReadonlyMap<string, KeyObject>;
  readonly #objects: ObjectLookup;
  readonly #now: () => number;
  readonly #cacheSize: number;
  /** Token → its verified claims and the user they name; insertion order is eviction order. */
  readonly #verified = new Map<string, { readonly claims: ServiceAccountClaims; readonly user: UserInfo }>();

  constructor(options: ServiceAccountTokensOptions) {
    this.issuer = options.issuer ?? defaultServiceAccountIssuer;
    this.apiAudiences = options.apiAudiences ?? [this.issuer];
    this.#signingKey = options.signingKey;
    const signingPublicKey = createPublicKey(options.signingKey);
    this.#keyId = keyIdOf(signingPublicKey);
    this.#keys = new Map(
      [signingPublicKey, ...(options.verificationKeys ?? [])].map((key) => [keyIdOf(key), key]),
    );
    this.#objects = options.objects;
    this.#now = options.now ?? Date.now;
    this.#cacheSize = options.cacheSize ?? 4096;
  }

  /** Signs a token for the ServiceAccount (and what it is bound to); `expirationTimestamp` is exp. */
  issue(request: IssueTokenRequest): {
    token: string;
    expirationTimestamp: Date;
    claims: ServiceAccountClaims;
  } {
    const now = Math.floor(this.#now() / 1000);
    const meta = request.serviceAccount.metadata ?? {};
    const namespace = meta.namespace ?? '';
    const ref = (object: KubeObject | undefined): ObjectRef | undefined =>
      object ? { name: object.metadata?.name ?? '', uid: object.metadata?.uid ?? '' } : undefined;
    const pod = ref(request.pod);
    const secret = ref(request.secret);
    const node = ref(request.node);
    const claims: ServiceAccountClaims = {
      aud: [...request.audiences],
      exp: now + request.expirationSeconds,
      iat: now,
      iss: this.issuer,
      jti: randomUUID(),
      'kubernetes.io': {
        namespace,
        ...(node ? { node } : {}),
        ...(pod ? { pod } : {}),
        ...(secret ? { secret } : {}),
        serviceaccount: { name: meta.name ?? '', uid: meta.uid ?? '' },
      },
      nbf: now,
      sub: `${serviceAccountUsernamePrefix}${namespace}:${meta.name ?? ''}`,
    };
    return {
      token: signJwt(claims, this.#signingKey, this.#keyId),
      expirationTimestamp: new Date(claims.exp * 1000),
      claims,
    };
  }

  async authenticateToken(
    token: string,
    audiences?: readonly string[],
  ): Promise<TokenAuthentication | undefined> {
    const verified = this.#verifiedToken(token);
    if (!verified) return undefined;
    const { claims } = verified;
    const now = this.#now() / 1000;
    if (now > claims.exp + leewaySeconds) throw unauthorized('service account token has expired');
    if (now < claims.nbf - leewaySeconds || now < claims.iat - leewaySeconds) {
      throw unauthorized('service account token is not valid yet');
    }
    const wanted = audiences && audiences.length > 0 ? audiences : this.apiAudiences;
    const matched = wanted.filter((audience) => claims.aud.includes(audience));
    if (matched.length === 0) {
      throw unauthorized(
        `token audiences ${JSON.stringify(claims.aud)} is invalid for the target audiences ${JSON.stringify(wanted)}`,
      );
    }
    await this.#checkBound(claims);
    return { user: verified.user, audiences: matched };
  }

  /** The token's claims once its signature is checked; undefined when the token is not ours. */
  #verifiedToken(token: string): { claims: ServiceAccountClaims; user: UserInfo } | undefined {
    const cached = this.#verified.get(token);
    if (cached) return cached;
    const decoded = decodeJwt(token);
    if (!decoded || decoded.payload.iss !== this.issuer) return undefined;
    const keys =
      decoded.header.kid !== undefined && this.#keys.has(decoded.header.kid)
        ? [this.#keys.get(decoded.header.kid)!]
        : [...this.#keys.values()];
    if (!keys.some((key) => verifyJwt(decoded, key))) throw unauthorized('token signature is invalid');
    const claims = checkClaimShapes(decoded.payload);
    if (this.#verified.size >= this.#cacheSize) this.#verified.delete(this.#verified.keys().next().value!);
    const verified = { claims, user: userOf(claims) };
    this.#verified.set(token, verified);
    return verified;
  }

  /** Throws 401 when the ServiceAccount, or what the token is bound to, is gone or replaced. */
  async #checkBound(claims: ServiceAccountClaims): Promise<void> {
    const kubernetes = claims['kubernetes.io'];
    const { namespace } = kubernetes;
    if (!(await this.#bound('serviceaccounts', namespace, kubernetes.serviceaccount))) {
      throw unauthorized(`service account ${namespace}/${kubernetes.serviceaccount.name} has been deleted`);
    }
    if (kubernetes.pod && !(await this.#bound('pods', namespace, kubernetes.pod))) {
      throw unauthorized(`pod ${namespace}/${kubernetes.pod.name} has been deleted`);
    }
    if (kubernetes.secret && !(await this.#bound('secrets', namespace, kubernetes.secret))) {
      throw unauthorized(`secret ${namespace}/${kubernetes.secret.name} has been deleted`);
    }
    // A pod-bound token names its pod's node for information; a node-bound one lives and dies with it.
    if (kubernetes.node && !kubernetes.pod && !(await this.#bound('nodes', undefined, kubernetes.node))) {
      throw unauthorized(`node ${kubernetes.node.name} has been deleted`);
    }
  }

  /**
   * The object a claim names, if it still exists with the claimed uid and has not been deleted more
   * than a minute ago (a pod in its grace period keeps its token a little longer, as upstream).
   */
  async #bound(
    resource: 'serviceaccounts' | 'pods' | 'secrets' | 'nodes',
    namespace: string | undefined,
    ref: ObjectRef,
  ): Promise<KubeObject | undefined> {
    const object = await lookupWithUid(this.#objects, resource, namespace, ref.name, ref.uid);
    if (!object || object.metadata?.uid !== ref.uid) return undefined;
    const deletion = object.metadata?.deletionTimestamp;
    if (deletion && Date.parse(deletion) + leewaySeconds * 1000 < this.#now()) return undefined;
    return object;
  }
}

/** The user a token's claims name, with the bound pod and node as extras (upstream's keys). */
function userOf(claims: ServiceAccountClaims): UserInfo {
  const kubernetes = claims['kubernetes.io'];
  const extra: Record<string, string[]> = {};
  if (kubernetes.pod) {
    extra[podNameExtra] = [kubernetes.pod.name];
    extra[podUidExtra] = [kubernetes.pod.uid];
  }
  if (kubernetes.node) {
    extra[nodeNameExtra] = [kubernetes.node.name];
    if (kubernetes.node.uid !== '') extra[nodeUidExtra] = [kubernetes.node.uid];
  }
  if (claims.jti !== '') extra[credentialIdExtra] = [`JTI=${claims.jti}`];
  return {
    username: claims.sub,
    uid: kubernetes.serviceaccount.uid,
    groups: [allServiceAccountsGroup, `${allServiceAccountsGroup}:${kubernetes.namespace}`],
    extra,
  };
}

/** A signed token of ours with claims of the wrong shape is refused, not trusted in part. */
function checkClaimShapes(payload: Record<string, unknown>): ServiceAccountClaims {
  const bad = () => unauthorized('service account token has malformed claims');
  const kubernetes = payload['kubernetes.io'] as Partial<KubernetesClaims> | undefined;
  const isRef = (value: unknown): value is ObjectRef =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ObjectRef).name === 'string' &&
    typeof (value as ObjectRef).uid === 'string';
  const aud = typeof payload.aud === 'string' ? [payload.aud] : payload.aud;
  if (
    typeof payload.sub !== 'string' ||
    !Array.isArray(aud) ||
    !aud.every((audience) => typeof audience === 'string') ||
    typeof payload.exp !== 'number' ||
    !kubernetes ||
    typeof kubernetes.namespace !== 'string' ||
    !isRef(kubernetes.serviceaccount) ||
    (kubernetes.pod !== undefined && !isRef(kubernetes.pod)) ||
    (kubernetes.secret !== undefined && !isRef(kubernetes.secret)) ||
    (kubernetes.node !== undefined && !isRef(kubernetes.node)) ||
    payload.sub !== `${serviceAccountUsernamePrefix}${kubernetes.namespace}:${kubernetes.serviceaccount.name}`
  ) {
    throw bad();
  }
  return {
    ...(payload as unknown as ServiceAccountClaims),
    aud: aud as string[],
    iat: typeof payload.iat === 'number' ? payload.iat : 0,
    nbf: typeof payload.nbf === 'number' ? payload.nbf : 0,
    jti: typeof payload.jti === 'string' ? payload.jti : '',
  };
}
