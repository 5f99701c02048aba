/**
 * An in-memory `KubeClient` for unit tests that need no API server: a revisioned map of objects with
 * the API's optimistic concurrency (update with a stale resourceVersion → 409 Conflict), its errors
 * (NotFound, AlreadyExists), label and name selectors, and watches from a resourceVersion.
 *
 * It passes the same contract suite as the HTTP client (client.contract.ts), which is what makes it fit
 * to stand in for a server. It does not validate, default, or run admission: tests that care about what
 * the server does with an object use a real Skiff.
 *
 * Every object handed out is a copy, so callers (and informers, which freeze what they cache) never
 * share the fake's own state.
 */
import { parseFieldSelector } from '../../api/fields.js';
import { parseLabelSelector } from '../../api/labels.js';
import type { KubeObject } from '../../api/resource.js';
import { alreadyExists, badRequest, conflict, notFound, resourceExpired } from '../../api/status.js';
import { type Clock, systemClock } from '../clock.js';
import type {
  CreateOptions,
  DeleteCollectionOptions,
  DeleteOptions,
  KubeClient,
  ObjectList,
  PatchType,
  ResourceRef,
  StatusSuccess,
  UpdateOptions,
  Watch,
  WatchEvent,
  WatchOptions,
} from '../types.js';

interface Stored {
  readonly ref: ResourceRef;
  readonly object: KubeObject;
}

interface Change {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly ref: ResourceRef;
  readonly object: KubeObject;
  readonly revision: number;
}

export interface MemoryClientOptions {
  readonly clock?: Clock;
  /** Changes kept for watches that resume from a resourceVersion; older ones answer 410. Default 1000. */
  readonly historyLimit?: number;
}

export class MemoryClient implements KubeClient {
  readonly #clock: Clock;
  readonly #historyLimit: number;
  readonly #objects = new Map<string, Stored>();
  #history: Change[] = [];
  /** The oldest revision a watch may resume from. */
  #historyStart = 0;
  #revision = 0;
  #uids = 0;
  readonly #watchers = new Set<MemoryWatch>();

  constructor(options: MemoryClientOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#historyLimit = options.historyLimit ?? 1000;
  }

  /** The latest resourceVersion, as a number. */
  get revision(): number {
    return this.#revision;
  }

  async get<T extends KubeObject = KubeObject>(ref: ResourceRef, name: string): Promise<T> {
    const stored = this.#objects.get(keyOf(ref, name));
    if (!stored) throw notFound(qualified(ref), name);
    return copy(stored.object) as T;
  }

  async list<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    options: { labelSelector?: string; fieldSelector?: string } = {},
  ): Promise<ObjectList<T>> {
    const matches = matcher(ref, options);
    const items = [...this.#objects.values()]
      .filter((stored) => matches(stored.ref, stored.object))
      .map((stored) => copy(stored.object) as T)
      .sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
    return { items, metadata: { resourceVersion: String(this.#revision) } };
  }

  async watch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    options: WatchOptions = {},
  ): Promise<Watch<T>> {
    const matches = matcher(ref, options);
    const from = options.resourceVersion ? Number(options.resourceVersion) : undefined;
    if (from !== undefined && from < this.#historyStart) {
      throw resourceExpired(`too old resource version: ${from} (${this.#historyStart})`);
    }
    const watch = new MemoryWatch(matches, () => this.#watchers.delete(watch));
    if (from === undefined) {
      for (const stored of this.#objects.values()) {
        if (matches(stored.ref, stored.object)) watch.push({ type: 'ADDED', object: copy(stored.object) });
      }
    } else {
      for (const change of this.#history) if (change.revision > from) watch.offer(change);
    }
    options.signal?.addEventListener('abort', () => watch.close(), { once: true });
    this.#watchers.add(watch);
    return watch as unknown as Watch<T>;
  }

  async create<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    object: NoInfer<T>,
    options: CreateOptions = {},
  ): Promise<T> {
    if (options.subresource !== undefined) {
      throw badRequest(`the memory client does not create ${options.subresource} subresources`);
    }
    const metadata = { ...object.metadata };
    const namespace = ref.namespace ?? metadata.namespace;
    const target = namespace === undefined ? ref : { ...ref, namespace };
    if (!metadata.name && metadata.generateName) {
      metadata.name = `${metadata.generateName}${(++this.#uids).toString(36).padStart(5, '0')}`;
    }
    if (!metadata.name) throw badRequest('name or generateName is required');
    const key = keyOf(target, metadata.name);
    if (this.#objects.has(key)) throw alreadyExists(qualified(ref), metadata.name);
    if (options.dryRun) return copy({ ...object, metadata }) as T;
    const stored: KubeObject = {
      ...copy(object),
      metadata: {
        ...copy(metadata),
        ...(namespace !== undefined ? { namespace } : {}),
        uid: `00000000-0000-4000-8000-${(++this.#uids).toString(16).padStart(12, '0')}`,
        resourceVersion: String(++this.#revision),
        creationTimestamp: `${new Date(this.#clock.now()).toISOString().slice(0, 19)}Z`,
      },
    };
    this.#objects.set(key, { ref: target, object: stored });
    this.#record('ADDED', target, stored);
    return copy(stored) as T;
  }

  async update<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    object: NoInfer<T>,
    options: UpdateOptions = {},
  ): Promise<T> {
    const name = object.metadata?.name ?? '';
    const target =
      ref.namespace === undefined && object.metadata?.namespace
        ? { ...ref, namespace: object.metadata.namespace }
        : ref;
    return this.#replace(
      target,
      name,
      object.metadata?.resourceVersion,
      () => copy(object),
      options.dryRun,
    ) as Promise<T>;
  }

  async patch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    name: string,
    patchType: PatchType,
    patch: unknown,
    options: { dryRun?: boolean } = {},
  ): Promise<T> {
    if (patchType !== 'merge' && patchType !== 'strategic') {
      throw badRequest(`the memory client applies merge patches only, not ${patchType}`);
    }
    const wanted = (patch as KubeObject | undefined)?.metadata?.resourceVersion;
    return this.#replace(
      ref,
      name,
      typeof wanted === 'string' ? wanted : undefined,
      (current) => mergePatch(current, patch) as KubeObject,
      options.dryRun,
    ) as Promise<T>;
  }

  async delete<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    name: string,
    options: DeleteOptions = {},
  ): Promise<T | StatusSuccess> {
    const key = keyOf(ref, name);
    const stored = this.#objects.get(key);
    if (!stored) throw notFound(qualified(ref), name);
    const { uid, resourceVersion } = options.preconditions ?? {};
    const meta = stored.object.metadata ?? {};
    if (
      (uid !== undefined && uid !== meta.uid) ||
      (resourceVersion !== undefined && resourceVersion !== meta.resourceVersion)
    ) {
      throw conflict(qualified(ref), name, 'the precondition for the delete did not hold');
    }
    if (!options.dryRun) {
      this.#objects.delete(key);
      const last = { ...stored.object, metadata: { ...meta, resourceVersion: String(++this.#revision) } };
      this.#record('DELETED', stored.ref, last);
    }
    return {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Success',
      details: { name, group: ref.group, kind: ref.resource, ...(meta.uid ? { uid: meta.uid } : {}) },
    };
  }

  async deleteCollection<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    options: DeleteCollectionOptions = {},
  ): Promise<ObjectList<T>> {
    const listed = await this.list<T>(ref, options);
    for (const item of listed.items) {
      await this.delete({ ...ref, namespace: item.metadata?.namespace }, item.metadata!.name!, options);
    }
    return listed;
  }

  /** Ends every watch, as a server going away would. */
  endWatches(): void {
    for (const watch of [...this.#watchers]) watch.close();
  }

  async #replace(
    ref: ResourceRef,
    name: string,
    wantedVersion: string | undefined,
    change: (current: KubeObject) => KubeObject,
    dryRun: boolean | undefined,
  ): Promise<KubeObject> {
    const key = keyOf(ref, name);
    const stored = this.#objects.get(key);
    if (!stored) throw notFound(qualified(ref), name);
    const current = stored.object;
    if (wantedVersion !== undefined && wantedVersion !== current.metadata?.resourceVersion) {
      throw conflict(
        qualified(ref),
        name,
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    const next = change(copy(current));
    const updated: KubeObject = {
      ...next,
      metadata: {
        ...next.metadata,
        name,
        uid: current.metadata?.uid,
        creationTimestamp: current.metadata?.creationTimestamp,
        ...(stored.ref.namespace !== undefined ? { namespace: stored.ref.namespace } : {}),
        resourceVersion: dryRun ? current.metadata?.resourceVersion : String(this.#revision + 1),
      },
    };
    if (dryRun) return copy(updated);
    this.#revision++;
    this.#objects.set(key, { ref: stored.ref, object: updated });
    this.#record('MODIFIED', stored.ref, updated);
    return copy(updated);
  }

  #record(type: Change['type'], ref: ResourceRef, object: KubeObject): void {
    const change: Change = { type, ref, object, revision: this.#revision };
    this.#history.push(change);
    if (this.#history.length > this.#historyLimit) {
      const dropped = this.#history.splice(0, this.#history.length - this.#historyLimit);
      this.#historyStart = dropped[dropped.length - 1]!.revision;
    }
    for (const watch of this.#watchers) watch.offer(change);
  }
}

type Matcher = (ref: ResourceRef, object: KubeObject) => boolean;

function matcher(ref: ResourceRef, options: { labelSelector?: string; fieldSelector?: string }): Matcher {
  const labels = options.labelSelector ? parseLabelSelector(options.labelSelector) : undefined;
  const fields = options.fieldSelector ? parseFieldSelector(options.fieldSelector) : undefined;
  return (storedRef, object) =>
    storedRef.group === ref.group &&
    storedRef.version === ref.version &&
    storedRef.resource === ref.resource &&
    (ref.namespace === undefined || storedRef.namespace === ref.namespace) &&
    (labels === undefined || labels.matches(object.metadata?.labels)) &&
    (fields === undefined ||
      fields.matches({
        'metadata.name': object.metadata?.name ?? '',
        'metadata.namespace': object.metadata?.namespace ?? '',
      }));
}

/** A watch fed by the client: events queue until the reader takes them. */
class MemoryWatch implements Watch {
  readonly #matches: Matcher;
  readonly #onClose: () => void;
  readonly #queue: WatchEvent[] = [];
  #wake: (() => void) | undefined;
  #closed = false;

  constructor(matches: Matcher, onClose: () => void) {
    this.#matches = matches;
    this.#onClose = onClose;
  }

  offer(change: Change): void {
    if (this.#matches(change.ref, change.object))
      this.push({ type: change.type, object: copy(change.object) });
  }

  push(event: WatchEvent): void {
    if (this.#closed) return;
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
    try {
      for (;;) {
        const event = this.#queue.shift();
        if (event) {
          yield event;
          continue;
        }
        if (this.#closed) return;
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        this.#wake = undefined;
      }
    } finally {
      this.close();
    }
  }
}

function keyOf(ref: ResourceRef, name: string): string {
  return `${ref.group}/${ref.resource}/${ref.namespace ?? ''}/${name}`;
}

function qualified(ref: ResourceRef): { group: string; resource: string } {
  return { group: ref.group, resource: ref.resource };
}

function sortKey(object: KubeObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

function copy<V>(value: V): V {
  return structuredClone(value);
}

/** RFC 7386: objects merge member by member, null deletes, anything else replaces. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}
