/**
 * Builders for the scheduler's tests: nodes and pods with only the fields a case cares about, and a
 * FrameworkHandle over a real cache (and a MemoryClient) so plugins run exactly as in the scheduler.
 *
 *   const { handle, cache } = testHandle({ nodes: [node('n1', { cpu: '2' })], pods: [pod('p', { node: 'n1' })] });
 *   const plugin = nodeResourcesFit(undefined, handle);
 */
import type { KubeObject } from '../../api/resource.js';
import type { Taint, Toleration } from '../../api/scheduling/types.js';
import { InformerFactory } from '../../client/informer-factory.js';
import { MemoryClient } from '../../client/testing/memory-client.js';
import { SchedulerCache } from '../cache/cache.js';
import { CycleState } from '../framework/cycle-state.js';
import type { EventSink, FrameworkHandle } from '../framework/interfaces.js';
import type { NodeInfo } from '../framework/node-info.js';
import { PodInfo } from '../framework/pod-info.js';
import { isSuccess, type Result, Status } from '../framework/status.js';
import { Nominator } from '../queue/nominator.js';
import type { Affinity, Container, Node, Pod, TopologySpreadConstraint, Volume } from '../types.js';

export interface NodeOptions {
  readonly cpu?: string;
  readonly memory?: string;
  readonly pods?: string;
  readonly labels?: Record<string, string>;
  readonly taints?: Taint[];
  readonly unschedulable?: boolean;
  readonly extended?: Record<string, string>;
}

export function node(name: string, options: NodeOptions = {}): Node {
  const allocatable = {
    cpu: options.cpu ?? '4',
    memory: options.memory ?? '8Gi',
    pods: options.pods ?? '110',
    ...(options.extended ?? {}),
  };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      uid: `uid-${name}`,
      labels: { 'kubernetes.io/hostname': name, ...(options.labels ?? {}) },
    },
    spec: {
      ...(options.taints ? { taints: options.taints } : {}),
      ...(options.unschedulable ? { unschedulable: true } : {}),
    },
    status: { allocatable, capacity: allocatable, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

export interface PodOptions {
  readonly namespace?: string;
  /** Bound to this node. */
  readonly node?: string;
  readonly cpu?: string;
  readonly memory?: string;
  readonly labels?: Record<string, string>;
  readonly priority?: number;
  readonly tolerations?: Toleration[];
  readonly nodeSelector?: Record<string, string>;
  readonly affinity?: Affinity;
  readonly spread?: TopologySpreadConstraint[];
  readonly hostPorts?: number[];
  readonly volumes?: Volume[];
  readonly containers?: Container[];
  readonly schedulerName?: string;
  readonly nominatedNodeName?: string;
  readonly startTime?: string;
  readonly preemptionPolicy?: string;
}

export function pod(name: string, options: PodOptions = {}): Pod {
  const requests: Record<string, string> = {};
  if (options.cpu) requests.cpu = options.cpu;
  if (options.memory) requests.memory = options.memory;
  const containers: Container[] = options.containers ?? [
    {
      name: 'main',
      image: 'example:1',
      ...(Object.keys(requests).length > 0 ? { resources: { requests } } : {}),
      ...(options.hostPorts
        ? { ports: options.hostPorts.map((port) => ({ containerPort: port, hostPort: port })) }
        : {}),
    },
  ];
  const namespace = options.namespace ?? 'default';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, uid: `uid-${namespace}-${name}`, labels: options.labels ?? {} },
    spec: {
      containers,
      schedulerName: options.schedulerName ?? 'default-scheduler',
      priority: options.priority ?? 0,
      ...(options.node ? { nodeName: options.node } : {}),
      ...(options.tolerations ? { tolerations: options.tolerations } : {}),
      ...(options.nodeSelector ? { nodeSelector: options.nodeSelector } : {}),
      ...(options.affinity ? { affinity: options.affinity } : {}),
      ...(options.spread ? { topologySpreadConstraints: options.spread } : {}),
      ...(options.volumes ? { volumes: options.volumes } : {}),
      ...(options.preemptionPolicy ? { preemptionPolicy: options.preemptionPolicy } : {}),
    },
    status: {
      phase: options.node ? 'Running' : 'Pending',
      ...(options.nominatedNodeName ? { nominatedNodeName: options.nominatedNodeName } : {}),
      ...(options.startTime ? { startTime: options.startTime } : {}),
    },
  };
}

export interface RecordedEvent {
  readonly object: string;
  readonly type: string;
  readonly reason: string;
  readonly message: string;
}

export interface TestHandle {
  readonly handle: FrameworkHandle;
  readonly cache: SchedulerCache;
  readonly client: MemoryClient;
  readonly informers: InformerFactory;
  readonly nominator: Nominator;
  readonly events: RecordedEvent[];
}

/** A handle over a cache holding `nodes` and the bound `pods`; `objects` go into the MemoryClient. */
export function testHandle(setup: { nodes?: Node[]; pods?: Pod[]; objects?: KubeObject[] } = {}): TestHandle {
  const client = new MemoryClient();
  const informers = new InformerFactory({ client });
  const cache = new SchedulerCache();
  const nominator = new Nominator();
  for (const item of setup.nodes ?? []) cache.addNode(item);
  for (const item of setup.pods ?? []) cache.addPod(new PodInfo(item));
  const events: RecordedEvent[] = [];
  const sink: EventSink = {
    event(object, type, reason, message) {
      events.push({
        object: `${object.metadata?.namespace}/${object.metadata?.name}`,
        type,
        reason,
        message,
      });
    },
  };
  const handle: FrameworkHandle = {
    profileName: 'default-scheduler',
    snapshot: cache,
    client,
    informers,
    clock: { now: () => Date.UTC(2025, 0, 1), setTimer: () => () => {} },
    events: sink,
    nominator,
    runFilterPluginsWithNominatedPods: () => undefined,
    runPreFilterExtensionAddPod: () => undefined,
    runPreFilterExtensionRemovePod: () => undefined,
    getWaitingPod: () => undefined,
    log: () => {},
  };
  return { handle, cache, client, informers, nominator, events };
}

/** A plugin with PreFilter and/or Filter, as the framework runs them for one pod and one node. */
export interface FilterLike {
  preFilter?(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): unknown;
  filter?(state: CycleState, pod: PodInfo, node: NodeInfo): Result;
}

/**
 * Runs PreFilter then Filter and describes the outcome as a test reads it: 'ok', 'skip' (PreFilter
 * skipped the plugin), or `<code>: <reasons>`.
 */
export function runFilter(plugin: FilterLike, cache: SchedulerCache, target: Pod, nodeName: string): string {
  const state = new CycleState();
  const info = new PodInfo(target);
  const pre = plugin.preFilter?.(state, info, cache.list());
  if (pre instanceof Status) {
    if (pre.code === 'Skip') return 'skip';
    if (!isSuccess(pre)) return describe(pre);
  }
  const status = plugin.filter?.(state, info, cache.get(nodeName)!);
  return describe(status);
}

export function describe(status: Result): string {
  if (isSuccess(status)) return 'ok';
  return `${status.code}: ${status.message}`;
}

/** Score then NormalizeScore over the cache's nodes (in `nodeNames` order); the normalized scores. */
export interface ScoreLike {
  preScore?(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Result;
  score(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  normalizeScore?(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], scores: Float64Array): Result;
}

export function runScore(
  plugin: ScoreLike,
  cache: SchedulerCache,
  target: Pod,
  nodeNames: string[],
): number[] | 'skip' {
  const state = new CycleState();
  const info = new PodInfo(target);
  const nodes = nodeNames.map((name) => cache.get(name)!);
  const pre = plugin.preScore?.(state, info, nodes);
  if (pre?.code === 'Skip') return 'skip';
  const scores = new Float64Array(nodes.map((item) => plugin.score(state, info, item)));
  plugin.normalizeScore?.(state, info, nodes, scores);
  return [...scores];
}
