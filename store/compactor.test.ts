import { describe, expect, it } from 'vitest';
import { Compactor } from './compactor.js';
import { openMemoryStore } from './memory.js';

const value = new Uint8Array([1]);

describe('automatic compaction', () => {
  it('keeps 10,000 revisions or 5 minutes of history, whichever is more', async () => {
    const store = await openMemoryStore();
    let now = 0;
    const compactor = new Compactor({ store, now: () => now });
    await store.create('/k', value);
    const write = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const current = (await store.get('/k'))!;
        await store.update('/k', value, current.modRevision);
      }
    };

    // 12:00, revision 1: nothing is five minutes old yet.
    expect(await compactor.tick()).toBeUndefined();
    // 12:03, revision 20,001: the sample at 12:00 is not yet five minutes old.
    await write(20_000);
    now = 3 * 60_000;
    expect(await compactor.tick()).toBeUndefined();
    // 12:05, revision 25,001: five minutes back is revision 1, so the time rule keeps everything after it.
    await write(5_000);
    now = 5 * 60_000;
    expect(await compactor.tick()).toBe(1);
    // 12:08: five minutes back (12:03) is 20,001; 10,000 back is 15,001 — the smaller wins.
    now = 8 * 60_000;
    expect(await compactor.tick()).toBe(15_001);
    expect(await store.compactRevision()).toBe(15_001);
    // 12:20, little traffic since: the time rule would drop up to 25,001, the revision rule keeps 10,000.
    await write(100);
    now = 20 * 60_000;
    expect(await compactor.tick()).toBe(15_101);
    await store.close();
  }, 30_000);
});
