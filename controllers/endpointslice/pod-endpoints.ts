/**
 * What the Endpoints and EndpointSlice controllers both ask of a pod and a service (upstream's
 * k8s.io/endpointslice/util, shared by the two): does the pod belong in a service's endpoints at all,
 * which port does a service port reach on it, does it get a hostname, which services must look again
 * when it changes. Nothing here does I/O.
 */
import { isDeepStrictEqual } from 'node:util';
import { isPodReady, type Pod } from '../pods.js';
import type { Service, ServicePort } from './types.js';

/** A service's selector, or undefined when it has none (its endpoints are someone else's business). */
export function serviceSelector(service: Service): Record<string, string> | undefined {
  const selector = service.spec?.selector;
  // An empty map does not survive storage in Kubernetes (it comes back as no selector), so it is none.
  if (!selector || Object.keys(selector).length === 0) return undefined;
  return selector;
}

/** Whether a selector (a map: every key equal) matches a set of labels. */
export function selectorMatches(
  selector: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  return Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}

/** Upstream's IsServiceIPSet: a cluster IP that is neither empty nor `None`. */
export function isServiceIPSet(service: Service): boolean {
  const ip = service.spec?.clusterIP ?? '';
  return ip !== '' && ip !== 'None';
}

export function isIPv6(ip: string): boolean {
  return ip.includes(':');
}

/**
 * The pod's IPs. The API server keeps `podIPs[0]` equal to `podIP`; a pod written with only `podIP`
 * (Skiff's API does not fill `podIPs` in) counts as having that one.
 */
export function podIPs(pod: Pod): string[] {
  const ips = (pod.status?.podIPs ?? []).map((entry) => entry.ip ?? '').filter((ip) => ip !== '');
  if (ips.length > 0) return ips;
  return pod.status?.podIP ? [pod.status.podIP] : [];
}

/**
 * Upstream's ShouldPodBeInEndpoints: not finished (Succeeded or Failed), has an IP, and — unless
 * `includeTerminating` — is not being deleted.
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if (!pod.status?.podIP && (pod.status?.podIPs ?? []).length === 0) return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp) return false;
  return true;
}

/** A pod's hostname goes into its endpoint when it names itself and lives in the service's subdomain. */
export function shouldSetHostname(pod: Pod, service: Service): boolean {
  const hostname = pod.spec?.hostname ?? '';
  return (
    hostname !== '' &&
    pod.spec?.subdomain === service.metadata?.name &&
    pod.metadata?.namespace === service.metadata?.namespace
  );
}

interface ContainerPort {
  name?: string;
  containerPort?: number;
  protocol?: string;
}

interface Container {
  ports?: ContainerPort[];
  restartPolicy?: string;
}

/**
 * Upstream's FindPort: a numeric targetPort is the port; a named one is looked up among the pod's
 * container ports with the same protocol (then its sidecars: init containers that restart Always).
 * Undefined when the pod has no such port, and the pod is then left out of that service port.
 */
export function findPort(pod: Pod, servicePort: ServicePort): number | undefined {
  const target = servicePort.targetPort;
  if (typeof target === 'number') return target;
  if (typeof target !== 'string') return servicePort.port;
  const protocol = servicePort.protocol ?? 'TCP';
  const spec = pod.spec as { containers?: Container[]; initContainers?: Container[] } | undefined;
  const sidecars = (spec?.initContainers ?? []).filter((container) => container.restartPolicy === 'Always');
  for (const container of [...(spec?.containers ?? []), ...sidecars]) {
    for (const port of container.ports ?? []) {
      if (port.name === target && (port.protocol ?? 'TCP') === protocol) return port.containerPort;
    }
  }
  return undefined;
}

/**
 * Upstream's podEndpointsChanged: [whether the pod changed in a way its endpoints show, whether it
 * changed in a way that may change which services select it].
 */
export function podEndpointsChanged(old: Pod, pod: Pod): [podChanged: boolean, labelsChanged: boolean] {
  const labelsChanged =
    !isDeepStrictEqual(old.metadata?.labels ?? {}, pod.metadata?.labels ?? {}) ||
    old.spec?.hostname !== pod.spec?.hostname ||
    old.spec?.subdomain !== pod.spec?.subdomain;
  const podChanged =
    old.metadata?.deletionTimestamp !== pod.metadata?.deletionTimestamp ||
    isPodReady(old) !== isPodReady(pod) ||
    !isDeepStrictEqual(podIPs(old), podIPs(pod));
  // nodeName, name, namespace and uid also show in endpoints, but none changes once the pod has an IP.
  return [podChanged, labelsChanged];
}

/** Keys (`namespace/name`) of the services in `services` whose selector matches the labels. */
export function servicesSelecting(
  services: readonly Service[],
  labels: Readonly<Record<string, string>> | undefined,
): Set<string> {
  const keys = new Set<string>();
  for (const service of services) {
    const selector = serviceSelector(service);
    if (selector && selectorMatches(selector, labels)) {
      keys.add(`${service.metadata?.namespace}/${service.metadata?.name}`);
    }
  }
  return keys;
}

/**
 * Upstream's GetServicesToUpdateOnPodChange, given the services of the pod's namespace: none for a
 * resync or a change endpoints do not show; with new labels, the services of both label sets when the
 * pod also changed, else only those that gained or lost it.
 */
export function servicesToUpdateOnPodChange(services: readonly Service[], old: Pod, pod: Pod): Set<string> {
  if (old.metadata?.resourceVersion === pod.metadata?.resourceVersion) return new Set();
  const [podChanged, labelsChanged] = podEndpointsChanged(old, pod);
  if (!podChanged && !labelsChanged) return new Set();
  const now = servicesSelecting(services, pod.metadata?.labels);
  if (!labelsChanged) return now;
  const before = servicesSelecting(services, old.metadata?.labels);
  if (podChanged) return new Set([...now, ...before]);
  return new Set([...now, ...before].filter((key) => now.has(key) !== before.has(key)));
}
