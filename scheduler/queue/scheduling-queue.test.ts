import { expect, describe as group, test } from 'vitest';
import { FakeClock } from '../../client/testing/fake-clock.js';
import { ActionType, type ClusterEventWithHint, type QueuedPodInfo } from '../framework/interfaces.js';
import { PodInfo } from '../framework/pod-info.js';
import { pod } from '../testing/fixtures.js';
import type { Node, Pod } from '../types.js';
import { eventMatches, SchedulingQueue, schedulingRelevantChange } from './scheduling-queue.js';

const byPriority = (a: QueuedPodInfo, b: QueuedPodInfo) =>
  a.podInfo.priority > b.podInfo.priority ||
  (a.podInfo.priority === b.podInfo.priority && a.timestamp < b.timestamp);

const NODE_ADD = { resource: 'Node', action: ActionType.Add } as const;
const POD_DELETE = { resource: 'AssignedPod', action: ActionType.Delete } as const;

function makeQueue(
  registrations: Record<string, ClusterEventWithHint[]> = {},
  preEnqueue?: (pod: Pod) => string | undefined,
) {
  const clock = new FakeClock();
  const queue = new SchedulingQueue({
    clock,
    less: byPriority,
    registrations: new Map(Object.entries(registrations)),
    ...(preEnqueue ? { preEnqueue } : {}),
  });
  return { clock, queue };
}

/** Pops a pod and fails it, as a scheduling attempt rejected by `plugins` would. */
async function failAttempt(queue: SchedulingQueue, plugins: string[]): Promise<QueuedPodInfo> {
  const info = (await queue.pop())!;
  info.unschedulablePlugins = new Set(plugins);
  queue.addUnschedulable(info);
  return info;
}

group('the scheduling queue', () => {
  test('pods come out by priority, then by age', async () => {
    const { clock, queue } = makeQueue();
    queue.add(new PodInfo(pod('low'), 1));
    await clock.advance(1);
    queue.add(new PodInfo(pod('high'), 100));
    await clock.advance(1);
    queue.add(new PodInfo(pod('low-later'), 1));
    const order = [];
    for (let index = 0; index < 3; index++) order.push((await queue.pop())!.podInfo.name);
    expect(order).toEqual(['high', 'low', 'low-later']);
    queue.close();
  });

  test('a pod rejected by a plugin waits in unschedulable, not on a timer', async () => {
    const { clock, queue } = makeQueue({ NodeResourcesFit: [{ event: NODE_ADD }] });
    queue.add(new PodInfo(pod('p')));
    await failAttempt(queue, ['NodeResourcesFit']);
    await clock.advance(60_000);
    expect(queue.pending()).toEqual({ active: [], backoff: [], unschedulable: ['default/p'], gated: [] });
    queue.close();
  });

  test('an event the rejecting plugin registered moves it back, through its backoff', async () => {
    const { clock, queue } = makeQueue({ NodeResourcesFit: [{ event: NODE_ADD }] });
    queue.add(new PodInfo(pod('p')));
    await failAttempt(queue, ['NodeResourcesFit']);
    queue.moveAllToActiveOrBackoff(NODE_ADD);
    expect(queue.pending().backoff).toEqual(['default/p']);
    await clock.advance(999);
    expect(queue.pending().backoff).toEqual(['default/p']);
    await clock.advance(1);
    expect(queue.pending().active).toEqual(['default/p']);
    queue.close();
  });

  test('after its backoff has passed, an event moves it straight to active', async () => {
    const { clock, queue } = makeQueue({ NodeResourcesFit: [{ event: NODE_ADD }] });
    queue.add(new PodInfo(pod('p')));
    await failAttempt(queue, ['NodeResourcesFit']);
    await clock.advance(5_000);
    queue.moveAllToActiveOrBackoff(NODE_ADD);
    expect(queue.pending().active).toEqual(['default/p']);
    queue.close();
  });

  test('events nobody that rejected the pod registered for leave it where it is', async () => {
    const { queue } = makeQueue({
      NodeResourcesFit: [{ event: NODE_ADD }],
      TaintToleration: [{ event: NODE_ADD }],
    });
    queue.add(new PodInfo(pod('p')));
    await failAttempt(queue, ['NodeResourcesFit']);
    queue.moveAllToActiveOrBackoff(POD_DELETE);
    expect(queue.pending().unschedulable).toEqual(['default/p']);
    queue.close();
  });

  test('a queueing hint that says Skip keeps the pod waiting', async () => {
    const { queue } = makeQueue({
      NodeAffinity: [
        {
          event: NODE_ADD,
          hint: (_pod, _old, node) => ((node as Node).metadata?.labels?.zone === 'a' ? 'Queue' : 'Skip'),
        },
      ],
    });
    queue.add(new PodInfo(pod('p')));
    await failAttempt(queue, ['NodeAffinity']);
    queue.moveAllToActiveOrBackoff(NODE_ADD, undefined, { metadata: { name: 'n', labels: { zone: 'b' } } });
    expect(queue.pending().unschedulable).toEqual(['default/p']);
    queue.moveAllToActiveOrBackoff(NODE_ADD, undefined, { metadata: { name: 'n', labels: { zone: 'a' } } });
    expect(queue.pending().backoff).toEqual(['default/p']);
    queue.close();
  });

  test('backoff doubles with each attempt up to the maximum', async () => {
    const { queue } = makeQueue();
    const info = (attempts: number): QueuedPodInfo => ({
      podInfo: new PodInfo(pod('p')),
      timestamp: 0,
      initialAttemptTimestamp: 0,
      attempts,
      unschedulablePlugins: new Set(),
      pendingPlugins: new Set(),
      gated: false,
    });
    expect([1, 2, 3, 4, 5, 6].map((attempts) => queue.backoffDuration(info(attempts)))).toEqual([
      1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
    queue.close();
  });

  test('an error (no plugin rejected it) goes to backoff and is retried when it ends', async () => {
    const { clock, queue } = makeQueue();
    queue.add(new PodInfo(pod('p')));
    await failAttempt(queue, []);
    expect(queue.pending().backoff).toEqual(['default/p']);
    await clock.advance(1000);
    expect(queue.pending().active).toEqual(['default/p']);
    queue.close();
  });

  test('an event during the attempt is not lost: the pod goes to backoff', async () => {
    const { queue } = makeQueue({ NodeResourcesFit: [{ event: NODE_ADD }] });
    queue.add(new PodInfo(pod('p')));
    const info = (await queue.pop())!;
    queue.moveAllToActiveOrBackoff(NODE_ADD);
    info.unschedulablePlugins = new Set(['NodeResourcesFit']);
    queue.addUnschedulable(info);
    expect(queue.pending().backoff).toEqual(['default/p']);
    queue.close();
  });

  test('a pod left unschedulable for five minutes is retried anyway', async () => {
    const { clock, queue } = makeQueue({ NodeResourcesFit: [{ event: NODE_ADD }] });
    queue.add(new PodInfo(pod('p')));
    await failAttempt(queue, ['NodeResourcesFit']);
    await clock.advance(4 * 60_000);
    expect(queue.pending().unschedulable).toEqual(['default/p']);
    await clock.advance(90_000);
    expect(queue.pending().active).toEqual(['default/p']);
    queue.close();
  });

  test('an update of the pod’s spec moves it; a status update does not', async () => {
    const { clock, queue } = makeQueue({ NodeResourcesFit: [{ event: NODE_ADD }] });
    const original = pod('p', { cpu: '8' });
    queue.add(new PodInfo(original));
    await failAttempt(queue, ['NodeResourcesFit']);
    await clock.advance(2_000);
    const statusOnly: Pod = {
      ...original,
      status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False' }] },
    };
    queue.update(original, new PodInfo(statusOnly));
    expect(queue.pending().unschedulable).toEqual(['default/p']);
    const smaller = pod('p', { cpu: '1' });
    queue.update(statusOnly, new PodInfo(smaller));
    expect(queue.pending().active).toEqual(['default/p']);
    queue.close();
  });

  test('a gated pod waits until an update removes its gates', async () => {
    const gated = (target: Pod) =>
      (target.spec?.schedulingGates ?? []).length > 0 ? 'SchedulingGates' : undefined;
    const { queue } = makeQueue({}, gated);
    const held = pod('p');
    held.spec!.schedulingGates = [{ name: 'example.com/wait' }];
    queue.add(new PodInfo(held));
    expect(queue.pending()).toEqual({ active: [], backoff: [], unschedulable: [], gated: ['default/p'] });
    queue.moveAllToActiveOrBackoff({ resource: '*', action: 0 });
    expect(queue.pending().gated).toEqual(['default/p']);
    queue.update(held, new PodInfo(pod('p')));
    expect(queue.pending().active).toEqual(['default/p']);
    queue.close();
  });

  test('a deleted pod leaves every part', async () => {
    const { queue } = makeQueue({ NodeResourcesFit: [{ event: NODE_ADD }] });
    queue.add(new PodInfo(pod('a')));
    queue.add(new PodInfo(pod('b')));
    await failAttempt(queue, ['NodeResourcesFit']);
    queue.delete('default/a');
    queue.delete('default/b');
    expect(queue.pending()).toEqual({ active: [], backoff: [], unschedulable: [], gated: [] });
    queue.close();
  });

  test('pop waits for a pod, and ends when the queue closes', async () => {
    const { queue } = makeQueue();
    const waiting = queue.pop();
    queue.add(new PodInfo(pod('late')));
    expect((await waiting)?.podInfo.name).toBe('late');
    const ended = queue.pop();
    queue.close();
    expect(await ended).toBeUndefined();
  });
});

group('event matching', () => {
  test.each([
    { registered: { resource: 'Pod', action: ActionType.Delete }, incoming: POD_DELETE, want: true },
    { registered: { resource: 'Node', action: ActionType.Add }, incoming: POD_DELETE, want: false },
    {
      registered: { resource: 'Node', action: ActionType.Update },
      incoming: { resource: 'Node', action: ActionType.UpdateNodeLabel },
      want: true,
    },
    {
      registered: { resource: 'Node', action: ActionType.UpdateNodeTaint },
      incoming: { resource: 'Node', action: ActionType.UpdateNodeLabel },
      want: false,
    },
    { registered: { resource: '*', action: ActionType.All }, incoming: NODE_ADD, want: true },
  ] as const)(
    '$registered.resource/$registered.action covers $incoming.resource/$incoming.action: $want',
    ({ registered, incoming, want }) => {
      expect(eventMatches(registered, incoming)).toBe(want);
    },
  );

  test('status and bookkeeping changes are not scheduling-relevant', () => {
    const before = pod('p');
    const after: Pod = {
      ...before,
      metadata: { ...before.metadata, resourceVersion: '9', managedFields: [] },
      status: { phase: 'Pending', nominatedNodeName: 'n1' },
    };
    expect(schedulingRelevantChange(before, after)).toBe(false);
    expect(
      schedulingRelevantChange(before, { ...after, metadata: { ...after.metadata, labels: { a: 'b' } } }),
    ).toBe(true);
  });
});
