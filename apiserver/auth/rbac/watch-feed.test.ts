import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../api/resource.js';
import type { CacheEvent, CacheWatcher, WatchCache } from '../../watch-cache.js';
import { followWatchCache } from './watch-feed.js';

/** A stand-in for the watch cache: a state, its watchers, and a reload the test triggers. */
class FakeCache {
  objects: KubeObject[] = [];
  watchers = new Set<CacheWatcher>();
  stopped = false;
  reloading: Promise<void> | undefined;

  watch(_from: undefined, watcher: CacheWatcher) {
    this.watchers.add(watcher);
    return {
      initial: this.objects.map((object) => ({ key: object.metadata!.name!, object, revision: 1 })),
      replay: [],
      revision: 1,
    };
  }
  unwatch(watcher: CacheWatcher) {
    this.watchers.delete(watcher);
  }
  async ready() {
    await this.reloading;
    if (this.stopped) throw new Error('stopped');
  }
  emit(type: CacheEvent['type'], object: KubeObject) {
    for (const watcher of this.watchers) {
      watcher.onEvent({
        type,
        key: object.metadata!.name!,
        object,
        previous: undefined,
        revision: 2,
        memo: new Map(),
      });
    }
  }
  end() {
    const watchers = [...this.watchers];
    this.watchers.clear();
    for (const watcher of watchers) watcher.onEnd();
  }
}

const named = (name: string): KubeObject => ({ metadata: { name } });

function recorder() {
  const calls: string[] = [];
  return {
    calls,
    target: {
      replace: (objects: KubeObject[]) =>
        calls.push(`replace ${objects.map((o) => o.metadata?.name).join(',')}`),
      apply: (object: KubeObject) => calls.push(`apply ${object.metadata?.name}`),
      remove: (object: KubeObject) => calls.push(`remove ${object.metadata?.name}`),
    },
  };
}

describe('following a watch cache', () => {
  it('takes the state, then each change, then the new state after a reload', async () => {
    const cache = new FakeCache();
    cache.objects = [named('a')];
    const { calls, target } = recorder();
    const feed = followWatchCache(cache as unknown as WatchCache, target);
    cache.emit('ADDED', named('b'));
    cache.emit('DELETED', named('a'));
    let reloaded!: () => void;
    cache.reloading = new Promise((resolve) => {
      reloaded = resolve;
    });
    cache.end();
    cache.objects = [named('b'), named('c')];
    reloaded();
    await cache.ready();
    await Promise.resolve();
    expect(calls).toEqual(['replace a', 'apply b', 'remove a', 'replace b,c']);
    feed.stop();
    cache.emit('ADDED', named('d'));
    expect(calls).toHaveLength(4);
  });

  it('stops for good when the cache stops', async () => {
    const cache = new FakeCache();
    const { calls, target } = recorder();
    followWatchCache(cache as unknown as WatchCache, target);
    cache.stopped = true;
    cache.end();
    await Promise.resolve();
    await Promise.resolve();
    expect(cache.watchers.size).toBe(0);
    expect(calls).toEqual(['replace ']);
  });
});
