import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/resource.js';
import { resources } from '../api/resources/index.js';
import { alreadyExists, fromStatus, internalError, isStatusError } from '../api/status.js';
import { createInProcessClient } from '../apiserver/in-process-client.js';
import { createApiServer } from '../apiserver/server.js';
import { InformerFactory } from '../client/informer-factory.js';
import { refFor } from '../client/refs.js';
import { FakeClock, settle } from '../client/testing/fake-clock.js';
import { MemoryClient } from '../client/testing/memory-client.js';
import { RecordingClient } from '../client/testing/recording-client.js';
import { openMemoryStore } from '../store/memory.js';
import type { ControllerContext, ControllerFactory } from './framework.js';
import { startControllerManager } from './manager.js';
import {
  makeServiceAccountController,
  type ServiceAccountController,
  serviceAccountController,
} from './service-account.js';

interface Fixture {
  readonly clock: FakeClock;
  readonly memory: MemoryClient;
  readonly client: RecordingClient;
  readonly context: ControllerContext;
  readonly controller: ServiceAccountController;
  readonly summaries: () => string[];
  readonly errors: unknown[];
}

const informerFactories: InformerFactory[] = [];
afterEach(async () => {
  for (const informers of informerFactories.splice(0)) await informers.stop();
});

async function setup(
  seed: (memory: MemoryClient) => Promise<void>,
  make: ControllerFactory = serviceAccountController,
): Promise<Fixture> {
  const clock = new FakeClock();
  const memory = new MemoryClient({ clock });
  await seed(memory);
  const client = new RecordingClient(memory);
  const informers = new InformerFactory({ client, clock });
  informerFactories.push(informers);
  const errors: unknown[] = [];
  const context: ControllerContext = {
    client,
    informers,
    clock,
    onError: (_controller, _key, error) => errors.push(error),
  };
  const controller = make(context) as ServiceAccountController;
  informers.start();
  await informers.waitForSync();
  return {
    clock,
    memory,
    client,
    context,
    controller,
    errors,
    summaries: () => client.writes.map((write) => write.summary),
  };
}

const namespace = (name: string, phase = 'Active'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name },
  status: { phase },
});

/** The 403 the API's namespace lifecycle check gives (upstream's, with its NamespaceTerminating cause). */
const terminatingForbidden = (namespaceName: string) =>
  fromStatus({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `serviceaccounts "default" is forbidden: unable to create new content in namespace ${namespaceName} because it is being terminated`,
    reason: 'Forbidden',
    details: {
      name: 'default',
      kind: 'serviceaccounts',
      causes: [
        {
          reason: 'NamespaceTerminating',
          message: `namespace ${namespaceName} is being terminated`,
          field: 'metadata.namespace',
        },
      ],
    },
    code: 403,
  });

describe('the service account controller', () => {
  it('creates the default ServiceAccount in an active namespace that has none', async () => {
    const { controller, client, summaries } = await setup(async (memory) => {
      await memory.create(refFor('Namespace'), namespace('shop'));
    });

    expect(await controller.reconcile('shop')).toBeUndefined();

    expect(summaries()).toEqual(['create serviceaccounts/default -n shop']);
    expect(client.writes[0]!.body).toEqual({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'default', namespace: 'shop' },
    });
  });

  it('writes nothing when the account exists, the namespace is terminating, or the namespace is gone', async () => {
    const { controller, summaries } = await setup(async (memory) => {
      await memory.create(refFor('Namespace'), namespace('ready'));
      await memory.create(refFor('ServiceAccount', 'ready'), { metadata: { name: 'default' } });
      await memory.create(refFor('Namespace'), namespace('doomed', 'Terminating'));
    });

    for (const key of ['ready', 'doomed', 'vanished'])
      expect(await controller.reconcile(key)).toBeUndefined();

    expect(summaries()).toEqual([]);
  });

  it('ensures every configured account, in order', async () => {
    const { controller, summaries } = await setup(
      async (memory) => {
        await memory.create(refFor('Namespace'), namespace('shop'));
        await memory.create(refFor('ServiceAccount', 'shop'), { metadata: { name: 'default' } });
      },
      makeServiceAccountController({ serviceAccounts: ['builder', 'default', 'deployer'] }),
    );

    await controller.reconcile('shop');

    expect(summaries()).toEqual([
      'create serviceaccounts/builder -n shop',
      'create serviceaccounts/deployer -n shop',
    ]);
  });

  it('takes AlreadyExists and a terminating namespace’s 403 as success, and throws other failures', async () => {
    const { controller, client, summaries } = await setup(async (memory) => {
      await memory.create(refFor('Namespace'), namespace('shop'));
    });
    const write = 'create serviceaccounts/default -n shop';
    client.failures.push(
      { summary: write, error: alreadyExists({ group: '', resource: 'serviceaccounts' }, 'default') },
      { summary: write, error: terminatingForbidden('shop') },
      { summary: write, error: internalError('etcd is down') },
    );

    expect(await controller.reconcile('shop')).toBeUndefined();
    expect(await controller.reconcile('shop')).toBeUndefined();
    const failure = await controller.reconcile('shop').catch((error: unknown) => error);

    expect(isStatusError(failure, 'InternalError')).toBe(true);
    expect(summaries()).toEqual([write, write, write]);
  });

  it('creates the account when a namespace appears, and again when the account is deleted', async () => {
    const { context, memory, summaries, errors } = await setup(async () => {});
    const abort = new AbortController();
    // A second controller on the fixture's informers, run through its queue (the fixture's never runs).
    const running = serviceAccountController(context).run(abort.signal);
    try {
      await memory.create(refFor('Namespace'), namespace('shop'));
      await settle();
      expect(summaries()).toEqual(['create serviceaccounts/default -n shop']);

      await memory.delete(refFor('ServiceAccount', 'shop'), 'default');
      await settle();
      expect(summaries()).toEqual([
        'create serviceaccounts/default -n shop',
        'create serviceaccounts/default -n shop',
      ]);
      expect((await memory.get(refFor('ServiceAccount', 'shop'), 'default')).metadata?.name).toBe('default');
    } finally {
      abort.abort();
      await running;
    }
    expect(errors).toEqual([]);
  });
});

describe('the service account controller against a real API server', () => {
  it('gives a new namespace its default ServiceAccount, and brings it back when deleted', async () => {
    const store = await openMemoryStore();
    const server = await createApiServer({ store, resources });
    const client = createInProcessClient(server);
    const log: string[] = [];
    const manager = startControllerManager({
      client,
      controllers: [serviceAccountController],
      log: (message) => log.push(message),
    });
    try {
      await client.create(refFor('Namespace'), { metadata: { name: 'fresh' } });
      const first = await eventually(() => client.get(refFor('ServiceAccount', 'fresh'), 'default'));
      // The namespaces that exist from the start get theirs too.
      await eventually(() => client.get(refFor('ServiceAccount', 'kube-system'), 'default'));

      await client.delete(refFor('ServiceAccount', 'fresh'), 'default');
      const second = await eventually(async () => {
        const account = await client.get(refFor('ServiceAccount', 'fresh'), 'default');
        expect(account.metadata?.uid).not.toBe(first.metadata?.uid);
        return account;
      });
      expect(second.metadata?.namespace).toBe('fresh');
      expect(log).toEqual([]);
    } finally {
      await manager.stop();
      await client.close();
      await server.close();
      await store.close();
    }
  });
});

/** Runs `check` until it resolves, failing with its last error after `timeoutMs`. */
async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
