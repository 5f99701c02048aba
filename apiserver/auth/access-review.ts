/**
 * authorization.k8s.io/v1 access reviews: questions put to the server's authorizer, answered and
 * forgotten (create only, nothing stored). They are what `kubectl auth can-i` asks.
 *
 *   SubjectAccessReview        may this user (spec.user, spec.groups) do this? Cluster-scoped.
 *   LocalSubjectAccessReview   the same, limited to the namespace in the URL.
 *   SelfSubjectAccessReview    may I do this? (`kubectl auth can-i create pods`)
 *   SelfSubjectRulesReview     what may I do in spec.namespace? (`kubectl auth can-i --list`)
 *
 * An access review answers with the request echoed and `status: {allowed, denied?, reason?}`; a rules
 * review with `status: {resourceRules, nonResourceRules, incomplete, evaluationError?}`. Malformed
 * specs are 422s and a missing user or namespace a 400, worded as upstream's.
 */

import type { Attributes, Authorizer, SubjectRules, UserInfo } from '../../api/auth.js';
import { type FieldError, fieldError } from '../../api/field-error.js';
import type { KubeObject, ResourceDefinition } from '../../api/resource.js';
import {
  localSubjectAccessReviews,
  selfSubjectAccessReviews,
  selfSubjectRulesReviews,
  subjectAccessReviews,
} from '../../api/resources/authorization.js';
import { badRequest, invalid } from '../../api/status.js';
import { storeKey, type VirtualRequest, type VirtualResource } from '../rest-handler.js';

const group = 'authorization.k8s.io';
const version = 'v1';

interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
  fieldSelector?: { rawSelector?: string };
}

interface NonResourceAttributes {
  path?: string;
  verb?: string;
}

interface AccessReviewSpec {
  resourceAttributes?: ResourceAttributes | null;
  nonResourceAttributes?: NonResourceAttributes | null;
  user?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
  uid?: string;
}

/** The four reviews, keyed as the REST handler looks resources up (`RestContext.virtualResources`). */
export function accessReviewResources(authorizer: Authorizer): ReadonlyMap<string, VirtualResource> {
  const handlers: [ResourceDefinition, VirtualResource['create']][] = [
    [subjectAccessReviews, (review) => subjectAccessReview(authorizer, review)],
    [localSubjectAccessReviews, (review, request) => localSubjectAccessReview(authorizer, review, request)],
    [selfSubjectAccessReviews, (review, request) => selfSubjectAccessReview(authorizer, review, request)],
    [selfSubjectRulesReviews, (review, request) => selfSubjectRulesReview(authorizer, review, request)],
  ];
  return new Map(
    handlers.map(([resource, create]) => [storeKey(group, version, resource.plural), { resource, create }]),
  );
}

export async function subjectAccessReview(authorizer: Authorizer, review: KubeObject): Promise<KubeObject> {
  const spec = specOf(review);
  const errors = [...validateSpec(spec)];
  if (!spec.user && (spec.groups ?? []).length === 0) {
    errors.push(
      fieldError.invalid('spec.user', spec.user ?? '', 'at least one of user or group must be specified'),
    );
  }
  if (!metadataEmpty(review.metadata, [])) {
    errors.push(fieldError.invalid('metadata', review.metadata, 'must be empty'));
  }
  if (errors.length > 0) throw invalid({ group, kind: 'SubjectAccessReview' }, '', errors);
  return answer(review, 'SubjectAccessReview', await decide(authorizer, spec, userOfSpec(spec)));
}

export async function localSubjectAccessReview(
  authorizer: Authorizer,
  review: KubeObject,
  request: VirtualRequest,
): Promise<KubeObject> {
  const spec = specOf(review);
  const namespace = review.metadata?.namespace ?? '';
  const errors = [...validateSpec(spec)];
  if (!spec.user && (spec.groups ?? []).length === 0) {
    errors.push(
      fieldError.invalid('spec.user', spec.user ?? '', 'at least one of user or group must be specified'),
    );
  }
  if (!metadataEmpty(review.metadata, ['namespace'])) {
    errors.push(fieldError.invalid('metadata', review.metadata, 'must be empty except for namespace'));
  }
  if (spec.resourceAttributes && (spec.resourceAttributes.namespace ?? '') !== namespace) {
    errors.push(
      fieldError.invalid(
        'spec.resourceAttributes.namespace',
        spec.resourceAttributes.namespace ?? '',
        'must match metadata.namespace',
      ),
    );
  }
  if (spec.nonResourceAttributes) {
    errors.push(
      fieldError.invalid(
        'spec.nonResourceAttributes',
        spec.nonResourceAttributes,
        'disallowed on this kind of request',
      ),
    );
  }
  if (errors.length > 0) throw invalid({ group, kind: 'LocalSubjectAccessReview' }, '', errors);
  const requestNamespace = request.namespace ?? '';
  if (requestNamespace === '') throw badRequest(`namespace is required on this type: ${requestNamespace}`);
  if (requestNamespace !== namespace) {
    throw badRequest(`spec.resourceAttributes.namespace must match namespace: ${requestNamespace}`);
  }
  return answer(review, 'LocalSubjectAccessReview', await decide(authorizer, spec, userOfSpec(spec)));
}

export async function selfSubjectAccessReview(
  authorizer: Authorizer,
  review: KubeObject,
  request: VirtualRequest,
): Promise<KubeObject> {
  const spec = specOf(review);
  const errors = validateSpec(spec);
  if (errors.length > 0) throw invalid({ group, kind: 'SelfSubjectAccessReview' }, '', errors);
  if (!request.user) throw badRequest('no user present on request');
  return answer(review, 'SelfSubjectAccessReview', await decide(authorizer, spec, request.user));
}

export async function selfSubjectRulesReview(
  authorizer: Authorizer,
  review: KubeObject,
  request: VirtualRequest,
): Promise<KubeObject> {
  if (!request.user) throw badRequest('no user present on request');
  const namespace = (review.spec as { namespace?: string } | undefined)?.namespace ?? '';
  if (namespace === '') throw badRequest('no namespace on request');
  const rules: SubjectRules = authorizer.rulesFor
    ? await authorizer.rulesFor(request.user, namespace)
    : { resourceRules: [], nonResourceRules: [], incomplete: true };
  return {
    kind: 'SelfSubjectRulesReview',
    apiVersion: `${group}/${version}`,
    metadata: { creationTimestamp: null },
    spec: {},
    status: {
      resourceRules: rules.resourceRules.map((rule) => ({
        verbs: [...rule.verbs],
        ...nonEmpty('apiGroups', rule.apiGroups),
        ...nonEmpty('resources', rule.resources),
        ...nonEmpty('resourceNames', rule.resourceNames),
      })),
      nonResourceRules: rules.nonResourceRules.map((rule) => ({
        verbs: [...rule.verbs],
        ...nonEmpty('nonResourceURLs', rule.nonResourceURLs),
      })),
      incomplete: rules.incomplete,
      ...(rules.evaluationError ? { evaluationError: rules.evaluationError } : {}),
    },
  };
}

/** The attributes a spec asks about, for `user`. */
export function attributesOf(spec: AccessReviewSpec, user: UserInfo): Attributes {
  const resource = spec.resourceAttributes;
  if (resource) {
    const fieldSelector = resource.fieldSelector?.rawSelector;
    return {
      user,
      verb: resource.verb ?? '',
      resourceRequest: true,
      ...(resource.namespace ? { namespace: resource.namespace } : {}),
      apiGroup: resource.group ?? '',
      // An empty version means every version, as upstream's matchAllVersionIfEmpty.
      apiVersion: resource.version || '*',
      resource: resource.resource ?? '',
      ...(resource.subresource ? { subresource: resource.subresource } : {}),
      ...(resource.name ? { name: resource.name } : {}),
      ...(fieldSelector ? { fieldSelector } : {}),
    };
  }
  const nonResource = spec.nonResourceAttributes ?? {};
  return { user, verb: nonResource.verb ?? '', resourceRequest: false, path: nonResource.path ?? '' };
}

async function decide(authorizer: Authorizer, spec: AccessReviewSpec, user: UserInfo) {
  const result = await authorizer.authorize(attributesOf(spec, user));
  return {
    allowed: result.decision === 'allow',
    ...(result.decision === 'deny' ? { denied: true } : {}),
    ...(result.reason ? { reason: result.reason } : {}),
  };
}

/** The review as sent (apiVersion and kind filled in), with its answer. */
function answer(review: KubeObject, kind: string, status: Record<string, unknown>): KubeObject {
  return {
    ...review,
    kind,
    apiVersion: `${group}/${version}`,
    metadata: { ...review.metadata, creationTimestamp: null },
    spec: review.spec ?? {},
    status,
  };
}

function specOf(review: KubeObject): AccessReviewSpec {
  const spec = review.spec;
  return spec && typeof spec === 'object' ? (spec as AccessReviewSpec) : {};
}

function validateSpec(spec: AccessReviewSpec): FieldError[] {
  if (spec.resourceAttributes && spec.nonResourceAttributes) {
    return [
      fieldError.invalid(
        'spec.nonResourceAttributes',
        spec.nonResourceAttributes,
        'cannot be specified in combination with resourceAttributes',
      ),
    ];
  }
  if (!spec.resourceAttributes && !spec.nonResourceAttributes) {
    return [
      fieldError.invalid(
        'spec.resourceAttributes',
        spec.nonResourceAttributes ?? null,
        'exactly one of nonResourceAttributes or resourceAttributes must be specified',
      ),
    ];
  }
  return [];
}

function userOfSpec(spec: AccessReviewSpec): UserInfo {
  return {
    username: spec.user ?? '',
    ...(spec.uid ? { uid: spec.uid } : {}),
    groups: spec.groups ?? [],
    ...(spec.extra ? { extra: spec.extra } : {}),
  };
}

/** Whether metadata sets nothing but the `allowed` members (creationTimestamp: null counts as unset). */
function metadataEmpty(metadata: KubeObject['metadata'], allowed: readonly string[]): boolean {
  return Object.entries(metadata ?? {}).every(
    ([key, value]) =>
      allowed.includes(key) ||
      key === 'managedFields' ||
      value === null ||
      value === undefined ||
      value === '' ||
      (typeof value === 'object' && Object.keys(value).length === 0),
  );
}

function nonEmpty(name: string, values: readonly string[] | undefined): Record<string, string[]> {
  return values && values.length > 0 ? { [name]: [...values] } : {};
}
