import { describe, expect, it } from 'vitest';
import type { Attributes, UserInfo } from '../../../api/auth.js';
import type { KubeObject } from '../../../api/resource.js';
import { RbacAuthorizer } from './authorizer.js';
import { PolicyIndex, type RbacKind } from './policy-index.js';

const alice: UserInfo = { username: 'alice', groups: ['system:authenticated'] };
const bob: UserInfo = { username: 'bob', groups: ['system:authenticated', 'devs'] };
const ci: UserInfo = {
  username: 'system:serviceaccount:shop:ci',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:shop', 'system:authenticated'],
};

const role = (namespace: string, name: string, rules: object[]): KubeObject => ({
  metadata: { namespace, name },
  rules,
});
const clusterRole = (name: string, rules: object[]): KubeObject => ({ metadata: { name }, rules });
const roleBinding = (
  namespace: string,
  name: string,
  roleRef: { kind: string; name: string },
  subjects: object[],
): KubeObject => ({
  metadata: { namespace, name },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef },
  subjects,
});
const clusterRoleBinding = (name: string, roleName: string, subjects: object[]): KubeObject => ({
  metadata: { name },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
  subjects,
});
const userSubject = (name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name });
const groupSubject = (name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name });

function setup(objects: [RbacKind, KubeObject][]) {
  const index = new PolicyIndex();
  for (const [kind, object] of objects) index.apply(kind, object);
  return { index, authorizer: new RbacAuthorizer({ index }) };
}

const ask = (
  user: UserInfo,
  verb: string,
  resource: string,
  namespace?: string,
  name?: string,
): Attributes => ({
  user,
  verb,
  resourceRequest: true,
  apiGroup: '',
  resource,
  ...(namespace ? { namespace } : {}),
  ...(name ? { name } : {}),
});

const podReader = [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'] }];

describe('the RBAC authorizer', () => {
  it('allows what a RoleBinding grants in its namespace only, naming the binding as upstream does', () => {
    const { authorizer } = setup([
      ['Role', role('shop', 'pod-reader', podReader)],
      [
        'RoleBinding',
        roleBinding('shop', 'readers', { kind: 'Role', name: 'pod-reader' }, [userSubject('alice')]),
      ],
    ]);
    expect(authorizer.decide(ask(alice, 'list', 'pods', 'shop'))).toEqual({
      decision: 'allow',
      reason: 'RBAC: allowed by RoleBinding "readers/shop" of Role "pod-reader" to User "alice"',
    });
    expect(authorizer.decide(ask(alice, 'list', 'pods', 'default'))).toEqual({
      decision: 'no-opinion',
      reason: '',
    });
    expect(authorizer.decide(ask(alice, 'list', 'pods'))).toEqual({ decision: 'no-opinion', reason: '' });
    expect(authorizer.decide(ask(alice, 'delete', 'pods', 'shop', 'web')).decision).toBe('no-opinion');
    expect(authorizer.decide(ask(bob, 'list', 'pods', 'shop')).decision).toBe('no-opinion');
  });

  it('limits a RoleBinding to a ClusterRole to the binding’s namespace', () => {
    const { authorizer } = setup([
      ['ClusterRole', clusterRole('reader', podReader)],
      [
        'RoleBinding',
        roleBinding('shop', 'readers', { kind: 'ClusterRole', name: 'reader' }, [groupSubject('devs')]),
      ],
    ]);
    expect(authorizer.decide(ask(bob, 'get', 'pods', 'shop', 'web'))).toEqual({
      decision: 'allow',
      reason: 'RBAC: allowed by RoleBinding "readers/shop" of ClusterRole "reader" to Group "devs"',
    });
    expect(authorizer.decide(ask(bob, 'get', 'pods', 'other', 'web')).decision).toBe('no-opinion');
  });

  it('lets a ClusterRoleBinding of cluster-admin to system:masters do anything, resource or not', () => {
    const { authorizer } = setup([
      [
        'ClusterRole',
        clusterRole('cluster-admin', [
          { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
          { verbs: ['*'], nonResourceURLs: ['*'] },
        ]),
      ],
      [
        'ClusterRoleBinding',
        clusterRoleBinding('cluster-admin', 'cluster-admin', [groupSubject('system:masters')]),
      ],
    ]);
    const admin: UserInfo = {
      username: 'kubernetes-admin',
      groups: ['system:masters', 'system:authenticated'],
    };
    const reason =
      'RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters"';
    expect(authorizer.decide(ask(admin, 'deletecollection', 'secrets', 'kube-system'))).toEqual({
      decision: 'allow',
      reason,
    });
    expect(authorizer.decide({ user: admin, verb: 'get', resourceRequest: false, path: '/metrics' })).toEqual(
      {
        decision: 'allow',
        reason,
      },
    );
    expect(authorizer.decide(ask(alice, 'get', 'secrets', 'kube-system')).decision).toBe('no-opinion');
  });

  it('matches ServiceAccount subjects by their username, defaulting to the RoleBinding’s namespace', () => {
    const { authorizer } = setup([
      ['ClusterRole', clusterRole('reader', podReader)],
      [
        'RoleBinding',
        roleBinding('shop', 'implicit', { kind: 'ClusterRole', name: 'reader' }, [
          { kind: 'ServiceAccount', name: 'ci' },
        ]),
      ],
      [
        'RoleBinding',
        roleBinding('other', 'explicit', { kind: 'ClusterRole', name: 'reader' }, [
          { kind: 'ServiceAccount', name: 'ci', namespace: 'shop' },
        ]),
      ],
      // A ClusterRoleBinding's ServiceAccount without a namespace applies to nobody.
      [
        'ClusterRoleBinding',
        clusterRoleBinding('nobody', 'reader', [{ kind: 'ServiceAccount', name: 'ci' }]),
      ],
    ]);
    expect(authorizer.decide(ask(ci, 'list', 'pods', 'shop'))).toEqual({
      decision: 'allow',
      reason:
        'RBAC: allowed by RoleBinding "implicit/shop" of ClusterRole "reader" to ServiceAccount "ci/shop"',
    });
    expect(authorizer.decide(ask(ci, 'list', 'pods', 'other')).decision).toBe('allow');
    expect(authorizer.decide(ask(ci, 'list', 'pods', 'third')).decision).toBe('no-opinion');
    const otherAccount: UserInfo = { username: 'system:serviceaccount:other:ci', groups: [] };
    expect(authorizer.decide(ask(otherAccount, 'list', 'pods', 'other')).decision).toBe('no-opinion');
  });

  it('reports bindings to missing roles as the reason, one alone or several in brackets', () => {
    const { authorizer } = setup([
      ['ClusterRoleBinding', clusterRoleBinding('dangling', 'gone', [userSubject('alice')])],
      [
        'RoleBinding',
        roleBinding('shop', 'dangling', { kind: 'Role', name: 'missing' }, [userSubject('alice')]),
      ],
    ]);
    expect(authorizer.decide(ask(alice, 'get', 'pods'))).toEqual({
      decision: 'no-opinion',
      reason: 'RBAC: clusterrole.rbac.authorization.k8s.io "gone" not found',
    });
    expect(authorizer.decide(ask(alice, 'get', 'pods', 'shop'))).toEqual({
      decision: 'no-opinion',
      reason:
        'RBAC: [clusterrole.rbac.authorization.k8s.io "gone" not found, role.rbac.authorization.k8s.io "missing" not found]',
    });
  });

  it('follows changes: a deleted binding revokes, changed subjects move, replace forgets the old state', () => {
    const readers = roleBinding('shop', 'readers', { kind: 'ClusterRole', name: 'reader' }, [
      userSubject('alice'),
    ]);
    const { index, authorizer } = setup([
      ['ClusterRole', clusterRole('reader', podReader)],
      ['RoleBinding', readers],
    ]);
    expect(authorizer.decide(ask(alice, 'list', 'pods', 'shop')).decision).toBe('allow');

    index.apply('RoleBinding', { ...readers, subjects: [userSubject('bob')] });
    expect(authorizer.decide(ask(alice, 'list', 'pods', 'shop')).decision).toBe('no-opinion');
    expect(authorizer.decide(ask(bob, 'list', 'pods', 'shop')).decision).toBe('allow');

    index.remove('RoleBinding', readers);
    expect(authorizer.decide(ask(bob, 'list', 'pods', 'shop')).decision).toBe('no-opinion');

    index.replace('RoleBinding', [readers]);
    expect(authorizer.decide(ask(alice, 'list', 'pods', 'shop')).decision).toBe('allow');
    index.replace('ClusterRole', []);
    expect(authorizer.decide(ask(alice, 'list', 'pods', 'shop')).reason).toBe(
      'RBAC: clusterrole.rbac.authorization.k8s.io "reader" not found',
    );
    expect(index.size).toEqual({ roles: 0, clusterRoles: 0, bindings: 1 });
  });

  it('lists a user’s rules for a namespace, split into resource and non-resource rules', async () => {
    const { authorizer } = setup([
      ['ClusterRole', clusterRole('discovery', [{ verbs: ['get'], nonResourceURLs: ['/api', '/api/*'] }])],
      [
        'ClusterRoleBinding',
        clusterRoleBinding('discovery', 'discovery', [groupSubject('system:authenticated')]),
      ],
      ['Role', role('shop', 'pod-reader', podReader)],
      [
        'RoleBinding',
        roleBinding('shop', 'readers', { kind: 'Role', name: 'pod-reader' }, [userSubject('alice')]),
      ],
    ]);
    expect(await authorizer.rulesFor(alice, 'shop')).toEqual({
      resourceRules: [
        { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'], resourceNames: [] },
      ],
      nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/api', '/api/*'] }],
      incomplete: false,
    });
    expect((await authorizer.rulesFor(alice, 'default')).resourceRules).toEqual([]);
  });

  it('resolves a binding’s role, or answers 404 as the API would', async () => {
    const { authorizer } = setup([['ClusterRole', clusterRole('reader', podReader)]]);
    expect(
      await authorizer.roleReferenceRules(
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'reader' },
        '',
      ),
    ).toHaveLength(1);
    await expect(
      authorizer.roleReferenceRules(
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'x' },
        'shop',
      ),
    ).rejects.toMatchObject({ reason: 'NotFound', message: 'roles.rbac.authorization.k8s.io "x" not found' });
  });

  it('looks only at the bindings filed under the user’s name and groups', () => {
    const objects: [RbacKind, KubeObject][] = [['ClusterRole', clusterRole('reader', podReader)]];
    for (let i = 0; i < 500; i++) {
      objects.push([
        'RoleBinding',
        roleBinding('shop', `user-${i}`, { kind: 'ClusterRole', name: 'reader' }, [userSubject(`user-${i}`)]),
      ]);
    }
    const { index } = setup(objects);
    const user7 = { username: 'user-7', groups: ['system:authenticated'] };
    expect(index.bindingsFor('shop', user7).map((binding) => binding.name)).toEqual(['user-7']);
  });
});
