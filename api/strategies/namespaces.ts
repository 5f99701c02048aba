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
  /** Terminating until the namespace controller has emptied it and removed its spec.finalizers. */
  beginDeletion(namespace, { now }) {
    const finalizers = (namespace.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
    if (finalizers.length === 0) return undefined;
    const meta = namespace.metadata ?? {};
    return {
      ...namespace,
      metadata: {
        ...meta,
        deletionTimestamp: meta.deletionTimestamp ?? `${now.toISOString().slice(0, 19)}Z`,
      },
      status: { ...(namespace.status as object), phase: 'Terminating' },
    };
  },
  holdsDeletion: (namespace) =>
    ((namespace.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).length > 0,
  default(namespace) {
    const metadata = namespace.metadata!;
    metadata.labels = { ...metadata.labels, 'kubernetes.io/metadata.name': metadata.name ?? '' };
  },
};
