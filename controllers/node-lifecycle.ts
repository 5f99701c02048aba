/**
 * The node lifecycle controller, as kube-controller-manager's (pkg/controller/nodelifecycle): it
 * notices nodes that stopped reporting, says so in their status, and taints them so that the scheduler
 * keeps away and the taint-eviction controller (nodelifecycle/taint-eviction.ts) moves their pods.
 *
 * Health. A node proves it is alive by renewing its Lease in `kube-node-lease` (every 10 s) or by a new
 * `lastHeartbeatTime` on its Ready condition. Either moves the node's *probe time* to now — now on this
 * controller's clock, so clock skew between nodes and controller does not matter. When nothing arrives
 * for `nodeMonitorGracePeriod` (40 s; `nodeStartupGracePeriod`, 60 s, before a node's first Ready
 * condition), its Ready, MemoryPressure, DiskPressure and PIDPressure conditions become Unknown
 * (`NodeStatusUnknown`, "Kubelet stopped posting node status."):
 *
 *   12:00:00 lease renewed   probe = 12:00:00, look again at 12:00:40
 *   12:00:40 nothing since   Ready=Unknown, taints unreachable:NoSchedule and unreachable:NoExecute
 *   12:03:10 lease renewed   (the kubelet posts Ready=True) → both taints removed
 *
 * There is no periodic sweep: each reconcile asks to be run again at its node's deadline.
 *
 * Taints (upstream's TaintNodeByCondition and taint-based eviction), one patch per reconcile:
 *   NoSchedule  Ready False → not-ready, Unknown → unreachable; MemoryPressure/DiskPressure/PIDPressure/
 *               NetworkUnavailable True → memory-pressure, …; spec.unschedulable → unschedulable
 *   NoExecute   Ready False → not-ready, Unknown → unreachable (swapped at once when Ready flips
 *               between the two; removed when Ready is True again)
 * A node's first NoExecute taint is rate limited per zone (`topology.kubernetes.io/region` + `zone`), as
 * upstream: 0.1 nodes/s while the zone is healthy, 0.01/s in a partially disrupted large zone (0 in a
 * small one), and none at all while every zone is fully disrupted — then the trouble is more likely the
 * control plane's than the nodes', so NoExecute taints are lifted, and when a node comes back every
 * node's probe time restarts.
 *
 * Pods on a node whose Ready condition is not True get their own Ready condition set False (upstream's
 * MarkPodsNotReady), so Services stop sending them traffic.
 */
import type { KubeObject } from '../api/resource.js';
import { isStatusError } from '../api/status.js';
import type { Clock } from '../client/clock.js';
import { EventRecorder } from '../client/event-recorder.js';
import type { Informer } from '../client/informer.js';
import { refFor } from '../client/refs.js';
import type { KubeClient } from '../client/types.js';
import type { WorkQueue } from '../client/work-queue.js';
import {
  type Controller,
  type ControllerContext,
  type ControllerFactory,
  QueueController,
  type ReconcileResult,
} from './framework.js';
import { PodsByNode } from './nodelifecycle/pods-by-node.js';
import {
  type Lease,
  NODE_LEASE_NAMESPACE,
  type Node,
  type NodeCondition,
  nodeCondition,
  TAINT_NODE_DISK_PRESSURE,
  TAINT_NODE_MEMORY_PRESSURE,
  TAINT_NODE_NETWORK_UNAVAILABLE,
  TAINT_NODE_NOT_READY,
  TAINT_NODE_PID_PRESSURE,
  TAINT_NODE_UNREACHABLE,
  TAINT_NODE_UNSCHEDULABLE,
  type Taint,
} from './nodelifecycle/taints.js';
import { eventKeyOf, formatTime, type Pod, podCondition } from './pods.js';

// ---------------------------------------------------------------------------------------------------
// Defaults, as kube-controller-manager's flags

const NODE_MONITOR_GRACE_PERIOD_MS = 40_000;
const NODE_STARTUP_GRACE_PERIOD_MS = 60_000;
const EVICTION_LIMITER_QPS = 0.1;
const SECONDARY_EVICTION_LIMITER_QPS = 0.01;
const LARGE_CLUSTER_SIZE_THRESHOLD = 50;
const UNHEALTHY_ZONE_THRESHOLD = 0.55;
/** How often a node waiting on a zone that may taint nobody is looked at again (--node-monitor-period). */
const NODE_MONITOR_PERIOD_MS = 5_000;

/** The conditions the controller turns Unknown when the kubelet goes quiet, in upstream's order. */
const MONITORED_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

/** Condition type → status → the NoSchedule taint it brings (upstream's nodeConditionToTaintKeyStatusMap). */
const CONDITION_TAINTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  Ready: { False: TAINT_NODE_NOT_READY, Unknown: TAINT_NODE_UNREACHABLE },
  MemoryPressure: { True: TAINT_NODE_MEMORY_PRESSURE },
  DiskPressure: { True: TAINT_NODE_DISK_PRESSURE },
  NetworkUnavailable: { True: TAINT_NODE_NETWORK_UNAVAILABLE },
  PIDPressure: { True: TAINT_NODE_PID_PRESSURE },
};
/** NoSchedule taints this controller owns: it adds and removes them, and leaves every other taint alone. */
const MANAGED_NO_SCHEDULE = new Set([
  ...Object.values(CONDITION_TAINTS).flatMap((byStatus) => Object.values(byStatus)),
  TAINT_NODE_UNSCHEDULABLE,
]);
const MANAGED_NO_EXECUTE = new Set([TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE]);

type ZoneState = 'Normal' | 'PartialDisruption' | 'FullDisruption';

export interface NodeLifecycleControllerOptions {
  readonly context: ControllerContext;
  /** --node-monitor-grace-period: silence after which a node is Unknown. Default 40 s. */
  readonly nodeMonitorGracePeriodMs?: number;
  /** --node-startup-grace-period: the same before a node's first Ready condition. Default 60 s. */
  readonly nodeStartupGracePeriodMs?: number;
  /** --node-eviction-rate: new NoExecute taints per second in a healthy zone. Default 0.1. */
  readonly evictionLimiterQps?: number;
  /** --secondary-node-eviction-rate: the same in a partially disrupted large zone. Default 0.01. */
  readonly secondaryEvictionLimiterQps?: number;
  /** --large-cluster-size-threshold: a zone larger than this keeps tainting when partially disrupted. Default 50. */
  readonly largeClusterSizeThreshold?: number;
  /** --unhealthy-zone-threshold: the share of not-ready nodes (of more than 2) that disrupts a zone. Default 0.55. */
  readonly unhealthyZoneThreshold?: number;
  readonly workers?: number;
}

/** What the controller remembers of a node between reconciles (upstream's nodeHealthData). */
interface NodeHealth {
  /** When, on this controller's clock, the node last showed a sign of life. */
  probeTimestamp: number;
  /** The Ready condition's lastHeartbeatTime last seen ('' without one). */
  heartbeat: string;
  hasReady: boolean;
  /** The Lease's renewTime last seen. */
  leaseRenewTime: string;
  /** The Ready status last seen, to tell when a node stops being ready. */
  readyStatus: string | undefined;
}

/** A zone's NoExecute tainting budget: a token bucket of one token refilled at `qps`. */
interface ZoneLimiter {
  qps: number;
  nextAllowedAt: number;
}

export class NodeLifecycleController implements Controller {
  readonly name = 'node-lifecycle-controller';
  readonly #client: KubeClient;
  readonly #clock: Clock;
  readonly #gracePeriodMs: number;
  readonly #startupGracePeriodMs: number;
  readonly #evictionQps: number;
  readonly #secondaryEvictionQps: number;
  readonly #largeClusterThreshold: number;
  readonly #unhealthyZoneThreshold: number;
  readonly #nodes: Informer<Node>;
  readonly #leases: Informer<Lease>;
  readonly #podsByNode: PodsByNode;
  readonly #queue: QueueController;
  readonly #events: EventRecorder;
  readonly #health = new Map<string, NodeHealth>();
  readonly #limiters = new Map<string, ZoneLimiter>();
  /** Whether every zone was fully disrupted when last looked at (upstream's "master disruption mode"). */
  #allZonesDisrupted = false;

  constructor(options: NodeLifecycleControllerOptions) {
    const { context } = options;
    this.#client = context.client;
    this.#clock = context.clock;
    this.#gracePeriodMs = positive(options.nodeMonitorGracePeriodMs, NODE_MONITOR_GRACE_PERIOD_MS);
    this.#startupGracePeriodMs = positive(options.nodeStartupGracePeriodMs, NODE_STARTUP_GRACE_PERIOD_MS);
    this.#evictionQps = options.evictionLimiterQps ?? EVICTION_LIMITER_QPS;
    this.#secondaryEvictionQps = options.secondaryEvictionLimiterQps ?? SECONDARY_EVICTION_LIMITER_QPS;
    this.#largeClusterThreshold = options.largeClusterSizeThreshold ?? LARGE_CLUSTER_SIZE_THRESHOLD;
    this.#unhealthyZoneThreshold = options.unhealthyZoneThreshold ?? UNHEALTHY_ZONE_THRESHOLD;
    this.#events = new EventRecorder({
      client: context.client,
      component: 'node-controller',
      clock: context.clock,
      onError: (error, event) => context.onError(this.name, eventKeyOf(event), error),
    });
    this.#queue = new QueueController({
      name: this.name,
      context,
      reconcile: (key) => this.reconcile(key),
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
    });
    this.#nodes = context.informers.informerFor<Node>(refFor('Node'));
    this.#leases = context.informers.informerFor<Lease>(refFor('Lease', NODE_LEASE_NAMESPACE));
    const pods = context.informers.informerFor<Pod>(refFor('Pod'));
    this.#podsByNode = new PodsByNode(pods);
    const enqueueNode = (node: KubeObject) => this.#queue.enqueue(node.metadata?.name ?? '');
    this.#nodes.addEventHandler({
      onAdd: enqueueNode,
      onUpdate: (_old, node) => enqueueNode(node),
      onDelete: enqueueNode,
    });
    this.#leases.addEventHandler({
      // A Lease in the node-lease namespace is named after its node.
      onAdd: enqueueNode,
      onUpdate: (_old, lease) => enqueueNode(lease),
    });
    pods.addEventHandler({
      // A pod landing on a node that is not ready is marked not ready too (upstream's podUpdated).
      onAdd: (pod) => this.#podChanged(pod),
      onUpdate: (_old, pod) => this.#podChanged(pod),
    });
  }

  get queue(): WorkQueue<string> {
    return this.#queue.queue;
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await this.#queue.run(signal);
    } finally {
      await this.#events.stop();
    }
  }

  #podChanged(pod: Pod): void {
    const nodeName = pod.spec?.nodeName;
    if (!nodeName || podCondition(pod, 'Ready')?.status !== 'True') return;
    const node = this.#nodes.store.getByName(undefined, nodeName);
    const ready = node && nodeCondition(node, 'Ready');
    if (ready && ready.status !== 'True') this.#queue.enqueue(nodeName);
  }

  /** One node: its health, its conditions, its taints and its pods' readiness; see the module comment. */
  async reconcile(name: string): Promise<ReconcileResult | undefined> {
    const cached = this.#nodes.store.getByName(undefined, name);
    if (!cached) {
      if (this.#health.delete(name)) {
        this.#events.event(
          nodeReference(name),
          'Normal',
          'RemovingNode',
          `Node ${name} event: Removing Node ${name} from Controller`,
        );
      }
      return undefined;
    }
    const now = this.#clock.now();
    const health = this.#observe(cached, now);
    const gracePeriod = nodeCondition(cached, 'Ready') ? this.#gracePeriodMs : this.#startupGracePeriodMs;
    const deadline = health.probeTimestamp + gracePeriod;

    let node = cached;
    if (now > deadline) {
      const silent = withUnknownConditions(node, now);
      if (silent) node = await this.#client.update<Node>(refFor('Node'), silent, { subresource: 'status' });
    }

    const readyStatus = nodeCondition(node, 'Ready')?.status;
    if (readyStatus !== health.readyStatus) {
      if (health.readyStatus === 'True' && readyStatus !== undefined) {
        this.#events.event(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      }
      health.readyStatus = readyStatus;
      this.#readinessChanged(node, now);
    }

    const retryAfterMs = await this.#syncTaints(node, now);
    if (readyStatus !== undefined && readyStatus !== 'True') await this.#markPodsNotReady(name, now);

    const waits = [now <= deadline ? deadline - now + 1 : undefined, retryAfterMs].filter(
      (wait): wait is number => wait !== undefined,
    );
    return waits.length > 0 ? { requeueAfterMs: Math.min(...waits) } : undefined;
  }

  /** Updates what is known of the node's signs of life; a new one moves its probe time to now. */
  #observe(node: Node, now: number): NodeHealth {
    const name = node.metadata?.name ?? '';
    const ready = nodeCondition(node, 'Ready');
    const heartbeat = ready?.lastHeartbeatTime ?? '';
    const leaseRenewTime = this.#leases.store.getByName(NODE_LEASE_NAMESPACE, name)?.spec?.renewTime ?? '';
    let health = this.#health.get(name);
    if (!health) {
      health = {
        probeTimestamp: now,
        heartbeat,
        hasReady: ready !== undefined,
        leaseRenewTime,
        readyStatus: undefined,
      };
      this.#health.set(name, health);
      this.#events.event(
        nodeReference(name),
        'Normal',
        'RegisteredNode',
        `Node ${name} event: Registered Node ${name} in Controller`,
      );
      return health;
    }
    if (ready && (!health.hasReady || heartbeat !== health.heartbeat)) health.probeTimestamp = now;
    health.heartbeat = heartbeat;
    health.hasReady = ready !== undefined;
    if (leaseRenewTime !== '' && leaseRenewTime !== health.leaseRenewTime) {
      health.leaseRenewTime = leaseRenewTime;
      health.probeTimestamp = now;
    }
    return health;
  }

  /**
   * A node's readiness changed, so the zones' states may have: entering or leaving "every zone is
   * down" touches every node (taints lifted, or probe times restarted so no node is tainted for the
   * time the control plane could not hear it).
   */
  #readinessChanged(node: Node, now: number): void {
    const before = this.#allZonesDisrupted;
    const after = this.#everyZoneFullyDisrupted(node);
    this.#allZonesDisrupted = after;
    if (before === after) return;
    if (before && !after) for (const health of this.#health.values()) health.probeTimestamp = now;
    for (const name of this.#health.keys()) this.#queue.enqueue(name);
  }

  // ---- taints ----

  /** Patches the node's controller-owned taints to what its conditions say; returns when to retry a rate-limited taint. */
  async #syncTaints(node: Node, now: number): Promise<number | undefined> {
    const current = node.spec?.taints ?? [];
    const noSchedule = new Set<string>();
    for (const condition of node.status?.conditions ?? []) {
      const key = CONDITION_TAINTS[condition.type]?.[condition.status];
      if (key) noSchedule.add(key);
    }
    if (node.spec?.unschedulable) noSchedule.add(TAINT_NODE_UNSCHEDULABLE);
    const { key: noExecute, retryAfterMs } = this.#noExecuteTaintFor(node, now);

    const kept = current.filter((taint) => {
      if (taint.effect === 'NoSchedule' && MANAGED_NO_SCHEDULE.has(taint.key))
        return noSchedule.has(taint.key);
      if (taint.effect === 'NoExecute' && MANAGED_NO_EXECUTE.has(taint.key)) return taint.key === noExecute;
      return true;
    });
    const has = (key: string, effect: string) =>
      kept.some((taint) => taint.key === key && taint.effect === effect);
    const timeAdded = formatTime(now);
    const added: Taint[] = [...noSchedule]
      .filter((key) => !has(key, 'NoSchedule'))
      .map((key) => ({ key, effect: 'NoSchedule', timeAdded }));
    if (noExecute && !has(noExecute, 'NoExecute'))
      added.push({ key: noExecute, effect: 'NoExecute', timeAdded });
    if (added.length === 0 && kept.length === current.length) return retryAfterMs;
    const taints = [...kept, ...added];
    // The resourceVersion makes a concurrent `kubectl taint` fail this patch rather than be lost.
    await this.#client.patch(refFor('Node'), node.metadata?.name ?? '', 'merge', {
      metadata: { resourceVersion: node.metadata?.resourceVersion },
      spec: { taints: taints.length > 0 ? taints : null },
    });
    return retryAfterMs;
  }

  /** The NoExecute taint the node should carry now, if any, and when to look again if the zone's budget is spent. */
  #noExecuteTaintFor(node: Node, now: number): { key?: string; retryAfterMs?: number } {
    const status = nodeCondition(node, 'Ready')?.status;
    const wanted =
      status === 'False' ? TAINT_NODE_NOT_READY : status === 'Unknown' ? TAINT_NODE_UNREACHABLE : undefined;
    if (!wanted || this.#allZonesDisrupted) return {};
    // Swapping not-ready for unreachable (or back) is no new eviction: not rate limited.
    const tainted = (node.spec?.taints ?? []).some(
      (taint) => taint.effect === 'NoExecute' && MANAGED_NO_EXECUTE.has(taint.key),
    );
    if (tainted) return { key: wanted };
    const zone = zoneOf(node);
    const qps = this.#zoneQps(zone, node);
    let limiter = this.#limiters.get(zone);
    if (!limiter || limiter.qps !== qps) {
      // A new rate is a new, full bucket (upstream swaps in a new limiter).
      limiter = { qps, nextAllowedAt: 0 };
      this.#limiters.set(zone, limiter);
    }
    if (qps <= 0) return { retryAfterMs: NODE_MONITOR_PERIOD_MS };
    if (now < limiter.nextAllowedAt) return { retryAfterMs: limiter.nextAllowedAt - now };
    limiter.nextAllowedAt = now + 1000 / qps;
    return { key: wanted };
  }

  #zoneQps(zone: string, current: Node): number {
    const { state, size } = this.#zoneStates(current).get(zone) ?? { state: 'Normal' as ZoneState, size: 0 };
    switch (state) {
      case 'Normal':
      case 'FullDisruption':
        return this.#evictionQps;
      case 'PartialDisruption':
        return size > this.#largeClusterThreshold ? this.#secondaryEvictionQps : 0;
    }
  }

  /**
   * Upstream's ComputeZoneState for every zone, from the cached nodes' Ready conditions — and `current`'s
   * own, which the cache may not show yet (this reconcile may just have written it).
   */
  #zoneStates(current: Node): Map<string, { state: ZoneState; size: number }> {
    const counts = new Map<string, { ready: number; notReady: number }>();
    const name = current.metadata?.name;
    const nodes = this.#nodes.store.list().filter((node) => node.metadata?.name !== name);
    for (const node of [...nodes, current]) {
      const zone = zoneOf(node);
      const count = counts.get(zone) ?? { ready: 0, notReady: 0 };
      if (nodeCondition(node, 'Ready')?.status === 'True') count.ready++;
      else count.notReady++;
      counts.set(zone, count);
    }
    const states = new Map<string, { state: ZoneState; size: number }>();
    for (const [zone, { ready, notReady }] of counts) {
      const size = ready + notReady;
      let state: ZoneState = 'Normal';
      if (ready === 0 && notReady > 0) state = 'FullDisruption';
      else if (notReady > 2 && notReady / size >= this.#unhealthyZoneThreshold) state = 'PartialDisruption';
      states.set(zone, { state, size });
    }
    return states;
  }

  #everyZoneFullyDisrupted(current: Node): boolean {
    const states = [...this.#zoneStates(current).values()];
    return states.length > 0 && states.every((zone) => zone.state === 'FullDisruption');
  }

  // ---- pods ----

  /** Sets Ready=False on the node's pods that still say True (upstream's MarkPodsNotReady). */
  async #markPodsNotReady(nodeName: string, now: number): Promise<void> {
    const errors: unknown[] = [];
    for (const pod of this.#podsByNode.podsOn(nodeName)) {
      const ready = podCondition(pod, 'Ready');
      if (!ready || ready.status === 'False') continue;
      const updated = structuredClone(pod) as Pod;
      updated.status!.conditions = updated.status!.conditions!.map((condition) =>
        condition.type === 'Ready'
          ? { ...condition, status: 'False', lastTransitionTime: formatTime(now) }
          : condition,
      );
      try {
        await this.#client.update(refFor('Pod', pod.metadata?.namespace), updated, { subresource: 'status' });
        this.#events.event(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
      } catch (error) {
        // Gone already: nothing to mark.
        if (!isStatusError(error, 'NotFound')) errors.push(error);
      }
    }
    if (errors.length > 0) throw errors[0];
  }
}

/**
 * The node with Ready, MemoryPressure, DiskPressure and PIDPressure Unknown (upstream's words), or
 * undefined when they already are.
 */
function withUnknownConditions(node: Node, now: number): Node | undefined {
  const conditions: NodeCondition[] = (node.status?.conditions ?? []).map((condition) => ({ ...condition }));
  const at = formatTime(now);
  let changed = false;
  for (const type of MONITORED_CONDITIONS) {
    const condition = conditions.find((candidate) => candidate.type === type);
    if (!condition) {
      conditions.push({
        type,
        status: 'Unknown',
        lastHeartbeatTime: node.metadata?.creationTimestamp ?? null,
        lastTransitionTime: at,
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
      });
      changed = true;
    } else if (condition.status !== 'Unknown') {
      condition.status = 'Unknown';
      condition.reason = 'NodeStatusUnknown';
      condition.message = 'Kubelet stopped posting node status.';
      condition.lastTransitionTime = at;
      changed = true;
    }
  }
  if (!changed) return undefined;
  const copy = structuredClone(node) as Node;
  copy.status = { ...copy.status, conditions };
  return copy;
}

/** Upstream's GetZoneKey: region and zone labels joined by ":\0:" ('' for a node with neither). */
function zoneOf(node: Node): string {
  const labels = node.metadata?.labels ?? {};
  const region =
    labels['topology.kubernetes.io/region'] ?? labels['failure-domain.beta.kubernetes.io/region'] ?? '';
  const zone =
    labels['topology.kubernetes.io/zone'] ?? labels['failure-domain.beta.kubernetes.io/zone'] ?? '';
  return region === '' && zone === '' ? '' : `${region}:\x00:${zone}`;
}

/** Node events name the node as upstream does (a reference, with the name as its uid). */
function nodeReference(name: string) {
  return { apiVersion: 'v1', kind: 'Node', name, uid: name };
}

function positive(value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(value > 0)) throw new TypeError(`a grace period must be positive, not ${value}`);
  return value;
}

/** kube-controller-manager's node-lifecycle-controller, with its default periods. */
export const nodeLifecycleController: ControllerFactory = (context) =>
  new NodeLifecycleController({ context });
