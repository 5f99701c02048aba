/**
 * InterPodAffinity (PreFilter, Filter, PreScore, Score): places pods by the pods already running, per
 * topology domain (the value of a node label such as zone or hostname).
 *
 *   required affinity        the node's domain must hold a pod the term selects ("node(s) didn't match
 *                            pod affinity rules"); the first pod of a group that selects itself may go
 *                            anywhere its topology labels exist
 *   required anti-affinity   the node's domain must hold no pod the term selects ("node(s) didn't match
 *                            pod anti-affinity rules")
 *   existing anti-affinity   no pod in the node's domain may have an anti-affinity term selecting this
 *                            pod ("node(s) didn't satisfy existing pods anti-affinity rules")
 *   preferred (both kinds)   the term's weight is added to (or taken from) every node in a domain holding
 *                            a selected pod; so are the preferred terms of running pods that select this
 *                            pod, and their required affinity terms at `hardPodAffinityWeight`
 *
 * PreFilter counts matching pods per domain once (over every node for the pod's own terms, over only the
 * nodes running pods with anti-affinity for theirs); Filter is then a few map lookups per node. Pods
 * with none of this skip the plugin entirely.
 *
 * Args: `hardPodAffinityWeight` (default 1), `ignorePreferredTermsOfExistingPods` (default false).
 */
import { nothingSelector } from '../../../api/labels.js';
import type { KubeObject } from '../../../api/resource.js';
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
import type { AffinityTerm, PodInfo, WeightedAffinityTerm } from '../../framework/pod-info.js';
import { type Result, skip, unresolvable, unschedulable } from '../../framework/status.js';
import type { Pod } from '../../types.js';
import {
  type Contribution,
  matchesAllTerms,
  TopologyCounts,
  weightedContributions,
} from './topology-counts.js';

export const INTER_POD_AFFINITY = 'InterPodAffinity';
export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";

export interface InterPodAffinityArgs {
  readonly hardPodAffinityWeight?: number;
  readonly ignorePreferredTermsOfExistingPods?: boolean;
}

const PRE_FILTER_KEY = `PreFilter${INTER_POD_AFFINITY}`;
const PRE_SCORE_KEY = `PreScore${INTER_POD_AFFINITY}`;

class FilterState implements StateData {
  constructor(
    readonly pod: PodInfo,
    readonly affinityTerms: readonly AffinityTerm[],
    readonly antiAffinityTerms: readonly AffinityTerm[],
    readonly namespaceLabels: Readonly<Record<string, string>> | undefined,
    /** Running pods whose required anti-affinity selects this pod, per domain. */
    readonly existingAntiAffinity: TopologyCounts,
    /** Running pods that match all of this pod's required affinity terms, per domain. */
    readonly affinity: TopologyCounts,
    /** Running pods matching this pod's required anti-affinity terms, per domain. */
    readonly antiAffinity: TopologyCounts,
  ) {}

  clone(): FilterState {
    return new FilterState(
      this.pod,
      this.affinityTerms,
      this.antiAffinityTerms,
      this.namespaceLabels,
      this.existingAntiAffinity.clone(),
      this.affinity.clone(),
      this.antiAffinity.clone(),
    );
  }

  /** As if `other` were added to (amount 1) or removed from (-1) `node`. */
  update(other: PodInfo, node: NodeInfo, amount: number): void {
    const labels = node.labels;
    this.existingAntiAffinity.addAntiAffinityMatches(
      other.requiredAntiAffinityTerms,
      this.pod,
      this.namespaceLabels,
      labels,
      amount,
    );
    this.affinity.addAffinityMatches(this.affinityTerms, other, labels, amount);
    this.antiAffinity.addAntiAffinityMatches(this.antiAffinityTerms, other, undefined, labels, amount);
  }
}

/** An index: a TopologyCounts kept up to date over every node (see node-aggregate.ts). */
class CountsIndex {
  readonly counts = new TopologyCounts();
  readonly #aggregate: NodeAggregate<readonly Contribution[]>;

  constructor(compute: (node: NodeInfo) => readonly Contribution[] | undefined) {
    this.#aggregate = new NodeAggregate({
      compute,
      add: (contributions) => this.counts.addAll(contributions, 1),
      remove: (contributions) => this.counts.addAll(contributions, -1),
      reset: () => this.counts.clear(),
    });
  }

  sync(nodes: readonly NodeInfo[]): TopologyCounts {
    this.#aggregate.sync(nodes);
    return this.counts;
  }
}

export function interPodAffinity(rawArgs: unknown, handle: FrameworkHandle) {
  const args = (rawArgs ?? {}) as InterPodAffinityArgs;
  const hardPodAffinityWeight = args.hardPodAffinityWeight ?? 1;
  const ignoreExistingPreferred = args.ignorePreferredTermsOfExistingPods ?? false;
  const namespaces: Informer<KubeObject> = handle.informers.informerFor(refFor('Namespace'));
  const namespaceLabels = (name: string) => namespaces.store.getByName(undefined, name)?.metadata?.labels;
  /** Folds a term's namespaceSelector into its namespaces, from the namespaces the informer knows. */
  const resolve = (term: AffinityTerm): AffinityTerm =>
    term.namespaceSelector === nothingSelector || term.namespaceSelector.empty
      ? term
      : term.withSelectedNamespaces(
          namespaces.store
            .list()
            .filter((namespace) => term.namespaceSelector.matches(namespace.metadata?.labels))
            .map((namespace) => namespace.metadata?.name ?? ''),
        );
  const indexes = new AggregateCache<CountsIndex>(64);
  const nodes = () => handle.snapshot.list();
  /** Identifies a pod as the target of other pods' terms: its namespace, labels and namespace's labels. */
  const targetSignature = (pod: PodInfo, labels: Readonly<Record<string, string>> | undefined) =>
    JSON.stringify([pod.namespace, sortedEntries(pod.labels), sortedEntries(labels ?? {})]);

  /** Per domain: running pods whose required anti-affinity selects `pod`. */
  const existingAntiAffinity = (pod: PodInfo, labels: Readonly<Record<string, string>> | undefined) =>
    indexes
      .get(
        `existing-anti\u0000${targetSignature(pod, labels)}`,
        () =>
          new CountsIndex((node) => {
            if (node.podsWithRequiredAntiAffinity.length === 0) return undefined;
            const contributions: Contribution[] = [];
            for (const existing of node.podsWithRequiredAntiAffinity) {
              for (const term of existing.requiredAntiAffinityTerms) {
                const value = node.labels[term.topologyKey];
                if (value !== undefined && term.matches(pod, labels)) {
                  contributions.push({ topologyKey: term.topologyKey, value, amount: 1 });
                }
              }
            }
            return contributions;
          }),
      )
      .sync(nodes());

  /** Per domain: running pods matching all of `terms` (affinity) or each term (anti-affinity). */
  const matchingPods = (terms: readonly AffinityTerm[], all: boolean) =>
    indexes
      .get(
        `${all ? 'affinity' : 'anti'}\u0000${terms.map(termSignature).join('\u0001')}`,
        () =>
          new CountsIndex((node) => {
            const contributions: Contribution[] = [];
            for (const term of terms) {
              const value = node.labels[term.topologyKey];
              if (value === undefined) continue;
              let count = 0;
              for (const existing of node.pods) {
                if (all ? matchesAllTerms(terms, existing) : term.matches(existing, undefined)) count++;
              }
              if (count > 0) contributions.push({ topologyKey: term.topologyKey, value, amount: count });
            }
            return contributions.length > 0 ? contributions : undefined;
          }),
      )
      .sync(nodes());

  /** Scores running pods give `pod` by their terms: required affinity (hard weight) and preferred. */
  const existingTermScores = (pod: PodInfo, labels: Readonly<Record<string, string>> | undefined) =>
    indexes
      .get(
        `existing-scores\u0000${targetSignature(pod, labels)}`,
        () =>
          new CountsIndex((node) => {
            if (node.podsWithAffinity.length === 0) return undefined;
            const contributions: Contribution[] = [];
            for (const existing of node.podsWithAffinity) {
              if (hardPodAffinityWeight > 0) {
                for (const term of existing.requiredAffinityTerms) {
                  const value = node.labels[term.topologyKey];
                  if (value !== undefined && term.matches(pod, labels)) {
                    contributions.push({
                      topologyKey: term.topologyKey,
                      value,
                      amount: hardPodAffinityWeight,
                    });
                  }
                }
              }
              if (!ignoreExistingPreferred) {
                weightedContributions(
                  existing.preferredAffinityTerms,
                  pod,
                  labels,
                  node.labels,
                  1,
                  contributions,
                );
                weightedContributions(
                  existing.preferredAntiAffinityTerms,
                  pod,
                  labels,
                  node.labels,
                  -1,
                  contributions,
                );
              }
            }
            return contributions.length > 0 ? contributions : undefined;
          }),
      )
      .sync(nodes());

  /** Scores `pod`'s own preferred terms give each domain, by the running pods they select. */
  const preferredTermScores = (
    affinity: readonly WeightedAffinityTerm[],
    antiAffinity: readonly WeightedAffinityTerm[],
  ) =>
    indexes
      .get(
        `preferred\u0000${affinity.map(weightedSignature).join('\u0001')}\u0002${antiAffinity.map(weightedSignature).join('\u0001')}`,
        () =>
          new CountsIndex((node) => {
            if (node.pods.length === 0) return undefined;
            const contributions: Contribution[] = [];
            for (const existing of node.pods) {
              weightedContributions(affinity, existing, undefined, node.labels, 1, contributions);
              weightedContributions(antiAffinity, existing, undefined, node.labels, -1, contributions);
            }
            return contributions.length > 0 ? contributions : undefined;
          }),
      )
      .sync(nodes());

  return {
    name: INTER_POD_AFFINITY,
    preFilter(state: CycleState, pod: PodInfo): Result {
      if (pod.affinityError) return unresolvable(`parsing pod: ${pod.affinityError}`);
      const anyExisting = handle.snapshot.havePodsWithRequiredAntiAffinity().length > 0;
      if (
        !anyExisting &&
        pod.requiredAffinityTerms.length === 0 &&
        pod.requiredAntiAffinityTerms.length === 0
      ) {
        return skip();
      }
      const labels = namespaceLabels(pod.namespace);
      const existing = anyExisting ? existingAntiAffinity(pod, labels) : new TopologyCounts();
      const affinityTerms = pod.requiredAffinityTerms.map(resolve);
      const antiAffinityTerms = pod.requiredAntiAffinityTerms.map(resolve);
      if (existing.size === 0 && affinityTerms.length === 0 && antiAffinityTerms.length === 0) return skip();
      state.write(
        PRE_FILTER_KEY,
        new FilterState(
          pod,
          affinityTerms,
          antiAffinityTerms,
          labels,
          existing,
          affinityTerms.length > 0 ? matchingPods(affinityTerms, true) : new TopologyCounts(),
          antiAffinityTerms.length > 0 ? matchingPods(antiAffinityTerms, false) : new TopologyCounts(),
        ),
      );
      return undefined;
    },
    addPod(state, _pod, podToAdd, node) {
      state.read<FilterState>(PRE_FILTER_KEY)?.update(podToAdd, node, 1);
      return undefined;
    },
    removePod(state, _pod, podToRemove, node) {
      state.read<FilterState>(PRE_FILTER_KEY)?.update(podToRemove, node, -1);
      return undefined;
    },
    filter(state, _pod, node) {
      const filterState = state.read<FilterState>(PRE_FILTER_KEY);
      if (!filterState) return undefined;
      const labels = node.labels;
      if (!satisfiesAffinity(filterState, labels)) return unresolvable(ERR_REASON_AFFINITY);
      for (const term of filterState.antiAffinityTerms) {
        const value = labels[term.topologyKey];
        if (value !== undefined && filterState.antiAffinity.get(term.topologyKey, value) > 0) {
          return unschedulable(ERR_REASON_ANTI_AFFINITY);
        }
      }
      if (filterState.existingAntiAffinity.anyForNode(labels)) {
        return unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY);
      }
      return undefined;
    },
    preScore(state, pod, feasible) {
      if (feasible.length === 0) return skip();
      const hasPreferred = pod.preferredAffinityTerms.length > 0 || pod.preferredAntiAffinityTerms.length > 0;
      if (ignoreExistingPreferred && !hasPreferred) return skip();
      const withAffinity = handle.snapshot.havePodsWithAffinity().length > 0;
      if (!hasPreferred && !withAffinity) return skip();
      const scores: TopologyCounts[] = [];
      if (withAffinity) scores.push(existingTermScores(pod, namespaceLabels(pod.namespace)));
      if (hasPreferred) {
        scores.push(
          preferredTermScores(
            pod.preferredAffinityTerms.map(({ term, weight }) => ({ term: resolve(term), weight })),
            pod.preferredAntiAffinityTerms.map(({ term, weight }) => ({ term: resolve(term), weight })),
          ),
        );
      }
      if (scores.every((counts) => counts.size === 0)) return skip();
      state.write(PRE_SCORE_KEY, scores);
      return undefined;
    },
    score(state, _pod, node) {
      const scores = state.read<TopologyCounts[]>(PRE_SCORE_KEY);
      if (!scores) return 0;
      let score = 0;
      for (const counts of scores) score += counts.sumForNode(node.labels);
      return score;
    },
    normalizeScore(_state, _pod, _nodes, scores) {
      let lowest = Number.POSITIVE_INFINITY;
      let highest = Number.NEGATIVE_INFINITY;
      for (const score of scores) {
        if (score > highest) highest = score;
        if (score < lowest) lowest = score;
      }
      const spread = highest - lowest;
      for (let index = 0; index < scores.length; index++) {
        scores[index] = spread > 0 ? Math.trunc(MAX_NODE_SCORE * ((scores[index]! - lowest) / spread)) : 0;
      }
      return undefined;
    },
    eventsToRegister: () => [
      {
        event: { resource: 'Pod', action: ActionType.Add | ActionType.UpdatePodLabel | ActionType.Delete },
        // Only pods that run somewhere count in any domain.
        hint: (_pod, old, updated) =>
          ((updated ?? old) as Pod | undefined)?.spec?.nodeName ? 'Queue' : 'Skip',
      },
      { event: { resource: 'Node', action: ActionType.Add | ActionType.UpdateNodeLabel } },
    ],
  } satisfies PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin & EnqueueExtensions;
}

function sortedEntries(labels: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function termSignature(term: AffinityTerm): string {
  return JSON.stringify([
    [...term.namespaces].sort(),
    selectorKey(term.selector),
    selectorKey(term.namespaceSelector),
    term.topologyKey,
  ]);
}

function weightedSignature({ term, weight }: WeightedAffinityTerm): string {
  return `${weight}:${termSignature(term)}`;
}

function satisfiesAffinity(state: FilterState, labels: Readonly<Record<string, string>>): boolean {
  let podsExist = true;
  for (const term of state.affinityTerms) {
    const value = labels[term.topologyKey];
    // Every topology label must exist on the node.
    if (value === undefined) return false;
    if (state.affinity.get(term.topologyKey, value) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  // The first pod of a group with affinity to itself: nothing anywhere matches yet, so it may start one.
  return state.affinity.size === 0 && matchesAllTerms(state.affinityTerms, state.pod);
}
