/**
 * ClusterRole aggregation: a ClusterRole with an aggregationRule holds the rules of every other
 * ClusterRole its selectors match — `admin` gathers every role labelled
 * `rbac.authorization.k8s.io/aggregate-to-admin: "true"`, so a CRD's author extends `admin` by adding a
 * labelled role rather than editing `admin`.
 *
 * The rules are gathered as upstream's controller gathers them: selector by selector, the matching
 * roles in name order (the aggregated role itself skipped), each rule added once however many roles
 * carry it. Aggregated roles may aggregate each other (`view` into `edit` into `admin`); each pass
 * reads the others' current rules, so a chain settles after a few passes.
 */
import { isDeepStrictEqual } from 'node:util';
import type { PolicyRule } from '../../../api/auth.js';
import { type LabelSelector, labelSelectorAsSelector } from '../../../api/labels.js';
import type { KubeObject } from '../../../api/resource.js';

export function hasAggregationRule(role: KubeObject): boolean {
  return role.aggregationRule !== undefined && role.aggregationRule !== null;
}

/**
 * The rules `role` should hold given every ClusterRole there is, as the objects' own rule values
 * (so an unchanged result compares equal to what is stored). Undefined when `role` aggregates nothing.
 * A malformed selector throws a 400 StatusError.
 */
export function aggregatedRules(
  role: KubeObject,
  clusterRoles: readonly KubeObject[],
): unknown[] | undefined {
  if (!hasAggregationRule(role)) return undefined;
  const selectors =
    (role.aggregationRule as { clusterRoleSelectors?: LabelSelector[] | null }).clusterRoleSelectors ?? [];
  const byName = [...clusterRoles].sort((a, b) => compareNames(a.metadata?.name, b.metadata?.name));
  const gathered: unknown[] = [];
  for (const selectorObject of selectors) {
    const selector = labelSelectorAsSelector(selectorObject);
    for (const candidate of byName) {
      if (candidate.metadata?.name === role.metadata?.name) continue;
      if (!selector.matches(candidate.metadata?.labels)) continue;
      for (const rule of Array.isArray(candidate.rules) ? candidate.rules : []) {
        if (!gathered.some((existing) => sameRule(existing, rule))) gathered.push(rule);
      }
    }
  }
  return gathered;
}

/** Whether two rule lists are the same, reading an absent list as an empty one (Go's semantic equality). */
export function sameRules(a: unknown, b: unknown): boolean {
  const left = Array.isArray(a) ? a : [];
  const right = Array.isArray(b) ? b : [];
  return left.length === right.length && left.every((rule, index) => sameRule(rule, right[index]));
}

function sameRule(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(canonical(a), canonical(b));
}

/** A rule with empty lists dropped, so `resourceNames: []` equals no resourceNames. */
function canonical(rule: unknown): Partial<Record<keyof PolicyRule, unknown>> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries((rule ?? {}) as Record<string, unknown>)) {
    if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) continue;
    result[key] = value;
  }
  return result;
}

function compareNames(a: string | undefined, b: string | undefined): number {
  const left = a ?? '';
  const right = b ?? '';
  return left < right ? -1 : left > right ? 1 : 0;
}
