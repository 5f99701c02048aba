import { expect, test } from 'vitest';
import { describe, pod } from '../../testing/fixtures.js';
import { schedulingGates } from './scheduling-gates.js';

test.each([
  { name: 'a pod without gates enters the queue', gates: [], want: 'ok' },
  {
    name: 'a gated pod is held, its gates named',
    gates: [{ name: 'example.com/quota' }, { name: 'example.com/review' }],
    want: 'UnschedulableAndUnresolvable: waiting for scheduling gates: [example.com/quota example.com/review]',
  },
])('$name', ({ gates, want }) => {
  const target = pod('p');
  target.spec!.schedulingGates = gates;
  expect(describe(schedulingGates().preEnqueue(target))).toBe(want);
});
