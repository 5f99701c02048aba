/**
 * Whether one set of rules covers another (upstream's policy comparator), for escalation prevention and
 * for reconciling the bootstrap roles.
 *
 * Each rule to be covered is broken into atoms of one group, one resource, one verb and at most one
 * resource name (or one non-resource URL and one verb); an atom is covered when a single owner rule
 * covers it. What is left uncovered is the answer's `missing` list:
 *
 *   owner:   {apiGroups: [""], resources: ["pods"], verbs: ["get", "list"]}
 *   wanted:  {apiGroups: [""], resources: ["pods", "secrets"], verbs: ["get"]}
 *   missing: [{apiGroups: [""], resources: ["secrets"], verbs: ["get"]}]
 *
 * An owner's `*` covers anything in its list; an owner resource `*` + `/scale` covers every resource's
 * scale subresource; an owner URL ending in `*` covers every URL it prefixes.
 */

import type { PolicyRule } from '../../../api/auth.js';
import { goQuote } from '../../../api/go-quote.js';

const all = '*';

/** Everything: what setting an aggregationRule requires, since it can gather any rule. */
export const fullAuthority: readonly PolicyRule[] = [
  { verbs: [all], apiGroups: [all], resources: [all] },
  { verbs: [all], nonResourceURLs: [all] },
];

export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const atoms: PolicyRule[] = [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs) {
        const names = rule.resourceNames ?? [];
        if (names.length === 0) atoms.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
        for (const name of names) {
          atoms.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] });
        }
      }
    }
  }
  for (const url of rule.nonResourceURLs ?? []) {
    for (const verb of rule.verbs) atoms.push({ nonResourceURLs: [url], verbs: [verb] });
  }
  return atoms;
}

export function covers(
  ownerRules: readonly PolicyRule[],
  servantRules: readonly PolicyRule[],
): { readonly covered: boolean; readonly missing: PolicyRule[] } {
  const missing: PolicyRule[] = [];
  for (const atom of servantRules.flatMap(breakdownRule)) {
    if (!ownerRules.some((owner) => ruleCovers(owner, atom))) missing.push(atom);
  }
  return { covered: missing.length === 0, missing };
}

/** Whether `owner` covers `atom`, a rule of at most one verb, group, resource and name (or one URL). */
export function ruleCovers(owner: PolicyRule, atom: PolicyRule): boolean {
  const ownerNames = owner.resourceNames ?? [];
  const atomNames = atom.resourceNames ?? [];
  return (
    (owner.verbs.includes(all) || hasAll(owner.verbs, atom.verbs)) &&
    ((owner.apiGroups ?? []).includes(all) || hasAll(owner.apiGroups ?? [], atom.apiGroups ?? [])) &&
    resourcesCoverAll(owner.resources ?? [], atom.resources ?? []) &&
    urlsCoverAll(owner.nonResourceURLs ?? [], atom.nonResourceURLs ?? []) &&
    (atomNames.length === 0
      ? ownerNames.length === 0
      : ownerNames.length === 0 || hasAll(ownerNames, atomNames))
  );
}

function hasAll(set: readonly string[], wanted: readonly string[]): boolean {
  return wanted.every((item) => set.includes(item));
}

function resourcesCoverAll(owned: readonly string[], wanted: readonly string[]): boolean {
  if (owned.includes(all) || hasAll(owned, wanted)) return true;
  return wanted.every((path) => {
    if (owned.includes(path)) return true;
    const slash = path.indexOf('/');
    return slash >= 0 && owned.includes(`${all}${path.slice(slash)}`);
  });
}

function urlsCoverAll(owned: readonly string[], wanted: readonly string[]): boolean {
  return wanted.every((path) =>
    owned.some(
      (owner) => owner === path || (owner.endsWith(all) && path.startsWith(owner.replace(/\*+$/, ''))),
    ),
  );
}

/**
 * Joins atoms that differ only in their verb (one group, one resource, at most one name, no URL), so
 * a missing `get` and `list` on pods read as one rule. Other rules pass through unchanged.
 */
export function compactRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const compacted: PolicyRule[] = [];
  const simple = new Map<string, { rule: PolicyRule; verbs: string[] }>();
  for (const rule of rules) {
    const key = simpleKey(rule);
    if (key === undefined) {
      compacted.push(rule);
      continue;
    }
    const existing = simple.get(key);
    if (!existing) simple.set(key, { rule, verbs: [...rule.verbs] });
    else for (const verb of rule.verbs) if (!existing.verbs.includes(verb)) existing.verbs.push(verb);
  }
  for (const { rule, verbs } of simple.values()) compacted.push({ ...rule, verbs });
  return compacted;
}

function simpleKey(rule: PolicyRule): string | undefined {
  const names = rule.resourceNames ?? [];
  if (names.length > 1 || (rule.nonResourceURLs ?? []).length > 0) return undefined;
  if ((rule.apiGroups ?? []).length !== 1 || (rule.resources ?? []).length !== 1) return undefined;
  return JSON.stringify([rule.apiGroups![0], rule.resources![0], names.length === 1 ? names[0] : null]);
}

/**
 * A rule as escalation messages print it (upstream's CompactString): only the lists it has, Go-quoted:
 * `{APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}`.
 */
export function compactString(rule: PolicyRule): string {
  const parts: string[] = [];
  const add = (label: string, values: readonly string[] | undefined) => {
    if (values && values.length > 0) parts.push(`${label}:${goQuoteList(values)}`);
  };
  add('APIGroups', rule.apiGroups);
  add('Resources', rule.resources);
  add('NonResourceURLs', rule.nonResourceURLs);
  add('ResourceNames', rule.resourceNames);
  add('Verbs', rule.verbs);
  return `{${parts.join(', ')}}`;
}

/** Go's `%q` of a []string: `["a" "b"]`. */
export function goQuoteList(values: readonly string[]): string {
  return `[${values.map(goQuote).join(' ')}]`;
}
