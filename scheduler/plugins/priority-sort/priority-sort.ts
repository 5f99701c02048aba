/**
 * PrioritySort (QueueSort): higher priority first; among equals, the pod that entered the queue first.
 */
import type { QueuedPodInfo, QueueSortPlugin } from '../../framework/interfaces.js';

export const PRIORITY_SORT = 'PrioritySort';

export function prioritySort() {
  return {
    name: PRIORITY_SORT,
    less(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
      const pa = a.podInfo.priority;
      const pb = b.podInfo.priority;
      return pa > pb || (pa === pb && a.timestamp < b.timestamp);
    },
  } satisfies QueueSortPlugin;
}
