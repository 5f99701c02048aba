import { expect, describe as group, test } from 'vitest';
import { CycleState } from '../../framework/cycle-state.js';
import { PodInfo } from '../../framework/pod-info.js';
import { node, pod, runFilter, runScore, testHandle } from '../../testing/fixtures.js';
import type { Affinity } from '../../types.js';
import { nodeAffinity } from './node-affinity.js';

const zone = (values: string[], operator = 'In'): Affinity => ({
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator, values }] }],
    },
  },
});

group('NodeAffinity filter', () => {
  test.each<{ name: string; options: Parameters<typeof pod>[1]; args?: unknown; want: string }>([
    { name: 'no selector or affinity skips the plugin', options: {}, want: 'skip' },
    { name: 'a matching nodeSelector', options: { nodeSelector: { zone: 'a' } }, want: 'ok' },
    {
      name: 'a nodeSelector the node lacks',
      options: { nodeSelector: { disk: 'ssd' } },
      want: "UnschedulableAndUnresolvable: node(s) didn't match Pod's node affinity/selector",
    },
    { name: 'required affinity In', options: { affinity: zone(['a', 'b']) }, want: 'ok' },
    {
      name: 'required affinity NotIn',
      options: { affinity: zone(['a'], 'NotIn') },
      want: "UnschedulableAndUnresolvable: node(s) didn't match Pod's node affinity/selector",
    },
    {
      name: 'nodeSelector and affinity must both match',
      options: { nodeSelector: { disk: 'ssd' }, affinity: zone(['a']) },
      want: "UnschedulableAndUnresolvable: node(s) didn't match Pod's node affinity/selector",
    },
    {
      name: 'the profile’s addedAffinity applies to every pod',
      options: {},
      args: { addedAffinity: zone(['b']).nodeAffinity },
      want: "UnschedulableAndUnresolvable: node(s) didn't match scheduler-enforced node affinity",
    },
  ])('$name', ({ options, args, want }) => {
    const { cache, handle } = testHandle({ nodes: [node('n1', { labels: { zone: 'a' } })] });
    expect(runFilter(nodeAffinity(args, handle), cache, pod('p', options), 'n1')).toBe(want);
  });

  test('matchFields on metadata.name narrows the search to the named nodes', () => {
    const { handle } = testHandle({ nodes: [node('n1'), node('n2'), node('n3')] });
    const byName: Affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] },
            { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n3'] }] },
          ],
        },
      },
    };
    const result = nodeAffinity(undefined, handle).preFilter(
      new CycleState(),
      new PodInfo(pod('p', { affinity: byName })),
    );
    expect(result && 'nodeNames' in result ? [...result.nodeNames].sort() : result).toEqual(['n2', 'n3']);
  });

  test('terms naming no node in common conflict', () => {
    const { handle } = testHandle({ nodes: [node('n1')] });
    const conflicting: Affinity = {
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
    };
    const result = nodeAffinity(undefined, handle).preFilter(
      new CycleState(),
      new PodInfo(pod('p', { affinity: conflicting })),
    );
    expect(result && 'message' in result ? `${result.code}: ${result.message}` : result).toBe(
      'UnschedulableAndUnresolvable: pod affinity terms conflict',
    );
  });
});

group('NodeAffinity score', () => {
  test('preferred terms add their weights, normalized to 100', () => {
    const { cache, handle } = testHandle({
      nodes: [
        node('a-gpu', { labels: { zone: 'a', gpu: 'yes' } }),
        node('a', { labels: { zone: 'a' } }),
        node('b-gpu', { labels: { zone: 'b', gpu: 'yes' } }),
        node('b', { labels: { zone: 'b' } }),
      ],
    });
    const preferring = pod('p', {
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 80,
              preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] },
            },
            { weight: 20, preference: { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] } },
          ],
        },
      },
    });
    expect(
      runScore(nodeAffinity(undefined, handle), cache, preferring, ['a-gpu', 'a', 'b-gpu', 'b']),
    ).toEqual([100, 80, 20, 0]);
  });

  test('a pod without preferences skips scoring', () => {
    const { cache, handle } = testHandle({ nodes: [node('n1')] });
    expect(runScore(nodeAffinity(undefined, handle), cache, pod('p'), ['n1'])).toBe('skip');
  });
});
