import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/resource.js';
import { strategicMergePatch } from '../api/schema/strategic-merge-patch.js';
import '../api/types/index.js';
import { InformerFactory } from '../client/informer-factory.js';
import { definitionForRef, refFor } from '../client/refs.js';
import { FakeClock, settle } from '../client/testing/fake-clock.js';
import { MemoryClient } from '../client/testing/memory-client.js';
import { RecordingClient } from '../client/testing/recording-client.js';
import type { PatchOptions, PatchType, ResourceRef } from '../client/types.js';
import type { ControllerContext } from './framework.js';
import { type Job, JobController } from './job.js';
import type { Pod } from './pods.js';

/**
 * The Job controller over a memory client whose strategic patches behave as the API's (finalizers are
 * removed from lists, owner references merged by uid), recording every write. Nothing runs pods: the
 * test plays the kubelet by writing pod phases, and the reconcile is called by hand.
 */
const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const at = (offsetMs = 0) => `${new Date(NOW + offsetMs).toISOString().slice(0, 19)}Z`;
const jobsRef = refFor({ apiVersion: 'batch/v1', kind: 'Job' }, 'default');
const podsRef = refFor('Pod', 'default');
const TRACKING = 'batch.kubernetes.io/job-tracking';
const INDEX = 'batch.kubernetes.io/job-completion-index';

/** A memory client with the API's strategic merge patch and finalizer rule for deletions. */
class ApiLikeClient extends MemoryClient {
  override async patch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    name: string,
    patchType: PatchType,
    patch: unknown,
    options?: PatchOptions,
  ): Promise<T> {
    if (patchType !== 'strategic') return super.patch<T>(ref, name, patchType, patch, options);
    const current = await this.get(ref, name);
    const next = strategicMergePatch(current, patch, definitionForRef(ref)!.schema) as KubeObject;
    const meta = next.metadata ?? {};
    // Removing the last finalizer of an object being deleted (and not held by a kubelet) deletes it.
    const held = ref.resource === 'pods' && Boolean((next.spec as { nodeName?: string })?.nodeName);
    if (meta.deletionTimestamp && (meta.finalizers ?? []).length === 0 && !held) {
      await this.delete(ref, name);
      return next as T;
    }
    const replacement = {
      ...next,
      metadata: { ...meta, resourceVersion: current.metadata?.resourceVersion },
    };
    return this.update<T>(ref, replacement as T);
  }
}

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

interface JobOptions {
  parallelism?: number;
  completions?: number | null;
  backoffLimit?: number;
  activeDeadlineSeconds?: number;
  suspend?: boolean;
  indexed?: boolean;
  managedBy?: string;
  status?: Job['status'];
}

async function setup() {
  const clock = new FakeClock(NOW);
  const memory = new ApiLikeClient({ clock });
  const client = new RecordingClient(memory, clock);
  const informers = new InformerFactory({ client, clock });
  const errors: unknown[] = [];
  const context: ControllerContext = {
    client,
    informers,
    clock,
    onError: (_controller, _key, error) => errors.push(error),
  };
  const controller = new JobController({ context });
  informers.start();
  await informers.waitForSync();
  stops.push(() => informers.stop());
  const isEvent = (summary: string) =>
    summary.startsWith('create events') || summary.startsWith('patch events');

  const fixture = {
    clock,
    memory,
    client,
    controller,
    errors,
    /** A Job as the API server leaves it: selector and template labels from its uid. */
    async createJob(options: JobOptions = {}): Promise<Job> {
      const created = await memory.create<Job>(jobsRef, {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'pi', namespace: 'default', generation: 1 },
        spec: {},
      });
      const uid = created.metadata!.uid!;
      const labels = {
        'batch.kubernetes.io/controller-uid': uid,
        'batch.kubernetes.io/job-name': 'pi',
        'controller-uid': uid,
        'job-name': 'pi',
      };
      const completions = options.completions === undefined ? 2 : options.completions;
      return memory.update<Job>(jobsRef, {
        ...created,
        spec: {
          parallelism: options.parallelism ?? 2,
          ...(completions !== null ? { completions } : {}),
          ...(options.activeDeadlineSeconds !== undefined
            ? { activeDeadlineSeconds: options.activeDeadlineSeconds }
            : {}),
          backoffLimit: options.backoffLimit ?? 6,
          selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } },
          manualSelector: false,
          template: {
            metadata: { labels },
            spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl:5.34' }] },
          },
          completionMode: options.indexed ? 'Indexed' : 'NonIndexed',
          suspend: options.suspend ?? false,
          podReplacementPolicy: 'TerminatingOrFailed',
          ...(options.managedBy ? { managedBy: options.managedBy } : {}),
        },
        ...(options.status ? { status: options.status } : {}),
      });
    },
    async job(): Promise<Job> {
      return memory.get<Job>(jobsRef, 'pi');
    },
    /** A pod of the Job, on a node, in the given phase (Running pods are ready). */
    async createPod(
      name: string,
      phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed',
      options: { index?: number; finalizer?: boolean; owned?: boolean; labels?: Record<string, string> } = {},
    ): Promise<Pod> {
      const job = await fixture.job();
      const labels = { ...job.spec!.template!.metadata!.labels!, ...options.labels };
      if (options.index !== undefined) labels[INDEX] = String(options.index);
      const terminated = phase === 'Succeeded' || phase === 'Failed';
      return memory.create<Pod>(podsRef, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name,
          namespace: 'default',
          labels,
          ...(options.index !== undefined ? { annotations: { [INDEX]: String(options.index) } } : {}),
          ...((options.owned ?? true)
            ? {
                ownerReferences: [
                  {
                    apiVersion: 'batch/v1',
                    kind: 'Job',
                    name: 'pi',
                    uid: job.metadata!.uid!,
                    controller: true,
                    blockOwnerDeletion: true,
                  },
                ],
              }
            : {}),
          ...((options.finalizer ?? true) ? { finalizers: [TRACKING] } : {}),
        },
        spec: { nodeName: 'node-1', containers: [{ name: 'pi', image: 'perl:5.34' }] },
        status: {
          phase,
          conditions: [
            { type: 'Ready', status: phase === 'Running' ? 'True' : 'False', lastTransitionTime: at() },
          ],
          containerStatuses: [
            {
              name: 'pi',
              restartCount: 0,
              state: terminated
                ? { terminated: { exitCode: phase === 'Succeeded' ? 0 : 1, finishedAt: at() } }
                : { running: { startedAt: at() } },
            },
          ],
        },
      });
    },
    async pods(): Promise<Pod[]> {
      return (await memory.list<Pod>(podsRef)).items;
    },
    /** What a kubelet does with pods being deleted: they go once their finalizers have. */
    async finishDeletions(): Promise<void> {
      for (const pod of await fixture.pods()) {
        if (pod.metadata?.deletionTimestamp && (pod.metadata.finalizers ?? []).length === 0) {
          await memory.delete(podsRef, pod.metadata.name!);
        }
      }
      await settle();
    },
    /** One reconcile of default/pi once the caches have caught up; returns its result. */
    async reconcile() {
      await settle();
      client.writes.length = 0;
      const result = await controller.reconcile('default/pi');
      await settle();
      return result;
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

const noUncounted = {};

describe('the Job controller', () => {
  it('starts parallelism pods from the template, with the tracking finalizer and a controller reference', async () => {
    const cluster = await setup();
    const job = await cluster.createJob();

    expect(await cluster.reconcile()).toBeUndefined();

    expect(cluster.writes).toEqual([
      'create pods -n default',
      'create pods -n default',
      'update jobs.batch/pi/status -n default',
    ]);
    expect(cluster.body(0)).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: 'pi-',
        labels: job.spec!.template!.metadata!.labels,
        finalizers: [TRACKING],
        ownerReferences: [
          {
            apiVersion: 'batch/v1',
            kind: 'Job',
            name: 'pi',
            uid: job.metadata!.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl:5.34' }] },
    });
    expect(cluster.body(2).status).toEqual({
      startTime: at(),
      active: 2,
      terminating: 0,
      uncountedTerminatedPods: noUncounted,
      ready: 0,
    });
    const names = (await cluster.pods()).map((pod) => pod.metadata!.name);
    expect(cluster.events).toEqual(names.map((name) => `Normal SuccessfulCreate Created pod: ${name}`));
  });

  it('counts a succeeded pod in three writes, then completes with SuccessCriteriaMet and Complete', async () => {
    const cluster = await setup();
    await cluster.createJob({
      parallelism: 1,
      completions: 1,
      status: { startTime: at(-5000), active: 1, ready: 1, terminating: 0, uncountedTerminatedPods: {} },
    });
    const pod = await cluster.createPod('pi-a', 'Succeeded');
    await cluster.clock.advance(1000);

    await cluster.reconcile();

    expect(cluster.writes).toEqual([
      'update jobs.batch/pi/status -n default',
      'patch pods/pi-a -n default',
      'update jobs.batch/pi/status -n default',
    ]);
    const criteria = {
      type: 'SuccessCriteriaMet',
      status: 'True',
      lastProbeTime: at(1000),
      lastTransitionTime: at(1000),
      reason: 'CompletionsReached',
      message: 'Reached expected number of succeeded pods',
    };
    expect(cluster.body(0).status).toEqual({
      conditions: [criteria],
      startTime: at(-5000),
      terminating: 0,
      uncountedTerminatedPods: { succeeded: [pod.metadata!.uid] },
      ready: 0,
    });
    expect(cluster.body(1)).toEqual({ metadata: { '$deleteFromPrimitiveList/finalizers': [TRACKING] } });
    expect(cluster.body(2).status).toEqual({
      conditions: [criteria, { ...criteria, type: 'Complete' }],
      startTime: at(-5000),
      completionTime: at(1000),
      succeeded: 1,
      terminating: 0,
      uncountedTerminatedPods: noUncounted,
      ready: 0,
    });
    expect(cluster.events).toEqual(['Normal Completed Job completed']);
    expect((await cluster.pods())[0]!.metadata!.finalizers).toEqual([]);

    // Finished is final: nothing more is written.
    await cluster.reconcile();
    expect(cluster.writes).toEqual([]);
  });

  it('gives Indexed pods their index as annotation, label, env and hostname, lowest free index first', async () => {
    const cluster = await setup();
    await cluster.createJob({ indexed: true, completions: 4, parallelism: 2 });
    await cluster.createPod('pi-0-abcde', 'Succeeded', { index: 0 });
    await cluster.createPod('pi-1-abcde', 'Running', { index: 1 });

    await cluster.reconcile();

    expect(cluster.writes).toEqual([
      'create pods -n default',
      'update jobs.batch/pi/status -n default',
      'patch pods/pi-0-abcde -n default',
    ]);
    const created = cluster.body(0);
    expect(created.metadata.generateName).toBe('pi-2-');
    expect(created.metadata.annotations).toEqual({ [INDEX]: '2' });
    expect(created.metadata.labels[INDEX]).toBe('2');
    expect(created.spec.hostname).toBe('pi-2');
    expect(created.spec.containers[0].env).toEqual([
      { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.labels['${INDEX}']` } } },
    ]);
    // Indexed Jobs count by index: the finalizer goes after completedIndexes is written.
    expect(cluster.body(1).status).toMatchObject({
      active: 2,
      ready: 1,
      succeeded: 1,
      completedIndexes: '0',
    });
    expect(cluster.body(1).status.uncountedTerminatedPods).toEqual({});
  });

  it('waits out the back-off before replacing a failed pod: 10 s after the first failure', async () => {
    const cluster = await setup();
    await cluster.createJob({
      parallelism: 1,
      completions: 1,
      status: { startTime: at(-60_000), active: 1, ready: 1, terminating: 0, uncountedTerminatedPods: {} },
    });
    const failed = await cluster.createPod('pi-a', 'Failed');
    await cluster.clock.advance(4000);

    const first = await cluster.reconcile();

    expect(cluster.writes).toEqual([
      'update jobs.batch/pi/status -n default',
      'patch pods/pi-a -n default',
      'update jobs.batch/pi/status -n default',
    ]);
    expect(cluster.body(0).status.uncountedTerminatedPods).toEqual({ failed: [failed.metadata!.uid] });
    expect(cluster.body(2).status).toMatchObject({ failed: 1, uncountedTerminatedPods: {} });
    expect(cluster.body(2).status.active).toBeUndefined();
    expect(first).toEqual({ requeueAfterMs: 6000 });

    await cluster.clock.advance(6000);
    await cluster.reconcile();
    expect(cluster.writes).toEqual(['create pods -n default', 'update jobs.batch/pi/status -n default']);
  });

  it('fails a Job past its backoffLimit: FailureTarget, the active pods deleted and counted, then Failed', async () => {
    const cluster = await setup();
    await cluster.createJob({
      backoffLimit: 0,
      status: { startTime: at(-60_000), active: 2, ready: 1, terminating: 0, uncountedTerminatedPods: {} },
    });
    const failed = await cluster.createPod('pi-a', 'Failed');
    const running = await cluster.createPod('pi-b', 'Running');

    await cluster.reconcile();

    expect(cluster.writes).toEqual([
      'delete pods/pi-b -n default',
      'update jobs.batch/pi/status -n default',
      'patch pods/pi-a -n default',
      'patch pods/pi-b -n default',
      'update jobs.batch/pi/status -n default',
    ]);
    const target = {
      type: 'FailureTarget',
      status: 'True',
      lastProbeTime: at(),
      lastTransitionTime: at(),
      reason: 'BackoffLimitExceeded',
      message: 'Job has reached the specified backoff limit',
    };
    expect(cluster.body(1).status).toEqual({
      conditions: [target],
      startTime: at(-60_000),
      terminating: 1,
      uncountedTerminatedPods: { failed: [failed.metadata!.uid, running.metadata!.uid] },
      ready: 0,
    });
    // Both counted, but pi-b is still terminating: not Failed yet.
    expect(cluster.body(4).status).toMatchObject({ conditions: [target], failed: 2, terminating: 1 });
    expect(cluster.events).toEqual(['Normal SuccessfulDelete Deleted pod: pi-b']);

    // Once it is gone: terminating 0 is written, then Failed (two writes, as upstream).
    await cluster.finishDeletions();
    await cluster.reconcile();
    expect(cluster.writes).toEqual([
      'update jobs.batch/pi/status -n default',
      'update jobs.batch/pi/status -n default',
    ]);
    expect(cluster.body(0).status.conditions).toEqual([target]);
    expect(cluster.body(1).status.conditions).toEqual([target, { ...target, type: 'Failed' }]);
    expect(cluster.body(1).status).toMatchObject({ failed: 2, terminating: 0 });
    expect(cluster.events).toEqual([
      'Warning BackoffLimitExceeded Job has reached the specified backoff limit',
    ]);
  });

  it('asks to be looked at when activeDeadlineSeconds runs out, and then fails with DeadlineExceeded', async () => {
    const cluster = await setup();
    await cluster.createJob({
      parallelism: 1,
      activeDeadlineSeconds: 30,
      status: { startTime: at(-10_000), active: 1, ready: 1, terminating: 0, uncountedTerminatedPods: {} },
    });
    await cluster.createPod('pi-a', 'Running');

    expect(await cluster.reconcile()).toEqual({ requeueAfterMs: 20_000 });
    expect(cluster.writes).toEqual([]);

    await cluster.clock.advance(20_000);
    await cluster.reconcile();
    expect(cluster.writes).toEqual([
      'delete pods/pi-a -n default',
      'update jobs.batch/pi/status -n default',
      'patch pods/pi-a -n default',
      'update jobs.batch/pi/status -n default',
    ]);
    expect(cluster.body(1).status.conditions).toEqual([
      {
        type: 'FailureTarget',
        status: 'True',
        lastProbeTime: at(20_000),
        lastTransitionTime: at(20_000),
        reason: 'DeadlineExceeded',
        message: 'Job was active longer than specified deadline',
      },
    ]);
  });

  it('suspends: active pods lose their finalizer and are deleted, Suspended is set; resuming restarts the clock', async () => {
    const cluster = await setup();
    await cluster.createJob({
      suspend: true,
      status: { startTime: at(-60_000), active: 2, ready: 2, terminating: 0, uncountedTerminatedPods: {} },
    });
    await cluster.createPod('pi-a', 'Running');
    await cluster.createPod('pi-b', 'Running');

    await cluster.reconcile();

    expect(cluster.writes).toEqual([
      'patch pods/pi-a -n default',
      'patch pods/pi-b -n default',
      'delete pods/pi-a -n default',
      'delete pods/pi-b -n default',
      'update jobs.batch/pi/status -n default',
    ]);
    expect(cluster.body(4).status).toEqual({
      conditions: [
        {
          type: 'Suspended',
          status: 'True',
          lastProbeTime: at(),
          lastTransitionTime: at(),
          reason: 'JobSuspended',
          message: 'Job suspended',
        },
      ],
      startTime: at(-60_000),
      terminating: 2,
      uncountedTerminatedPods: noUncounted,
      ready: 0,
    });
    expect(cluster.events).toEqual([
      'Normal SuccessfulDelete Deleted pod: pi-a',
      'Normal SuccessfulDelete Deleted pod: pi-b',
      'Normal Suspended Job suspended',
    ]);

    await cluster.finishDeletions();
    const job = await cluster.job();
    await cluster.memory.update(jobsRef, { ...job, spec: { ...job.spec, suspend: false } });
    await cluster.clock.advance(5000);
    await cluster.reconcile();
    expect(cluster.writes).toEqual([
      'create pods -n default',
      'create pods -n default',
      'update jobs.batch/pi/status -n default',
    ]);
    expect(cluster.body(2).status).toMatchObject({
      conditions: [{ type: 'Suspended', status: 'False', reason: 'JobResumed', message: 'Job resumed' }],
      startTime: at(5000),
      active: 2,
    });
    expect(cluster.events.at(-1)).toBe('Normal Resumed Job resumed');
  });

  it('creates no pods and sets no startTime for a Job created suspended', async () => {
    const cluster = await setup();
    await cluster.createJob({ suspend: true });

    await cluster.reconcile();

    expect(cluster.writes).toEqual(['update jobs.batch/pi/status -n default']);
    expect(cluster.body(0).status).toEqual({
      conditions: [expect.objectContaining({ type: 'Suspended', status: 'True' })],
      terminating: 0,
      uncountedTerminatedPods: noUncounted,
      ready: 0,
    });
  });

  it('keeps conditions other writers added when it writes the status', async () => {
    const cluster = await setup();
    const custom = { type: 'CustomConditionType', status: 'True', lastTransitionTime: at(-1000) };
    await cluster.createJob({ status: { conditions: [custom], active: 0 } });

    await cluster.reconcile();

    expect(cluster.writes.at(-1)).toBe('update jobs.batch/pi/status -n default');
    expect(cluster.body(2).status.conditions).toEqual([custom]);
  });

  it('adopts a matching orphan with the finalizer, and releases a pod that stopped matching without it', async () => {
    const cluster = await setup();
    const job = await cluster.createJob({
      status: { startTime: at(), active: 2, ready: 2, terminating: 0, uncountedTerminatedPods: {} },
    });
    const orphan = await cluster.createPod('pi-a', 'Running', { owned: false, finalizer: false });
    const stray = await cluster.createPod('pi-b', 'Running');
    await cluster.memory.update(podsRef, {
      ...stray,
      metadata: { ...stray.metadata, labels: { app: 'other' } },
    });

    await cluster.reconcile();

    expect(cluster.writes.slice(0, 3)).toEqual([
      'patch pods/pi-a -n default',
      'patch pods/pi-b -n default',
      'create pods -n default',
    ]);
    expect(cluster.body(0)).toEqual({
      metadata: {
        ownerReferences: [
          {
            apiVersion: 'batch/v1',
            kind: 'Job',
            name: 'pi',
            uid: job.metadata!.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
        uid: orphan.metadata!.uid,
        finalizers: [TRACKING],
      },
    });
    expect(cluster.body(1)).toEqual({
      metadata: {
        uid: stray.metadata!.uid,
        ownerReferences: [{ $patch: 'delete', uid: job.metadata!.uid }],
        '$deleteFromPrimitiveList/finalizers': [TRACKING],
      },
    });
    const byName = new Map((await cluster.pods()).map((pod) => [pod.metadata!.name, pod]));
    const adopted = byName.get('pi-a');
    const released = byName.get('pi-b');
    expect(adopted!.metadata!.finalizers).toEqual([TRACKING]);
    expect(adopted!.metadata!.ownerReferences).toHaveLength(1);
    expect(released!.metadata!.ownerReferences).toEqual([]);
    expect(released!.metadata!.finalizers ?? []).toEqual([]);
  });

  it('deletes the least advanced pods when there are too many, removing each one’s finalizer first', async () => {
    const cluster = await setup();
    await cluster.createJob({
      parallelism: 1,
      status: { startTime: at(), active: 2, ready: 1, terminating: 0, uncountedTerminatedPods: {} },
    });
    await cluster.createPod('pi-a', 'Running');
    await cluster.createPod('pi-b', 'Pending');

    await cluster.reconcile();

    expect(cluster.writes).toEqual([
      'patch pods/pi-b -n default',
      'delete pods/pi-b -n default',
      'update jobs.batch/pi/status -n default',
    ]);
    expect(cluster.body(2).status).toMatchObject({ active: 1, ready: 1, terminating: 1 });
  });

  it('finishes a work queue (no completions) when one pod succeeded and the others stopped', async () => {
    const cluster = await setup();
    await cluster.createJob({
      completions: null,
      status: { startTime: at(), active: 2, ready: 1, terminating: 0, uncountedTerminatedPods: {} },
    });
    await cluster.createPod('pi-a', 'Succeeded');
    await cluster.createPod('pi-b', 'Running');

    await cluster.reconcile();
    // One succeeded: no new pods, the running one is left to finish.
    expect(cluster.writes).toEqual([
      'update jobs.batch/pi/status -n default',
      'patch pods/pi-a -n default',
      'update jobs.batch/pi/status -n default',
    ]);
    expect(cluster.body(2).status).toMatchObject({ active: 1, succeeded: 1 });
    expect(cluster.body(2).status.conditions).toBeUndefined();

    const running = (await cluster.pods()).find((pod) => pod.metadata!.name === 'pi-b')!;
    await cluster.memory.update(podsRef, { ...running, status: { ...running.status, phase: 'Succeeded' } });
    await cluster.reconcile();
    expect(cluster.body(cluster.writes.length - 1).status.conditions.map((c: any) => c.type)).toEqual([
      'SuccessCriteriaMet',
      'Complete',
    ]);
  });

  it('leaves a Job with spec.managedBy naming another controller alone', async () => {
    const cluster = await setup();
    await cluster.createJob({ managedBy: 'example.com/custom-job-controller' });

    await cluster.reconcile();

    expect(cluster.writes).toEqual([]);
  });

  it('removes the tracking finalizer of a pod whose Job is gone', async () => {
    const cluster = await setup();
    await cluster.createJob();
    await cluster.createPod('pi-a', 'Running');
    await cluster.memory.delete(jobsRef, 'pi');
    await settle();
    cluster.client.writes.length = 0;

    await cluster.controller.reconcileOrphanPod('default/pi-a');

    expect(cluster.writes).toEqual(['patch pods/pi-a -n default']);
    expect((await cluster.pods())[0]!.metadata!.finalizers).toEqual([]);
    // The handlers queued it too, when the Job went away.
    expect(cluster.controller.orphanQueue.length).toBe(1);
  });
});
