import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject, OwnerReference } from '../api/resource.js';
import { conflict, forbidden, notFound } from '../api/status.js';
import { InformerFactory } from '../client/informer-factory.js';
import { refForObject } from '../client/refs.js';
import { FakeClock, settle } from '../client/testing/fake-clock.js';
import type {
  CreateOptions,
  KubeClient,
  ObjectList,
  PatchType,
  ResourceRef,
  StatusSuccess,
  UpdateOptions,
  Watch,
  WatchEvent,
} from '../client/types.js';
import type { ControllerContext } from './framework.js';
import { type Pod, ReplicaSetController, type ReplicatedKind } from './replicaset.js';
import { replicationControllerKind } from './replication-controller.js';

// ---------------------------------------------------------------------------------------------------
// A cluster the test seeds and changes by hand, and that writes down every write

interface Write {
  readonly verb: 'create' | 'update' | 'patch' | 'delete';
  readonly ref: ResourceRef;
  readonly name: string;
  readonly body?: KubeObject | unknown;
  readonly subresource?: string;
  readonly patchType?: PatchType;
}

/**
 * The controller's whole world: `seed` fills what the informers list, `emit` changes it as a watch
 * reports it, and writes are recorded and answered but change nothing — the caches move only when the
 * test says so, as they would move only when the watch catches up. `fail` makes chosen writes fail.
 */
class FakeCluster implements KubeClient {
  readonly writes: Write[] = [];
  /** Return an error to fail a write (it is still recorded). */
  fail: (write: Write) => Error | undefined = () => undefined;
  /** What `get` answers instead of the seeded object (an uncached read seeing something newer). */
  fresh = new Map<string, KubeObject>();
  readonly #objects = new Map<string, { ref: ResourceRef; object: KubeObject }>();
  readonly #watches = new Set<FakeWatch>();
  #revision = 0;
  #generated = 0;

  seed(...objects: KubeObject[]): void {
    for (const object of objects) this.#store(object);
  }

  emit(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubeObject): void {
    const { ref, object: stored } = this.#store(object);
    if (type === 'DELETED') this.#objects.delete(storeKey(ref, stored));
    for (const watch of this.#watches) watch.offer(ref, { type, object: structuredClone(stored) });
  }

  /** The writes other than events, one line each, for exact, ordered assertions. */
  get summary(): string[] {
    return this.writes.filter((write) => !isEvent(write)).map(describeWrite);
  }

  /**
   * The events written, one line each. The event recorder writes them on its own, one after another,
   * so they are in order among themselves but not interleaved with the controller's other writes.
   */
  get events(): string[] {
    return this.writes.filter(isEvent).map(describeWrite);
  }

  /** Forgets the writes so far, once the event recorder has written what it was given. */
  async forget(): Promise<void> {
    await settle();
    this.writes.length = 0;
  }

  get lastStatusWrite(): Write | undefined {
    return this.writes.filter((write) => write.subresource === 'status').at(-1);
  }

  async list<T extends KubeObject = KubeObject>(ref: ResourceRef): Promise<ObjectList<T>> {
    const items = [...this.#objects.values()]
      .filter((entry) => sameResource(ref, entry.ref) && inNamespace(ref, entry.object))
      .map((entry) => structuredClone(entry.object) as T);
    return { items, metadata: { resourceVersion: String(this.#revision) } };
  }

  async watch<T extends KubeObject = KubeObject>(ref: ResourceRef): Promise<Watch<T>> {
    const watch = new FakeWatch(ref, () => this.#watches.delete(watch));
    this.#watches.add(watch);
    return watch as unknown as Watch<T>;
  }

  async get<T extends KubeObject = KubeObject>(ref: ResourceRef, name: string): Promise<T> {
    const key = `${ref.group}/${ref.resource}/${ref.namespace ?? ''}/${name}`;
    const found = this.fresh.get(key) ?? this.#objects.get(key)?.object;
    if (!found) throw notFound({ group: ref.group, resource: ref.resource }, name);
    return structuredClone(found) as T;
  }

  async create<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    object: NoInfer<T>,
    options: CreateOptions = {},
  ): Promise<T> {
    const write = this.#record({
      verb: 'create',
      ref,
      name: object.metadata?.name ?? '',
      body: object,
      ...sub(options),
    });
    const meta = object.metadata ?? {};
    const name = meta.name || `${meta.generateName}${String(++this.#generated).padStart(5, '0')}`;
    await this.#maybeFail(write);
    return { ...object, metadata: { ...meta, name, namespace: ref.namespace, uid: `uid-${name}` } } as T;
  }

  async update<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    object: NoInfer<T>,
    options: UpdateOptions = {},
  ): Promise<T> {
    const write = this.#record({
      verb: 'update',
      ref,
      name: object.metadata?.name ?? '',
      body: object,
      ...sub(options),
    });
    await this.#maybeFail(write);
    return object;
  }

  async patch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    name: string,
    patchType: PatchType,
    patch: unknown,
    options: { subresource?: string } = {},
  ): Promise<T> {
    const write = this.#record({ verb: 'patch', ref, name, body: patch, patchType, ...sub(options) });
    await this.#maybeFail(write);
    return (await this.get<T>(ref, name).catch(() => ({}))) as T;
  }

  async delete<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    name: string,
  ): Promise<T | StatusSuccess> {
    const write = this.#record({ verb: 'delete', ref, name });
    await this.#maybeFail(write);
    return { kind: 'Status', apiVersion: 'v1', status: 'Success' };
  }

  async deleteCollection<T extends KubeObject = KubeObject>(): Promise<ObjectList<T>> {
    throw new Error('the replica set controller never deletes collections');
  }

  #record(write: Write): Write {
    // A copy, as a request body is serialised at once: later edits by the caller do not show.
    const recorded = { ...write, ...(write.body !== undefined ? { body: structuredClone(write.body) } : {}) };
    this.writes.push(recorded);
    return recorded;
  }

  async #maybeFail(write: Write): Promise<void> {
    const error = this.fail(write);
    if (error) throw error;
  }

  #store(object: KubeObject): { ref: ResourceRef; object: KubeObject } {
    const ref = refForObject(object);
    const stored = structuredClone(object);
    stored.metadata = { ...stored.metadata, resourceVersion: String(++this.#revision) };
    const entry = { ref, object: stored };
    this.#objects.set(storeKey(ref, stored), entry);
    return entry;
  }
}

class FakeWatch implements Watch {
  readonly #ref: ResourceRef;
  readonly #onClose: () => void;
  readonly #queue: WatchEvent[] = [];
  #wake: (() => void) | undefined;
  #closed = false;

  constructor(ref: ResourceRef, onClose: () => void) {
    this.#ref = ref;
    this.#onClose = onClose;
  }

  offer(ref: ResourceRef, event: WatchEvent): void {
    if (this.#closed || !sameResource(this.#ref, ref) || !inNamespace(this.#ref, event.object as KubeObject))
      return;
    this.#queue.push(event);
    this.#wake?.();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClose();
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<WatchEvent> {
    for (;;) {
      const event = this.#queue.shift();
      if (event) yield event;
      else if (this.#closed) return;
      else await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }
}

const sameResource = (a: ResourceRef, b: ResourceRef) =>
  a.group === b.group && a.version === b.version && a.resource === b.resource;
const inNamespace = (ref: ResourceRef, object: KubeObject) =>
  ref.namespace === undefined || ref.namespace === object.metadata?.namespace;
const storeKey = (ref: ResourceRef, object: KubeObject) =>
  `${ref.group}/${ref.resource}/${object.metadata?.namespace ?? ''}/${object.metadata?.name}`;
const sub = (options: { subresource?: string }) =>
  options.subresource !== undefined ? { subresource: options.subresource } : {};

const isEvent = (write: Write) => write.ref.resource === 'events';

/** `create pods web-`, `patch pods web-a`, `update replicasets/status web`, `event Normal SuccessfulCreate "Created pod: web-00001"`. */
function describeWrite(write: Write): string {
  const body = write.body as Record<string, unknown> | undefined;
  if (write.ref.resource === 'events' && write.verb === 'create') {
    return `event ${body?.type} ${body?.reason} "${body?.message}"`;
  }
  const meta = (body as KubeObject | undefined)?.metadata;
  const name = write.name || meta?.generateName || '';
  return `${write.verb} ${write.ref.resource}${write.subresource ? `/${write.subresource}` : ''} ${name}`;
}

/** The status a status write sent. */
function statusIn(write: Write | undefined): unknown {
  return (write?.body as KubeObject | undefined)?.status;
}

// ---------------------------------------------------------------------------------------------------
// Objects

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const at = (msAgo: number) => `${new Date(NOW - msAgo).toISOString().slice(0, 19)}Z`;
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

interface SetOptions {
  replicas?: number;
  generation?: number;
  minReadySeconds?: number;
  selector?: Record<string, string>;
  templateLabels?: Record<string, string>;
  status?: Record<string, unknown>;
  owner?: OwnerReference;
  deletionTimestamp?: string;
}

function replicaSet(name: string, options: SetOptions = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      generation: options.generation ?? 1,
      creationTimestamp: at(HOUR),
      ...(options.owner ? { ownerReferences: [options.owner] } : {}),
      ...(options.deletionTimestamp ? { deletionTimestamp: options.deletionTimestamp } : {}),
    },
    spec: {
      replicas: options.replicas ?? 1,
      ...(options.minReadySeconds !== undefined ? { minReadySeconds: options.minReadySeconds } : {}),
      selector: { matchLabels: options.selector ?? { app: name } },
      template: {
        metadata: { labels: options.templateLabels ?? options.selector ?? { app: name } },
        spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
      },
    },
    ...(options.status ? { status: options.status } : {}),
  };
}

/** The controller reference `set` puts on its pods. */
function controlledBy(set: KubeObject): OwnerReference {
  return {
    apiVersion: set.apiVersion!,
    kind: set.kind!,
    name: set.metadata!.name!,
    uid: set.metadata!.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

interface PodOptions {
  labels?: Record<string, string>;
  owner?: OwnerReference;
  node?: string;
  phase?: string;
  /** Ready since this long ago. */
  readyFor?: number;
  createdAgo?: number;
  restarts?: number;
  deletionCost?: number;
  uid?: string;
  deleting?: boolean;
}

function pod(name: string, options: PodOptions = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: options.uid ?? `uid-${name}`,
      creationTimestamp: at(options.createdAgo ?? HOUR),
      labels: options.labels ?? { app: 'web' },
      ...(options.owner ? { ownerReferences: [options.owner] } : {}),
      ...(options.deletionCost !== undefined
        ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': String(options.deletionCost) } }
        : {}),
      ...(options.deleting ? { deletionTimestamp: at(0), deletionGracePeriodSeconds: 30 } : {}),
    },
    spec: {
      containers: [{ name: 'app', image: 'nginx:1.27' }],
      ...(options.node ? { nodeName: options.node } : {}),
    },
    status: {
      phase: options.phase ?? (options.readyFor !== undefined ? 'Running' : 'Pending'),
      ...(options.readyFor !== undefined
        ? { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: at(options.readyFor) }] }
        : {}),
      ...(options.restarts !== undefined
        ? { containerStatuses: [{ name: 'app', restartCount: options.restarts }] }
        : {}),
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Harness

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function start(objects: KubeObject[], kind?: ReplicatedKind) {
  const clock = new FakeClock(NOW);
  const cluster = new FakeCluster();
  cluster.seed(...objects);
  const errors: unknown[] = [];
  const informers = new InformerFactory({ client: cluster, clock });
  const context: ControllerContext = {
    client: cluster,
    informers,
    clock,
    onError: (_controller, _key, error) => errors.push(error),
  };
  const controller = new ReplicaSetController({ context, ...(kind ? { kind } : {}) });
  informers.start();
  await informers.waitForSync();
  stops.push(() => informers.stop());
  // What the initial listing enqueued is of no interest.
  await drain(controller);
  return { clock, cluster, controller, errors };
}

/** Takes every key the handlers enqueued, in order. */
async function drain(controller: ReplicaSetController): Promise<string[]> {
  await settle();
  const keys: string[] = [];
  while (controller.queue.length > 0) {
    const key = (await controller.queue.get())!;
    controller.queue.done(key);
    keys.push(key);
  }
  return keys;
}

// ---------------------------------------------------------------------------------------------------

describe('the ReplicaSet controller', () => {
  it('creates the missing pods from the template in slow-start batches of 1, 2, 4, each with an event', async () => {
    const web = replicaSet('web', { replicas: 5 });
    const { cluster, controller } = await start([web]);

    expect(await controller.reconcile('default/web')).toBeUndefined();

    expect(cluster.summary).toEqual([
      'create pods web-',
      'create pods web-',
      'create pods web-',
      'create pods web-',
      'create pods web-',
      'update replicasets/status web',
    ]);
    await settle();
    expect(cluster.events).toEqual([
      'event Normal SuccessfulCreate "Created pod: web-00001"',
      'event Normal SuccessfulCreate "Created pod: web-00002"',
      'event Normal SuccessfulCreate "Created pod: web-00003"',
      'event Normal SuccessfulCreate "Created pod: web-00004"',
      'event Normal SuccessfulCreate "Created pod: web-00005"',
    ]);
    expect(cluster.writes[0]).toEqual({
      verb: 'create',
      ref: { group: '', version: 'v1', resource: 'pods', namespace: 'default' },
      name: '',
      body: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { generateName: 'web-', labels: { app: 'web' }, ownerReferences: [controlledBy(web)] },
        spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
      },
    });
    // The cache does not show the new pods yet: the status says what it saw.
    expect(cluster.lastStatusWrite).toMatchObject({
      subresource: 'status',
      body: { metadata: { name: 'web', uid: 'uid-web' }, status: { replicas: 0, observedGeneration: 1 } },
    });
  });

  it('writes core/v1 Events about the set, named as client-go names them', async () => {
    const { cluster, controller } = await start([replicaSet('web', { replicas: 1 })]);
    await controller.reconcile('default/web');
    await settle();
    const event = cluster.writes.find(isEvent)!;
    expect(event.ref).toEqual({ group: '', version: 'v1', resource: 'events', namespace: 'default' });
    expect(event.body).toEqual({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `web.${(BigInt(NOW) * 1_000_000n).toString(16)}`, namespace: 'default' },
      involvedObject: {
        kind: 'ReplicaSet',
        namespace: 'default',
        name: 'web',
        uid: 'uid-web',
        apiVersion: 'apps/v1',
        resourceVersion: '1',
      },
      reason: 'SuccessfulCreate',
      message: 'Created pod: web-00001',
      source: { component: 'replicaset-controller' },
      firstTimestamp: '2025-01-01T12:00:00Z',
      lastTimestamp: '2025-01-01T12:00:00Z',
      count: 1,
      type: 'Normal',
      reportingComponent: 'replicaset-controller',
      reportingInstance: '',
    });
  });

  it('does not create again until the informer has shown it the pods it created', async () => {
    const web = replicaSet('web', { replicas: 2, status: { replicas: 0, observedGeneration: 1 } });
    const { cluster, controller } = await start([web]);

    await controller.reconcile('default/web');
    expect(cluster.summary.filter((line) => line.startsWith('create pods'))).toHaveLength(2);
    await cluster.forget();

    // Woken again before the pods show up: the expectations hold it back.
    await controller.reconcile('default/web');
    expect(cluster.summary).toEqual([]);

    // The first pod arrives: still one to come.
    cluster.emit('ADDED', pod('web-00001', { owner: controlledBy(web) }));
    expect(await drain(controller)).toEqual(['default/web']);
    await controller.reconcile('default/web');
    expect(cluster.summary).toEqual(['update replicasets/status web']);
    await cluster.forget();

    // Both seen: the set is in sync and has nothing to create.
    cluster.emit('ADDED', pod('web-00002', { owner: controlledBy(web) }));
    await settle();
    await controller.reconcile('default/web');
    expect(cluster.summary).toEqual(['update replicasets/status web']);
    expect(cluster.writes[0]?.body).toMatchObject({ status: { replicas: 2, fullyLabeledReplicas: 2 } });
  });

  it('gives up on expectations after five minutes, so a lost event cannot stall a set', async () => {
    const web = replicaSet('web', { replicas: 1, status: { replicas: 0, observedGeneration: 1 } });
    const { clock, cluster, controller } = await start([web]);
    await controller.reconcile('default/web');
    await cluster.forget();

    await clock.advance(5 * MINUTE);
    await controller.reconcile('default/web');
    expect(cluster.summary).toEqual([]);

    await clock.advance(1);
    await controller.reconcile('default/web');
    expect(cluster.summary).toEqual(['create pods web-']);
    await settle();
    expect(cluster.events).toEqual(['event Normal SuccessfulCreate "Created pod: web-00002"']);
  });

  it('stops the slow start at the first failed batch, records FailedCreate and the ReplicaFailure condition', async () => {
    const web = replicaSet('web', { replicas: 5, status: { replicas: 0, observedGeneration: 1 } });
    const { cluster, controller } = await start([web]);
    const quota = forbidden(
      { group: '', resource: 'pods' },
      'web-',
      'exceeded quota: pods, requested: pods=1, used: pods=2, limited: pods=2',
    );
    let creates = 0;
    cluster.fail = (write) =>
      write.verb === 'create' && write.ref.resource === 'pods' && ++creates === 3 ? quota : undefined;

    await expect(controller.reconcile('default/web')).rejects.toBe(quota);

    expect(cluster.summary).toEqual([
      'create pods web-',
      'create pods web-',
      'create pods web-',
      'update replicasets/status web',
    ]);
    await settle();
    expect(cluster.events).toEqual([
      'event Normal SuccessfulCreate "Created pod: web-00001"',
      'event Normal SuccessfulCreate "Created pod: web-00002"',
      `event Warning FailedCreate "Error creating: ${quota.message}"`,
    ]);
    expect(cluster.lastStatusWrite?.body).toMatchObject({
      status: {
        replicas: 0,
        observedGeneration: 1,
        conditions: [
          {
            type: 'ReplicaFailure',
            status: 'True',
            lastTransitionTime: '2025-01-01T12:00:00Z',
            reason: 'FailedCreate',
            message: quota.message,
          },
        ],
      },
    });

    // Only the two that were made are expected, and the next reconcile that does not fail drops the
    // condition; once both pods show up, the set tries again.
    await cluster.forget();
    cluster.fail = () => undefined;
    const failed = {
      replicas: 0,
      observedGeneration: 1,
      conditions: [{ type: 'ReplicaFailure', status: 'True' }],
    };
    cluster.emit('MODIFIED', replicaSet('web', { replicas: 5, status: failed }));
    cluster.emit('ADDED', pod('web-00001', { owner: controlledBy(web) }));
    await settle();
    await controller.reconcile('default/web');
    expect(cluster.summary).toEqual(['update replicasets/status web']);
    expect(statusIn(cluster.writes[0])).toEqual({
      replicas: 1,
      fullyLabeledReplicas: 1,
      observedGeneration: 1,
    });
    await cluster.forget();

    cluster.emit('ADDED', pod('web-00002', { owner: controlledBy(web) }));
    await settle();
    await controller.reconcile('default/web');
    expect(cluster.summary).toEqual([
      'create pods web-',
      'create pods web-',
      'create pods web-',
      'update replicasets/status web',
    ]);
    await settle();
    expect(cluster.events).toEqual([
      'event Normal SuccessfulCreate "Created pod: web-00004"',
      'event Normal SuccessfulCreate "Created pod: web-00005"',
      'event Normal SuccessfulCreate "Created pod: web-00006"',
    ]);
    expect(statusIn(cluster.lastStatusWrite)).toEqual({
      replicas: 2,
      fullyLabeledReplicas: 2,
      observedGeneration: 1,
    });
  });

  it('says nothing and claims no failure when the namespace is being deleted', async () => {
    const web = replicaSet('web', { replicas: 2, status: { replicas: 0, observedGeneration: 1 } });
    const { cluster, controller, errors } = await start([web]);
    const terminating = forbidden(
      { group: '', resource: 'pods' },
      '',
      'unable to create new content in namespace default because it is being terminated',
      [
        {
          reason: 'NamespaceTerminating',
          message: 'namespace default is being terminated',
          field: 'metadata.namespace',
        },
      ],
    );
    cluster.fail = (write) => (write.ref.resource === 'pods' ? terminating : undefined);

    expect(await controller.reconcile('default/web')).toBeUndefined();
    expect(cluster.summary).toEqual(['create pods web-', 'create pods web-']);
    await settle();
    expect(cluster.events).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('ignores pods that finished or are being deleted, and replaces them', async () => {
    const web = replicaSet('web', {
      replicas: 2,
      status: { replicas: 2, fullyLabeledReplicas: 2, observedGeneration: 1 },
    });
    const owner = controlledBy(web);
    const { cluster, controller } = await start([
      web,
      pod('web-done', { owner, phase: 'Succeeded' }),
      pod('web-failed', { owner, phase: 'Failed' }),
      pod('web-going', { owner, node: 'node-1', phase: 'Running', deleting: true }),
      pod('web-live', { owner }),
    ]);
    await controller.reconcile('default/web');
    expect(cluster.summary).toEqual(['create pods web-', 'update replicasets/status web']);
    await settle();
    expect(cluster.events).toEqual(['event Normal SuccessfulCreate "Created pod: web-00001"']);
    expect(statusIn(cluster.lastStatusWrite)).toEqual({
      replicas: 1,
      fullyLabeledReplicas: 1,
      observedGeneration: 1,
    });
  });

  it('adopts a matching orphan with a uid-preconditioned patch, and never touches pods another controller owns', async () => {
    const web = replicaSet('web', { replicas: 2, status: { replicas: 0, observedGeneration: 1 } });
    const other: OwnerReference = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      name: 'other',
      uid: 'uid-other',
      controller: true,
    };
    const { cluster, controller } = await start([
      web,
      pod('orphan', { uid: 'uid-orphan' }),
      pod('someone-elses', { owner: other }),
      pod('unrelated', { labels: { app: 'db' } }),
    ]);

    await controller.reconcile('default/web');

    expect(cluster.summary).toEqual([
      'patch pods orphan',
      'create pods web-',
      'update replicasets/status web',
    ]);
    await settle();
    expect(cluster.events).toEqual(['event Normal SuccessfulCreate "Created pod: web-00001"']);
    expect(cluster.writes[0]).toEqual({
      verb: 'patch',
      ref: { group: '', version: 'v1', resource: 'pods', namespace: 'default' },
      name: 'orphan',
      patchType: 'strategic',
      body: { metadata: { ownerReferences: [controlledBy(web)], uid: 'uid-orphan' } },
    });
    expect(statusIn(cluster.lastStatusWrite)).toEqual({
      replicas: 1,
      fullyLabeledReplicas: 1,
      observedGeneration: 1,
    });
  });

  it('adopts nothing when an uncached read shows the set is being deleted', async () => {
    const web = replicaSet('web', { replicas: 1, status: { replicas: 0, observedGeneration: 1 } });
    const { cluster, controller } = await start([web, pod('orphan')]);
    cluster.fresh.set('apps/replicasets/default/web', replicaSet('web', { deletionTimestamp: at(0) }));

    await expect(controller.reconcile('default/web')).rejects.toThrow(
      "can't adopt Pod default/orphan (uid-orphan): default/web has just been deleted at 2025-01-01T12:00:00Z",
    );
    expect(cluster.summary).toEqual([]);
  });

  it('releases a pod it controls once the pod stops matching, and replaces it', async () => {
    const web = replicaSet('web', {
      replicas: 1,
      status: { replicas: 1, fullyLabeledReplicas: 1, observedGeneration: 1 },
    });
    const { cluster, controller } = await start([
      web,
      pod('web-relabelled', { owner: controlledBy(web), labels: { app: 'debug' } }),
    ]);

    await controller.reconcile('default/web');

    expect(cluster.summary).toEqual([
      'patch pods web-relabelled',
      'create pods web-',
      'update replicasets/status web',
    ]);
    await settle();
    expect(cluster.events).toEqual(['event Normal SuccessfulCreate "Created pod: web-00001"']);
    expect(cluster.writes[0]).toMatchObject({
      patchType: 'strategic',
      body: {
        metadata: { uid: 'uid-web-relabelled', ownerReferences: [{ $patch: 'delete', uid: 'uid-web' }] },
      },
    });
  });

  it('neither creates, adopts nor releases while the set is being deleted, but still reports status', async () => {
    const web = replicaSet('web', { replicas: 3, deletionTimestamp: at(0) });
    const { cluster, controller } = await start([
      web,
      pod('orphan'),
      pod('web-relabelled', { owner: controlledBy(web), labels: { app: 'debug' } }),
      pod('web-a', { owner: controlledBy(web) }),
    ]);
    await controller.reconcile('default/web');
    expect(cluster.summary).toEqual(['update replicasets/status web']);
    expect(statusIn(cluster.writes[0])).toEqual({
      replicas: 1,
      fullyLabeledReplicas: 1,
      observedGeneration: 1,
    });
  });

  it('scales down deleting the least useful pods first, in upstream’s ranking order', async () => {
    const web = replicaSet('web', { replicas: 1, status: { replicas: 9, observedGeneration: 1 } });
    const owner = controlledBy(web);
    const running = { owner, node: 'node-1', phase: 'Running' };
    const { cluster, controller } = await start([
      web,
      // Kept: scheduled, running, ready for long, no restarts, the oldest.
      pod('web-keep', { ...running, readyFor: HOUR, createdAgo: 10 * HOUR }),
      // Created newer than web-keep, otherwise equal.
      pod('web-newer', { ...running, readyFor: HOUR, createdAgo: HOUR }),
      // Restarted more, otherwise equal to web-keep.
      pod('web-restarts', { ...running, readyFor: HOUR, createdAgo: 10 * HOUR, restarts: 3 }),
      // Ready for less time.
      pod('web-fresh', { ...running, readyFor: MINUTE, createdAgo: 10 * HOUR, restarts: 5 }),
      // Cheaper to delete, by annotation.
      pod('web-cheap', { ...running, readyFor: 5 * HOUR, createdAgo: 10 * HOUR, deletionCost: -10 }),
      // Running but not ready.
      pod('web-unready', { ...running, createdAgo: 10 * HOUR }),
      pod('web-unknown', { owner, node: 'node-1', phase: 'Unknown', createdAgo: 10 * HOUR }),
      pod('web-pending', { owner, node: 'node-1', phase: 'Pending', createdAgo: 10 * HOUR }),
      // Not scheduled at all, though running and ready (as a test may make it).
      pod('web-unscheduled', { owner, phase: 'Running', readyFor: 5 * HOUR, createdAgo: 10 * HOUR }),
    ]);

    await controller.reconcile('default/web');

    const deletes = cluster.summary.filter((line) => line.startsWith('delete'));
    expect(deletes).toEqual([
      'delete pods web-unscheduled',
      'delete pods web-pending',
      'delete pods web-unknown',
      'delete pods web-unready',
      'delete pods web-cheap',
      'delete pods web-fresh',
      'delete pods web-restarts',
      'delete pods web-newer',
    ]);
    expect(cluster.summary.slice(8)).toEqual(['update replicasets/status web']);
    await settle();
    expect(cluster.events).toEqual([
      'event Normal SuccessfulDelete "Deleted pod: web-unscheduled"',
      'event Normal SuccessfulDelete "Deleted pod: web-pending"',
      'event Normal SuccessfulDelete "Deleted pod: web-unknown"',
      'event Normal SuccessfulDelete "Deleted pod: web-unready"',
      'event Normal SuccessfulDelete "Deleted pod: web-cheap"',
      'event Normal SuccessfulDelete "Deleted pod: web-fresh"',
      'event Normal SuccessfulDelete "Deleted pod: web-restarts"',
      'event Normal SuccessfulDelete "Deleted pod: web-newer"',
    ]);
  });

  it('treats pods of about the same age as equals on a log scale, ordered by uid', async () => {
    const web = replicaSet('web', { replicas: 1, status: { replicas: 3, observedGeneration: 1 } });
    const owner = controlledBy(web);
    const { cluster, controller } = await start([
      web,
      // 3 and 4 minutes old share the bucket [2^37 ns, 2^38 ns) ≈ [2.3 min, 4.6 min): uid decides.
      pod('web-older', { owner, uid: 'uid-a', createdAgo: 4 * MINUTE }),
      pod('web-younger', { owner, uid: 'uid-b', createdAgo: 3 * MINUTE }),
      // 10 minutes old is in an older bucket: kept.
      pod('web-oldest', { owner, uid: 'uid-0', createdAgo: 10 * MINUTE }),
    ]);
    await controller.reconcile('default/web');
    expect(cluster.summary.filter((line) => line.startsWith('delete'))).toEqual([
      'delete pods web-older',
      'delete pods web-younger',
    ]);
  });

  it('deletes first the pods doubled up on a node with pods of the same Deployment', async () => {
    const deployment: OwnerReference = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'web',
      uid: 'uid-deployment',
      controller: true,
      blockOwnerDeletion: true,
    };
    const current = replicaSet('web-new', {
      replicas: 1,
      owner: deployment,
      selector: { app: 'web', hash: 'new' },
    });
    const previous = replicaSet('web-old', {
      replicas: 2,
      owner: deployment,
      selector: { app: 'web', hash: 'old' },
    });
    const running = { phase: 'Running', readyFor: HOUR, createdAgo: HOUR, owner: controlledBy(current) };
    const { cluster, controller } = await start([
      current,
      previous,
      pod('new-alone', { ...running, node: 'node-1', labels: { app: 'web', hash: 'new' } }),
      pod('new-crowded', { ...running, node: 'node-2', labels: { app: 'web', hash: 'new' } }),
      pod('old-a', {
        ...running,
        owner: controlledBy(previous),
        node: 'node-2',
        labels: { app: 'web', hash: 'old' },
      }),
      pod('old-b', {
        ...running,
        owner: controlledBy(previous),
        node: 'node-2',
        labels: { app: 'web', hash: 'old' },
      }),
    ]);
    await controller.reconcile('default/web-new');
    expect(cluster.summary.filter((line) => line.startsWith('delete'))).toEqual(['delete pods new-crowded']);
  });

  it('does not delete again until the deletions it made are observed, counting a deletionTimestamp as one', async () => {
    const web = replicaSet('web', { replicas: 1, status: { replicas: 3, observedGeneration: 1 } });
    const owner = controlledBy(web);
    const pods = [
      pod('web-a', { owner, createdAgo: 3 * HOUR }),
      pod('web-b', { owner, createdAgo: 2 * HOUR }),
      pod('web-c', { owner, createdAgo: HOUR }),
    ];
    const { cluster, controller } = await start([web, ...pods]);
    await controller.reconcile('default/web');
    expect(cluster.summary.filter((line) => line.startsWith('delete'))).toEqual([
      'delete pods web-c',
      'delete pods web-b',
    ]);
    await cluster.forget();

    await controller.reconcile('default/web');
    expect(cluster.summary.filter((line) => line.startsWith('delete'))).toEqual([]);

    // One is gone, the other is terminating: both deletions are seen, and the set is at rest.
    cluster.emit('DELETED', pods[2]!);
    cluster.emit('MODIFIED', pod('web-b', { owner, createdAgo: 2 * HOUR, deleting: true }));
    expect(await drain(controller)).toEqual(['default/web']);
    await cluster.forget();
    await controller.reconcile('default/web');
    expect(cluster.summary).toEqual(['update replicasets/status web']);
    expect(statusIn(cluster.writes[0])).toEqual({
      replicas: 1,
      fullyLabeledReplicas: 1,
      observedGeneration: 1,
    });
  });

  it('counts ready and available pods, and asks to be requeued when the next one becomes available', async () => {
    const web = replicaSet('web', {
      replicas: 3,
      generation: 2,
      minReadySeconds: 10,
      selector: { app: 'web' },
      templateLabels: { app: 'web', tier: 'front' },
      status: { replicas: 3, observedGeneration: 1 },
    });
    const owner = controlledBy(web);
    const labels = { app: 'web', tier: 'front' };
    const { clock, cluster, controller } = await start([
      web,
      pod('web-available', { owner, labels, readyFor: 20 * SECOND }),
      pod('web-warming', { owner, labels, readyFor: 4 * SECOND }),
      // Matches the selector but lacks a template label: a replica, not a fully labelled one.
      pod('web-unready', { owner, labels: { app: 'web' } }),
    ]);

    expect(await controller.reconcile('default/web')).toEqual({ requeueAfterMs: 6 * SECOND + 1 });
    expect(cluster.summary).toEqual(['update replicasets/status web']);
    expect(statusIn(cluster.writes[0])).toEqual({
      replicas: 3,
      fullyLabeledReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 1,
      observedGeneration: 2,
    });

    // Exactly minReadySeconds is not yet more than minReadySeconds.
    await cluster.forget();
    await clock.advance(6 * SECOND);
    expect(await controller.reconcile('default/web')).toEqual({ requeueAfterMs: 1 });
    await clock.advance(1);
    expect(await controller.reconcile('default/web')).toBeUndefined();
    expect(cluster.summary).toEqual(['update replicasets/status web', 'update replicasets/status web']);
    expect(statusIn(cluster.writes[1])).toMatchObject({
      readyReplicas: 2,
      availableReplicas: 2,
    });
  });

  it('writes no status when nothing changed and the generation was already observed', async () => {
    const web = replicaSet('web', {
      replicas: 1,
      generation: 4,
      status: {
        replicas: 1,
        fullyLabeledReplicas: 1,
        readyReplicas: 1,
        availableReplicas: 1,
        observedGeneration: 4,
      },
    });
    const { cluster, controller } = await start([
      web,
      pod('web-a', { owner: controlledBy(web), readyFor: MINUTE }),
    ]);
    expect(await controller.reconcile('default/web')).toBeUndefined();
    expect(cluster.summary).toEqual([]);
  });

  it('retries a conflicting status write once, on the latest version', async () => {
    const web = replicaSet('web', {
      replicas: 0,
      generation: 2,
      status: { replicas: 0, observedGeneration: 1 },
    });
    const { cluster, controller } = await start([web]);
    const newer = replicaSet('web', {
      replicas: 0,
      generation: 2,
      status: { replicas: 0, observedGeneration: 1 },
    });
    newer.metadata!.resourceVersion = '42';
    cluster.fresh.set('apps/replicasets/default/web', newer);
    let updates = 0;
    cluster.fail = (write) =>
      write.verb === 'update' && ++updates === 1
        ? conflict({ group: 'apps', resource: 'replicasets' }, 'web', 'the object has been modified')
        : undefined;

    await controller.reconcile('default/web');

    expect(cluster.summary).toEqual(['update replicasets/status web', 'update replicasets/status web']);
    expect(cluster.writes[1]?.body).toMatchObject({
      metadata: { resourceVersion: '42' },
      status: { replicas: 0, observedGeneration: 2 },
    });
  });

  it('reports a failed delete as FailedDelete, and ignores a pod already gone', async () => {
    const web = replicaSet('web', { replicas: 0, status: { replicas: 2, observedGeneration: 1 } });
    const owner = controlledBy(web);
    const { cluster, controller } = await start([web, pod('web-a', { owner }), pod('web-gone', { owner })]);
    const refused = forbidden({ group: '', resource: 'pods' }, 'web-a', 'not allowed');
    cluster.fail = (write) =>
      write.verb !== 'delete'
        ? undefined
        : write.name === 'web-a'
          ? refused
          : notFound({ group: '', resource: 'pods' }, write.name);

    await expect(controller.reconcile('default/web')).rejects.toThrow(
      `unable to delete pods: ${refused.message}`,
    );
    expect(cluster.summary).toEqual([
      'delete pods web-a',
      'delete pods web-gone',
      'update replicasets/status web',
    ]);
    await settle();
    expect(cluster.events).toEqual([`event Warning FailedDelete "Error deleting: ${refused.message}"`]);
    expect(statusIn(cluster.lastStatusWrite)).toMatchObject({
      replicas: 2,
      conditions: [
        {
          type: 'ReplicaFailure',
          reason: 'FailedDelete',
          message: `unable to delete pods: ${refused.message}`,
        },
      ],
    });
  });

  it('wakes the set controlling a changed pod, and the sets selecting an orphan', async () => {
    const web = replicaSet('web', { selector: { app: 'web' } });
    const webToo = replicaSet('web-too', { selector: { app: 'web' } });
    const db = replicaSet('db', { selector: { app: 'db' } });
    const { cluster, controller } = await start([web, webToo, db]);

    cluster.emit('ADDED', pod('orphan'));
    expect(await drain(controller)).toEqual(['default/web', 'default/web-too']);

    cluster.emit('ADDED', pod('db-1', { labels: { app: 'db' }, owner: controlledBy(web) }));
    expect(await drain(controller)).toEqual(['default/web']);

    // Taken over by another set: both hear of it.
    cluster.emit('MODIFIED', pod('db-1', { labels: { app: 'db' }, owner: controlledBy(db) }));
    expect(await drain(controller)).toEqual(['default/web', 'default/db']);

    // A reference to a set of the same name but another uid is no reference to it.
    cluster.emit('ADDED', pod('stale', { owner: { ...controlledBy(web), uid: 'uid-gone' } }));
    expect(await drain(controller)).toEqual([]);

    cluster.emit('DELETED', pod('db-1', { labels: { app: 'db' }, owner: controlledBy(db) }));
    expect(await drain(controller)).toEqual(['default/db']);
  });

  it('drops a set with a malformed selector as a terminal error', async () => {
    const broken = replicaSet('web');
    (broken.spec as { selector: unknown }).selector = {
      matchExpressions: [{ key: 'app', operator: 'Near' }],
    };
    const { cluster, controller } = await start([broken]);
    await expect(controller.reconcile('default/web')).rejects.toMatchObject({
      name: 'TerminalError',
      message:
        'ReplicaSet default/web has an invalid selector: "Near" is not a valid label selector operator',
    });
    expect(cluster.summary).toEqual([]);
  });

  it('forgets a deleted set', async () => {
    const { cluster, controller } = await start([]);
    expect(await controller.reconcile('default/web')).toBeUndefined();
    expect(cluster.summary).toEqual([]);
  });
});

describe('the ReplicationController controller', () => {
  function replicationController(name: string, replicas: number): KubeObject {
    return {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: 1 },
      spec: {
        replicas,
        selector: { app: name },
        template: {
          metadata: { labels: { app: name, tier: 'front' } },
          spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
        },
      },
    };
  }

  it('selects by its label map, adopts and creates with a v1 controller reference, and reports as replication-controller', async () => {
    const rc = replicationController('web', 2);
    const { cluster, controller } = await start(
      [rc, pod('orphan', { labels: { app: 'web' } })],
      replicationControllerKind,
    );

    await controller.reconcile('default/web');

    const reference = {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      name: 'web',
      uid: 'uid-web',
      controller: true,
      blockOwnerDeletion: true,
    };
    expect(cluster.summary).toEqual([
      'patch pods orphan',
      'create pods web-',
      'update replicationcontrollers/status web',
    ]);
    await settle();
    expect(cluster.events).toEqual(['event Normal SuccessfulCreate "Created pod: web-00001"']);
    expect(cluster.writes[0]?.body).toEqual({
      metadata: { ownerReferences: [reference], uid: 'uid-orphan' },
    });
    expect(cluster.writes[1]?.body).toMatchObject({
      metadata: { generateName: 'web-', labels: { app: 'web', tier: 'front' }, ownerReferences: [reference] },
    });
    expect(cluster.writes.find(isEvent)?.body).toMatchObject({
      involvedObject: { kind: 'ReplicationController', apiVersion: 'v1', name: 'web' },
      source: { component: 'replication-controller' },
    });
    // The orphan has only the selector's label, not the template's tier.
    expect(statusIn(cluster.lastStatusWrite)).toEqual({ replicas: 1, observedGeneration: 1 });
  });

  it('is not woken by pods of a ReplicaSet of the same name, and leaves them alone', async () => {
    const { cluster, controller } = await start([replicationController('web', 1)], replicationControllerKind);
    const replicaSetPod = pod('web-a', { owner: { ...controlledBy(replicaSet('web')), uid: 'uid-rs-web' } });
    cluster.emit('ADDED', replicaSetPod);
    expect(await drain(controller)).toEqual([]);
    await controller.reconcile('default/web');
    expect(cluster.summary.slice(0, 1)).toEqual(['create pods web-']);
  });
});
