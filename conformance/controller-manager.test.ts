import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../client/http-client.js';
import { ApiClient, poll } from './client.js';
import { startSkiff, type TestSkiff } from './harness.js';
import { PodDriver } from './pod-driver.js';

/**
 * `skiff controller-manager` as its own process against an API server running without controllers:
 * leader election between two of them, and a manager killed (SIGKILL) in the middle of a rollout whose
 * successor finishes it. The leases are short (2 s) so that a takeover happens within the test.
 */
const main = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
let skiff: TestSkiff;
let api: ApiClient;
let client: HttpClient;
const children: ChildProcess[] = [];

beforeAll(async () => {
  skiff = await startSkiff({ controllers: false });
  api = new ApiClient(skiff.url);
  client = new HttpClient({ connection: { server: skiff.url, namespace: 'default' } });
});
afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => kill(child)));
});
afterAll(async () => {
  await client?.close();
  await skiff?.stop();
});

interface Manager {
  readonly child: ChildProcess;
  readonly output: () => string;
}

function startManager(identity: string): Manager {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      main,
      'controller-manager',
      `--kubeconfig=${skiff.kubeconfig}`,
      `--identity=${identity}`,
      '--leader-elect-lease-duration=2s',
      '--leader-elect-renew-deadline=1500ms',
      '--leader-elect-retry-period=200ms',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    output += chunk;
  });
  return { child, output: () => output };
}

function kill(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

const leasePath = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager';
const holder = async (): Promise<string | undefined> => {
  const lease = await api.call('GET', leasePath);
  return lease.status === 200 ? lease.body.spec?.holderIdentity || undefined : undefined;
};

describe('controller manager', () => {
  it('with two managers exactly one leads, and the other takes over when the leader dies', async () => {
    const first = startManager('manager-a');
    const second = startManager('manager-b');
    const leader = await poll(holder, 60_000);
    expect(['manager-a', 'manager-b']).toContain(leader);
    const [winner, loser] = leader === 'manager-a' ? [first, second] : [second, first];
    await poll(async () => winner.output().includes('became the leader'), 30_000);

    // The leader acts: a ReplicaSet gets its pod.
    const ns = (await api.ok('POST', '/api/v1/namespaces', { metadata: { generateName: 'leader-' } }))
      .metadata.name;
    const labels = { app: 'leader' };
    await api.ok('POST', `/apis/apps/v1/namespaces/${ns}/replicasets`, {
      metadata: { name: 'web' },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'web:1' }] } },
      },
    });
    await poll(async () => (await api.ok('GET', `/api/v1/namespaces/${ns}/pods`)).items.length === 2, 30_000);
    // Renewals keep it the holder; the other stays a candidate.
    expect(await holder()).toBe(leader);
    expect(loser.output()).not.toContain('became the leader');

    const killedAt = Date.now();
    await kill(winner.child);
    const successor = await poll(async () => {
      const current = await holder();
      return current && current !== leader ? current : undefined;
    }, 60_000);
    const takeoverMs = Date.now() - killedAt;
    expect(successor).toBe(leader === 'manager-a' ? 'manager-b' : 'manager-a');
    await poll(async () => loser.output().includes('became the leader'), 30_000);
    console.log(`controller manager takeover after the leader's SIGKILL: ${takeoverMs} ms (lease 2 s)`);

    // The new leader acts too: scaling the set gets a third pod.
    await api.ok(
      'PATCH',
      `/apis/apps/v1/namespaces/${ns}/replicasets/web/scale`,
      { spec: { replicas: 3 } },
      'application/merge-patch+json',
    );
    await poll(async () => (await api.ok('GET', `/api/v1/namespaces/${ns}/pods`)).items.length === 3, 30_000);
  });

  it('a manager killed mid-rollout leaves it to its successor, which finishes it', async () => {
    // New pods stay unready until `ready` says so, which holds the rollout in the middle.
    let newPodsRun = false;
    const driver = await PodDriver.start({
      client,
      runs: (pod) => newPodsRun || !(pod.spec?.containers ?? []).some((c) => c.image === 'web:2'),
    });
    try {
      const first = startManager('rollout-a');
      await poll(async () => (await holder()) === 'rollout-a', 60_000);
      const ns = (await api.ok('POST', '/api/v1/namespaces', { metadata: { generateName: 'rollout-' } }))
        .metadata.name;
      const base = `/apis/apps/v1/namespaces/${ns}/deployments/web`;
      const labels = { app: 'web' };
      await api.ok('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, {
        metadata: { name: 'web' },
        spec: {
          replicas: 8,
          selector: { matchLabels: labels },
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 2, maxUnavailable: 1 } },
          template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'web:1' }] } },
        },
      });
      const complete = async () => {
        const d = await api.ok('GET', base);
        const s = d.status ?? {};
        return (
          (s.observedGeneration ?? 0) >= d.metadata.generation &&
          s.updatedReplicas === 8 &&
          s.replicas === 8 &&
          s.availableReplicas === 8
        );
      };
      await poll(complete, 60_000);

      await api.ok(
        'PATCH',
        base,
        { spec: { template: { spec: { containers: [{ name: 'web', image: 'web:2' }] } } } },
        'application/strategic-merge-patch+json',
      );
      // Mid-rollout: new pods exist (surge) but none is ready, so old ones are still there.
      await poll(async () => {
        const d = await api.ok('GET', base);
        return (d.status?.observedGeneration ?? 0) >= 2 && (d.status?.updatedReplicas ?? 0) >= 2;
      }, 30_000);
      await kill(first.child);
      const stuck = await api.ok('GET', base);
      expect(stuck.status.updatedReplicas).toBeLessThan(8);

      newPodsRun = true;
      await driver.resync();
      const second = startManager('rollout-b');
      await poll(async () => (await holder()) === 'rollout-b', 60_000);
      await poll(complete, 60_000);
      const sets = (await api.ok('GET', `/apis/apps/v1/namespaces/${ns}/replicasets`)).items;
      const live = sets.filter((set: { spec: { replicas: number } }) => set.spec.replicas > 0);
      expect(live).toHaveLength(1);
      expect(live[0].spec.template.spec.containers[0].image).toBe('web:2');
      const pods = (await api.ok('GET', `/api/v1/namespaces/${ns}/pods`)).items;
      expect(
        pods.filter((pod: { metadata: { deletionTimestamp?: string } }) => !pod.metadata.deletionTimestamp),
      ).toHaveLength(8);
      expect(second.output()).toContain('became the leader');
    } finally {
      await driver.stop();
      expect(driver.errors.map(String)).toEqual([]);
    }
  });
}, 120_000);
