import { expect, describe as group, test } from 'vitest';
import { FakeClock } from '../../client/testing/fake-clock.js';
import { resolveProfile } from '../config/profile.js';
import type { SchedulerProfile } from '../config/types.js';
import { prioritySort } from '../plugins/priority-sort/priority-sort.js';
import { node, pod, describe as statusOf, testHandle } from '../testing/fixtures.js';
import { CycleState } from './cycle-state.js';
import { Framework } from './framework.js';
import type { FrameworkHandle, Plugin, PluginFactory } from './interfaces.js';
import { PodInfo } from './pod-info.js';
import { type Result, Status, skip, unresolvable, unschedulable } from './status.js';
import { WaitingPods } from './waiting-pods.js';

/** A framework whose profile enables exactly `points` (no defaults), over a cache with n1 and n2. */
function frameworkWith(plugins: Record<string, PluginFactory>, profile: SchedulerProfile['plugins']) {
  const clock = new FakeClock();
  const context = testHandle({ nodes: [node('n1'), node('n2')] });
  const calls: string[] = [];
  const registry = new Map<string, PluginFactory>(Object.entries(plugins));
  registry.set('PrioritySort', prioritySort);
  registry.set('Binder', () => ({
    name: 'Binder',
    bind: async (_state: CycleState, target: PodInfo, nodeName: string) => {
      calls.push(`bind ${target.name} ${nodeName}`);
      return undefined;
    },
  }));
  const framework = new Framework({
    profile: resolveProfile({
      plugins: {
        multiPoint: { disabled: [{ name: '*' }] },
        queueSort: { enabled: [{ name: 'PrioritySort' }] },
        bind: { enabled: [{ name: 'Binder' }] },
        ...profile,
      },
    }),
    registry,
    waitingPods: new WaitingPods(clock),
    handle: { ...context.handle, clock },
  });
  return { framework, clock, calls, cache: context.cache };
}

const recording = (
  calls: string[],
  name: string,
  answer: Result = undefined,
): Plugin & Record<string, unknown> => ({
  name,
  filter: () => {
    calls.push(`filter ${name}`);
    return answer;
  },
  reserve: () => {
    calls.push(`reserve ${name}`);
    return answer;
  },
  unreserve: () => {
    calls.push(`unreserve ${name}`);
  },
});

group('running the extension points', () => {
  test('Filter stops at the first plugin that rejects the node, and names it', () => {
    const calls: string[] = [];
    const { framework, cache } = frameworkWith(
      {
        First: () => recording(calls, 'First'),
        Second: () => recording(calls, 'Second', unschedulable('nope')),
        Third: () => recording(calls, 'Third'),
      },
      { filter: { enabled: [{ name: 'First' }, { name: 'Second' }, { name: 'Third' }] } },
    );
    const status = framework.runFilterPlugins(new CycleState(), new PodInfo(pod('p')), cache.get('n1')!);
    expect([statusOf(status), status?.plugin]).toEqual(['Unschedulable: nope', 'Second']);
    expect(calls).toEqual(['filter First', 'filter Second']);
  });

  test('a PreFilter answering Skip skips that plugin’s Filter for the cycle', () => {
    const calls: string[] = [];
    const { framework, cache } = frameworkWith(
      {
        Lazy: () => ({ ...recording(calls, 'Lazy', unschedulable('never')), preFilter: () => skip() }),
      },
      { preFilter: { enabled: [{ name: 'Lazy' }] }, filter: { enabled: [{ name: 'Lazy' }] } },
    );
    const state = new CycleState();
    const info = new PodInfo(pod('p'));
    framework.runPreFilterPlugins(state, info, cache.list());
    expect(statusOf(framework.runFilterPlugins(state, info, cache.get('n1')!))).toBe('ok');
    expect(calls).toEqual([]);
  });

  test('a Filter answering anything but a rejection is an error', () => {
    const { framework, cache } = frameworkWith(
      { Broken: () => ({ name: 'Broken', filter: () => new Status('Wait') }) },
      { filter: { enabled: [{ name: 'Broken' }] } },
    );
    expect(
      statusOf(framework.runFilterPlugins(new CycleState(), new PodInfo(pod('p')), cache.get('n1')!)),
    ).toBe('Error: running "Broken" filter plugin: ');
  });

  test('scores are normalized, weighted and summed; out-of-range scores are errors', () => {
    const { framework, cache } = frameworkWith(
      {
        Half: () => ({
          name: 'Half',
          score: (_s: CycleState, _p: PodInfo, candidate: { name: string }) =>
            candidate.name === 'n1' ? 50 : 100,
        }),
        Twice: () => ({
          name: 'Twice',
          score: () => 10,
          normalizeScore: (_s: CycleState, _p: PodInfo, _n: unknown, scores: Float64Array) => {
            scores.fill(100);
            return undefined;
          },
        }),
        Wild: () => ({ name: 'Wild', score: () => 101 }),
      },
      {
        score: {
          enabled: [
            { name: 'Half', weight: 2 },
            { name: 'Twice', weight: 1 },
          ],
        },
      },
    );
    const totals = framework.runScorePlugins(new CycleState(), new PodInfo(pod('p')), cache.list());
    expect(totals instanceof Status ? totals.message : [...totals]).toEqual([200, 300]);
    const wild = frameworkWith(
      { Wild: () => ({ name: 'Wild', score: () => 101 }) },
      { score: { enabled: [{ name: 'Wild' }] } },
    );
    const result = wild.framework.runScorePlugins(new CycleState(), new PodInfo(pod('p')), wild.cache.list());
    expect(result instanceof Status ? result.message : result).toBe(
      'plugin "Wild" returns an invalid score 101, it should in the range of [0, 100] after normalizing',
    );
  });

  test('a failed Reserve is reported; Unreserve runs in reverse order', () => {
    const calls: string[] = [];
    const { framework } = frameworkWith(
      {
        A: () => recording(calls, 'A'),
        B: () => recording(calls, 'B', unresolvable('full')),
      },
      { reserve: { enabled: [{ name: 'A' }, { name: 'B' }] } },
    );
    const state = new CycleState();
    const info = new PodInfo(pod('p'));
    const status = framework.runReservePluginsReserve(state, info, 'n1');
    framework.runReservePluginsUnreserve(state, info, 'n1');
    expect([statusOf(status), status?.plugin]).toEqual(['UnschedulableAndUnresolvable: full', 'B']);
    expect(calls).toEqual(['reserve A', 'reserve B', 'unreserve B', 'unreserve A']);
  });

  test('a plugin enabled at a point it does not serve is refused', () => {
    expect(() =>
      frameworkWith({ A: () => ({ name: 'A' }) }, { filter: { enabled: [{ name: 'A' }] } }),
    ).toThrow('plugin "A" does not extend the filter extension point');
  });

  test('binders answering Skip pass the pod to the next', async () => {
    const { framework, calls } = frameworkWith(
      { NotMine: () => ({ name: 'NotMine', bind: async () => skip() }) },
      { bind: { enabled: [{ name: 'NotMine' }, { name: 'Binder' }] } },
    );
    expect(statusOf(await framework.runBindPlugins(new CycleState(), new PodInfo(pod('p')), 'n2'))).toBe(
      'ok',
    );
    expect(calls).toEqual(['bind p n2']);
  });
});

group('Permit', () => {
  const gate = (handleOut: { handle?: FrameworkHandle }) => (_args: unknown, handle: FrameworkHandle) => {
    handleOut.handle = handle;
    return { name: 'Gate', permit: () => ({ status: new Status('Wait'), timeoutMs: 10_000 }) };
  };

  test('a waiting pod is bound once the plugin allows it', async () => {
    const out: { handle?: FrameworkHandle } = {};
    const { framework } = frameworkWith({ Gate: gate(out) }, { permit: { enabled: [{ name: 'Gate' }] } });
    const info = new PodInfo(pod('p'));
    expect(framework.runPermitPlugins(new CycleState(), info, 'n1')?.code).toBe('Wait');
    const waiting = framework.waitOnPermit(info);
    expect(out.handle?.getWaitingPod(info.uid)?.pendingPlugins).toEqual(['Gate']);
    out.handle?.getWaitingPod(info.uid)?.allow('Gate');
    expect(statusOf(await waiting)).toBe('ok');
  });

  test('a waiting pod is rejected at the timeout, with kube-scheduler’s message', async () => {
    const out: { handle?: FrameworkHandle } = {};
    const { framework, clock } = frameworkWith(
      { Gate: gate(out) },
      { permit: { enabled: [{ name: 'Gate' }] } },
    );
    const info = new PodInfo(pod('p'));
    framework.runPermitPlugins(new CycleState(), info, 'n1');
    const waiting = framework.waitOnPermit(info);
    await clock.advance(10_000);
    expect(statusOf(await waiting)).toBe(
      'Unschedulable: rejected due to timeout after waiting 10s at plugin Gate',
    );
  });

  test('a plugin may reject a waiting pod', async () => {
    const out: { handle?: FrameworkHandle } = {};
    const { framework } = frameworkWith({ Gate: gate(out) }, { permit: { enabled: [{ name: 'Gate' }] } });
    const info = new PodInfo(pod('p'));
    framework.runPermitPlugins(new CycleState(), info, 'n1');
    const waiting = framework.waitOnPermit(info);
    out.handle?.getWaitingPod(info.uid)?.reject('Gate', 'the gang is incomplete');
    const status = await waiting;
    expect([statusOf(status), status?.plugin]).toEqual(['Unschedulable: the gang is incomplete', 'Gate']);
  });
});
