/**
 * Puts the bootstrap policy (bootstrap-policy.ts) in place at every start, as kube-apiserver's RBAC
 * post-start hook does: a missing role or binding is created; an existing one keeps what users added
 * and gets back what it lacks — labels and annotations, rules (as the atoms the comparison found
 * missing), aggregation selectors, subjects — unless it is annotated
 * `rbac.authorization.kubernetes.io/autoupdate: "false"`. A binding whose roleRef differs (roleRef is
 * immutable) is deleted and created again.
 *
 * Then every aggregated ClusterRole gets its rules gathered once, as the clusterrole-aggregation
 * controller would: so `admin`, `edit` and `view` work from the first request even where no controller
 * manager runs (an API server started alone). The controller keeps them current afterwards.
 *
 * It writes through the ResourceStores directly, with the resources' own admission (defaults,
 * validation) and no requester, before the server takes requests.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../../api/resource.js';
import { isStatusError } from '../../../api/status.js';
import { admitter } from '../../admission.js';
import type { ResourceStore } from '../../resource-store.js';
import { storeKey } from '../../rest-handler.js';
import { aggregatedRules, sameRules } from './aggregation.js';
import {
  autoUpdateAnnotation,
  bootstrapClusterRoleBindings,
  bootstrapClusterRoles,
} from './bootstrap-policy.js';
import { covers } from './policy-comparison.js';
import { rulesOf } from './rule-matching.js';

export interface BootstrapPolicyResult {
  /** `clusterroles/admin`, `clusterrolebindings/cluster-admin` … in the order written. */
  readonly created: string[];
  readonly updated: string[];
  /** Bindings deleted and created again for a changed roleRef. */
  readonly recreated: string[];
}

const rbacGroup = 'rbac.authorization.k8s.io';

export async function ensureBootstrapPolicy(
  stores: ReadonlyMap<string, ResourceStore>,
): Promise<BootstrapPolicyResult> {
  const result: BootstrapPolicyResult = { created: [], updated: [], recreated: [] };
  const roles = stores.get(storeKey(rbacGroup, 'v1', 'clusterroles'));
  const bindings = stores.get(storeKey(rbacGroup, 'v1', 'clusterrolebindings'));
  if (!roles || !bindings) return result;

  const current = await reconcileAll(roles, bootstrapClusterRoles(), reconcileClusterRole, result);
  const currentBindings = await reconcileAll(
    bindings,
    bootstrapClusterRoleBindings(),
    reconcileClusterRoleBinding,
    result,
  );
  await aggregateAll(roles, current, result);
  // The caches (and so the authorizers fed from them) have the policy before the server takes requests.
  const written = (objects: Map<string, KubeObject>) =>
    Math.max(0, ...[...objects.values()].map((object) => Number(object.metadata?.resourceVersion ?? 0)));
  await roles.cache.waitUntilFresh(written(current));
  await bindings.cache.waitUntilFresh(written(currentBindings));
  return result;
}

type Reconcile = (existing: KubeObject, expected: KubeObject) => Reconciled;
export type Reconciled =
  | { readonly action: 'none' }
  | { readonly action: 'update' | 'recreate'; readonly object: KubeObject };

/** Creates or reconciles each expected object; returns every object of the resource as it now is. */
async function reconcileAll(
  store: ResourceStore,
  expected: readonly KubeObject[],
  reconcile: Reconcile,
  result: BootstrapPolicyResult,
): Promise<Map<string, KubeObject>> {
  await store.cache.ready();
  const current = new Map(store.cache.list().map(({ object }) => [object.metadata!.name!, object]));
  const admit = admitter({ resource: store.resource });
  const label = (name: string) => `${store.resource.plural}/${name}`;
  const done = { created: [] as string[], updated: [] as string[], recreated: [] as string[] };
  // Every object at once: the store's group commit makes their writes share syncs.
  const reconcileOne = async (wanted: KubeObject): Promise<void> => {
    const name = wanted.metadata!.name!;
    const existing = current.get(name);
    if (!existing) {
      try {
        current.set(name, await store.create(undefined, structuredClone(wanted), admit));
        done.created.push(label(name));
      } catch (error) {
        // Another server of the same cluster got there first.
        if (!isStatusError(error, 'AlreadyExists')) throw error;
      }
      return;
    }
    const change = reconcile(existing, wanted);
    if (change.action === 'none') return;
    if (change.action === 'recreate') {
      await store.delete(undefined, name, {});
      current.set(name, await store.create(undefined, change.object, admit));
      done.recreated.push(label(name));
      return;
    }
    // Reconciled again against the stored object, in case it changed since the cache was read.
    const updated = await store.update(
      undefined,
      name,
      (fresh) => {
        const again = reconcile(fresh, wanted);
        return again.action === 'none' ? fresh : again.object;
      },
      admit,
    );
    current.set(name, updated);
    done.updated.push(label(name));
  };
  await Promise.all(expected.map(reconcileOne));
  // Reported in name order, as if made one after another.
  for (const key of ['created', 'updated', 'recreated'] as const) result[key].push(...done[key].sort());
  return current;
}

/**
 * Upstream's reconciliation without removing anything: missing labels, annotations, rules and
 * aggregation selectors are added; an aggregation rule the expected role does not have is dropped.
 */
export function reconcileClusterRole(existing: KubeObject, expected: KubeObject): Reconciled {
  if (isProtected(existing)) return { action: 'none' };
  const object = structuredClone(existing);
  let changed = mergeMetadata(object, expected);
  // The usual case, an untouched role, needs no comparison rule by rule.
  const { missing } = sameRules(existing.rules, expected.rules)
    ? { missing: [] }
    : covers(rulesOf(existing), rulesOf(expected));
  if (missing.length > 0) {
    object.rules = [...(Array.isArray(existing.rules) ? existing.rules : []), ...missing];
    changed = true;
  }
  const wantedSelectors = selectorsOf(expected);
  if (wantedSelectors === undefined) {
    if (object.aggregationRule !== undefined && object.aggregationRule !== null) {
      delete object.aggregationRule;
      changed = true;
    }
  } else {
    const selectors = selectorsOf(existing) ?? [];
    const absent = wantedSelectors.filter(
      (selector) => !selectors.some((existingSelector) => isDeepStrictEqual(existingSelector, selector)),
    );
    if (absent.length > 0) {
      object.aggregationRule = { clusterRoleSelectors: [...selectors, ...absent] };
      changed = true;
    }
  }
  return changed ? { action: 'update', object } : { action: 'none' };
}

/** Missing labels, annotations and subjects are added; a different roleRef means delete and create. */
export function reconcileClusterRoleBinding(existing: KubeObject, expected: KubeObject): Reconciled {
  if (isProtected(existing)) return { action: 'none' };
  if (!isDeepStrictEqual(existing.roleRef, expected.roleRef)) {
    const object = structuredClone(expected);
    const subjects = [...subjectsOf(existing)];
    for (const subject of subjectsOf(expected)) {
      if (!subjects.some((candidate) => sameSubject(candidate, subject))) subjects.push(subject);
    }
    if (subjects.length > 0) object.subjects = subjects;
    mergeMetadata(object, existing);
    return { action: 'recreate', object };
  }
  const object = structuredClone(existing);
  let changed = mergeMetadata(object, expected);
  const subjects = [...subjectsOf(existing)];
  for (const subject of subjectsOf(expected)) {
    if (!subjects.some((candidate) => sameSubject(candidate, subject))) {
      subjects.push(subject);
      changed = true;
    }
  }
  if (changed && subjects.length > 0) object.subjects = subjects;
  return changed ? { action: 'update', object } : { action: 'none' };
}

/** Gathers every aggregated ClusterRole's rules until no pass changes any (a chain settles in a few). */
async function aggregateAll(
  store: ResourceStore,
  current: Map<string, KubeObject>,
  result: BootstrapPolicyResult,
): Promise<void> {
  const admit = admitter({ resource: store.resource });
  for (let pass = 0; pass < 10; pass++) {
    let changed = false;
    for (const [name, role] of [...current]) {
      const rules = aggregatedRules(role, [...current.values()]);
      if (rules === undefined || sameRules(rules, role.rules)) continue;
      const updated = await store.update(undefined, name, (fresh) => ({ ...fresh, rules }), admit);
      current.set(name, updated);
      if (!result.updated.includes(`clusterroles/${name}`)) result.updated.push(`clusterroles/${name}`);
      changed = true;
    }
    if (!changed) return;
  }
}

function isProtected(object: KubeObject): boolean {
  return object.metadata?.annotations?.[autoUpdateAnnotation] === 'false';
}

/** Adds the labels and annotations `source` has and `target` lacks; true when any was added. */
function mergeMetadata(target: KubeObject, source: KubeObject): boolean {
  const metadata = (target.metadata ??= {});
  let changed = false;
  for (const field of ['labels', 'annotations'] as const) {
    const wanted = source.metadata?.[field] ?? {};
    const have = { ...(metadata[field] ?? {}) };
    for (const [key, value] of Object.entries(wanted)) {
      if (key in have) continue;
      have[key] = value;
      changed = true;
    }
    if (Object.keys(have).length > 0) metadata[field] = have;
  }
  return changed;
}

function selectorsOf(role: KubeObject): unknown[] | undefined {
  const rule = role.aggregationRule as { clusterRoleSelectors?: unknown[] } | null | undefined;
  if (rule === undefined || rule === null) return undefined;
  return rule.clusterRoleSelectors ?? [];
}

type SubjectObject = { kind?: string; name?: string; namespace?: string; apiGroup?: string };

function subjectsOf(binding: KubeObject): SubjectObject[] {
  return Array.isArray(binding.subjects) ? (binding.subjects as SubjectObject[]) : [];
}

function sameSubject(a: SubjectObject, b: SubjectObject): boolean {
  return (
    a.kind === b.kind &&
    a.name === b.name &&
    (a.namespace ?? '') === (b.namespace ?? '') &&
    (a.apiGroup ?? '') === (b.apiGroup ?? '')
  );
}
