import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/resource.js';
import { calculateUsage, parseObjectCountName, quotaEvaluator } from './quota-usage.js';
import { toJSONResourceList } from './resource-list.js';

const now = Date.parse('2025-01-01T00:00:00Z');

const pod = (
  name: string,
  extra: Record<string, unknown> = {},
  requests: Record<string, string> = {},
): KubeObject => ({
  metadata: { name, namespace: 'shop' },
  spec: { containers: [{ name: 'app', resources: { requests, limits: requests } }], ...extra },
  status: { phase: 'Running' },
});

describe('quota usage', () => {
  it('charges a running pod its compute, and every stored pod its count', () => {
    const usage = quotaEvaluator('', 'pods').usage(
      pod('a', {}, { cpu: '250m', memory: '64Mi', 'example.com/gpu': '1' }),
      now,
    );
    expect(toJSONResourceList(usage)).toEqual({
      'count/pods': '1',
      cpu: '250m',
      'limits.cpu': '250m',
      'limits.memory': '64Mi',
      memory: '64Mi',
      pods: '1',
      'requests.cpu': '250m',
      'requests.example.com/gpu': '1',
      'requests.memory': '64Mi',
    });
    const finished = { ...pod('b', {}, { cpu: '1' }), status: { phase: 'Succeeded' } };
    expect(toJSONResourceList(quotaEvaluator('', 'pods').usage(finished, now))).toEqual({
      'count/pods': '1',
    });
  });

  it('stops charging a pod stuck terminating twice its grace period', () => {
    const stuck = {
      ...pod('c'),
      metadata: { name: 'c', deletionTimestamp: '2024-12-31T23:59:00Z', deletionGracePeriodSeconds: 30 },
    };
    expect(quotaEvaluator('', 'pods').usage(stuck, now).has('pods')).toBe(false);
    expect(quotaEvaluator('', 'pods').usage(stuck, Date.parse('2024-12-31T23:59:20Z')).has('pods')).toBe(
      true,
    );
  });

  it('charges services their node ports and load balancers, claims their storage per class', () => {
    const service = { spec: { type: 'LoadBalancer', ports: [{ port: 80 }, { port: 443 }] } };
    expect(toJSONResourceList(quotaEvaluator('', 'services').usage(service, now))).toEqual({
      'count/services': '1',
      services: '1',
      'services.loadbalancers': '1',
      'services.nodeports': '2',
    });
    const claim = { spec: { storageClassName: 'fast', resources: { requests: { storage: '5Gi' } } } };
    expect(toJSONResourceList(quotaEvaluator('', 'persistentvolumeclaims').usage(claim, now))).toEqual({
      'count/persistentvolumeclaims': '1',
      'fast.storageclass.storage.k8s.io/persistentvolumeclaims': '1',
      'fast.storageclass.storage.k8s.io/requests.storage': '5Gi',
      persistentvolumeclaims: '1',
      'requests.storage': '5Gi',
    });
  });

  it('counts other kinds by `count/<resource>.<group>`, and configmaps by their legacy name too', () => {
    expect(parseObjectCountName('count/deployments.apps')).toEqual({ group: 'apps', plural: 'deployments' });
    expect(parseObjectCountName('count/widgets.example.com')).toEqual({
      group: 'example.com',
      plural: 'widgets',
    });
    expect(toJSONResourceList(quotaEvaluator('', 'configmaps').usage({}, now))).toEqual({
      configmaps: '1',
      'count/configmaps': '1',
    });
  });

  it('requires pods to state cpu and memory a quota limits, naming the containers', () => {
    const object = {
      spec: {
        containers: [
          { name: 'b', resources: { requests: { cpu: '1' } } },
          { name: 'a', resources: {} },
        ],
      },
    };
    expect(quotaEvaluator('', 'pods').constraints(['requests.cpu', 'limits.memory', 'pods'], object)).toBe(
      'must specify limits.memory for: a,b; requests.cpu for: a',
    );
  });

  it('sums a namespace’s usage for what a quota limits, only over the pods its scopes select', () => {
    const quota: KubeObject = {
      spec: {
        hard: { pods: '10', 'requests.cpu': '4', 'count/deployments.apps': '2', secrets: '5' },
        scopes: ['NotBestEffort'],
      },
    };
    const objects: Record<string, KubeObject[]> = {
      '/pods': [pod('a', {}, { cpu: '1' }), pod('b', {}, { cpu: '500m' }), pod('best-effort')],
      'apps/deployments': [{ metadata: { name: 'd' } }],
    };
    const used = calculateUsage(quota, (group, plural) => objects[`${group}/${plural}`] ?? [], now);
    // Scopes select among pods only: a scoped quota counts nothing of other kinds.
    expect(toJSONResourceList(used)).toEqual({
      'count/deployments.apps': '0',
      pods: '2',
      'requests.cpu': '1500m',
      secrets: '0',
    });
    const unscoped = { spec: { hard: quota.spec && (quota.spec as { hard: object }).hard } } as KubeObject;
    expect(
      toJSONResourceList(
        calculateUsage(unscoped, (group, plural) => objects[`${group}/${plural}`] ?? [], now),
      ),
    ).toEqual({
      'count/deployments.apps': '1',
      pods: '3',
      'requests.cpu': '1500m',
      secrets: '0',
    });
  });
});
