import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['15s', 15_000],
    ['1500ms', 1500],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['0.5s', 500],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '15', 's', '15 s', '15x', '1m junk'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});
