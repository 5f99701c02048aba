/**
 * The service CIDR's sink: a route that keeps cluster-IP traffic nothing matched (a port the Service does
 * not have, a Service just deleted) from leaving by the default route.
 *
 *   ip link add skiffsvc0 type veth peer name skiffsvc0p;  ip link set skiffsvc0 up
 *   ip route replace 10.96.0.0/12 dev skiffsvc0
 *
 * Why a veth: these kernels have no dummy interfaces, and a blackhole/unreachable route fails a host's
 * connect() before the OUTPUT hook can DNAT it. Through the (carrier-less) veth the host's packets are
 * DNATed and re-routed to the pod; unmatched ones die as TX drops.
 */
import { type Host, run } from './host.js';

export interface ServiceSink {
  readonly device: string;
  readonly cidr: string;
  /** Whether the device was made here (and so is deleted on removal). */
  readonly created: boolean;
}

export async function createServiceSink(host: Host, device: string, cidr: string): Promise<ServiceSink> {
  const exists = (await host.exec('ip', ['link', 'show', 'dev', device])).code === 0;
  if (!exists) await run(host, 'ip', ['link', 'add', device, 'type', 'veth', 'peer', 'name', `${device}p`]);
  await run(host, 'ip', ['link', 'set', device, 'up']);
  await run(host, 'ip', ['route', 'replace', cidr, 'dev', device]);
  return { device, cidr, created: !exists };
}

export async function removeServiceSink(host: Host, sink: ServiceSink): Promise<void> {
  await host.exec('ip', ['route', 'del', sink.cidr, 'dev', sink.device]);
  // Deleting one end of a veth deletes its peer. A device found at start (a previous run's) goes too:
  // the name is the proxy's own.
  await host.exec('ip', ['link', 'del', sink.device]);
}
