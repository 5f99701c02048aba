/**
 * The RBAC authorizer: a request is allowed when some binding that applies to the user grants a role
 * with a rule allowing it — ClusterRoleBindings everywhere, RoleBindings in their own namespace (a
 * RoleBinding to a ClusterRole grants that role's rules in the binding's namespace only). It never
 * denies: what no rule allows is `no-opinion`, so a later authorizer may still allow it, and the chain
 * answers 403 when none does.
 *
 * Reasons read as upstream's:
 *   allowed:  `RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters"`
 *             `RBAC: allowed by RoleBinding "readers/shop" of Role "reader" to User "alice"` (name/namespace)
 *   refused:  '' — or, when a binding that applies names a missing role,
 *             `RBAC: clusterrole.rbac.authorization.k8s.io "gone" not found` (several: `RBAC: [a, b]`)
 *
 * The same walk over the user's bindings answers what escalation prevention needs (every rule the user
 * holds) and SelfSubjectRulesReview (the same, split into resource and non-resource rules).
 */

import type {
  Attributes,
  AuthorizationResult,
  Authorizer,
  NonResourceRule,
  PolicyRule,
  PolicyRuleResolver,
  ResourceRule,
  RoleRef,
  SubjectRules,
  UserInfo,
} from '../../../api/auth.js';
import { goQuote } from '../../../api/go-quote.js';
import { notFound } from '../../../api/status.js';
import {
  type Binding,
  type PolicyIndex,
  type Subject,
  serviceAccountUsernamePrefix,
} from './policy-index.js';
import { ruleAllows } from './rule-matching.js';

export interface RbacAuthorizerOptions {
  /** Where the roles and bindings are read from; kept current by whoever feeds it. */
  readonly index: PolicyIndex;
}

/** Called for each rule that applies; return true to stop the walk. */
type RuleVisitor = (binding: Binding, subject: Subject, rule: PolicyRule) => boolean;

export class RbacAuthorizer implements Authorizer, PolicyRuleResolver {
  readonly index: PolicyIndex;

  constructor(options: RbacAuthorizerOptions) {
    this.index = options.index;
  }

  authorize(attributes: Attributes): Promise<AuthorizationResult> {
    return Promise.resolve(this.decide(attributes));
  }

  /** `authorize` without the promise: the index is in memory, so the answer is at hand. */
  decide(attributes: Attributes): AuthorizationResult {
    let allowedBy: string | undefined;
    const errors = this.#visitRules(attributes.user, attributes.namespace ?? '', (binding, subject, rule) => {
      if (!ruleAllows(attributes, rule)) return false;
      allowedBy = describeSource(binding, subject);
      return true;
    });
    if (allowedBy !== undefined) return { decision: 'allow', reason: `RBAC: allowed by ${allowedBy}` };
    return { decision: 'no-opinion', reason: errors.length > 0 ? `RBAC: ${aggregateMessages(errors)}` : '' };
  }

  async policyRulesFor(
    user: UserInfo,
    namespace: string,
  ): Promise<{ readonly rules: readonly PolicyRule[]; readonly errors: readonly string[] }> {
    const rules: PolicyRule[] = [];
    const errors = this.#visitRules(user, namespace, (_binding, _subject, rule) => {
      rules.push(rule);
      return false;
    });
    return { rules, errors };
  }

  async roleReferenceRules(roleRef: RoleRef, namespace: string): Promise<readonly PolicyRule[]> {
    const lookup = this.index.roleRules(roleRef, namespace);
    if ('rules' in lookup) return lookup.rules;
    const resource = roleRef.kind === 'Role' ? 'roles' : 'clusterroles';
    throw notFound({ group: 'rbac.authorization.k8s.io', resource }, roleRef.name);
  }

  /** SelfSubjectRulesReview: each rule as a resource rule, a non-resource rule, or both. */
  async rulesFor(user: UserInfo, namespace: string): Promise<SubjectRules> {
    const { rules, errors } = await this.policyRulesFor(user, namespace);
    const resourceRules: ResourceRule[] = [];
    const nonResourceRules: NonResourceRule[] = [];
    for (const rule of rules) {
      if ((rule.resources ?? []).length > 0) {
        resourceRules.push({
          verbs: rule.verbs,
          apiGroups: rule.apiGroups ?? [],
          resources: rule.resources ?? [],
          resourceNames: rule.resourceNames ?? [],
        });
      }
      if ((rule.nonResourceURLs ?? []).length > 0) {
        nonResourceRules.push({ verbs: rule.verbs, nonResourceURLs: rule.nonResourceURLs ?? [] });
      }
    }
    return {
      resourceRules,
      nonResourceRules,
      incomplete: false,
      ...(errors.length > 0 ? { evaluationError: aggregateMessages(errors) } : {}),
    };
  }

  /**
   * Walks the rules bound to `user`: ClusterRoleBindings first, then `namespace`'s RoleBindings (none
   * when it is ''). Returns the errors met (bindings to missing roles), in order.
   */
  #visitRules(user: UserInfo, namespace: string, visit: RuleVisitor): string[] {
    const errors: string[] = [];
    for (const scope of namespace === '' ? noNamespace : ['', namespace]) {
      for (const binding of this.index.bindingsFor(scope, user)) {
        const subject = binding.subjects.find((candidate) => appliesTo(user, candidate, scope));
        if (!subject) continue;
        const lookup = this.index.roleRules(binding.roleRef, binding.namespace);
        if ('error' in lookup) {
          errors.push(lookup.error);
          continue;
        }
        for (const rule of lookup.rules) if (visit(binding, subject, rule)) return errors;
      }
    }
    return errors;
  }
}

const noNamespace = [''];

/**
 * Whether a binding's subject is this user (upstream's appliesToUser). A ServiceAccount subject without
 * a namespace means the RoleBinding's own; in a ClusterRoleBinding (namespace '') it means nobody.
 */
export function appliesTo(user: UserInfo, subject: Subject, namespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return user.username === subject.name;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      const accountNamespace = subject.namespace || namespace;
      if (!accountNamespace) return false;
      return user.username === `${serviceAccountUsernamePrefix}${accountNamespace}:${subject.name}`;
    }
    default:
      return false;
  }
}

/** `ClusterRoleBinding "x" of ClusterRole "y" to Group "z"`; RoleBindings are named `name/namespace`. */
function describeSource(binding: Binding, subject: Subject): string {
  const bindingName = binding.kind === 'RoleBinding' ? `${binding.name}/${binding.namespace}` : binding.name;
  const subjectName =
    subject.kind === 'ServiceAccount'
      ? `${subject.name}/${subject.namespace || binding.namespace}`
      : subject.name;
  const role = `${binding.roleRef.kind} ${quote(binding.roleRef.name)}`;
  return `${binding.kind} ${quote(bindingName)} of ${role} to ${subject.kind} ${quote(subjectName)}`;
}

/** goQuote, without its per-character work for the usual plain name (this runs on every allowed request). */
function quote(text: string): string {
  return plainText.test(text) ? `"${text}"` : goQuote(text);
}
const plainText = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * Several errors as one message, as apimachinery's aggregate prints them: one alone as it is,
 * several as `[a, b]`, each distinct message once.
 */
export function aggregateMessages(messages: readonly string[]): string {
  const distinct = [...new Set(messages)];
  if (messages.length === 1 || distinct.length === 1) return distinct[0] ?? '';
  return `[${distinct.join(', ')}]`;
}
