/**
 * Completion indexes of Indexed Jobs (upstream's indexed_job_utils.go): which index a pod works on,
 * and sets of indexes kept as ordered, non-adjacent intervals — the form of `status.completedIndexes`:
 *
 *   indexes 0, 1, 2, 5, 7, 8    ↔ intervals [0,2] [5,5] [7,8]    ↔ "0-2,5,7,8"
 *
 * (Two adjacent indexes print as `7,8`, three or more as a range.)
 */
import type { Pod } from '../pods.js';

export const COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';
/** What `completionIndexOf` answers for a pod without a usable index. */
export const UNKNOWN_COMPLETION_INDEX = -1;

export interface Interval {
  readonly first: number;
  readonly last: number;
}

/** Ordered by `first`, none overlapping or adjacent. */
export type Intervals = readonly Interval[];

/** The pod's completion index annotation as a non-negative integer, else UNKNOWN_COMPLETION_INDEX. */
export function completionIndexOf(pod: Pod): number {
  const value = pod.metadata?.annotations?.[COMPLETION_INDEX_ANNOTATION];
  if (value === undefined || !/^[+-]?\d+$/.test(value)) return UNKNOWN_COMPLETION_INDEX;
  const index = Number(value);
  return index < 0 || !Number.isSafeInteger(index) ? UNKNOWN_COMPLETION_INDEX : index;
}

/**
 * `status.completedIndexes` read back, keeping only indexes below `completions` (a job scaled down);
 * a malformed interval is skipped, as upstream skips it.
 */
export function parseIndexes(text: string | undefined, completions: number): Interval[] {
  if (!text) return [];
  const result: Interval[] = [];
  for (const part of text.split(',')) {
    const limits = part.split('-');
    const first = parseInteger(limits[0] ?? '');
    if (first === undefined) continue;
    if (first >= completions) break;
    let last = first;
    if (limits.length > 1) {
      const parsed = parseInteger(limits[1] ?? '');
      if (parsed === undefined) continue;
      last = Math.min(parsed, completions - 1);
    }
    const previous = result.at(-1);
    if (previous && previous.last === first - 1) result[result.length - 1] = { first: previous.first, last };
    else result.push({ first, last });
  }
  return result;
}

function parseInteger(text: string): number | undefined {
  return /^[+-]?\d+$/.test(text) ? Number(text) : undefined;
}

/** The intervals with `indexes` (ascending) added. */
export function withIndexes(intervals: Intervals, indexes: readonly number[]): Interval[] {
  return mergeIntervals(
    intervals,
    indexes.map((index) => ({ first: index, last: index })),
  );
}

/** Both sets in one: intervals merged in order, overlapping and adjacent ones joined. */
export function mergeIntervals(a: Intervals, b: Intervals): Interval[] {
  const result: Interval[] = [];
  const append = (interval: Interval) => {
    const last = result.at(-1);
    if (!last || interval.first > last.last + 1) result.push(interval);
    else if (last.last < interval.last)
      result[result.length - 1] = { first: last.first, last: interval.last };
  };
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i]!.first < b[j]!.first) append(a[i++]!);
    else append(b[j++]!);
  }
  while (i < a.length) append(a[i++]!);
  while (j < b.length) append(b[j++]!);
  return result;
}

export function totalIndexes(intervals: Intervals): number {
  return intervals.reduce((sum, interval) => sum + interval.last - interval.first + 1, 0);
}

export function hasIndex(intervals: Intervals, index: number): boolean {
  // Binary search for the first interval ending at or after the index.
  let low = 0;
  let high = intervals.length;
  while (high > low) {
    const middle = low + Math.floor((high - low) / 2);
    if (intervals[middle]!.last >= index) high = middle;
    else low = middle + 1;
  }
  return high < intervals.length && intervals[high]!.first <= index;
}

export function formatIndexes(intervals: Intervals): string {
  return intervals
    .map(({ first, last }) =>
      last === first ? `${first}` : last === first + 1 ? `${first},${last}` : `${first}-${last}`,
    )
    .join(',');
}

/**
 * The first `count` indexes below `completions` that no active pod works on and that have not
 * succeeded: the indexes to start pods for.
 */
export function firstPendingIndexes(
  activePods: readonly Pod[],
  succeeded: Intervals,
  count: number,
  completions: number,
): number[] {
  if (count === 0) return [];
  const active = [...new Set(activePods.map(completionIndexOf))]
    .filter((index) => index !== UNKNOWN_COMPLETION_INDEX)
    .sort((a, b) => a - b);
  const taken = withIndexes(succeeded, active);
  const result: number[] = [];
  let candidate = 0;
  for (const interval of taken) {
    for (; candidate < completions && result.length < count && candidate < interval.first; candidate++) {
      result.push(candidate);
    }
    if (candidate < interval.last + 1) candidate = interval.last + 1;
  }
  for (; candidate < completions && result.length < count; candidate++) result.push(candidate);
  return result;
}
