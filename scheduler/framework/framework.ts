/**
 * One profile's framework: its plugins, made from the registry by name, arranged per extension point,
 * and the code that runs each point the way kube-scheduler's runtime does — in order, stopping at the
 * first rejection where upstream stops, skipping the Filter / Score of plugins whose PreFilter /
 * PreScore answered Skip, multiplying normalized scores by weights.
 *
 * A plugin instance is made once per profile and serves every point it implements (NodeResourcesFit is
 * one object at PreFilter, Filter, PreScore and Score), so its PreFilter and Filter share state through
 * the CycleState key it chooses.
 */
import type { ResolvedProfile } from '../config/profile.js';
import type { ExtensionPoint } from '../config/types.js';
import { SchedulerError } from '../errors.js';
import type { CycleState } from './cycle-state.js';
import {
  type BindPlugin,
  type ClusterEventWithHint,
  type EnqueueExtensions,
  type FilterPlugin,
  type FrameworkHandle,
  MAX_NODE_SCORE,
  type PermitPlugin,
  type Plugin,
  type PluginFactory,
  type PostBindPlugin,
  type PostFilterOutcome,
  type PostFilterPlugin,
  type PreBindPlugin,
  type PreEnqueuePlugin,
  type PreFilterPlugin,
  type PreFilterResult,
  type PreScorePlugin,
  type QueueSortPlugin,
  type ReservePlugin,
  type ScorePlugin,
} from './interfaces.js';
import type { NodeInfo } from './node-info.js';
import type { NodeToStatus } from './node-to-status.js';
import type { PodInfo } from './pod-info.js';
import { errorStatus, isSuccess, type Result, Status, unresolvable } from './status.js';
import type { WaitingPods } from './waiting-pods.js';

/** Plugin factories by name. */
export type Registry = ReadonlyMap<string, PluginFactory>;

/** The method that marks a plugin as serving each point. */
const methodOf: Record<ExtensionPoint, string> = {
  preEnqueue: 'preEnqueue',
  queueSort: 'less',
  preFilter: 'preFilter',
  filter: 'filter',
  postFilter: 'postFilter',
  preScore: 'preScore',
  score: 'score',
  reserve: 'reserve',
  permit: 'permit',
  preBind: 'preBind',
  bind: 'bind',
  postBind: 'postBind',
};

/** Permit waits are capped at 15 minutes, as upstream's maxTimeout. */
const MAX_PERMIT_WAIT_MS = 15 * 60_000;

/** What the scheduler gives every framework; the framework adds its own run* methods to make the handle. */
export type HandleBase = Omit<
  FrameworkHandle,
  | 'profileName'
  | 'runFilterPluginsWithNominatedPods'
  | 'runPreFilterExtensionAddPod'
  | 'runPreFilterExtensionRemovePod'
  | 'getWaitingPod'
>;

export interface FrameworkOptions {
  readonly profile: ResolvedProfile;
  readonly registry: Registry;
  readonly handle: HandleBase;
  readonly waitingPods: WaitingPods;
}

export interface PreFilterOutcome {
  /** Undefined: every node; else only these. */
  readonly nodeNames: ReadonlySet<string> | undefined;
  /** Plugins that narrowed the nodes (for the message about nodes left out). */
  readonly narrowedBy: readonly string[];
  readonly status: Result;
}

export class Framework {
  readonly profileName: string;
  readonly percentageOfNodesToScore: number | undefined;
  readonly handle: FrameworkHandle;
  readonly plugins = new Map<string, Plugin>();
  readonly queueSort: QueueSortPlugin;
  readonly preEnqueuePlugins: readonly PreEnqueuePlugin[];
  readonly preFilterPlugins: readonly PreFilterPlugin[];
  readonly filterPlugins: readonly FilterPlugin[];
  readonly postFilterPlugins: readonly PostFilterPlugin[];
  readonly preScorePlugins: readonly PreScorePlugin[];
  readonly scorePlugins: readonly { readonly plugin: ScorePlugin; readonly weight: number }[];
  readonly reservePlugins: readonly ReservePlugin[];
  readonly permitPlugins: readonly PermitPlugin[];
  readonly preBindPlugins: readonly PreBindPlugin[];
  readonly bindPlugins: readonly BindPlugin[];
  readonly postBindPlugins: readonly PostBindPlugin[];
  readonly #waitingPods: WaitingPods;

  constructor(options: FrameworkOptions) {
    const { profile, registry } = options;
    this.profileName = profile.schedulerName;
    this.percentageOfNodesToScore = profile.percentageOfNodesToScore;
    this.#waitingPods = options.waitingPods;
    this.handle = {
      ...options.handle,
      profileName: profile.schedulerName,
      runFilterPluginsWithNominatedPods: (state, pod, node) =>
        this.runFilterPluginsWithNominatedPods(state, pod, node),
      runPreFilterExtensionAddPod: (state, pod, podToAdd, node) =>
        this.runPreFilterExtensionAddPod(state, pod, podToAdd, node),
      runPreFilterExtensionRemovePod: (state, pod, podToRemove, node) =>
        this.runPreFilterExtensionRemovePod(state, pod, podToRemove, node),
      getWaitingPod: (uid) => this.#waitingPods.get(uid),
    };

    const make = (name: string): Plugin => {
      const existing = this.plugins.get(name);
      if (existing) return existing;
      const factory = registry.get(name);
      if (!factory) {
        throw new SchedulerError(
          'SKIFF_ERR_UNKNOWN_PLUGIN',
          `profile ${JSON.stringify(profile.schedulerName)}: plugin ${JSON.stringify(name)} does not exist`,
        );
      }
      const plugin = factory(profile.pluginArgs.get(name), this.handle);
      this.plugins.set(name, plugin);
      return plugin;
    };
    const at = <T extends Plugin>(point: ExtensionPoint): { plugin: T; weight: number }[] => {
      const list: { plugin: T; weight: number }[] = [];
      for (const ref of profile.points[point]) {
        const plugin = make(ref.name) as unknown as Record<string, unknown>;
        if (typeof plugin[methodOf[point]] !== 'function') {
          if (ref.fromMultiPoint) continue;
          throw new SchedulerError(
            'SKIFF_ERR_UNKNOWN_PLUGIN',
            `profile ${JSON.stringify(profile.schedulerName)}: plugin ${JSON.stringify(ref.name)} does not extend the ${point} extension point`,
          );
        }
        list.push({ plugin: plugin as unknown as T, weight: ref.weight });
      }
      return list;
    };
    const plugins = <T extends Plugin>(point: ExtensionPoint): T[] =>
      at<T>(point).map((entry) => entry.plugin);

    const queueSorts = plugins<QueueSortPlugin>('queueSort');
    if (queueSorts.length > 1) {
      throw new SchedulerError(
        'SKIFF_ERR_UNKNOWN_PLUGIN',
        `profile ${JSON.stringify(profile.schedulerName)}: only one queueSort plugin may be enabled, found ${queueSorts.map((plugin) => plugin.name).join(', ')}`,
      );
    }
    if (!queueSorts[0]) {
      throw new SchedulerError(
        'SKIFF_ERR_UNKNOWN_PLUGIN',
        `profile ${JSON.stringify(profile.schedulerName)}: no queueSort plugin is enabled`,
      );
    }
    this.queueSort = queueSorts[0];
    this.preEnqueuePlugins = plugins('preEnqueue');
    this.preFilterPlugins = plugins('preFilter');
    this.filterPlugins = plugins('filter');
    this.postFilterPlugins = plugins('postFilter');
    this.preScorePlugins = plugins('preScore');
    this.scorePlugins = at<ScorePlugin>('score');
    this.reservePlugins = plugins('reserve');
    this.permitPlugins = plugins('permit');
    this.preBindPlugins = plugins('preBind');
    this.bindPlugins = plugins('bind');
    this.postBindPlugins = plugins('postBind');
    if (this.bindPlugins.length === 0) {
      throw new SchedulerError(
        'SKIFF_ERR_UNKNOWN_PLUGIN',
        `profile ${JSON.stringify(profile.schedulerName)}: at least one bind plugin is needed`,
      );
    }
  }

  /** Each plugin's registered cluster events (plugins that reject pods without registering are left out). */
  eventRegistrations(): Map<string, readonly ClusterEventWithHint[]> {
    const registrations = new Map<string, readonly ClusterEventWithHint[]>();
    for (const plugin of this.plugins.values()) {
      const extensions = plugin as Partial<EnqueueExtensions>;
      if (typeof extensions.eventsToRegister === 'function') {
        registrations.set(plugin.name, extensions.eventsToRegister());
      }
    }
    return registrations;
  }

  // ---- the scheduling cycle -----------------------------------------------------------------------

  /** The PreEnqueue plugin holding the pod back, if any. */
  runPreEnqueuePlugins(pod: PodInfo['pod']): string | undefined {
    for (const plugin of this.preEnqueuePlugins) {
      if (!isSuccess(plugin.preEnqueue(pod))) return plugin.name;
    }
    return undefined;
  }

  runPreFilterPlugins(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): PreFilterOutcome {
    let nodeNames: Set<string> | undefined;
    const narrowedBy: string[] = [];
    let rejection: Status | undefined;
    for (const plugin of this.preFilterPlugins) {
      let answer: PreFilterResult | Result;
      try {
        answer = plugin.preFilter(state, pod, nodes);
      } catch (error) {
        answer = errorStatus(error);
      }
      if (answer instanceof Status) {
        if (answer.code === 'Skip') {
          state.skipFilter.add(plugin.name);
          continue;
        }
        if (answer.code === 'Success') continue;
        answer.withPlugin(plugin.name);
        if (answer.code === 'UnschedulableAndUnresolvable') {
          return { nodeNames: undefined, narrowedBy, status: answer };
        }
        if (answer.code === 'Unschedulable') {
          // Keep going: the other PreFilters' state is needed if preemption runs later in this cycle.
          rejection = answer;
          continue;
        }
        return {
          nodeNames: undefined,
          narrowedBy,
          status: new Status(
            'Error',
            [`running PreFilter plugin "${plugin.name}": ${answer.message}`],
            answer.error,
          ).withPlugin(plugin.name),
        };
      }
      if (answer === undefined) continue;
      narrowedBy.push(plugin.name);
      nodeNames = nodeNames
        ? new Set([...nodeNames].filter((name) => answer.nodeNames.has(name)))
        : new Set(answer.nodeNames);
      if (nodeNames.size === 0) {
        const message =
          narrowedBy.length === 1
            ? `node(s) didn't satisfy plugin ${narrowedBy[0]}`
            : `node(s) didn't satisfy plugin(s) [${narrowedBy.join(' ')}] simultaneously`;
        return { nodeNames, narrowedBy, status: unresolvable(message) };
      }
    }
    state.filters = this.filterPlugins.filter((plugin) => !state.skipFilter.has(plugin.name));
    return { nodeNames, narrowedBy, status: rejection };
  }

  runFilterPlugins(state: CycleState, pod: PodInfo, node: NodeInfo): Result {
    const filters = state.filters ?? this.filterPlugins;
    for (let index = 0; index < filters.length; index++) {
      const plugin = filters[index]!;
      let status: Result;
      try {
        status = plugin.filter(state, pod, node);
      } catch (error) {
        status = errorStatus(error);
      }
      if (status === undefined || status.code === 'Success') continue;
      if (!status.isRejected()) {
        status = new Status(
          'Error',
          [`running "${plugin.name}" filter plugin: ${status.message}`],
          status.error,
        );
      }
      return status.withPlugin(plugin.name);
    }
    return undefined;
  }

  /**
   * Filters with the node's nominated pods of equal or higher priority counted as running there (so
   * the room a preemption made is kept for its preemptor), then — if any were added — without them too
   * (their affinity must not be what lets this pod in). Upstream's RunFilterPluginsWithNominatedPods.
   */
  runFilterPluginsWithNominatedPods(state: CycleState, pod: PodInfo, node: NodeInfo): Result {
    const nominator = this.handle.nominator;
    if (nominator.size === 0) return this.runFilterPlugins(state, pod, node);
    const nominated = nominator.nominatedPodsForNode(node.name);
    if (nominated.length === 0) return this.runFilterPlugins(state, pod, node);
    let added = false;
    let withNominated = node;
    let stateWithNominated = state;
    for (const other of nominated) {
      if (other.priority < pod.priority || other.key === pod.key) continue;
      if (!added) {
        withNominated = node.clone();
        stateWithNominated = state.clone();
        added = true;
      }
      withNominated.addPod(other);
      const status = this.runPreFilterExtensionAddPod(stateWithNominated, pod, other, withNominated);
      if (!isSuccess(status)) return status;
    }
    const status = this.runFilterPlugins(stateWithNominated, pod, withNominated);
    if (!isSuccess(status) || !added) return status;
    return this.runFilterPlugins(state, pod, node);
  }

  runPreFilterExtensionAddPod(state: CycleState, pod: PodInfo, podToAdd: PodInfo, node: NodeInfo): Result {
    for (const plugin of this.preFilterPlugins) {
      if (!plugin.addPod || state.skipFilter.has(plugin.name)) continue;
      const status = plugin.addPod(state, pod, podToAdd, node);
      if (!isSuccess(status))
        return errorStatus(`running AddPod on PreFilter plugin "${plugin.name}": ${status.message}`);
    }
    return undefined;
  }

  runPreFilterExtensionRemovePod(
    state: CycleState,
    pod: PodInfo,
    podToRemove: PodInfo,
    node: NodeInfo,
  ): Result {
    for (const plugin of this.preFilterPlugins) {
      if (!plugin.removePod || state.skipFilter.has(plugin.name)) continue;
      const status = plugin.removePod(state, pod, podToRemove, node);
      if (!isSuccess(status)) {
        return errorStatus(`running RemovePod on PreFilter plugin "${plugin.name}": ${status.message}`);
      }
    }
    return undefined;
  }

  /** The first PostFilter that succeeds (or fails with an error) decides; rejections are collected. */
  async runPostFilterPlugins(
    state: CycleState,
    pod: PodInfo,
    statuses: NodeToStatus,
  ): Promise<PostFilterOutcome> {
    const messages: string[] = [];
    let nominatedNodeName: string | undefined;
    for (const plugin of this.postFilterPlugins) {
      let outcome: PostFilterOutcome;
      try {
        outcome = await plugin.postFilter(state, pod, statuses);
      } catch (error) {
        outcome = { status: errorStatus(error) };
      }
      if (outcome.nominatedNodeName !== undefined) nominatedNodeName = outcome.nominatedNodeName;
      const status = outcome.status;
      if (isSuccess(status)) return { nominatedNodeName: outcome.nominatedNodeName, status: undefined };
      if (!status.isRejected()) return { nominatedNodeName, status: status.withPlugin(plugin.name) };
      if (status.message) messages.push(status.message);
    }
    return { nominatedNodeName, status: new Status('Unschedulable', messages) };
  }

  /** PreScore; plugins answering Skip have their Score skipped this cycle. */
  runPreScorePlugins(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Result {
    for (const plugin of this.preScorePlugins) {
      let status: Result;
      try {
        status = plugin.preScore(state, pod, nodes);
      } catch (error) {
        status = errorStatus(error);
      }
      if (status === undefined || status.code === 'Success') continue;
      if (status.code === 'Skip') {
        state.skipScore.add(plugin.name);
        continue;
      }
      return new Status(
        'Error',
        [`running PreScore plugin "${plugin.name}": ${status.message}`],
        status.error,
      ).withPlugin(plugin.name);
    }
    return undefined;
  }

  /**
   * Every Score plugin over `nodes`, normalized, weighted and summed: the total per node, in `nodes`'
   * order. With no Score plugins every node scores the same.
   */
  runScorePlugins(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Float64Array | Status {
    const totals = new Float64Array(nodes.length);
    const scores = new Float64Array(nodes.length);
    for (const { plugin, weight } of this.scorePlugins) {
      if (state.skipScore.has(plugin.name)) continue;
      try {
        for (let index = 0; index < nodes.length; index++)
          scores[index] = plugin.score(state, pod, nodes[index]!);
      } catch (error) {
        return new Status(
          'Error',
          [`running Score plugin "${plugin.name}": ${(error as Error).message ?? error}`],
          error,
        );
      }
      if (plugin.normalizeScore) {
        const status = plugin.normalizeScore(state, pod, nodes, scores);
        if (!isSuccess(status)) {
          return new Status('Error', [
            `running Normalize on Score plugin "${plugin.name}": ${status.message}`,
          ]);
        }
      }
      for (let index = 0; index < nodes.length; index++) {
        const score = scores[index]!;
        if (!(score >= 0 && score <= MAX_NODE_SCORE)) {
          return new Status('Error', [
            `plugin "${plugin.name}" returns an invalid score ${score}, it should in the range of [0, ${MAX_NODE_SCORE}] after normalizing`,
          ]);
        }
        totals[index] = totals[index]! + score * weight;
      }
    }
    return totals;
  }

  get hasScorePlugins(): boolean {
    return this.scorePlugins.length > 0;
  }

  get hasPostFilterPlugins(): boolean {
    return this.postFilterPlugins.length > 0;
  }

  runReservePluginsReserve(state: CycleState, pod: PodInfo, nodeName: string): Result {
    for (const plugin of this.reservePlugins) {
      let status: Result;
      try {
        status = plugin.reserve(state, pod, nodeName);
      } catch (error) {
        status = errorStatus(error);
      }
      if (isSuccess(status)) continue;
      if (status.isRejected()) return status.withPlugin(plugin.name);
      return new Status(
        'Error',
        [`running Reserve plugin "${plugin.name}": ${status.message}`],
        status.error,
      ).withPlugin(plugin.name);
    }
    return undefined;
  }

  /** In reverse order, as upstream; never fails. */
  runReservePluginsUnreserve(state: CycleState, pod: PodInfo, nodeName: string): void {
    for (let index = this.reservePlugins.length - 1; index >= 0; index--) {
      const plugin = this.reservePlugins[index]!;
      try {
        plugin.unreserve(state, pod, nodeName);
      } catch (error) {
        this.handle.log(`unreserve of ${pod.key} by ${plugin.name} failed: ${(error as Error).message}`);
      }
    }
  }

  /** Success, a rejection, or Wait (the pod is then held in the waiting pods until allowed or rejected). */
  runPermitPlugins(state: CycleState, pod: PodInfo, nodeName: string): Result {
    const waits = new Map<string, number>();
    for (const plugin of this.permitPlugins) {
      let outcome: { status: Result; timeoutMs?: number };
      try {
        outcome = plugin.permit(state, pod, nodeName);
      } catch (error) {
        outcome = { status: errorStatus(error) };
      }
      const status = outcome.status;
      if (isSuccess(status)) continue;
      if (status.isRejected()) return status.withPlugin(plugin.name);
      if (status.code === 'Wait') {
        waits.set(plugin.name, Math.min(outcome.timeoutMs ?? MAX_PERMIT_WAIT_MS, MAX_PERMIT_WAIT_MS));
        continue;
      }
      return new Status(
        'Error',
        [`running Permit plugin "${plugin.name}": ${status.message}`],
        status.error,
      ).withPlugin(plugin.name);
    }
    if (waits.size === 0) return undefined;
    this.#waitingPods.add(pod, waits);
    return new Status('Wait', [`one or more plugins asked to wait and no plugin rejected pod "${pod.name}"`]);
  }

  /** Resolves once a waiting pod is allowed by every plugin that held it, or rejected (or timed out). */
  waitOnPermit(pod: PodInfo): Promise<Result> {
    return this.#waitingPods.wait(pod.uid);
  }

  async runPreBindPlugins(state: CycleState, pod: PodInfo, nodeName: string): Promise<Result> {
    for (const plugin of this.preBindPlugins) {
      let status: Result;
      try {
        status = await plugin.preBind(state, pod, nodeName);
      } catch (error) {
        status = errorStatus(error);
      }
      if (isSuccess(status) || status.code === 'Skip') continue;
      if (status.isRejected()) return status.withPlugin(plugin.name);
      return new Status(
        'Error',
        [`running PreBind plugin "${plugin.name}": ${status.message}`],
        status.error,
      ).withPlugin(plugin.name);
    }
    return undefined;
  }

  async runBindPlugins(state: CycleState, pod: PodInfo, nodeName: string): Promise<Result> {
    for (const plugin of this.bindPlugins) {
      let status: Result;
      try {
        status = await plugin.bind(state, pod, nodeName);
      } catch (error) {
        status = errorStatus(error);
      }
      if (status?.code === 'Skip') continue;
      if (isSuccess(status)) return undefined;
      if (status.isRejected()) return status.withPlugin(plugin.name);
      return new Status('Error', [`binding "${pod.name}": ${status.message}`], status.error).withPlugin(
        plugin.name,
      );
    }
    return new Status('Error', [`all bind plugins skipped pod "${pod.name}"`]);
  }

  runPostBindPlugins(state: CycleState, pod: PodInfo, nodeName: string): void {
    for (const plugin of this.postBindPlugins) {
      try {
        plugin.postBind(state, pod, nodeName);
      } catch (error) {
        this.handle.log(`postBind of ${pod.key} by ${plugin.name} failed: ${(error as Error).message}`);
      }
    }
  }
}
