import { expect, describe as group, test } from 'vitest';
import { PodInfo } from '../../framework/pod-info.js';
import { node, pod, runFilter, runScore, testHandle } from '../../testing/fixtures.js';
import type { Pod, TopologySpreadConstraint } from '../../types.js';
import { podTopologySpread } from './pod-topology-spread.js';

const ZONE = 'topology.kubernetes.io/zone';
const zoneNodes = () =>
  ['a', 'b', 'c'].flatMap((zone) =>
    [1, 2].map((index) => node(`${zone}${index}`, { labels: { [ZONE]: zone } })),
  );
const web = (name: string, on: string): Pod => pod(name, { node: on, labels: { app: 'web' } });
const spread = (
  maxSkew: number,
  extra: Partial<TopologySpreadConstraint> = {},
): TopologySpreadConstraint => ({
  maxSkew,
  topologyKey: ZONE,
  whenUnsatisfiable: 'DoNotSchedule',
  labelSelector: { matchLabels: { app: 'web' } },
  ...extra,
});
const NOT_MATCH = "Unschedulable: node(s) didn't match pod topology spread constraints";

group('PodTopologySpread filter', () => {
  // Matching pods: zone a 2, zone b 1, zone c 0.
  const existing = [web('w1', 'a1'), web('w2', 'a2'), web('w3', 'b1')];
  test.each([
    {
      name: 'the emptiest zone fits',
      incoming: pod('p', { labels: { app: 'web' }, spread: [spread(1)] }),
      at: 'c1',
      want: 'ok',
    },
    {
      name: 'a zone one above the minimum would exceed maxSkew 1',
      incoming: pod('p', { labels: { app: 'web' }, spread: [spread(1)] }),
      at: 'b2',
      want: NOT_MATCH,
    },
    {
      name: 'maxSkew 2 allows it',
      incoming: pod('p', { labels: { app: 'web' }, spread: [spread(2)] }),
      at: 'b2',
      want: 'ok',
    },
    {
      name: 'the fullest zone',
      incoming: pod('p', { labels: { app: 'web' }, spread: [spread(2)] }),
      at: 'a1',
      want: NOT_MATCH,
    },
    {
      name: 'a pod the selector does not match adds nothing to the skew',
      incoming: pod('p', { labels: { app: 'other' }, spread: [spread(1)] }),
      at: 'b2',
      want: 'ok',
    },
    {
      name: 'honoring node affinity, zones the pod cannot use are not domains',
      incoming: pod('p', { labels: { app: 'web' }, nodeSelector: { [ZONE]: 'b' }, spread: [spread(1)] }),
      at: 'b2',
      want: 'ok',
    },
    {
      name: 'ignoring node affinity, they are',
      incoming: pod('p', {
        labels: { app: 'web' },
        nodeSelector: { [ZONE]: 'b' },
        spread: [spread(1, { nodeAffinityPolicy: 'Ignore' })],
      }),
      at: 'b2',
      want: NOT_MATCH,
    },
    {
      name: 'ScheduleAnyway constraints do not filter',
      incoming: pod('p', {
        labels: { app: 'web' },
        spread: [spread(1, { whenUnsatisfiable: 'ScheduleAnyway' })],
      }),
      at: 'a1',
      want: 'skip',
    },
    {
      name: 'no constraints, no defaults that filter',
      incoming: pod('p', { labels: { app: 'web' } }),
      at: 'a1',
      want: 'skip',
    },
  ])('$name', ({ incoming, at, want }) => {
    const { cache, handle } = testHandle({ nodes: zoneNodes(), pods: existing });
    expect(runFilter(podTopologySpread(undefined, handle), cache, incoming, at)).toBe(want);
  });

  test('a node without the topology label is missing a required label', () => {
    const { cache, handle } = testHandle({ nodes: [...zoneNodes(), node('bare')], pods: existing });
    expect(
      runFilter(
        podTopologySpread(undefined, handle),
        cache,
        pod('p', { labels: { app: 'web' }, spread: [spread(1)] }),
        'bare',
      ),
    ).toBe(
      "UnschedulableAndUnresolvable: node(s) didn't match pod topology spread constraints (missing required label)",
    );
  });

  test('with fewer domains than minDomains the minimum counts as 0', () => {
    const even = [web('w1', 'a1'), web('w2', 'b1'), web('w3', 'c1')];
    const { cache, handle } = testHandle({ nodes: zoneNodes(), pods: even });
    const plugin = podTopologySpread(undefined, handle);
    expect(runFilter(plugin, cache, pod('p', { labels: { app: 'web' }, spread: [spread(1)] }), 'a2')).toBe(
      'ok',
    );
    expect(
      runFilter(
        plugin,
        cache,
        pod('p', { labels: { app: 'web' }, spread: [spread(1, { minDomains: 4 })] }),
        'a2',
      ),
    ).toBe(NOT_MATCH);
  });

  test('counts follow pods placed and removed between cycles', () => {
    const { cache, handle } = testHandle({ nodes: zoneNodes() });
    const plugin = podTopologySpread(undefined, handle);
    const incoming = pod('p', { labels: { app: 'web' }, spread: [spread(1)] });
    expect(runFilter(plugin, cache, incoming, 'a1')).toBe('ok');
    cache.addPod(new PodInfo(web('w1', 'a1')));
    expect(runFilter(plugin, cache, incoming, 'a2')).toBe(NOT_MATCH);
    expect(runFilter(plugin, cache, incoming, 'b1')).toBe('ok');
    cache.removePod('default/w1');
    expect(runFilter(plugin, cache, incoming, 'a2')).toBe('ok');
  });
});

group('PodTopologySpread score', () => {
  test('ScheduleAnyway: fewer matching pods in the zone scores higher', () => {
    const { cache, handle } = testHandle({
      nodes: zoneNodes(),
      pods: [web('w1', 'a1'), web('w2', 'a2'), web('w3', 'b1')],
    });
    const incoming = pod('p', {
      labels: { app: 'web' },
      spread: [spread(1, { whenUnsatisfiable: 'ScheduleAnyway' })],
    });
    expect(
      runScore(podTopologySpread(undefined, handle), cache, incoming, ['a1', 'a2', 'b1', 'b2', 'c1', 'c2']),
    ).toEqual([0, 0, 33, 33, 100, 100]);
  });

  test('nodes without the topology label score 0 under the pod’s own constraints', () => {
    const { cache, handle } = testHandle({ nodes: [...zoneNodes(), node('bare')], pods: [web('w1', 'a1')] });
    const incoming = pod('p', {
      labels: { app: 'web' },
      spread: [spread(1, { whenUnsatisfiable: 'ScheduleAnyway' })],
    });
    expect(runScore(podTopologySpread(undefined, handle), cache, incoming, ['a1', 'b1', 'bare'])).toEqual([
      0, 100, 0,
    ]);
  });

  test('a pod nothing selects has no default constraints', () => {
    const { cache, handle } = testHandle({ nodes: zoneNodes() });
    expect(
      runScore(podTopologySpread(undefined, handle), cache, pod('p', { labels: { app: 'web' } }), ['a1']),
    ).toBe('skip');
  });
});
