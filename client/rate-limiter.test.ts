import { describe, expect, it } from 'vitest';
import {
  defaultControllerRateLimiter,
  ItemExponentialRateLimiter,
  TokenBucketRateLimiter,
} from './rate-limiter.js';
import { FakeClock } from './testing/fake-clock.js';

describe('retry delays', () => {
  it('a key waits 5 ms after its first failure, doubling each time, and forget starts it over', () => {
    const limiter = new ItemExponentialRateLimiter<string>();
    expect([1, 2, 3, 4, 5].map(() => limiter.when('a'))).toEqual([5, 10, 20, 40, 80]);
    expect(limiter.when('b')).toBe(5);
    expect(limiter.retries('a')).toBe(5);
    limiter.forget('a');
    expect(limiter.retries('a')).toBe(0);
    expect(limiter.when('a')).toBe(5);
  });

  it('the per-key delay stops growing at 1000 s', () => {
    const limiter = new ItemExponentialRateLimiter<string>();
    const delays = Array.from({ length: 2000 }, () => limiter.when('a'));
    expect(delays[17]).toBe(655_360);
    expect(delays[18]).toBe(1_000_000);
    expect(delays[1999]).toBe(1_000_000);
  });

  it('the shared bucket lets a burst of 100 through, then one every 100 ms, refilling as time passes', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucketRateLimiter<string>({ clock });
    const delays = Array.from({ length: 102 }, (_, index) => bucket.when(`key-${index}`));
    expect(delays.slice(0, 100).every((delay) => delay === 0)).toBe(true);
    expect(delays[100]).toBeCloseTo(100);
    expect(delays[101]).toBeCloseTo(200);
    // Ten seconds later the bucket is full again.
    await clock.advance(10_200);
    expect(bucket.when('later')).toBe(0);
  });

  it("the controller default takes the longer of the key's backoff and the shared bucket's wait", () => {
    const clock = new FakeClock();
    const limiter = defaultControllerRateLimiter<string>(clock);
    const first = Array.from({ length: 150 }, (_, index) => limiter.when(`key-${index}`));
    expect(first[0]).toBe(5);
    expect(first[99]).toBe(5);
    expect(first[100]).toBeCloseTo(100);
    expect(first[149]).toBeCloseTo(5000);
  });
});
