import { type Clock, systemClock } from '../client/clock.js';
import type { InformerFactory } from '../client/informer-factory.js';
import type { KubeClient } from '../client/types.js';
import { WorkQueue } from '../client/work-queue.js';

/**
 * What every controller is made of, in the manner of kube-controller-manager: informers (shared through
 * one factory) whose handlers only compute a key and enqueue it, a work queue, and workers that call a
 * level-triggered `reconcile(key)` — which re-reads the world from the informers' caches and never trusts
 * the event that woke it.
 */
export interface ControllerContext {
  /** The only way a controller reaches the cluster: the API, as any client. */
  readonly client: KubeClient;
  /** Shared informers: two controllers watching pods share one watch and one cache. */
  readonly informers: InformerFactory;
  readonly clock: Clock;
  /** Reports a failure a controller cannot hand back to anyone (a reconcile that keeps failing). */
  readonly onError: (controller: string, key: string, error: unknown) => void;
}

export interface Controller {
  readonly name: string;
  /** Runs until `signal` aborts; informers have synced before it is called. */
  run(signal: AbortSignal): Promise<void>;
}

/** Makes a controller: registers its informers and handlers on `context.informers`, starts nothing. */
export type ControllerFactory = (context: ControllerContext) => Controller;

/** What a reconcile may ask for besides success: to be looked at again after a while (polling). */
export interface ReconcileResult {
  readonly requeueAfterMs?: number;
}

/** A failure retrying cannot fix; the key is dropped until something changes and enqueues it again. */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';
}

export interface QueueControllerOptions {
  readonly name: string;
  readonly context: ControllerContext;
  readonly reconcile: (key: string) => Promise<ReconcileResult | undefined>;
  /** Workers processing keys at once (a key is never processed by two at a time). */
  readonly workers?: number;
}

/**
 * The usual controller: a queue of `namespace/name` keys and workers. Success forgets the key's
 * backoff; an error retries it with per-key exponential backoff (the queue's rate limiter); a
 * TerminalError drops it; `requeueAfterMs` polls.
 */
export class QueueController implements Controller {
  readonly name: string;
  readonly queue: WorkQueue<string>;
  readonly #options: QueueControllerOptions;

  constructor(options: QueueControllerOptions) {
    this.name = options.name;
    this.#options = options;
    this.queue = new WorkQueue<string>({ clock: options.context.clock ?? systemClock });
  }

  enqueue = (key: string): void => {
    this.queue.add(key);
  };

  async run(signal: AbortSignal): Promise<void> {
    const stop = () => this.queue.shutDown();
    if (signal.aborted) stop();
    signal.addEventListener('abort', stop, { once: true });
    const workers = Array.from({ length: this.#options.workers ?? 2 }, () => this.#work());
    await Promise.all(workers);
  }

  async #work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        const result = await this.#options.reconcile(key);
        this.queue.forget(key);
        if (result?.requeueAfterMs !== undefined) this.queue.addAfter(key, result.requeueAfterMs);
      } catch (error) {
        this.#options.context.onError(this.name, key, error);
        if (error instanceof TerminalError) this.queue.forget(key);
        else this.queue.addRateLimited(key);
      } finally {
        this.queue.done(key);
      }
    }
  }
}
