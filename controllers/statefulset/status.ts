/**
 * A StatefulSet's status, as upstream's computeReplicaStatus, completeRollingUpdate and
 * inconsistentStatus: counts over the set's pods, the two revisions, and the rule that a finished
 * rolling update makes the update revision current.
 *
 *   pods web-0 (rev a, ready)  web-1 (rev b, ready)  web-2 (rev b, not ready)
 *   current a, update b  →  replicas 3, readyReplicas 2, currentReplicas 1, updatedReplicas 2
 */
import type { ControllerRevision } from '../history.js';
import type { Pod } from '../pods.js';
import {
  isCreated,
  isRunningAndAvailable,
  isRunningAndReady,
  isTerminating,
  podRevision,
  replicasOf,
  type StatefulSet,
  type StatefulSetStatus,
} from './identity.js';

/** The counts of a status; the rest (generation, revisions, collisions, conditions) is set elsewhere. */
export interface ReplicaCounts {
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
  currentReplicas: number;
  updatedReplicas: number;
}

/**
 * Counts over every list given: created pods, those running and ready (and available for
 * minReadySeconds), and — among created pods not being deleted — those at each revision.
 */
export function countReplicas(
  podLists: readonly (readonly Pod[])[],
  minReadySeconds: number,
  currentRevision: ControllerRevision,
  updateRevision: ControllerRevision,
  now: number,
): ReplicaCounts {
  const counts: ReplicaCounts = {
    replicas: 0,
    readyReplicas: 0,
    availableReplicas: 0,
    currentReplicas: 0,
    updatedReplicas: 0,
  };
  for (const pods of podLists) {
    for (const pod of pods) {
      if (isCreated(pod)) counts.replicas++;
      if (isRunningAndReady(pod)) {
        counts.readyReplicas++;
        if (isRunningAndAvailable(pod, minReadySeconds, now)) counts.availableReplicas++;
      }
      if (isCreated(pod) && !isTerminating(pod)) {
        const revision = podRevision(pod);
        if (revision === currentRevision.metadata?.name) counts.currentReplicas++;
        if (revision === updateRevision.metadata?.name) counts.updatedReplicas++;
      }
    }
  }
  return counts;
}

/**
 * A status with upstream's JSON shape: fields in its order, zeros and empty strings left out where Go
 * omits them (`replicas` and `availableReplicas` are always written; collisionCount is a pointer the
 * controller always sets).
 */
export function makeStatus(fields: {
  observedGeneration: number | undefined;
  counts: ReplicaCounts;
  currentRevision: string;
  updateRevision: string;
  collisionCount: number;
  conditions: StatefulSetStatus['conditions'];
}): StatefulSetStatus {
  const { counts } = fields;
  return {
    ...(fields.observedGeneration ? { observedGeneration: fields.observedGeneration } : {}),
    replicas: counts.replicas,
    ...(counts.readyReplicas ? { readyReplicas: counts.readyReplicas } : {}),
    ...(counts.currentReplicas ? { currentReplicas: counts.currentReplicas } : {}),
    ...(counts.updatedReplicas ? { updatedReplicas: counts.updatedReplicas } : {}),
    ...(fields.currentRevision ? { currentRevision: fields.currentRevision } : {}),
    ...(fields.updateRevision ? { updateRevision: fields.updateRevision } : {}),
    collisionCount: fields.collisionCount,
    ...(fields.conditions && fields.conditions.length > 0
      ? { conditions: structuredClone(fields.conditions) }
      : {}),
    availableReplicas: counts.availableReplicas,
  };
}

/**
 * Upstream's completeRollingUpdate: once every wanted pod of a RollingUpdate set is created, ready and
 * at the update revision, the update revision becomes the current one.
 */
export function completeRollingUpdate(
  set: StatefulSet,
  counts: ReplicaCounts,
  revisions: { current: string; update: string },
): { currentReplicas: number; currentRevision: string } {
  const wanted = replicasOf(set);
  if (
    set.spec?.updateStrategy?.type === 'RollingUpdate' &&
    counts.updatedReplicas === wanted &&
    counts.readyReplicas === wanted &&
    counts.replicas === wanted
  ) {
    return { currentReplicas: counts.updatedReplicas, currentRevision: revisions.update };
  }
  return { currentReplicas: counts.currentReplicas, currentRevision: revisions.current };
}

/**
 * Upstream's inconsistentStatus: whether `next` says anything the set's status does not — a newer
 * generation observed, or a different count or revision. (The collision count only changes with the
 * update revision's name, and conditions are not the controller's to write.)
 */
export function inconsistentStatus(set: StatefulSet, next: StatefulSetStatus): boolean {
  const current = set.status ?? {};
  const number = (status: StatefulSetStatus, field: keyof StatefulSetStatus) =>
    (status[field] as number | undefined) ?? 0;
  return (
    number(next, 'observedGeneration') > number(current, 'observedGeneration') ||
    (['replicas', 'currentReplicas', 'readyReplicas', 'updatedReplicas', 'availableReplicas'] as const).some(
      (field) => number(next, field) !== number(current, field),
    ) ||
    (next.currentRevision ?? '') !== (current.currentRevision ?? '') ||
    (next.updateRevision ?? '') !== (current.updateRevision ?? '')
  );
}
