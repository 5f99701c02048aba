import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isStoreError, type StoreErrorCode } from './errors.js';
import { openEtcdStore } from './etcd.js';
import { openLevelStore } from './level.js';
import { openMemoryStore } from './memory.js';
import { type EtcdProcess, etcdRequired, startEtcd } from './testing/etcd-process.js';
import type { Store, WatchMessage } from './types.js';
import { MAX_VALUE_BYTES } from './types.js';
import type { WatchStream } from './watch-stream.js';

/**
 * One contract, run against every backend with the same cases and assertions. Revisions are compared
 * relative to the revision a test starts at, because an etcd shared by the suite has one global revision.
 */
interface Backend {
  readonly name: string;
  readonly enabled: () => boolean;
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
  open(): Promise<Store>;
  /** Opens the same data again after `close` (a restart); undefined for the memory backend. */
  readonly reopen?: () => Promise<Store>;
}

let levelDir = '';
let etcd: EtcdProcess | undefined;

const backends: Backend[] = [
  {
    name: 'memory',
    enabled: () => true,
    setUp: async () => {},
    tearDown: async () => {},
    open: openMemoryStore,
  },
  {
    name: 'level',
    enabled: () => true,
    setUp: async () => {},
    tearDown: async () => {},
    open: async () => {
      levelDir = await mkdtemp(join(tmpdir(), 'skiff-level-'));
      return openLevelStore(levelDir);
    },
    reopen: () => openLevelStore(levelDir),
  },
  {
    name: 'etcd',
    enabled: etcdRequired,
    setUp: async () => {
      etcd = await startEtcd();
    },
    tearDown: async () => {
      await etcd?.stop();
    },
    open: () => openEtcdStore({ endpoints: [etcd!.endpoint] }),
    reopen: () => openEtcdStore({ endpoints: [etcd!.endpoint] }),
  },
];

const text = (value: string) => new TextEncoder().encode(value);
const read = (value: Uint8Array | undefined) => (value ? new TextDecoder().decode(value) : undefined);

async function expectCode(promise: Promise<unknown> | (() => unknown), code: StoreErrorCode) {
  let caught: unknown;
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    caught = error;
  }
  expect(isStoreError(caught), `expected a StoreError ${code}, got ${String(caught)}`).toBe(true);
  expect((caught as { code: string }).code).toBe(code);
}

/** Reads `count` messages, failing the test instead of hanging if they do not come. */
async function take(stream: WatchStream, count: number, timeoutMs = 5000): Promise<WatchMessage[]> {
  const messages: WatchMessage[] = [];
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(
      () => reject(new Error(`watch gave ${messages.length} of ${count} messages`)),
      timeoutMs,
    ).unref(),
  );
  while (messages.length < count) {
    const result = await Promise.race([stream.next(), timeout]);
    if (result.done) throw new Error(`watch ended after ${messages.length} of ${count} messages`);
    messages.push(result.value);
  }
  return messages;
}

const summary = (messages: WatchMessage[], base: number) =>
  messages.map((m) => (m.type === 'progress' ? `progress` : `${m.type} ${m.kv.key} ${m.revision - base}`));

let namespaceCounter = 0;

describe.each(backends)('store contract: $name', (backend) => {
  const enabled = backend.enabled();
  let store: Store;
  let ns: string;
  let base: number;
  const opened: Store[] = [];

  beforeAll(async () => {
    if (enabled) await backend.setUp();
  }, 30_000);
  afterAll(async () => {
    if (enabled) await backend.tearDown();
  });

  const test = (name: string, body: () => Promise<void>, timeout?: number) =>
    it.skipIf(!enabled)(
      name,
      async () => {
        store = await backend.open();
        opened.push(store);
        ns = `/t${++namespaceCounter}/`;
        base = await store.currentRevision();
        await body();
      },
      timeout,
    );

  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    if (levelDir) await rm(levelDir, { recursive: true, force: true });
    levelDir = '';
  });

  test('a created key reads back with its revisions and version 1', async () => {
    const result = await store.create(`${ns}a`, text('one'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.revision).toBe(base + 1);
    const kv = await store.get(`${ns}a`);
    expect(kv).toMatchObject({ key: `${ns}a`, createRevision: base + 1, modRevision: base + 1, version: 1 });
    expect(read(kv?.value)).toBe('one');
    expect(await store.currentRevision()).toBe(base + 1);
  });

  test('creating an existing key fails and returns the current value', async () => {
    await store.create(`${ns}a`, text('one'));
    const result = await store.create(`${ns}a`, text('two'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(read(result.current?.value)).toBe('one');
    expect(result.current?.modRevision).toBe(base + 1);
    expect(await store.currentRevision()).toBe(base + 1);
  });

  test('update is a compare-and-swap on modRevision', async () => {
    const created = await store.create(`${ns}a`, text('one'));
    if (!created.ok) throw new Error('create failed');
    const updated = await store.update(`${ns}a`, text('two'), created.revision);
    expect(updated).toMatchObject({ ok: true, revision: base + 2 });
    expect((await store.get(`${ns}a`))?.version).toBe(2);
    expect((await store.get(`${ns}a`))?.createRevision).toBe(base + 1);

    const stale = await store.update(`${ns}a`, text('three'), created.revision);
    expect(stale.ok).toBe(false);
    if (stale.ok) return;
    expect(read(stale.current?.value)).toBe('two');
    expect(stale.current?.modRevision).toBe(base + 2);

    const missing = await store.update(`${ns}nothing`, text('x'), 0);
    expect(missing).toEqual({ ok: false, current: undefined });
    expect(await store.currentRevision()).toBe(base + 2);
  });

  test('of many concurrent updates from the same revision exactly one wins', async () => {
    const created = await store.create(`${ns}a`, text('0'));
    if (!created.ok) throw new Error('create failed');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.update(`${ns}a`, text(String(i + 1)), created.revision)),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(await store.currentRevision()).toBe(base + 2);
    expect((await store.get(`${ns}a`))?.version).toBe(2);
  });

  test('delete can be guarded by a revision and returns the last state', async () => {
    const created = await store.create(`${ns}a`, text('one'));
    if (!created.ok) throw new Error('create failed');
    expect((await store.delete(`${ns}a`, created.revision + 100)).ok).toBe(false);
    expect(await store.get(`${ns}a`)).toBeDefined();

    const deleted = await store.delete(`${ns}a`, created.revision);
    expect(deleted.ok).toBe(true);
    if (!deleted.ok) return;
    expect(deleted.revision).toBe(base + 2);
    expect(read(deleted.kv.value)).toBe('one');
    expect(deleted.kv.modRevision).toBe(base + 1);
    expect(await store.get(`${ns}a`)).toBeUndefined();
    expect(await store.delete(`${ns}a`)).toEqual({ ok: false, current: undefined });

    // A recreated key starts over: new createRevision, version 1.
    const again = await store.create(`${ns}a`, text('new'));
    expect(again.ok && again.kv).toMatchObject({ createRevision: base + 3, version: 1 });
  });

  test('reads at an earlier revision see the state as it was', async () => {
    await store.create(`${ns}a`, text('one'));
    await store.update(`${ns}a`, text('two'), base + 1);
    await store.create(`${ns}b`, text('b'));
    await store.delete(`${ns}a`);
    expect(read((await store.get(`${ns}a`, { revision: base + 1 }))?.value)).toBe('one');
    expect(read((await store.get(`${ns}a`, { revision: base + 3 }))?.value)).toBe('two');
    expect(await store.get(`${ns}a`, { revision: base + 4 })).toBeUndefined();
    const listed = await store.list({ prefix: ns, revision: base + 2 });
    expect(listed.items.map((kv) => kv.key)).toEqual([`${ns}a`]);
    expect(listed.revision).toBe(base + 2);
    await expectCode(store.get(`${ns}a`, { revision: base + 50 }), 'SKIFF_ERR_FUTURE_REVISION');
    await expectCode(store.list({ prefix: ns, revision: base + 50 }), 'SKIFF_ERR_FUTURE_REVISION');
  });

  test('list returns keys under the prefix in order, and count counts them', async () => {
    for (const name of ['c', 'a', 'b']) await store.create(`${ns}${name}`, text(name));
    await store.create(`${ns.slice(0, -1)}x/z`, text('outside'));
    await store.create(`${ns}d`, text('d'));
    await store.delete(`${ns}d`);
    const listed = await store.list({ prefix: ns });
    expect(listed.items.map((kv) => read(kv.value))).toEqual(['a', 'b', 'c']);
    expect(listed.revision).toBe(base + 6);
    expect(listed.continue).toBeUndefined();
    expect(listed.remaining).toBe(0);
    expect(await store.count(ns)).toBe(3);
    expect(await store.count(`${ns}zz`)).toBe(0);
  });

  test('pages of a continue chain are read at the first page’s revision', async () => {
    for (let i = 0; i < 7; i++) await store.create(`${ns}k${i}`, text(`v${i}`));
    const first = await store.list({ prefix: ns, limit: 3 });
    expect(first.items.map((kv) => kv.key)).toEqual([`${ns}k0`, `${ns}k1`, `${ns}k2`]);
    expect(first.remaining).toBe(4);
    expect(first.continue).toBeDefined();
    // Changes after the first page must not show in later pages.
    await store.delete(`${ns}k4`);
    await store.create(`${ns}k35`, text('late'));
    await store.update(`${ns}k5`, text('changed'), base + 6);
    const second = await store.list({ prefix: ns, limit: 3, continue: first.continue! });
    expect(second.revision).toBe(first.revision);
    expect(second.items.map((kv) => kv.key)).toEqual([`${ns}k3`, `${ns}k4`, `${ns}k5`]);
    expect(read(second.items[2]?.value)).toBe('v5');
    const third = await store.list({ prefix: ns, limit: 3, continue: second.continue! });
    expect(third.items.map((kv) => kv.key)).toEqual([`${ns}k6`]);
    expect(third.continue).toBeUndefined();
  });

  test('a continue token is refused once its revision is compacted, or when malformed', async () => {
    for (let i = 0; i < 4; i++) await store.create(`${ns}k${i}`, text(`v${i}`));
    const first = await store.list({ prefix: ns, limit: 2 });
    await store.update(`${ns}k0`, text('again'), base + 1);
    await store.compact(base + 5);
    await expectCode(store.list({ prefix: ns, limit: 2, continue: first.continue! }), 'SKIFF_ERR_COMPACTED');
    await expectCode(store.list({ prefix: ns, continue: 'not-a-token' }), 'SKIFF_ERR_INVALID_ARGUMENT');
    await expectCode(
      store.list({ prefix: '/elsewhere/', continue: first.continue! }),
      'SKIFF_ERR_INVALID_ARGUMENT',
    );
  });

  test('compaction forgets old revisions but keeps the current state', async () => {
    await store.create(`${ns}a`, text('one'));
    await store.update(`${ns}a`, text('two'), base + 1);
    await store.create(`${ns}b`, text('b'));
    await store.delete(`${ns}b`);
    await store.compact(base + 3);
    expect(await store.compactRevision()).toBe(base + 3);
    await expectCode(store.get(`${ns}a`, { revision: base + 1 }), 'SKIFF_ERR_COMPACTED');
    expect(read((await store.get(`${ns}a`, { revision: base + 3 }))?.value)).toBe('two');
    expect(read((await store.get(`${ns}a`))?.value)).toBe('two');
    expect(await store.get(`${ns}b`)).toBeUndefined();
    expect((await store.list({ prefix: ns })).items.map((kv) => kv.key)).toEqual([`${ns}a`]);
    await store.compact(base + 2); // already compacted further: nothing to do
    await expectCode(store.compact(base + 100), 'SKIFF_ERR_FUTURE_REVISION');
  });

  test('watch replays history after the start revision, then streams live events, without gap or duplicate', async () => {
    await store.create(`${ns}a`, text('1'));
    await store.create(`${ns}b`, text('2'));
    await store.update(`${ns}a`, text('3'), base + 1);
    const stream = store.watch(ns, base + 1);
    const live = (async () => {
      await store.delete(`${ns}b`);
      await store.create(`${ns.slice(0, -1)}other/x`, text('not watched'));
      await store.create(`${ns}c`, text('4'));
    })();
    const messages = await take(stream, 4);
    await live;
    expect(summary(messages, base)).toEqual([
      `put ${ns}b 2`,
      `put ${ns}a 3`,
      `delete ${ns}b 4`,
      `put ${ns}c 6`,
    ]);
    stream.close();
  });

  test('a delete event carries the key’s last state', async () => {
    const stream = store.watch(ns, base);
    await store.create(`${ns}a`, text('first'));
    await store.update(`${ns}a`, text('last'), base + 1);
    await store.delete(`${ns}a`);
    const [, , deleted] = await take(stream, 3);
    expect(deleted?.type).toBe('delete');
    if (deleted?.type !== 'delete') return;
    expect(deleted.revision).toBe(base + 3);
    expect(read(deleted.kv.value)).toBe('last');
    expect(deleted.kv).toMatchObject({ modRevision: base + 2, createRevision: base + 1, version: 2 });
    stream.close();
  });

  test('a watch from before the compaction point fails with the compacted error', async () => {
    await store.create(`${ns}a`, text('1'));
    await store.update(`${ns}a`, text('2'), base + 1);
    await store.update(`${ns}a`, text('3'), base + 2);
    await store.compact(base + 2);
    await expectCode(async () => take(store.watch(ns, base), 1), 'SKIFF_ERR_COMPACTED');
    const resumed = store.watch(ns, base + 2);
    expect(summary(await take(resumed, 1), base)).toEqual([`put ${ns}a 3`]);
    resumed.close();
  });

  test('a progress request reports the current revision after all earlier events', async () => {
    await store.create(`${ns.slice(0, -1)}other/x`, text('unrelated'));
    const stream = store.watch(ns, base);
    await store.create(`${ns}a`, text('1'));
    const [put] = await take(stream, 1);
    await store.create(`${ns.slice(0, -1)}other/y`, text('unrelated'));
    stream.requestProgress();
    const [progress] = await take(stream, 1);
    expect(put?.type).toBe('put');
    expect(progress).toEqual({ type: 'progress', revision: base + 3 });
    stream.close();
  });

  test('progress events arrive by themselves when asked for an interval', async () => {
    const stream = store.watch(ns, base, { progressIntervalMs: 100 });
    const [progress] = await take(stream, 1);
    expect(progress).toEqual({ type: 'progress', revision: base });
    stream.close();
  });

  test('a watcher that falls too far behind is closed with an error; writers never wait', async () => {
    const stream = store.watch(ns, base, { maxBuffered: 5 });
    for (let i = 0; i < 12; i++) await store.create(`${ns}k${i}`, text(String(i)));
    await expectCode(async () => take(stream, 12), 'SKIFF_ERR_WATCH_TOO_SLOW');
    expect(await store.count(ns)).toBe(12);
  });

  test('bad input gets a typed error and changes nothing', async () => {
    for (const key of ['', 'no-slash', '/has space', '/tab\there', '/ü', 42 as unknown as string]) {
      await expectCode(async () => store.create(key, text('x')), 'SKIFF_ERR_INVALID_KEY');
    }
    await expectCode(async () => store.create(`/${'k'.repeat(5000)}`, text('x')), 'SKIFF_ERR_INVALID_KEY');
    await expectCode(
      async () => store.create(`${ns}big`, new Uint8Array(MAX_VALUE_BYTES + 1)),
      'SKIFF_ERR_VALUE_TOO_LARGE',
    );
    await expectCode(
      async () => store.create(`${ns}s`, 'string' as unknown as Uint8Array),
      'SKIFF_ERR_INVALID_ARGUMENT',
    );
    await expectCode(async () => store.update(`${ns}a`, text('x'), -1), 'SKIFF_ERR_INVALID_ARGUMENT');
    await expectCode(async () => store.list({ prefix: ns, limit: 1.5 }), 'SKIFF_ERR_INVALID_ARGUMENT');
    await expectCode(async () => store.list({ prefix: 'x' }), 'SKIFF_ERR_INVALID_KEY');
    await expectCode(async () => store.watch('', 0), 'SKIFF_ERR_INVALID_KEY');
    expect(await store.currentRevision()).toBe(base);
    // A value just under the limit is fine everywhere.
    const large = await store.create(`${ns}large`, new Uint8Array(1024 * 1024).fill(7));
    expect(large.ok).toBe(true);
    expect((await store.get(`${ns}large`))?.value.byteLength).toBe(1024 * 1024);
  });

  test('a closed store refuses every call with the closed error and ends its watchers', async () => {
    const stream = store.watch(ns, base);
    await store.close();
    await expectCode(store.get(`${ns}a`), 'SKIFF_ERR_CLOSED');
    await expectCode(store.create(`${ns}a`, text('x')), 'SKIFF_ERR_CLOSED');
    await expectCode(async () => store.watch(ns, 0), 'SKIFF_ERR_CLOSED');
    await expectCode(async () => take(stream, 1), 'SKIFF_ERR_CLOSED');
  });

  it.skipIf(!enabled || !backend.reopen)(
    'data and revisions survive a restart, and revisions keep rising',
    async () => {
      store = await backend.open();
      opened.push(store);
      ns = `/t${++namespaceCounter}/`;
      base = await store.currentRevision();
      await store.create(`${ns}a`, text('1'));
      await store.create(`${ns}b`, text('2'));
      await store.delete(`${ns}b`);
      await store.compact(base + 3);
      await store.close();
      store = await backend.reopen!();
      opened.push(store);
      expect(await store.currentRevision()).toBe(base + 3);
      expect(read((await store.get(`${ns}a`))?.value)).toBe('1');
      expect(await store.get(`${ns}b`)).toBeUndefined();
      const next = await store.create(`${ns}c`, text('3'));
      expect(next.ok && next.revision).toBe(base + 4);
    },
  );
});
