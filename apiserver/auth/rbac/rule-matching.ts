/**
 * Whether one RBAC PolicyRule allows one request, with upstream's matching rules:
 *
 *   verbs           `*` or the request's verb (`get`, `list`, `bind`, `escalate` …)
 *   apiGroups       `*` or the request's group (`""` is the core group)
 *   resources       `*`, the resource (`pods`), the resource with its subresource (`pods/log`), or a
 *                   star, slash, subresource for that subresource of any resource (`*` + `/scale`)
 *   resourceNames   empty: any name; else the request must name one of them (so a list, which names
 *                   none, is not allowed by a rule with resourceNames)
 *   nonResourceURLs `*`, the exact path, or a prefix ending in `*` (`/apis/*` allows `/apis/apps/v1`)
 *
 * A resource rule never allows a non-resource request and the other way round.
 */
import type { Attributes, PolicyRule } from '../../../api/auth.js';

const all = '*';

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.includes(all) || rule.verbs.includes(verb);
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  const groups = rule.apiGroups ?? [];
  return groups.includes(all) || groups.includes(group);
}

/** `combined` is `resource` or `resource/subresource`; `subresource` is '' for the main resource. */
export function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  for (const resource of rule.resources ?? []) {
    if (resource === all || resource === combined) return true;
    // `*/scale` is two characters longer than `scale` and ends with it.
    if (
      subresource !== '' &&
      resource.length === subresource.length + 2 &&
      resource.startsWith('*/') &&
      resource.endsWith(subresource)
    ) {
      return true;
    }
  }
  return false;
}

export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(name);
}

export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const url of rule.nonResourceURLs ?? []) {
    if (url === all || url === path) return true;
    if (url.endsWith(all) && path.startsWith(url.slice(0, -1))) return true;
  }
  return false;
}

export function ruleAllows(attributes: Attributes, rule: PolicyRule): boolean {
  if (!verbMatches(rule, attributes.verb)) return false;
  if (!attributes.resourceRequest) return nonResourceURLMatches(rule, attributes.path ?? '');
  const resource = attributes.resource ?? '';
  const subresource = attributes.subresource ?? '';
  const combined = subresource === '' ? resource : `${resource}/${subresource}`;
  return (
    apiGroupMatches(rule, attributes.apiGroup ?? '') &&
    resourceMatches(rule, combined, subresource) &&
    resourceNameMatches(rule, attributes.name ?? '')
  );
}

/** Whether any of `rules` allows the request (upstream's RulesAllow). */
export function rulesAllow(attributes: Attributes, rules: readonly PolicyRule[]): boolean {
  return rules.some((rule) => ruleAllows(attributes, rule));
}

/** A rule as read from an object: every list present, unknown members dropped. */
export function normalizeRule(value: unknown): PolicyRule {
  const rule = (value ?? {}) as Record<string, unknown>;
  const list = (member: unknown): string[] =>
    Array.isArray(member) ? member.filter((item): item is string => typeof item === 'string') : [];
  return {
    verbs: list(rule.verbs),
    apiGroups: list(rule.apiGroups),
    resources: list(rule.resources),
    resourceNames: list(rule.resourceNames),
    nonResourceURLs: list(rule.nonResourceURLs),
  };
}

/** The rules of a Role or ClusterRole object. */
export function rulesOf(role: Record<string, unknown> | undefined): PolicyRule[] {
  const rules = role?.rules;
  return Array.isArray(rules) ? rules.map(normalizeRule) : [];
}
