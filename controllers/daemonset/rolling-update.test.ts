import { describe, expect, it } from 'vitest';
import type { Pod } from '../pods.js';
import { planRollingUpdate, rollingUpdateLimits, surgeCount, unavailableCount } from './rolling-update.js';
import type { DaemonSet, DaemonSetUpdateStrategy } from './types.js';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);

function daemonSet(strategy: DaemonSetUpdateStrategy): DaemonSet {
  return { metadata: { name: 'agent', namespace: 'default' }, spec: { updateStrategy: strategy } };
}

/** `new` or `old`, `ready` or not, `deleting` or not: a pod named after its node and kind. */
function pod(node: string, kind: 'new' | 'old', state: 'ready' | 'unready' | 'deleting' = 'ready'): Pod {
  return {
    metadata: {
      name: `${node}-${kind}`,
      labels: { 'controller-revision-hash': kind === 'new' ? 'current' : 'previous' },
      ...(state === 'deleting' ? { deletionTimestamp: '2025-01-01T12:00:00Z' } : {}),
    },
    spec: { nodeName: node },
    status:
      state === 'unready'
        ? { phase: 'Pending' }
        : { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

function plan(strategy: DaemonSetUpdateStrategy, nodes: Record<string, Pod[]>, wanted = Object.keys(nodes)) {
  const ds = daemonSet(strategy);
  return planRollingUpdate({
    daemonSet: ds,
    nodeToDaemonPods: new Map(Object.entries(nodes)),
    hash: 'current',
    generation: undefined,
    limits: rollingUpdateLimits(ds, wanted.length),
    now: NOW,
    shouldRun: (node) => wanted.includes(node),
  });
}

const unavailable = (maxUnavailable: number | string): DaemonSetUpdateStrategy => ({
  type: 'RollingUpdate',
  rollingUpdate: { maxUnavailable, maxSurge: 0 },
});
const surge = (maxSurge: number | string): DaemonSetUpdateStrategy => ({
  type: 'RollingUpdate',
  rollingUpdate: { maxUnavailable: 0, maxSurge },
});

describe('the rolling update limits', () => {
  it('scale percentages of the desired nodes, rounding up', () => {
    expect(unavailableCount(daemonSet(unavailable('10%')), 11)).toBe(2);
    expect(surgeCount(daemonSet(surge('50%')), 3)).toBe(2);
    expect(surgeCount(daemonSet({ type: 'OnDelete' }), 3)).toBe(0);
    expect(unavailableCount(daemonSet({ type: 'OnDelete' }), 3)).toBe(0);
  });

  it('allow one unavailable node when neither surge nor unavailability is allowed', () => {
    expect(rollingUpdateLimits(daemonSet(unavailable(0)), 3)).toEqual({
      maxSurge: 0,
      maxUnavailable: 1,
      desiredNumberScheduled: 3,
    });
    expect(rollingUpdateLimits(daemonSet(unavailable(0)), 0)).toEqual({
      maxSurge: 0,
      maxUnavailable: 0,
      desiredNumberScheduled: 0,
    });
  });

  it('refuse a string that is no percentage', () => {
    expect(() => rollingUpdateLimits(daemonSet(unavailable('one')), 3)).toThrow(
      /invalid value for MaxUnavailable/,
    );
  });
});

describe('planRollingUpdate without surge', () => {
  const cases: {
    name: string;
    strategy: DaemonSetUpdateStrategy;
    nodes: Record<string, Pod[]>;
    deleted: string[];
  }[] = [
    {
      name: 'deletes one available old pod for maxUnavailable 1',
      strategy: unavailable(1),
      nodes: { a: [pod('a', 'old')], b: [pod('b', 'old')], c: [pod('c', 'old')] },
      deleted: ['a-old'],
    },
    {
      name: 'deletes two for maxUnavailable 2',
      strategy: unavailable(2),
      nodes: { a: [pod('a', 'old')], b: [pod('b', 'old')], c: [pod('c', 'old')] },
      deleted: ['a-old', 'b-old'],
    },
    {
      name: 'waits while a new pod is not yet available',
      strategy: unavailable(1),
      nodes: { a: [pod('a', 'new', 'unready')], b: [pod('b', 'old')], c: [pod('c', 'old')] },
      deleted: [],
    },
    {
      name: 'counts a node whose pod is going (or has none) as unavailable',
      strategy: unavailable(1),
      nodes: { a: [pod('a', 'old', 'deleting')], b: [pod('b', 'old')], c: [] },
      deleted: [],
    },
    {
      name: 'deletes unavailable old pods whatever the limit',
      strategy: unavailable(1),
      nodes: { a: [pod('a', 'old', 'unready')], b: [pod('b', 'old', 'unready')], c: [pod('c', 'old')] },
      deleted: ['a-old', 'b-old'],
    },
    {
      name: 'moves on once new pods are available',
      strategy: unavailable(1),
      nodes: { a: [pod('a', 'new')], b: [pod('b', 'old')], c: [pod('c', 'old')] },
      deleted: ['b-old'],
    },
    {
      name: 'leaves a node with two old pods to the manage loop, counting it unavailable',
      strategy: unavailable(1),
      nodes: {
        a: [pod('a', 'old'), { ...pod('a', 'old'), metadata: { name: 'a-old-2', labels: {} } }],
        b: [pod('b', 'old')],
      },
      deleted: [],
    },
  ];
  it.each(cases)('$name', ({ strategy, nodes, deleted }) => {
    expect(plan(strategy, nodes)).toEqual({ podsToDelete: deleted, nodesToCreate: [] });
  });
});

describe('planRollingUpdate with surge', () => {
  it('starts new pods beside available old ones up to maxSurge', () => {
    expect(plan(surge(1), { a: [pod('a', 'old')], b: [pod('b', 'old')] })).toEqual({
      podsToDelete: [],
      nodesToCreate: ['a'],
    });
    expect(plan(surge('100%'), { a: [pod('a', 'old')], b: [pod('b', 'old')] })).toEqual({
      podsToDelete: [],
      nodesToCreate: ['a', 'b'],
    });
  });

  it('counts new pods not yet available against maxSurge', () => {
    expect(
      plan(surge(1), { a: [pod('a', 'old'), pod('a', 'new', 'unready')], b: [pod('b', 'old')] }),
    ).toEqual({
      podsToDelete: [],
      nodesToCreate: [],
    });
  });

  it('deletes the old pod once the new one is available, and surges on', () => {
    expect(plan(surge(1), { a: [pod('a', 'old'), pod('a', 'new')], b: [pod('b', 'old')] })).toEqual({
      podsToDelete: ['a-old'],
      nodesToCreate: ['b'],
    });
  });

  it('replaces unavailable old pods at once, beyond maxSurge', () => {
    expect(plan(surge(1), { a: [pod('a', 'old', 'unready')], b: [pod('b', 'old', 'unready')] })).toEqual({
      podsToDelete: [],
      nodesToCreate: ['a', 'b'],
    });
  });

  it('removes an available pod from a node no longer wanted only while more pods are available than wanted', () => {
    const nodes = { a: [pod('a', 'old')], b: [pod('b', 'new')] };
    expect(plan(surge(1), nodes, ['b'])).toEqual({ podsToDelete: ['a-old'], nodesToCreate: [] });
    expect(plan(surge(1), { a: [pod('a', 'old')], b: [pod('b', 'new', 'unready')] }, ['b'])).toEqual({
      podsToDelete: [],
      nodesToCreate: [],
    });
  });
});
