import { describe, expect, it } from 'vitest';
import type { KubeObject, OwnerReference } from '../../api/resource.js';
import { definitionForKind } from '../../client/refs.js';
import { LruSet } from './lru-set.js';
import { diffReferences, OwnershipGraph } from './ownership-graph.js';

const configMaps = definitionForKind('ConfigMap');
const clusterRoles = definitionForKind('ClusterRole');
const hpas = definitionForKind({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' });

function object(
  name: string,
  uid: string,
  options: { namespace?: string; owners?: OwnerReference[] } = {},
): KubeObject {
  return {
    metadata: {
      name,
      uid,
      ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
      ...(options.owners ? { ownerReferences: options.owners } : {}),
    },
  };
}

function configMapRef(name: string, uid: string, extra: Partial<OwnerReference> = {}): OwnerReference {
  return { apiVersion: 'v1', kind: 'ConfigMap', name, uid, ...extra };
}

describe('the ownership graph', () => {
  it('indexes dependents by owner uid, and keeps them after the owner is removed', () => {
    const graph = new OwnershipGraph();
    graph.observe(configMaps, object('a', 'A', { namespace: 'default' }));
    graph.observe(configMaps, object('b', 'B', { namespace: 'default', owners: [configMapRef('a', 'A')] }));
    expect(graph.dependentsOf('A').map((node) => node.name)).toEqual(['b']);

    expect(graph.remove('A')?.name).toBe('a');
    expect(graph.get('A')).toBeUndefined();
    // b still names A: it is what the collector must look at now.
    expect(graph.dependentsOf('A').map((node) => node.name)).toEqual(['b']);

    graph.observe(configMaps, object('b', 'B', { namespace: 'default' }));
    expect(graph.dependentsOf('A')).toEqual([]);
  });

  it('reports which references an update added, removed and changed', () => {
    const graph = new OwnershipGraph();
    graph.observe(
      configMaps,
      object('d', 'D', {
        namespace: 'default',
        owners: [configMapRef('a', 'A'), configMapRef('b', 'B', { blockOwnerDeletion: true })],
      }),
    );
    const observation = graph.observe(
      configMaps,
      object('d', 'D', { namespace: 'default', owners: [configMapRef('b', 'B'), configMapRef('c', 'C')] }),
    );
    expect(observation?.previous?.owners.map((reference) => reference.uid)).toEqual(['A', 'B']);
    expect(observation?.added).toEqual([configMapRef('c', 'C')]);
    expect(observation?.removed).toEqual([configMapRef('a', 'A')]);
    expect(observation?.changed).toEqual([
      { before: configMapRef('b', 'B', { blockOwnerDeletion: true }), after: configMapRef('b', 'B') },
    ]);
    expect(graph.dependentsOf('A')).toEqual([]);
    expect(graph.dependentsOf('C').map((node) => node.uid)).toEqual(['D']);
  });

  it('ignores an object without a uid', () => {
    const graph = new OwnershipGraph();
    expect(graph.observe(configMaps, { metadata: { name: 'x', namespace: 'default' } })).toBeUndefined();
    expect(graph.size).toBe(0);
  });

  describe('resolves a reference from the cache only at the exact coordinates', () => {
    const graph = new OwnershipGraph();
    graph.observe(configMaps, object('a', 'A', { namespace: 'one' }));
    graph.observe(clusterRoles, object('admin', 'R'));
    graph.observe(hpas, object('web', 'H', { namespace: 'one' }));
    const inOne = { namespace: 'one' };
    const rbac = 'rbac.authorization.k8s.io/v1';

    it.each([
      ['the same uid, kind, name and namespace', configMapRef('a', 'A'), inOne, 'A'],
      ['another name', configMapRef('b', 'A'), inOne, undefined],
      ['another kind', { ...configMapRef('a', 'A'), kind: 'Secret' }, inOne, undefined],
      ['an unserved kind', { ...configMapRef('a', 'A'), kind: 'Widget' }, inOne, undefined],
      ['a namespaced owner from another namespace', configMapRef('a', 'A'), { namespace: 'two' }, undefined],
      [
        'a namespaced owner from a cluster-scoped dependent',
        configMapRef('a', 'A'),
        { namespace: undefined },
        undefined,
      ],
      ['an uncached uid', configMapRef('a', 'Z'), inOne, undefined],
      [
        'a cluster-scoped owner from any namespace',
        { apiVersion: rbac, kind: 'ClusterRole', name: 'admin', uid: 'R' },
        { namespace: 'two' },
        'R',
      ],
      [
        'another served version of the same resource',
        { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', name: 'web', uid: 'H' },
        inOne,
        'H',
      ],
    ] as const)('%s', (_, reference, dependent, expected) => {
      expect(graph.resolve(reference, dependent)?.uid).toBe(expected);
    });
  });

  it('counts as blocking only references with blockOwnerDeletion that can resolve', () => {
    const graph = new OwnershipGraph();
    const owner = graph.observe(configMaps, object('a', 'A', { namespace: 'default' }))!.node;
    const block = { blockOwnerDeletion: true };
    graph.observe(
      configMaps,
      object('b', 'B', { namespace: 'default', owners: [configMapRef('a', 'A', block)] }),
    );
    graph.observe(configMaps, object('c', 'C', { namespace: 'default', owners: [configMapRef('a', 'A')] }));
    graph.observe(clusterRoles, object('r', 'R', { owners: [configMapRef('a', 'A', block)] }));
    graph.observe(
      configMaps,
      object('d', 'D', {
        namespace: 'default',
        owners: [configMapRef('x', 'X', block), configMapRef('a', 'A')],
      }),
    );
    expect(graph.dependentsOf('A').map((node) => node.name)).toEqual(['b', 'c', 'd', 'r']);
    expect(graph.blockingDependents(owner).map((node) => node.name)).toEqual(['b']);
  });
});

describe('diffReferences', () => {
  it('compares by owner uid', () => {
    expect(diffReferences([configMapRef('a', 'A')], [configMapRef('a', 'A')])).toEqual({
      added: [],
      removed: [],
      changed: [],
    });
  });
});

describe('the LRU set', () => {
  it('forgets the least recently used member first', () => {
    const set = new LruSet(2);
    set.add('a');
    set.add('b');
    expect(set.has('a')).toBe(true);
    set.add('c');
    expect([set.has('a'), set.has('b'), set.has('c'), set.size]).toEqual([true, false, true, 2]);
  });

  it('refuses a capacity below one', () => {
    expect(() => new LruSet(0)).toThrow(RangeError);
  });
});
