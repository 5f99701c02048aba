import { describe, expect, it } from 'vitest';
import { TimeZone, UnknownTimeZoneError } from './time-zone.js';

describe('time zones (Go time.Location over Intl)', () => {
  it('reads the wall clock of a zone, weekday included', () => {
    const zone = TimeZone.load('America/New_York');
    expect(zone.wallClock(Date.parse('2025-03-09T07:30:00Z'))).toEqual({
      year: 2025,
      month: 3,
      day: 9,
      hour: 3,
      minute: 30,
      second: 0,
      weekday: 0,
    });
    expect(zone.offsetAt(Date.parse('2025-01-01T00:00:00Z'))).toBe(-5 * 3_600_000);
    expect(zone.offsetAt(Date.parse('2025-07-01T00:00:00Z'))).toBe(-4 * 3_600_000);
  });

  it.each([
    ['an ordinary reading', [2025, 1, 15, 9, 0, 0], '2025-01-15T14:00:00.000Z'],
    ['fields carry over as time.Date normalises them', [2025, 13, 32, 0, 0, 0], '2026-02-01T05:00:00.000Z'],
    ['a skipped reading (02:30 on the spring change)', [2025, 3, 9, 2, 30, 0], '2025-03-09T06:30:00.000Z'],
    ['a repeated reading is the first one', [2025, 11, 2, 1, 30, 0], '2025-11-02T05:30:00.000Z'],
  ])('instantOf: %s', (_name, fields, expected) => {
    const [year, month, day, hour, minute, second] = fields as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const instant = TimeZone.load('America/New_York').instantOf(year, month, day, hour, minute, second);
    expect(new Date(instant).toISOString()).toBe(expected);
  });

  it('formats RFC 3339 with the zone offset, and Z for UTC', () => {
    const instant = Date.parse('2025-01-01T12:00:00Z');
    expect(TimeZone.load('America/New_York').formatRfc3339(instant)).toBe('2025-01-01T07:00:00-05:00');
    expect(TimeZone.load('Asia/Kolkata').formatRfc3339(instant)).toBe('2025-01-01T17:30:00+05:30');
    expect(TimeZone.load('').formatRfc3339(instant)).toBe('2025-01-01T12:00:00Z');
    expect(TimeZone.load('Europe/London').formatRfc3339(instant)).toBe('2025-01-01T12:00:00Z');
  });

  it.each(['Mars/Olympus_Mons', 'Local', '+05:00', '../etc/passwd'])('refuses %j as Go does', (name) => {
    expect(() => TimeZone.load(name)).toThrow(new UnknownTimeZoneError(name));
  });
});
