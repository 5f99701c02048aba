import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  affinitySetName,
  clusterChainName,
  endpointChainName,
  externalChainName,
  localChainName,
} from './names.js';
import { buildRuleset, renderRuleset, renderRulesetDelta } from './nft-rules.js';
import type { ServicePortModel } from './types.js';

const a = { ip: '10.88.0.2', port: 8080 };
const b = { ip: '10.88.0.3', port: 8080 };
const c = { ip: '10.88.0.4', port: 8080 };

function servicePort(overrides: Partial<ServicePortModel> = {}): ServicePortModel {
  return {
    namespace: 'default',
    name: 'web',
    portName: 'http',
    protocol: 'tcp',
    clusterIP: '10.96.0.10',
    port: 80,
    nodePort: 0,
    externalIPs: [],
    loadBalancerIPs: [],
    internalLocal: false,
    externalLocal: false,
    clusterEndpoints: [a, b],
    localEndpoints: [],
    ...overrides,
  };
}

function render(
  servicePorts: ServicePortModel[],
  options: Partial<Parameters<typeof renderRuleset>[1]> = {},
) {
  return renderRuleset({ servicePorts }, { tableName: 'skiff-proxy', podCIDR: '10.88.0.0/16', ...options });
}

/** The body of one chain, as lines. */
function chain(text: string, name: string): string[] {
  const start = text.indexOf(`\tchain ${name} {\n`);
  if (start < 0) throw new Error(`no chain ${name}`);
  const end = text.indexOf('\n\t}', start);
  return text
    .slice(start, end)
    .split('\n')
    .slice(1)
    .map((line) => line.trim());
}

function mapElements(text: string, name: string): string[] {
  const start = text.indexOf(`\tmap ${name} {\n`);
  const end = text.indexOf('\n\t}', start);
  const body = text.slice(start, end);
  const match = /elements = \{ ([\s\S]*) \}/.exec(body);
  return match ? match[1]!.split(',\n').map((element) => element.trim()) : [];
}

describe('renderRuleset', () => {
  it('replaces only its own table, in one transaction, and never flushes the ruleset', () => {
    const text = render([servicePort()]);
    expect(text.split('\n').slice(0, 3)).toEqual([
      'add table ip skiff-proxy',
      'delete table ip skiff-proxy',
      'table ip skiff-proxy {',
    ]);
    expect(text).not.toMatch(/flush ruleset/);
    expect(text.trimEnd().endsWith('}')).toBe(true);
  });

  it('hooks prerouting and output for DNAT, postrouting for masquerade, filter hooks before DNAT', () => {
    const text = render([]);
    expect(chain(text, 'nat-prerouting')).toEqual([
      'type nat hook prerouting priority dstnat; policy accept;',
      'jump services',
    ]);
    expect(chain(text, 'nat-output')[0]).toBe('type nat hook output priority -100; policy accept;');
    expect(chain(text, 'nat-postrouting')).toEqual([
      'type nat hook postrouting priority srcnat; policy accept;',
      'jump masquerading',
    ]);
    expect(chain(text, 'filter-output')).toEqual([
      'type filter hook output priority -101; policy accept;',
      'ct state new jump endpoints-check',
    ]);
    expect(chain(text, 'masquerading')).toEqual([
      'meta mark & 0x4000 == 0 return',
      'meta mark set meta mark xor 0x4000',
      'masquerade fully-random',
    ]);
    expect(chain(text, 'mark-for-masquerade')).toEqual(['meta mark set meta mark or 0x4000']);
  });

  it('sends a cluster IP per port and protocol to its service chain', () => {
    const tcp = servicePort();
    const udp = servicePort({ protocol: 'udp', portName: 'dns', port: 53 });
    const sctp = servicePort({ protocol: 'sctp', portName: 's', port: 99 });
    const text = render([tcp, udp, sctp]);
    expect(mapElements(text, 'service-ips')).toEqual([
      `10.96.0.10 . tcp . 80 : goto ${clusterChainName(tcp)}`,
      `10.96.0.10 . udp . 53 : goto ${clusterChainName(udp)}`,
      `10.96.0.10 . sctp . 99 : goto ${clusterChainName(sctp)}`,
    ]);
    expect(chain(text, endpointChainName(udp, a))).toContain('meta l4proto udp dnat to 10.88.0.2:8080');
    expect(chain(text, endpointChainName(sctp, b))).toContain('meta l4proto sctp dnat to 10.88.0.3:8080');
    expect(chain(text, 'services')).toEqual([
      'ip daddr . meta l4proto . th dport vmap @service-ips',
      'fib daddr type local meta l4proto . th dport vmap @service-nodeports',
    ]);
  });

  it('picks an endpoint at random with numgen over all ready endpoints', () => {
    const sp = servicePort({ clusterEndpoints: [a, b, c] });
    const text = render([sp]);
    expect(chain(text, clusterChainName(sp))).toEqual([
      // From outside the pod network: masquerade.
      'ip daddr 10.96.0.10 tcp dport 80 ip saddr != 10.88.0.0/16 jump mark-for-masquerade',
      `numgen random mod 3 vmap { 0 : goto ${endpointChainName(sp, a)}, 1 : goto ${endpointChainName(sp, b)}, 2 : goto ${endpointChainName(sp, c)} }`,
    ]);
  });

  it('marks hairpin traffic (an endpoint reaching itself) for masquerade before DNAT', () => {
    const sp = servicePort();
    expect(chain(render([sp]), endpointChainName(sp, a))).toEqual([
      'ip saddr 10.88.0.2 jump mark-for-masquerade',
      'meta l4proto tcp dnat to 10.88.0.2:8080',
    ]);
  });

  it('sends NodePorts on every local address, 127.0.0.1 included, through a masquerading external chain', () => {
    const sp = servicePort({ nodePort: 30080 });
    const text = render([sp]);
    expect(mapElements(text, 'service-nodeports')).toEqual([`tcp . 30080 : goto ${externalChainName(sp)}`]);
    expect(chain(text, 'services')[1]).not.toContain('127.0.0.0/8');
    expect(chain(text, externalChainName(sp))).toEqual([
      'jump mark-for-masquerade',
      `goto ${clusterChainName(sp)}`,
    ]);
  });

  it('limits NodePorts to the listed addresses when asked', () => {
    const text = render([servicePort({ nodePort: 30080 })], {
      nodePortAddresses: ['192.0.2.2', '127.0.0.1'],
    });
    expect(chain(text, 'services')[1]).toBe(
      'ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports',
    );
    expect(text).toContain('elements = { 192.0.2.2, 127.0.0.1 }');
  });

  it('sends externalIPs and LoadBalancer IPs to the external chain', () => {
    const sp = servicePort({ externalIPs: ['192.0.2.10'], loadBalancerIPs: ['198.51.100.1'] });
    const text = render([sp]);
    expect(mapElements(text, 'service-ips')).toEqual([
      `10.96.0.10 . tcp . 80 : goto ${clusterChainName(sp)}`,
      `192.0.2.10 . tcp . 80 : goto ${externalChainName(sp)}`,
      `198.51.100.1 . tcp . 80 : goto ${externalChainName(sp)}`,
    ]);
  });

  it('rejects traffic to a service with no endpoints: cluster IP, external IPs and NodePort', () => {
    const sp = servicePort({ clusterEndpoints: [], nodePort: 30080, externalIPs: ['192.0.2.10'] });
    const text = render([sp]);
    expect(mapElements(text, 'service-ips')).toEqual([]);
    expect(mapElements(text, 'no-endpoint-services')).toEqual([
      '10.96.0.10 . tcp . 80 : goto reject-chain',
      '192.0.2.10 . tcp . 80 : goto reject-chain',
    ]);
    expect(mapElements(text, 'no-endpoint-nodeports')).toEqual(['tcp . 30080 : goto reject-chain']);
    expect(chain(text, 'reject-chain')).toEqual(['reject']);
    expect(text).not.toContain(clusterChainName(sp));
  });

  it('internalTrafficPolicy Local sends the cluster IP to local endpoints only, and drops without any', () => {
    const local = servicePort({ internalLocal: true, localEndpoints: [a] });
    const text = render([local]);
    expect(mapElements(text, 'service-ips')).toEqual([
      `10.96.0.10 . tcp . 80 : goto ${localChainName(local)}`,
    ]);
    expect(chain(text, localChainName(local))).toEqual([
      `numgen random mod 1 vmap { 0 : goto ${endpointChainName(local, a)} }`,
    ]);
    expect(text).not.toContain(endpointChainName(local, b));

    const none = servicePort({ internalLocal: true, localEndpoints: [] });
    const dropped = render([none]);
    expect(mapElements(dropped, 'service-ips')).toEqual([]);
    expect(mapElements(dropped, 'no-endpoint-services')).toEqual(['10.96.0.10 . tcp . 80 : drop']);
  });

  it('externalTrafficPolicy Local keeps the source, short-circuits pod and host traffic, drops without local endpoints', () => {
    const sp = servicePort({ nodePort: 30080, externalLocal: true, localEndpoints: [b] });
    const text = render([sp]);
    expect(chain(text, externalChainName(sp))).toEqual([
      `ip saddr 10.88.0.0/16 goto ${clusterChainName(sp)}`,
      'fib saddr type local jump mark-for-masquerade',
      `fib saddr type local goto ${clusterChainName(sp)}`,
      `goto ${localChainName(sp)}`,
    ]);
    expect(chain(text, localChainName(sp))).toEqual([
      `numgen random mod 1 vmap { 0 : goto ${endpointChainName(sp, b)} }`,
    ]);

    const none = servicePort({ nodePort: 30080, externalLocal: true, localEndpoints: [] });
    const dropped = render([none]);
    // Still captured (for the short-circuit), but what falls through is dropped, not rejected.
    expect(mapElements(dropped, 'service-nodeports')).toEqual([
      `tcp . 30080 : goto ${externalChainName(none)}`,
    ]);
    expect(mapElements(dropped, 'no-endpoint-nodeports')).toEqual(['tcp . 30080 : drop']);
    expect(chain(dropped, externalChainName(none))).not.toContain(`goto ${localChainName(none)}`);
  });

  it('ClientIP affinity: a timed set per endpoint, checked before the random pick, updated on DNAT', () => {
    const sp = servicePort({ affinityTimeoutSeconds: 600 });
    const text = render([sp], {
      affinityElements: new Map([[affinitySetName(sp, a), [{ ip: '192.0.2.99', expiresSeconds: 42 }]]]),
    });
    expect(chain(text, clusterChainName(sp)).slice(1, 3)).toEqual([
      `ip saddr @${affinitySetName(sp, a)} goto ${endpointChainName(sp, a)}`,
      `ip saddr @${affinitySetName(sp, b)} goto ${endpointChainName(sp, b)}`,
    ]);
    expect(chain(text, endpointChainName(sp, a))).toEqual([
      'ip saddr 10.88.0.2 jump mark-for-masquerade',
      `update @${affinitySetName(sp, a)} { ip saddr }`,
      'meta l4proto tcp dnat to 10.88.0.2:8080',
    ]);
    expect(text).toContain(
      `\tset ${affinitySetName(sp, a)} {\n\t\ttype ipv4_addr\n\t\tflags dynamic,timeout\n\t\ttimeout 600s\n\t\telements = { 192.0.2.99 timeout 600s expires 42s }\n\t}`,
    );
    expect(text).toContain(
      `\tset ${affinitySetName(sp, b)} {\n\t\ttype ipv4_addr\n\t\tflags dynamic,timeout\n\t\ttimeout 600s\n\t}`,
    );
  });

  it('names chains as kube-proxy does: prefix, 8 base32 characters of a hash, the service port', () => {
    const sp = servicePort();
    expect(clusterChainName(sp)).toMatch(/^service-[A-Z2-7]{8}-default\/web\/tcp\/http$/);
    expect(endpointChainName(sp, a)).toMatch(
      /^endpoint-[A-Z2-7]{8}-default\/web\/tcp\/http__10\.88\.0\.2\/8080$/,
    );
    expect(endpointChainName(sp, a)).not.toBe(endpointChainName(sp, b));
    const long = servicePort({ namespace: 'n'.repeat(63), name: 's'.repeat(63) });
    expect(endpointChainName(long, a).length).toBeLessThanOrEqual(128);
    expect(endpointChainName(long, a).endsWith('...')).toBe(true);
  });

  it.skipIf(process.getuid?.() !== 0)('is text nft accepts (nft -c, checks without applying)', () => {
    const text = render(
      [
        servicePort({ nodePort: 30080, externalIPs: ['192.0.2.10'], affinityTimeoutSeconds: 60 }),
        servicePort({ clusterIP: '10.96.0.11', protocol: 'udp', portName: '', port: 53 }),
        servicePort({ clusterIP: '10.96.0.12', protocol: 'sctp' }),
        servicePort({ clusterIP: '10.96.0.13', clusterEndpoints: [], nodePort: 30081 }),
        servicePort({ clusterIP: '10.96.0.14', nodePort: 30082, externalLocal: true, localEndpoints: [a] }),
        servicePort({ clusterIP: '10.96.0.15', internalLocal: true, localEndpoints: [] }),
      ],
      { tableName: 'skt-check' },
    );
    expect(() =>
      execFileSync('nft', ['-c', '-f', '-'], { input: text, stdio: ['pipe', 'pipe', 'pipe'] }),
    ).not.toThrow();
  });
});

describe('renderRulesetDelta', () => {
  const options = { tableName: 'skiff-proxy', podCIDR: '10.88.0.0/16' };
  const other = servicePort({ name: 'other', clusterIP: '10.96.0.20' });

  it('touches only the chains, sets and map elements that changed', () => {
    const before = servicePort({ affinityTimeoutSeconds: 60 });
    const after = servicePort({ affinityTimeoutSeconds: 60, clusterEndpoints: [a, c] });
    const delta = renderRulesetDelta(
      buildRuleset({ servicePorts: [before, other] }, options),
      buildRuleset({ servicePorts: [after, other] }, options),
    );
    const t = 'ip skiff-proxy';
    expect(delta.split('\n').filter(Boolean)).toEqual([
      `add set ${t} ${affinitySetName(after, c)} { type ipv4_addr; flags dynamic,timeout; timeout 60s; }`,
      `add chain ${t} ${endpointChainName(after, c)}`,
      `flush chain ${t} ${clusterChainName(after)}`,
      ...chain(renderRuleset({ servicePorts: [after] }, options), clusterChainName(after)).map(
        (rule) => `add rule ${t} ${clusterChainName(after)} ${rule}`,
      ),
      ...chain(renderRuleset({ servicePorts: [after] }, options), endpointChainName(after, c)).map(
        (rule) => `add rule ${t} ${endpointChainName(after, c)} ${rule}`,
      ),
      `flush chain ${t} ${endpointChainName(before, b)}`,
      `delete chain ${t} ${endpointChainName(before, b)}`,
      `delete set ${t} ${affinitySetName(before, b)}`,
    ]);
    expect(delta).not.toContain('other');
  });

  it('swaps map elements by key when a service loses its endpoints, and is empty when nothing changed', () => {
    const before = buildRuleset({ servicePorts: [servicePort()] }, options);
    const after = buildRuleset({ servicePorts: [servicePort({ clusterEndpoints: [] })] }, options);
    const delta = renderRulesetDelta(before, after);
    expect(delta).toContain('delete element ip skiff-proxy service-ips { 10.96.0.10 . tcp . 80 }');
    expect(delta).toContain(
      'add element ip skiff-proxy no-endpoint-services { 10.96.0.10 . tcp . 80 : goto reject-chain }',
    );
    expect(
      renderRulesetDelta(
        after,
        buildRuleset({ servicePorts: [servicePort({ clusterEndpoints: [] })] }, options),
      ),
    ).toBe('');
  });

  it.skipIf(process.getuid?.() !== 0)('gives the kernel the same table as re-creating it would', () => {
    const table = 'skt-delta';
    const before = buildRuleset(
      { servicePorts: [servicePort({ affinityTimeoutSeconds: 60, nodePort: 30080 }), other] },
      { ...options, tableName: table },
    );
    const after = buildRuleset(
      {
        servicePorts: [
          servicePort({ affinityTimeoutSeconds: 60, nodePort: 30080, clusterEndpoints: [c] }),
          servicePort({ name: 'new', clusterIP: '10.96.0.30', protocol: 'udp' }),
        ],
      },
      { ...options, tableName: table },
    );
    const list = () => execFileSync('nft', ['list', 'table', 'ip', table], { encoding: 'utf8' });
    try {
      execFileSync('nft', ['-f', '-'], { input: before.text });
      execFileSync('nft', ['-f', '-'], { input: renderRulesetDelta(before, after) });
      const viaDelta = list();
      execFileSync('nft', ['-f', '-'], { input: after.text });
      const recreated = list();
      const normalize = (text: string) =>
        text
          .split('\n')
          .map((line) => line.trim())
          .sort();
      expect(normalize(viaDelta)).toEqual(normalize(recreated));
    } finally {
      execFileSync('sh', ['-c', `nft add table ip ${table}; nft delete table ip ${table}`]);
    }
  });
});
