/**
 * When a CronJob runs, and what it runs: upstream's pkg/controller/cronjob/utils.go. Pure functions
 * of the CronJob, its parsed schedule and the time; the controller (../cronjob.ts) acts on them.
 *
 *   schedule `0/5 * * * *` (every five minutes), created 12:01, lastScheduleTime unset, now 12:17:30
 *     mostRecentScheduleTime → 12:15 (12:05 and 12:10 were missed too: "few" missed)
 *     the Job for it         → `<name>-29000895` (12:15 as minutes since the epoch)
 *     requeue after          → 12:20:00.1 − now (the next time, plus 100 ms against clock skew)
 */

import type { Schedule } from '../../api/cron/schedule.js';
import { TimeZone } from '../../api/cron/time-zone.js';
import { type Job, jobKind } from '../job/types.js';
import { controllerRef, formatTime, timeOf } from '../pods.js';
import { type CronJob, cronJobKind } from './types.js';

/** Added to every requeue, so a clock a little behind still wakes after the scheduled time. */
export const NEXT_SCHEDULE_DELTA_MS = 100;

/** More missed times than this are not worth listing (a wedged controller, a clock off by years). */
const MANY_MISSED = 100;

export type MissedSchedules = 'none' | 'few' | 'many';

export interface MostRecentScheduleTime {
  /** lastScheduleTime, else creationTimestamp (moved up to the starting deadline when asked). */
  readonly earliest: number;
  /** The latest time at or before now the job should have run, if any. */
  readonly mostRecent?: number;
  readonly missed: MissedSchedules;
  /** A schedule that parses but never fires twice a second apart (`0 0 31 2 *`). */
  readonly error?: string;
}

/**
 * The last time the CronJob should have started a Job, counting from its last schedule (or its
 * creation). Rather than walking every missed time since then, it estimates how many fit between the
 * first two and walks from just before the estimate, as upstream does, so a schedule missed for a
 * year costs a few steps.
 */
export function mostRecentScheduleTime(
  cronJob: CronJob,
  now: number,
  schedule: Schedule,
  includeStartingDeadlineSeconds: boolean,
): MostRecentScheduleTime {
  let earliest = timeOf(cronJob.metadata?.creationTimestamp);
  const last = cronJob.status?.lastScheduleTime;
  if (last) earliest = timeOf(last);
  const deadlineSeconds = cronJob.spec?.startingDeadlineSeconds;
  if (includeStartingDeadlineSeconds && deadlineSeconds !== undefined && deadlineSeconds !== null) {
    // Nothing before this point will be started anyway.
    earliest = Math.max(earliest, now - deadlineSeconds * 1000);
  }
  const first = schedule.next(earliest);
  const second = first === undefined ? undefined : schedule.next(first);
  if (first !== undefined && now < first) return { earliest, missed: 'none' };
  if (first !== undefined && second !== undefined && now < second)
    return { earliest, mostRecent: first, missed: 'none' };
  const interval = first !== undefined && second !== undefined ? Math.round((second - first) / 1000) : 0;
  if (first === undefined || interval < 1) {
    return { earliest, missed: 'none', error: 'time difference between two schedules is less than 1 second' };
  }
  const elapsed = Math.trunc((now - first) / 1000);
  const missedCount = Math.trunc(elapsed / interval) + 1;
  // One interval short of the estimate, so irregular schedules (30 6-16/4 * * 1-5) land right.
  const from = first + (missedCount - 2) * interval * 1000;
  let mostRecent: number | undefined;
  for (let t = schedule.next(from); t !== undefined && t <= now; t = schedule.next(t)) mostRecent = t;
  const missed: MissedSchedules = missedCount > MANY_MISSED ? 'many' : missedCount > 0 ? 'few' : 'none';
  return mostRecent === undefined ? { earliest, missed } : { earliest, mostRecent, missed };
}

/** How long until the CronJob should be looked at again: its next time after the last one due, + 100 ms. */
export function nextScheduleTimeDuration(cronJob: CronJob, now: number, schedule: Schedule): number {
  const { earliest, mostRecent, missed, error } = mostRecentScheduleTime(cronJob, now, schedule, false);
  // With no time due, count from the earliest time; with times missed that cannot be named, from now.
  const from = error !== undefined ? now : (mostRecent ?? (missed === 'none' ? earliest : now));
  const next = schedule.next(from);
  // A schedule with no next time: look again in a while rather than never (upstream would wait ~forever).
  if (next === undefined) return 24 * 3_600_000;
  return next + NEXT_SCHEDULE_DELTA_MS - now;
}

export interface NextScheduleTime {
  /** The unmet time to start a Job for, if any. */
  readonly time?: number;
  readonly manyMissed: boolean;
  readonly error?: string;
}

/** The time to start a Job for now, if one is due (the starting deadline counted). */
export function nextScheduleTime(cronJob: CronJob, now: number, schedule: Schedule): NextScheduleTime {
  const { mostRecent, missed, error } = mostRecentScheduleTime(cronJob, now, schedule, true);
  const base = error === undefined ? {} : { error };
  if (mostRecent === undefined || mostRecent > now) return { manyMissed: false, ...base };
  return { time: mostRecent, manyMissed: missed === 'many', ...base };
}

/**
 * The schedule the controller parses: `spec.schedule`, prefixed with `TZ=<spec.timeZone> ` when a
 * zone is set and known. `unsupportedTimeZonePrefix` when the schedule itself names a zone, which
 * upstream warns about (UnsupportedSchedule) but honours.
 */
export function formatSchedule(cronJob: CronJob): { spec: string; unsupportedTimeZonePrefix: boolean } {
  const schedule = cronJob.spec?.schedule ?? '';
  if (schedule.includes('TZ')) return { spec: schedule, unsupportedTimeZonePrefix: true };
  const zone = cronJob.spec?.timeZone;
  if (zone !== undefined && zone !== null) {
    try {
      TimeZone.load(zone);
    } catch {
      return { spec: schedule, unsupportedTimeZonePrefix: false };
    }
    return { spec: `TZ=${zone} ${schedule}`, unsupportedTimeZonePrefix: false };
  }
  return { spec: schedule, unsupportedTimeZonePrefix: false };
}

/** `<cronjob>-<scheduled time in minutes since the epoch>`: the same time always makes the same name. */
export function jobName(cronJob: CronJob, scheduledTime: number): string {
  return `${cronJob.metadata?.name ?? ''}-${Math.floor(scheduledTime / 60_000)}`;
}

export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

/**
 * Upstream's getJobFromTemplate2: the template's labels, annotations and spec, the scheduled time as
 * an annotation (RFC 3339 in the CronJob's zone), owned by the CronJob.
 */
export function jobFromTemplate(cronJob: CronJob, scheduledTime: number): Job {
  const template = cronJob.spec?.jobTemplate ?? {};
  const zone = TimeZone.load(cronJob.spec?.timeZone ?? '');
  const labels = template.metadata?.labels;
  return {
    apiVersion: jobKind.apiVersion,
    kind: jobKind.kind,
    metadata: {
      name: jobName(cronJob, scheduledTime),
      // The server sets its own; upstream sends the scheduled time.
      creationTimestamp: formatTime(scheduledTime),
      ...(labels && Object.keys(labels).length > 0 ? { labels: { ...labels } } : {}),
      annotations: {
        ...template.metadata?.annotations,
        [SCHEDULED_TIMESTAMP_ANNOTATION]: zone.formatRfc3339(scheduledTime),
      },
      ownerReferences: [controllerRef(cronJob, cronJobKind)],
    },
    spec: structuredClone(template.spec ?? {}),
  };
}

/** Oldest first by status.startTime (never started last), then by name: upstream's byJobStartTime. */
export function byJobStartTime(a: Job, b: Job): number {
  const startA = a.status?.startTime;
  const startB = b.status?.startTime;
  if (!startA && startB) return 1;
  if (startA && !startB) return -1;
  const difference = timeOf(startA) - timeOf(startB);
  if (difference !== 0) return difference;
  const nameA = a.metadata?.name ?? '';
  const nameB = b.metadata?.name ?? '';
  return nameA < nameB ? -1 : nameA > nameB ? 1 : 0;
}
