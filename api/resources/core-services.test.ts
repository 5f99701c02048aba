import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../resource.js';
import { endpoints, services } from './core-services.js';

const now = Date.parse('2025-06-01T12:00:00Z');
const created = '2025-05-30T12:00:00Z';

function row(resource: typeof services, object: KubeObject): Record<string, unknown> {
  return Object.fromEntries(
    (resource.columns ?? []).map((column) => [column.name, column.cell(object, now)]),
  );
}

function service(spec: object, status: object = {}): KubeObject {
  return { metadata: { name: 'web', namespace: 'shop', creationTimestamp: created }, spec, status };
}

describe('the service table', () => {
  it('prints a ClusterIP service as kubectl get svc shows it', () => {
    const web = service({
      type: 'ClusterIP',
      clusterIP: '10.96.0.12',
      clusterIPs: ['10.96.0.12'],
      selector: { app: 'web', tier: 'front' },
      ports: [
        { name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 },
        { name: 'https', port: 443, protocol: 'TCP', targetPort: 8443 },
      ],
    });
    expect(row(services, web)).toEqual({
      Name: 'web',
      Type: 'ClusterIP',
      'Cluster-IP': '10.96.0.12',
      'External-IP': '<none>',
      'Port(s)': '80/TCP,443/TCP',
      Age: '2d',
      Selector: 'app=web,tier=front',
    });
  });

  it('prints node ports after the service port', () => {
    const nodePort = service({
      type: 'NodePort',
      clusterIPs: ['10.96.0.13'],
      ports: [
        { port: 80, nodePort: 30080, protocol: 'TCP' },
        { port: 53, nodePort: 30053, protocol: 'UDP' },
      ],
    });
    expect(row(services, nodePort)['Port(s)']).toBe('80:30080/TCP,53:30053/UDP');
  });

  it.each([
    ['a load balancer still waiting for an address', { type: 'LoadBalancer' }, {}, '<pending>'],
    [
      'a load balancer with addresses, IPs before hostnames, sorted',
      { type: 'LoadBalancer' },
      {
        loadBalancer: {
          ingress: [{ ip: '203.0.113.9' }, { hostname: 'lb.example.com' }, { ip: '203.0.113.7' }],
        },
      },
      '203.0.113.7,203.0.113.9,lb.example.com',
    ],
    [
      'a load balancer with external IPs as well',
      { type: 'LoadBalancer', externalIPs: ['198.51.100.1'] },
      { loadBalancer: { ingress: [{ ip: '203.0.113.7' }] } },
      '203.0.113.7,198.51.100.1',
    ],
    [
      'a ClusterIP service with external IPs',
      { type: 'ClusterIP', externalIPs: ['198.51.100.1', '198.51.100.2'] },
      {},
      '198.51.100.1,198.51.100.2',
    ],
    [
      'an ExternalName service',
      { type: 'ExternalName', externalName: 'db.example.com' },
      {},
      'db.example.com',
    ],
  ])('shows the external IP of %s', (_, spec, status, expected) => {
    expect(row(services, service(spec, status))['External-IP']).toBe(expected);
  });

  it('shows None for a headless service and <none> for ports and selector it lacks', () => {
    const headless = row(services, service({ type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] }));
    expect([headless['Cluster-IP'], headless['Port(s)'], headless.Selector]).toEqual([
      'None',
      '<none>',
      '<none>',
    ]);
  });

  it('shows <none> as the cluster IP of an ExternalName service', () => {
    expect(
      row(services, service({ type: 'ExternalName', externalName: 'db.example.com' }))['Cluster-IP'],
    ).toBe('<none>');
  });

  it('selects services by cluster IP and type', () => {
    const web = service({ type: 'NodePort', clusterIP: '10.96.0.13' });
    expect(services.fieldSelectors?.['spec.clusterIP']?.(web)).toBe('10.96.0.13');
    expect(services.fieldSelectors?.['spec.type']?.(web)).toBe('NodePort');
  });
});

describe('the endpoints table', () => {
  const endpointsOf = (subsets?: object[]): KubeObject => ({
    metadata: { name: 'web', namespace: 'shop', creationTimestamp: created },
    ...(subsets ? { subsets } : {}),
  });

  it('prints up to three endpoints as ip:port, then how many more', () => {
    const web = endpointsOf([
      {
        addresses: [{ ip: '10.244.1.4' }, { ip: '10.244.2.9' }],
        ports: [
          { name: 'http', port: 8080, protocol: 'TCP' },
          { name: 'metrics', port: 9090, protocol: 'TCP' },
        ],
      },
    ]);
    expect(row(endpoints, web).Endpoints).toBe('10.244.1.4:8080,10.244.2.9:8080,10.244.1.4:9090 + 1 more...');
  });

  it('brackets IPv6 addresses and lists bare IPs when a subset has no ports', () => {
    const mixed = endpointsOf([
      { addresses: [{ ip: 'fd00::4' }], ports: [{ port: 80 }] },
      { addresses: [{ ip: '10.0.0.9' }] },
    ]);
    expect(row(endpoints, mixed).Endpoints).toBe('[fd00::4]:80,10.0.0.9');
  });

  it('prints <none> when there are no subsets', () => {
    expect(row(endpoints, endpointsOf()).Endpoints).toBe('<none>');
  });
});
