import { isIP } from 'node:net';
import { type FieldError, fieldError } from '../field-error.js';
import { isDNS1123Subdomain } from '../names.js';
import type { KubeObject, Strategy } from '../resource.js';

/**
 * Services. What the registry decides here, without I/O:
 *   defaults    type ClusterIP, TCP ports aimed at themselves, the IPv4 family, clusterIPs ↔ clusterIP;
 *   updates     a PUT that leaves out what was allocated (clusterIP, node ports) keeps it, and a type
 *               change drops what the new type cannot have (upstream's patchAllocatedValues and
 *               dropTypeDependentFields): ClusterIP → ExternalName frees the address, NodePort →
 *               ClusterIP the node ports;
 *   validation  ports, the cluster IP's form and immutability, which type may carry what.
 * Allocating the addresses and ports themselves, from the store, is apiserver/service-allocation.ts.
 */
interface ServicePort {
  name?: string;
  port?: number;
  targetPort?: number | string;
  protocol?: string;
  nodePort?: number;
}

interface ServiceSpec {
  type?: string;
  ports?: ServicePort[];
  sessionAffinity?: string;
  sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
  internalTrafficPolicy?: string;
  externalTrafficPolicy?: string;
  ipFamilyPolicy?: string;
  ipFamilies?: string[];
  clusterIP?: string;
  clusterIPs?: string[];
  externalName?: string;
  allocateLoadBalancerNodePorts?: boolean;
  selector?: Record<string, string>;
}

const specOf = (service: KubeObject) => (service.spec ?? {}) as ServiceSpec;

/** Whether a service of this spec has (or gets) a cluster IP: every type but ExternalName, unless headless. */
export function needsClusterIP(spec: ServiceSpec): boolean {
  return spec.type !== 'ExternalName' && spec.clusterIP !== 'None';
}

/** Whether its ports have (or get) node ports. */
export function needsNodePorts(spec: ServiceSpec): boolean {
  return (
    spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false)
  );
}

export const serviceStrategy: Strategy = {
  prepareForCreate(service) {
    service.status = { loadBalancer: {} };
  },
  prepareForUpdate(service, old) {
    const spec = (service.spec ??= {}) as ServiceSpec;
    const before = specOf(old);
    keepAllocatedValues(spec, before);
    dropTypeDependentFields(spec, before);
  },
  default(service) {
    const spec = (service.spec ??= {}) as ServiceSpec;
    spec.type ??= 'ClusterIP';
    spec.sessionAffinity ??= 'None';
    if (spec.sessionAffinity === 'ClientIP') {
      const clientIP = ((spec.sessionAffinityConfig ??= {}).clientIP ??= {});
      clientIP.timeoutSeconds ??= 10_800;
    }
    // Empty strings are absent fields to Kubernetes' JSON (omitempty): a client clearing one sends "".
    for (const field of ['externalName', 'clusterIP', 'loadBalancerIP'] as const) {
      if ((spec as Record<string, unknown>)[field] === '') delete (spec as Record<string, unknown>)[field];
    }
    // clusterIP and clusterIPs say the same thing; whichever the client set fills the other.
    if (spec.clusterIP && !spec.clusterIPs?.length) spec.clusterIPs = [spec.clusterIP];
    else if (!spec.clusterIP && spec.clusterIPs?.length) spec.clusterIP = spec.clusterIPs[0]!;
    if (spec.type !== 'ExternalName') {
      spec.internalTrafficPolicy ??= 'Cluster';
      // A single-stack IPv4 cluster's families, as the registry fills them in; a headless service
      // without a selector may carry endpoints of either family, so it asks for both.
      const headlessWithoutSelector =
        spec.clusterIP === 'None' && Object.keys(spec.selector ?? {}).length === 0;
      spec.ipFamilyPolicy ??= headlessWithoutSelector ? 'RequireDualStack' : 'SingleStack';
      spec.ipFamilies ??= headlessWithoutSelector ? ['IPv4', 'IPv6'] : ['IPv4'];
    }
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ??= 'Cluster';
    if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
    for (const port of spec.ports ?? []) {
      port.protocol ??= 'TCP';
      if (port.targetPort === undefined || port.targetPort === 0 || port.targetPort === '')
        port.targetPort = port.port;
    }
  },
  validate(service, old) {
    const spec = specOf(service);
    const errors: FieldError[] = [];
    const types = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
    if (spec.type && !types.includes(spec.type))
      errors.push(fieldError.notSupported('spec.type', spec.type, types));
    const ports = spec.ports ?? [];
    if (ports.length === 0 && spec.type !== 'ExternalName' && spec.clusterIP !== 'None') {
      errors.push(fieldError.required('spec.ports', ''));
    }
    errors.push(...validatePorts(spec, ports));
    errors.push(...validateClusterIP(spec, old ? specOf(old) : undefined));
    if (spec.type === 'ExternalName') {
      if (!spec.externalName) errors.push(fieldError.required('spec.externalName', ''));
      else {
        for (const problem of isDNS1123Subdomain(spec.externalName.replace(/\.$/, ''))) {
          errors.push(fieldError.invalid('spec.externalName', spec.externalName, problem));
        }
      }
    }
    const affinities = ['None', 'ClientIP'];
    if (spec.sessionAffinity && !affinities.includes(spec.sessionAffinity)) {
      errors.push(fieldError.notSupported('spec.sessionAffinity', spec.sessionAffinity, affinities));
    }
    const timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
    if (spec.sessionAffinity === 'ClientIP' && timeout !== undefined && !(timeout > 0 && timeout <= 86_400)) {
      errors.push(
        fieldError.invalid(
          'spec.sessionAffinityConfig.clientIP.timeoutSeconds',
          timeout,
          'must be greater than 0 and less than 86400',
        ),
      );
    }
    const policies = ['Cluster', 'Local'];
    for (const field of ['internalTrafficPolicy', 'externalTrafficPolicy'] as const) {
      const value = spec[field];
      if (value !== undefined && !policies.includes(value)) {
        errors.push(fieldError.notSupported(`spec.${field}`, value, policies));
      }
    }
    if (spec.externalTrafficPolicy && spec.type !== 'NodePort' && spec.type !== 'LoadBalancer') {
      errors.push(
        fieldError.invalid(
          'spec.externalTrafficPolicy',
          spec.externalTrafficPolicy,
          "may only be set when `type` is 'NodePort' or 'LoadBalancer'",
        ),
      );
    }
    return errors;
  },
};

function validatePorts(spec: ServiceSpec, ports: readonly ServicePort[]): FieldError[] {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  const nodePorts = new Set<string>();
  const protocols = ['TCP', 'UDP', 'SCTP'];
  ports.forEach((port, index) => {
    const at = `spec.ports[${index}]`;
    if (ports.length > 1 && !port.name) errors.push(fieldError.required(`${at}.name`, ''));
    if (port.name) {
      if (names.has(port.name)) errors.push(fieldError.duplicate(`${at}.name`, port.name));
      names.add(port.name);
    }
    if (!Number.isInteger(port.port) || port.port! < 1 || port.port! > 65535) {
      errors.push(fieldError.invalid(`${at}.port`, port.port ?? 0, 'must be between 1 and 65535, inclusive'));
    }
    if (port.protocol && !protocols.includes(port.protocol)) {
      errors.push(fieldError.notSupported(`${at}.protocol`, port.protocol, protocols));
    }
    if (typeof port.targetPort === 'number' && (port.targetPort < 1 || port.targetPort > 65535)) {
      errors.push(
        fieldError.invalid(`${at}.targetPort`, port.targetPort, 'must be between 1 and 65535, inclusive'),
      );
    }
    if (port.nodePort) {
      if (!needsNodePorts(spec)) {
        errors.push(
          fieldError.forbidden(`${at}.nodePort`, `may not be used when \`type\` is '${spec.type}'`),
        );
      }
      const key = `${port.nodePort}/${port.protocol ?? 'TCP'}`;
      if (nodePorts.has(key)) errors.push(fieldError.duplicate(`${at}.nodePort`, port.nodePort));
      nodePorts.add(key);
    }
  });
  return errors;
}

function validateClusterIP(spec: ServiceSpec, old: ServiceSpec | undefined): FieldError[] {
  const errors: FieldError[] = [];
  const ips = spec.clusterIPs ?? [];
  if (spec.type === 'ExternalName') {
    if (spec.clusterIP || ips.length > 0) {
      errors.push(fieldError.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    }
    return errors;
  }
  if (ips.length > 0 && spec.clusterIP !== ips[0]) {
    errors.push(fieldError.invalid('spec.clusterIPs', ips, 'first value must match `clusterIP`'));
  }
  if (ips.length > 1) {
    errors.push(
      fieldError.invalid('spec.clusterIPs', ips, 'may not have more than one value in an IPv4 cluster'),
    );
  }
  const first = ips[0];
  if (first !== undefined && first !== 'None' && isIP(first) === 0) {
    errors.push(
      fieldError.invalid(
        'spec.clusterIPs[0]',
        first,
        'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      ),
    );
  }
  if (first === 'None' && needsNodePorts(spec)) {
    errors.push(
      fieldError.invalid('spec.clusterIPs[0]', first, `may not be set to 'None' for ${spec.type} services`),
    );
  }
  // Once given, a cluster IP stays for the service's life; only a change of type to or from
  // ExternalName (which has none) adds or removes it.
  const before = old?.type === 'ExternalName' ? [] : (old?.clusterIPs ?? []);
  if (before.length > 0 && ips.length > 0 && before[0] !== ips[0]) {
    errors.push(fieldError.invalid('spec.clusterIPs[0]', ips, 'may not change once set'));
  }
  if (before.length > 0 && ips.length === 0 && needsClusterIP(spec) && spec.clusterIP !== '') {
    errors.push(fieldError.invalid('spec.clusterIPs[0]', ips, 'primary clusterIP can not be unset'));
  }
  return errors;
}

/** A PUT that leaves out what the server allocated keeps it (kubectl replace, clients that rebuild the spec). */
function keepAllocatedValues(spec: ServiceSpec, old: ServiceSpec): void {
  if (needsClusterIP(old) && spec.type !== 'ExternalName' && !spec.clusterIP && !spec.clusterIPs?.length) {
    if (old.clusterIP) spec.clusterIP = old.clusterIP;
    if (old.clusterIPs) spec.clusterIPs = [...old.clusterIPs];
  }
  if (needsNodePorts(old) && needsNodePorts(spec)) {
    // By port name, as upstream: a node port the new spec already uses elsewhere is not handed out again.
    const used = new Set((spec.ports ?? []).map((port) => port.nodePort).filter(Boolean));
    const byName = new Map((old.ports ?? []).map((port) => [port.name ?? '', port.nodePort]));
    for (const port of spec.ports ?? []) {
      const previous = byName.get(port.name ?? '');
      if (!port.nodePort && previous && !used.has(previous)) port.nodePort = previous;
    }
  }
}

/** A type change drops what the new type cannot have, when the client left it as it was. */
function dropTypeDependentFields(spec: ServiceSpec, old: ServiceSpec): void {
  if (spec.type === 'ExternalName' && old.type !== 'ExternalName') {
    if ((spec.clusterIP ?? '') === (old.clusterIP ?? '')) delete spec.clusterIP;
    if (sameList(spec.clusterIPs, old.clusterIPs)) delete spec.clusterIPs;
    if (sameList(spec.ipFamilies, old.ipFamilies)) delete spec.ipFamilies;
    if (spec.ipFamilyPolicy === old.ipFamilyPolicy) delete spec.ipFamilyPolicy;
    if (spec.internalTrafficPolicy === old.internalTrafficPolicy) delete spec.internalTrafficPolicy;
  }
  if (!needsNodePorts(spec) && needsNodePorts(old)) {
    const oldPorts = new Map((old.ports ?? []).map((port) => [port.name ?? '', port.nodePort]));
    for (const port of spec.ports ?? []) {
      if (port.nodePort && oldPorts.get(port.name ?? '') === port.nodePort) delete port.nodePort;
    }
  }
  if (spec.type !== 'NodePort' && spec.type !== 'LoadBalancer') {
    if (spec.externalTrafficPolicy === old.externalTrafficPolicy) delete spec.externalTrafficPolicy;
  }
  if (
    spec.type !== 'LoadBalancer' &&
    spec.allocateLoadBalancerNodePorts === old.allocateLoadBalancerNodePorts
  ) {
    delete spec.allocateLoadBalancerNodePorts;
  }
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return (a ?? []).join(',') === (b ?? []).join(',');
}
