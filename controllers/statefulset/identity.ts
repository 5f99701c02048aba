/**
 * A StatefulSet pod's identity, as upstream's stateful_set_utils.go: its ordinal (parsed from its name),
 * its stable name, hostname and subdomain, its labels, and the PersistentVolumeClaims it mounts — and
 * what a pod's state means to the set (created, running and ready, available, terminating). Nothing here
 * does I/O.
 *
 *   set web, serviceName nginx, volumeClaimTemplates [data], ordinal 2
 *     pod   web-2   hostname web-2, subdomain nginx
 *           labels  …template, statefulset.kubernetes.io/pod-name=web-2, apps.kubernetes.io/pod-index=2,
 *                   controller-revision-hash=<revision>
 *           volume  data → claim data-web-2
 */
import type { LabelSelector } from '../../api/labels.js';
import type { KubeObject } from '../../api/resource.js';
import { CONTROLLER_REVISION_HASH_LABEL } from '../history.js';
import {
  controllerRef,
  isPodAvailable,
  isPodReady,
  type Pod,
  type PodTemplate,
  podFromTemplate,
} from '../pods.js';

export const STATEFULSET_KIND = { apiVersion: 'apps/v1', kind: 'StatefulSet' } as const;
export const POD_KIND = { apiVersion: 'v1', kind: 'Pod' } as const;

/** Upstream's StatefulSetPodNameLabel: lets a Service select one pod of the set. */
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
/** Upstream's PodIndexLabel (feature PodIndexLabel, on by default since 1.28). */
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

// ---------------------------------------------------------------------------------------------------
// The objects, as far as this controller reads them

export interface PersistentVolumeClaim extends KubeObject {
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export type RetentionPolicyType = 'Retain' | 'Delete';

export interface StatefulSetSpec {
  replicas?: number;
  selector?: LabelSelector;
  template?: PodTemplate;
  serviceName?: string;
  volumeClaimTemplates?: PersistentVolumeClaim[];
  podManagementPolicy?: 'OrderedReady' | 'Parallel' | string;
  updateStrategy?: {
    type?: 'RollingUpdate' | 'OnDelete' | string;
    rollingUpdate?: { partition?: number; maxUnavailable?: number | string };
  };
  revisionHistoryLimit?: number;
  minReadySeconds?: number;
  persistentVolumeClaimRetentionPolicy?: {
    whenDeleted?: RetentionPolicyType | string;
    whenScaled?: RetentionPolicyType | string;
  };
  ordinals?: { start?: number };
  [field: string]: unknown;
}

export interface StatefulSetCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface StatefulSetStatus {
  observedGeneration?: number;
  replicas?: number;
  readyReplicas?: number;
  currentReplicas?: number;
  updatedReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
  collisionCount?: number;
  conditions?: StatefulSetCondition[];
  availableReplicas?: number;
  [field: string]: unknown;
}

export interface StatefulSet extends KubeObject {
  spec?: StatefulSetSpec;
  status?: StatefulSetStatus;
}

// ---------------------------------------------------------------------------------------------------
// Ordinals and names

/** `<parent>-<digits>` at the end of a name; the parent takes as much as it can (`web-0-1` → web-0, 1). */
const STATEFUL_POD_NAME = /^(.*)-([0-9]+)$/;
const INT32_MAX = 2 ** 31 - 1;

/**
 * The set a pod's name says it belongs to, and its ordinal: `web-3` → { parent: 'web', ordinal: 3 }.
 * A name of another form has no parent and ordinal -1; digits beyond int32 keep the parent but give -1.
 */
export function parentAndOrdinal(pod: Pod): { parent: string; ordinal: number } {
  const match = STATEFUL_POD_NAME.exec(pod.metadata?.name ?? '');
  if (!match) return { parent: '', ordinal: -1 };
  const ordinal = Number(match[2]);
  return { parent: match[1]!, ordinal: ordinal <= INT32_MAX ? ordinal : -1 };
}

export function ordinalOf(pod: Pod): number {
  return parentAndOrdinal(pod).ordinal;
}

export function replicasOf(set: StatefulSet): number {
  return set.spec?.replicas ?? 1;
}

/** The first ordinal the set runs (spec.ordinals.start, default 0). */
export function startOrdinal(set: StatefulSet): number {
  return set.spec?.ordinals?.start ?? 0;
}

/** The last ordinal the set runs, inclusive. */
export function endOrdinal(set: StatefulSet): number {
  return startOrdinal(set) + replicasOf(set) - 1;
}

export function inOrdinalRange(pod: Pod, set: StatefulSet): boolean {
  const ordinal = ordinalOf(pod);
  return ordinal >= startOrdinal(set) && ordinal <= endOrdinal(set);
}

export function podName(set: StatefulSet, ordinal: number): string {
  return `${set.metadata?.name ?? ''}-${ordinal}`;
}

/** `<claim template>-<set>-<ordinal>`: the claim a pod of that ordinal mounts, whatever pod it is. */
export function claimName(set: StatefulSet, template: PersistentVolumeClaim, ordinal: number): string {
  return `${template.metadata?.name ?? ''}-${set.metadata?.name ?? ''}-${ordinal}`;
}

/** Whether the pod's name makes it one of the set's (the filter before claiming). */
export function isMemberOf(set: StatefulSet, pod: Pod): boolean {
  return parentAndOrdinal(pod).parent === (set.metadata?.name ?? '');
}

// ---------------------------------------------------------------------------------------------------
// Identity and storage

/** The pod has the name, namespace and pod-name label of its ordinal in the set. */
export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const { parent, ordinal } = parentAndOrdinal(pod);
  const name = pod.metadata?.name;
  return (
    ordinal >= 0 &&
    parent === set.metadata?.name &&
    name === podName(set, ordinal) &&
    pod.metadata?.namespace === set.metadata?.namespace &&
    pod.metadata?.labels?.[POD_NAME_LABEL] === name
  );
}

interface Volume {
  name?: string;
  persistentVolumeClaim?: { claimName?: string; readOnly?: boolean };
  [field: string]: unknown;
}

function volumesOf(pod: Pod): Volume[] {
  return ((pod.spec as { volumes?: Volume[] } | undefined)?.volumes ?? []) as Volume[];
}

/** Every claim template has a volume of its name mounting the claim of the pod's ordinal. */
export function storageMatches(set: StatefulSet, pod: Pod): boolean {
  const ordinal = ordinalOf(pod);
  if (ordinal < 0) return false;
  const volumes = new Map(volumesOf(pod).map((volume) => [volume.name, volume]));
  return (set.spec?.volumeClaimTemplates ?? []).every((template) => {
    const volume = volumes.get(template.metadata?.name);
    return volume?.persistentVolumeClaim?.claimName === claimName(set, template, ordinal);
  });
}

/**
 * The claims a pod of the set mounts, by template name: each template with the pod's claim name, the
 * set's namespace, and the template's labels plus the selector's matchLabels.
 */
export function claimsFor(set: StatefulSet, pod: Pod): Map<string, PersistentVolumeClaim> {
  const ordinal = ordinalOf(pod);
  const matchLabels = set.spec?.selector?.matchLabels;
  const claims = new Map<string, PersistentVolumeClaim>();
  for (const template of set.spec?.volumeClaimTemplates ?? []) {
    const { status: _status, ...copy } = structuredClone(template);
    const labels =
      copy.metadata?.labels !== undefined
        ? { ...copy.metadata.labels, ...matchLabels }
        : matchLabels !== undefined
          ? { ...matchLabels }
          : undefined;
    claims.set(template.metadata?.name ?? '', {
      ...copy,
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        ...copy.metadata,
        name: claimName(set, template, ordinal),
        namespace: set.metadata?.namespace,
        ...(labels !== undefined ? { labels } : {}),
      },
    });
  }
  return claims;
}

/**
 * Gives `pod` (a copy the caller owns) a volume for each claim template, replacing any volume of the
 * same name; its other volumes stay, after them.
 */
export function updateStorage(set: StatefulSet, pod: Pod): void {
  const claims = claimsFor(set, pod);
  const volumes: Volume[] = [...claims].map(([name, claim]) => ({
    name,
    persistentVolumeClaim: { claimName: claim.metadata?.name ?? '' },
  }));
  for (const volume of volumesOf(pod)) if (!claims.has(volume.name ?? '')) volumes.push(volume);
  if (volumes.length === 0) return;
  pod.spec = { ...pod.spec, volumes };
}

/** Gives `pod` (a copy the caller owns) its ordinal's name, the set's namespace and the identity labels. */
export function updateIdentity(set: StatefulSet, pod: Pod): void {
  const ordinal = ordinalOf(pod);
  const name = podName(set, ordinal);
  pod.metadata = {
    ...pod.metadata,
    name,
    namespace: set.metadata?.namespace,
    labels: { ...pod.metadata?.labels, [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal) },
  };
}

export function podRevision(pod: Pod): string {
  return pod.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '';
}

/**
 * Upstream's newStatefulSetPod: the set's template, owned by the set, named for `ordinal`, with its
 * hostname and subdomain (set only at creation: both are immutable) and its claims' volumes.
 */
export function newStatefulSetPod(set: StatefulSet, ordinal: number): Pod {
  const pod = podFromTemplate(set, set.spec?.template, controllerRef(set, STATEFULSET_KIND));
  const { generateName: _generateName, ...metadata } = pod.metadata ?? {};
  pod.metadata = { ...metadata, name: podName(set, ordinal) };
  updateIdentity(set, pod);
  const serviceName = set.spec?.serviceName;
  pod.spec = {
    ...pod.spec,
    hostname: pod.metadata.name,
    ...(serviceName ? { subdomain: serviceName } : {}),
  };
  updateStorage(set, pod);
  return pod;
}

/**
 * Upstream's newVersionedStatefulSetPod: the pod for `ordinal` at the current revision when the
 * strategy keeps that ordinal back — below the partition, or (a RollingUpdate strategy with no
 * rollingUpdate block) below the current replicas — and at the update revision otherwise. OnDelete
 * sets always make new pods at the update revision.
 */
export function newVersionedStatefulSetPod(
  currentSet: StatefulSet,
  updateSet: StatefulSet,
  currentRevision: string,
  updateRevision: string,
  ordinal: number,
): Pod {
  const strategy = currentSet.spec?.updateStrategy;
  const start = startOrdinal(currentSet);
  const keepCurrent =
    (strategy?.type === 'RollingUpdate' &&
      strategy.rollingUpdate === undefined &&
      ordinal < start + (currentSet.status?.currentReplicas ?? 0)) ||
    (strategy?.rollingUpdate !== undefined && ordinal < start + (strategy.rollingUpdate.partition ?? 0));
  const pod = newStatefulSetPod(keepCurrent ? currentSet : updateSet, ordinal);
  pod.metadata!.labels = {
    ...pod.metadata?.labels,
    [CONTROLLER_REVISION_HASH_LABEL]: keepCurrent ? currentRevision : updateRevision,
  };
  return pod;
}

// ---------------------------------------------------------------------------------------------------
// What a pod's state means to the set

/** Created and known to the API server: it has a phase. (A pod this sync only means to create has none.) */
export function isCreated(pod: Pod): boolean {
  return Boolean(pod.status?.phase);
}

export function isPending(pod: Pod): boolean {
  return pod.status?.phase === 'Pending';
}

export function isFailed(pod: Pod): boolean {
  return pod.status?.phase === 'Failed';
}

export function isSucceeded(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded';
}

export function isTerminating(pod: Pod): boolean {
  return pod.metadata?.deletionTimestamp !== undefined;
}

export function isRunningAndReady(pod: Pod): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod);
}

export function isRunningAndAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  return isPodAvailable(pod, minReadySeconds, now);
}

/** Not (yet) available, or on its way out. */
export function isUnavailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  return !isRunningAndAvailable(pod, minReadySeconds, now) || isTerminating(pod);
}

/** Parallel pod management: pods are made and removed all at once, not one ordinal at a time. */
export function allowsBurst(set: StatefulSet): boolean {
  return set.spec?.podManagementPolicy === 'Parallel';
}
