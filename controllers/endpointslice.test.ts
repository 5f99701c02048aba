import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/resource.js';
import { InformerFactory } from '../client/informer-factory.js';
import { refFor } from '../client/refs.js';
import { FakeClock, settle } from '../client/testing/fake-clock.js';
import { MemoryClient } from '../client/testing/memory-client.js';
import { RecordingClient } from '../client/testing/recording-client.js';
import {
  dumpEndpointPort,
  dumpEndpointSlicePort,
  dumpEndpointSubset,
  fnv128aHex,
  md5Of,
} from './endpointslice/go-hash.js';
import { sortPorts } from './endpointslice/reconciler.js';
import { EndpointSliceTracker } from './endpointslice/slice-tracker.js';
import type { EndpointSlice, Service } from './endpointslice/types.js';
import { EndpointSliceController } from './endpointslice.js';
import type { ControllerContext } from './framework.js';
import type { Pod } from './pods.js';

/**
 * The controller over a memory client: its writes land, and the informers see them as a watch would.
 * Nothing runs pods: the tests write pod status (IP, Ready) themselves, as a kubelet would.
 */
const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const at = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;
const TRIGGER = 'endpoints.kubernetes.io/last-change-trigger-time';
const SLICE_LABELS = {
  'kubernetes.io/service-name': 'web',
  'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
};
const slicesRef = refFor('EndpointSlice', 'default');

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

interface ServiceOptions {
  selector?: Record<string, string> | undefined;
  ports?: NonNullable<Service['spec']>['ports'];
  clusterIP?: string;
  ipFamilies?: string[];
  publishNotReadyAddresses?: boolean;
}

function service(options: ServiceOptions = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: {
      type: 'ClusterIP',
      ...('selector' in options
        ? options.selector
          ? { selector: options.selector }
          : {}
        : { selector: { app: 'web' } }),
      clusterIP: options.clusterIP ?? '10.96.0.10',
      ipFamilies: options.ipFamilies ?? ['IPv4'],
      ports: options.ports ?? [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
      ...(options.publishNotReadyAddresses ? { publishNotReadyAddresses: true } : {}),
    },
  };
}

function node(name: string, zone?: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, ...(zone ? { labels: { 'topology.kubernetes.io/zone': zone } } : {}) },
  };
}

interface PodOptions {
  ips?: string[];
  ready?: boolean;
  node?: string;
  deleting?: boolean;
  ports?: { name: string; containerPort: number; protocol?: string }[];
  hostname?: string;
  subdomain?: string;
}

function pod(name: string, options: PodOptions = {}): Pod {
  const ips = options.ips ?? [];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      labels: { app: 'web' },
      ...(options.deleting ? { deletionTimestamp: at(NOW) } : {}),
    },
    spec: {
      nodeName: options.node ?? 'node-1',
      ...(options.hostname ? { hostname: options.hostname } : {}),
      ...(options.subdomain ? { subdomain: options.subdomain } : {}),
      containers: [{ name: 'web', image: 'nginx', ports: options.ports ?? [] }],
    },
    status: {
      phase: 'Running',
      ...(ips.length > 0 ? { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } : {}),
      conditions: [
        {
          type: 'Ready',
          status: options.ready === false ? 'False' : 'True',
          lastTransitionTime: at(NOW - 60_000),
        },
      ],
    },
  };
}

async function setup(objects: KubeObject[], options: { maxEndpointsPerSlice?: number } = {}) {
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
  const controller = new EndpointSliceController({ context, ...options });
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
    async reconcile(): Promise<string[]> {
      await settle();
      client.writes.length = 0;
      await controller.reconcile('default/web');
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
          const event = write.body as { type: string; reason: string; message: string };
          return `${event.type} ${event.reason} ${event.message}`;
        });
    },
    body(index = 0): EndpointSlice {
      return client.writes.filter((write) => !isEvent(write.summary))[index]?.body as EndpointSlice;
    },
    async slices(): Promise<EndpointSlice[]> {
      return (await memory.list<EndpointSlice>(slicesRef)).items;
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

const conditions = (ready: boolean, serving: boolean, terminating: boolean) => ({
  ready,
  serving,
  terminating,
});

describe('the EndpointSlice controller', () => {
  it('makes one slice owned by the service, with conditions, nodes, zones and targets', async () => {
    const cluster = await setup([
      node('node-1', 'zone-a'),
      node('node-2'),
      service(),
      pod('web-a', { ips: ['10.0.0.1'] }),
      pod('web-b', { ips: ['10.0.0.2'], ready: false, node: 'node-2' }),
      pod('web-c', { ips: ['10.0.0.3'], deleting: true }),
      pod('web-d', { ips: ['10.0.0.4'], ready: false, deleting: true }),
      pod('web-e'), // no IP yet
    ]);

    expect(await cluster.reconcile()).toEqual(['create endpointslices.discovery.k8s.io -n default']);
    expect(cluster.body()).toEqual({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        generateName: 'web-',
        namespace: 'default',
        labels: { app: 'web', ...SLICE_LABELS },
        ownerReferences: [
          {
            apiVersion: 'v1',
            kind: 'Service',
            name: 'web',
            uid: await cluster.uid('Service', 'web'),
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
        annotations: { [TRIGGER]: '2025-01-01T12:00:00Z' },
      },
      addressType: 'IPv4',
      endpoints: [
        {
          addresses: ['10.0.0.1'],
          conditions: conditions(true, true, false),
          targetRef: await cluster.target('web-a'),
          nodeName: 'node-1',
          zone: 'zone-a',
        },
        {
          addresses: ['10.0.0.2'],
          conditions: conditions(false, false, false),
          targetRef: await cluster.target('web-b'),
          nodeName: 'node-2',
        },
        // Terminating pods stay, serving as their readiness says, never ready.
        {
          addresses: ['10.0.0.3'],
          conditions: conditions(false, true, true),
          targetRef: await cluster.target('web-c'),
          nodeName: 'node-1',
          zone: 'zone-a',
        },
        {
          addresses: ['10.0.0.4'],
          conditions: conditions(false, false, true),
          targetRef: await cluster.target('web-d'),
          nodeName: 'node-1',
          zone: 'zone-a',
        },
      ],
      ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
    });
    const [slice] = await cluster.slices();
    expect(slice?.metadata?.name).toMatch(/^web-[a-z0-9]{5}$/);
    expect(cluster.errors).toEqual([]);
  });

  it('updates an endpoint in place when its pod turns ready, and writes nothing when nothing changed', async () => {
    const cluster = await setup([
      node('node-1'),
      service(),
      pod('web-a', { ips: ['10.0.0.1'], ready: false }),
    ]);
    await cluster.reconcile();
    const [created] = await cluster.slices();
    expect(await cluster.reconcile()).toEqual([]);

    await cluster.update('Pod', 'web-a', (object) => {
      (object as Pod).status!.conditions = [
        { type: 'Ready', status: 'True', lastTransitionTime: at(NOW + 5000) },
      ];
    });
    expect(await cluster.reconcile()).toEqual([
      `update endpointslices.discovery.k8s.io/${created?.metadata?.name} -n default`,
    ]);
    const updated = cluster.body();
    expect(updated.metadata?.resourceVersion).toBe(created?.metadata?.resourceVersion);
    expect(updated.metadata?.annotations).toEqual({ [TRIGGER]: at(NOW + 5000) });
    expect(updated.endpoints?.map((endpoint) => endpoint.conditions)).toEqual([
      conditions(true, true, false),
    ]);
    expect(await cluster.reconcile()).toEqual([]);
  });

  it('treats every endpoint as ready when the service publishes not-ready addresses', async () => {
    const cluster = await setup([
      node('node-1'),
      service({ publishNotReadyAddresses: true }),
      pod('web-a', { ips: ['10.0.0.1'], ready: false }),
      pod('web-b', { ips: ['10.0.0.2'], deleting: true }),
    ]);
    await cluster.reconcile();
    expect(cluster.body().endpoints?.map((endpoint) => endpoint.conditions)).toEqual([
      conditions(true, false, false),
      conditions(true, true, true),
    ]);
  });

  it('splits more than 100 endpoints over slices, and fills the one with room first', async () => {
    const pods = Array.from({ length: 150 }, (_, index) =>
      pod(`web-${String(index).padStart(3, '0')}`, { ips: [`10.0.1.${index}`] }),
    );
    const cluster = await setup([node('node-1'), service(), ...pods]);
    expect(await cluster.reconcile()).toEqual([
      'create endpointslices.discovery.k8s.io -n default',
      'create endpointslices.discovery.k8s.io -n default',
    ]);
    expect([cluster.body(0).endpoints?.length, cluster.body(1).endpoints?.length]).toEqual([100, 50]);

    await cluster.memory.create(refFor('Pod', 'default'), pod('web-150', { ips: ['10.0.1.150'] }));
    const half = (await cluster.slices()).find((slice) => slice.endpoints?.length === 50)!;
    expect(await cluster.reconcile()).toEqual([
      `update endpointslices.discovery.k8s.io/${half.metadata?.name} -n default`,
    ]);
    expect(cluster.body().endpoints).toHaveLength(51);
    expect(cluster.body().endpoints?.[50]?.addresses).toEqual(['10.0.1.150']);
  });

  it('keeps an empty placeholder slice, and reuses it for the first endpoints', async () => {
    const cluster = await setup([node('node-1'), service()]);
    expect(await cluster.reconcile()).toEqual(['create endpointslices.discovery.k8s.io -n default']);
    expect(cluster.body()).toMatchObject({ addressType: 'IPv4', endpoints: [], ports: [] });
    expect(await cluster.reconcile()).toEqual([]);

    const [placeholder] = await cluster.slices();
    await cluster.memory.create(refFor('Pod', 'default'), pod('web-a', { ips: ['10.0.0.1'] }));
    // A new slice replacing the placeholder is an update of the placeholder, not a create and a delete.
    expect(await cluster.reconcile()).toEqual([
      `update endpointslices.discovery.k8s.io/${placeholder?.metadata?.name} -n default`,
    ]);
    expect(cluster.body().ports).toEqual([{ name: 'http', protocol: 'TCP', port: 8080 }]);
    expect(cluster.body().endpoints?.map((endpoint) => endpoint.addresses)).toEqual([['10.0.0.1']]);

    await cluster.memory.delete(refFor('Pod', 'default'), 'web-a');
    expect(await cluster.reconcile()).toEqual([
      `update endpointslices.discovery.k8s.io/${placeholder?.metadata?.name} -n default`,
    ]);
    expect(cluster.body()).toMatchObject({ endpoints: [], ports: [] });
  });

  it('groups pods by the ports they offer: a pod without a named port goes to a slice without it', async () => {
    const ports = [
      { name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' },
      { name: 'https', port: 443, targetPort: 8443, protocol: 'TCP' },
    ];
    const cluster = await setup([
      node('node-1'),
      service({ ports }),
      pod('web-a', { ips: ['10.0.0.1'], ports: [{ name: 'web', containerPort: 8080, protocol: 'TCP' }] }),
      pod('web-b', { ips: ['10.0.0.2'] }),
    ]);
    expect(await cluster.reconcile()).toEqual([
      'create endpointslices.discovery.k8s.io -n default',
      'create endpointslices.discovery.k8s.io -n default',
    ]);
    // Ports in upstream's order: by the fnv-128a of their Go dump (http before https, computed with Go).
    expect([cluster.body(0).ports, cluster.body(0).endpoints?.[0]?.addresses]).toEqual([
      [
        { name: 'http', protocol: 'TCP', port: 8080 },
        { name: 'https', protocol: 'TCP', port: 8443 },
      ],
      ['10.0.0.1'],
    ]);
    expect([cluster.body(1).ports, cluster.body(1).endpoints?.[0]?.addresses]).toEqual([
      [{ name: 'https', protocol: 'TCP', port: 8443 }],
      ['10.0.0.2'],
    ]);
  });

  it('gives a headless service the headless label and hostnames, and serves IPv6 from the pods IPv6 addresses', async () => {
    const cluster = await setup([
      node('node-1'),
      service({ clusterIP: 'None', ipFamilies: ['IPv6'] }),
      pod('web-0', { ips: ['10.0.0.1', 'fd00::A:0001'], hostname: 'web-0', subdomain: 'web' }),
      pod('web-1', { ips: ['10.0.0.2'] }),
    ]);
    await cluster.reconcile();
    const body = cluster.body();
    expect(body.addressType).toBe('IPv6');
    expect(body.metadata?.labels).toEqual({
      app: 'web',
      'service.kubernetes.io/headless': '',
      ...SLICE_LABELS,
    });
    expect(body.endpoints).toEqual([
      {
        addresses: ['fd00::a:1'],
        conditions: conditions(true, true, false),
        hostname: 'web-0',
        targetRef: await cluster.target('web-0'),
        nodeName: 'node-1',
      },
    ]);
  });

  it('leaves out a pod whose node is unknown, and fails the sync so it is retried', async () => {
    const cluster = await setup([
      node('node-1'),
      service(),
      pod('web-a', { ips: ['10.0.0.1'] }),
      pod('web-b', { ips: ['10.0.0.2'], node: 'gone' }),
    ]);
    await settle();
    await expect(cluster.controller.reconcile('default/web')).rejects.toThrow(
      'skipping Pod web-b for Service default/web: Node gone Not Found',
    );
    await settle();
    expect(cluster.writes).toEqual(['create endpointslices.discovery.k8s.io -n default']);
    expect(cluster.body().endpoints?.map((endpoint) => endpoint.addresses)).toEqual([['10.0.0.1']]);
    expect(cluster.events).toEqual([
      'Warning FailedToUpdateEndpointSlices Error updating Endpoint Slices for Service default/web: skipping Pod web-b for Service default/web: Node gone Not Found',
    ]);
  });

  it('leaves the slices to the garbage collector when the service goes, and to the user when it loses its selector', async () => {
    const cluster = await setup([node('node-1'), service(), pod('web-a', { ips: ['10.0.0.1'] })]);
    await cluster.reconcile();
    await cluster.update('Service', 'web', (object) => {
      delete (object as Service).spec!.selector;
    });
    expect(await cluster.reconcile()).toEqual([]);
    await cluster.memory.delete(refFor('Service', 'default'), 'web');
    expect(await cluster.reconcile()).toEqual([]);
    expect(await cluster.slices()).toHaveLength(1);
  });

  it('recreates a slice someone else deleted, a second later', async () => {
    const cluster = await setup([node('node-1'), service(), pod('web-a', { ips: ['10.0.0.1'] })]);
    await cluster.reconcile();
    const drain = async () => {
      const keys: string[] = [];
      while (cluster.controller.queue.length > 0) {
        const key = (await cluster.controller.queue.get())!;
        keys.push(key);
        cluster.controller.queue.done(key);
      }
      return keys;
    };
    await drain();
    const [slice] = await cluster.slices();
    await cluster.memory.delete(slicesRef, slice!.metadata!.name!);
    await settle();
    expect(await drain()).toEqual([]);
    await cluster.clock.advance(1000);
    expect(await drain()).toEqual(['default/web']);
    expect(await cluster.reconcile()).toEqual(['create endpointslices.discovery.k8s.io -n default']);
  });
});

describe('the EndpointSlice tracker', () => {
  const web: Service = { metadata: { name: 'web', namespace: 'default', uid: 'svc-1' } };
  const slice = (uid: string, generation: number): EndpointSlice => ({
    metadata: { namespace: 'default', uid, generation, labels: { 'kubernetes.io/service-name': 'web' } },
  });

  it('calls a cache stale until it shows the slices this controller wrote, at their generations', () => {
    const tracker = new EndpointSliceTracker();
    expect(tracker.staleSlices(web, [])).toBe(false);
    tracker.update(slice('a', 1));
    // Created, not in the cache yet: a sync now would create it again.
    expect(tracker.staleSlices(web, [])).toBe(true);
    expect(tracker.staleSlices(web, [slice('a', 1)])).toBe(false);
    tracker.update(slice('a', 2));
    expect(tracker.staleSlices(web, [slice('a', 1)])).toBe(true);
    expect(tracker.shouldSync(slice('a', 2))).toBe(false);
    expect(tracker.shouldSync(slice('a', 3))).toBe(true);
    tracker.expectDeletion(slice('a', 2));
    expect(tracker.staleSlices(web, [slice('a', 2)])).toBe(true);
    expect(tracker.staleSlices(web, [])).toBe(false);
    // Its own deletion coming back is no reason to sync; someone else's is.
    expect(tracker.handleDeletion(slice('a', 2))).toBe(true);
    tracker.update(slice('b', 1));
    expect(tracker.handleDeletion(slice('b', 1))).toBe(false);
  });

  it('forgets what it wrote for a service that was deleted and made again', () => {
    const tracker = new EndpointSliceTracker();
    tracker.staleSlices(web, []);
    tracker.update(slice('a', 1));
    expect(tracker.staleSlices({ metadata: { ...web.metadata, uid: 'svc-2' } }, [])).toBe(false);
  });
});

describe('Go-compatible hashes (vectors from Go: go-spew %#v as dump.ForHash, crypto/md5, hash/fnv)', () => {
  it('dumps and hashes a core/v1 EndpointPort, EndpointSubset and a discovery/v1 EndpointPort as Go does', () => {
    const port = { name: 'http', port: 80, protocol: 'TCP' };
    expect(dumpEndpointPort(port)).toBe(
      '(v1.EndpointPort){Name:(string)http Port:(int32)80 Protocol:(v1.Protocol)TCP AppProtocol:(*string)<nil>}',
    );
    expect(md5Of(dumpEndpointPort(port)).toString('hex')).toBe('a0afc9289a5b862f31961966cd661a6e');
    expect(fnv128aHex(dumpEndpointPort(port))).toBe('754b003f50f133a539c60d18cfb30a55');
    const subset = {
      notReadyAddresses: [
        {
          ip: '10.0.0.2',
          nodeName: '',
          targetRef: { kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'uid-2' },
        },
      ],
    };
    expect(dumpEndpointSubset(subset)).toBe(
      '(v1.EndpointSubset){Addresses:([]v1.EndpointAddress)<nil> NotReadyAddresses:([]v1.EndpointAddress)[{IP:(string)10.0.0.2 Hostname:(string) NodeName:(*string) TargetRef:(*v1.ObjectReference){Kind:(string)Pod Namespace:(string)default Name:(string)web-1 UID:(types.UID)uid-2 APIVersion:(string) ResourceVersion:(string) FieldPath:(string)}}] Ports:([]v1.EndpointPort)<nil>}',
    );
    expect(md5Of(dumpEndpointSubset(subset)).toString('hex')).toBe('e3c24c8da309d8019d99f84c307a617a');
    const slicePort = { name: 'dns', protocol: 'UDP', port: 53 };
    expect(dumpEndpointSlicePort(slicePort)).toBe(
      '(v1.EndpointPort){Name:(*string)dns Protocol:(*v1.Protocol)UDP Port:(*int32)53 AppProtocol:(*string)<nil>}',
    );
    expect(fnv128aHex(dumpEndpointSlicePort(slicePort))).toBe('1caf216365b57b5d2659d4ba9f662580');
  });

  it('orders slice ports as upstream does', () => {
    const ports = [
      { name: 'https', protocol: 'TCP', port: 8443 },
      { name: 'metrics', protocol: 'TCP', port: 9100 },
      { name: 'dns', protocol: 'UDP', port: 53 },
      { name: 'http', protocol: 'TCP', port: 8080 },
    ];
    expect(sortPorts(ports).map((port) => port.name)).toEqual(['http', 'dns', 'metrics', 'https']);
  });
});
