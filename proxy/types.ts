/**
 * What the service proxy reads (core/v1 Service, discovery.k8s.io/v1 EndpointSlice, as far as it looks at
 * them) and the model it computes from them: one `ServicePortModel` per (service, port, protocol), with
 * the endpoints each traffic policy sends to already chosen. The model is what the nft rules are written
 * from (nft-rules.ts) and what stale UDP flows are computed from (conntrack.ts).
 */
import type { KubeObject } from '../api/resource.js';

export interface ServicePort {
  readonly name?: string;
  readonly protocol?: string;
  readonly port?: number;
  readonly targetPort?: number | string;
  readonly nodePort?: number;
}

export interface Service extends KubeObject {
  readonly spec?: {
    readonly type?: string;
    readonly clusterIP?: string;
    readonly clusterIPs?: readonly string[];
    readonly ports?: readonly ServicePort[];
    readonly externalIPs?: readonly string[];
    readonly sessionAffinity?: string;
    readonly sessionAffinityConfig?: { readonly clientIP?: { readonly timeoutSeconds?: number } };
    readonly externalTrafficPolicy?: string;
    readonly internalTrafficPolicy?: string;
  };
  readonly status?: {
    readonly loadBalancer?: { readonly ingress?: readonly { readonly ip?: string }[] };
  };
}

export interface EndpointSliceEndpoint {
  readonly addresses?: readonly string[];
  readonly conditions?: {
    readonly ready?: boolean;
    readonly serving?: boolean;
    readonly terminating?: boolean;
  };
  readonly nodeName?: string;
}

export interface EndpointSlice extends KubeObject {
  readonly addressType?: string;
  readonly endpoints?: readonly EndpointSliceEndpoint[];
  readonly ports?: readonly { readonly name?: string; readonly protocol?: string; readonly port?: number }[];
}

export type Protocol = 'tcp' | 'udp' | 'sctp';

/** One backend of one service port: where a connection is DNATed to. */
export interface EndpointModel {
  readonly ip: string;
  readonly port: number;
}

export interface ServicePortModel {
  readonly namespace: string;
  readonly name: string;
  /** The ServicePort's name ('' for a single unnamed port). */
  readonly portName: string;
  readonly protocol: Protocol;
  readonly clusterIP: string;
  readonly port: number;
  /** 0: none. */
  readonly nodePort: number;
  readonly externalIPs: readonly string[];
  readonly loadBalancerIPs: readonly string[];
  /** ClientIP affinity's timeout; absent: no affinity. */
  readonly affinityTimeoutSeconds?: number;
  /** internalTrafficPolicy: Local. */
  readonly internalLocal: boolean;
  /** externalTrafficPolicy: Local (only for services reachable from outside). */
  readonly externalLocal: boolean;
  /**
   * Usable endpoints anywhere: the ready ones, or, when none is ready, the serving-and-terminating ones
   * (so a rolling update's last pods keep answering while they drain).
   */
  readonly clusterEndpoints: readonly EndpointModel[];
  /** The same choice made among endpoints on this node only. */
  readonly localEndpoints: readonly EndpointModel[];
}

/** Everything the rules are written from. */
export interface ProxyModel {
  readonly servicePorts: readonly ServicePortModel[];
}

/** `ns/name/tcp/port`: how the rules name a service port (kube-proxy's ServicePortName plus protocol). */
export function servicePortKey(servicePort: ServicePortModel): string {
  return `${servicePort.namespace}/${servicePort.name}/${servicePort.protocol}/${servicePort.portName}`;
}
