import type { KubeObject } from '../../api/resource.js';
import type { Clock } from '../clock.js';
import type {
  CreateOptions,
  DeleteCollectionOptions,
  DeleteOptions,
  KubeClient,
  ListOptions,
  ObjectList,
  PatchOptions,
  PatchType,
  ResourceRef,
  StatusSuccess,
  UpdateOptions,
  Watch,
  WatchOptions,
} from '../types.js';
import type { MemoryClient } from './memory-client.js';

/** One write the controller made: `deletecollection pods -n doomed`, `update namespaces/doomed/finalize`. */
export interface Write {
  readonly summary: string;
  readonly body?: unknown;
}

/**
 * The memory client, recording every write in order, with the API's deletion terms the memory client
 * lacks: an object with finalizers, or a pod bound to a node, is only marked (deletionTimestamp) by a
 * delete, and stays until its finalizers go or the test removes it. `failures` make chosen writes fail.
 */
export class RecordingClient implements KubeClient {
  readonly writes: Write[] = [];
  /** Each matching write fails with the error once, in order. */
  readonly failures: { summary: string; error: unknown }[] = [];
  readonly #inner: MemoryClient;
  /** With a clock, deletes follow the API's deletion terms; without, they go straight through. */
  readonly #clock: Clock | undefined;

  constructor(inner: MemoryClient, clock?: Clock) {
    this.#inner = inner;
    this.#clock = clock;
  }

  get<T extends KubeObject = KubeObject>(ref: ResourceRef, name: string): Promise<T> {
    return this.#inner.get<T>(ref, name);
  }

  list<T extends KubeObject = KubeObject>(ref: ResourceRef, options?: ListOptions): Promise<ObjectList<T>> {
    return this.#inner.list<T>(ref, options);
  }

  watch<T extends KubeObject = KubeObject>(ref: ResourceRef, options?: WatchOptions): Promise<Watch<T>> {
    return this.#inner.watch<T>(ref, options);
  }

  async create<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    object: NoInfer<T>,
    options?: CreateOptions,
  ): Promise<T> {
    this.#record(`create ${target(ref, object.metadata?.name)}`, object);
    return this.#inner.create<T>(ref, object, options);
  }

  async update<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    object: NoInfer<T>,
    options?: UpdateOptions,
  ): Promise<T> {
    this.#record(`update ${target(ref, object.metadata?.name, options?.subresource)}`, object);
    return this.#inner.update<T>(ref, object, options);
  }

  async patch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    name: string,
    patchType: PatchType,
    patch: unknown,
    options?: PatchOptions,
  ): Promise<T> {
    this.#record(`patch ${target(ref, name, options?.subresource)}`, patch);
    return this.#inner.patch<T>(ref, name, patchType, patch, options);
  }

  async delete<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    name: string,
    options?: DeleteOptions,
  ): Promise<T | StatusSuccess> {
    this.#record(`delete ${target(ref, name)}`, options);
    return this.#delete<T>(ref, name);
  }

  async deleteCollection<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    options?: DeleteCollectionOptions,
  ): Promise<ObjectList<T>> {
    this.#record(`deletecollection ${target(ref)}`, options);
    const listed = await this.#inner.list<T>(ref);
    for (const item of listed.items) await this.#delete(ref, item.metadata!.name!);
    return listed;
  }

  async #delete<T extends KubeObject>(ref: ResourceRef, name: string): Promise<T | StatusSuccess> {
    if (!this.#clock) return this.#inner.delete<T>(ref, name);
    const current = await this.#inner.get<T>(ref, name);
    const meta = current.metadata ?? {};
    const held =
      (meta.finalizers ?? []).length > 0 ||
      (ref.resource === 'pods' && Boolean((current.spec as { nodeName?: string } | undefined)?.nodeName));
    if (!held) return this.#inner.delete<T>(ref, name);
    if (meta.deletionTimestamp) return current;
    const deletionTimestamp = `${new Date(this.#clock.now()).toISOString().slice(0, 19)}Z`;
    return this.#inner.update<T>(ref, { ...current, metadata: { ...meta, deletionTimestamp } });
  }

  #record(summary: string, body: unknown): void {
    this.writes.push({ summary, body: structuredClone(body) });
    const failure = this.failures.findIndex((candidate) => candidate.summary === summary);
    if (failure >= 0) throw this.failures.splice(failure, 1)[0]!.error;
  }
}

export function target(ref: ResourceRef, name?: string, subresource?: string): string {
  const resource = ref.group === '' ? ref.resource : `${ref.resource}.${ref.group}`;
  const path = [resource, name, subresource].filter(Boolean).join('/');
  return ref.namespace === undefined ? path : `${path} -n ${ref.namespace}`;
}
