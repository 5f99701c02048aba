import { afterEach, expect, describe as group, test } from 'vitest';
import type { KubeObject } from '../../../api/resource.js';
import { refFor } from '../../../client/refs.js';
import { CycleState } from '../../framework/cycle-state.js';
import { PodInfo } from '../../framework/pod-info.js';
import { BindingClient } from '../../testing/binding-client.js';
import { describe, node, pod, runFilter, testHandle } from '../../testing/fixtures.js';
import type { PersistentVolume, PersistentVolumeClaim, Pod } from '../../types.js';
import { volumeBinding } from './volume-binding.js';

const claim = (
  name: string,
  options: { volumeName?: string; storageClassName?: string; size?: string } = {},
): PersistentVolumeClaim => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: 'default' },
  spec: {
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: options.size ?? '1Gi' } },
    ...(options.volumeName ? { volumeName: options.volumeName } : {}),
    ...(options.storageClassName ? { storageClassName: options.storageClassName } : {}),
  },
});

const localVolume = (
  name: string,
  onNode: string,
  options: { claim?: string; size?: string } = {},
): PersistentVolume => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name },
  spec: {
    capacity: { storage: options.size ?? '10Gi' },
    accessModes: ['ReadWriteOnce'],
    storageClassName: 'local',
    ...(options.claim ? { claimRef: { namespace: 'default', name: options.claim } } : {}),
    nodeAffinity: {
      required: {
        nodeSelectorTerms: [
          { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [onNode] }] },
        ],
      },
    },
  },
});

const storageClass = (name: string, provisioner: string, mode = 'WaitForFirstConsumer'): KubeObject => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name },
  provisioner,
  volumeBindingMode: mode,
});

const using = (name: string, ...claims: string[]): Pod =>
  pod(name, {
    volumes: claims.map((claimName, index) => ({ name: `v${index}`, persistentVolumeClaim: { claimName } })),
  });

let stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops) await stop();
  stops = [];
});

/** Resolves once the informer's cache holds `key` (the watch event has arrived). */
async function informed(store: { get(key: string): unknown }, key: string): Promise<void> {
  for (let turn = 0; turn < 1000 && store.get(key) === undefined; turn++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect(store.get(key)).toBeDefined();
}

/** The plugin over informers synced with `objects`. */
async function setup(objects: KubeObject[]) {
  const context = testHandle({ nodes: [node('n1'), node('n2')] });
  const client = new BindingClient(context.client);
  const handle = { ...context.handle, client };
  const plugin = volumeBinding(undefined, handle);
  for (const object of objects) {
    await context.client.create(refFor(object.kind!, object.metadata?.namespace), object);
  }
  context.informers.start();
  stops.push(() => context.informers.stop());
  await context.informers.waitForSync();
  return { ...context, client, plugin };
}

group('VolumeBinding filter', () => {
  test('a pod without claims skips the plugin', async () => {
    const { plugin, cache } = await setup([]);
    expect(runFilter(plugin, cache, pod('p'), 'n1')).toBe('skip');
  });

  test('a missing claim', async () => {
    const { plugin, cache } = await setup([]);
    expect(runFilter(plugin, cache, using('p', 'data'), 'n1')).toBe(
      'UnschedulableAndUnresolvable: persistentvolumeclaim "data" not found',
    );
  });

  test('a bound claim: only nodes its volume’s node affinity allows', async () => {
    const { plugin, cache } = await setup([
      claim('data', { volumeName: 'pv1' }),
      localVolume('pv1', 'n1', { claim: 'data' }),
    ]);
    expect(runFilter(plugin, cache, using('p', 'data'), 'n1')).toBe('ok');
    expect(runFilter(plugin, cache, using('p', 'data'), 'n2')).toBe(
      "UnschedulableAndUnresolvable: node(s) didn't match PersistentVolume's node affinity",
    );
  });

  test('an unbound claim binding immediately waits for it to be bound', async () => {
    const { plugin, cache } = await setup([claim('data')]);
    expect(runFilter(plugin, cache, using('p', 'data'), 'n1')).toBe(
      'UnschedulableAndUnresolvable: pod has unbound immediate PersistentVolumeClaims',
    );
  });

  test('a WaitForFirstConsumer claim goes where a free local volume is', async () => {
    const { plugin, cache } = await setup([
      storageClass('local', 'kubernetes.io/no-provisioner'),
      claim('data', { storageClassName: 'local' }),
      localVolume('pv2', 'n2'),
    ]);
    expect(runFilter(plugin, cache, using('p', 'data'), 'n2')).toBe('ok');
    expect(runFilter(plugin, cache, using('p', 'data'), 'n1')).toBe(
      "UnschedulableAndUnresolvable: node(s) didn't find available persistent volumes to bind",
    );
  });

  test('a volume too small does not do', async () => {
    const { plugin, cache } = await setup([
      storageClass('local', 'kubernetes.io/no-provisioner'),
      claim('data', { storageClassName: 'local', size: '20Gi' }),
      localVolume('pv2', 'n2', { size: '10Gi' }),
    ]);
    expect(runFilter(plugin, cache, using('p', 'data'), 'n2')).toBe(
      "UnschedulableAndUnresolvable: node(s) didn't find available persistent volumes to bind",
    );
  });

  test('a class that provisions dynamically fits any node', async () => {
    const { plugin, cache } = await setup([
      storageClass('fast', 'example.com/csi'),
      claim('data', { storageClassName: 'fast' }),
    ]);
    expect(runFilter(plugin, cache, using('p', 'data'), 'n1')).toBe('ok');
  });
});

group('VolumeBinding reserve and bind', () => {
  test('Reserve sets the volume aside; PreBind binds it to the claim', async () => {
    const { plugin, cache, client, informers } = await setup([
      storageClass('local', 'kubernetes.io/no-provisioner'),
      claim('data', { storageClassName: 'local' }),
      localVolume('pv2', 'n2'),
    ]);
    const state = new CycleState();
    const info = new PodInfo(using('p', 'data'));
    plugin.preFilter(state, info, cache.list());
    expect(describe(plugin.reserve(state, info, 'n2'))).toBe('ok');
    // Another pod wanting a volume of the class finds none left on n2.
    await client.create(
      refFor('PersistentVolumeClaim', 'default'),
      claim('other', { storageClassName: 'local' }),
    );
    await informed(informers.informerFor(refFor('PersistentVolumeClaim')).store, 'default/other');
    expect(runFilter(plugin, cache, using('q', 'other'), 'n2')).toBe(
      "UnschedulableAndUnresolvable: node(s) didn't find available persistent volumes to bind",
    );
    expect(describe(await plugin.preBind(state, info, 'n2'))).toBe('ok');
    expect(client.summaries()).toEqual([
      'create persistentvolumeclaims/other',
      'patch persistentvolumes/pv2',
      'patch persistentvolumeclaims/data',
      'patch persistentvolumes/pv2/status',
      'patch persistentvolumeclaims/data/status',
    ]);
    const volume = await client.get<PersistentVolume>(refFor('PersistentVolume'), 'pv2');
    const bound = await client.get<PersistentVolumeClaim>(refFor('PersistentVolumeClaim', 'default'), 'data');
    expect([
      volume.spec?.claimRef?.name,
      volume.status?.phase,
      bound.spec?.volumeName,
      bound.status?.phase,
    ]).toEqual(['data', 'Bound', 'pv2', 'Bound']);
  });

  test('Unreserve gives the volume back', async () => {
    const { plugin, cache } = await setup([
      storageClass('local', 'kubernetes.io/no-provisioner'),
      claim('data', { storageClassName: 'local' }),
      claim('other', { storageClassName: 'local' }),
      localVolume('pv2', 'n2'),
    ]);
    const state = new CycleState();
    const info = new PodInfo(using('p', 'data'));
    plugin.preFilter(state, info, cache.list());
    plugin.reserve(state, info, 'n2');
    plugin.unreserve(state, info, 'n2');
    expect(runFilter(plugin, cache, using('q', 'other'), 'n2')).toBe('ok');
  });
});
