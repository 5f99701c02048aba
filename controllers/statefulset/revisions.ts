/**
 * A StatefulSet's ControllerRevisions, as upstream's getPatch, newRevision and ApplyRevision: a revision
 * stores the one part of the set an update rolls out — the pod template — as a strategic merge patch
 * that puts it back, so `kubectl rollout undo` can apply the revision's data to the set as it is.
 *
 *   template {metadata: {labels: {app: web}}, spec: {containers: […]}}
 *   data     {"spec": {"template": {"$patch": "replace", "metadata": {"creationTimestamp": null,
 *            "labels": {"app": "web"}}, "spec": {"containers": […]}}}}
 *
 * The data has its keys sorted at every level and `creationTimestamp: null` in the template's metadata,
 * as Go writes the set's template (encoding a map sorts its keys; a zero metav1.Time is null).
 */
import { type ControllerRevision, newControllerRevision } from '../history.js';
import type { PodTemplate } from '../pods.js';
import { STATEFULSET_KIND, type StatefulSet } from './identity.js';

interface RevisionData {
  spec?: { template?: PodTemplate & { $patch?: string } };
}

/** The revision data that restores the set's template (upstream's getPatch). */
export function revisionData(set: StatefulSet): unknown {
  const template = structuredClone(set.spec?.template ?? {}) as PodTemplate & Record<string, unknown>;
  const metadata = (template.metadata ??= {});
  if (!('creationTimestamp' in metadata)) metadata.creationTimestamp = null;
  return sortKeys({ spec: { template: { ...template, $patch: 'replace' } } });
}

/**
 * Upstream's newRevision: a revision numbered `revision` holding the set's template, labelled with the
 * template's labels and its hash, and carrying the set's annotations (so `kubectl rollout history`
 * shows the set's kubernetes.io/change-cause).
 */
export function newStatefulSetRevision(
  set: StatefulSet,
  revision: number,
  collisionCount: number,
): ControllerRevision {
  const made = newControllerRevision({
    owner: set,
    ownerKind: STATEFULSET_KIND,
    templateLabels: set.spec?.template?.metadata?.labels,
    data: revisionData(set),
    revision,
    collisionCount,
  });
  const annotations = set.metadata?.annotations;
  if (annotations && Object.keys(annotations).length > 0) {
    made.metadata = { ...made.metadata, annotations: { ...annotations } };
  }
  return made;
}

/**
 * The set as it was at `revision`: its template replaced by the revision's. (The data only ever holds
 * a replaced template, so applying the patch is taking that template.)
 */
export function applyRevision(set: StatefulSet, revision: ControllerRevision): StatefulSet {
  const restored = structuredClone(set);
  const template = (revision.data as RevisionData | undefined)?.spec?.template;
  if (template === undefined) return restored;
  const { $patch: _directive, ...rest } = structuredClone(template);
  restored.spec = { ...restored.spec, template: rest };
  return restored;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort())
    sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}
