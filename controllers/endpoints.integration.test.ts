import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireKubectl, startSkiff, type TestSkiff } from '../conformance/harness.js';
import type { EndpointSlice, Endpoints } from './endpointslice/types.js';

/**
 * The Endpoints and EndpointSlice controllers in a running Skiff, watched through stock kubectl. No
 * kubelet exists yet: the test writes pod status (IP, phase, Ready) itself, as a kubelet would, and
 * creates the pods already bound to a node.
 */
let skiff: TestSkiff;

beforeAll(async () => {
  requireKubectl();
  skiff = await startSkiff();
});
afterAll(async () => {
  await skiff?.stop();
});

/** Retries `check` until it stops throwing, or fails with its last error after `deadlineMs`. */
async function eventually<T>(check: () => Promise<T>, deadlineMs = 20_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function send(method: string, path: string, body: unknown, contentType?: string): Promise<void> {
  const response = await skiff.request(
    method,
    path,
    body,
    contentType ? { 'Content-Type': contentType } : {},
  );
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
}

const now = () => `${new Date().toISOString().slice(0, 19)}Z`;

/** What a kubelet reports for a running pod: its IP, Running, and whether it passes its readiness probe. */
async function reportStatus(name: string, ip: string, ready: boolean): Promise<void> {
  await send(
    'PATCH',
    `/api/v1/namespaces/default/pods/${name}/status`,
    {
      status: {
        phase: 'Running',
        podIP: ip,
        podIPs: [{ ip }],
        conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now() }],
      },
    },
    'application/merge-patch+json',
  );
}

interface Listed {
  endpoints: Endpoints[];
  slices: EndpointSlice[];
}

async function getEndpointsAndSlices(): Promise<Listed> {
  const result = await skiff.kubectl(['get', 'endpoints,endpointslices', '-n', 'default', '-o', 'json']);
  expect(result.code, result.stderr).toBe(0);
  const items = (JSON.parse(result.stdout) as { items: (Endpoints & EndpointSlice)[] }).items;
  return {
    endpoints: items.filter((item) => item.kind === 'Endpoints'),
    slices: items.filter((item) => item.kind === 'EndpointSlice'),
  };
}

const ofService = (listed: Listed) => ({
  endpoints: listed.endpoints.find((item) => item.metadata?.name === 'web'),
  slices: listed.slices.filter((item) => item.metadata?.labels?.['kubernetes.io/service-name'] === 'web'),
});

describe('Endpoints and EndpointSlices in a running Skiff', () => {
  it('appear for a service, follow its pods readiness, and go with it', async () => {
    await send('POST', '/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node-1', labels: { 'topology.kubernetes.io/zone': 'zone-a' } },
    });
    // Skiff allocates no cluster IPs yet: the service is given one, as the allocator would.
    await send('POST', '/api/v1/namespaces/default/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        clusterIP: '10.96.0.50',
        selector: { app: 'web' },
        ports: [{ name: 'http', port: 80, targetPort: 'http' }],
      },
    });
    for (const name of ['web-a', 'web-b']) {
      await send('POST', '/api/v1/namespaces/default/pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, labels: { app: 'web' } },
        spec: {
          nodeName: 'node-1',
          containers: [{ name: 'web', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }],
        },
      });
    }

    // No pod has an IP yet: an empty Endpoints and a placeholder slice.
    await eventually(async () => {
      const { endpoints, slices } = ofService(await getEndpointsAndSlices());
      expect(endpoints?.metadata?.labels).toEqual({
        app: 'web',
        'endpoints.kubernetes.io/managed-by': 'endpoint-controller',
      });
      expect(endpoints?.subsets ?? []).toEqual([]);
      expect(slices).toHaveLength(1);
      expect(slices[0]?.endpoints ?? []).toEqual([]);
    });

    await reportStatus('web-a', '10.244.0.10', true);
    await reportStatus('web-b', '10.244.0.11', false);
    await eventually(async () => {
      const { endpoints, slices } = ofService(await getEndpointsAndSlices());
      expect(
        endpoints?.subsets?.map((subset) => ({
          ready: subset.addresses?.map((address) => address.ip),
          notReady: subset.notReadyAddresses?.map((address) => address.ip),
          ports: subset.ports,
        })),
      ).toEqual([
        {
          ready: ['10.244.0.10'],
          notReady: ['10.244.0.11'],
          ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        },
      ]);
      expect(endpoints?.metadata?.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']).toMatch(
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
      );
      expect(slices).toHaveLength(1);
      const slice = slices[0]!;
      expect(slice.metadata?.name).toMatch(/^web-[a-z0-9]{5}$/);
      expect(slice.metadata?.ownerReferences?.[0]).toMatchObject({
        kind: 'Service',
        name: 'web',
        controller: true,
      });
      expect(slice.addressType).toBe('IPv4');
      expect(slice.ports).toEqual([{ name: 'http', protocol: 'TCP', port: 8080 }]);
      expect(
        slice.endpoints?.map((endpoint) => [
          endpoint.addresses,
          endpoint.conditions,
          endpoint.nodeName,
          endpoint.zone,
        ]),
      ).toEqual([
        [['10.244.0.10'], { ready: true, serving: true, terminating: false }, 'node-1', 'zone-a'],
        [['10.244.0.11'], { ready: false, serving: false, terminating: false }, 'node-1', 'zone-a'],
      ]);
    });
    const before = ofService(await getEndpointsAndSlices()).slices[0]!;

    // web-b turns ready, web-a stops being ready: the same slice is updated in place.
    await reportStatus('web-b', '10.244.0.11', true);
    await reportStatus('web-a', '10.244.0.10', false);
    await eventually(async () => {
      const { endpoints, slices } = ofService(await getEndpointsAndSlices());
      expect(
        endpoints?.subsets?.map((subset) => [
          subset.addresses?.map((address) => address.ip),
          subset.notReadyAddresses?.map((address) => address.ip),
        ]),
      ).toEqual([[['10.244.0.11'], ['10.244.0.10']]]);
      expect(slices.map((slice) => slice.metadata?.name)).toEqual([before.metadata?.name]);
      expect(
        slices[0]?.endpoints?.map((endpoint) => [endpoint.addresses[0], endpoint.conditions?.ready]),
      ).toEqual([
        ['10.244.0.10', false],
        ['10.244.0.11', true],
      ]);
    });

    // kubectl's own view of them.
    const table = await skiff.kubectl(['get', 'endpoints', 'web', '-n', 'default']);
    expect(table.stdout).toMatch(/^NAME\s+ENDPOINTS\s+AGE\nweb\s+10\.244\.0\.11:8080\s+\S+\n$/);

    // The service goes: its Endpoints with it, its slices through the garbage collector.
    await send('DELETE', '/api/v1/namespaces/default/services/web', undefined);
    await eventually(async () => {
      const { endpoints, slices } = ofService(await getEndpointsAndSlices());
      expect(endpoints).toBeUndefined();
      expect(slices).toEqual([]);
    });
  });
});
