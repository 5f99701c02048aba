/**
 * The memory client with what the scheduler needs of the API beyond it: `pods/binding` (sets
 * spec.nodeName and PodScheduled=True, refuses a pod already bound, 409, as the API server does), and
 * a record of every write, in order, as `verb resource/name[/subresource]`.
 */
import type { KubeObject } from '../../api/resource.js';
import { conflict } from '../../api/status.js';
import type { MemoryClient } from '../../client/testing/memory-client.js';
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
} from '../../client/types.js';

export interface SchedulerWrite {
  readonly summary: string;
  readonly body: unknown;
}

export class BindingClient implements KubeClient {
  readonly writes: SchedulerWrite[] = [];
  readonly #inner: MemoryClient;

  constructor(inner: MemoryClient) {
    this.#inner = inner;
  }

  /** The writes' summaries, without events (whose names carry timestamps). */
  summaries(): string[] {
    return this.writes.map((write) => write.summary).filter((summary) => !summary.includes(' events/'));
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
    const name = object.metadata?.name ?? '';
    this.#record('create', ref, name, options?.subresource, object);
    if (options?.subresource !== 'binding') return this.#inner.create<T>(ref, object, options);
    const current = await this.#inner.get<
      KubeObject & { spec?: { nodeName?: string }; status?: Record<string, unknown> }
    >(ref, name);
    if (current.spec?.nodeName) {
      throw conflict(
        { group: '', resource: 'pods' },
        name,
        `pod ${name} is already assigned to node "${current.spec.nodeName}"`,
      );
    }
    const target = (object as { target?: { name?: string } }).target?.name;
    const conditions = ((current.status?.conditions as { type: string }[] | undefined) ?? []).filter(
      (condition) => condition.type !== 'PodScheduled',
    );
    await this.#inner.update(ref, {
      ...current,
      spec: { ...current.spec, nodeName: target },
      status: { ...current.status, conditions: [...conditions, { type: 'PodScheduled', status: 'True' }] },
    });
    return { kind: 'Status', apiVersion: 'v1', status: 'Success' } as unknown as T;
  }

  update<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    object: NoInfer<T>,
    options?: UpdateOptions,
  ): Promise<T> {
    this.#record('update', ref, object.metadata?.name ?? '', options?.subresource, object);
    return this.#inner.update<T>(ref, object, options);
  }

  patch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    name: string,
    patchType: PatchType,
    patch: unknown,
    options?: PatchOptions,
  ): Promise<T> {
    this.#record('patch', ref, name, options?.subresource, patch);
    return this.#inner.patch<T>(ref, name, patchType, patch, options);
  }

  delete<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    name: string,
    options?: DeleteOptions,
  ): Promise<T | StatusSuccess> {
    this.#record('delete', ref, name, undefined, options);
    return this.#inner.delete<T>(ref, name, options);
  }

  deleteCollection<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    options?: DeleteCollectionOptions,
  ): Promise<ObjectList<T>> {
    this.#record('deletecollection', ref, '', undefined, options);
    return this.#inner.deleteCollection<T>(ref, options);
  }

  #record(
    verb: string,
    ref: ResourceRef,
    name: string,
    subresource: string | undefined,
    body: unknown,
  ): void {
    const path = [ref.resource, name, subresource].filter(Boolean).join('/');
    this.writes.push({ summary: `${verb} ${path}`, body: structuredClone(body) });
  }
}
