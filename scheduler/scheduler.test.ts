import { expect, describe as group, test } from 'vitest';
import { refFor } from '../client/refs.js';
import type { FilterPlugin, FrameworkHandle } from './framework/interfaces.js';
import { PodInfo } from './framework/pod-info.js';
import { unschedulable } from './framework/status.js';
import { node, pod } from './testing/fixtures.js';
import { testScheduler } from './testing/scheduler-harness.js';

group('the scheduling algorithm', () => {
  test('the FailedScheduling message counts each node’s first failing reason, sorted', () => {
    const { schedule } = testScheduler({
      nodes: [
        node('gpu', { cpu: '1', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
        node('small-1', { cpu: '1' }),
        node('small-2', { cpu: '1' }),
      ],
    });
    expect(schedule(pod('big', { cpu: '2' })).message).toBe(
      '0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu.',
    );
  });

  test('with no nodes at all the error is kube-scheduler’s', () => {
    const { schedule } = testScheduler();
    expect(schedule(pod('p')).message).toBe('no nodes available to schedule pods');
  });

  test('a PreFilter rejection replaces the per-node counts', () => {
    const { schedule } = testScheduler({ nodes: [node('n1'), node('n2')] });
    const conflicting = pod('p', {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              {
                matchFields: [
                  { key: 'metadata.name', operator: 'In', values: ['n1'] },
                  { key: 'metadata.name', operator: 'In', values: ['n2'] },
                ],
              },
            ],
          },
        },
      },
    });
    expect(schedule(conflicting).message).toBe('0/2 nodes are available: pod affinity terms conflict.');
  });

  test('nodes left out by a PreFilter are reported as not satisfying it', () => {
    const { schedule } = testScheduler({ nodes: [node('n1', { cpu: '1' }), node('n2'), node('n3')] });
    const pinned = pod('p', {
      cpu: '2',
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }],
          },
        },
      },
    });
    expect(schedule(pinned).message).toBe(
      "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity].",
    );
  });

  test.each([
    { nodes: 50, percentage: undefined, want: 50 },
    { nodes: 100, percentage: undefined, want: 100 },
    { nodes: 1_000, percentage: undefined, want: 420 },
    { nodes: 5_000, percentage: undefined, want: 500 },
    { nodes: 20_000, percentage: undefined, want: 1_000 },
    { nodes: 1_000, percentage: 30, want: 300 },
    { nodes: 1_000, percentage: 5, want: 100 },
  ])(
    'at $nodes nodes (percentageOfNodesToScore $percentage) it looks for $want feasible nodes',
    ({ nodes, percentage, want }) => {
      const { scheduler } = testScheduler();
      expect(scheduler.numFeasibleNodesToFind(percentage, nodes)).toBe(want);
    },
  );

  test('sampling starts where the previous cycle stopped, so every node gets its turn', () => {
    const nodes = Array.from({ length: 300 }, (_, index) => node(`n${index}`));
    const { scheduler, schedule } = testScheduler({ nodes });
    // 300 nodes: 50 − 2 = 48% → 144 feasible nodes per cycle, then the next cycle starts after them.
    expect(scheduler.numFeasibleNodesToFind(undefined, 300)).toBe(144);
    const first = schedule(pod('a')).node;
    const second = schedule(pod('b')).node;
    const index = (name?: string) => Number(name?.slice(1));
    expect(index(first)).toBeLessThan(144);
    expect(index(second)).toBeGreaterThanOrEqual(144);
  });
});

group('profiles', () => {
  const packOrSpread = () => ({
    nodes: [node('busy'), node('idle')],
    pods: [pod('running', { node: 'busy', cpu: '2', memory: '4Gi' })],
  });

  test('the default profile spreads: LeastAllocated prefers the idle node', () => {
    const { schedule } = testScheduler(packOrSpread());
    expect(schedule(pod('p', { cpu: '1', memory: '1Gi' })).node).toBe('idle');
  });

  test('a profile scoring MostAllocated with a heavy weight packs', () => {
    const { schedule } = testScheduler({
      ...packOrSpread(),
      config: {
        profiles: [
          {
            schedulerName: 'default-scheduler',
            plugins: { score: { enabled: [{ name: 'NodeResourcesFit', weight: 10 }] } },
            pluginConfig: [
              { name: 'NodeResourcesFit', args: { scoringStrategy: { type: 'MostAllocated' } } },
            ],
          },
        ],
      },
    });
    expect(schedule(pod('p', { cpu: '1', memory: '1Gi' })).node).toBe('busy');
  });

  test('weights decide between plugins that disagree', () => {
    // TaintToleration (weight 3 by default) dislikes the PreferNoSchedule node: 0 against 100 for the
    // crowded one. NodeResourcesFit likes the empty node: 90 against 15. By default TaintToleration wins
    // (0 + 90 < 300 + 15); with its weight at 1 and Fit's at 5, Fit does (450 > 100 + 75).
    const nodes = [
      node('preferred-not', { taints: [{ key: 'spot', effect: 'PreferNoSchedule' }] }),
      node('crowded', { cpu: '4' }),
    ];
    const pods = [pod('running', { node: 'crowded', cpu: '3', memory: '6Gi' })];
    const incoming = pod('p', { cpu: '500m', memory: '512Mi' });
    expect(testScheduler({ nodes, pods }).schedule(incoming).node).toBe('crowded');
    const reweighted = testScheduler({
      nodes,
      pods,
      config: {
        profiles: [
          {
            plugins: {
              multiPoint: {
                enabled: [
                  { name: 'TaintToleration', weight: 1 },
                  { name: 'NodeResourcesFit', weight: 5 },
                ],
              },
            },
          },
        ],
      },
    });
    expect(reweighted.schedule(incoming).node).toBe('preferred-not');
  });

  test('a plugin disabled at one point no longer filters', () => {
    const tainted = [node('tainted', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] })];
    expect(testScheduler({ nodes: tainted }).schedule(pod('p')).node).toBeUndefined();
    const lenient = testScheduler({
      nodes: tainted,
      config: { profiles: [{ plugins: { filter: { disabled: [{ name: 'TaintToleration' }] } } }] },
    });
    expect(lenient.schedule(pod('p')).node).toBe('tainted');
  });

  test('each profile schedules the pods that name it; others are left alone', () => {
    const { scheduler, framework } = testScheduler({
      nodes: [node('n1')],
      config: { profiles: [{ schedulerName: 'default-scheduler' }, { schedulerName: 'batch' }] },
    });
    expect([...scheduler.frameworks.keys()]).toEqual(['default-scheduler', 'batch']);
    expect(framework('batch').profileName).toBe('batch');
  });

  test('an out-of-tree plugin joins through the registry and a profile', () => {
    const evenOnly = (_args: unknown, _handle: FrameworkHandle) =>
      ({
        name: 'EvenNodes',
        filter: (_state, _pod, candidate) =>
          Number(candidate.name.slice(1)) % 2 === 0 ? undefined : unschedulable('node(s) are odd'),
      }) satisfies FilterPlugin;
    const { schedule } = testScheduler({
      nodes: [node('n1'), node('n3')],
      registry: { EvenNodes: evenOnly },
      config: { profiles: [{ plugins: { filter: { enabled: [{ name: 'EvenNodes' }] } } }] },
    });
    expect(schedule(pod('p')).message).toBe('0/2 nodes are available: 2 node(s) are odd.');
  });

  test('an unknown plugin is refused when the scheduler is made', () => {
    expect(() =>
      testScheduler({ config: { profiles: [{ plugins: { filter: { enabled: [{ name: 'Nope' }] } } }] } }),
    ).toThrow('plugin "Nope" does not exist');
  });
});

group('preemption', () => {
  const lowPriority = (name: string, at: string) =>
    pod(name, {
      node: at,
      cpu: '3',
      priority: 10,
      labels: { tier: 'batch' },
      startTime: '2025-01-01T00:00:00Z',
    });

  async function preempt(options: Parameters<typeof testScheduler>[0], incoming: ReturnType<typeof pod>) {
    const harness = testScheduler(options);
    for (const existing of options?.pods ?? [])
      await harness.memory.create(refFor('Pod', 'default'), existing);
    const attempt = harness.schedule(incoming);
    const outcome = await harness
      .framework()
      .runPostFilterPlugins(attempt.state, new PodInfo(incoming), attempt.fitError!.diagnosis.nodeToStatus);
    return { ...harness, attempt, outcome };
  }

  test('a higher-priority pod evicts the lowest-priority pods on the best node and is nominated there', async () => {
    const { outcome, client, events } = await preempt(
      {
        nodes: [node('n1'), node('n2')],
        pods: [lowPriority('batch-1', 'n1'), pod('important', { node: 'n2', cpu: '3', priority: 1000 })],
      },
      pod('urgent', { cpu: '2', priority: 500 }),
    );
    expect(outcome.nominatedNodeName).toBe('n1');
    expect(outcome.status).toBeUndefined();
    expect(client.summaries()).toEqual(['patch pods/batch-1/status', 'delete pods/batch-1']);
    expect(client.writes[0]!.body).toMatchObject({
      status: {
        conditions: [
          {
            type: 'DisruptionTarget',
            status: 'True',
            reason: 'PreemptionByScheduler',
            message: 'default-scheduler: preempting to accommodate a higher priority pod',
          },
        ],
      },
    });
    expect(events).toEqual([
      {
        object: 'default/batch-1',
        type: 'Normal',
        reason: 'Preempted',
        message: 'Preempted by pod uid-default-urgent on node n1',
      },
    ]);
  });

  test('only as many victims as needed, least important first', async () => {
    const small = (name: string, priority: number) => pod(name, { node: 'n1', cpu: '1', priority });
    const { outcome, client } = await preempt(
      {
        nodes: [node('n1')],
        pods: [small('p100', 100), small('p200', 200), small('p300', 300), small('p400', 400)],
      },
      pod('urgent', { cpu: '2', priority: 1000 }),
    );
    expect(outcome.nominatedNodeName).toBe('n1');
    // p400 and p300 still fit beside the new pod (1 + 1 + 2 = 4 CPU); p200 and p100 go.
    expect(client.summaries().sort()).toEqual([
      'delete pods/p100',
      'delete pods/p200',
      'patch pods/p100/status',
      'patch pods/p200/status',
    ]);
  });

  test('a node whose pods a PodDisruptionBudget protects is the last choice', async () => {
    const harness = testScheduler({
      nodes: [node('n1'), node('n2')],
      pods: [lowPriority('protected', 'n1'), pod('plain', { node: 'n2', cpu: '3', priority: 10 })],
    });
    await harness.memory.create(refFor('PodDisruptionBudget', 'default'), {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'batch', namespace: 'default' },
      spec: { selector: { matchLabels: { tier: 'batch' } }, minAvailable: 1 },
      status: { disruptionsAllowed: 0 },
    });
    harness.informers.start();
    try {
      await harness.informers.waitForSync();
      const incoming = pod('urgent', { cpu: '2', priority: 500 });
      const attempt = harness.schedule(incoming);
      const outcome = await harness
        .framework()
        .runPostFilterPlugins(attempt.state, new PodInfo(incoming), attempt.fitError!.diagnosis.nodeToStatus);
      expect(outcome.nominatedNodeName).toBe('n2');
    } finally {
      await harness.informers.stop();
    }
  });

  test('no lower-priority pods: preemption says so per node', async () => {
    const { outcome, attempt, client } = await preempt(
      {
        nodes: [node('n1'), node('n2', { cpu: '1' })],
        pods: [pod('important', { node: 'n1', cpu: '3', priority: 1000 })],
      },
      pod('urgent', { cpu: '2', priority: 500 }),
    );
    expect(outcome.nominatedNodeName).toBe('');
    expect(outcome.status?.message).toBe(
      'preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.',
    );
    expect(attempt.message).toBe('0/2 nodes are available: 2 Insufficient cpu.');
    expect(client.summaries()).toEqual([]);
  });

  test('preemptionPolicy Never does not preempt', async () => {
    const { outcome, client } = await preempt(
      { nodes: [node('n1')], pods: [lowPriority('batch-1', 'n1')] },
      pod('polite', { cpu: '2', priority: 500, preemptionPolicy: 'Never' }),
    );
    expect(outcome.status?.message).toBe('preemption: not eligible due to preemptionPolicy=Never.');
    expect(client.summaries()).toEqual([]);
  });
});
