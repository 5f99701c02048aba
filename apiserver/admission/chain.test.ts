import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resources } from '../../api/resources/index.js';
import { openMemoryStore } from '../../store/memory.js';
import type { Store } from '../../store/types.js';
import { type ApiServer, createApiServer } from '../server.js';
import { AdmissionChain, admissionPluginOrder } from './chain.js';

let store: Store;
let server: ApiServer;

beforeAll(async () => {
  store = await openMemoryStore();
  server = await createApiServer({
    store,
    resources,
    admissionPlugins: ['PodSecurity', 'LimitRanger', 'DefaultTolerationSeconds'],
  });
});
afterAll(async () => {
  await server?.close();
  await store?.close();
});

const post = (url: string, body: unknown) =>
  server.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });

describe('the admission chain', () => {
  it('runs the plugins named in upstream’s order, and knows no others', () => {
    const chain = AdmissionChain.create(['ResourceQuota', 'ServiceAccount', 'LimitRanger'], {
      stores: server.stores,
    });
    expect(chain.plugins.map((plugin) => plugin.name)).toEqual([
      'LimitRanger',
      'ServiceAccount',
      'ResourceQuota',
    ]);
    expect(admissionPluginOrder.at(-1)).toBe('ResourceQuota');
    expect(() => AdmissionChain.create(['AlwaysDeny'], { stores: server.stores })).toThrow(
      /unknown admission plugin "AlwaysDeny"/,
    );
  });

  it('mutates before the strategy derives status: a pod given LimitRange defaults is classed by them', async () => {
    expect((await post('/api/v1/namespaces', { metadata: { name: 'sized' } })).statusCode).toBe(201);
    const limitRange = {
      metadata: { name: 'defaults' },
      spec: { limits: [{ type: 'Container', default: { cpu: '500m', memory: '128Mi' } }] },
    };
    expect((await post('/api/v1/namespaces/sized/limitranges', limitRange)).statusCode).toBe(201);
    const created = await post('/api/v1/namespaces/sized/pods', {
      metadata: { name: 'web' },
      spec: { containers: [{ name: 'app', image: 'nginx' }] },
    });
    expect(created.statusCode).toBe(201);
    const pod = created.json();
    expect(pod.spec.containers[0].resources).toEqual({
      limits: { cpu: '500m', memory: '128Mi' },
      requests: { cpu: '500m', memory: '128Mi' },
    });
    expect(pod.status.qosClass).toBe('Guaranteed');
    expect(pod.spec.tolerations.map((toleration: { key: string }) => toleration.key)).toEqual([
      'node.kubernetes.io/not-ready',
      'node.kubernetes.io/unreachable',
    ]);
  });

  it('refuses with a 403 Status naming the rule, after the object’s own validation, and warns in headers', async () => {
    await post('/api/v1/namespaces', {
      metadata: {
        name: 'guarded',
        labels: {
          'pod-security.kubernetes.io/enforce': 'baseline',
          'pod-security.kubernetes.io/warn': 'restricted',
        },
      },
    });
    const privileged = await post('/api/v1/namespaces/guarded/pods', {
      metadata: { name: 'root' },
      spec: { hostPID: true, containers: [{ name: 'app', image: 'nginx' }] },
    });
    expect(privileged.statusCode).toBe(403);
    expect(privileged.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'pods "root" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostPID=true)',
      reason: 'Forbidden',
      details: { name: 'root', kind: 'pods' },
      code: 403,
    });
    // An invalid pod is a 422 whatever its security.
    const invalid = await post('/api/v1/namespaces/guarded/pods', {
      metadata: { name: 'bad' },
      spec: { hostPID: true },
    });
    expect(invalid.statusCode).toBe(422);

    const plain = await post('/api/v1/namespaces/guarded/pods', {
      metadata: { name: 'plain' },
      spec: { containers: [{ name: 'app', image: 'nginx' }] },
    });
    expect(plain.statusCode).toBe(201);
    expect(plain.headers.warning).toEqual([
      '299 - "would violate PodSecurity \\"restricted:latest\\": allowPrivilegeEscalation != false (container \\"app\\" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container \\"app\\" must set securityContext.capabilities.drop=[\\"ALL\\"]), runAsNonRoot != true (pod or container \\"app\\" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container \\"app\\" must set securityContext.seccompProfile.type to \\"RuntimeDefault\\" or \\"Localhost\\")"',
    ]);
  });

  it('runs nothing beyond the built-in checks on a server without plugins', async () => {
    const plainStore = await openMemoryStore();
    const plainServer = await createApiServer({ store: plainStore, resources });
    try {
      await plainServer.app.inject({
        method: 'POST',
        url: '/api/v1/namespaces',
        payload: { metadata: { name: 'n', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } },
      });
      const created = await plainServer.app.inject({
        method: 'POST',
        url: '/api/v1/namespaces/n/pods',
        payload: {
          metadata: { name: 'p' },
          spec: { hostPID: true, containers: [{ name: 'app', image: 'nginx' }] },
        },
      });
      expect(created.statusCode).toBe(201);
    } finally {
      await plainServer.close();
      await plainStore.close();
    }
  });
});
