import { expect, describe as group, test } from 'vitest';
import { PodInfo } from '../../framework/pod-info.js';
import { node, pod, runFilter, runScore, testHandle } from '../../testing/fixtures.js';
import type { Affinity, PodAffinityTerm } from '../../types.js';
import { interPodAffinity } from './inter-pod-affinity.js';

const ZONE = 'topology.kubernetes.io/zone';
const HOST = 'kubernetes.io/hostname';
const term = (app: string, topologyKey: string, namespaces?: string[]): PodAffinityTerm => ({
  labelSelector: { matchLabels: { app } },
  topologyKey,
  ...(namespaces ? { namespaces } : {}),
});
const affinity = (...terms: PodAffinityTerm[]): Affinity => ({
  podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms },
});
const antiAffinity = (...terms: PodAffinityTerm[]): Affinity => ({
  podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms },
});

/** n1, n2 in zone a; n3 in zone b; bare has no zone label. */
const nodes = () => [
  node('n1', { labels: { [ZONE]: 'a' } }),
  node('n2', { labels: { [ZONE]: 'a' } }),
  node('n3', { labels: { [ZONE]: 'b' } }),
  node('bare'),
];

group('InterPodAffinity filter', () => {
  const db = pod('db', { node: 'n1', labels: { app: 'db' } });
  const web = pod('web-1', { node: 'n1', labels: { app: 'web' } });
  const guard = pod('guard', {
    node: 'n1',
    labels: { app: 'guard' },
    affinity: antiAffinity(term('web', ZONE)),
  });
  test.each([
    {
      name: 'a pod with no affinity, and none running, skips the plugin',
      existing: [db],
      incoming: pod('p'),
      at: 'n3',
      want: 'skip',
    },
    {
      name: 'affinity: a node in the zone of a matching pod',
      existing: [db],
      incoming: pod('p', { affinity: affinity(term('db', ZONE)) }),
      at: 'n2',
      want: 'ok',
    },
    {
      name: 'affinity: a node in another zone',
      existing: [db],
      incoming: pod('p', { affinity: affinity(term('db', ZONE)) }),
      at: 'n3',
      want: "UnschedulableAndUnresolvable: node(s) didn't match pod affinity rules",
    },
    {
      name: 'affinity: a node without the topology label',
      existing: [db],
      incoming: pod('p', { affinity: affinity(term('db', ZONE)) }),
      at: 'bare',
      want: "UnschedulableAndUnresolvable: node(s) didn't match pod affinity rules",
    },
    {
      name: 'affinity: the first pod of a group that selects itself may start it',
      existing: [db],
      incoming: pod('p', { labels: { app: 'cache' }, affinity: affinity(term('cache', ZONE)) }),
      at: 'n3',
      want: 'ok',
    },
    {
      name: 'affinity: pods in other namespaces do not count',
      existing: [db],
      incoming: pod('p', { affinity: affinity(term('db', ZONE, ['other'])) }),
      at: 'n2',
      want: "UnschedulableAndUnresolvable: node(s) didn't match pod affinity rules",
    },
    {
      name: 'anti-affinity: the host of a matching pod',
      existing: [web],
      incoming: pod('p', { labels: { app: 'web' }, affinity: antiAffinity(term('web', HOST)) }),
      at: 'n1',
      want: "Unschedulable: node(s) didn't match pod anti-affinity rules",
    },
    {
      name: 'anti-affinity: another host',
      existing: [web],
      incoming: pod('p', { labels: { app: 'web' }, affinity: antiAffinity(term('web', HOST)) }),
      at: 'n2',
      want: 'ok',
    },
    {
      name: 'a running pod’s anti-affinity keeps the pod out of its zone',
      existing: [guard],
      incoming: pod('p', { labels: { app: 'web' } }),
      at: 'n2',
      want: "Unschedulable: node(s) didn't satisfy existing pods anti-affinity rules",
    },
    {
      name: 'a running pod’s anti-affinity allows other zones',
      existing: [guard],
      incoming: pod('p', { labels: { app: 'web' } }),
      at: 'n3',
      want: 'ok',
    },
    {
      name: 'a running pod’s anti-affinity ignores pods it does not select',
      existing: [guard],
      incoming: pod('p', { labels: { app: 'api' } }),
      at: 'n2',
      want: 'skip',
    },
  ])('$name', ({ existing, incoming, at, want }) => {
    const { cache, handle } = testHandle({ nodes: nodes(), pods: existing });
    expect(runFilter(interPodAffinity(undefined, handle), cache, incoming, at)).toBe(want);
  });
});

group('InterPodAffinity score', () => {
  const all = ['n1', 'n2', 'n3'];
  test('preferred affinity favours the domains holding matching pods', () => {
    const { cache, handle } = testHandle({
      nodes: nodes(),
      pods: [pod('db', { node: 'n1', labels: { app: 'db' } })],
    });
    const incoming = pod('p', {
      affinity: {
        podAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 50, podAffinityTerm: term('db', ZONE) },
          ],
        },
      },
    });
    expect(runScore(interPodAffinity(undefined, handle), cache, incoming, all)).toEqual([100, 100, 0]);
  });

  test('preferred anti-affinity favours the others', () => {
    const { cache, handle } = testHandle({
      nodes: nodes(),
      pods: [pod('db', { node: 'n1', labels: { app: 'db' } })],
    });
    const incoming = pod('p', {
      affinity: {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 50, podAffinityTerm: term('db', ZONE) },
          ],
        },
      },
    });
    expect(runScore(interPodAffinity(undefined, handle), cache, incoming, all)).toEqual([0, 0, 100]);
  });

  test('a running pod’s preferred affinity for this pod counts', () => {
    const friendly = pod('friendly', {
      node: 'n3',
      affinity: {
        podAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 10, podAffinityTerm: term('web', ZONE) },
          ],
        },
      },
    });
    const { cache, handle } = testHandle({ nodes: nodes(), pods: [friendly] });
    expect(
      runScore(interPodAffinity(undefined, handle), cache, pod('p', { labels: { app: 'web' } }), all),
    ).toEqual([0, 0, 100]);
  });

  test('a running pod’s required affinity for this pod counts at hardPodAffinityWeight', () => {
    const clingy = pod('clingy', { node: 'n1', affinity: affinity(term('web', HOST)) });
    const { cache, handle } = testHandle({ nodes: nodes(), pods: [clingy] });
    expect(
      runScore(interPodAffinity(undefined, handle), cache, pod('p', { labels: { app: 'web' } }), all),
    ).toEqual([100, 0, 0]);
    expect(
      runScore(
        interPodAffinity({ hardPodAffinityWeight: 0 }, handle),
        cache,
        pod('p', { labels: { app: 'web' } }),
        all,
      ),
    ).toBe('skip');
  });

  test('no affinity anywhere skips scoring', () => {
    const { cache, handle } = testHandle({
      nodes: nodes(),
      pods: [pod('db', { node: 'n1', labels: { app: 'db' } })],
    });
    expect(runScore(interPodAffinity(undefined, handle), cache, pod('p'), all)).toBe('skip');
  });
});

group('InterPodAffinity between cycles', () => {
  test('the counts follow pods placed after an earlier cycle', () => {
    const { cache, handle } = testHandle({ nodes: nodes() });
    const plugin = interPodAffinity(undefined, handle);
    const incoming = pod('p', { labels: { app: 'web' }, affinity: antiAffinity(term('web', HOST)) });
    expect(runFilter(plugin, cache, incoming, 'n1')).toBe('ok');
    cache.addPod(new PodInfo(pod('web-1', { node: 'n1', labels: { app: 'web' } })));
    expect(runFilter(plugin, cache, incoming, 'n1')).toBe(
      "Unschedulable: node(s) didn't match pod anti-affinity rules",
    );
    expect(runFilter(plugin, cache, incoming, 'n2')).toBe('ok');
    cache.removePod('default/web-1');
    expect(runFilter(plugin, cache, incoming, 'n1')).toBe('ok');
  });
});
