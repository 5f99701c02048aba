import { describe, expect, it } from 'vitest';
import { WatchLimiter } from './watch-limit.js';

describe('WatchLimiter', () => {
  it('caps open watches per user and frees a slot when one ends', () => {
    const limiter = new WatchLimiter({ maxWatchesPerUser: 2 });
    const first = limiter.tryOpen('alice');
    const second = limiter.tryOpen('alice');
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    expect(limiter.tryOpen('alice')).toBeUndefined();
    // Another user is not affected by alice's watches.
    expect(limiter.tryOpen('bob')).toBeDefined();
    first?.();
    first?.(); // a second release changes nothing
    expect(limiter.openWatches('alice')).toBe(1);
    expect(limiter.tryOpen('alice')).toBeDefined();
    expect(limiter.tryOpen('alice')).toBeUndefined();
  });

  it('refuses a cap below one', () => {
    expect(() => new WatchLimiter({ maxWatchesPerUser: 0 })).toThrow(/positive/);
  });
});
