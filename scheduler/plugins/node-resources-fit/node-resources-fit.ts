/**
 * NodeResourcesFit (PreFilter, Filter, PreScore, Score): a node fits when what its pods request plus
 * what this pod requests stays within its allocatable, for every resource the pod asks for, and it has
 * room for one more pod. Every shortfall is a reason:
 *
 *   node allocatable cpu 2, pods on it request 1.5, pod requests 1  → "Insufficient cpu" (Unschedulable:
 *                                                                    evicting pods could make room)
 *   pod requests cpu 4 on a node with 2 in all                      → "Insufficient cpu" (Unresolvable)
 *
 * It scores with one of the strategies in scoring.ts (default LeastAllocated over cpu and memory, weight
 * 1 each).
 *
 * Args (pluginConfig): `ignoredResources` (extended resources not to check), `ignoredResourceGroups`
 * (their prefixes, `example.com`), `scoringStrategy: {type, resources, requestedToCapacityRatio: {shape}}`.
 */
import { SchedulerError } from '../../errors.js';
import type { CycleState } from '../../framework/cycle-state.js';
import {
  ActionType,
  type EnqueueExtensions,
  type FilterPlugin,
  type FrameworkHandle,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
} from '../../framework/interfaces.js';
import { NodeInfo } from '../../framework/node-info.js';
import { PodInfo } from '../../framework/pod-info.js';
import { isExtendedResourceName, type Resource } from '../../framework/resources.js';
import { type Result, Status } from '../../framework/status.js';
import type { Node, Pod } from '../../types.js';
import {
  leastAllocatedScorer,
  mostAllocatedScorer,
  type ResourceSpec,
  readResource,
  requestedToCapacityRatioScorer,
  type Scorer,
  type UtilizationShapePoint,
} from './scoring.js';

export const NODE_RESOURCES_FIT = 'NodeResourcesFit';

export interface NodeResourcesFitArgs {
  readonly ignoredResources?: readonly string[];
  readonly ignoredResourceGroups?: readonly string[];
  readonly scoringStrategy?: {
    readonly type?: 'LeastAllocated' | 'MostAllocated' | 'RequestedToCapacityRatio';
    readonly resources?: readonly ResourceSpec[];
    readonly requestedToCapacityRatio?: { readonly shape?: readonly UtilizationShapePoint[] };
  };
}

export const DEFAULT_SCORED_RESOURCES: readonly ResourceSpec[] = [
  { name: 'cpu', weight: 1 },
  { name: 'memory', weight: 1 },
];

/** One resource a pod is short of on a node. */
export interface InsufficientResource {
  readonly resourceName: string;
  readonly reason: string;
  /** The pod asks for more than the node has at all: no eviction could make room. */
  readonly unresolvable: boolean;
}

const STATE_KEY = `PreFilter${NODE_RESOURCES_FIT}`;
const PRE_SCORE_KEY = `PreScore${NODE_RESOURCES_FIT}`;

export function nodeResourcesFit(rawArgs: unknown, _handle: FrameworkHandle) {
  const args = (rawArgs ?? {}) as NodeResourcesFitArgs;
  const ignored = new Set(args.ignoredResources ?? []);
  const ignoredGroups = new Set(args.ignoredResourceGroups ?? []);
  const strategy = args.scoringStrategy ?? {};
  const resources = strategy.resources?.length ? strategy.resources : DEFAULT_SCORED_RESOURCES;
  const scorer = makeScorer(
    strategy.type ?? 'LeastAllocated',
    resources,
    strategy.requestedToCapacityRatio?.shape,
  );
  const requested = new Array<number>(resources.length).fill(0);
  const allocatable = new Array<number>(resources.length).fill(0);

  return {
    name: NODE_RESOURCES_FIT,
    preFilter(state: CycleState, pod: PodInfo): Result {
      state.write(STATE_KEY, pod.requests);
      return undefined;
    },
    filter(state, pod, node) {
      const request = state.read<Resource>(STATE_KEY) ?? pod.requests;
      if (fitsQuickly(request, node)) return undefined;
      const insufficient = fitsRequest(request, node, ignored, ignoredGroups);
      if (insufficient.length === 0) return undefined;
      const unresolvable = insufficient.some((shortfall) => shortfall.unresolvable);
      return new Status(
        unresolvable ? 'UnschedulableAndUnresolvable' : 'Unschedulable',
        insufficient.map((shortfall) => shortfall.reason),
      );
    },
    preScore(state, pod) {
      // What the pod adds of each scored resource, worked out once for every node.
      state.write(
        PRE_SCORE_KEY,
        resources.map(({ name }) =>
          name === 'cpu'
            ? pod.nonZeroMilliCPU
            : name === 'memory'
              ? pod.nonZeroMemory
              : pod.requests.get(name),
        ),
      );
      return undefined;
    },
    score(state, _pod, node) {
      const podRequests = state.read<number[]>(PRE_SCORE_KEY)!;
      for (let index = 0; index < resources.length; index++) {
        readResource(node, resources[index]!.name, podRequests[index]!, false, allocatable, requested, index);
      }
      return scorer(requested, allocatable);
    },
    eventsToRegister: () => [
      {
        event: { resource: 'Pod', action: ActionType.Delete | ActionType.UpdatePodScaleDown },
        // Only a pod that ran somewhere frees anything.
        hint: (_pod, old) => ((old as Pod | undefined)?.spec?.nodeName ? 'Queue' : 'Skip'),
      },
      {
        event: {
          resource: 'Node',
          action:
            ActionType.Add |
            ActionType.UpdateNodeAllocatable |
            ActionType.UpdateNodeTaint |
            ActionType.UpdateNodeLabel,
        },
        hint: (pod, _old, node) => {
          if (!node) return 'Queue';
          const empty = new NodeInfo((node as Node).metadata?.name ?? '', node as Node);
          return fitsRequest(new PodInfo(pod).requests, empty, ignored, ignoredGroups).length === 0
            ? 'Queue'
            : 'Skip';
        },
      },
    ],
  } satisfies PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin & EnqueueExtensions;
}

function makeScorer(
  type: string,
  resources: readonly ResourceSpec[],
  shape: readonly UtilizationShapePoint[] | undefined,
): Scorer {
  switch (type) {
    case 'LeastAllocated':
      return leastAllocatedScorer(resources);
    case 'MostAllocated':
      return mostAllocatedScorer(resources);
    case 'RequestedToCapacityRatio':
      if (!shape || shape.length === 0) {
        throw new SchedulerError(
          'SKIFF_ERR_PLUGIN_ARGS',
          'NodeResourcesFit: scoringStrategy.requestedToCapacityRatio.shape: Required value: at least one point must be specified',
        );
      }
      return requestedToCapacityRatioScorer(resources, shape);
    default:
      throw new SchedulerError(
        'SKIFF_ERR_PLUGIN_ARGS',
        `NodeResourcesFit: scoringStrategy.type: Unsupported value: ${JSON.stringify(type)}: supported values: "LeastAllocated", "MostAllocated", "RequestedToCapacityRatio"`,
      );
  }
}

/**
 * The common case, without allocating: a pod asking only for CPU, memory and ephemeral storage that
 * fits. False means "look closer" (fitsRequest), not necessarily "does not fit".
 */
function fitsQuickly(request: Resource, node: NodeInfo): boolean {
  const { allocatable, requested } = node;
  return (
    request.scalar === undefined &&
    node.pods.length < allocatable.allowedPodNumber &&
    request.milliCPU <= allocatable.milliCPU - requested.milliCPU &&
    request.memory <= allocatable.memory - requested.memory &&
    request.ephemeralStorage <= allocatable.ephemeralStorage - requested.ephemeralStorage
  );
}

/** What the pod is short of on the node (upstream's fitsRequest); empty when it fits. */
export function fitsRequest(
  request: Resource,
  node: NodeInfo,
  ignored: ReadonlySet<string> = new Set(),
  ignoredGroups: ReadonlySet<string> = new Set(),
): InsufficientResource[] {
  const insufficient: InsufficientResource[] = [];
  const { allocatable, requested } = node;
  if (node.pods.length + 1 > allocatable.allowedPodNumber) {
    insufficient.push({ resourceName: 'pods', reason: 'Too many pods', unresolvable: false });
  }
  if (request.isZero()) return insufficient;
  if (request.milliCPU > 0 && request.milliCPU > allocatable.milliCPU - requested.milliCPU) {
    insufficient.push({
      resourceName: 'cpu',
      reason: 'Insufficient cpu',
      unresolvable: request.milliCPU > allocatable.milliCPU,
    });
  }
  if (request.memory > 0 && request.memory > allocatable.memory - requested.memory) {
    insufficient.push({
      resourceName: 'memory',
      reason: 'Insufficient memory',
      unresolvable: request.memory > allocatable.memory,
    });
  }
  if (
    request.ephemeralStorage > 0 &&
    request.ephemeralStorage > allocatable.ephemeralStorage - requested.ephemeralStorage
  ) {
    insufficient.push({
      resourceName: 'ephemeral-storage',
      reason: 'Insufficient ephemeral-storage',
      unresolvable: request.ephemeralStorage > allocatable.ephemeralStorage,
    });
  }
  if (request.scalar) {
    for (const [name, amount] of request.scalar) {
      if (amount === 0) continue;
      if (
        isExtendedResourceName(name) &&
        (ignored.has(name) || ignoredGroups.has(name.split('/')[0] ?? ''))
      ) {
        continue;
      }
      const capacity = allocatable.scalar?.get(name) ?? 0;
      if (amount > capacity - (requested.scalar?.get(name) ?? 0)) {
        insufficient.push({
          resourceName: name,
          reason: `Insufficient ${name}`,
          unresolvable: amount > capacity,
        });
      }
    }
  }
  return insufficient;
}
