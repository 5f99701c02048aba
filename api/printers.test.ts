import { describe, expect, it } from 'vitest';
import {
  age,
  createdAt,
  defaultColumns,
  formatDeploymentSelector,
  formatIntOrString,
  formatLabelSelector,
  formatLabels,
  formatQuantity,
  humanDuration,
  timestampSince,
} from './printers.js';

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;
const day = 24 * hour;
const year = 365 * day;

describe('humanDuration', () => {
  // Upstream's own cases (apimachinery util/duration TestHumanDuration and its boundaries).
  it.each([
    [second, '1s'],
    [70 * second, '70s'],
    [190 * second, '3m10s'],
    [70 * minute, '70m'],
    [47 * hour, '47h'],
    [49 * hour, '2d1h'],
    [(8 * 24 + 2) * hour, '8d'],
    [367 * day, '367d'],
    [(365 * 2 * 24 + 25) * hour, '2y1d'],
    [(365 * 8 * 24 + 2) * hour, '8y'],
    [-2 * second, '<invalid>'],
    [-2 * second + 1, '0s'],
    [0, '0s'],
    [second - 1, '0s'],
    [2 * minute - 1, '119s'],
    [2 * minute, '2m'],
    [2 * minute + second, '2m1s'],
    [10 * minute - 1, '9m59s'],
    [10 * minute, '10m'],
    [10 * minute + second, '10m'],
    [3 * hour - 1, '179m'],
    [3 * hour, '3h'],
    [3 * hour + minute, '3h1m'],
    [8 * hour - 1, '7h59m'],
    [8 * hour, '8h'],
    [8 * hour + 59 * minute, '8h'],
    [2 * day - 1, '47h'],
    [2 * day, '2d'],
    [2 * day + hour, '2d1h'],
    [8 * day - 1, '7d23h'],
    [8 * day, '8d'],
    [8 * day + 23 * hour, '8d'],
    [2 * year - 1, '729d'],
    [2 * year, '2y'],
    [2 * year + 23 * hour, '2y'],
    [2 * year + 23 * hour + 59 * minute, '2y'],
    [2 * year + day - 1, '2y'],
    [2 * year + day, '2y1d'],
    [3 * year, '3y'],
    [7 * year, '7y'],
    [8 * year - 1, '7y364d'],
    [8 * year, '8y'],
    [8 * year + 364 * day, '8y'],
    [9 * year, '9y'],
  ])('prints %d ms as %s', (milliseconds, expected) => {
    expect(humanDuration(milliseconds)).toBe(expected);
  });
});

const now = Date.parse('2025-06-01T12:00:00Z');

describe('ages', () => {
  it('an object created five minutes ago is 5m old', () => {
    expect(age({ metadata: { creationTimestamp: '2025-06-01T11:55:00Z' } }, now)).toBe('5m');
  });

  it.each([
    ['absent', undefined],
    ['null', null],
    ["Go's zero time", '0001-01-01T00:00:00Z'],
    ['unparseable', 'yesterday'],
  ])('an %s timestamp reads <unknown>', (_, timestamp) => {
    expect(timestampSince(timestamp, now)).toBe('<unknown>');
  });

  it('reads microsecond timestamps (an event time)', () => {
    expect(timestampSince('2025-06-01T11:59:30.123456Z', now)).toBe('29s');
  });
});

describe('the default table', () => {
  it('has Name and Created At, the date left for the client to format', () => {
    expect(defaultColumns.map(({ name, type, format }) => [name, type, format])).toEqual([
      ['Name', 'string', 'name'],
      ['Created At', 'date', undefined],
    ]);
  });

  it('prints the name and the creation time in UTC RFC 3339', () => {
    const role = { metadata: { name: 'reader', creationTimestamp: '2025-05-01T10:00:00+02:00' } };
    expect(defaultColumns.map((column) => column.cell(role, now))).toEqual([
      'reader',
      '2025-05-01T08:00:00Z',
    ]);
  });

  it("prints Go's zero time for an object without a creation time", () => {
    expect(createdAt({ metadata: { name: 'x' } })).toBe('0001-01-01T00:00:00Z');
  });
});

describe('label formatting', () => {
  it('prints a label map sorted by key', () => {
    expect(formatLabels({ tier: 'web', app: 'shop' })).toBe('app=shop,tier=web');
  });

  it('prints an empty or absent map as <none>', () => {
    expect(formatLabels({})).toBe('<none>');
    expect(formatLabels(undefined)).toBe('<none>');
  });

  it('prints a label selector with its expressions, keys sorted and values sorted', () => {
    const selector = {
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['front', 'back'] },
        { key: 'canary', operator: 'DoesNotExist' },
      ],
    };
    expect(formatLabelSelector(selector)).toBe('app=web,!canary,tier in (back,front)');
  });

  it.each([
    ['absent', undefined],
    ['empty', {}],
  ])('prints an %s selector as <none>', (_, selector) => {
    expect(formatLabelSelector(selector)).toBe('<none>');
  });

  it('prints a malformed selector as <error>', () => {
    expect(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Near' }] })).toBe('<error>');
  });

  it("prints deployment selectors with the deployment printer's own empty and error forms", () => {
    expect(formatDeploymentSelector({ matchLabels: { app: 'web' } })).toBe('app=web');
    expect(formatDeploymentSelector({})).toBe('');
    expect(formatDeploymentSelector({ matchExpressions: [{ key: 'a', operator: 'Near' }] })).toBe(
      '<invalid>',
    );
  });
});

describe('quantities and int-or-strings', () => {
  it.each([
    ['1.5Gi', '1536Mi'],
    ['10Gi', '10Gi'],
    ['1000m', '1'],
    [undefined, '0'],
    [5, '5'],
    ['not a quantity', 'not a quantity'],
  ])('prints %s as %s', (value, expected) => {
    expect(formatQuantity(value)).toBe(expected);
  });

  it('prints an int-or-string as written', () => {
    expect(formatIntOrString(2)).toBe('2');
    expect(formatIntOrString('25%')).toBe('25%');
  });
});
