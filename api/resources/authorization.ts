/**
 * authorization.k8s.io/v1: the access reviews, questions put to the server's authorizer and never
 * stored (`virtual`). `create` is their one verb; apiserver/auth/access-review.ts answers them.
 * Discovery lists them so `kubectl auth can-i` finds them.
 */
import { defaultColumns } from '../printers.js';
import type { ResourceDefinition } from '../resource.js';

const reviewFacts = {
  group: 'authorization.k8s.io',
  version: 'v1',
  verbs: ['create'],
  virtual: true,
  columns: defaultColumns,
} as const;

export const localSubjectAccessReviews: ResourceDefinition = {
  ...reviewFacts,
  kind: 'LocalSubjectAccessReview',
  plural: 'localsubjectaccessreviews',
  singular: 'localsubjectaccessreview',
  namespaced: true,
  schema: 'io.k8s.api.authorization.v1.LocalSubjectAccessReview',
};

export const selfSubjectAccessReviews: ResourceDefinition = {
  ...reviewFacts,
  kind: 'SelfSubjectAccessReview',
  plural: 'selfsubjectaccessreviews',
  singular: 'selfsubjectaccessreview',
  namespaced: false,
  schema: 'io.k8s.api.authorization.v1.SelfSubjectAccessReview',
};

export const selfSubjectRulesReviews: ResourceDefinition = {
  ...reviewFacts,
  kind: 'SelfSubjectRulesReview',
  plural: 'selfsubjectrulesreviews',
  singular: 'selfsubjectrulesreview',
  namespaced: false,
  schema: 'io.k8s.api.authorization.v1.SelfSubjectRulesReview',
};

export const subjectAccessReviews: ResourceDefinition = {
  ...reviewFacts,
  kind: 'SubjectAccessReview',
  plural: 'subjectaccessreviews',
  singular: 'subjectaccessreview',
  namespaced: false,
  schema: 'io.k8s.api.authorization.v1.SubjectAccessReview',
};
