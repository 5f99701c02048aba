import type { Strategy } from '../resource.js';

/**
 * Namespaces: created Active, with the `kubernetes` finalizer (the namespace controller removes it after
 * emptying the namespace) and the immutable `kubernetes.io/metadata.name` label selectors rely on.
 */
export const namespaceStrategy: Strategy = {
  prepareForCreate(namespace) {
    namespace.status = { phase: 'Active' };
    const spec = (namespace.spec ?? {}) as { finalizers?: string[] };
    namespace.spec = { ...spec, finalizers: spec.finalizers ?? ['kubernetes'] };
  },
  prepareForUpdate(namespace, old) {
    // spec.finalizers changes only through the finalize subresource.
    namespace.spec = old.spec;
  },
  default(namespace) {
    const metadata = namespace.metadata!;
    metadata.labels = { ...metadata.labels, 'kubernetes.io/metadata.name': metadata.name ?? '' };
  },
};
