/**
 * The out-of-tree plugin shown in README.md, run as the README runs it: registered by name and enabled
 * by the profile file there. If this test changes, the README's example changes with it.
 */
import { expect, test } from 'vitest';
import {
  ActionType,
  type EnqueueExtensions,
  type FilterPlugin,
  type PluginFactory,
  parseSchedulerConfiguration,
  type ScorePlugin,
  unschedulable,
} from './index.js';
import { node, pod } from './testing/fixtures.js';
import { testScheduler } from './testing/scheduler-harness.js';

/** Keeps pods off nodes annotated as under maintenance, and prefers nodes with a cheaper price label. */
const maintenanceWindow: PluginFactory = (args) => {
  const { annotation = 'example.com/maintenance' } = (args ?? {}) as { annotation?: string };
  return {
    name: 'MaintenanceWindow',
    filter: (_state, _pod, node) =>
      node.node?.metadata?.annotations?.[annotation] === 'true'
        ? unschedulable('node(s) were under maintenance')
        : undefined,
    // Scores are 0–100; the profile's weight multiplies them.
    score: (_state, _pod, node) => 100 - Math.min(100, Number(node.labels['example.com/price'] ?? 100)),
    // A pod rejected here is retried when a node's annotations change, not before.
    eventsToRegister: () => [{ event: { resource: 'Node', action: ActionType.UpdateNodeAnnotation } }],
  } satisfies FilterPlugin & ScorePlugin & EnqueueExtensions;
};

const profile = `
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
- schedulerName: default-scheduler
  plugins:
    multiPoint:
      enabled:
      - name: MaintenanceWindow
        weight: 2
  pluginConfig:
  - name: MaintenanceWindow
    args:
      annotation: example.com/maintenance
`;

function cluster() {
  const resting = node('resting', { labels: { 'example.com/price': '5' } });
  resting.metadata!.annotations = { 'example.com/maintenance': 'true' };
  return [
    resting,
    node('cheap', { labels: { 'example.com/price': '10' } }),
    node('dear', { labels: { 'example.com/price': '90' } }),
  ];
}

test('the README’s plugin filters nodes under maintenance and prefers the cheaper ones', () => {
  const { schedule } = testScheduler({
    nodes: cluster(),
    config: parseSchedulerConfiguration(profile),
    registry: { MaintenanceWindow: maintenanceWindow },
  });
  expect(schedule(pod('p')).node).toBe('cheap');
});

test('with every node under maintenance, the plugin’s reason is in the message', () => {
  const resting = cluster()[0]!;
  const { schedule } = testScheduler({
    nodes: [resting],
    config: parseSchedulerConfiguration(profile),
    registry: { MaintenanceWindow: maintenanceWindow },
  });
  expect(schedule(pod('p')).message).toBe('0/1 nodes are available: 1 node(s) were under maintenance.');
});
