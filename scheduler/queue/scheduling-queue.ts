/**
 * The pods waiting to be scheduled, in three parts, as kube-scheduler's PriorityQueue:
 *
 *   active         ready to be tried now; a heap in QueueSort order (higher priority first, then older)
 *   backoff        failed recently; each waits out its backoff (1 s, doubling to 10 s by default) on a
 *                  heap by expiry, and moves to active when it is over
 *   unschedulable  rejected by plugins; each waits for a cluster event that one of the plugins that
 *                  rejected it registered for (a node added, a pod deleted, …) — not for a timer
 *
 *   add ──► active ──pop──► (being scheduled) ──rejected by plugins──► unschedulable
 *             ▲   ▲                │ error                                   │ matching event
 *             │   └── backoff ◄────┘                                         │ (and hint says Queue)
 *             │         expired  ◄───────────── still backing off ◄──────────┤
 *             └──────────────────────────────── backoff over ◄───────────────┘
 *
 * A pod rejected while an event that could help it arrived during its attempt (preemption waits on the
 * API) goes to backoff, not unschedulable: the event is not lost. A pod that no event has moved for
 * five minutes is retried anyway (upstream's podMaxInUnschedulablePodsDuration), as a safety net.
 *
 * Pods held back by a PreEnqueue plugin (scheduling gates) wait in the unschedulable part, marked
 * `gated`, until an update of the pod lets them through.
 *
 * Ordering rule: every method runs to completion synchronously (the event loop is the lock); `pop`
 * is the only one that waits, and only for the active heap to be non-empty.
 */
import type { KubeObject } from '../../api/resource.js';
import { type Clock, systemClock } from '../../client/clock.js';
import type { ClusterEvent, ClusterEventWithHint, QueuedPodInfo } from '../framework/interfaces.js';
import type { PodInfo } from '../framework/pod-info.js';
import type { Pod } from '../types.js';
import { Heap } from './heap.js';

export interface SchedulingQueueOptions {
  readonly clock?: Clock;
  /** QueueSort: whether `a` goes before `b`. */
  readonly less: (a: QueuedPodInfo, b: QueuedPodInfo) => boolean;
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** A pod left unschedulable this long is retried without an event. Default 5 minutes. */
  readonly maxInUnschedulableMs?: number;
  /** PreEnqueue: the plugin that holds the pod back, or undefined to let it in. */
  readonly preEnqueue?: (pod: Pod) => string | undefined;
  /** Each plugin's registered events; a plugin absent here is moved by any event. */
  readonly registrations?: ReadonlyMap<string, readonly ClusterEventWithHint[]>;
  readonly onError?: (error: unknown) => void;
}

/** An event that arrived while a pod was being scheduled. */
interface InFlightEvent {
  readonly event: ClusterEvent;
  readonly oldObject: KubeObject | undefined;
  readonly newObject: KubeObject | undefined;
}

/** Beyond this many events during one attempt, the pod is simply retried after its backoff. */
const MAX_IN_FLIGHT_EVENTS = 64;
const FLUSH_UNSCHEDULABLE_INTERVAL_MS = 30_000;

export const UNSCHEDULABLE_TIMEOUT: ClusterEvent = {
  resource: '*',
  action: 0,
  label: 'UnschedulableTimeout',
};
export const FORCE_ACTIVATE: ClusterEvent = { resource: '*', action: 0, label: 'ForceActivate' };

export class SchedulingQueue {
  readonly #clock: Clock;
  readonly #initialBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #maxInUnschedulableMs: number;
  readonly #preEnqueue: (pod: Pod) => string | undefined;
  readonly #registrations: ReadonlyMap<string, readonly ClusterEventWithHint[]>;
  readonly #onError: (error: unknown) => void;

  readonly #active: Heap<QueuedPodInfo>;
  readonly #backoff: Heap<QueuedPodInfo>;
  readonly #unschedulable = new Map<string, QueuedPodInfo>();
  /** Pods popped and not yet done, with the events seen meanwhile (undefined: too many to keep). */
  readonly #inFlight = new Map<string, InFlightEvent[] | undefined>();
  #waiters: (() => void)[] = [];
  #closed = false;
  #cancelBackoffTimer: (() => void) | undefined;
  #backoffTimerAt = Number.POSITIVE_INFINITY;
  #cancelFlushTimer: (() => void) | undefined;

  constructor(options: SchedulingQueueOptions) {
    this.#clock = options.clock ?? systemClock;
    this.#initialBackoffMs = options.initialBackoffMs ?? 1000;
    this.#maxBackoffMs = options.maxBackoffMs ?? 10_000;
    this.#maxInUnschedulableMs = options.maxInUnschedulableMs ?? 5 * 60_000;
    this.#preEnqueue = options.preEnqueue ?? (() => undefined);
    this.#registrations = options.registrations ?? new Map();
    this.#onError = options.onError ?? ((error) => console.error('scheduling queue:', error));
    const less = options.less;
    this.#active = new Heap((info) => info.podInfo.key, less);
    this.#backoff = new Heap(
      (info) => info.podInfo.key,
      (a, b) => this.#backoffExpiry(a) < this.#backoffExpiry(b),
    );
    this.#scheduleFlush();
  }

  /** A new pending pod (or one seen again after a relist). */
  add(podInfo: PodInfo): void {
    if (this.#closed) return;
    const key = podInfo.key;
    if (this.#active.has(key) || this.#backoff.has(key) || this.#unschedulable.has(key)) {
      this.update(undefined, podInfo);
      return;
    }
    const now = this.#clock.now();
    this.#enqueue({
      podInfo,
      timestamp: now,
      initialAttemptTimestamp: now,
      attempts: 0,
      unschedulablePlugins: new Set(),
      pendingPlugins: new Set(),
      gated: false,
    });
  }

  /** The pod changed. `oldPod` undefined: unknown (a relist). */
  update(oldPod: Pod | undefined, podInfo: PodInfo): void {
    if (this.#closed) return;
    const key = podInfo.key;
    const inActive = this.#active.get(key);
    if (inActive) {
      inActive.podInfo = podInfo;
      this.#active.add(inActive);
      return;
    }
    const inBackoff = this.#backoff.get(key);
    if (inBackoff) {
      inBackoff.podInfo = podInfo;
      this.#backoff.add(inBackoff);
      return;
    }
    const waiting = this.#unschedulable.get(key);
    if (waiting) {
      const changed = oldPod === undefined || schedulingRelevantChange(oldPod, podInfo.pod);
      waiting.podInfo = podInfo;
      if (!changed) return;
      this.#unschedulable.delete(key);
      if (waiting.gated) {
        this.#enqueue(waiting);
        return;
      }
      this.#requeue(waiting);
      return;
    }
    if (this.#inFlight.has(key)) return;
    this.add(podInfo);
  }

  delete(podKey: string): void {
    this.#active.delete(podKey);
    this.#backoff.delete(podKey);
    this.#unschedulable.delete(podKey);
  }

  /** The next pod to schedule; waits while the active part is empty. Undefined once closed. */
  async pop(): Promise<QueuedPodInfo | undefined> {
    for (;;) {
      if (this.#closed) return undefined;
      const next = this.#active.pop();
      if (next) {
        next.attempts++;
        this.#inFlight.set(next.podInfo.key, []);
        return next;
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** The attempt to schedule the pod is over (whatever its outcome). */
  done(podKey: string): void {
    this.#inFlight.delete(podKey);
  }

  /**
   * After a failed attempt: unschedulable (waiting for an event), or backoff if nothing rejected it (an
   * error) or an event that could help it arrived during the attempt.
   */
  addUnschedulable(info: QueuedPodInfo): void {
    if (this.#closed) return;
    const key = info.podInfo.key;
    const wasInFlight = this.#inFlight.has(key);
    const seen = this.#inFlight.get(key);
    this.#inFlight.delete(key);
    if (this.#active.has(key) || this.#backoff.has(key) || this.#unschedulable.has(key)) return;
    info.timestamp = this.#clock.now();
    const rejectors = info.unschedulablePlugins.size + info.pendingPlugins.size;
    const helped =
      wasInFlight &&
      (seen === undefined ||
        seen.some((event) => this.#worthRequeuing(info, event.event, event.oldObject, event.newObject)));
    if (rejectors === 0 || helped) {
      this.#toBackoff(info);
      return;
    }
    this.#unschedulable.set(key, info);
  }

  /**
   * A cluster event happened: pods it could help move to backoff or active. `preCheck` narrows the pods
   * considered before any hint runs (an assigned pod's arrival matters only to pods with affinity).
   */
  moveAllToActiveOrBackoff(
    event: ClusterEvent,
    oldObject?: KubeObject,
    newObject?: KubeObject,
    preCheck?: (info: QueuedPodInfo) => boolean,
  ): void {
    if (this.#closed) return;
    for (const [key, events] of this.#inFlight) {
      if (events === undefined) continue;
      if (events.length >= MAX_IN_FLIGHT_EVENTS) this.#inFlight.set(key, undefined);
      else events.push({ event, oldObject, newObject });
    }
    for (const [key, info] of this.#unschedulable) {
      if (info.gated) continue;
      if (preCheck && !preCheck(info)) continue;
      if (!this.#worthRequeuing(info, event, oldObject, newObject)) continue;
      this.#unschedulable.delete(key);
      this.#requeue(info);
    }
  }

  /** Moves the named pods to active at once (from backoff or unschedulable). */
  activate(podKeys: Iterable<string>): void {
    for (const key of podKeys) {
      const info = this.#backoff.delete(key) ?? this.#unschedulable.get(key);
      if (!info || info.gated) continue;
      this.#unschedulable.delete(key);
      this.#toActive(info);
    }
  }

  /** Every pod waiting, by part (for tests and debugging). */
  pending(): { active: string[]; backoff: string[]; unschedulable: string[]; gated: string[] } {
    const unschedulable = [...this.#unschedulable.values()];
    return {
      active: this.#active
        .list()
        .map((info) => info.podInfo.key)
        .sort(),
      backoff: this.#backoff
        .list()
        .map((info) => info.podInfo.key)
        .sort(),
      unschedulable: unschedulable
        .filter((info) => !info.gated)
        .map((info) => info.podInfo.key)
        .sort(),
      gated: unschedulable
        .filter((info) => info.gated)
        .map((info) => info.podInfo.key)
        .sort(),
    };
  }

  get activeCount(): number {
    return this.#active.size;
  }

  close(): void {
    this.#closed = true;
    this.#cancelBackoffTimer?.();
    this.#cancelFlushTimer?.();
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /** The backoff a pod has earned by its attempts: initial × 2^(attempts-1), capped. */
  backoffDuration(info: QueuedPodInfo): number {
    let duration = this.#initialBackoffMs;
    for (let attempt = 1; attempt < info.attempts; attempt++) {
      if (duration > this.#maxBackoffMs - duration) return this.#maxBackoffMs;
      duration += duration;
    }
    return Math.min(duration, this.#maxBackoffMs);
  }

  #backoffExpiry(info: QueuedPodInfo): number {
    return info.timestamp + this.backoffDuration(info);
  }

  /** New or ungated: through PreEnqueue to active, or held as gated. */
  #enqueue(info: QueuedPodInfo): void {
    let gate: string | undefined;
    try {
      gate = this.#preEnqueue(info.podInfo.pod);
    } catch (error) {
      this.#onError(error);
    }
    if (gate !== undefined) {
      info.gated = true;
      info.unschedulablePlugins = new Set([gate]);
      this.#unschedulable.set(info.podInfo.key, info);
      return;
    }
    info.gated = false;
    this.#toActive(info);
  }

  /** Back from unschedulable: to backoff if it is still backing off, else to active. */
  #requeue(info: QueuedPodInfo): void {
    if (info.attempts > 0 && this.#backoffExpiry(info) > this.#clock.now()) this.#toBackoff(info);
    else this.#toActive(info);
  }

  #toActive(info: QueuedPodInfo): void {
    this.#active.add(info);
    const wake = this.#waiters.shift();
    wake?.();
  }

  #toBackoff(info: QueuedPodInfo): void {
    this.#backoff.add(info);
    this.#armBackoffTimer();
  }

  /** One timer, for the earliest expiry in the backoff heap: no polling. */
  #armBackoffTimer(): void {
    const head = this.#backoff.peek();
    if (!head || this.#closed) return;
    const at = this.#backoffExpiry(head);
    if (this.#cancelBackoffTimer && at >= this.#backoffTimerAt) return;
    this.#cancelBackoffTimer?.();
    this.#backoffTimerAt = at;
    this.#cancelBackoffTimer = this.#clock.setTimer(() => {
      this.#cancelBackoffTimer = undefined;
      this.#backoffTimerAt = Number.POSITIVE_INFINITY;
      this.#flushBackoff();
    }, at - this.#clock.now());
  }

  #flushBackoff(): void {
    const now = this.#clock.now();
    for (let head = this.#backoff.peek(); head; head = this.#backoff.peek()) {
      if (this.#backoffExpiry(head) > now) break;
      this.#backoff.pop();
      this.#toActive(head);
    }
    this.#armBackoffTimer();
  }

  #scheduleFlush(): void {
    if (this.#closed) return;
    this.#cancelFlushTimer = this.#clock.setTimer(() => {
      const now = this.#clock.now();
      for (const [key, info] of this.#unschedulable) {
        if (info.gated || now - info.timestamp < this.#maxInUnschedulableMs) continue;
        this.#unschedulable.delete(key);
        this.#requeue(info);
      }
      this.#scheduleFlush();
    }, FLUSH_UNSCHEDULABLE_INTERVAL_MS);
  }

  /** Whether `event` may help a pod rejected by `info.unschedulablePlugins` (upstream's queueing hints). */
  #worthRequeuing(
    info: QueuedPodInfo,
    event: ClusterEvent,
    oldObject: KubeObject | undefined,
    newObject: KubeObject | undefined,
  ): boolean {
    if (event.resource === '*') return true;
    const rejectors = [...info.unschedulablePlugins, ...info.pendingPlugins];
    if (rejectors.length === 0) return true;
    for (const plugin of rejectors) {
      const registrations = this.#registrations.get(plugin);
      if (registrations === undefined) return true;
      for (const registration of registrations) {
        if (!eventMatches(registration.event, event)) continue;
        if (!registration.hint) return true;
        try {
          if (registration.hint(info.podInfo.pod, oldObject, newObject) === 'Queue') return true;
        } catch (error) {
          this.#onError(error);
          return true;
        }
      }
    }
    return false;
  }
}

/** Whether a registered event covers an incoming one (upstream's MatchClusterEvents). */
export function eventMatches(registered: ClusterEvent, incoming: ClusterEvent): boolean {
  if (registered.resource === '*') return true;
  const resourceMatches =
    registered.resource === incoming.resource ||
    (registered.resource === 'Pod' &&
      (incoming.resource === 'AssignedPod' || incoming.resource === 'UnscheduledPod'));
  return resourceMatches && (registered.action & incoming.action) !== 0;
}

/**
 * Whether an update to a pending pod could change where it fits: anything but its status and the
 * bookkeeping fields (upstream's isPodUpdated). The scheduler's own status writes do not count.
 */
export function schedulingRelevantChange(oldPod: Pod, newPod: Pod): boolean {
  return JSON.stringify(strip(oldPod)) !== JSON.stringify(strip(newPod));
}

function strip(pod: Pod): unknown {
  const {
    resourceVersion: _rv,
    generation: _generation,
    managedFields: _managed,
    ...metadata
  } = pod.metadata ?? {};
  return { metadata, spec: pod.spec };
}
