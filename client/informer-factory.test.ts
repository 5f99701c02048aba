import { describe, expect, it } from 'vitest';
import { InformerFactory } from './informer-factory.js';
import { refFor } from './refs.js';
import { FakeClock } from './testing/fake-clock.js';
import { MemoryClient } from './testing/memory-client.js';
import type { ListerWatcher } from './types.js';

describe('the informer factory', () => {
  it('gives every caller the same informer for a resource and selector, so it is listed once', async () => {
    const memory = new MemoryClient();
    let lists = 0;
    const client: ListerWatcher = {
      list: (ref, options) => {
        lists++;
        return memory.list(ref, options);
      },
      watch: (ref, options) => memory.watch(ref, options),
    };
    const informers = new InformerFactory({ client, clock: new FakeClock() });
    const pods = informers.informerFor(refFor('Pod'));
    expect(informers.informerFor(refFor('Pod'))).toBe(pods);
    expect(informers.informerFor(refFor('Pod'), { labelSelector: 'app=web' })).not.toBe(pods);
    informers.start();
    expect(await informers.waitForSync()).toBe(true);
    expect(lists).toBe(2);
    // Asked for after start: it starts at once.
    const nodes = informers.informerFor(refFor('Node'));
    expect(await nodes.waitForSync()).toBe(true);
    await informers.stop();
    expect(() => informers.informerFor(refFor('Service'))).toThrow('stopped');
  });
});
