import { describe, expect, it } from 'vitest';
import { parseGoDuration, parseSchedule, ScheduleParseError } from './schedule.js';

const utc = (text: string) => Date.parse(text);
const iso = (instant: number | undefined) =>
  instant === undefined ? 'never' : new Date(instant).toISOString();

/** The next `count` firings after `from`. */
function firings(spec: string, from: string, count = 3): string[] {
  const schedule = parseSchedule(spec);
  const result: string[] = [];
  let t: number | undefined = utc(from);
  for (let i = 0; i < count && t !== undefined; i++) {
    t = schedule.next(t);
    result.push(iso(t));
  }
  return result;
}

describe('cron schedules (robfig/cron ParseStandard, as the CronJob controller reads them)', () => {
  it.each([
    [
      'every minute',
      '*/1 * * * *',
      '2025-01-01T12:00:30Z',
      ['2025-01-01T12:01:00.000Z', '2025-01-01T12:02:00.000Z', '2025-01-01T12:03:00.000Z'],
    ],
    [
      'strictly after a firing',
      '*/1 * * * *',
      '2025-01-01T12:01:00Z',
      ['2025-01-01T12:02:00.000Z', '2025-01-01T12:03:00.000Z', '2025-01-01T12:04:00.000Z'],
    ],
    [
      'a daily time',
      '0 3 * * *',
      '2025-01-01T12:00:00Z',
      ['2025-01-02T03:00:00.000Z', '2025-01-03T03:00:00.000Z', '2025-01-04T03:00:00.000Z'],
    ],
    [
      'ranges and steps',
      '*/15 9-17 * * 1-5',
      '2025-01-03T17:40:00Z',
      ['2025-01-03T17:45:00.000Z', '2025-01-06T09:00:00.000Z', '2025-01-06T09:15:00.000Z'],
    ],
    [
      'a start with a step runs to the end of the field',
      '5/20 * * * ?',
      '2025-01-01T12:00:00Z',
      ['2025-01-01T12:05:00.000Z', '2025-01-01T12:25:00.000Z', '2025-01-01T12:45:00.000Z'],
    ],
    [
      'lists and names',
      '0 8 * JAN,mar sat',
      '2025-01-20T00:00:00Z',
      ['2025-01-25T08:00:00.000Z', '2025-03-01T08:00:00.000Z', '2025-03-08T08:00:00.000Z'],
    ],
    [
      'day of month or day of week when neither is *',
      '0 0 1,15 * MON',
      '2025-01-01T12:00:00Z',
      ['2025-01-06T00:00:00.000Z', '2025-01-13T00:00:00.000Z', '2025-01-15T00:00:00.000Z'],
    ],
    [
      'day of month and day of week when one is *',
      '0 0 * * MON',
      '2025-01-01T12:00:00Z',
      ['2025-01-06T00:00:00.000Z', '2025-01-13T00:00:00.000Z', '2025-01-20T00:00:00.000Z'],
    ],
    [
      '@hourly',
      '@hourly',
      '2025-01-01T12:00:00Z',
      ['2025-01-01T13:00:00.000Z', '2025-01-01T14:00:00.000Z', '2025-01-01T15:00:00.000Z'],
    ],
    [
      '@daily',
      '@daily',
      '2025-01-01T12:00:00Z',
      ['2025-01-02T00:00:00.000Z', '2025-01-03T00:00:00.000Z', '2025-01-04T00:00:00.000Z'],
    ],
    [
      '@weekly (Sundays)',
      '@weekly',
      '2025-01-01T12:00:00Z',
      ['2025-01-05T00:00:00.000Z', '2025-01-12T00:00:00.000Z', '2025-01-19T00:00:00.000Z'],
    ],
    [
      '@monthly',
      '@monthly',
      '2025-01-01T12:00:00Z',
      ['2025-02-01T00:00:00.000Z', '2025-03-01T00:00:00.000Z', '2025-04-01T00:00:00.000Z'],
    ],
    [
      '@yearly',
      '@annually',
      '2025-01-01T12:00:00Z',
      ['2026-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z', '2028-01-01T00:00:00.000Z'],
    ],
    [
      '@every, from the last whole second',
      '@every 1h30m',
      '2025-01-01T12:00:00.400Z',
      ['2025-01-01T13:30:00.000Z', '2025-01-01T15:00:00.000Z', '2025-01-01T16:30:00.000Z'],
    ],
    [
      'the 29th of February',
      '0 0 29 2 *',
      '2025-01-01T00:00:00Z',
      ['2028-02-29T00:00:00.000Z', '2032-02-29T00:00:00.000Z', '2036-02-29T00:00:00.000Z'],
    ],
    ['a day that never comes', '0 0 30 2 *', '2025-01-01T00:00:00Z', ['never']],
    [
      'a zone prefix',
      'TZ=America/New_York 30 2 * * *',
      '2025-01-01T12:00:00Z',
      ['2025-01-02T07:30:00.000Z', '2025-01-03T07:30:00.000Z', '2025-01-04T07:30:00.000Z'],
    ],
    [
      'a time the zone skips is skipped that day',
      'CRON_TZ=America/New_York 30 2 * * *',
      '2025-03-08T12:00:00Z',
      ['2025-03-10T06:30:00.000Z', '2025-03-11T06:30:00.000Z', '2025-03-12T06:30:00.000Z'],
    ],
    [
      'a time the zone repeats fires twice',
      'CRON_TZ=America/New_York 30 1 * * *',
      '2025-11-01T12:00:00Z',
      ['2025-11-02T05:30:00.000Z', '2025-11-02T06:30:00.000Z', '2025-11-03T06:30:00.000Z'],
    ],
  ])('%s: %s', (_name, spec, from, expected) => {
    expect(firings(spec, from, expected.length)).toEqual(expected);
  });

  it.each([
    ['', 'empty spec string'],
    ['* * * *', 'expected exactly 5 fields, found 4: [* * * *]'],
    ['0 0 * * * *', 'expected exactly 5 fields, found 6: [0 0 * * * *]'],
    ['60 * * * *', 'end of range (60) above maximum (59): 60'],
    ['* * 0 * *', 'beginning of range (0) below minimum (1): 0'],
    ['* * * * 7', 'end of range (7) above maximum (6): 7'],
    ['5-1 * * * *', 'beginning of range (5) beyond end of range (1): 5-1'],
    ['1-2-3 * * * *', 'too many hyphens: 1-2-3'],
    ['*/2/3 * * * *', 'too many slashes: */2/3'],
    ['*/0 * * * *', 'step of range should be a positive number: */0'],
    ['a * * * *', 'failed to parse int from a: strconv.Atoi: parsing "a": invalid syntax'],
    ['* * * FOO *', 'failed to parse int from FOO: strconv.Atoi: parsing "FOO": invalid syntax'],
    ['@fortnightly', 'unrecognized descriptor: @fortnightly'],
    ['@every x', 'failed to parse duration @every x: time: invalid duration "x"'],
    [
      'TZ=Mars/Olympus_Mons * * * * *',
      'provided bad location Mars/Olympus_Mons: unknown time zone Mars/Olympus_Mons',
    ],
  ])('refuses %j: %s', (spec, message) => {
    expect(() => parseSchedule(spec)).toThrow(new ScheduleParseError(message));
  });
});

describe('Go durations', () => {
  it.each([
    ['90m', 5_400_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
    ['-2m', -120_000],
    ['0', 0],
    ['300ms', 300],
  ])('%s is %i ms', (text, milliseconds) => {
    expect(parseGoDuration(text)).toBe(milliseconds);
  });

  it.each([
    ['', 'time: invalid duration ""'],
    ['1', 'time: missing unit in duration "1"'],
    ['1x', 'time: unknown unit "x" in duration "1x"'],
    ['.s', 'time: invalid duration ".s"'],
  ])('refuses %j', (text, message) => {
    expect(() => parseGoDuration(text)).toThrow(message);
  });
});
