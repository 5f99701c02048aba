/**
 * One step of a DaemonSet's RollingUpdate, as upstream's rollingUpdate (daemon/update.go): which old
 * pods to delete, and (with maxSurge) on which nodes to start a new pod beside the old one. Creating
 * pods where none run and trimming extra ones is the manage loop's part; this only replaces.
 *
 * Without surge (maxSurge 0) — delete old pods, the manage loop creates their successors:
 *   - a node with no pod, or with both an old and a new one, counts as unavailable;
 *   - a node with only a new pod counts as unavailable until that pod is available;
 *   - an old pod that is not available is deleted at once (it serves nothing) and counts;
 *   - available old pods are deleted while fewer than maxUnavailable nodes are unavailable.
 *   maxUnavailable 1, nodes a(old, available) b(old, available) c(new, not ready yet)
 *     → c counts 1 = maxUnavailable: nothing deleted until c's pod is available.
 *
 * With surge — start the new pod first, delete the old one once the new one is available:
 *   - an old pod that is not available gets a new pod beside it at once;
 *   - available old pods get one while fewer than maxSurge new pods are waiting to become available;
 *   - a node whose new pod is available loses its old pod;
 *   - an old pod on a node the DaemonSet no longer wants goes only when the DaemonSet has more
 *     available pods than it wants nodes (so availability never drops while placement moves).
 *
 * Pods being deleted are ignored: a node whose pod is going counts as neither old nor new. Nodes are
 * looked at in name order (upstream's map order is random, so any order is upstream's).
 */
import { scaledValue } from '../deployment/util.js';
import { isPodAvailable, messageOf, type Pod } from '../pods.js';
import { isPodUpdated } from './daemon-pod.js';
import { type DaemonSet, ROLLING_UPDATE } from './types.js';

export interface RollingUpdateLimits {
  readonly maxSurge: number;
  readonly maxUnavailable: number;
  /** Nodes that should run a daemon pod. */
  readonly desiredNumberScheduled: number;
}

export interface RollingUpdatePlan {
  /** Pod names. */
  readonly podsToDelete: string[];
  /** Node names. */
  readonly nodesToCreate: string[];
}

/** Upstream's SurgeCount: maxSurge of `desired` (percentages rounded up); 0 unless RollingUpdate sets it. */
export function surgeCount(daemonSet: DaemonSet, desired: number): number {
  const strategy = daemonSet.spec?.updateStrategy;
  if ((strategy?.type ?? ROLLING_UPDATE) !== ROLLING_UPDATE) return 0;
  const maxSurge = strategy?.rollingUpdate?.maxSurge;
  if (maxSurge === undefined) return 0;
  return scaledValue(maxSurge, desired, true);
}

/** Upstream's UnavailableCount: maxUnavailable of `desired` (percentages rounded up). */
export function unavailableCount(daemonSet: DaemonSet, desired: number): number {
  const strategy = daemonSet.spec?.updateStrategy;
  if ((strategy?.type ?? ROLLING_UPDATE) !== ROLLING_UPDATE) return 0;
  return scaledValue(strategy?.rollingUpdate?.maxUnavailable, desired, true);
}

/** Whether a node may run two daemon pods at once (an old one and its successor). */
export function allowsSurge(daemonSet: DaemonSet): boolean {
  try {
    return surgeCount(daemonSet, 1) > 0;
  } catch {
    return false;
  }
}

/**
 * Upstream's updatedDesiredNodeCounts. A configuration allowing neither surge nor unavailability (0
 * and 0, or percentages that round to 0) still lets one node be unavailable, so the update can move.
 */
export function rollingUpdateLimits(
  daemonSet: DaemonSet,
  desiredNumberScheduled: number,
): RollingUpdateLimits {
  let maxUnavailable: number;
  let maxSurge: number;
  try {
    maxUnavailable = unavailableCount(daemonSet, desiredNumberScheduled);
  } catch (error) {
    throw new Error(
      `couldn't get unavailable numbers: invalid value for MaxUnavailable: ${messageOf(error)}`,
    );
  }
  try {
    maxSurge = surgeCount(daemonSet, desiredNumberScheduled);
  } catch (error) {
    throw new Error(`couldn't get unavailable numbers: invalid value for MaxSurge: ${messageOf(error)}`);
  }
  if (desiredNumberScheduled > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable, desiredNumberScheduled };
}

export interface RollingUpdateInput {
  readonly daemonSet: DaemonSet;
  /** Every node with daemon pods, and every node that should have one (with none: an empty list). */
  readonly nodeToDaemonPods: ReadonlyMap<string, readonly Pod[]>;
  readonly hash: string;
  readonly generation: number | undefined;
  readonly limits: RollingUpdateLimits;
  readonly now: number;
  /** Whether the DaemonSet wants a pod on the node (false for a node that no longer exists). */
  readonly shouldRun: (nodeName: string) => boolean;
}

export function planRollingUpdate(input: RollingUpdateInput): RollingUpdatePlan {
  return input.limits.maxSurge === 0 ? replaceWithoutSurge(input) : replaceWithSurge(input);
}

function replaceWithoutSurge(input: RollingUpdateInput): RollingUpdatePlan {
  const { limits } = input;
  const available = (pod: Pod) => isPodAvailable(pod, input.daemonSet.spec?.minReadySeconds ?? 0, input.now);
  let numUnavailable = 0;
  const allowedReplacements: string[] = [];
  const candidates: string[] = [];
  for (const nodeName of sortedNodes(input)) {
    const found = findUpdatedPodsOnNode(input.nodeToDaemonPods.get(nodeName) ?? [], input);
    // Several pods of one kind: the manage loop trims them first; meanwhile the node is unavailable.
    if (!found) {
      numUnavailable++;
      continue;
    }
    const { newPod, oldPod } = found;
    if ((!oldPod && !newPod) || (oldPod && newPod)) {
      numUnavailable++;
    } else if (newPod) {
      if (!available(newPod)) numUnavailable++;
    } else if (oldPod && !available(oldPod)) {
      allowedReplacements.push(oldPod.metadata?.name ?? '');
      numUnavailable++;
    } else if (oldPod && numUnavailable < limits.maxUnavailable) {
      candidates.push(oldPod.metadata?.name ?? '');
    }
  }
  const remaining = Math.min(Math.max(limits.maxUnavailable - numUnavailable, 0), candidates.length);
  return { podsToDelete: [...allowedReplacements, ...candidates.slice(0, remaining)], nodesToCreate: [] };
}

function replaceWithSurge(input: RollingUpdateInput): RollingUpdatePlan {
  const { limits } = input;
  const available = (pod: Pod) => isPodAvailable(pod, input.daemonSet.spec?.minReadySeconds ?? 0, input.now);
  const podsToDelete: string[] = [];
  const shouldNotRunPodsToDelete: string[] = [];
  const allowedNewNodes: string[] = [];
  const candidateNewNodes: string[] = [];
  let numSurge = 0;
  let numAvailable = 0;
  for (const nodeName of sortedNodes(input)) {
    const found = findUpdatedPodsOnNode(input.nodeToDaemonPods.get(nodeName) ?? [], input);
    // Several pods of one kind: the manage loop trims them first; meanwhile the node counts as surging.
    if (!found) {
      numSurge++;
      continue;
    }
    const { newPod, oldPod } = found;
    // Availability counts every node, even those the DaemonSet is leaving.
    if (oldPod ? available(oldPod) : newPod ? available(newPod) : false) numAvailable++;
    if (!oldPod) continue;
    if (!newPod) {
      if (!available(oldPod)) {
        if (!input.shouldRun(nodeName)) podsToDelete.push(oldPod.metadata?.name ?? '');
        else allowedNewNodes.push(nodeName);
        continue;
      }
      if (!input.shouldRun(nodeName)) {
        shouldNotRunPodsToDelete.push(oldPod.metadata?.name ?? '');
        continue;
      }
      if (numSurge >= limits.maxSurge) continue;
      candidateNewNodes.push(nodeName);
      continue;
    }
    // Already surged here: the old pod goes once its successor is available.
    if (!available(newPod)) {
      numSurge++;
      continue;
    }
    podsToDelete.push(oldPod.metadata?.name ?? '');
  }
  const deletable = Math.min(numAvailable - limits.desiredNumberScheduled, shouldNotRunPodsToDelete.length);
  if (deletable > 0) podsToDelete.push(...shouldNotRunPodsToDelete.slice(0, deletable));
  const remainingSurge = Math.min(Math.max(limits.maxSurge - numSurge, 0), candidateNewNodes.length);
  return { podsToDelete, nodesToCreate: [...allowedNewNodes, ...candidateNewNodes.slice(0, remainingSurge)] };
}

/**
 * Upstream's findUpdatedPodsOnNode: the node's one current and one old pod (either may be missing),
 * ignoring pods being deleted; undefined when it has two of a kind.
 */
function findUpdatedPodsOnNode(
  pods: readonly Pod[],
  input: Pick<RollingUpdateInput, 'hash' | 'generation'>,
): { newPod?: Pod; oldPod?: Pod } | undefined {
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    if (isPodUpdated(pod, input.hash, input.generation)) {
      if (newPod) return undefined;
      newPod = pod;
    } else {
      if (oldPod) return undefined;
      oldPod = pod;
    }
  }
  return { ...(newPod ? { newPod } : {}), ...(oldPod ? { oldPod } : {}) };
}

function sortedNodes(input: RollingUpdateInput): string[] {
  return [...input.nodeToDaemonPods.keys()].sort();
}
