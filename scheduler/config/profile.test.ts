import { expect, test } from 'vitest';
import { resolveProfile } from './profile.js';
import type { PluginRef, SchedulerProfile } from './types.js';

const defaults: PluginRef[] = [{ name: 'A', weight: 2 }, { name: 'B' }, { name: 'C', weight: 3 }];
const scoreOf = (profile: SchedulerProfile) =>
  resolveProfile(profile, defaults).points.score.map(
    (ref) => `${ref.name}:${ref.weight}${ref.fromMultiPoint ? '' : '!'}`,
  );

test.each<{ name: string; profile: SchedulerProfile; want: string[] }>([
  { name: 'the defaults, at every point', profile: {}, want: ['A:2', 'B:1', 'C:3'] },
  {
    name: 'disabled at one point',
    profile: { plugins: { score: { disabled: [{ name: 'B' }] } } },
    want: ['A:2', 'C:3'],
  },
  {
    name: 'enabled explicitly at a point: first, with its weight',
    profile: { plugins: { score: { enabled: [{ name: 'C', weight: 5 }] } } },
    want: ['C:5!', 'A:2', 'B:1'],
  },
  {
    name: 'explicitly enabled without a weight keeps the multiPoint weight',
    profile: { plugins: { score: { enabled: [{ name: 'C' }] } } },
    want: ['C:3!', 'A:2', 'B:1'],
  },
  {
    name: '* disables every default; new plugins come after',
    profile: { plugins: { score: { disabled: [{ name: '*' }], enabled: [{ name: 'Mine', weight: 4 }] } } },
    want: ['Mine:4!'],
  },
  {
    name: 'multiPoint: a new weight in place, a new plugin at the end',
    profile: { plugins: { multiPoint: { enabled: [{ name: 'A', weight: 7 }, { name: 'D' }] } } },
    want: ['A:7', 'B:1', 'C:3', 'D:1'],
  },
  {
    name: 'multiPoint: disabled everywhere',
    profile: { plugins: { multiPoint: { disabled: [{ name: 'A' }] } } },
    want: ['B:1', 'C:3'],
  },
])('$name', ({ profile, want }) => {
  expect(scoreOf(profile)).toEqual(want);
});

test('the profile’s name defaults to default-scheduler and pluginConfig gives args by name', () => {
  const resolved = resolveProfile({ pluginConfig: [{ name: 'A', args: { x: 1 } }] }, defaults);
  expect(resolved.schedulerName).toBe('default-scheduler');
  expect(resolved.pluginArgs.get('A')).toEqual({ x: 1 });
});
