/**
 * ControllerRevisions: the history StatefulSets and DaemonSets keep of their pod templates, as
 * upstream's pkg/controller/history. Each revision is an immutable snapshot (`data`, a patch that
 * restores the template) with a `revision` number; the owner labels the pods it makes with the
 * revision's hash (`controller-revision-hash`), so it can tell which pods run which template.
 *
 *   revision 1  web-6d8f7c9b5b  data: {spec: {template: A}}   ← pods of template A carry hash 6d8f7c9b5b
 *   revision 2  web-5c7b9d4f8   data: {spec: {template: B}}
 *   back to A   web-6d8f7c9b5b  becomes revision 3: the same object, renumbered, no new snapshot
 *
 * Names are `<owner>-<hash of data and collisionCount>`. Two different snapshots that hash alike
 * collide on the name; the owner's `status.collisionCount` is then raised and the name computed again.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../api/resource.js';
import { isStatusError } from '../api/status.js';
import type { KubeClient, ResourceRef } from '../client/types.js';
import { computeHash } from './deployment/util.js';
import { controllerRef, timeOf } from './pods.js';

export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';

export interface ControllerRevision extends KubeObject {
  data?: unknown;
  revision: number;
}

/** Upstream's ControllerRevisionName: the owner's name (cut to 223 characters, so it stays a name) and the hash. */
export function revisionName(ownerName: string, hash: string): string {
  return `${ownerName.slice(0, 223)}-${hash}`;
}

/**
 * The hash of a snapshot, as upstream's HashControllerRevision in form (a short string in the
 * vowel-free alphabet); like the pod-template hash (deployment/util.ts) it is computed over canonical
 * JSON, so it is stable but not the string upstream would compute.
 */
export function hashRevision(data: unknown, collisionCount?: number): string {
  return computeHash((data ?? {}) as object, collisionCount);
}

/**
 * Upstream's NewControllerRevision: a revision owned (controller: true) by `owner`, labelled with the
 * template's labels and its own hash, named from the hash.
 */
export function newControllerRevision(options: {
  readonly owner: KubeObject;
  readonly ownerKind: { readonly apiVersion: string; readonly kind: string };
  readonly templateLabels: Readonly<Record<string, string>> | undefined;
  readonly data: unknown;
  readonly revision: number;
  readonly collisionCount?: number;
}): ControllerRevision {
  const hash = hashRevision(options.data, options.collisionCount);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: revisionName(options.owner.metadata?.name ?? '', hash),
      namespace: options.owner.metadata?.namespace,
      labels: { ...(options.templateLabels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash },
      ownerReferences: [controllerRef(options.owner, options.ownerKind)],
    },
    data: structuredClone(options.data),
    revision: options.revision,
  };
}

/** Oldest first: by revision number, then creation time, then name (upstream's SortControllerRevisions). */
export function sortRevisions(revisions: readonly ControllerRevision[]): ControllerRevision[] {
  return [...revisions].sort(
    (a, b) =>
      a.revision - b.revision ||
      timeOf(a.metadata?.creationTimestamp) - timeOf(b.metadata?.creationTimestamp) ||
      (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''),
  );
}

/**
 * Two revisions hold the same snapshot: equal data. Not the hash labels — after a collision an equal
 * snapshot sits under another hash (upstream's EqualRevision reads the labels as numbers, which
 * today's safe-encoded hashes never are, so it too compares the data alone).
 */
export function equalRevision(a: ControllerRevision, b: ControllerRevision): boolean {
  return isDeepStrictEqual(a.data, b.data);
}

export function findEqualRevisions(
  revisions: readonly ControllerRevision[],
  needle: ControllerRevision,
): ControllerRevision[] {
  return revisions.filter((revision) => equalRevision(revision, needle));
}

/** The number the next new revision gets: one more than the highest (1 for the first). */
export function nextRevision(revisions: readonly ControllerRevision[]): number {
  let highest = 0;
  for (const revision of revisions) highest = Math.max(highest, revision.revision);
  return highest + 1;
}

/**
 * Upstream's CreateControllerRevision: creates `revision` under the name its hash and the collision
 * count give. When the name is taken by an equal snapshot, that one is the answer; when it is taken by
 * a different one, the count goes up and the name is computed again. Returns the revision and the
 * collision count used (the owner's status should record it when it grew).
 */
export async function createControllerRevision(
  client: KubeClient,
  ref: ResourceRef,
  revision: ControllerRevision,
  collisionCount: number,
): Promise<{ revision: ControllerRevision; collisionCount: number }> {
  const ownerName = revision.metadata?.ownerReferences?.find((owner) => owner.controller)?.name ?? '';
  for (let count = collisionCount; ; count++) {
    const hash = hashRevision(revision.data, count);
    const candidate: ControllerRevision = {
      ...revision,
      metadata: {
        ...revision.metadata,
        name: revisionName(ownerName, hash),
        labels: { ...(revision.metadata?.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash },
      },
    };
    try {
      return { revision: await client.create<ControllerRevision>(ref, candidate), collisionCount: count };
    } catch (error) {
      if (!isStatusError(error, 'AlreadyExists')) throw error;
      const existing = await client.get<ControllerRevision>(ref, candidate.metadata?.name ?? '');
      if (isDeepStrictEqual(existing.data, candidate.data))
        return { revision: existing, collisionCount: count };
    }
  }
}

/** Upstream's UpdateControllerRevision: the same snapshot under a new number (rolling back to it). */
export async function renumberControllerRevision(
  client: KubeClient,
  ref: ResourceRef,
  revision: ControllerRevision,
  newRevision: number,
): Promise<ControllerRevision> {
  if (revision.revision === newRevision) return revision;
  return client.patch<ControllerRevision>(ref, revision.metadata?.name ?? '', 'merge', {
    revision: newRevision,
  });
}
