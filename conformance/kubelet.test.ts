import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../client/http-client.js';
import { refFor } from '../client/refs.js';
import { createCriClient, defaultCriEndpoint } from '../kubelet-shim/cri/client.js';
import { labels } from '../kubelet-shim/pod-spec.js';
import type { Pod } from '../kubelet-shim/pod-types.js';
import { requireContainerd } from '../kubelet-shim/testing/containerd.js';
import { freePort } from '../store/testing/free-port.js';
import { poll } from './client.js';
import { startSkiff, type TestSkiff } from './harness.js';

/**
 * `skiff kubelet` as its own process on containerd, against a Skiff without a node of its own: it
 * registers its Node, runs a pod, and — SIGKILLed while the pod runs and started again — adopts the
 * running containers instead of starting them twice.
 */
const main = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
const containerd = await requireContainerd();
const criEndpoint = containerd?.endpoint ?? defaultCriEndpoint;
let skiff: TestSkiff;
let client: HttpClient;
const nodeName = `kubelet-${process.pid}`;
let port: number;
let node: ChildProcess | undefined;

beforeAll(async () => {
  if (!containerd) return;
  skiff = await startSkiff();
  client = new HttpClient({ connection: { server: skiff.url, namespace: 'default' } });
  port = await freePort();
});
afterAll(async () => {
  if (!containerd) return;
  await client?.deleteCollection(refFor('Pod', 'default'), { gracePeriodSeconds: 0 }).catch(() => undefined);
  if (node) await stop(node, 'SIGTERM');
  // Whatever this node left in containerd goes (a test must leave nothing behind).
  const cri = createCriClient(criEndpoint);
  for (const sandbox of await cri.listPodSandbox({ label_selector: { [labels.node]: nodeName } })) {
    await cri.stopPodSandbox(sandbox.id).catch(() => undefined);
    await cri.removePodSandbox(sandbox.id).catch(() => undefined);
  }
  cri.close();
  await client?.close();
  await skiff?.stop();
});

function startNode(): ChildProcess {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      main,
      'kubelet',
      `--kubeconfig=${skiff.kubeconfig}`,
      `--cri=${criEndpoint}`,
      `--node-name=${nodeName}`,
      `--root-dir=${join(skiff.dataDir, 'kubelet')}`,
      `--port=${port}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stderr!.on('data', (chunk) => process.stderr.write(chunk));
  return child;
}

function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

const containerIdOf = (pod: Pod) => pod.status?.containerStatuses?.[0]?.containerID;

describe.skipIf(!containerd)('skiff kubelet', () => {
  it('registers its node, and adopts its running pods after a SIGKILL instead of starting them again', async () => {
    node = startNode();
    const registered = await poll(() => client.get(refFor('Node'), nodeName), 30_000, 100);
    expect(
      (registered as { status?: { nodeInfo?: { containerRuntimeVersion?: string } } }).status?.nodeInfo
        ?.containerRuntimeVersion,
    ).toMatch(/^containerd:\/\//);
    await poll(() => client.get(refFor('Lease', 'kube-node-lease'), nodeName), 30_000, 100);

    await client.create(refFor('Pod', 'default'), {
      metadata: { name: 'survivor' },
      spec: {
        nodeName,
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'c', image: 'skiff.local/testimage:1', command: ['sleep', '3600'] }],
      },
    });
    const runningPod = await poll(
      async () => {
        const pod = await client.get<Pod>(refFor('Pod', 'default'), 'survivor');
        return pod.status?.phase === 'Running' ? pod : undefined;
      },
      30_000,
      100,
    );
    const before = containerIdOf(runningPod);
    expect(before).toMatch(/^containerd:\/\//);

    await stop(node, 'SIGKILL');
    node = startNode();
    // The restarted node writes status again (its heartbeat); the pod keeps its one container.
    const lease = await client.get<{ spec: { renewTime: string } }>(
      refFor('Lease', 'kube-node-lease'),
      nodeName,
    );
    await poll(
      async () => {
        const now = await client.get<{ spec: { renewTime: string } }>(
          refFor('Lease', 'kube-node-lease'),
          nodeName,
        );
        return now.spec.renewTime !== lease.spec.renewTime;
      },
      30_000,
      200,
    );
    const after = await client.get<Pod>(refFor('Pod', 'default'), 'survivor');
    expect(containerIdOf(after)).toBe(before);
    expect(after.status?.containerStatuses?.[0]?.restartCount).toBe(0);
    const cri = createCriClient(criEndpoint);
    try {
      const sandboxes = await cri.listPodSandbox({ label_selector: { [labels.node]: nodeName } });
      expect(sandboxes.filter((sandbox) => sandbox.state === 'SANDBOX_READY')).toHaveLength(1);
      const containers = await cri.listContainers({ label_selector: { [labels.node]: nodeName } });
      expect(containers).toHaveLength(1);

      // And deleting the pod still goes through the adopted node.
      await client.delete(refFor('Pod', 'default'), 'survivor');
      await poll(
        async () => {
          try {
            await client.get(refFor('Pod', 'default'), 'survivor');
            return false;
          } catch {
            return true;
          }
        },
        30_000,
        200,
      );
      await poll(
        async () => (await cri.listPodSandbox({ label_selector: { [labels.node]: nodeName } })).length === 0,
        10_000,
        200,
      );
    } finally {
      cri.close();
    }
  }, 90_000);
});

describe('skiff up with a node whose runtime is missing', () => {
  it('fails, saying so, and leaves nothing listening', async () => {
    const { up } = await import('../cli/up.js');
    const { createServer } = await import('node:net');
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dataDir = await mkdtemp(join(tmpdir(), 'skiff-no-runtime-'));
    const apiPort = await freePort();
    try {
      await expect(
        up({
          dataDir,
          port: apiPort,
          ephemeral: true,
          node: 'containerd',
          criEndpoint: `unix://${dataDir}/none.sock`,
        }),
      ).rejects.toThrow(/no container runtime answers at unix:.*none\.sock \(run `skiff node setup`\)/);
      // The API server's port is free again.
      await new Promise<void>((resolve, reject) => {
        const probe = createServer();
        probe.once('error', reject);
        probe.listen(apiPort, '127.0.0.1', () => probe.close(() => resolve()));
      });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
