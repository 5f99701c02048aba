/**
 * Which level a request is audited at. The built-in policy: nothing for health checks (probes every few
 * seconds would drown the log), Metadata for everything else — who did what to which object and how it
 * ended, without bodies. That is the level most clusters' policies use for most rules.
 *
 * A full audit.k8s.io/v1 Policy file (--audit-policy-file: rules by user, group, verb, resource,
 * namespace and stage omission) is not implemented yet; this function is where it would plug in.
 */
import { isHealthCheck } from '../limits/request-class.js';
import type { AuditLevel } from './event.js';

export type AuditPolicy = (method: string, path: string) => AuditLevel;

export const defaultAuditPolicy: AuditPolicy = (_method, path) => (isHealthCheck(path) ? 'None' : 'Metadata');
