import { expect, test } from 'vitest';
import { node, pod, runFilter, testHandle } from '../../testing/fixtures.js';
import { nodeUnschedulable } from './node-unschedulable.js';

test.each([
  { name: 'a schedulable node', unschedulable: false, tolerations: undefined, want: 'ok' },
  {
    name: 'a cordoned node',
    unschedulable: true,
    tolerations: undefined,
    want: 'UnschedulableAndUnresolvable: node(s) were unschedulable',
  },
  {
    name: 'a cordoned node, for a pod tolerating the unschedulable taint',
    unschedulable: true,
    tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }],
    want: 'ok',
  },
  {
    name: 'a cordoned node, for a pod tolerating everything',
    unschedulable: true,
    tolerations: [{ operator: 'Exists' }],
    want: 'ok',
  },
])('$name', ({ unschedulable, tolerations, want }) => {
  const { cache } = testHandle({ nodes: [node('n1', { unschedulable })] });
  expect(runFilter(nodeUnschedulable(), cache, pod('p', tolerations ? { tolerations } : {}), 'n1')).toBe(
    want,
  );
});
