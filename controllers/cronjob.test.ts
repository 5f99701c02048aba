import { afterEach, describe, expect, it } from 'vitest';
import { InformerFactory } from '../client/informer-factory.js';
import { refFor } from '../client/refs.js';
import { FakeClock, settle } from '../client/testing/fake-clock.js';
import { MemoryClient } from '../client/testing/memory-client.js';
import { RecordingClient } from '../client/testing/recording-client.js';
import { type CronJob, CronJobController } from './cronjob.js';
import type { ControllerContext } from './framework.js';
import type { Job } from './job/types.js';

/**
 * The CronJob controller over a memory client, recording every write, on a fake clock: time moves
 * only when the test says, so a schedule's minutes pass in microseconds. The test plays the Job
 * controller by writing Job conditions.
 */
const CREATED = Date.UTC(2025, 0, 1, 12, 0, 0);
const minute = (n: number) => CREATED + n * 60_000;
const stamp = (instant: number) => `${new Date(instant).toISOString().slice(0, 19)}Z`;
const cronJobsRef = refFor({ apiVersion: 'batch/v1', kind: 'CronJob' }, 'default');
const jobsRef = refFor({ apiVersion: 'batch/v1', kind: 'Job' }, 'default');
/** The name of the Job for `minute(n)`. */
const jobFor = (n: number) => `nightly-${minute(n) / 60_000}`;

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function setup(spec: Partial<NonNullable<CronJob['spec']>> = {}) {
  const clock = new FakeClock(CREATED);
  const memory = new MemoryClient({ clock });
  const cronJob = await memory.create<CronJob>(cronJobsRef, {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'nightly', namespace: 'default' },
    spec: {
      schedule: '*/1 * * * *',
      concurrencyPolicy: 'Allow',
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: {
        metadata: { labels: { app: 'report' } },
        spec: {
          template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
        },
      },
      ...spec,
    },
  });
  const client = new RecordingClient(memory, clock);
  const informers = new InformerFactory({ client, clock });
  const errors: unknown[] = [];
  const context: ControllerContext = {
    client,
    informers,
    clock,
    onError: (_controller, _key, error) => errors.push(error),
  };
  const controller = new CronJobController({ context });
  informers.start();
  await informers.waitForSync();
  stops.push(() => informers.stop());
  const isEvent = (summary: string) =>
    summary.startsWith('create events') || summary.startsWith('patch events');
  const owner = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    name: 'nightly',
    uid: cronJob.metadata!.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };

  const fixture = {
    clock,
    memory,
    client,
    controller,
    errors,
    cronJob,
    /** Moves the clock to `instant` (not backwards). */
    async at(instant: number) {
      await clock.advance(instant - clock.now());
    },
    async reconcile() {
      await settle();
      client.writes.length = 0;
      const result = await controller.reconcile('default/nightly');
      await settle();
      return result;
    },
    async current(): Promise<CronJob> {
      return memory.get<CronJob>(cronJobsRef, 'nightly');
    },
    /** A Job of the CronJob, as it would have created it, finished or not. */
    async createJob(name: string, outcome?: 'Complete' | 'Failed', startTime?: number): Promise<Job> {
      return memory.create<Job>(jobsRef, {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name, namespace: 'default', ownerReferences: [owner] },
        spec: {},
        status: {
          ...(startTime !== undefined ? { startTime: stamp(startTime) } : {}),
          ...(outcome
            ? {
                conditions: [{ type: outcome, status: 'True', lastTransitionTime: stamp(clock.now()) }],
                ...(outcome === 'Complete' ? { completionTime: stamp(clock.now()) } : {}),
              }
            : {}),
        },
      });
    },
    /** Writes the CronJob's status.active as the controller would have. */
    async setActive(...jobs: Job[]) {
      const current = await fixture.current();
      await memory.update(cronJobsRef, {
        ...current,
        status: {
          active: jobs.map((job) => ({
            kind: 'Job',
            namespace: 'default',
            name: job.metadata!.name,
            uid: job.metadata!.uid,
            apiVersion: 'batch/v1',
            resourceVersion: job.metadata!.resourceVersion,
          })),
          lastScheduleTime: stamp(minute(1)),
        },
      });
    },
    get writes(): string[] {
      return client.writes.map((write) => write.summary).filter((summary) => !isEvent(summary));
    },
    body(index: number): any {
      return client.writes.filter((write) => !isEvent(write.summary))[index]?.body;
    },
    get events(): string[] {
      return client.writes
        .filter((write) => write.summary.startsWith('create events'))
        .map((write) => {
          const event = write.body as { type: string; reason: string; message: string };
          return `${event.type} ${event.reason} ${event.message}`;
        });
    },
  };
  return fixture;
}

describe('the CronJob controller', () => {
  it('waits for the first time after its creation, then starts the Job named for that minute', async () => {
    const cluster = await setup();
    await cluster.at(CREATED + 30_000);

    expect(await cluster.reconcile()).toEqual({ requeueAfterMs: 30_100 });
    expect(cluster.writes).toEqual([]);

    await cluster.at(minute(1) + 100);
    expect(await cluster.reconcile()).toEqual({ requeueAfterMs: 60_000 });

    expect(cluster.writes).toEqual([
      `create jobs.batch/${jobFor(1)} -n default`,
      'update cronjobs.batch/nightly/status -n default',
    ]);
    expect(cluster.body(0)).toMatchObject({
      metadata: {
        name: jobFor(1),
        labels: { app: 'report' },
        annotations: { 'batch.kubernetes.io/cronjob-scheduled-timestamp': stamp(minute(1)) },
        ownerReferences: [
          { kind: 'CronJob', name: 'nightly', uid: cluster.cronJob.metadata!.uid, controller: true },
        ],
      },
      spec: { template: { spec: { restartPolicy: 'Never' } } },
    });
    const created = await cluster.memory.get<Job>(jobsRef, jobFor(1));
    expect(cluster.body(1).status).toEqual({
      active: [
        {
          kind: 'Job',
          namespace: 'default',
          name: jobFor(1),
          uid: created.metadata!.uid,
          apiVersion: 'batch/v1',
          resourceVersion: created.metadata!.resourceVersion,
        },
      ],
      lastScheduleTime: stamp(minute(1)),
    });
    expect(cluster.events).toEqual([`Normal SuccessfulCreate Created job ${jobFor(1)}`]);

    // The same minute again (the status write seen): nothing more.
    await cluster.reconcile();
    expect(cluster.writes).toEqual([]);
  });

  it('starts nothing while suspended', async () => {
    const cluster = await setup({ suspend: true });
    await cluster.at(minute(5));

    expect(await cluster.reconcile()).toBeUndefined();
    expect(cluster.client.writes).toEqual([]);
  });

  it('Forbid: starts no Job while one is active', async () => {
    const cluster = await setup({ concurrencyPolicy: 'Forbid' });
    await cluster.setActive(await cluster.createJob(jobFor(1)));
    await cluster.at(minute(2) + 100);

    expect(await cluster.reconcile()).toEqual({ requeueAfterMs: 60_000 });

    expect(cluster.writes).toEqual([]);
    expect(cluster.events).toEqual([
      'Normal JobAlreadyActive Not starting job because prior execution is running and concurrency policy is Forbid',
    ]);
  });

  it('Replace: deletes the active Job in the background, then starts the new one', async () => {
    const cluster = await setup({ concurrencyPolicy: 'Replace' });
    await cluster.setActive(await cluster.createJob(jobFor(1)));
    await cluster.at(minute(2) + 100);

    await cluster.reconcile();

    expect(cluster.writes).toEqual([
      `delete jobs.batch/${jobFor(1)} -n default`,
      `create jobs.batch/${jobFor(2)} -n default`,
      'update cronjobs.batch/nightly/status -n default',
    ]);
    expect(cluster.body(0)).toEqual({ propagationPolicy: 'Background' });
    expect(cluster.body(2).status.active.map((reference: any) => reference.name)).toEqual([jobFor(2)]);
    expect(cluster.events).toEqual([
      `Normal SuccessfulDelete Deleted job ${jobFor(1)}`,
      `Normal SuccessfulCreate Created job ${jobFor(2)}`,
    ]);
  });

  it('Allow: starts the next Job beside the active one', async () => {
    const cluster = await setup();
    await cluster.setActive(await cluster.createJob(jobFor(1)));
    await cluster.at(minute(2) + 100);

    await cluster.reconcile();

    expect(cluster.writes).toEqual([
      `create jobs.batch/${jobFor(2)} -n default`,
      'update cronjobs.batch/nightly/status -n default',
    ]);
    expect(cluster.body(1).status.active.map((reference: any) => reference.name)).toEqual([
      jobFor(1),
      jobFor(2),
    ]);
  });

  it('takes a finished Job out of active, then records its completion as lastSuccessfulTime', async () => {
    const cluster = await setup();
    await cluster.at(minute(1) + 30_000);
    await cluster.setActive(await cluster.createJob(jobFor(1), 'Complete'));

    await cluster.reconcile();
    expect(cluster.writes).toEqual(['update cronjobs.batch/nightly/status -n default']);
    expect(cluster.body(0).status).toEqual({ lastScheduleTime: stamp(minute(1)) });
    expect(cluster.events).toEqual([
      `Normal SawCompletedJob Saw completed job: ${jobFor(1)}, status: Complete`,
    ]);

    await cluster.reconcile();
    expect(cluster.body(0).status).toEqual({
      lastScheduleTime: stamp(minute(1)),
      lastSuccessfulTime: stamp(minute(1) + 30_000),
    });
  });

  it('deletes finished Jobs beyond the history limits, oldest first', async () => {
    const cluster = await setup({ suspend: true });
    for (const n of [1, 2, 3, 4]) await cluster.createJob(jobFor(n), 'Complete', minute(n));
    for (const n of [5, 6]) await cluster.createJob(jobFor(n), 'Failed', minute(n));

    await cluster.reconcile();

    // A deletion counts as a status change, as upstream's: the status is written once after.
    expect(cluster.writes).toEqual([
      `delete jobs.batch/${jobFor(1)} -n default`,
      `delete jobs.batch/${jobFor(5)} -n default`,
      'update cronjobs.batch/nightly/status -n default',
    ]);
    expect(cluster.events).toEqual([
      `Normal SuccessfulDelete Deleted job ${jobFor(1)}`,
      `Normal SuccessfulDelete Deleted job ${jobFor(5)}`,
    ]);
  });

  it('starts nothing for a time older than startingDeadlineSeconds, and waits for the next', async () => {
    const cluster = await setup({ startingDeadlineSeconds: 10, schedule: '0 * * * *' });
    // 13:00 was 20 s ago.
    await cluster.at(minute(60) + 20_000);

    expect(await cluster.reconcile()).toEqual({ requeueAfterMs: 3_600_000 - 20_000 + 100 });
    expect(cluster.client.writes).toEqual([]);

    // Within the deadline it starts.
    const late = await setup({ startingDeadlineSeconds: 30, schedule: '0 * * * *' });
    await late.at(minute(60) + 20_000);
    await late.reconcile();
    expect(late.writes).toEqual([
      `create jobs.batch/${jobFor(60)} -n default`,
      'update cronjobs.batch/nightly/status -n default',
    ]);
  });

  it('drops an active Job that no longer exists', async () => {
    const cluster = await setup({ suspend: true });
    const job = await cluster.createJob(jobFor(1));
    await cluster.setActive(job);
    await cluster.memory.delete(jobsRef, jobFor(1));

    await cluster.reconcile();

    expect(cluster.writes).toEqual(['update cronjobs.batch/nightly/status -n default']);
    expect(cluster.body(0).status.active).toBeUndefined();
    expect(cluster.events).toEqual([`Normal MissingJob Active job went missing: ${jobFor(1)}`]);
  });

  it('takes into active a Job it made before but never recorded (the name is the lock)', async () => {
    const cluster = await setup();
    await cluster.createJob(jobFor(1));
    await cluster.at(minute(1) + 100);

    await cluster.reconcile();

    expect(cluster.writes).toEqual([
      `create jobs.batch/${jobFor(1)} -n default`,
      'update cronjobs.batch/nightly/status -n default',
    ]);
    expect(cluster.body(1).status.active.map((reference: any) => reference.name)).toEqual([jobFor(1)]);
    expect(cluster.events).toEqual([
      `Warning UnexpectedJob Saw a job that the controller did not create or forgot: ${jobFor(1)}`,
    ]);
  });

  it('reports a schedule it cannot parse, and does not retry it', async () => {
    const cluster = await setup({ schedule: '61 * * * *' });

    expect(await cluster.reconcile()).toBeUndefined();
    expect(cluster.events).toEqual([
      'Warning UnparseableSchedule unparseable schedule: "61 * * * *" : end of range (61) above maximum (59): 61',
    ]);
  });

  it('reads the schedule in spec.timeZone', async () => {
    const cluster = await setup({ schedule: '0 8 * * *', timeZone: 'Asia/Tokyo' });
    // 08:00 in Tokyo is 23:00 UTC.
    expect(await cluster.reconcile()).toEqual({ requeueAfterMs: 11 * 3_600_000 + 100 });
  });
});
