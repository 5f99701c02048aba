import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

/** Where Debian's `etcd-server` package puts the binary; SKIFF_ETCD overrides. */
export const etcdBinary = process.env.SKIFF_ETCD ?? '/usr/bin/etcd';

export function etcdAvailable(): boolean {
  return existsSync(etcdBinary);
}

/**
 * Whether tests that need etcd run. In CI (CI=true) a missing etcd is a failure, never a skip; elsewhere
 * the suite is skipped with a message saying how to get it.
 */
export function etcdRequired(): boolean {
  if (etcdAvailable()) return true;
  if (process.env.CI === 'true')
    throw new Error(`etcd not found at ${etcdBinary}: install Debian's etcd-server`);
  console.warn(`skipping etcd tests: ${etcdBinary} not found (apt-get install etcd-server)`);
  return false;
}

export interface EtcdProcess {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * A real single-member etcd on free loopback ports, in a temporary directory that `stop` removes.
 * Auto-compaction is off: the store under test decides when to compact.
 */
export async function startEtcd(): Promise<EtcdProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-etcd-'));
  for (let attempt = 0; ; attempt++) {
    const clientPort = await freePort();
    const peerPort = await freePort();
    const client = `http://127.0.0.1:${clientPort}`;
    const peer = `http://127.0.0.1:${peerPort}`;
    const child = spawn(
      etcdBinary,
      [
        '--name=skiff-test',
        `--data-dir=${join(dir, `data-${attempt}`)}`,
        `--listen-client-urls=${client}`,
        `--advertise-client-urls=${client}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=skiff-test=${peer}`,
        '--initial-cluster-state=new',
        '--logger=zap',
        '--log-level=error',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-4000);
    });
    if (await waitHealthy(child, client)) {
      return {
        endpoint: `127.0.0.1:${clientPort}`,
        async stop() {
          await stopChild(child);
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
    await stopChild(child);
    if (attempt >= 2) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`etcd did not become healthy:\n${log}`);
    }
  }
}

async function waitHealthy(child: ChildProcess, client: string): Promise<boolean> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const response = await fetch(`${client}/health`);
      if (response.ok && ((await response.json()) as { health?: string }).health === 'true') return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}
