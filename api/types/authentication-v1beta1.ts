/**
 * authentication.k8s.io/v1beta1: SelfSubjectReview (its UserInfo is authentication/v1's), as
 * Kubernetes 1.33 has it.
 *
 * Field names and numbers are the wire protocol (JSON and protobuf): never renumber or rename them.
 */
import { f, message } from '../schema/dsl.js';

export const SelfSubjectReview = message(
  'io.k8s.api.authentication.v1beta1.SelfSubjectReview',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    status: f.message(2, 'io.k8s.api.authentication.v1beta1.SelfSubjectReviewStatus', { default: {} }),
  },
  { gvk: [{ group: 'authentication.k8s.io', version: 'v1beta1', kind: 'SelfSubjectReview' }] },
);

message('io.k8s.api.authentication.v1beta1.SelfSubjectReviewStatus', {
  userInfo: f.message(1, 'io.k8s.api.authentication.v1.UserInfo', { default: {} }),
});
