/**
 * SelfSubjectReview: who am I? (`kubectl auth whoami`). The answer is the user the request acts as —
 * after impersonation, so `kubectl auth whoami --as bob` shows bob.
 *
 *   POST /apis/authentication.k8s.io/v1/selfsubjectreviews  {}
 *   201 → {"status": {"userInfo": {"username": "kubernetes-admin", "groups": ["system:masters", …]}}}
 *
 * Served at v1 and v1beta1, the versions kubectl 1.27 to 1.33 ask for.
 */
import { groupVersion, type ResourceDefinition } from '../../api/resource.js';
import { selfSubjectReviews, selfSubjectReviewsV1beta1 } from '../../api/resources/authentication.js';
import { badRequest } from '../../api/status.js';
import { storeKey, type VirtualResource } from '../rest-handler.js';
import { userInfoJson } from './token-review.js';

export function selfSubjectReviewResources(): [string, VirtualResource][] {
  return [selfSubjectReviews, selfSubjectReviewsV1beta1].map((resource) => [
    storeKey(resource.group, resource.version, resource.plural),
    selfSubjectReviewResource(resource),
  ]);
}

function selfSubjectReviewResource(resource: ResourceDefinition): VirtualResource {
  return {
    resource,
    async create(review, request) {
      if (!request.user) throw badRequest('no user present on request');
      return {
        kind: 'SelfSubjectReview',
        apiVersion: groupVersion(resource),
        metadata: { ...(review.metadata ?? {}), creationTimestamp: null },
        status: { userInfo: userInfoJson(request.user) },
      };
    },
  };
}
