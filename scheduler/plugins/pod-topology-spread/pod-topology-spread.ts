/**
 * PodTopologySpread (PreFilter, Filter, PreScore, Score): spreads matching pods evenly over topology
 * domains (zones, hosts). For a constraint, the skew of placing the pod in a domain is
 *
 *   (matching pods in that domain) + (1 if the pod matches itself) − (fewest matching pods in any domain)
 *
 * With `whenUnsatisfiable: DoNotSchedule` a node whose domain would exceed `maxSkew` is filtered out
 * ("node(s) didn't match pod topology spread constraints"; a node without the topology label at all:
 * "… (missing required label)"). With fewer domains than `minDomains`, the fewest counts as 0, so pods
 * spill into new domains. `ScheduleAnyway` constraints — and the profile's default constraints for pods
 * without their own — only score: fewer matching pods in the node's domain scores higher.
 *
 *   zones a: 2 pods, b: 1, c: 1; maxSkew 1 → a would make 3 − 1 = 2 > 1: only b and c fit
 *
 * Which nodes count as domains follows the constraint's node inclusion policies (the pod's node
 * affinity is honored by default, taints ignored). PreFilter counts every node's matching pods once;
 * Filter then reads a count and the tracked minimum ("critical paths": the two smallest domains).
 *
 * Args: `defaultConstraints`, `defaultingType: System | List` (System: kube-scheduler's built-ins).
 */
import type { LabelSelector } from '../../../api/labels.js';
import { labelSelectorAsSelector, type Selector } from '../../../api/labels.js';
import type { KubeObject } from '../../../api/resource.js';
import {
  type RequiredNodeAffinity,
  requiredNodeAffinity,
} from '../../../api/scheduling/required-node-affinity.js';
import type { Informer } from '../../../client/informer.js';
import { refFor } from '../../../client/refs.js';
import type { CycleState, StateData } from '../../framework/cycle-state.js';
import {
  ActionType,
  type EnqueueExtensions,
  type FilterPlugin,
  type FrameworkHandle,
  MAX_NODE_SCORE,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
} from '../../framework/interfaces.js';
import { AggregateCache, NodeAggregate, selectorKey } from '../../framework/node-aggregate.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { type Result, skip, unresolvable, unschedulable } from '../../framework/status.js';
import { LABEL_HOSTNAME, type Pod, type TopologySpreadConstraint } from '../../types.js';
import {
  type Constraint,
  countMatchingPods,
  defaultConstraints,
  hasAllTopologyKeys,
  includesNode,
  ownConstraints,
  podCounts,
  SYSTEM_DEFAULT_CONSTRAINTS,
} from './constraints.js';

export const POD_TOPOLOGY_SPREAD = 'PodTopologySpread';
export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;

export interface PodTopologySpreadArgs {
  readonly defaultConstraints?: readonly TopologySpreadConstraint[];
  readonly defaultingType?: 'System' | 'List';
}

const PRE_FILTER_KEY = `PreFilter${POD_TOPOLOGY_SPREAD}`;
const PRE_SCORE_KEY = `PreScore${POD_TOPOLOGY_SPREAD}`;

/** The two domains with the fewest matching pods (upstream's criticalPaths). */
class CriticalPaths {
  first = { value: '', count: Number.MAX_SAFE_INTEGER };
  second = { value: '', count: Number.MAX_SAFE_INTEGER };

  update(value: string, count: number): void {
    if (value === this.first.value || value === this.second.value) {
      const entry = value === this.first.value ? this.first : this.second;
      entry.count = count;
      if (this.first.count > this.second.count) [this.first, this.second] = [this.second, this.first];
    } else if (count < this.first.count) {
      this.second = this.first;
      this.first = { value, count };
    } else if (count < this.second.count) {
      this.second = { value, count };
    }
  }

  clone(): CriticalPaths {
    const copy = new CriticalPaths();
    copy.first = { ...this.first };
    copy.second = { ...this.second };
    return copy;
  }
}

class FilterState implements StateData {
  constructor(
    readonly constraints: readonly Constraint[],
    /** Per constraint: matching pods per domain value. */
    readonly counts: Map<string, number>[],
    readonly paths: CriticalPaths[],
  ) {}

  clone(): FilterState {
    return new FilterState(
      this.constraints,
      this.counts.map((counts) => new Map(counts)),
      this.paths.map((paths) => paths.clone()),
    );
  }

  /** The fewest matching pods in any domain (0 while there are fewer domains than minDomains). */
  minimum(index: number): number {
    const constraint = this.constraints[index]!;
    if (this.counts[index]!.size < constraint.minDomains) return 0;
    return this.paths[index]!.first.count;
  }
}

interface ScoreState {
  readonly constraints: readonly Constraint[];
  /** Per constraint: matching pods per domain value (not kept for hostname: counted per node). */
  readonly counts: Map<string, number>[];
  readonly weights: number[];
  readonly ignored: Set<string>;
}

/**
 * Pods matching one constraint per domain, over every node that counts as a domain for it (it has the
 * required topology labels and passes the inclusion policies); a domain whose nodes hold no matching
 * pod is present with 0. Maintained incrementally between cycles.
 */
class DomainCounts {
  readonly counts = new Map<string, number>();
  /** Nodes per domain, so a domain disappears with its last node. */
  readonly #nodes = new Map<string, number>();
  readonly #aggregate: NodeAggregate<{ value: string; count: number }>;

  constructor(
    constraint: Constraint,
    pod: Pod,
    namespace: string,
    requiredKeys: readonly string[],
    affinity: RequiredNodeAffinity,
  ) {
    this.#aggregate = new NodeAggregate({
      compute: (node) => {
        if (!node.node) return undefined;
        const labels = node.labels;
        for (const key of requiredKeys) if (labels[key] === undefined) return undefined;
        const value = labels[constraint.topologyKey];
        if (value === undefined || !includesNode(constraint, pod, node.node, affinity)) return undefined;
        return { value, count: countMatchingPods(node, constraint.selector, namespace) };
      },
      add: ({ value, count }) => {
        this.counts.set(value, (this.counts.get(value) ?? 0) + count);
        this.#nodes.set(value, (this.#nodes.get(value) ?? 0) + 1);
      },
      remove: ({ value, count }) => {
        const nodes = (this.#nodes.get(value) ?? 1) - 1;
        if (nodes === 0) {
          this.#nodes.delete(value);
          this.counts.delete(value);
          return;
        }
        this.#nodes.set(value, nodes);
        this.counts.set(value, (this.counts.get(value) ?? 0) - count);
      },
      reset: () => {
        this.counts.clear();
        this.#nodes.clear();
      },
    });
  }

  sync(nodes: readonly NodeInfo[]): void {
    this.#aggregate.sync(nodes);
  }
}

export function podTopologySpread(rawArgs: unknown, handle: FrameworkHandle) {
  const args = (rawArgs ?? {}) as PodTopologySpreadArgs;
  const systemDefaulted = (args.defaultingType ?? 'System') === 'System';
  const defaults = systemDefaulted ? SYSTEM_DEFAULT_CONSTRAINTS : (args.defaultConstraints ?? []);
  const siblings = defaults.length > 0 ? siblingSelector(handle) : () => undefined;

  const constraintsFor = (pod: Pod, whenUnsatisfiable: string): Constraint[] => {
    if ((pod.spec?.topologySpreadConstraints ?? []).length > 0) return ownConstraints(pod, whenUnsatisfiable);
    if (!defaults.some((constraint) => constraint.whenUnsatisfiable === whenUnsatisfiable)) return [];
    return defaultConstraints(defaults, whenUnsatisfiable, siblings(pod));
  };
  const aggregates = new AggregateCache<DomainCounts>();
  /** Matching pods per domain over every node, kept up to date between cycles (see node-aggregate.ts). */
  const domainCounts = (constraint: Constraint, pod: PodInfo, requiredKeys: readonly string[]) => {
    const affinity = requiredNodeAffinity(pod.pod.spec);
    const signature = [
      pod.namespace,
      selectorKey(constraint.selector),
      constraint.topologyKey,
      requiredKeys.join(','),
      constraint.honorNodeAffinity
        ? JSON.stringify([
            pod.pod.spec?.nodeSelector ?? null,
            pod.pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? null,
          ])
        : '',
      constraint.honorNodeTaints ? JSON.stringify(pod.pod.spec?.tolerations ?? []) : '',
    ].join('\u0000');
    const domains = aggregates.get(
      signature,
      () => new DomainCounts(constraint, pod.pod, pod.namespace, requiredKeys, affinity),
    );
    domains.sync(handle.snapshot.list());
    return domains.counts;
  };

  return {
    name: POD_TOPOLOGY_SPREAD,
    preFilter(state: CycleState, pod: PodInfo): Result {
      const constraints = constraintsFor(pod.pod, 'DoNotSchedule');
      if (constraints.length === 0) return skip();
      const requiredKeys = constraints.map((constraint) => constraint.topologyKey);
      const counts = constraints.map((constraint) => domainCounts(constraint, pod, requiredKeys));
      const paths = counts.map((domain) => {
        const critical = new CriticalPaths();
        for (const [value, count] of domain) critical.update(value, count);
        return critical;
      });
      state.write(PRE_FILTER_KEY, new FilterState(constraints, counts, paths));
      return undefined;
    },
    addPod(state, pod, podToAdd, node) {
      update(state, pod, podToAdd, node, 1);
      return undefined;
    },
    removePod(state, pod, podToRemove, node) {
      update(state, pod, podToRemove, node, -1);
      return undefined;
    },
    filter(state, pod, node) {
      const filterState = state.read<FilterState>(PRE_FILTER_KEY);
      if (!filterState) return undefined;
      const labels = node.labels;
      for (let index = 0; index < filterState.constraints.length; index++) {
        const constraint = filterState.constraints[index]!;
        const value = labels[constraint.topologyKey];
        if (value === undefined) return unresolvable(ERR_REASON_NODE_LABEL_NOT_MATCH);
        const self = constraint.selector.matches(pod.labels) ? 1 : 0;
        const skew = (filterState.counts[index]!.get(value) ?? 0) + self - filterState.minimum(index);
        if (skew > constraint.maxSkew) return unschedulable(ERR_REASON_CONSTRAINTS_NOT_MATCH);
      }
      return undefined;
    },
    preScore(state, pod, nodes) {
      const allNodes = handle.snapshot.list();
      if (nodes.length === 0 || allNodes.length === 0) return skip();
      const constraints = constraintsFor(pod.pod, 'ScheduleAnyway');
      if (constraints.length === 0) return skip();
      // Nodes without every topology label are left out — except under the system defaults, so that
      // nodes without a zone label still spread by hostname.
      const requireAll = (pod.pod.spec?.topologySpreadConstraints ?? []).length > 0 || !systemDefaulted;
      const ignored = new Set<string>();
      const domains = constraints.map(() => new Set<string>());
      for (const node of nodes) {
        if (requireAll && !hasAllTopologyKeys(node.labels, constraints)) {
          ignored.add(node.name);
          continue;
        }
        constraints.forEach((constraint, index) => {
          const value = node.labels[constraint.topologyKey];
          if (value !== undefined) domains[index]!.add(value);
        });
      }
      const weights = constraints.map((constraint, index) =>
        Math.log(
          (constraint.topologyKey === LABEL_HOSTNAME ? nodes.length - ignored.size : domains[index]!.size) +
            2,
        ),
      );
      const requiredKeys = requireAll ? constraints.map((constraint) => constraint.topologyKey) : [];
      // Hostname domains are counted per node in Score; the others over every node, from the index.
      const counts = constraints.map((constraint) =>
        constraint.topologyKey === LABEL_HOSTNAME
          ? new Map<string, number>()
          : domainCounts(constraint, pod, requiredKeys),
      );
      state.write(PRE_SCORE_KEY, { constraints, counts, weights, ignored } satisfies ScoreState);
      return undefined;
    },
    score(state, pod, node) {
      const scoreState = state.read<ScoreState>(PRE_SCORE_KEY);
      if (!scoreState || scoreState.ignored.has(node.name)) return 0;
      let score = 0;
      scoreState.constraints.forEach((constraint, index) => {
        const value = node.labels[constraint.topologyKey];
        if (value === undefined) return;
        const count =
          constraint.topologyKey === LABEL_HOSTNAME
            ? countMatchingPods(node, constraint.selector, pod.namespace)
            : (scoreState.counts[index]!.get(value) ?? 0);
        score += count * scoreState.weights[index]! + (constraint.maxSkew - 1);
      });
      return Math.round(score);
    },
    normalizeScore(state, _pod, nodes, scores) {
      const scoreState = state.read<ScoreState>(PRE_SCORE_KEY);
      if (!scoreState) return undefined;
      let lowest = Number.MAX_SAFE_INTEGER;
      let highest = 0;
      nodes.forEach((node, index) => {
        if (scoreState.ignored.has(node.name)) return;
        lowest = Math.min(lowest, scores[index]!);
        highest = Math.max(highest, scores[index]!);
      });
      nodes.forEach((node, index) => {
        if (scoreState.ignored.has(node.name)) scores[index] = 0;
        else if (highest === 0) scores[index] = MAX_NODE_SCORE;
        else scores[index] = Math.trunc((MAX_NODE_SCORE * (highest + lowest - scores[index]!)) / highest);
      });
      return undefined;
    },
    eventsToRegister: () => [
      {
        event: { resource: 'Pod', action: ActionType.Add | ActionType.UpdatePodLabel | ActionType.Delete },
        hint: (_pod, old, updated) =>
          ((updated ?? old) as Pod | undefined)?.spec?.nodeName ? 'Queue' : 'Skip',
      },
      {
        event: {
          resource: 'Node',
          action:
            ActionType.Add | ActionType.Delete | ActionType.UpdateNodeLabel | ActionType.UpdateNodeTaint,
        },
      },
    ],
  } satisfies PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin & EnqueueExtensions;
}

/** Preemption and nominated pods: count `other` in or out of its node's domains. */
function update(state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo, amount: number): void {
  const filterState = state.read<FilterState>(PRE_FILTER_KEY);
  if (!filterState || other.namespace !== pod.namespace || !node.node) return;
  if (!hasAllTopologyKeys(node.labels, filterState.constraints)) return;
  const affinity = requiredNodeAffinity(pod.pod.spec);
  filterState.constraints.forEach((constraint, index) => {
    if (!podCounts(other, constraint.selector, pod.namespace)) return;
    if (!includesNode(constraint, pod.pod, node.node!, affinity)) return;
    const value = node.labels[constraint.topologyKey]!;
    const domain = filterState.counts[index]!;
    const count = (domain.get(value) ?? 0) + amount;
    domain.set(value, count);
    filterState.paths[index]!.update(value, count);
  });
}

/**
 * The selector of a pod's siblings for default constraints: the Services selecting it, and its
 * controlling ReplicaSet, ReplicationController or StatefulSet (upstream's DefaultSelector).
 */
function siblingSelector(handle: FrameworkHandle): (pod: Pod) => Selector | undefined {
  const services: Informer<KubeObject> = handle.informers.informerFor(refFor('Service'));
  const replicaSets: Informer<KubeObject> = handle.informers.informerFor(refFor('ReplicaSet'));
  const controllers: Informer<KubeObject> = handle.informers.informerFor(refFor('ReplicationController'));
  const statefulSets: Informer<KubeObject> = handle.informers.informerFor(refFor('StatefulSet'));
  return (pod) => {
    const namespace = pod.metadata?.namespace ?? '';
    const labels = pod.metadata?.labels ?? {};
    const matchLabels: Record<string, string> = {};
    const matchExpressions: NonNullable<LabelSelector['matchExpressions']>[number][] = [];
    for (const service of services.store.byIndex('namespace', namespace)) {
      const selector = (service.spec as { selector?: Record<string, string> } | undefined)?.selector;
      if (!selector || Object.keys(selector).length === 0) continue;
      if (Object.entries(selector).every(([key, value]) => labels[key] === value))
        Object.assign(matchLabels, selector);
    }
    const owner = pod.metadata?.ownerReferences?.find((reference) => reference.controller === true);
    if (owner) {
      const group = owner.apiVersion.includes('/') ? owner.apiVersion.split('/')[0] : '';
      if (owner.kind === 'ReplicationController' && group === '') {
        const selector = (
          controllers.store.getByName(namespace, owner.name)?.spec as { selector?: Record<string, string> }
        )?.selector;
        if (selector) Object.assign(matchLabels, selector);
      } else if ((owner.kind === 'ReplicaSet' || owner.kind === 'StatefulSet') && group === 'apps') {
        const source = owner.kind === 'ReplicaSet' ? replicaSets : statefulSets;
        const selector = (source.store.getByName(namespace, owner.name)?.spec as { selector?: LabelSelector })
          ?.selector;
        if (selector) {
          Object.assign(matchLabels, selector.matchLabels ?? {});
          matchExpressions.push(...(selector.matchExpressions ?? []));
        }
      }
    }
    if (Object.keys(matchLabels).length === 0 && matchExpressions.length === 0) return undefined;
    try {
      return labelSelectorAsSelector({ matchLabels, matchExpressions });
    } catch {
      return undefined;
    }
  };
}
