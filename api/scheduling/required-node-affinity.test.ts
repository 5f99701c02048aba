import { describe, expect, it } from 'vitest';
import { requiredNodeAffinity } from './required-node-affinity.js';
import type { Node, PodPlacementSpec } from './types.js';

const node: Node = { metadata: { name: 'node-1', labels: { disk: 'ssd', zone: 'a' } } };
const named = (name: string) => ({
  requiredDuringSchedulingIgnoredDuringExecution: {
    nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [name] }] }],
  },
});

describe('requiredNodeAffinity', () => {
  const cases: { name: string; spec: PodPlacementSpec | undefined; expected: boolean }[] = [
    { name: 'no spec restricts nothing', spec: undefined, expected: true },
    { name: 'an empty nodeSelector restricts nothing', spec: { nodeSelector: {} }, expected: true },
    {
      name: 'a nodeSelector the labels satisfy',
      spec: { nodeSelector: { disk: 'ssd', zone: 'a' } },
      expected: true,
    },
    { name: 'a nodeSelector with another value', spec: { nodeSelector: { disk: 'hdd' } }, expected: false },
    { name: 'a nodeSelector on an absent label', spec: { nodeSelector: { gpu: '' } }, expected: false },
    {
      name: 'an affinity without required terms restricts nothing',
      spec: { affinity: { nodeAffinity: {} } },
      expected: true,
    },
    {
      name: 'a required affinity with no terms matches no node',
      spec: {
        affinity: {
          nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } },
        },
      },
      expected: false,
    },
    {
      name: 'a required affinity naming the node',
      spec: { affinity: { nodeAffinity: named('node-1') } },
      expected: true,
    },
    {
      name: 'a required affinity naming another node',
      spec: { affinity: { nodeAffinity: named('node-2') } },
      expected: false,
    },
    {
      name: 'the nodeSelector and the affinity must both hold',
      spec: { nodeSelector: { disk: 'hdd' }, affinity: { nodeAffinity: named('node-1') } },
      expected: false,
    },
    {
      name: 'preferred terms do not restrict',
      spec: {
        affinity: {
          nodeAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              {
                weight: 1,
                preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] },
              },
            ],
          },
        },
      },
      expected: true,
    },
  ];
  it.each(cases)('$name', ({ spec, expected }) => {
    expect(requiredNodeAffinity(spec).matches(node)).toBe(expected);
  });
});
