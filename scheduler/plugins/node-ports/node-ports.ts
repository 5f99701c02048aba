/**
 * NodePorts (PreFilter, Filter): a pod asking for host ports fits only nodes where no pod holds the
 * same port on the same IP and protocol (0.0.0.0 collides with every IP).
 */
import {
  ActionType,
  type EnqueueExtensions,
  type FilterPlugin,
  type PreFilterPlugin,
} from '../../framework/interfaces.js';
import { skip, unschedulable } from '../../framework/status.js';
import type { Pod } from '../../types.js';

export const NODE_PORTS = 'NodePorts';
export const ERR_REASON_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";

export function nodePorts() {
  return {
    name: NODE_PORTS,
    preFilter(_state, pod) {
      return pod.hostPorts.length === 0 ? skip() : undefined;
    },
    filter(_state, pod, node) {
      for (const port of pod.hostPorts) {
        if (node.usedPorts.conflicts(port.ip, port.protocol, port.port))
          return unschedulable(ERR_REASON_NODE_PORTS);
      }
      return undefined;
    },
    eventsToRegister: () => [
      {
        // A pod that held a port going away frees it.
        event: { resource: 'AssignedPod', action: ActionType.Delete },
        hint: (_pod, deleted) => (hasHostPorts(deleted as Pod | undefined) ? 'Queue' : 'Skip'),
      },
      { event: { resource: 'Node', action: ActionType.Add } },
    ],
  } satisfies PreFilterPlugin & FilterPlugin & EnqueueExtensions;
}

function hasHostPorts(pod: Pod | undefined): boolean {
  return (pod?.spec?.containers ?? []).some((container) =>
    (container.ports ?? []).some((port) => (port.hostPort ?? 0) > 0),
  );
}
