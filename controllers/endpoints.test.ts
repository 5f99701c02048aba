import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/resource.js';
import { InformerFactory } from '../client/informer-factory.js';
import { refFor } from '../client/refs.js';
import { FakeClock, settle } from '../client/testing/fake-clock.js';
import { MemoryClient } from '../client/testing/memory-client.js';
import { RecordingClient } from '../client/testing/recording-client.js';
import { EndpointsController, truncateSubsets } from './endpoints.js';
import { repackSubsets } from './endpointslice/repack.js';
import type { EndpointSubset, Endpoints, Service } from './endpointslice/types.js';
import type { ControllerContext } from './framework.js';
import type { Pod } from './pods.js';

/**
 * The controller over a memory client: its writes land, and the informers see them as a watch would.
 * Nothing runs pods: the tests write pod status (IP, Ready) themselves, as a kubelet would.
 */
const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const at = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;
const TRIGGER = 'endpoints.kubernetes.io/last-change-trigger-time';
const MANAGED_BY = { 'endpoints.kubernetes.io/managed-by': 'endpoint-controller' };

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

interface ServiceOptions {
  name?: string;
  selector?: Record<string, string> | undefined;
  ports?: NonNullable<Service['spec']>['ports'];
  clusterIP?: string;
  publishNotReadyAddresses?: boolean;
  labels?: Record<string, string>;
  type?: string;
}

function service(options: ServiceOptions = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: options.name ?? 'web', namespace: 'default', labels: options.labels ?? { app: 'web' } },
    spec: {
      type: options.type ?? 'ClusterIP',
      ...('selector' in options
        ? options.selector
          ? { selector: options.selector }
          : {}
        : { selector: { app: 'web' } }),
      clusterIP: options.clusterIP ?? '10.96.0.10',
      ipFamilies: ['IPv4'],
      ports: options.ports ?? [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
      ...(options.publishNotReadyAddresses ? { publishNotReadyAddresses: true } : {}),
    },
  };
}

interface PodOptions {
  ip?: string;
  ready?: boolean;
  readySince?: number;
  labels?: Record<string, string>;
  node?: string;
  ports?: { name: string; containerPort: number; protocol?: string }[];
  deleting?: boolean;
  phase?: string;
  hostname?: string;
  subdomain?: string;
}

function pod(name: string, options: PodOptions = {}): Pod {
  const ip = options.ip;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      labels: options.labels ?? { app: 'web' },
      ...(options.deleting ? { deletionTimestamp: at(NOW) } : {}),
    },
    spec: {
      nodeName: options.node ?? 'node-1',
      ...(options.hostname ? { hostname: options.hostname } : {}),
      ...(options.subdomain ? { subdomain: options.subdomain } : {}),
      containers: [{ name: 'web', image: 'nginx', ports: options.ports ?? [] }],
    },
    status: {
      phase: options.phase ?? 'Running',
      ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}),
      conditions: [
        {
          type: 'Ready',
          status: options.ready === false ? 'False' : 'True',
          lastTransitionTime: at(options.readySince ?? NOW - 60_000),
        },
      ],
    },
  };
}

async function setup(objects: KubeObject[]) {
  const clock = new FakeClock(NOW);
  const memory = new MemoryClient({ clock });
  for (const object of objects) await memory.create(refFor(object.kind!, 'default'), object);
  const client = new RecordingClient(memory, clock);
  const informers = new InformerFactory({ client, clock });
  const errors: unknown[] = [];
  const context: ControllerContext = {
    client,
    informers,
    clock,
    onError: (_controller, _key, error) => errors.push(error),
  };
  const controller = new EndpointsController({ context });
  informers.start();
  await informers.waitForSync();
  stops.push(() => informers.stop());
  const isEvent = (summary: string) =>
    summary.startsWith('create events') || summary.startsWith('patch events');
  const fixture = {
    clock,
    memory,
    client,
    controller,
    errors,
    /** One reconcile once the caches have caught up; returns the writes it made (events aside). */
    async reconcile(key = 'default/web'): Promise<string[]> {
      await settle();
      client.writes.length = 0;
      await controller.reconcile(key);
      await settle();
      return fixture.writes;
    },
    get writes(): string[] {
      return client.writes.map((write) => write.summary).filter((summary) => !isEvent(summary));
    },
    get events(): string[] {
      return client.writes
        .filter((write) => write.summary.startsWith('create events'))
        .map((write) => {
          const event = write.body as {
            type: string;
            reason: string;
            message: string;
            metadata: { namespace: string };
          };
          return `${event.metadata.namespace} ${event.type} ${event.reason} ${event.message}`;
        });
    },
    body(index = 0): Endpoints {
      return client.writes.filter((write) => !isEvent(write.summary))[index]?.body as Endpoints;
    },
    async endpoints(name = 'web'): Promise<Endpoints> {
      return memory.get<Endpoints>(refFor('Endpoints', 'default'), name);
    },
    async uid(kind: string, name: string): Promise<string> {
      return (await memory.get(refFor(kind, 'default'), name)).metadata!.uid!;
    },
    async target(name: string) {
      return { kind: 'Pod', namespace: 'default', name, uid: await fixture.uid('Pod', name) };
    },
    async update(kind: string, name: string, change: (object: KubeObject) => void) {
      const ref = refFor(kind, 'default');
      const object = await memory.get(ref, name);
      change(object);
      await memory.update(ref, object);
      await settle();
    },
  };
  return fixture;
}

describe('the Endpoints controller', () => {
  it('lists ready pods as addresses and unready ones as notReadyAddresses, leaving out pods it cannot reach', async () => {
    const cluster = await setup([
      service(),
      pod('web-a', { ip: '10.0.0.1' }),
      pod('web-b', { ip: '10.0.0.2', ready: false, node: 'node-2' }),
      pod('web-c'), // no IP yet
      pod('web-d', { ip: '10.0.0.4', labels: { app: 'db' } }), // not selected
      pod('web-e', { ip: '10.0.0.5', phase: 'Succeeded' }), // finished
      pod('web-f', { ip: '10.0.0.6', deleting: true }), // terminating
    ]);

    expect(await cluster.reconcile()).toEqual(['create endpoints/web -n default']);
    expect(cluster.body()).toEqual({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: {
        name: 'web',
        labels: { app: 'web', ...MANAGED_BY },
        annotations: { [TRIGGER]: '2025-01-01T12:00:00Z' },
      },
      subsets: [
        {
          addresses: [{ ip: '10.0.0.1', nodeName: 'node-1', targetRef: await cluster.target('web-a') }],
          notReadyAddresses: [
            { ip: '10.0.0.2', nodeName: 'node-2', targetRef: await cluster.target('web-b') },
          ],
          ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        },
      ],
    });
    expect(cluster.errors).toEqual([]);
  });

  it('writes nothing when nothing changed, and moves a pod to addresses once it is ready', async () => {
    const cluster = await setup([
      service(),
      pod('web-a', { ip: '10.0.0.1' }),
      pod('web-b', { ip: '10.0.0.2', ready: false }),
    ]);
    await cluster.reconcile();
    expect(await cluster.reconcile()).toEqual([]);

    const readyAt = NOW + 30_000;
    await cluster.update('Pod', 'web-b', (object) => {
      (object as Pod).status!.conditions = [
        { type: 'Ready', status: 'True', lastTransitionTime: at(readyAt) },
      ];
    });
    expect(await cluster.reconcile()).toEqual(['update endpoints/web -n default']);
    const updated = cluster.body();
    expect(updated.metadata?.resourceVersion).toBeDefined();
    expect(updated.metadata?.annotations).toEqual({ [TRIGGER]: at(readyAt) });
    expect(updated.subsets).toEqual([
      {
        addresses: [
          { ip: '10.0.0.1', nodeName: 'node-1', targetRef: await cluster.target('web-a') },
          { ip: '10.0.0.2', nodeName: 'node-1', targetRef: await cluster.target('web-b') },
        ],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ]);
    // A change the endpoints do not show (an annotation) writes nothing.
    await cluster.update('Pod', 'web-a', (object) => {
      object.metadata!.annotations = { note: 'x' };
    });
    expect(await cluster.reconcile()).toEqual([]);
  });

  it('resolves named target ports per pod, leaving a pod without the name out of that port', async () => {
    const ports = [
      { name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' },
      { name: 'metrics', port: 9100, targetPort: 9100, protocol: 'TCP' },
    ];
    const cluster = await setup([
      service({ ports }),
      pod('web-a', { ip: '10.0.0.1', ports: [{ name: 'web', containerPort: 8080, protocol: 'TCP' }] }),
      pod('web-b', { ip: '10.0.0.2', ports: [{ name: 'web', containerPort: 9090, protocol: 'TCP' }] }),
      pod('web-c', { ip: '10.0.0.3', node: 'node-2' }),
      // The name matches but not the protocol.
      pod('web-d', { ip: '10.0.0.4', ports: [{ name: 'web', containerPort: 7070, protocol: 'UDP' }] }),
    ]);
    await cluster.reconcile();
    const a = { ip: '10.0.0.1', nodeName: 'node-1', targetRef: await cluster.target('web-a') };
    const b = { ip: '10.0.0.2', nodeName: 'node-1', targetRef: await cluster.target('web-b') };
    const c = { ip: '10.0.0.3', nodeName: 'node-2', targetRef: await cluster.target('web-c') };
    const d = { ip: '10.0.0.4', nodeName: 'node-1', targetRef: await cluster.target('web-d') };
    // Subsets in the order Kubernetes gives them (md5 of their Go dump; the order was computed with Go).
    expect(cluster.body().subsets).toEqual([
      { addresses: [a, b, c, d], ports: [{ name: 'metrics', port: 9100, protocol: 'TCP' }] },
      { addresses: [b], ports: [{ name: 'http', port: 9090, protocol: 'TCP' }] },
      { addresses: [a], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
    ]);
  });

  it('rewrites the subsets when the service ports change', async () => {
    const cluster = await setup([service(), pod('web-a', { ip: '10.0.0.1' })]);
    await cluster.reconcile();
    await cluster.update('Service', 'web', (object) => {
      (object as Service).spec!.ports = [
        { name: 'http', port: 80, targetPort: 8081, protocol: 'TCP' },
        { name: 'dns', port: 53, targetPort: 5353, protocol: 'UDP' },
      ];
    });
    expect(await cluster.reconcile()).toEqual(['update endpoints/web -n default']);
    expect(cluster.body().subsets).toEqual([
      {
        addresses: [{ ip: '10.0.0.1', nodeName: 'node-1', targetRef: await cluster.target('web-a') }],
        // One subset, its ports in md5 order of their Go dump (as computed with Go): http before dns.
        ports: [
          { name: 'http', port: 8081, protocol: 'TCP' },
          { name: 'dns', port: 5353, protocol: 'UDP' },
        ],
      },
    ]);
  });

  it('gives a headless service the headless label and hostnames for pods in its subdomain', async () => {
    const cluster = await setup([
      service({ clusterIP: 'None' }),
      pod('web-0', { ip: '10.0.0.1', hostname: 'web-0', subdomain: 'web' }),
      pod('web-1', { ip: '10.0.0.2', hostname: 'web-1', subdomain: 'other' }),
    ]);
    await cluster.reconcile();
    expect(cluster.body().metadata?.labels).toEqual({
      app: 'web',
      ...MANAGED_BY,
      'service.kubernetes.io/headless': '',
    });
    expect(cluster.body().subsets?.[0]?.addresses).toEqual([
      { ip: '10.0.0.1', hostname: 'web-0', nodeName: 'node-1', targetRef: await cluster.target('web-0') },
      { ip: '10.0.0.2', nodeName: 'node-1', targetRef: await cluster.target('web-1') },
    ]);
    // The headless label is the controller's: it does not make the labels look changed.
    expect(await cluster.reconcile()).toEqual([]);
  });

  it('lists a headless service without ports by address alone', async () => {
    const cluster = await setup([
      service({ clusterIP: 'None', ports: [] }),
      pod('web-0', { ip: '10.0.0.1' }),
    ]);
    await cluster.reconcile();
    expect(cluster.body().subsets).toEqual([
      { addresses: [{ ip: '10.0.0.1', nodeName: 'node-1', targetRef: await cluster.target('web-0') }] },
    ]);
  });

  it('treats every pod as ready, terminating ones included, when the service publishes not-ready addresses', async () => {
    const cluster = await setup([
      service({ publishNotReadyAddresses: true }),
      pod('web-a', { ip: '10.0.0.1', ready: false }),
      pod('web-b', { ip: '10.0.0.2', deleting: true }),
    ]);
    await cluster.reconcile();
    expect(cluster.body().subsets).toEqual([
      {
        addresses: [
          { ip: '10.0.0.1', nodeName: 'node-1', targetRef: await cluster.target('web-a') },
          { ip: '10.0.0.2', nodeName: 'node-1', targetRef: await cluster.target('web-b') },
        ],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ]);
  });

  it('follows the service labels, and empties the Endpoints when no pod is left', async () => {
    const cluster = await setup([service(), pod('web-a', { ip: '10.0.0.1' })]);
    await cluster.reconcile();
    await cluster.update('Service', 'web', (object) => {
      object.metadata!.labels = { app: 'web', tier: 'front' };
    });
    expect(await cluster.reconcile()).toEqual(['update endpoints/web -n default']);
    expect(cluster.body().metadata?.labels).toEqual({ app: 'web', ...MANAGED_BY, tier: 'front' });
    // No new trigger: the annotation goes.
    expect(cluster.body().metadata?.annotations).toBeUndefined();

    await cluster.memory.delete(refFor('Pod', 'default'), 'web-a');
    expect(await cluster.reconcile()).toEqual(['update endpoints/web -n default']);
    expect(cluster.body().subsets).toBeUndefined();
  });

  it('deletes the Endpoints when the service goes, and leaves alone services without a selector', async () => {
    const cluster = await setup([
      service(),
      service({ name: 'manual', selector: undefined }),
      service({ name: 'external', type: 'ExternalName' }),
      {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: 'manual', namespace: 'default' },
        subsets: [{ addresses: [{ ip: '192.0.2.1' }], ports: [{ port: 80 }] }],
      },
      pod('web-a', { ip: '10.0.0.1' }),
    ]);
    await cluster.reconcile();
    expect(await cluster.reconcile('default/manual')).toEqual([]);
    expect(await cluster.reconcile('default/external')).toEqual([]);

    await cluster.memory.delete(refFor('Service', 'default'), 'web');
    expect(await cluster.reconcile()).toEqual(['delete endpoints/web -n default']);
    // Already gone: nothing to do, no error.
    expect(await cluster.reconcile()).toEqual(['delete endpoints/web -n default']);
    expect(cluster.errors).toEqual([]);
    expect((await cluster.endpoints('manual')).subsets).toEqual([
      { addresses: [{ ip: '192.0.2.1' }], ports: [{ port: 80 }] },
    ]);
  });

  it('reports a failed write as an event on the Endpoints and fails the sync', async () => {
    const cluster = await setup([service(), pod('web-a', { ip: '10.0.0.1' })]);
    await settle();
    cluster.client.failures.push({ summary: 'create endpoints/web -n default', error: new Error('boom') });
    await expect(cluster.controller.reconcile('default/web')).rejects.toThrow('boom');
    await cluster.controller.reconcile('default/web');
    await settle();
    cluster.client.failures.push({ summary: 'update endpoints/web -n default', error: new Error('bang') });
    await cluster.update('Pod', 'web-a', (object) => {
      (object as Pod).status!.conditions = [{ type: 'Ready', status: 'False' }];
    });
    await expect(cluster.controller.reconcile('default/web')).rejects.toThrow('bang');
    await settle();
    // Upstream's recorder files an event about an Endpoints not yet created under `default`.
    expect(cluster.events).toEqual([
      'default Warning FailedToCreateEndpoint Failed to create endpoint for service default/web: boom',
      'default Warning FailedToUpdateEndpoint Failed to update endpoint default/web: bang',
    ]);
  });

  it('caps an Endpoints at 1000 addresses and says so', async () => {
    const pods = Array.from({ length: 1003 }, (_, index) =>
      pod(`web-${index}`, { ip: `10.0.${Math.floor(index / 250)}.${(index % 250) + 1}` }),
    );
    const cluster = await setup([service(), ...pods]);
    await cluster.reconcile();
    const created = cluster.body();
    expect(created.metadata?.annotations?.['endpoints.kubernetes.io/over-capacity']).toBe('truncated');
    expect(created.subsets?.[0]?.addresses).toHaveLength(1000);
    expect(await cluster.reconcile()).toEqual([]);

    for (const name of ['web-0', 'web-1', 'web-2', 'web-3'])
      await cluster.memory.delete(refFor('Pod', 'default'), name);
    expect(await cluster.reconcile()).toEqual(['update endpoints/web -n default']);
    expect(cluster.body().metadata?.annotations?.['endpoints.kubernetes.io/over-capacity']).toBeUndefined();
    expect(cluster.body().subsets?.[0]?.addresses).toHaveLength(999);
  });

  it('enqueues the services a pod leaves and joins, and ignores changes endpoints do not show', async () => {
    const cluster = await setup([
      service({ name: 'a', selector: { app: 'a' } }),
      service({ name: 'b', selector: { app: 'b' } }),
      pod('p', { ip: '10.0.0.1', labels: { app: 'a' } }),
    ]);
    const drain = async () => {
      const keys: string[] = [];
      while (cluster.controller.queue.length > 0) {
        const key = (await cluster.controller.queue.get())!;
        keys.push(key);
        cluster.controller.queue.done(key);
      }
      return keys.sort();
    };
    await settle();
    expect(await drain()).toEqual(['default/a', 'default/b']);

    await cluster.update('Pod', 'p', (object) => {
      object.metadata!.labels = { app: 'b' };
    });
    expect(await drain()).toEqual(['default/a', 'default/b']);
    await cluster.update('Pod', 'p', (object) => {
      object.metadata!.annotations = { note: 'x' };
    });
    expect(await drain()).toEqual([]);
    await cluster.update('Pod', 'p', (object) => {
      (object as Pod).status!.conditions = [{ type: 'Ready', status: 'False' }];
    });
    expect(await drain()).toEqual(['default/b']);
    await cluster.memory.delete(refFor('Pod', 'default'), 'p');
    await settle();
    expect(await drain()).toEqual(['default/b']);
  });

  it('deletes at start the Endpoints whose service went while it was away', async () => {
    const cluster = await setup([
      { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'gone', namespace: 'default' } },
      {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: {
          name: 'lock',
          namespace: 'default',
          annotations: { 'control-plane.alpha.kubernetes.io/leader': '{}' },
        },
      },
    ]);
    const abort = new AbortController();
    const running = cluster.controller.run(abort.signal);
    await cluster.clock.advance(10);
    abort.abort();
    await running;
    // The deletion comes back through the informer and is checked once more, as upstream does.
    expect(cluster.writes).toEqual(['delete endpoints/gone -n default', 'delete endpoints/gone -n default']);
    expect(cluster.errors).toEqual([]);
  });
});

describe('Endpoints subsets', () => {
  const address = (ip: string, uid: string) => ({ ip, targetRef: { kind: 'Pod', uid } });
  const http = { name: 'http', port: 80, protocol: 'TCP' };

  it('repack: one subset per set of addresses, not ready winning over ready', () => {
    const subsets: EndpointSubset[] = [
      { addresses: [address('10.0.0.2', 'b')], ports: [http] },
      { addresses: [address('10.0.0.1', 'a')], ports: [http] },
      { notReadyAddresses: [address('10.0.0.1', 'a')], ports: [http] },
    ];
    expect(repackSubsets(subsets)).toEqual([
      { addresses: [address('10.0.0.2', 'b')], notReadyAddresses: [address('10.0.0.1', 'a')], ports: [http] },
    ]);
  });

  it('truncation keeps ready addresses first, sharing the room in proportion', () => {
    const many = (count: number, prefix: string) =>
      Array.from({ length: count }, (_, index) => address(`${prefix}.${index}`, `${prefix}${index}`));
    const { subsets, truncated } = truncateSubsets([
      { addresses: many(800, '10.1'), notReadyAddresses: many(5, '10.9'), ports: [http] },
      { addresses: many(400, '10.2'), ports: [{ ...http, port: 81 }] },
    ]);
    expect(truncated).toBe(true);
    expect(subsets.map((subset) => [subset.addresses?.length, subset.notReadyAddresses?.length])).toEqual([
      [667, undefined],
      [333, undefined],
    ]);
    const notReady = truncateSubsets([{ addresses: many(990, '10.1'), notReadyAddresses: many(20, '10.9') }]);
    expect(notReady.subsets[0]?.addresses).toHaveLength(990);
    expect(notReady.subsets[0]?.notReadyAddresses).toHaveLength(10);
    expect(truncateSubsets([{ addresses: many(1000, '10.1') }]).truncated).toBe(false);
  });
});
