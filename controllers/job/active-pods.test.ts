import { describe, expect, it } from 'vitest';
import type { Pod } from '../pods.js';
import { activePodsForRemoval } from './active-pods.js';
import { COMPLETION_INDEX_ANNOTATION } from './indexes.js';

function pod(
  name: string,
  options: { node?: string; phase?: string; ready?: boolean; index?: number } = {},
): Pod {
  return {
    metadata: {
      name,
      creationTimestamp: '2025-01-01T12:00:00Z',
      ...(options.index !== undefined
        ? { annotations: { [COMPLETION_INDEX_ANNOTATION]: String(options.index) } }
        : {}),
    },
    spec: options.node ? { nodeName: options.node } : {},
    status: {
      phase: options.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: options.ready ? 'True' : 'False' }],
    },
  };
}

const names = (pods: Pod[]) => pods.map((each) => each.metadata?.name);

describe('which active pods a Job deletes first', () => {
  it('the least advanced: unscheduled, then pending, then not ready', () => {
    const pods = [
      pod('ready', { node: 'n', ready: true }),
      pod('running', { node: 'n' }),
      pod('pending', { node: 'n', phase: 'Pending' }),
      pod('unscheduled', { phase: 'Pending' }),
    ];
    expect(names(activePodsForRemoval(pods, 3, undefined))).toEqual(['unscheduled', 'pending', 'running']);
  });

  it('for an Indexed Job, strays and duplicates of an index whatever the count', () => {
    const pods = [
      pod('zero', { node: 'n', ready: true, index: 0 }),
      pod('zero-again', { node: 'n', index: 0 }),
      pod('out-of-range', { node: 'n', ready: true, index: 7 }),
      pod('one', { node: 'n', index: 1 }),
    ];
    expect(names(activePodsForRemoval(pods, 0, { completions: 4 }))).toEqual(['out-of-range', 'zero-again']);
    expect(names(activePodsForRemoval(pods, 3, { completions: 4 }))).toEqual([
      'out-of-range',
      'zero-again',
      'one',
    ]);
  });
});
