/**
 * authorization.k8s.io/v1: SubjectAccessReview, LocalSubjectAccessReview, SelfSubjectAccessReview and
 * SelfSubjectRulesReview, as Kubernetes 1.33 has them.
 *
 * Field names and numbers are the wire protocol (JSON and protobuf): never renumber or rename them.
 */
import { f, message } from '../schema/dsl.js';

message('io.k8s.api.authorization.v1.ExtraValue', {
  items: f.list(1, 'string'),
});

message('io.k8s.api.authorization.v1.FieldSelectorAttributes', {
  rawSelector: f.string(1),
  requirements: f.list(2, 'io.k8s.apimachinery.pkg.apis.meta.v1.FieldSelectorRequirement', {
    listType: 'atomic',
  }),
});

message('io.k8s.api.authorization.v1.LabelSelectorAttributes', {
  rawSelector: f.string(1),
  requirements: f.list(2, 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement', {
    listType: 'atomic',
  }),
});

export const LocalSubjectAccessReview = message(
  'io.k8s.api.authorization.v1.LocalSubjectAccessReview',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    spec: f.message(2, 'io.k8s.api.authorization.v1.SubjectAccessReviewSpec', {
      required: true,
      default: {},
    }),
    status: f.message(3, 'io.k8s.api.authorization.v1.SubjectAccessReviewStatus', { default: {} }),
  },
  { gvk: [{ group: 'authorization.k8s.io', version: 'v1', kind: 'LocalSubjectAccessReview' }] },
);

message('io.k8s.api.authorization.v1.NonResourceAttributes', {
  path: f.string(1),
  verb: f.string(2),
});

message('io.k8s.api.authorization.v1.NonResourceRule', {
  verbs: f.list(1, 'string', { required: true, listType: 'atomic' }),
  nonResourceURLs: f.list(2, 'string', { listType: 'atomic' }),
});

message('io.k8s.api.authorization.v1.ResourceAttributes', {
  namespace: f.string(1),
  verb: f.string(2),
  group: f.string(3),
  version: f.string(4),
  resource: f.string(5),
  subresource: f.string(6),
  name: f.string(7),
  fieldSelector: f.message(8, 'io.k8s.api.authorization.v1.FieldSelectorAttributes'),
  labelSelector: f.message(9, 'io.k8s.api.authorization.v1.LabelSelectorAttributes'),
});

message('io.k8s.api.authorization.v1.ResourceRule', {
  verbs: f.list(1, 'string', { required: true, listType: 'atomic' }),
  apiGroups: f.list(2, 'string', { listType: 'atomic' }),
  resources: f.list(3, 'string', { listType: 'atomic' }),
  resourceNames: f.list(4, 'string', { listType: 'atomic' }),
});

export const SelfSubjectAccessReview = message(
  'io.k8s.api.authorization.v1.SelfSubjectAccessReview',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    spec: f.message(2, 'io.k8s.api.authorization.v1.SelfSubjectAccessReviewSpec', {
      required: true,
      default: {},
    }),
    status: f.message(3, 'io.k8s.api.authorization.v1.SubjectAccessReviewStatus', { default: {} }),
  },
  { gvk: [{ group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview' }] },
);

message('io.k8s.api.authorization.v1.SelfSubjectAccessReviewSpec', {
  resourceAttributes: f.message(1, 'io.k8s.api.authorization.v1.ResourceAttributes'),
  nonResourceAttributes: f.message(2, 'io.k8s.api.authorization.v1.NonResourceAttributes'),
});

export const SelfSubjectRulesReview = message(
  'io.k8s.api.authorization.v1.SelfSubjectRulesReview',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    spec: f.message(2, 'io.k8s.api.authorization.v1.SelfSubjectRulesReviewSpec', {
      required: true,
      default: {},
    }),
    status: f.message(3, 'io.k8s.api.authorization.v1.SubjectRulesReviewStatus', { default: {} }),
  },
  { gvk: [{ group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectRulesReview' }] },
);

message('io.k8s.api.authorization.v1.SelfSubjectRulesReviewSpec', {
  namespace: f.string(1),
});

export const SubjectAccessReview = message(
  'io.k8s.api.authorization.v1.SubjectAccessReview',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    spec: f.message(2, 'io.k8s.api.authorization.v1.SubjectAccessReviewSpec', {
      required: true,
      default: {},
    }),
    status: f.message(3, 'io.k8s.api.authorization.v1.SubjectAccessReviewStatus', { default: {} }),
  },
  { gvk: [{ group: 'authorization.k8s.io', version: 'v1', kind: 'SubjectAccessReview' }] },
);

message('io.k8s.api.authorization.v1.SubjectAccessReviewSpec', {
  resourceAttributes: f.message(1, 'io.k8s.api.authorization.v1.ResourceAttributes'),
  nonResourceAttributes: f.message(2, 'io.k8s.api.authorization.v1.NonResourceAttributes'),
  user: f.string(3),
  groups: f.list(4, 'string', { listType: 'atomic' }),
  extra: f.map(5, 'io.k8s.api.authorization.v1.ExtraValue', { wrapped: true }),
  uid: f.string(6),
});

message('io.k8s.api.authorization.v1.SubjectAccessReviewStatus', {
  allowed: f.bool(1, { required: true, default: false }),
  denied: f.bool(4),
  reason: f.string(2),
  evaluationError: f.string(3),
});

message('io.k8s.api.authorization.v1.SubjectRulesReviewStatus', {
  resourceRules: f.list(1, 'io.k8s.api.authorization.v1.ResourceRule', {
    required: true,
    listType: 'atomic',
  }),
  nonResourceRules: f.list(2, 'io.k8s.api.authorization.v1.NonResourceRule', {
    required: true,
    listType: 'atomic',
  }),
  incomplete: f.bool(3, { required: true, default: false }),
  evaluationError: f.string(4),
});
