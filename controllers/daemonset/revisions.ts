/**
 * A DaemonSet's revisions, as upstream's daemon/update.go records them in ControllerRevisions: `data`
 * is a strategic merge patch that puts the template back (what `kubectl rollout undo` applies), and the
 * name and `controller-revision-hash` label carry the template's hash.
 *
 *   template {metadata: {labels: {app: agent}}, spec: {containers: […]}}
 *     → data {spec: {template: {$patch: replace, metadata: {creationTimestamp: null, labels: …}, spec: …}}}
 *       name agent-5d9c8f6b7   (computeHash of the template and status.collisionCount)
 *
 * Upstream writes the data as Go marshals a map: keys sorted at every level, and the template's
 * metadata with `creationTimestamp: null` (a Go struct field that is never omitted). kubectl compares
 * those bytes with its own marshalling of the DaemonSet to tell that a rollback is a no-op, so the
 * data here is built the same way.
 */
import { isDeepStrictEqual } from 'node:util';
import { computeHash } from '../deployment/util.js';
import type { ControllerRevision } from '../history.js';
import type { PodTemplate } from '../pods.js';
import type { DaemonSet } from './types.js';

/** Upstream's getPatch: the patch restoring `template`, in Go's key order. */
export function revisionData(template: PodTemplate | undefined): Record<string, unknown> {
  const copy = structuredClone(template ?? {}) as Record<string, unknown>;
  copy.metadata = { creationTimestamp: null, ...(copy.metadata as object | undefined) };
  return sortKeys({ spec: { template: { ...copy, $patch: 'replace' } } }) as Record<string, unknown>;
}

/** Upstream's Match: the revision holds this DaemonSet's template. */
export function matchesRevision(daemonSet: DaemonSet, revision: ControllerRevision): boolean {
  return isDeepStrictEqual(revisionData(daemonSet.spec?.template), revision.data);
}

/** The hash naming the revision of the DaemonSet's current template (upstream's ComputeHash). */
export function templateHash(daemonSet: DaemonSet): string {
  return computeHash(daemonSet.spec?.template ?? {}, daemonSet.status?.collisionCount);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort())
    sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}
