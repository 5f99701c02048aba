/**
 * The kernel settings service proxying needs, set on start and put back on stop:
 *
 *   net/ipv4/conf/all/route_localnet = 1       NodePorts on 127.0.0.1: without it the kernel will not route
 *   net/ipv4/conf/<bridge>/route_localnet = 1  a 127.0.0.1-sourced packet, DNATed to a pod, off the host
 *   net/bridge/bridge-nf-call-iptables = 1     pod → ClusterIP → a pod on the same bridge: the reply is
 *                                              bridged, and must still pass conntrack to be un-DNATed
 *
 * Only what was changed is restored, to the value found; a key the kernel lacks (no bridge yet, no
 * br_netfilter) is skipped.
 */
import type { Host } from './host.js';

export interface SysctlChange {
  readonly key: string;
  readonly previous: string;
}

export function proxySysctls(bridges: readonly string[]): { key: string; value: string }[] {
  return [
    { key: 'net/ipv4/conf/all/route_localnet', value: '1' },
    ...bridges.map((bridge) => ({ key: `net/ipv4/conf/${bridge}/route_localnet`, value: '1' })),
    { key: 'net/bridge/bridge-nf-call-iptables', value: '1' },
  ];
}

/** Sets each key that differs; returns what it changed, for `restoreSysctls`. */
export async function applySysctls(
  host: Host,
  settings: readonly { key: string; value: string }[],
): Promise<SysctlChange[]> {
  const changes: SysctlChange[] = [];
  for (const { key, value } of settings) {
    const previous = await host.readSysctl(key);
    if (previous === undefined || previous === value) continue;
    await host.writeSysctl(key, value);
    changes.push({ key, previous });
  }
  return changes;
}

export async function restoreSysctls(host: Host, changes: readonly SysctlChange[]): Promise<void> {
  for (const { key, previous } of [...changes].reverse()) {
    // The interface may be gone (a bridge deleted meanwhile): nothing left to restore.
    if ((await host.readSysctl(key)) === undefined) continue;
    await host.writeSysctl(key, previous);
  }
}
