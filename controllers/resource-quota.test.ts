import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/resource.js';
import { InformerFactory } from '../client/informer-factory.js';
import { refFor } from '../client/refs.js';
import { FakeClock, settle } from '../client/testing/fake-clock.js';
import { MemoryClient } from '../client/testing/memory-client.js';
import { RecordingClient } from '../client/testing/recording-client.js';
import type { ControllerContext } from './framework.js';
import { makeResourceQuotaController, type ResourceQuotaController } from './resource-quota.js';

interface Fixture {
  readonly memory: MemoryClient;
  readonly client: RecordingClient;
  readonly context: ControllerContext;
  readonly controller: ResourceQuotaController;
  readonly summaries: () => string[];
  readonly errors: unknown[];
}

const informerFactories: InformerFactory[] = [];
afterEach(async () => {
  for (const informers of informerFactories.splice(0)) await informers.stop();
});

async function setup(seed: (memory: MemoryClient) => Promise<void>): Promise<Fixture> {
  const clock = new FakeClock(Date.parse('2025-01-01T00:00:00Z'));
  const memory = new MemoryClient({ clock });
  await seed(memory);
  const client = new RecordingClient(memory);
  const informers = new InformerFactory({ client, clock });
  informerFactories.push(informers);
  const errors: unknown[] = [];
  const context: ControllerContext = {
    client,
    informers,
    clock,
    onError: (_controller, _key, error) => errors.push(error),
  };
  const controller = makeResourceQuotaController({ resyncPeriodMs: 60_000 })(
    context,
  ) as ResourceQuotaController;
  informers.start();
  await informers.waitForSync();
  return {
    memory,
    client,
    context,
    controller,
    errors,
    summaries: () => client.writes.map((write) => write.summary),
  };
}

const pod = (name: string, cpu: string, phase = 'Running'): KubeObject => ({
  metadata: { name },
  spec: { containers: [{ name: 'app', image: 'nginx', resources: { requests: { cpu }, limits: { cpu } } }] },
  status: { phase },
});

const quota = (hard: Record<string, string>, status?: object): KubeObject => ({
  metadata: { name: 'q' },
  spec: { hard },
  ...(status ? { status } : {}),
});

describe('the resource quota controller', () => {
  it('writes a quota’s hard limits and what the namespace uses of them into its status', async () => {
    const { controller, client, summaries } = await setup(async (memory) => {
      await memory.create(refFor('Pod', 'shop'), pod('a', '500m'));
      await memory.create(refFor('Pod', 'shop'), pod('b', '1'));
      await memory.create(refFor('Pod', 'shop'), pod('done', '4', 'Succeeded'));
      await memory.create(refFor('Pod', 'other'), pod('elsewhere', '8'));
      await memory.create(refFor('ConfigMap', 'shop'), { metadata: { name: 'c' } });
      await memory.create(refFor('Deployment', 'shop'), { metadata: { name: 'd' } });
      await memory.create(
        refFor('ResourceQuota', 'shop'),
        quota({
          pods: '10',
          'requests.cpu': '4',
          'count/pods': '10',
          configmaps: '5',
          'count/deployments.apps': '1',
          services: '2',
        }),
      );
    });

    expect(await controller.reconcile('shop/q')).toEqual({ requeueAfterMs: 60_000 });

    expect(summaries()).toEqual(['update resourcequotas/q/status -n shop']);
    expect((client.writes[0]!.body as { status: unknown }).status).toEqual({
      hard: {
        configmaps: '5',
        'count/deployments.apps': '1',
        'count/pods': '10',
        pods: '10',
        'requests.cpu': '4',
        services: '2',
      },
      used: {
        configmaps: '1',
        'count/deployments.apps': '1',
        'count/pods': '3',
        pods: '2',
        'requests.cpu': '1500m',
        services: '0',
      },
    });
  });

  it('writes nothing when the status is already right, or the quota is gone', async () => {
    const { controller, summaries } = await setup(async (memory) => {
      await memory.create(refFor('Pod', 'shop'), pod('a', '1'));
      await memory.create(
        refFor('ResourceQuota', 'shop'),
        quota({ pods: '5' }, { hard: { pods: '5' }, used: { pods: '1' } }),
      );
    });

    await controller.reconcile('shop/q');
    await controller.reconcile('shop/gone');

    expect(summaries()).toEqual([]);
  });

  it('recomputes a quota when its spec changes and when usage is given back, not when objects are added', async () => {
    const { context, memory, summaries, errors } = await setup(async (memory) => {
      await memory.create(refFor('Pod', 'shop'), pod('a', '1'));
      await memory.create(refFor('Pod', 'shop'), pod('b', '1'));
    });
    const abort = new AbortController();
    const running = makeResourceQuotaController({ resyncPeriodMs: 60_000 })(context).run(abort.signal);
    const usedPods = async () =>
      ((await memory.get(refFor('ResourceQuota', 'shop'), 'q')).status as { used: { pods: string } }).used
        .pods;
    try {
      await memory.create(refFor('ResourceQuota', 'shop'), quota({ pods: '5' }));
      await settle();
      expect(await usedPods()).toBe('2');

      // Admission has charged a pod being created; its arrival changes nothing here.
      const charged = await memory.get(refFor('ResourceQuota', 'shop'), 'q');
      await memory.update(refFor('ResourceQuota', 'shop'), {
        ...charged,
        status: { hard: { pods: '5' }, used: { pods: '3' } },
      });
      await memory.create(refFor('Pod', 'shop'), pod('c', '1'));
      await settle();
      expect(await usedPods()).toBe('3');

      await memory.delete(refFor('Pod', 'shop'), 'a');
      await settle();
      expect(await usedPods()).toBe('2');

      const finished = await memory.get(refFor('Pod', 'shop'), 'b');
      await memory.update(refFor('Pod', 'shop'), { ...finished, status: { phase: 'Succeeded' } });
      await settle();
      expect(await usedPods()).toBe('1');
    } finally {
      abort.abort();
      await running;
    }
    expect(summaries()).toEqual([
      'update resourcequotas/q/status -n shop',
      'update resourcequotas/q/status -n shop',
      'update resourcequotas/q/status -n shop',
    ]);
    expect(errors).toEqual([]);
  });
});
