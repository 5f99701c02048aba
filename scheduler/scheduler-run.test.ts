import { afterEach, expect, test } from 'vitest';
import { refFor } from '../client/refs.js';
import { node, pod } from './testing/fixtures.js';
import { testScheduler } from './testing/scheduler-harness.js';
import type { Node, Pod } from './types.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** The scheduler's loop over the memory client: nodes and pods arrive through its informers. */
async function running(nodes: Node[], config?: NonNullable<Parameters<typeof testScheduler>[0]>['config']) {
  const harness = testScheduler(config ? { config } : {});
  for (const item of nodes) await harness.memory.create(refFor('Node'), item);
  harness.informers.start();
  await harness.informers.waitForSync();
  const abort = new AbortController();
  const loop = harness.scheduler.run(abort.signal);
  cleanups.push(async () => {
    abort.abort();
    await loop;
    await harness.informers.stop();
  });
  const pods = refFor('Pod', 'default');
  return {
    ...harness,
    create: (item: Pod) => harness.memory.create(pods, item),
    get: (name: string) => harness.memory.get<Pod>(pods, name),
  };
}

/** Lets the event loop run until `check` holds (watch events, binds and patches are all promises here). */
async function settled(check: () => Promise<boolean> | boolean): Promise<void> {
  for (let turn = 0; turn < 5_000; turn++) {
    if (await check()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('never settled');
}

test('a pending pod is bound through pods/binding and a Scheduled event is recorded', async () => {
  const { create, get, client, events } = await running([node('n1')]);
  await create(pod('web'));
  await settled(async () => Boolean((await get('web')).spec?.nodeName));
  expect((await get('web')).spec?.nodeName).toBe('n1');
  expect(client.summaries()).toEqual(['create pods/web/binding']);
  expect(events).toEqual([
    {
      object: 'default/web',
      type: 'Normal',
      reason: 'Scheduled',
      message: 'Successfully assigned default/web to n1',
    },
  ]);
});

test('an unschedulable pod gets PodScheduled=False, a FailedScheduling event, and is bound once a node fits', async () => {
  const { create, get, memory, events, clock } = await running([node('small', { cpu: '1' })]);
  await create(pod('big', { cpu: '2' }));
  const message =
    '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.';
  await settled(async () => (await get('big')).status?.conditions?.[0]?.message === message);
  expect((await get('big')).status?.conditions).toEqual([
    {
      type: 'PodScheduled',
      status: 'False',
      reason: 'Unschedulable',
      message,
      lastProbeTime: null,
      lastTransitionTime: '2025-01-01T00:00:00Z',
    },
  ]);
  expect(events).toEqual([{ object: 'default/big', type: 'Warning', reason: 'FailedScheduling', message }]);

  // Waiting out the backoff changes nothing: only an event that could help moves the pod.
  await clock.advance(10_000);
  expect((await get('big')).spec?.nodeName).toBeUndefined();
  await memory.create(refFor('Node'), node('large', { cpu: '4' }));
  await settled(async () => Boolean((await get('big')).spec?.nodeName));
  expect((await get('big')).spec?.nodeName).toBe('large');
});

test('pods naming another scheduler are left alone', async () => {
  const { create, get, scheduler } = await running([node('n1')]);
  await create(pod('theirs', { schedulerName: 'someone-else' }));
  await create(pod('ours'));
  await settled(async () => Boolean((await get('ours')).spec?.nodeName));
  expect((await get('theirs')).spec?.nodeName).toBeUndefined();
  expect(scheduler.queue.pending()).toEqual({ active: [], backoff: [], unschedulable: [], gated: [] });
});

test('a second profile schedules the pods that name it, with its own plugins', async () => {
  const { create, get } = await running(
    [node('tainted', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] })],
    {
      profiles: [
        { schedulerName: 'default-scheduler' },
        { schedulerName: 'lenient', plugins: { filter: { disabled: [{ name: 'TaintToleration' }] } } },
      ],
    },
  );
  await create(pod('strict'));
  await create(pod('relaxed', { schedulerName: 'lenient' }));
  await settled(async () => Boolean((await get('relaxed')).spec?.nodeName));
  await settled(async () => (await get('strict')).status?.conditions?.[0]?.reason === 'Unschedulable');
  expect((await get('strict')).spec?.nodeName).toBeUndefined();
});

test('a gated pod is not tried until its gates are removed', async () => {
  const { create, get, memory, client } = await running([node('n1')]);
  const gated = pod('gated');
  gated.spec!.schedulingGates = [{ name: 'example.com/approval' }];
  await create(gated);
  await create(pod('marker'));
  await settled(async () => Boolean((await get('marker')).spec?.nodeName));
  expect(client.summaries()).toEqual(['create pods/marker/binding']);
  const current = await get('gated');
  await memory.update(refFor('Pod', 'default'), {
    ...current,
    spec: { ...current.spec, schedulingGates: [] },
  });
  await settled(async () => Boolean((await get('gated')).spec?.nodeName));
});

test('preemption: the victims are deleted and the preemptor is bound once they are gone', async () => {
  const { create, get, memory, clock } = await running([node('n1', { cpu: '2' })]);
  await create(pod('batch', { cpu: '2', priority: 1 }));
  await settled(async () => Boolean((await get('batch')).spec?.nodeName));
  await create(pod('urgent', { cpu: '2', priority: 100 }));
  await settled(async () => (await get('urgent')).status?.nominatedNodeName === 'n1');
  await expect(memory.get(refFor('Pod', 'default'), 'batch')).rejects.toMatchObject({ reason: 'NotFound' });
  // The victim's deletion moves the preemptor; it waits out its first backoff, then fits.
  await clock.advance(1_000);
  await settled(async () => Boolean((await get('urgent')).spec?.nodeName));
  expect((await get('urgent')).spec?.nodeName).toBe('n1');
});
