import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../client/http-client.js';
import { ApiClient, poll, randomSuffix } from './client.js';
import { startSkiff, type TestSkiff } from './harness.js';
import { type DrivenPod, PodDriver, type PodOutcome } from './pod-driver.js';

/**
 * Tier 2 of ../shared/conformance/SUBSET.md, Jobs and CronJobs (#73–#81), each test named after its
 * upstream conformance test and following its steps over HTTP. A PodDriver plays scheduler and
 * kubelet: a container whose command is `exit 0` / `exit 1` ends Succeeded / Failed, anything else
 * (`sleep 300`) keeps running.
 *
 * The CronJob tests run on the real clock, at real minute boundaries: a `*\/1` schedule fires at the
 * next whole minute, so a test that needs two runs (Replace) needs two boundaries — up to two
 * minutes. The tests run concurrently, so the file takes as long as its longest test. Upstream's
 * five-minute watches are shortened to "past the first boundary at which a Job would have started".
 */
let skiff: TestSkiff;
let api: ApiClient;
let client: HttpClient;
let driver: PodDriver;

/** A container ends as its shell command says. */
function outcome(pod: DrivenPod): PodOutcome {
  const commands = (pod.spec?.containers ?? []).map((container) => {
    const { command = [], args = [] } = container as { command?: string[]; args?: string[] };
    return [...command, ...args].join(' ');
  });
  if (commands.some((command) => /\bexit 1\b/.test(command))) return 'failed';
  if (commands.some((command) => /\bexit 0\b/.test(command))) return 'succeeded';
  return 'running';
}

beforeAll(async () => {
  skiff = await startSkiff();
  api = new ApiClient(skiff.url);
  client = new HttpClient({ connection: { server: skiff.url, namespace: 'default' } });
  driver = await PodDriver.start({ client, outcome });
});
afterAll(async () => {
  await driver?.stop();
  await client?.close();
  await skiff?.stop();
  expect((driver?.errors ?? []).map(String)).toEqual([]);
});

type Json = Record<string, any>;

const BUSYBOX = 'registry.k8s.io/e2e-test-images/busybox:1.36.1-1';
const MINUTE = 60_000;
const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
const strategic = 'application/strategic-merge-patch+json';
const merge = 'application/merge-patch+json';

async function createNamespace(base: string): Promise<string> {
  const namespace = await api.ok('POST', '/api/v1/namespaces', { metadata: { generateName: `${base}-` } });
  return namespace.metadata.name;
}

const commands: Record<string, string[]> = {
  notTerminate: ['sleep', '1000000'],
  succeed: ['/bin/sh', '-c', 'exit 0'],
  fail: ['/bin/sh', '-c', 'exit 1'],
};

/** Upstream's e2ejob.NewTestJob: a busybox container behaving as asked, an emptyDir at /data. */
function testJob(
  behavior: string,
  name: string,
  parallelism: number,
  completions: number,
  spec: Json = {},
): Json {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: {
      parallelism,
      completions,
      backoffLimit: 6,
      manualSelector: false,
      template: {
        metadata: { labels: { job: name } },
        spec: {
          restartPolicy: 'Never',
          volumes: [{ name: 'data', emptyDir: {} }],
          containers: [
            {
              name: 'c',
              image: BUSYBOX,
              command: commands[behavior],
              volumeMounts: [{ mountPath: '/data', name: 'data' }],
            },
          ],
        },
      },
      ...spec,
    },
  };
}

const jobsPath = (ns: string) => `/apis/batch/v1/namespaces/${ns}/jobs`;
const cronJobsPath = (ns: string) => `/apis/batch/v1/namespaces/${ns}/cronjobs`;

async function jobPods(ns: string, jobName: string): Promise<Json[]> {
  const selector = encodeURIComponent(`${JOB_NAME_LABEL}=${jobName}`);
  return (await api.ok('GET', `/api/v1/namespaces/${ns}/pods?labelSelector=${selector}`)).items;
}

/** Upstream's WaitForJobPodsRunning: exactly `count` of the Job's pods Running. */
async function waitForJobPodsRunning(ns: string, jobName: string, count: number): Promise<Json[]> {
  return poll(async () => {
    const running = (await jobPods(ns, jobName)).filter((pod) => pod.status?.phase === 'Running');
    return running.length === count ? running : undefined;
  }, 2 * MINUTE);
}

const condition = (object: Json, type: string) =>
  (object.status?.conditions ?? []).find((each: Json) => each.type === type);

/** Upstream's WaitForJobComplete: `completions` succeeded, and Complete for the reason given. */
async function waitForJobComplete(ns: string, name: string, completions: number): Promise<Json> {
  const job = await poll(async () => {
    const current = await api.ok('GET', `${jobsPath(ns)}/${name}`);
    return current.status?.succeeded === completions && condition(current, 'Complete')?.status === 'True'
      ? current
      : undefined;
  }, 2 * MINUTE);
  expect(condition(job, 'Complete').reason).toBe('CompletionsReached');
  return job;
}

/** GET, change, PUT; again on a conflict (upstream's RetryOnConflict). */
async function updateWithRetries(path: string, change: (object: Json) => void): Promise<Json> {
  for (;;) {
    const object = await api.ok('GET', path);
    change(object);
    const result = await api.call('PUT', path, object);
    if (result.status === 409) continue;
    if (result.status >= 300) throw new Error(`PUT ${path} → ${result.status}: ${result.text}`);
    return result.body;
  }
}

const controllerRef = (object: Json) =>
  (object.metadata.ownerReferences ?? []).find((o: Json) => o.controller);
const isFinished = (job: Json) =>
  ['Complete', 'Failed'].some((type) => condition(job, type)?.status === 'True');
/** Now formatted as metav1.Now().Rfc3339Copy() marshals: whole seconds, UTC. */
const nowRfc3339 = () => `${new Date().toISOString().slice(0, 19)}Z`;

describe.concurrent('[sig-apps] Job', () => {
  it('should delete a job', async () => {
    const ns = await createNamespace('job');
    await api.ok('POST', jobsPath(ns), testJob('notTerminate', 'foo', 2, 4));
    await waitForJobPodsRunning(ns, 'foo', 2);

    // Upstream's DeleteResourceAndWaitForGC: a background delete, then the Job and its pods gone.
    await api.ok('DELETE', `${jobsPath(ns)}/foo`, { propagationPolicy: 'Background' });
    await poll(async () => (await api.call('GET', `${jobsPath(ns)}/foo`)).status === 404, 2 * MINUTE);
    await poll(async () => (await jobPods(ns, 'foo')).length === 0, 2 * MINUTE);

    const gone = await api.call('GET', `${jobsPath(ns)}/foo`);
    expect(gone.status).toBe(404);
    expect(gone.body.reason).toBe('NotFound');
  });

  it('should adopt matching orphans and release non-matching pods', async () => {
    const ns = await createNamespace('job');
    const job = await api.ok('POST', jobsPath(ns), testJob('notTerminate', 'adopt-release', 2, 4));
    await waitForJobPodsRunning(ns, 'adopt-release', 2);

    const pods = await jobPods(ns, 'adopt-release');
    expect(pods).toHaveLength(2);
    const podPath = `/api/v1/namespaces/${ns}/pods/${pods[0]!.metadata.name}`;
    await updateWithRetries(podPath, (pod) => {
      delete pod.metadata.ownerReferences;
    });
    await poll(async () => {
      const reference = controllerRef(await api.ok('GET', podPath));
      if (!reference) return undefined;
      // Any other owner is a failure at once.
      expect(reference).toMatchObject({ kind: 'Job', name: 'adopt-release', uid: job.metadata.uid });
      return true;
    }, 2 * MINUTE);

    await updateWithRetries(podPath, (pod) => {
      delete pod.metadata.labels;
    });
    await poll(async () => controllerRef(await api.ok('GET', podPath)) === undefined, 2 * MINUTE);
    // Released, it carries no tracking finalizer any more.
    expect((await api.ok('GET', podPath)).metadata.finalizers ?? []).not.toContain(
      'batch.kubernetes.io/job-tracking',
    );
  });

  it('should create pods for an Indexed job with completion indexes and specified hostname', async () => {
    const ns = await createNamespace('job');
    await api.ok(
      'POST',
      jobsPath(ns),
      testJob('succeed', 'indexed-job', 2, 4, { completionMode: 'Indexed' }),
    );
    const job = await waitForJobComplete(ns, 'indexed-job', 4);
    expect(job.status.completedIndexes).toBe('0-3');

    const indexes = new Set<number>();
    for (const pod of await jobPods(ns, 'indexed-job')) {
      if (pod.status?.phase !== 'Succeeded') continue;
      const index = Number.parseInt(pod.metadata.annotations?.[COMPLETION_INDEX] ?? '', 10);
      expect(Number.isInteger(index)).toBe(true);
      expect(pod.spec.hostname).toBe(`indexed-job-${index}`);
      // Not asserted upstream, but required of the controller: the index in the environment.
      const env = pod.spec.containers[0].env.find(
        (variable: Json) => variable.name === 'JOB_COMPLETION_INDEX',
      );
      expect(env.valueFrom.fieldRef.fieldPath).toBe(`metadata.labels['${COMPLETION_INDEX}']`);
      indexes.add(index);
    }
    expect([...indexes].sort()).toEqual([0, 1, 2, 3]);
  });

  it('should apply changes to a job status', async () => {
    const ns = await createNamespace('job');
    const job = await api.ok('POST', jobsPath(ns), testJob('notTerminate', 'suspend-false-to-true', 2, 4));
    await waitForJobPodsRunning(ns, 'suspend-false-to-true', 2);
    const statusPath = `${jobsPath(ns)}/suspend-false-to-true/status`;

    const now1 = nowRfc3339();
    const patched = await api.ok(
      'PATCH',
      statusPath,
      {
        metadata: { annotations: { patchedstatus: 'true' } },
        status: { conditions: [{ type: 'CustomConditionType', status: 'True', lastTransitionTime: now1 }] },
      },
      merge,
    );
    expect(condition(patched, 'CustomConditionType')?.lastTransitionTime).toBe(now1);

    // A second later, so the new time differs.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const now2 = nowRfc3339();
    const updated = await updateWithRetries(statusPath, (current) => {
      const custom = condition(current, 'CustomConditionType');
      expect(custom).toBeDefined();
      custom.lastTransitionTime = now2;
    });
    expect(condition(updated, 'CustomConditionType')?.lastTransitionTime).toBe(now2);

    const status = await api.ok('GET', statusPath);
    expect(status.metadata.uid).toBe(job.metadata.uid);
    // The controller writes the status too, and keeps a condition type it does not know.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const later = await api.ok('GET', `${jobsPath(ns)}/suspend-false-to-true`);
    expect(condition(later, 'CustomConditionType')?.lastTransitionTime).toBe(now2);
    expect(later.status.active).toBe(2);

    // Upstream checks this right after the patch; here last, so the steps above are checked today.
    expect(patched.metadata.annotations).toMatchObject({ patchedstatus: 'true' });
  });

  it('should manage the lifecycle of a job', async () => {
    const ns = await createNamespace('job');
    const jobName = `e2e-${randomSuffix()}`;
    const selector = encodeURIComponent(`e2e-job-label=${jobName}`);
    const listed = await api.ok('GET', `${jobsPath(ns)}?labelSelector=${selector}`);
    const watchFrom = (rv: string) =>
      api.watch(`${jobsPath(ns)}?watch=1&labelSelector=${selector}&resourceVersion=${rv}`);

    const spec = testJob('succeed', jobName, 2, 4, { suspend: true });
    spec.metadata.labels = { 'e2e-job-label': jobName };
    const job = await api.ok('POST', jobsPath(ns), spec);
    expect(job.metadata.resourceVersion).toMatch(/^\d+$/);
    // Suspended: the controller says so, and no pod starts.
    await poll(
      async () =>
        condition(await api.ok('GET', `${jobsPath(ns)}/${jobName}`), 'Suspended')?.status === 'True',
    );
    expect(await jobPods(ns, jobName)).toEqual([]);

    const patched = await api.ok(
      'PATCH',
      `${jobsPath(ns)}/${jobName}`,
      { metadata: { labels: { [jobName]: 'patched' } } },
      strategic,
    );
    expect(BigInt(patched.metadata.resourceVersion)).toBeGreaterThan(BigInt(job.metadata.resourceVersion));
    const labelWatch = watchFrom(listed.metadata.resourceVersion);
    await labelWatch.waitFor(
      (event) => event.type === 'MODIFIED' && event.object.metadata.labels?.[jobName] === 'patched',
      2 * MINUTE,
    );
    labelWatch.close();
    expect(patched.metadata.labels).toMatchObject({ [jobName]: 'patched' });

    const before = await api.ok('GET', `${jobsPath(ns)}/${jobName}`);
    const updated = await updateWithRetries(`${jobsPath(ns)}/${jobName}`, (current) => {
      current.spec.suspend = false;
      current.metadata.annotations = { ...current.metadata.annotations, updated: 'true' };
    });
    const annotationWatch = watchFrom(before.metadata.resourceVersion);
    await annotationWatch.waitFor(
      (event) => event.type === 'MODIFIED' && event.object.metadata.annotations?.updated === 'true',
      2 * MINUTE,
    );
    annotationWatch.close();
    expect(updated.metadata.annotations).toMatchObject({ updated: 'true' });

    const all = await api.ok('GET', `/apis/batch/v1/jobs?labelSelector=${selector}`);
    expect(all.items).toHaveLength(1);

    await waitForJobComplete(ns, jobName, 4);

    await api.ok('DELETE', `${jobsPath(ns)}?labelSelector=${selector}`, { propagationPolicy: 'Background' });
    const deleteWatch = watchFrom(updated.metadata.resourceVersion);
    await deleteWatch.waitFor((event) => event.type === 'DELETED', 2 * MINUTE);
    deleteWatch.close();
    expect((await api.ok('GET', `/apis/batch/v1/jobs?labelSelector=${selector}`)).items).toEqual([]);
  });
});

/** Upstream's WaitForJobCondition: a True condition of the type, for the reason. */
async function waitForJobCondition(ns: string, name: string, type: string, reason: string): Promise<Json> {
  return poll(async () => {
    const job = await api.ok('GET', `${jobsPath(ns)}/${name}`);
    const found = condition(job, type);
    return found?.status === 'True' && found.reason === reason ? job : undefined;
  }, MINUTE);
}

// Upstream e2e tests outside the conformance list, for the failure paths and TTL-after-finished.
describe.concurrent('[sig-apps] Job (upstream e2e, not conformance)', () => {
  it('should fail to exceed backoffLimit', { timeout: MINUTE }, async () => {
    const ns = await createNamespace('job');
    await api.ok('POST', jobsPath(ns), testJob('fail', 'backofflimit', 1, 1, { backoffLimit: 1 }));
    // The second pod comes after the 10 s back-off.
    await waitForJobCondition(ns, 'backofflimit', 'FailureTarget', 'BackoffLimitExceeded');
    const job = await waitForJobCondition(ns, 'backofflimit', 'Failed', 'BackoffLimitExceeded');

    const pods = await jobPods(ns, 'backofflimit');
    expect(pods).toHaveLength(2);
    for (const pod of pods) expect(pod.status.phase).toBe('Failed');
    expect(job.status).toMatchObject({ failed: 2, ready: 0, terminating: 0 });
    expect(job.status.active).toBeUndefined();
  });

  it('should fail when exceeds active deadline', { timeout: MINUTE }, async () => {
    const ns = await createNamespace('job');
    await api.ok(
      'POST',
      jobsPath(ns),
      testJob('notTerminate', 'exceed-active-deadline', 2, 4, { activeDeadlineSeconds: 1 }),
    );
    await waitForJobCondition(ns, 'exceed-active-deadline', 'FailureTarget', 'DeadlineExceeded');
    const job = await waitForJobCondition(ns, 'exceed-active-deadline', 'Failed', 'DeadlineExceeded');
    expect(job.status).toMatchObject({ ready: 0, terminating: 0 });
    expect(job.status.active).toBeUndefined();
  });

  it(
    '[sig-apps] TTLAfterFinished job should be deleted once it finishes after TTL seconds',
    async () => {
      const ns = await createNamespace('job');
      await api.ok(
        'POST',
        jobsPath(ns),
        testJob('succeed', 'rand-non-local', 1, 1, { ttlSecondsAfterFinished: 1 }),
      );
      const job = await waitForJobComplete(ns, 'rand-non-local', 1);
      const finishedAt = Date.parse(condition(job, 'Complete').lastTransitionTime);
      await poll(
        async () => (await api.call('GET', `${jobsPath(ns)}/rand-non-local`)).status === 404,
        MINUTE,
      );
      // Not before its time (the API's times are whole seconds).
      expect(Date.now()).toBeGreaterThanOrEqual(finishedAt + 1000);
      await poll(async () => (await jobPods(ns, 'rand-non-local')).length === 0, MINUTE);
      // Its polls may each take their minute (a Foreground deletion waits for the pods' graceful ends).
    },
    3 * MINUTE,
  );
});

// ---------------------------------------------------------------------------------------------------
// CronJobs

/** Upstream's e2e CronJob: every minute, a Job of `sleep 300` pods. */
function testCronJob(name: string, concurrencyPolicy: string, spec: Json = {}): Json {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name },
    spec: {
      schedule: '*/1 * * * ?',
      concurrencyPolicy,
      jobTemplate: {
        spec: {
          parallelism: 1,
          completions: 1,
          backoffLimit: 6,
          template: {
            spec: {
              restartPolicy: 'OnFailure',
              volumes: [{ name: 'data', emptyDir: {} }],
              containers: [
                {
                  name: 'c',
                  image: BUSYBOX,
                  command: ['sleep', '300'],
                  volumeMounts: [{ mountPath: '/data', name: 'data' }],
                },
              ],
            },
          },
        },
      },
      ...spec,
    },
  };
}

/** The first whole minute after the object was created: when a `*\/1` schedule first fires. */
const firstBoundary = (object: Json) =>
  Math.floor(Date.parse(object.metadata.creationTimestamp) / MINUTE + 1) * MINUTE;

async function sleepUntil(instant: number): Promise<void> {
  const wait = instant - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

async function jobsOf(ns: string): Promise<Json[]> {
  return (await api.ok('GET', jobsPath(ns))).items;
}

async function eventsOf(ns: string, name: string): Promise<Json[]> {
  const selector = encodeURIComponent(`involvedObject.name=${name}`);
  return (await api.ok('GET', `/api/v1/namespaces/${ns}/events?fieldSelector=${selector}`)).items;
}

describe.concurrent('[sig-apps] CronJob', () => {
  it('should not schedule jobs when suspended [Slow]', { timeout: 2.5 * MINUTE }, async () => {
    const ns = await createNamespace('cronjob');
    const cronJob = await api.ok(
      'POST',
      cronJobsPath(ns),
      testCronJob('suspended', 'Allow', { suspend: true }),
    );

    // Consistently, until well past the time an unsuspended CronJob would have started a Job.
    const until = firstBoundary(cronJob) + 5000;
    while (Date.now() < until) {
      const current = await api.ok('GET', `${cronJobsPath(ns)}/suspended`);
      expect(current.status?.active ?? []).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    expect(await jobsOf(ns)).toEqual([]);
    await api.ok('DELETE', `${cronJobsPath(ns)}/suspended`, { propagationPolicy: 'Background' });
  });

  it('should not schedule new jobs when ForbidConcurrent [Slow]', { timeout: 2.5 * MINUTE }, async () => {
    const ns = await createNamespace('cronjob');
    const cronJob = await api.ok('POST', cronJobsPath(ns), testCronJob('forbid', 'Forbid'));

    const active = await poll(
      async () => {
        const current = await api.ok('GET', `${cronJobsPath(ns)}/forbid`);
        return (current.status?.active ?? []).length >= 1 ? current.status.active : undefined;
      },
      2 * MINUTE,
      500,
    );
    expect(active).toHaveLength(1);
    const running = (await jobsOf(ns)).filter((job) => !isFinished(job));
    expect(running).toHaveLength(1);
    expect(running[0]!.metadata.name).toBe(active[0].name);

    // Upstream stops here (its last poll holds at once); the point is that the next minute starts
    // nothing while the first Job runs, so look past it.
    await sleepUntil(firstBoundary(cronJob) + MINUTE + 5000);
    const current = await api.ok('GET', `${cronJobsPath(ns)}/forbid`);
    expect(current.status.active).toHaveLength(1);
    expect(await jobsOf(ns)).toHaveLength(1);
    const reasons = (await eventsOf(ns, 'forbid')).map((event) => event.reason);
    expect(reasons).toContain('JobAlreadyActive');
    await api.ok('DELETE', `${cronJobsPath(ns)}/forbid`, { propagationPolicy: 'Background' });
  });

  it('should replace jobs when ReplaceConcurrent', { timeout: 2.5 * MINUTE }, async () => {
    const ns = await createNamespace('cronjob');
    await api.ok('POST', cronJobsPath(ns), testCronJob('replace', 'Replace'));

    const active = await poll(
      async () => {
        const current = await api.ok('GET', `${cronJobsPath(ns)}/replace`);
        return (current.status?.active ?? []).length >= 1 ? current.status.active : undefined;
      },
      2 * MINUTE,
      500,
    );
    expect(active).toHaveLength(1);
    const running = (await jobsOf(ns)).filter((job) => !isFinished(job));
    expect(running).toHaveLength(1);
    const first = running[0]!.metadata.name;

    await poll(
      async () => {
        const live = (await jobsOf(ns)).filter((job) => !job.metadata.deletionTimestamp);
        if (live.length > 1) throw new Error(`more than one Job: ${live.map((job) => job.metadata.name)}`);
        return live.length === 1 && live[0]!.metadata.name !== first;
      },
      2 * MINUTE,
      500,
    );
    const reasons = (await eventsOf(ns, 'replace')).map((event) => event.reason);
    expect(reasons).toContain('SuccessfulDelete');
    await api.ok('DELETE', `${cronJobsPath(ns)}/replace`, { propagationPolicy: 'Background' });
  });

  it('runs a Job by hand with kubectl create job --from=cronjob, and kubectl shows both', async () => {
    const ns = await createNamespace('cronjob');
    const spec = testCronJob('report', 'Allow', { schedule: '0 0 1 1 *' });
    spec.spec.jobTemplate.spec.template.spec.containers[0].command = ['/bin/sh', '-c', 'exit 0'];
    const cronJob = await api.ok('POST', cronJobsPath(ns), spec);
    const kubectl = async (...args: string[]) => {
      const result = await skiff.kubectl(['-n', ns, ...args]);
      if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
      return result.stdout;
    };

    expect(await kubectl('create', 'job', 'manual', '--from=cronjob/report')).toBe(
      'job.batch/manual created\n',
    );
    const job = await api.ok('GET', `${jobsPath(ns)}/manual`);
    expect(job.metadata.annotations).toMatchObject({ 'cronjob.kubernetes.io/instantiate': 'manual' });
    expect(controllerRef(job)).toMatchObject({ kind: 'CronJob', name: 'report', uid: cronJob.metadata.uid });
    expect(await kubectl('wait', '--for=condition=complete', 'job/manual', '--timeout=60s')).toBe(
      'job.batch/manual condition met\n',
    );

    // The API refuses a schedule the controller could not run, with the parser's own words.
    const refused = await skiff.kubectl([
      '-n',
      ns,
      'create',
      'cronjob',
      'bad',
      '--image=busybox',
      '--schedule=61 * * * *',
    ]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      'spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61',
    );

    const table = await kubectl('get', 'jobs,cronjobs');
    expect(table).toMatch(/^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE$/m);
    expect(table).toMatch(/^job\.batch\/manual\s+Complete\s+1\/1\s+\d+s\s+\d+s$/m);
    expect(table).toMatch(/^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE$/m);
    expect(table).toMatch(/^cronjob\.batch\/report\s+0 0 1 1 \*\s+<none>\s+False\s+0\s+<none>\s+\d+s$/m);
  });
});
