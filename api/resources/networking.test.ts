import { describe, expect, it } from 'vitest';
import type { KubeObject, ResourceDefinition } from '../resource.js';
import { ingresses, networkPolicies } from './networking.js';

const now = Date.parse('2025-06-01T12:00:00Z');

function row(resource: ResourceDefinition, object: KubeObject): Record<string, unknown> {
  return Object.fromEntries(
    (resource.columns ?? []).map((column) => [column.name, column.cell(object, now)]),
  );
}

function ingress(spec: object, status: object = {}): KubeObject {
  return {
    metadata: { name: 'web', namespace: 'shop', creationTimestamp: '2025-05-30T12:00:00Z' },
    spec,
    status,
  };
}

describe('the ingress table', () => {
  it('prints an ingress with TLS as kubectl get ingress shows it', () => {
    const web = ingress(
      {
        ingressClassName: 'nginx',
        tls: [{ hosts: ['a.example.com'], secretName: 'web-tls' }],
        rules: [{ host: 'a.example.com' }, { host: 'b.example.com' }],
      },
      { loadBalancer: { ingress: [{ ip: '203.0.113.7' }] } },
    );
    expect(row(ingresses, web)).toEqual({
      Name: 'web',
      Class: 'nginx',
      Hosts: 'a.example.com,b.example.com',
      Address: '203.0.113.7',
      Ports: '80, 443',
      Age: '2d',
    });
  });

  it('prints * for rules without hosts, <none> without a class, and port 80 alone without TLS', () => {
    const printed = row(
      ingresses,
      ingress({ defaultBackend: { service: { name: 'web', port: { number: 80 } } } }),
    );
    expect([printed.Class, printed.Hosts, printed.Address, printed.Ports]).toEqual(['<none>', '*', '', '80']);
  });

  it('shows three hosts and counts the remaining rules', () => {
    const many = ingress({
      rules: ['a', 'b', 'c', 'd', 'e'].map((host) => ({ host: `${host}.example.com` })),
    });
    expect(row(ingresses, many).Hosts).toBe('a.example.com,b.example.com,c.example.com + 2 more...');
  });
});

describe('the network policy table', () => {
  it('prints the pod selector, <none> when it selects every pod', () => {
    const policy = (podSelector: object): KubeObject => ({
      metadata: { name: 'deny', namespace: 'shop', creationTimestamp: '2025-05-30T12:00:00Z' },
      spec: { podSelector, policyTypes: ['Ingress'] },
    });
    expect(row(networkPolicies, policy({ matchLabels: { app: 'db' } }))).toEqual({
      Name: 'deny',
      'Pod-Selector': 'app=db',
      Age: '2d',
    });
    expect(row(networkPolicies, policy({}))['Pod-Selector']).toBe('<none>');
  });
});
