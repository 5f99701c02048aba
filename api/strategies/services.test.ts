import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../resource.js';
import { serviceStrategy } from './services.js';

function defaulted(spec: Record<string, unknown>): Record<string, unknown> {
  const service: KubeObject = { metadata: { name: 'web' }, spec: structuredClone(spec) };
  serviceStrategy.default!(service);
  return (service as { spec: Record<string, unknown> }).spec;
}

describe('service defaults', () => {
  it('gives a ClusterIP service TCP ports aimed at themselves and the cluster family (IPv4)', () => {
    const spec = defaulted({ selector: { app: 'web' }, ports: [{ port: 80 }] });
    expect(spec).toMatchObject({
      type: 'ClusterIP',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ipFamilyPolicy: 'SingleStack',
      ipFamilies: ['IPv4'],
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
    });
  });

  it('gives a headless service with a selector the cluster family, and one without both families', () => {
    expect(defaulted({ clusterIP: 'None', selector: { app: 'web' } })).toMatchObject({
      ipFamilyPolicy: 'SingleStack',
      ipFamilies: ['IPv4'],
    });
    expect(defaulted({ clusterIP: 'None' })).toMatchObject({
      ipFamilyPolicy: 'RequireDualStack',
      ipFamilies: ['IPv4', 'IPv6'],
    });
  });

  it('keeps families the user chose, and gives an ExternalName service none', () => {
    expect(defaulted({ clusterIP: 'None', ipFamilies: ['IPv6'] })).toMatchObject({ ipFamilies: ['IPv6'] });
    const external = defaulted({ type: 'ExternalName', externalName: 'example.com' });
    expect(external.ipFamilies).toBeUndefined();
    expect(external.ipFamilyPolicy).toBeUndefined();
  });
});
