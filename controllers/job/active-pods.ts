/**
 * Which of a Job's active pods to delete when it has too many (upstream's activePodsForRemoval, with
 * pkg/controller's ActivePods order): for an Indexed Job first every pod with no index or one beyond
 * `completions`, and all but one of the pods sharing an index; then the least advanced pods, by
 *
 *   1. not yet on a node            4. ready for less time (an unknown time first)
 *   2. Pending, Unknown, Running    5. more container restarts
 *   3. not ready                    6. created later (an unknown time first)
 */
import { isPodReady, type Pod, podCondition, timeOf } from '../pods.js';
import { completionIndexOf, UNKNOWN_COMPLETION_INDEX } from './indexes.js';

const phaseOrdinal: Readonly<Record<string, number>> = { Pending: 0, Unknown: 1, Running: 2 };

/** Negative when `a` should go before `b` (upstream's ActivePods.Less). */
export function compareActivePods(a: Pod, b: Pod): number {
  const nodeA = a.spec?.nodeName ?? '';
  const nodeB = b.spec?.nodeName ?? '';
  if (nodeA !== nodeB && (nodeA === '' || nodeB === '')) return nodeA === '' ? -1 : 1;
  const phaseA = phaseOrdinal[a.status?.phase ?? ''] ?? 0;
  const phaseB = phaseOrdinal[b.status?.phase ?? ''] ?? 0;
  if (phaseA !== phaseB) return phaseA - phaseB;
  const readyA = isPodReady(a);
  const readyB = isPodReady(b);
  if (readyA !== readyB) return readyA ? 1 : -1;
  if (readyA && readyB) {
    const sinceA = timeOf(podCondition(a, 'Ready')?.lastTransitionTime);
    const sinceB = timeOf(podCondition(b, 'Ready')?.lastTransitionTime);
    if (sinceA !== sinceB) return laterOrUnknownFirst(sinceA, sinceB);
  }
  const restartsA = maxRestarts(a);
  const restartsB = maxRestarts(b);
  if (restartsA !== restartsB) return restartsB - restartsA;
  const createdA = timeOf(a.metadata?.creationTimestamp);
  const createdB = timeOf(b.metadata?.creationTimestamp);
  if (createdA !== createdB) return laterOrUnknownFirst(createdA, createdB);
  return 0;
}

function laterOrUnknownFirst(a: number, b: number): number {
  if (a === 0 || b === 0) return a === 0 ? -1 : 1;
  return b - a;
}

function maxRestarts(pod: Pod): number {
  return Math.max(0, ...(pod.status?.containerStatuses ?? []).map((status) => status.restartCount ?? 0));
}

/** At least `count` of `pods` to delete; for an Indexed Job also the duplicates and strays (see above). */
export function activePodsForRemoval(
  pods: readonly Pod[],
  count: number,
  indexed: { readonly completions: number } | undefined,
): Pod[] {
  const remove: Pod[] = [];
  let left: Pod[] = [...pods];
  if (indexed) {
    left = [];
    const byIndex = new Map<number, Pod[]>();
    for (const pod of pods) {
      const index = completionIndexOf(pod);
      if (index === UNKNOWN_COMPLETION_INDEX || index >= indexed.completions) {
        remove.push(pod);
        continue;
      }
      byIndex.set(index, [...(byIndex.get(index) ?? []), pod]);
    }
    for (const index of [...byIndex.keys()].sort((a, b) => a - b)) {
      const same = byIndex.get(index)!.sort(compareActivePods);
      // Keep the most advanced of the pods working on one index.
      remove.push(...same.slice(0, -1));
      left.push(same.at(-1)!);
    }
  }
  if (remove.length < count) {
    left.sort(compareActivePods);
    remove.push(...left.slice(0, count - remove.length));
  }
  return remove;
}
