/**
 * `persistentVolumeClaimRetentionPolicy`, as upstream's isClaimOwnerUpToDate and
 * updateClaimOwnerRefForSetAndPod: the controller never deletes a claim itself; it sets the claim's
 * ownerReferences so the garbage collector deletes it with its owner.
 *
 *   whenScaled  whenDeleted   claim of a pod in range     claim of a pod scaled away
 *   Retain      Retain        no owner                    no owner
 *   Retain      Delete        the set                     the set
 *   Delete      Retain        no owner                    the pod
 *   Delete      Delete        the set                     the pod
 *
 * A claim whose reference to the set or pod carries another uid (left by an earlier set or pod of the
 * same name), or that another controller owns, is left alone.
 */
import type { OwnerReference } from '../../api/resource.js';
import { controllerRef, type Pod } from '../pods.js';
import {
  inOrdinalRange,
  type PersistentVolumeClaim,
  POD_KIND,
  STATEFULSET_KIND,
  type StatefulSet,
} from './identity.js';

interface Kind {
  readonly apiVersion: string;
  readonly kind: string;
}

interface RetentionPolicy {
  readonly whenDeleted: string;
  readonly whenScaled: string;
}

export function retentionPolicy(set: StatefulSet): RetentionPolicy {
  const policy = set.spec?.persistentVolumeClaimRetentionPolicy;
  return { whenDeleted: policy?.whenDeleted ?? 'Retain', whenScaled: policy?.whenScaled ?? 'Retain' };
}

/** The reference names the object: same apiVersion, kind and name (the uid is not compared). */
function matchesRef(reference: OwnerReference, name: string | undefined, kind: Kind): boolean {
  return reference.apiVersion === kind.apiVersion && reference.kind === kind.kind && reference.name === name;
}

function hasOwnerRef(claim: PersistentVolumeClaim, uid: string | undefined): boolean {
  return (claim.metadata?.ownerReferences ?? []).some((reference) => reference.uid === uid);
}

/** The first reference naming the object carries another uid: an earlier object of the same name. */
export function hasStaleOwnerRef(
  claim: PersistentVolumeClaim,
  object: { metadata?: { name?: string; uid?: string } },
  kind: Kind,
): boolean {
  const reference = (claim.metadata?.ownerReferences ?? []).find((candidate) =>
    matchesRef(candidate, object.metadata?.name, kind),
  );
  return reference !== undefined && reference.uid !== object.metadata?.uid;
}

/** Under a deleting policy, some controller other than this set and pod holds the claim. */
function hasUnexpectedController(claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): boolean {
  const policy = retentionPolicy(set);
  if (policy.whenScaled === 'Retain' && policy.whenDeleted === 'Retain') return false;
  for (const reference of claim.metadata?.ownerReferences ?? []) {
    if (matchesRef(reference, set.metadata?.name, STATEFULSET_KIND)) {
      if (reference.uid !== set.metadata?.uid) return true;
      continue;
    }
    if (matchesRef(reference, pod.metadata?.name, POD_KIND)) {
      if (reference.uid !== pod.metadata?.uid) return true;
      continue;
    }
    if (reference.controller === true) return true;
  }
  return false;
}

/** The set or pod owns the claim, but not as its controller. */
function hasNonControllerOwner(claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): boolean {
  return (claim.metadata?.ownerReferences ?? []).some(
    (reference) =>
      (reference.uid === set.metadata?.uid || reference.uid === pod.metadata?.uid) &&
      reference.controller !== true,
  );
}

/** Whether the claim's ownerReferences already say what the policy asks (see the module comment). */
export function isClaimOwnerUpToDate(claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): boolean {
  if (hasStaleOwnerRef(claim, set, STATEFULSET_KIND) || hasStaleOwnerRef(claim, pod, POD_KIND)) return true;
  const setUid = set.metadata?.uid;
  const podUid = pod.metadata?.uid;
  if (hasUnexpectedController(claim, set, pod)) {
    // Our own references must go; with none, the other controller keeps it undisturbed.
    return !(hasOwnerRef(claim, setUid) || hasOwnerRef(claim, podUid));
  }
  if (hasNonControllerOwner(claim, set, pod)) return false;
  const { wantSet, wantPod } = wantedOwners(set, pod);
  return hasOwnerRef(claim, setUid) === wantSet && hasOwnerRef(claim, podUid) === wantPod;
}

/** The claim's ownerReferences as the policy wants them: ours scrubbed, then the wanted ones added. */
export function claimOwnerReferences(
  claim: PersistentVolumeClaim,
  set: StatefulSet,
  pod: Pod,
): OwnerReference[] {
  const unexpected = hasUnexpectedController(claim, set, pod);
  const references = (claim.metadata?.ownerReferences ?? []).filter(
    (reference) =>
      !matchesRef(reference, set.metadata?.name, STATEFULSET_KIND) &&
      !matchesRef(reference, pod.metadata?.name, POD_KIND),
  );
  if (unexpected) return references;
  const { wantSet, wantPod } = wantedOwners(set, pod);
  if (wantPod) references.push(controllerRef(pod, POD_KIND));
  if (wantSet) references.push(controllerRef(set, STATEFULSET_KIND));
  return references;
}

function wantedOwners(set: StatefulSet, pod: Pod): { wantSet: boolean; wantPod: boolean } {
  const policy = retentionPolicy(set);
  const scaledDown = !inOrdinalRange(pod, set);
  const deleteWhenScaled = policy.whenScaled === 'Delete';
  const deleteWhenDeleted = policy.whenDeleted === 'Delete';
  return {
    wantPod: deleteWhenScaled && scaledDown,
    wantSet: deleteWhenDeleted && !(deleteWhenScaled && scaledDown),
  };
}
