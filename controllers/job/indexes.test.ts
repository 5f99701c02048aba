import { describe, expect, it } from 'vitest';
import type { Pod } from '../pods.js';
import {
  COMPLETION_INDEX_ANNOTATION,
  completionIndexOf,
  firstPendingIndexes,
  formatIndexes,
  hasIndex,
  parseIndexes,
  totalIndexes,
  withIndexes,
} from './indexes.js';

const podWithIndex = (value: string | undefined): Pod => ({
  metadata: value === undefined ? {} : { annotations: { [COMPLETION_INDEX_ANNOTATION]: value } },
});

describe('completion indexes', () => {
  it.each([
    [[], ''],
    [[0], '0'],
    [[0, 1], '0,1'],
    [[0, 1, 2, 5, 7, 8], '0-2,5,7,8'],
    [[3, 4, 5, 6, 10], '3-6,10'],
  ])('%j prints as %j and reads back', (indexes, text) => {
    const intervals = withIndexes([], indexes);
    expect(formatIndexes(intervals)).toBe(text);
    expect(parseIndexes(text, 100)).toEqual(intervals);
    expect(totalIndexes(intervals)).toBe(indexes.length);
  });

  it('reads only indexes below completions, and skips what it cannot read', () => {
    expect(formatIndexes(parseIndexes('0-2,4,x,6-9', 8))).toBe('0-2,4,6,7');
  });

  it('merges new indexes into the intervals, joining neighbours', () => {
    const merged = withIndexes(parseIndexes('0-2,6', 10), [3, 5, 9]);
    expect(formatIndexes(merged)).toBe('0-3,5,6,9');
    expect([0, 3, 4, 5, 9].map((index) => hasIndex(merged, index))).toEqual([true, true, false, true, true]);
  });

  it('picks the lowest indexes no pod works on and none succeeded', () => {
    const active = [podWithIndex('1'), podWithIndex('4')];
    expect(firstPendingIndexes(active, parseIndexes('0,2', 6), 3, 6)).toEqual([3, 5]);
    expect(firstPendingIndexes([], [], 2, 6)).toEqual([0, 1]);
  });

  it.each([
    ['3', 3],
    ['+3', 3],
    ['-1', -1],
    ['x', -1],
    [undefined, -1],
  ])('reads the annotation %j as %i', (value, index) => {
    expect(completionIndexOf(podWithIndex(value))).toBe(index);
  });
});
