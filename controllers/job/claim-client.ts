/**
 * Claiming a Job's pods with upstream's finalizer rule (its PodControllerRefManager made with the
 * tracking finalizer): an adoption patch also adds `batch.kubernetes.io/job-tracking`, a release patch
 * also removes it, in the same request. claimChildren (../claim.ts) writes the patches; this client,
 * handed to it, adds the finalizer part.
 *
 *   adopt    {metadata: {ownerReferences: [ref], uid, finalizers: [job-tracking]}}
 *   release  {metadata: {uid, ownerReferences: [{$patch: delete, uid}],
 *                        $deleteFromPrimitiveList/finalizers: [job-tracking]}}
 */
import type { KubeClient } from '../../client/types.js';
import { JOB_TRACKING_FINALIZER } from './pod-template.js';

export function claimClientFor(client: KubeClient): KubeClient {
  return {
    get: (...args) => client.get(...args),
    list: (...args) => client.list(...args),
    watch: (...args) => client.watch(...args),
    create: (...args) => client.create(...args),
    update: (...args) => client.update(...args),
    delete: (...args) => client.delete(...args),
    deleteCollection: (...args) => client.deleteCollection(...args),
    patch: (ref, name, patchType, patch, options) =>
      client.patch(ref, name, patchType, withTrackingFinalizerRule(patch), options),
  };
}

function withTrackingFinalizerRule(patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null) return patch;
  const metadata = (patch as { metadata?: { ownerReferences?: Record<string, unknown>[] } }).metadata;
  const references = metadata?.ownerReferences;
  if (!metadata || !references) return patch;
  if (references.some((reference) => reference.controller === true)) {
    return { ...patch, metadata: { ...metadata, finalizers: [JOB_TRACKING_FINALIZER] } };
  }
  if (references.some((reference) => reference.$patch === 'delete')) {
    return {
      ...patch,
      metadata: { ...metadata, '$deleteFromPrimitiveList/finalizers': [JOB_TRACKING_FINALIZER] },
    };
  }
  return patch;
}
