import { expect, describe as group, test } from 'vitest';
import { isSchedulerError } from '../../errors.js';
import { node, pod, runFilter, runScore, testHandle } from '../../testing/fixtures.js';
import { nodeResourcesFit } from './node-resources-fit.js';

group('NodeResourcesFit filter', () => {
  const cases: {
    name: string;
    incoming: ReturnType<typeof pod>;
    existing?: ReturnType<typeof pod>[];
    nodeOptions?: Parameters<typeof node>[1];
    args?: unknown;
    want: string;
  }[] = [
    {
      name: 'a pod that fits beside the running ones',
      incoming: pod('p', { cpu: '2' }),
      existing: [pod('e', { node: 'n1', cpu: '1' })],
      want: 'ok',
    },
    {
      name: 'CPU already taken is Unschedulable: evicting could make room',
      incoming: pod('p', { cpu: '2' }),
      existing: [pod('e', { node: 'n1', cpu: '3' })],
      want: 'Unschedulable: Insufficient cpu',
    },
    {
      name: 'more CPU than the node has at all is Unresolvable',
      incoming: pod('p', { cpu: '5' }),
      want: 'UnschedulableAndUnresolvable: Insufficient cpu',
    },
    {
      name: 'every shortfall is a reason',
      incoming: pod('p', { cpu: '2', memory: '6Gi' }),
      existing: [pod('e', { node: 'n1', cpu: '3', memory: '4Gi' })],
      want: 'Unschedulable: Insufficient cpu, Insufficient memory',
    },
    {
      name: 'a full node says Too many pods',
      incoming: pod('p'),
      existing: [pod('e', { node: 'n1' })],
      nodeOptions: { pods: '1' },
      want: 'Unschedulable: Too many pods',
    },
    {
      name: 'a best-effort pod fits a node whose CPU is all requested',
      incoming: pod('p'),
      existing: [pod('e', { node: 'n1', cpu: '4' })],
      want: 'ok',
    },
    {
      name: 'the containers of a pod add up',
      incoming: pod('p', {
        containers: [
          { name: 'a', resources: { requests: { cpu: '1' } } },
          { name: 'b', resources: { requests: { cpu: '1500m' } } },
        ],
      }),
      existing: [pod('e', { node: 'n1', cpu: '2' })],
      want: 'Unschedulable: Insufficient cpu',
    },
    {
      name: 'an init container larger than what is free',
      incoming: {
        ...pod('p', { containers: [{ name: 'main', resources: { requests: { cpu: '1' } } }] }),
        spec: {
          containers: [{ name: 'main', resources: { requests: { cpu: '1' } } }],
          initContainers: [{ name: 'init', resources: { requests: { cpu: '3' } } }],
        },
      },
      existing: [pod('e', { node: 'n1', cpu: '2' })],
      want: 'Unschedulable: Insufficient cpu',
    },
    {
      name: 'pod overhead is added to the requests',
      incoming: {
        ...pod('p', { cpu: '1' }),
        spec: { ...pod('p', { cpu: '1' }).spec, overhead: { cpu: '2' } },
      },
      existing: [pod('e', { node: 'n1', cpu: '2' })],
      want: 'Unschedulable: Insufficient cpu',
    },
    {
      name: 'an extended resource the node lacks',
      incoming: pod('p', {
        containers: [{ name: 'main', resources: { requests: { 'example.com/gpu': '1' } } }],
      }),
      want: 'UnschedulableAndUnresolvable: Insufficient example.com/gpu',
    },
    {
      name: 'an extended resource the node has',
      incoming: pod('p', {
        containers: [{ name: 'main', resources: { requests: { 'example.com/gpu': '1' } } }],
      }),
      nodeOptions: { extended: { 'example.com/gpu': '2' } },
      want: 'ok',
    },
    {
      name: 'ignoredResources are not checked',
      incoming: pod('p', {
        containers: [{ name: 'main', resources: { requests: { 'example.com/gpu': '1' } } }],
      }),
      args: { ignoredResources: ['example.com/gpu'] },
      want: 'ok',
    },
    {
      name: 'ignoredResourceGroups ignore every resource of the group',
      incoming: pod('p', {
        containers: [{ name: 'main', resources: { requests: { 'example.com/gpu': '1' } } }],
      }),
      args: { ignoredResourceGroups: ['example.com'] },
      want: 'ok',
    },
  ];
  test.each(cases)('$name', ({ incoming, existing, nodeOptions, args, want }) => {
    const { cache, handle } = testHandle({ nodes: [node('n1', nodeOptions)], pods: existing ?? [] });
    expect(runFilter(nodeResourcesFit(args, handle), cache, incoming, 'n1')).toBe(want);
  });
});

group('NodeResourcesFit scoring strategies', () => {
  // n1: empty; n2: a pod requesting 2 CPU and no memory (counted as 200Mi for scoring).
  const setup = () =>
    testHandle({ nodes: [node('n1'), node('n2')], pods: [pod('e', { node: 'n2', cpu: '2' })] });
  const incoming = pod('p', { cpu: '1', memory: '1Gi' });
  test.each([
    { strategy: 'LeastAllocated', args: undefined, want: [81, 55] },
    { strategy: 'MostAllocated', args: { scoringStrategy: { type: 'MostAllocated' } }, want: [18, 44] },
    {
      strategy: 'RequestedToCapacityRatio',
      args: {
        scoringStrategy: {
          type: 'RequestedToCapacityRatio',
          requestedToCapacityRatio: {
            shape: [
              { utilization: 0, score: 0 },
              { utilization: 100, score: 10 },
            ],
          },
        },
      },
      want: [19, 45],
    },
    {
      strategy: 'LeastAllocated weighted to CPU',
      args: {
        scoringStrategy: {
          type: 'LeastAllocated',
          resources: [
            { name: 'cpu', weight: 3 },
            { name: 'memory', weight: 1 },
          ],
        },
      },
      want: [78, 40],
    },
  ])('$strategy', ({ args, want }) => {
    const { cache, handle } = setup();
    expect(runScore(nodeResourcesFit(args, handle), cache, incoming, ['n1', 'n2'])).toEqual(want);
  });

  test('RequestedToCapacityRatio without a shape is refused', () => {
    const { handle } = setup();
    let thrown: unknown;
    try {
      nodeResourcesFit({ scoringStrategy: { type: 'RequestedToCapacityRatio' } }, handle);
    } catch (error) {
      thrown = error;
    }
    expect(isSchedulerError(thrown, 'SKIFF_ERR_PLUGIN_ARGS')).toBe(true);
  });
});
