/**
 * The scheduler's events (Scheduled, FailedScheduling, Preempted) through several EventRecorders at
 * once. One recorder writes its events one at a time; at a thousand binds a second, each a Scheduled
 * event, one writer falls behind and its bounded queue starts dropping. Events about one object always
 * go to the same recorder (chosen by the object's uid), so their order and the recorder's counting of
 * repeats ("FailedScheduling (x3)") are kept.
 */
import type { KubeObject } from '../api/resource.js';
import type { Clock } from '../client/clock.js';
import { EventRecorder } from '../client/event-recorder.js';
import type { KubeWriter } from '../client/types.js';
import type { EventSink } from './framework/interfaces.js';

export interface ShardedEventSinkOptions {
  readonly client: Pick<KubeWriter, 'create' | 'patch'>;
  /** source.component: the profile's schedulerName, as kube-scheduler reports it. */
  readonly component: string;
  readonly clock: Clock;
  readonly onError: (error: unknown) => void;
  /** Writers in parallel; default 16. */
  readonly shards?: number;
}

export class ShardedEventSink implements EventSink {
  readonly #recorders: EventRecorder[];

  constructor(options: ShardedEventSinkOptions) {
    this.#recorders = Array.from(
      { length: options.shards ?? 16 },
      () =>
        new EventRecorder({
          client: options.client,
          component: options.component,
          clock: options.clock,
          onError: options.onError,
        }),
    );
  }

  event(object: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.#recorders[
      shardOf(object.metadata?.uid ?? object.metadata?.name ?? '', this.#recorders.length)
    ]!.event(object, type, reason, message);
  }

  async flush(): Promise<void> {
    await Promise.all(this.#recorders.map((recorder) => recorder.flush()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.#recorders.map((recorder) => recorder.stop()));
  }
}

/** FNV-1a of the text, modulo `shards`. */
function shardOf(text: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}
