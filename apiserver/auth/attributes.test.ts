import { describe, expect, it } from 'vitest';
import type { Attributes, UserInfo } from '../../api/auth.js';
import { forbiddenError, requestAttributes } from './attributes.js';

const bob: UserInfo = { username: 'bob', groups: ['system:authenticated'] };

describe('request attributes', () => {
  it.each<[string, string, Record<string, unknown>, Omit<Attributes, 'user'>]>([
    [
      'GET',
      '/api/v1/namespaces/shop/pods/web',
      {},
      {
        verb: 'get',
        resourceRequest: true,
        apiGroup: '',
        apiVersion: 'v1',
        resource: 'pods',
        namespace: 'shop',
        name: 'web',
      },
    ],
    [
      'GET',
      '/apis/apps/v1/deployments',
      { watch: 'true' },
      { verb: 'watch', resourceRequest: true, apiGroup: 'apps', apiVersion: 'v1', resource: 'deployments' },
    ],
    [
      'GET',
      '/api/v1/namespaces/shop',
      {},
      {
        verb: 'get',
        resourceRequest: true,
        apiGroup: '',
        apiVersion: 'v1',
        resource: 'namespaces',
        namespace: 'shop',
        name: 'shop',
      },
    ],
    [
      'PUT',
      '/apis/apps/v1/namespaces/shop/deployments/web/scale',
      {},
      {
        verb: 'update',
        resourceRequest: true,
        apiGroup: 'apps',
        apiVersion: 'v1',
        resource: 'deployments',
        subresource: 'scale',
        namespace: 'shop',
        name: 'web',
      },
    ],
    [
      'GET',
      '/api/v1/nodes',
      { fieldSelector: 'metadata.name=node-1' },
      {
        verb: 'list',
        resourceRequest: true,
        apiGroup: '',
        apiVersion: 'v1',
        resource: 'nodes',
        name: 'node-1',
        fieldSelector: 'metadata.name=node-1',
      },
    ],
    [
      'DELETE',
      '/api/v1/namespaces/shop/pods',
      { fieldSelector: 'spec.nodeName=n' },
      {
        verb: 'deletecollection',
        resourceRequest: true,
        apiGroup: '',
        apiVersion: 'v1',
        resource: 'pods',
        namespace: 'shop',
        fieldSelector: 'spec.nodeName=n',
      },
    ],
    ['GET', '/version', {}, { verb: 'get', resourceRequest: false, path: '/version' }],
    ['GET', '/apis/apps/v1', {}, { verb: 'get', resourceRequest: false, path: '/apis/apps/v1' }],
    ['HEAD', '/healthz', {}, { verb: 'head', resourceRequest: false, path: '/healthz' }],
    ['POST', '/openapi/v3', {}, { verb: 'post', resourceRequest: false, path: '/openapi/v3' }],
  ])('%s %s %j', (method, path, query, expected) => {
    expect(requestAttributes(bob, { method, path, query })).toEqual({ user: bob, ...expected });
  });
});

describe('the 403 for a refused request', () => {
  it.each<[string, Omit<Attributes, 'user'>, string, string]>([
    [
      'a named object in a namespace',
      { verb: 'get', resourceRequest: true, apiGroup: '', resource: 'pods', namespace: 'shop', name: 'web' },
      '',
      'pods "web" is forbidden: User "bob" cannot get resource "pods" in API group "" in the namespace "shop"',
    ],
    [
      'a cluster-scoped list',
      { verb: 'list', resourceRequest: true, apiGroup: '', resource: 'nodes' },
      '',
      'nodes is forbidden: User "bob" cannot list resource "nodes" in API group "" at the cluster scope',
    ],
    [
      'a subresource in a named group, with the authorizer’s reason',
      {
        verb: 'update',
        resourceRequest: true,
        apiGroup: 'apps',
        resource: 'deployments',
        subresource: 'scale',
        namespace: 'shop',
        name: 'web',
      },
      'RBAC: clusterrole.rbac.authorization.k8s.io "gone" not found',
      'deployments.apps "web" is forbidden: User "bob" cannot update resource "deployments/scale" in API group "apps" in the namespace "shop": RBAC: clusterrole.rbac.authorization.k8s.io "gone" not found',
    ],
    [
      'a path',
      { verb: 'get', resourceRequest: false, path: '/metrics' },
      '',
      'forbidden: User "bob" cannot get path "/metrics"',
    ],
  ])('%s', (_name, attributes, reason, message) => {
    const error = forbiddenError({ user: bob, ...attributes }, reason);
    expect(error.code).toBe(403);
    expect(error.reason).toBe('Forbidden');
    expect(error.message).toBe(message);
  });
});
