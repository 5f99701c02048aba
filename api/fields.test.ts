import { describe, expect, it } from 'vitest';
import {
  checkFields,
  checkMetadataFields,
  escapeFieldValue,
  type FieldRequirement,
  parseFieldSelector,
  unescapeFieldValue,
} from './fields.js';
import { isStatusError, type StatusError } from './status.js';

function thrown(action: () => unknown): StatusError {
  try {
    action();
  } catch (error) {
    if (isStatusError(error)) return error;
    throw error;
  }
  throw new Error('expected a StatusError');
}

describe('parsing field selectors', () => {
  it.each<[string, string]>([
    ['', ''],
    ['metadata.name=web', 'metadata.name=web'],
    ['metadata.name==web', 'metadata.name=web'],
    ['status.phase!=Running,metadata.name=web', 'metadata.name=web,status.phase!=Running'],
    ['spec.nodeName=', 'spec.nodeName='],
    ['a=b\\,c', 'a=b\\,c'],
    ['a=b\\=c', 'a=b\\=c'],
    ['a=b\\\\c', 'a=b\\\\c'],
    ['a=b,', 'a=b'],
    [',,', ''],
    ['=', ''],
    ['a = b', 'a = b'],
  ])('reads %j and prints it as %j', (text, printed) => {
    expect(parseFieldSelector(text).toString()).toBe(printed);
  });

  it('exposes requirements with values unescaped and == read as =', () => {
    expect(parseFieldSelector('status.phase!=Running,metadata.name==a\\,b').requirements).toEqual<
      FieldRequirement[]
    >([
      { field: 'metadata.name', operator: '=', value: 'a,b' },
      { field: 'status.phase', operator: '!=', value: 'Running' },
    ]);
  });

  it('keeps blanks: they are part of the field and the value', () => {
    expect(parseFieldSelector('a = b').requirements).toEqual([{ field: 'a ', operator: '=', value: ' b' }]);
  });

  it('a blank selector, or one of empty terms, selects everything', () => {
    expect(parseFieldSelector('').empty).toBe(true);
    expect(parseFieldSelector('=,').empty).toBe(true);
    expect(parseFieldSelector('a=').empty).toBe(false);
  });

  it.each<[string, string]>([
    ['a', "invalid selector: 'a'; can't understand 'a'"],
    ['x=1,y', "invalid selector: 'x=1,y'; can't understand 'y'"],
    ['a=b=c', 'invalid field selector: unescaped character in value: 61'],
    ['a!==b', 'invalid field selector: unescaped character in value: 61'],
    ['a=b\\x', 'invalid field selector: invalid escape sequence: \\x'],
    ['a=b\\', 'invalid field selector: invalid escape sequence: \\'],
  ])('refuses %j with 400 %j', (text, message) => {
    const error = thrown(() => parseFieldSelector(text));
    expect(error.reason).toBe('BadRequest');
    expect(error.code).toBe(400);
    expect(error.message).toBe(message);
  });
});

describe('matching fields', () => {
  const pod = { 'metadata.name': 'web', 'status.phase': 'Running', 'spec.nodeName': '' };

  it.each<[string, boolean]>([
    ['', true],
    ['metadata.name=web', true],
    ['metadata.name=db', false],
    ['status.phase!=Running', false],
    ['status.phase!=Pending', true],
    ['spec.nodeName=', true],
    ['spec.nodeName!=', false],
    ['spec.schedulerName=', true],
    ['spec.schedulerName=x', false],
    ['spec.schedulerName!=x', true],
    ['metadata.name=web,status.phase=Running', true],
    ['metadata.name=web,status.phase=Pending', false],
    ['constructor=', true],
  ])('%j against a running pod is %s', (text, expected) => {
    expect(parseFieldSelector(text).matches(pod)).toBe(expected);
  });

  it('finds the value an index can look up', () => {
    const selector = parseFieldSelector('status.phase!=Running,spec.nodeName=node-1');
    expect(selector.exactMatch('spec.nodeName')).toBe('node-1');
    expect(selector.exactMatch('status.phase')).toBeUndefined();
    expect(selector.exactMatch('metadata.name')).toBeUndefined();
  });
});

describe('checking fields a resource supports', () => {
  const podFields = new Set(['metadata.name', 'metadata.namespace', 'spec.nodeName', 'status.phase']);

  it('accepts supported fields', () => {
    expect(() =>
      checkFields(parseFieldSelector('spec.nodeName=n1,status.phase!=Failed'), podFields),
    ).not.toThrow();
    expect(() => checkFields(parseFieldSelector(''), podFields)).not.toThrow();
  });

  it.each<[string, string]>([
    ['spec.foo=x', 'field label not supported: spec.foo'],
    ['z.b=1,a.b=2', 'field label not supported: a.b'],
    ['=x', 'field label not supported: '],
  ])('refuses %j with 400 %j', (text, message) => {
    const error = thrown(() => checkFields(parseFieldSelector(text), podFields));
    expect(error.reason).toBe('BadRequest');
    expect(error.message).toBe(message);
  });

  it('refuses fields other than name and namespace where a resource declares none', () => {
    expect(() =>
      checkMetadataFields(parseFieldSelector('metadata.name=a,metadata.namespace=b')),
    ).not.toThrow();
    const error = thrown(() => checkMetadataFields(parseFieldSelector('spec.replicas=1')));
    expect(error.reason).toBe('BadRequest');
    expect(error.message).toBe(
      '"spec.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"',
    );
  });
});

describe('escaping values', () => {
  it.each<[string, string]>([
    ['plain', 'plain'],
    ['a,b', 'a\\,b'],
    ['a=b', 'a\\=b'],
    ['a\\b', 'a\\\\b'],
    ['\\,=', '\\\\\\,\\='],
  ])('%j escapes to %j and back', (value, escaped) => {
    expect(escapeFieldValue(value)).toBe(escaped);
    expect(unescapeFieldValue(escaped)).toBe(value);
  });

  it('a value with escapes survives a round trip through a selector', () => {
    const value = 'a,b=c\\d';
    const selector = parseFieldSelector(`metadata.name=${escapeFieldValue(value)}`);
    expect(selector.requirements[0]?.value).toBe(value);
    expect(parseFieldSelector(selector.toString()).requirements).toEqual(selector.requirements);
  });
});
