/**
 * Services and Endpoints, with the printers behind `kubectl get svc` and `kubectl get ep`.
 *
 *   NAME   TYPE           CLUSTER-IP   EXTERNAL-IP   PORT(S)                     AGE
 *   web    LoadBalancer   10.96.0.12   203.0.113.7   80:30080/TCP,443:30443/TCP  5m
 *   db     ClusterIP      None         <none>        5432/TCP                    2d
 */
import { ageColumn, compareStrings, formatLabels, nameColumn } from '../printers.js';
import type { KubeObject, ResourceDefinition } from '../resource.js';
import { asArray, asInteger, asString, readPath } from './json.js';

/**
 * The addresses a load balancer reports, IP when it has one, else hostname: de-duplicated and sorted.
 * (The API server prints wide, so the list is not clipped as kubectl's client-side printer would.)
 */
export function loadBalancerAddresses(ingress: unknown): string {
  const addresses = new Set<string>();
  for (const entry of asArray(ingress)) {
    const ip = asString(readPath(entry, 'ip'));
    const hostname = asString(readPath(entry, 'hostname'));
    if (ip !== '') addresses.add(ip);
    else if (hostname !== '') addresses.add(hostname);
  }
  return [...addresses].sort(compareStrings).join(',');
}

function clusterIP(service: KubeObject): string {
  const first = asString(readPath(service, 'spec', 'clusterIPs', 0));
  // Objects written before clusterIPs existed carry only clusterIP; upstream fills clusterIPs on read.
  const ip = first !== '' ? first : asString(readPath(service, 'spec', 'clusterIP'));
  return ip === '' ? '<none>' : ip;
}

function externalIP(service: KubeObject): string {
  const externalIPs = asArray(readPath(service, 'spec', 'externalIPs')).map(asString);
  switch (asString(readPath(service, 'spec', 'type'))) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const balancer = loadBalancerAddresses(readPath(service, 'status', 'loadBalancer', 'ingress'));
      if (externalIPs.length > 0)
        return [...(balancer === '' ? [] : balancer.split(',')), ...externalIPs].join(',');
      return balancer === '' ? '<pending>' : balancer;
    }
    case 'ExternalName':
      return asString(readPath(service, 'spec', 'externalName'));
    default:
      return '<unknown>';
  }
}

/** `80/TCP`, or `80:30080/TCP` when a node port is allocated, comma-separated. */
function ports(service: KubeObject): string {
  const pieces = asArray(readPath(service, 'spec', 'ports')).map((port) => {
    const number = asInteger(readPath(port, 'port'));
    const nodePort = asInteger(readPath(port, 'nodePort'));
    const protocol = asString(readPath(port, 'protocol'));
    return nodePort > 0 ? `${number}:${nodePort}/${protocol}` : `${number}/${protocol}`;
  });
  return pieces.length === 0 ? '<none>' : pieces.join(',');
}

export const services: ResourceDefinition = {
  group: '',
  version: 'v1',
  kind: 'Service',
  plural: 'services',
  singular: 'service',
  namespaced: true,
  shortNames: ['svc'],
  categories: ['all'],
  schema: 'io.k8s.api.core.v1.Service',
  // The proxy subresource is served outside the generic handler.
  subresources: { status: true },
  allowCreateOnUpdate: true,
  returnDeletedObject: true,
  columns: [
    nameColumn,
    {
      name: 'Type',
      type: 'string',
      description: 'How the service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName.',
      cell: (service) => asString(readPath(service, 'spec', 'type')),
    },
    {
      name: 'Cluster-IP',
      type: 'string',
      description: "The service's virtual IP inside the cluster (None for a headless service).",
      cell: clusterIP,
    },
    {
      name: 'External-IP',
      type: 'string',
      description:
        'Addresses reaching the service from outside: external IPs, load balancer ingress, or the external name.',
      cell: externalIP,
    },
    {
      name: 'Port(s)',
      type: 'string',
      description: 'Service ports with their node ports and protocols.',
      cell: ports,
    },
    ageColumn,
    {
      name: 'Selector',
      type: 'string',
      priority: 1,
      description: 'The labels of the pods that back the service.',
      cell: (service) => formatLabels(readPath(service, 'spec', 'selector')),
    },
  ],
  fieldSelectors: {
    'spec.clusterIP': (service) => asString(readPath(service, 'spec', 'clusterIP')),
    'spec.type': (service) => asString(readPath(service, 'spec', 'type')),
  },
};

/** Go's net.JoinHostPort: an IPv6 address goes in brackets. */
function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The first three endpoints as `ip:port` (a bare IP for a subset without ports), then `+ N more...`.
 * Every address counts once per port; `<none>` when there are no subsets at all.
 */
function formatEndpoints(endpoints: KubeObject): string {
  const subsets = asArray(endpoints.subsets);
  if (subsets.length === 0) return '<none>';
  const shown = 3;
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const subset of subsets) {
    const addresses = asArray(readPath(subset, 'addresses')).map((address) =>
      asString(readPath(address, 'ip')),
    );
    const subsetPorts = asArray(readPath(subset, 'ports'));
    // A headless service without ports still has endpoints: list their bare IPs.
    const renderings =
      subsetPorts.length === 0
        ? [(ip: string) => ip]
        : subsetPorts.map((port) => (ip: string) => joinHostPort(ip, asInteger(readPath(port, 'port'))));
    for (const render of renderings) {
      count += addresses.length;
      for (const ip of addresses) {
        if (list.length === shown) {
          more = true;
          break;
        }
        list.push(render(ip));
      }
    }
  }
  const joined = list.join(',');
  return more ? `${joined} + ${count - shown} more...` : joined;
}

export const endpoints: ResourceDefinition = {
  group: '',
  version: 'v1',
  kind: 'Endpoints',
  plural: 'endpoints',
  // Upstream's singular is the plural word itself.
  singular: 'endpoints',
  namespaced: true,
  shortNames: ['ep'],
  schema: 'io.k8s.api.core.v1.Endpoints',
  allowCreateOnUpdate: true,
  columns: [
    nameColumn,
    {
      name: 'Endpoints',
      type: 'string',
      description: 'The first few endpoint addresses, as ip:port.',
      cell: formatEndpoints,
    },
    ageColumn,
  ],
};
