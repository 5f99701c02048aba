/**
 * Messages that are atomic as a whole (Go's `+structType=atomic`, OpenAPI's `x-kubernetes-map-type:
 * atomic` on the definition): server-side apply owns and replaces them as one value, never field by
 * field. A field may still override this for itself with `mapType: 'granular'` (a PersistentVolume's
 * `claimRef`).
 *
 * Example: a Deployment's `spec.selector` is a LabelSelector, so managedFields record `f:selector: {}`
 * and an apply that drops `matchExpressions` replaces the whole selector.
 *
 * Kept apart from the type declarations because it describes a message, not a field, and only server-side
 * apply reads it. The list is Kubernetes 1.33's.
 */
export const atomicStructs: ReadonlySet<string> = new Set([
  'io.k8s.api.core.v1.SecretReference',
  'io.k8s.api.core.v1.FileKeySelector',
  'io.k8s.api.core.v1.ObjectFieldSelector',
  'io.k8s.api.core.v1.ResourceFieldSelector',
  'io.k8s.api.core.v1.ConfigMapKeySelector',
  'io.k8s.api.core.v1.SecretKeySelector',
  'io.k8s.api.core.v1.NodeSelector',
  'io.k8s.api.core.v1.NodeSelectorTerm',
  'io.k8s.api.core.v1.TopologySelectorTerm',
  'io.k8s.api.core.v1.EndpointAddress',
  'io.k8s.api.core.v1.EndpointPort',
  'io.k8s.api.core.v1.ObjectReference',
  'io.k8s.api.core.v1.LocalObjectReference',
  'io.k8s.api.core.v1.TypedLocalObjectReference',
  'io.k8s.api.core.v1.ScopeSelector',
  'io.k8s.api.networking.v1.ServiceBackendPort',
  'io.k8s.api.rbac.v1.Subject',
  'io.k8s.api.rbac.v1.RoleRef',
  'io.k8s.api.autoscaling.v1.CrossVersionObjectReference',
  'io.k8s.api.discovery.v1.EndpointPort',
  'io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference',
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
]);
