import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resources } from '../api/resources/index.js';
import { describeKubeClientContract, take } from '../client/client.contract.js';
import type { HttpClient } from '../client/http-client.js';
import { refFor } from '../client/refs.js';
import { openMemoryStore } from '../store/memory.js';
import type { Store } from '../store/types.js';
import { createInProcessClient } from './in-process-client.js';
import { type ApiServer, createApiServer } from './server.js';

/** The in-process client obeys the same contract as the HTTP client, with no socket in between. */
let store: Store;
let server: ApiServer;
let client: HttpClient;

beforeAll(async () => {
  store = await openMemoryStore();
  server = await createApiServer({ store, resources });
  client = createInProcessClient(server);
});
afterAll(async () => {
  await client?.close();
  await server?.close();
  await store?.close();
});

describeKubeClientContract('the in-process client', async () => ({ client, namespace: 'default' }));

describe('the in-process client', () => {
  it('hands watchers the cache’s objects frozen, so none can edit what others share', async () => {
    const ref = refFor('ConfigMap', 'default');
    const watch = await client.watch(ref, {
      resourceVersion: (await client.list(ref)).metadata.resourceVersion,
    });
    await client.create(ref, { metadata: { name: 'frozen' }, data: { a: '1' } });
    const [event] = await take(watch, 1);
    expect(event?.type).toBe('ADDED');
    expect(Object.isFrozen(event?.object)).toBe(true);
    expect(Object.isFrozen((event!.object as { data: object }).data)).toBe(true);
    watch.close();
  });
});

describe('an in-process client acting as a component', () => {
  it('has that user’s rights, and no more, for requests and for watches', async () => {
    const rbacStore = await openMemoryStore();
    const { createAuthorization } = await import('./auth/rbac/authorization.js');
    const { ensureBootstrapPolicy } = await import('./auth/rbac/bootstrap.js');
    const rbac = createAuthorization();
    const rbacServer = await createApiServer({
      store: rbacStore,
      resources,
      authorizer: rbac.authorizer,
      inProcessUser: { username: 'system:apiserver', groups: ['system:masters', 'system:authenticated'] },
    });
    await ensureBootstrapPolicy(rbacServer.stores);
    rbac.follow(rbacServer.stores);
    const scheduler = createInProcessClient(rbacServer, {
      user: { username: 'system:kube-scheduler', groups: ['system:authenticated'] },
    });
    try {
      expect((await scheduler.list(refFor('Pod'))).items).toEqual([]);
      await expect(scheduler.list(refFor('Secret'))).rejects.toMatchObject({ status: { code: 403 } });
      const allowed = await scheduler.watch(refFor('Pod'));
      allowed.close();
      await expect(scheduler.watch(refFor('Secret'))).rejects.toMatchObject({
        status: { code: 403, reason: 'Forbidden' },
      });
    } finally {
      rbac.stop();
      await scheduler.close();
      await rbacServer.close();
      await rbacStore.close();
    }
  });
});
