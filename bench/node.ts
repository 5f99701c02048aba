import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeObject } from '../api/resource.js';
import { up } from '../cli/up.js';
import { HttpClient } from '../client/http-client.js';
import { refFor } from '../client/refs.js';
import type { Node } from '../kubelet-shim/node-status.js';
import type { Pod } from '../kubelet-shim/pod-types.js';
import { startSimulatedNodes } from '../kubelet-shim/simulated/simulated-nodes.js';
import { freePort } from '../store/testing/free-port.js';
import { formatNumber, now, printTable, summarize } from './stats.js';

/**
 * The node benchmark, simulated part: 1,000 simulated nodes (kubelet-shim/simulated) in their own
 * process, against `skiff up`'s pieces (API server, controllers, scheduler; ephemeral store) in
 * another, both over HTTP as a real cluster's would be. The benchmark process creates Deployments
 * (30 of 1,000 replicas by default) and watches pods: a pod's start latency runs from its ADDED event to
 * the event that shows it Running and Ready (controllers create it, the scheduler binds it, the
 * simulator starts it). Then, all pods running, the simulator's RSS and idle CPU (leases renewing).
 *
 *   NODE_BENCH_NODES=1000 NODE_BENCH_DEPLOYMENTS=30 NODE_BENCH_REPLICAS=1000 npm run bench -- node
 */
const NODES = Number(process.env.NODE_BENCH_NODES ?? 1_000);
const DEPLOYMENTS = Number(process.env.NODE_BENCH_DEPLOYMENTS ?? 30);
const REPLICAS = Number(process.env.NODE_BENCH_REPLICAS ?? 1_000);
const IDLE_SECONDS = Number(process.env.NODE_BENCH_IDLE_SECONDS ?? 30);
const CLOCK_TICKS_PER_SECOND = 100;

async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

async function rssMegabytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs this file with `args` in a child process; resolves once it prints a line matching `ready`. */
async function child(
  args: string[],
  ready: RegExp,
): Promise<{ pid: number; match: RegExpExecArray; stop(): Promise<void> }> {
  const process_ = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    let output = '';
    process_.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = ready.exec(output);
      if (found) resolve(found);
    });
    process_.once('exit', (code) => reject(new Error(`${args[0]} exited (${code})`)));
  });
  return {
    pid: process_.pid!,
    match,
    async stop() {
      if (process_.exitCode !== null) return;
      process_.kill('SIGTERM');
      await new Promise((resolve) => process_.once('exit', resolve));
    },
  };
}

function deployment(index: number): KubeObject {
  const name = `bench-${index}`;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: REPLICAS,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 0,
          containers: [{ name: 'web', image: 'registry.k8s.io/pause:3.10' }],
        },
      },
    },
  };
}

const isRunningReady = (pod: Pod) =>
  pod.status?.phase === 'Running' &&
  pod.status.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ===
    true;

export async function run(): Promise<void> {
  // The containerd part first, where the machine has one (`skiff node setup`).
  const { containerdAvailable, runContainerd } = await import('./node-containerd.js');
  if (containerdAvailable()) await runContainerd();
  else console.log('node on containerd: skipped (no containerd socket; run `skiff node setup`)');
  if (process.env.NODE_BENCH_SIMULATED === '0') return;
  const total = DEPLOYMENTS * REPLICAS;
  const dataDir = await mkdtemp(join(tmpdir(), 'skiff-bench-node-'));
  const port = await freePort();
  const server = await child(['--serve', dataDir, String(port)], /listening (\S+)\n/);
  const url = server.match[1]!;
  const client = new HttpClient({ connection: { server: url, namespace: 'default' } });
  let simulator: Awaited<ReturnType<typeof child>> | undefined;
  try {
    process.stderr.write(`node bench: registering ${formatNumber(NODES)} simulated nodes\n`);
    const registerStarted = now();
    simulator = await child(['--simulate', url, String(NODES)], /simulating\n/);
    const registerMs = now() - registerStarted;
    const nodes = (await client.list<Node>(refFor('Node'))).items;
    const readyNodes = nodes.filter((node) =>
      node.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True'),
    ).length;
    // Let the scheduler's informers see every node before pods come.
    await sleep(2_000);

    const pods = refFor('Pod', 'default');
    const listed = await client.list(pods, { limit: 1 });
    const watch = await client.watch<Pod>(pods, { resourceVersion: listed.metadata.resourceVersion });
    const addedAt = new Map<string, number>();
    const latencies: number[] = [];
    /** Seen bound (spec.nodeName set) → seen Running: the simulator's own share of the latency. */
    const boundAt = new Map<string, number>();
    const simulatorLatencies: number[] = [];
    let firstAdded = 0;
    let lastRunning = 0;
    let finished: () => void = () => {};
    const allRunning = new Promise<void>((resolve) => {
      finished = resolve;
    });
    const watching = (async () => {
      for await (const event of watch) {
        if (event.type === 'ERROR' || event.type === 'BOOKMARK' || event.type === 'DELETED') continue;
        const uid = event.object.metadata?.uid ?? '';
        const at = now();
        if (!addedAt.has(uid) && event.type === 'ADDED') {
          addedAt.set(uid, at);
          firstAdded ||= at;
        }
        if (event.object.spec?.nodeName && !boundAt.has(uid)) boundAt.set(uid, at);
        const created = addedAt.get(uid);
        if (created !== undefined && created >= 0 && isRunningReady(event.object)) {
          latencies.push(at - created);
          simulatorLatencies.push(at - (boundAt.get(uid) ?? at));
          addedAt.set(uid, -1);
          lastRunning = at;
          if (latencies.length % 5_000 === 0)
            process.stderr.write(`node bench: ${latencies.length} running\n`);
          if (latencies.length === total) finished();
        }
      }
    })();

    process.stderr.write(`node bench: creating ${DEPLOYMENTS} Deployments of ${formatNumber(REPLICAS)}\n`);
    const cpuBefore = {
      server: await cpuSeconds(server.pid),
      simulator: await cpuSeconds(simulator.pid),
      at: now(),
    };
    const createStarted = now();
    for (let index = 0; index < DEPLOYMENTS; index++) {
      await client.create(refFor('Deployment', 'default'), deployment(index));
    }
    const timeout = setTimeout(finished, 600_000);
    await allRunning;
    clearTimeout(timeout);
    const runSeconds = (now() - cpuBefore.at) / 1000;
    const serverCpu = ((await cpuSeconds(server.pid)) - cpuBefore.server) / runSeconds;
    const simulatorCpu = ((await cpuSeconds(simulator.pid)) - cpuBefore.simulator) / runSeconds;
    const createToAllRunningMs = now() - createStarted;
    watch.close();
    await watching;
    const latency = summarize(latencies);
    const simulated = summarize(simulatorLatencies);
    const podsPerSecond = latencies.length / ((lastRunning - firstAdded) / 1000);

    // Idle: every pod running, leases renewing (100 a second for 1,000 nodes).
    await sleep(5_000);
    const idleStart = {
      simulator: await cpuSeconds(simulator.pid),
      server: await cpuSeconds(server.pid),
      at: now(),
    };
    await sleep(IDLE_SECONDS * 1000);
    const idleSeconds = (now() - idleStart.at) / 1000;
    const idleSimulatorCpu = ((await cpuSeconds(simulator.pid)) - idleStart.simulator) / idleSeconds;
    const idleServerCpu = ((await cpuSeconds(server.pid)) - idleStart.server) / idleSeconds;
    const simulatorRss = await rssMegabytes(simulator.pid);
    const serverRss = await rssMegabytes(server.pid);

    console.log(
      `\nnode benchmark (simulated), ${new Date().toISOString().slice(0, 10)}: ${formatNumber(NODES)} simulated nodes (own process) and skiff up's API server, controllers and scheduler (own process, ephemeral store), over HTTP\n`,
    );
    printTable(
      ['figure', 'value'],
      [
        [
          `register ${formatNumber(NODES)} nodes + Leases (process start → all registered), ms`,
          formatNumber(registerMs),
        ],
        ['nodes Ready', `${formatNumber(readyNodes)} / ${formatNumber(NODES)}`],
        [
          `${DEPLOYMENTS} Deployments × ${formatNumber(REPLICAS)}: create → all ${formatNumber(latencies.length)} pods Running+Ready, s`,
          formatNumber(createToAllRunningMs / 1000, 1),
        ],
        ['pod start latency (ADDED → Running+Ready seen by watch) p50, ms', formatNumber(latency.p50)],
        ['pod start latency p99, ms', formatNumber(latency.p99)],
        ['pod start latency max, ms', formatNumber(latency.max)],
        [
          'of which the simulator (bound → Running+Ready seen) p50 / p99, ms',
          `${formatNumber(simulated.p50)} / ${formatNumber(simulated.p99)}`,
        ],
        ['throughput, pods Running per second', formatNumber(podsPerSecond)],
        [
          'CPU during the run: simulator / control plane, % of a core',
          `${formatNumber(simulatorCpu * 100)} / ${formatNumber(serverCpu * 100)}`,
        ],
        [
          `simulator idle CPU, all pods running, % of a core (${IDLE_SECONDS} s)`,
          formatNumber(idleSimulatorCpu * 100, 2),
        ],
        [`control plane idle CPU (leases arriving), % of a core`, formatNumber(idleServerCpu * 100, 2)],
        ['simulator RSS, MB', formatNumber(simulatorRss, 1)],
        ['control plane RSS, MB', formatNumber(serverRss, 1)],
      ],
    );
  } finally {
    await simulator?.stop();
    await client.close();
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

// `--serve DIR PORT`: the control plane (API server, controllers, scheduler), in its own process.
if (process.argv[2] === '--serve') {
  const [dataDir, port] = [process.argv[3]!, Number(process.argv[4])];
  const skiff = await up({
    dataDir,
    port,
    ephemeral: true,
    controllers: true,
    // The benchmark's own clients are many; the limits are not what it measures.
    maxRequestsInFlight: 10_000,
    maxMutatingRequestsInFlight: 10_000,
  });
  process.stdout.write(`listening ${skiff.url}\n`);
  process.once('SIGTERM', () => {
    void skiff.stop().then(() => process.exit(0));
  });
}

// `--simulate URL COUNT`: the simulated nodes, in their own process.
if (process.argv[2] === '--simulate') {
  const client = new HttpClient({ connection: { server: process.argv[3]!, namespace: 'default' } });
  const nodes = await startSimulatedNodes({ client, count: Number(process.argv[4]), workers: 32 });
  process.stdout.write('simulating\n');
  process.once('SIGTERM', () => {
    void nodes
      .stop()
      .then(() => client.close())
      .then(() => process.exit(0));
  });
}
