/**
 * One informer per resource (and selector), shared by every controller that asks for it — so the pods
 * are listed and watched once however many controllers look at pods (client-go's
 * SharedInformerFactory).
 *
 *   const informers = new InformerFactory({ client });
 *   const pods = informers.informerFor(refFor('Pod'));        // the same object for every caller
 *   pods.addEventHandler({ onAdd: … });
 *   informers.start();
 *   await informers.waitForSync();
 *   …
 *   await informers.stop();
 *
 * Informers asked for after `start()` start at once. Indexers are fixed when an informer is first made:
 * a later caller's `indexers` for the same resource are ignored, so name custom indexes consistently.
 */
import type { KubeObject } from '../api/resource.js';
import type { Clock } from './clock.js';
import { ClientError } from './errors.js';
import type { IndexFunction } from './indexed-store.js';
import { Informer } from './informer.js';
import type { ListerWatcher, ResourceRef } from './types.js';

export interface InformerFactoryOptions {
  readonly client: ListerWatcher;
  /** For every informer made here; 0 or unset: no resync. */
  readonly resyncPeriodMs?: number;
  readonly clock?: Clock;
  readonly onError?: (error: unknown) => void;
}

export interface InformerRequest<T extends KubeObject> {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly indexers?: Readonly<Record<string, IndexFunction<T>>>;
}

export class InformerFactory {
  readonly #options: InformerFactoryOptions;
  readonly #informers = new Map<string, Informer<KubeObject>>();
  #started = false;
  #stopped = false;

  constructor(options: InformerFactoryOptions) {
    this.#options = options;
  }

  informerFor<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    request: InformerRequest<T> = {},
  ): Informer<T> {
    if (this.#stopped) throw new ClientError('SKIFF_ERR_SHUT_DOWN', 'the informer factory has stopped');
    const key = [
      ref.group,
      ref.version,
      ref.resource,
      ref.namespace ?? '',
      request.labelSelector ?? '',
      request.fieldSelector ?? '',
    ].join('|');
    let informer = this.#informers.get(key) as Informer<T> | undefined;
    if (!informer) {
      const { client, resyncPeriodMs, clock, onError } = this.#options;
      informer = new Informer<T>({
        client,
        ref,
        ...(request.labelSelector !== undefined ? { labelSelector: request.labelSelector } : {}),
        ...(request.fieldSelector !== undefined ? { fieldSelector: request.fieldSelector } : {}),
        ...(request.indexers !== undefined ? { indexers: request.indexers } : {}),
        ...(resyncPeriodMs !== undefined ? { resyncPeriodMs } : {}),
        ...(clock !== undefined ? { clock } : {}),
        ...(onError !== undefined ? { onError } : {}),
      });
      this.#informers.set(key, informer as unknown as Informer<KubeObject>);
      if (this.#started) informer.start();
    }
    return informer;
  }

  start(): void {
    if (this.#stopped) throw new ClientError('SKIFF_ERR_SHUT_DOWN', 'the informer factory has stopped');
    this.#started = true;
    for (const informer of this.#informers.values()) informer.start();
  }

  /** Resolves true once every informer made so far has synced; false if one stopped (or `signal` aborted) first. */
  async waitForSync(signal?: AbortSignal): Promise<boolean> {
    const results = await Promise.all(
      [...this.#informers.values()].map((informer) => informer.waitForSync(signal)),
    );
    return results.every(Boolean);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all([...this.#informers.values()].map((informer) => informer.stop()));
  }
}
