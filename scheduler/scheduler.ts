/**
 * The scheduler: informers feed the cache (nodes, bound pods) and the queue (pending pods this
 * scheduler's profiles own); one loop takes the next pod from the queue and runs a scheduling cycle for
 * it; binding cycles then run concurrently, each on its own.
 *
 *   scheduling cycle (one pod at a time, synchronous up to PostFilter):
 *     PreFilter → Filter over sampled nodes → PreScore → Score → pick the best (ties at random)
 *     → assume the pod onto the node in the cache → Reserve → Permit
 *   binding cycle (concurrent):
 *     wait at Permit → PreBind → Bind (pods/binding) → Scheduled event → PostBind
 *   no node fits:
 *     PostFilter (preemption) → PodScheduled=False with kube-scheduler's message, a FailedScheduling
 *     event, and back to the queue to wait for a cluster event that could help
 *
 * Sampling (percentageOfNodesToScore): a cycle stops filtering once it has found enough feasible nodes
 * — 10% of 5,000 nodes, at least 100 — starting where the previous cycle stopped, so the cost of a
 * cycle grows far slower than the cluster and every node still gets its turn.
 *
 * The loop yields to the event loop every few milliseconds so informer events, binding responses and
 * API requests served in the same process are not starved while pods are pending.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { KubeObject } from '../api/resource.js';
import { type Clock, systemClock } from '../client/clock.js';
import type { Informer } from '../client/informer.js';
import type { InformerFactory } from '../client/informer-factory.js';
import { refFor } from '../client/refs.js';
import type { KubeClient } from '../client/types.js';
import { SchedulerCache } from './cache/cache.js';
import { DEFAULT_POD_INITIAL_BACKOFF_SECONDS, DEFAULT_POD_MAX_BACKOFF_SECONDS } from './config/defaults.js';
import { resolveProfile } from './config/profile.js';
import { DEFAULT_SCHEDULER_NAME, type SchedulerConfiguration } from './config/types.js';
import { SchedulerError } from './errors.js';
import { ShardedEventSink } from './events.js';
import { CycleState } from './framework/cycle-state.js';
import { type Diagnosis, FitError, newDiagnosis } from './framework/fit-error.js';
import { Framework, type Registry } from './framework/framework.js';
import {
  ActionType,
  type ClusterEvent,
  type ClusterEventWithHint,
  type EventResource,
  type EventSink,
  type PluginFactory,
  type QueuedPodInfo,
} from './framework/interfaces.js';
import type { NodeInfo } from './framework/node-info.js';
import { NodeToStatus } from './framework/node-to-status.js';
import { PodInfo } from './framework/pod-info.js';
import { errorStatus, isSuccess, Status, unresolvable } from './framework/status.js';
import { WaitingPods } from './framework/waiting-pods.js';
import { inTreeRegistry } from './plugins/registry.js';
import { Nominator } from './queue/nominator.js';
import { SchedulingQueue } from './queue/scheduling-queue.js';
import { type Node, type Pod, type PodCondition, podReference } from './types.js';

/** Below this many nodes every node is filtered (upstream's minFeasibleNodesToFind). */
const MIN_FEASIBLE_NODES_TO_FIND = 100;
const MIN_FEASIBLE_NODES_PERCENTAGE = 5;
/** How long the loop runs before letting the event loop in. */
const TIME_SLICE_MS = 4;
/** Event messages are cut to this length, as kube-scheduler's truncateMessage does. */
const MAX_EVENT_MESSAGE = 1024;

export interface SchedulerObserver {
  /** A pod was bound: `cycleMs` is its scheduling cycle, `totalMs` from being taken off the queue to bound. */
  scheduled?(pod: Pod, nodeName: string, cycleMs: number, totalMs: number): void;
  /** An attempt failed; the pod is back in the queue. */
  failed?(pod: Pod, message: string): void;
}

export interface SchedulerOptions {
  readonly client: KubeClient;
  /** The informers to use; the scheduler registers its own and the plugins theirs. */
  readonly informers: InformerFactory;
  readonly config?: SchedulerConfiguration;
  /** Out-of-tree plugins, by name, beside the in-tree ones. */
  readonly registry?: Readonly<Record<string, PluginFactory>>;
  readonly clock?: Clock;
  readonly log?: (message: string) => void;
  /** For tie-breaking among equally scored nodes; default Math.random. */
  readonly random?: () => number;
  /** Where events go; default an EventRecorder per profile writing core/v1 Events. */
  readonly events?: EventSink;
  readonly observer?: SchedulerObserver;
}

interface ScheduleResult {
  readonly nodeName: string;
  readonly evaluatedNodes: number;
  readonly feasibleNodes: number;
}

export class Scheduler {
  readonly cache = new SchedulerCache();
  readonly queue: SchedulingQueue;
  readonly nominator = new Nominator();
  readonly frameworks = new Map<string, Framework>();
  readonly #client: KubeClient;
  readonly #clock: Clock;
  readonly #log: (message: string) => void;
  readonly #random: () => number;
  readonly #observer: SchedulerObserver;
  readonly #percentageOfNodesToScore: number;
  readonly #pods: Informer<Pod>;
  readonly #waitingPods: WaitingPods;
  readonly #recorders: ShardedEventSink[] = [];
  readonly #events = new Map<string, EventSink>();
  #nextStartNodeIndex = 0;
  /** Binding cycles in flight, so `run` can wait for them when it stops. */
  readonly #binding = new Set<Promise<void>>();

  constructor(options: SchedulerOptions) {
    const config = options.config ?? {};
    this.#client = options.client;
    this.#clock = options.clock ?? systemClock;
    this.#log = options.log ?? ((message) => console.error(message));
    this.#random = options.random ?? Math.random;
    this.#observer = options.observer ?? {};
    this.#percentageOfNodesToScore = config.percentageOfNodesToScore ?? 0;
    this.#waitingPods = new WaitingPods(this.#clock);
    const informers = options.informers;
    this.#pods = informers.informerFor<Pod>(refFor('Pod'));
    const nodes = informers.informerFor<Node>(refFor('Node'));

    const registry: Registry = new Map([...inTreeRegistry, ...Object.entries(options.registry ?? {})]);
    const profiles = config.profiles?.length ? config.profiles : [{ schedulerName: DEFAULT_SCHEDULER_NAME }];
    for (const profile of profiles) {
      const resolved = resolveProfile(profile);
      const events = options.events ?? this.#recorderFor(resolved.schedulerName);
      this.#events.set(resolved.schedulerName, events);
      const framework = new Framework({
        profile: resolved,
        registry,
        waitingPods: this.#waitingPods,
        handle: {
          snapshot: this.cache,
          client: options.client,
          informers,
          clock: this.#clock,
          events,
          nominator: this.nominator,
          log: this.#log,
        },
      });
      this.frameworks.set(resolved.schedulerName, framework);
    }
    // One queue serves every profile, so they must agree on its order (as upstream insists).
    const sorts = new Set([...this.frameworks.values()].map((framework) => framework.queueSort.name));
    if (sorts.size > 1) {
      throw new SchedulerError(
        'SKIFF_ERR_UNKNOWN_PLUGIN',
        `every profile must use the same queueSort plugin; found ${[...sorts].join(', ')}`,
      );
    }
    const queueSort = this.frameworks.values().next().value!.queueSort;
    const registrations = new Map<string, readonly ClusterEventWithHint[]>();
    for (const framework of this.frameworks.values()) {
      for (const [plugin, events] of framework.eventRegistrations()) registrations.set(plugin, events);
    }
    this.queue = new SchedulingQueue({
      clock: this.#clock,
      less: (a, b) => queueSort.less(a, b),
      initialBackoffMs: (config.podInitialBackoffSeconds ?? DEFAULT_POD_INITIAL_BACKOFF_SECONDS) * 1000,
      maxBackoffMs: (config.podMaxBackoffSeconds ?? DEFAULT_POD_MAX_BACKOFF_SECONDS) * 1000,
      preEnqueue: (pod) =>
        this.frameworks.get(pod.spec?.schedulerName ?? DEFAULT_SCHEDULER_NAME)?.runPreEnqueuePlugins(pod),
      registrations,
      onError: (error) => this.#log(`scheduling queue: ${(error as Error).message ?? error}`),
    });

    this.#watchPods();
    this.#watchNodes(nodes);
    this.#watchOthers(informers, registrations);
  }

  /** Schedules pods until `signal` aborts; then waits for binding cycles in flight. */
  async run(signal: AbortSignal): Promise<void> {
    const stop = () => this.queue.close();
    if (signal.aborted) stop();
    signal.addEventListener('abort', stop, { once: true });
    let sliceStart = performance.now();
    try {
      for (;;) {
        const queued = await this.queue.pop();
        if (!queued) break;
        try {
          await this.scheduleOne(queued);
        } catch (error) {
          this.#log(`scheduling ${queued.podInfo.key} failed: ${(error as Error).stack ?? error}`);
          this.queue.done(queued.podInfo.key);
        }
        if (performance.now() - sliceStart > TIME_SLICE_MS) {
          await yieldToEventLoop();
          sliceStart = performance.now();
        }
      }
    } finally {
      signal.removeEventListener('abort', stop);
      this.#waitingPods.rejectAll('the scheduler is stopping');
      await Promise.allSettled([...this.#binding]);
      await Promise.allSettled(this.#recorders.map((recorder) => recorder.flush()));
    }
  }

  /** Stops the queue's timers and the event recorders (after `run` has ended, or if it never ran). */
  async close(): Promise<void> {
    this.queue.close();
    await Promise.allSettled(this.#recorders.map((recorder) => recorder.stop()));
  }

  /** One scheduling cycle for one pod; the binding cycle it starts runs on. */
  async scheduleOne(queued: QueuedPodInfo): Promise<void> {
    const started = performance.now();
    const podInfo = queued.podInfo;
    const framework = this.frameworks.get(podInfo.pod.spec?.schedulerName ?? DEFAULT_SCHEDULER_NAME);
    if (!framework || this.#skip(podInfo)) {
      this.queue.done(podInfo.key);
      return;
    }
    const state = new CycleState();
    const result = this.schedulePod(framework, state, podInfo);
    if (result instanceof FitError || result instanceof Status) {
      let status: Status;
      let nominatedNodeName: string | undefined;
      if (result instanceof FitError) {
        if (framework.hasPostFilterPlugins) {
          const outcome = await framework.runPostFilterPlugins(state, podInfo, result.diagnosis.nodeToStatus);
          nominatedNodeName = outcome.nominatedNodeName;
          result.diagnosis.postFilterMessage = outcome.status?.message ?? '';
          if (outcome.status?.code === 'Error')
            this.#log(`PostFilter for ${podInfo.key} failed: ${outcome.status.message}`);
        }
        status = new Status('Unschedulable', [result.message]);
      } else {
        status = result;
      }
      this.#handleFailure(
        framework,
        queued,
        status,
        result instanceof FitError ? result.diagnosis : undefined,
        nominatedNodeName,
      );
      return;
    }

    const nodeName = result.nodeName;
    const assumed = podInfo.withNodeName(nodeName);
    this.cache.assumePod(assumed);
    this.nominator.remove(podInfo.key);
    let status = framework.runReservePluginsReserve(state, assumed, nodeName);
    if (isSuccess(status)) {
      status = framework.runPermitPlugins(state, assumed, nodeName);
      if (status?.code === 'Wait') status = undefined;
    }
    if (!isSuccess(status)) {
      framework.runReservePluginsUnreserve(state, assumed, nodeName);
      this.cache.forgetPod(podInfo.key);
      this.#handleFailure(framework, queued, status, undefined, undefined);
      return;
    }
    this.queue.done(podInfo.key);
    const cycleMs = performance.now() - started;
    const binding = this.#bind(framework, state, queued, assumed, nodeName, started, cycleMs);
    this.#binding.add(binding);
    void binding.finally(() => this.#binding.delete(binding));
  }

  /** The scheduling algorithm proper (upstream's schedulePod): synchronous, reads the cache. */
  schedulePod(framework: Framework, state: CycleState, pod: PodInfo): ScheduleResult | FitError | Status {
    const all = this.cache.list();
    if (all.length === 0) return errorStatus('no nodes available to schedule pods');
    const found = this.#findNodesThatFitPod(framework, state, pod, all);
    if (found instanceof Status) return found;
    const { feasible, diagnosis, evaluated } = found;
    if (feasible.length === 0) return new FitError(all.length, diagnosis);
    if (feasible.length === 1)
      return { nodeName: feasible[0]!.name, evaluatedNodes: evaluated, feasibleNodes: 1 };
    const totals = this.#prioritizeNodes(framework, state, pod, feasible);
    if (totals instanceof Status) return totals;
    return {
      nodeName: this.#selectHost(feasible, totals),
      evaluatedNodes: evaluated,
      feasibleNodes: feasible.length,
    };
  }

  /** How many feasible nodes to find before scoring (upstream's numFeasibleNodesToFind). */
  numFeasibleNodesToFind(profilePercentage: number | undefined, numAllNodes: number): number {
    if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
    let percentage = profilePercentage ?? this.#percentageOfNodesToScore;
    if (percentage === 0) {
      percentage = 50 - Math.trunc(numAllNodes / 125);
      if (percentage < MIN_FEASIBLE_NODES_PERCENTAGE) percentage = MIN_FEASIBLE_NODES_PERCENTAGE;
    }
    const count = Math.trunc((numAllNodes * percentage) / 100);
    return Math.max(count, MIN_FEASIBLE_NODES_TO_FIND);
  }

  #findNodesThatFitPod(
    framework: Framework,
    state: CycleState,
    pod: PodInfo,
    all: readonly NodeInfo[],
  ): { feasible: NodeInfo[]; diagnosis: Diagnosis; evaluated: number } | Status {
    const diagnosis = newDiagnosis(new NodeToStatus());
    const pre = framework.runPreFilterPlugins(state, pod, all);
    for (const plugin of pre.narrowedBy) diagnosis.unschedulablePlugins.add(plugin);
    if (!isSuccess(pre.status)) {
      if (!pre.status.isRejected()) return pre.status;
      diagnosis.nodeToStatus.absent = pre.status;
      diagnosis.preFilterMessage = pre.status.message;
      if (pre.status.plugin) diagnosis.unschedulablePlugins.add(pre.status.plugin);
      return { feasible: [], diagnosis, evaluated: 0 };
    }
    // A pod that preempted goes back to its nominated node first: the room was made for it.
    const nominated = pod.pod.status?.nominatedNodeName;
    if (nominated && (!pre.nodeNames || pre.nodeNames.has(nominated))) {
      const node = this.cache.get(nominated);
      if (node && isSuccess(framework.runFilterPluginsWithNominatedPods(state, pod, node))) {
        return { feasible: [node], diagnosis, evaluated: 1 };
      }
    }
    let nodes = all;
    if (pre.nodeNames) {
      nodes = [...pre.nodeNames].map((name) => this.cache.get(name)).filter((node) => node !== undefined);
      diagnosis.nodeToStatus.absent = unresolvable(
        `node(s) didn't satisfy plugin(s) [${[...pre.narrowedBy].sort().join(' ')}]`,
      );
    }
    const wanted = this.numFeasibleNodesToFind(framework.percentageOfNodesToScore, nodes.length);
    const feasible: NodeInfo[] = [];
    const count = nodes.length;
    if (count === 0) return { feasible, diagnosis, evaluated: 0 };
    const start = this.#nextStartNodeIndex % count;
    let processed = 0;
    for (let index = 0; index < count && feasible.length < wanted; index++) {
      const node = nodes[(start + index) % count]!;
      processed++;
      const status = framework.runFilterPluginsWithNominatedPods(state, pod, node);
      if (status === undefined || status.code === 'Success') {
        feasible.push(node);
        continue;
      }
      if (!status.isRejected()) return status;
      diagnosis.nodeToStatus.set(node.name, status);
      if (status.plugin) diagnosis.unschedulablePlugins.add(status.plugin);
    }
    this.#nextStartNodeIndex = (start + processed) % count;
    return { feasible, diagnosis, evaluated: processed };
  }

  #prioritizeNodes(
    framework: Framework,
    state: CycleState,
    pod: PodInfo,
    nodes: readonly NodeInfo[],
  ): Float64Array | Status {
    if (!framework.hasScorePlugins) return new Float64Array(nodes.length).fill(1);
    const status = framework.runPreScorePlugins(state, pod, nodes);
    if (!isSuccess(status)) return status;
    return framework.runScorePlugins(state, pod, nodes);
  }

  /** The highest total; among equals, one at random (reservoir sampling, as upstream's selectHost). */
  #selectHost(nodes: readonly NodeInfo[], totals: Float64Array): string {
    let best = Number.NEGATIVE_INFINITY;
    let chosen = 0;
    let ties = 0;
    for (let index = 0; index < totals.length; index++) {
      const score = totals[index]!;
      if (score > best) {
        best = score;
        chosen = index;
        ties = 1;
      } else if (score === best) {
        ties++;
        if (this.#random() * ties < 1) chosen = index;
      }
    }
    return nodes[chosen]!.name;
  }

  /** Pods not to schedule after all: gone, being deleted, or already assumed. */
  #skip(pod: PodInfo): boolean {
    const current = this.#pods.store.getByName(pod.namespace, pod.name);
    if (!current || current.spec?.nodeName || current.metadata?.deletionTimestamp) return true;
    return this.cache.isAssumed(pod.key);
  }

  async #bind(
    framework: Framework,
    state: CycleState,
    queued: QueuedPodInfo,
    assumed: PodInfo,
    nodeName: string,
    started: number,
    cycleMs: number,
  ): Promise<void> {
    let status = await framework.waitOnPermit(assumed);
    if (isSuccess(status)) status = await framework.runPreBindPlugins(state, assumed, nodeName);
    if (isSuccess(status)) status = await framework.runBindPlugins(state, assumed, nodeName);
    if (!isSuccess(status)) {
      framework.runReservePluginsUnreserve(state, assumed, nodeName);
      this.cache.forgetPod(assumed.key);
      // The room the pod was given is free again: pods waiting for room may fit now.
      this.queue.moveAllToActiveOrBackoff(
        { resource: 'AssignedPod', action: ActionType.Delete, label: 'AssignedPodDelete' },
        assumed.pod,
        undefined,
        (info) => info.podInfo.key !== assumed.key,
      );
      this.#handleFailure(framework, queued, status, undefined, undefined);
      return;
    }
    this.cache.finishBinding(assumed.key);
    this.#eventsFor(framework).event(
      podReference(assumed.pod),
      'Normal',
      'Scheduled',
      `Successfully assigned ${assumed.namespace}/${assumed.name} to ${nodeName}`,
    );
    framework.runPostBindPlugins(state, assumed, nodeName);
    this.#observer.scheduled?.(assumed.pod, nodeName, cycleMs, performance.now() - started);
  }

  /**
   * After a failed attempt: back to the queue (unschedulable until a helpful event, or backoff for an
   * error), a FailedScheduling event, and the pod's PodScheduled condition (and nomination) updated.
   */
  #handleFailure(
    framework: Framework,
    queued: QueuedPodInfo,
    status: Status,
    diagnosis: Diagnosis | undefined,
    nominatedNodeName: string | undefined,
  ): void {
    const key = queued.podInfo.key;
    const current = this.#pods.store.getByName(queued.podInfo.namespace, queued.podInfo.name);
    if (!current || current.spec?.nodeName || current.metadata?.uid !== queued.podInfo.uid) {
      this.queue.done(key);
      return;
    }
    const podInfo = new PodInfo(current, priorityOf(current));
    queued.podInfo = podInfo;
    queued.unschedulablePlugins = diagnosis ? new Set(diagnosis.unschedulablePlugins) : new Set();
    queued.pendingPlugins = diagnosis ? new Set(diagnosis.pendingPlugins) : new Set();
    if (status.isRejected() && status.plugin && !diagnosis) queued.unschedulablePlugins.add(status.plugin);
    this.queue.addUnschedulable(queued);
    if (nominatedNodeName !== undefined) this.nominator.nominate(podInfo, nominatedNodeName);

    const message = status.message;
    this.#observer.failed?.(current, message);
    this.#eventsFor(framework).event(
      podReference(current),
      'Warning',
      'FailedScheduling',
      message.length > MAX_EVENT_MESSAGE ? `${message.slice(0, MAX_EVENT_MESSAGE - 3)}...` : message,
    );
    const reason = status.isRejected() ? 'Unschedulable' : 'SchedulerError';
    void this.#updatePodStatus(current, reason, message, nominatedNodeName);
  }

  /** Writes PodScheduled=False (and the nomination) unless the pod already says exactly that. */
  async #updatePodStatus(
    pod: Pod,
    reason: string,
    message: string,
    nominatedNodeName: string | undefined,
  ): Promise<void> {
    const existing = pod.status?.conditions?.find((condition) => condition.type === 'PodScheduled');
    const conditionChanged =
      existing?.status !== 'False' || existing.reason !== reason || existing.message !== message;
    const currentNomination = pod.status?.nominatedNodeName ?? '';
    const nominationChanged = nominatedNodeName !== undefined && nominatedNodeName !== currentNomination;
    if (!conditionChanged && !nominationChanged) return;
    const condition: PodCondition = {
      type: 'PodScheduled',
      status: 'False',
      reason,
      message,
      lastProbeTime: null,
      lastTransitionTime:
        existing?.status === 'False' && existing.lastTransitionTime
          ? existing.lastTransitionTime
          : formatTime(this.#clock.now()),
    };
    const status: Record<string, unknown> = { conditions: [condition] };
    if (nominationChanged) status.nominatedNodeName = nominatedNodeName || null;
    try {
      await this.#client.patch(
        refFor('Pod', pod.metadata?.namespace),
        pod.metadata?.name ?? '',
        'strategic',
        { status },
        { subresource: 'status' },
      );
    } catch (error) {
      this.#log(
        `could not update the status of ${pod.metadata?.namespace}/${pod.metadata?.name}: ${(error as Error).message}`,
      );
    }
  }

  #eventsFor(framework: Framework): EventSink {
    return this.#events.get(framework.profileName)!;
  }

  #recorderFor(schedulerName: string): EventSink {
    const recorder = new ShardedEventSink({
      client: this.#client,
      component: schedulerName,
      clock: this.#clock,
      onError: (error) => this.#log(`event recorder: ${(error as Error).message ?? error}`),
    });
    this.#recorders.push(recorder);
    return recorder;
  }

  #responsible(pod: Pod): boolean {
    return this.frameworks.has(pod.spec?.schedulerName ?? DEFAULT_SCHEDULER_NAME);
  }

  #podInfo(pod: Pod): PodInfo {
    return new PodInfo(pod, priorityOf(pod));
  }

  #watchPods(): void {
    const assignedEvent = (action: number, label: string): ClusterEvent => ({
      resource: 'AssignedPod',
      action,
      label,
    });
    this.#pods.addEventHandler({
      onAdd: (pod) => {
        if (isTerminal(pod)) return;
        if (pod.spec?.nodeName) {
          this.cache.addPod(this.#podInfo(pod));
          this.queue.moveAllToActiveOrBackoff(
            assignedEvent(ActionType.Add, 'AssignedPodAdd'),
            undefined,
            pod,
          );
          return;
        }
        if (!this.#responsible(pod) || pod.metadata?.deletionTimestamp) return;
        const info = this.#podInfo(pod);
        this.queue.add(info);
        if (pod.status?.nominatedNodeName) this.nominator.nominate(info, undefined);
      },
      onUpdate: (old, pod) => {
        const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
        if (pod.spec?.nodeName) {
          if (isTerminal(pod)) {
            this.cache.removePod(key);
            this.queue.moveAllToActiveOrBackoff(
              assignedEvent(ActionType.Delete, 'AssignedPodDelete'),
              pod,
              undefined,
            );
            return;
          }
          const wasAssigned = Boolean(old.spec?.nodeName) && !isTerminal(old);
          this.cache.addPod(this.#podInfo(pod));
          if (!wasAssigned) {
            this.queue.delete(key);
            this.nominator.remove(key);
            this.queue.moveAllToActiveOrBackoff(
              assignedEvent(ActionType.Add, 'AssignedPodAdd'),
              undefined,
              pod,
            );
          } else if (old !== pod) {
            const action = podChangeActions(old, pod);
            if (action)
              this.queue.moveAllToActiveOrBackoff(assignedEvent(action, 'AssignedPodUpdate'), old, pod);
          }
          return;
        }
        if (!this.#responsible(pod) || isTerminal(pod) || pod.metadata?.deletionTimestamp) {
          this.queue.delete(key);
          this.nominator.remove(key);
          return;
        }
        if (this.cache.isAssumed(key)) return;
        const info = this.#podInfo(pod);
        this.queue.update(old, info);
        if (old.status?.nominatedNodeName && !pod.status?.nominatedNodeName) {
          // Someone cleared the nomination (a higher-priority preemption on that node).
          this.nominator.nominate(info, '');
        } else if (this.nominator.nominatedNodeOf(key) !== undefined || pod.status?.nominatedNodeName) {
          this.nominator.nominate(info, undefined);
        }
      },
      onDelete: (pod) => {
        const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
        const wasInCache = this.cache.hasPod(key);
        this.cache.removePod(key);
        this.queue.delete(key);
        this.nominator.remove(key);
        const waiting = this.#waitingPods.get(pod.metadata?.uid ?? '');
        waiting?.reject('', 'the pod was deleted');
        if (wasInCache || pod.spec?.nodeName) {
          this.queue.moveAllToActiveOrBackoff(
            assignedEvent(ActionType.Delete, 'AssignedPodDelete'),
            pod,
            undefined,
          );
        }
      },
    });
  }

  #watchNodes(nodes: Informer<Node>): void {
    nodes.addEventHandler({
      onAdd: (node) => {
        this.cache.addNode(node);
        this.queue.moveAllToActiveOrBackoff(
          { resource: 'Node', action: ActionType.Add, label: 'NodeAdd' },
          undefined,
          node,
        );
      },
      onUpdate: (old, node) => {
        this.cache.updateNode(node);
        const action = nodeChangeActions(old, node);
        if (action)
          this.queue.moveAllToActiveOrBackoff({ resource: 'Node', action, label: 'NodeUpdate' }, old, node);
      },
      onDelete: (node) => {
        this.cache.removeNode(node.metadata?.name ?? '');
        this.queue.moveAllToActiveOrBackoff(
          { resource: 'Node', action: ActionType.Delete, label: 'NodeDelete' },
          node,
          undefined,
        );
      },
    });
  }

  /** Events for the other kinds plugins registered for (volumes, claims, classes, budgets). */
  #watchOthers(
    informers: InformerFactory,
    registrations: ReadonlyMap<string, readonly ClusterEventWithHint[]>,
  ): void {
    const kinds: Partial<Record<EventResource, string>> = {
      PersistentVolume: 'PersistentVolume',
      PersistentVolumeClaim: 'PersistentVolumeClaim',
      StorageClass: 'StorageClass',
      PodDisruptionBudget: 'PodDisruptionBudget',
    };
    const wanted = new Set<EventResource>();
    for (const events of registrations.values()) for (const { event } of events) wanted.add(event.resource);
    for (const resource of wanted) {
      const kind = kinds[resource];
      if (!kind) continue;
      const informer = informers.informerFor<KubeObject>(refFor(kind));
      const emit = (action: number, old: KubeObject | undefined, current: KubeObject | undefined) =>
        this.queue.moveAllToActiveOrBackoff({ resource, action, label: `${resource}Change` }, old, current);
      informer.addEventHandler({
        onAdd: (object) => emit(ActionType.Add, undefined, object),
        onUpdate: (old, object) => {
          if (old !== object) emit(ActionType.UpdateOther, old, object);
        },
        onDelete: (object) => emit(ActionType.Delete, object, undefined),
      });
    }
  }
}

function isTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Which scheduling-relevant parts of a node changed, as ActionType bits (0: none). */
export function nodeChangeActions(old: Node, node: Node): number {
  let action = 0;
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  if (!same(old.status?.allocatable, node.status?.allocatable)) action |= ActionType.UpdateNodeAllocatable;
  if (!same(old.metadata?.labels, node.metadata?.labels)) action |= ActionType.UpdateNodeLabel;
  if (
    !same(old.spec?.taints, node.spec?.taints) ||
    Boolean(old.spec?.unschedulable) !== Boolean(node.spec?.unschedulable)
  ) {
    action |= ActionType.UpdateNodeTaint;
  }
  // Heartbeat times change every few seconds and mean nothing to scheduling: compare type and status only.
  const conditions = (candidate: Node) =>
    (candidate.status?.conditions ?? [])
      .map((condition) => `${condition.type}=${condition.status}`)
      .join(',');
  if (conditions(old) !== conditions(node)) action |= ActionType.UpdateNodeCondition;
  if (!same(old.metadata?.annotations, node.metadata?.annotations)) action |= ActionType.UpdateNodeAnnotation;
  return action;
}

/** Which scheduling-relevant parts of a bound pod changed, as ActionType bits (0: none). */
export function podChangeActions(old: Pod, pod: Pod): number {
  let action = 0;
  if (JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(pod.metadata?.labels ?? {})) {
    action |= ActionType.UpdatePodLabel;
  }
  const requests = (candidate: Pod) =>
    JSON.stringify((candidate.spec?.containers ?? []).map((c) => c.resources?.requests ?? {}));
  if (requests(old) !== requests(pod)) action |= ActionType.UpdatePodScaleDown;
  return action;
}

function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/**
 * A pod's priority: `spec.priority`, which the Priority admission plugin sets from the pod's
 * PriorityClass (or the global default) when the pod is created — so the scheduler, as upstream's,
 * needs no PriorityClasses of its own (nor the right to read them).
 */
function priorityOf(pod: Pod): number {
  return pod.spec?.priority ?? 0;
}
