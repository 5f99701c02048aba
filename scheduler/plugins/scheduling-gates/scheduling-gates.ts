/**
 * SchedulingGates (PreEnqueue): a pod with `spec.schedulingGates` is not tried until every gate is
 * removed (by whoever added them). The API server marks such pods PodScheduled=False, SchedulingGated;
 * the scheduler only keeps them out of the active queue, and lets them in on the update that empties
 * the list.
 */
import { ActionType, type EnqueueExtensions, type PreEnqueuePlugin } from '../../framework/interfaces.js';
import { unresolvable } from '../../framework/status.js';
import type { Pod } from '../../types.js';

export const SCHEDULING_GATES = 'SchedulingGates';

export function schedulingGates() {
  return {
    name: SCHEDULING_GATES,
    preEnqueue(pod: Pod) {
      const gates = pod.spec?.schedulingGates ?? [];
      if (gates.length === 0) return undefined;
      return unresolvable(`waiting for scheduling gates: [${gates.map((gate) => gate.name).join(' ')}]`);
    },
    eventsToRegister: () => [
      { event: { resource: 'Pod', action: ActionType.UpdatePodSchedulingGatesEliminated } },
    ],
  } satisfies PreEnqueuePlugin & EnqueueExtensions;
}
