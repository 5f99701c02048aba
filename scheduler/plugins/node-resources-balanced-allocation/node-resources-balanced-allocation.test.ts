import { expect, test } from 'vitest';
import { node, pod, runScore, testHandle } from '../../testing/fixtures.js';
import { balancedScore, nodeResourcesBalancedAllocation } from './node-resources-balanced-allocation.js';

test.each([
  { fractions: [0.5, 0.5], want: 100 },
  { fractions: [0.8, 0.2], want: 70 },
  { fractions: [0.25, 0.125], want: 93 },
  { fractions: [0.2, 0.5, 0.8], want: 75 },
  { fractions: [0.3], want: 100 },
])('fractions $fractions score $want', ({ fractions, want }) => {
  expect(balancedScore(fractions)).toBe(want);
});

test('the node left most evenly used scores higher, with real requests only', () => {
  // n2 runs a pod asking for 2 CPU and no memory: CPU 75%, memory 12.5% once the new pod is there.
  const { cache, handle } = testHandle({
    nodes: [node('n1'), node('n2')],
    pods: [pod('e', { node: 'n2', cpu: '2' })],
  });
  const plugin = nodeResourcesBalancedAllocation(undefined, handle);
  expect(runScore(plugin, cache, pod('p', { cpu: '1', memory: '1Gi' }), ['n1', 'n2'])).toEqual([93, 68]);
});

test('a best-effort pod skips the plugin, so such pods do not pile onto one node', () => {
  const { cache, handle } = testHandle({ nodes: [node('n1')] });
  expect(runScore(nodeResourcesBalancedAllocation(undefined, handle), cache, pod('p'), ['n1'])).toBe('skip');
});
