/**
 * Escalation prevention: nobody grants through RBAC what they do not hold themselves.
 *
 *   Role / ClusterRole write   the requester must hold every rule in it, or may `escalate` on that
 *                              resource; setting or keeping an aggregationRule needs full authority
 *                              (`*` on everything), since it can gather any rule.
 *   RoleBinding / ClusterRoleBinding write
 *                              the requester may `bind` the referenced role (in the binding's namespace,
 *                              '' for a ClusterRoleBinding), or holds every rule of that role.
 *
 * "Holds" means the rules bound to the requester cluster-wide plus, for a namespaced object, in its
 * namespace. Members of system:masters pass without a check, and so does a write with no requester (the
 * server runs without authentication, or the write is the server's own, like the bootstrap policy). A
 * write that changes only what the garbage collector changes (ownerReferences, finalizers) is never
 * refused. Refusals are 403s worded as upstream's:
 *
 *   roles.rbac.authorization.k8s.io "pod-reader" is forbidden: user "bob" (groups=["system:authenticated"])
 *   is attempting to grant RBAC permissions not currently held:
 *   {APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}
 */
import { isDeepStrictEqual } from 'node:util';
import type { PolicyRule, RequestAuthorization, RoleRef, UserInfo } from '../../../api/auth.js';
import { goQuote } from '../../../api/go-quote.js';
import type { KubeObject, Strategy } from '../../../api/resource.js';
import { forbidden } from '../../../api/status.js';
import { aggregateMessages } from './authorizer.js';
import { compactRules, compactString, covers, fullAuthority, goQuoteList } from './policy-comparison.js';
import { rulesOf } from './rule-matching.js';

export const rbacGroup = 'rbac.authorization.k8s.io';
export const systemMasters = 'system:masters';

/** Who writes, and how to ask about their rights. Either absent: nothing is refused. */
export interface EscalationContext {
  readonly user?: UserInfo;
  readonly authorization?: RequestAuthorization;
}

type RoleKind = 'Role' | 'ClusterRole';
type BindingKind = 'RoleBinding' | 'ClusterRoleBinding';

const pluralOf = {
  Role: 'roles',
  ClusterRole: 'clusterroles',
  RoleBinding: 'rolebindings',
  ClusterRoleBinding: 'clusterrolebindings',
} as const;

/** Refuses (403) a Role or ClusterRole write granting rules the requester does not hold. */
export async function checkRoleWrite(
  kind: RoleKind,
  role: KubeObject,
  old: KubeObject | undefined,
  context: EscalationContext,
): Promise<void> {
  const { user, authorization } = context;
  if (!user || !authorization || user.groups.includes(systemMasters)) return;
  if (old && onlyGarbageCollectorFields(role, old)) return;
  const name = role.metadata?.name ?? '';
  const namespace = kind === 'Role' ? (role.metadata?.namespace ?? '') : '';
  const qualified = { group: rbacGroup, resource: pluralOf[kind] };
  // Upstream asks about the name in the URL, which a create has none of.
  const escalate = await authorization.authorizer.authorize({
    user,
    verb: 'escalate',
    resourceRequest: true,
    apiGroup: rbacGroup,
    apiVersion: '*',
    resource: pluralOf[kind],
    ...(namespace ? { namespace } : {}),
    ...(old ? { name } : {}),
  });
  if (escalate.decision === 'allow') return;
  const problem = await missingRules(user, namespace, rulesOf(role), authorization);
  if (problem) throw forbidden(qualified, name, problem);
  if (kind === 'ClusterRole' && (hasAggregationRule(role) || (old && hasAggregationRule(old)))) {
    if (await missingRules(user, '', fullAuthority, authorization)) {
      throw forbidden(qualified, name, 'must have cluster-admin privileges to use the aggregationRule');
    }
  }
}

/** Refuses (403) a binding the requester may not `bind` and whose role's rules they do not all hold. */
export async function checkBindingWrite(
  kind: BindingKind,
  binding: KubeObject,
  old: KubeObject | undefined,
  context: EscalationContext,
): Promise<void> {
  const { user, authorization } = context;
  if (!user || !authorization || user.groups.includes(systemMasters)) return;
  if (old && onlyGarbageCollectorFields(binding, old)) return;
  const name = binding.metadata?.name ?? '';
  const namespace = kind === 'RoleBinding' ? (binding.metadata?.namespace ?? '') : '';
  const roleRef = readRoleRef(binding);
  if (roleRef.kind !== 'Role' && roleRef.kind !== 'ClusterRole') return; // validation refuses it (422)
  const bind = await authorization.authorizer.authorize({
    user,
    verb: 'bind',
    resourceRequest: true,
    apiGroup: roleRef.apiGroup,
    resource: pluralOf[roleRef.kind],
    name: roleRef.name,
    ...(namespace ? { namespace } : {}),
  });
  if (bind.decision === 'allow') return;
  // A missing role is a 404 here, as upstream's storage reports it.
  const rules = await authorization.rules.roleReferenceRules(roleRef, namespace);
  const problem = await missingRules(user, namespace, rules, authorization);
  if (problem) throw forbidden({ group: rbacGroup, resource: pluralOf[kind] }, name, problem);
}

/** The refusal message when `user` lacks some of `rules` in `namespace`, else undefined. */
async function missingRules(
  user: UserInfo,
  namespace: string,
  rules: readonly PolicyRule[],
  authorization: RequestAuthorization,
): Promise<string | undefined> {
  const held = await authorization.rules.policyRulesFor(user, namespace);
  const { covered, missing } = covers(held.rules, rules);
  if (covered) return undefined;
  const lines = [...new Set(compactRules(missing).map(compactString))].sort();
  let message = `user ${goQuote(user.username)} (groups=${goQuoteList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}`;
  // Upstream prints a one-element []error holding the aggregate: `[a]`, `[[a, b]]`.
  if (held.errors.length > 0) message += `; resolution errors: [${aggregateMessages(held.errors)}]`;
  return message;
}

export function readRoleRef(binding: KubeObject): RoleRef {
  const roleRef = (binding.roleRef ?? {}) as Partial<RoleRef>;
  return { apiGroup: roleRef.apiGroup ?? '', kind: roleRef.kind ?? '', name: roleRef.name ?? '' };
}

function hasAggregationRule(role: KubeObject): boolean {
  return role.aggregationRule !== undefined && role.aggregationRule !== null;
}

/** Upstream's IsOnlyMutatingGCFields: equal but for ownerReferences and finalizers (and bookkeeping). */
function onlyGarbageCollectorFields(object: KubeObject, old: KubeObject): boolean {
  const strip = (value: KubeObject) => {
    const { ownerReferences, finalizers, managedFields, resourceVersion, ...metadata } = value.metadata ?? {};
    return JSON.parse(JSON.stringify({ ...value, metadata })) as unknown;
  };
  return isDeepStrictEqual(strip(object), strip(old));
}

/**
 * The escalation checks, as the `authorizeWrite` of each RBAC resource's strategy (by `group/plural`,
 * as api/strategies/index.ts keys strategies): the API server adds them to the strategies it serves.
 */
export const rbacWriteChecks: ReadonlyMap<string, NonNullable<Strategy['authorizeWrite']>> = new Map([
  ['rbac.authorization.k8s.io/roles', (role, old, context) => checkRoleWrite('Role', role, old, context)],
  [
    'rbac.authorization.k8s.io/clusterroles',
    (role, old, context) => checkRoleWrite('ClusterRole', role, old, context),
  ],
  [
    'rbac.authorization.k8s.io/rolebindings',
    (binding, old, context) => checkBindingWrite('RoleBinding', binding, old, context),
  ],
  [
    'rbac.authorization.k8s.io/clusterrolebindings',
    (binding, old, context) => checkBindingWrite('ClusterRoleBinding', binding, old, context),
  ],
]);
