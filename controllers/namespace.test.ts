import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject, ResourceDefinition } from '../api/resource.js';
import { configMaps } from '../api/resources/core.js';
import { resources } from '../api/resources/index.js';
import { conflict, internalError, isStatusError } from '../api/status.js';
import { createInProcessClient } from '../apiserver/in-process-client.js';
import { createApiServer } from '../apiserver/server.js';
import { InformerFactory } from '../client/informer-factory.js';
import { refFor } from '../client/refs.js';
import { FakeClock, settle } from '../client/testing/fake-clock.js';
import { MemoryClient } from '../client/testing/memory-client.js';
import { RecordingClient, type Write } from '../client/testing/recording-client.js';
import { openMemoryStore } from '../store/memory.js';
import type { ControllerContext } from './framework.js';
import { startControllerManager } from './manager.js';
import {
  makeNamespaceController,
  type NamespaceCondition,
  NamespaceController,
  type NamespaceControllerOptions,
  namespaceController,
  namespacedContentResources,
} from './namespace.js';

interface Fixture {
  readonly clock: FakeClock;
  readonly memory: MemoryClient;
  readonly client: RecordingClient;
  readonly informers: InformerFactory;
  readonly controller: NamespaceController;
  readonly errors: unknown[];
  readonly summaries: () => string[];
  readonly namespace: (name: string) => Promise<Namespace>;
}

interface Namespace extends KubeObject {
  spec?: { finalizers?: string[] };
  status?: { phase?: string; conditions?: NamespaceCondition[] };
}

const started = Date.UTC(2025, 0, 1);
const startedAt = '2025-01-01T00:00:00Z';
const fixtures: Fixture[] = [];
afterEach(async () => {
  for (const fixture of fixtures.splice(0)) await fixture.informers.stop();
});

/** Seeds a memory client, syncs the controller's informers on it, and starts recording writes. */
async function setup(
  seed: (memory: MemoryClient) => Promise<void>,
  options: NamespaceControllerOptions = {},
): Promise<Fixture> {
  const clock = new FakeClock(started);
  const memory = new MemoryClient({ clock });
  await seed(memory);
  const client = new RecordingClient(memory, clock);
  const informers = new InformerFactory({ client, clock });
  const errors: unknown[] = [];
  const context: ControllerContext = {
    client,
    informers,
    clock,
    onError: (_controller, _key, error) => errors.push(error),
  };
  const controller = new NamespaceController(context, options);
  informers.start();
  await informers.waitForSync();
  const fixture: Fixture = {
    clock,
    memory,
    client,
    informers,
    controller,
    errors,
    summaries: () => client.writes.map((write) => write.summary),
    namespace: (name) => memory.get<Namespace>(refFor('Namespace'), name),
  };
  fixtures.push(fixture);
  return fixture;
}

/** A namespace the API has begun deleting. */
function terminating(name: string, finalizers: string[] = ['kubernetes'], phase = 'Terminating'): Namespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, deletionTimestamp: startedAt },
    spec: { finalizers },
    status: { phase },
  };
}

const ok = (type: string, reason: string, message: string, time = startedAt): NamespaceCondition => ({
  type,
  status: 'False',
  lastTransitionTime: time,
  reason,
  message,
});

/** The conditions of a namespace whose deletion has no trouble left, as upstream words them. */
function settledConditions(time = startedAt): NamespaceCondition[] {
  return [
    ok(
      'NamespaceDeletionDiscoveryFailure',
      'ResourcesDiscovered',
      'All resources successfully discovered',
      time,
    ),
    ok(
      'NamespaceDeletionGroupVersionParsingFailure',
      'ParsedGroupVersions',
      'All legacy kube types successfully parsed',
      time,
    ),
    ok(
      'NamespaceDeletionContentFailure',
      'ContentDeleted',
      'All content successfully deleted, may be waiting on finalization',
      time,
    ),
    ok('NamespaceContentRemaining', 'ContentRemoved', 'All content successfully removed', time),
    ok(
      'NamespaceFinalizersRemaining',
      'ContentHasNoFinalizers',
      'All content-preserving finalizers finished',
      time,
    ),
  ];
}

const pod = (name: string, namespace: string, spec: object = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace },
  spec: { containers: [{ name: 'app', image: 'busybox' }], terminationGracePeriodSeconds: 30, ...spec },
  status: { phase: 'Running' },
});

const configMap = (name: string, namespace: string, finalizers?: string[]): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace, ...(finalizers ? { finalizers } : {}) },
});

function bodyOf(write: Write | undefined): Namespace {
  return write?.body as Namespace;
}

describe('the resources a namespace is emptied of', () => {
  const chosen = namespacedContentResources().map((resource) => `${resource.plural}.${resource.group}`);

  it('are the namespaced, deletable resources, pods first, once per stored resource', () => {
    expect(chosen[0]).toBe('pods.');
    expect(chosen).toEqual(
      expect.arrayContaining(['configmaps.', 'secrets.', 'deployments.apps', 'events.']),
    );
    expect(new Set(chosen).size).toBe(chosen.length);
    // Cluster-scoped kinds are not namespace content.
    expect(chosen).not.toContain('namespaces.');
    expect(chosen).not.toContain('nodes.');
  });

  it('skip a resource kept in another resource’s storage', () => {
    expect(chosen).not.toContain('events.events.k8s.io');
    const hpas = namespacedContentResources().filter(
      (resource) => resource.plural === 'horizontalpodautoscalers',
    );
    expect(hpas.map((resource) => resource.version)).toEqual(['v2']);
  });
});

describe('the namespace controller', () => {
  it('empties a terminating namespace, pods first, records settled conditions, then finalizes it', async () => {
    const { controller, memory, client, summaries, errors } = await setup(async (memory) => {
      await memory.create(refFor('Namespace'), terminating('doomed'));
      await memory.create(refFor('Namespace'), { metadata: { name: 'other' }, status: { phase: 'Active' } });
      await memory.create(refFor('ConfigMap', 'doomed'), configMap('settings', 'doomed'));
      await memory.create(refFor('Secret', 'doomed'), { metadata: { name: 'token' } });
      await memory.create(refFor('Pod', 'doomed'), pod('web', 'doomed'));
      await memory.create(refFor('ConfigMap', 'other'), configMap('settings', 'other'));
    });

    expect(await controller.reconcile('doomed')).toBeUndefined();

    expect(summaries()).toEqual([
      'deletecollection pods -n doomed',
      'deletecollection configmaps -n doomed',
      'deletecollection secrets -n doomed',
      'update namespaces/doomed/status',
      'update namespaces/doomed/finalize',
    ]);
    expect(client.writes[0]!.body).toEqual({ propagationPolicy: 'Background' });
    expect(bodyOf(client.writes[3]).status).toEqual({
      phase: 'Terminating',
      conditions: settledConditions(),
    });
    expect(bodyOf(client.writes[4]).spec).toEqual({ finalizers: [] });
    expect((await memory.list(refFor('ConfigMap'))).items.map((item) => item.metadata?.namespace)).toEqual([
      'other',
    ]);
    expect(errors).toEqual([]);
  });

  it('sets phase Terminating first when the namespace is marked for deletion but still Active', async () => {
    const { controller, client, summaries } = await setup(async (memory) => {
      await memory.create(refFor('Namespace'), terminating('doomed', ['kubernetes'], 'Active'));
    });

    await controller.reconcile('doomed');

    expect(summaries()).toEqual([
      'update namespaces/doomed/status',
      'update namespaces/doomed/status',
      'update namespaces/doomed/finalize',
    ]);
    expect(bodyOf(client.writes[0]).status).toEqual({ phase: 'Terminating' });
  });

  it('leaves alone a namespace that is not being deleted, or that is gone', async () => {
    const { controller, summaries } = await setup(async (memory) => {
      await memory.create(refFor('Namespace'), { metadata: { name: 'shop' }, status: { phase: 'Active' } });
      await memory.create(refFor('ConfigMap', 'shop'), configMap('settings', 'shop'));
    });

    expect(await controller.reconcile('shop')).toBeUndefined();
    expect(await controller.reconcile('vanished')).toBeUndefined();

    expect(summaries()).toEqual([]);
  });

  it('deletes nothing else while pods wait out their grace period, and names them in its conditions', async () => {
    const { controller, memory, client, clock, summaries } = await setup(async (memory) => {
      await memory.create(refFor('Namespace'), terminating('doomed'));
      await memory.create(refFor('Pod', 'doomed'), pod('web', 'doomed', { nodeName: 'node-1' }));
      await memory.create(refFor('ConfigMap', 'doomed'), configMap('settings', 'doomed'));
    });

    // Upstream would wait 30/2 + 1 = 16 s; the wait is capped at 5 s.
    expect(await controller.reconcile('doomed')).toEqual({ requeueAfterMs: 5000 });
    expect(summaries()).toEqual(['deletecollection pods -n doomed', 'update namespaces/doomed/status']);
    const remaining = {
      type: 'NamespaceContentRemaining',
      status: 'True',
      lastTransitionTime: startedAt,
      reason: 'SomeResourcesRemain',
      message: 'Some resources are remaining: pods. has 1 resource instances',
    };
    expect(bodyOf(client.writes[1]).status?.conditions).toEqual(
      settledConditions().map((condition) => (condition.type === remaining.type ? remaining : condition)),
    );
    expect((await memory.list(refFor('ConfigMap', 'doomed'))).items).toHaveLength(1);

    // Looked at again with the pod still terminating: nothing to delete, nothing new to say.
    await clock.advance(5000);
    expect(await controller.reconcile('doomed')).toEqual({ requeueAfterMs: 5000 });
    expect(summaries()).toHaveLength(2);

    // The node confirms; the rest goes, and the remaining-content condition settles at the new time.
    await memory.delete(refFor('Pod', 'doomed'), 'web');
    await clock.advance(5000);
    expect(await controller.reconcile('doomed')).toBeUndefined();
    expect(summaries().slice(2)).toEqual([
      'deletecollection configmaps -n doomed',
      'update namespaces/doomed/status',
      'update namespaces/doomed/finalize',
    ]);
    expect(bodyOf(client.writes[3]).status?.conditions).toEqual(
      settledConditions().map((condition) =>
        condition.type === remaining.type
          ? { ...condition, lastTransitionTime: '2025-01-01T00:00:10Z' }
          : condition,
      ),
    );
  });

  it('waits upstream’s estimate when allowed to, and reports pods that outlive it as a failure', async () => {
    const { controller, client, clock, summaries } = await setup(
      async (memory) => {
        await memory.create(refFor('Namespace'), terminating('doomed'));
        await memory.create(refFor('Pod', 'doomed'), pod('web', 'doomed', { nodeName: 'node-1' }));
      },
      { maxRequeueMs: 60_000 },
    );

    expect(await controller.reconcile('doomed')).toEqual({ requeueAfterMs: 16_000 });

    // Past the grace period, a pod still there is no longer expected: the reconcile fails (and is retried).
    await clock.advance(30_000);
    await expect(controller.reconcile('doomed')).rejects.toThrow(
      'unexpected items still remain in namespace: doomed for gvr: /v1, Resource=pods',
    );
    expect(summaries()).toEqual([
      'deletecollection pods -n doomed',
      'update namespaces/doomed/status',
      'update namespaces/doomed/status',
    ]);
    expect(
      bodyOf(client.writes[2]).status?.conditions?.find((c) => c.type === 'NamespaceDeletionContentFailure'),
    ).toEqual({
      type: 'NamespaceDeletionContentFailure',
      status: 'True',
      lastTransitionTime: '2025-01-01T00:00:30Z',
      reason: 'ContentDeletionFailed',
      message:
        'Failed to delete all resource types, 1 remaining: unexpected items still remain in namespace: doomed for gvr: /v1, Resource=pods',
    });
  });

  it('counts objects held by finalizers, by finalizer, and waits for them', async () => {
    const { controller, client, summaries } = await setup(async (memory) => {
      await memory.create(refFor('Namespace'), terminating('doomed'));
      await memory.create(refFor('ConfigMap', 'doomed'), configMap('a', 'doomed', ['example.com/hold']));
      await memory.create(refFor('ConfigMap', 'doomed'), configMap('b', 'doomed', ['example.com/hold']));
      await memory.create(refFor('Secret', 'doomed'), {
        metadata: { name: 'token', finalizers: ['example.com/audit'] },
      });
    });

    expect(await controller.reconcile('doomed')).toEqual({ requeueAfterMs: 5000 });

    expect(summaries()).toEqual([
      'deletecollection configmaps -n doomed',
      'deletecollection secrets -n doomed',
      'update namespaces/doomed/status',
    ]);
    const conditions = bodyOf(client.writes[2]).status?.conditions ?? [];
    expect(conditions.filter((condition) => condition.status === 'True')).toEqual([
      {
        type: 'NamespaceContentRemaining',
        status: 'True',
        lastTransitionTime: startedAt,
        reason: 'SomeResourcesRemain',
        message:
          'Some resources are remaining: configmaps. has 2 resource instances, secrets. has 1 resource instances',
      },
      {
        type: 'NamespaceFinalizersRemaining',
        status: 'True',
        lastTransitionTime: startedAt,
        reason: 'SomeFinalizersRemain',
        message:
          'Some content in the namespace has finalizers remaining: example.com/audit in 1 resource instances, example.com/hold in 2 resource instances',
      },
    ]);
  });

  it('keeps the namespace’s other finalizers, and finalizes nothing once its own token is gone', async () => {
    const { controller, client, summaries } = await setup(async (memory) => {
      await memory.create(
        refFor('Namespace'),
        terminating('kept', ['example.com/keep', 'kubernetes', 'example.com/archive', 'example.com/keep']),
      );
      await memory.create(refFor('Namespace'), terminating('released', ['example.com/keep']));
    });

    await controller.reconcile('kept');
    await controller.reconcile('released');

    expect(summaries()).toEqual([
      'update namespaces/kept/status',
      'update namespaces/kept/finalize',
      'update namespaces/released/status',
    ]);
    expect(bodyOf(client.writes[1]).spec).toEqual({
      finalizers: ['example.com/archive', 'example.com/keep'],
    });
  });

  it('goes on past a resource it cannot delete, reports it in its conditions, and fails to be retried', async () => {
    const { controller, memory, client, summaries } = await setup(async (memory) => {
      await memory.create(refFor('Namespace'), terminating('doomed'));
      await memory.create(refFor('ConfigMap', 'doomed'), configMap('settings', 'doomed'));
      await memory.create(refFor('Secret', 'doomed'), { metadata: { name: 'token' } });
      await memory.create(refFor('ServiceAccount', 'doomed'), { metadata: { name: 'default' } });
    });
    client.failures.push({
      summary: 'deletecollection secrets -n doomed',
      error: internalError('etcd is down'),
    });

    const failure = await controller.reconcile('doomed').catch((error: unknown) => error);

    expect(isStatusError(failure, 'InternalError')).toBe(true);
    expect(summaries()).toEqual([
      'deletecollection configmaps -n doomed',
      'deletecollection secrets -n doomed',
      'deletecollection serviceaccounts -n doomed',
      'update namespaces/doomed/status',
    ]);
    expect(bodyOf(client.writes[3]).status?.conditions?.find((c) => c.status === 'True')).toEqual({
      type: 'NamespaceDeletionContentFailure',
      status: 'True',
      lastTransitionTime: startedAt,
      reason: 'ContentDeletionFailed',
      message: 'Failed to delete all resource types, 1 remaining: Internal error occurred: etcd is down',
    });
    expect((await memory.list(refFor('Secret', 'doomed'))).items).toHaveLength(1);
    expect((await memory.list(refFor('ServiceAccount', 'doomed'))).items).toHaveLength(0);
  });

  it('reads the namespace again and retries when its finalize write conflicts', async () => {
    const { controller, client, summaries, namespace } = await setup(async (memory) => {
      await memory.create(refFor('Namespace'), terminating('doomed'));
    });
    client.failures.push({
      summary: 'update namespaces/doomed/finalize',
      error: conflict({ group: '', resource: 'namespaces' }, 'doomed', 'the object has been modified'),
    });

    await controller.reconcile('doomed');

    expect(summaries()).toEqual([
      'update namespaces/doomed/status',
      'update namespaces/doomed/finalize',
      'update namespaces/doomed/finalize',
    ]);
    expect((await namespace('doomed')).spec).toEqual({ finalizers: [] });
  });

  it('deletes one by one the objects of a resource without deletecollection', async () => {
    const noCollection: ResourceDefinition = {
      ...configMaps,
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    };
    const { controller, client, summaries } = await setup(
      async (memory) => {
        await memory.create(refFor('Namespace'), terminating('doomed'));
        await memory.create(refFor('ConfigMap', 'doomed'), configMap('a', 'doomed'));
        await memory.create(refFor('ConfigMap', 'doomed'), configMap('b', 'doomed'));
      },
      { resources: [noCollection] },
    );

    await controller.reconcile('doomed');

    expect(summaries()).toEqual([
      'delete configmaps/a -n doomed',
      'delete configmaps/b -n doomed',
      'update namespaces/doomed/status',
      'update namespaces/doomed/finalize',
    ]);
    expect(client.writes[0]!.body).toEqual({ propagationPolicy: 'Background' });
  });

  it('acts on a namespace event only after the deletion grace period', async () => {
    const { clock, informers, memory, summaries } = await setup(async (memory) => {
      await memory.create(refFor('Namespace'), { metadata: { name: 'shop' }, status: { phase: 'Active' } });
    });
    const context: ControllerContext = { client: memory, informers, clock, onError: () => {} };
    const abort = new AbortController();
    // A second controller on the same informers, run through its queue (the fixture's is never run).
    const running = makeNamespaceController({ deletionGracePeriodMs: 1000 })(context).run(abort.signal);
    try {
      const current = await memory.get<Namespace>(refFor('Namespace'), 'shop');
      await memory.update(refFor('Namespace'), {
        ...current,
        metadata: { ...current.metadata, deletionTimestamp: startedAt },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Terminating' },
      });
      await settle();
      await clock.advance(999);
      expect((await memory.get<Namespace>(refFor('Namespace'), 'shop')).spec?.finalizers).toEqual([
        'kubernetes',
      ]);
      await clock.advance(1);
      await settle();
      expect((await memory.get<Namespace>(refFor('Namespace'), 'shop')).spec?.finalizers).toEqual([]);
    } finally {
      abort.abort();
      await running;
    }
    // The fixture's own controller made no writes; the one that ran wrote through the memory client.
    expect(summaries()).toEqual([]);
  });
});

describe('the namespace controller against a real API server', () => {
  it('deletes everything in a deleted namespace, and then the namespace itself', async () => {
    const store = await openMemoryStore();
    const server = await createApiServer({ store, resources });
    const client = createInProcessClient(server);
    const log: string[] = [];
    const manager = startControllerManager({
      client,
      controllers: [namespaceController],
      log: (message) => log.push(message),
    });
    try {
      await client.create(refFor('Namespace'), { metadata: { name: 'doomed' } });
      await client.create(refFor('ConfigMap', 'doomed'), {
        metadata: { name: 'settings' },
        data: { a: '1' },
      });
      await client.create(refFor('ConfigMap', 'doomed'), { metadata: { name: 'flags' } });
      await client.create(refFor('Secret', 'doomed'), {
        metadata: { name: 'token' },
        stringData: { t: 'x' },
      });
      await client.create(refFor('Deployment', 'doomed'), {
        metadata: { name: 'web' },
        spec: {
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'web', image: 'nginx' }] },
          },
        },
      });
      await client.create(refFor('Pod', 'doomed'), {
        metadata: { name: 'loose' },
        spec: { containers: [{ name: 'app', image: 'busybox' }] },
      });
      await client.create(refFor('ConfigMap', 'default'), { metadata: { name: 'bystander' } });

      await client.delete(refFor('Namespace'), 'doomed');

      await eventually(async () => {
        const gone = await client.get(refFor('Namespace'), 'doomed').catch((error: unknown) => error);
        expect(isStatusError(gone, 'NotFound')).toBe(true);
      });
      for (const kind of ['ConfigMap', 'Secret', 'Deployment', 'Pod']) {
        expect((await client.list(refFor(kind, 'doomed'))).items, kind).toEqual([]);
      }
      expect((await client.get(refFor('ConfigMap', 'default'), 'bystander')).metadata?.name).toBe(
        'bystander',
      );
      expect(log).toEqual([]);
    } finally {
      await manager.stop();
      await client.close();
      await server.close();
      await store.close();
    }
  });
});

/** Runs `check` until it passes, failing with its last error after `timeoutMs`. */
async function eventually(check: () => Promise<void>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
