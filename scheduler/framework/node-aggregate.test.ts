import { expect, test } from 'vitest';
import { SchedulerCache } from '../cache/cache.js';
import { node, pod } from '../testing/fixtures.js';
import { NodeAggregate } from './node-aggregate.js';
import { PodInfo } from './pod-info.js';

/** Pods per node, summed: the aggregate recomputes only the nodes that changed. */
function podCounter() {
  const computed: string[] = [];
  let total = 0;
  const aggregate = new NodeAggregate<number>({
    compute: (info) => {
      computed.push(info.name);
      return info.pods.length;
    },
    add: (count) => {
      total += count;
    },
    remove: (count) => {
      total -= count;
    },
    reset: () => {
      total = 0;
    },
  });
  return { aggregate, computed, total: () => total };
}

test('only nodes whose generation moved are recomputed', () => {
  const cache = new SchedulerCache();
  for (const name of ['n1', 'n2', 'n3']) cache.addNode(node(name));
  const { aggregate, computed, total } = podCounter();
  aggregate.sync(cache.list());
  expect([total(), computed.splice(0)]).toEqual([0, ['n1', 'n2', 'n3']]);
  cache.addPod(new PodInfo(pod('a', { node: 'n2' })));
  cache.addPod(new PodInfo(pod('b', { node: 'n2' })));
  aggregate.sync(cache.list());
  expect([total(), computed.splice(0)]).toEqual([2, ['n2']]);
  cache.removePod('default/a');
  aggregate.sync(cache.list());
  expect([total(), computed.splice(0)]).toEqual([1, ['n2']]);
  aggregate.sync(cache.list());
  expect(computed).toEqual([]);
});

test('a node added or removed rebuilds the sum', () => {
  const cache = new SchedulerCache();
  cache.addNode(node('n1'));
  cache.addPod(new PodInfo(pod('a', { node: 'n1' })));
  const { aggregate, computed, total } = podCounter();
  aggregate.sync(cache.list());
  cache.addNode(node('n2'));
  cache.addPod(new PodInfo(pod('b', { node: 'n2' })));
  aggregate.sync(cache.list());
  expect([total(), computed.splice(0)]).toEqual([2, ['n1', 'n1', 'n2']]);
  cache.removeNode('n1');
  aggregate.sync(cache.list());
  expect(total()).toBe(1);
});
