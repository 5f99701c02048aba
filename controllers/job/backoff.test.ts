import { describe, expect, it } from 'vitest';
import type { Pod } from '../pods.js';
import { BackoffStore, finishedTime, remainingBackoff } from './backoff.js';

const T = Date.UTC(2025, 0, 1, 12, 0, 0);
const stamp = (instant: number) => `${new Date(instant).toISOString().slice(0, 19)}Z`;
const finishedAt = (instant: number): Pod => ({
  metadata: { creationTimestamp: stamp(T - 60_000) },
  status: { containerStatuses: [{ state: { terminated: { finishedAt: stamp(instant) } } }] },
});

describe('the back-off between pod failures', () => {
  it.each([
    [0, 0],
    [1, 10_000],
    [2, 20_000],
    [3, 40_000],
    [6, 320_000],
    [7, 600_000],
    [20, 600_000],
  ])('after %i failures since the last success, waits %i ms', (failures, wait) => {
    expect(remainingBackoff({ key: 'k', failuresAfterLastSuccess: failures, lastFailureTime: T }, T)).toBe(
      wait,
    );
  });

  it('counts from the last failure', () => {
    const record = { key: 'k', failuresAfterLastSuccess: 2, lastFailureTime: T };
    expect(remainingBackoff(record, T + 15_000)).toBe(5000);
    expect(remainingBackoff(record, T + 25_000)).toBe(0);
  });

  it('adds failures up, and a success counts only the failures after it', () => {
    const store = new BackoffStore();
    const first = store.next('k', [], [finishedAt(T)]);
    expect(first).toEqual({ key: 'k', failuresAfterLastSuccess: 1, lastFailureTime: T });
    store.update(first);
    expect(store.next('k', [], [finishedAt(T + 5000)])).toMatchObject({ failuresAfterLastSuccess: 2 });
    expect(store.next('k', [finishedAt(T + 6000)], [finishedAt(T + 5000), finishedAt(T + 7000)])).toEqual({
      key: 'k',
      failuresAfterLastSuccess: 1,
      lastFailureTime: T + 7000,
    });
  });

  it('takes a pod’s finish time from its containers, else from Ready turning False, else its creation', () => {
    expect(finishedTime(finishedAt(T))).toBe(T);
    const notReady: Pod = {
      metadata: { creationTimestamp: stamp(T - 60_000) },
      status: { conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: stamp(T - 1000) }] },
    };
    expect(finishedTime(notReady)).toBe(T - 1000);
    expect(finishedTime({ metadata: { creationTimestamp: stamp(T - 60_000) } })).toBe(T - 60_000);
  });
});
