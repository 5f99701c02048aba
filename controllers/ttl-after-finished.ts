/**
 * The TTL-after-finished controller, as kube-controller-manager's (pkg/controller/ttlafterfinished):
 * a finished Job with `spec.ttlSecondsAfterFinished` is deleted that many seconds after it finished
 * (its Complete or Failed condition's lastTransitionTime), its pods with it (Foreground).
 *
 *   finished 12:00:00, ttl 100   →  looked at again at 12:01:40, then deleted
 *
 * Before deleting, the Job is read again from the API, not the cache: a TTL changed meanwhile (or a
 * Job made again under the name) must not be acted on from a stale copy. The delete carries the uid
 * as a precondition for the same reason.
 */
import { isStatusError } from '../api/status.js';
import type { Clock } from '../client/clock.js';
import { objectKey, splitKey } from '../client/indexed-store.js';
import type { Informer } from '../client/informer.js';
import { refFor } from '../client/refs.js';
import type { KubeClient } from '../client/types.js';
import type { WorkQueue } from '../client/work-queue.js';
import {
  type Controller,
  type ControllerContext,
  type ControllerFactory,
  QueueController,
  type ReconcileResult,
} from './framework.js';
import { finishedCondition, type Job, jobKind } from './job/types.js';
import { timeOf } from './pods.js';

/** The longest wait handed to the queue (a timer cannot wait 2^31 ms); a later expiry is waited for again. */
const MAX_REQUEUE_MS = 24 * 3_600_000;

export interface TtlAfterFinishedControllerOptions {
  readonly context: ControllerContext;
  readonly workers?: number;
}

export class TtlAfterFinishedController implements Controller {
  readonly name = 'ttl-after-finished-controller';
  readonly #client: KubeClient;
  readonly #clock: Clock;
  readonly #jobs: Informer<Job>;
  readonly #queue: QueueController;

  constructor(options: TtlAfterFinishedControllerOptions) {
    const { context } = options;
    this.#client = context.client;
    this.#clock = context.clock;
    this.#queue = new QueueController({
      name: this.name,
      context,
      reconcile: (key) => this.reconcile(key),
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
    });
    this.#jobs = context.informers.informerFor<Job>(refFor(jobKind));
    const enqueue = (job: Job) => {
      if (!job.metadata?.deletionTimestamp && needsCleanup(job)) this.#queue.enqueue(objectKey(job));
    };
    this.#jobs.addEventHandler({ onAdd: enqueue, onUpdate: (_old, job) => enqueue(job) });
  }

  get queue(): WorkQueue<string> {
    return this.#queue.queue;
  }

  run(signal: AbortSignal): Promise<void> {
    return this.#queue.run(signal);
  }

  /** Deletes the Job if its time is up, else asks to be looked at when it will be. */
  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const { namespace, name } = splitKey(key);
    const cached = this.#jobs.store.getByName(namespace, name);
    if (!cached) return undefined;
    const cachedLeft = this.#timeLeft(cached);
    if (cachedLeft === undefined) return undefined;
    if (cachedLeft > 0) return { requeueAfterMs: Math.min(MAX_REQUEUE_MS, cachedLeft) };
    // The cache says it expired; the API has the last word.
    const ref = refFor(jobKind, namespace);
    let fresh: Job;
    try {
      fresh = await this.#client.get<Job>(ref, name);
    } catch (error) {
      if (isStatusError(error, 'NotFound')) return undefined;
      throw error;
    }
    const left = this.#timeLeft(fresh);
    if (left === undefined) return undefined;
    if (left > 0) return { requeueAfterMs: Math.min(MAX_REQUEUE_MS, left) };
    try {
      await this.#client.delete(ref, name, {
        propagationPolicy: 'Foreground',
        preconditions: { uid: fresh.metadata?.uid ?? '' },
      });
    } catch (error) {
      // Gone already, or another Job under the name now.
      if (isStatusError(error, 'NotFound') || isStatusError(error, 'Conflict')) return undefined;
      throw error;
    }
    return undefined;
  }

  /** Milliseconds until the Job expires (≤ 0: expired), or undefined when it is not to be cleaned up. */
  #timeLeft(job: Job): number | undefined {
    if (job.metadata?.deletionTimestamp || !needsCleanup(job)) return undefined;
    const finishedAt = timeOf(finishedCondition(job)?.lastTransitionTime);
    // A finished Job without a finish time cannot be timed; upstream reports it and leaves it.
    if (finishedAt === 0) return undefined;
    // A finish in the future (clock skew) simply waits longer.
    return finishedAt + (job.spec?.ttlSecondsAfterFinished ?? 0) * 1000 - this.#clock.now();
  }
}

function needsCleanup(job: Job): boolean {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  return ttl !== undefined && ttl !== null && finishedCondition(job) !== undefined;
}

/** kube-controller-manager's TTL-after-finished controller. */
export const ttlAfterFinishedController: ControllerFactory = (context) =>
  new TtlAfterFinishedController({ context });
