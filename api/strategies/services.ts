import { type FieldError, fieldError } from '../field-error.js';
import type { Strategy } from '../resource.js';

/**
 * Services: type ClusterIP, no session affinity, TCP ports whose targetPort is the port, single-stack
 * IPv4, and the rules on ports (named when there are several, unique, in range). Cluster IP and node
 * port allocation belong to the services issue.
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
  internalTrafficPolicy?: string;
  externalTrafficPolicy?: string;
  ipFamilyPolicy?: string;
  ipFamilies?: string[];
  clusterIP?: string;
  selector?: Record<string, string>;
}

export const serviceStrategy: Strategy = {
  prepareForCreate(service) {
    service.status = { loadBalancer: {} };
  },
  default(service) {
    const spec = (service.spec ??= {}) as ServiceSpec;
    spec.type ??= 'ClusterIP';
    spec.sessionAffinity ??= 'None';
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
    for (const port of spec.ports ?? []) {
      port.protocol ??= 'TCP';
      if (port.targetPort === undefined || port.targetPort === 0 || port.targetPort === '')
        port.targetPort = port.port;
    }
  },
  validate(service) {
    const spec = (service.spec ?? {}) as ServiceSpec;
    const errors: FieldError[] = [];
    const types = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
    if (spec.type && !types.includes(spec.type))
      errors.push(fieldError.notSupported('spec.type', spec.type, types));
    const ports = spec.ports ?? [];
    if (ports.length === 0 && spec.type !== 'ExternalName' && spec.clusterIP !== 'None') {
      errors.push(fieldError.required('spec.ports', ''));
    }
    const names = new Set<string>();
    ports.forEach((port, index) => {
      const at = `spec.ports[${index}]`;
      if (ports.length > 1 && !port.name) errors.push(fieldError.required(`${at}.name`, ''));
      if (port.name) {
        if (names.has(port.name)) errors.push(fieldError.duplicate(`${at}.name`, port.name));
        names.add(port.name);
      }
      if (!Number.isInteger(port.port) || port.port! < 1 || port.port! > 65535) {
        errors.push(
          fieldError.invalid(`${at}.port`, port.port ?? 0, 'must be between 1 and 65535, inclusive'),
        );
      }
      const protocols = ['TCP', 'UDP', 'SCTP'];
      if (port.protocol && !protocols.includes(port.protocol)) {
        errors.push(fieldError.notSupported(`${at}.protocol`, port.protocol, protocols));
      }
    });
    return errors;
  },
};
