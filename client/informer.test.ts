import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/resource.js';
import { startSkiff, type TestSkiff } from '../conformance/harness.js';
import { HttpClient } from './http-client.js';
import { controllerIndex, namespaceIndex } from './indexed-store.js';
import { type EventHandlers, Informer } from './informer.js';
import { refFor } from './refs.js';
import { FakeClock, settle } from './testing/fake-clock.js';
import { MemoryClient } from './testing/memory-client.js';
import type { ListerWatcher, ListOptions, ResourceRef, Watch, WatchEvent, WatchOptions } from './types.js';

/** Handlers that write down what they were told, as `ADDED name data`. */
function recorder(): { events: string[]; handlers: EventHandlers } {
  const events: string[] = [];
  const describe = (object: KubeObject) => `${object.metadata?.name} ${JSON.stringify(object.data ?? {})}`;
  return {
    events,
    handlers: {
      onAdd: (object) => events.push(`ADDED ${describe(object)}`),
      onUpdate: (old, object) =>
        events.push(old === object ? `RESYNC ${describe(object)}` : `UPDATED ${describe(object)}`),
      onDelete: (object) => events.push(`DELETED ${describe(object)}`),
    },
  };
}

/**
 * A client in front of the real one that counts lists, can hold watches back until the test lets them
 * through, and notes every ERROR event and 410 the server gives.
 */
class InstrumentedClient implements ListerWatcher {
  lists = 0;
  readonly watchedFrom: (string | undefined)[] = [];
  readonly errors: number[] = [];
  #gate: Promise<void> | undefined;
  #open: (() => void) | undefined;

  constructor(readonly inner: ListerWatcher) {}

  holdWatches(): void {
    this.#gate = new Promise((resolve) => {
      this.#open = resolve;
    });
  }

  releaseWatches(): void {
    this.#open?.();
    this.#gate = undefined;
  }

  async list<T extends KubeObject>(ref: ResourceRef, options?: ListOptions) {
    this.lists++;
    return this.inner.list<T>(ref, options);
  }

  async watch<T extends KubeObject>(ref: ResourceRef, options: WatchOptions = {}): Promise<Watch<T>> {
    await this.#gate;
    this.watchedFrom.push(options.resourceVersion);
    let watch: Watch<T>;
    try {
      watch = await this.inner.watch<T>(ref, options);
    } catch (error) {
      this.errors.push((error as { code?: number }).code ?? 0);
      throw error;
    }
    const errors = this.errors;
    return {
      close: () => watch.close(),
      async *[Symbol.asyncIterator](): AsyncIterator<WatchEvent<T>> {
        for await (const event of watch) {
          if (event.type === 'ERROR') errors.push(event.object.code);
          yield event;
        }
      },
    };
  }
}

describe('an informer on a running Skiff', () => {
  let skiff: TestSkiff;
  let client: HttpClient;

  beforeAll(async () => {
    skiff = await startSkiff();
    client = HttpClient.fromKubeconfig({ path: skiff.kubeconfig });
  });

  afterAll(async () => {
    await client?.close();
    await skiff?.stop();
  });

  it('lists, then watches, and reports create, update and delete in order, delete with the last state', async () => {
    const configMaps = refFor('ConfigMap', 'default');
    await client.create(configMaps, {
      metadata: { name: 'before', labels: { suite: 'order' } },
      data: { v: '0' },
    });
    const informer = new Informer({ client, ref: configMaps, labelSelector: 'suite=order' });
    const { events, handlers } = recorder();
    informer.addEventHandler(handlers);
    informer.start();
    try {
      expect(await informer.waitForSync()).toBe(true);
      expect(informer.hasSynced()).toBe(true);
      const created = await client.create(configMaps, {
        metadata: { name: 'web', labels: { suite: 'order' } },
        data: { v: '1' },
      });
      await client.update(configMaps, { ...created, data: { v: '2' } });
      await client.delete(configMaps, 'web');
      await expect.poll(() => events.length).toBe(4);
      expect(events).toEqual([
        'ADDED before {"v":"0"}',
        'ADDED web {"v":"1"}',
        'UPDATED web {"v":"2"}',
        'DELETED web {"v":"2"}',
      ]);
      expect(informer.store.keys()).toEqual(['default/before']);
      expect(Number(informer.lastSyncResourceVersion)).toBeGreaterThan(
        Number(created.metadata?.resourceVersion),
      );
    } finally {
      await informer.stop();
    }
  });

  it('cached objects are frozen: editing one in place throws', async () => {
    const configMaps = refFor('ConfigMap', 'default');
    await client.create(configMaps, {
      metadata: { name: 'frozen', labels: { suite: 'frozen' } },
      data: { v: '0' },
    });
    const informer = new Informer({ client, ref: configMaps, labelSelector: 'suite=frozen' });
    informer.start();
    try {
      await informer.waitForSync();
      const cached = informer.store.getByName('default', 'frozen')!;
      expect(() => {
        (cached.data as Record<string, string>).v = 'edited';
      }).toThrow(TypeError);
      const clone = structuredClone(cached);
      (clone.data as Record<string, string>).v = 'edited';
      expect(cached.data).toEqual({ v: '0' });
    } finally {
      await informer.stop();
    }
  });

  it('relists after a 410 and reports what changed while it could not watch, deletions with the last known state', async () => {
    const configMaps = refFor('ConfigMap', 'default');
    const instrumented = new InstrumentedClient(client);
    await client.create(configMaps, {
      metadata: { name: 'kept', labels: { suite: 'relist' } },
      data: { v: '1' },
    });
    await client.create(configMaps, {
      metadata: { name: 'doomed', labels: { suite: 'relist' } },
      data: { v: '1' },
    });
    const informer = new Informer({ client: instrumented, ref: configMaps, labelSelector: 'suite=relist' });
    const { events, handlers } = recorder();
    informer.addEventHandler(handlers);
    // The informer lists, then waits at the watch while the world moves on.
    instrumented.holdWatches();
    informer.start();
    try {
      await informer.waitForSync();
      const listedAt = informer.lastSyncResourceVersion;
      const kept = await client.get(configMaps, 'kept');
      await client.update(configMaps, { ...kept, data: { v: '2' } });
      await client.delete(configMaps, 'doomed');
      // More than the API server's watch window (1,000 changes of configmaps) passes, so a watch from
      // the listed resourceVersion can no longer be served: 410.
      await client.create(configMaps, { metadata: { name: 'churn' }, data: { n: '0' } });
      for (let batch = 0; batch < 41; batch++) {
        await Promise.all(
          Array.from({ length: 25 }, (_, index) =>
            client.patch(configMaps, 'churn', 'merge', { data: { n: String(batch * 25 + index) } }),
          ),
        );
      }
      instrumented.releaseWatches();
      await expect.poll(() => instrumented.lists, { timeout: 5000 }).toBe(2);
      await expect.poll(() => events.length).toBe(4);
      expect(instrumented.watchedFrom[0]).toBe(listedAt);
      expect(instrumented.errors).toEqual([410]);
      expect(events).toEqual([
        'ADDED doomed {"v":"1"}',
        'ADDED kept {"v":"1"}',
        'UPDATED kept {"v":"2"}',
        'DELETED doomed {"v":"1"}',
      ]);
      // And it watches again from the new list.
      await client.create(configMaps, {
        metadata: { name: 'after', labels: { suite: 'relist' } },
        data: { v: '1' },
      });
      await expect.poll(() => events.at(-1)).toBe('ADDED after {"v":"1"}');
      expect(informer.store.keys().sort()).toEqual(['default/after', 'default/kept']);
    } finally {
      instrumented.releaseWatches();
      await informer.stop();
    }
  }, 60_000);

  it('replays every cached object to the handlers each resync period, on the injected clock', async () => {
    const clock = new FakeClock();
    const configMaps = refFor('ConfigMap', 'default');
    await client.create(configMaps, {
      metadata: { name: 'resynced', labels: { suite: 'resync' } },
      data: { v: '1' },
    });
    const informer = new Informer({
      client,
      ref: configMaps,
      labelSelector: 'suite=resync',
      resyncPeriodMs: 30_000,
      clock,
    });
    const { events, handlers } = recorder();
    informer.addEventHandler(handlers);
    informer.start();
    try {
      await informer.waitForSync();
      await clock.advance(29_999);
      expect(events).toEqual(['ADDED resynced {"v":"1"}']);
      await clock.advance(1);
      expect(events).toEqual(['ADDED resynced {"v":"1"}', 'RESYNC resynced {"v":"1"}']);
      await clock.advance(30_000);
      expect(events.filter((event) => event.startsWith('RESYNC'))).toHaveLength(2);
    } finally {
      await informer.stop();
    }
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('an informer', () => {
  const pods = refFor('Pod');
  const pod = (namespace: string, name: string, ownerUid?: string, node?: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      ...(ownerUid
        ? {
            ownerReferences: [
              { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: ownerUid, controller: true },
            ],
          }
        : {}),
    },
    spec: { nodeName: node ?? '' },
  });

  it('indexes by namespace, by controller uid, and by custom indexers, and keeps the indexes current', async () => {
    const client = new MemoryClient();
    await client.create(refFor('Pod', 'a'), pod('a', 'web-1', 'rs-1', 'node-1'));
    await client.create(refFor('Pod', 'a'), pod('a', 'web-2', 'rs-1', 'node-2'));
    await client.create(refFor('Pod', 'b'), pod('b', 'db', undefined, 'node-1'));
    const informer = new Informer({
      client,
      ref: pods,
      clock: new FakeClock(),
      indexers: { node: (object) => [(object.spec as { nodeName: string }).nodeName].filter(Boolean) },
    });
    informer.start();
    await informer.waitForSync();
    const names = (objects: KubeObject[]) => objects.map((object) => object.metadata?.name);
    expect(names(informer.store.byIndex(namespaceIndex, 'a'))).toEqual(['web-1', 'web-2']);
    expect(names(informer.store.byIndex(controllerIndex, 'rs-1'))).toEqual(['web-1', 'web-2']);
    // In key order: a/web-1 before b/db.
    expect(names(informer.store.byIndex('node', 'node-1'))).toEqual(['web-1', 'db']);

    await client.patch(refFor('Pod', 'a'), 'web-1', 'merge', {
      spec: { nodeName: 'node-3' },
      metadata: { ownerReferences: null },
    });
    await client.delete(refFor('Pod', 'b'), 'db');
    await settle();
    expect(names(informer.store.byIndex('node', 'node-1'))).toEqual([]);
    expect(names(informer.store.byIndex('node', 'node-3'))).toEqual(['web-1']);
    expect(names(informer.store.byIndex(controllerIndex, 'rs-1'))).toEqual(['web-2']);
    expect(informer.store.indexValues(namespaceIndex)).toEqual(['a']);
    await informer.stop();
  });

  it('a handler added after the cache filled first hears of every cached object', async () => {
    const client = new MemoryClient();
    await client.create(refFor('Pod', 'a'), pod('a', 'one'));
    const informer = new Informer({ client, ref: pods, clock: new FakeClock() });
    informer.start();
    await informer.waitForSync();
    const { events, handlers } = recorder();
    informer.addEventHandler(handlers);
    expect(events).toEqual(['ADDED one {}']);
    await informer.stop();
  });

  it('a watch the server drops early is followed by a relist; one that ends at its timeout is resumed', async () => {
    const clock = new FakeClock();
    const client = new MemoryClient({ clock });
    const instrumented = new InstrumentedClient(client);
    const informer = new Informer({ client: instrumented, ref: pods, clock, watchTimeoutSeconds: () => 60 });
    informer.start();
    await informer.waitForSync();
    await settle();
    expect(instrumented.lists).toBe(1);

    client.endWatches();
    await settle();
    expect(instrumented.lists).toBe(2);

    await clock.advance(60_000);
    await client.create(refFor('Pod', 'a'), pod('a', 'one'));
    await settle();
    const resumeFrom = informer.lastSyncResourceVersion;
    expect(resumeFrom).toBe(String(client.revision));
    client.endWatches();
    await settle();
    expect(instrumented.lists).toBe(2);
    expect(instrumented.watchedFrom.at(-1)).toBe(resumeFrom);
    await informer.stop();
  });

  it('list failures are retried with a backoff of 800 ms, doubling', async () => {
    const clock = new FakeClock();
    const failures: unknown[] = [];
    let calls = 0;
    const client = new MemoryClient({ clock });
    const flaky: ListerWatcher = {
      list: async (ref, options) => {
        calls++;
        if (calls <= 2) throw new Error('connection refused');
        return client.list(ref, options);
      },
      watch: (ref, options) => client.watch(ref, options),
    };
    const informer = new Informer({
      client: flaky,
      ref: pods,
      clock,
      onError: (error) => failures.push(error),
    });
    informer.start();
    await settle();
    expect(calls).toBe(1);
    await clock.advance(799);
    expect(calls).toBe(1);
    await clock.advance(1);
    expect(calls).toBe(2);
    await clock.advance(1599);
    expect(informer.hasSynced()).toBe(false);
    await clock.advance(1);
    expect(informer.hasSynced()).toBe(true);
    expect(failures).toHaveLength(2);
    await informer.stop();
  });

  it('stop before the first list finishes resolves waitForSync with false', async () => {
    const never: ListerWatcher = {
      list: (_ref, options) =>
        new Promise((_resolve, reject) =>
          options?.signal?.addEventListener('abort', () => reject(new Error('aborted'))),
        ),
      watch: () => Promise.reject(new Error('unused')),
    };
    const informer = new Informer({ client: never, ref: pods, clock: new FakeClock(), onError: () => {} });
    informer.start();
    const synced = informer.waitForSync();
    await informer.stop();
    expect(await synced).toBe(false);
  });
});
