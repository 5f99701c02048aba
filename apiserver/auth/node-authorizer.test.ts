import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Attributes, UserInfo } from '../../api/auth.js';
import type { KubeObject } from '../../api/resource.js';
import { NodeAuthorizer, NodeGraph, podReferences } from './node-authorizer.js';
import { type PolicyServer, startPolicyServer } from './rbac/test-fixture.js';

const nodeUser = (name: string): UserInfo => ({
  username: `system:node:${name}`,
  groups: ['system:nodes', 'system:authenticated'],
});
const nodeA = nodeUser('node-a');
const nodeB = nodeUser('node-b');

function pod(name: string, nodeName: string | undefined, spec: Record<string, unknown> = {}): KubeObject {
  return {
    metadata: { name, namespace: 'shop' },
    spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'app', image: 'app' }], ...spec },
  };
}

const webPod = pod('web', 'node-a', {
  serviceAccountName: 'web-sa',
  imagePullSecrets: [{ name: 'registry' }],
  containers: [
    {
      name: 'app',
      image: 'app',
      env: [{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db-password', key: 'p' } } }],
      envFrom: [{ configMapRef: { name: 'settings' } }],
    },
  ],
  volumes: [
    { name: 'tls', secret: { secretName: 'web-tls' } },
    { name: 'data', persistentVolumeClaim: { claimName: 'web-data' } },
    { name: 'bundle', projected: { sources: [{ configMap: { name: 'ca-bundle' } }] } },
  ],
});
const dbPod = pod('db', 'node-b', { volumes: [{ name: 'tls', secret: { secretName: 'db-tls' } }] });

function resource(user: UserInfo, verb: string, plural: string, extra: Partial<Attributes> = {}): Attributes {
  return { user, verb, resourceRequest: true, apiGroup: '', resource: plural, namespace: 'shop', ...extra };
}

function graphWith(...objects: [kind: 'pod' | 'claim' | 'volume', object: KubeObject][]): NodeAuthorizer {
  const graph = new NodeGraph();
  for (const [kind, object] of objects) {
    if (kind === 'pod') graph.setPod(object);
    else if (kind === 'claim') graph.setClaim(object);
    else graph.setVolume(object);
  }
  return new NodeAuthorizer({ graph });
}

describe('what a pod uses', () => {
  it('reads secrets, config maps, claims and its service account from every place a pod names them', () => {
    expect(podReferences(webPod).sort()).toEqual([
      'configmap/shop/ca-bundle',
      'configmap/shop/settings',
      'pvc/shop/web-data',
      'secret/shop/db-password',
      'secret/shop/registry',
      'secret/shop/web-tls',
      'serviceaccount/shop/web-sa',
    ]);
  });
});

describe('the Node authorizer', () => {
  const authorizer = graphWith(
    ['pod', webPod],
    ['pod', dbPod],
    ['claim', { metadata: { name: 'web-data', namespace: 'shop' }, spec: { volumeName: 'pv-1' } }],
    [
      'volume',
      {
        metadata: { name: 'pv-1' },
        spec: {
          csi: {
            driver: 'd',
            volumeHandle: 'h',
            nodePublishSecretRef: { name: 'csi-creds', namespace: 'storage' },
          },
        },
      },
    ],
  );

  it.each<[string, Attributes, 'allow' | 'no-opinion', string]>([
    ['a secret its pod mounts', resource(nodeA, 'get', 'secrets', { name: 'web-tls' }), 'allow', ''],
    [
      'a secret its pod reads in env',
      resource(nodeA, 'watch', 'secrets', { name: 'db-password' }),
      'allow',
      '',
    ],
    ['an image pull secret', resource(nodeA, 'get', 'secrets', { name: 'registry' }), 'allow', ''],
    ['a config map from envFrom', resource(nodeA, 'get', 'configmaps', { name: 'settings' }), 'allow', ''],
    ['a projected config map', resource(nodeA, 'list', 'configmaps', { name: 'ca-bundle' }), 'allow', ''],
    [
      'another node’s pod’s secret',
      resource(nodeA, 'get', 'secrets', { name: 'db-tls' }),
      'no-opinion',
      "no relationship found between node 'node-a' and this object",
    ],
    [
      'a secret no pod uses',
      resource(nodeA, 'get', 'secrets', { name: 'unused' }),
      'no-opinion',
      "no relationship found between node 'node-a' and this object",
    ],
    ['all secrets', resource(nodeA, 'list', 'secrets'), 'no-opinion', 'No Object name found'],
    [
      'writing a secret',
      resource(nodeA, 'update', 'secrets', { name: 'web-tls' }),
      'no-opinion',
      'can only read resources of this type',
    ],
    ['its pod’s claim', resource(nodeA, 'get', 'persistentvolumeclaims', { name: 'web-data' }), 'allow', ''],
    [
      'its pod’s claim’s status',
      resource(nodeA, 'patch', 'persistentvolumeclaims', { name: 'web-data', subresource: 'status' }),
      'allow',
      '',
    ],
    [
      'listing claims',
      resource(nodeA, 'list', 'persistentvolumeclaims'),
      'no-opinion',
      'can only get individual resources of this type',
    ],
    [
      'its pod’s volume',
      resource(nodeA, 'get', 'persistentvolumes', { namespace: undefined, name: 'pv-1' }),
      'allow',
      '',
    ],
    [
      'a secret its pod’s volume references',
      { ...resource(nodeA, 'get', 'secrets', { name: 'csi-creds' }), namespace: 'storage' },
      'allow',
      '',
    ],
    [
      'that volume’s secret, for another node',
      { ...resource(nodeB, 'get', 'secrets', { name: 'csi-creds' }), namespace: 'storage' },
      'no-opinion',
      "no relationship found between node 'node-b' and this object",
    ],
    [
      'a token for its pod’s service account',
      resource(nodeA, 'create', 'serviceaccounts', { name: 'web-sa', subresource: 'token' }),
      'allow',
      '',
    ],
    [
      'a token for another account',
      resource(nodeA, 'create', 'serviceaccounts', { name: 'default', subresource: 'token' }),
      'no-opinion',
      "no relationship found between node 'node-a' and this object",
    ],
    [
      'reading a service account',
      resource(nodeA, 'get', 'serviceaccounts', { name: 'web-sa' }),
      'no-opinion',
      'can only create tokens for individual service accounts',
    ],
    ['its own pod', resource(nodeA, 'get', 'pods', { name: 'web' }), 'allow', ''],
    [
      'another node’s pod',
      resource(nodeA, 'get', 'pods', { name: 'db' }),
      'no-opinion',
      "no relationship found between node 'node-a' and this object",
    ],
    [
      'its pods by spec.nodeName',
      resource(nodeA, 'watch', 'pods', { namespace: undefined, fieldSelector: 'spec.nodeName=node-a' }),
      'allow',
      '',
    ],
    [
      'another node’s pods by spec.nodeName',
      resource(nodeA, 'list', 'pods', { fieldSelector: 'spec.nodeName=node-b' }),
      'no-opinion',
      'can only list/watch pods with spec.nodeName field selector',
    ],
    [
      'every pod',
      resource(nodeA, 'list', 'pods', { namespace: undefined }),
      'no-opinion',
      'can only list/watch pods with spec.nodeName field selector',
    ],
    ['a pod’s status', resource(nodeA, 'patch', 'pods', { name: 'web', subresource: 'status' }), 'allow', ''],
    ['its own Node', resource(nodeA, 'get', 'nodes', { namespace: undefined, name: 'node-a' }), 'allow', ''],
    [
      'its own Node, watched by name',
      resource(nodeA, 'watch', 'nodes', { namespace: undefined, fieldSelector: 'metadata.name=node-a' }),
      'allow',
      '',
    ],
    [
      'another Node',
      resource(nodeA, 'get', 'nodes', { namespace: undefined, name: 'node-b' }),
      'no-opinion',
      "node 'node-a' cannot read 'node-b', only its own Node object",
    ],
    [
      'every Node',
      resource(nodeA, 'list', 'nodes', { namespace: undefined }),
      'no-opinion',
      "node 'node-a' cannot read all nodes, only its own Node object",
    ],
    [
      'its Node’s status',
      resource(nodeA, 'update', 'nodes', { namespace: undefined, name: 'node-a', subresource: 'status' }),
      'allow',
      '',
    ],
    [
      'its own Lease',
      resource(nodeA, 'update', 'leases', {
        apiGroup: 'coordination.k8s.io',
        namespace: 'kube-node-lease',
        name: 'node-a',
      }),
      'allow',
      '',
    ],
    [
      'another node’s Lease',
      resource(nodeA, 'update', 'leases', {
        apiGroup: 'coordination.k8s.io',
        namespace: 'kube-node-lease',
        name: 'node-b',
      }),
      'no-opinion',
      'can only access node lease with the same name as the requesting node',
    ],
    [
      'a Lease elsewhere',
      resource(nodeA, 'get', 'leases', {
        apiGroup: 'coordination.k8s.io',
        namespace: 'kube-system',
        name: 'node-a',
      }),
      'no-opinion',
      'can only access leases in the "kube-node-lease" system namespace',
    ],
    ['services, by the system:node rules', resource(nodeA, 'list', 'services'), 'allow', ''],
    ['events, by the system:node rules', resource(nodeA, 'create', 'events'), 'allow', ''],
    [
      'deployments',
      resource(nodeA, 'get', 'deployments', { apiGroup: 'apps', name: 'web' }),
      'no-opinion',
      '',
    ],
  ])('%s', (_name, attributes, decision, reason) => {
    expect(authorizer.decide(attributes)).toEqual({ decision, reason });
  });

  it('has no opinion on users that are not nodes, and names a node user with no name', () => {
    const notANode = { username: 'system:node:node-a', groups: ['system:authenticated'] };
    expect(authorizer.decide(resource(notANode, 'get', 'secrets', { name: 'web-tls' }))).toEqual({
      decision: 'no-opinion',
      reason: '',
    });
    expect(authorizer.decide(resource(nodeUser(''), 'get', 'secrets', { name: 'web-tls' }))).toEqual({
      decision: 'no-opinion',
      reason: 'unknown node for user "system:node:"',
    });
  });

  it('forgets what a deleted or rescheduled pod used', () => {
    const graph = new NodeGraph();
    const nodeAuthorizer = new NodeAuthorizer({ graph });
    graph.setPod(webPod);
    const tls = resource(nodeA, 'get', 'secrets', { name: 'web-tls' });
    expect(nodeAuthorizer.decide(tls).decision).toBe('allow');
    graph.setPod({ ...webPod, spec: { ...(webPod.spec as object), nodeName: 'node-b' } });
    expect(nodeAuthorizer.decide(tls).decision).toBe('no-opinion');
    expect(nodeAuthorizer.decide({ ...tls, user: nodeB }).decision).toBe('allow');
    graph.removePod(webPod);
    expect(nodeAuthorizer.decide({ ...tls, user: nodeB }).decision).toBe('no-opinion');
  });
});

describe('nodes in the whole chain, fed by the API server', () => {
  let policy: PolicyServer;
  beforeAll(async () => {
    policy = await startPolicyServer();
    await policy.create('', 'namespaces', { metadata: { name: 'shop' } });
    await policy.create('', 'pods', webPod);
    await policy.create('', 'pods', dbPod);
  });
  afterAll(async () => {
    await policy?.close();
  });

  it('lets node A read its pod’s secret but not node B’s, whose 403 reason names the relationship', async () => {
    const { authorizer } = policy.authorization;
    expect(await authorizer.authorize(resource(nodeA, 'get', 'secrets', { name: 'web-tls' }))).toEqual({
      decision: 'allow',
      reason: '',
    });
    expect(await authorizer.authorize(resource(nodeA, 'get', 'secrets', { name: 'db-tls' }))).toEqual({
      decision: 'no-opinion',
      reason: "no relationship found between node 'node-a' and this object",
    });
    expect((await authorizer.authorize(resource(nodeB, 'get', 'secrets', { name: 'db-tls' }))).decision).toBe(
      'allow',
    );
  });

  it('follows pods as they are bound and deleted', async () => {
    const { authorizer } = policy.authorization;
    await policy.create(
      '',
      'pods',
      pod('late', undefined, { volumes: [{ name: 's', secret: { secretName: 'late' } }] }),
    );
    const late = resource(nodeA, 'get', 'secrets', { name: 'late' });
    expect((await authorizer.authorize(late)).decision).toBe('no-opinion');
    const current = await policy.storeOf('', 'pods').get('shop', 'late');
    await policy.update('', 'pods', {
      ...current,
      spec: { ...(current.spec as object), nodeName: 'node-a' },
    });
    expect((await authorizer.authorize(late)).decision).toBe('allow');
    await policy.storeOf('', 'pods').delete('shop', 'late', { gracePeriodSeconds: 0 });
    await policy.settle();
    expect((await authorizer.authorize(late)).decision).toBe('no-opinion');
  });
});
