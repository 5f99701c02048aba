import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/resource.js';
import { resources } from '../api/resources/index.js';
import { alreadyExists, internalError } from '../api/status.js';
import { createInProcessClient } from '../apiserver/in-process-client.js';
import { createApiServer } from '../apiserver/server.js';
import { refFor } from '../client/refs.js';
import { FakeClock } from '../client/testing/fake-clock.js';
import { MemoryClient } from '../client/testing/memory-client.js';
import type { CreateOptions, KubeWriter, PatchOptions, PatchType, ResourceRef } from '../client/types.js';
import { openMemoryStore } from '../store/memory.js';
import { type CoreEvent, EventRecorder, type EventRecorderOptions } from './event-recorder.js';

/** One write: `create events/web.1816687ec0570000 -n shop`, with what was sent. */
interface Write {
  readonly summary: string;
  readonly body: unknown;
}

/** The writes an event recorder makes, recorded in order, through a memory client; `failures` fail chosen ones once. */
class RecordingWriter implements Pick<KubeWriter, 'create' | 'patch'> {
  readonly writes: Write[] = [];
  readonly failures: { summary: string; error: unknown }[] = [];
  readonly #inner: MemoryClient;

  constructor(inner: MemoryClient) {
    this.#inner = inner;
  }

  async create<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    object: NoInfer<T>,
    options?: CreateOptions,
  ): Promise<T> {
    this.#record(`create ${target(ref, object.metadata?.name)}`, object);
    return this.#inner.create<T>(ref, object, options);
  }

  async patch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    name: string,
    patchType: PatchType,
    patch: unknown,
    options?: PatchOptions,
  ): Promise<T> {
    this.#record(`patch(${patchType}) ${target(ref, name)}`, patch);
    return this.#inner.patch<T>(ref, name, patchType, patch, options);
  }

  #record(summary: string, body: unknown): void {
    this.writes.push({ summary, body: structuredClone(body) });
    const failure = this.failures.findIndex((candidate) => candidate.summary === summary);
    if (failure >= 0) throw this.failures.splice(failure, 1)[0]!.error;
  }
}

function target(ref: ResourceRef, name?: string): string {
  const path = [ref.resource, name].filter(Boolean).join('/');
  return ref.namespace === undefined ? path : `${path} -n ${ref.namespace}`;
}

function setup(options: Partial<EventRecorderOptions> = {}) {
  const clock = new FakeClock(Date.UTC(2025, 0, 1));
  const memory = new MemoryClient({ clock });
  const client = new RecordingWriter(memory);
  const errors: unknown[] = [];
  const recorder = new EventRecorder({
    client,
    component: 'namespace-controller',
    clock,
    onError: (error) => errors.push(error),
    ...options,
  });
  const summaries = () => client.writes.map((write) => write.summary);
  const stored = async (name: string, namespace = 'shop') =>
    memory.get<CoreEvent>(refFor('Event', namespace), name);
  return { clock, memory, client, errors, recorder, summaries, stored };
}

const pod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'shop', uid: 'u-1', resourceVersion: '7', labels: { app: 'web' } },
  spec: {},
};

/** Nanoseconds of 2025-01-01T00:00:00Z in hex: what client-go would put after the object's name. */
const firstName = 'web.1816687ec0570000';

describe('the event recorder', () => {
  it('creates a core/v1 Event about the object, as client-go’s recorder writes it', async () => {
    const { recorder, client, summaries } = setup();

    recorder.event(pod, 'Warning', 'FailedMount', 'volume "data" not found');
    await recorder.flush();

    expect(summaries()).toEqual([`create events/${firstName} -n shop`]);
    expect(client.writes[0]!.body).toEqual({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: firstName, namespace: 'shop' },
      involvedObject: {
        kind: 'Pod',
        namespace: 'shop',
        name: 'web',
        uid: 'u-1',
        apiVersion: 'v1',
        resourceVersion: '7',
      },
      reason: 'FailedMount',
      message: 'volume "data" not found',
      source: { component: 'namespace-controller' },
      firstTimestamp: '2025-01-01T00:00:00Z',
      lastTimestamp: '2025-01-01T00:00:00Z',
      count: 1,
      type: 'Warning',
      reportingComponent: 'namespace-controller',
      reportingInstance: '',
    });
  });

  it('counts a repeated event on the first one’s Event with a strategic merge patch', async () => {
    const { recorder, client, clock, summaries, stored } = setup();

    recorder.event(pod, 'Normal', 'Pulled', 'image pulled');
    await clock.advance(5000);
    recorder.event(pod, 'Normal', 'Pulled', 'image pulled');
    await clock.advance(5000);
    recorder.event(pod, 'Normal', 'Pulled', 'image pulled');
    await recorder.flush();

    expect(summaries()).toEqual([
      `create events/${firstName} -n shop`,
      `patch(strategic) events/${firstName} -n shop`,
      `patch(strategic) events/${firstName} -n shop`,
    ]);
    expect(client.writes[2]!.body).toEqual({
      count: 3,
      lastTimestamp: '2025-01-01T00:00:10Z',
      message: 'image pulled',
    });
    expect(await stored(firstName)).toMatchObject({
      count: 3,
      firstTimestamp: '2025-01-01T00:00:00Z',
      lastTimestamp: '2025-01-01T00:00:10Z',
    });
  });

  it('makes a new Event for another message, another object, or a repeat after the window', async () => {
    const { recorder, clock, summaries } = setup({ correlationWindowMs: 60_000 });
    const other = { ...pod, metadata: { ...pod.metadata, name: 'db', uid: 'u-2' } };

    recorder.event(pod, 'Normal', 'Pulled', 'image pulled');
    recorder.event(pod, 'Normal', 'Pulled', 'image pulled again');
    recorder.event(other, 'Normal', 'Pulled', 'image pulled');
    await clock.advance(60_001);
    recorder.event(pod, 'Normal', 'Pulled', 'image pulled');
    await recorder.flush();

    expect(summaries()).toEqual([
      `create events/${firstName} -n shop`,
      // Two events in one millisecond still get distinct names.
      'create events/web.1816687ec0570001 -n shop',
      'create events/db.1816687ec0570002 -n shop',
      'create events/web.1816688cb8ad9a40 -n shop',
    ]);
  });

  it('creates a repeat anew, under the same name with the bumped count, when its Event has gone', async () => {
    const { recorder, memory, client, summaries, stored } = setup();

    recorder.event(pod, 'Normal', 'Pulled', 'image pulled');
    await recorder.flush();
    await memory.delete(refFor('Event', 'shop'), firstName);
    recorder.event(pod, 'Normal', 'Pulled', 'image pulled');
    await recorder.flush();

    expect(summaries()).toEqual([
      `create events/${firstName} -n shop`,
      `patch(strategic) events/${firstName} -n shop`,
      `create events/${firstName} -n shop`,
    ]);
    expect(client.writes[2]!.body).toMatchObject({ count: 2, firstTimestamp: '2025-01-01T00:00:00Z' });
    expect((await stored(firstName)).count).toBe(2);
  });

  it('puts events about cluster-scoped objects in default, and keeps annotations', async () => {
    const { recorder, client, summaries } = setup();
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', uid: 'n-1' } };

    recorder.event(node, 'Normal', 'NodeReady', 'Node node-1 status is now: NodeReady', { team: 'infra' });
    await recorder.flush();

    expect(summaries()).toEqual(['create events/node-1.1816687ec0570000 -n default']);
    expect(client.writes[0]!.body).toMatchObject({
      metadata: { name: 'node-1.1816687ec0570000', namespace: 'default', annotations: { team: 'infra' } },
      involvedObject: { kind: 'Node', name: 'node-1', uid: 'n-1', apiVersion: 'v1' },
    });
  });

  it('names the event with a UUID when the object’s name would make an invalid one', async () => {
    const { recorder, summaries } = setup();
    const long = { ...pod, metadata: { ...pod.metadata, name: 'x'.repeat(250) } };

    recorder.event(long, 'Normal', 'Created', 'created');
    await recorder.flush();

    expect(summaries()).toEqual([
      expect.stringMatching(/^create events\/[0-9a-f]{8}-[0-9a-f-]{27} -n shop$/),
    ]);
  });

  it('never throws at its caller: what it cannot record is reported and dropped', async () => {
    const { recorder, errors, summaries } = setup();

    expect(() =>
      recorder.event({ metadata: { name: 'kindless' } }, 'Normal', 'Created', 'created'),
    ).not.toThrow();
    expect(() => recorder.event(pod, 'Fatal' as 'Warning', 'Created', 'created')).not.toThrow();
    await recorder.flush();

    expect(summaries()).toEqual([]);
    expect(errors.map((error) => (error as Error).message)).toEqual([
      'could not construct a reference: the object needs apiVersion, kind and metadata.name',
      'unsupported event type: "Fatal"',
    ]);
  });

  it('does not retry what the API refused, and says nothing of AlreadyExists', async () => {
    const { recorder, client, errors, summaries } = setup();
    const other = { ...pod, metadata: { ...pod.metadata, name: 'db' } };
    client.failures.push(
      { summary: `create events/${firstName} -n shop`, error: internalError('etcd is down') },
      {
        summary: 'create events/db.1816687ec0570001 -n shop',
        error: alreadyExists({ group: '', resource: 'events' }, 'db.1816687ec0570001'),
      },
    );

    recorder.event(pod, 'Normal', 'Pulled', 'image pulled');
    recorder.event(other, 'Normal', 'Pulled', 'image pulled');
    await recorder.flush();

    expect(summaries()).toEqual([
      `create events/${firstName} -n shop`,
      'create events/db.1816687ec0570001 -n shop',
    ]);
    expect(errors.map((error) => (error as Error).message)).toEqual([
      'Internal error occurred: etcd is down',
    ]);
  });

  it('retries a write that failed without an answer, after a delay', async () => {
    const { recorder, client, clock, errors, summaries } = setup();
    client.failures.push({
      summary: `create events/${firstName} -n shop`,
      error: new Error('socket hang up'),
    });

    recorder.event(pod, 'Normal', 'Pulled', 'image pulled');
    let flushed = false;
    const flushing = recorder.flush().then(() => (flushed = true));
    await clock.advance(0);
    expect(summaries()).toHaveLength(1);
    expect(flushed).toBe(false);

    await clock.advance(10_000);
    await flushing;
    expect(summaries()).toEqual([`create events/${firstName} -n shop`, `create events/${firstName} -n shop`]);
    expect(errors).toEqual([]);
  });

  it('records nothing once stopped', async () => {
    const { recorder, summaries } = setup();

    await recorder.stop();
    recorder.event(pod, 'Normal', 'Pulled', 'image pulled');
    await recorder.flush();

    expect(summaries()).toEqual([]);
  });
});

describe('the event recorder against a real API server', () => {
  it('writes Events the API accepts, and counts repeats on one of them', async () => {
    const store = await openMemoryStore();
    const server = await createApiServer({ store, resources });
    const client = createInProcessClient(server);
    const errors: unknown[] = [];
    const recorder = new EventRecorder({
      client,
      component: 'skiff-test',
      onError: (error) => errors.push(error),
    });
    try {
      const settings = await client.create(refFor('ConfigMap', 'default'), {
        metadata: { name: 'settings' },
      });
      recorder.event(settings, 'Warning', 'Invalid', 'key "a" is not allowed');
      recorder.event(settings, 'Warning', 'Invalid', 'key "a" is not allowed');
      await recorder.flush();

      expect(errors).toEqual([]);
      const events = await client.list<CoreEvent>(refFor('Event', 'default'), {
        fieldSelector: 'involvedObject.name=settings',
      });
      expect(events.items).toHaveLength(1);
      expect(events.items[0]).toMatchObject({
        involvedObject: {
          kind: 'ConfigMap',
          name: 'settings',
          namespace: 'default',
          uid: settings.metadata?.uid,
        },
        reason: 'Invalid',
        type: 'Warning',
        count: 2,
        source: { component: 'skiff-test' },
      });
    } finally {
      await recorder.stop();
      await client.close();
      await server.close();
      await store.close();
    }
  });
});
