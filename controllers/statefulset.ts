/**
 * The StatefulSet controller, as kube-controller-manager's (pkg/controller/statefulset): pods with
 * stable names `<set>-<ordinal>`, stable storage (a PersistentVolumeClaim per claim template and
 * ordinal, made before the pod and kept after it), made and removed in ordinal order, and updated from
 * ControllerRevisions. Pure helpers live in statefulset/ (identity, revisions, status, claim retention).
 *
 * One reconcile of `namespace/name`, from the informers' caches:
 *
 *   claim the set's ControllerRevisions and pods (pods only by name: `<set>-<digits>`)
 *   revisions   the update revision is the set's template now: the newest revision if it holds that
 *               template, else an older one holding it renumbered as the newest (a rollback), else a
 *               new one (name `<set>-<hash>`, collisions counted in status.collisionCount); the current
 *               revision is status.currentRevision's, or the update revision for a new set
 *   replicas    ordinals [start, start+replicas): each missing one is made — at the current revision
 *               below the partition, at the update revision from it — with its claims first; a Failed or
 *               Succeeded pod is deleted (and made again next time); a pod whose identity or storage
 *               drifted is put right
 *   condemned   pods of ordinals out of range, deleted highest first
 *   update      RollingUpdate: the highest pod at or above the partition not at the update revision is
 *               deleted (and made again at it), one at a time, each waiting for the ones above to be
 *               Running, Ready and available; OnDelete: nothing (only recreated pods change)
 *   status      counts and revisions through the status subresource, only when they changed; when every
 *               pod is ready at the update revision, it becomes the current one
 *   history     revisions no pod uses beyond the newest revisionHistoryLimit are deleted
 *
 * OrderedReady (the default) does all of this one pod at a time: it makes an ordinal only when every
 * lower one is Running and Ready, and removes one only when the lower ones are. Parallel makes and
 * removes pods all at once (in slow-start batches), but updates one at a time all the same.
 *
 *   OrderedReady, replicas 3:   web-0 ──ready──▶ web-1 ──ready──▶ web-2
 *   scale to 1:                 delete web-2 ──gone──▶ delete web-1
 *   rolling update:             delete web-2 ─▶ web-2 at new revision ──ready──▶ delete web-1 ─▶ …
 *
 * There are no expectations, as upstream has none for StatefulSets: names are fixed, so a create the
 * cache has not caught up with fails as AlreadyExists and is retried, and a pod is never made twice.
 *
 * Deleting the set deletes nothing here: its pods (and claims, under a Delete retention policy) go by
 * the garbage collector, through their ownerReferences. Events go out as upstream's: `SuccessfulCreate`
 * "create Pod web-0 in StatefulSet web successful", `SuccessfulDelete`, `SuccessfulUpdate`, the claim's
 * "create Claim data-web-0 Pod web-0 in StatefulSet web success", and `Failed…` "… failed error: …".
 */
import { isDeepStrictEqual } from 'node:util';
import { labelSelectorAsSelector, nothingSelector, type Selector } from '../api/labels.js';
import type { OwnerReference } from '../api/resource.js';
import { isStatusError } from '../api/status.js';
import type { Clock } from '../client/clock.js';
import { EventRecorder, type EventType } from '../client/event-recorder.js';
import { namespaceIndex, objectKey, splitKey } from '../client/indexed-store.js';
import type { Informer } from '../client/informer.js';
import { refFor } from '../client/refs.js';
import type { KubeClient, ResourceRef } from '../client/types.js';
import type { WorkQueue } from '../client/work-queue.js';
import { claimChildren } from './claim.js';
import {
  type Controller,
  type ControllerContext,
  type ControllerFactory,
  QueueController,
  type ReconcileResult,
  TerminalError,
} from './framework.js';
import {
  type ControllerRevision,
  createControllerRevision,
  findEqualRevisions,
  nextRevision,
  renumberControllerRevision,
  sortRevisions,
} from './history.js';
import { controllerOf, eventKeyOf, messageOf, type Pod } from './pods.js';
import { slowStartBatch } from './slow-start.js';
import {
  claimOwnerReferences,
  hasStaleOwnerRef,
  isClaimOwnerUpToDate,
  retentionPolicy,
} from './statefulset/claim-retention.js';
import {
  allowsBurst,
  claimsFor,
  endOrdinal,
  identityMatches,
  inOrdinalRange,
  isCreated,
  isFailed,
  isMemberOf,
  isPending,
  isRunningAndAvailable,
  isRunningAndReady,
  isSucceeded,
  isTerminating,
  isUnavailable,
  newVersionedStatefulSetPod,
  ordinalOf,
  type PersistentVolumeClaim,
  POD_KIND,
  podRevision,
  replicasOf,
  STATEFULSET_KIND,
  type StatefulSet,
  type StatefulSetStatus,
  startOrdinal,
  storageMatches,
  updateIdentity,
  updateStorage,
} from './statefulset/identity.js';
import { applyRevision, newStatefulSetRevision } from './statefulset/revisions.js';
import {
  completeRollingUpdate,
  countReplicas,
  inconsistentStatus,
  makeStatus,
  type ReplicaCounts,
} from './statefulset/status.js';

export type {
  PersistentVolumeClaim,
  StatefulSet,
  StatefulSetSpec,
  StatefulSetStatus,
} from './statefulset/identity.js';

const CONTROLLER_NAME = 'statefulset-controller';
/** Status writes lost to a conflict are tried again on the latest version, this many times in all (retry.DefaultRetry). */
const STATUS_UPDATE_ATTEMPTS = 5;
/** Pod updates lost to a conflict, likewise (retry.DefaultBackoff). */
const POD_UPDATE_ATTEMPTS = 4;
const DEFAULT_REVISION_HISTORY_LIMIT = 10;

export interface StatefulSetControllerOptions {
  readonly context: ControllerContext;
  readonly workers?: number;
}

/** What one pass over the set's pods leaves: the counts for its status, and the first failure. */
interface ManageResult {
  readonly counts: ReplicaCounts;
  readonly error?: unknown;
}

export class StatefulSetController implements Controller {
  readonly name = CONTROLLER_NAME;
  readonly #client: KubeClient;
  readonly #clock: Clock;
  readonly #sets: Informer<StatefulSet>;
  readonly #pods: Informer<Pod>;
  readonly #revisions: Informer<ControllerRevision>;
  readonly #claims: Informer<PersistentVolumeClaim>;
  readonly #queue: QueueController;
  readonly #events: EventRecorder;

  constructor(options: StatefulSetControllerOptions) {
    const { context } = options;
    this.#client = context.client;
    this.#clock = context.clock;
    this.#events = new EventRecorder({
      client: context.client,
      component: CONTROLLER_NAME,
      clock: context.clock,
      onError: (error, event) => context.onError(this.name, eventKeyOf(event), error),
    });
    this.#queue = new QueueController({
      name: this.name,
      context,
      reconcile: (key) => this.reconcile(key),
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
    });
    this.#sets = context.informers.informerFor<StatefulSet>(refFor(STATEFULSET_KIND));
    this.#pods = context.informers.informerFor<Pod>(refFor('Pod'));
    // Read from their caches only, as upstream's listers: nothing about them wakes a set.
    this.#revisions = context.informers.informerFor<ControllerRevision>(refFor('ControllerRevision'));
    this.#claims = context.informers.informerFor<PersistentVolumeClaim>(refFor('PersistentVolumeClaim'));
    this.#sets.addEventHandler({
      onAdd: (set) => this.#enqueue(set),
      onUpdate: (_old, set) => this.#enqueue(set),
      onDelete: (set) => this.#enqueue(set),
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

  // ---- event handlers: compute keys, enqueue ----

  #enqueue(set: StatefulSet): void {
    this.#queue.enqueue(objectKey(set));
  }

  #podAdded(pod: Pod): void {
    // Already being deleted (a restarted manager): as a deletion.
    if (pod.metadata?.deletionTimestamp) {
      this.#podDeleted(pod);
      return;
    }
    const owner = controllerOf(pod);
    if (owner) {
      const set = this.#resolveControllerRef(pod.metadata?.namespace, owner);
      if (set) this.#enqueue(set);
      return;
    }
    // An orphan: every set that selects it may want to adopt it.
    for (const set of this.#setsSelecting(pod)) this.#enqueue(set);
  }

  #podUpdated(old: Pod, pod: Pod): void {
    // A resync: the same version again.
    if (old.metadata?.resourceVersion === pod.metadata?.resourceVersion) return;
    const owner = controllerOf(pod);
    const oldOwner = controllerOf(old);
    const ownerChanged = !isDeepStrictEqual(owner, oldOwner);
    if (ownerChanged && oldOwner) {
      const previous = this.#resolveControllerRef(old.metadata?.namespace, oldOwner);
      if (previous) this.#enqueue(previous);
    }
    if (owner) {
      // Becoming ready starts the minReadySeconds wait; the reconcile this wakes asks to be requeued.
      const set = this.#resolveControllerRef(pod.metadata?.namespace, owner);
      if (set) this.#enqueue(set);
      return;
    }
    const labelsChanged = !isDeepStrictEqual(old.metadata?.labels ?? {}, pod.metadata?.labels ?? {});
    if (labelsChanged || ownerChanged) for (const set of this.#setsSelecting(pod)) this.#enqueue(set);
  }

  #podDeleted(pod: Pod): void {
    const owner = controllerOf(pod);
    // Nobody cares about an orphan going away.
    if (!owner) return;
    const set = this.#resolveControllerRef(pod.metadata?.namespace, owner);
    if (set) this.#enqueue(set);
  }

  /** The cached set a controller reference points at: a StatefulSet of that name and uid. */
  #resolveControllerRef(namespace: string | undefined, owner: OwnerReference): StatefulSet | undefined {
    if (owner.kind !== STATEFULSET_KIND.kind) return undefined;
    const set = this.#sets.store.getByName(namespace, owner.name);
    return set?.metadata?.uid === owner.uid ? set : undefined;
  }

  /** Sets in the pod's namespace whose (valid, non-empty) selector matches its labels. */
  #setsSelecting(pod: Pod): StatefulSet[] {
    const namespace = pod.metadata?.namespace;
    if (!namespace) return [];
    return this.#sets.store.byIndex(namespaceIndex, namespace).filter((set) => {
      const selector = selectorOrUndefined(set);
      return selector !== undefined && !selector.empty && selector.matches(pod.metadata?.labels);
    });
  }

  // ---- reconcile ----

  /** Brings one set (`namespace/name`) toward its spec, from the caches; see the module comment. */
  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const { namespace, name } = splitKey(key);
    const set = this.#sets.store.getByName(namespace, name);
    if (!set) return undefined;
    let selector: Selector;
    try {
      selector = labelSelectorAsSelector(set.spec?.selector);
    } catch (error) {
      // Validation keeps malformed selectors out; should one get in, retrying cannot mend it.
      throw new TerminalError(`error converting StatefulSet ${key} selector: ${messageOf(error)}`, {
        cause: error,
      });
    }
    const revisions = await this.#claimRevisions(set, selector);
    const pods = await this.#claimPods(set, selector);
    const status = await this.#updateStatefulSet(set, pods, revisions);
    // One more look once the ready pods have been ready for minReadySeconds.
    const minReadySeconds = set.spec?.minReadySeconds ?? 0;
    if (minReadySeconds > 0 && status.availableReplicas !== replicasOf(set)) {
      return { requeueAfterMs: minReadySeconds * 1000 };
    }
    return undefined;
  }

  /** The set's revisions: those it controls and matching orphans, adopted. */
  async #claimRevisions(set: StatefulSet, selector: Selector): Promise<ControllerRevision[]> {
    const namespace = set.metadata?.namespace;
    const candidates = this.#revisions.store.byIndex(namespaceIndex, namespace ?? '');
    return claimChildren(
      {
        client: this.#client,
        owner: set,
        ownerKind: STATEFULSET_KIND,
        ownerRef: this.#setRef(namespace),
        selector,
        childRef: this.#revisionRef(namespace),
        childKind: 'ControllerRevision',
      },
      candidates,
    );
  }

  /**
   * The set's pods: pods named as its members that it controls or adopts. Pods it controls that are
   * not named as members (or stopped matching) are released, as upstream's filtered ClaimPods does.
   */
  async #claimPods(set: StatefulSet, selector: Selector): Promise<Pod[]> {
    const namespace = set.metadata?.namespace;
    const all = this.#pods.store.byIndex(namespaceIndex, namespace ?? '');
    const options = {
      client: this.#client,
      owner: set,
      ownerKind: STATEFULSET_KIND,
      ownerRef: this.#setRef(namespace),
      childRef: this.#podRef(namespace),
      childKind: 'Pod',
    };
    const members = all.filter((pod) => isMemberOf(set, pod));
    const strangers = all.filter((pod) => !isMemberOf(set, pod));
    const [claimed] = await Promise.all([
      claimChildren({ ...options, selector }, members),
      claimChildren({ ...options, selector: nothingSelector }, strangers),
    ]);
    return claimed;
  }

  /**
   * Upstream's UpdateStatefulSet: revisions, pods and status, then history. Returns the status written
   * (or that would have been); throws the failures, all of them.
   */
  async #updateStatefulSet(
    set: StatefulSet,
    pods: readonly Pod[],
    claimedRevisions: readonly ControllerRevision[],
  ): Promise<StatefulSetStatus> {
    const revisions = sortRevisions(claimedRevisions);
    const errors: unknown[] = [];
    let current: ControllerRevision | undefined;
    let update: ControllerRevision | undefined;
    let status: StatefulSetStatus = {};
    try {
      const found = await this.#statefulSetRevisions(set, revisions);
      current = found.current;
      update = found.update;
      const result = await this.#manage(set, found.current, found.update, pods);
      const counts = result.counts;
      const completed = completeRollingUpdate(set, counts, {
        current: found.current.metadata?.name ?? '',
        update: found.update.metadata?.name ?? '',
      });
      const fields = {
        observedGeneration: set.metadata?.generation,
        counts: { ...counts, currentReplicas: completed.currentReplicas },
        currentRevision: completed.currentRevision,
        updateRevision: found.update.metadata?.name ?? '',
        collisionCount: found.collisionCount,
      };
      status = makeStatus({ ...fields, conditions: set.status?.conditions });
      let statusError: unknown;
      try {
        await this.#writeStatus(set, fields);
      } catch (error) {
        statusError = error;
      }
      if (result.error !== undefined) errors.push(result.error);
      else if (statusError !== undefined) errors.push(statusError);
    } catch (error) {
      errors.push(error);
    }
    try {
      await this.#truncateHistory(set, pods, revisions, current, update);
    } catch (error) {
      errors.push(error);
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `[${errors.map(messageOf).join(', ')}]`);
    return status;
  }

  /**
   * Upstream's getStatefulSetRevisions (see the module comment). `revisions` is sorted, oldest first.
   */
  async #statefulSetRevisions(
    set: StatefulSet,
    revisions: readonly ControllerRevision[],
  ): Promise<{ current: ControllerRevision; update: ControllerRevision; collisionCount: number }> {
    let collisionCount = set.status?.collisionCount ?? 0;
    const candidate = newStatefulSetRevision(set, nextRevision(revisions), collisionCount);
    const equal = findEqualRevisions(revisions, candidate);
    const newest = revisions[revisions.length - 1];
    const ref = this.#revisionRef(set.metadata?.namespace);
    let update: ControllerRevision;
    if (equal.length > 0 && isDeepStrictEqual(newest?.data, candidate.data)) {
      // The template has not changed since the newest revision.
      update = newest!;
    } else if (equal.length > 0) {
      // Back to an older template: that revision becomes the newest, under the next number.
      update = await renumberControllerRevision(
        this.#client,
        ref,
        equal[equal.length - 1]!,
        candidate.revision,
      );
    } else {
      ({ revision: update, collisionCount } = await createControllerRevision(
        this.#client,
        ref,
        candidate,
        collisionCount,
      ));
    }
    const currentName = set.status?.currentRevision;
    const current = revisions.find((revision) => revision.metadata?.name === currentName) ?? update;
    return { current, update, collisionCount };
  }

  /**
   * Upstream's updateStatefulSet: makes, mends and deletes pods toward the set's spec (see the module
   * comment). Never throws: the counts are wanted for the status even when a step failed.
   */
  async #manage(
    set: StatefulSet,
    currentRevision: ControllerRevision,
    updateRevision: ControllerRevision,
    pods: readonly Pod[],
  ): Promise<ManageResult> {
    const minReadySeconds = set.spec?.minReadySeconds ?? 0;
    const now = this.#clock.now();
    const count = (lists: readonly (readonly Pod[])[]) =>
      countReplicas(lists, minReadySeconds, currentRevision, updateRevision, now);
    const currentSet = applyRevision(set, currentRevision);
    const updateSet = applyRevision(set, updateRevision);
    const currentName = currentRevision.metadata?.name ?? '';
    const updateName = updateRevision.metadata?.name ?? '';

    // Pods by ordinal: `replicas` holds ordinals [start, end] (index = ordinal - start), `condemned`
    // the rest of the valid ordinals, highest first. Pods whose names hold no valid ordinal are ignored.
    const start = startOrdinal(set);
    const end = endOrdinal(set);
    const replicas: Pod[] = [];
    const condemned: Pod[] = [];
    for (const pod of pods) {
      if (inOrdinalRange(pod, set)) replicas[ordinalOf(pod) - start] = pod;
      else if (ordinalOf(pod) >= 0) condemned.push(pod);
    }
    for (let ordinal = start; ordinal <= end; ordinal++) {
      replicas[ordinal - start] ??= newVersionedStatefulSetPod(
        currentSet,
        updateSet,
        currentName,
        updateName,
        ordinal,
      );
    }
    condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a));

    // The lowest unavailable pod: the one a monotonic scale-down may remove although it is not ready.
    const firstUnavailable =
      replicas.find((pod) => isUnavailable(pod, minReadySeconds, now)) ??
      [...condemned].reverse().find((pod) => isUnavailable(pod, minReadySeconds, now));

    // A set being deleted only reports; the garbage collector removes its pods.
    if (set.metadata?.deletionTimestamp) return { counts: count([pods]) };

    const monotonic = !allowsBurst(set);
    // Living replicas first, then the claims of condemned pods, then the condemned pods themselves; a
    // monotonic pass stops at the first pod that has to be waited for.
    const runs: [readonly Pod[], (index: number) => Promise<boolean>][] = [
      [replicas, (index) => this.#processReplica(set, updateSet, monotonic, replicas[index]!, now)],
      [condemned, (index) => this.#fixClaimsOfCondemned(updateSet, condemned[index]!)],
      [
        condemned,
        (index) => this.#processCondemned(set, firstUnavailable, monotonic, condemned[index]!, now),
      ],
    ];
    for (const [list, step] of runs) {
      const { exit, error } = await runForAll(list.length, step, monotonic);
      if (exit || error !== undefined) return { counts: count([replicas, condemned]), error };
    }
    const counts = count([replicas, condemned]);

    // OnDelete: pods change revision only when someone deletes them.
    if (set.spec?.updateStrategy?.type === 'OnDelete') return { counts };

    // RollingUpdate: the highest pod at or above the partition that is not at the update revision goes;
    // nothing goes while a pod above it is unavailable.
    const partition = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
    for (let target = replicas.length - 1; target >= partition; target--) {
      const pod = replicas[target]!;
      if (podRevision(pod) !== updateName && !isTerminating(pod)) {
        try {
          await this.#deleteStatefulPod(set, pod);
        } catch (error) {
          return { counts, error };
        }
        return { counts: { ...counts, currentReplicas: counts.currentReplicas - 1 } };
      }
      if (isUnavailable(pod, minReadySeconds, now)) return { counts };
    }
    return { counts };
  }

  /** Upstream's processReplica: true when a monotonic pass must stop at this pod. */
  async #processReplica(
    set: StatefulSet,
    updateSet: StatefulSet,
    monotonic: boolean,
    pod: Pod,
    now: number,
  ): Promise<boolean> {
    // Failed, or finished (an evicted pod's phase follows its exit code): deleted, and made again once gone.
    if (isFailed(pod) || isSucceeded(pod)) {
      if (!isTerminating(pod)) await this.#deleteStatefulPod(set, pod);
      return true;
    }
    if (!isCreated(pod)) {
      // A claim still owned by an earlier pod of this ordinal (waiting for the garbage collector).
      if (this.#podClaimIsStale(set, pod)) return true;
      await this.#createStatefulPod(set, pod);
      if (monotonic) return true;
    }
    // A claim deleted while its pod waited to start: made again.
    if (isPending(pod)) await this.#createMissingClaims(set, pod);
    if (isTerminating(pod) && monotonic) return true;
    if (!isRunningAndReady(pod) && monotonic) return true;
    if (!isRunningAndAvailable(pod, set.spec?.minReadySeconds ?? 0, now) && monotonic) return true;
    const retentionMatches = this.#claimsMatchRetentionPolicy(updateSet, pod);
    if (identityMatches(set, pod) && storageMatches(set, pod) && retentionMatches) return false;
    await this.#updateStatefulPod(updateSet, structuredClone(pod) as Pod);
    return false;
  }

  /** The ownerReferences of a condemned pod's claims, as the retention policy wants before it goes. */
  async #fixClaimsOfCondemned(updateSet: StatefulSet, pod: Pod): Promise<boolean> {
    if (!this.#claimsMatchRetentionPolicy(updateSet, pod)) {
      await this.#updateClaimsForRetentionPolicy(updateSet, pod);
    }
    return false;
  }

  /** Upstream's processCondemned: deletes one pod out of range; true when a monotonic pass must stop. */
  async #processCondemned(
    set: StatefulSet,
    firstUnavailable: Pod | undefined,
    monotonic: boolean,
    pod: Pod,
    now: number,
  ): Promise<boolean> {
    // Monotonic: wait for it to finish terminating.
    if (isTerminating(pod)) return monotonic;
    // Monotonic: an unhealthy pod blocks the removal of the pods above it, unless it is the first one.
    if (!isRunningAndReady(pod) && monotonic && pod !== firstUnavailable) return true;
    if (
      !isRunningAndAvailable(pod, set.spec?.minReadySeconds ?? 0, now) &&
      monotonic &&
      pod !== firstUnavailable
    )
      return true;
    await this.#deleteStatefulPod(set, pod);
    return true;
  }

  // ---- pods and claims: upstream's StatefulPodControl ----

  /** The pod's claims first, then the pod; an event either way (none for a pod that already exists). */
  async #createStatefulPod(set: StatefulSet, pod: Pod): Promise<void> {
    try {
      await this.#createClaims(set, pod);
    } catch (error) {
      this.#recordPodEvent('create', set, pod, error);
      throw error;
    }
    try {
      await this.#client.create<Pod>(this.#podRef(set.metadata?.namespace), pod);
    } catch (error) {
      // The cache is behind: the pod is there, and the next sync will see it.
      if (!isStatusError(error, 'AlreadyExists')) this.#recordPodEvent('create', set, pod, error);
      throw error;
    }
    try {
      await this.#updateClaimsForRetentionPolicy(set, pod);
    } catch (error) {
      this.#recordPodEvent('update', set, pod, error);
      throw error;
    }
    this.#recordPodEvent('create', set, pod);
  }

  /**
   * Upstream's UpdateStatefulPod: puts the pod's identity, volumes and claims' owners right and writes
   * the pod back (a conflict: again on the latest version), with an event when it wrote.
   */
  async #updateStatefulPod(set: StatefulSet, original: Pod): Promise<void> {
    let pod = original;
    let attempted = false;
    let failure: unknown;
    for (let attempt = 1; ; attempt++) {
      let consistent = true;
      if (!identityMatches(set, pod)) {
        updateIdentity(set, pod);
        consistent = false;
      }
      if (!storageMatches(set, pod)) {
        updateStorage(set, pod);
        consistent = false;
        try {
          await this.#createClaims(set, pod);
        } catch (error) {
          this.#recordPodEvent('update', set, pod, error);
          throw error;
        }
      }
      if (!this.#claimsMatchRetentionPolicy(set, pod)) {
        try {
          await this.#updateClaimsForRetentionPolicy(set, pod);
        } catch (error) {
          this.#recordPodEvent('update', set, pod, error);
          throw error;
        }
        consistent = false;
      }
      if (consistent) return;
      attempted = true;
      try {
        await this.#client.update<Pod>(this.#podRef(set.metadata?.namespace), pod);
        failure = undefined;
        break;
      } catch (error) {
        failure = error;
        if (!isStatusError(error, 'Conflict') || attempt >= POD_UPDATE_ATTEMPTS) break;
        const latest = this.#pods.store.getByName(set.metadata?.namespace, pod.metadata?.name ?? '');
        if (latest) pod = structuredClone(latest) as Pod;
      }
    }
    if (attempted) this.#recordPodEvent('update', set, pod, failure);
    if (failure !== undefined) throw failure;
  }

  /**
   * Deletes a pod, with an event. A pod already gone is no failure and no event: the cache was behind,
   * and what was wanted has happened (upstream reports a FailedDelete there).
   */
  async #deleteStatefulPod(set: StatefulSet, pod: Pod): Promise<void> {
    try {
      await this.#client.delete(this.#podRef(pod.metadata?.namespace), pod.metadata?.name ?? '');
    } catch (error) {
      if (isStatusError(error, 'NotFound')) return;
      this.#recordPodEvent('delete', set, pod, error);
      throw error;
    }
    this.#recordPodEvent('delete', set, pod);
  }

  /** Creates the pod's claims the cache does not have; a claim being deleted is a failure. */
  async #createClaims(set: StatefulSet, pod: Pod): Promise<void> {
    const errors: Error[] = [];
    for (const claim of claimsFor(set, pod).values()) {
      const name = claim.metadata?.name ?? '';
      const existing = this.#claims.store.getByName(claim.metadata?.namespace, name);
      if (existing) {
        if (existing.metadata?.deletionTimestamp) errors.push(new Error(`pvc ${name} is being deleted`));
        continue;
      }
      try {
        await this.#client.create(this.#claimRef(claim.metadata?.namespace), claim);
        this.#recordClaimEvent(set, pod, claim);
      } catch (error) {
        errors.push(new Error(`failed to create PVC ${name}: ${messageOf(error)}`, { cause: error }));
        if (!isStatusError(error, 'AlreadyExists')) this.#recordClaimEvent(set, pod, claim, error);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `[${errors.map(messageOf).join(', ')}]`);
  }

  async #createMissingClaims(set: StatefulSet, pod: Pod): Promise<void> {
    await this.#createClaims(set, pod);
    try {
      await this.#updateClaimsForRetentionPolicy(set, pod);
    } catch (error) {
      this.#recordPodEvent('update', set, pod, error);
      throw error;
    }
  }

  /** Every claim of the pod the cache has is owned as the retention policy wants (missing ones: later). */
  #claimsMatchRetentionPolicy(set: StatefulSet, pod: Pod): boolean {
    for (const claim of claimsFor(set, pod).values()) {
      const cached = this.#claims.store.getByName(claim.metadata?.namespace, claim.metadata?.name ?? '');
      if (cached && !isClaimOwnerUpToDate(cached, set, pod)) return false;
    }
    return true;
  }

  /** Rewrites the ownerReferences of the pod's claims that the retention policy wants otherwise. */
  async #updateClaimsForRetentionPolicy(set: StatefulSet, pod: Pod): Promise<void> {
    for (const claim of claimsFor(set, pod).values()) {
      const name = claim.metadata?.name ?? '';
      const cached = this.#claims.store.getByName(claim.metadata?.namespace, name);
      // Not in the cache yet: the next sync sees to it.
      if (!cached || isClaimOwnerUpToDate(cached, set, pod)) continue;
      const ownerReferences = claimOwnerReferences(cached, set, pod);
      if (isDeepStrictEqual(ownerReferences, cached.metadata?.ownerReferences ?? [])) continue;
      const updated = structuredClone(cached) as PersistentVolumeClaim;
      updated.metadata = { ...updated.metadata, ownerReferences };
      try {
        await this.#client.update(this.#claimRef(cached.metadata?.namespace), updated);
      } catch (error) {
        throw new Error(`could not update claim ${name} for delete policy ownerRefs: ${messageOf(error)}`, {
          cause: error,
        });
      }
    }
  }

  /**
   * Under a whenScaled: Delete policy, a claim still owned by an earlier pod of the ordinal blocks the
   * new pod until the garbage collector has deleted it (a pod not yet made has no uid, so any reference
   * to a pod of its name is stale).
   */
  #podClaimIsStale(set: StatefulSet, pod: Pod): boolean {
    if (retentionPolicy(set).whenScaled === 'Retain') return false;
    for (const claim of claimsFor(set, pod).values()) {
      const cached = this.#claims.store.getByName(claim.metadata?.namespace, claim.metadata?.name ?? '');
      if (cached && hasStaleOwnerRef(cached, pod, POD_KIND)) return true;
    }
    return false;
  }

  // ---- status and history ----

  /**
   * Upstream's updateStatefulSetStatus: a status PUT when the counts or revisions changed, keeping the
   * conditions others wrote; a conflict is tried again on the latest version.
   */
  async #writeStatus(
    set: StatefulSet,
    fields: Omit<Parameters<typeof makeStatus>[0], 'conditions'>,
  ): Promise<void> {
    if (!inconsistentStatus(set, makeStatus({ ...fields, conditions: undefined }))) return;
    const meta = set.metadata ?? {};
    const ref = this.#setRef(meta.namespace);
    let current: StatefulSet = set;
    for (let attempt = 1; ; attempt++) {
      const status = makeStatus({ ...fields, conditions: current.status?.conditions });
      try {
        await this.#client.update<StatefulSet>(
          ref,
          { ...structuredClone(current), status },
          { subresource: 'status' },
        );
        return;
      } catch (error) {
        if (!isStatusError(error, 'Conflict') || attempt >= STATUS_UPDATE_ATTEMPTS) throw error;
        current = await this.#client.get<StatefulSet>(ref, meta.name ?? '');
      }
    }
  }

  /**
   * Upstream's truncateHistory: revisions no pod uses, neither current nor update, beyond the newest
   * revisionHistoryLimit of them are deleted, oldest first. (A negative limit keeps everything.)
   */
  async #truncateHistory(
    set: StatefulSet,
    pods: readonly Pod[],
    revisions: readonly ControllerRevision[],
    current: ControllerRevision | undefined,
    update: ControllerRevision | undefined,
  ): Promise<void> {
    const live = new Set<string>(pods.map(podRevision));
    if (current?.metadata?.name) live.add(current.metadata.name);
    if (update?.metadata?.name) live.add(update.metadata.name);
    const history = revisions.filter((revision) => !live.has(revision.metadata?.name ?? ''));
    const limit = set.spec?.revisionHistoryLimit ?? DEFAULT_REVISION_HISTORY_LIMIT;
    if (limit < 0 || history.length <= limit) return;
    for (const revision of history.slice(0, history.length - limit)) {
      try {
        await this.#client.delete(
          this.#revisionRef(revision.metadata?.namespace),
          revision.metadata?.name ?? '',
        );
      } catch (error) {
        if (!isStatusError(error, 'NotFound')) throw error;
      }
    }
  }

  // ---- events and refs ----

  /** `create Pod web-0 in StatefulSet web successful`, or `… failed error: <why>`. */
  #recordPodEvent(verb: string, set: StatefulSet, pod: Pod, error?: unknown): void {
    const subject = `${verb} Pod ${pod.metadata?.name} in StatefulSet ${set.metadata?.name}`;
    if (error === undefined) this.#record(set, 'Normal', `Successful${title(verb)}`, `${subject} successful`);
    else this.#record(set, 'Warning', `Failed${title(verb)}`, `${subject} failed error: ${messageOf(error)}`);
  }

  /** `create Claim data-web-0 Pod web-0 in StatefulSet web success`, or `… for Pod … failed error: <why>`. */
  #recordClaimEvent(set: StatefulSet, pod: Pod, claim: PersistentVolumeClaim, error?: unknown): void {
    const claimName = claim.metadata?.name;
    const podName = pod.metadata?.name;
    const setName = set.metadata?.name;
    if (error === undefined) {
      this.#record(
        set,
        'Normal',
        'SuccessfulCreate',
        `create Claim ${claimName} Pod ${podName} in StatefulSet ${setName} success`,
      );
    } else {
      this.#record(
        set,
        'Warning',
        'FailedCreate',
        `create Claim ${claimName} for Pod ${podName} in StatefulSet ${setName} failed error: ${messageOf(error)}`,
      );
    }
  }

  /** Events are about the set; the reference is built from the kind, as list items carry none. */
  #record(set: StatefulSet, type: EventType, reason: string, message: string): void {
    const meta = set.metadata ?? {};
    this.#events.event(
      {
        kind: STATEFULSET_KIND.kind,
        namespace: meta.namespace,
        name: meta.name,
        uid: meta.uid,
        apiVersion: STATEFULSET_KIND.apiVersion,
        resourceVersion: meta.resourceVersion,
      },
      type,
      reason,
      message,
    );
  }

  #setRef(namespace: string | undefined): ResourceRef {
    return refFor(STATEFULSET_KIND, namespace);
  }

  #podRef(namespace: string | undefined): ResourceRef {
    return refFor('Pod', namespace);
  }

  #revisionRef(namespace: string | undefined): ResourceRef {
    return refFor('ControllerRevision', namespace);
  }

  #claimRef(namespace: string | undefined): ResourceRef {
    return refFor('PersistentVolumeClaim', namespace);
  }
}

/** kube-controller-manager's StatefulSet controller. */
export const statefulSetController: ControllerFactory = (context) => new StatefulSetController({ context });

/**
 * Upstream's runForAll: monotonic, one item after another, stopping at the first that says so (or
 * fails); otherwise all of them, in slow-start batches (1, 2, 4, …), stopping after a batch with a failure.
 */
async function runForAll(
  count: number,
  step: (index: number) => Promise<boolean>,
  monotonic: boolean,
): Promise<{ exit: boolean; error?: unknown }> {
  if (monotonic) {
    for (let index = 0; index < count; index++) {
      try {
        if (await step(index)) return { exit: true };
      } catch (error) {
        return { exit: true, error };
      }
    }
    return { exit: false };
  }
  let next = 0;
  const { error } = await slowStartBatch(count, 1, async () => {
    await step(next++);
  });
  return error === undefined ? { exit: false } : { exit: true, error };
}

function selectorOrUndefined(set: StatefulSet): Selector | undefined {
  try {
    return labelSelectorAsSelector(set.spec?.selector);
  } catch {
    return undefined;
  }
}

/** `create` → `Create` (Go's strings.Title on one word). */
function title(verb: string): string {
  return verb.charAt(0).toUpperCase() + verb.slice(1);
}
