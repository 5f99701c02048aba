/**
 * The Job controller, as kube-controller-manager's (pkg/controller/job): it runs a Job's pods until
 * enough succeed (`completions`; with none set, until one does) with at most `parallelism` at once,
 * replaces failed ones after a back-off (job/backoff.ts) until `backoffLimit` is passed or
 * `activeDeadlineSeconds` runs out, and reports the outcome as conditions.
 *
 * Tracking with finalizers. Every pod carries `batch.kubernetes.io/job-tracking`, so a finished pod
 * cannot vanish before it is counted. A finished pod is counted in three writes that survive a crash
 * between any two:
 *
 *   1. status.uncountedTerminatedPods.succeeded += [uid]        (Indexed: completedIndexes += index)
 *   2. the pod's finalizer removed (a strategic patch)
 *   3. status.succeeded += 1, the uid dropped from uncountedTerminatedPods
 *
 * The end is two-step too (the newer API's terminal conditions): SuccessCriteriaMet or FailureTarget
 * is written first; Complete or Failed follows once every pod is counted and none is still
 * terminating.
 *
 * One reconcile of `namespace/name` (upstream's syncJob), from the informers' caches:
 *
 *   the namespace's pods, claimed (adopting matching orphans with the finalizer added, releasing ours
 *   that stopped matching with it removed)
 *   counts: active, ready, terminating, newly finished pods (those with a finalizer, not yet counted)
 *   finished?  backoffLimit exceeded (or restarts past it under OnFailure) → FailureTarget
 *              BackoffLimitExceeded; activeDeadlineSeconds passed → FailureTarget DeadlineExceeded;
 *              enough successes → SuccessCriteriaMet CompletionsReached
 *     yes → delete the active pods
 *     no  → if expectations are met: suspended → delete the active pods, condition Suspended;
 *           too many → delete the least advanced; too few → create (after the back-off), with the
 *           lowest free completion indexes for an Indexed Job
 *   status (the three steps above), then the terminal condition and its event
 *
 * Pods whose Job is gone or finished keep no finalizer: an "orphan pod" queue removes it (a Job
 * deleted in the background, a pod released). Events go out as upstream's (`SuccessfulCreate`
 * "Created pod: x", `SuccessfulDelete`, `Completed` "Job completed", `BackoffLimitExceeded`,
 * `DeadlineExceeded`, `Suspended`, `Resumed`).
 *
 * Left out: podFailurePolicy, backoffLimitPerIndex and successPolicy (their Jobs run as if they had
 * none), and upstream's metrics.
 */
import { isDeepStrictEqual } from 'node:util';
import { labelSelectorAsSelector, type Selector } from '../api/labels.js';
import type { KubeObject, OwnerReference } from '../api/resource.js';
import { isStatusError } from '../api/status.js';
import type { Clock } from '../client/clock.js';
import { EventRecorder, type EventType } from '../client/event-recorder.js';
import { namespaceIndex, objectKey, splitKey } from '../client/indexed-store.js';
import type { Informer } from '../client/informer.js';
import { refFor } from '../client/refs.js';
import type { KubeClient, ResourceRef } from '../client/types.js';
import type { WorkQueue } from '../client/work-queue.js';
import { claimChildren } from './claim.js';
import { Expectations } from './expectations.js';
import {
  type Controller,
  type ControllerContext,
  type ControllerFactory,
  QueueController,
  type ReconcileResult,
  TerminalError,
} from './framework.js';
import { activePodsForRemoval } from './job/active-pods.js';
import { type BackoffRecord, BackoffStore, remainingBackoff } from './job/backoff.js';
import { claimClientFor } from './job/claim-client.js';
import { FinalizerExpectations } from './job/finalizer-expectations.js';
import {
  completionIndexOf,
  firstPendingIndexes,
  formatIndexes,
  hasIndex,
  type Interval,
  parseIndexes,
  totalIndexes,
  UNKNOWN_COMPLETION_INDEX,
  withIndexes,
} from './job/indexes.js';
import { hasTrackingFinalizer, JOB_TRACKING_FINALIZER, podForJob } from './job/pod-template.js';
import {
  isIndexed,
  isPodFailed,
  isPodTerminating,
  isSuspended,
  managedElsewhere,
  onlyReplaceFailedPods,
  pastActiveDeadline,
  pastBackoffLimitOnFailure,
} from './job/predicates.js';
import {
  countUncountedWithoutFinalizers,
  ensureCondition,
  failedConditionFor,
  newCondition,
  trueCondition,
  wireStatus,
} from './job/status.js';
import {
  isJobFinished,
  type Job,
  type JobCondition,
  JobConditionType,
  type JobStatus,
  jobKind,
} from './job/types.js';
import {
  controllerOf,
  eventKeyOf,
  formatTime,
  hasStatusCause,
  isPodActive,
  isPodReady,
  messageOf,
  NAMESPACE_TERMINATING_CAUSE,
  type Pod,
  timeOf,
} from './pods.js';
import { slowStartBatch } from './slow-start.js';

export type { Job } from './job/types.js';

// ---------------------------------------------------------------------------------------------------
// Constants, as upstream

/** Pod events and the Job's own status writes wake it this long afterwards, so a burst costs one sync. */
const SYNC_JOB_BATCH_PERIOD_MS = 1000;
/** At most this many pods are created or deleted by one sync. */
const MAX_POD_CREATE_DELETE_PER_SYNC = 500;
/** uncountedTerminatedPods stays below this (about 20 KB of uids); the rest wait for the next sync. */
const MAX_UNCOUNTED_PODS = 500;
const SLOW_START_INITIAL_BATCH = 1;
/** The longest wait handed to the queue (a timer cannot wait 2^31 ms); a deadline further off is waited for again. */
const MAX_REQUEUE_MS = 24 * 3_600_000;

const REASON_BACKOFF_LIMIT_EXCEEDED = 'BackoffLimitExceeded';
const REASON_DEADLINE_EXCEEDED = 'DeadlineExceeded';
const REASON_COMPLETIONS_REACHED = 'CompletionsReached';

// ---------------------------------------------------------------------------------------------------
// The controller

export interface JobControllerOptions {
  readonly context: ControllerContext;
  readonly workers?: number;
  /** How long pod events wait before the Job syncs (upstream: 1 s). */
  readonly syncBatchPeriodMs?: number;
}

/** What one sync knows and decides; `job` is the clone being written (replaced by each answer). */
interface SyncContext {
  readonly key: string;
  job: Job & { status: JobStatus };
  readonly pods: Pod[];
  readonly activePods: Pod[];
  /** The uncounted pods as the sync found them. */
  readonly uncounted: { readonly succeeded: ReadonlySet<string>; readonly failed: ReadonlySet<string> };
  readonly expectedRemovedFinalizers: ReadonlySet<string>;
  succeeded: number;
  failed: number;
  ready: number;
  terminating: number;
  prevSucceededIndexes: Interval[];
  succeededIndexes: Interval[];
  newBackoffRecord: BackoffRecord;
  finishedCondition: JobCondition | undefined;
  /** When the sync wants to run again (the deadline, the end of a back-off). */
  requeueAfterMs: number | undefined;
}

export class JobController implements Controller {
  readonly name = 'job-controller';
  readonly #client: KubeClient;
  readonly #clock: Clock;
  readonly #batchPeriodMs: number;
  readonly #jobs: Informer<Job>;
  readonly #pods: Informer<Pod>;
  readonly #queue: QueueController;
  /** Pods that keep a tracking finalizer no Job will remove. */
  readonly #orphans: QueueController;
  readonly #expectations: Expectations;
  readonly #finalizerExpectations = new FinalizerExpectations();
  readonly #backoff = new BackoffStore();
  readonly #events: EventRecorder;
  /** The client for claiming: adoption adds the tracking finalizer, release removes it (see #claimClient). */
  readonly #claimClient: KubeClient;

  constructor(options: JobControllerOptions) {
    const { context } = options;
    this.#client = context.client;
    this.#clock = context.clock;
    this.#batchPeriodMs = options.syncBatchPeriodMs ?? SYNC_JOB_BATCH_PERIOD_MS;
    this.#expectations = new Expectations(context.clock);
    this.#claimClient = claimClientFor(context.client);
    this.#events = new EventRecorder({
      client: context.client,
      component: 'job-controller',
      clock: context.clock,
      onError: (error, event) => context.onError(this.name, eventKeyOf(event), error),
    });
    const workers = options.workers !== undefined ? { workers: options.workers } : {};
    this.#queue = new QueueController({
      name: this.name,
      context,
      reconcile: (key) => this.reconcile(key),
      ...workers,
    });
    this.#orphans = new QueueController({
      name: `${this.name} (orphan pods)`,
      context,
      reconcile: async (key) => {
        await this.reconcileOrphanPod(key);
        return undefined;
      },
      workers: 1,
    });
    this.#jobs = context.informers.informerFor<Job>(refFor(jobKind));
    this.#pods = context.informers.informerFor<Pod>(refFor('Pod'));
    this.#jobs.addEventHandler({
      onAdd: (job) => this.#queue.enqueue(objectKey(job)),
      onUpdate: (old, job) => this.#jobUpdated(old, job),
      onDelete: (job) => {
        this.#queue.enqueue(objectKey(job));
        this.#cleanupPodFinalizers(job);
      },
    });
    this.#pods.addEventHandler({
      onAdd: (pod) => this.#podAdded(pod),
      onUpdate: (old, pod) => this.#podUpdated(old, pod),
      onDelete: (pod) => this.#podDeleted(pod, true),
    });
  }

  /** The Jobs' work queue (tests look at what the handlers enqueued). */
  get queue(): WorkQueue<string> {
    return this.#queue.queue;
  }

  /** The queue of pods whose finalizer no Job will remove. */
  get orphanQueue(): WorkQueue<string> {
    return this.#orphans.queue;
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await Promise.all([this.#queue.run(signal), this.#orphans.run(signal)]);
    } finally {
      await this.#events.stop();
    }
  }

  // ---- event handlers ----

  #enqueueBatched(job: Job): void {
    this.#queue.queue.addAfter(objectKey(job), this.#batchPeriodMs);
  }

  #jobUpdated(old: Job, job: Job): void {
    const key = objectKey(job);
    // A new spec is acted on at once; status writes (mostly our own) are batched.
    if (old.metadata?.generation === job.metadata?.generation) this.#enqueueBatched(job);
    else this.#queue.enqueue(key);
    // A finished Job must not leave finalizers behind; this is the backstop.
    if (isJobFinished(job)) this.#cleanupPodFinalizers(job);
    const startTime = job.status?.startTime;
    const deadline = job.spec?.activeDeadlineSeconds;
    if (startTime && deadline !== undefined && deadline !== old.spec?.activeDeadlineSeconds) {
      const remaining = deadline * 1000 - (this.#clock.now() - timeOf(startTime));
      this.#queue.queue.addAfter(key, Math.min(MAX_REQUEUE_MS, Math.max(0, remaining)));
    }
  }

  #podAdded(pod: Pod): void {
    // A pod that shows up already being deleted (a restarted manager) is no creation to count.
    if (pod.metadata?.deletionTimestamp) {
      this.#podDeleted(pod, false);
      return;
    }
    const owner = controllerOf(pod);
    if (owner) {
      const job = this.#resolveControllerRef(pod.metadata?.namespace, owner);
      if (!job) return;
      this.#expectations.creationObserved(objectKey(job));
      this.#enqueueBatched(job);
      return;
    }
    if (hasTrackingFinalizer(pod)) this.#orphans.enqueue(objectKey(pod));
    // An orphan: any Job that selects it may adopt it.
    for (const job of this.#jobsSelecting(pod)) this.#enqueueBatched(job);
  }

  #podUpdated(old: Pod, pod: Pod): void {
    if (old.metadata?.resourceVersion === pod.metadata?.resourceVersion) return;
    if (pod.metadata?.deletionTimestamp) {
      // A graceful deletion began: count it now, so the Job replaces the pod at once.
      this.#podDeleted(pod, false);
      return;
    }
    // The finalizer may be seen gone together with an owner change; either way it is gone.
    const finalizerRemoved = !hasTrackingFinalizer(pod);
    const owner = controllerOf(pod);
    const oldOwner = controllerOf(old);
    const ownerChanged = !isDeepStrictEqual(owner, oldOwner);
    if (ownerChanged && oldOwner) {
      const previous = this.#resolveControllerRef(old.metadata?.namespace, oldOwner);
      if (previous) {
        if (finalizerRemoved)
          this.#finalizerExpectations.observed(objectKey(previous), pod.metadata?.uid ?? '');
        this.#enqueueBatched(previous);
      }
    }
    if (owner) {
      const job = this.#resolveControllerRef(pod.metadata?.namespace, owner);
      if (!job) return;
      if (finalizerRemoved) this.#finalizerExpectations.observed(objectKey(job), pod.metadata?.uid ?? '');
      this.#enqueueBatched(job);
      return;
    }
    if (hasTrackingFinalizer(pod)) this.#orphans.enqueue(objectKey(pod));
    const labelsChanged = !isDeepStrictEqual(old.metadata?.labels ?? {}, pod.metadata?.labels ?? {});
    if (labelsChanged || ownerChanged) for (const job of this.#jobsSelecting(pod)) this.#enqueueBatched(job);
  }

  /** `final`: the pod is gone (not merely being deleted). */
  #podDeleted(pod: Pod, final: boolean): void {
    const owner = controllerOf(pod);
    const hasFinalizer = hasTrackingFinalizer(pod);
    if (!owner) {
      // Perhaps a Job's pod the garbage collector orphaned: its finalizer must still go.
      if (hasFinalizer) this.#orphans.enqueue(objectKey(pod));
      return;
    }
    const job = this.#resolveControllerRef(pod.metadata?.namespace, owner);
    if (!job || isJobFinished(job)) {
      // No sync of a Job will remove this finalizer.
      if (hasFinalizer) this.#orphans.enqueue(objectKey(pod));
      return;
    }
    const key = objectKey(job);
    this.#expectations.deletionObserved(key, objectKey(pod));
    if (final || !hasFinalizer) this.#finalizerExpectations.observed(key, pod.metadata?.uid ?? '');
    this.#enqueueBatched(job);
  }

  /** Every pod the Job controls that still has a finalizer goes to the orphan queue. */
  #cleanupPodFinalizers(job: Job): void {
    for (const pod of this.#pods.store.byIndex(namespaceIndex, job.metadata?.namespace ?? '')) {
      if (controllerOf(pod)?.uid === job.metadata?.uid && hasTrackingFinalizer(pod)) {
        this.#orphans.enqueue(objectKey(pod));
      }
    }
  }

  #resolveControllerRef(namespace: string | undefined, owner: OwnerReference): Job | undefined {
    if (owner.kind !== jobKind.kind) return undefined;
    const job = this.#jobs.store.getByName(namespace, owner.name);
    return job?.metadata?.uid === owner.uid ? job : undefined;
  }

  #jobsSelecting(pod: Pod): Job[] {
    const namespace = pod.metadata?.namespace;
    if (!namespace) return [];
    return this.#jobs.store.byIndex(namespaceIndex, namespace).filter((job) => {
      const selector = selectorOrUndefined(job);
      return selector !== undefined && !selector.empty && selector.matches(pod.metadata?.labels);
    });
  }

  // ---- orphan pods ----

  /** Removes the tracking finalizer of a pod no unfinished Job of ours controls. */
  async reconcileOrphanPod(key: string): Promise<void> {
    const pod = this.#pods.store.get(key);
    if (!pod) return;
    const owner = controllerOf(pod);
    if (owner) {
      // Someone else's pod, or our Job's own business.
      if (owner.kind !== jobKind.kind || owner.apiVersion !== jobKind.apiVersion) return;
      const job = this.#resolveControllerRef(pod.metadata?.namespace, owner);
      if (job && managedElsewhere(job)) return;
      if (job && !isJobFinished(job)) return;
    }
    if (!hasTrackingFinalizer(pod)) return;
    try {
      await this.#removeFinalizer(pod);
    } catch (error) {
      if (!isStatusError(error, 'NotFound')) throw error;
    }
  }

  // ---- reconcile ----

  /** Brings one Job (`namespace/name`) toward its spec, from the caches; see the module comment. */
  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const { namespace, name } = splitKey(key);
    const cached = this.#jobs.store.getByName(namespace, name);
    if (!cached) {
      this.#expectations.delete(key);
      this.#finalizerExpectations.delete(key);
      this.#backoff.remove(key);
      return undefined;
    }
    // Another controller runs this Job (spec.managedBy).
    if (managedElsewhere(cached)) return undefined;
    const job = structuredClone(cached) as Job & { status: JobStatus };
    job.status ??= {};
    // Finished is final.
    if (isJobFinished(job)) {
      this.#backoff.remove(key);
      return undefined;
    }
    const mode = job.spec?.completionMode;
    if (mode !== undefined && mode !== 'NonIndexed' && mode !== 'Indexed') {
      this.#recordEvent(
        job,
        'Warning',
        'UnknownCompletionMode',
        'Skipped Job sync because completion mode is unknown',
      );
      return undefined;
    }
    job.status.uncountedTerminatedPods ??= {};
    // Before reading the pods: a pod that arrives after this is simply seen next time.
    const satisfied = this.#expectations.satisfied(key);
    const pods = await this.#podsForJob(job);
    const activePods = pods.filter(isPodActive);
    const now = this.#clock.now();
    const uncountedStatus = job.status.uncountedTerminatedPods;
    const expectedRemovedFinalizers = this.#finalizerExpectations.expected(key);
    const context: SyncContext = {
      key,
      job,
      pods,
      activePods,
      uncounted: {
        succeeded: new Set(uncountedStatus.succeeded ?? []),
        failed: new Set(uncountedStatus.failed ?? []),
      },
      expectedRemovedFinalizers,
      succeeded: 0,
      failed: 0,
      ready: activePods.filter(isPodReady).length,
      terminating: pods.filter(isPodTerminating).length,
      prevSucceededIndexes: [],
      succeededIndexes: [],
      newBackoffRecord: { key, failuresAfterLastSuccess: 0 },
      finishedCondition: undefined,
      requeueAfterMs: undefined,
    };
    let active = activePods.length;
    const { newSucceeded, newFailed } = newFinishedPods(context);
    context.succeeded = (job.status.succeeded ?? 0) + newSucceeded.length + context.uncounted.succeeded.size;
    context.failed = (job.status.failed ?? 0) + newFailed.length + context.uncounted.failed.size;

    // The first start; a Job created suspended starts when resumed.
    if (!job.status.startTime && !isSuspended(job)) job.status.startTime = formatTime(now);
    context.newBackoffRecord = this.#backoff.next(key, newSucceeded, newFailed);

    const successCriteriaMet = trueCondition(job, JobConditionType.successCriteriaMet);
    // Met success criteria were decided in an earlier sync; nothing can fail the Job now.
    context.finishedCondition = successCriteriaMet;
    if (!context.finishedCondition) {
      const failureTarget = trueCondition(job, JobConditionType.failureTarget);
      if (failureTarget) context.finishedCondition = failedConditionFor(failureTarget, now);
    }
    if (!context.finishedCondition) {
      if (context.failed > (job.spec?.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, pods)) {
        context.finishedCondition = newCondition(
          JobConditionType.failureTarget,
          'True',
          REASON_BACKOFF_LIMIT_EXCEEDED,
          'Job has reached the specified backoff limit',
          now,
        );
      } else if (pastActiveDeadline(job, now)) {
        context.finishedCondition = newCondition(
          JobConditionType.failureTarget,
          'True',
          REASON_DEADLINE_EXCEEDED,
          'Job was active longer than specified deadline',
          now,
        );
      } else if (job.spec?.activeDeadlineSeconds !== undefined && !isSuspended(job)) {
        const remaining =
          job.spec.activeDeadlineSeconds * 1000 - (now - timeOf(job.status.startTime ?? formatTime(now)));
        requeueAfter(context, remaining);
      }
    }
    const completions = job.spec?.completions;
    if (isIndexed(job) && completions !== undefined) {
      context.prevSucceededIndexes = parseIndexes(job.status.completedIndexes, completions);
      context.succeededIndexes = withIndexes(context.prevSucceededIndexes, newlySucceededIndexes(job, pods));
      context.succeeded = totalIndexes(context.succeededIndexes);
    }

    let manageError: unknown;
    let suspendConditionChanged = false;
    if (context.finishedCondition) {
      const { deleted, deletedReady, error } = await this.#deleteActivePods(job, activePods);
      // Not finished yet while pods may remain that the cache does not show, or deletions failed.
      if (deleted !== active || !satisfied) context.finishedCondition = undefined;
      active -= deleted;
      context.terminating += deleted;
      context.ready -= deletedReady;
      manageError = error;
    } else {
      let manageCalled = false;
      if (satisfied && !job.metadata?.deletionTimestamp) {
        const managed = await this.#manageJob(context);
        active = managed.active;
        manageError = managed.error;
        manageCalled = true;
      }
      const complete =
        completions === undefined
          ? // A work queue: done when one pod succeeded and the rest have stopped.
            context.succeeded > 0 && active === 0
          : context.succeeded >= completions && active === 0;
      if (complete) {
        context.finishedCondition = newCondition(
          JobConditionType.successCriteriaMet,
          'True',
          REASON_COMPLETIONS_REACHED,
          'Reached expected number of succeeded pods',
          now,
        );
      } else if (manageCalled) {
        // Conditions and events only from the sync that managed the pods.
        if (isSuspended(job)) {
          if (
            ensureCondition(
              job.status,
              JobConditionType.suspended,
              'True',
              'JobSuspended',
              'Job suspended',
              now,
            )
          ) {
            suspendConditionChanged = true;
            this.#recordEvent(job, 'Normal', 'Suspended', 'Job suspended');
          }
        } else if (
          ensureCondition(job.status, JobConditionType.suspended, 'False', 'JobResumed', 'Job resumed', now)
        ) {
          suspendConditionChanged = true;
          this.#recordEvent(job, 'Normal', 'Resumed', 'Job resumed');
          // activeDeadlineSeconds counts time running, not time suspended.
          job.status.startTime = formatTime(now);
        }
      }
    }

    const needsStatusUpdate =
      suspendConditionChanged ||
      active !== (job.status.active ?? 0) ||
      context.ready !== job.status.ready ||
      context.terminating !== job.status.terminating;
    job.status.active = active;
    job.status.ready = context.ready;
    job.status.terminating = context.terminating;
    try {
      await this.#trackStatusAndRemoveFinalizers(context, needsStatusUpdate);
    } catch (error) {
      throw new Error(`tracking status: ${messageOf(error)}`, { cause: error });
    }
    if (manageError !== undefined) throw manageError;
    return context.requeueAfterMs === undefined ? undefined : { requeueAfterMs: context.requeueAfterMs };
  }

  /** The namespace's pods the Job controls, after claiming (upstream's getPodsForJob). */
  async #podsForJob(job: Job): Promise<Pod[]> {
    let selector: Selector;
    try {
      selector = labelSelectorAsSelector(job.spec?.selector);
    } catch (error) {
      throw new TerminalError(`couldn't convert Job selector: ${messageOf(error)}`, { cause: error });
    }
    const namespace = job.metadata?.namespace;
    // All pods, finished ones too: their counting is not over until their finalizer is gone.
    const candidates = this.#pods.store.byIndex(namespaceIndex, namespace ?? '');
    return claimChildren(
      {
        client: this.#claimClient,
        owner: job,
        ownerKind: jobKind,
        ownerRef: jobsRef(namespace),
        selector,
        childRef: podsRef(namespace),
        childKind: 'Pod',
      },
      candidates,
    );
  }

  /**
   * Upstream's manageJob: toward the wanted number of active pods, by deletions or (after the
   * back-off) creations, never both in one sync. Returns the active count as it will be.
   */
  async #manageJob(context: SyncContext): Promise<{ active: number; error?: unknown }> {
    const { job, key, activePods } = context;
    let active = activePods.length;
    const parallelism = job.spec?.parallelism ?? 1;
    const completions = job.spec?.completions;
    const indexed = isIndexed(job) && completions !== undefined ? { completions } : undefined;
    if (isSuspended(job)) {
      const doomed = activePodsForRemoval(activePods, active, indexed);
      const { deleted, deletedReady, error } = await this.#deleteJobPods(job, key, doomed);
      context.terminating += deleted;
      context.ready -= deletedReady;
      return { active: active - deleted, ...(error !== undefined ? { error } : {}) };
    }
    let wantActive: number;
    if (completions === undefined) {
      // A work queue: once one pod succeeded, let the running ones finish, start no more.
      wantActive = context.succeeded > 0 ? active : parallelism;
    } else {
      wantActive = Math.max(0, Math.min(completions - context.succeeded, parallelism));
    }
    const excess = Math.max(0, active - wantActive);
    const doomed = activePodsForRemoval(activePods, excess, indexed).slice(0, MAX_POD_CREATE_DELETE_PER_SYNC);
    if (doomed.length > 0) {
      const { deleted, deletedReady, error } = await this.#deleteJobPods(job, key, doomed);
      context.terminating += deleted;
      context.ready -= deletedReady;
      return { active: active - deleted, ...(error !== undefined ? { error } : {}) };
    }
    // With podReplacementPolicy Failed, a terminating pod still holds its place.
    const terminating = onlyReplaceFailedPods(job) ? context.terminating : 0;
    let diff = wantActive - terminating - active;
    if (diff <= 0) return { active };
    const backoff = remainingBackoff(context.newBackoffRecord, this.#clock.now());
    if (backoff > 0) {
      requeueAfter(context, Math.max(backoff, this.#batchPeriodMs));
      // As upstream, which reports no active pods while it waits.
      return { active: 0 };
    }
    diff = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC);
    let indexes: number[] | undefined;
    if (indexed) {
      const holding =
        terminating > 0 ? [...activePods, ...context.pods.filter(isPodTerminating)] : activePods;
      indexes = firstPendingIndexes(holding, context.succeededIndexes, diff, indexed.completions);
      diff = indexes.length;
    }
    this.#expectations.expectCreations(key, diff);
    active += diff;
    const pending = indexes ? [...indexes] : [];
    let attempts = 0;
    const { successes, error } = await slowStartBatch(diff, SLOW_START_INITIAL_BATCH, async () => {
      attempts++;
      // Taken before the first await, so pods get indexes in order.
      const index = indexed ? pending.shift() : undefined;
      try {
        await this.#createPod(job, index);
      } catch (failure) {
        // Every create fails the same way while the namespace goes away; nothing to count or report.
        if (hasStatusCause(failure, NAMESPACE_TERMINATING_CAUSE)) return;
        this.#expectations.creationObserved(key);
        throw failure;
      }
    });
    if (error !== undefined) {
      // The failed ones were counted off above; the ones never tried are counted off here.
      for (let skipped = diff - attempts; skipped > 0; skipped--) this.#expectations.creationObserved(key);
      active -= diff - successes;
      return { active, error };
    }
    return { active };
  }

  async #createPod(job: Job, index: number | undefined): Promise<void> {
    const pod = podForJob(job, index);
    let created: Pod;
    try {
      created = await this.#client.create<Pod>(podsRef(job.metadata?.namespace), pod);
    } catch (error) {
      if (!hasStatusCause(error, NAMESPACE_TERMINATING_CAUSE)) {
        this.#recordEvent(job, 'Warning', 'FailedCreate', `Error creating: ${messageOf(error)}`);
      }
      throw error;
    }
    this.#recordEvent(job, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`);
  }

  /** Deletes active pods of a finished Job, keeping their finalizers (the status tracking removes them). */
  async #deleteActivePods(
    job: Job,
    pods: readonly Pod[],
  ): Promise<{ deleted: number; deletedReady: number; error?: unknown }> {
    let deleted = pods.length;
    let deletedReady = 0;
    const errors: unknown[] = [];
    await Promise.all(
      pods.map(async (pod) => {
        try {
          await this.#deletePod(job, pod);
        } catch (error) {
          if (!isStatusError(error, 'NotFound')) {
            deleted--;
            errors.push(error);
          }
        }
        if (isPodReady(pod)) deletedReady++;
      }),
    );
    return { deleted, deletedReady, ...(errors.length > 0 ? { error: errors[0] } : {}) };
  }

  /** Deletes pods the Job no longer wants: each loses its finalizer first, then is deleted. */
  async #deleteJobPods(
    job: Job,
    key: string,
    pods: readonly Pod[],
  ): Promise<{ deleted: number; deletedReady: number; error?: unknown }> {
    this.#expectations.expectDeletions(key, pods.map(objectKey));
    let deleted = pods.length;
    let deletedReady = 0;
    const errors: unknown[] = [];
    const failed = (pod: Pod, error: unknown) => {
      // This deletion will never be observed.
      this.#expectations.deletionObserved(key, objectKey(pod));
      if (!isStatusError(error, 'NotFound')) {
        deleted--;
        errors.push(error);
      }
    };
    await Promise.all(
      pods.map(async (pod) => {
        if (hasTrackingFinalizer(pod)) {
          try {
            await this.#removeFinalizer(pod);
          } catch (error) {
            failed(
              pod,
              isStatusError(error) ? error : new Error(`removing completion finalizer: ${messageOf(error)}`),
            );
            return;
          }
        }
        try {
          await this.#deletePod(job, pod);
        } catch (error) {
          failed(pod, error);
        }
        if (isPodReady(pod)) deletedReady++;
      }),
    );
    return { deleted, deletedReady, ...(errors.length > 0 ? { error: errors[0] } : {}) };
  }

  /** Upstream's RealPodControl.DeletePod: an event either way, none for a pod already gone. */
  async #deletePod(job: Job, pod: Pod): Promise<void> {
    const name = pod.metadata?.name ?? '';
    try {
      await this.#client.delete(podsRef(pod.metadata?.namespace), name);
    } catch (error) {
      if (isStatusError(error, 'NotFound')) throw error;
      this.#recordEvent(job, 'Warning', 'FailedDelete', `Error deleting: ${messageOf(error)}`);
      throw new Error(`unable to delete pods: ${messageOf(error)}`, { cause: error });
    }
    this.#recordEvent(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
  }

  #removeFinalizer(pod: Pod): Promise<Pod> {
    return this.#client.patch<Pod>(podsRef(pod.metadata?.namespace), pod.metadata?.name ?? '', 'strategic', {
      metadata: { '$deleteFromPrimitiveList/finalizers': [JOB_TRACKING_FINALIZER] },
    });
  }

  // ---- status: counting finished pods (upstream's trackJobStatusAndRemoveFinalizers) ----

  async #trackStatusAndRemoveFinalizers(context: SyncContext, needsFlush: boolean): Promise<void> {
    const { job } = context;
    const indexed = isIndexed(job);
    const completions = job.spec?.completions ?? 0;
    // Completed indexes are added in order.
    const pods = indexed
      ? [...context.pods].sort((a, b) => completionIndexOf(a) - completionIndexOf(b))
      : context.pods;
    const withFinalizer = new Set(
      pods
        .filter((pod) => hasTrackingFinalizer(pod) && !context.expectedRemovedFinalizers.has(uidOf(pod)))
        .map(uidOf),
    );
    if (countUncountedWithoutFinalizers(job.status, withFinalizer)) needsFlush = true;
    const uncounted = job.status.uncountedTerminatedPods ?? {};
    job.status.uncountedTerminatedPods = uncounted;
    const toRemoveFinalizer: Pod[] = [];
    const newSucceededIndexes: number[] = [];
    let reachedMaxUncounted = false;
    for (const pod of pods) {
      const uid = uidOf(pod);
      // Counted in an earlier sync.
      if (!hasTrackingFinalizer(pod) || context.expectedRemovedFinalizers.has(uid)) continue;
      const failed = isPodFailed(pod, job);
      if (!canRemoveFinalizer(context, pod, failed)) continue;
      toRemoveFinalizer.push(pod);
      if (pod.status?.phase === 'Succeeded' && !context.uncounted.failed.has(uid)) {
        if (indexed) {
          // The index says whether it was counted; no uid needed.
          const index = completionIndexOf(pod);
          if (
            index !== UNKNOWN_COMPLETION_INDEX &&
            index < completions &&
            !hasIndex(context.prevSucceededIndexes, index)
          ) {
            newSucceededIndexes.push(index);
            needsFlush = true;
          }
        } else if (!context.uncounted.succeeded.has(uid)) {
          needsFlush = true;
          (uncounted.succeeded ??= []).push(uid);
        }
      } else if (
        failed ||
        (context.finishedCondition && context.finishedCondition.type !== JobConditionType.successCriteriaMet)
      ) {
        // A failing Job counts every pod it stops as failed.
        const index = completionIndexOf(pod);
        if (
          !context.uncounted.failed.has(uid) &&
          (!indexed || (index !== UNKNOWN_COMPLETION_INDEX && index < completions))
        ) {
          needsFlush = true;
          (uncounted.failed ??= []).push(uid);
        }
      }
      const pending =
        newSucceededIndexes.length + (uncounted.succeeded?.length ?? 0) + (uncounted.failed?.length ?? 0);
      if (pending >= MAX_UNCOUNTED_PODS) {
        // The rest wait for the next sync, which the writes below will bring.
        reachedMaxUncounted = true;
        break;
      }
    }
    const now = this.#clock.now();
    if (indexed) {
      context.succeededIndexes = withIndexes(context.succeededIndexes, newSucceededIndexes);
      const text = formatIndexes(context.succeededIndexes);
      if (text !== (job.status.completedIndexes ?? '')) needsFlush = true;
      job.status.succeeded = totalIndexes(context.succeededIndexes);
      job.status.completedIndexes = text;
    }
    if (context.finishedCondition?.type === JobConditionType.failureTarget) {
      // Written before the finalizers go, so the reason survives a crash; Failed follows.
      (job.status.conditions ??= []).push(context.finishedCondition);
      needsFlush = true;
      context.finishedCondition = failedConditionFor(context.finishedCondition, now);
    }
    if (context.finishedCondition?.type === JobConditionType.successCriteriaMet) {
      if (!trueCondition(job, JobConditionType.successCriteriaMet)) {
        (job.status.conditions ??= []).push(context.finishedCondition);
        needsFlush = true;
      }
      context.finishedCondition = newCondition(
        JobConditionType.complete,
        'True',
        context.finishedCondition.reason ?? '',
        context.finishedCondition.message ?? '',
        now,
      );
    }
    needsFlush = await this.#flushUncountedAndRemoveFinalizers(
      context,
      toRemoveFinalizer,
      withFinalizer,
      needsFlush,
    );
    const finished = !reachedMaxUncounted && this.#enactJobFinished(context);
    if (finished) needsFlush = true;
    if (needsFlush) {
      await this.#updateStatus(context);
      if (finished && context.finishedCondition)
        this.#recordJobFinished(context.job, context.finishedCondition);
    }
  }

  /**
   * Writes what was added to uncountedTerminatedPods, removes those pods' finalizers, and moves the
   * ones that lost it into the counters. Returns whether the status has changes still unwritten.
   */
  async #flushUncountedAndRemoveFinalizers(
    context: SyncContext,
    pods: readonly Pod[],
    withFinalizer: Set<string>,
    needsFlush: boolean,
  ): Promise<boolean> {
    if (needsFlush) {
      await this.#updateStatus(context);
      // The failures are in the status now: the back-off counts them from here on.
      this.#backoff.update(context.newBackoffRecord);
      needsFlush = false;
    }
    let removeError: unknown;
    if (pods.length > 0) {
      const { removed, error } = await this.#removeTrackingFinalizers(context.key, pods);
      for (const [index, pod] of pods.entries()) if (removed[index]) withFinalizer.delete(uidOf(pod));
      removeError = error;
    }
    if (countUncountedWithoutFinalizers(context.job.status, withFinalizer)) needsFlush = true;
    if (removeError !== undefined) {
      // What did succeed is written before giving up.
      if (needsFlush) await this.#updateStatus(context);
      throw removeError;
    }
    return needsFlush;
  }

  async #removeTrackingFinalizers(
    key: string,
    pods: readonly Pod[],
  ): Promise<{ removed: boolean[]; error?: unknown }> {
    this.#finalizerExpectations.expect(key, pods.map(uidOf));
    const removed = pods.map(() => false);
    const errors: unknown[] = [];
    await Promise.all(
      pods.map(async (pod, index) => {
        if (!hasTrackingFinalizer(pod)) return;
        try {
          await this.#removeFinalizer(pod);
        } catch (error) {
          // No update will show this removal.
          this.#finalizerExpectations.observed(key, uidOf(pod));
          if (!isStatusError(error, 'NotFound')) {
            errors.push(error);
            return;
          }
        }
        removed[index] = true;
      }),
    );
    return { removed, ...(errors.length > 0 ? { error: errors[0] } : {}) };
  }

  /** Adds Complete or Failed once every pod is counted and none is terminating. */
  #enactJobFinished(context: SyncContext): boolean {
    const condition = context.finishedCondition;
    if (!condition) return false;
    const uncounted = context.job.status.uncountedTerminatedPods;
    if ((uncounted?.succeeded?.length ?? 0) + (uncounted?.failed?.length ?? 0) > 0) return false;
    if (context.terminating > 0) return false;
    ensureCondition(
      context.job.status,
      condition.type,
      condition.status,
      condition.reason ?? '',
      condition.message ?? '',
      this.#clock.now(),
    );
    if (condition.type === JobConditionType.complete && condition.lastTransitionTime) {
      context.job.status.completionTime = condition.lastTransitionTime;
    }
    return true;
  }

  #recordJobFinished(job: Job, condition: JobCondition): void {
    if (condition.type === JobConditionType.complete) {
      const completions = job.spec?.completions;
      if (completions !== undefined && (job.status?.succeeded ?? 0) > completions) {
        this.#recordEvent(
          job,
          'Warning',
          'TooManySucceededPods',
          'Too many succeeded pods running after completion count reached',
        );
      }
      this.#recordEvent(job, 'Normal', 'Completed', 'Job completed');
    } else {
      this.#recordEvent(job, 'Warning', condition.reason ?? '', condition.message ?? '');
    }
  }

  /** A status PUT of the Job as this sync has it; the answer is what the sync goes on from. */
  async #updateStatus(context: SyncContext): Promise<void> {
    const { job } = context;
    const updated = await this.#client.update<Job>(
      jobsRef(job.metadata?.namespace),
      { ...job, status: wireStatus(job.status) },
      { subresource: 'status' },
    );
    const status: JobStatus = structuredClone(updated.status ?? {});
    status.uncountedTerminatedPods ??= {};
    context.job = { ...structuredClone(updated), status };
  }

  #recordEvent(job: Job, type: EventType, reason: string, message: string): void {
    const meta = job.metadata ?? {};
    this.#events.event(
      {
        kind: jobKind.kind,
        namespace: meta.namespace,
        name: meta.name,
        uid: meta.uid,
        apiVersion: jobKind.apiVersion,
        resourceVersion: meta.resourceVersion,
      },
      type,
      reason,
      message,
    );
  }
}

/** kube-controller-manager's Job controller. */
export const jobController: ControllerFactory = (context) => new JobController({ context });

// ---------------------------------------------------------------------------------------------------
// Pure helpers

function jobsRef(namespace: string | undefined): ResourceRef {
  return refFor(jobKind, namespace);
}

function podsRef(namespace: string | undefined): ResourceRef {
  return refFor('Pod', namespace);
}

function uidOf(object: KubeObject): string {
  return object.metadata?.uid ?? '';
}

function selectorOrUndefined(job: Job): Selector | undefined {
  try {
    return labelSelectorAsSelector(job.spec?.selector);
  } catch {
    return undefined;
  }
}

/** A pod's finalizer may go when the Job is going or done, or the pod is. */
function canRemoveFinalizer(context: SyncContext, pod: Pod, failed: boolean): boolean {
  return (
    Boolean(context.job.metadata?.deletionTimestamp) ||
    context.finishedCondition !== undefined ||
    pod.status?.phase === 'Succeeded' ||
    failed
  );
}

/** Finished pods not yet counted anywhere: they have a finalizer and are in no uncounted list. */
function newFinishedPods(context: SyncContext): { newSucceeded: Pod[]; newFailed: Pod[] } {
  const { job } = context;
  const completions = job.spec?.completions ?? 0;
  const valid = (pod: Pod, uncounted: ReadonlySet<string>) => {
    const uid = uidOf(pod);
    if (!hasTrackingFinalizer(pod) || uncounted.has(uid) || context.expectedRemovedFinalizers.has(uid))
      return false;
    if (isIndexed(job)) {
      const index = completionIndexOf(pod);
      if (index === UNKNOWN_COMPLETION_INDEX || index >= completions) return false;
    }
    return true;
  };
  return {
    newSucceeded: context.pods.filter(
      (pod) => valid(pod, context.uncounted.succeeded) && pod.status?.phase === 'Succeeded',
    ),
    newFailed: context.pods.filter((pod) => valid(pod, context.uncounted.failed) && isPodFailed(pod, job)),
  };
}

/** Indexes of succeeded pods not yet counted (they still have their finalizer), ascending. */
function newlySucceededIndexes(job: Job, pods: readonly Pod[]): number[] {
  const completions = job.spec?.completions ?? 0;
  const indexes = new Set<number>();
  for (const pod of pods) {
    const index = completionIndexOf(pod);
    if (
      pod.status?.phase === 'Succeeded' &&
      index !== UNKNOWN_COMPLETION_INDEX &&
      index < completions &&
      hasTrackingFinalizer(pod)
    ) {
      indexes.add(index);
    }
  }
  return [...indexes].sort((a, b) => a - b);
}

function requeueAfter(context: SyncContext, delayMs: number): void {
  const delay = Math.min(MAX_REQUEUE_MS, Math.max(0, delayMs));
  context.requeueAfterMs =
    context.requeueAfterMs === undefined ? delay : Math.min(context.requeueAfterMs, delay);
}
