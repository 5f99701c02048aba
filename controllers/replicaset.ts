/**
 * The ReplicaSet controller, as kube-controller-manager's (pkg/controller/replicaset): it keeps
 * `spec.replicas` active pods matching a set's selector and controlled by it. ReplicationControllers
 * share every line of it (replication-controller.ts only describes their kind), as upstream runs one
 * implementation for both.
 *
 * One reconcile of `namespace/name`, from the informers' caches:
 *
 *   active pods of the namespace (not Succeeded/Failed, not being deleted)
 *     └─ claim: keep those we control and that match; adopt matching orphans (a strategic patch adding
 *        our controller reference, with the pod's uid as precondition); release ours that stopped
 *        matching; never touch a pod someone else controls
 *   if the expectations are met and the set is not being deleted:
 *     too few → create from the template in slow-start batches of 1, 2, 4, … (stop at the first
 *               batch with a failure); too many → delete the least useful first (see `lessUseful`)
 *   status (replicas, fullyLabeled, ready, available, observedGeneration, ReplicaFailure), written
 *   through the status subresource only when it changed; requeue when a ready pod will become
 *   available (minReadySeconds).
 *
 * Expectations (upstream's UIDTrackingControllerExpectations): before creating N pods the set expects N
 * creations, and before deleting it expects those pods' deletions; the pod handlers count them off as
 * the informer reports them. Until they are met (or 5 minutes pass) a reconcile manages no replicas,
 * since the cache does not yet show its own writes and it would create (or delete) again.
 *
 * Events go out as core/v1 Events through the shared EventRecorder (`SuccessfulCreate` "Created pod:
 * web-x7k2p", `SuccessfulDelete`, `FailedCreate` "Error creating: …", `FailedDelete`), never waited for.
 */
import { isDeepStrictEqual } from 'node:util';
import { labelSelectorAsSelector, type Selector, selectorFromSet } from '../api/labels.js';
import type { KubeObject, OwnerReference } from '../api/resource.js';
import { isStatusError } from '../api/status.js';
import type { Clock } from '../client/clock.js';
import { EventRecorder, type EventType } from '../client/event-recorder.js';
import { controllerIndex, namespaceIndex, objectKey, splitKey } from '../client/indexed-store.js';
import type { Informer } from '../client/informer.js';
import { refFor } from '../client/refs.js';
import type { KubeClient, ResourceRef } from '../client/types.js';
import type { WorkQueue } from '../client/work-queue.js';
import { claimChildren } from './claim.js';
import { Expectations } from './expectations.js';
import {
  type Controller,
  type ControllerContext,
  type ControllerFactory,
  QueueController,
  type ReconcileResult,
  TerminalError,
} from './framework.js';
import {
  controllerOf,
  controllerRef,
  eventKeyOf,
  formatTime,
  hasStatusCause,
  isPodActive,
  isPodAvailable,
  isPodReady,
  messageOf,
  NAMESPACE_TERMINATING_CAUSE,
  type Pod,
  type PodTemplate,
  podCondition,
  podFromTemplate,
  timeOf,
} from './pods.js';
import { slowStartBatch } from './slow-start.js';

// ---------------------------------------------------------------------------------------------------
// The objects, as far as this controller reads them

export type { Pod } from './pods.js';

export interface ReplicaSetCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface ReplicaSetStatus {
  replicas?: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaSetCondition[];
  [field: string]: unknown;
}

/** A ReplicaSet or a ReplicationController: the fields they share (only the selector's form differs). */
export interface ReplicatedSet extends KubeObject {
  spec?: {
    replicas?: number;
    minReadySeconds?: number;
    selector?: unknown;
    template?: PodTemplate;
    [field: string]: unknown;
  };
  status?: ReplicaSetStatus;
}

/** What tells a ReplicaSet from a ReplicationController. */
export interface ReplicatedKind {
  readonly apiVersion: string;
  readonly kind: string;
  /** The controller's name in kube-controller-manager: the queue's name, and what errors are reported as. */
  readonly controllerName: string;
  /** The `source.component` of its Events. */
  readonly eventComponent: string;
  /** The set's selector, compiled; throws (a 400 StatusError) when it is malformed. */
  readonly selectorOf: (set: ReplicatedSet) => Selector;
}

export const replicaSetKind: ReplicatedKind = {
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  controllerName: 'replicaset-controller',
  eventComponent: 'replicaset-controller',
  selectorOf: (set) =>
    labelSelectorAsSelector(set.spec?.selector as Parameters<typeof labelSelectorAsSelector>[0]),
};

// ---------------------------------------------------------------------------------------------------
// Constants, as upstream

/** At most this many pods are created or deleted by one reconcile (upstream's BurstReplicas). */
const BURST_REPLICAS = 500;
/** The first slow-start batch (upstream's SlowStartInitialBatchSize). */
const SLOW_START_INITIAL_BATCH = 1;
const STATUS_UPDATE_RETRIES = 1;
const REPLICA_FAILURE = 'ReplicaFailure';
const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

// ---------------------------------------------------------------------------------------------------
// The controller

export interface ReplicaSetControllerOptions {
  readonly context: ControllerContext;
  /** Default: ReplicaSet. */
  readonly kind?: ReplicatedKind;
  /** At most this many creations or deletions per reconcile. Default 500. */
  readonly burstReplicas?: number;
  readonly workers?: number;
}

export class ReplicaSetController implements Controller {
  readonly name: string;
  readonly #kind: ReplicatedKind;
  readonly #client: KubeClient;
  readonly #clock: Clock;
  readonly #burstReplicas: number;
  readonly #sets: Informer<ReplicatedSet>;
  readonly #pods: Informer<Pod>;
  readonly #queue: QueueController;
  readonly #expectations: Expectations;
  readonly #events: EventRecorder;

  constructor(options: ReplicaSetControllerOptions) {
    const { context } = options;
    this.#kind = options.kind ?? replicaSetKind;
    this.name = this.#kind.controllerName;
    this.#client = context.client;
    this.#clock = context.clock;
    this.#burstReplicas = options.burstReplicas ?? BURST_REPLICAS;
    this.#expectations = new Expectations(context.clock);
    this.#events = new EventRecorder({
      client: context.client,
      component: this.#kind.eventComponent,
      clock: context.clock,
      onError: (error, event) => context.onError(this.name, eventKeyOf(event), error),
    });
    this.#queue = new QueueController({
      name: this.name,
      context,
      reconcile: (key) => this.reconcile(key),
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
    });
    this.#sets = context.informers.informerFor<ReplicatedSet>(
      refFor({ apiVersion: this.#kind.apiVersion, kind: this.#kind.kind }),
    );
    this.#pods = context.informers.informerFor<Pod>(refFor('Pod'));
    this.#sets.addEventHandler({
      onAdd: (set) => this.#enqueue(set),
      onUpdate: (old, set) => {
        // Deleted and made again under the same name between two events: start clean.
        if (old.metadata?.uid !== set.metadata?.uid) this.#expectations.delete(objectKey(old));
        this.#enqueue(set);
      },
      onDelete: (set) => {
        this.#expectations.delete(objectKey(set));
        this.#enqueue(set);
      },
    });
    this.#pods.addEventHandler({
      onAdd: (pod) => this.#podAdded(pod),
      onUpdate: (old, pod) => this.#podUpdated(old, pod),
      onDelete: (pod) => this.#podDeleted(pod),
    });
  }

  /** The work queue (tests look at what the handlers enqueued). */
  get queue(): WorkQueue<string> {
    return this.#queue.queue;
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await this.#queue.run(signal);
    } finally {
      await this.#events.stop();
    }
  }

  // ---- event handlers: compute keys, count expectations off, enqueue ----

  #enqueue(set: ReplicatedSet): void {
    this.#queue.enqueue(objectKey(set));
  }

  #podAdded(pod: Pod): void {
    // A pod that shows up already being deleted (a restarted manager) is no creation to count.
    if (pod.metadata?.deletionTimestamp) {
      this.#podDeleted(pod);
      return;
    }
    const owner = controllerOf(pod);
    if (owner) {
      const set = this.#resolveControllerRef(pod.metadata?.namespace, owner);
      if (!set) return;
      this.#expectations.creationObserved(objectKey(set));
      this.#enqueue(set);
      return;
    }
    // An orphan: every set that selects it may want to adopt it. No creation is counted — nobody waits
    // for an orphan.
    for (const set of this.#setsSelecting(pod)) this.#enqueue(set);
  }

  #podUpdated(old: Pod, pod: Pod): void {
    // A resync: the same version again.
    if (old.metadata?.resourceVersion === pod.metadata?.resourceVersion) return;
    const labelsChanged = !isDeepStrictEqual(old.metadata?.labels ?? {}, pod.metadata?.labels ?? {});
    if (pod.metadata?.deletionTimestamp) {
      // A graceful deletion began: count it now, so the set replaces the pod without waiting for the
      // kubelet to finish it. With new labels, the old labels' sets are told too.
      this.#podDeleted(pod);
      if (labelsChanged) this.#podDeleted(old);
      return;
    }
    const owner = controllerOf(pod);
    const oldOwner = controllerOf(old);
    const ownerChanged = !isDeepStrictEqual(owner, oldOwner);
    if (ownerChanged && oldOwner) {
      const previous = this.#resolveControllerRef(old.metadata?.namespace, oldOwner);
      if (previous) this.#enqueue(previous);
    }
    if (owner) {
      const set = this.#resolveControllerRef(pod.metadata?.namespace, owner);
      // Becoming ready starts the minReadySeconds wait; the reconcile this wakes asks to be requeued
      // when it ends (upstream instead enqueues here after minReadySeconds + 1 s).
      if (set) this.#enqueue(set);
      return;
    }
    if (labelsChanged || ownerChanged) for (const set of this.#setsSelecting(pod)) this.#enqueue(set);
  }

  #podDeleted(pod: Pod): void {
    const owner = controllerOf(pod);
    // Nobody cares about an orphan going away.
    if (!owner) return;
    const set = this.#resolveControllerRef(pod.metadata?.namespace, owner);
    if (!set) return;
    const key = objectKey(set);
    this.#expectations.deletionObserved(key, objectKey(pod));
    this.#queue.enqueue(key);
  }

  /** The cached set a controller reference points at: same kind, same name, same uid. */
  #resolveControllerRef(namespace: string | undefined, owner: OwnerReference): ReplicatedSet | undefined {
    if (owner.kind !== this.#kind.kind) return undefined;
    const set = this.#sets.store.getByName(namespace, owner.name);
    return set?.metadata?.uid === owner.uid ? set : undefined;
  }

  /** Sets in the pod's namespace whose (valid, non-empty) selector matches its labels. */
  #setsSelecting(pod: Pod): ReplicatedSet[] {
    const namespace = pod.metadata?.namespace;
    if (!namespace) return [];
    return this.#sets.store.byIndex(namespaceIndex, namespace).filter((set) => {
      const selector = this.#selectorOrUndefined(set);
      // A set with an empty selector must select nothing, not everything.
      return selector !== undefined && !selector.empty && selector.matches(pod.metadata?.labels);
    });
  }

  #selectorOrUndefined(set: ReplicatedSet): Selector | undefined {
    try {
      return this.#kind.selectorOf(set);
    } catch {
      return undefined;
    }
  }

  // ---- reconcile ----

  /** Brings one set (`namespace/name`) toward its spec, from the caches; see the module comment. */
  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const { namespace, name } = splitKey(key);
    const set = this.#sets.store.getByName(namespace, name);
    if (!set) {
      this.#expectations.delete(key);
      return undefined;
    }
    const needsSync = this.#expectations.satisfied(key);
    let selector: Selector;
    try {
      selector = this.#kind.selectorOf(set);
    } catch (error) {
      // Validation keeps malformed selectors out; should one get in, retrying cannot mend it.
      throw new TerminalError(`${this.#kind.kind} ${key} has an invalid selector: ${messageOf(error)}`, {
        cause: error,
      });
    }
    const active = this.#pods.store.byIndex(namespaceIndex, namespace ?? '').filter(isPodActive);
    const pods = await claimChildren(
      {
        client: this.#client,
        owner: set,
        ownerKind: this.#kind,
        ownerRef: this.#setRef(namespace),
        selector,
        childRef: this.#podRef(namespace),
        childKind: 'Pod',
      },
      active,
    );

    let manageError: unknown;
    if (needsSync && !set.metadata?.deletionTimestamp) {
      try {
        await this.#manageReplicas(key, set, pods);
      } catch (error) {
        manageError = error ?? new Error('unknown error');
      }
    }
    const now = this.#clock.now();
    await this.#updateStatus(set, calculateStatus(set, pods, manageError, now));
    if (manageError !== undefined) throw manageError;
    const wait = untilNextAvailable(set, pods, now);
    return wait === undefined ? undefined : { requeueAfterMs: wait };
  }

  async #manageReplicas(key: string, set: ReplicatedSet, pods: readonly Pod[]): Promise<void> {
    const wanted = set.spec?.replicas ?? 1;
    const diff = pods.length - wanted;
    if (diff < 0) {
      const count = Math.min(-diff, this.#burstReplicas);
      this.#expectations.expectCreations(key, count);
      const { successes, error } = await slowStartBatch(count, SLOW_START_INITIAL_BATCH, async () => {
        try {
          await this.#createPod(set);
        } catch (failure) {
          // Every create would fail the same way while the namespace goes away; nothing to do.
          if (hasStatusCause(failure, NAMESPACE_TERMINATING_CAUSE)) return;
          throw failure;
        }
      });
      // Creations never attempted (or failed) will never be observed: stop expecting them.
      for (let skipped = count - successes; skipped > 0; skipped--) this.#expectations.creationObserved(key);
      if (error !== undefined) throw error;
    } else if (diff > 0) {
      const count = Math.min(diff, this.#burstReplicas);
      const doomed = podsToDelete(pods, this.#relatedPods(set), count, this.#clock.now());
      this.#expectations.expectDeletions(key, doomed.map(objectKey));
      const errors: unknown[] = [];
      await Promise.all(
        doomed.map(async (pod) => {
          try {
            await this.#deletePod(set, pod);
          } catch (error) {
            // This deletion will never be observed.
            this.#expectations.deletionObserved(key, objectKey(pod));
            if (!isStatusError(error, 'NotFound')) errors.push(error);
          }
        }),
      );
      if (errors.length > 0) throw errors[0];
    }
  }

  /** Upstream's RealPodControl.CreatePods: the pod from the template, with an event either way. */
  async #createPod(set: ReplicatedSet): Promise<void> {
    const namespace = set.metadata?.namespace;
    const pod = podFromTemplate(set, set.spec?.template, controllerRef(set, this.#kind));
    if (Object.keys(pod.metadata?.labels ?? {}).length === 0)
      throw new Error('unable to create pods, no labels');
    let created: Pod;
    try {
      created = await this.#client.create<Pod>(this.#podRef(namespace), pod);
    } catch (error) {
      if (!hasStatusCause(error, NAMESPACE_TERMINATING_CAUSE)) {
        this.#recordEvent(set, 'Warning', 'FailedCreate', `Error creating: ${messageOf(error)}`);
      }
      throw error;
    }
    this.#recordEvent(set, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`);
  }

  async #deletePod(set: ReplicatedSet, pod: Pod): Promise<void> {
    const name = pod.metadata?.name ?? '';
    try {
      await this.#client.delete(this.#podRef(pod.metadata?.namespace), name);
    } catch (error) {
      if (isStatusError(error, 'NotFound')) throw error;
      this.#recordEvent(set, 'Warning', 'FailedDelete', `Error deleting: ${messageOf(error)}`);
      throw new Error(`unable to delete pods: ${messageOf(error)}`, { cause: error });
    }
    this.#recordEvent(set, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
  }

  /**
   * Pods of every set with the same controller as this one (a Deployment's sets), for the "doubled up
   * on a node" rank. A set with no controller has none: its pods all rank equal.
   */
  #relatedPods(set: ReplicatedSet): Pod[] {
    const owner = controllerOf(set);
    if (!owner) return [];
    const seen = new Set<string>();
    const related: Pod[] = [];
    for (const sibling of this.#sets.store.byIndex(controllerIndex, owner.uid)) {
      const selector = this.#selectorOrUndefined(sibling);
      if (!selector) continue;
      for (const pod of this.#pods.store.byIndex(namespaceIndex, sibling.metadata?.namespace ?? '')) {
        const uid = pod.metadata?.uid ?? objectKey(pod);
        if (!selector.matches(pod.metadata?.labels) || seen.has(uid)) continue;
        seen.add(uid);
        related.push(pod);
      }
    }
    return related;
  }

  /** Upstream's updateReplicaSetStatus: nothing when nothing changed, else a status PUT, retried once. */
  async #updateStatus(set: ReplicatedSet, status: ReplicaSetStatus): Promise<void> {
    const generation = set.metadata?.generation;
    if (sameStatus(set.status, status) && (generation ?? 0) === (set.status?.observedGeneration ?? 0)) return;
    // The generation this status describes, so that a retry does not claim a newer spec was seen.
    const next = withObservedGeneration(status, generation);
    const meta = set.metadata ?? {};
    const ref = this.#setRef(meta.namespace);
    let current: ReplicatedSet = set;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#client.update<ReplicatedSet>(
          ref,
          { ...structuredClone(current), status: next },
          { subresource: 'status' },
        );
        return;
      } catch (error) {
        if (attempt >= STATUS_UPDATE_RETRIES) throw error;
        // Most likely a conflict with a stale cache: once more, on the latest version.
        current = await this.#client.get<ReplicatedSet>(ref, meta.name ?? '');
      }
    }
  }

  /** Events are about the set; the reference is built from the kind, as list items carry none. */
  #recordEvent(set: ReplicatedSet, type: EventType, reason: string, message: string): void {
    const meta = set.metadata ?? {};
    this.#events.event(
      {
        kind: this.#kind.kind,
        namespace: meta.namespace,
        name: meta.name,
        uid: meta.uid,
        apiVersion: this.#kind.apiVersion,
        resourceVersion: meta.resourceVersion,
      },
      type,
      reason,
      message,
    );
  }

  #setRef(namespace: string | undefined): ResourceRef {
    return refFor({ apiVersion: this.#kind.apiVersion, kind: this.#kind.kind }, namespace);
  }

  #podRef(namespace: string | undefined): ResourceRef {
    return refFor('Pod', namespace);
  }
}

/** kube-controller-manager's ReplicaSet controller. */
export const replicaSetController: ControllerFactory = (context) =>
  new ReplicaSetController({ context, kind: replicaSetKind });

// ---------------------------------------------------------------------------------------------------
// Choosing pods to delete: upstream's ActivePodsWithRanks, with PodDeletionCost and LogarithmicScaleDown
// (both on by default since 1.22)

interface RankedPod {
  readonly pod: Pod;
  /** Active related pods on the same node: the more, the sooner this one goes. */
  readonly rank: number;
}

function podsToDelete(pods: readonly Pod[], related: readonly Pod[], count: number, now: number): Pod[] {
  // All of them go: no need to choose.
  if (count >= pods.length) return pods.slice(0, count);
  const onNode = new Map<string, number>();
  for (const pod of related) {
    if (!isPodActive(pod)) continue;
    const node = pod.spec?.nodeName ?? '';
    onNode.set(node, (onNode.get(node) ?? 0) + 1);
  }
  const ranked: RankedPod[] = pods.map((pod) => ({ pod, rank: onNode.get(pod.spec?.nodeName ?? '') ?? 0 }));
  ranked.sort((a, b) => (lessUseful(a, b, now) ? -1 : lessUseful(b, a, now) ? 1 : 0));
  return ranked.slice(0, count).map(({ pod }) => pod);
}

const phaseOrdinal: Readonly<Record<string, number>> = { Pending: 0, Unknown: 1, Running: 2 };

/**
 * True when `a` should be deleted before `b`. The first rule that tells them apart decides:
 *   1. unscheduled before scheduled
 *   2. Pending (or no phase) before Unknown before Running
 *   3. not ready before ready
 *   4. lower `controller.kubernetes.io/pod-deletion-cost` first
 *   5. higher rank first (more pods of the same family on its node)
 *   6. both ready: ready for less time first
 *   7. more container restarts first
 *   8. newer first
 * Times in 6 and 8 compare on a log2 scale of their age (so pods of about the same age count as
 * equals, ordered by uid, which spreads scale-downs over them); an absent time comes first.
 */
function lessUseful(a: RankedPod, b: RankedPod, now: number): boolean {
  const nodeA = a.pod.spec?.nodeName ?? '';
  const nodeB = b.pod.spec?.nodeName ?? '';
  if (nodeA !== nodeB && (nodeA === '' || nodeB === '')) return nodeA === '';
  const phaseA = phaseOrdinal[a.pod.status?.phase ?? ''] ?? 0;
  const phaseB = phaseOrdinal[b.pod.status?.phase ?? ''] ?? 0;
  if (phaseA !== phaseB) return phaseA < phaseB;
  const readyA = isPodReady(a.pod);
  const readyB = isPodReady(b.pod);
  if (readyA !== readyB) return !readyA;
  const costA = deletionCost(a.pod);
  const costB = deletionCost(b.pod);
  if (costA !== costB) return costA < costB;
  if (a.rank !== b.rank) return a.rank > b.rank;
  if (readyA && readyB) {
    const sinceA = timeOf(podCondition(a.pod, 'Ready')?.lastTransitionTime);
    const sinceB = timeOf(podCondition(b.pod, 'Ready')?.lastTransitionTime);
    if (sinceA !== sinceB) return newerOnLogScale(a.pod, sinceA, b.pod, sinceB, now);
  }
  const restartsA = maxContainerRestarts(a.pod);
  const restartsB = maxContainerRestarts(b.pod);
  if (restartsA !== restartsB) return restartsA > restartsB;
  const createdA = timeOf(a.pod.metadata?.creationTimestamp);
  const createdB = timeOf(b.pod.metadata?.creationTimestamp);
  if (createdA !== createdB) return newerOnLogScale(a.pod, createdA, b.pod, createdB, now);
  return false;
}

/**
 * Upstream's logarithmicRankDiff on nanosecond ages: a 3-minute-old and a 4-minute-old pod share a
 * bucket (2^37 ns ≈ 2.3 min … 4.6 min), a 1-minute-old one is in a younger one.
 */
function newerOnLogScale(a: Pod, timeA: number, b: Pod, timeB: number, now: number): boolean {
  // A zero time comes first; plain comparison when there is nothing to scale against.
  if (timeA === 0 || timeB === 0) return timeA === 0;
  const bucket = (time: number) => (now - time > 0 ? Math.floor(Math.log2((now - time) * 1e6)) : -1);
  const difference = bucket(timeA) - bucket(timeB);
  if (difference === 0) return (a.metadata?.uid ?? '') < (b.metadata?.uid ?? '');
  return difference < 0;
}

function maxContainerRestarts(pod: Pod): number {
  return Math.max(0, ...(pod.status?.containerStatuses ?? []).map((status) => status.restartCount ?? 0));
}

/** The pod-deletion-cost annotation as an int32; absent or malformed: 0. */
function deletionCost(pod: Pod): number {
  const value = pod.metadata?.annotations?.[POD_DELETION_COST];
  if (value === undefined || !/^[+-]?\d+$/.test(value)) return 0;
  const cost = Number(value);
  return cost >= -(2 ** 31) && cost < 2 ** 31 ? cost : 0;
}

// ---------------------------------------------------------------------------------------------------
// Status

/** Upstream's calculateStatus: counts over the claimed active pods, and the ReplicaFailure condition. */
function calculateStatus(
  set: ReplicatedSet,
  pods: readonly Pod[],
  manageError: unknown,
  now: number,
): ReplicaSetStatus {
  const templateLabels = selectorFromSet(set.spec?.template?.metadata?.labels);
  const minReadySeconds = set.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    if (templateLabels.matches(pod.metadata?.labels)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReadySeconds, now)) available++;
    }
  }
  let conditions = set.status?.conditions ?? [];
  const failure = conditions.find((condition) => condition.type === REPLICA_FAILURE);
  if (manageError !== undefined && !failure) {
    const diff = pods.length - (set.spec?.replicas ?? 1);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    conditions = [
      ...conditions,
      {
        type: REPLICA_FAILURE,
        status: 'True',
        lastTransitionTime: formatTime(now),
        reason,
        message: messageOf(manageError),
      },
    ];
  } else if (manageError === undefined && failure) {
    conditions = conditions.filter((condition) => condition.type !== REPLICA_FAILURE);
  }
  // Field order and omitted zeros as upstream's JSON (only `replicas` is always written).
  const {
    replicas: _r,
    fullyLabeledReplicas: _f,
    readyReplicas: _ready,
    availableReplicas: _a,
    ...rest
  } = set.status ?? {};
  const status: ReplicaSetStatus = {
    replicas: pods.length,
    ...(fullyLabeled > 0 ? { fullyLabeledReplicas: fullyLabeled } : {}),
    ...(ready > 0 ? { readyReplicas: ready } : {}),
    ...(available > 0 ? { availableReplicas: available } : {}),
    ...rest,
  };
  delete status.conditions;
  if (conditions.length > 0) status.conditions = structuredClone(conditions);
  return status;
}

function withObservedGeneration(status: ReplicaSetStatus, generation: number | undefined): ReplicaSetStatus {
  const { conditions, observedGeneration: _o, ...counts } = status;
  return {
    ...counts,
    ...(generation ? { observedGeneration: generation } : {}),
    ...(conditions ? { conditions } : {}),
  };
}

function sameStatus(current: ReplicaSetStatus | undefined, next: ReplicaSetStatus): boolean {
  const count = (status: ReplicaSetStatus | undefined, field: keyof ReplicaSetStatus) =>
    (status?.[field] as number | undefined) ?? 0;
  return (
    (['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'] as const).every(
      (field) => count(current, field) === count(next, field),
    ) && isDeepStrictEqual(current?.conditions ?? [], next.conditions ?? [])
  );
}

/**
 * Milliseconds until the first ready-but-not-yet-available pod becomes available (just past
 * lastTransitionTime + minReadySeconds), or undefined when none will.
 */
function untilNextAvailable(set: ReplicatedSet, pods: readonly Pod[], now: number): number | undefined {
  const minReadySeconds = set.spec?.minReadySeconds ?? 0;
  if (minReadySeconds === 0) return undefined;
  let soonest: number | undefined;
  for (const pod of pods) {
    if (!isPodReady(pod) || isPodAvailable(pod, minReadySeconds, now)) continue;
    const since = timeOf(podCondition(pod, 'Ready')?.lastTransitionTime);
    if (since === 0) continue;
    const wait = since + minReadySeconds * 1000 - now + 1;
    soonest = soonest === undefined ? wait : Math.min(soonest, wait);
  }
  return soonest;
}
