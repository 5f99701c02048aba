import { describe, expect, it } from 'vitest';
import type { Node, Taint } from '../../api/scheduling/types.js';
import { daemonEligibility } from './eligibility.js';
import type { DaemonSet } from './types.js';

function daemonSet(spec: Record<string, unknown> = {}): DaemonSet {
  return {
    metadata: { name: 'agent', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: {
        metadata: { labels: { app: 'agent' } },
        spec: { containers: [{ name: 'agent' }], ...spec },
      },
    },
  };
}

function node(
  options: { labels?: Record<string, string>; taints?: Taint[]; unschedulable?: boolean } = {},
): Node {
  return {
    metadata: { name: 'node-1', labels: options.labels ?? {} },
    spec: {
      ...(options.taints ? { taints: options.taints } : {}),
      ...(options.unschedulable ? { unschedulable: true } : {}),
    },
  };
}

describe('daemonEligibility', () => {
  const cases: {
    name: string;
    spec?: Record<string, unknown>;
    node: Node;
    expected: [shouldRun: boolean, shouldContinueRunning: boolean];
  }[] = [
    { name: 'a plain node', node: node(), expected: [true, true] },
    {
      name: 'a matching nodeSelector',
      spec: { nodeSelector: { disk: 'ssd' } },
      node: node({ labels: { disk: 'ssd' } }),
      expected: [true, true],
    },
    {
      name: 'a nodeSelector the node misses',
      spec: { nodeSelector: { disk: 'ssd' } },
      node: node(),
      expected: [false, false],
    },
    {
      name: 'a required affinity the node misses',
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }],
            },
          },
        },
      },
      node: node({ labels: { zone: 'b' } }),
      expected: [false, false],
    },
    {
      name: 'a template nodeName naming another node',
      spec: { nodeName: 'node-2' },
      node: node(),
      expected: [false, false],
    },
    {
      name: 'a template nodeName naming this node',
      spec: { nodeName: 'node-1' },
      node: node(),
      expected: [true, true],
    },
    {
      name: 'an untolerated NoSchedule taint keeps running pods',
      node: node({ taints: [{ key: 'db', effect: 'NoSchedule' }] }),
      expected: [false, true],
    },
    {
      name: 'an untolerated NoExecute taint',
      node: node({ taints: [{ key: 'db', effect: 'NoExecute' }] }),
      expected: [false, false],
    },
    {
      name: 'a PreferNoSchedule taint keeps nothing out',
      node: node({ taints: [{ key: 'db', effect: 'PreferNoSchedule' }] }),
      expected: [true, true],
    },
    {
      name: 'a tolerated taint',
      spec: { tolerations: [{ key: 'db', operator: 'Exists' }] },
      node: node({ taints: [{ key: 'db', value: 'x', effect: 'NoExecute' }] }),
      expected: [true, true],
    },
    {
      name: 'a cordoned node (unschedulable and its taint)',
      node: node({
        unschedulable: true,
        taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }],
      }),
      expected: [true, true],
    },
    {
      name: 'a node that is not ready or unreachable',
      node: node({
        taints: [
          { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' },
          { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
          { key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' },
          { key: 'node.kubernetes.io/disk-pressure', effect: 'NoSchedule' },
          { key: 'node.kubernetes.io/pid-pressure', effect: 'NoSchedule' },
        ],
      }),
      expected: [true, true],
    },
    {
      name: 'a node without its pod network, for a pod that needs it',
      node: node({ taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }] }),
      expected: [false, true],
    },
    {
      name: 'a node without its pod network, for a host-network pod',
      spec: { hostNetwork: true },
      node: node({ taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }] }),
      expected: [true, true],
    },
  ];
  it.each(cases)('$name', ({ spec, node: subject, expected }) => {
    const { shouldRun, shouldContinueRunning } = daemonEligibility(daemonSet(spec))(subject);
    expect([shouldRun, shouldContinueRunning]).toEqual(expected);
  });
});
