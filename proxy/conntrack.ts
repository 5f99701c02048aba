/**
 * Stale UDP flows. UDP has no connection to close, so conntrack keeps sending a client's datagrams to the
 * endpoint it first picked (or on to a REJECT it first met) for as long as the client keeps talking. After a
 * sync, as kube-proxy does (pkg/proxy/conntrack), the proxy deletes:
 *
 *   - for each UDP endpoint that went away: the flows DNATed to it, by service address and port
 *       conntrack -D -p udp --orig-dst 10.96.0.10 --orig-port-dst 53 --dst-nat 10.88.0.5
 *     and, for a NodePort, by node port
 *       conntrack -D -p udp --orig-port-dst 30053 --dst-nat 10.88.0.5
 *   - for each UDP service port that had no endpoints and now has some: every flow to it (they were
 *     rejected, and the reject is cached in the flow)
 *       conntrack -D -p udp --orig-dst 10.96.0.10 --orig-port-dst 53
 *
 * `staleFlows` is pure; `clearFlows` runs the deletions.
 */
import type { Host } from './host.js';
import { type EndpointModel, type ProxyModel, type ServicePortModel, servicePortKey } from './types.js';

/** One `conntrack -D` filter, as its arguments. */
export type FlowFilter = readonly string[];

function endpointsUsed(servicePort: ServicePortModel): EndpointModel[] {
  const all = new Map<string, EndpointModel>();
  for (const endpoint of [...servicePort.clusterEndpoints, ...servicePort.localEndpoints]) {
    all.set(`${endpoint.ip}:${endpoint.port}`, endpoint);
  }
  return [...all.values()];
}

function serviceAddresses(servicePort: ServicePortModel): string[] {
  return [servicePort.clusterIP, ...servicePort.externalIPs, ...servicePort.loadBalancerIPs];
}

export function staleFlows(previous: ProxyModel, next: ProxyModel): FlowFilter[] {
  const nextByKey = new Map(
    next.servicePorts.map((servicePort) => [servicePortKey(servicePort), servicePort]),
  );
  const filters: FlowFilter[] = [];
  const seen = new Set<string>();
  const add = (filter: string[]) => {
    const key = filter.join(' ');
    if (seen.has(key)) return;
    seen.add(key);
    filters.push(filter);
  };

  for (const before of previous.servicePorts) {
    if (before.protocol !== 'udp') continue;
    const after = nextByKey.get(servicePortKey(before));
    const remaining = new Set((after ? endpointsUsed(after) : []).map((e) => `${e.ip}:${e.port}`));
    for (const endpoint of endpointsUsed(before)) {
      if (remaining.has(`${endpoint.ip}:${endpoint.port}`)) continue;
      for (const address of serviceAddresses(before)) {
        add([
          '-p',
          'udp',
          '--orig-dst',
          address,
          '--orig-port-dst',
          String(before.port),
          '--dst-nat',
          endpoint.ip,
        ]);
      }
      if (before.nodePort !== 0) {
        add(['-p', 'udp', '--orig-port-dst', String(before.nodePort), '--dst-nat', endpoint.ip]);
      }
    }
  }

  const previousByKey = new Map(
    previous.servicePorts.map((servicePort) => [servicePortKey(servicePort), servicePort]),
  );
  for (const after of next.servicePorts) {
    if (after.protocol !== 'udp' || endpointsUsed(after).length === 0) continue;
    const before = previousByKey.get(servicePortKey(after));
    if (before && endpointsUsed(before).length > 0) continue;
    for (const address of serviceAddresses(after)) {
      add(['-p', 'udp', '--orig-dst', address, '--orig-port-dst', String(after.port)]);
    }
    if (after.nodePort !== 0) add(['-p', 'udp', '--orig-port-dst', String(after.nodePort)]);
  }
  return filters;
}

/** Runs the deletions; "0 flow entries" (exit code 1) is not a failure. Returns the failures' messages. */
export async function clearFlows(host: Host, filters: readonly FlowFilter[]): Promise<string[]> {
  const failures: string[] = [];
  for (const filter of filters) {
    const result = await host.exec('conntrack', ['-D', ...filter]);
    if (result.code !== 0 && !/0 flow entries/.test(result.stderr)) {
      failures.push(`conntrack -D ${filter.join(' ')}: ${result.stderr.trim()}`);
    }
  }
  return failures;
}
