/**
 * The canonical form of Endpoints subsets (upstream's RepackSubsets and SortSubsets in
 * pkg/api/v1/endpoints): every address appears once per port set, addresses offering exactly the same
 * ports (with the same readiness on each) share one subset.
 *
 *   in:  [{addresses: [a], ports: [80]}, {addresses: [a], ports: [443]}, {notReadyAddresses: [b], ports: [80]}]
 *   out: [{addresses: [a], ports: [443]}, {addresses: [a], notReadyAddresses: [b], ports: [80]}]
 *
 * An address is identified by its IP and its targetRef's uid; when one address is both ready and not
 * ready for a port, not ready wins. Addresses sort by IP, then uid; ports and subsets by the md5 of their
 * Go dump (go-hash.ts), which is what fixes the order Kubernetes shows them in. A subset without ports
 * (a headless service with none) keeps its addresses with no ports.
 */
import { dumpEndpointPort, dumpEndpointSubset, md5Of } from './go-hash.js';
import type { EndpointAddress, EndpointPort, EndpointSubset } from './types.js';

interface PortGroup {
  /** undefined: the stand-in for "no ports" (upstream's port -1). */
  readonly port: EndpointPort | undefined;
  /** Address key → ready on this port. */
  readonly readiness: Map<string, boolean>;
}

function addressKey(address: EndpointAddress): string {
  return JSON.stringify([address.ip, address.targetRef?.uid ?? '']);
}

function portKey(port: EndpointPort | undefined): string {
  return port === undefined
    ? '-'
    : JSON.stringify([port.name ?? '', port.port, port.protocol ?? '', port.appProtocol ?? null]);
}

export function repackSubsets(subsets: readonly EndpointSubset[]): EndpointSubset[] {
  // First seen wins: the full address kept for each (ip, uid).
  const addresses = new Map<string, EndpointAddress>();
  const byPort = new Map<string, PortGroup>();
  const note = (address: EndpointAddress, port: EndpointPort | undefined, ready: boolean) => {
    const key = addressKey(address);
    if (!addresses.has(key)) addresses.set(key, address);
    const id = portKey(port);
    let group = byPort.get(id);
    if (!group) byPort.set(id, (group = { port, readiness: new Map() }));
    const was = group.readiness.get(key);
    if (was === undefined || was) group.readiness.set(key, ready);
  };
  for (const subset of subsets) {
    const ports: (EndpointPort | undefined)[] =
      subset.ports && subset.ports.length > 0 ? subset.ports : [undefined];
    for (const port of ports) {
      for (const address of subset.addresses ?? []) note(address, port, true);
      for (const address of subset.notReadyAddresses ?? []) note(address, port, false);
    }
  }

  // Ports whose address sets (with readiness) are identical share a subset.
  const bySet = new Map<string, { readiness: Map<string, boolean>; ports: EndpointPort[] }>();
  for (const group of byPort.values()) {
    const setKey = JSON.stringify([...group.readiness].sort(([a], [b]) => compareStrings(a, b)));
    let entry = bySet.get(setKey);
    if (!entry) bySet.set(setKey, (entry = { readiness: group.readiness, ports: [] }));
    if (group.port !== undefined) entry.ports.push(group.port);
  }

  const repacked: EndpointSubset[] = [];
  for (const { readiness, ports } of bySet.values()) {
    const ready: EndpointAddress[] = [];
    const notReady: EndpointAddress[] = [];
    for (const [key, isReady] of readiness) (isReady ? ready : notReady).push(addresses.get(key)!);
    repacked.push({
      ...(ready.length > 0 ? { addresses: ready } : {}),
      ...(notReady.length > 0 ? { notReadyAddresses: notReady } : {}),
      ...(ports.length > 0 ? { ports } : {}),
    });
  }
  return sortSubsets(repacked);
}

/** Upstream's SortSubsets: addresses by IP then uid, ports and then subsets by the md5 of their Go dump. */
export function sortSubsets(subsets: EndpointSubset[]): EndpointSubset[] {
  for (const subset of subsets) {
    subset.addresses?.sort(compareAddresses);
    subset.notReadyAddresses?.sort(compareAddresses);
    if (subset.ports) subset.ports = sortByHash(subset.ports, dumpEndpointPort);
  }
  return sortByHash(subsets, dumpEndpointSubset);
}

function sortByHash<T>(items: T[], dump: (item: T) => string): T[] {
  const hashed = items.map((item) => ({ item, hash: md5Of(dump(item)) }));
  hashed.sort((a, b) => Buffer.compare(a.hash, b.hash));
  return hashed.map(({ item }) => item);
}

/** Upstream's LessEndpointAddress, as a comparator: by IP bytes, then an address without a target first. */
export function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  const byIP = compareStrings(a.ip, b.ip);
  if (byIP !== 0) return byIP;
  if (!a.targetRef || !b.targetRef) return (a.targetRef ? 1 : 0) - (b.targetRef ? 1 : 0);
  return compareStrings(a.targetRef.uid ?? '', b.targetRef.uid ?? '');
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
