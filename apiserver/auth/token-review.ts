/**
 * TokenReview (authentication.k8s.io/v1): is this bearer token good, and whose is it? Webhook
 * authenticators and proxies ask this so they need not verify Skiff's tokens themselves.
 *
 *   POST /apis/authentication.k8s.io/v1/tokenreviews  {"spec": {"token": "…", "audiences": ["vault"]}}
 *   201 → status: {authenticated: true, user: {username, uid, groups, extra}, audiences: ["vault"]}
 *      or status: {user: {}, error: "service account token has expired"}
 *
 * The token goes through the same token authenticators as a request's bearer token; without audiences
 * it must be for the API server itself.
 */

import type { TokenAuthenticator, UserInfo } from '../../api/auth.js';
import type { KubeObject } from '../../api/resource.js';
import { tokenReviews } from '../../api/resources/authentication.js';
import { badRequest, isStatusError } from '../../api/status.js';
import { storeKey, type VirtualResource } from '../rest-handler.js';

export function tokenReviewResource(authenticator: TokenAuthenticator): [string, VirtualResource] {
  return [
    storeKey(tokenReviews.group, tokenReviews.version, tokenReviews.plural),
    { resource: tokenReviews, create: (review) => answerTokenReview(authenticator, review) },
  ];
}

export async function answerTokenReview(
  authenticator: TokenAuthenticator,
  review: KubeObject,
): Promise<KubeObject> {
  const spec = (review.spec ?? {}) as { token?: unknown; audiences?: unknown };
  if (typeof spec.token !== 'string' || spec.token === '') {
    throw badRequest('token is required for TokenReview in authentication');
  }
  const audiences = Array.isArray(spec.audiences)
    ? spec.audiences.filter((audience): audience is string => typeof audience === 'string')
    : [];
  let status: Record<string, unknown>;
  try {
    const result = await authenticator.authenticateToken(
      spec.token,
      audiences.length > 0 ? audiences : undefined,
    );
    status = result
      ? {
          authenticated: true,
          user: userInfoJson(result.user),
          ...(result.audiences.length > 0 ? { audiences: [...result.audiences] } : {}),
        }
      : { user: {}, error: 'invalid bearer token' };
  } catch (error) {
    if (!isStatusError(error, 'Unauthorized')) throw error;
    status = { user: {}, error: error.message };
  }
  return {
    kind: 'TokenReview',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { ...(review.metadata ?? {}), creationTimestamp: null },
    spec: review.spec ?? {},
    status,
  };
}

/** A UserInfo as authentication.k8s.io/v1 writes it: empty members left out. */
export function userInfoJson(user: UserInfo): Record<string, unknown> {
  const extra = user.extra && Object.keys(user.extra).length > 0 ? user.extra : undefined;
  return {
    username: user.username,
    ...(user.uid ? { uid: user.uid } : {}),
    ...(user.groups.length > 0 ? { groups: [...user.groups] } : {}),
    ...(extra
      ? { extra: Object.fromEntries(Object.entries(extra).map(([key, values]) => [key, [...values]])) }
      : {}),
  };
}
