/**
 * Resource quantities (`100m`, `1.5Gi`, `2e3`, `128974848`), exact, as Kubernetes reads and prints them.
 *
 *   quantity ::= [+-] number suffix
 *   number   ::= digits | digits "." digits | digits "." | "." digits
 *   suffix   ::= binarySI (Ki Mi Gi Ti Pi Ei, powers of 1024)
 *              | decimalSI (n u m "" k M G T P E, powers of 1000)
 *              | decimalExponent ("e" or "E" and a signed integer)
 *
 * A quantity is a decimal number, never a float: here a bigint mantissa times a power of ten. It has at
 * most nine decimal places (finer values round up, away from zero: `0.1n` is `1n`), and a binary-SI
 * quantity is capped at 2^63-1.
 *
 * A quantity remembers which of the three suffix styles it was written in and prints itself in that
 * style's canonical form — the largest suffix that loses no precision and leaves no fraction:
 *
 *   1.5Gi → 1536Mi     0.5 → 500m     1000m → 1     1024Mi → 1Gi     129e6 → 129e6     1.5e3 → 1500
 *
 * A binary-SI value below 1024 in magnitude, or one with a fraction, prints in decimal-SI (`0.5Ki` → `512`).
 * Upstream also keeps the text exactly as written when it judges it canonical already, by a quick test
 * this module repeats: so `1.500` stays `1.500` and `+1k` stays `+1k`, as on a real cluster.
 */
import { badRequest } from './status.js';

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

const formatError =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const numericError = 'unable to parse numeric part of quantity';
const suffixError = "unable to parse quantity's suffix";

/** The finest step a quantity keeps: 10^-9. */
const nanoExponent = -9;
/** Binary-SI quantities are capped at the largest int64. */
const maxBinary = 2n ** 63n - 1n;

export class Quantity {
  /** The value is mantissa × 10^exponent; the pair is not kept normalised. */
  private readonly mantissa: bigint;
  private readonly exponent: number;
  readonly format: QuantityFormat;
  /** The printed form: the text as parsed when upstream would keep it, else computed on first use. */
  private text: string | undefined;

  private constructor(mantissa: bigint, exponent: number, format: QuantityFormat, text?: string) {
    this.mantissa = mantissa;
    this.exponent = mantissa === 0n ? 0 : exponent;
    this.format = format;
    this.text = text;
  }

  /** Reads a quantity; malformed text is a 400 BadRequest with upstream's message. */
  static parse(text: string): Quantity {
    if (text === '') throw badRequest(formatError);
    if (text === '0') return new Quantity(0n, 0, 'DecimalSI', '0');
    const scanned = scan(text);
    const suffix = interpretSuffix(scanned.suffix);
    if (suffix === undefined) throw badRequest(suffixError);
    const { mantissa, exponent, format, keepsText } = evaluate(scanned, suffix);
    return new Quantity(mantissa, exponent, format, keepsText ? text : undefined);
  }

  /** `value` whole units (bytes, cores). Upstream's NewQuantity. */
  static fromInteger(value: bigint | number, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(toBigInt(value), 0, format);
  }

  /** `value` thousandths (millicores). Upstream's NewMilliQuantity. */
  static fromMilli(value: bigint | number, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(toBigInt(value), -3, format);
  }

  /** `value` × 10^`scale` (`fromScaled(5, -9)` is 5n). Upstream's NewScaledQuantity, with a format. */
  static fromScaled(value: bigint | number, scale: number, format: QuantityFormat = 'DecimalSI'): Quantity {
    if (!Number.isSafeInteger(scale)) throw new RangeError(`${scale} is not a safe integer`);
    return new Quantity(toBigInt(value), scale, format);
  }

  isZero(): boolean {
    return this.mantissa === 0n;
  }

  sign(): -1 | 0 | 1 {
    if (this.mantissa === 0n) return 0;
    return this.mantissa > 0n ? 1 : -1;
  }

  cmp(other: Quantity): -1 | 0 | 1 {
    return compareDecimals(this.mantissa, this.exponent, other.mantissa, other.exponent);
  }

  equals(other: Quantity): boolean {
    return this.cmp(other) === 0;
  }

  /** The sum, in this quantity's format — or in `other`'s when this one is zero, as upstream does. */
  add(other: Quantity): Quantity {
    const exponent = Math.min(this.exponent, other.exponent);
    const sum =
      scaleTo(this.mantissa, this.exponent, exponent) + scaleTo(other.mantissa, other.exponent, exponent);
    return new Quantity(sum, exponent, this.isZero() ? other.format : this.format);
  }

  /** The difference, formatted as `add` formats a sum. */
  sub(other: Quantity): Quantity {
    return this.add(other.neg());
  }

  neg(): Quantity {
    return new Quantity(-this.mantissa, this.exponent, this.format);
  }

  /**
   * Whole units — bytes for memory, cores for CPU — rounded up, away from zero (`1500m` → 2). Upstream's
   * Value(). Beyond 2^53 the number is approximate.
   */
  value(): number {
    return scaledInteger(this.mantissa, this.exponent, 0);
  }

  /** Thousandths, rounded up, away from zero: the scheduler's unit for CPU (`1.5` → 1500). */
  milliValue(): number {
    return scaledInteger(this.mantissa, this.exponent, -3);
  }

  /** The nearest float (`500m` → 0.5), for display and ratios, never for accounting. */
  toNumber(): number {
    return Number.parseFloat(`${this.mantissa}e${this.exponent}`);
  }

  toString(): string {
    this.text ??= canonical(this.mantissa, this.exponent, this.format);
    return this.text;
  }

  /** Quantities serialise as their string form. */
  toJSON(): string {
    return this.toString();
  }
}

// ---------------------------------------------------------------------------------------------------
// Parsing

interface ScannedQuantity {
  negative: boolean;
  /** Integer digits with leading zeros removed ("0" if none). */
  whole: string;
  /** Digits after the point, as written. */
  fraction: string;
  /** Whether any digit was written at all (`.Ei` and `Pi` have none). */
  hasDigits: boolean;
  suffix: string;
}

/**
 * Splits `[+-]digits[.digits]suffix`. Like upstream's scanner it is lenient — `1.`, `.5`, `+` and a
 * bare suffix such as `Ki` all scan — and rejects only what cannot be split.
 */
function scan(text: string): ScannedQuantity {
  const match = /^([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[-+]?[0-9]*)$/.exec(text);
  if (match === null) throw badRequest(formatError);
  const [, sign = '', integer = '', fraction = '', suffix = ''] = match;
  return {
    negative: sign === '-',
    whole: integer.replace(/^0+/, '') || '0',
    fraction,
    hasDigits: integer !== '' || fraction !== '',
    suffix,
  };
}

interface Suffix {
  base: 2 | 10;
  /** The power of the base the suffix stands for. */
  power: number;
  format: QuantityFormat;
}

const decimalSuffixes: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

const binarySuffixes: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

function interpretSuffix(suffix: string): Suffix | undefined {
  const decimal = decimalSuffixes[suffix];
  if (decimal !== undefined) return { base: 10, power: decimal, format: 'DecimalSI' };
  const binary = binarySuffixes[suffix];
  if (binary !== undefined) return { base: 2, power: binary, format: 'BinarySI' };
  // `E` alone is exa; `e3`, `E-3`, `e+3` are exponents. Upstream reads the exponent as an int64 and
  // then keeps only its low 32 bits, so absurd exponents wrap; this does the same.
  const exponent = /^[eE]([+-]?[0-9]+)$/.exec(suffix)?.[1];
  if (exponent === undefined) return undefined;
  const parsed = BigInt(exponent);
  if (parsed < -(2n ** 63n) || parsed >= 2n ** 63n) return undefined;
  return { base: 10, power: Number(BigInt.asIntN(32, parsed)), format: 'DecimalExponent' };
}

/**
 * Upstream reads most quantities through an int64 fast path and the rest through arbitrary-precision
 * decimals. The value is the same either way, but only the fast path may keep the written text as the
 * printed form, and only the slow path rejects a number with no digits. So the fast path's conditions
 * are reproduced here, though the value is always computed exactly.
 */
function evaluate(
  parts: ScannedQuantity,
  suffix: Suffix,
): { mantissa: bigint; exponent: number; format: QuantityFormat; keepsText: boolean } {
  const digits = parts.whole + parts.fraction;
  const sign = parts.negative ? -1n : 1n;
  let fastPathScale: number | undefined;
  if (suffix.base === 10) {
    const scale = suffix.power - parts.fraction.length;
    if (digits.length <= 18 && scale >= nanoExponent) fastPathScale = scale;
  } else if (parts.fraction === '' && 15 - parts.whole.length - (suffix.power * 3) / 10 - 1 >= 0) {
    fastPathScale = 0;
  }

  if (fastPathScale !== undefined) {
    const unsigned = BigInt(digits);
    const mantissa = sign * unsigned * (suffix.base === 2 ? 2n ** BigInt(suffix.power) : 1n);
    const keepsText = isCanonicalAsWritten(suffix, unsigned, digits, fastPathScale);
    return { mantissa, exponent: fastPathScale, format: suffix.format, keepsText };
  }

  if (!parts.hasDigits) throw badRequest(numericError);
  let mantissa = sign * BigInt(digits);
  let exponent = -parts.fraction.length;
  if (suffix.base === 10) exponent += suffix.power;
  else mantissa *= 2n ** BigInt(suffix.power);
  [mantissa, exponent] = roundUpToNano(mantissa, exponent);

  let format = suffix.format;
  if (format === 'BinarySI') {
    if (compareDecimals(abs(mantissa), exponent, maxBinary, 0) > 0) {
      [mantissa, exponent] = [sign * maxBinary, 0];
    }
    // A fraction of a unit has no binary suffix to print with.
    if (mantissa !== 0n && compareDecimals(abs(mantissa), exponent, 1n, 0) < 0) format = 'DecimalSI';
  }
  return { mantissa, exponent, format, keepsText: false };
}

/** Upstream's quick test for "already canonical, print it as written". */
function isCanonicalAsWritten(suffix: Suffix, unsigned: bigint, digits: string, scale: number): boolean {
  if (suffix.base === 2) return suffix.power % 10 === 0 && unsigned % 8n !== 0n;
  return scale % 3 === 0 && !digits.endsWith('000') && !digits.startsWith('0');
}

// ---------------------------------------------------------------------------------------------------
// Printing

const decimalSuffixByPower: ReadonlyMap<number, string> = new Map(
  Object.entries(decimalSuffixes).map(([suffix, power]) => [power, suffix]),
);
const binarySuffixByPower: readonly string[] = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/**
 * The canonical form. Decimal styles strip trailing zeros from the mantissa, then lower the exponent to
 * a multiple of three (12e4 → 120e3 → `120k`). Binary-SI divides out 1024s (`1536Mi`).
 *
 * Where upstream has no decimal-SI suffix for the result (beyond `E`: `1000E`, or a sum that large) it
 * prints the bare mantissa, which silently changes the value (`1`); this prints the exponent form
 * (`1e21`) instead.
 */
function canonical(mantissa: bigint, exponent: number, format: QuantityFormat): string {
  if (mantissa === 0n) return '0';
  if (format === 'BinarySI') {
    const binary = binaryForm(mantissa, exponent);
    if (binary !== undefined) return binary;
  }
  let [amount, power] = stripFactors(mantissa, exponent);
  while (power % 3 !== 0) {
    amount *= 10n;
    power--;
  }
  // A binary-SI value with no binary form (below 1024, or fractional) prints in decimal-SI.
  if (format !== 'DecimalExponent') {
    const suffix = decimalSuffixByPower.get(power);
    if (suffix !== undefined) return `${amount}${suffix}`;
  }
  return power === 0 ? `${amount}` : `${amount}e${power}`;
}

/**
 * The binary-SI form, or undefined when the value is below 1024 in magnitude or not whole. Past `Ei`
 * the amount simply grows (`1024Ei`), where upstream would drop the suffix and print a wrong number.
 */
function binaryForm(mantissa: bigint, exponent: number): string | undefined {
  if (compareDecimals(abs(mantissa), exponent, 1024n, 0) < 0) return undefined;
  let amount: bigint;
  if (exponent >= 0) amount = scaleTo(mantissa, exponent, 0);
  else {
    const divisor = 10n ** BigInt(-exponent);
    if (mantissa % divisor !== 0n) return undefined;
    amount = mantissa / divisor;
  }
  let power = 0;
  while (amount % 1024n === 0n && power < binarySuffixByPower.length - 1) {
    amount /= 1024n;
    power++;
  }
  return `${amount}${binarySuffixByPower[power] ?? ''}`;
}

// ---------------------------------------------------------------------------------------------------
// Decimal arithmetic on (mantissa, exponent) pairs

function toBigInt(value: bigint | number): bigint {
  if (typeof value === 'bigint') return value;
  if (!Number.isSafeInteger(value)) throw new RangeError(`${value} is not a safe integer`);
  return BigInt(value);
}

function abs(value: bigint): bigint {
  return value < 0n ? -value : value;
}

function digitCount(value: bigint): number {
  return abs(value).toString().length;
}

/** The mantissa re-expressed at a lower (or equal) exponent. */
function scaleTo(mantissa: bigint, exponent: number, target: number): bigint {
  return mantissa * 10n ** BigInt(exponent - target);
}

/** Moves trailing zeros of the mantissa into the exponent: (1200, 0) → (12, 2). */
function stripFactors(mantissa: bigint, exponent: number): [bigint, number] {
  let amount = mantissa;
  let power = exponent;
  while (amount !== 0n && amount % 10n === 0n) {
    amount /= 10n;
    power++;
  }
  return [amount, power];
}

/**
 * Divides by 10^shift, rounding away from zero. A shift longer than the mantissa leaves ±1 (any
 * non-zero amount rounds up to the smallest step), which also keeps absurd exponents cheap.
 */
function divideAwayFromZero(mantissa: bigint, shift: number): bigint {
  if (shift <= 0) return mantissa;
  if (mantissa === 0n) return 0n;
  if (shift > digitCount(mantissa)) return mantissa > 0n ? 1n : -1n;
  const divisor = 10n ** BigInt(shift);
  const quotient = mantissa / divisor;
  if (mantissa % divisor === 0n) return quotient;
  return mantissa > 0n ? quotient + 1n : quotient - 1n;
}

function roundUpToNano(mantissa: bigint, exponent: number): [bigint, number] {
  if (exponent >= nanoExponent) return [mantissa, exponent];
  return [divideAwayFromZero(mantissa, nanoExponent - exponent), nanoExponent];
}

/** Compares two decimals without expanding far-apart exponents. */
function compareDecimals(a: bigint, aExponent: number, b: bigint, bExponent: number): -1 | 0 | 1 {
  const aSign = a === 0n ? 0 : a > 0n ? 1 : -1;
  const bSign = b === 0n ? 0 : b > 0n ? 1 : -1;
  if (aSign !== bSign) return aSign < bSign ? -1 : 1;
  if (aSign === 0) return 0;
  // Same sign: the one with more digits before the point is larger in magnitude, so larger if
  // positive and smaller if negative.
  const aMagnitude = digitCount(a) + aExponent;
  const bMagnitude = digitCount(b) + bExponent;
  if (aMagnitude !== bMagnitude) return aMagnitude > bMagnitude === aSign > 0 ? 1 : -1;
  const exponent = Math.min(aExponent, bExponent);
  const difference = scaleTo(a, aExponent, exponent) - scaleTo(b, bExponent, exponent);
  if (difference === 0n) return 0;
  return difference > 0n ? 1 : -1;
}

/** The value in units of 10^scale, rounded away from zero, as a number. */
function scaledInteger(mantissa: bigint, exponent: number, scale: number): number {
  if (mantissa === 0n) return 0;
  if (exponent >= scale) {
    // Past about 10^309 a number is infinite anyway; do not build the digits.
    if (digitCount(mantissa) + exponent - scale > 400) return mantissa > 0n ? Infinity : -Infinity;
    return Number(scaleTo(mantissa, exponent, scale));
  }
  return Number(divideAwayFromZero(mantissa, scale - exponent));
}
