/**
 * Wall-clock time in an IANA time zone, as Go's `time.Location` gives the CronJob controller: what a
 * clock in the zone shows at an instant, and the instant a wall-clock reading names (Go's `time.Date`).
 * Offsets come from the platform's tz database through `Intl.DateTimeFormat`; UTC needs none.
 *
 * Instants are milliseconds since the epoch. Readings are whole seconds; milliseconds are carried
 * through unchanged (every zone in use today is offset by whole minutes).
 *
 * A reading a zone skips or shows twice resolves as Go resolves it. America/New_York, 2025-03-09,
 * clocks go from 01:59:59 EST to 03:00:00 EDT:
 *
 *   instantOf(2025, 3, 9, 2, 30, 0)  → 06:30Z: the offset at 02:30 read as UTC is EST's, which
 *                                      puts the instant past the change, so EDT's is used, and the
 *                                      zone shows that instant as 01:30 EST
 *
 * and on 2025-11-02, when 01:00–01:59 happens twice, 01:30 is the first (EDT) one, 05:30Z.
 */

export interface WallClock {
  readonly year: number;
  /** 1–12. */
  readonly month: number;
  /** 1–31. */
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** 0 (Sunday) – 6. */
  readonly weekday: number;
}

/** What Go's time.LoadLocation refuses; its message is Go's. */
export class UnknownTimeZoneError extends Error {
  override readonly name = 'UnknownTimeZoneError';
  readonly code = 'SKIFF_ERR_UNKNOWN_TIME_ZONE';

  constructor(zone: string) {
    super(`unknown time zone ${zone}`);
  }
}

const weekdays: Readonly<Record<string, number>> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** Names as tzdata spells them (Area/Location, Etc/GMT+5, UTC, EST5EDT); nothing Go would read as a path. */
const zoneName = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;

export class TimeZone {
  /** The zone the controller reads schedules in when none is named (Go's time.Local on a UTC host). */
  static readonly utc = new TimeZone('UTC', undefined);
  static readonly #loaded = new Map<string, TimeZone>();

  readonly name: string;
  /** Undefined for UTC, which needs no lookups. */
  readonly #format: Intl.DateTimeFormat | undefined;

  private constructor(name: string, format: Intl.DateTimeFormat | undefined) {
    this.name = name;
    this.#format = format;
  }

  /** Go's time.LoadLocation: '' and 'UTC' are UTC; other names must be in the tz database. */
  static load(name: string): TimeZone {
    if (name === '' || name === 'UTC') return TimeZone.utc;
    const cached = TimeZone.#loaded.get(name);
    if (cached) return cached;
    if (name === 'Local' || !zoneName.test(name)) throw new UnknownTimeZoneError(name);
    let format: Intl.DateTimeFormat;
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone: name,
        hourCycle: 'h23',
        weekday: 'short',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new UnknownTimeZoneError(name);
    }
    const zone = new TimeZone(name, format);
    TimeZone.#loaded.set(name, zone);
    return zone;
  }

  /** What a clock in this zone shows at `instant`. */
  wallClock(instant: number): WallClock {
    if (!this.#format) return utcWallClock(instant);
    const fields: Record<string, string> = {};
    for (const part of this.#format.formatToParts(instant)) fields[part.type] = part.value;
    return {
      year: Number(fields.year),
      month: Number(fields.month),
      day: Number(fields.day),
      hour: Number(fields.hour),
      minute: Number(fields.minute),
      second: Number(fields.second),
      weekday: weekdays[fields.weekday ?? ''] ?? 0,
    };
  }

  /** Milliseconds this zone is ahead of UTC at `instant`. */
  offsetAt(instant: number): number {
    if (!this.#format) return 0;
    const clock = this.wallClock(instant);
    const asUtc = Date.UTC(clock.year, clock.month - 1, clock.day, clock.hour, clock.minute, clock.second);
    return asUtc - (instant - mod(instant, 1000));
  }

  /**
   * Go's time.Date in this zone: the instant a reading names. Out-of-range fields carry over (month
   * 13 is January of the next year, day 0 the last of the previous month), and a reading the zone
   * skips or repeats resolves as described in the module comment: the offset in force at the reading
   * taken as UTC, unless the instant that gives falls outside that offset's period.
   */
  instantOf(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
    const asUtc = Date.UTC(year, month - 1, day, hour, minute, second);
    if (!this.#format) return asUtc;
    const guess = this.offsetAt(asUtc);
    return asUtc - this.offsetAt(asUtc - guess);
  }

  /** Go's RFC 3339 layout, `2006-01-02T15:04:05Z07:00`: the reading in this zone, and `Z` for no offset. */
  formatRfc3339(instant: number): string {
    const clock = this.wallClock(instant);
    const offsetMinutes = Math.round(this.offsetAt(instant) / 60_000);
    const sign = offsetMinutes < 0 ? '-' : '+';
    const absolute = Math.abs(offsetMinutes);
    const zone =
      offsetMinutes === 0 ? 'Z' : `${sign}${pad(Math.floor(absolute / 60), 2)}:${pad(absolute % 60, 2)}`;
    return `${pad(clock.year, 4)}-${pad(clock.month, 2)}-${pad(clock.day, 2)}T${pad(clock.hour, 2)}:${pad(clock.minute, 2)}:${pad(clock.second, 2)}${zone}`;
  }
}

function utcWallClock(instant: number): WallClock {
  const date = new Date(instant);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    second: date.getUTCSeconds(),
    weekday: date.getUTCDay(),
  };
}

function mod(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}
