import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEtcdStore } from './etcd.js';
import { openLevelStore } from './level.js';
import { openMemoryStore } from './memory.js';
import { type EtcdProcess, etcdRequired, startEtcd } from './testing/etcd-process.js';
import type { Store, WatchEvent, WatchMessage, WriteResult } from './types.js';
import type { WatchStream } from './watch-stream.js';

/**
 * Properties of revision order and watch completeness under concurrent writers, on every backend:
 * - every successful write has its own revision, and together they are exactly base+1 … current;
 * - a watch from `base` delivers one event per revision, in order, matching the writes;
 * - a second watch started part-way, from a revision in the middle, delivers exactly the rest;
 * - replaying the events gives exactly the state a list returns.
 */
type Op =
  | { kind: 'create'; key: number; value: number }
  | { kind: 'update'; key: number; value: number; stale: boolean }
  | { kind: 'delete'; key: number; guarded: boolean };

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), key: fc.nat(5), value: fc.nat(1000) }),
  fc.record({
    kind: fc.constant('update' as const),
    key: fc.nat(5),
    value: fc.nat(1000),
    stale: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('delete' as const), key: fc.nat(5), guarded: fc.boolean() }),
);
/** Several writers, each with its own list of operations, all running at once. */
const writersArbitrary = fc.array(fc.array(opArbitrary, { minLength: 1, maxLength: 12 }), {
  minLength: 2,
  maxLength: 6,
});

const encoder = new TextEncoder();
const decoder = new TextDecoder();
let round = 0;

async function runWriter(store: Store, prefix: string, ops: Op[]): Promise<WriteResult[]> {
  const results: WriteResult[] = [];
  for (const op of ops) {
    const key = `${prefix}k${op.key}`;
    if (op.kind === 'create') {
      results.push(await store.create(key, encoder.encode(String(op.value))));
    } else {
      const current = await store.get(key);
      const expected = current ? current.modRevision - (op.kind === 'update' && op.stale ? 1 : 0) : 1;
      if (op.kind === 'update')
        results.push(await store.update(key, encoder.encode(String(op.value)), expected));
      else results.push(await store.delete(key, op.guarded ? expected : undefined));
    }
  }
  return results;
}

async function collect(stream: WatchStream, until: number): Promise<WatchEvent[]> {
  const events: WatchEvent[] = [];
  let last = 0;
  const timer = setTimeout(() => stream.close(), 10_000);
  try {
    for await (const message of stream as AsyncIterable<WatchMessage>) {
      if (message.type === 'progress') continue;
      events.push(message);
      last = message.revision;
      if (last >= until) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return events;
}

async function checkProperties(store: Store, writers: Op[][]): Promise<void> {
  const prefix = `/prop${++round}/`;
  const base = await store.currentRevision();
  const watchAll = store.watch(prefix, base);
  const perWriter = await Promise.all(writers.map((ops) => runWriter(store, prefix, ops)));
  const current = await store.currentRevision();
  const successes = perWriter.flat().filter((result) => result.ok);

  const revisions = successes.map((result) => result.revision).sort((a, b) => a - b);
  expect(revisions).toEqual(Array.from({ length: current - base }, (_, i) => base + 1 + i));
  if (successes.length === 0) {
    watchAll.close();
    return;
  }

  const events = await collect(watchAll, current);
  expect(events.map((event) => event.revision)).toEqual(revisions);
  for (const event of events) {
    const write = successes.find((result) => result.revision === event.revision)!;
    expect(event.kv.key).toBe(write.kv.key);
    if (event.type === 'put') expect(decoder.decode(event.kv.value)).toBe(decoder.decode(write.kv.value));
  }

  if (revisions.length > 1) {
    const middle = revisions[Math.floor((revisions.length - 1) / 2)]!;
    const tail = await collect(store.watch(prefix, middle), current);
    expect(tail.map((event) => event.revision)).toEqual(revisions.filter((revision) => revision > middle));
  }

  const replayed = new Map<string, string>();
  for (const event of events) {
    if (event.type === 'put') replayed.set(event.kv.key, decoder.decode(event.kv.value));
    else replayed.delete(event.kv.key);
  }
  const listed = await store.list({ prefix });
  expect(listed.items.map((kv) => [kv.key, decoder.decode(kv.value)])).toEqual(
    [...replayed.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
  );
}

describe('store properties under concurrent writers', () => {
  let etcd: EtcdProcess | undefined;
  const withEtcd = etcdRequired();
  const directories: string[] = [];
  beforeAll(async () => {
    if (withEtcd) etcd = await startEtcd();
  }, 30_000);
  afterAll(async () => {
    await etcd?.stop();
    for (const directory of directories) await rm(directory, { recursive: true, force: true });
  });

  it('memory: revisions are dense and ordered, watches complete', async () => {
    const store = await openMemoryStore();
    await fc.assert(
      fc.asyncProperty(writersArbitrary, (writers) => checkProperties(store, writers)),
      {
        numRuns: 200,
      },
    );
    await store.close();
  }, 60_000);

  it('level: revisions are dense and ordered, watches complete', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'skiff-prop-'));
    directories.push(directory);
    const store = await openLevelStore(directory);
    await fc.assert(
      fc.asyncProperty(writersArbitrary, (writers) => checkProperties(store, writers)),
      {
        numRuns: 60,
      },
    );
    await store.close();
  }, 60_000);

  it.skipIf(!withEtcd)(
    'etcd: revisions are dense and ordered, watches complete',
    async () => {
      const store = await openEtcdStore({ endpoints: [etcd!.endpoint] });
      await fc.assert(
        fc.asyncProperty(writersArbitrary, (writers) => checkProperties(store, writers)),
        {
          numRuns: 25,
        },
      );
      await store.close();
    },
    90_000,
  );
});
