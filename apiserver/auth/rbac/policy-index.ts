/**
 * The Roles, ClusterRoles, RoleBindings and ClusterRoleBindings the RBAC authorizer reads, kept in
 * memory and indexed so a check looks only at the bindings that can apply to the user.
 *
 * Each binding is filed under every subject it names, per namespace ('' for ClusterRoleBindings), in
 * one map of usernames and one of groups:
 *
 *   RoleBinding shop/readers  subjects: User alice, Group devs, ServiceAccount ci (no namespace)
 *     → shop: users {alice, system:serviceaccount:shop:ci}, groups {devs}
 *   ClusterRoleBinding cluster-admin  subjects: Group system:masters  → '': groups {system:masters}
 *
 * A user is looked up by username and by each group, with the strings as they come (no key is built
 * per request), so a check with 1,000 RoleBindings for other users reads none of them. A ServiceAccount
 * subject is filed under the username its tokens carry (`system:serviceaccount:NS:NAME`, its namespace
 * defaulting to the RoleBinding's), like a User subject of that name: both apply to exactly that
 * username, as upstream compares them. The index only narrows the candidates; the authorizer still
 * checks each subject as upstream does.
 *
 * Written only through `apply`, `remove` and `replace` (fed from the watch caches); objects are read,
 * never kept or edited: rules and subjects are copied out on the way in.
 */

import type { PolicyRule, RoleRef, UserInfo } from '../../../api/auth.js';
import { goQuote } from '../../../api/go-quote.js';
import type { KubeObject } from '../../../api/resource.js';
import { rulesOf } from './rule-matching.js';

export type RbacKind = 'Role' | 'ClusterRole' | 'RoleBinding' | 'ClusterRoleBinding';

export interface Subject {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly apiGroup?: string;
}

export interface Binding {
  readonly kind: 'RoleBinding' | 'ClusterRoleBinding';
  /** '' for a ClusterRoleBinding. */
  readonly namespace: string;
  readonly name: string;
  readonly roleRef: RoleRef;
  readonly subjects: readonly Subject[];
}

/** The role a binding refers to, or why it cannot be had (upstream's lister message). */
export type RoleLookup = { readonly rules: readonly PolicyRule[] } | { readonly error: string };

export const serviceAccountUsernamePrefix = 'system:serviceaccount:';

/** One namespace's bindings ('' for ClusterRoleBindings), by the subjects they name. */
interface SubjectFiling {
  readonly users: Map<string, Set<Binding>>;
  readonly groups: Map<string, Set<Binding>>;
}

type FilingKey = { readonly map: 'users' | 'groups'; readonly name: string };

export class PolicyIndex {
  /** `namespace/name` → rules. */
  readonly #roles = new Map<string, readonly PolicyRule[]>();
  /** name → rules. */
  readonly #clusterRoles = new Map<string, readonly PolicyRule[]>();
  /** `namespace/name` (namespace '' for ClusterRoleBindings) → binding. */
  readonly #bindings = new Map<string, Binding>();
  /** namespace → the bindings naming each subject there. */
  readonly #bySubject = new Map<string, SubjectFiling>();

  get size(): { roles: number; clusterRoles: number; bindings: number } {
    return { roles: this.#roles.size, clusterRoles: this.#clusterRoles.size, bindings: this.#bindings.size };
  }

  apply(kind: RbacKind, object: KubeObject): void {
    const name = object.metadata?.name ?? '';
    const namespace = object.metadata?.namespace ?? '';
    switch (kind) {
      case 'Role':
        this.#roles.set(`${namespace}/${name}`, rulesOf(object));
        return;
      case 'ClusterRole':
        this.#clusterRoles.set(name, rulesOf(object));
        return;
      default: {
        const binding = readBinding(kind, object);
        this.#removeBinding(`${binding.namespace}/${binding.name}`);
        this.#bindings.set(`${binding.namespace}/${binding.name}`, binding);
        let filing = this.#bySubject.get(binding.namespace);
        if (!filing)
          this.#bySubject.set(binding.namespace, (filing = { users: new Map(), groups: new Map() }));
        for (const { map, name: subject } of filingKeys(binding)) {
          let filed = filing[map].get(subject);
          if (!filed) filing[map].set(subject, (filed = new Set()));
          filed.add(binding);
        }
      }
    }
  }

  remove(kind: RbacKind, object: KubeObject): void {
    const name = object.metadata?.name ?? '';
    const namespace = kind === 'Role' || kind === 'RoleBinding' ? (object.metadata?.namespace ?? '') : '';
    if (kind === 'Role') this.#roles.delete(`${namespace}/${name}`);
    else if (kind === 'ClusterRole') this.#clusterRoles.delete(name);
    else this.#removeBinding(`${namespace}/${name}`);
  }

  /** Forgets every object of `kind` and takes `objects` instead (a watch cache's reload). */
  replace(kind: RbacKind, objects: Iterable<KubeObject>): void {
    if (kind === 'Role') this.#roles.clear();
    else if (kind === 'ClusterRole') this.#clusterRoles.clear();
    else {
      for (const [key, binding] of [...this.#bindings]) {
        if (binding.kind === kind) this.#removeBinding(key);
      }
    }
    for (const object of objects) this.apply(kind, object);
  }

  /**
   * The bindings that may apply to `user`: ClusterRoleBindings for namespace '', else the RoleBindings
   * of that namespace. Each binding once: those naming the user first, then by group, in group order.
   */
  bindingsFor(namespace: string, user: UserInfo): Binding[] {
    const filing = this.#bySubject.get(namespace);
    if (!filing) return [];
    const found: Binding[] = [];
    let seen: Set<Binding> | undefined;
    const add = (filed: Set<Binding> | undefined) => {
      if (!filed) return;
      // Most users reach a binding through one subject only; the set is made for the second source.
      if (found.length > 0) seen ??= new Set(found);
      for (const binding of filed) {
        if (seen?.has(binding)) continue;
        seen?.add(binding);
        found.push(binding);
      }
    };
    add(filing.users.get(user.username));
    for (const group of user.groups) add(filing.groups.get(group));
    return found;
  }

  /** Every binding of one kind (for tests and measurements). */
  bindings(kind: Binding['kind']): Binding[] {
    return [...this.#bindings.values()].filter((binding) => binding.kind === kind);
  }

  /**
   * The rules of the role `roleRef` names: a ClusterRole, or a Role in `namespace` (the binding's).
   * Errors read as upstream's listers word them: `clusterrole.rbac.authorization.k8s.io "x" not found`.
   */
  roleRules(roleRef: RoleRef, namespace: string): RoleLookup {
    let rules: readonly PolicyRule[] | undefined;
    if (roleRef.kind === 'ClusterRole') rules = this.#clusterRoles.get(roleRef.name);
    else if (roleRef.kind === 'Role') rules = this.#roles.get(`${namespace}/${roleRef.name}`);
    else return { error: `unsupported role reference kind: ${goQuote(roleRef.kind)}` };
    if (rules) return { rules };
    return {
      error: `${roleRef.kind.toLowerCase()}.rbac.authorization.k8s.io ${goQuote(roleRef.name)} not found`,
    };
  }

  #removeBinding(key: string): void {
    const binding = this.#bindings.get(key);
    if (!binding) return;
    this.#bindings.delete(key);
    const filing = this.#bySubject.get(binding.namespace);
    if (!filing) return;
    for (const { map, name } of filingKeys(binding)) {
      const filed = filing[map].get(name);
      filed?.delete(binding);
      if (filed?.size === 0) filing[map].delete(name);
    }
    if (filing.users.size === 0 && filing.groups.size === 0) this.#bySubject.delete(binding.namespace);
  }
}

function readBinding(kind: 'RoleBinding' | 'ClusterRoleBinding', object: KubeObject): Binding {
  const roleRef = (object.roleRef ?? {}) as Partial<RoleRef>;
  const subjects = Array.isArray(object.subjects) ? (object.subjects as Partial<Subject>[]) : [];
  return {
    kind,
    namespace: kind === 'RoleBinding' ? (object.metadata?.namespace ?? '') : '',
    name: object.metadata?.name ?? '',
    roleRef: { apiGroup: roleRef.apiGroup ?? '', kind: roleRef.kind ?? '', name: roleRef.name ?? '' },
    subjects: subjects.map((subject) => ({
      kind: subject.kind ?? '',
      name: subject.name ?? '',
      ...(subject.namespace ? { namespace: subject.namespace } : {}),
      ...(subject.apiGroup !== undefined ? { apiGroup: subject.apiGroup } : {}),
    })),
  };
}

/** Where a binding is filed; a subject that can apply to nobody is filed nowhere. */
function filingKeys(binding: Binding): FilingKey[] {
  const keys: FilingKey[] = [];
  for (const subject of binding.subjects) {
    const key = filingKey(subject, binding.namespace);
    if (key && !keys.some((other) => other.map === key.map && other.name === key.name)) keys.push(key);
  }
  return keys;
}

function filingKey(subject: Subject, bindingNamespace: string): FilingKey | undefined {
  switch (subject.kind) {
    case 'User':
      return { map: 'users', name: subject.name };
    case 'Group':
      return { map: 'groups', name: subject.name };
    case 'ServiceAccount': {
      const namespace = subject.namespace || bindingNamespace;
      if (!namespace) return undefined;
      return { map: 'users', name: `${serviceAccountUsernamePrefix}${namespace}:${subject.name}` };
    }
    default:
      return undefined;
  }
}
