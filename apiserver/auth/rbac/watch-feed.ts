/**
 * Keeps an in-memory view current from one resource's watch cache in the API server: the whole state
 * first (`replace`), then every change as it is applied (`apply`, `remove`), synchronously — so a
 * RoleBinding written by one request is seen by the authorization of the next.
 *
 * When the cache reloads (its store watch broke), it ends its watchers; the feed waits for the new
 * state and starts over with `replace`. When the cache stops for good (the server closes), so does the
 * feed. Objects handed over are the cache's own: read them, never keep them for editing.
 */
import type { KubeObject } from '../../../api/resource.js';
import type { CacheWatcher, WatchCache } from '../../watch-cache.js';

export interface FeedTarget {
  replace(objects: KubeObject[]): void;
  apply(object: KubeObject): void;
  remove(object: KubeObject): void;
}

export interface WatchFeed {
  stop(): void;
}

export function followWatchCache(cache: WatchCache, target: FeedTarget): WatchFeed {
  let stopped = false;
  const watcher: CacheWatcher = {
    onEvent(event) {
      if (event.type === 'DELETED') target.remove(event.object);
      else target.apply(event.object);
    },
    onEnd() {
      if (stopped) return;
      // A reload: `ready` resolves once the new state is in, or throws when the cache has stopped.
      cache.ready().then(subscribe, () => {
        stopped = true;
      });
    },
  };
  const subscribe = () => {
    if (stopped) return;
    const start = cache.watch(undefined, watcher);
    if (start) target.replace(start.initial.map((cached) => cached.object));
  };
  subscribe();
  return {
    stop() {
      stopped = true;
      cache.unwatch(watcher);
    },
  };
}
