/**
 * What every workload controller asks of a pod, as upstream's pkg/controller and pkg/api/v1/pod
 * helpers: is it active, ready, available; which object controls it; and the pod a template makes.
 * Nothing here does I/O.
 */

import { dns1123SubdomainMaxLength } from '../api/names.js';
import type { KubeObject, OwnerReference } from '../api/resource.js';
import { isStatusError } from '../api/status.js';

export interface PodCondition {
  type?: string;
  status?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface Pod extends KubeObject {
  spec?: { nodeName?: string; hostname?: string; subdomain?: string; [field: string]: unknown };
  status?: {
    phase?: string;
    conditions?: PodCondition[];
    podIP?: string;
    podIPs?: { ip?: string }[];
    containerStatuses?: { restartCount?: number; [field: string]: unknown }[];
    [field: string]: unknown;
  };
}

/** A pod template, as workloads carry it in `spec.template`. */
export interface PodTemplate {
  metadata?: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    [field: string]: unknown;
  };
  spec?: Record<string, unknown>;
}

/** The ownerReference with `controller: true`, if any. */
export function controllerOf(object: KubeObject): OwnerReference | undefined {
  return object.metadata?.ownerReferences?.find((reference) => reference.controller === true);
}

/** The controller reference a workload puts on what it makes (and adopts). */
export function controllerRef(owner: KubeObject, kind: { apiVersion: string; kind: string }): OwnerReference {
  return {
    apiVersion: kind.apiVersion,
    kind: kind.kind,
    name: owner.metadata?.name ?? '',
    uid: owner.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Upstream's IsPodActive: not finished and not being deleted. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

export function podCondition(pod: Pod, type: string): PodCondition | undefined {
  return pod.status?.conditions?.find((condition) => condition.type === type);
}

export function isPodReady(pod: Pod): boolean {
  return podCondition(pod, 'Ready')?.status === 'True';
}

/** Ready for more than minReadySeconds, by the Ready condition's lastTransitionTime (upstream's IsPodAvailable). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds === 0) return true;
  const since = timeOf(podCondition(pod, 'Ready')?.lastTransitionTime);
  return since !== 0 && since + minReadySeconds * 1000 < now;
}

/** Milliseconds since the epoch, or 0 (Go's zero time) when absent or unreadable. */
export function timeOf(timestamp: string | null | undefined): number {
  if (!timestamp) return 0;
  const parsed = Date.parse(timestamp);
  return Number.isNaN(parsed) ? 0 : parsed;
}

export { formatTime } from '../client/clock.js';

/**
 * Upstream's GetPodFromTemplate: the template's labels, annotations, finalizers and spec, with the
 * owner's controller reference, named `<owner>-<random>` by the API server.
 */
export function podFromTemplate(
  owner: KubeObject,
  template: PodTemplate | undefined,
  reference: OwnerReference,
): Pod {
  const { labels, annotations, finalizers } = template?.metadata ?? {};
  const name = owner.metadata?.name ?? '';
  // The dash makes names prettier, unless it makes the prefix too long to be a name.
  const generateName = name.length + 1 > dns1123SubdomainMaxLength ? name : `${name}-`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName,
      ...(labels && Object.keys(labels).length > 0 ? { labels: { ...labels } } : {}),
      ...(annotations && Object.keys(annotations).length > 0 ? { annotations: { ...annotations } } : {}),
      ...(finalizers && finalizers.length > 0 ? { finalizers: [...finalizers] } : {}),
      ownerReferences: [reference],
    },
    spec: structuredClone(template?.spec ?? {}),
  };
}

// ---------------------------------------------------------------------------------------------------
// Errors, as controllers report them

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Whether a StatusError carries a cause of this type (a cause's type travels as `reason` in JSON). */
export function hasStatusCause(error: unknown, type: string): boolean {
  return isStatusError(error) && (error.status.details?.causes ?? []).some((cause) => cause.reason === type);
}

/** The status cause a create in a namespace being deleted fails with: nothing to report, nothing to retry. */
export const NAMESPACE_TERMINATING_CAUSE = 'NamespaceTerminating';

/** The key an event failure is reported under: the involved object's. */
export function eventKeyOf(
  event: { involvedObject?: { namespace?: string; name?: string } } | undefined,
): string {
  const involved = event?.involvedObject;
  return involved?.namespace ? `${involved.namespace}/${involved.name ?? ''}` : (involved?.name ?? '');
}
