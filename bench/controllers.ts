import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KubeObject } from '../api/resource.js';
import { up } from '../cli/up.js';
import { HttpClient } from '../client/http-client.js';
import { refFor } from '../client/refs.js';
import { PodDriver } from '../conformance/pod-driver.js';
import { freePort } from '../store/testing/free-port.js';
import { formatNumber, now, printTable } from './stats.js';

/**
 * The controllers benchmark: `skiff controller-manager` as its own process (built, from dist/) against
 * an API server without controllers (ephemeral store, in this process). Measures the time from
 * `kubectl apply` of a 1,000-replica Deployment to 1,000 pods created; a rolling update of it to a new
 * image, pods made ready by the benchmark (a PodDriver plays scheduler and kubelet); and the manager's
 * CPU and RSS while idle with about 10,000 objects in its caches.
 */
const execFileAsync = promisify(execFile);
const REPLICAS = 1000;
const KUBECTL = '/usr/bin/kubectl';
const CLOCK_TICKS_PER_SECOND = 100;

interface Deployment extends KubeObject {
  spec?: { template?: { spec?: { containers?: { image?: string }[] } } };
  status?: {
    observedGeneration?: number;
    updatedReplicas?: number;
    replicas?: number;
    availableReplicas?: number;
  };
}

function manifest(image: string): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'bench', namespace: 'default' },
    spec: {
      replicas: REPLICAS,
      selector: { matchLabels: { app: 'bench' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'bench' } },
        spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'web', image }] },
      },
    },
  });
}

/** CPU seconds (user + system) a process has used, from /proc. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

async function rssMegabytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('the benchmark waited too long');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export async function run(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'skiff-bench-controllers-'));
  const port = await freePort();
  const skiff = await up({ dataDir, port, ephemeral: true, controllers: false });
  const client = new HttpClient({ connection: { server: skiff.url, namespace: 'default' } });
  const manager = spawn(
    process.execPath,
    ['dist/cli/main.js', 'controller-manager', `--kubeconfig=${skiff.kubeconfig}`, '--identity=bench'],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  let driver: PodDriver | undefined;
  try {
    const lease = refFor('Lease', 'kube-system');
    await until(async () => {
      const held = await client
        .get<KubeObject & { spec?: { holderIdentity?: string } }>(lease, 'kube-controller-manager')
        .catch(() => undefined);
      return held?.spec?.holderIdentity === 'bench';
    });
    // The manager's informers have synced once the default namespace has its ServiceAccount.
    await until(
      async () =>
        (await client.get(refFor('ServiceAccount', 'default'), 'default').catch(() => undefined)) !==
        undefined,
    );

    // 1. kubectl apply → 1,000 pods created (counted from a watch).
    const pods = refFor('Pod', 'default');
    const listed = await client.list(pods);
    const watch = await client.watch(pods, { resourceVersion: listed.metadata.resourceVersion });
    let created = 0;
    const counting = (async () => {
      for await (const event of watch) if (event.type === 'ADDED' && ++created >= REPLICAS) return;
    })();
    const manifestPath = join(dataDir, 'deployment.json');
    await writeFile(manifestPath, manifest('web:1'));
    const applyStarted = now();
    await execFileAsync(KUBECTL, [
      `--kubeconfig=${skiff.kubeconfig}`,
      `--cache-dir=${join(dataDir, 'kube-cache')}`,
      'apply',
      '-f',
      manifestPath,
    ]);
    await counting;
    const createMs = now() - applyStarted;
    watch.close();

    // 2. Pods run and become ready; then a rolling update to a new image, pods made ready as they come.
    driver = await PodDriver.start({ client });
    const deployments = refFor('Deployment', 'default');
    const complete = async (image: string) => {
      const deployment = await client.get<Deployment>(deployments, 'bench');
      const status = deployment.status ?? {};
      return (
        deployment.spec?.template?.spec?.containers?.[0]?.image === image &&
        (status.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 0) &&
        status.updatedReplicas === REPLICAS &&
        status.replicas === REPLICAS &&
        status.availableReplicas === REPLICAS
      );
    };
    const readyStarted = now();
    await until(() => complete('web:1'));
    const firstReadyMs = now() - readyStarted;
    const rolloutStarted = now();
    await execFileAsync(KUBECTL, [
      `--kubeconfig=${skiff.kubeconfig}`,
      `--cache-dir=${join(dataDir, 'kube-cache')}`,
      'set',
      'image',
      'deployment/bench',
      'web=web:2',
    ]);
    await until(() => complete('web:2'));
    const rolloutMs = now() - rolloutStarted;
    await until(async () => (await client.list(pods)).items.length === REPLICAS);
    await driver.stop();
    driver = undefined;

    // 3. Idle, with ~10,000 objects cached: the 1,000 pods, their sets, and 9,000 ConfigMaps.
    const configMaps = refFor('ConfigMap', 'default');
    for (let batch = 0; batch < 90; batch++) {
      await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          client.create(configMaps, {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: `idle-${batch}-${i}` },
            data: { i: String(i) },
          } as KubeObject),
        ),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const idleSeconds = 20;
    const cpuBefore = await cpuSeconds(manager.pid!);
    const idleStarted = now();
    await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
    const cpuShare = (await cpuSeconds(manager.pid!)) - cpuBefore;
    const idleCpuPercent = (100 * cpuShare) / ((now() - idleStarted) / 1000);
    const idleRss = await rssMegabytes(manager.pid!);

    console.log(
      `\ncontrollers benchmark, ${new Date().toISOString().slice(0, 10)}, skiff controller-manager (separate process) against an ephemeral API server\n`,
    );
    printTable(
      ['figure', 'value', 'target'],
      [
        [
          `kubectl apply of a ${formatNumber(REPLICAS)}-replica Deployment → all pods created, ms`,
          formatNumber(createMs),
          '≤ 2,000',
        ],
        [`pods bound and ready (by the benchmark) → Deployment complete, ms`, formatNumber(firstReadyMs), ''],
        [
          `rolling update (kubectl set image) → complete, pods made ready as they come, ms`,
          formatNumber(rolloutMs),
          '',
        ],
        [
          `idle CPU with ~10,000 objects cached, % of a core (${idleSeconds} s)`,
          formatNumber(idleCpuPercent, 2),
          '≤ 1',
        ],
        ['idle RSS with ~10,000 objects cached, MB', formatNumber(idleRss, 1), ''],
      ],
    );
  } finally {
    await driver?.stop();
    manager.kill('SIGTERM');
    await new Promise((resolve) => manager.once('exit', resolve));
    await client.close();
    await skiff.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
