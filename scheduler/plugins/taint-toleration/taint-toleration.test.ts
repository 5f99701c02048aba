import { expect, describe as group, test } from 'vitest';
import type { Taint, Toleration } from '../../../api/scheduling/types.js';
import { node, pod, runFilter, runScore, testHandle } from '../../testing/fixtures.js';
import { taintToleration } from './taint-toleration.js';

group('TaintToleration filter', () => {
  const gpu: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
  test.each<{ name: string; taints: Taint[]; tolerations?: Toleration[]; want: string }>([
    { name: 'an untainted node', taints: [], want: 'ok' },
    {
      name: 'an untolerated NoSchedule taint is named with its value',
      taints: [gpu],
      want: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {dedicated: gpu}',
    },
    {
      name: 'a taint without a value',
      taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
      want: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }',
    },
    {
      name: 'NoExecute repels too',
      taints: [{ key: 'broken', effect: 'NoExecute' }],
      want: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {broken: }',
    },
    {
      name: 'PreferNoSchedule does not filter',
      taints: [{ key: 'spot', effect: 'PreferNoSchedule' }],
      want: 'ok',
    },
    {
      name: 'an Equal toleration',
      taints: [gpu],
      tolerations: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }],
      want: 'ok',
    },
    {
      name: 'an Exists toleration',
      taints: [gpu],
      tolerations: [{ key: 'dedicated', operator: 'Exists' }],
      want: 'ok',
    },
    {
      name: 'a toleration for another value',
      taints: [gpu],
      tolerations: [{ key: 'dedicated', value: 'cpu' }],
      want: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {dedicated: gpu}',
    },
    {
      name: 'the first untolerated taint is reported',
      taints: [gpu, { key: 'zone-maintenance', effect: 'NoSchedule' }],
      tolerations: [{ key: 'dedicated', operator: 'Exists' }],
      want: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {zone-maintenance: }',
    },
  ])('$name', ({ taints, tolerations, want }) => {
    const { cache } = testHandle({ nodes: [node('n1', { taints })] });
    expect(runFilter(taintToleration(), cache, pod('p', tolerations ? { tolerations } : {}), 'n1')).toBe(
      want,
    );
  });
});

group('TaintToleration score', () => {
  test('fewer untolerated PreferNoSchedule taints score higher', () => {
    const prefer = (key: string): Taint => ({ key, effect: 'PreferNoSchedule' });
    const { cache } = testHandle({
      nodes: [
        node('clean'),
        node('one', { taints: [prefer('a')] }),
        node('two', { taints: [prefer('a'), prefer('b')] }),
      ],
    });
    expect(runScore(taintToleration(), cache, pod('p'), ['clean', 'one', 'two'])).toEqual([100, 50, 0]);
  });

  test('a tolerated PreferNoSchedule taint does not count', () => {
    const { cache } = testHandle({
      nodes: [node('clean'), node('tainted', { taints: [{ key: 'a', effect: 'PreferNoSchedule' }] })],
    });
    const tolerating = pod('p', {
      tolerations: [{ key: 'a', operator: 'Exists', effect: 'PreferNoSchedule' }],
    });
    expect(runScore(taintToleration(), cache, tolerating, ['clean', 'tainted'])).toEqual([100, 100]);
  });
});
