import { expect, test } from 'vitest';
import { node, pod, runFilter, testHandle } from '../../testing/fixtures.js';
import { nodeName } from './node-name.js';

test.each([
  { name: 'no nodeName fits any node', wanted: undefined, want: 'ok' },
  { name: 'the named node fits', wanted: 'n1', want: 'ok' },
  {
    name: 'another node does not',
    wanted: 'n2',
    want: "UnschedulableAndUnresolvable: node(s) didn't match the requested node name",
  },
])('$name', ({ wanted, want }) => {
  const { cache } = testHandle({ nodes: [node('n1'), node('n2')] });
  const target = pod('p');
  if (wanted) target.spec!.nodeName = wanted;
  expect(runFilter(nodeName(), cache, target, 'n1')).toBe(want);
});
