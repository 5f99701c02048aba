import { expect, describe as group, test } from 'vitest';
import { PodInfo } from '../framework/pod-info.js';
import { node, pod } from '../testing/fixtures.js';
import { SchedulerCache } from './cache.js';
import { NodeTree } from './node-tree.js';

const ZONE = 'topology.kubernetes.io/zone';

group('the scheduler cache', () => {
  test('an assumed pod counts on its node before the API confirms it', () => {
    const cache = new SchedulerCache();
    cache.addNode(node('n1'));
    cache.assumePod(new PodInfo(pod('p', { cpu: '1' })).withNodeName('n1'));
    expect(cache.get('n1')?.requested.milliCPU).toBe(1000);
    expect(cache.isAssumed('default/p')).toBe(true);
  });

  test('the informer’s bound pod confirms the assumption without counting it twice', () => {
    const cache = new SchedulerCache();
    cache.addNode(node('n1'));
    cache.assumePod(new PodInfo(pod('p', { cpu: '1' })).withNodeName('n1'));
    cache.addPod(new PodInfo(pod('p', { cpu: '1', node: 'n1' })));
    expect(cache.get('n1')?.requested.milliCPU).toBe(1000);
    expect(cache.get('n1')?.pods.length).toBe(1);
    expect(cache.isAssumed('default/p')).toBe(false);
  });

  test('a failed bind forgets the assumed pod', () => {
    const cache = new SchedulerCache();
    cache.addNode(node('n1'));
    cache.assumePod(new PodInfo(pod('p', { cpu: '1' })).withNodeName('n1'));
    cache.forgetPod('default/p');
    expect(cache.get('n1')?.requested.milliCPU).toBe(0);
    expect(cache.hasPod('default/p')).toBe(false);
  });

  test('a pod bound elsewhere than assumed moves to where the API says', () => {
    const cache = new SchedulerCache();
    cache.addNode(node('n1'));
    cache.addNode(node('n2'));
    cache.assumePod(new PodInfo(pod('p', { cpu: '1' })).withNodeName('n1'));
    cache.addPod(new PodInfo(pod('p', { cpu: '1', node: 'n2' })));
    expect([cache.get('n1')?.requested.milliCPU, cache.get('n2')?.requested.milliCPU]).toEqual([0, 1000]);
  });

  test('pods on a node not seen yet are kept, and the node is listed once it arrives', () => {
    const cache = new SchedulerCache();
    cache.addPod(new PodInfo(pod('p', { cpu: '1', node: 'late' })));
    expect(cache.list()).toEqual([]);
    cache.addNode(node('late'));
    expect(cache.list().map((info) => [info.name, info.requested.milliCPU])).toEqual([['late', 1000]]);
  });

  test('a removed node leaves the list; its pods are still accounted until they go', () => {
    const cache = new SchedulerCache();
    cache.addNode(node('n1'));
    cache.addPod(new PodInfo(pod('p', { node: 'n1' })));
    cache.removeNode('n1');
    expect(cache.list()).toEqual([]);
    expect(cache.get('n1')).toBeUndefined();
    cache.removePod('default/p');
    expect(cache.podCount).toBe(0);
  });

  test('nodes running pods with affinity are listed apart', () => {
    const cache = new SchedulerCache();
    cache.addNode(node('n1'));
    cache.addNode(node('n2'));
    const picky = pod('picky', {
      node: 'n2',
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname' }],
        },
      },
    });
    cache.addPod(new PodInfo(picky));
    expect(cache.havePodsWithAffinity().map((info) => info.name)).toEqual(['n2']);
    expect(cache.havePodsWithRequiredAntiAffinity().map((info) => info.name)).toEqual(['n2']);
    cache.removePod('default/picky');
    expect(cache.havePodsWithAffinity()).toEqual([]);
  });
});

group('the node tree', () => {
  test('nodes are walked round-robin across zones', () => {
    const tree = new NodeTree();
    for (const [name, zone] of [
      ['a1', 'a'],
      ['a2', 'a'],
      ['a3', 'a'],
      ['b1', 'b'],
      ['n1', undefined],
      ['n2', undefined],
    ] as const) {
      tree.add(node(name, zone ? { labels: { [ZONE]: zone } } : {}));
    }
    expect(tree.list()).toEqual(['a1', 'b1', 'n1', 'a2', 'n2', 'a3']);
    tree.remove('b1');
    expect(tree.list()).toEqual(['a1', 'n1', 'a2', 'n2', 'a3']);
  });
});
