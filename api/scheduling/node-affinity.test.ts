import { describe, expect, it } from 'vitest';
import { compileNodeSelector } from './node-affinity.js';
import type { Node, NodeSelectorRequirement, NodeSelectorTerm } from './types.js';

const node: Node = {
  metadata: { name: 'node-1', labels: { zone: 'a', gpu: 'true', cores: '16', empty: '' } },
};

const expression = (key: string, operator: string, values?: string[]): NodeSelectorRequirement => ({
  key,
  operator,
  ...(values ? { values } : {}),
});
const matches = (...terms: NodeSelectorTerm[]) =>
  compileNodeSelector({ nodeSelectorTerms: terms }).matches(node);

describe('a node selector term, matchExpressions', () => {
  const cases: { name: string; requirement: NodeSelectorRequirement; expected: boolean }[] = [
    { name: 'In with the value', requirement: expression('zone', 'In', ['b', 'a']), expected: true },
    { name: 'In without the value', requirement: expression('zone', 'In', ['b']), expected: false },
    { name: 'In on an absent label', requirement: expression('rack', 'In', ['1']), expected: false },
    {
      name: 'In with an empty value matches an empty label',
      requirement: expression('empty', 'In', ['']),
      expected: true,
    },
    { name: 'NotIn without the value', requirement: expression('zone', 'NotIn', ['b']), expected: true },
    { name: 'NotIn with the value', requirement: expression('zone', 'NotIn', ['a']), expected: false },
    { name: 'NotIn on an absent label', requirement: expression('rack', 'NotIn', ['1']), expected: true },
    { name: 'Exists on a present label', requirement: expression('gpu', 'Exists'), expected: true },
    { name: 'Exists on an empty label', requirement: expression('empty', 'Exists'), expected: true },
    { name: 'Exists on an absent label', requirement: expression('rack', 'Exists'), expected: false },
    {
      name: 'DoesNotExist on an absent label',
      requirement: expression('rack', 'DoesNotExist'),
      expected: true,
    },
    {
      name: 'DoesNotExist on a present label',
      requirement: expression('gpu', 'DoesNotExist'),
      expected: false,
    },
    { name: 'Gt below the value', requirement: expression('cores', 'Gt', ['8']), expected: true },
    { name: 'Gt at the value', requirement: expression('cores', 'Gt', ['16']), expected: false },
    { name: 'Lt above the value', requirement: expression('cores', 'Lt', ['32']), expected: true },
    { name: 'Lt at the value', requirement: expression('cores', 'Lt', ['16']), expected: false },
    {
      name: 'Gt on a label that is no integer',
      requirement: expression('zone', 'Gt', ['1']),
      expected: false,
    },
    { name: 'Gt on an absent label', requirement: expression('rack', 'Gt', ['1']), expected: false },
    { name: 'Lt with a negative bound', requirement: expression('cores', 'Lt', ['-1']), expected: false },
  ];
  it.each(cases)('$name', ({ requirement, expected }) => {
    expect(matches({ matchExpressions: [requirement] })).toBe(expected);
  });

  it('ANDs the expressions of a term', () => {
    expect(
      matches({ matchExpressions: [expression('zone', 'In', ['a']), expression('gpu', 'Exists')] }),
    ).toBe(true);
    expect(
      matches({ matchExpressions: [expression('zone', 'In', ['a']), expression('rack', 'Exists')] }),
    ).toBe(false);
  });
});

describe('a node selector term, matchFields', () => {
  const cases: { name: string; requirement: NodeSelectorRequirement; expected: boolean }[] = [
    {
      name: 'In with the node name',
      requirement: expression('metadata.name', 'In', ['node-1']),
      expected: true,
    },
    {
      name: 'In with another name',
      requirement: expression('metadata.name', 'In', ['node-2']),
      expected: false,
    },
    {
      name: 'NotIn with another name',
      requirement: expression('metadata.name', 'NotIn', ['node-2']),
      expected: true,
    },
    {
      name: 'NotIn with the node name',
      requirement: expression('metadata.name', 'NotIn', ['node-1']),
      expected: false,
    },
    {
      name: 'In on an unknown field',
      requirement: expression('spec.podCIDR', 'In', ['node-1']),
      expected: false,
    },
    {
      name: 'two values are malformed',
      requirement: expression('metadata.name', 'In', ['node-1', 'node-2']),
      expected: false,
    },
    {
      name: 'Exists is not a field operator',
      requirement: expression('metadata.name', 'Exists'),
      expected: false,
    },
  ];
  it.each(cases)('$name', ({ requirement, expected }) => {
    expect(matches({ matchFields: [requirement] })).toBe(expected);
  });

  it('ANDs fields with the expressions of the same term', () => {
    const name = expression('metadata.name', 'In', ['node-1']);
    expect(matches({ matchExpressions: [expression('zone', 'In', ['a'])], matchFields: [name] })).toBe(true);
    expect(matches({ matchExpressions: [expression('zone', 'In', ['b'])], matchFields: [name] })).toBe(false);
  });
});

describe('a node selector', () => {
  it('ORs its terms', () => {
    expect(
      matches(
        { matchExpressions: [expression('zone', 'In', ['b'])] },
        { matchExpressions: [expression('gpu', 'Exists')] },
      ),
    ).toBe(true);
    expect(
      matches(
        { matchExpressions: [expression('zone', 'In', ['b'])] },
        { matchExpressions: [expression('rack', 'Exists')] },
      ),
    ).toBe(false);
  });

  it('selects nothing without terms, and an empty term selects nothing', () => {
    expect(compileNodeSelector({ nodeSelectorTerms: [] }).matches(node)).toBe(false);
    expect(compileNodeSelector({}).matches(node)).toBe(false);
    expect(matches({})).toBe(false);
    expect(matches({ matchExpressions: [], matchFields: [] })).toBe(false);
  });

  const malformed: { name: string; requirement: NodeSelectorRequirement; error: string }[] = [
    {
      name: 'an unknown operator',
      requirement: expression('zone', 'Like', ['a']),
      error: 'operator: Unsupported value: "Like"',
    },
    {
      name: 'In without values',
      requirement: expression('zone', 'In', []),
      error: "values set can't be empty",
    },
    {
      name: 'Exists with values',
      requirement: expression('zone', 'Exists', ['a']),
      error: 'values set must be empty',
    },
    {
      name: 'Gt with two values',
      requirement: expression('cores', 'Gt', ['1', '2']),
      error: 'exactly one value is required',
    },
    {
      name: 'Gt with no integer',
      requirement: expression('cores', 'Gt', ['many']),
      error: 'the value must be an integer',
    },
    {
      name: 'an invalid key',
      requirement: expression('-zone', 'Exists'),
      error: 'matchExpressions[0].key: Invalid value',
    },
    {
      name: 'an invalid value',
      requirement: expression('zone', 'In', ['a b']),
      error: 'values[0]: Invalid value',
    },
  ];
  it.each(malformed)(
    'a term with $name matches nothing, while the other terms still count',
    ({ requirement, error }) => {
      const selector = compileNodeSelector({
        nodeSelectorTerms: [
          { matchExpressions: [requirement, expression('zone', 'In', ['a'])] },
          { matchExpressions: [expression('gpu', 'Exists')] },
        ],
      });
      expect(selector.errors.join('\n')).toContain(error);
      expect(selector.errors[0]).toMatch(/^nodeSelectorTerms\[0\]\.matchExpressions\[0\]/);
      expect(selector.matches(node)).toBe(true);
      expect(
        compileNodeSelector({ nodeSelectorTerms: [{ matchExpressions: [requirement] }] }).matches(node),
      ).toBe(false);
    },
  );
});
