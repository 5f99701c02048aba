import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Compactor } from './compactor.js';
import { openLevelStore } from './level.js';
import type { Store } from './types.js';

async function directoryBytes(directory: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(directory)) total += (await stat(join(directory, entry))).size;
  return total;
}

/** Bytes the store must keep: every live key and value, plus the history the retention rule keeps. */
async function keptBytes(store: Store, prefix: string): Promise<{ current: number; history: number }> {
  let current = 0;
  for (const kv of (await store.list({ prefix })).items) current += kv.key.length + kv.value.byteLength;
  let history = 0;
  const revision = await store.currentRevision();
  const stream = store.watch(prefix, await store.compactRevision());
  if (revision > (await store.compactRevision())) {
    for await (const message of stream) {
      if (message.type !== 'progress') history += message.kv.key.length + message.kv.value.byteLength;
      if (message.revision >= revision) break;
    }
  }
  return { current, history };
}

const directories: string[] = [];
afterAll(async () => {
  for (const directory of directories) await rm(directory, { recursive: true, force: true });
});

describe('disk space of the LevelDB store under churn', () => {
  it('stays within 2× of what it must keep after 100,000 updates over 1,000 keys', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'skiff-space-'));
    directories.push(directory);
    const store = await openLevelStore(directory);
    let now = 0;
    const compactor = new Compactor({ store, now: () => now });
    // Random bytes: LevelDB compresses, and repetitive values would hide how much it really keeps.
    const value = () => randomBytes(1024);
    const keys = Array.from({ length: 1000 }, (_, i) => `/churn/key-${String(i).padStart(4, '0')}`);
    const revisions = new Map<string, number>();
    for (const key of keys) {
      const result = await store.create(key, value());
      if (result.ok) revisions.set(key, result.revision);
    }
    // 64 writers, each updating its own slice of keys; every 10,000 updates five minutes pass.
    let updates = 0;
    const writer = async (offset: number) => {
      const mine = keys.filter((_, i) => i % 64 === offset);
      for (let i = 0; updates < 100_000; i++) {
        const key = mine[i % mine.length]!;
        const n = ++updates;
        const result = await store.update(key, value(), revisions.get(key)!);
        if (!result.ok) throw new Error(`lost a compare-and-swap on ${key}`);
        revisions.set(key, result.revision);
        if (n % 10_000 === 0) {
          now += 5 * 60_000;
          await compactor.tick();
        }
      }
    };
    await Promise.all(Array.from({ length: 64 }, (_, offset) => writer(offset)));
    now += 5 * 60_000;
    await compactor.tick();

    const kept = await keptBytes(store, '/churn/');
    const onDisk = await directoryBytes(directory);
    console.log(
      `level churn: ${onDisk} bytes on disk; keeps ${kept.current} current + ${kept.history} history ` +
        `(${(onDisk / (kept.current + kept.history)).toFixed(2)}× kept, ${(onDisk / kept.current).toFixed(1)}× current)`,
    );
    expect(kept.history).toBeGreaterThan(0);
    expect(onDisk).toBeLessThanOrEqual(2 * (kept.current + kept.history));
    await store.close();
  }, 120_000);
});
