import { describe, expect, it } from 'vitest';
import '../../api/types/index.js';
import { FieldSet } from './field-set.js';
import { fieldElement, formatPath, keyElement } from './path-element.js';
import { objectType } from './schema.js';
import { compare, merge, removeItems, toFieldSet } from './typed.js';

const pod = objectType('io.k8s.api.core.v1.Pod');
const containers = (...names: string[]) => ({ spec: { containers: names.map((name) => ({ name })) } });
const names = (object: unknown) =>
  ((object as { spec: { containers: { name: string }[] } }).spec.containers ?? []).map((item) => item.name);

describe('merging keyed lists keeps an order both sides agree with', () => {
  it.each([
    { live: ['a', 'b'], config: ['a', 'b'], merged: ['a', 'b'] },
    { live: ['a', 'b'], config: ['b', 'a'], merged: ['b', 'a'] },
    { live: ['a', 'b', 'c'], config: ['c', 'a'], merged: ['b', 'c', 'a'] },
    { live: ['a', 'b', 'c'], config: ['b', 'd', 'a'], merged: ['b', 'c', 'd', 'a'] },
    { live: ['a'], config: ['x', 'a', 'y'], merged: ['x', 'a', 'y'] },
    { live: [], config: ['a', 'b'], merged: ['a', 'b'] },
    { live: ['a', 'b'], config: [], merged: ['a', 'b'] },
  ])('live $live + configuration $config → $merged', ({ live, config, merged }) => {
    expect(names(merge(containers(...live), containers(...config), pod))).toEqual(merged);
  });
});

describe('field sets of values', () => {
  it('lists items of keyed lists and sets, leaves, atomic values and map entries', () => {
    const fields = toFieldSet(
      {
        metadata: { labels: { app: 'web' }, finalizers: ['x'], annotations: {} },
        spec: {
          containers: [{ name: 'web', command: ['sh'], ports: [{ containerPort: 80 }] }],
          nodeSelector: { disk: 'ssd' },
        },
      },
      pod,
    );
    expect([...fields.paths()].map(formatPath)).toEqual([
      '.metadata.annotations',
      '.metadata.finalizers[="x"]',
      '.metadata.labels.app',
      '.spec.nodeSelector',
      '.spec.containers[name="web"]',
      '.spec.containers[name="web"].command',
      '.spec.containers[name="web"].name',
      '.spec.containers[name="web"].ports[containerPort=80,protocol="TCP"]',
      '.spec.containers[name="web"].ports[containerPort=80,protocol="TCP"].containerPort',
    ]);
  });

  it('compares leaves and the maps and items that come and go', () => {
    const before = {
      metadata: { labels: { a: '1', b: '2' } },
      spec: { containers: [{ name: 'web', image: 'x:1' }] },
    };
    const after = {
      metadata: { labels: { a: '1', c: '3' } },
      spec: { containers: [{ name: 'web', image: 'x:2' }, { name: 'side' }] },
    };
    const changed = compare(before, after, pod);
    expect([...changed.added.paths()].map(formatPath)).toEqual([
      '.metadata.labels.c',
      '.spec.containers[name="side"]',
      '.spec.containers[name="side"].name',
    ]);
    expect([...changed.modified.paths()].map(formatPath)).toEqual(['.spec.containers[name="web"].image']);
    expect([...changed.removed.paths()].map(formatPath)).toEqual(['.metadata.labels.b']);
  });

  it('removes fields and items, and what they leave empty', () => {
    const object = {
      metadata: { labels: { a: '1' } },
      spec: { containers: [{ name: 'web', image: 'x' }, { name: 'side' }] },
    };
    const removed = removeItems(
      object,
      FieldSet.of(
        [fieldElement('metadata'), fieldElement('labels'), fieldElement('a')],
        [fieldElement('spec'), fieldElement('containers'), keyElement([['name', 'side']])],
      ),
      pod,
    );
    expect(removed).toEqual({ spec: { containers: [{ name: 'web', image: 'x' }] } });
  });
});
