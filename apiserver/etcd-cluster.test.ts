import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSkiff, up } from '../cli/up.js';
import { ApiClient } from '../conformance/client.js';
import { type EtcdProcess, etcdRequired, startEtcd } from '../store/testing/etcd-process.js';
import { freePort } from '../store/testing/free-port.js';

/** Two API servers over one real etcd: how Skiff grows past one machine. */
const withEtcd = etcdRequired();

describe.skipIf(!withEtcd)('two API servers over one etcd', () => {
  let etcd: EtcdProcess;
  const servers: RunningSkiff[] = [];
  const dirs: string[] = [];

  beforeAll(async () => {
    etcd = await startEtcd();
    for (let i = 0; i < 2; i++) {
      const dataDir = await mkdtemp(join(tmpdir(), 'skiff-etcd-api-'));
      dirs.push(dataDir);
      // The API alone: the controllers' own writes (kube-root-ca.crt …) would race the watch below.
      servers.push(
        await up({ dataDir, port: await freePort(), store: `etcd://${etcd.endpoint}`, controllers: false }),
      );
    }
  }, 30_000);
  afterAll(async () => {
    for (const server of servers) await server.stop();
    await etcd?.stop();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('a write through one is read, listed and watched through the other', async () => {
    const [a, b] = servers.map((server) => new ApiClient(server.url)) as [ApiClient, ApiClient];
    const watch = b.watch('/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=0');
    await watch.ready;
    const created = await a.ok('POST', '/api/v1/namespaces/default/configmaps', {
      metadata: { name: 'shared' },
      data: { k: 'v' },
    });
    const event = await watch.next();
    expect(event).toMatchObject({
      type: 'ADDED',
      object: { metadata: { name: 'shared', resourceVersion: created.metadata.resourceVersion } },
    });
    expect((await b.ok('GET', '/api/v1/namespaces/default/configmaps/shared')).data).toEqual({ k: 'v' });
    // A stale write through the other server is refused: both compare-and-swap on etcd's revision.
    await b.ok('PUT', '/api/v1/namespaces/default/configmaps/shared', { ...created, data: { k: 'b' } });
    const stale = await a.call('PUT', '/api/v1/namespaces/default/configmaps/shared', {
      ...created,
      data: { k: 'a' },
    });
    expect(stale.status).toBe(409);
    watch.close();
  });
});
