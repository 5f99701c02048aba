/**
 * Which pods are bound to which node, kept from a pod informer's events (the shared pod informer has
 * only the namespace and controller indexes, and adding an index would need to own its creation).
 * Lookups read the pods back from the informer's cache, so they are never staler than it.
 */
import { objectKey } from '../../client/indexed-store.js';
import type { Informer } from '../../client/informer.js';
import type { Pod } from '../pods.js';

export class PodsByNode {
  readonly #pods: Informer<Pod>;
  /** node name → pod keys (`namespace/name`). */
  readonly #byNode = new Map<string, Set<string>>();
  /** pod key → the node it was last seen on. */
  readonly #nodeOf = new Map<string, string>();

  constructor(pods: Informer<Pod>) {
    this.#pods = pods;
    pods.addEventHandler({
      onAdd: (pod) => this.#set(pod),
      onUpdate: (_old, pod) => this.#set(pod),
      onDelete: (pod) => this.#forget(objectKey(pod)),
    });
  }

  /** The cached pods bound to `nodeName`. */
  podsOn(nodeName: string): Pod[] {
    const pods: Pod[] = [];
    for (const key of this.#byNode.get(nodeName) ?? []) {
      const pod = this.#pods.store.get(key);
      if (pod?.spec?.nodeName === nodeName) pods.push(pod);
    }
    return pods;
  }

  #set(pod: Pod): void {
    const key = objectKey(pod);
    const nodeName = pod.spec?.nodeName;
    if (this.#nodeOf.get(key) === nodeName) return;
    this.#forget(key);
    if (!nodeName) return;
    this.#nodeOf.set(key, nodeName);
    let keys = this.#byNode.get(nodeName);
    if (!keys) {
      keys = new Set();
      this.#byNode.set(nodeName, keys);
    }
    keys.add(key);
  }

  #forget(key: string): void {
    const nodeName = this.#nodeOf.get(key);
    if (nodeName === undefined) return;
    this.#nodeOf.delete(key);
    const keys = this.#byNode.get(nodeName);
    keys?.delete(key);
    if (keys?.size === 0) this.#byNode.delete(nodeName);
  }
}
