/**
 * The behaviour every `KubeClient` implementation must have, as one shared suite: the HTTP client runs
 * it against a real Skiff, the in-memory fake runs it too (that is what entitles the fake to stand in
 * for a server), and so can the in-process client.
 *
 *   describeKubeClientContract('the HTTP client', async () => ({ client, namespace: 'default' }));
 *
 * Cases use ConfigMaps in the given namespace, each under names of its own, so they may share it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/resource.js';
import { isStatusError, type StatusReason } from '../api/status.js';
import { refFor } from './refs.js';
import type { KubeClient, WatchEvent } from './types.js';

export interface ContractSubject {
  readonly client: KubeClient;
  /** An existing namespace the cases may write ConfigMaps into. */
  readonly namespace: string;
}

export function describeKubeClientContract(name: string, setup: () => Promise<ContractSubject>): void {
  describe(`${name} obeys the KubeClient contract`, () => {
    let client: KubeClient;
    let namespace: string;
    let sequence = 0;
    const unique = (stem: string) => `${stem}-${process.pid}-${++sequence}`;
    const configMaps = () => refFor('ConfigMap', namespace);
    const configMap = (
      objectName: string,
      data: Record<string, string> = {},
      labels?: Record<string, string>,
    ) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: objectName, ...(labels ? { labels } : {}) },
      data,
    });

    beforeAll(async () => {
      ({ client, namespace } = await setup());
    });

    it('a created object comes back from get with a uid and a resourceVersion', async () => {
      const objectName = unique('created');
      const created = await client.create(configMaps(), configMap(objectName, { a: '1' }));
      expect(created.metadata?.uid).toBeTruthy();
      expect(created.metadata?.resourceVersion).toMatch(/^\d+$/);
      const read = await client.get(configMaps(), objectName);
      expect(read).toMatchObject({
        metadata: { name: objectName, namespace, uid: created.metadata?.uid },
        data: { a: '1' },
      });
    });

    it('creating an existing name fails with AlreadyExists', async () => {
      const objectName = unique('twice');
      await client.create(configMaps(), configMap(objectName));
      await expectReason(client.create(configMaps(), configMap(objectName)), 'AlreadyExists', 409);
    });

    it('reading a missing object fails with NotFound', async () => {
      await expectReason(client.get(configMaps(), unique('missing')), 'NotFound', 404);
    });

    it('an update carrying a stale resourceVersion fails with Conflict; a current one succeeds', async () => {
      const objectName = unique('versions');
      const first = await client.create(configMaps(), configMap(objectName, { v: '1' }));
      const second = await client.update(configMaps(), { ...first, data: { v: '2' } });
      expect(Number(second.metadata?.resourceVersion)).toBeGreaterThan(
        Number(first.metadata?.resourceVersion),
      );
      await expectReason(client.update(configMaps(), { ...first, data: { v: 'stale' } }), 'Conflict', 409);
      expect((await client.get(configMaps(), objectName)).data).toEqual({ v: '2' });
    });

    it('a merge patch changes only the members it names', async () => {
      const objectName = unique('patched');
      await client.create(configMaps(), configMap(objectName, { keep: 'yes', drop: 'yes' }));
      const patched = await client.patch(configMaps(), objectName, 'merge', {
        data: { drop: null, add: 'new' },
      });
      expect(patched.data).toEqual({ keep: 'yes', add: 'new' });
    });

    it('a deleted object is gone; deleting it again fails with NotFound', async () => {
      const objectName = unique('deleted');
      await client.create(configMaps(), configMap(objectName));
      await client.delete(configMaps(), objectName);
      await expectReason(client.get(configMaps(), objectName), 'NotFound', 404);
      await expectReason(client.delete(configMaps(), objectName), 'NotFound', 404);
    });

    it('a delete whose uid precondition fails is refused with Conflict', async () => {
      const objectName = unique('precondition');
      await client.create(configMaps(), configMap(objectName));
      await expectReason(
        client.delete(configMaps(), objectName, { preconditions: { uid: 'not-its-uid' } }),
        'Conflict',
        409,
      );
    });

    it('a list with a label selector returns only the matching objects, with a resourceVersion', async () => {
      const run = unique('run');
      await client.create(configMaps(), configMap(unique('match'), {}, { run, pick: 'yes' }));
      await client.create(configMaps(), configMap(unique('other'), {}, { run, pick: 'no' }));
      const list = await client.list(configMaps(), { labelSelector: `run=${run},pick=yes` });
      expect(list.items.map((item) => item.metadata?.labels?.pick)).toEqual(['yes']);
      expect(list.metadata.resourceVersion).toMatch(/^\d+$/);
    });

    it('a watch from a list resourceVersion sees create, update and delete in order, delete with the last state', async () => {
      const run = unique('watched');
      const list = await client.list(configMaps(), { labelSelector: `run=${run}` });
      const watch = await client.watch(configMaps(), {
        labelSelector: `run=${run}`,
        resourceVersion: list.metadata.resourceVersion,
      });
      const objectName = unique('w');
      const created = await client.create(configMaps(), configMap(objectName, { step: '1' }, { run }));
      await client.update(configMaps(), { ...created, data: { step: '2' } });
      await client.delete(configMaps(), objectName);
      const events = await take(watch, 3);
      watch.close();
      expect(events.map((event) => [event.type, (event.object as KubeObject).data])).toEqual([
        ['ADDED', { step: '1' }],
        ['MODIFIED', { step: '2' }],
        ['DELETED', { step: '2' }],
      ]);
    });

    it('a watch without a resourceVersion starts with ADDED events for what exists', async () => {
      const run = unique('existing');
      await client.create(configMaps(), configMap(unique('e'), {}, { run }));
      const watch = await client.watch(configMaps(), { labelSelector: `run=${run}` });
      const [event] = await take(watch, 1);
      watch.close();
      expect(event?.type).toBe('ADDED');
    });

    it('a closed watch ends its iteration', async () => {
      const watch = await client.watch(configMaps(), { labelSelector: `run=${unique('closed')}` });
      const iteration = (async () => {
        for await (const _event of watch) {
          // nothing arrives
        }
        return 'ended';
      })();
      watch.close();
      expect(await iteration).toBe('ended');
    });

    it('deleteCollection deletes exactly what the selector matches', async () => {
      const run = unique('collection');
      await client.create(configMaps(), configMap(unique('gone'), {}, { run, doomed: 'yes' }));
      await client.create(configMaps(), configMap(unique('kept'), {}, { run, doomed: 'no' }));
      const deleted = await client.deleteCollection(configMaps(), { labelSelector: `run=${run},doomed=yes` });
      expect(deleted.items).toHaveLength(1);
      const left = await client.list(configMaps(), { labelSelector: `run=${run}` });
      expect(left.items.map((item) => item.metadata?.labels?.doomed)).toEqual(['no']);
    });
  });
}

async function expectReason(promise: Promise<unknown>, reason: StatusReason, code: number): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(isStatusError(error, reason), `expected ${reason}, got ${String(error)}`).toBe(true);
  expect((error as { code: number }).code).toBe(code);
}

/** The next `count` events, or a failure after five seconds. */
export async function take<T extends KubeObject>(
  watch: AsyncIterable<WatchEvent<T>>,
  count: number,
  timeoutMs = 5000,
): Promise<WatchEvent<T>[]> {
  const events: WatchEvent<T>[] = [];
  const iterator = watch[Symbol.asyncIterator]();
  const deadline = Date.now() + timeoutMs;
  while (events.length < count) {
    let timer: NodeJS.Timeout | undefined;
    const next = await Promise.race([
      iterator.next(),
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()));
      }),
    ]);
    clearTimeout(timer);
    if (next === 'timeout') throw new Error(`only ${events.length} of ${count} watch events arrived`);
    if (next.done) throw new Error(`the watch ended after ${events.length} of ${count} events`);
    events.push(next.value);
  }
  return events;
}
