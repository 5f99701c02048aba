import { afterEach, describe, expect, it } from 'vitest';
import type { Attributes, UserInfo } from '../../../api/auth.js';
import type { KubeObject } from '../../../api/resource.js';
import { ensureBootstrapPolicy, reconcileClusterRole, reconcileClusterRoleBinding } from './bootstrap.js';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from './bootstrap-policy.js';
import { rulesOf } from './rule-matching.js';
import { type PolicyServer, startPolicyServer } from './test-fixture.js';

const rbac = 'rbac.authorization.k8s.io';
let policy: PolicyServer | undefined;
afterEach(async () => {
  await policy?.close();
  policy = undefined;
});

const names = (objects: readonly KubeObject[]) => objects.map((object) => object.metadata?.name);

describe('the bootstrap policy', () => {
  it('has the roles and bindings users expect, each labelled and annotated for reconciliation', () => {
    const roles = names(bootstrapClusterRoles());
    for (const expected of [
      'cluster-admin',
      'admin',
      'edit',
      'view',
      'system:basic-user',
      'system:discovery',
      'system:public-info-viewer',
      'system:node',
      'system:node-proxier',
      'system:kube-scheduler',
      'system:kube-controller-manager',
      'system:auth-delegator',
      'system:monitoring',
      'system:aggregate-to-view',
      'system:controller:replicaset-controller',
      'system:controller:deployment-controller',
      'system:controller:namespace-controller',
      'system:controller:generic-garbage-collector',
      'system:controller:service-account-controller',
      'system:controller:statefulset-controller',
      'system:controller:daemon-set-controller',
      'system:controller:endpoint-controller',
      'system:controller:endpointslice-controller',
      'system:controller:job-controller',
      'system:controller:cronjob-controller',
      'system:controller:clusterrole-aggregation-controller',
    ]) {
      expect(roles).toContain(expected);
    }
    for (const object of [...bootstrapClusterRoles(), ...bootstrapClusterRoleBindings()]) {
      expect(object.metadata?.labels?.['kubernetes.io/bootstrapping'], object.metadata?.name).toBe(
        'rbac-defaults',
      );
      expect(object.metadata?.annotations?.['rbac.authorization.kubernetes.io/autoupdate']).toBe('true');
    }
    const bindings = new Map(
      bootstrapClusterRoleBindings().map((binding) => [binding.metadata!.name!, binding]),
    );
    expect(bindings.get('cluster-admin')?.subjects).toEqual([
      { apiGroup: rbac, kind: 'Group', name: 'system:masters' },
    ]);
    expect(bindings.get('system:public-info-viewer')?.subjects).toEqual([
      { apiGroup: rbac, kind: 'Group', name: 'system:authenticated' },
      { apiGroup: rbac, kind: 'Group', name: 'system:unauthenticated' },
    ]);
    expect(bindings.get('system:controller:replicaset-controller')?.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'replicaset-controller', namespace: 'kube-system' },
    ]);
    // Nodes are authorized by the Node authorizer, not through this binding.
    expect(bindings.get('system:node')?.subjects).toBeUndefined();
  });

  it('is created on a first start, aggregated roles filled, and left alone on the next', async () => {
    policy = await startPolicyServer();
    expect(policy.bootstrap.created).toContain('clusterroles/cluster-admin');
    expect(policy.bootstrap.created).toContain('clusterrolebindings/system:kube-scheduler');
    expect(policy.bootstrap.updated).toEqual([
      'clusterroles/admin',
      'clusterroles/edit',
      'clusterroles/view',
    ]);

    const roles = policy.storeOf(rbac, 'clusterroles');
    const view = rulesOf(await roles.get(undefined, 'view'));
    const edit = rulesOf(await roles.get(undefined, 'edit'));
    const admin = rulesOf(await roles.get(undefined, 'admin'));
    expect(view).toEqual(rulesOf(await roles.get(undefined, 'system:aggregate-to-view')));
    expect(edit).toEqual(expect.arrayContaining(view));
    expect(admin).toEqual(expect.arrayContaining(edit));
    expect(admin.length).toBeGreaterThan(edit.length);

    expect(await ensureBootstrapPolicy(policy.server.stores)).toEqual({
      created: [],
      updated: [],
      recreated: [],
    });
  });

  it('gives back missing rules, labels and subjects, keeps what users added, and respects autoupdate=false', async () => {
    policy = await startPolicyServer();
    const roles = policy.storeOf(rbac, 'clusterroles');
    const bindings = policy.storeOf(rbac, 'clusterrolebindings');
    const basicUser = await roles.get(undefined, 'system:basic-user');
    await policy.update(rbac, 'clusterroles', {
      ...basicUser,
      metadata: { ...basicUser.metadata, labels: { mine: 'yes' } },
      rules: [{ verbs: ['get'], apiGroups: ['example.com'], resources: ['widgets'] }],
    });
    const monitoring = await roles.get(undefined, 'system:monitoring');
    await policy.update(rbac, 'clusterroles', {
      ...monitoring,
      metadata: {
        ...monitoring.metadata,
        annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'false' },
      },
      rules: [],
    });
    const discovery = await bindings.get(undefined, 'system:discovery');
    await policy.update(rbac, 'clusterrolebindings', { ...discovery, subjects: [] });

    const result = await ensureBootstrapPolicy(policy.server.stores);
    expect(result.updated).toEqual([
      'clusterroles/system:basic-user',
      'clusterrolebindings/system:discovery',
    ]);

    const reconciled = await roles.get(undefined, 'system:basic-user');
    expect(reconciled.metadata?.labels).toEqual({
      mine: 'yes',
      'kubernetes.io/bootstrapping': 'rbac-defaults',
    });
    expect(rulesOf(reconciled)).toEqual([
      rulesOf({ rules: [{ verbs: ['get'], apiGroups: ['example.com'], resources: ['widgets'] }] })[0],
      ...rulesOf({
        rules: [
          { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews'] },
          { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectrulesreviews'] },
          { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] },
        ],
      }),
    ]);
    expect((await roles.get(undefined, 'system:monitoring')).rules).toEqual([]);
    expect((await bindings.get(undefined, 'system:discovery')).subjects).toEqual([
      { apiGroup: rbac, kind: 'Group', name: 'system:authenticated' },
    ]);
  });

  it('deletes and recreates a bootstrap binding whose roleRef was changed', () => {
    const [expected] = bootstrapClusterRoleBindings().filter(
      (binding) => binding.metadata?.name === 'system:basic-user',
    );
    const existing = {
      ...expected!,
      roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: 'view' },
      subjects: [{ apiGroup: rbac, kind: 'User', name: 'zoe' }],
    };
    const result = reconcileClusterRoleBinding(existing, expected!);
    expect(result.action).toBe('recreate');
    expect(result.action !== 'none' && result.object.roleRef).toEqual(expected!.roleRef);
    expect(result.action !== 'none' && result.object.subjects).toEqual([
      { apiGroup: rbac, kind: 'User', name: 'zoe' },
      { apiGroup: rbac, kind: 'Group', name: 'system:authenticated' },
    ]);
  });

  it('drops an aggregation rule the bootstrap role does not have and adds missing selectors', () => {
    const [expectedView] = bootstrapClusterRoles().filter((role) => role.metadata?.name === 'view');
    const withoutSelector = reconcileClusterRole(
      { ...expectedView!, aggregationRule: { clusterRoleSelectors: [] } },
      expectedView!,
    );
    expect(withoutSelector.action !== 'none' && withoutSelector.object.aggregationRule).toEqual(
      expectedView!.aggregationRule,
    );
    const [expectedAdmin] = bootstrapClusterRoles().filter((role) => role.metadata?.name === 'cluster-admin');
    const aggregated = reconcileClusterRole(
      { ...expectedAdmin!, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { a: 'b' } }] } },
      expectedAdmin!,
    );
    expect(aggregated.action !== 'none' && aggregated.object.aggregationRule).toBeUndefined();
  });
});

describe('what the bootstrap policy allows', () => {
  const anonymous: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };
  const alice: UserInfo = { username: 'alice', groups: ['system:authenticated'] };
  const scheduler: UserInfo = { username: 'system:kube-scheduler', groups: ['system:authenticated'] };
  const replicaSets: UserInfo = {
    username: 'system:serviceaccount:kube-system:replicaset-controller',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
  };
  const resource = (
    user: UserInfo,
    verb: string,
    group: string,
    plural: string,
    extra: Partial<Attributes> = {},
  ) => ({
    user,
    verb,
    resourceRequest: true,
    apiGroup: group,
    resource: plural,
    ...extra,
  });
  const path = (user: UserInfo, requestPath: string): Attributes => ({
    user,
    verb: 'get',
    resourceRequest: false,
    path: requestPath,
  });

  it.each<[string, () => Attributes, 'allow' | 'no-opinion']>([
    ['anonymous users read /healthz and /version', () => path(anonymous, '/version'), 'allow'],
    ['anonymous users do not read discovery', () => path(anonymous, '/apis'), 'no-opinion'],
    ['authenticated users read discovery', () => path(alice, '/apis/apps/v1'), 'allow'],
    [
      'authenticated users ask what they may do',
      () => resource(alice, 'create', 'authorization.k8s.io', 'selfsubjectaccessreviews'),
      'allow',
    ],
    [
      'authenticated users list their rules',
      () => resource(alice, 'create', 'authorization.k8s.io', 'selfsubjectrulesreviews'),
      'allow',
    ],
    [
      'authenticated users read no pods',
      () => resource(alice, 'list', '', 'pods', { namespace: 'default' }),
      'no-opinion',
    ],
    [
      'the scheduler binds pods',
      () => resource(scheduler, 'create', '', 'pods', { namespace: 'a', subresource: 'binding', name: 'p' }),
      'allow',
    ],
    [
      'the scheduler holds its own lease',
      () =>
        resource(scheduler, 'update', 'coordination.k8s.io', 'leases', {
          namespace: 'kube-system',
          name: 'kube-scheduler',
        }),
      'allow',
    ],
    [
      'the scheduler holds no other lease',
      () =>
        resource(scheduler, 'update', 'coordination.k8s.io', 'leases', {
          namespace: 'kube-system',
          name: 'other',
        }),
      'no-opinion',
    ],
    [
      'the ReplicaSet controller creates pods',
      () => resource(replicaSets, 'create', '', 'pods', { namespace: 'a' }),
      'allow',
    ],
    [
      'the ReplicaSet controller deletes no deployments',
      () => resource(replicaSets, 'delete', 'apps', 'deployments', { namespace: 'a', name: 'd' }),
      'no-opinion',
    ],
  ])('%s', async (_name, attributes, decision) => {
    policy ??= await startPolicyServer();
    expect((await policy.authorization.authorizer.authorize(attributes())).decision).toBe(decision);
  });
});
