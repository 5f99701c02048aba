import { afterEach, describe, expect, it } from 'vitest';
import { resources } from '../../api/resources/index.js';
import { openMemoryStore } from '../../store/memory.js';
import type { Store } from '../../store/types.js';
import { type ApiServer, createApiServer } from '../server.js';

/**
 * A client that trickles its request (headers or body) holds a socket and, for a write, an in-flight
 * slot. `requestTimeoutMs` hands Node's HTTP server the deadline for receiving the whole request; Node
 * then answers 408 and closes the connection. Node checks the deadline on its own interval (30 s), which
 * no test should wait for, so this checks the setting reaches the server, and that it is off by default.
 */
describe('the slow-client request timeout', () => {
  let store: Store | undefined;
  let server: ApiServer | undefined;
  afterEach(async () => {
    await server?.close();
    await store?.close();
  });

  it('is handed to the HTTP server when set', async () => {
    store = await openMemoryStore();
    server = await createApiServer({ store, resources, requestTimeoutMs: 60_000 });
    expect(server.app.server.requestTimeout).toBe(60_000);
    expect((server.app.initialConfig as { requestTimeout?: number }).requestTimeout).toBe(60_000);
  });

  it('is off by default, as before', async () => {
    store = await openMemoryStore();
    server = await createApiServer({ store, resources });
    expect((server.app.initialConfig as { requestTimeout?: number }).requestTimeout).toBe(0);
  });
});
