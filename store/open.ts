import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { invalidArgument } from './errors.js';
import { openLevelStore } from './level.js';
import { openMemoryStore } from './memory.js';
import type { Store } from './types.js';

/**
 * Opens a store from the `--store` flag:
 *   level:///var/lib/skiff/store   LevelDB in that directory (the default)
 *   level://./relative             LevelDB relative to the working directory
 *   memory://                      nothing on disk (tests, --ephemeral)
 *   etcd://10.0.0.1:2379,10.0.0.2:2379   an etcd v3 cluster
 */
export function openStore(url: string): Promise<Store> {
  const match = /^([a-z]+):\/\/(.*)$/.exec(url);
  if (!match) throw invalidArgument(`store URL ${JSON.stringify(url)} is not of the form SCHEME://…`);
  const [, scheme, rest = ''] = match;
  switch (scheme) {
    case 'memory':
      return openMemoryStore();
    case 'level': {
      if (rest === '') throw invalidArgument('level:// needs a directory, e.g. level:///var/lib/skiff/store');
      return openLevelStore(resolve(rest.replace(/^~(?=\/|$)/, homedir())));
    }
    case 'etcd': {
      const endpoints = rest.split(',').filter((endpoint) => endpoint !== '');
      if (endpoints.length === 0 || endpoints.some((endpoint) => !/^[\w.-]+:\d+$/.test(endpoint))) {
        throw invalidArgument(
          `etcd:// needs host:port pairs, e.g. etcd://127.0.0.1:2379, not ${JSON.stringify(rest)}`,
        );
      }
      // Loaded only when asked for: the gRPC stack costs memory and start-up time an embedded store does not need.
      return import('./etcd.js').then(({ openEtcdStore }) => openEtcdStore({ endpoints }));
    }
    default:
      throw invalidArgument(
        `unknown store ${JSON.stringify(scheme)}: use level://DIR, memory:// or etcd://HOST:PORT,…`,
      );
  }
}
