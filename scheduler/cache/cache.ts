/**
 * What the scheduler knows of the cluster: every node and the pods on it, including pods it has
 * *assumed* onto a node — chosen in a scheduling cycle but not yet confirmed bound by the API — so the
 * next cycle already sees their requests and cannot double-book the room.
 *
 *   assume(pod on n1) ──bind OK──► finishBinding ──informer reports the bound pod──► addPod (confirmed)
 *          │
 *          └──bind failed──► forget (the room is free again)
 *
 * The cache is read directly as the scheduling cycle's snapshot (upstream copies it into a Snapshot
 * each cycle because its informers run on other goroutines). Here the cycle from PreFilter to Reserve
 * runs without yielding to the event loop, so nothing changes under it; what must outlive an await
 * (preemption's dry runs) works on NodeInfo clones.
 *
 * A pod may be reported on a node the cache has not seen; its NodeInfo then exists without a Node and is
 * left out of `list()` until the Node arrives (or forgotten once its pods are gone).
 */
import type { SnapshotLister } from '../framework/interfaces.js';
import { NodeInfo } from '../framework/node-info.js';
import type { PodInfo } from '../framework/pod-info.js';
import type { Node } from '../types.js';
import { NodeTree } from './node-tree.js';

interface PodState {
  info: PodInfo;
  nodeName: string;
  /** Placed by this scheduler and not yet reported bound by the API. */
  assumed: boolean;
  bindingFinished: boolean;
}

export class SchedulerCache implements SnapshotLister {
  readonly #nodes = new Map<string, NodeInfo>();
  readonly #tree = new NodeTree();
  readonly #pods = new Map<string, PodState>();
  /** The tree's list resolved to NodeInfos; rebuilt when the tree's list changes. */
  #list: NodeInfo[] = [];
  #listSource: readonly string[] | undefined;
  readonly #withAffinity = new Set<NodeInfo>();
  readonly #withRequiredAntiAffinity = new Set<NodeInfo>();
  #withAffinityList: NodeInfo[] | undefined;
  #withRequiredAntiAffinityList: NodeInfo[] | undefined;

  // ---- SnapshotLister ----

  list(): readonly NodeInfo[] {
    const names = this.#tree.list();
    if (names !== this.#listSource) {
      this.#list = names.map((name) => this.#nodes.get(name)!);
      this.#listSource = names;
    }
    return this.#list;
  }

  get(name: string): NodeInfo | undefined {
    const info = this.#nodes.get(name);
    return info?.node ? info : undefined;
  }

  havePodsWithAffinity(): readonly NodeInfo[] {
    this.#withAffinityList ??= [...this.#withAffinity].filter((info) => info.node !== undefined);
    return this.#withAffinityList;
  }

  havePodsWithRequiredAntiAffinity(): readonly NodeInfo[] {
    this.#withRequiredAntiAffinityList ??= [...this.#withRequiredAntiAffinity].filter(
      (info) => info.node !== undefined,
    );
    return this.#withRequiredAntiAffinityList;
  }

  get nodeCount(): number {
    return this.#tree.size;
  }

  get podCount(): number {
    return this.#pods.size;
  }

  // ---- nodes ----

  addNode(node: Node): NodeInfo {
    const name = node.metadata?.name ?? '';
    let info = this.#nodes.get(name);
    if (!info) this.#nodes.set(name, (info = new NodeInfo(name)));
    if (!info.node) this.#invalidateAffinityLists();
    info.setNode(node);
    this.#tree.add(node);
    this.#refresh(info);
    return info;
  }

  updateNode(node: Node): NodeInfo {
    return this.addNode(node);
  }

  removeNode(name: string): void {
    const info = this.#nodes.get(name);
    if (!info) return;
    info.node = undefined;
    this.#invalidateAffinityLists();
    this.#tree.remove(name);
    if (info.pods.length === 0) this.#nodes.delete(name);
    this.#refresh(info);
  }

  // ---- pods ----

  /** Places `pod` (whose spec.nodeName is set) on its node before the API confirms it. */
  assumePod(pod: PodInfo): void {
    const nodeName = pod.pod.spec?.nodeName ?? '';
    if (this.#pods.has(pod.key)) throw new Error(`pod ${pod.key} is already in the cache`);
    this.#place(pod, nodeName);
    this.#pods.set(pod.key, { info: pod, nodeName, assumed: true, bindingFinished: false });
  }

  finishBinding(podKey: string): void {
    const state = this.#pods.get(podKey);
    if (state?.assumed) state.bindingFinished = true;
  }

  /** Undoes `assumePod` after a failed Reserve, Permit or bind. */
  forgetPod(podKey: string): void {
    const state = this.#pods.get(podKey);
    if (!state?.assumed) return;
    this.#unplace(state.info, state.nodeName);
    this.#pods.delete(podKey);
  }

  isAssumed(podKey: string): boolean {
    return this.#pods.get(podKey)?.assumed ?? false;
  }

  /** Whether the cache holds the pod (assumed or bound). */
  hasPod(podKey: string): boolean {
    return this.#pods.has(podKey);
  }

  /** A bound pod reported by the informer: confirms an assumed pod, or adds it. */
  addPod(pod: PodInfo): void {
    const nodeName = pod.pod.spec?.nodeName ?? '';
    const state = this.#pods.get(pod.key);
    if (state) {
      // Assumed (or already known): the API's version replaces ours, on the node the API says.
      this.#unplace(state.info, state.nodeName);
      this.#place(pod, nodeName);
      state.info = pod;
      state.nodeName = nodeName;
      state.assumed = false;
      return;
    }
    this.#place(pod, nodeName);
    this.#pods.set(pod.key, { info: pod, nodeName, assumed: false, bindingFinished: true });
  }

  updatePod(pod: PodInfo): void {
    this.addPod(pod);
  }

  removePod(podKey: string): void {
    const state = this.#pods.get(podKey);
    if (!state) return;
    this.#unplace(state.info, state.nodeName);
    this.#pods.delete(podKey);
  }

  #place(pod: PodInfo, nodeName: string): void {
    let info = this.#nodes.get(nodeName);
    if (!info) this.#nodes.set(nodeName, (info = new NodeInfo(nodeName)));
    info.addPod(pod);
    this.#refresh(info);
  }

  #unplace(pod: PodInfo, nodeName: string): void {
    const info = this.#nodes.get(nodeName);
    if (!info) return;
    info.removePod(pod);
    if (!info.node && info.pods.length === 0) this.#nodes.delete(nodeName);
    this.#refresh(info);
  }

  #invalidateAffinityLists(): void {
    this.#withAffinityList = undefined;
    this.#withRequiredAntiAffinityList = undefined;
  }

  /** Keeps the affinity subsets in step with a node that changed. */
  #refresh(info: NodeInfo): void {
    const present = this.#nodes.get(info.name) === info;
    const withAffinity = present && info.podsWithAffinity.length > 0;
    // The lists hold the NodeInfos themselves, so only a change of membership makes them stale.
    if (withAffinity !== this.#withAffinity.has(info)) {
      if (withAffinity) this.#withAffinity.add(info);
      else this.#withAffinity.delete(info);
      this.#withAffinityList = undefined;
    }
    const withAnti = present && info.podsWithRequiredAntiAffinity.length > 0;
    if (withAnti !== this.#withRequiredAntiAffinity.has(info)) {
      if (withAnti) this.#withRequiredAntiAffinity.add(info);
      else this.#withRequiredAntiAffinity.delete(info);
      this.#withRequiredAntiAffinityList = undefined;
    }
  }
}
