/**
 * Counts (or summed weights) per topology domain — a (topologyKey, value) pair such as (zone, a) or
 * (hostname, node-7) — the state InterPodAffinity works out in PreFilter / PreScore and reads per node.
 * A count that drops to zero is removed, so "no pods anywhere" is `size === 0`.
 *
 * A node's contribution is a list of `Contribution`s; the indexes (node-aggregate.ts) add and remove
 * whole lists as nodes change.
 */
import type { AffinityTerm, PodInfo, WeightedAffinityTerm } from '../../framework/pod-info.js';

export interface Contribution {
  readonly topologyKey: string;
  readonly value: string;
  readonly amount: number;
}

export class TopologyCounts {
  readonly #counts = new Map<string, number>();
  /** How many domains of each topology key have a count (to score a node by its labels). */
  readonly #keys = new Map<string, number>();

  static key(topologyKey: string, value: string): string {
    return `${topologyKey}\u0000${value}`;
  }

  get size(): number {
    return this.#counts.size;
  }

  get(topologyKey: string, value: string): number {
    return this.#counts.get(TopologyCounts.key(topologyKey, value)) ?? 0;
  }

  addValue(topologyKey: string, value: string, amount: number): void {
    if (amount === 0) return;
    const key = TopologyCounts.key(topologyKey, value);
    const before = this.#counts.get(key);
    const count = (before ?? 0) + amount;
    if (count === 0) {
      this.#counts.delete(key);
      const left = (this.#keys.get(topologyKey) ?? 1) - 1;
      if (left === 0) this.#keys.delete(topologyKey);
      else this.#keys.set(topologyKey, left);
    } else {
      this.#counts.set(key, count);
      if (before === undefined) this.#keys.set(topologyKey, (this.#keys.get(topologyKey) ?? 0) + 1);
    }
  }

  /** Adds `amount` to the node's domain for `topologyKey`; nothing if the node lacks the label. */
  add(nodeLabels: Readonly<Record<string, string>>, topologyKey: string, amount: number): void {
    const value = nodeLabels[topologyKey];
    if (value !== undefined) this.addValue(topologyKey, value, amount);
  }

  clear(): void {
    this.#counts.clear();
    this.#keys.clear();
  }

  addAll(contributions: readonly Contribution[], sign: 1 | -1): void {
    for (const { topologyKey, value, amount } of contributions)
      this.addValue(topologyKey, value, sign * amount);
  }

  /** For every term `pod` matches, counts it in the node's domain (anti-affinity semantics: per term). */
  addAntiAffinityMatches(
    terms: readonly AffinityTerm[],
    pod: PodInfo,
    namespaceLabels: Readonly<Record<string, string>> | undefined,
    nodeLabels: Readonly<Record<string, string>>,
    amount: number,
  ): void {
    for (const term of terms) {
      if (term.matches(pod, namespaceLabels)) this.add(nodeLabels, term.topologyKey, amount);
    }
  }

  /** If `pod` matches every term, counts it in the node's domain for each term (affinity semantics). */
  addAffinityMatches(
    terms: readonly AffinityTerm[],
    pod: PodInfo,
    nodeLabels: Readonly<Record<string, string>>,
    amount: number,
  ): void {
    if (!matchesAllTerms(terms, pod)) return;
    for (const term of terms) this.add(nodeLabels, term.topologyKey, amount);
  }

  /** Whether any domain the node is in has a count. */
  anyForNode(nodeLabels: Readonly<Record<string, string>>): boolean {
    if (this.#counts.size === 0) return false;
    for (const topologyKey of this.#keys.keys()) {
      const value = nodeLabels[topologyKey];
      if (value !== undefined && (this.#counts.get(TopologyCounts.key(topologyKey, value)) ?? 0) > 0)
        return true;
    }
    return false;
  }

  /** The sum over the node's domains (for scores). */
  sumForNode(nodeLabels: Readonly<Record<string, string>>): number {
    let sum = 0;
    for (const topologyKey of this.#keys.keys()) {
      const value = nodeLabels[topologyKey];
      if (value !== undefined) sum += this.#counts.get(TopologyCounts.key(topologyKey, value)) ?? 0;
    }
    return sum;
  }

  clone(): TopologyCounts {
    const copy = new TopologyCounts();
    for (const [key, count] of this.#counts) copy.#counts.set(key, count);
    for (const [key, count] of this.#keys) copy.#keys.set(key, count);
    return copy;
  }
}

/** Whether `pod` matches all `terms` (false for no terms), upstream's podMatchesAllAffinityTerms. */
export function matchesAllTerms(terms: readonly AffinityTerm[], pod: PodInfo): boolean {
  if (terms.length === 0) return false;
  for (const term of terms) if (!term.matches(pod, undefined)) return false;
  return true;
}

/** Weighted terms of `source` that `target` matches, in the node's domains: ±weight each. */
export function weightedContributions(
  terms: readonly WeightedAffinityTerm[],
  target: PodInfo,
  targetNamespaceLabels: Readonly<Record<string, string>> | undefined,
  nodeLabels: Readonly<Record<string, string>>,
  sign: number,
  into: Contribution[],
): void {
  for (const { term, weight } of terms) {
    const value = nodeLabels[term.topologyKey];
    if (value !== undefined && weight !== 0 && term.matches(target, targetNamespaceLabels)) {
      into.push({ topologyKey: term.topologyKey, value, amount: sign * weight });
    }
  }
}
