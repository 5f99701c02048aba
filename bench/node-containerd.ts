import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { up } from '../cli/up.js';
import { HttpClient } from '../client/http-client.js';
import { refFor } from '../client/refs.js';
import { defaultCriEndpoint } from '../kubelet-shim/cri/client.js';
import type { Pod } from '../kubelet-shim/pod-types.js';
import { freePort } from '../store/testing/free-port.js';
import { formatNumber, now, printTable, summarize } from './stats.js';

/**
 * The node benchmark, containerd part: `skiff up`'s control plane in this process and `skiff kubelet`
 * in its own, on the containerd `skiff node setup` runs. A pod's start latency runs from its create to
 * the watch event showing it Running: scheduling, sandbox (with CNI), container create and start.
 * First one pod at a time (10 rounds), then 30 at once; then the node process's RSS and idle CPU with
 * those 30 running.
 *
 *   NODE_BENCH_CRI=unix:///run/skiff-node/containerd.sock npm run bench -- node
 */
const endpoint = process.env.NODE_BENCH_CRI ?? defaultCriEndpoint;
const IMAGE = 'skiff.local/testimage:1';
const CLOCK_TICKS_PER_SECOND = 100;

export function containerdAvailable(): boolean {
  return existsSync(endpoint.replace(/^unix:\/\//, ''));
}

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

export async function runContainerd(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'skiff-bench-cri-'));
  const skiff = await up({ dataDir, port: await freePort(), ephemeral: true, controllers: true });
  const client = new HttpClient({ connection: { server: skiff.url, namespace: 'default' } });
  const nodeName = `bench-${process.pid}`;
  const node = spawn(
    process.execPath,
    [
      // The built command, as a user runs it (run under tsx, the loader's compiler would count too).
      fileURLToPath(new URL('../dist/cli/main.js', import.meta.url)),
      'kubelet',
      `--kubeconfig=${skiff.kubeconfig}`,
      `--cri=${endpoint}`,
      `--node-name=${nodeName}`,
      `--root-dir=${join(dataDir, 'kubelet')}`,
      `--port=${await freePort()}`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const pods = refFor('Pod', 'default');
  try {
    await new Promise<void>((resolve, reject) => {
      node.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('up on')) resolve();
      });
      node.once('exit', (code) => reject(new Error(`skiff kubelet exited (${code})`)));
    });
    // The scheduler's cache must hold the node before the first pod comes.
    await sleep(1_000);

    const startPods = async (names: string[]): Promise<number[]> => {
      const listed = await client.list(pods, { limit: 1 });
      const watch = await client.watch<Pod>(pods, { resourceVersion: listed.metadata.resourceVersion });
      const createdAt = new Map<string, number>();
      const latencies = new Map<string, number>();
      const done = (async () => {
        for await (const event of watch) {
          if (event.type !== 'MODIFIED') continue;
          const name = event.object.metadata?.name ?? '';
          if (event.object.status?.phase === 'Running' && createdAt.has(name) && !latencies.has(name)) {
            latencies.set(name, now() - createdAt.get(name)!);
            if (latencies.size === names.length) return;
          }
        }
      })();
      await Promise.all(
        names.map(async (name) => {
          createdAt.set(name, now());
          await client.create(pods, {
            metadata: { name, labels: { bench: 'cri' } },
            spec: {
              terminationGracePeriodSeconds: 0,
              containers: [{ name: 'c', image: IMAGE, command: ['sleep', '3600'] }],
            },
          });
        }),
      );
      await done;
      watch.close();
      return [...latencies.values()];
    };
    const clear = async () => {
      await client.deleteCollection(pods, { labelSelector: 'bench=cri', gracePeriodSeconds: 0 });
      // Let the node remove them from containerd before the next round.
      await sleep(1_500);
    };

    const single: number[] = [];
    for (let round = 0; round < 10; round++) {
      single.push(...(await startPods([`one-${round}`])));
    }
    await clear();
    const thirty = await startPods(Array.from({ length: 30 }, (_, i) => `many-${i}`));
    await sleep(5_000);
    const cpuBefore = await cpuSeconds(node.pid!);
    await sleep(20_000);
    const idleCpu = ((await cpuSeconds(node.pid!)) - cpuBefore) / 20;
    const rss = await rssMegabytes(node.pid!);
    await clear();

    const one = summarize(single);
    const many = summarize(thirty);
    console.log('\nnode on containerd (create → Running seen by watch):');
    printTable(
      ['pods', 'p50 ms', 'p99 ms', 'max ms'],
      [
        ['1 at a time (10)', formatNumber(one.p50), formatNumber(one.p99), formatNumber(one.max)],
        ['30 at once', formatNumber(many.p50), formatNumber(many.p99), formatNumber(many.max)],
      ],
    );
    console.log(
      `node process with 30 pods running: RSS ${rss.toFixed(0)} MB, idle CPU ${(idleCpu * 100).toFixed(2)}% of a core`,
    );
  } finally {
    await client.deleteCollection(pods, { gracePeriodSeconds: 0 }).catch(() => undefined);
    await sleep(2_000);
    await new Promise<void>((resolve) => {
      if (node.exitCode !== null) return resolve();
      node.once('exit', () => resolve());
      node.kill('SIGTERM');
    });
    await client.close();
    await skiff.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
