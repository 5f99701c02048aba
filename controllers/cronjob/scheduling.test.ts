import { describe, expect, it } from 'vitest';
import { parseSchedule } from '../../api/cron/schedule.js';
import type { Job } from '../job/types.js';
import {
  byJobStartTime,
  formatSchedule,
  jobFromTemplate,
  jobName,
  mostRecentScheduleTime,
  nextScheduleTime,
  nextScheduleTimeDuration,
} from './scheduling.js';
import type { CronJob } from './types.js';

const t = (time: string) => Date.parse(`2025-01-01T${time}Z`);

function cronJob(spec: CronJob['spec'] = {}, status: CronJob['status'] = {}): CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: {
      name: 'nightly',
      namespace: 'default',
      uid: 'cj-uid',
      creationTimestamp: '2025-01-01T12:01:00Z',
    },
    spec: { schedule: '0/5 * * * *', ...spec },
    status,
  };
}

describe('when a CronJob runs', () => {
  const everyFive = parseSchedule('0/5 * * * *');

  it.each([
    ['before the first time', cronJob(), '12:03:00', { missed: 'none' }],
    ['at the first time', cronJob(), '12:05:00', { mostRecent: t('12:05:00'), missed: 'none' }],
    ['several times missed: the latest', cronJob(), '12:17:30', { mostRecent: t('12:15:00'), missed: 'few' }],
    [
      'counting from lastScheduleTime',
      cronJob({}, { lastScheduleTime: '2025-01-01T12:15:00Z' }),
      '12:17:30',
      { missed: 'none' },
    ],
  ])('%s', (_name, subject, now, expected) => {
    const result = mostRecentScheduleTime(subject, t(now), everyFive, true);
    expect({ mostRecent: result.mostRecent, missed: result.missed }).toEqual({
      mostRecent: undefined,
      ...expected,
    });
  });

  it('counts more than 100 missed times as many, and still names the latest', () => {
    const result = mostRecentScheduleTime(cronJob(), t('23:59:30'), parseSchedule('* * * * *'), true);
    expect(result).toMatchObject({ mostRecent: t('23:59:00'), missed: 'many' });
  });

  it('starts nothing older than the starting deadline', () => {
    const subject = cronJob({ startingDeadlineSeconds: 60 });
    expect(nextScheduleTime(subject, t('12:17:30'), everyFive)).toEqual({ manyMissed: false });
    expect(nextScheduleTime(subject, t('12:15:40'), everyFive)).toEqual({
      time: t('12:15:00'),
      manyMissed: false,
    });
  });

  it('reports a schedule that never fires twice', () => {
    const result = nextScheduleTime(cronJob(), t('12:17:30'), parseSchedule('0 0 30 2 *'));
    expect(result.error).toBe('time difference between two schedules is less than 1 second');
  });

  it('requeues 100 ms after the next time', () => {
    expect(nextScheduleTimeDuration(cronJob(), t('12:03:00'), everyFive)).toBe(2 * 60_000 + 100);
    const started = cronJob({}, { lastScheduleTime: '2025-01-01T12:15:00Z' });
    expect(nextScheduleTimeDuration(started, t('12:15:00.050'), everyFive)).toBe(5 * 60_000 + 50);
  });

  it('reads the schedule in spec.timeZone, unless the schedule names a zone itself', () => {
    expect(formatSchedule(cronJob({ timeZone: 'Europe/Paris' }))).toEqual({
      spec: 'TZ=Europe/Paris 0/5 * * * *',
      unsupportedTimeZonePrefix: false,
    });
    expect(formatSchedule(cronJob({ schedule: 'CRON_TZ=UTC 0 * * * *' }))).toEqual({
      spec: 'CRON_TZ=UTC 0 * * * *',
      unsupportedTimeZonePrefix: true,
    });
  });
});

describe('the Job a CronJob starts', () => {
  it('is named by its scheduled minute, annotated with the time in the zone, and owned by the CronJob', () => {
    const subject = cronJob({
      timeZone: 'America/New_York',
      jobTemplate: {
        metadata: { labels: { app: 'report' }, annotations: { team: 'data' } },
        spec: { template: { spec: { restartPolicy: 'Never' } } },
      },
    });
    const job = jobFromTemplate(subject, t('12:15:00'));
    expect(jobName(subject, t('12:15:00'))).toBe(`nightly-${t('12:15:00') / 60_000}`);
    expect(job).toEqual({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: `nightly-${t('12:15:00') / 60_000}`,
        creationTimestamp: '2025-01-01T12:15:00Z',
        labels: { app: 'report' },
        annotations: {
          team: 'data',
          'batch.kubernetes.io/cronjob-scheduled-timestamp': '2025-01-01T07:15:00-05:00',
        },
        ownerReferences: [
          {
            apiVersion: 'batch/v1',
            kind: 'CronJob',
            name: 'nightly',
            uid: 'cj-uid',
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: { template: { spec: { restartPolicy: 'Never' } } },
    });
  });

  it('orders Jobs oldest first by start time, unstarted last, then by name', () => {
    const job = (name: string, startTime?: string): Job => ({
      metadata: { name },
      status: startTime ? { startTime } : {},
    });
    const jobs = [
      job('d'),
      job('c', '2025-01-01T12:10:00Z'),
      job('a', '2025-01-01T12:05:00Z'),
      job('b', '2025-01-01T12:05:00Z'),
    ];
    expect(jobs.sort(byJobStartTime).map((each) => each.metadata?.name)).toEqual(['a', 'b', 'c', 'd']);
  });
});
