import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserInfo } from '../../../api/auth.js';
import type { KubeObject } from '../../../api/resource.js';
import { type PolicyServer, startPolicyServer } from './test-fixture.js';

/**
 * Escalation prevention through the resources' own admission, against the live policy: bob may manage
 * roles and bindings in `shop` and read pods there, nothing more.
 */
const rbac = 'rbac.authorization.k8s.io';
const bob: UserInfo = { username: 'bob', groups: ['system:authenticated', 'devs'] };
const admin: UserInfo = { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };

let policy: PolicyServer;

const role = (name: string, rules: object[], namespace = 'shop'): KubeObject => ({
  apiVersion: `${rbac}/v1`,
  kind: 'Role',
  metadata: { name, namespace },
  rules,
});
const roleBinding = (
  name: string,
  roleRef: { kind: string; name: string },
  subjects: object[],
): KubeObject => ({
  apiVersion: `${rbac}/v1`,
  kind: 'RoleBinding',
  metadata: { name, namespace: 'shop' },
  roleRef: { apiGroup: rbac, ...roleRef },
  subjects,
});
const bobSubject = { apiGroup: rbac, kind: 'User', name: 'bob' };
const carol = { apiGroup: rbac, kind: 'User', name: 'carol' };

beforeAll(async () => {
  policy = await startPolicyServer();
  await policy.create('', 'namespaces', { metadata: { name: 'shop' } });
  await policy.create(
    rbac,
    'roles',
    role('pod-reader', [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'] }]),
  );
  await policy.create(
    rbac,
    'roles',
    role('rbac-manager', [
      { verbs: ['create', 'update', 'get'], apiGroups: [rbac], resources: ['roles', 'rolebindings'] },
    ]),
  );
  await policy.create(
    rbac,
    'rolebindings',
    roleBinding('bob-reads', { kind: 'Role', name: 'pod-reader' }, [bobSubject]),
  );
  await policy.create(
    rbac,
    'rolebindings',
    roleBinding('bob-manages', { kind: 'Role', name: 'rbac-manager' }, [bobSubject]),
  );
});
afterAll(async () => {
  await policy?.close();
});

describe('escalation prevention', () => {
  it('lets a user create a Role holding only rules they hold', async () => {
    const created = await policy.create(
      rbac,
      'roles',
      role('pod-getter', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]),
      bob,
    );
    expect(created.metadata?.uid).toBeTruthy();
  });

  it('refuses a Role granting more, with upstream’s 403 and the missing rules compacted', async () => {
    const attempt = policy.create(
      rbac,
      'roles',
      role('secret-reader', [
        { verbs: ['get', 'list'], apiGroups: [''], resources: ['secrets'] },
        { verbs: ['get'], apiGroups: [''], resources: ['pods'] },
      ]),
      bob,
    );
    await expect(attempt).rejects.toMatchObject({
      code: 403,
      reason: 'Forbidden',
      message:
        'roles.rbac.authorization.k8s.io "secret-reader" is forbidden: user "bob" (groups=["system:authenticated" "devs"]) ' +
        'is attempting to grant RBAC permissions not currently held:\n' +
        '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}',
    });
    expect(await policy.storeOf(rbac, 'roles').find('shop', 'secret-reader')).toBeUndefined();
  });

  it('refuses an update that adds rules not held, but not one that only changes ownerReferences', async () => {
    const current = await policy.storeOf(rbac, 'roles').get('shop', 'pod-reader');
    await expect(
      policy.update(
        rbac,
        'roles',
        { ...current, rules: [{ verbs: ['*'], apiGroups: [''], resources: ['pods'] }] },
        { username: 'dave', groups: ['system:authenticated'] },
      ),
    ).rejects.toMatchObject({ code: 403 });
    const owned = await policy.update(
      rbac,
      'roles',
      {
        ...current,
        metadata: {
          ...current.metadata,
          ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: 'u-1' }],
        },
      },
      { username: 'dave', groups: ['system:authenticated'] },
    );
    expect(owned.metadata?.ownerReferences).toHaveLength(1);
  });

  it('lets anyone granted `escalate` on roles write any Role', async () => {
    await policy.create(
      rbac,
      'roles',
      role('escalator', [{ verbs: ['escalate'], apiGroups: [rbac], resources: ['roles'] }]),
    );
    await policy.create(
      rbac,
      'rolebindings',
      roleBinding('bob-escalates', { kind: 'Role', name: 'escalator' }, [bobSubject]),
    );
    const created = await policy.create(
      rbac,
      'roles',
      role('anything', [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]),
      bob,
    );
    expect(created.metadata?.name).toBe('anything');
  });

  it('refuses a binding to a role whose rules the user lacks, and allows one to a role they hold', async () => {
    await expect(
      policy.create(
        rbac,
        'rolebindings',
        roleBinding('carol-admin', { kind: 'ClusterRole', name: 'admin' }, [carol]),
        bob,
      ),
    ).rejects.toMatchObject({
      code: 403,
      message: expect.stringMatching(
        /^rolebindings\.rbac\.authorization\.k8s\.io "carol-admin" is forbidden: user "bob" .* is attempting to grant RBAC permissions not currently held:\n/,
      ),
    });
    const held = await policy.create(
      rbac,
      'rolebindings',
      roleBinding('carol-reads', { kind: 'Role', name: 'pod-reader' }, [carol]),
      bob,
    );
    expect(held.metadata?.name).toBe('carol-reads');
  });

  it('allows a binding to any role the user may `bind`', async () => {
    await policy.create(
      rbac,
      'roles',
      role('admin-binder', [
        { verbs: ['bind'], apiGroups: [rbac], resources: ['clusterroles'], resourceNames: ['admin'] },
      ]),
    );
    await policy.create(
      rbac,
      'rolebindings',
      roleBinding('bob-binds', { kind: 'Role', name: 'admin-binder' }, [bobSubject]),
    );
    const bound = await policy.create(
      rbac,
      'rolebindings',
      roleBinding('carol-admin', { kind: 'ClusterRole', name: 'admin' }, [carol]),
      bob,
    );
    expect(bound.roleRef).toEqual({ apiGroup: rbac, kind: 'ClusterRole', name: 'admin' });
    // `bind` on admin says nothing about edit.
    await expect(
      policy.create(
        rbac,
        'rolebindings',
        roleBinding('carol-edit', { kind: 'ClusterRole', name: 'edit' }, [carol]),
        bob,
      ),
    ).rejects.toMatchObject({ code: 403 });
  });

  it('answers 404 for a binding to a role that does not exist', async () => {
    await expect(
      policy.create(
        rbac,
        'rolebindings',
        roleBinding('to-nothing', { kind: 'Role', name: 'nothing' }, [carol]),
        bob,
      ),
    ).rejects.toMatchObject({ code: 404, message: 'roles.rbac.authorization.k8s.io "nothing" not found' });
  });

  it('lets system:masters, and writes with no requester, grant anything', async () => {
    const everything = [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }];
    expect((await policy.create(rbac, 'roles', role('by-admin', everything), admin)).metadata?.name).toBe(
      'by-admin',
    );
    expect((await policy.create(rbac, 'roles', role('by-server', everything))).metadata?.name).toBe(
      'by-server',
    );
  });

  it('demands full authority for an aggregationRule, even with no rules', async () => {
    await policy.create(rbac, 'clusterroles', {
      metadata: { name: 'clusterrole-writer' },
      rules: [{ verbs: ['create'], apiGroups: [rbac], resources: ['clusterroles'] }],
    });
    await policy.create(rbac, 'clusterrolebindings', {
      metadata: { name: 'bob-writes-clusterroles' },
      roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: 'clusterrole-writer' },
      subjects: [bobSubject],
    });
    await expect(
      policy.create(
        rbac,
        'clusterroles',
        {
          metadata: { name: 'gatherer' },
          aggregationRule: { clusterRoleSelectors: [{ matchLabels: { gather: 'true' } }] },
        },
        bob,
      ),
    ).rejects.toMatchObject({
      code: 403,
      message:
        'clusterroles.rbac.authorization.k8s.io "gatherer" is forbidden: must have cluster-admin privileges to use the aggregationRule',
    });
  });
});

describe('RBAC validation and defaults', () => {
  it('defaults the roleRef’s and User subjects’ apiGroup', async () => {
    const created = await policy.create(rbac, 'rolebindings', {
      metadata: { name: 'defaulted', namespace: 'shop' },
      roleRef: { kind: 'Role', name: 'pod-reader' },
      subjects: [
        { kind: 'User', name: 'erin' },
        { kind: 'ServiceAccount', name: 'ci' },
      ],
    });
    expect(created.roleRef).toEqual({ apiGroup: rbac, kind: 'Role', name: 'pod-reader' });
    expect(created.subjects).toEqual([
      { kind: 'User', apiGroup: rbac, name: 'erin' },
      { kind: 'ServiceAccount', name: 'ci' },
    ]);
  });

  it('refuses a changed roleRef, a ClusterRoleBinding to a Role and namespaced non-resource URLs', async () => {
    const current = await policy.storeOf(rbac, 'rolebindings').get('shop', 'defaulted');
    await expect(
      policy.update(rbac, 'rolebindings', {
        ...current,
        roleRef: { apiGroup: rbac, kind: 'Role', name: 'rbac-manager' },
      }),
    ).rejects.toMatchObject({ code: 422, message: expect.stringContaining('roleRef: Invalid value') });
    await expect(
      policy.create(rbac, 'clusterrolebindings', {
        metadata: { name: 'wrong-kind' },
        roleRef: { apiGroup: rbac, kind: 'Role', name: 'x' },
        subjects: [{ kind: 'ServiceAccount', name: 'ci' }],
      }),
    ).rejects.toMatchObject({
      code: 422,
      message:
        'ClusterRoleBinding.rbac.authorization.k8s.io "wrong-kind" is invalid: [roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole", subjects[0].namespace: Required value]',
    });
    await expect(
      policy.create(rbac, 'roles', role('urls', [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }])),
    ).rejects.toMatchObject({
      code: 422,
      message:
        'Role.rbac.authorization.k8s.io "urls" is invalid: rules[0].nonResourceURLs: Invalid value: ["/healthz"]: namespaced rules cannot apply to non-resource URLs',
    });
  });
});
