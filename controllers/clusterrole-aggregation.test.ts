import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/resource.js';
import { InformerFactory } from '../client/informer-factory.js';
import { refFor } from '../client/refs.js';
import { FakeClock, settle } from '../client/testing/fake-clock.js';
import { MemoryClient } from '../client/testing/memory-client.js';
import { RecordingClient } from '../client/testing/recording-client.js';
import { ClusterRoleAggregationController } from './clusterrole-aggregation.js';
import type { ControllerContext } from './framework.js';

/**
 * The controller over a memory client: tests seed ClusterRoles, call `reconcile` and read the writes.
 */
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

const label = (role: string) => ({ [`rbac.authorization.k8s.io/aggregate-to-${role}`]: 'true' });

function clusterRole(
  name: string,
  rules: object[] | undefined,
  options: { labels?: Record<string, string>; aggregateFrom?: string[] } = {},
): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name, ...(options.labels ? { labels: options.labels } : {}) },
    ...(options.aggregateFrom
      ? {
          aggregationRule: {
            clusterRoleSelectors: options.aggregateFrom.map((role) => ({ matchLabels: label(role) })),
          },
        }
      : {}),
    ...(rules ? { rules } : {}),
  };
}

const readPods = { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] };
const readWidgets = { verbs: ['get'], apiGroups: ['example.com'], resources: ['widgets'] };
const writeWidgets = { verbs: ['create'], apiGroups: ['example.com'], resources: ['widgets'] };

async function setup(roles: KubeObject[]) {
  const clock = new FakeClock();
  const memory = new MemoryClient({ clock });
  for (const role of roles) await memory.create(refFor('ClusterRole'), role);
  const client = new RecordingClient(memory, clock);
  const informers = new InformerFactory({ client, clock });
  const errors: unknown[] = [];
  const context: ControllerContext = {
    client,
    informers,
    clock,
    onError: (_c, _k, error) => errors.push(error),
  };
  const controller = new ClusterRoleAggregationController(context);
  informers.start();
  await informers.waitForSync();
  stops.push(() => informers.stop());
  return {
    controller,
    memory,
    client,
    errors,
    summaries: () => client.writes.map((write) => write.summary),
    rulesOf: async (name: string) => (await memory.get(refFor('ClusterRole'), name)).rules,
  };
}

describe('the ClusterRole aggregation controller', () => {
  it('gives an aggregated role the rules of the roles its selectors match, in name order, each once', async () => {
    const { controller, summaries, client, rulesOf } = await setup([
      clusterRole('monitoring', [], { aggregateFrom: ['monitoring'] }),
      clusterRole('z-widgets', [readWidgets, readPods], { labels: label('monitoring') }),
      clusterRole('a-pods', [readPods], { labels: label('monitoring') }),
      clusterRole('unlabelled', [writeWidgets]),
    ]);

    await controller.reconcile('monitoring');

    expect(summaries()).toEqual(['update clusterroles.rbac.authorization.k8s.io/monitoring']);
    expect((client.writes[0]!.body as KubeObject).aggregationRule).toBeDefined();
    expect(await rulesOf('monitoring')).toEqual([readPods, readWidgets]);
  });

  it('writes nothing when the rules already match, or for a role that aggregates nothing or is gone', async () => {
    const { controller, summaries } = await setup([
      clusterRole('monitoring', [readPods], { aggregateFrom: ['monitoring'] }),
      clusterRole('a-pods', [readPods], { labels: label('monitoring') }),
      clusterRole('plain', [writeWidgets]),
    ]);
    for (const key of ['monitoring', 'plain', 'vanished']) await controller.reconcile(key);
    expect(summaries()).toEqual([]);
  });

  it('treats an absent rule list and an empty one alike', async () => {
    const { controller, summaries } = await setup([
      clusterRole('empty', undefined, { aggregateFrom: ['nothing'] }),
    ]);
    await controller.reconcile('empty');
    expect(summaries()).toEqual([]);
  });

  it('drops the rules of a role that lost its label', async () => {
    const { controller, memory, rulesOf } = await setup([
      clusterRole('monitoring', [readPods, readWidgets], { aggregateFrom: ['monitoring'] }),
      clusterRole('a-pods', [readPods], { labels: label('monitoring') }),
      clusterRole('widgets', [readWidgets]),
    ]);
    await controller.reconcile('monitoring');
    expect(await rulesOf('monitoring')).toEqual([readPods]);
    expect(await memory.get(refFor('ClusterRole'), 'widgets')).toMatchObject({ rules: [readWidgets] });
  });

  it('settles a chain of aggregated roles over successive reconciles (view into edit into admin)', async () => {
    const { controller, rulesOf } = await setup([
      clusterRole('admin', [], { aggregateFrom: ['admin'] }),
      clusterRole('edit', [], { aggregateFrom: ['edit'], labels: label('admin') }),
      clusterRole('view', [], { aggregateFrom: ['view'], labels: label('edit') }),
      clusterRole('to-view', [readPods], { labels: label('view') }),
      clusterRole('to-edit', [writeWidgets], { labels: label('edit') }),
    ]);
    await controller.reconcile('view');
    await controller.reconcile('edit');
    await controller.reconcile('admin');
    expect(await rulesOf('admin')).toEqual([writeWidgets, readPods]);
  });

  it('enqueues every aggregated role when any ClusterRole changes', async () => {
    const { controller, memory } = await setup([
      clusterRole('admin', [], { aggregateFrom: ['admin'] }),
      clusterRole('view', [], { aggregateFrom: ['view'] }),
      clusterRole('plain', [readPods]),
    ]);
    const drain = async () => {
      const keys: string[] = [];
      while (controller.queue.length > 0) {
        const key = (await controller.queue.get())!;
        keys.push(key);
        controller.queue.done(key);
      }
      return keys.sort();
    };
    // The informer's initial list already woke both.
    expect(await drain()).toEqual(['admin', 'view']);
    await memory.create(refFor('ClusterRole'), clusterRole('new', [readPods], { labels: label('view') }));
    await settle();
    expect(await drain()).toEqual(['admin', 'view']);
  });

  it('drops a role whose selector is malformed rather than retrying it', async () => {
    const { controller } = await setup([
      {
        ...clusterRole('broken', []),
        aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: 'a', operator: 'Near' }] }] },
      },
    ]);
    await expect(controller.reconcile('broken')).rejects.toMatchObject({ name: 'TerminalError' });
  });
});
