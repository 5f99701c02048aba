import { describe, expect, it } from 'vitest';
import { watchTooSlow } from '../store/errors.js';
import { openMemoryStore } from '../store/memory.js';
import type { Store } from '../store/types.js';
import type { WatchStream } from '../store/watch-stream.js';
import { decodeObject } from './resource-store.js';
import { WatchCache } from './watch-cache.js';

const bytes = (object: unknown) => new TextEncoder().encode(JSON.stringify(object));

/** The memory store, with a handle on the watch streams it hands out, so a test can break one. */
async function storeWithStreams(): Promise<{ store: Store; streams: WatchStream[] }> {
  const store = await openMemoryStore();
  const streams: WatchStream[] = [];
  const watch: Store['watch'] = (...args) => {
    const stream = store.watch(...args);
    streams.push(stream);
    return stream;
  };
  const watched = new Proxy(store, {
    get(target, property) {
      if (property === 'watch') return watch;
      const value = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as Store;
  return { store: watched, streams };
}

describe('watch cache', () => {
  it('starts over from a fresh list when its store watch breaks, ending its watchers', async () => {
    const { store, streams } = await storeWithStreams();
    await store.create('/r/a', bytes({ metadata: { name: 'a' } }));
    const cache = await WatchCache.start({
      store,
      prefix: '/r/',
      decode: (kv, revision) => decodeObject(kv.value, revision),
    });
    let ended = false;
    expect(cache.watch(undefined, { onEvent: () => {}, onEnd: () => (ended = true) })).toBeDefined();

    streams[0]!.fail(watchTooSlow(1));
    await store.create('/r/b', bytes({ metadata: { name: 'b' } }));
    await cache.ready();
    expect(ended).toBe(true);
    expect(cache.list().map((entry) => entry.key)).toEqual(['/r/a', '/r/b']);
    // The new watch follows live changes again.
    await store.create('/r/c', bytes({ metadata: { name: 'c' } }));
    await cache.waitUntilFresh(await store.currentRevision());
    expect(cache.list().map((entry) => entry.key)).toEqual(['/r/a', '/r/b', '/r/c']);
    cache.stop();
    await store.close();
  });

  it('answers a resume from before its window with undefined (the caller says 410 Gone)', async () => {
    const store = await openMemoryStore();
    for (let i = 0; i < 5; i++) await store.create(`/r/${i}`, bytes({ metadata: { name: String(i) } }));
    const cache = await WatchCache.start({
      store,
      prefix: '/r/',
      decode: (kv, revision) => decodeObject(kv.value, revision),
      capacity: 2,
    });
    for (let i = 5; i < 10; i++) await store.create(`/r/${i}`, bytes({ metadata: { name: String(i) } }));
    await cache.waitUntilFresh(await store.currentRevision());
    const watcher = { onEvent: () => {}, onEnd: () => {} };
    expect(cache.watch(3, watcher)).toBeUndefined();
    expect(cache.watch(8, watcher)?.replay.map((event) => event.revision)).toEqual([9, 10]);
    cache.stop();
    await store.close();
  });
});
