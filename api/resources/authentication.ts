/**
 * authentication.k8s.io: TokenReview (is this token good, and whose is it?) and SelfSubjectReview
 * (who am I? — `kubectl auth whoami`), answered per request and never stored (`virtual`).
 * SelfSubjectReview is GA in v1 (kubectl 1.28+ asks there) and also served at v1beta1, where kubectl
 * 1.27 asks. apiserver/auth/token-review.ts and self-subject-review.ts answer them.
 */
import { defaultColumns } from '../printers.js';
import type { ResourceDefinition } from '../resource.js';

const reviewFacts = {
  group: 'authentication.k8s.io',
  namespaced: false,
  verbs: ['create'],
  virtual: true,
  columns: defaultColumns,
} as const;

export const selfSubjectReviews: ResourceDefinition = {
  ...reviewFacts,
  version: 'v1',
  kind: 'SelfSubjectReview',
  plural: 'selfsubjectreviews',
  singular: 'selfsubjectreview',
  schema: 'io.k8s.api.authentication.v1.SelfSubjectReview',
};

export const tokenReviews: ResourceDefinition = {
  ...reviewFacts,
  version: 'v1',
  kind: 'TokenReview',
  plural: 'tokenreviews',
  singular: 'tokenreview',
  schema: 'io.k8s.api.authentication.v1.TokenReview',
};

export const selfSubjectReviewsV1beta1: ResourceDefinition = {
  ...reviewFacts,
  version: 'v1beta1',
  kind: 'SelfSubjectReview',
  plural: 'selfsubjectreviews',
  singular: 'selfsubjectreview',
  schema: 'io.k8s.api.authentication.v1beta1.SelfSubjectReview',
};
