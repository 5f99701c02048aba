import { describe, expect, it } from 'vitest';
import { Quantity, type QuantityFormat } from './quantity.js';
import { isStatusError } from './status.js';

const formatRule =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const numericRule = 'unable to parse numeric part of quantity';
const suffixRule = "unable to parse quantity's suffix";
const maxInt64 = 2n ** 63n - 1n;

/** mantissa × 10^exponent in a format, built without the parser. */
const exact = (mantissa: bigint | number, exponent: number, format: QuantityFormat) =>
  Quantity.fromScaled(mantissa, exponent, format);

describe('parsing quantities', () => {
  // Upstream's TestQuantityParse table: what each text means and which format it keeps.
  const table: [string, Quantity][] = [
    ['0', exact(0, 0, 'DecimalSI')],
    ['0n', exact(0, 0, 'DecimalSI')],
    ['0u', exact(0, 0, 'DecimalSI')],
    ['0m', exact(0, 0, 'DecimalSI')],
    ['0Ki', exact(0, 0, 'BinarySI')],
    ['0k', exact(0, 0, 'DecimalSI')],
    ['0Mi', exact(0, 0, 'BinarySI')],
    ['0M', exact(0, 0, 'DecimalSI')],
    ['0Gi', exact(0, 0, 'BinarySI')],
    ['0G', exact(0, 0, 'DecimalSI')],
    ['0Ti', exact(0, 0, 'BinarySI')],
    ['0T', exact(0, 0, 'DecimalSI')],
    ['1', exact(1, 0, 'DecimalSI')],
    ['1Ki', exact(1024, 0, 'BinarySI')],
    ['8Ki', exact(8 * 1024, 0, 'BinarySI')],
    ['7Mi', exact(7 * 1024 ** 2, 0, 'BinarySI')],
    ['6Gi', exact(6 * 1024 ** 3, 0, 'BinarySI')],
    ['5Ti', exact(5 * 1024 ** 4, 0, 'BinarySI')],
    ['4Pi', exact(4n * 1024n ** 5n, 0, 'BinarySI')],
    ['3Ei', exact(3n * 1024n ** 6n, 0, 'BinarySI')],
    ['10Ti', exact(10 * 1024 ** 4, 0, 'BinarySI')],
    ['100Ti', exact(100 * 1024 ** 4, 0, 'BinarySI')],
    ['5n', exact(5, -9, 'DecimalSI')],
    ['4u', exact(4, -6, 'DecimalSI')],
    ['3m', exact(3, -3, 'DecimalSI')],
    ['9', exact(9, 0, 'DecimalSI')],
    ['8k', exact(8, 3, 'DecimalSI')],
    ['50k', exact(5, 4, 'DecimalSI')],
    ['7M', exact(7, 6, 'DecimalSI')],
    ['6G', exact(6, 9, 'DecimalSI')],
    ['5T', exact(5, 12, 'DecimalSI')],
    ['40T', exact(4, 13, 'DecimalSI')],
    ['300T', exact(3, 14, 'DecimalSI')],
    ['2P', exact(2, 15, 'DecimalSI')],
    ['1E', exact(1, 18, 'DecimalSI')],
    ['1E-3', exact(1, -3, 'DecimalExponent')],
    ['1e3', exact(1, 3, 'DecimalExponent')],
    ['1E6', exact(1, 6, 'DecimalExponent')],
    ['1e9', exact(1, 9, 'DecimalExponent')],
    ['1E12', exact(1, 12, 'DecimalExponent')],
    ['1e15', exact(1, 15, 'DecimalExponent')],
    ['1E18', exact(1, 18, 'DecimalExponent')],
    ['1e14', exact(1, 14, 'DecimalExponent')],
    ['1e13', exact(1, 13, 'DecimalExponent')],
    ['100.035k', exact(100035, 0, 'DecimalSI')],
    ['0.001', exact(1, -3, 'DecimalSI')],
    ['0.0005k', exact(5, -1, 'DecimalSI')],
    ['0.005', exact(5, -3, 'DecimalSI')],
    ['0.05', exact(5, -2, 'DecimalSI')],
    ['0.5', exact(5, -1, 'DecimalSI')],
    ['0.00050k', exact(5, -1, 'DecimalSI')],
    ['0.00500', exact(5, -3, 'DecimalSI')],
    ['0.05000', exact(5, -2, 'DecimalSI')],
    ['0.50000', exact(5, -1, 'DecimalSI')],
    ['0.5e0', exact(5, -1, 'DecimalExponent')],
    ['0.5e-1', exact(5, -2, 'DecimalExponent')],
    ['0.5e-2', exact(5, -3, 'DecimalExponent')],
    ['10.035M', exact(10035, 3, 'DecimalSI')],
    ['1.2e3', exact(12, 2, 'DecimalExponent')],
    ['1.3E+6', exact(13, 5, 'DecimalExponent')],
    ['1.40e9', exact(14, 8, 'DecimalExponent')],
    ['1.53E12', exact(153, 10, 'DecimalExponent')],
    ['1.6e15', exact(16, 14, 'DecimalExponent')],
    ['1.7E18', exact(17, 17, 'DecimalExponent')],
    ['9.01', exact(901, -2, 'DecimalSI')],
    ['8.1k', exact(81, 2, 'DecimalSI')],
    ['7.123456M', exact(7123456, 0, 'DecimalSI')],
    ['6.987654321G', exact(6987654321, 0, 'DecimalSI')],
    ['5.444T', exact(5444, 9, 'DecimalSI')],
    ['40.1T', exact(401, 11, 'DecimalSI')],
    ['300.2T', exact(3002, 11, 'DecimalSI')],
    ['2.5P', exact(25, 14, 'DecimalSI')],
    ['1.01E', exact(101, 16, 'DecimalSI')],
    // Finer than a nano rounds up, away from zero; binary-SI saturates at 2^63-1.
    ['3.001n', exact(4, -9, 'DecimalSI')],
    ['1.1E-9', exact(2, -9, 'DecimalExponent')],
    ['0.0000000001', exact(1, -9, 'DecimalSI')],
    ['0.0000000005', exact(1, -9, 'DecimalSI')],
    ['0.00000000050', exact(1, -9, 'DecimalSI')],
    ['0.5e-9', exact(1, -9, 'DecimalExponent')],
    ['0.9n', exact(1, -9, 'DecimalSI')],
    ['0.00000012345', exact(124, -9, 'DecimalSI')],
    ['0.00000012354', exact(124, -9, 'DecimalSI')],
    ['9Ei', exact(maxInt64, 0, 'BinarySI')],
    ['9223372036854775807Ki', exact(maxInt64, 0, 'BinarySI')],
    ['12E', exact(12, 18, 'DecimalSI')],
    // Fractional binary amounts are accepted.
    ['100.035Ki', exact(10243584, -2, 'BinarySI')],
    ['0.5Mi', exact(0.5 * 1024 * 1024, 0, 'BinarySI')],
    ['0.05Gi', exact(536870912, -1, 'BinarySI')],
    ['0.025Ti', exact(274877906944, -1, 'BinarySI')],
    // Oddities upstream accepts.
    ['0.000000000001Ki', exact(2, -9, 'DecimalSI')],
    ['.001', exact(1, -3, 'DecimalSI')],
    ['.0001k', exact(100, -3, 'DecimalSI')],
    ['1.', exact(1, 0, 'DecimalSI')],
    ['1.G', exact(1, 9, 'DecimalSI')],
  ];

  it.each(table)('%j has the value and format upstream gives it', (text, expected) => {
    const quantity = Quantity.parse(text);
    expect(quantity.cmp(expected)).toBe(0);
    expect(quantity.format).toBe(expected.format);
  });

  it.each(table)('-%s is the negation, in the same format', (text, expected) => {
    const quantity = Quantity.parse(`-${text}`);
    expect(quantity.cmp(expected.neg())).toBe(0);
    expect(quantity.format).toBe(expected.format);
  });

  it.each(table)('+%s is the same value', (text, expected) => {
    const quantity = Quantity.parse(`+${text}`);
    expect(quantity.cmp(expected)).toBe(0);
    expect(quantity.format).toBe(expected.format);
  });

  it.each<[string, string]>([
    ['1.1.M', formatRule],
    ['1+1.0M', formatRule],
    ['0.1am', formatRule],
    ['aoeu', formatRule],
    [' 1', formatRule],
    ['1 ', formatRule],
    ['', formatRule],
    ['1Gi ', formatRule],
    ['0.1mi', suffixRule],
    ['.5i', suffixRule],
    ['1i', suffixRule],
    ['-3.01i', suffixRule],
    ['-3.01e-', suffixRule],
    ['1e', suffixRule],
    ['1Mi1', suffixRule],
    ['1e99999999999999999999', suffixRule],
    ['--1', suffixRule],
    ['Pi', numericRule],
    ['.Ei', numericRule],
    ['e-10', numericRule],
  ])('refuses %j with 400 %j', (text, message) => {
    let error: unknown;
    try {
      Quantity.parse(text);
    } catch (caught) {
      error = caught;
    }
    expect(isStatusError(error, 'BadRequest')).toBe(true);
    expect((error as Error).message).toBe(message);
  });

  it.each(['-', '+', '.', '-.', 'Ki', 'm', '.Ki'])(
    'reads the digitless %j as zero, as upstream does',
    (text) => {
      expect(Quantity.parse(text).isZero()).toBe(true);
      expect(Quantity.parse(text).toString()).toBe('0');
    },
  );
});

describe('printing quantities', () => {
  // Upstream's TestQuantityString: the canonical form, and another spelling that prints the same.
  it.each<[Quantity, string, string]>([
    [exact(1024 ** 3, 0, 'BinarySI'), '1Gi', '1024Mi'],
    [exact(300 * 1024 ** 2, 0, 'BinarySI'), '300Mi', '307200Ki'],
    [exact(6 * 1024, 0, 'BinarySI'), '6Ki', ''],
    [exact(1001 * 1024 ** 3, 0, 'BinarySI'), '1001Gi', '1025024Mi'],
    [exact(1024 ** 4, 0, 'BinarySI'), '1Ti', '1024Gi'],
    [exact(5, 0, 'BinarySI'), '5', '5000m'],
    [exact(500, -3, 'BinarySI'), '500m', '0.5'],
    [exact(1, 9, 'DecimalSI'), '1G', '1000M'],
    [exact(1000, 6, 'DecimalSI'), '1G', '0.001T'],
    [exact(1000000, 3, 'DecimalSI'), '1G', ''],
    [exact(1000000000, 0, 'DecimalSI'), '1G', ''],
    [exact(1, -3, 'DecimalSI'), '1m', '1000u'],
    [exact(80, -3, 'DecimalSI'), '80m', ''],
    [exact(1080, -3, 'DecimalSI'), '1080m', '1.08'],
    [exact(108, -2, 'DecimalSI'), '1080m', '1080000000n'],
    [exact(10800, -4, 'DecimalSI'), '1080m', ''],
    [exact(300, 6, 'DecimalSI'), '300M', ''],
    [exact(1, 12, 'DecimalSI'), '1T', ''],
    [exact(1234567, 6, 'DecimalSI'), '1234567M', ''],
    [exact(1234567, -3, 'BinarySI'), '1234567m', ''],
    [exact(3, 3, 'DecimalSI'), '3k', ''],
    [exact(1025, 0, 'BinarySI'), '1025', ''],
    [exact(0, 0, 'DecimalSI'), '0', ''],
    [exact(0, 0, 'BinarySI'), '0', ''],
    [exact(1, 9, 'DecimalExponent'), '1e9', '.001e12'],
    [exact(1, -3, 'DecimalExponent'), '1e-3', '0.001e0'],
    [exact(1, -9, 'DecimalExponent'), '1e-9', '1000e-12'],
    [exact(80, -3, 'DecimalExponent'), '80e-3', ''],
    [exact(300, 6, 'DecimalExponent'), '300e6', ''],
    [exact(1, 12, 'DecimalExponent'), '1e12', ''],
    [exact(1, 3, 'DecimalExponent'), '1e3', ''],
    [exact(3, 3, 'DecimalExponent'), '3e3', ''],
    [exact(3, 3, 'DecimalSI'), '3k', ''],
    [exact(0, 0, 'DecimalExponent'), '0', '00'],
    [exact(1, -9, 'DecimalSI'), '1n', ''],
    [exact(80, -9, 'DecimalSI'), '80n', ''],
    [exact(1080, -9, 'DecimalSI'), '1080n', ''],
    [exact(108, -8, 'DecimalSI'), '1080n', ''],
    [exact(10800, -10, 'DecimalSI'), '1080n', ''],
    [exact(1, -6, 'DecimalSI'), '1u', ''],
    [exact(80, -6, 'DecimalSI'), '80u', ''],
    [exact(1080, -6, 'DecimalSI'), '1080u', ''],
  ])('%s prints as %j', (quantity, printed, alternate) => {
    expect(quantity.toString()).toBe(printed);
    expect(Quantity.parse(printed).toString()).toBe(printed);
    if (alternate !== '') expect(Quantity.parse(alternate).toString()).toBe(printed);
    if (!quantity.isZero()) expect(quantity.neg().toString()).toBe(`-${printed}`);
  });

  it.each<[string, string]>([
    // Upstream's TestQuantityParseEmit.
    ['1Ki', '1Ki'],
    ['1Mi', '1Mi'],
    ['1Gi', '1Gi'],
    ['1024Mi', '1Gi'],
    ['1000M', '1G'],
    ['.001Ki', '1024m'],
    ['.000001Ki', '1024u'],
    ['.000000001Ki', '1024n'],
    ['.000000000001Ki', '2n'],
    // The forms users write most.
    ['100m', '100m'],
    ['1.5Gi', '1536Mi'],
    ['0.5', '500m'],
    ['1000m', '1'],
    ['1.5', '1500m'],
    ['2e3', '2e3'],
    ['1.5e3', '1500'],
    ['128974848', '128974848'],
    ['129e6', '129e6'],
    ['129M', '129M'],
    ['123Mi', '123Mi'],
    ['1000', '1k'],
    ['0.5Ki', '512'],
    ['1.5Ki', '1536'],
    ['100.035Ki', '102435840m'],
    ['0.05Gi', '53687091200m'],
    ['0.1n', '1n'],
    ['1e-10', '1e-9'],
    ['00', '0'],
    ['-0', '0'],
    ['9Ei', '9223372036854775807'],
    ['12E', '12E'],
    // Upstream keeps text it judges canonical exactly as written, quirks and all.
    ['1.500', '1.500'],
    ['+1k', '+1k'],
    ['01', '01'],
    ['1.', '1.'],
    ['1.Ki', '1.Ki'],
    // Where upstream has no suffix it prints a wrong bare number (`1`); the exponent form is kept instead.
    ['1000E', '1e21'],
  ])('%j prints as %j', (text, printed) => {
    expect(Quantity.parse(text).toString()).toBe(printed);
    if (!printed.startsWith('+') && printed !== '0') {
      expect(Quantity.parse(`-${text}`).toString()).toBe(`-${printed}`);
    }
  });

  it('serialises to JSON as its string', () => {
    expect(JSON.stringify({ cpu: Quantity.parse('0.5'), memory: Quantity.parse('1.5Gi') })).toBe(
      '{"cpu":"500m","memory":"1536Mi"}',
    );
  });
});

describe('building quantities from numbers', () => {
  it.each<[number, QuantityFormat, string]>([
    [1, 'DecimalSI', '1'],
    [1000, 'DecimalSI', '1k'],
    [1234000, 'DecimalSI', '1234k'],
    [1024, 'BinarySI', '1Ki'],
    [1000000, 'DecimalExponent', '1e6'],
    [1024 * 1024, 'BinarySI', '1Mi'],
  ])('%d whole units in %s print as %j', (value, format, printed) => {
    const quantity = Quantity.fromInteger(value, format);
    expect(quantity.toString()).toBe(printed);
    expect(Quantity.parse(printed).value()).toBe(value);
  });

  it.each<[number, QuantityFormat, string]>([
    [1, 'DecimalSI', '1m'],
    [1000, 'DecimalSI', '1'],
    [1234000, 'DecimalSI', '1234'],
    [1024, 'BinarySI', '1024m'],
    [1000000, 'DecimalExponent', '1e3'],
    [1024 * 1024, 'BinarySI', '1048576m'],
  ])('%d thousandths in %s print as %j', (value, format, printed) => {
    expect(Quantity.fromMilli(value, format).toString()).toBe(printed);
    expect(Quantity.parse(printed).milliValue()).toBe(value);
  });

  it.each<[number, number, string]>([
    [1, -9, '1n'],
    [1000, -9, '1u'],
    [1, -6, '1u'],
    [1000, -6, '1m'],
    [1, -3, '1m'],
    [1000, -3, '1'],
    [1, 0, '1'],
    [0, -9, '0'],
  ])('%d × 10^%d prints as %j', (value, scale, printed) => {
    expect(Quantity.fromScaled(value, scale).toString()).toBe(printed);
  });

  it('defaults to decimal-SI and refuses numbers that are not safe integers', () => {
    expect(Quantity.fromInteger(2).format).toBe('DecimalSI');
    expect(() => Quantity.fromInteger(1.5)).toThrow(RangeError);
    expect(() => Quantity.fromMilli(2 ** 60)).toThrow(RangeError);
    expect(Quantity.fromInteger(2n ** 70n, 'BinarySI').toString()).toBe('1024Ei');
  });
});

describe('comparing quantities', () => {
  it.each<[string, string, -1 | 0 | 1]>([
    ['0', '0', 0],
    ['100m', '50m', 1],
    ['50m', '100m', -1],
    ['10000T', '100Gi', 1],
    ['1Ki', '1024', 0],
    ['1e3', '1k', 0],
    ['0.5', '500m', 0],
    ['-1', '1m', -1],
    ['-2', '-1', -1],
    ['1e2000000000', '9Ei', 1],
    ['-1e2000000000', '-9Ei', -1],
    ['1e-2000000000', '1n', 0],
  ])('%j against %j is %d', (a, b, order) => {
    expect(Quantity.parse(a).cmp(Quantity.parse(b))).toBe(order);
    expect(Quantity.parse(b).cmp(Quantity.parse(a))).toBe(order === 0 ? 0 : -order);
    expect(Quantity.parse(a).equals(Quantity.parse(b))).toBe(order === 0);
  });

  it('knows its sign', () => {
    expect(Quantity.parse('-1m').sign()).toBe(-1);
    expect(Quantity.parse('0Gi').sign()).toBe(0);
    expect(Quantity.parse('1n').sign()).toBe(1);
  });
});

describe('arithmetic', () => {
  // Upstream's TestAdd and TestSub: the result keeps the left format unless the left is zero.
  it.each<[Quantity, Quantity, Quantity]>([
    [exact(10, 0, 'DecimalSI'), exact(1, 1, 'DecimalSI'), exact(20, 0, 'DecimalSI')],
    [exact(10, 0, 'DecimalSI'), exact(1, 0, 'BinarySI'), exact(11, 0, 'DecimalSI')],
    [exact(10, 0, 'BinarySI'), exact(1, 0, 'DecimalSI'), exact(11, 0, 'BinarySI')],
    [exact(0, 0, 'DecimalSI'), exact(50, 0, 'DecimalSI'), exact(50, 0, 'DecimalSI')],
    [exact(50, 0, 'DecimalSI'), exact(0, 0, 'DecimalSI'), exact(50, 0, 'DecimalSI')],
    [exact(0, 0, 'DecimalSI'), exact(0, 0, 'DecimalSI'), exact(0, 0, 'DecimalSI')],
  ])('%s + %s = %s', (a, b, sum) => {
    const result = a.add(b);
    expect(result.cmp(sum)).toBe(0);
    expect(result.format).toBe(sum.format);
  });

  it.each<[Quantity, Quantity, Quantity]>([
    [exact(10, 0, 'DecimalSI'), exact(1, 1, 'DecimalSI'), exact(0, 0, 'DecimalSI')],
    [exact(10, 0, 'DecimalSI'), exact(1, 0, 'BinarySI'), exact(9, 0, 'DecimalSI')],
    [exact(10, 0, 'BinarySI'), exact(1, 0, 'DecimalSI'), exact(9, 0, 'BinarySI')],
    [exact(0, 0, 'DecimalSI'), exact(50, 0, 'DecimalSI'), exact(-50, 0, 'DecimalSI')],
    [exact(50, 0, 'DecimalSI'), exact(0, 0, 'DecimalSI'), exact(50, 0, 'DecimalSI')],
  ])('%s - %s = %s', (a, b, difference) => {
    const result = a.sub(b);
    expect(result.cmp(difference)).toBe(0);
    expect(result.format).toBe(difference.format);
  });

  it.each(['100m', '1Gi'])('adding zero to %j, either way round, keeps its suffix', (text) => {
    const zero = Quantity.parse('0');
    expect(Quantity.parse(text).add(zero).toString()).toBe(text);
    expect(zero.add(Quantity.parse(text)).toString()).toBe(text);
    expect(Quantity.parse(text).sub(zero).toString()).toBe(text);
    expect(zero.sub(Quantity.parse(text)).toString()).toBe(`-${text}`);
  });

  it('sums requests across scales exactly', () => {
    const total = ['100m', '0.25', '1', '1n'].map((text) => Quantity.parse(text)).reduce((a, b) => a.add(b));
    expect(total.toString()).toBe('1350000001n');
    expect(Quantity.parse('1Gi').add(Quantity.parse('512Mi')).toString()).toBe('1536Mi');
    expect(Quantity.parse('1').sub(Quantity.parse('1000m')).toString()).toBe('0');
  });

  it('leaves the operands unchanged', () => {
    const a = Quantity.parse('1.500');
    a.add(Quantity.parse('1'));
    a.neg();
    expect(a.toString()).toBe('1.500');
  });

  it('negation prints with a minus and undoes itself', () => {
    expect(exact(901, -2, 'DecimalSI').neg().toString()).toBe('-9010m');
    expect(Quantity.parse('1Gi').neg().neg().toString()).toBe('1Gi');
    expect(Quantity.parse('0').neg().toString()).toBe('0');
  });
});

describe('numbers for the scheduler', () => {
  it.each<[string, number, number]>([
    ['1', 1, 1000],
    ['100m', 1, 100],
    ['1500m', 2, 1500],
    ['1.5', 2, 1500],
    ['2.0001', 3, 2001],
    ['1n', 1, 1],
    ['-1500m', -2, -1500],
    ['1Gi', 1073741824, 1073741824000],
    ['128974848', 128974848, 128974848000],
    ['129e6', 129000000, 129000000000],
    ['1e-2000000000', 1, 1],
    ['1e400', Infinity, Infinity],
  ])('%j is %d units and %d thousandths, rounded up', (text, units, thousandths) => {
    expect(Quantity.parse(text).value()).toBe(units);
    expect(Quantity.parse(text).milliValue()).toBe(thousandths);
  });

  it.each<[string, number]>([
    ['500m', 0.5],
    ['1.5Gi', 1610612736],
    ['-1e-3', -0.001],
    ['0', 0],
  ])('%j is about %d', (text, approximately) => {
    expect(Quantity.parse(text).toNumber()).toBe(approximately);
  });
});
