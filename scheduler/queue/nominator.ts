/**
 * Pods nominated to a node: a pod that preempted others waits for them to go, and meanwhile the room it
 * made must not be taken by a lower-priority pod. Filters count a node's nominated pods of equal or
 * higher priority as if they were running there (framework.runFilterPluginsWithNominatedPods).
 *
 * A nomination comes from the pod's `status.nominatedNodeName` (as the informer reports it) or from a
 * preemption this scheduler just made (before its status write has come back). It ends when the pod is
 * scheduled, deleted, or its nomination is cleared.
 */
import type { Nominator as NominatorView } from '../framework/interfaces.js';
import type { PodInfo } from '../framework/pod-info.js';

const NONE: readonly PodInfo[] = Object.freeze([]);

export class Nominator implements NominatorView {
  readonly #byNode = new Map<string, PodInfo[]>();
  /** Pod key → the node it is nominated to. */
  readonly #nodeOf = new Map<string, string>();

  /** Nominates `pod` to `nodeName` ('' clears the nomination; undefined: keep it, refreshing the pod). */
  nominate(pod: PodInfo, nodeName: string | undefined): void {
    const current = this.#nodeOf.get(pod.key);
    const target = nodeName === undefined ? (pod.pod.status?.nominatedNodeName ?? current ?? '') : nodeName;
    this.remove(pod.key);
    if (!target) return;
    let pods = this.#byNode.get(target);
    if (!pods) this.#byNode.set(target, (pods = []));
    pods.push(pod);
    this.#nodeOf.set(pod.key, target);
  }

  remove(podKey: string): void {
    const node = this.#nodeOf.get(podKey);
    if (node === undefined) return;
    this.#nodeOf.delete(podKey);
    const remaining = (this.#byNode.get(node) ?? []).filter((pod) => pod.key !== podKey);
    if (remaining.length > 0) this.#byNode.set(node, remaining);
    else this.#byNode.delete(node);
  }

  nominatedNodeOf(podKey: string): string | undefined {
    return this.#nodeOf.get(podKey);
  }

  nominatedPodsForNode(nodeName: string): readonly PodInfo[] {
    return this.#byNode.get(nodeName) ?? NONE;
  }

  get size(): number {
    return this.#nodeOf.size;
  }
}
