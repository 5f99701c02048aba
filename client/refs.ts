/**
 * ResourceRefs from kinds, derived from the resources Skiff serves (api/resources), so a new resource
 * needs nothing here:
 *
 *   refFor('Pod', 'default')                                → { group: '', version: 'v1', resource: 'pods', namespace: 'default' }
 *   refFor('Deployment')                                    → apps/v1 deployments, all namespaces
 *   refFor({ apiVersion: 'events.k8s.io/v1', kind: 'Event' }, 'default')
 *   refForObject(ownerReference-like or object)             → from its apiVersion, kind and namespace
 *
 * A bare kind picks the first resource with that kind in discovery order: the core group before named
 * groups, a group's preferred version first — so 'Event' is core/v1 and 'HorizontalPodAutoscaler' is
 * autoscaling/v2. Pass an apiVersion to choose another.
 */

import { groupVersion, type KubeObject, type ResourceDefinition } from '../api/resource.js';
import { resources } from '../api/resources/index.js';
import { ClientError } from './errors.js';
import type { ResourceRef } from './types.js';

const byKind = new Map<string, ResourceDefinition>();
const byGroupVersionKind = new Map<string, ResourceDefinition>();
const byGroupVersionResource = new Map<string, ResourceDefinition>();
for (const resource of resources) {
  if (!byKind.has(resource.kind)) byKind.set(resource.kind, resource);
  byGroupVersionKind.set(`${groupVersion(resource)}/${resource.kind}`, resource);
  byGroupVersionResource.set(`${resource.group}/${resource.version}/${resource.plural}`, resource);
}

export type KindSpec = string | { readonly apiVersion: string; readonly kind: string };

/** The resource behind a kind (see the module comment); SKIFF_ERR_UNKNOWN_RESOURCE if Skiff has none. */
export function definitionForKind(kind: KindSpec): ResourceDefinition {
  const definition =
    typeof kind === 'string' ? byKind.get(kind) : byGroupVersionKind.get(`${kind.apiVersion}/${kind.kind}`);
  if (!definition) {
    const name = typeof kind === 'string' ? kind : `${kind.kind} in ${kind.apiVersion}`;
    throw new ClientError('SKIFF_ERR_UNKNOWN_RESOURCE', `no resource is served for kind ${name}`);
  }
  return definition;
}

/** The resource a ref points at, if Skiff serves it (to ask whether it is namespaced, its kind…). */
export function definitionForRef(ref: ResourceRef): ResourceDefinition | undefined {
  return byGroupVersionResource.get(`${ref.group}/${ref.version}/${ref.resource}`);
}

/**
 * The ref for a kind. `namespace` is dropped for cluster-scoped kinds (so a namespace taken from an owner
 * does no harm); leave it out for lists and watches across all namespaces.
 */
export function refFor(kind: KindSpec, namespace?: string): ResourceRef {
  const definition = definitionForKind(kind);
  return {
    group: definition.group,
    version: definition.version,
    resource: definition.plural,
    ...(definition.namespaced && namespace !== undefined ? { namespace } : {}),
  };
}

/**
 * The ref for an object or an ownerReference: its apiVersion and kind, in `namespace` (default: the
 * object's own). An ownerReference has no namespace: its owner lives in the dependent's.
 */
export function refForObject(
  object: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'> & { apiVersion?: string; kind?: string },
  namespace?: string,
): ResourceRef {
  if (!object.apiVersion || !object.kind) {
    throw new ClientError('SKIFF_ERR_INVALID_ARGUMENT', 'the object has no apiVersion or kind');
  }
  return refFor(
    { apiVersion: object.apiVersion, kind: object.kind },
    namespace ?? object.metadata?.namespace,
  );
}

/** `deployments.apps`, `pods` — for messages. */
export function describeRef(ref: ResourceRef): string {
  const name = ref.group === '' ? ref.resource : `${ref.resource}.${ref.group}`;
  return ref.namespace === undefined ? name : `${name} in ${ref.namespace}`;
}
