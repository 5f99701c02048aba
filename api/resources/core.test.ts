import { describe, expect, it } from 'vitest';
import { defaultColumns } from '../printers.js';
import type { KubeObject, ResourceDefinition } from '../resource.js';
import {
  configMaps,
  limitRanges,
  namespaces,
  podTemplates,
  replicationControllers,
  resourceQuotas,
  secrets,
  serviceAccounts,
} from './core.js';

const now = Date.parse('2025-06-01T12:00:00Z');
const created = '2025-06-01T11:00:00Z';

function row(resource: ResourceDefinition, object: KubeObject): Record<string, unknown> {
  return Object.fromEntries(
    (resource.columns ?? []).map((column) => [column.name, column.cell(object, now)]),
  );
}

describe('core tables', () => {
  it('prints a pod template with its containers, images and pod labels, and no age', () => {
    const template: KubeObject = {
      metadata: { name: 'web', namespace: 'shop', creationTimestamp: created },
      template: {
        metadata: { labels: { app: 'web', tier: 'front' } },
        spec: {
          containers: [
            { name: 'app', image: 'nginx:1.27' },
            { name: 'log', image: 'fluent-bit:3' },
          ],
        },
      },
    };
    expect(row(podTemplates, template)).toEqual({
      Name: 'web',
      Containers: 'app,log',
      Images: 'nginx:1.27,fluent-bit:3',
      'Pod Labels': 'app=web,tier=front',
    });
  });

  it('prints a namespace being deleted as Terminating', () => {
    const namespace: KubeObject = {
      metadata: { name: 'shop', creationTimestamp: created },
      status: { phase: 'Terminating' },
    };
    expect(row(namespaces, namespace)).toEqual({ Name: 'shop', Status: 'Terminating', Age: '60m' });
  });

  it('counts a config map’s text and binary keys together', () => {
    const settings: KubeObject = {
      metadata: { name: 'settings', namespace: 'shop', creationTimestamp: created },
      data: { mode: 'fast', level: '3' },
      binaryData: { logo: 'iVBORw0KGgo=' },
    };
    expect(row(configMaps, settings)).toEqual({ Name: 'settings', Data: 3, Age: '60m' });
  });

  it('prints a secret’s type and key count', () => {
    const tls: KubeObject = {
      metadata: { name: 'web-tls', namespace: 'shop', creationTimestamp: created },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': 'LS0t', 'tls.key': 'LS0t' },
    };
    expect(row(secrets, tls)).toEqual({ Name: 'web-tls', Type: 'kubernetes.io/tls', Data: 2, Age: '60m' });
    expect(secrets.fieldSelectors?.type?.(tls)).toBe('kubernetes.io/tls');
  });

  it('counts a service account’s secrets', () => {
    const account: KubeObject = {
      metadata: { name: 'default', namespace: 'shop' },
      secrets: [{ name: 'token' }],
    };
    expect(row(serviceAccounts, account).Secrets).toBe(1);
  });

  it('prints limit ranges with the default table', () => {
    expect(limitRanges.columns).toBe(defaultColumns);
  });

  it('splits quota usage into requests and limits, each sorted by resource name', () => {
    const quota: KubeObject = {
      metadata: { name: 'compute', namespace: 'shop', creationTimestamp: created },
      spec: {
        hard: {
          'requests.cpu': '1',
          'requests.memory': '1Gi',
          'limits.cpu': '2',
          'limits.memory': '2Gi',
          pods: '10',
        },
      },
      status: {
        hard: {
          'requests.cpu': '1',
          'requests.memory': '1Gi',
          'limits.cpu': '2',
          'limits.memory': '2Gi',
          pods: '10',
        },
        used: { 'requests.cpu': '500m', 'requests.memory': '512Mi', 'limits.cpu': '1', pods: '3' },
      },
    };
    expect(row(resourceQuotas, quota)).toEqual({
      Name: 'compute',
      Request: 'pods: 3/10, requests.cpu: 500m/1, requests.memory: 512Mi/1Gi',
      Limit: 'limits.cpu: 1/2, limits.memory: 0/2Gi',
      Age: '60m',
    });
  });

  it('prints a replication controller with its selector map', () => {
    const rc: KubeObject = {
      metadata: { name: 'legacy', namespace: 'shop', creationTimestamp: created },
      spec: {
        replicas: 3,
        selector: { app: 'legacy' },
        template: {
          metadata: { labels: { app: 'legacy' } },
          spec: { containers: [{ name: 'app', image: 'legacy:2' }] },
        },
      },
      status: { replicas: 3, readyReplicas: 2 },
    };
    expect(row(replicationControllers, rc)).toEqual({
      Name: 'legacy',
      Desired: 3,
      Current: 3,
      Ready: 2,
      Age: '60m',
      Containers: 'app',
      Images: 'legacy:2',
      Selector: 'app=legacy',
    });
    expect(replicationControllers.fieldSelectors?.['status.replicas']?.(rc)).toBe('3');
  });
});

describe('core resource facts', () => {
  it('refuses deleting namespaces as a collection, as upstream does', () => {
    expect(namespaces.verbs).toEqual(['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']);
  });

  it('scales replication controllers through a selector map', () => {
    expect(replicationControllers.subresources?.scale).toEqual({
      specReplicasPath: '.spec.replicas',
      statusReplicasPath: '.status.replicas',
      labelSelectorPath: '.spec.selector',
    });
  });

  it('reads an absent replica count as 0, as Go reads a missing int', () => {
    expect(replicationControllers.fieldSelectors?.['status.replicas']?.({ metadata: { name: 'x' } })).toBe(
      '0',
    );
  });
});
