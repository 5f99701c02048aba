/**
 * authentication.k8s.io/v1: TokenReview, TokenRequest, SelfSubjectReview, as Kubernetes 1.33
 * has them.
 *
 * Field names and numbers are the wire protocol (JSON and protobuf): never renumber or rename them.
 */
import { f, message } from '../schema/dsl.js';

message('io.k8s.api.authentication.v1.BoundObjectReference', {
  kind: f.string(1),
  apiVersion: f.string(2),
  name: f.string(3),
  uid: f.string(4),
});

message('io.k8s.api.authentication.v1.ExtraValue', {
  items: f.list(1, 'string'),
});

export const SelfSubjectReview = message(
  'io.k8s.api.authentication.v1.SelfSubjectReview',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    status: f.message(2, 'io.k8s.api.authentication.v1.SelfSubjectReviewStatus', { default: {} }),
  },
  { gvk: [{ group: 'authentication.k8s.io', version: 'v1', kind: 'SelfSubjectReview' }] },
);

message('io.k8s.api.authentication.v1.SelfSubjectReviewStatus', {
  userInfo: f.message(1, 'io.k8s.api.authentication.v1.UserInfo', { default: {} }),
});

export const TokenRequest = message(
  'io.k8s.api.authentication.v1.TokenRequest',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    spec: f.message(2, 'io.k8s.api.authentication.v1.TokenRequestSpec', { required: true, default: {} }),
    status: f.message(3, 'io.k8s.api.authentication.v1.TokenRequestStatus', { default: {} }),
  },
  { gvk: [{ group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' }] },
);

message('io.k8s.api.authentication.v1.TokenRequestSpec', {
  audiences: f.list(1, 'string', { required: true, listType: 'atomic' }),
  expirationSeconds: f.int64(4, { format: 'int64' }),
  boundObjectRef: f.message(3, 'io.k8s.api.authentication.v1.BoundObjectReference'),
});

message('io.k8s.api.authentication.v1.TokenRequestStatus', {
  token: f.string(1, { required: true, default: '' }),
  expirationTimestamp: f.time(2, { required: true }),
});

export const TokenReview = message(
  'io.k8s.api.authentication.v1.TokenReview',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    spec: f.message(2, 'io.k8s.api.authentication.v1.TokenReviewSpec', { required: true, default: {} }),
    status: f.message(3, 'io.k8s.api.authentication.v1.TokenReviewStatus', { default: {} }),
  },
  { gvk: [{ group: 'authentication.k8s.io', version: 'v1', kind: 'TokenReview' }] },
);

message('io.k8s.api.authentication.v1.TokenReviewSpec', {
  token: f.string(1),
  audiences: f.list(2, 'string', { listType: 'atomic' }),
});

message('io.k8s.api.authentication.v1.TokenReviewStatus', {
  authenticated: f.bool(1),
  user: f.message(2, 'io.k8s.api.authentication.v1.UserInfo', { default: {} }),
  audiences: f.list(4, 'string', { listType: 'atomic' }),
  error: f.string(3),
});

message('io.k8s.api.authentication.v1.UserInfo', {
  username: f.string(1),
  uid: f.string(2),
  groups: f.list(3, 'string', { listType: 'atomic' }),
  extra: f.map(4, 'io.k8s.api.authentication.v1.ExtraValue', { wrapped: true }),
});
