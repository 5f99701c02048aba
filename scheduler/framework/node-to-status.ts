/**
 * Why each node was rejected in one attempt: a status per node that was filtered, and one status for
 * every node not listed (`absent`) — nodes a PreFilter ruled out as a whole, or that were never looked
 * at. Preemption reads it to find the nodes worth trying (those rejected as Unschedulable, not as
 * UnschedulableAndUnresolvable), and the FailedScheduling message counts its reasons.
 */
import type { NodeInfo } from './node-info.js';
import { type Status, unresolvable } from './status.js';

export class NodeToStatus {
  readonly #statuses = new Map<string, Status>();
  /** The status of every node not in the map. */
  absent: Status = unresolvable();

  get(nodeName: string): Status {
    return this.#statuses.get(nodeName) ?? this.absent;
  }

  set(nodeName: string, status: Status): void {
    this.#statuses.set(nodeName, status);
  }

  /** How many nodes have their own status. */
  get size(): number {
    return this.#statuses.size;
  }

  entries(): IterableIterator<[string, Status]> {
    return this.#statuses.entries();
  }

  /** The nodes among `nodes` whose status has `code` (absent ones by the absent status). */
  nodesWithCode(nodes: readonly NodeInfo[], code: Status['code']): NodeInfo[] {
    return nodes.filter((node) => this.get(node.name).code === code);
  }
}
