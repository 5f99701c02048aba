/**
 * The scheduling framework's extension points, one small interface each, as kube-scheduler's framework
 * defines them. A plugin is an object with a `name` and the methods of the points it takes part in; the
 * framework finds them by the methods present (as Go finds them by interface assertion), so one plugin
 * may filter, score and reserve.
 *
 * One attempt to schedule a pod (the scheduling cycle runs one pod at a time; binding cycles overlap):
 *
 *   PreEnqueue  may the pod enter the active queue at all (scheduling gates)
 *   QueueSort   which pending pod goes first
 *   PreFilter   work out what Filter needs, once; may reject the pod or narrow the nodes
 *   Filter      may the pod run on this node — for every node sampled
 *   PostFilter  nothing fits: make room (preemption) for a later attempt
 *   PreScore    work out what Score needs, once
 *   Score       how good is this feasible node (0–100), then NormalizeScore over all of them; the
 *               framework multiplies by the plugin's weight and adds up
 *   Reserve     the node is chosen: claim what the pod will use (Unreserve gives it back on failure)
 *   Permit      allow, reject, or hold the pod (Wait) before binding
 *   PreBind     anything that must happen before the pod is bound (binding its volumes)
 *   Bind        bind the pod (the first binder not answering Skip does it)
 *   PostBind    after a successful bind: clean-up, bookkeeping
 *
 * Filter, Score and the steps before Reserve are synchronous: the whole scheduling cycle up to the
 * binding cycle reads the scheduler's cache without interruption, so nothing can change under a plugin
 * between PreFilter and Score. Only PostFilter and the binding steps may wait on I/O.
 */

import type { KubeObject } from '../../api/resource.js';
import type { Clock } from '../../client/clock.js';
import type { InformerFactory } from '../../client/informer-factory.js';
import type { KubeClient } from '../../client/types.js';
import type { Pod } from '../types.js';
import type { CycleState } from './cycle-state.js';
import type { NodeInfo } from './node-info.js';
import type { NodeToStatus } from './node-to-status.js';
import type { PodInfo } from './pod-info.js';
import type { Result, Status } from './status.js';

/** The highest score a plugin may give a node after normalizing (upstream's MaxNodeScore). */
export const MAX_NODE_SCORE = 100;

export interface Plugin {
  readonly name: string;
}

export interface PreEnqueuePlugin extends Plugin {
  preEnqueue(pod: Pod): Result;
}

/** A pod waiting in the queue. */
export interface QueuedPodInfo {
  podInfo: PodInfo;
  /** When it (last) entered the queue; breaks priority ties. */
  timestamp: number;
  /** When it first entered the queue. */
  readonly initialAttemptTimestamp: number;
  /** Scheduling attempts so far; sets the backoff. */
  attempts: number;
  /** The plugins that rejected it in its last attempt: the events that could help are theirs. */
  unschedulablePlugins: Set<string>;
  /** Plugins that asked it to wait for something outside the scheduler. */
  pendingPlugins: Set<string>;
  /** Held back by a PreEnqueue plugin (scheduling gates). */
  gated: boolean;
}

export interface QueueSortPlugin extends Plugin {
  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean;
}

/** A PreFilter may restrict the nodes worth filtering (NodeAffinity with a `metadata.name` field). */
export interface PreFilterResult {
  readonly nodeNames: ReadonlySet<string>;
}

export interface PreFilterPlugin extends Plugin {
  /** Skip: this plugin's Filter is not needed for this pod this cycle. */
  preFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): PreFilterResult | Result;
  /** Updates the PreFilter state as if `podToAdd` ran on `node` (preemption, nominated pods). */
  addPod?(state: CycleState, podToSchedule: PodInfo, podToAdd: PodInfo, node: NodeInfo): Result;
  /** Updates the PreFilter state as if `podToRemove` left `node`. */
  removePod?(state: CycleState, podToSchedule: PodInfo, podToRemove: PodInfo, node: NodeInfo): Result;
}

export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Result;
}

export interface PostFilterOutcome {
  /** The node to nominate; '' clears a nomination; undefined leaves it as it is. */
  readonly nominatedNodeName?: string;
  readonly status: Result;
}

export interface PostFilterPlugin extends Plugin {
  postFilter(
    state: CycleState,
    pod: PodInfo,
    statuses: NodeToStatus,
  ): PostFilterOutcome | Promise<PostFilterOutcome>;
}

export interface PreScorePlugin extends Plugin {
  /** Skip: this plugin's Score is not needed for this pod this cycle. */
  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Result;
}

export interface ScorePlugin extends Plugin {
  /** The node's raw score. Throwing is an Error status. */
  score(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  /** Rewrites `scores` (in `nodes`' order) into 0…MAX_NODE_SCORE. */
  normalizeScore?(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], scores: Float64Array): Result;
}

export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: PodInfo, nodeName: string): Result;
  /** Must be idempotent: it may run for a pod whose Reserve never ran. */
  unreserve(state: CycleState, pod: PodInfo, nodeName: string): void;
}

export interface PermitOutcome {
  readonly status: Result;
  /** With a Wait status: how long to wait before the pod is rejected. */
  readonly timeoutMs?: number;
}

export interface PermitPlugin extends Plugin {
  permit(state: CycleState, pod: PodInfo, nodeName: string): PermitOutcome;
}

export interface PreBindPlugin extends Plugin {
  preBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Result>;
}

export interface BindPlugin extends Plugin {
  /** Skip: not this binder's pod; the next binder is asked. */
  bind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Result>;
}

export interface PostBindPlugin extends Plugin {
  postBind(state: CycleState, pod: PodInfo, nodeName: string): void;
}

// ---- cluster events --------------------------------------------------------------------------------

/** What changed: `AssignedPod` is a pod bound to a node; `UnscheduledPod` one that is not (yet). */
export type EventResource =
  | 'Pod'
  | 'AssignedPod'
  | 'UnscheduledPod'
  | 'Node'
  | 'PersistentVolume'
  | 'PersistentVolumeClaim'
  | 'StorageClass'
  | 'PodDisruptionBudget'
  | '*';

/** How it changed, as bits, so a plugin can register for several at once and an update be specific. */
export const ActionType = {
  Add: 1 << 0,
  Delete: 1 << 1,
  UpdateNodeAllocatable: 1 << 2,
  UpdateNodeLabel: 1 << 3,
  UpdateNodeTaint: 1 << 4,
  UpdateNodeCondition: 1 << 5,
  UpdateNodeAnnotation: 1 << 6,
  UpdatePodLabel: 1 << 7,
  UpdatePodScaleDown: 1 << 8,
  UpdatePodToleration: 1 << 9,
  UpdatePodSchedulingGatesEliminated: 1 << 10,
  /** Any other update. */
  UpdateOther: 1 << 11,
  Update:
    (1 << 2) |
    (1 << 3) |
    (1 << 4) |
    (1 << 5) |
    (1 << 6) |
    (1 << 7) |
    (1 << 8) |
    (1 << 9) |
    (1 << 10) |
    (1 << 11),
  All: (1 << 12) - 1,
} as const;

export interface ClusterEvent {
  readonly resource: EventResource;
  /** ActionType bits. */
  readonly action: number;
  /** For logs: `NodeAdd`, `AssignedPodDelete`. */
  readonly label?: string;
}

/** 'Queue': the event may make the pod schedulable; 'Skip': it cannot. */
export type QueueingHint = 'Queue' | 'Skip';

export interface ClusterEventWithHint {
  readonly event: ClusterEvent;
  /** Decides for one rejected pod; absent means Queue. */
  readonly hint?: (
    pod: Pod,
    oldObject: KubeObject | undefined,
    newObject: KubeObject | undefined,
  ) => QueueingHint;
}

/** A plugin that rejects pods says which cluster events could change its mind. */
export interface EnqueueExtensions {
  eventsToRegister(): readonly ClusterEventWithHint[];
}

// ---- what plugins are given ------------------------------------------------------------------------

/** The cache, read-only, as plugins see it (upstream's SharedLister). */
export interface SnapshotLister {
  /** Every node with a Node object, in the order the scheduler samples them. */
  list(): readonly NodeInfo[];
  get(name: string): NodeInfo | undefined;
  /** Nodes running pods with pod (anti-)affinity. */
  havePodsWithAffinity(): readonly NodeInfo[];
  /** Nodes running pods with required pod anti-affinity. */
  havePodsWithRequiredAntiAffinity(): readonly NodeInfo[];
}

/** Pods nominated to nodes by preemption; they count against those nodes for lower-priority pods. */
export interface Nominator {
  nominatedPodsForNode(nodeName: string): readonly PodInfo[];
  /** How many pods are nominated anywhere (0: the common case, nothing to look up per node). */
  readonly size: number;
}

/** A pod held at Permit. */
export interface WaitingPod {
  readonly pod: PodInfo;
  readonly pendingPlugins: readonly string[];
  allow(plugin: string): void;
  reject(plugin: string, message: string): void;
}

export interface EventSink {
  event(object: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

export interface FrameworkHandle {
  readonly profileName: string;
  readonly snapshot: SnapshotLister;
  readonly client: KubeClient;
  /** The scheduler's shared informers: ask here for listers (PVCs, PDBs) so every plugin shares one watch. */
  readonly informers: InformerFactory;
  readonly clock: Clock;
  readonly events: EventSink;
  readonly nominator: Nominator;
  runFilterPluginsWithNominatedPods(state: CycleState, pod: PodInfo, node: NodeInfo): Result;
  runPreFilterExtensionAddPod(state: CycleState, pod: PodInfo, podToAdd: PodInfo, node: NodeInfo): Result;
  runPreFilterExtensionRemovePod(
    state: CycleState,
    pod: PodInfo,
    podToRemove: PodInfo,
    node: NodeInfo,
  ): Result;
  getWaitingPod(uid: string): WaitingPod | undefined;
  log(message: string): void;
}

/** Makes a plugin from its `args` (from the profile's pluginConfig, or undefined) and the handle. */
export type PluginFactory = (args: unknown, handle: FrameworkHandle) => Plugin;

/** For error messages and events: a Status's reasons. */
export type { Status };
