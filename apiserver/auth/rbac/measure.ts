/**
 * The cost of one authorization, for `npm run bench -- auth`: the whole chain (system:masters, Node,
 * RBAC) over the bootstrap policy plus `bindings` RoleBindings, each for its own user, spread over 50
 * namespaces. One call is what the API server pays per request; the figures are nanoseconds per call,
 * for a request a RoleBinding allows and for one nothing allows (which walks every binding that could
 * apply to the user, so it is the slower of the two).
 */

import type { Attributes } from '../../../api/auth.js';
import type { KubeObject } from '../../../api/resource.js';
import { aggregatedRules } from './aggregation.js';
import { createAuthorization } from './authorization.js';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from './bootstrap-policy.js';

export interface AuthorizeMeasurement {
  readonly bindings: number;
  readonly calls: number;
  readonly allowedNanosecondsPerCall: number;
  readonly refusedNanosecondsPerCall: number;
  /** What the two requests were answered, to show the figures measure the work intended. */
  readonly decisions: { readonly allowed: string; readonly refused: string };
}

export async function measureAuthorize(
  options: { bindings?: number; calls?: number } = {},
): Promise<AuthorizeMeasurement> {
  const bindings = options.bindings ?? 1000;
  const calls = options.calls ?? 20_000;
  const authorization = createAuthorization();
  const { index } = authorization.rbac;

  const roles = bootstrapClusterRoles();
  // Aggregated roles filled as the controller fills them, so `edit` and `view` mean what they say.
  for (let pass = 0; pass < 3; pass++) {
    for (const role of roles) role.rules = aggregatedRules(role, roles) ?? role.rules;
  }
  for (const role of roles) index.apply('ClusterRole', role);
  for (const binding of bootstrapClusterRoleBindings()) index.apply('ClusterRoleBinding', binding);
  for (let i = 0; i < bindings; i++) {
    const binding: KubeObject = {
      metadata: { name: `user-${i}-${i % 2 === 0 ? 'edit' : 'view'}`, namespace: `team-${i % 50}` },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: i % 2 === 0 ? 'edit' : 'view',
      },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: `user-${i}` }],
    };
    index.apply('RoleBinding', binding);
  }

  const someone = Math.floor(bindings / 2);
  const user = { username: `user-${someone}`, groups: ['system:authenticated'] };
  const namespace = `team-${someone % 50}`;
  const allowed: Attributes = {
    user,
    verb: 'list',
    resourceRequest: true,
    apiGroup: '',
    apiVersion: 'v1',
    resource: 'pods',
    namespace,
  };
  const refused: Attributes = { ...allowed, verb: 'delete', resource: 'nodes', name: 'n1' };
  const { authorizer } = authorization;

  const time = async (attributes: Attributes) => {
    for (let i = 0; i < Math.min(calls, 2000); i++) await authorizer.authorize(attributes); // warm up
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) await authorizer.authorize(attributes);
    return Number(process.hrtime.bigint() - start) / calls;
  };
  const result: AuthorizeMeasurement = {
    bindings,
    calls,
    allowedNanosecondsPerCall: await time(allowed),
    refusedNanosecondsPerCall: await time(refused),
    decisions: {
      allowed: (await authorizer.authorize(allowed)).decision,
      refused: (await authorizer.authorize(refused)).decision,
    },
  };
  authorization.stop();
  return result;
}
