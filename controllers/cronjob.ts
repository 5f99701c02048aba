/**
 * The CronJob controller, as kube-controller-manager's (pkg/controller/cronjob, the v2 controller that
 * requeues each CronJob for its next time instead of polling every 10 s): it starts a Job from
 * `spec.jobTemplate` at each time the schedule names (cronjob/schedule.ts), minding the concurrency
 * policy, the starting deadline and suspension, tracks the Jobs it started in `status.active`, and
 * deletes finished ones beyond the history limits.
 *
 * One reconcile of `namespace/name` (upstream's sync), from the informers' caches:
 *
 *   the namespace's Jobs whose controller reference names this CronJob
 *   history: finished Jobs beyond successfulJobsHistoryLimit (3) / failedJobsHistoryLimit (1) are
 *     deleted, oldest first
 *   status.active: a finished Job leaves it (SawCompletedJob), a vanished one too (MissingJob, after
 *     asking the API); a succeeded Job's completionTime becomes lastSuccessfulTime
 *   unless being deleted, suspended, or the zone or schedule is bad:
 *     the most recent unmet time; none → requeue at the next
 *     older than startingDeadlineSeconds → MissSchedule, requeue
 *     already started (named in active, or lastScheduleTime) → requeue
 *     Forbid with a Job active → JobAlreadyActive, requeue
 *     Replace → the active Jobs deleted (in the background)
 *     the Job `<name>-<minutes since the epoch>` created, added to active, lastScheduleTime set
 *   one status write if anything changed; requeue 100 ms after the next time
 *
 * Names make the creation idempotent: a Job for the same time already there (a crash between create
 * and status write) is taken into the active list instead of made twice.
 */

import { parseSchedule, type Schedule } from '../api/cron/schedule.js';
import { TimeZone } from '../api/cron/time-zone.js';
import { goQuote } from '../api/go-quote.js';
import type { OwnerReference } from '../api/resource.js';
import { isStatusError } from '../api/status.js';
import type { Clock } from '../client/clock.js';
import { EventRecorder, type EventType, type ObjectReference } from '../client/event-recorder.js';
import { namespaceIndex, objectKey, splitKey } from '../client/indexed-store.js';
import type { Informer } from '../client/informer.js';
import { refFor } from '../client/refs.js';
import type { KubeClient, ResourceRef } from '../client/types.js';
import type { WorkQueue } from '../client/work-queue.js';
import {
  byJobStartTime,
  formatSchedule,
  jobFromTemplate,
  jobName,
  nextScheduleTime,
  nextScheduleTimeDuration,
} from './cronjob/scheduling.js';
import { type CronJob, type CronJobStatus, cronJobKind } from './cronjob/types.js';
import {
  type Controller,
  type ControllerContext,
  type ControllerFactory,
  QueueController,
  type ReconcileResult,
} from './framework.js';
import { finishedCondition, isJobFinished, isJobSucceeded, type Job, jobKind } from './job/types.js';
import {
  controllerOf,
  eventKeyOf,
  formatTime,
  hasStatusCause,
  messageOf,
  NAMESPACE_TERMINATING_CAUSE,
  timeOf,
} from './pods.js';

export type { CronJob } from './cronjob/types.js';

/**
 * The longest wait handed to the queue: a timer cannot wait 2^31 ms (24.8 days) or more, and a yearly
 * schedule's next time is further off. A CronJob looked at early just asks to wait again.
 */
const MAX_REQUEUE_MS = 24 * 3_600_000;

export interface CronJobControllerOptions {
  readonly context: ControllerContext;
  readonly workers?: number;
}

/** What one sync decided: when to look again, whether the status changed, what went wrong. */
interface SyncOutcome {
  readonly requeueAfterMs?: number;
  readonly error?: unknown;
}

export class CronJobController implements Controller {
  readonly name = 'cronjob-controller';
  readonly #client: KubeClient;
  readonly #clock: Clock;
  readonly #jobs: Informer<Job>;
  readonly #cronJobs: Informer<CronJob>;
  readonly #queue: QueueController;
  readonly #events: EventRecorder;

  constructor(options: CronJobControllerOptions) {
    const { context } = options;
    this.#client = context.client;
    this.#clock = context.clock;
    this.#events = new EventRecorder({
      client: context.client,
      component: 'cronjob-controller',
      clock: context.clock,
      onError: (error, event) => context.onError(this.name, eventKeyOf(event), error),
    });
    this.#queue = new QueueController({
      name: this.name,
      context,
      reconcile: (key) => this.reconcile(key),
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
    });
    this.#jobs = context.informers.informerFor<Job>(refFor(jobKind));
    this.#cronJobs = context.informers.informerFor<CronJob>(refFor(cronJobKind));
    this.#cronJobs.addEventHandler({
      onAdd: (cronJob) => this.#queue.enqueue(objectKey(cronJob)),
      onUpdate: (old, cronJob) => this.#cronJobUpdated(old, cronJob),
      onDelete: (cronJob) => this.#queue.enqueue(objectKey(cronJob)),
    });
    this.#jobs.addEventHandler({
      // A Job seen for the first time, even one being deleted, wakes its CronJob.
      onAdd: (job) => this.#jobChanged(job),
      onUpdate: (old, job) => {
        if (old.metadata?.resourceVersion === job.metadata?.resourceVersion) return;
        const owner = controllerOf(job);
        const oldOwner = controllerOf(old);
        if (oldOwner && (oldOwner.uid !== owner?.uid || oldOwner.name !== owner?.name)) this.#jobChanged(old);
        this.#jobChanged(job);
      },
      onDelete: (job) => this.#jobChanged(job),
    });
  }

  /** The work queue (tests look at what the handlers enqueued). */
  get queue(): WorkQueue<string> {
    return this.#queue.queue;
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await this.#queue.run(signal);
    } finally {
      await this.#events.stop();
    }
  }

  // ---- event handlers ----

  /** A Job's CronJob (by its controller reference) looks at it again. */
  #jobChanged(job: Job): void {
    const owner = controllerOf(job);
    if (!owner) return;
    const cronJob = this.#resolveControllerRef(job.metadata?.namespace, owner);
    if (cronJob) this.#queue.enqueue(objectKey(cronJob));
  }

  /**
   * A new schedule (or zone) moves the next look to the new next time; anything else is looked at
   * now, and acted on if it falls within a starting window.
   */
  #cronJobUpdated(old: CronJob, cronJob: CronJob): void {
    const key = objectKey(cronJob);
    if (old.spec?.schedule === cronJob.spec?.schedule && old.spec?.timeZone === cronJob.spec?.timeZone) {
      this.#queue.enqueue(key);
      return;
    }
    let schedule: Schedule;
    try {
      schedule = parseSchedule(formatSchedule(cronJob).spec);
    } catch {
      this.#recordEvent(
        cronJob,
        'Warning',
        'UnParseableCronJobSchedule',
        `unparseable schedule for cronjob: ${cronJob.spec?.schedule ?? ''}`,
      );
      return;
    }
    this.#queue.queue.addAfter(
      key,
      Math.max(0, nextScheduleTimeDuration(cronJob, this.#clock.now(), schedule)),
    );
  }

  #resolveControllerRef(namespace: string | undefined, owner: OwnerReference): CronJob | undefined {
    if (owner.kind !== cronJobKind.kind) return undefined;
    const cronJob = this.#cronJobs.store.getByName(namespace, owner.name);
    return cronJob?.metadata?.uid === owner.uid ? cronJob : undefined;
  }

  // ---- reconcile ----

  /** One CronJob (`namespace/name`); see the module comment. */
  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const { namespace, name } = splitKey(key);
    const cached = this.#cronJobs.store.getByName(namespace, name);
    if (!cached) return undefined;
    // Every Job whose controller reference names this CronJob, even ones that no longer match its labels.
    const jobs = this.#jobs.store
      .byIndex(namespaceIndex, namespace ?? '')
      .filter((job) => controllerOf(job)?.name === name);
    const state = { cronJob: withStatus(cached), changed: false };
    if (await this.#cleanupFinishedJobs(state.cronJob, jobs)) state.changed = true;
    const outcome = await this.#syncCronJob(state, jobs);
    if (state.changed) {
      await this.#client.update<CronJob>(
        cronJobsRef(namespace),
        { ...state.cronJob, status: wireStatus(state.cronJob.status) },
        { subresource: 'status' },
      );
    }
    if (outcome.requeueAfterMs !== undefined) {
      return { requeueAfterMs: Math.min(MAX_REQUEUE_MS, Math.max(0, outcome.requeueAfterMs)) };
    }
    if (outcome.error !== undefined) throw outcome.error;
    return undefined;
  }

  /** Upstream's syncCronJob; edits `state.cronJob` (which a fresh read may replace) and sets `changed`. */
  async #syncCronJob(
    state: { cronJob: CronJob & { status: CronJobStatus }; changed: boolean },
    jobs: readonly Job[],
  ): Promise<SyncOutcome> {
    const now = this.#clock.now();
    const children = new Set(jobs.map((job) => job.metadata?.uid));
    for (const job of jobs) {
      const uid = job.metadata?.uid ?? '';
      const found = inActiveList(state.cronJob, uid);
      if (!found && !isJobFinished(job)) {
        // Perhaps our own status write is not in the cache yet: ask the API before complaining.
        let fresh: CronJob;
        try {
          fresh = await this.#client.get<CronJob>(
            cronJobsRef(state.cronJob.metadata?.namespace),
            state.cronJob.metadata?.name ?? '',
          );
        } catch (error) {
          return { error };
        }
        if (inActiveList(fresh, uid)) {
          state.cronJob = withStatus(fresh);
          continue;
        }
        this.#recordEvent(
          state.cronJob,
          'Warning',
          'UnexpectedJob',
          `Saw a job that the controller did not create or forgot: ${job.metadata?.name}`,
        );
      } else if (found && isJobFinished(job)) {
        removeFromActiveList(state.cronJob, uid);
        this.#recordEvent(
          state.cronJob,
          'Normal',
          'SawCompletedJob',
          `Saw completed job: ${job.metadata?.name}, status: ${finishedCondition(job)?.type}`,
        );
        state.changed = true;
      } else if (isJobSucceeded(job)) {
        // Whether or not it was ever active, a succeeded Job's time counts.
        const completed = job.status?.completionTime;
        const status = state.cronJob.status;
        if (!status.lastSuccessfulTime) {
          if (completed) status.lastSuccessfulTime = completed;
          state.changed = true;
        }
        if (completed && timeOf(completed) > timeOf(status.lastSuccessfulTime)) {
          status.lastSuccessfulTime = completed;
          state.changed = true;
        }
      }
    }

    // An active Job that no longer exists would hold a Forbid CronJob forever: drop it, once the API
    // confirms (the cache may just be slow).
    for (const reference of [...(state.cronJob.status.active ?? [])]) {
      if (children.has(reference.uid)) continue;
      try {
        await this.#client.get(jobsRef(reference.namespace), reference.name ?? '');
      } catch (error) {
        if (!isStatusError(error, 'NotFound')) return { error };
        this.#recordEvent(
          state.cronJob,
          'Normal',
          'MissingJob',
          `Active job went missing: ${reference.name}`,
        );
        removeFromActiveList(state.cronJob, reference.uid ?? '');
        state.changed = true;
      }
    }

    const cronJob = state.cronJob;
    // Being deleted: nothing more than the status.
    if (cronJob.metadata?.deletionTimestamp) return {};
    const zone = cronJob.spec?.timeZone;
    if (zone !== undefined && zone !== null) {
      try {
        TimeZone.load(zone);
      } catch (error) {
        this.#recordEvent(
          cronJob,
          'Warning',
          'UnknownTimeZone',
          `invalid timeZone: ${goQuote(zone)}: ${messageOf(error)}`,
        );
        return {};
      }
    }
    if (cronJob.spec?.suspend === true) return {};

    const formatted = formatSchedule(cronJob);
    if (formatted.unsupportedTimeZonePrefix) {
      this.#recordEvent(
        cronJob,
        'Warning',
        'UnsupportedSchedule',
        `CRON_TZ or TZ used in schedule ${goQuote(cronJob.spec?.schedule ?? '')} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`,
      );
    }
    let schedule: Schedule;
    try {
      schedule = parseSchedule(formatted.spec);
    } catch (error) {
      // A user's mistake: nothing to retry until the spec changes.
      this.#recordEvent(
        cronJob,
        'Warning',
        'UnparseableSchedule',
        `unparseable schedule: ${goQuote(cronJob.spec?.schedule ?? '')} : ${messageOf(error)}`,
      );
      return {};
    }
    const next = nextScheduleTime(cronJob, now, schedule);
    if (next.error !== undefined) {
      this.#recordEvent(
        cronJob,
        'Warning',
        'InvalidSchedule',
        `invalid schedule: ${cronJob.spec?.schedule} : ${next.error}`,
      );
      return {};
    }
    if (next.manyMissed) {
      this.#recordEvent(
        cronJob,
        'Warning',
        'TooManyMissedTimes',
        'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew',
      );
    }
    const requeue = () => ({ requeueAfterMs: nextScheduleTimeDuration(cronJob, now, schedule) });
    const scheduledTime = next.time;
    // Nothing due: only after a restart, as the queue otherwise wakes it at its times.
    if (scheduledTime === undefined) return requeue();

    const deadline = cronJob.spec?.startingDeadlineSeconds;
    if (deadline !== undefined && deadline !== null && scheduledTime + deadline * 1000 < now) {
      this.#recordEvent(
        cronJob,
        'Warning',
        'MissSchedule',
        `Missed scheduled time to start a job: ${formatRfc1123z(scheduledTime)}`,
      );
      return requeue();
    }
    const name = jobName(cronJob, scheduledTime);
    const alreadyStarted =
      (cronJob.status.active ?? []).some(
        (reference) => reference.name === name && reference.namespace === cronJob.metadata?.namespace,
      ) || timeOf(cronJob.status.lastScheduleTime) === scheduledTime;
    if (alreadyStarted) return requeue();
    const policy = cronJob.spec?.concurrencyPolicy;
    if (policy === 'Forbid' && (cronJob.status.active ?? []).length > 0) {
      this.#recordEvent(
        cronJob,
        'Normal',
        'JobAlreadyActive',
        'Not starting job because prior execution is running and concurrency policy is Forbid',
      );
      return requeue();
    }
    if (policy === 'Replace') {
      for (const reference of [...(cronJob.status.active ?? [])]) {
        let job: Job;
        try {
          job = await this.#client.get<Job>(jobsRef(reference.namespace), reference.name ?? '');
        } catch (error) {
          this.#recordEvent(cronJob, 'Warning', 'FailedGet', `Get job: ${messageOf(error)}`);
          return { error };
        }
        if (!(await this.#deleteJob(cronJob, job))) {
          return {
            error: new Error(`could not replace job ${job.metadata?.namespace}/${job.metadata?.name}`),
          };
        }
        state.changed = true;
      }
    }

    const request = jobFromTemplate(cronJob, scheduledTime);
    const ref = jobsRef(cronJob.metadata?.namespace);
    let created: Job;
    let existed = false;
    try {
      created = await this.#client.create<Job>(ref, request);
    } catch (error) {
      // The namespace is going away: every create would fail.
      if (hasStatusCause(error, NAMESPACE_TERMINATING_CAUSE)) return { error };
      if (!isStatusError(error, 'AlreadyExists')) {
        this.#recordEvent(cronJob, 'Warning', 'FailedCreate', `Error creating job: ${messageOf(error)}`);
        return { error };
      }
      // Made before: by us, before a status write that was lost, or by someone else.
      existed = true;
      try {
        created = await this.#client.get<Job>(ref, name);
      } catch (getError) {
        return { error: getError };
      }
      if (controllerOf(created)?.uid !== cronJob.metadata?.uid) return {};
      if (inActiveList(cronJob, created.metadata?.uid ?? '')) return {};
    }
    if (!existed)
      this.#recordEvent(cronJob, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata?.name}`);
    (cronJob.status.active ??= []).push(referenceTo(created));
    cronJob.status.lastScheduleTime = formatTime(scheduledTime);
    state.changed = true;
    return requeue();
  }

  /**
   * Deletes finished Jobs beyond the history limits, oldest first (by start time). Returns whether
   * the status changed (a deleted Job left the active list).
   */
  async #cleanupFinishedJobs(
    cronJob: CronJob & { status: CronJobStatus },
    jobs: readonly Job[],
  ): Promise<boolean> {
    const successfulLimit = cronJob.spec?.successfulJobsHistoryLimit;
    const failedLimit = cronJob.spec?.failedJobsHistoryLimit;
    if (successfulLimit === undefined && failedLimit === undefined) return false;
    const successful: Job[] = [];
    const failed: Job[] = [];
    for (const job of jobs) {
      const type = finishedCondition(job)?.type;
      if (type === 'Complete') successful.push(job);
      else if (type === 'Failed') failed.push(job);
    }
    let changed = false;
    for (const [finished, limit] of [
      [successful, successfulLimit],
      [failed, failedLimit],
    ] as const) {
      if (limit === undefined || limit === null) continue;
      const excess = finished.length - limit;
      if (excess <= 0) continue;
      const oldestFirst = [...finished].sort(byJobStartTime);
      for (const job of oldestFirst.slice(0, excess)) if (await this.#deleteJob(cronJob, job)) changed = true;
    }
    return changed;
  }

  /** Deletes a Job (its pods follow in the background) and drops it from the active list. */
  async #deleteJob(cronJob: CronJob & { status: CronJobStatus }, job: Job): Promise<boolean> {
    try {
      await this.#client.delete(jobsRef(job.metadata?.namespace), job.metadata?.name ?? '', {
        propagationPolicy: 'Background',
      });
    } catch (error) {
      this.#recordEvent(cronJob, 'Warning', 'FailedDelete', `Deleted job: ${messageOf(error)}`);
      return false;
    }
    removeFromActiveList(cronJob, job.metadata?.uid ?? '');
    this.#recordEvent(cronJob, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata?.name}`);
    return true;
  }

  #recordEvent(cronJob: CronJob, type: EventType, reason: string, message: string): void {
    const meta = cronJob.metadata ?? {};
    this.#events.event(
      {
        kind: cronJobKind.kind,
        namespace: meta.namespace,
        name: meta.name,
        uid: meta.uid,
        apiVersion: cronJobKind.apiVersion,
        resourceVersion: meta.resourceVersion,
      },
      type,
      reason,
      message,
    );
  }
}

/** kube-controller-manager's CronJob controller (v2). */
export const cronJobController: ControllerFactory = (context) => new CronJobController({ context });

// ---------------------------------------------------------------------------------------------------
// Helpers

function cronJobsRef(namespace: string | undefined): ResourceRef {
  return refFor(cronJobKind, namespace);
}

function jobsRef(namespace: string | undefined): ResourceRef {
  return refFor(jobKind, namespace);
}

function withStatus(cronJob: CronJob): CronJob & { status: CronJobStatus } {
  const copy = structuredClone(cronJob) as CronJob & { status: CronJobStatus };
  copy.status ??= {};
  return copy;
}

function inActiveList(cronJob: CronJob, uid: string): boolean {
  return (cronJob.status?.active ?? []).some((reference) => reference.uid === uid);
}

function removeFromActiveList(cronJob: CronJob & { status: CronJobStatus }, uid: string): void {
  cronJob.status.active = (cronJob.status.active ?? []).filter((reference) => reference.uid !== uid);
}

/** The reference status.active holds (client-go's GetReference of the created Job). */
function referenceTo(job: Job): ObjectReference {
  const meta = job.metadata ?? {};
  return {
    kind: jobKind.kind,
    namespace: meta.namespace,
    name: meta.name,
    uid: meta.uid,
    apiVersion: jobKind.apiVersion,
    resourceVersion: meta.resourceVersion,
  };
}

/** As upstream's JSON: an empty active list is left out. */
function wireStatus(status: CronJobStatus): CronJobStatus {
  const { active, lastScheduleTime, lastSuccessfulTime, ...rest } = status;
  return {
    ...(active && active.length > 0 ? { active } : {}),
    ...(lastScheduleTime ? { lastScheduleTime } : {}),
    ...(lastSuccessfulTime ? { lastSuccessfulTime } : {}),
    ...rest,
  };
}

const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Go's time.RFC1123Z in UTC: `Wed, 01 Jan 2025 12:00:00 +0000`. */
function formatRfc1123z(instant: number): string {
  const date = new Date(instant);
  const two = (value: number) => String(value).padStart(2, '0');
  return `${days[date.getUTCDay()]}, ${two(date.getUTCDate())} ${months[date.getUTCMonth()]} ${date.getUTCFullYear()} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;
}
