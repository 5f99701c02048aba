import { describe, expect, it } from 'vitest';
import type { KubeObject, ResourceDefinition } from '../resource.js';
import { cronJobs, jobs } from './batch.js';

const now = Date.parse('2025-06-01T12:00:00Z');
const ago = (seconds: number) => new Date(now - seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

function row(resource: ResourceDefinition, object: KubeObject): Record<string, unknown> {
  return Object.fromEntries(
    (resource.columns ?? []).map((column) => [column.name, column.cell(object, now)]),
  );
}

const template = {
  spec: { restartPolicy: 'Never', containers: [{ name: 'migrate', image: 'shop/migrate:7' }] },
};

function job(spec: object, status: object, metadata: object = {}): KubeObject {
  return {
    metadata: { name: 'migrate', namespace: 'shop', creationTimestamp: ago(120), ...metadata },
    spec: {
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'c0ffee' } },
      template,
      ...spec,
    },
    status,
  };
}

describe('the job table', () => {
  it('prints a completed job as kubectl get jobs -o wide shows it', () => {
    const done = job(
      { completions: 1, parallelism: 1 },
      {
        startTime: ago(110),
        completionTime: ago(96),
        succeeded: 1,
        conditions: [
          { type: 'SuccessCriteriaMet', status: 'True' },
          { type: 'Complete', status: 'True' },
        ],
      },
    );
    expect(row(jobs, done)).toEqual({
      Name: 'migrate',
      Status: 'Complete',
      Completions: '1/1',
      Duration: '14s',
      Age: '2m',
      Containers: 'migrate',
      Images: 'shop/migrate:7',
      Selector: 'batch.kubernetes.io/controller-uid=c0ffee',
    });
  });

  it('measures a running job up to now', () => {
    const running = job({ completions: 3 }, { startTime: ago(200), succeeded: 1, active: 1 });
    const printed = row(jobs, running);
    expect([printed.Status, printed.Completions, printed.Duration]).toEqual(['Running', '1/3', '3m20s']);
  });

  it.each([
    ['a job without completions', {}, '0/1'],
    ['a parallel work queue', { parallelism: 4 }, '0/1 of 4'],
  ])('prints the completions of %s', (_, spec, expected) => {
    expect(row(jobs, job(spec, {})).Completions).toBe(expected);
  });

  it('leaves the duration blank before the job starts', () => {
    expect(row(jobs, job({ completions: 1 }, {})).Duration).toBe('');
  });

  it.each([
    ['Failed', { conditions: [{ type: 'Failed', status: 'True' }] }, {}],
    ['Suspended', { conditions: [{ type: 'Suspended', status: 'True' }] }, {}],
    ['FailureTarget', { conditions: [{ type: 'FailureTarget', status: 'True' }] }, {}],
    ['Terminating', {}, { deletionTimestamp: ago(1) }],
    ['Complete', { conditions: [{ type: 'Complete', status: 'True' }] }, { deletionTimestamp: ago(1) }],
  ])('shows %s', (expected, status, metadata) => {
    expect(row(jobs, job({}, status, metadata)).Status).toBe(expected);
  });

  it('selects jobs by status.successful, read from status.succeeded', () => {
    expect(jobs.fieldSelectors?.['status.successful']?.(job({}, { succeeded: 2 }))).toBe('2');
    expect(jobs.fieldSelectors?.['status.successful']?.(job({}, {}))).toBe('0');
  });
});

describe('the cron job table', () => {
  const nightly = (spec: object, status: object): KubeObject => ({
    metadata: { name: 'nightly', namespace: 'shop', creationTimestamp: ago(9 * 86_400) },
    spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template } }, ...spec },
    status,
  });

  it('prints a cron job as kubectl get cronjobs -o wide shows it', () => {
    const cronJob = nightly(
      { suspend: false, timeZone: 'Europe/Berlin' },
      {
        active: [{ kind: 'Job', name: 'nightly-29145', namespace: 'shop' }],
        lastScheduleTime: ago(21 * 3600),
      },
    );
    expect(row(cronJobs, cronJob)).toEqual({
      Name: 'nightly',
      Schedule: '0 3 * * *',
      Timezone: 'Europe/Berlin',
      Suspend: 'False',
      Active: 1,
      'Last Schedule': '21h',
      Age: '9d',
      Containers: 'migrate',
      Images: 'shop/migrate:7',
      Selector: '<none>',
    });
  });

  it('prints <none> for a cron job never scheduled and without a time zone, <unset> without suspend', () => {
    const printed = row(cronJobs, nightly({}, {}));
    expect([printed.Timezone, printed.Suspend, printed.Active, printed['Last Schedule']]).toEqual([
      '<none>',
      '<unset>',
      0,
      '<none>',
    ]);
  });
});
