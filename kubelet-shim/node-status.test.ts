import { readFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { afterEach, describe, expect, test } from 'vitest';
import { refFor } from '../client/refs.js';
import { FakeClock } from '../client/testing/fake-clock.js';
import { MemoryClient } from '../client/testing/memory-client.js';
import {
  goArchitecture,
  type HostFacts,
  type Lease,
  type Node,
  NodeStatusReporter,
  prettyName,
  type RegisteredNode,
  type RuntimeReadiness,
  readHostFacts,
  registerNode,
  resourcesFor,
} from './node-status.js';
import { Heartbeats } from './simulated/heartbeats.js';

const GiB = 1024 ** 3;

const host: HostFacts = {
  cpuCores: 4,
  memoryBytes: 16 * GiB,
  ephemeralStorageBytes: 100 * GiB,
  hugePages: { 'hugepages-2Mi': 0 },
  internalIP: '192.168.1.20',
  hostname: 'worker-1',
  kernelVersion: '6.1.0-test',
  osImage: 'Debian GNU/Linux 12 (bookworm)',
  architecture: 'amd64',
  machineID: 'a'.repeat(32),
  systemUUID: '4c4c4544-0000-1000-8000-000000000001',
  bootID: 'b0b0b0b0-0000-4000-8000-000000000001',
};

const nodes = refFor('Node');
const leases = refFor('Lease', 'kube-node-lease');

let running: RegisteredNode | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

function setup(readiness: { current: RuntimeReadiness } = { current: { ready: true } }) {
  const clock = new FakeClock();
  const client = new MemoryClient({ clock });
  const options = {
    client,
    clock,
    nodeName: 'worker-1',
    host,
    kubeletVersion: 'v1.33.0-skiff',
    containerRuntimeVersion: 'containerd://1.6.20',
    kubeletPort: 10250,
    runtimeReadiness: () => readiness.current,
    onError: (error: unknown) => {
      throw error;
    },
  };
  return { clock, client, options, readiness };
}

describe('registerNode', () => {
  test('creates the Node with the kubelet labels, capacity, addresses, nodeInfo and conditions', async () => {
    const { client, options } = setup();
    running = await registerNode({
      ...options,
      images: () => [{ names: ['skiff.local/pause:1'], sizeBytes: 300_000 }],
    });
    const node = await client.get<Node>(nodes, 'worker-1');
    expect(node.metadata?.labels).toEqual({
      'beta.kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': 'worker-1',
      'kubernetes.io/os': 'linux',
    });
    expect(node.metadata?.annotations).toEqual({
      'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
    });
    expect(node.status?.capacity).toEqual({
      cpu: '4',
      'ephemeral-storage': `${100 * 1024 * 1024}Ki`,
      'hugepages-2Mi': '0',
      memory: `${16 * 1024 * 1024}Ki`,
      pods: '110',
    });
    expect(node.status?.allocatable).toEqual({
      cpu: '4',
      'ephemeral-storage': String(Math.floor(100 * GiB * 0.9)),
      'hugepages-2Mi': '0',
      memory: `${16 * 1024 * 1024 - 100 * 1024}Ki`,
      pods: '110',
    });
    expect(node.status?.addresses).toEqual([
      { type: 'InternalIP', address: '192.168.1.20' },
      { type: 'Hostname', address: 'worker-1' },
    ]);
    expect(node.status?.daemonEndpoints).toEqual({ kubeletEndpoint: { Port: 10250 } });
    expect(node.status?.nodeInfo).toEqual({
      machineID: host.machineID,
      systemUUID: host.systemUUID,
      bootID: host.bootID,
      kernelVersion: '6.1.0-test',
      osImage: 'Debian GNU/Linux 12 (bookworm)',
      containerRuntimeVersion: 'containerd://1.6.20',
      kubeletVersion: 'v1.33.0-skiff',
      kubeProxyVersion: 'v1.33.0-skiff',
      operatingSystem: 'linux',
      architecture: 'amd64',
    });
    expect(node.status?.images).toEqual([{ names: ['skiff.local/pause:1'], sizeBytes: 300_000 }]);
    const at = '2025-01-01T00:00:00Z';
    expect(node.status?.conditions).toEqual([
      {
        type: 'MemoryPressure',
        status: 'False',
        reason: 'KubeletHasSufficientMemory',
        message: 'kubelet has sufficient memory available',
        lastHeartbeatTime: at,
        lastTransitionTime: at,
      },
      {
        type: 'DiskPressure',
        status: 'False',
        reason: 'KubeletHasNoDiskPressure',
        message: 'kubelet has no disk pressure',
        lastHeartbeatTime: at,
        lastTransitionTime: at,
      },
      {
        type: 'PIDPressure',
        status: 'False',
        reason: 'KubeletHasSufficientPID',
        message: 'kubelet has sufficient PID available',
        lastHeartbeatTime: at,
        lastTransitionTime: at,
      },
      {
        type: 'Ready',
        status: 'True',
        reason: 'KubeletReady',
        message: 'kubelet is posting ready status',
        lastHeartbeatTime: at,
        lastTransitionTime: at,
      },
    ]);
  });

  test('creates the Lease kube-node-lease/<node>, held by the node and owned by the Node', async () => {
    const { client, options } = setup();
    running = await registerNode(options);
    const node = await client.get<Node>(nodes, 'worker-1');
    const lease = await client.get<Lease>(leases, 'worker-1');
    expect(lease.spec).toEqual({
      holderIdentity: 'worker-1',
      leaseDurationSeconds: 40,
      renewTime: '2025-01-01T00:00:00.000000Z',
    });
    expect(lease.metadata?.ownerReferences).toEqual([
      { apiVersion: 'v1', kind: 'Node', name: 'worker-1', uid: node.metadata?.uid },
    ]);
  });

  test('adopts an existing Node: kubelet labels set, instance-type dropped, user labels, taints and other status kept', async () => {
    const { client, options } = setup();
    await client.create<Node>(nodes, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: 'worker-1',
        labels: {
          'kubernetes.io/hostname': 'old',
          'node.kubernetes.io/instance-type': 'm5.large',
          team: 'blue',
        },
      },
      spec: { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] },
      status: { volumesAttached: [{ name: 'kubernetes.io/csi/vol-1', devicePath: '' }] },
    });
    running = await registerNode(options);
    const node = await client.get<Node>(nodes, 'worker-1');
    expect(node.metadata?.labels).toEqual({
      'beta.kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': 'worker-1',
      'kubernetes.io/os': 'linux',
      team: 'blue',
    });
    expect(node.spec?.taints).toEqual([{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }]);
    expect(node.status?.volumesAttached).toEqual([{ name: 'kubernetes.io/csi/vol-1', devicePath: '' }]);
    expect(node.status?.conditions?.find((condition) => condition.type === 'Ready')?.status).toBe('True');
  });

  test('renews the Lease every 10 s', async () => {
    const { clock, client, options } = setup();
    running = await registerNode(options);
    await clock.advance(9_999);
    expect((await client.get<Lease>(leases, 'worker-1')).spec?.renewTime).toBe('2025-01-01T00:00:00.000000Z');
    await clock.advance(1);
    expect((await client.get<Lease>(leases, 'worker-1')).spec?.renewTime).toBe('2025-01-01T00:00:10.000000Z');
    await clock.advance(10_000);
    expect((await client.get<Lease>(leases, 'worker-1')).spec?.renewTime).toBe('2025-01-01T00:00:20.000000Z');
  });

  test('makes the Lease again when it is deleted', async () => {
    const { clock, client, options } = setup();
    running = await registerNode(options);
    await client.delete(leases, 'worker-1');
    await clock.advance(10_000);
    const lease = await client.get<Lease>(leases, 'worker-1');
    expect(lease.spec?.renewTime).toBe('2025-01-01T00:00:10.000000Z');
    expect(lease.metadata?.ownerReferences?.[0]?.kind).toBe('Node');
  });

  test('posts status only on a change or after the 5 min report frequency', async () => {
    const { clock, client, options, readiness } = setup();
    running = await registerNode(options);
    const version = async () => (await client.get<Node>(nodes, 'worker-1')).metadata?.resourceVersion;
    const registered = await version();
    await clock.advance(60_000);
    expect(await version()).toBe(registered);

    readiness.current = { ready: false, message: 'container runtime is down' };
    await clock.advance(10_000);
    const notReady = await client.get<Node>(nodes, 'worker-1');
    expect(notReady.metadata?.resourceVersion).not.toBe(registered);
    expect(notReady.status?.conditions?.find((condition) => condition.type === 'Ready')).toEqual({
      type: 'Ready',
      status: 'False',
      reason: 'KubeletNotReady',
      message: 'container runtime is down',
      lastHeartbeatTime: '2025-01-01T00:01:10Z',
      lastTransitionTime: '2025-01-01T00:01:10Z',
    });
    // Unchanged pressure conditions keep their transition time.
    expect(notReady.status?.conditions?.[0]?.lastTransitionTime).toBe('2025-01-01T00:00:00Z');

    await clock.advance(290_000);
    expect(await version()).toBe(notReady.metadata?.resourceVersion);
    await clock.advance(10_000);
    const reported = await client.get<Node>(nodes, 'worker-1');
    expect(reported.metadata?.resourceVersion).not.toBe(notReady.metadata?.resourceVersion);
    const ready = reported.status?.conditions?.find((condition) => condition.type === 'Ready');
    expect(ready?.lastHeartbeatTime).toBe('2025-01-01T00:06:10Z');
    expect(ready?.lastTransitionTime).toBe('2025-01-01T00:01:10Z');
  });

  test('stop() cancels its timers', async () => {
    const { clock, options } = setup();
    running = await registerNode(options);
    expect(clock.pendingTimers).toBe(2);
    await running.stop();
    running = undefined;
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('host facts', () => {
  test('are read from the machine', async () => {
    const facts = await readHostFacts(tmpdir());
    expect(facts.kernelVersion).toBe(os.release());
    expect(facts.architecture).toBe(goArchitecture(process.arch));
    expect(facts.cpuCores).toBeGreaterThan(0);
    expect(facts.memoryBytes).toBe(os.totalmem());
    expect(facts.ephemeralStorageBytes).toBeGreaterThan(0);
    const bootID = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => '')).trim();
    expect(facts.bootID).toBe(bootID);
    if (facts.internalIP !== undefined) expect(facts.internalIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(facts.internalIP).not.toBe('127.0.0.1');
  });

  test('Node architectures are named as Go names them', () => {
    expect(['x64', 'arm64', 'ia32', 'arm'].map(goArchitecture)).toEqual(['amd64', 'arm64', '386', 'arm']);
  });

  test('osImage is PRETTY_NAME from os-release', () => {
    expect(prettyName('NAME="Ubuntu"\nPRETTY_NAME="Ubuntu 22.04.4 LTS"\nID=ubuntu\n')).toBe(
      'Ubuntu 22.04.4 LTS',
    );
  });

  test('given capacity replaces the machine figures and allocatable follows it', () => {
    expect(
      resourcesFor(host, { capacity: { cpu: '32', memory: '256Gi', 'ephemeral-storage': '1Ti' } }),
    ).toEqual({
      capacity: { cpu: '32', 'ephemeral-storage': '1Ti', 'hugepages-2Mi': '0', memory: '256Gi', pods: '110' },
      allocatable: {
        cpu: '32',
        'ephemeral-storage': '1Ti',
        'hugepages-2Mi': '0',
        memory: '256Gi',
        pods: '110',
      },
    });
  });
});

describe('Heartbeats (shared by simulated nodes)', () => {
  test('one timer renews every node’s Lease once per interval, spread over the interval', async () => {
    const clock = new FakeClock();
    const client = new MemoryClient({ clock, historyLimit: 10_000 });
    const heartbeats = new Heartbeats({
      clock,
      renewIntervalMs: 10_000,
      statusUpdateFrequencyMs: 10_000,
      onError: (error) => {
        throw error;
      },
    });
    const reporters = Array.from(
      { length: 20 },
      (_, index) =>
        new NodeStatusReporter({
          client,
          clock,
          nodeName: `sim-${index}`,
          host: { ...host, hostname: `sim-${index}` },
          kubeletVersion: 'v1.33.0-skiff',
          containerRuntimeVersion: 'sim://1.0.0',
          kubeletPort: 10250,
        }),
    );
    for (const reporter of reporters) {
      await reporter.register();
      heartbeats.add(reporter);
    }
    heartbeats.start();
    expect(clock.pendingTimers).toBe(1);
    const renewTimes = async () =>
      (await client.list<Lease>(leases)).items.map((lease) => lease.spec?.renewTime ?? '');
    await clock.advance(1_000);
    // Slot 0 (nodes 0 and 10) went first.
    expect((await renewTimes()).filter((time) => time === '2025-01-01T00:00:01.000000Z')).toHaveLength(2);
    await clock.advance(9_000);
    const times = await renewTimes();
    expect(times.every((time) => time > '2025-01-01T00:00:00.000000Z')).toBe(true);
    expect(new Set(times).size).toBe(10);
    const nodeVersions = (await client.list<Node>(nodes)).items.map((node) => node.metadata?.resourceVersion);
    await clock.advance(10_000);
    // Nothing changed and 5 min have not passed: no node status was posted.
    expect((await client.list<Node>(nodes)).items.map((node) => node.metadata?.resourceVersion)).toEqual(
      nodeVersions,
    );
    // A paused node's Lease goes stale, as a dead kubelet's would; the others carry on.
    heartbeats.setPaused('sim-0', true);
    const renewedAt = async (name: string) => (await client.get<Lease>(leases, name)).spec?.renewTime;
    const staleAt = await renewedAt('sim-0');
    await clock.advance(10_000);
    expect(await renewedAt('sim-0')).toBe(staleAt);
    expect(await renewedAt('sim-10')).toBe('2025-01-01T00:00:21.000000Z');
    await heartbeats.stop();
    expect(clock.pendingTimers).toBe(0);
  });
});
