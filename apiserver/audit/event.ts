/**
 * One audit.k8s.io/v1 Event: what kube-apiserver writes per request and stage to its audit log, with
 * upstream's field names and order so tools that read Kubernetes audit logs read Skiff's:
 *
 *   {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"…","stage":"ResponseComplete",
 *    "requestURI":"/api/v1/namespaces/default/pods/web","verb":"get","user":{"username":"alice","groups":[…]},
 *    "sourceIPs":["10.0.0.7"],"userAgent":"kubectl/v1.33.0","objectRef":{"resource":"pods","namespace":"default",
 *    "name":"web","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},
 *    "requestReceivedTimestamp":"2026-11-22T09:40:14.123000Z","stageTimestamp":"2026-11-22T09:40:14.125000Z"}
 *
 * At the Metadata level there are no request or response bodies. `user` is who authenticated; when
 * impersonating, `impersonatedUser` is who the request acted as.
 */
import type { UserInfo } from '../../api/auth.js';
import type { RequestInfo } from '../request-info.js';

export type AuditLevel = 'None' | 'Metadata' | 'Request' | 'RequestResponse';
export type AuditStage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic';

export interface ObjectReference {
  readonly resource?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly apiGroup?: string;
  readonly apiVersion?: string;
  readonly subresource?: string;
}

export interface ResponseStatus {
  readonly metadata: Record<string, never>;
  readonly status?: string;
  readonly message?: string;
  readonly reason?: string;
  readonly code: number;
}

export interface AuditEvent {
  readonly kind: 'Event';
  readonly apiVersion: 'audit.k8s.io/v1';
  readonly level: AuditLevel;
  readonly auditID: string;
  readonly stage: AuditStage;
  readonly requestURI: string;
  readonly verb: string;
  readonly user: UserInfo;
  readonly impersonatedUser?: UserInfo;
  readonly sourceIPs: readonly string[];
  readonly userAgent?: string;
  readonly objectRef?: ObjectReference;
  readonly responseStatus?: ResponseStatus;
  readonly requestReceivedTimestamp: string;
  readonly stageTimestamp: string;
}

/** Upstream's MicroTime format: RFC 3339 with six fractional digits, in UTC. */
export function microTime(milliseconds: number): string {
  return `${new Date(milliseconds).toISOString().slice(0, -1)}000Z`;
}

/** objectRef for a resource request, with upstream's split of group and version (core: no apiGroup). */
export function objectReferenceOf(info: RequestInfo): ObjectReference {
  return {
    resource: info.resource,
    ...(info.namespace !== undefined ? { namespace: info.namespace } : {}),
    ...(info.name !== undefined ? { name: info.name } : {}),
    ...(info.group !== '' ? { apiGroup: info.group } : {}),
    apiVersion: info.version,
    ...(info.subresource !== undefined ? { subresource: info.subresource } : {}),
  };
}

/** responseStatus as upstream logs it: the code always; status, reason and message for a failure Status. */
export function responseStatusOf(
  code: number,
  failure?: { readonly status?: string; readonly message?: string; readonly reason?: string },
): ResponseStatus {
  if (!failure) return { metadata: {}, code };
  return {
    metadata: {},
    ...(failure.status ? { status: failure.status } : {}),
    ...(failure.message ? { message: failure.message } : {}),
    ...(failure.reason ? { reason: failure.reason } : {}),
    code,
  };
}
