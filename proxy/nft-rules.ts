/**
 * The proxy's whole nftables table, as `nft -f` text, from the model: pure. The layout is kube-proxy's
 * nftables mode (pkg/proxy/nftables), so what an operator knows from `nft list table ip kube-proxy` holds:
 *
 *   nat-prerouting / nat-output ──► services ──► @service-ips vmap        (cluster, external, LB IPs)
 *                                             └► @service-nodeports vmap  (daddr is a local address)
 *        service-… ─ affinity hits, then numgen random mod N vmap ─► endpoint-… (hairpin mark, DNAT)
 *        external-… ─ mark for masquerade (Cluster policy) or short-circuit local/pod traffic (Local)
 *   filter-input / -forward / -output (ct state new) ──► endpoints-check
 *        @no-endpoint-services / @no-endpoint-nodeports: `goto reject-chain` (no endpoints at all) or
 *        `drop` (a Local policy with none on this node)
 *   nat-postrouting ──► masquerading: masquerade what carries the 0x4000 mark
 *
 * One difference on purpose: NodePorts answer on 127.0.0.1 too (kube-proxy's iptables mode does, its
 * nftables mode does not). Traffic from 127.0.0.0/8 leaves the host only masqueraded, and the proxy sets
 * route_localnet so the kernel routes it at all.
 *
 * The text replaces the table atomically: `add table` (so the delete cannot fail), `delete table`, then the
 * full definition, applied by one `nft -f -`, which is one kernel transaction. Nothing outside the table is
 * touched. ClientIP affinity state lives in the table's sets; the caller reads it before a rewrite and passes
 * it back as `affinityElements` so a resync does not forget who was pinned where.
 */
import {
  affinitySetName,
  clusterChainName,
  endpointChainName,
  externalChainName,
  localChainName,
} from './names.js';
import type { ProxyModel, ServicePortModel } from './types.js';

export interface RenderOptions {
  readonly tableName: string;
  /** The pod network: traffic to a cluster IP from outside it is masqueraded (kube-proxy's local detector). */
  readonly podCIDR?: string;
  /** Bit that marks a connection for masquerading. Default 0x4000 (kube-proxy's). */
  readonly masqueradeMark?: number;
  /** Where NodePorts answer: 'all' local addresses (default), or only these. */
  readonly nodePortAddresses?: 'all' | readonly string[];
  /** Live entries of affinity sets to carry over, by set name. */
  readonly affinityElements?: ReadonlyMap<string, readonly AffinityElement[]>;
}

export interface AffinityElement {
  readonly ip: string;
  /** Seconds left before the entry expires. */
  readonly expiresSeconds: number;
}

const hex = (value: number) => `0x${value.toString(16)}`;

type Item =
  | {
      readonly kind: 'chain';
      readonly name: string;
      readonly hook?: string;
      readonly rules: readonly string[];
    }
  | { readonly kind: 'set'; readonly name: string; readonly lines: readonly string[] }
  | {
      readonly kind: 'map';
      readonly name: string;
      readonly type: string;
      readonly elements: readonly string[];
    };

/** The table's contents, in definition order: what the full text and the delta are both written from. */
export class Ruleset {
  readonly items: Item[] = [];
  constructor(readonly tableName: string) {}
  chain(name: string, rules: readonly string[], hook?: string): void {
    this.items.push({ kind: 'chain', name, rules, ...(hook ? { hook } : {}) });
  }
  map(name: string, type: string, elements: readonly string[]): void {
    this.items.push({ kind: 'map', name, type, elements });
  }
  set(name: string, lines: readonly string[]): void {
    this.items.push({ kind: 'set', name, lines });
  }
  /** The whole table, replacing whatever is there. */
  get text(): string {
    const lines: string[] = [];
    for (const item of this.items) {
      if (item.kind === 'chain') {
        lines.push(`\tchain ${item.name} {`);
        if (item.hook) lines.push(`\t\t${item.hook}`);
        for (const rule of item.rules) lines.push(`\t\t${rule}`);
        lines.push('\t}');
      } else if (item.kind === 'set') {
        lines.push(`\tset ${item.name} {`, ...item.lines.map((line) => `\t\t${line}`), '\t}');
      } else {
        lines.push(`\tmap ${item.name} {`, `\t\ttype ${item.type}`);
        if (item.elements.length > 0) lines.push(`\t\telements = { ${item.elements.join(',\n\t\t\t')} }`);
        lines.push('\t}');
      }
    }
    const table = this.tableName;
    return [
      `add table ip ${table}`,
      `delete table ip ${table}`,
      `table ip ${table} {`,
      '\tcomment "rules for skiff\'s service proxy"',
      ...lines,
      '}',
      '',
    ].join('\n');
  }
}

export function renderRuleset(model: ProxyModel, options: RenderOptions): string {
  return buildRuleset(model, options).text;
}

export function buildRuleset(model: ProxyModel, options: RenderOptions): Ruleset {
  const mark = hex(options.masqueradeMark ?? 0x4000);
  const nodePortAddresses = options.nodePortAddresses ?? 'all';
  const nodePortMatch = nodePortAddresses === 'all' ? 'fib daddr type local' : 'ip daddr @nodeport-ips';
  const out = new Ruleset(options.tableName);

  // Base chains: the filter ones run just before DNAT, so they see the service address (kube-proxy's -101).
  out.chain(
    'filter-input',
    ['ct state new jump endpoints-check'],
    'type filter hook input priority -101; policy accept;',
  );
  out.chain(
    'filter-forward',
    ['ct state new jump endpoints-check', 'jump forward'],
    'type filter hook forward priority -101; policy accept;',
  );
  out.chain(
    'filter-output',
    ['ct state new jump endpoints-check'],
    'type filter hook output priority -101; policy accept;',
  );
  out.chain('nat-prerouting', ['jump services'], 'type nat hook prerouting priority dstnat; policy accept;');
  // nft 1.0.6 refuses the name `dstnat` on the output hook.
  out.chain('nat-output', ['jump services'], 'type nat hook output priority -100; policy accept;');
  out.chain(
    'nat-postrouting',
    ['jump masquerading'],
    'type nat hook postrouting priority srcnat; policy accept;',
  );

  out.chain('mark-for-masquerade', [`meta mark set meta mark or ${mark}`]);
  out.chain('masquerading', [
    `meta mark & ${mark} == 0 return`,
    `meta mark set meta mark xor ${mark}`,
    'masquerade fully-random',
  ]);
  out.chain('forward', ['ct state invalid drop']);
  out.chain('reject-chain', ['reject']);
  out.chain('endpoints-check', [
    'ip daddr . meta l4proto . th dport vmap @no-endpoint-services',
    `${nodePortMatch} meta l4proto . th dport vmap @no-endpoint-nodeports`,
  ]);
  out.chain('services', [
    'ip daddr . meta l4proto . th dport vmap @service-ips',
    `${nodePortMatch} meta l4proto . th dport vmap @service-nodeports`,
  ]);
  if (nodePortAddresses !== 'all') {
    out.set('nodeport-ips', [
      'type ipv4_addr',
      ...(nodePortAddresses.length > 0 ? [`elements = { ${nodePortAddresses.join(', ')} }`] : []),
    ]);
  }

  const serviceIPs: string[] = [];
  const serviceNodePorts: string[] = [];
  const noEndpointServices: string[] = [];
  const noEndpointNodePorts: string[] = [];

  for (const servicePort of model.servicePorts) {
    writeServicePort(out, servicePort, options, {
      serviceIPs,
      serviceNodePorts,
      noEndpointServices,
      noEndpointNodePorts,
    });
  }

  out.map('service-ips', 'ipv4_addr . inet_proto . inet_service : verdict', serviceIPs);
  out.map('service-nodeports', 'inet_proto . inet_service : verdict', serviceNodePorts);
  out.map('no-endpoint-services', 'ipv4_addr . inet_proto . inet_service : verdict', noEndpointServices);
  out.map('no-endpoint-nodeports', 'inet_proto . inet_service : verdict', noEndpointNodePorts);

  return out;
}

interface Maps {
  readonly serviceIPs: string[];
  readonly serviceNodePorts: string[];
  readonly noEndpointServices: string[];
  readonly noEndpointNodePorts: string[];
}

function writeServicePort(
  out: Ruleset,
  servicePort: ServicePortModel,
  options: RenderOptions,
  maps: Maps,
): void {
  const { protocol, port, clusterIP, nodePort } = servicePort;
  const externalAddresses = [...servicePort.externalIPs, ...servicePort.loadBalancerIPs];
  const externallyAccessible = nodePort !== 0 || externalAddresses.length > 0;
  const clusterEndpoints = servicePort.clusterEndpoints;
  const localEndpoints = servicePort.localEndpoints;
  const hasEndpoints = clusterEndpoints.length > 0;
  // Even with a Local external policy the cluster chain is needed: local and pod traffic short-circuits to it.
  const usesClusterEndpoints = !servicePort.internalLocal || externallyAccessible;
  const usesLocalEndpoints = servicePort.internalLocal || (externallyAccessible && servicePort.externalLocal);
  const usesClusterChain = hasEndpoints && usesClusterEndpoints;
  const usesLocalChain = localEndpoints.length > 0 && usesLocalEndpoints;
  const clusterChain = clusterChainName(servicePort);
  const localChain = localChainName(servicePort);
  const externalChain = externalChainName(servicePort);
  const hasInternalEndpoints = servicePort.internalLocal ? localEndpoints.length > 0 : hasEndpoints;
  const hasExternalEndpoints = servicePort.externalLocal ? localEndpoints.length > 0 : hasEndpoints;
  const internalChain = servicePort.internalLocal ? localChain : clusterChain;
  const externalPolicyChain = servicePort.externalLocal ? localChain : clusterChain;
  const usesExternalChain = hasEndpoints && externallyAccessible;
  // No endpoints anywhere: refuse the connection. A Local policy with none here: drop it silently.
  const internalVerdict = hasEndpoints ? 'drop' : 'goto reject-chain';
  const externalVerdict = hasEndpoints ? 'drop' : 'goto reject-chain';
  const key = (address: string, p: number) => `${address} . ${protocol} . ${p}`;

  if (hasInternalEndpoints) maps.serviceIPs.push(`${key(clusterIP, port)} : goto ${internalChain}`);
  else maps.noEndpointServices.push(`${key(clusterIP, port)} : ${internalVerdict}`);
  for (const address of externalAddresses) {
    if (hasEndpoints) maps.serviceIPs.push(`${key(address, port)} : goto ${externalChain}`);
    if (!hasExternalEndpoints) maps.noEndpointServices.push(`${key(address, port)} : ${externalVerdict}`);
  }
  if (nodePort !== 0) {
    if (hasEndpoints) maps.serviceNodePorts.push(`${protocol} . ${nodePort} : goto ${externalChain}`);
    if (!hasExternalEndpoints)
      maps.noEndpointNodePorts.push(`${protocol} . ${nodePort} : ${externalVerdict}`);
  }

  const affinity = servicePort.affinityTimeoutSeconds;
  const reachable = new Map<string, (typeof clusterEndpoints)[number]>();
  if (usesClusterChain)
    for (const endpoint of clusterEndpoints) reachable.set(`${endpoint.ip}:${endpoint.port}`, endpoint);
  if (usesLocalChain)
    for (const endpoint of localEndpoints) reachable.set(`${endpoint.ip}:${endpoint.port}`, endpoint);

  if (usesExternalChain) {
    const rules: string[] = [];
    if (!servicePort.externalLocal) {
      // The endpoint may be on another node: masquerade so the reply comes back through here.
      rules.push('jump mark-for-masquerade');
    } else {
      // Pods and the host itself reach the service as if from inside, whatever the external policy.
      if (options.podCIDR) rules.push(`ip saddr ${options.podCIDR} goto ${clusterChain}`);
      rules.push(
        'fib saddr type local jump mark-for-masquerade',
        `fib saddr type local goto ${clusterChain}`,
      );
    }
    if (hasExternalEndpoints) rules.push(`goto ${externalPolicyChain}`);
    out.chain(externalChain, rules);
  }

  if (usesClusterChain) {
    const rules: string[] = [];
    if (!servicePort.internalLocal && options.podCIDR) {
      // From outside the pod network (the host, a routed client): masquerade, as kube-proxy does.
      rules.push(
        `ip daddr ${clusterIP} ${protocol} dport ${port} ip saddr != ${options.podCIDR} jump mark-for-masquerade`,
      );
    }
    rules.push(...dispatchRules(servicePort, clusterEndpoints));
    out.chain(clusterChain, rules);
  }
  if (usesLocalChain) out.chain(localChain, dispatchRules(servicePort, localEndpoints));

  for (const endpoint of reachable.values()) {
    const setName = affinitySetName(servicePort, endpoint);
    if (affinity !== undefined) {
      const carried = options.affinityElements?.get(setName) ?? [];
      out.set(setName, [
        'type ipv4_addr',
        'flags dynamic,timeout',
        `timeout ${affinity}s`,
        ...(carried.length > 0
          ? [
              `elements = { ${carried
                .map(
                  (element) =>
                    `${element.ip} timeout ${affinity}s expires ${Math.max(1, element.expiresSeconds)}s`,
                )
                .join(', ')} }`,
            ]
          : []),
      ]);
    }
    out.chain(endpointChainName(servicePort, endpoint), [
      // Hairpin: a pod reaching itself through the service must see the reply come from the service.
      `ip saddr ${endpoint.ip} jump mark-for-masquerade`,
      ...(affinity !== undefined ? [`update @${setName} { ip saddr }`] : []),
      `meta l4proto ${protocol} dnat to ${endpoint.ip}:${endpoint.port}`,
    ]);
  }
}

/** Affinity hits first (straight to the pinned endpoint), then a random pick among all of them. */
function dispatchRules(
  servicePort: ServicePortModel,
  endpoints: ServicePortModel['clusterEndpoints'],
): string[] {
  const rules: string[] = [];
  if (servicePort.affinityTimeoutSeconds !== undefined) {
    for (const endpoint of endpoints) {
      rules.push(
        `ip saddr @${affinitySetName(servicePort, endpoint)} goto ${endpointChainName(servicePort, endpoint)}`,
      );
    }
  }
  const choices = endpoints.map((endpoint, i) => `${i} : goto ${endpointChainName(servicePort, endpoint)}`);
  rules.push(`numgen random mod ${endpoints.length} vmap { ${choices.join(', ')} }`);
  return rules;
}

/** Removes the table; `add` first so it succeeds when the table is already gone. */
export function renderTableRemoval(tableName: string): string {
  return `add table ip ${tableName}\ndelete table ip ${tableName}\n`;
}

/**
 * The change from `previous` (what the kernel holds) to `next`, as one transaction of incremental
 * commands, so a one-endpoint change costs a few chains instead of the whole table (kube-proxy's partial
 * sync). Order matters within the transaction:
 *
 *   add sets → add new chains → refill changed chains → map elements out, then in → flush dropped chains (so none jumps to
 *   another) → delete them → delete dropped sets
 *
 * kube-proxy deletes dropped chains one sync later, having seen kernels refuse (EBUSY) a chain whose map
 * element went in the same transaction; the kernels here accept it. Should one refuse, the caller falls
 * back to re-creating the table, which cannot meet that problem. '' means nothing changed.
 */
export function renderRulesetDelta(previous: Ruleset, next: Ruleset): string {
  const table = next.tableName;
  const index = (ruleset: Ruleset) =>
    new Map(ruleset.items.map((item) => [`${item.kind} ${item.name}`, item]));
  const before = index(previous);
  const after = index(next);
  const lines: string[] = [];

  for (const [key, item] of after) {
    if (item.kind !== 'set') continue;
    const old = before.get(key);
    if (old && old.kind === 'set' && sameLines(withoutElements(old.lines), withoutElements(item.lines)))
      continue;
    if (old) lines.push(`delete set ip ${table} ${item.name}`);
    lines.push(`add set ip ${table} ${item.name} { ${withoutElements(item.lines).join('; ')}; }`);
  }
  // Every new chain exists before any rule jumps to it.
  const changed = [...after].filter(([key, item]) => {
    const old = before.get(key);
    return item.kind === 'chain' && !(old?.kind === 'chain' && sameLines(old.rules, item.rules));
  });
  for (const [key, item] of changed) if (!before.has(key)) lines.push(`add chain ip ${table} ${item.name}`);
  for (const [key, item] of changed) {
    if (item.kind !== 'chain') continue;
    if (before.has(key)) lines.push(`flush chain ip ${table} ${item.name}`);
    for (const rule of item.rules) lines.push(`add rule ip ${table} ${item.name} ${rule}`);
  }
  for (const [key, item] of after) {
    if (item.kind !== 'map') continue;
    const old = before.get(key);
    const oldElements = new Set(old?.kind === 'map' ? old.elements : []);
    const newElements = new Set(item.elements);
    const removed = [...oldElements].filter((element) => !newElements.has(element));
    const added = [...newElements].filter((element) => !oldElements.has(element));
    if (removed.length > 0) {
      const keys = removed.map((element) => element.slice(0, element.indexOf(' : ')));
      lines.push(`delete element ip ${table} ${item.name} { ${keys.join(', ')} }`);
    }
    if (added.length > 0) lines.push(`add element ip ${table} ${item.name} { ${added.join(', ')} }`);
  }
  const dropped = [...before].filter(([key, item]) => item.kind === 'chain' && !after.has(key));
  for (const [, item] of dropped) lines.push(`flush chain ip ${table} ${item.name}`);
  for (const [, item] of dropped) lines.push(`delete chain ip ${table} ${item.name}`);
  for (const [key, item] of before) {
    if (item.kind === 'set' && !after.has(key)) lines.push(`delete set ip ${table} ${item.name}`);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

const withoutElements = (lines: readonly string[]) => lines.filter((line) => !line.startsWith('elements'));

function sameLines(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((line, i) => line === b[i]);
}
