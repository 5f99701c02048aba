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
