/**
 * The cron syntax Kubernetes accepts in `spec.schedule`, with the meaning kube-controller-manager gives
 * it (robfig/cron v3's ParseStandard and its schedules' Next):
 *
 *   ┌ minute (0–59)
 *   │ ┌ hour (0–23)
 *   │ │ ┌ day of month (1–31)
 *   │ │ │ ┌ month (1–12 or JAN–DEC)
 *   │ │ │ │ ┌ day of week (0–6 or SUN–SAT)
 *   * * * * *
 *
 * Each field is a comma list of `*` or `?`, a value, a range `a-b`, any of them with a step `/n`
 * (`5/15` is `5-59/15`); names are case-insensitive. `@yearly` (`@annually`), `@monthly`, `@weekly`,
 * `@daily` (`@midnight`) and `@hourly` stand for their usual expressions, `@every 90m` for a fixed
 * interval. A `TZ=Area/City ` or `CRON_TZ=Area/City ` prefix reads the schedule in that zone; without
 * one it is read in UTC (upstream: the controller's local zone, UTC in its usual container).
 *
 * Day of month and day of week: when either is `*` (or `?`, or `*` with step 1), a day must match
 * both; otherwise either. `0 0 1,15 * MON` fires on the 1st, the 15th and every Monday;
 * `0 0 * * MON` on Mondays only.
 *
 * `next(t)` is the first firing strictly after `t`, to the second, or undefined when none comes within
 * five years (`0 0 30 2 *`). Wall-clock quirks are upstream's: a time the zone skips is not fired that
 * day, and one it repeats may fire twice.
 */
import { goQuote } from '../go-quote.js';
import { TimeZone, UnknownTimeZoneError, type WallClock } from './time-zone.js';

export interface Schedule {
  /** The first firing strictly after `after` (ms since the epoch), or undefined if there is none. */
  next(after: number): number | undefined;
}

/** A schedule robfig/cron refuses; the message is its own, so events and validation read as upstream's. */
export class ScheduleParseError extends Error {
  override readonly name = 'ScheduleParseError';
  readonly code = 'SKIFF_ERR_CRON_SCHEDULE';
}

interface Bounds {
  readonly min: number;
  readonly max: number;
  readonly names?: Readonly<Record<string, number>>;
}

const minuteBounds: Bounds = { min: 0, max: 59 };
const hourBounds: Bounds = { min: 0, max: 23 };
const dayOfMonthBounds: Bounds = { min: 1, max: 31 };
const monthBounds: Bounds = {
  min: 1,
  max: 12,
  names: {
    jan: 1,
    feb: 2,
    mar: 3,
    apr: 4,
    may: 5,
    jun: 6,
    jul: 7,
    aug: 8,
    sep: 9,
    oct: 10,
    nov: 11,
    dec: 12,
  },
};
const dayOfWeekBounds: Bounds = {
  min: 0,
  max: 6,
  names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 },
};

/** The values a field allows, and whether it was written as "any" (robfig's star bit). */
export interface Field {
  readonly values: ReadonlySet<number>;
  readonly star: boolean;
}

/** robfig's ParseStandard. Throws ScheduleParseError with its messages. */
export function parseSchedule(spec: string): Schedule {
  if (spec.length === 0) throw new ScheduleParseError('empty spec string');
  let zone = TimeZone.utc;
  let rest = spec;
  if (rest.startsWith('TZ=') || rest.startsWith('CRON_TZ=')) {
    const space = rest.indexOf(' ');
    const name = rest.slice(rest.indexOf('=') + 1, space < 0 ? undefined : space);
    try {
      zone = TimeZone.load(name);
    } catch (error) {
      if (error instanceof UnknownTimeZoneError)
        throw new ScheduleParseError(`provided bad location ${name}: ${error.message}`);
      throw error;
    }
    // Upstream slices at the space without looking for one; a zone and nothing else is no schedule.
    rest = space < 0 ? '' : rest.slice(space).trim();
    if (rest.length === 0) throw new ScheduleParseError('empty spec string');
  }
  if (rest.startsWith('@')) return parseDescriptor(rest, zone);
  const fields = rest.split(/\s+/).filter((field) => field.length > 0);
  if (fields.length !== 5) {
    throw new ScheduleParseError(`expected exactly 5 fields, found ${fields.length}: ${goSlice(fields)}`);
  }
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields as [string, string, string, string, string];
  return new SpecSchedule({
    minute: parseField(minute, minuteBounds),
    hour: parseField(hour, hourBounds),
    dayOfMonth: parseField(dayOfMonth, dayOfMonthBounds),
    month: parseField(month, monthBounds),
    dayOfWeek: parseField(dayOfWeek, dayOfWeekBounds),
    zone,
  });
}

/** Go's `%s` of a []string: `[a b c]`. */
function goSlice(items: readonly string[]): string {
  return `[${items.join(' ')}]`;
}

function parseDescriptor(descriptor: string, zone: TimeZone): Schedule {
  const every = (values: readonly number[] | undefined, bounds: Bounds): Field =>
    values
      ? { values: new Set(values), star: false }
      : { values: range(bounds.min, bounds.max, 1), star: true };
  const expression = (minute: number, hour: number, day?: number, month?: number, weekday?: number) =>
    new SpecSchedule({
      minute: every([minute], minuteBounds),
      hour: every([hour], hourBounds),
      dayOfMonth: every(day === undefined ? undefined : [day], dayOfMonthBounds),
      month: every(month === undefined ? undefined : [month], monthBounds),
      dayOfWeek: every(weekday === undefined ? undefined : [weekday], dayOfWeekBounds),
      zone,
    });
  switch (descriptor) {
    case '@yearly':
    case '@annually':
      return expression(0, 0, 1, 1);
    case '@monthly':
      return expression(0, 0, 1);
    case '@weekly':
      return expression(0, 0, undefined, undefined, 0);
    case '@daily':
    case '@midnight':
      return expression(0, 0);
    case '@hourly':
      return new SpecSchedule({
        minute: every([0], minuteBounds),
        hour: every(undefined, hourBounds),
        dayOfMonth: every(undefined, dayOfMonthBounds),
        month: every(undefined, monthBounds),
        dayOfWeek: every(undefined, dayOfWeekBounds),
        zone,
      });
  }
  const everyPrefix = '@every ';
  if (descriptor.startsWith(everyPrefix)) {
    const text = descriptor.slice(everyPrefix.length);
    let milliseconds: number;
    try {
      milliseconds = parseGoDuration(text);
    } catch (error) {
      throw new ScheduleParseError(`failed to parse duration ${descriptor}: ${(error as Error).message}`);
    }
    return new ConstantDelaySchedule(milliseconds);
  }
  throw new ScheduleParseError(`unrecognized descriptor: ${descriptor}`);
}

/** A comma list of ranges. */
export function parseField(field: string, bounds: Bounds): Field {
  const values = new Set<number>();
  let star = false;
  for (const part of field.split(',')) {
    const parsed = parseRange(part, bounds);
    for (const value of parsed.values) values.add(value);
    star ||= parsed.star;
  }
  return { values, star };
}

/** `*`, `?`, `n`, `a-b`, each with an optional `/step`; robfig's getRange, messages included. */
function parseRange(expression: string, bounds: Bounds): Field {
  const rangeAndStep = expression.split('/');
  const lowAndHigh = (rangeAndStep[0] ?? '').split('-');
  const single = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = bounds.min;
    end = bounds.max;
    star = true;
  } else {
    start = parseIntOrName(lowAndHigh[0] ?? '', bounds.names);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1] ?? '', bounds.names);
    else throw new ScheduleParseError(`too many hyphens: ${expression}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = parseNonNegativeInt(rangeAndStep[1] ?? '');
    // `n/step` runs from n to the end of the field.
    if (single) end = bounds.max;
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) {
    throw new ScheduleParseError(`too many slashes: ${expression}`);
  }
  if (start < bounds.min) {
    throw new ScheduleParseError(
      `beginning of range (${start}) below minimum (${bounds.min}): ${expression}`,
    );
  }
  if (end > bounds.max) {
    throw new ScheduleParseError(`end of range (${end}) above maximum (${bounds.max}): ${expression}`);
  }
  if (start > end) {
    throw new ScheduleParseError(`beginning of range (${start}) beyond end of range (${end}): ${expression}`);
  }
  if (step === 0) throw new ScheduleParseError(`step of range should be a positive number: ${expression}`);
  return { values: range(start, end, step), star };
}

function parseIntOrName(text: string, names: Readonly<Record<string, number>> | undefined): number {
  const named = names?.[text.toLowerCase()];
  return named ?? parseNonNegativeInt(text);
}

/** Go's strconv.Atoi, then robfig's refusal of negatives. */
function parseNonNegativeInt(text: string): number {
  if (!/^[+-]?\d+$/.test(text)) {
    throw new ScheduleParseError(
      `failed to parse int from ${text}: strconv.Atoi: parsing ${goQuote(text)}: invalid syntax`,
    );
  }
  const value = Number(text);
  if (value < 0) throw new ScheduleParseError(`negative number (${value}) not allowed: ${text}`);
  return value;
}

function range(start: number, end: number, step: number): Set<number> {
  const values = new Set<number>();
  for (let value = start; value <= end; value += step) values.add(value);
  return values;
}

// ---------------------------------------------------------------------------------------------------
// Schedules

interface SpecScheduleFields {
  readonly minute: Field;
  readonly hour: Field;
  readonly dayOfMonth: Field;
  readonly month: Field;
  readonly dayOfWeek: Field;
  readonly zone: TimeZone;
}

/**
 * Five fields in a zone. `next` walks the wall clock the way robfig does: find the month, then the
 * day, the hour, the minute (seconds are always 0), resetting the smaller fields the first time a
 * larger one moves, and starting over whenever a field wraps. Hours and minutes move by adding real
 * time, so a skipped hour is skipped and a repeated one repeats.
 */
class SpecSchedule implements Schedule {
  readonly #fields: SpecScheduleFields;

  constructor(fields: SpecScheduleFields) {
    this.#fields = fields;
  }

  next(after: number): number | undefined {
    const { minute, hour, month, zone } = this.#fields;
    // The next whole second.
    let t = after - mod(after, 1000) + 1000;
    let clock = zone.wallClock(t);
    const yearLimit = clock.year + 5;
    let moved = false;
    const set = (instant: number) => {
      t = instant;
      clock = zone.wallClock(t);
    };
    wrap: for (;;) {
      if (clock.year > yearLimit) return undefined;
      while (!month.values.has(clock.month)) {
        if (!moved) {
          moved = true;
          set(zone.instantOf(clock.year, clock.month, 1, 0, 0, 0));
        }
        set(zone.instantOf(clock.year, clock.month + 1, clock.day, clock.hour, clock.minute, clock.second));
        if (clock.month === 1) continue wrap;
      }
      while (!this.#dayMatches(clock)) {
        if (!moved) {
          moved = true;
          set(zone.instantOf(clock.year, clock.month, clock.day, 0, 0, 0));
        }
        set(zone.instantOf(clock.year, clock.month, clock.day + 1, clock.hour, clock.minute, clock.second));
        // Where midnight does not exist (or repeats), land on it again.
        if (clock.hour !== 0) set(t + (clock.hour > 12 ? 24 - clock.hour : -clock.hour) * 3_600_000);
        if (clock.day === 1) continue wrap;
      }
      while (!hour.values.has(clock.hour)) {
        if (!moved) {
          moved = true;
          set(zone.instantOf(clock.year, clock.month, clock.day, clock.hour, 0, 0));
        }
        set(t + 3_600_000);
        if (clock.hour === 0) continue wrap;
      }
      while (!minute.values.has(clock.minute)) {
        if (!moved) {
          moved = true;
          set(t - mod(t, 60_000));
        }
        set(t + 60_000);
        if (clock.minute === 0) continue wrap;
      }
      while (clock.second !== 0) {
        if (!moved) {
          moved = true;
          set(t - mod(t, 1000));
        }
        set(t + 1000);
        if (clock.second === 0) continue wrap;
      }
      return t;
    }
  }

  #dayMatches(clock: WallClock): boolean {
    const { dayOfMonth, dayOfWeek } = this.#fields;
    const dayOfMonthMatches = dayOfMonth.values.has(clock.day);
    const dayOfWeekMatches = dayOfWeek.values.has(clock.weekday);
    if (dayOfMonth.star || dayOfWeek.star) return dayOfMonthMatches && dayOfWeekMatches;
    return dayOfMonthMatches || dayOfWeekMatches;
  }
}

/** `@every d`: d after the previous whole second, d rounded down to whole seconds and at least one. */
class ConstantDelaySchedule implements Schedule {
  readonly #delay: number;

  constructor(milliseconds: number) {
    this.#delay = Math.max(1000, milliseconds - mod(milliseconds, 1000));
  }

  next(after: number): number {
    return after - mod(after, 1000) + this.#delay;
  }
}

// ---------------------------------------------------------------------------------------------------
// Go durations, for @every

const unitMilliseconds: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Go's time.ParseDuration (`1h30m`, `1.5s`, `-2m`), in milliseconds; its error messages. */
export function parseGoDuration(text: string): number {
  const invalid = () => new Error(`time: invalid duration ${goQuote(text)}`);
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw invalid();
  let total = 0;
  while (rest !== '') {
    const number = /^(\d*)(?:\.(\d*))?/.exec(rest);
    const whole = number?.[1] ?? '';
    const fraction = number?.[2];
    if (whole === '' && (fraction === undefined || fraction === '')) throw invalid();
    rest = rest.slice(number?.[0].length ?? 0);
    const unit = /^[^\d.]*/.exec(rest)?.[0] ?? '';
    if (unit === '') throw new Error(`time: missing unit in duration ${goQuote(text)}`);
    const scale = unitMilliseconds[unit];
    if (scale === undefined) {
      throw new Error(`time: unknown unit ${goQuote(unit)} in duration ${goQuote(text)}`);
    }
    rest = rest.slice(unit.length);
    total += Number(`${whole || '0'}.${fraction || '0'}`) * scale;
  }
  return sign * total;
}

function mod(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}
