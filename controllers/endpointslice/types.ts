/**
 * The objects the Endpoints and EndpointSlice controllers read and write, as far as they look at them:
 * core/v1 Service, Endpoints and Node, and discovery.k8s.io/v1 EndpointSlice. Field names are the API's.
 */
import type { KubeObject } from '../../api/resource.js';

export interface ServicePort {
  name?: string;
  protocol?: string;
  appProtocol?: string;
  port?: number;
  /** A number, or the name of a container port (an IntOrString). */
  targetPort?: number | string;
  nodePort?: number;
}

export interface Service extends KubeObject {
  spec?: {
    type?: string;
    /** A map of labels; absent (or empty, which storage cannot tell apart) means "no selector". */
    selector?: Record<string, string>;
    ports?: ServicePort[];
    clusterIP?: string;
    ipFamilies?: string[];
    publishNotReadyAddresses?: boolean;
    trafficDistribution?: string;
    [field: string]: unknown;
  };
}

/** core/v1 ObjectReference, as endpoints point at their pods. */
export interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: ObjectReference;
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol?: string;
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

export interface Endpoints extends KubeObject {
  subsets?: EndpointSubset[];
}

export interface EndpointConditions {
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

export interface EndpointHints {
  forZones?: { name: string }[];
  forNodes?: { name: string }[];
}

export interface Endpoint {
  addresses: string[];
  conditions?: EndpointConditions;
  hostname?: string;
  targetRef?: ObjectReference;
  nodeName?: string;
  zone?: string;
  hints?: EndpointHints;
}

export interface EndpointSlicePort {
  name?: string;
  protocol?: string;
  port?: number;
  appProtocol?: string;
}

export type AddressType = 'IPv4' | 'IPv6' | 'FQDN';

export interface EndpointSlice extends KubeObject {
  addressType?: AddressType;
  endpoints?: Endpoint[] | null;
  ports?: EndpointSlicePort[] | null;
}

export interface Node extends KubeObject {
  status?: { conditions?: { type?: string; status?: string }[]; [field: string]: unknown };
}

// ---------------------------------------------------------------------------------------------------
// Well-known labels and annotations

/** On Endpoints and EndpointSlices of a headless Service (one without a cluster IP). */
export const HEADLESS_SERVICE_LABEL = 'service.kubernetes.io/headless';
/** When the last pod or service change that this object reflects happened (RFC 3339). */
export const LAST_CHANGE_TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';
/** `truncated` on an Endpoints holding only the first 1000 of its addresses. */
export const OVER_CAPACITY_ANNOTATION = 'endpoints.kubernetes.io/over-capacity';
/** Marks the Endpoints the Endpoints controller made (new in Kubernetes 1.33). */
export const ENDPOINTS_MANAGED_BY_LABEL = 'endpoints.kubernetes.io/managed-by';
export const ENDPOINTS_CONTROLLER_NAME = 'endpoint-controller';
/** The Service an EndpointSlice belongs to. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const SLICE_MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const SLICE_CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
/** Endpoints that hold a leader-election record (old-style locks): never cleaned up as leftovers. */
export const LEADER_ELECTION_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';
