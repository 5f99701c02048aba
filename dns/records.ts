/**
 * The cluster's DNS records, as Kubernetes' DNS specification defines them (and CoreDNS's kubernetes
 * plugin serves them), computed from Services and EndpointSlices on each question. Pure: the server
 * keeps the objects current and asks.
 *
 *   <svc>.<ns>.svc.<domain>                 A: the ClusterIP; headless: each ready endpoint's address
 *   <host>.<svc>.<ns>.svc.<domain>          A: a headless endpoint by its hostname (a StatefulSet pod's
 *                                           name) or its address with dashes (10-88-0-5)
 *   _<port>._<proto>.<svc>.<ns>.svc.<domain> SRV: the named port, at the service (or at each endpoint)
 *   <svc>.<ns>.svc.<domain> (ExternalName)  CNAME: spec.externalName
 *   <a-b-c-d>.<ns>.pod.<domain>             A: a.b.c.d (CoreDNS's "pods insecure", kubeadm's default)
 *
 * A name under the cluster domain that matches nothing is NXDOMAIN; a name that exists but has no
 * record of the type asked (AAAA of an IPv4 service) is an empty NOERROR; both carry the zone's SOA,
 * as CoreDNS answers them.
 */
import type { Answer, RecordType } from 'dns-packet';

export interface ServiceRecord {
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly spec?: {
    readonly type?: string;
    readonly clusterIP?: string;
    readonly externalName?: string;
    readonly ports?: readonly {
      readonly name?: string;
      readonly port?: number;
      readonly protocol?: string;
    }[];
  };
}

export interface EndpointSliceRecord {
  readonly metadata?: { readonly namespace?: string; readonly labels?: Readonly<Record<string, string>> };
  readonly addressType?: string;
  readonly endpoints?: readonly {
    readonly addresses?: readonly string[];
    readonly hostname?: string;
    readonly conditions?: { readonly ready?: boolean };
  }[];
  readonly ports?: readonly { readonly name?: string; readonly port?: number; readonly protocol?: string }[];
}

export interface ClusterView {
  service(namespace: string, name: string): ServiceRecord | undefined;
  /** The EndpointSlices of a Service (label kubernetes.io/service-name). */
  slices(namespace: string, service: string): readonly EndpointSliceRecord[];
}

export type Rcode = 'NOERROR' | 'NXDOMAIN';

export interface Resolution {
  readonly rcode: Rcode;
  readonly answers: Answer[];
  /** The SOA for negative answers. */
  readonly authorities: Answer[];
  readonly additionals: Answer[];
}

/** CoreDNS's kubernetes plugin's default TTL. */
export const ttl = 5;

const dashed = (ip: string) => ip.replaceAll('.', '-').replaceAll(':', '-');

export class ClusterRecords {
  readonly #domain: string;

  constructor(
    private readonly view: ClusterView,
    clusterDomain = 'cluster.local',
  ) {
    this.#domain = clusterDomain.toLowerCase().replace(/\.$/, '');
  }

  /** Whether the cluster's zone holds this name (else it goes to the host's resolvers). */
  inZone(name: string): boolean {
    const lower = name.toLowerCase().replace(/\.$/, '');
    return lower === this.#domain || lower.endsWith(`.${this.#domain}`);
  }

  resolve(name: string, type: RecordType): Resolution {
    const lower = name.toLowerCase().replace(/\.$/, '');
    const labels = lower.slice(0, -this.#domain.length - 1).split('.');
    const found = this.#lookup(lower, labels);
    if (!found) return { rcode: 'NXDOMAIN', answers: [], authorities: [this.#soa()], additionals: [] };
    const answers = found.filter((record) => record.type === type || record.type === 'CNAME');
    // A CNAME answers any type but itself is not repeated for type CNAME questions.
    const chosen = type === 'CNAME' ? found.filter((record) => record.type === 'CNAME') : answers;
    const additionals = type === 'SRV' ? this.#srvTargets(chosen) : [];
    return {
      rcode: 'NOERROR',
      answers: chosen,
      authorities: chosen.length === 0 ? [this.#soa()] : [],
      additionals,
    };
  }

  #lookup(name: string, labels: string[]): Answer[] | undefined {
    // <a-b-c-d>.<ns>.pod.<domain>
    if (labels.at(-1) === 'pod') {
      if (labels.length !== 3) return undefined;
      const ip = labels[0]!.replaceAll('-', '.');
      return /^\d{1,3}(\.\d{1,3}){3}$/.test(ip) ? [{ type: 'A', name, ttl, data: ip }] : undefined;
    }
    if (labels.at(-1) !== 'svc') return undefined;
    const parts = labels.slice(0, -1);
    // _<port>._<proto>.<svc>.<ns>
    if (parts.length === 4 && parts[0]!.startsWith('_') && parts[1]!.startsWith('_')) {
      return this.#srv(name, parts[0]!.slice(1), parts[1]!.slice(1), parts[3]!, parts[2]!);
    }
    if (parts.length === 2) return this.#service(name, parts[1]!, parts[0]!);
    // <host>.<svc>.<ns>: one endpoint of a headless service.
    if (parts.length === 3) return this.#endpoint(name, parts[2]!, parts[1]!, parts[0]!);
    return undefined;
  }

  #service(name: string, namespace: string, serviceName: string): Answer[] | undefined {
    const service = this.view.service(namespace, serviceName);
    if (!service) return undefined;
    const spec = service.spec ?? {};
    if (spec.type === 'ExternalName') {
      return spec.externalName
        ? [{ type: 'CNAME', name, ttl, data: spec.externalName.replace(/\.$/, '') }]
        : [];
    }
    if (spec.clusterIP && spec.clusterIP !== 'None') return [address(name, spec.clusterIP)];
    return this.#readyEndpoints(namespace, serviceName).map((endpoint) => address(name, endpoint.address));
  }

  #endpoint(name: string, namespace: string, serviceName: string, host: string): Answer[] | undefined {
    const service = this.view.service(namespace, serviceName);
    if (!service || (service.spec?.clusterIP && service.spec.clusterIP !== 'None')) return undefined;
    const matches = this.#readyEndpoints(namespace, serviceName).filter((endpoint) => endpoint.host === host);
    return matches.length > 0 ? matches.map((endpoint) => address(name, endpoint.address)) : undefined;
  }

  #srv(
    name: string,
    port: string,
    protocol: string,
    namespace: string,
    serviceName: string,
  ): Answer[] | undefined {
    const service = this.view.service(namespace, serviceName);
    if (!service || service.spec?.type === 'ExternalName') return undefined;
    const serviceDomain = `${serviceName}.${namespace}.svc.${this.#domain}`;
    const named = (candidate: { name?: string; protocol?: string }) =>
      (candidate.name ?? '') === port && (candidate.protocol ?? 'TCP').toLowerCase() === protocol;
    const headless = !service.spec?.clusterIP || service.spec.clusterIP === 'None';
    if (!headless) {
      const servicePort = service.spec?.ports?.find(named);
      if (!servicePort) return undefined;
      return [srv(name, servicePort.port ?? 0, serviceDomain)];
    }
    const answers: Answer[] = [];
    for (const slice of this.view.slices(namespace, serviceName)) {
      const slicePort = slice.ports?.find(named);
      if (!slicePort) continue;
      for (const endpoint of readyOf(slice)) {
        answers.push(srv(name, slicePort.port ?? 0, `${endpoint.host}.${serviceDomain}`));
      }
    }
    return answers.length > 0 ? answers : undefined;
  }

  /** The A records of SRV targets, in the additional section, as CoreDNS adds them. */
  #srvTargets(answers: Answer[]): Answer[] {
    const extra: Answer[] = [];
    for (const answer of answers) {
      if (answer.type !== 'SRV') continue;
      const resolved = this.resolve(answer.data.target, 'A');
      extra.push(...resolved.answers.filter((record) => record.type === 'A'));
    }
    return extra;
  }

  #readyEndpoints(namespace: string, serviceName: string): { address: string; host: string }[] {
    return this.view.slices(namespace, serviceName).flatMap(readyOf);
  }

  #soa(): Answer {
    return {
      type: 'SOA',
      name: this.#domain,
      ttl,
      data: {
        mname: `ns.dns.${this.#domain}`,
        rname: `hostmaster.${this.#domain}`,
        serial: Math.floor(Date.now() / 1000),
        refresh: 7200,
        retry: 1800,
        expire: 86400,
        minimum: ttl,
      },
    };
  }
}

function readyOf(slice: EndpointSliceRecord): { address: string; host: string }[] {
  if (slice.addressType && slice.addressType !== 'IPv4') return [];
  return (slice.endpoints ?? [])
    .filter((endpoint) => endpoint.conditions?.ready !== false)
    .flatMap((endpoint) =>
      (endpoint.addresses ?? []).map((ip) => ({
        address: ip,
        host: endpoint.hostname?.toLowerCase() || dashed(ip),
      })),
    );
}

function address(name: string, ip: string): Answer {
  return { type: ip.includes(':') ? 'AAAA' : 'A', name, ttl, data: ip };
}

function srv(name: string, port: number, target: string): Answer {
  return { type: 'SRV', name, ttl, data: { priority: 0, weight: 100, port, target } };
}
