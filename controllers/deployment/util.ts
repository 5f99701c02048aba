/**
 * The pure half of the Deployment controller, as upstream's pkg/controller/deployment/util
 * (deployment_util.go) and the pod-template hash of pkg/controller (ComputeHash): the arithmetic of
 * rollouts (fenceposts, proportions), the annotations a Deployment puts on its ReplicaSets, the
 * conditions it reports, and how ReplicaSets are ordered. Nothing here does I/O; the controller
 * (../deployment.ts) calls these on clones of cached objects.
 */
import { isDeepStrictEqual } from 'node:util';
import type { LabelSelector } from '../../api/labels.js';
import type { KubeObject } from '../../api/resource.js';
import type { ReplicatedSet } from '../replicaset.js';

// ---------------------------------------------------------------------------------------------------
// The objects

export interface PodTemplate {
  metadata?: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [field: string]: unknown;
  };
  spec?: Record<string, unknown>;
}

export type IntOrString = number | string;

export interface DeploymentStrategy {
  type?: string;
  rollingUpdate?: { maxSurge?: IntOrString; maxUnavailable?: IntOrString };
}

export interface DeploymentCondition {
  type: string;
  status: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: DeploymentCondition[];
  collisionCount?: number;
}

export interface Deployment extends KubeObject {
  spec?: {
    replicas?: number;
    selector?: LabelSelector;
    template?: PodTemplate;
    strategy?: DeploymentStrategy;
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    paused?: boolean;
    progressDeadlineSeconds?: number;
    [field: string]: unknown;
  };
  status?: DeploymentStatus;
}

/** A ReplicaSet as this controller reads it (the ReplicaSet controller's view of one). */
export type ReplicaSet = ReplicatedSet;

// ---------------------------------------------------------------------------------------------------
// Names, as upstream

export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
const DEPRECATED_ROLLBACK_TO = 'deprecated.deployment.rollback.to';
/** Upstream's maxRevHistoryLengthInChars. */
const MAX_REVISION_HISTORY_CHARS = 2000;
/** Go's math.MaxInt32: a limit or deadline of this value means "none". */
const MAX_INT32 = 2 ** 31 - 1;

export const ROLLING_UPDATE = 'RollingUpdate';
export const RECREATE = 'Recreate';

export const AVAILABLE = 'Available';
export const PROGRESSING = 'Progressing';
export const REPLICA_FAILURE = 'ReplicaFailure';

/** Condition reasons (upstream's util constants). */
export const Reason = {
  minimumReplicasAvailable: 'MinimumReplicasAvailable',
  minimumReplicasUnavailable: 'MinimumReplicasUnavailable',
  replicaSetUpdated: 'ReplicaSetUpdated',
  failedCreate: 'ReplicaSetCreateError',
  newReplicaSetCreated: 'NewReplicaSetCreated',
  foundNewReplicaSet: 'FoundNewReplicaSet',
  newReplicaSetAvailable: 'NewReplicaSetAvailable',
  timedOut: 'ProgressDeadlineExceeded',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
} as const;

// ---------------------------------------------------------------------------------------------------
// The pod-template hash

/**
 * Upstream's ComputeHash: fnv32a of the template, then of the collision count (as 8 little-endian
 * bytes, only the low 4 set), the decimal of the sum rendered with rand.SafeEncodeString.
 *
 * One difference: upstream feeds the hash go-spew's dump of the Go PodTemplateSpec struct (every field
 * of every nested type, with type names, zero values and nil pointers). Reproducing that needs the
 * whole Go type tree of PodSpec, so Skiff hashes the template's canonical JSON instead (keys sorted,
 * empty values dropped). The hash is therefore stable and deterministic, and of upstream's form
 * (`web-7d9c8b6f5`), but not the same string upstream would compute for the same template.
 */
export function computeHash(template: PodTemplate | object | undefined, collisionCount?: number): string {
  let hash = fnv32a(0x811c9dc5, new TextEncoder().encode(canonicalJson(template ?? {})));
  if (collisionCount !== undefined) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    hash = fnv32a(hash, bytes);
  }
  return safeEncodeString(String(hash));
}

function fnv32a(start: number, bytes: Uint8Array): number {
  let hash = start >>> 0;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}

const SAFE_ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** apimachinery's rand.SafeEncodeString: each character mapped into an alphabet without vowels. */
export function safeEncodeString(text: string): string {
  let encoded = '';
  for (const character of text) encoded += SAFE_ALPHANUMS[character.codePointAt(0)! % SAFE_ALPHANUMS.length];
  return encoded;
}

/** JSON with sorted keys and without null, empty objects or empty arrays (which Go treats as unset). */
function canonicalJson(value: unknown): string {
  return JSON.stringify(normalized(value) ?? {});
}

function normalized(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    const items = value.map((item) => normalized(item) ?? null);
    return items.length === 0 ? undefined : items;
  }
  if (typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((key) => [key, normalized((value as Record<string, unknown>)[key])] as const)
      .filter(([, member]) => member !== undefined);
    return entries.length === 0 ? undefined : Object.fromEntries(entries);
  }
  return value;
}

/** Upstream's EqualIgnoreHash: the templates are equal once the pod-template-hash label is dropped. */
export function equalIgnoreHash(a: PodTemplate | undefined, b: PodTemplate | undefined): boolean {
  return isDeepStrictEqual(normalized(withoutHashLabel(a)), normalized(withoutHashLabel(b)));
}

function withoutHashLabel(template: PodTemplate | undefined): PodTemplate {
  const copy = structuredClone(template ?? {});
  if (copy.metadata?.labels) delete copy.metadata.labels[POD_TEMPLATE_HASH_LABEL];
  return copy;
}

// ---------------------------------------------------------------------------------------------------
// Counting

export const replicasOf = (set: ReplicaSet | undefined): number => set?.spec?.replicas ?? 1;
export const desiredReplicas = (deployment: Deployment): number => deployment.spec?.replicas ?? 1;

/** Sum of spec.replicas (upstream's GetReplicaCountForReplicaSets). */
export function specReplicas(sets: readonly (ReplicaSet | undefined)[]): number {
  return sets.reduce((sum, set) => sum + (set ? replicasOf(set) : 0), 0);
}

/** Sum of status.replicas (GetActualReplicaCountForReplicaSets). */
export function actualReplicas(sets: readonly (ReplicaSet | undefined)[]): number {
  return sets.reduce((sum, set) => sum + (set?.status?.replicas ?? 0), 0);
}

export function readyReplicas(sets: readonly (ReplicaSet | undefined)[]): number {
  return sets.reduce((sum, set) => sum + (set?.status?.readyReplicas ?? 0), 0);
}

export function availableReplicas(sets: readonly (ReplicaSet | undefined)[]): number {
  return sets.reduce((sum, set) => sum + (set?.status?.availableReplicas ?? 0), 0);
}

/** Sets with spec.replicas above 0 (FilterActiveReplicaSets). */
export function activeSets(sets: readonly (ReplicaSet | undefined)[]): ReplicaSet[] {
  return sets.filter((set): set is ReplicaSet => set !== undefined && replicasOf(set) > 0);
}

// ---------------------------------------------------------------------------------------------------
// maxSurge and maxUnavailable

/**
 * intstr.GetScaledValueFromIntOrPercent: an int as it is; `"25%"` of `total`, rounded up or down. A
 * string that is not a percentage is an error, as upstream.
 *
 *   ("25%", 10, up) → 3    ("25%", 10, down) → 2    (2, 10, *) → 2
 */
export function scaledValue(value: IntOrString | undefined, total: number, roundUp: boolean): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  const match = /^(-?\d+)%$/.exec(value);
  if (!match) {
    // An int carried as a string (intstr's String type) is still refused by upstream.
    throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  }
  const scaled = (Number(match[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

export const isRollingUpdate = (deployment: Deployment): boolean =>
  (deployment.spec?.strategy?.type ?? ROLLING_UPDATE) === ROLLING_UPDATE;

/**
 * Upstream's ResolveFenceposts: maxSurge rounded up, maxUnavailable down; should both come to 0 (a
 * small deployment with percentages), maxUnavailable becomes 1 so the rollout can move at all.
 *
 *   25%/25% of 3 → surge 1, unavailable 0 → 1     25%/25% of 10 → surge 3, unavailable 2
 */
export function resolveFenceposts(
  maxSurge: IntOrString | undefined,
  maxUnavailable: IntOrString | undefined,
  desired: number,
): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function maxSurge(deployment: Deployment): number {
  if (!isRollingUpdate(deployment)) return 0;
  const rolling = deployment.spec?.strategy?.rollingUpdate;
  return resolveFenceposts(rolling?.maxSurge, rolling?.maxUnavailable, desiredReplicas(deployment)).surge;
}

export function maxUnavailable(deployment: Deployment): number {
  const desired = desiredReplicas(deployment);
  if (!isRollingUpdate(deployment) || desired === 0) return 0;
  const rolling = deployment.spec?.strategy?.rollingUpdate;
  const { unavailable } = resolveFenceposts(rolling?.maxSurge, rolling?.maxUnavailable, desired);
  return Math.min(unavailable, desired);
}

/**
 * Upstream's NewRSNewReplicas: how big the new set may be now. Rolling: as far as the surge allows
 * (never beyond the desired count); Recreate: the desired count at once.
 */
export function newReplicaSetReplicas(
  deployment: Deployment,
  allSets: readonly (ReplicaSet | undefined)[],
  newSet: ReplicaSet,
): number {
  const desired = desiredReplicas(deployment);
  const strategy = deployment.spec?.strategy?.type ?? ROLLING_UPDATE;
  if (strategy === RECREATE) return desired;
  if (strategy !== ROLLING_UPDATE) throw new Error(`deployment type ${strategy} isn't supported`);
  const surge = scaledValue(deployment.spec?.strategy?.rollingUpdate?.maxSurge, desired, true);
  const current = specReplicas(allSets);
  const maxTotal = desired + surge;
  if (current >= maxTotal) return replicasOf(newSet);
  const scaleUp = Math.min(maxTotal - current, desired - replicasOf(newSet));
  return replicasOf(newSet) + scaleUp;
}

// ---------------------------------------------------------------------------------------------------
// Annotations

/** A revision annotation's number. Revisions are int64 upstream (and users set huge ones), hence bigint. */
export function revisionOf(object: KubeObject | undefined): bigint {
  const value = object?.metadata?.annotations?.[REVISION_ANNOTATION];
  if (value === undefined || !/^-?\d+$/.test(value)) return 0n;
  return BigInt(value);
}

export function maxRevision(sets: readonly ReplicaSet[]): bigint {
  return sets.reduce((max, set) => {
    const revision = revisionOf(set);
    // biome-ignore lint/complexity/useMathMinMax: Math.max takes no bigints
    return revision > max ? revision : max;
  }, 0n);
}

const annotationsNotCopied = new Set([
  LAST_APPLIED_ANNOTATION,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  DEPRECATED_ROLLBACK_TO,
]);

/**
 * Upstream's SetNewReplicaSetAnnotations, on `set` (a clone): the deployment's annotations but ours
 * (so `kubernetes.io/change-cause` travels), the revision raised to `newRevision` when lower (keeping
 * the old one in revision-history), and for a set about to be made, desired- and max-replicas.
 * Returns whether anything changed.
 */
export function setNewReplicaSetAnnotations(
  deployment: Deployment,
  set: ReplicaSet,
  newRevision: bigint,
  exists: boolean,
): boolean {
  const meta = (set.metadata ??= {});
  const annotations = (meta.annotations ??= {});
  let changed = false;
  for (const [key, value] of Object.entries(deployment.metadata?.annotations ?? {})) {
    if (annotationsNotCopied.has(key) || annotations[key] === value) continue;
    annotations[key] = value;
    changed = true;
  }
  const oldRevision = annotations[REVISION_ANNOTATION];
  let oldRevisionNumber = 0n;
  if (oldRevision !== undefined && oldRevision !== '') {
    if (!/^-?\d+$/.test(oldRevision)) return false;
    oldRevisionNumber = BigInt(oldRevision);
  }
  if (oldRevisionNumber < newRevision) {
    annotations[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    // A set given a newer revision is a rollback to it: remember the revisions it had.
    if (oldRevision !== undefined) {
      const history = annotations[REVISION_HISTORY_ANNOTATION] ?? '';
      if (history === '') annotations[REVISION_HISTORY_ANNOTATION] = oldRevision;
      else {
        const revisions = history.split(',');
        let total = history.length + oldRevision.length + 1;
        let start = 0;
        while (total > MAX_REVISION_HISTORY_CHARS && start < revisions.length) {
          total -= revisions[start]!.length + 1;
          start++;
        }
        if (total <= MAX_REVISION_HISTORY_CHARS) {
          annotations[REVISION_HISTORY_ANNOTATION] = [...revisions.slice(start), oldRevision].join(',');
        }
      }
    }
  }
  if (!exists) {
    const desired = desiredReplicas(deployment);
    if (setReplicasAnnotations(set, desired, desired + maxSurge(deployment))) changed = true;
  }
  return changed;
}

/** Sets desired- and max-replicas on `set` (a clone); returns whether they changed. */
export function setReplicasAnnotations(set: ReplicaSet, desired: number, max: number): boolean {
  const annotations = ((set.metadata ??= {}).annotations ??= {});
  let changed = false;
  if (annotations[DESIRED_REPLICAS_ANNOTATION] !== String(desired)) {
    annotations[DESIRED_REPLICAS_ANNOTATION] = String(desired);
    changed = true;
  }
  if (annotations[MAX_REPLICAS_ANNOTATION] !== String(max)) {
    annotations[MAX_REPLICAS_ANNOTATION] = String(max);
    changed = true;
  }
  return changed;
}

export function replicasAnnotationsNeedUpdate(set: ReplicaSet, desired: number, max: number): boolean {
  const annotations = set.metadata?.annotations ?? {};
  return (
    annotations[DESIRED_REPLICAS_ANNOTATION] !== String(desired) ||
    annotations[MAX_REPLICAS_ANNOTATION] !== String(max)
  );
}

function intAnnotation(set: ReplicaSet, key: string): number | undefined {
  const value = set.metadata?.annotations?.[key];
  return value !== undefined && /^-?\d+$/.test(value) ? Number(value) : undefined;
}

export const desiredReplicasAnnotation = (set: ReplicaSet): number | undefined =>
  intAnnotation(set, DESIRED_REPLICAS_ANNOTATION);

/** The new set has all the deployment's replicas, all available (upstream's IsSaturated). */
export function isSaturated(deployment: Deployment, set: ReplicaSet | undefined): boolean {
  if (!set) return false;
  const desired = desiredReplicas(deployment);
  return (
    replicasOf(set) === desired &&
    desiredReplicasAnnotation(set) === desired &&
    (set.status?.availableReplicas ?? 0) === desired
  );
}

// ---------------------------------------------------------------------------------------------------
// Proportional scaling

/**
 * Upstream's GetReplicaSetProportion: this set's share of `toAdd` (negative to remove), in proportion
 * to its size against the deployment's max-replicas before the scale, never past what is left.
 *
 *   sets of 6 and 4 (max-replicas 10), the deployment grows to 15 (+5): 6·15/10 − 6 = 3, then 2
 */
export function replicaSetProportion(
  set: ReplicaSet,
  deployment: Deployment,
  toAdd: number,
  added: number,
): number {
  if (replicasOf(set) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(set, deployment);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function replicaSetFraction(set: ReplicaSet, deployment: Deployment): number {
  const desired = desiredReplicas(deployment);
  if (desired === 0) return -replicasOf(set);
  const maxReplicas = desired + maxSurge(deployment);
  let before = intAnnotation(set, MAX_REPLICAS_ANNOTATION) ?? 0;
  if (before === 0) {
    before = deployment.status?.replicas ?? 0;
    if (before === 0) return 0;
  }
  return roundHalfAwayFromZero((replicasOf(set) * maxReplicas) / before) - replicasOf(set);
}

function roundHalfAwayFromZero(value: number): number {
  return Math.sign(value) * Math.round(Math.abs(value));
}

// ---------------------------------------------------------------------------------------------------
// Ordering

function createdAt(set: ReplicaSet): number {
  const parsed = Date.parse(set.metadata?.creationTimestamp ?? '');
  return Number.isNaN(parsed) ? 0 : parsed;
}

/** Oldest first; the same second: by name (ReplicaSetsByCreationTimestamp). */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const difference = createdAt(a) - createdAt(b);
  if (difference !== 0) return difference;
  const nameA = a.metadata?.name ?? '';
  const nameB = b.metadata?.name ?? '';
  return nameA < nameB ? -1 : nameA > nameB ? 1 : 0;
}

/** Lowest revision first; equal revisions by creation (ReplicaSetsByRevision). */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  const revisionA = revisionOf(a);
  const revisionB = revisionOf(b);
  return revisionA < revisionB ? -1 : revisionA > revisionB ? 1 : byCreation(a, b);
}

/** Largest first; equal sizes newer first (ReplicaSetsBySizeNewer), for scaling up. */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  return replicasOf(b) - replicasOf(a) || byCreation(b, a);
}

/** Largest first; equal sizes older first (ReplicaSetsBySizeOlder), for scaling down. */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  return replicasOf(b) - replicasOf(a) || byCreation(a, b);
}

// ---------------------------------------------------------------------------------------------------
// Conditions and progress

export const hasProgressDeadline = (deployment: Deployment): boolean => {
  const deadline = deployment.spec?.progressDeadlineSeconds;
  return deadline !== undefined && deadline !== MAX_INT32;
};

export const hasRevisionHistoryLimit = (deployment: Deployment): boolean => {
  const limit = deployment.spec?.revisionHistoryLimit;
  return limit !== undefined && limit !== MAX_INT32;
};

export function getCondition(
  status: DeploymentStatus | undefined,
  type: string,
): DeploymentCondition | undefined {
  return status?.conditions?.find((condition) => condition.type === type);
}

export function newCondition(
  type: string,
  status: string,
  reason: string,
  message: string,
  now: string,
): DeploymentCondition {
  return { type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message };
}

/**
 * Upstream's SetDeploymentCondition: nothing when status and reason are unchanged; the transition
 * time kept when only the reason changes; the condition moved to the end otherwise.
 */
export function setCondition(status: DeploymentStatus, condition: DeploymentCondition): void {
  const current = getCondition(status, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return;
  const next = { ...condition };
  if (current && current.status === condition.status && current.lastTransitionTime !== undefined) {
    next.lastTransitionTime = current.lastTransitionTime;
  }
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== condition.type), next];
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((condition) => condition.type !== type);
}

/** Every replica updated, present and available, for the latest generation (DeploymentComplete). */
export function deploymentComplete(deployment: Deployment, status: DeploymentStatus): boolean {
  const desired = desiredReplicas(deployment);
  return (
    (status.updatedReplicas ?? 0) === desired &&
    (status.replicas ?? 0) === desired &&
    (status.availableReplicas ?? 0) === desired &&
    (status.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 0)
  );
}

/** Something moved since the last status (DeploymentProgressing). */
export function deploymentProgressing(deployment: Deployment, status: DeploymentStatus): boolean {
  const old = deployment.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (status.replicas ?? 0) - (status.updatedReplicas ?? 0);
  return (
    (status.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (status.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (status.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/** No progress reported for progressDeadlineSeconds (DeploymentTimedOut). */
export function deploymentTimedOut(deployment: Deployment, status: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(deployment)) return false;
  const condition = getCondition(status, PROGRESSING);
  if (!condition) return false;
  if (condition.reason === Reason.newReplicaSetAvailable) return false;
  if (condition.reason === Reason.timedOut) return true;
  const from = Date.parse(condition.lastUpdateTime ?? '');
  if (Number.isNaN(from)) return false;
  return from + (deployment.spec?.progressDeadlineSeconds ?? 0) * 1000 < now;
}

export { formatTime } from '../pods.js';

/**
 * The status as upstream's JSON has it: zeros left out (every count is omitempty), conditions last.
 * Two statuses are the same when their normal forms are deeply equal.
 */
export function normalStatus(status: DeploymentStatus | undefined): DeploymentStatus {
  const out: DeploymentStatus = {};
  const counts = [
    'observedGeneration',
    'replicas',
    'updatedReplicas',
    'readyReplicas',
    'availableReplicas',
    'unavailableReplicas',
  ] as const;
  for (const field of counts) {
    const value = status?.[field];
    if (value) out[field] = value;
  }
  if (status?.conditions && status.conditions.length > 0) out.conditions = structuredClone(status.conditions);
  if (status?.collisionCount !== undefined) out.collisionCount = status.collisionCount;
  return out;
}
