/**
 * From Services and EndpointSlices to the proxy's model (types.ts): pure, so the rules a cluster state
 * produces can be tested without a kernel. The choices follow kube-proxy's (pkg/proxy: ServiceChangeTracker,
 * EndpointSliceCache, CategorizeEndpoints):
 *
 *   - a Service without a cluster IP (headless `None`, not yet allocated) or of type ExternalName is not
 *     proxied at all;
 *   - a ServicePort finds its endpoints in the Service's slices (label kubernetes.io/service-name) by port
 *     name and protocol; only IPv4 slices count;
 *   - an endpoint's missing conditions read as upstream reads them: ready unset → ready, serving unset →
 *     as ready, terminating unset → false;
 *   - usable endpoints are the ready ones; when there are none, the serving-but-terminating ones;
 *   - "local" endpoints are those whose nodeName is this node, chosen the same way among themselves.
 *
 * Example: endpoints A (ready), B (serving, terminating), C (ready, on this node)
 *   clusterEndpoints = [A, C]   localEndpoints = [C]
 * and with A and C gone: clusterEndpoints = [B], localEndpoints = [].
 */
import {
  type EndpointModel,
  type EndpointSlice,
  type EndpointSliceEndpoint,
  type Protocol,
  type ProxyModel,
  type Service,
  type ServicePortModel,
  servicePortKey,
} from './types.js';

export const serviceNameLabel = 'kubernetes.io/service-name';

/** Upstream's default ClientIP affinity timeout (3 hours). */
export const defaultAffinityTimeoutSeconds = 10_800;

export interface ModelOptions {
  /** This node: endpoints with this nodeName are local. */
  readonly nodeName: string;
}

const protocols: Readonly<Record<string, Protocol>> = { TCP: 'tcp', UDP: 'udp', SCTP: 'sctp' };

interface Candidate extends EndpointModel {
  readonly ready: boolean;
  readonly servingTerminating: boolean;
  readonly local: boolean;
}

function isProxied(service: Service): boolean {
  const clusterIP = service.spec?.clusterIP ?? '';
  if (service.spec?.type === 'ExternalName') return false;
  return clusterIP !== '' && clusterIP !== 'None' && !clusterIP.includes(':');
}

function conditionsOf(endpoint: EndpointSliceEndpoint): { ready: boolean; servingTerminating: boolean } {
  const ready = endpoint.conditions?.ready ?? true;
  const serving = endpoint.conditions?.serving ?? ready;
  const terminating = endpoint.conditions?.terminating ?? false;
  return { ready, servingTerminating: serving && terminating };
}

/** Ready ones, else serving-and-terminating ones; sorted and without duplicates. */
function usable(candidates: readonly Candidate[]): EndpointModel[] {
  const ready = candidates.filter((candidate) => candidate.ready);
  const chosen = ready.length > 0 ? ready : candidates.filter((candidate) => candidate.servingTerminating);
  const seen = new Map<string, EndpointModel>();
  for (const { ip, port } of chosen) seen.set(`${ip}:${port}`, { ip, port });
  return [...seen.values()].sort((a, b) => compareIPs(a.ip, b.ip) || a.port - b.port);
}

function compareIPs(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 4; i++) {
    const difference = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

export function buildProxyModel(
  services: readonly Service[],
  slices: readonly EndpointSlice[],
  options: ModelOptions,
): ProxyModel {
  const slicesByService = new Map<string, EndpointSlice[]>();
  for (const slice of slices) {
    const serviceName = slice.metadata?.labels?.[serviceNameLabel];
    if (!serviceName || (slice.addressType ?? 'IPv4') !== 'IPv4') continue;
    const key = `${slice.metadata?.namespace ?? ''}/${serviceName}`;
    const list = slicesByService.get(key);
    if (list) list.push(slice);
    else slicesByService.set(key, [slice]);
  }

  const servicePorts: ServicePortModel[] = [];
  for (const service of services) {
    if (!isProxied(service)) continue;
    const spec = service.spec ?? {};
    const namespace = service.metadata?.namespace ?? '';
    const name = service.metadata?.name ?? '';
    const type = spec.type ?? 'ClusterIP';
    const externalIPs = [...(spec.externalIPs ?? [])];
    const loadBalancerIPs =
      type === 'LoadBalancer'
        ? (service.status?.loadBalancer?.ingress ?? []).flatMap((ingress) => (ingress.ip ? [ingress.ip] : []))
        : [];
    const hasNodePorts = type === 'NodePort' || type === 'LoadBalancer';
    const affinity =
      spec.sessionAffinity === 'ClientIP'
        ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? defaultAffinityTimeoutSeconds)
        : undefined;
    const serviceSlices = slicesByService.get(`${namespace}/${name}`) ?? [];
    for (const servicePort of spec.ports ?? []) {
      const protocol = protocols[servicePort.protocol ?? 'TCP'];
      if (!protocol || !servicePort.port) continue;
      const portName = servicePort.name ?? '';
      const candidates: Candidate[] = [];
      for (const slice of serviceSlices) {
        const slicePort = (slice.ports ?? []).find(
          (port) => (port.name ?? '') === portName && (protocols[port.protocol ?? 'TCP'] ?? '') === protocol,
        );
        if (!slicePort?.port) continue;
        for (const endpoint of slice.endpoints ?? []) {
          const ip = endpoint.addresses?.[0];
          if (!ip) continue;
          candidates.push({
            ip,
            port: slicePort.port,
            ...conditionsOf(endpoint),
            local: endpoint.nodeName === options.nodeName,
          });
        }
      }
      const nodePort = hasNodePorts ? (servicePort.nodePort ?? 0) : 0;
      const externallyAccessible = nodePort !== 0 || externalIPs.length > 0 || loadBalancerIPs.length > 0;
      servicePorts.push({
        namespace,
        name,
        portName,
        protocol,
        clusterIP: spec.clusterIP!,
        port: servicePort.port,
        nodePort,
        externalIPs,
        loadBalancerIPs,
        ...(affinity !== undefined ? { affinityTimeoutSeconds: affinity } : {}),
        internalLocal: spec.internalTrafficPolicy === 'Local',
        // Upstream: the external policy applies to NodePort and LoadBalancer services only.
        externalLocal: externallyAccessible && hasNodePorts && spec.externalTrafficPolicy === 'Local',
        clusterEndpoints: usable(candidates),
        localEndpoints: usable(candidates.filter((candidate) => candidate.local)),
      });
    }
  }
  servicePorts.sort((a, b) => servicePortKey(a).localeCompare(servicePortKey(b)));
  return { servicePorts };
}
