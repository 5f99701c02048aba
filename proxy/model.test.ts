import { describe, expect, it } from 'vitest';
import { buildProxyModel, defaultAffinityTimeoutSeconds } from './model.js';
import type { EndpointSlice, EndpointSliceEndpoint, Service } from './types.js';

const nodeName = 'node-1';

function service(spec: NonNullable<Service['spec']>, name = 'web', status?: Service['status']): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: { clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80, protocol: 'TCP' }], ...spec },
    ...(status ? { status } : {}),
  };
}

function slice(
  endpoints: EndpointSliceEndpoint[],
  extra: Partial<EndpointSlice> = {},
  serviceName = 'web',
): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${serviceName}-x`,
      namespace: 'default',
      labels: { 'kubernetes.io/service-name': serviceName },
    },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints,
    ...extra,
  };
}

const ep = (
  ip: string,
  conditions?: EndpointSliceEndpoint['conditions'],
  node = 'node-2',
): EndpointSliceEndpoint => ({
  addresses: [ip],
  ...(conditions ? { conditions } : {}),
  nodeName: node,
});

describe('buildProxyModel', () => {
  it('uses ready endpoints and ignores not-ready ones', () => {
    const model = buildProxyModel(
      [service({})],
      [
        slice([
          ep('10.88.0.3', { ready: true }),
          ep('10.88.0.2', { ready: false, serving: false }),
          ep('10.88.0.4'),
        ]),
      ],
      { nodeName },
    );
    expect(model.servicePorts).toHaveLength(1);
    // Unset conditions read as ready; the result is sorted by address.
    expect(model.servicePorts[0]!.clusterEndpoints).toEqual([
      { ip: '10.88.0.3', port: 8080 },
      { ip: '10.88.0.4', port: 8080 },
    ]);
  });

  it('falls back to serving-but-terminating endpoints only when none is ready', () => {
    const terminating = { ready: false, serving: true, terminating: true };
    const withReady = buildProxyModel(
      [service({})],
      [slice([ep('10.88.0.2', terminating), ep('10.88.0.3', { ready: true })])],
      { nodeName },
    );
    expect(withReady.servicePorts[0]!.clusterEndpoints.map((e) => e.ip)).toEqual(['10.88.0.3']);
    const withoutReady = buildProxyModel(
      [service({})],
      [
        slice([
          ep('10.88.0.2', terminating),
          ep('10.88.0.3', { ready: false, serving: false, terminating: true }),
        ]),
      ],
      { nodeName },
    );
    expect(withoutReady.servicePorts[0]!.clusterEndpoints.map((e) => e.ip)).toEqual(['10.88.0.2']);
  });

  it("chooses local endpoints by the endpoint's nodeName", () => {
    const model = buildProxyModel(
      [service({ internalTrafficPolicy: 'Local' })],
      [slice([ep('10.88.0.2', undefined, 'node-1'), ep('10.88.0.3', undefined, 'node-2')])],
      { nodeName },
    );
    const servicePort = model.servicePorts[0]!;
    expect(servicePort.internalLocal).toBe(true);
    expect(servicePort.localEndpoints.map((e) => e.ip)).toEqual(['10.88.0.2']);
    expect(servicePort.clusterEndpoints.map((e) => e.ip)).toEqual(['10.88.0.2', '10.88.0.3']);
  });

  it('makes one service port per port and protocol, matching slice ports by name and protocol', () => {
    const model = buildProxyModel(
      [
        service({
          ports: [
            { name: 'dns', port: 53, protocol: 'UDP' },
            { name: 'dns-tcp', port: 53, protocol: 'TCP' },
            { name: 'sctp', port: 99, protocol: 'SCTP' },
          ],
        }),
      ],
      [
        slice([ep('10.88.0.2')], {
          ports: [
            { name: 'dns', port: 5353, protocol: 'UDP' },
            { name: 'dns-tcp', port: 5354, protocol: 'TCP' },
            { name: 'sctp', port: 9999, protocol: 'SCTP' },
          ],
        }),
      ],
      { nodeName },
    );
    expect(
      model.servicePorts.map((sp) => [sp.protocol, sp.portName, sp.port, sp.clusterEndpoints[0]?.port]),
    ).toEqual([
      ['sctp', 'sctp', 99, 9999],
      ['tcp', 'dns-tcp', 53, 5354],
      ['udp', 'dns', 53, 5353],
    ]);
  });

  it('skips headless, ExternalName and not-yet-allocated services', () => {
    const model = buildProxyModel(
      [
        service({ clusterIP: 'None' }, 'headless'),
        service({ type: 'ExternalName', clusterIP: '' }, 'external'),
        service({ clusterIP: '' }, 'pending'),
      ],
      [],
      { nodeName },
    );
    expect(model.servicePorts).toEqual([]);
  });

  it('ignores slices of other services, IPv6 slices and slices without the service label', () => {
    const model = buildProxyModel(
      [service({})],
      [
        slice([ep('10.88.0.9')], {}, 'other'),
        slice([ep('fd00::1')], { addressType: 'IPv6' }),
        { ...slice([ep('10.88.0.8')]), metadata: { name: 'x', namespace: 'default' } },
      ],
      { nodeName },
    );
    expect(model.servicePorts[0]!.clusterEndpoints).toEqual([]);
  });

  it('carries NodePort, externalIPs, LoadBalancer ingress and the traffic policies', () => {
    const [nodePort, clusterIPOnly, loadBalancer] = buildProxyModel(
      [
        service(
          {
            type: 'NodePort',
            ports: [{ name: 'http', port: 80, nodePort: 30080 }],
            externalIPs: ['192.0.2.10'],
            externalTrafficPolicy: 'Local',
          },
          'a',
        ),
        // externalTrafficPolicy is meaningful for NodePort and LoadBalancer services only.
        service({ externalIPs: ['192.0.2.11'], externalTrafficPolicy: 'Local' }, 'b'),
        service({ type: 'LoadBalancer', ports: [{ name: 'http', port: 80, nodePort: 30081 }] }, 'c', {
          loadBalancer: { ingress: [{ ip: '198.51.100.1' }] },
        }),
      ],
      [],
      { nodeName },
    ).servicePorts;
    expect(nodePort).toMatchObject({ nodePort: 30080, externalIPs: ['192.0.2.10'], externalLocal: true });
    expect(clusterIPOnly).toMatchObject({ nodePort: 0, externalIPs: ['192.0.2.11'], externalLocal: false });
    expect(loadBalancer).toMatchObject({ nodePort: 30081, loadBalancerIPs: ['198.51.100.1'] });
  });

  it('turns ClientIP affinity into a timeout, upstream default 3 hours', () => {
    const [withDefault, withTimeout, without] = buildProxyModel(
      [
        service({ sessionAffinity: 'ClientIP' }, 'a'),
        service(
          { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } },
          'b',
        ),
        service({ sessionAffinity: 'None' }, 'c'),
      ],
      [],
      { nodeName },
    ).servicePorts;
    expect(withDefault!.affinityTimeoutSeconds).toBe(defaultAffinityTimeoutSeconds);
    expect(withTimeout!.affinityTimeoutSeconds).toBe(60);
    expect(without!.affinityTimeoutSeconds).toBeUndefined();
  });

  it('merges endpoints of several slices without duplicates', () => {
    const model = buildProxyModel(
      [service({})],
      [
        slice([ep('10.88.0.2'), ep('10.88.0.3')]),
        {
          ...slice([ep('10.88.0.3')]),
          metadata: { name: 'web-y', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
        },
      ],
      { nodeName },
    );
    expect(model.servicePorts[0]!.clusterEndpoints.map((e) => e.ip)).toEqual(['10.88.0.2', '10.88.0.3']);
  });
});
