/**
 * Authorizers in a row, as kube-apiserver's union authorizer: each is asked in turn and the first
 * `allow` or `deny` is the answer; when all have no opinion, their reasons are joined with newlines
 * (for the 403 message). `rulesFor` gathers every link's rules: `incomplete` when any link's are, and
 * the links' evaluation errors joined.
 *
 * The privileged-groups link comes first in upstream's chain: members of system:masters may do
 * anything, whatever the RBAC objects say (the cluster-admin binding grants them the same; this
 * keeps them in even after someone deletes that binding).
 */
import type {
  Attributes,
  AuthorizationResult,
  Authorizer,
  SubjectRules,
  UserInfo,
} from '../../../api/auth.js';
import { aggregateMessages } from './authorizer.js';

export class AuthorizerChain implements Authorizer {
  readonly #links: readonly Authorizer[];

  constructor(links: readonly Authorizer[]) {
    this.#links = links;
  }

  async authorize(attributes: Attributes): Promise<AuthorizationResult> {
    const reasons: string[] = [];
    for (const link of this.#links) {
      const result = await link.authorize(attributes);
      if (result.decision !== 'no-opinion') return result;
      if (result.reason !== '') reasons.push(result.reason);
    }
    return { decision: 'no-opinion', reason: reasons.join('\n') };
  }

  async rulesFor(user: UserInfo, namespace: string): Promise<SubjectRules> {
    const resourceRules: SubjectRules['resourceRules'][number][] = [];
    const nonResourceRules: SubjectRules['nonResourceRules'][number][] = [];
    const errors: string[] = [];
    let incomplete = false;
    for (const link of this.#links) {
      if (!link.rulesFor) continue;
      const rules = await link.rulesFor(user, namespace);
      resourceRules.push(...rules.resourceRules);
      nonResourceRules.push(...rules.nonResourceRules);
      incomplete ||= rules.incomplete;
      if (rules.evaluationError) errors.push(rules.evaluationError);
    }
    return {
      resourceRules,
      nonResourceRules,
      incomplete,
      ...(errors.length > 0 ? { evaluationError: aggregateMessages(errors) } : {}),
    };
  }
}

/** Allows every request from a member of one of `groups` (upstream's privileged-groups authorizer). */
export function privilegedGroupsAuthorizer(groups: readonly string[]): Authorizer {
  return {
    async authorize(attributes) {
      const privileged = attributes.user.groups.some((group) => groups.includes(group));
      return { decision: privileged ? 'allow' : 'no-opinion', reason: '' };
    },
  };
}
