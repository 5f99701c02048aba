import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/resource.js';
import { isStatusError } from '../api/status.js';
import { startSkiff, type TestSkiff } from '../conformance/harness.js';
import { HttpClient } from './http-client.js';
import { objectKey, splitKey } from './indexed-store.js';
import { Informer } from './informer.js';
import { refFor } from './refs.js';
import { FakeClock, settle } from './testing/fake-clock.js';
import { WorkQueue } from './work-queue.js';

/** Whether `promise` has settled, without waiting for it. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await settle();
  return done;
}

describe('the work queue', () => {
  it('hands out keys in the order they were added, each once however often it was added', async () => {
    const queue = new WorkQueue({ clock: new FakeClock() });
    for (const key of ['a', 'b', 'a', 'c', 'b']) queue.add(key);
    expect(queue.length).toBe(3);
    expect([await queue.get(), await queue.get(), await queue.get()]).toEqual(['a', 'b', 'c']);
    expect(queue.length).toBe(0);
  });

  it('never hands one key to two workers at once', async () => {
    const queue = new WorkQueue({ clock: new FakeClock() });
    queue.add('a');
    expect(await queue.get()).toBe('a');
    queue.add('a');
    const second = queue.get();
    expect(await settled(second)).toBe(false);
    queue.done('a');
    expect(await second).toBe('a');
  });

  it('a key added while it is processed runs once more afterwards, however often it was added', async () => {
    const queue = new WorkQueue({ clock: new FakeClock() });
    queue.add('a');
    queue.add('b');
    expect(await queue.get()).toBe('a');
    queue.add('a');
    queue.add('a');
    expect(queue.length).toBe(1);
    queue.done('a');
    expect([await queue.get(), await queue.get()]).toEqual(['b', 'a']);
    queue.done('b');
    queue.done('a');
    expect(queue.length).toBe(0);
  });

  it('a waiting get receives the next key added; waiting workers are served first come first served', async () => {
    const queue = new WorkQueue({ clock: new FakeClock() });
    const first = queue.get();
    const second = queue.get();
    queue.add('a');
    queue.add('b');
    expect([await first, await second]).toEqual(['a', 'b']);
  });

  it('addAfter queues a key only once its delay has passed; a second delay keeps the earlier time', async () => {
    const clock = new FakeClock();
    const queue = new WorkQueue({ clock });
    queue.addAfter('a', 100);
    queue.addAfter('a', 500);
    queue.addAfter('b', 50);
    await clock.advance(99);
    expect(queue.length).toBe(1);
    expect(await queue.get()).toBe('b');
    await clock.advance(1);
    expect(await queue.get()).toBe('a');
    await clock.advance(1000);
    expect(queue.length).toBe(0);
  });

  it('addRateLimited retries a failing key after 5, 10, 20 ms…, and forget resets its backoff', async () => {
    const clock = new FakeClock();
    const queue = new WorkQueue({ clock });
    const waits: number[] = [];
    queue.add('a');
    for (let attempt = 0; attempt < 4; attempt++) {
      const key = (await queue.get())!;
      queue.addRateLimited(key);
      queue.done(key);
      const started = clock.now();
      while (queue.length === 0) await clock.advance(1);
      waits.push(clock.now() - started);
    }
    expect(waits).toEqual([5, 10, 20, 40]);
    expect(queue.retries('a')).toBe(4);
    queue.forget('a');
    expect(queue.retries('a')).toBe(0);
  });

  it('after shutDown, queued keys are still handed out, then get returns undefined; adds and delays are dropped', async () => {
    const clock = new FakeClock();
    const queue = new WorkQueue({ clock });
    queue.add('a');
    queue.addAfter('later', 10);
    queue.shutDown();
    queue.add('b');
    expect(await queue.get()).toBe('a');
    expect(await queue.get()).toBeUndefined();
    await clock.advance(100);
    expect(queue.length).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('shutDown wakes workers blocked in get', async () => {
    const queue = new WorkQueue({ clock: new FakeClock() });
    const waiting = queue.get();
    queue.shutDown();
    expect(await waiting).toBeUndefined();
  });

  it('shutDownWithDrain resolves once the keys being processed are done', async () => {
    const queue = new WorkQueue({ clock: new FakeClock() });
    queue.add('a');
    const key = (await queue.get())!;
    const drained = queue.shutDownWithDrain();
    expect(await settled(drained)).toBe(false);
    queue.done(key);
    await drained;
  });
});

describe('the work queue fed by an informer on a running Skiff', () => {
  let skiff: TestSkiff;
  let client: HttpClient;

  beforeAll(async () => {
    skiff = await startSkiff();
    client = HttpClient.fromKubeconfig({ path: skiff.kubeconfig });
  });

  afterAll(async () => {
    await client?.close();
    await skiff?.stop();
  });

  it('a worker reconciles each key from the cache and converges on the latest state, retrying failures', async () => {
    // A tiny level-triggered controller: every ConfigMap labelled source=yes is mirrored to `<name>-mirror`.
    const configMaps = refFor('ConfigMap', 'default');
    const queue = new WorkQueue();
    const informer = new Informer({ client, ref: configMaps, labelSelector: 'source=yes' });
    informer.addEventHandler({
      onAdd: (object) => queue.add(objectKey(object)),
      onUpdate: (_old, object) => queue.add(objectKey(object)),
    });
    informer.start();
    const reconciled: string[] = [];
    let failOnce = true;
    const worker = (async () => {
      for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
        try {
          const { namespace, name } = splitKey(key);
          const source = informer.store.getByName(namespace, name);
          if (!source) continue;
          if (failOnce) {
            failOnce = false;
            throw new Error('a transient failure');
          }
          const mirror: KubeObject = {
            metadata: { name: `${name}-mirror` },
            data: structuredClone(source.data),
          };
          try {
            const current = await client.get(configMaps, `${name}-mirror`);
            await client.update(configMaps, { ...current, data: mirror.data });
          } catch (error) {
            if (!isStatusError(error, 'NotFound')) throw error;
            await client.create(configMaps, mirror);
          }
          reconciled.push(`${key}@${source.metadata?.resourceVersion}`);
          queue.forget(key);
        } catch {
          queue.addRateLimited(key);
        } finally {
          queue.done(key);
        }
      }
    })();
    try {
      expect(await informer.waitForSync()).toBe(true);
      const created = await client.create(configMaps, {
        metadata: { name: 'settings', labels: { source: 'yes' } },
        data: { mode: 'slow' },
      });
      for (const mode of ['medium', 'fast']) {
        const current = await client.get(configMaps, 'settings');
        await client.update(configMaps, { ...current, data: { mode } });
      }
      await expect
        .poll(async () => (await client.get(configMaps, 'settings-mirror').catch(() => undefined))?.data, {
          timeout: 5000,
        })
        .toEqual({ mode: 'fast' });
      expect(created.metadata?.name).toBe('settings');
      expect(reconciled.length).toBeGreaterThanOrEqual(1);
      expect(queue.retries('default/settings')).toBe(0);
    } finally {
      await queue.shutDownWithDrain();
      await worker;
      await informer.stop();
    }
  });
});
