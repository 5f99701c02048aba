import { type StoreError, watchTooSlow } from './errors.js';
import type { WatchMessage } from './types.js';

export interface WatchStreamOptions {
  /** Live messages that may wait unread; one more closes the stream with SKIFF_ERR_WATCH_TOO_SLOW. */
  readonly maxBuffered: number;
  /** Asks the backend for a progress event; the backend answers by pushing one, in order. */
  readonly requestProgress: () => void;
  /** Idle time after which the stream asks for progress by itself (0: never). */
  readonly progressIntervalMs: number;
  /** Called once when the stream ends for any reason, so the backend can forget it. */
  readonly onEnd: () => void;
}

export const DEFAULT_MAX_BUFFERED = 10_000;

/**
 * One watcher's queue: the backend pushes, the consumer pulls with `for await`.
 *
 * A writer never waits here: `push` appends and returns. Replayed history is queued first and does not
 * count against `maxBuffered`, so a watcher can start far back; only live messages the consumer leaves
 * unread count. When they exceed the bound the stream fails with SKIFF_ERR_WATCH_TOO_SLOW, and the
 * consumer resumes with a new watch from the last revision it saw.
 *
 * The queue is an array with a read index (`head`); consumed slots are dropped in bulk, not one by one.
 */
export class WatchStream implements AsyncIterable<WatchMessage> {
  readonly #options: WatchStreamOptions;
  #queue: WatchMessage[] = [];
  #head = 0;
  /** Index in #queue where live messages start; everything before it is replayed history. */
  #liveStart = 0;
  #waiter:
    | { resolve: (result: IteratorResult<WatchMessage>) => void; reject: (error: StoreError) => void }
    | undefined;
  #error: StoreError | undefined;
  #ended = false;
  #lastPushAt = Date.now();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: WatchStreamOptions) {
    this.#options = options;
    if (options.progressIntervalMs > 0) {
      this.#timer = setInterval(() => {
        if (Date.now() - this.#lastPushAt >= options.progressIntervalMs) options.requestProgress();
      }, options.progressIntervalMs);
      this.#timer.unref();
    }
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Queues history that precedes every live message; not bounded. */
  replay(messages: readonly WatchMessage[]): void {
    if (this.#ended || messages.length === 0) return;
    for (const message of messages) this.#queue.push(message);
    this.#liveStart = this.#queue.length;
    this.#settle();
  }

  /** Queues a live message. Returns false when the stream has ended (the caller may forget it). */
  push(message: WatchMessage): boolean {
    if (this.#ended) return false;
    this.#lastPushAt = Date.now();
    const unreadLive = this.#queue.length - Math.max(this.#head, this.#liveStart);
    if (unreadLive >= this.#options.maxBuffered) {
      this.fail(watchTooSlow(unreadLive + 1));
      return false;
    }
    this.#queue.push(message);
    this.#settle();
    return true;
  }

  /** Asks for a progress event (etcd's WatchProgressRequest). */
  requestProgress(): void {
    if (!this.#ended) this.#options.requestProgress();
  }

  /** Ends the stream with an error: queued messages are dropped and the consumer's next read throws. */
  fail(error: StoreError): void {
    if (this.#ended) return;
    this.#error = error;
    this.#queue = [];
    this.#head = 0;
    this.#liveStart = 0;
    this.#end();
  }

  /** Ends the stream normally; the consumer reads what is queued, then the iteration finishes. */
  close(): void {
    if (!this.#ended) this.#end();
  }

  next(): Promise<IteratorResult<WatchMessage>> {
    if (this.#waiter) return Promise.reject(new Error('a WatchStream has one reader at a time'));
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
      this.#settle();
    });
  }

  return(): Promise<IteratorResult<WatchMessage>> {
    this.#queue = [];
    this.#head = 0;
    this.#liveStart = 0;
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchMessage> {
    return this;
  }

  /** Hands the waiting reader the next message, the error, or the end, if there is one to give. */
  #settle(): void {
    const waiter = this.#waiter;
    if (!waiter) return;
    if (this.#head < this.#queue.length) {
      this.#waiter = undefined;
      const value = this.#queue[this.#head++]!;
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#liveStart = Math.max(0, this.#liveStart - this.#head);
        this.#head = 0;
      }
      waiter.resolve({ value, done: false });
    } else if (this.#error) {
      this.#waiter = undefined;
      waiter.reject(this.#error);
    } else if (this.#ended) {
      this.#waiter = undefined;
      waiter.resolve({ value: undefined, done: true });
    }
  }

  #end(): void {
    this.#ended = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#options.onEnd();
    this.#settle();
  }
}
