import { describe, expect, it } from 'vitest';
import { findUntoleratedTaint, tolerates, tolerationsTolerateTaint } from './taints.js';
import type { Taint, Toleration } from './types.js';

const gpu: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };

describe('tolerates', () => {
  const cases: { name: string; toleration: Toleration; taint?: Taint; expected: boolean }[] = [
    {
      name: 'Equal with the same key and value',
      toleration: { key: 'dedicated', operator: 'Equal', value: 'gpu' },
      expected: true,
    },
    { name: 'an empty operator means Equal', toleration: { key: 'dedicated', value: 'gpu' }, expected: true },
    { name: 'Equal with another value', toleration: { key: 'dedicated', value: 'cpu' }, expected: false },
    {
      name: 'Equal without a value against a valued taint',
      toleration: { key: 'dedicated' },
      expected: false,
    },
    {
      name: 'Equal without a value against a taint without one',
      toleration: { key: 'dedicated' },
      taint: { key: 'dedicated', effect: 'NoSchedule' },
      expected: true,
    },
    {
      name: 'Exists with the same key, any value',
      toleration: { key: 'dedicated', operator: 'Exists' },
      expected: true,
    },
    { name: 'Exists with another key', toleration: { key: 'team', operator: 'Exists' }, expected: false },
    {
      name: 'an empty key with Exists tolerates every taint',
      toleration: { operator: 'Exists' },
      expected: true,
    },
    {
      name: 'an empty key with Exists and an effect tolerates only that effect',
      toleration: { operator: 'Exists', effect: 'NoExecute' },
      expected: false,
    },
    {
      name: 'the same effect',
      toleration: { key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' },
      expected: true,
    },
    {
      name: 'another effect',
      toleration: { key: 'dedicated', operator: 'Exists', effect: 'NoExecute' },
      expected: false,
    },
    {
      name: 'PreferNoSchedule is an effect like the others',
      toleration: { key: 'dedicated', operator: 'Exists', effect: 'PreferNoSchedule' },
      taint: { key: 'dedicated', effect: 'PreferNoSchedule' },
      expected: true,
    },
    {
      name: 'an unknown operator tolerates nothing',
      toleration: { key: 'dedicated', operator: 'Gt', value: 'gpu' },
      expected: false,
    },
  ];
  it.each(cases)('$name', ({ toleration, taint, expected }) => {
    expect(tolerates(taint ?? gpu, toleration)).toBe(expected);
  });
});

describe('tolerationsTolerateTaint', () => {
  it('is true when any toleration fits and false for none', () => {
    expect(
      tolerationsTolerateTaint(
        [
          { key: 'x', operator: 'Exists' },
          { key: 'dedicated', value: 'gpu' },
        ],
        gpu,
      ),
    ).toBe(true);
    expect(tolerationsTolerateTaint([{ key: 'x', operator: 'Exists' }], gpu)).toBe(false);
    expect(tolerationsTolerateTaint(undefined, gpu)).toBe(false);
  });
});

describe('findUntoleratedTaint', () => {
  const taints: Taint[] = [
    { key: 'soft', effect: 'PreferNoSchedule' },
    { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
    { key: 'evict', effect: 'NoExecute' },
  ];
  const hard = (taint: Taint) => taint.effect === 'NoSchedule' || taint.effect === 'NoExecute';

  it('returns the first selected taint no toleration covers', () => {
    expect(findUntoleratedTaint(taints, [], hard)).toEqual(taints[1]);
    expect(findUntoleratedTaint(taints, [{ key: 'dedicated', operator: 'Exists' }], hard)).toEqual(taints[2]);
  });

  it('ignores taints the filter leaves out', () => {
    expect(findUntoleratedTaint(taints, [], (taint) => taint.effect === 'NoExecute')).toEqual(taints[2]);
    expect(
      findUntoleratedTaint(
        taints,
        [
          { key: 'dedicated', operator: 'Exists' },
          { key: 'evict', operator: 'Exists' },
        ],
        hard,
      ),
    ).toBeUndefined();
  });

  it('without a filter considers every taint', () => {
    expect(findUntoleratedTaint(taints, [])).toEqual(taints[0]);
    expect(findUntoleratedTaint(undefined, [])).toBeUndefined();
  });
});
