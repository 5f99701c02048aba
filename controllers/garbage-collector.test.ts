import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject, OwnerReference } from '../api/resource.js';
import { resources } from '../api/resources/index.js';
import { isStatusError } from '../api/status.js';
import { InformerFactory } from '../client/informer-factory.js';
import { refFor } from '../client/refs.js';
import { FakeClock } from '../client/testing/fake-clock.js';
import { MemoryClient } from '../client/testing/memory-client.js';
import type {
  CreateOptions,
  DeleteCollectionOptions,
  DeleteOptions,
  KubeClient,
  ListerWatcher,
  ListOptions,
  ObjectList,
  PatchOptions,
  PatchType,
  ResourceRef,
  StatusSuccess,
  UpdateOptions,
  Watch,
  WatchOptions,
} from '../client/types.js';
import type { WorkQueue } from '../client/work-queue.js';
import { TerminalError } from './framework.js';
import { collectableResources, GarbageCollector } from './garbage-collector.js';

/** A write the collector made, as the tests assert it. */
type Write =
  | { verb: 'create'; resource: string; namespace?: string; object: KubeObject }
  | { verb: 'update'; resource: string; namespace?: string; object: KubeObject }
  | {
      verb: 'patch';
      resource: string;
      namespace?: string;
      name: string;
      patchType: PatchType;
      patch: unknown;
    }
  | { verb: 'delete'; resource: string; namespace?: string; name: string; options: DeleteOptions }
  | { verb: 'deleteCollection'; resource: string; namespace?: string };

function where(ref: ResourceRef): { resource: string; namespace?: string } {
  const resource = ref.group === '' ? ref.resource : `${ref.resource}.${ref.group}`;
  return ref.namespace === undefined ? { resource } : { resource, namespace: ref.namespace };
}

/**
 * The collector's client in these tests: the memory client, with every write and every GET written
 * down in order. `beforeWrite` runs before a write reaches the memory client (to race it).
 */
class RecordingClient implements KubeClient {
  readonly writes: Write[] = [];
  readonly gets: string[] = [];
  beforeWrite: ((write: Write) => Promise<void>) | undefined;

  constructor(readonly inner: MemoryClient) {}

  async get<T extends KubeObject = KubeObject>(ref: ResourceRef, name: string) {
    const { resource, namespace } = where(ref);
    this.gets.push(`${resource} ${namespace ? `${namespace}/` : ''}${name}`);
    return this.inner.get<T>(ref, name);
  }

  list<T extends KubeObject = KubeObject>(ref: ResourceRef, options?: ListOptions): Promise<ObjectList<T>> {
    return this.inner.list<T>(ref, options);
  }

  watch<T extends KubeObject = KubeObject>(ref: ResourceRef, options?: WatchOptions): Promise<Watch<T>> {
    return this.inner.watch<T>(ref, options);
  }

  async create<T extends KubeObject = KubeObject>(ref: ResourceRef, object: T, options?: CreateOptions) {
    await this.#record({ verb: 'create', ...where(ref), object });
    return this.inner.create<T>(ref, object, options);
  }

  async update<T extends KubeObject = KubeObject>(ref: ResourceRef, object: T, options?: UpdateOptions) {
    await this.#record({ verb: 'update', ...where(ref), object });
    return this.inner.update<T>(ref, object, options);
  }

  async patch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    name: string,
    patchType: PatchType,
    patch: unknown,
    options?: PatchOptions,
  ) {
    await this.#record({ verb: 'patch', ...where(ref), name, patchType, patch: structuredClone(patch) });
    return this.inner.patch<T>(ref, name, patchType, patch, options);
  }

  async delete<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    name: string,
    options: DeleteOptions = {},
  ): Promise<T | StatusSuccess> {
    await this.#record({ verb: 'delete', ...where(ref), name, options });
    return this.inner.delete<T>(ref, name, options);
  }

  async deleteCollection<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    options?: DeleteCollectionOptions,
  ) {
    await this.#record({ verb: 'deleteCollection', ...where(ref) });
    return this.inner.deleteCollection<T>(ref, options);
  }

  async #record(write: Write): Promise<void> {
    this.writes.push(write);
    await this.beforeWrite?.(write);
  }
}

/** The informers' view of `client` with the objects `hidden` says are hidden left out: a cache lagging the API. */
function hiding(client: MemoryClient, hidden: (object: KubeObject) => boolean): ListerWatcher {
  return {
    async list<T extends KubeObject>(ref: ResourceRef, options?: ListOptions) {
      const list = await client.list<T>(ref, options);
      return { ...list, items: list.items.filter((object) => !hidden(object)) };
    },
    async watch<T extends KubeObject>(ref: ResourceRef, options?: WatchOptions): Promise<Watch<T>> {
      const watch = await client.watch<T>(ref, options);
      return {
        close: () => watch.close(),
        async *[Symbol.asyncIterator]() {
          for await (const event of watch) {
            if (event.type === 'ERROR' || event.type === 'BOOKMARK' || !hidden(event.object)) yield event;
          }
        },
      };
    },
  };
}

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

interface Started {
  readonly collector: GarbageCollector;
  readonly client: RecordingClient;
  readonly errors: unknown[];
}

/** The collector over `memory`, its informers synced (or not: `start: false`), nothing run yet. */
async function startCollector(
  memory: MemoryClient,
  options: { hidden?: (object: KubeObject) => boolean; start?: boolean } = {},
): Promise<Started> {
  const client = new RecordingClient(memory);
  const informers = new InformerFactory({
    client: options.hidden ? hiding(memory, options.hidden) : memory,
    onError: () => {},
  });
  const errors: unknown[] = [];
  const collector = new GarbageCollector({
    context: {
      client,
      informers,
      clock: new FakeClock(),
      onError: (_name, _key, error) => errors.push(error),
    },
  });
  stops.push(() => informers.stop());
  if (options.start !== false) {
    informers.start();
    await informers.waitForSync();
  }
  return { collector, client, errors };
}

/** The keys waiting in `queue`, sorted; takes them out. */
async function drain(queue: WorkQueue<string>): Promise<string[]> {
  const keys: string[] = [];
  while (queue.length > 0) {
    const key = (await queue.get())!;
    keys.push(key);
    queue.done(key);
  }
  return keys.sort();
}

/** Polls `condition` (the informers deliver asynchronously) until it holds, for at most two seconds. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

const deletionTimestamp = '2025-01-01T00:00:00Z';

async function configMap(
  memory: MemoryClient,
  name: string,
  options: { namespace?: string; owners?: OwnerReference[]; finalizers?: string[]; deleting?: boolean } = {},
): Promise<KubeObject & { metadata: { uid: string; resourceVersion: string } }> {
  const namespace = options.namespace ?? 'default';
  return (await memory.create<KubeObject>(refFor('ConfigMap', namespace), {
    metadata: {
      name,
      ...(options.owners ? { ownerReferences: options.owners } : {}),
      ...(options.finalizers ? { finalizers: options.finalizers } : {}),
      ...(options.deleting ? { deletionTimestamp } : {}),
    },
  })) as KubeObject & { metadata: { uid: string; resourceVersion: string } };
}

function ownedBy(owner: KubeObject, extra: Partial<OwnerReference> = {}): OwnerReference {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    name: owner.metadata!.name!,
    uid: owner.metadata!.uid!,
    ...extra,
  };
}

const block = { blockOwnerDeletion: true };

describe('the resources the garbage collector watches', () => {
  it('are the storage versions that can be listed, watched and deleted, less events', () => {
    const watched = collectableResources().map((resource) =>
      resource.group === ''
        ? `${resource.version}/${resource.plural}`
        : `${resource.group}/${resource.version}/${resource.plural}`,
    );
    expect(watched).toContain('v1/configmaps');
    expect(watched).toContain('autoscaling/v2/horizontalpodautoscalers');
    expect(watched).not.toContain('autoscaling/v1/horizontalpodautoscalers');
    expect(watched).not.toContain('v1/events');
    expect(watched).not.toContain('events.k8s.io/v1/events');
    // Reviews (create only, never stored) have nothing to collect either.
    expect(watched).not.toContain('authorization.k8s.io/v1/subjectaccessreviews');
    expect(watched).toHaveLength(resources.filter((resource) => !resource.virtual).length - 3);
  });

  it('leave out a resource that cannot be deleted', () => {
    const configMaps = resources.find((resource) => resource.plural === 'configmaps')!;
    const readOnly = { ...configMaps, verbs: ['get', 'list', 'watch'] };
    expect(collectableResources([readOnly, configMaps])).toEqual([configMaps]);
  });
});

describe('the garbage collector’s graph', () => {
  it('queues a dependent whose owner the cache cannot vouch for, and not one whose owner it holds', async () => {
    const memory = new MemoryClient();
    const owner = await configMap(memory, 'a');
    const kept = await configMap(memory, 'b', { owners: [ownedBy(owner)] });
    const stray = await configMap(memory, 'c', { owners: [{ ...ownedBy(owner), uid: 'no-such-uid' }] });
    const { collector } = await startCollector(memory);
    expect(collector.graph.dependentsOf(owner.metadata.uid).map((node) => node.uid)).toEqual([
      kept.metadata.uid,
    ]);
    expect(await drain(collector.queue)).toEqual([`delete/${stray.metadata.uid}`]);
  });

  it('queues the dependents of an object whose deletion it observes', async () => {
    const memory = new MemoryClient();
    const owner = await configMap(memory, 'a');
    const first = await configMap(memory, 'b', { owners: [ownedBy(owner)] });
    const second = await configMap(memory, 'c', { owners: [ownedBy(owner)] });
    const { collector } = await startCollector(memory);
    expect(await drain(collector.queue)).toEqual([]);
    await memory.delete(refFor('ConfigMap', 'default'), 'a');
    await until(() => collector.graph.get(owner.metadata.uid) === undefined);
    expect(await drain(collector.queue)).toEqual([
      `delete/${first.metadata.uid}`,
      `delete/${second.metadata.uid}`,
    ]);
  });

  it('queues an owner deleting in the foreground, and its dependents, whenever it is observed', async () => {
    const memory = new MemoryClient();
    const owner = await configMap(memory, 'a', { finalizers: ['foregroundDeletion'], deleting: true });
    const dependent = await configMap(memory, 'b', { owners: [ownedBy(owner, block)] });
    const { collector } = await startCollector(memory);
    expect(await drain(collector.queue)).toEqual(
      [`delete/${owner.metadata.uid}`, `delete/${dependent.metadata.uid}`].sort(),
    );
  });

  it('queues an owner deleting in the foreground when a dependent stops blocking it', async () => {
    const memory = new MemoryClient();
    const owner = await configMap(memory, 'a', { finalizers: ['foregroundDeletion'], deleting: true });
    await configMap(memory, 'b', { owners: [ownedBy(owner, block)] });
    const { collector } = await startCollector(memory);
    await drain(collector.queue);
    await memory.patch(refFor('ConfigMap', 'default'), 'b', 'merge', {
      metadata: { ownerReferences: [ownedBy(owner, { blockOwnerDeletion: false })] },
    });
    await until(() => collector.queue.length > 0);
    expect(await drain(collector.queue)).toContain(`delete/${owner.metadata.uid}`);
  });

  it('queues an owner being deleted with Orphan for orphaning', async () => {
    const memory = new MemoryClient();
    const owner = await configMap(memory, 'a', { finalizers: ['orphan'], deleting: true });
    const { collector } = await startCollector(memory);
    expect(await drain(collector.queue)).toEqual([`orphan/${owner.metadata.uid}`]);
  });
});

describe('the garbage collector in the background', () => {
  it('deletes a dependent whose only owner the API says is gone, with its uid and resourceVersion as preconditions', async () => {
    const memory = new MemoryClient();
    const owner = await configMap(memory, 'a');
    const dependent = await configMap(memory, 'b', { owners: [ownedBy(owner)] });
    await memory.delete(refFor('ConfigMap', 'default'), 'a');
    const { collector, client } = await startCollector(memory);

    await collector.reconcile(`delete/${dependent.metadata.uid}`);
    expect(client.gets).toEqual(['configmaps default/b', 'configmaps default/a']);
    expect(client.writes).toEqual([
      {
        verb: 'delete',
        resource: 'configmaps',
        namespace: 'default',
        name: 'b',
        options: {
          propagationPolicy: 'Background',
          preconditions: { uid: dependent.metadata.uid, resourceVersion: dependent.metadata.resourceVersion },
        },
      },
    ]);
  });

  it('takes an owner recreated under its name (another uid) for gone', async () => {
    const memory = new MemoryClient();
    const owner = await configMap(memory, 'a');
    const dependent = await configMap(memory, 'b', { owners: [ownedBy(owner)] });
    await memory.delete(refFor('ConfigMap', 'default'), 'a');
    await configMap(memory, 'a');
    const { collector, client } = await startCollector(memory);

    await collector.reconcile(`delete/${dependent.metadata.uid}`);
    expect(client.writes.map((write) => [write.verb, 'name' in write ? write.name : undefined])).toEqual([
      ['delete', 'b'],
    ]);
  });

  it('does not take an owner the cache has not listed yet for gone: the API still has it', async () => {
    const memory = new MemoryClient();
    const owner = await configMap(memory, 'a');
    const dependent = await configMap(memory, 'b', { owners: [ownedBy(owner)] });
    const { collector, client } = await startCollector(memory, {
      hidden: (object) => object.metadata?.name === 'a',
    });

    expect(await drain(collector.queue)).toEqual([`delete/${dependent.metadata.uid}`]);
    await collector.reconcile(`delete/${dependent.metadata.uid}`);
    expect(client.gets).toEqual(['configmaps default/b', 'configmaps default/a']);
    expect(client.writes).toEqual([]);
  });

  it('keeps a dependent that arrived before its owner on the cache’s word once the owner is listed', async () => {
    const memory = new MemoryClient();
    const owner = await configMap(memory, 'a');
    const dependent = await configMap(memory, 'b', { owners: [ownedBy(owner)] });
    let hideOwner = true;
    const { collector, client } = await startCollector(memory, {
      hidden: (object) => hideOwner && object.metadata?.name === 'a',
    });
    expect(await drain(collector.queue)).toEqual([`delete/${dependent.metadata.uid}`]);

    hideOwner = false;
    await memory.patch(refFor('ConfigMap', 'default'), 'a', 'merge', {
      metadata: { labels: { seen: 'now' } },
    });
    await until(() => collector.graph.get(owner.metadata.uid) !== undefined);
    await collector.reconcile(`delete/${dependent.metadata.uid}`);
    expect(client.gets).toEqual(['configmaps default/b']);
    expect(client.writes).toEqual([]);
  });

  it('only removes the dangling reference from a dependent another owner still holds', async () => {
    const memory = new MemoryClient();
    const gone = await configMap(memory, 'a');
    const live = await configMap(memory, 'b');
    const dependent = await configMap(memory, 'c', { owners: [ownedBy(gone), ownedBy(live)] });
    await memory.delete(refFor('ConfigMap', 'default'), 'a');
    const { collector, client } = await startCollector(memory);

    await collector.reconcile(`delete/${dependent.metadata.uid}`);
    expect(client.writes).toEqual([
      {
        verb: 'patch',
        resource: 'configmaps',
        namespace: 'default',
        name: 'c',
        patchType: 'merge',
        patch: {
          metadata: { resourceVersion: dependent.metadata.resourceVersion, ownerReferences: [ownedBy(live)] },
        },
      },
    ]);
    expect((await memory.get(refFor('ConfigMap', 'default'), 'c')).metadata?.ownerReferences).toEqual([
      ownedBy(live),
    ]);
  });

  it('asks the API once about an owner several dependents name', async () => {
    const memory = new MemoryClient();
    const owner = await configMap(memory, 'a');
    const first = await configMap(memory, 'b', { owners: [ownedBy(owner)] });
    const second = await configMap(memory, 'c', { owners: [ownedBy(owner)] });
    await memory.delete(refFor('ConfigMap', 'default'), 'a');
    const { collector, client } = await startCollector(memory);

    await collector.reconcile(`delete/${first.metadata.uid}`);
    await collector.reconcile(`delete/${second.metadata.uid}`);
    expect(client.gets).toEqual(['configmaps default/b', 'configmaps default/a', 'configmaps default/c']);
    expect(client.writes.map((write) => write.verb)).toEqual(['delete', 'delete']);
  });

  it('honours a propagation finalizer the garbage already carries', async () => {
    const memory = new MemoryClient();
    const owner = await configMap(memory, 'a');
    const dependent = await configMap(memory, 'b', { owners: [ownedBy(owner)], finalizers: ['orphan'] });
    await memory.delete(refFor('ConfigMap', 'default'), 'a');
    const { collector, client } = await startCollector(memory);

    await collector.reconcile(`delete/${dependent.metadata.uid}`);
    expect(client.writes).toMatchObject([
      { verb: 'delete', name: 'b', options: { propagationPolicy: 'Orphan' } },
    ]);
  });

  it('still deletes a dependent whose resourceVersion moved but whose owners did not, on its uid alone', async () => {
    const memory = new MemoryClient();
    const owner = await configMap(memory, 'a');
    const dependent = await configMap(memory, 'b', { owners: [ownedBy(owner)] });
    await memory.delete(refFor('ConfigMap', 'default'), 'a');
    const { collector, client } = await startCollector(memory);
    let raced = false;
    client.beforeWrite = async () => {
      if (raced) return;
      raced = true;
      await memory.patch(refFor('ConfigMap', 'default'), 'b', 'merge', {
        metadata: { labels: { late: 'edit' } },
      });
    };

    await collector.reconcile(`delete/${dependent.metadata.uid}`);
    const uid = dependent.metadata.uid;
    expect(client.writes).toEqual([
      {
        verb: 'delete',
        resource: 'configmaps',
        namespace: 'default',
        name: 'b',
        options: {
          propagationPolicy: 'Background',
          preconditions: { uid, resourceVersion: dependent.metadata.resourceVersion },
        },
      },
      {
        verb: 'delete',
        resource: 'configmaps',
        namespace: 'default',
        name: 'b',
        options: { propagationPolicy: 'Background', preconditions: { uid } },
      },
    ]);
    await expect(memory.get(refFor('ConfigMap', 'default'), 'b')).rejects.toSatisfy((error) =>
      isStatusError(error, 'NotFound'),
    );
  });

  it('does not delete a dependent that gained an owner since it was read', async () => {
    const memory = new MemoryClient();
    const owner = await configMap(memory, 'a');
    const adopter = await configMap(memory, 'z');
    const dependent = await configMap(memory, 'b', { owners: [ownedBy(owner)] });
    await memory.delete(refFor('ConfigMap', 'default'), 'a');
    const { collector, client } = await startCollector(memory);
    client.beforeWrite = async () => {
      await memory.patch(refFor('ConfigMap', 'default'), 'b', 'merge', {
        metadata: { ownerReferences: [ownedBy(owner), ownedBy(adopter)] },
      });
    };

    await expect(collector.reconcile(`delete/${dependent.metadata.uid}`)).rejects.toSatisfy((error) =>
      isStatusError(error, 'Conflict'),
    );
    expect(client.writes.map((write) => write.verb)).toEqual(['delete']);
    expect((await memory.get(refFor('ConfigMap', 'default'), 'b')).metadata?.name).toBe('b');
  });

  it('leaves an object with no owners, or one already being deleted, alone', async () => {
    const memory = new MemoryClient();
    const loner = await configMap(memory, 'a');
    const leaving = await configMap(memory, 'b', {
      owners: [{ ...ownedBy(loner), uid: 'gone' }],
      finalizers: ['example.com/hold'],
      deleting: true,
    });
    const { collector, client } = await startCollector(memory);
    await collector.reconcile(`delete/${loner.metadata.uid}`);
    await collector.reconcile(`delete/${leaving.metadata.uid}`);
    await collector.reconcile('delete/not-in-the-graph');
    expect(client.writes).toEqual([]);
  });

  it('does nothing before its informers have synced', async () => {
    const memory = new MemoryClient();
    const owner = await configMap(memory, 'a');
    const dependent = await configMap(memory, 'b', { owners: [ownedBy(owner)] });
    await memory.delete(refFor('ConfigMap', 'default'), 'a');
    const { collector, client } = await startCollector(memory, { start: false });

    expect(await collector.reconcile(`delete/${dependent.metadata.uid}`)).toEqual({ requeueAfterMs: 100 });
    expect(client.gets).toEqual([]);
    expect(client.writes).toEqual([]);
  });
});

describe('the garbage collector in the foreground', () => {
  it('deletes an owner’s dependents and waits for the blocking ones', async () => {
    const memory = new MemoryClient();
    const owner = await configMap(memory, 'a', { finalizers: ['foregroundDeletion'], deleting: true });
    const blocking = await configMap(memory, 'b', { owners: [ownedBy(owner, block)] });
    const free = await configMap(memory, 'c', { owners: [ownedBy(owner)] });
    const { collector, client } = await startCollector(memory);
    await drain(collector.queue);

    await collector.reconcile(`delete/${owner.metadata.uid}`);
    expect(client.writes).toEqual([]);
    expect(await drain(collector.queue)).toEqual([`delete/${blocking.metadata.uid}`]);

    await collector.reconcile(`delete/${blocking.metadata.uid}`);
    await collector.reconcile(`delete/${free.metadata.uid}`);
    expect(client.writes).toEqual(
      [blocking, free].map((dependent) => ({
        verb: 'delete',
        resource: 'configmaps',
        namespace: 'default',
        name: dependent.metadata!.name,
        options: {
          propagationPolicy: 'Background',
          preconditions: { uid: dependent.metadata.uid, resourceVersion: dependent.metadata.resourceVersion },
        },
      })),
    );
    // The blocking dependent's deletion, observed, brings the owner back.
    await until(() => collector.graph.get(blocking.metadata.uid) === undefined);
    expect(await drain(collector.queue)).toContain(`delete/${owner.metadata.uid}`);
  });

  it('removes the foregroundDeletion finalizer, and only it, once nothing blocks the owner', async () => {
    const memory = new MemoryClient();
    const owner = await configMap(memory, 'a', {
      finalizers: ['example.com/keep', 'foregroundDeletion'],
      deleting: true,
    });
    await configMap(memory, 'b', { owners: [ownedBy(owner)] });
    const { collector, client } = await startCollector(memory);

    await collector.reconcile(`delete/${owner.metadata.uid}`);
    expect(client.writes).toEqual([
      {
        verb: 'patch',
        resource: 'configmaps',
        namespace: 'default',
        name: 'a',
        patchType: 'merge',
        patch: {
          metadata: { resourceVersion: owner.metadata.resourceVersion, finalizers: ['example.com/keep'] },
        },
      },
    ]);
  });

  it('deletes a dependent with dependents of its own in the foreground too', async () => {
    const memory = new MemoryClient();
    const owner = await configMap(memory, 'a', { finalizers: ['foregroundDeletion'], deleting: true });
    const middle = await configMap(memory, 'b', { owners: [ownedBy(owner, block)] });
    await configMap(memory, 'c', { owners: [ownedBy(middle, block)] });
    const { collector, client } = await startCollector(memory);

    await collector.reconcile(`delete/${middle.metadata.uid}`);
    expect(client.writes).toMatchObject([
      { verb: 'delete', name: 'b', options: { propagationPolicy: 'Foreground' } },
    ]);
  });

  it('unblocks a dependent’s references before deleting it when its own dependent also waits (a cycle)', async () => {
    const memory = new MemoryClient();
    const owner = await configMap(memory, 'a', { finalizers: ['foregroundDeletion'], deleting: true });
    const middle = await configMap(memory, 'b', { owners: [ownedBy(owner, block)] });
    await configMap(memory, 'c', {
      owners: [ownedBy(middle, block)],
      finalizers: ['foregroundDeletion'],
      deleting: true,
    });
    const { collector, client } = await startCollector(memory);
    let patchedVersion: string | undefined;
    client.beforeWrite = async (write) => {
      if (write.verb !== 'delete') return;
      patchedVersion = (await memory.get(refFor('ConfigMap', 'default'), 'b')).metadata?.resourceVersion;
    };

    await collector.reconcile(`delete/${middle.metadata.uid}`);
    expect(patchedVersion).not.toBe(middle.metadata.resourceVersion);
    expect(client.writes).toEqual([
      {
        verb: 'patch',
        resource: 'configmaps',
        namespace: 'default',
        name: 'b',
        patchType: 'merge',
        patch: {
          metadata: {
            resourceVersion: middle.metadata.resourceVersion,
            ownerReferences: [ownedBy(owner, { blockOwnerDeletion: false })],
          },
        },
      },
      {
        verb: 'delete',
        resource: 'configmaps',
        namespace: 'default',
        name: 'b',
        options: {
          propagationPolicy: 'Foreground',
          preconditions: { uid: middle.metadata.uid, resourceVersion: patchedVersion },
        },
      },
    ]);
  });

  it('removes a reference to a waiting owner from a dependent another owner keeps', async () => {
    const memory = new MemoryClient();
    const owner = await configMap(memory, 'a', { finalizers: ['foregroundDeletion'], deleting: true });
    const keeper = await configMap(memory, 'k');
    const dependent = await configMap(memory, 'b', { owners: [ownedBy(owner, block), ownedBy(keeper)] });
    const { collector, client } = await startCollector(memory);

    await collector.reconcile(`delete/${dependent.metadata.uid}`);
    expect(client.writes).toEqual([
      {
        verb: 'patch',
        resource: 'configmaps',
        namespace: 'default',
        name: 'b',
        patchType: 'merge',
        patch: {
          metadata: {
            resourceVersion: dependent.metadata.resourceVersion,
            ownerReferences: [ownedBy(keeper)],
          },
        },
      },
    ]);
  });
});

describe('the garbage collector orphaning', () => {
  it('strips the owner from every dependent, then removes its orphan finalizer', async () => {
    const memory = new MemoryClient();
    const owner = await configMap(memory, 'a', { finalizers: ['orphan'], deleting: true });
    const other = await configMap(memory, 'z');
    const only = await configMap(memory, 'b', { owners: [ownedBy(owner, block)] });
    const shared = await configMap(memory, 'c', { owners: [ownedBy(other), ownedBy(owner)] });
    const { collector, client } = await startCollector(memory);

    await collector.reconcile(`orphan/${owner.metadata.uid}`);
    expect(client.writes).toEqual([
      {
        verb: 'patch',
        resource: 'configmaps',
        namespace: 'default',
        name: 'b',
        patchType: 'merge',
        patch: { metadata: { resourceVersion: only.metadata.resourceVersion, ownerReferences: null } },
      },
      {
        verb: 'patch',
        resource: 'configmaps',
        namespace: 'default',
        name: 'c',
        patchType: 'merge',
        patch: {
          metadata: { resourceVersion: shared.metadata.resourceVersion, ownerReferences: [ownedBy(other)] },
        },
      },
      {
        verb: 'patch',
        resource: 'configmaps',
        namespace: 'default',
        name: 'a',
        patchType: 'merge',
        patch: { metadata: { resourceVersion: owner.metadata.resourceVersion, finalizers: null } },
      },
    ]);
  });

  it('re-reads a dependent the cache has a stale copy of and patches again', async () => {
    const memory = new MemoryClient();
    const owner = await configMap(memory, 'a', { finalizers: ['orphan'], deleting: true });
    const dependent = await configMap(memory, 'b', { owners: [ownedBy(owner)] });
    const { collector, client } = await startCollector(memory);
    let edited = false;
    client.beforeWrite = async () => {
      if (edited) return;
      edited = true;
      await memory.patch(refFor('ConfigMap', 'default'), 'b', 'merge', {
        metadata: { labels: { late: 'edit' } },
      });
    };

    await collector.reconcile(`orphan/${owner.metadata.uid}`);
    // The cached copy's resourceVersion, refused; then the one the race wrote, read live.
    const cached = dependent.metadata.resourceVersion;
    const raced = String(Number(cached) + 1);
    expect(client.writes.map((write) => (write.verb === 'patch' ? [write.name, write.patch] : []))).toEqual([
      ['b', { metadata: { resourceVersion: cached, ownerReferences: null } }],
      ['b', { metadata: { resourceVersion: raced, ownerReferences: null } }],
      ['a', { metadata: { resourceVersion: owner.metadata.resourceVersion, finalizers: null } }],
    ]);
  });

  it('does nothing for an owner no longer orphaning', async () => {
    const memory = new MemoryClient();
    const owner = await configMap(memory, 'a');
    await configMap(memory, 'b', { owners: [ownedBy(owner)] });
    const { collector, client } = await startCollector(memory);
    await collector.reconcile(`orphan/${owner.metadata.uid}`);
    expect(client.writes).toEqual([]);
  });
});

describe('the garbage collector and invalid references', () => {
  it('collects a dependent naming an owner in another namespace, with an OwnerRefInvalidNamespace event', async () => {
    const memory = new MemoryClient();
    const owner = await configMap(memory, 'a', { namespace: 'one' });
    const dependent = await configMap(memory, 'b', { namespace: 'two', owners: [ownedBy(owner)] });
    const { collector, client } = await startCollector(memory);
    expect(await drain(collector.queue)).toEqual([`delete/${dependent.metadata.uid}`]);

    await collector.reconcile(`delete/${dependent.metadata.uid}`);
    expect(client.gets).toEqual(['configmaps two/b', 'configmaps two/a']);
    const stamp = '2025-01-01T00:00:00Z';
    expect(client.writes).toEqual([
      {
        verb: 'create',
        resource: 'events',
        namespace: 'two',
        object: {
          metadata: {
            name: `b.${(BigInt(Date.UTC(2025, 0, 1)) * 1_000_000n).toString(16)}`,
            namespace: 'two',
          },
          involvedObject: {
            kind: 'ConfigMap',
            apiVersion: 'v1',
            namespace: 'two',
            name: 'b',
            uid: dependent.metadata.uid,
          },
          reason: 'OwnerRefInvalidNamespace',
          message: `ownerRef [v1/ConfigMap, namespace: two, name: a, uid: ${owner.metadata.uid}] does not exist in namespace "two"`,
          type: 'Warning',
          source: { component: 'garbage-collector-controller' },
          firstTimestamp: stamp,
          lastTimestamp: stamp,
          count: 1,
        },
      },
      {
        verb: 'delete',
        resource: 'configmaps',
        namespace: 'two',
        name: 'b',
        options: {
          propagationPolicy: 'Background',
          preconditions: { uid: dependent.metadata.uid, resourceVersion: dependent.metadata.resourceVersion },
        },
      },
    ]);
  });

  it('refuses to collect a cluster-scoped object that names a namespaced owner', async () => {
    const memory = new MemoryClient();
    const role = (await memory.create<KubeObject>(refFor('ClusterRole'), {
      metadata: {
        name: 'r',
        ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'a', uid: 'gone' }],
      },
    })) as KubeObject & { metadata: { uid: string } };
    const { collector, client } = await startCollector(memory);

    await expect(collector.reconcile(`delete/${role.metadata.uid}`)).rejects.toBeInstanceOf(TerminalError);
    expect(client.gets).toEqual(['clusterroles.rbac.authorization.k8s.io r']);
    expect(client.writes).toEqual([]);
  });

  it('refuses to collect an object naming an owner of a kind Skiff does not serve', async () => {
    const memory = new MemoryClient();
    const dependent = await configMap(memory, 'b', {
      owners: [{ apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: 'w-uid' }],
    });
    const { collector, client } = await startCollector(memory);

    await expect(collector.reconcile(`delete/${dependent.metadata.uid}`)).rejects.toBeInstanceOf(
      TerminalError,
    );
    expect(client.writes).toEqual([]);
  });
});
