import { afterAll, beforeAll, expect, it } from 'vitest';
import { poll } from '../conformance/client.js';
import { startSkiff, type TestSkiff } from '../conformance/harness.js';

/** In `skiff up` over HTTPS, every namespace gets the CA that signed the server's certificate. */
let skiff: TestSkiff;
beforeAll(async () => {
  skiff = await startSkiff({ tls: true });
});
afterAll(async () => {
  await skiff?.stop();
});

it('publishes the cluster CA as kube-root-ca.crt in every namespace, new ones included', async () => {
  expect(skiff.caCertificate).toMatch(/^-----BEGIN CERTIFICATE-----/);
  const created = await skiff.request('POST', '/api/v1/namespaces', { metadata: { name: 'fresh' } });
  expect(created.status).toBe(201);
  for (const namespace of ['default', 'kube-system', 'fresh']) {
    const configMap = await poll(async () => {
      const response = await skiff.request(
        'GET',
        `/api/v1/namespaces/${namespace}/configmaps/kube-root-ca.crt`,
      );
      return response.status === 200
        ? ((await response.json()) as { data: Record<string, string> })
        : undefined;
    }, 10_000);
    expect(configMap.data).toEqual({ 'ca.crt': skiff.caCertificate });
  }
});
