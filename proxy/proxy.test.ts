import { describe, expect, it } from 'vitest';
import { refFor } from '../client/refs.js';
import { FakeClock, settle } from '../client/testing/fake-clock.js';
import { MemoryClient } from '../client/testing/memory-client.js';
import type { CommandResult, Host } from './host.js';
import { type ProxyOptions, startProxy } from './proxy.js';

const services = refFor('Service', 'default');
const slices = refFor({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' }, 'default');

/** Records every command; answers as a machine where everything succeeds and no sink device exists yet. */
class RecordingHost implements Host {
  readonly calls: { command: string; input?: string }[] = [];
  readonly sysctls = new Map<string, string>([
    ['net/ipv4/conf/all/route_localnet', '0'],
    ['net/ipv4/conf/skiff0/route_localnet', '0'],
    ['net/bridge/bridge-nf-call-iptables', '1'],
  ]);
  /** How many of the next rules transactions nft refuses. */
  failApplies = 0;
  affinityListing = '{"nftables": []}';
  nftInstalled = true;

  async exec(file: string, args: readonly string[], input?: string): Promise<CommandResult> {
    const command = [file, ...args].join(' ');
    this.calls.push({ command, ...(input !== undefined ? { input } : {}) });
    if (command === 'nft --version') return this.nftInstalled ? ok('nftables v1.0.6') : fail('not found');
    if (command.startsWith('ip link show')) return fail('Device does not exist');
    if (command.startsWith('nft -j list sets')) return ok(this.affinityListing);
    if (command === 'nft -f -' && input !== removal && this.failApplies > 0) {
      this.failApplies--;
      return fail('Error: Could not process rule');
    }
    return ok('');
  }
  async readSysctl(key: string) {
    return this.sysctls.get(key);
  }
  async writeSysctl(key: string, value: string) {
    this.calls.push({ command: `sysctl ${key}=${value}` });
    this.sysctls.set(key, value);
  }
  /** The rules transactions applied, in order. */
  get applied(): string[] {
    return this.calls
      .filter((call) => call.command === 'nft -f -' && call.input !== removal)
      .map((call) => call.input!);
  }
}

const removal = 'add table ip skiff-proxy\ndelete table ip skiff-proxy\n';
const ok = (stdout: string): CommandResult => ({ code: 0, stdout, stderr: '' });
const fail = (stderr: string): CommandResult => ({ code: 1, stdout: '', stderr });

function service(name: string, clusterIP: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: { clusterIP, ports: [{ name: 'p', port: 80, protocol: 'TCP' }], ...extra },
  };
}

function slice(name: string, serviceName: string, ips: string[], protocol = 'TCP') {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': serviceName } },
    addressType: 'IPv4',
    ports: [{ name: 'p', port: 8080, protocol }],
    endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
  };
}

async function setUp(options: Partial<ProxyOptions> = {}) {
  const client = new MemoryClient();
  const clock = new FakeClock();
  const host = new RecordingHost();
  const errors: unknown[] = [];
  const proxy = await startProxy({
    client,
    nodeName: 'node-1',
    clock,
    host,
    onError: (error) => errors.push(error),
    ...options,
  });
  return { client, clock, host, proxy, errors };
}

describe('startProxy', () => {
  it('sets sysctls, makes the service-CIDR sink and applies a first table before resolving', async () => {
    const { host, proxy } = await setUp();
    expect(host.calls.map((call) => call.command).slice(0, 6)).toEqual([
      'nft --version',
      'sysctl net/ipv4/conf/all/route_localnet=1',
      'sysctl net/ipv4/conf/skiff0/route_localnet=1',
      'ip link show dev skiffsvc0',
      'ip link add skiffsvc0 type veth peer name skiffsvc0p',
      'ip link set skiffsvc0 up',
    ]);
    expect(host.calls[6]!.command).toBe('ip route replace 10.96.0.0/12 dev skiffsvc0');
    expect(host.applied).toHaveLength(1);
    expect(host.applied[0]).toContain('table ip skiff-proxy {');
    await proxy.stop();
  });

  it('coalesces changes within 50 ms into one transaction', async () => {
    const { client, clock, host, proxy } = await setUp();
    await client.create(services, service('web', '10.96.0.10'));
    await settle();
    await clock.advance(20);
    await client.create(slices, slice('web-1', 'web', ['10.88.0.2']));
    await settle();
    await clock.advance(29);
    expect(host.applied).toHaveLength(1);
    await clock.advance(1);
    expect(host.applied).toHaveLength(2);
    expect(host.applied[1]).toContain('10.96.0.10 . tcp . 80 : goto service-');
    expect(host.applied[1]).toContain('dnat to 10.88.0.2:8080');
    await proxy.stop();
  });

  it('applies a change as a delta of the table, not a re-creation', async () => {
    const { client, clock, host, proxy } = await setUp();
    await client.create(services, service('web', '10.96.0.10'));
    await client.create(slices, slice('web-1', 'web', ['10.88.0.2']));
    await settle();
    await clock.advance(50);
    const delta = host.applied.at(-1)!;
    expect(delta).not.toContain('delete table');
    expect(delta).toMatch(/^add chain ip skiff-proxy service-\S+-default\/web\/tcp\/p$/m);
    expect(delta).toContain('add element ip skiff-proxy service-ips { 10.96.0.10 . tcp . 80 : goto service-');
    await proxy.stop();
  });

  it('re-creates the table when a delta is refused, and retries later when that fails too', async () => {
    const { client, clock, host, proxy, errors } = await setUp({ retryMs: 1000 });
    host.failApplies = 2;
    await client.create(services, service('web', '10.96.0.10'));
    await settle();
    await clock.advance(50);
    expect(errors).toEqual([
      expect.objectContaining({ code: 'SKIFF_ERR_PROXY_APPLY', message: expect.stringContaining('delta') }),
      expect.objectContaining({ code: 'SKIFF_ERR_PROXY_APPLY' }),
    ]);
    expect(host.applied.at(-1)).toContain('delete table ip skiff-proxy');
    const attempts = host.applied.length;
    await clock.advance(999);
    expect(host.applied).toHaveLength(attempts);
    await clock.advance(1);
    expect(host.applied).toHaveLength(attempts + 1);
    expect(host.applied.at(-1)).toContain('10.96.0.10 . tcp . 80 : goto reject-chain');
    await proxy.stop();
  });

  it('rewrites the table every resync period without changes', async () => {
    const { clock, host, proxy } = await setUp({ resyncPeriodMs: 10_000 });
    await clock.advance(10_000);
    expect(host.applied).toHaveLength(2);
    await proxy.stop();
  });

  it('clears the conntrack flows of a UDP endpoint that went away', async () => {
    const { client, clock, host, proxy } = await setUp();
    await client.create(
      services,
      service('dns', '10.96.0.10', { ports: [{ name: 'p', port: 53, protocol: 'UDP' }] }),
    );
    await client.create(slices, slice('dns-1', 'dns', ['10.88.0.2', '10.88.0.3'], 'UDP'));
    await settle();
    await clock.advance(50);
    const current = await client.get(slices, 'dns-1');
    await client.update(slices, {
      ...slice('dns-1', 'dns', ['10.88.0.2'], 'UDP'),
      metadata: current.metadata,
    });
    await settle();
    await clock.advance(50);
    expect(host.calls.map((call) => call.command)).toContain(
      'conntrack -D -p udp --orig-dst 10.96.0.10 --orig-port-dst 53 --dst-nat 10.88.0.3',
    );
    await proxy.stop();
  });

  it('keeps ClientIP affinity entries across a re-creation of the table', async () => {
    const { client, clock, host, proxy } = await setUp({ resyncPeriodMs: 10_000 });
    await client.create(services, service('web', '10.96.0.10', { sessionAffinity: 'ClientIP' }));
    await client.create(slices, slice('web-1', 'web', ['10.88.0.2']));
    await settle();
    await clock.advance(50);
    const setName = /(affinity-\S+)/.exec(host.applied.at(-1)!)![1]!;
    host.affinityListing = JSON.stringify({
      nftables: [{ set: { name: setName, elem: [{ elem: { val: '192.0.2.7', expires: 77 } }] } }],
    });
    await clock.advance(10_000);
    expect(host.applied.at(-1)).toContain('delete table ip skiff-proxy');
    expect(host.applied.at(-1)).toContain('elements = { 192.0.2.7 timeout 10800s expires 77s }');
    await proxy.stop();
  });

  it('stop removes the table, the route and the veth, and restores the sysctls it changed', async () => {
    const { host, proxy, clock } = await setUp();
    const before = host.calls.length;
    await proxy.stop();
    expect(host.calls.slice(before).map((call) => call.command)).toEqual([
      'nft -f -',
      'ip route del 10.96.0.0/12 dev skiffsvc0',
      'ip link del skiffsvc0',
      'sysctl net/ipv4/conf/skiff0/route_localnet=0',
      'sysctl net/ipv4/conf/all/route_localnet=0',
    ]);
    expect(host.calls[before]!.input).toBe('add table ip skiff-proxy\ndelete table ip skiff-proxy\n');
    // Nothing is left armed: no resync after stop.
    const after = host.calls.length;
    await clock.advance(120_000);
    expect(host.calls).toHaveLength(after);
  });

  it('refuses to start without nft', async () => {
    const host = new RecordingHost();
    host.nftInstalled = false;
    await expect(
      startProxy({ client: new MemoryClient(), nodeName: 'node-1', host, clock: new FakeClock() }),
    ).rejects.toMatchObject({ code: 'SKIFF_ERR_PROXY_NO_NFT' });
    expect(host.calls.map((call) => call.command)).toEqual(['nft --version']);
  });
});
