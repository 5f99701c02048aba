import { expect, test } from 'vitest';
import type { QueuedPodInfo } from '../../framework/interfaces.js';
import { PodInfo } from '../../framework/pod-info.js';
import { pod } from '../../testing/fixtures.js';
import { prioritySort } from './priority-sort.js';

const queued = (name: string, priority: number, timestamp: number): QueuedPodInfo => ({
  podInfo: new PodInfo(pod(name), priority),
  timestamp,
  initialAttemptTimestamp: timestamp,
  attempts: 0,
  unschedulablePlugins: new Set(),
  pendingPlugins: new Set(),
  gated: false,
});

test.each([
  { name: 'higher priority first', a: queued('a', 10, 2), b: queued('b', 5, 1), want: true },
  { name: 'lower priority later', a: queued('a', 5, 1), b: queued('b', 10, 2), want: false },
  { name: 'equal priority: the older first', a: queued('a', 5, 1), b: queued('b', 5, 2), want: true },
  { name: 'equal priority: the newer later', a: queued('a', 5, 2), b: queued('b', 5, 1), want: false },
])('$name', ({ a, b, want }) => {
  expect(prioritySort().less(a, b)).toBe(want);
});
