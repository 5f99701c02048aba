import { describe, expect, it } from 'vitest';
import { FieldSet } from './field-set.js';
import {
  fieldElement,
  formatPath,
  indexElement,
  keyElement,
  type Path,
  parseElement,
  serializeElement,
  valueElement,
} from './path-element.js';

const f = fieldElement;
const k = (fields: Record<string, unknown>) => keyElement(Object.entries(fields));
const v = valueElement;
const set = (...paths: Path[]) => FieldSet.of(...paths);

describe('path elements', () => {
  it.each([
    { step: f('replicas'), fieldsV1: 'f:replicas', message: '.replicas' },
    {
      step: k({ protocol: 'TCP', containerPort: 80 }),
      fieldsV1: 'k:{"containerPort":80,"protocol":"TCP"}',
      message: '[containerPort=80,protocol="TCP"]',
    },
    { step: v('example.com/a'), fieldsV1: 'v:"example.com/a"', message: '[="example.com/a"]' },
    { step: v(3), fieldsV1: 'v:3', message: '[=3]' },
    { step: indexElement(2), fieldsV1: 'i:2', message: '[2]' },
    { step: k({ name: 'a<b' }), fieldsV1: 'k:{"name":"a\\u003cb"}', message: '[name="a<b"]' },
  ])('$fieldsV1 is written and read as upstream writes it', ({ step, fieldsV1, message }) => {
    expect(serializeElement(step)).toBe(fieldsV1);
    expect(formatPath([step])).toBe(message);
    expect(serializeElement(parseElement(fieldsV1)!)).toBe(fieldsV1);
  });

  it('skips an element of a kind it does not know, as upstream does', () => {
    expect(parseElement('x:future')).toBeUndefined();
    const read = FieldSet.fromFieldsV1({ 'x:future': {}, 'f:a': {} });
    expect([...read.paths()].map(formatPath)).toEqual(['.a']);
    expect(read.union(FieldSet.of([fieldElement('b')])).toFieldsV1()).toEqual({ 'f:a': {}, 'f:b': {} });
  });

  it('writes a set it read and did not change back as the very object it read', () => {
    const fields = { 'f:spec': { 'f:replicas': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } } };
    const read = FieldSet.fromFieldsV1(fields);
    expect(read.toFieldsV1()).toBe(fields);
    const changed = read.difference(FieldSet.of([fieldElement('spec'), fieldElement('replicas')]));
    expect(changed.toFieldsV1()).toEqual({ 'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } } });
    expect((changed.toFieldsV1() as Record<string, unknown>)['f:metadata']).toBe(fields['f:metadata']);
  });
});

describe('field sets', () => {
  const containers = [f('spec'), f('containers')] as const;
  const web = k({ name: 'web' });

  it('writes FieldsV1 sorted, with "." for a step that is a member and has members below', () => {
    const fields = set(
      [f('spec'), f('replicas')],
      [...containers, web],
      [...containers, web, f('name')],
      [...containers, web, f('image')],
      [f('metadata'), f('labels'), f('app')],
    );
    expect(JSON.stringify(fields.toFieldsV1())).toBe(
      '{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\\"name\\":\\"web\\"}":{".":{},"f:image":{},"f:name":{}}},"f:replicas":{}}}',
    );
    expect(FieldSet.fromFieldsV1(fields.toFieldsV1()).equals(fields)).toBe(true);
  });

  it('orders steps as upstream: fields, keys, values, indexes; numbers before strings', () => {
    const fields = set([indexElement(0)], [v('b')], [v(1)], [k({ a: 1 })], [f('z')], [f('a')]);
    expect(Object.keys(fields.toFieldsV1())).toEqual(['f:a', 'f:z', 'k:{"a":1}', 'v:1', 'v:"b"', 'i:0']);
  });

  it('reads "." and empty objects as members', () => {
    const fields = FieldSet.fromFieldsV1({ 'f:a': { '.': {}, 'f:b': {} }, 'f:c': {} });
    expect([...fields.paths()].map(formatPath)).toEqual(['.a', '.c', '.a.b']);
  });

  it.each([
    {
      name: 'union',
      result: (a: FieldSet, b: FieldSet) => a.union(b),
      expected: ['.x', '.spec.a', '.spec.b', '.spec.c'],
    },
    { name: 'intersection', result: (a: FieldSet, b: FieldSet) => a.intersection(b), expected: ['.spec.b'] },
    {
      name: 'difference',
      result: (a: FieldSet, b: FieldSet) => a.difference(b),
      expected: ['.x', '.spec.a'],
    },
  ])('$name works level by level', ({ result, expected }) => {
    const a = set([f('x')], [f('spec'), f('a')], [f('spec'), f('b')]);
    const b = set([f('spec'), f('b')], [f('spec'), f('c')]);
    expect([...result(a, b).paths()].map(formatPath)).toEqual(expected);
  });

  it('difference keeps what is below a removed member; recursiveDifference takes it too', () => {
    const owned = set([f('status')], [f('status'), f('phase')], [f('spec'), f('replicas')]);
    const reset = set([f('status')]);
    expect([...owned.difference(reset).paths()].map(formatPath)).toEqual(['.spec.replicas', '.status.phase']);
    expect([...owned.recursiveDifference(reset).paths()].map(formatPath)).toEqual(['.spec.replicas']);
  });

  it('answers has and withPrefix', () => {
    const fields = set([...containers, web, f('image')]);
    expect(fields.has([...containers, web, f('image')])).toBe(true);
    expect(fields.has([...containers, web])).toBe(false);
    expect([...fields.withPrefix(f('spec')).paths()].map(formatPath)).toEqual([
      '.containers[name="web"].image',
    ]);
    expect(fields.withPrefix(f('status')).isEmpty).toBe(true);
  });

  it('refuses malformed FieldsV1', () => {
    expect(() => FieldSet.fromFieldsV1([])).toThrow('FieldsV1 must be a JSON object');
    expect(() => FieldSet.fromFieldsV1({ 'f:a': 1 })).toThrow('must be an object');
    expect(() => FieldSet.fromFieldsV1({ nonsense: {} })).toThrow('invalid path element');
  });
});
