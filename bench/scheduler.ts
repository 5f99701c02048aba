import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resources } from '../api/resources/index.js';
import { createInProcessClient } from '../apiserver/in-process-client.js';
import { createApiServer } from '../apiserver/server.js';
import { up } from '../cli/up.js';
import { HttpClient } from '../client/http-client.js';
import { InformerFactory } from '../client/informer-factory.js';
import { refFor } from '../client/refs.js';
import { MemoryClient } from '../client/testing/memory-client.js';
import type { KubeClient } from '../client/types.js';
import { CycleState } from '../scheduler/framework/cycle-state.js';
import { PodInfo } from '../scheduler/framework/pod-info.js';
import { startScheduler } from '../scheduler/index.js';
import { Scheduler } from '../scheduler/scheduler.js';
import type { Node, Pod } from '../scheduler/types.js';
import { openStore } from '../store/open.js';
import { freePort } from '../store/testing/free-port.js';
import { formatNumber, now, printTable, summarize } from './stats.js';

/**
 * The scheduler benchmark, after upstream scheduler_perf's SchedulingBasic: 5,000 nodes (4 CPU, 32Gi,
 * 110 pods, in 3 zones), then 10,000 pods (100m CPU, 500Mi) created as fast as the API takes them while
 * the scheduler runs; measured from the first create to the last bind. Variants:
 *
 *   in process   API server, scheduler and pod creator in this process (in-process client)
 *   over HTTP    the API server in its own process; scheduler and creator here, over HTTP
 *   anti-affinity  2,000 pods that repel each other per host (upstream's SchedulingPodAntiAffinity)
 *   topology spread  10,000 pods with maxSkew 1 over zones (DoNotSchedule)
 *
 * Latencies: a pod's scheduling attempt (off the queue → bound) and create → bound. Last, the cost of
 * one scheduling cycle alone (no API) at growing cluster sizes, to show it grows sub-linearly.
 */
const NODES = 5_000;
const PODS = 10_000;
const ZONES = 3;
const CREATE_CONCURRENCY = 64;

type PodShape = (index: number) => Pod['spec'];

const basicPod: PodShape = () => ({
  containers: [
    {
      name: 'pause',
      image: 'registry.k8s.io/pause:3.10',
      resources: { requests: { cpu: '100m', memory: '500Mi' } },
    },
  ],
});

const antiAffinityPod: PodShape = () => ({
  ...basicPod(0),
  affinity: {
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [
        { labelSelector: { matchLabels: { color: 'green' } }, topologyKey: 'kubernetes.io/hostname' },
      ],
    },
  },
});

const spreadPod: PodShape = () => ({
  ...basicPod(0),
  topologySpreadConstraints: [
    {
      maxSkew: 1,
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: 'DoNotSchedule',
      labelSelector: { matchLabels: { color: 'green' } },
    },
  ],
});

function nodeObject(index: number): Node {
  const name = `node-${index}`;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': `zone-${index % ZONES}` },
    },
  };
}

const nodeStatus = {
  status: {
    capacity: { cpu: '4', memory: '32Gi', pods: '110' },
    allocatable: { cpu: '4', memory: '32Gi', pods: '110' },
    conditions: [{ type: 'Ready', status: 'True' }],
  },
};

async function pool(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

async function createNodes(client: KubeClient, count: number): Promise<void> {
  await pool(count, CREATE_CONCURRENCY, async (index) => {
    const node = nodeObject(index);
    await client.create(refFor('Node'), node);
    await client.patch(refFor('Node'), node.metadata!.name!, 'merge', nodeStatus, { subresource: 'status' });
  });
}

interface RunFigures {
  readonly podsPerSecond: number;
  readonly attempt: { p50: number; p99: number };
  readonly endToEnd: { p50: number; p99: number };
  readonly scheduled: number;
}

/** Creates one pod; the benchmark's load, kept apart from the scheduler's own client where it can be. */
type CreatePod = (pod: Pod) => Promise<void>;

/** Starts the scheduler, creates `pods` pods, waits until all are bound. */
async function measure(
  client: KubeClient,
  pods: number,
  shape: PodShape,
  createPod?: CreatePod,
): Promise<RunFigures> {
  const createdAt = new Map<string, number>();
  const attempts: number[] = [];
  const endToEnd: number[] = [];
  let scheduled = 0;
  let lastBound = 0;
  const failures = new Map<string, number>();
  let finished: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finished = resolve;
  });
  const scheduler = startScheduler({
    client,
    log: (message) => process.stderr.write(`${message}\n`),
    observer: {
      scheduled(pod, _node, _cycleMs, totalMs) {
        const at = now();
        attempts.push(totalMs);
        const created = createdAt.get(pod.metadata?.name ?? '');
        if (created !== undefined) endToEnd.push(at - created);
        lastBound = at;
        if (++scheduled === pods) finished();
      },
      failed(pod, message) {
        failures.set(message, (failures.get(message) ?? 0) + 1);
        if (failures.size <= 3 && failures.get(message) === 1) {
          process.stderr.write(`attempt failed for ${pod.metadata?.name}: ${message}\n`);
        }
      },
    },
  });
  // Let the scheduler's informers list the nodes before the clock starts.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const started = now();
  await pool(pods, CREATE_CONCURRENCY, async (index) => {
    const name = `pod-${index}`;
    createdAt.set(name, now());
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default', labels: { color: 'green' } },
      spec: shape(index),
    };
    if (createPod) await createPod(pod);
    else await client.create(refFor('Pod', 'default'), pod);
  });
  const timeout = setTimeout(() => finished(), 300_000);
  await done;
  clearTimeout(timeout);
  await scheduler.stop();
  const failed = [...failures.values()].reduce((sum, count) => sum + count, 0);
  if (failed > 0) process.stderr.write(`${failed} failed attempts (retried)\n`);
  const attempt = summarize(attempts);
  const e2e = summarize(endToEnd);
  return {
    podsPerSecond: scheduled / ((lastBound - started) / 1000),
    attempt: { p50: attempt.p50, p99: attempt.p99 },
    endToEnd: { p50: e2e.p50, p99: e2e.p99 },
    scheduled,
  };
}

async function inProcess(label: string, pods: number, shape: PodShape): Promise<RunFigures> {
  // The API server without a socket: requests reach its handler stack through the in-process client,
  // as `skiff up` runs its controllers.
  const store = await openStore('memory://');
  const server = await createApiServer({ store, resources });
  const client = createInProcessClient(server);
  try {
    process.stderr.write(`${label}: creating ${formatNumber(NODES)} nodes\n`);
    await createNodes(client, NODES);
    process.stderr.write(`${label}: scheduling ${formatNumber(pods)} pods\n`);
    return await measure(client, pods, shape);
  } finally {
    await client.close();
    await server.close();
    await store.close();
  }
}

/** The API server in a child process (this file with `--serve`); scheduler and creator here, over HTTP. */
async function overHttp(label: string, pods: number, shape: PodShape): Promise<RunFigures> {
  const dataDir = await mkdtemp(join(tmpdir(), 'skiff-bench-scheduler-'));
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve', dataDir, String(port)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        const match = /listening (\S+)/.exec(chunk.toString());
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`the API server exited (${code})`)));
    });
    const client = new HttpClient({ connection: { server: url, namespace: 'default' } });
    process.stderr.write(`${label}: creating ${NODES} nodes over HTTP\n`);
    await createNodes(client, NODES);
    process.stderr.write(`${label}: scheduling ${pods} pods\n`);
    const cpuBefore = { self: process.cpuUsage(), child: await cpuSeconds(child.pid!), at: now() };
    const figures = await measure(client, pods, shape, rawCreator(url));
    const seconds = (now() - cpuBefore.at) / 1000;
    const selfCpu = process.cpuUsage(cpuBefore.self);
    process.stderr.write(
      `${label}: CPU over ${seconds.toFixed(1)} s — scheduler process ${(((selfCpu.user + selfCpu.system) / 1e6 / seconds) * 100).toFixed(0)}%, API server ${((((await cpuSeconds(child.pid!)) - cpuBefore.child) / seconds) * 100).toFixed(0)}%\n`,
    );
    await client.close();
    return figures;
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** CPU seconds (user + system) a process has used, from /proc. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Pod creates over plain keep-alive HTTP (as bench/api.ts does): the load generator's own cost stays
 * small, so the figures are the scheduler's and the server's rather than the client library's.
 */
function rawCreator(url: string): CreatePod {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CREATE_CONCURRENCY });
  const { hostname, port } = new URL(url);
  return (pod) =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify(pod);
      const request = http.request(
        {
          host: hostname,
          port,
          method: 'POST',
          path: '/api/v1/namespaces/default/pods',
          agent,
          headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
        },
        (response) => {
          response.resume();
          response.on('end', () =>
            response.statusCode === 201 ? resolve() : reject(new Error(`create: ${response.statusCode}`)),
          );
        },
      );
      request.on('error', reject);
      request.end(body);
    });
}

/**
 * One scheduling cycle, without the API: a scheduler over a MemoryClient whose cache is filled directly
 * with `nodes` nodes holding two pods each; each cycle schedules one pod and assumes it. Microseconds.
 */
async function cycleCost(nodes: number, cycles: number): Promise<number> {
  const client = new MemoryClient();
  const informers = new InformerFactory({ client });
  const scheduler = new Scheduler({ client, informers, log: () => {} });
  const framework = scheduler.frameworks.get('default-scheduler')!;
  for (let index = 0; index < nodes; index++) {
    const node = { ...nodeObject(index), ...nodeStatus } as Node;
    scheduler.cache.addNode(node);
    for (let copy = 0; copy < 2; copy++) {
      const name = `existing-${index}-${copy}`;
      scheduler.cache.addPod(
        new PodInfo({
          metadata: { name, namespace: 'default', uid: name, labels: { color: 'blue' } },
          spec: { ...basicPod(0), nodeName: node.metadata!.name! },
        }),
      );
    }
  }
  const run = (count: number) => {
    for (let index = 0; index < count; index++) {
      const name = `cycle-${nodes}-${index}-${Math.random()}`;
      const pod = new PodInfo({ metadata: { name, namespace: 'default', uid: name }, spec: basicPod(index) });
      const result = scheduler.schedulePod(framework, new CycleState(), pod);
      if (!('nodeName' in result)) throw new Error(`cycle failed: ${result.message}`);
      scheduler.cache.assumePod(pod.withNodeName(result.nodeName));
    }
  };
  run(Math.min(cycles, 200));
  const started = now();
  run(cycles);
  const micros = ((now() - started) * 1000) / cycles;
  scheduler.queue.close();
  await informers.stop();
  return micros;
}

export async function run(): Promise<void> {
  const repeats = Number(process.env.SCHEDULER_BENCH_REPEATS ?? 1);
  const rows: string[][] = [];
  const add = (label: string, figures: RunFigures, target: string) =>
    rows.push([
      label,
      formatNumber(figures.podsPerSecond),
      formatNumber(figures.attempt.p50, 2),
      formatNumber(figures.attempt.p99, 2),
      formatNumber(figures.endToEnd.p50, 0),
      formatNumber(figures.endToEnd.p99, 0),
      target,
    ]);
  const only = process.env.SCHEDULER_BENCH_ONLY;
  const wanted = (name: string) => !only || only.split(',').includes(name);
  for (let round = 0; round < repeats; round++) {
    if (wanted('basic'))
      add(
        `SchedulingBasic ${formatNumber(NODES)} nodes / ${formatNumber(PODS)} pods, in process`,
        await inProcess('basic', PODS, basicPod),
        '≥ 1,000',
      );
    if (wanted('http'))
      add(
        `SchedulingBasic ${formatNumber(NODES)} nodes / ${formatNumber(PODS)} pods, over HTTP`,
        await overHttp('http', PODS, basicPod),
        '≥ 1,000',
      );
    if (wanted('anti-affinity'))
      add(
        `pod anti-affinity (hostname) ${formatNumber(NODES)} nodes / 2,000 pods, in process`,
        await inProcess('anti-affinity', 2_000, antiAffinityPod),
        '',
      );
    if (wanted('spread'))
      add(
        `topology spread (zone, maxSkew 1) ${formatNumber(NODES)} nodes / ${formatNumber(PODS)} pods, in process`,
        await inProcess('spread', PODS, spreadPod),
        '',
      );
  }
  console.log(`\nscheduler benchmark, ${new Date().toISOString().slice(0, 10)}\n`);
  printTable(
    [
      'scenario',
      'pods/s',
      'attempt p50, ms',
      'attempt p99, ms',
      'create→bound p50, ms',
      'create→bound p99, ms',
      'target',
    ],
    rows,
  );

  if (wanted('cycle')) {
    const sizes = [500, 1_000, 2_000, 5_000, 10_000, 20_000];
    const costs: string[][] = [];
    for (const size of sizes) {
      // Each size in a fresh process: the heap left by a larger run would be measured as GC in the next.
      const micros = await inChild(['--cycle', String(size)]);
      costs.push([formatNumber(size), formatNumber(micros, 1)]);
    }
    console.log('\none scheduling cycle (filter, score, assume; no API), basic pods\n');
    printTable(['nodes', 'µs per cycle'], costs);
  }
}

/** Runs this file with `args` in a child process; resolves with the number it prints. */
function inChild(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) =>
      code === 0 ? resolve(Number(output.trim())) : reject(new Error(`exit ${code}`)),
    );
  });
}

// `--cycle NODES`: one size of the cycle-cost table, printed in µs.
if (process.argv[2] === '--cycle') {
  process.stdout.write(`${await cycleCost(Number(process.argv[3]), 2_000)}\n`);
}

// `--serve DIR PORT`: the API server for the over-HTTP variant, in its own process.
if (process.argv[2] === '--serve') {
  const [dataDir, port] = [process.argv[3]!, Number(process.argv[4])];
  const skiff = await up({ dataDir, port, ephemeral: true, controllers: false });
  process.stdout.write(`listening ${skiff.url}\n`);
  process.once('SIGTERM', () => {
    void skiff.stop().then(() => process.exit(0));
  });
}
