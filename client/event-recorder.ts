/**
 * Records core/v1 Events about objects, the way client-go's record package does for controllers
 * (`recorder.Event(pod, 'Warning', 'FailedCreate', message)`), so `kubectl describe` and `kubectl get
 * events` show what the controllers did.
 *
 *   const recorder = new EventRecorder({ client, component: 'replicaset-controller', clock });
 *   recorder.event(replicaSet, 'Normal', 'SuccessfulCreate', 'Created pod: web-x7k2p');
 *
 * `event` returns at once and never throws: recording is a side channel, and failing to record must not
 * fail the caller. Events are written in the order recorded, one at a time (client-go's single sink
 * goroutine); `flush()` resolves once everything recorded so far has been written or given up.
 *
 * Each event is named `<involved object's name>.<nanoseconds since the epoch, in hex>` (a UUID when that
 * is not a valid name), in the involved object's namespace (`default` for cluster-scoped objects).
 *
 * Repeats are counted, not multiplied (client-go's event correlator, in its simple form): an event
 * identical to one written within `correlationWindowMs` (same source, involved object, type, reason and
 * message) bumps that Event's count with a strategic merge patch of {count, lastTimestamp, message}:
 *
 *   event(pod, 'Warning', 'BackOff', 'Back-off restarting')  → POST   events web.1812c3a1f0a4e000 (count 1)
 *   event(pod, 'Warning', 'BackOff', 'Back-off restarting')  → PATCH  events web.1812c3a1f0a4e000 {count: 2, …}
 *
 * If the Event has gone meanwhile (events expire), the patch's 404 turns into a create of the same name
 * with the bumped count, as upstream does. Upstream's message aggregation ("combined from similar
 * events") and per-object spam filter are left out.
 *
 * Failures: a StatusError is not retried (AlreadyExists and a terminating namespace silently, the rest
 * reported to `onError`); any other failure (a broken connection) is retried up to 12 times,
 * `retryDelayMs` apart (the first wait randomised), as upstream. At most 1000 events wait to be written;
 * more are dropped and reported.
 */
import { randomUUID } from 'node:crypto';
import { isDNS1123Subdomain } from '../api/names.js';
import type { KubeObject } from '../api/resource.js';
import { isStatusError, type StatusError } from '../api/status.js';
import { type Clock, formatTime, sleep, systemClock } from './clock.js';
import { refFor } from './refs.js';
import type { KubeWriter } from './types.js';

export type EventType = 'Normal' | 'Warning';

/** What an event is about (core/v1 ObjectReference); empty members are left out as Go omits them. */
export interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

export interface CoreEvent extends KubeObject {
  involvedObject: ObjectReference;
  reason: string;
  message: string;
  source: { component: string; host?: string };
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
  type: EventType;
  reportingComponent: string;
  reportingInstance: string;
}

export interface EventRecorderOptions {
  /** Only creates and patches are needed. */
  readonly client: Pick<KubeWriter, 'create' | 'patch'>;
  /** source.component and reportingComponent: `namespace-controller`. */
  readonly component: string;
  /** source.host and reportingInstance; usually left out by controllers. */
  readonly host?: string;
  readonly clock?: Clock;
  /** An identical event within this long of the last one bumps its count. Default 10 minutes. */
  readonly correlationWindowMs?: number;
  /** Between retries of a write that failed without an answer from the API. Default 10 s. */
  readonly retryDelayMs?: number;
  /** Failures to record (never thrown to the caller). Default: console.error. */
  readonly onError?: (error: unknown, event: CoreEvent | undefined) => void;
}

const maxTriesPerEvent = 12;
const maxQueuedEvents = 1000;
/** Identical-event records kept (client-go's maxLruCacheEntries); the least recently seen go first. */
const maxCorrelationEntries = 4096;

/** What the recorder remembers of the last Event written for one key. */
interface Observation {
  readonly name: string;
  readonly count: number;
  readonly firstTimestamp: string;
  /** When this event was last recorded, on the recorder's clock. */
  readonly seenAt: number;
}

export class EventRecorder {
  readonly #client: Pick<KubeWriter, 'create' | 'patch'>;
  readonly #source: { component: string; host?: string };
  readonly #clock: Clock;
  readonly #windowMs: number;
  readonly #retryDelayMs: number;
  readonly #onError: (error: unknown, event: CoreEvent | undefined) => void;
  /** Correlation records by event key, least recently used first (a Map keeps insertion order). */
  readonly #observations = new Map<string, Observation>();
  /** The writes in order: each event's write starts when the previous one has finished. */
  #tail: Promise<void> = Promise.resolve();
  #queued = 0;
  /** The last name suffix handed out, so two events in one millisecond still get distinct names. */
  #lastNanos = 0n;
  readonly #stopping = new AbortController();

  constructor(options: EventRecorderOptions) {
    if (!options.component) throw new TypeError('an event recorder needs a component');
    this.#client = options.client;
    this.#source = { component: options.component, ...(options.host ? { host: options.host } : {}) };
    this.#clock = options.clock ?? systemClock;
    this.#windowMs = options.correlationWindowMs ?? 10 * 60_000;
    this.#retryDelayMs = options.retryDelayMs ?? 10_000;
    this.#onError =
      options.onError ??
      ((error) => console.error(`event recorder: ${error instanceof Error ? error.message : String(error)}`));
  }

  /**
   * Records that `type` `reason` happened to `object` (an object with apiVersion, kind and metadata, or
   * a reference to one). Returns at once; never throws.
   */
  event(
    object: KubeObject | ObjectReference,
    type: EventType,
    reason: string,
    message: string,
    annotations?: Readonly<Record<string, string>>,
  ): void {
    try {
      if (this.#stopping.signal.aborted) return;
      if (type !== 'Normal' && type !== 'Warning') {
        throw new TypeError(`unsupported event type: ${JSON.stringify(type)}`);
      }
      const event = this.#makeEvent(referenceTo(object), type, reason, message, annotations);
      if (this.#queued >= maxQueuedEvents) {
        this.#onError(new Error('too many queued events, dropped event'), event);
        return;
      }
      this.#queued++;
      this.#tail = this.#tail.then(async () => {
        try {
          await this.#write(event);
        } catch (error) {
          this.#onError(error, event);
        } finally {
          this.#queued--;
        }
      });
    } catch (error) {
      this.#onError(error, undefined);
    }
  }

  /** Resolves once every event recorded so far has been written (or given up on). */
  flush(): Promise<void> {
    return this.#tail;
  }

  /** Records nothing new and gives up retries; resolves once the events already taken are written. */
  stop(): Promise<void> {
    this.#stopping.abort();
    return this.#tail;
  }

  #makeEvent(
    involvedObject: ObjectReference,
    type: EventType,
    reason: string,
    message: string,
    annotations: Readonly<Record<string, string>> | undefined,
  ): CoreEvent {
    const now = this.#clock.now();
    const time = formatTime(now);
    const nanos = BigInt(now) * 1_000_000n;
    this.#lastNanos = nanos > this.#lastNanos ? nanos : this.#lastNanos + 1n;
    let name = `${involvedObject.name ?? ''}.${this.#lastNanos.toString(16)}`;
    if (isDNS1123Subdomain(name).length > 0) name = randomUUID();
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: {
        name,
        namespace: involvedObject.namespace || 'default',
        ...(annotations && Object.keys(annotations).length > 0 ? { annotations: { ...annotations } } : {}),
      },
      involvedObject,
      reason,
      message,
      source: { ...this.#source },
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
      type,
      reportingComponent: this.#source.component,
      reportingInstance: this.#source.host ?? '',
    };
  }

  /** Correlates `event` with what was written before, then writes it, retrying what may succeed later. */
  async #write(recorded: CoreEvent): Promise<void> {
    const key = eventKey(recorded);
    const now = this.#clock.now();
    const previous = this.#observations.get(key);
    const repeat = previous !== undefined && now - previous.seenAt <= this.#windowMs;
    const event: CoreEvent = repeat
      ? {
          ...recorded,
          metadata: { ...recorded.metadata, name: previous.name },
          firstTimestamp: previous.firstTimestamp,
          count: previous.count + 1,
        }
      : recorded;
    // Remembered before the write, as upstream does: a repeat of an event whose write failed patches it.
    this.#observe(key, event, now);

    const namespace = event.metadata!.namespace!;
    for (let tries = 1; ; tries++) {
      try {
        const written = await this.#send(event, namespace, repeat);
        this.#observe(key, written, now);
        return;
      } catch (error) {
        if (isStatusError(error)) {
          if (!isStatusError(error, 'AlreadyExists') && !isNamespaceTerminating(error)) {
            this.#onError(error, event);
          }
          return;
        }
        if (tries >= maxTriesPerEvent) throw error;
      }
      const delay = tries === 1 ? Math.random() * this.#retryDelayMs : this.#retryDelayMs;
      await sleep(this.#clock, delay, this.#stopping.signal);
      if (this.#stopping.signal.aborted) return;
    }
  }

  async #send(event: CoreEvent, namespace: string, repeat: boolean): Promise<CoreEvent> {
    const ref = refFor('Event', namespace);
    if (repeat) {
      try {
        return await this.#client.patch<CoreEvent>(ref, event.metadata!.name!, 'strategic', {
          count: event.count,
          lastTimestamp: event.lastTimestamp,
          message: event.message,
        });
      } catch (error) {
        // The Event expired or was deleted: write it anew under the same name, count and all.
        if (!isStatusError(error, 'NotFound')) throw error;
      }
    }
    return this.#client.create<CoreEvent>(ref, event);
  }

  #observe(key: string, event: CoreEvent, seenAt: number): void {
    this.#observations.delete(key);
    this.#observations.set(key, {
      name: event.metadata?.name ?? '',
      count: event.count,
      firstTimestamp: event.firstTimestamp,
      seenAt,
    });
    if (this.#observations.size > maxCorrelationEntries) {
      const oldest = this.#observations.keys().next().value;
      if (oldest !== undefined) this.#observations.delete(oldest);
    }
  }
}

/** The reference an event carries: client-go's GetReference (kind, apiVersion, name, namespace, uid, resourceVersion). */
function referenceTo(object: KubeObject | ObjectReference): ObjectReference {
  const reference: ObjectReference = isObject(object)
    ? {
        kind: object.kind,
        namespace: object.metadata?.namespace,
        name: object.metadata?.name,
        uid: object.metadata?.uid,
        apiVersion: object.apiVersion,
        resourceVersion: object.metadata?.resourceVersion,
      }
    : object;
  if (!reference.kind || !reference.apiVersion || !reference.name) {
    throw new TypeError(
      'could not construct a reference: the object needs apiVersion, kind and metadata.name',
    );
  }
  const compact: ObjectReference = {};
  for (const field of [
    'kind',
    'namespace',
    'name',
    'uid',
    'apiVersion',
    'resourceVersion',
    'fieldPath',
  ] as const) {
    const value = reference[field];
    if (value) compact[field] = value;
  }
  return compact;
}

/** A 403 from the API's namespace lifecycle check: the namespace is going, and its events with it. */
function isNamespaceTerminating(error: StatusError): boolean {
  return (
    error.reason === 'Forbidden' &&
    (error.status.details?.causes ?? []).some((cause) => cause.reason === 'NamespaceTerminating')
  );
}

function isObject(object: KubeObject | ObjectReference): object is KubeObject {
  return typeof (object as KubeObject).metadata === 'object';
}

/** client-go's getEventKey: what makes two events the same event. */
function eventKey(event: CoreEvent): string {
  const { involvedObject: object } = event;
  return [
    event.source.component,
    event.source.host ?? '',
    object.kind,
    object.namespace,
    object.name,
    object.fieldPath,
    object.uid,
    object.apiVersion,
    event.type,
    event.reason,
    event.message,
  ]
    .map((part) => part ?? '')
    .join('\u0000');
}
