import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject, OwnerReference } from '../api/resource.js';
import { resources } from '../api/resources/index.js';
import { isStatusError } from '../api/status.js';
import { createInProcessClient } from '../apiserver/in-process-client.js';
import { type ApiServer, createApiServer } from '../apiserver/server.js';
import type { HttpClient } from '../client/http-client.js';
import { refFor } from '../client/refs.js';
import type { KubeClient } from '../client/types.js';
import { openMemoryStore } from '../store/memory.js';
import type { Store } from '../store/types.js';
import { garbageCollector } from './garbage-collector.js';
import { type RunningControllerManager, startControllerManager } from './manager.js';

/**
 * The garbage collector against a real API server (in process), run by the controller manager: every
 * deletion below goes through the API's own propagation (finalizers, deletionTimestamp), and the
 * collector sees the results only through its informers.
 */
let store: Store;
let server: ApiServer;
let client: HttpClient;
let manager: RunningControllerManager;
const log: string[] = [];

beforeAll(async () => {
  store = await openMemoryStore();
  server = await createApiServer({ store, resources });
  client = createInProcessClient(server);
  manager = startControllerManager({
    client,
    controllers: [garbageCollector],
    log: (line) => log.push(line),
  });
});
afterAll(async () => {
  await manager?.stop();
  await client?.close();
  await server?.close();
  await store?.close();
});

let namespaces = 0;
/** A namespace of the test's own, so tests share the server but not their objects. */
async function freshNamespace(): Promise<string> {
  const name = `gc-${++namespaces}`;
  await client.create(refFor('Namespace'), { metadata: { name } });
  return name;
}

/** Polls `probe` until it returns something other than undefined, for at most five seconds. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The object, or undefined once it is gone. */
async function find(
  kubeClient: KubeClient,
  namespace: string,
  name: string,
): Promise<KubeObject | undefined> {
  try {
    return await kubeClient.get(refFor('ConfigMap', namespace), name);
  } catch (error) {
    if (isStatusError(error, 'NotFound')) return undefined;
    throw error;
  }
}

const gone = (namespace: string, name: string) => async () =>
  (await find(client, namespace, name)) === undefined ? true : undefined;

async function configMap(
  namespace: string,
  name: string,
  owners: OwnerReference[] = [],
  finalizers?: string[],
) {
  return client.create(refFor('ConfigMap', namespace), {
    metadata: {
      name,
      ...(owners.length > 0 ? { ownerReferences: owners } : {}),
      ...(finalizers ? { finalizers } : {}),
    },
    data: { name },
  });
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

describe('the garbage collector with a real API server', () => {
  it('deletes a ConfigMap whose owner ConfigMap was deleted (background)', async () => {
    const namespace = await freshNamespace();
    const owner = await configMap(namespace, 'owner');
    await configMap(namespace, 'dependent', [ownedBy(owner)]);
    await configMap(namespace, 'bystander');

    await client.delete(refFor('ConfigMap', namespace), 'owner');
    await eventually('the dependent is gone', gone(namespace, 'dependent'));
    expect(await find(client, namespace, 'bystander')).toBeDefined();
  });

  it('orphans: the dependent stays without its ownerReference, and the owner goes', async () => {
    const namespace = await freshNamespace();
    const owner = await configMap(namespace, 'owner');
    const other = await configMap(namespace, 'other');
    await configMap(namespace, 'dependent', [ownedBy(owner, { blockOwnerDeletion: true }), ownedBy(other)]);

    await client.delete(refFor('ConfigMap', namespace), 'owner', { propagationPolicy: 'Orphan' });
    await eventually('the owner is gone', gone(namespace, 'owner'));
    const dependent = await find(client, namespace, 'dependent');
    expect(dependent?.metadata?.ownerReferences).toEqual([ownedBy(other)]);
    expect(dependent?.metadata?.deletionTimestamp).toBeUndefined();
  });

  it('deletes in the foreground: the owner stays until its blocking dependents are gone, then goes', async () => {
    const namespace = await freshNamespace();
    const owner = await configMap(namespace, 'owner');
    // The blocking dependent carries a finalizer of its own, so its deletion can be held open.
    await configMap(
      namespace,
      'blocking',
      [ownedBy(owner, { blockOwnerDeletion: true })],
      ['example.com/hold'],
    );
    await configMap(namespace, 'free', [ownedBy(owner)]);

    await client.delete(refFor('ConfigMap', namespace), 'owner', { propagationPolicy: 'Foreground' });
    const held = await eventually('the blocking dependent is being deleted', async () => {
      const blocking = await find(client, namespace, 'blocking');
      return blocking?.metadata?.deletionTimestamp ? blocking : undefined;
    });
    await eventually('the free dependent is gone', gone(namespace, 'free'));
    const waiting = await find(client, namespace, 'owner');
    expect(waiting?.metadata?.deletionTimestamp).toBeDefined();
    expect(waiting?.metadata?.finalizers).toEqual(['foregroundDeletion']);

    await client.patch(refFor('ConfigMap', namespace), 'blocking', 'merge', {
      metadata: { resourceVersion: held.metadata?.resourceVersion, finalizers: null },
    });
    await eventually('the owner is gone', gone(namespace, 'owner'));
    expect(await find(client, namespace, 'blocking')).toBeUndefined();
  });

  it('keeps a dependent with two owners when one is deleted, dropping only that reference', async () => {
    const namespace = await freshNamespace();
    const first = await configMap(namespace, 'first');
    const second = await configMap(namespace, 'second');
    await configMap(namespace, 'dependent', [ownedBy(first), ownedBy(second)]);

    await client.delete(refFor('ConfigMap', namespace), 'first');
    const dependent = await eventually('the dependent loses its reference to the deleted owner', async () => {
      const current = await find(client, namespace, 'dependent');
      return current?.metadata?.ownerReferences?.length === 1 ? current : undefined;
    });
    expect(dependent.metadata?.ownerReferences).toEqual([ownedBy(second)]);

    await client.delete(refFor('ConfigMap', namespace), 'second');
    await eventually('the dependent goes with its last owner', gone(namespace, 'dependent'));
  });

  it('cascades through a chain of owners in the foreground', async () => {
    const namespace = await freshNamespace();
    const top = await configMap(namespace, 'top');
    const middle = await configMap(namespace, 'middle', [ownedBy(top, { blockOwnerDeletion: true })]);
    await configMap(namespace, 'bottom', [ownedBy(middle, { blockOwnerDeletion: true })]);

    await client.delete(refFor('ConfigMap', namespace), 'top', { propagationPolicy: 'Foreground' });
    await eventually('the whole chain is gone', async () => {
      const left = await Promise.all(
        ['top', 'middle', 'bottom'].map((name) => find(client, namespace, name)),
      );
      return left.every((object) => object === undefined) ? true : undefined;
    });
  });

  it('collects a dependent naming an owner in another namespace, with a warning Event', async () => {
    const home = await freshNamespace();
    const elsewhere = await freshNamespace();
    const owner = await configMap(home, 'owner');
    await configMap(elsewhere, 'stray', [ownedBy(owner)]);

    await eventually('the stray dependent is gone', gone(elsewhere, 'stray'));
    expect(await find(client, home, 'owner')).toBeDefined();
    const events = await client.list(refFor('Event', elsewhere), {
      fieldSelector: 'reason=OwnerRefInvalidNamespace,involvedObject.name=stray',
    });
    expect(events.items).toHaveLength(1);
  });

  it('collects garbage left while it was not running, once its caches have synced', async () => {
    const namespace = await freshNamespace();
    await manager.stop();
    try {
      const owner = await configMap(namespace, 'owner');
      await configMap(namespace, 'dependent', [ownedBy(owner)]);
      await client.delete(refFor('ConfigMap', namespace), 'owner');
      expect(await find(client, namespace, 'dependent')).toBeDefined();
    } finally {
      manager = startControllerManager({
        client,
        controllers: [garbageCollector],
        log: (line) => log.push(line),
      });
    }
    await eventually('the dependent is gone', gone(namespace, 'dependent'));
  });

  it('reported no failures', () => {
    expect(log.filter((line) => line.startsWith('garbage-collector'))).toEqual([]);
  });
});
