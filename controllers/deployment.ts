/**
 * The Deployment controller, as kube-controller-manager's (pkg/controller/deployment): a Deployment
 * runs its pods through ReplicaSets, one per pod template, and moves replicas from the old sets to the
 * new one as its strategy allows. The ReplicaSet controller runs the pods; this one only sizes sets.
 *
 * One reconcile of `namespace/name`, from the informers' caches (upstream's syncDeployment):
 *
 *   claim the namespace's ReplicaSets: ours that match; adopt matching orphans; release ours that
 *     stopped matching
 *   being deleted            → status only
 *   paused / resumed         → the Progressing condition says so (DeploymentPaused / DeploymentResumed)
 *   paused, or scaled        → scale the sets (proportionally across a rollout), status
 *     (a set's desired-replicas annotation differs from spec.replicas)
 *   RollingUpdate            → make the new set (`<name>-<pod-template-hash>`) as big as maxSurge
 *                              allows; else scale old sets down as far as maxUnavailable allows
 *                              (unhealthy replicas first); once complete, prune history
 *   Recreate                 → old sets to 0; once none of their pods is left, the new set to full size
 *   status                   → counts summed over the sets, Available, Progressing (with the progress
 *                              deadline), ReplicaFailure from the sets, through the status subresource
 *
 * The new set is the oldest whose template equals the deployment's once `pod-template-hash` is set
 * aside. It carries revision = (highest old revision) + 1 in `deployment.kubernetes.io/revision`, and
 * the deployment shows the same revision. Events: `ScalingReplicaSet` ("Scaled up replica set
 * web-6b9f7c5d4 to 3 from 1"; "Scaled up replica set web-6b9f7c5d4 from 0 to 1" when it is made).
 *
 * Differences from upstream, on purpose:
 *   - the pod-template-hash is fnv32a over the template's canonical JSON, not over go-spew's dump of
 *     the Go struct (see util.ts: computeHash) — same form, different strings;
 *   - Skiff's status subresource for apps resources keeps metadata (ResetObjectMetaForStatus), where
 *     upstream's deployment status strategy lets the annotations through; so the deployment's revision
 *     annotation is written with a merge patch of metadata.annotations before the status;
 *   - after a write, the working copy takes the written object's resourceVersion (and a rewritten set
 *     replaces the cached one), so one reconcile never conflicts with itself where upstream would
 *     fail the sync with a conflict and retry it;
 *   - the deprecated rollback annotation (extensions/v1beta1 rollbackTo) is not supported.
 */
import { isDeepStrictEqual } from 'node:util';
import { labelSelectorAsSelector, type Selector } from '../api/labels.js';
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
  AVAILABLE,
  activeSets,
  actualReplicas,
  availableReplicas,
  byCreation,
  byRevision,
  bySizeNewer,
  bySizeOlder,
  computeHash,
  type Deployment,
  type DeploymentCondition,
  type DeploymentStatus,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  desiredReplicas,
  desiredReplicasAnnotation,
  equalIgnoreHash,
  formatTime,
  getCondition,
  hasProgressDeadline,
  hasRevisionHistoryLimit,
  isRollingUpdate,
  isSaturated,
  maxRevision,
  maxSurge,
  maxUnavailable,
  newCondition,
  newReplicaSetReplicas,
  normalStatus,
  POD_TEMPLATE_HASH_LABEL,
  PROGRESSING,
  RECREATE,
  REPLICA_FAILURE,
  REVISION_ANNOTATION,
  Reason,
  type ReplicaSet,
  readyReplicas,
  removeCondition,
  replicaSetProportion,
  replicasAnnotationsNeedUpdate,
  replicasOf,
  setCondition,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  specReplicas,
} from './deployment/util.js';
import {
  type Controller,
  type ControllerContext,
  type ControllerFactory,
  QueueController,
  type ReconcileResult,
} from './framework.js';
import { controllerOf, hasStatusCause, messageOf, type Pod } from './pods.js';

export type { Deployment, DeploymentCondition, DeploymentStatus } from './deployment/util.js';

const CONTROLLER_NAME = 'deployment-controller';
const NAMESPACE_TERMINATING_CAUSE = 'NamespaceTerminating';

/**
 * What one reconcile works on: a clone of the cached deployment that takes each write's
 * resourceVersion, the revision annotation as stored (to know when it must be written), and the
 * claimed sets, replaced as they are rewritten.
 */
interface Sync {
  readonly deployment: Deployment;
  persistedRevision: string | undefined;
  sets: ReplicaSet[];
  /** Milliseconds until the progress deadline should be checked again, if it should. */
  requeueAfterMs?: number;
}

export interface DeploymentControllerOptions {
  readonly context: ControllerContext;
  readonly workers?: number;
}

export class DeploymentController implements Controller {
  readonly name = CONTROLLER_NAME;
  readonly #client: KubeClient;
  readonly #clock: Clock;
  readonly #deployments: Informer<Deployment>;
  readonly #sets: Informer<ReplicaSet>;
  readonly #pods: Informer<Pod>;
  readonly #queue: QueueController;
  readonly #events: EventRecorder;

  constructor(options: DeploymentControllerOptions) {
    const { context } = options;
    this.#client = context.client;
    this.#clock = context.clock;
    this.#events = new EventRecorder({
      client: context.client,
      component: CONTROLLER_NAME,
      clock: context.clock,
      onError: (error, event) => {
        const involved = event?.involvedObject;
        context.onError(this.name, `${involved?.namespace ?? ''}/${involved?.name ?? ''}`, error);
      },
    });
    this.#queue = new QueueController({
      name: this.name,
      context,
      reconcile: (key) => this.reconcile(key),
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
    });
    this.#deployments = context.informers.informerFor<Deployment>(refFor('Deployment'));
    this.#sets = context.informers.informerFor<ReplicaSet>(refFor('ReplicaSet'));
    this.#pods = context.informers.informerFor<Pod>(refFor('Pod'));
    this.#deployments.addEventHandler({
      onAdd: (deployment) => this.#enqueue(deployment),
      onUpdate: (_old, deployment) => this.#enqueue(deployment),
      onDelete: (deployment) => this.#enqueue(deployment),
    });
    this.#sets.addEventHandler({
      onAdd: (set) => this.#setAdded(set),
      onUpdate: (old, set) => this.#setUpdated(old, set),
      onDelete: (set) => this.#setDeleted(set),
    });
    this.#pods.addEventHandler({ onDelete: (pod) => this.#podDeleted(pod) });
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

  #enqueue(deployment: Deployment): void {
    this.#queue.enqueue(objectKey(deployment));
  }

  #setAdded(set: ReplicaSet): void {
    if (set.metadata?.deletionTimestamp) {
      this.#setDeleted(set);
      return;
    }
    const owner = controllerOf(set);
    if (owner) {
      const deployment = this.#resolveControllerRef(set.metadata?.namespace, owner);
      if (deployment) this.#enqueue(deployment);
      return;
    }
    // An orphan: every deployment that selects it may adopt it.
    for (const deployment of this.#deploymentsSelecting(set)) this.#enqueue(deployment);
  }

  #setUpdated(old: ReplicaSet, set: ReplicaSet): void {
    if (old.metadata?.resourceVersion === set.metadata?.resourceVersion) return;
    const owner = controllerOf(set);
    const oldOwner = controllerOf(old);
    const ownerChanged = owner?.uid !== oldOwner?.uid;
    if (ownerChanged && oldOwner) {
      const previous = this.#resolveControllerRef(old.metadata?.namespace, oldOwner);
      if (previous) this.#enqueue(previous);
    }
    if (owner) {
      const deployment = this.#resolveControllerRef(set.metadata?.namespace, owner);
      if (deployment) this.#enqueue(deployment);
      return;
    }
    const labelsChanged =
      JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(set.metadata?.labels ?? {});
    if (labelsChanged || ownerChanged) {
      for (const deployment of this.#deploymentsSelecting(set)) this.#enqueue(deployment);
    }
  }

  #setDeleted(set: ReplicaSet): void {
    const owner = controllerOf(set);
    if (!owner) return;
    const deployment = this.#resolveControllerRef(set.metadata?.namespace, owner);
    if (deployment) this.#enqueue(deployment);
  }

  /** A Recreate rollout waits for the old pods to go: each one gone may let it go on. */
  #podDeleted(pod: Pod): void {
    const setOwner = controllerOf(pod);
    if (setOwner?.kind !== 'ReplicaSet') return;
    const set = this.#sets.store.getByName(pod.metadata?.namespace, setOwner.name);
    if (!set || set.metadata?.uid !== setOwner.uid) return;
    const owner = controllerOf(set);
    if (!owner) return;
    const deployment = this.#resolveControllerRef(set.metadata?.namespace, owner);
    if (deployment?.spec?.strategy?.type === RECREATE) this.#enqueue(deployment);
  }

  #resolveControllerRef(namespace: string | undefined, owner: OwnerReference): Deployment | undefined {
    if (owner.kind !== 'Deployment') return undefined;
    const deployment = this.#deployments.store.getByName(namespace, owner.name);
    return deployment?.metadata?.uid === owner.uid ? deployment : undefined;
  }

  #deploymentsSelecting(set: ReplicaSet): Deployment[] {
    const namespace = set.metadata?.namespace;
    if (!namespace) return [];
    return this.#deployments.store.byIndex(namespaceIndex, namespace).filter((deployment) => {
      const selector = selectorOrUndefined(deployment);
      return selector !== undefined && !selector.empty && selector.matches(set.metadata?.labels);
    });
  }

  // ---- reconcile ----

  /** Brings one deployment (`namespace/name`) toward its spec; see the module comment. */
  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const { namespace, name } = splitKey(key);
    const cached = this.#deployments.store.getByName(namespace, name);
    if (!cached) return undefined;
    const deployment = structuredClone(cached) as Deployment;
    const sync: Sync = {
      deployment,
      persistedRevision: deployment.metadata?.annotations?.[REVISION_ANNOTATION],
      sets: [],
    };

    const selector = selectorOrUndefined(deployment);
    if (selector === undefined || selector.empty) {
      // Validation keeps these out; should one get in, it must not take every set in the namespace.
      this.#recordEvent(
        deployment,
        'Warning',
        'SelectingAll',
        'This deployment is selecting all pods. A non-empty selector is required.',
      );
      const generation = deployment.metadata?.generation ?? 0;
      if ((deployment.status?.observedGeneration ?? 0) < generation) {
        deployment.status = { ...deployment.status, observedGeneration: generation };
        await this.#writeStatus(sync);
      }
      return undefined;
    }

    sync.sets = await claimChildren(
      {
        client: this.#client,
        owner: deployment,
        ownerKind: { apiVersion: 'apps/v1', kind: 'Deployment' },
        ownerRef: this.#deploymentRef(namespace),
        selector,
        childRef: this.#setRef(namespace),
        childKind: 'ReplicaSet',
      },
      this.#sets.store.byIndex(namespaceIndex, namespace ?? ''),
    );

    if (deployment.metadata?.deletionTimestamp) {
      await this.#syncStatusOnly(sync);
      return undefined;
    }
    await this.#checkPausedConditions(sync);
    if (deployment.spec?.paused) {
      await this.#syncScaling(sync);
      return undefined;
    }
    if (await this.#isScalingEvent(sync)) {
      await this.#syncScaling(sync);
      return undefined;
    }
    if (deployment.spec?.strategy?.type === RECREATE) await this.#rolloutRecreate(sync);
    else await this.#rolloutRolling(sync);
    return sync.requeueAfterMs === undefined ? undefined : { requeueAfterMs: sync.requeueAfterMs };
  }

  // ---- the new set and the old ones ----

  /**
   * Upstream's getAllReplicaSetsAndSyncRevision: the new set (made when `create` and missing) and all
   * old ones, the new set's annotations and the deployment's revision brought up to date.
   */
  async #newAndOldSets(
    sync: Sync,
    create: boolean,
  ): Promise<{ newSet: ReplicaSet | undefined; oldSets: ReplicaSet[] }> {
    const { deployment } = sync;
    const sorted = [...sync.sets].sort(byCreation);
    const existing = sorted.find((set) => equalIgnoreHash(set.spec?.template, deployment.spec?.template));
    const oldSets = sorted.filter((set) => set !== existing);
    const newRevision = maxRevision(oldSets) + 1n;

    if (existing) {
      const copy = structuredClone(existing) as ReplicaSet;
      const annotationsChanged = setNewReplicaSetAnnotations(deployment, copy, newRevision, true);
      const minReadySeconds = deployment.spec?.minReadySeconds ?? 0;
      if (annotationsChanged || (copy.spec?.minReadySeconds ?? 0) !== minReadySeconds) {
        copy.spec = { ...copy.spec, minReadySeconds };
        const updated = await this.#client.update<ReplicaSet>(this.#setRef(copy.metadata?.namespace), copy);
        this.#replaceSet(sync, updated);
        return { newSet: updated, oldSets };
      }
      let needsUpdate = setDeploymentRevision(deployment, copy.metadata?.annotations?.[REVISION_ANNOTATION]);
      if (hasProgressDeadline(deployment) && !getCondition(deployment.status, PROGRESSING)) {
        const status = (deployment.status ??= {});
        setCondition(
          status,
          newCondition(
            PROGRESSING,
            'True',
            Reason.foundNewReplicaSet,
            `Found new replica set "${copy.metadata?.name}"`,
            this.#now(),
          ),
        );
        needsUpdate = true;
      }
      if (needsUpdate) await this.#writeStatus(sync);
      return { newSet: copy, oldSets };
    }

    if (!create) return { newSet: undefined, oldSets };
    return { newSet: await this.#createNewSet(sync, oldSets, newRevision), oldSets };
  }

  async #createNewSet(sync: Sync, oldSets: ReplicaSet[], newRevision: bigint): Promise<ReplicaSet> {
    const { deployment } = sync;
    const meta = deployment.metadata ?? {};
    const template = structuredClone(deployment.spec?.template ?? {});
    const hash = computeHash(template, deployment.status?.collisionCount);
    const labels = { ...template.metadata?.labels, [POD_TEMPLATE_HASH_LABEL]: hash };
    template.metadata = { ...template.metadata, labels };
    const selector = structuredClone(deployment.spec?.selector ?? {});
    const name = `${meta.name}-${hash}`;
    const newSet: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: meta.namespace,
        labels: { ...labels },
        ownerReferences: [controllerRefFor(deployment)],
      },
      spec: {
        replicas: 0,
        minReadySeconds: deployment.spec?.minReadySeconds ?? 0,
        selector: { ...selector, matchLabels: { ...selector.matchLabels, [POD_TEMPLATE_HASH_LABEL]: hash } },
        template,
      },
    };
    const replicas = newReplicaSetReplicas(deployment, [...oldSets, newSet], newSet);
    newSet.spec!.replicas = replicas;
    setNewReplicaSetAnnotations(deployment, newSet, newRevision, false);

    let created: ReplicaSet;
    let alreadyExisted = false;
    try {
      created = await this.#client.create<ReplicaSet>(this.#setRef(meta.namespace), newSet);
    } catch (error) {
      if (isStatusError(error, 'AlreadyExists')) {
        // A slow cache, or a hash collision: ours with our template is the new set; anything else
        // bumps collisionCount so the next attempt hashes to another name.
        const found = this.#sets.store.getByName(meta.namespace, name);
        if (!found) throw error;
        if (
          controllerOf(found)?.uid === meta.uid &&
          equalIgnoreHash(deployment.spec?.template, found.spec?.template)
        ) {
          created = found;
          alreadyExisted = true;
        } else {
          const status = (deployment.status ??= {});
          status.collisionCount = (status.collisionCount ?? 0) + 1;
          await this.#writeStatus(sync).catch(() => undefined);
          throw error;
        }
      } else if (hasStatusCause(error, NAMESPACE_TERMINATING_CAUSE)) {
        throw error;
      } else {
        const message = `Failed to create new replica set "${name}": ${messageOf(error)}`;
        if (hasProgressDeadline(deployment)) {
          setCondition(
            (deployment.status ??= {}),
            newCondition(PROGRESSING, 'False', Reason.failedCreate, message, this.#now()),
          );
          await this.#writeStatus(sync).catch(() => undefined);
        }
        this.#recordEvent(deployment, 'Warning', Reason.failedCreate, message);
        throw error;
      }
    }
    if (!alreadyExisted) {
      sync.sets.push(created);
      if (replicas > 0) {
        this.#recordEvent(
          deployment,
          'Normal',
          'ScalingReplicaSet',
          `Scaled up replica set ${created.metadata?.name} from 0 to ${replicas}`,
        );
      }
    }
    let needsUpdate = setDeploymentRevision(deployment, String(newRevision));
    if (!alreadyExisted && hasProgressDeadline(deployment)) {
      setCondition(
        (deployment.status ??= {}),
        newCondition(
          PROGRESSING,
          'True',
          Reason.newReplicaSetCreated,
          `Created new replica set "${created.metadata?.name}"`,
          this.#now(),
        ),
      );
      needsUpdate = true;
    }
    if (needsUpdate) await this.#writeStatus(sync);
    return created;
  }

  // ---- scaling ----

  /**
   * Upstream's scaleReplicaSet: an update of the set's size and replicas annotations when either is
   * off, with an event when the size changed. Returns whether the size changed, and the set as written.
   */
  async #scaleReplicaSet(
    sync: Sync,
    set: ReplicaSet,
    newScale: number,
    operation?: 'up' | 'down',
  ): Promise<{ scaled: boolean; set: ReplicaSet }> {
    const { deployment } = sync;
    const oldScale = replicasOf(set);
    const desired = desiredReplicas(deployment);
    const max = desired + maxSurge(deployment);
    const sizeNeedsUpdate = oldScale !== newScale;
    if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(set, desired, max)) return { scaled: false, set };
    const copy = structuredClone(set) as ReplicaSet;
    copy.spec = { ...copy.spec, replicas: newScale };
    setReplicasAnnotations(copy, desired, max);
    const updated = await this.#client.update<ReplicaSet>(this.#setRef(copy.metadata?.namespace), copy);
    this.#replaceSet(sync, updated);
    if (sizeNeedsUpdate) {
      const direction = operation ?? (oldScale < newScale ? 'up' : 'down');
      this.#recordEvent(
        deployment,
        'Normal',
        'ScalingReplicaSet',
        `Scaled ${direction} replica set ${updated.metadata?.name} to ${newScale} from ${oldScale}`,
      );
    }
    return { scaled: sizeNeedsUpdate, set: updated };
  }

  /** Upstream's scaleReplicaSetAndRecordEvent: nothing when the size is right. */
  async #scaleTo(
    sync: Sync,
    set: ReplicaSet,
    newScale: number,
  ): Promise<{ scaled: boolean; set: ReplicaSet }> {
    if (replicasOf(set) === newScale) return { scaled: false, set };
    return this.#scaleReplicaSet(sync, set, newScale);
  }

  /** A set's desired-replicas annotation disagrees with spec.replicas: the deployment was scaled. */
  async #isScalingEvent(sync: Sync): Promise<boolean> {
    const { newSet, oldSets } = await this.#newAndOldSets(sync, false);
    const desired = desiredReplicas(sync.deployment);
    return activeSets([...oldSets, newSet]).some((set) => {
      const annotated = desiredReplicasAnnotation(set);
      return annotated !== undefined && annotated !== desired;
    });
  }

  /** Upstream's sync: for paused deployments and scaling events — scale, prune (paused), status. */
  async #syncScaling(sync: Sync): Promise<void> {
    const { newSet, oldSets } = await this.#newAndOldSets(sync, false);
    await this.#scale(sync, newSet, oldSets);
    if (sync.deployment.spec?.paused) await this.#cleanup(sync, this.#current(sync, oldSets));
    const current = this.#current(sync, [...oldSets, newSet]);
    await this.#syncDeploymentStatus(sync, current, this.#current(sync, [newSet])[0]);
  }

  /**
   * Upstream's scale: one active set (or none: the newest) takes the whole size; a saturated new set
   * leaves the old ones at 0; otherwise, mid-rollout, the difference from the allowed size is spread
   * over the active sets in proportion to their sizes, the leftover to the largest.
   */
  async #scale(sync: Sync, newSet: ReplicaSet | undefined, oldSets: ReplicaSet[]): Promise<void> {
    const { deployment } = sync;
    const desired = desiredReplicas(deployment);
    const activeOrLatest = findActiveOrLatest(newSet, oldSets);
    if (activeOrLatest) {
      if (replicasOf(activeOrLatest) !== desired) await this.#scaleTo(sync, activeOrLatest, desired);
      return;
    }
    if (isSaturated(deployment, newSet)) {
      for (const old of activeSets(oldSets)) await this.#scaleTo(sync, old, 0);
      return;
    }
    if (!isRollingUpdate(deployment)) return;
    const sets = activeSets([...oldSets, newSet]);
    const allowed = desired > 0 ? desired + maxSurge(deployment) : 0;
    const toAdd = allowed - specReplicas(sets);
    let operation: 'up' | 'down' | undefined;
    if (toAdd > 0) {
      sets.sort(bySizeNewer);
      operation = 'up';
    } else if (toAdd < 0) {
      sets.sort(bySizeOlder);
      operation = 'down';
    }
    const sizes = new Map<string, number>();
    let added = 0;
    for (const set of sets) {
      const name = set.metadata?.name ?? '';
      if (toAdd === 0) {
        sizes.set(name, replicasOf(set));
        continue;
      }
      const proportion = replicaSetProportion(set, deployment, toAdd, added);
      sizes.set(name, replicasOf(set) + proportion);
      added += proportion;
    }
    for (const [index, set] of sets.entries()) {
      const name = set.metadata?.name ?? '';
      if (index === 0 && toAdd !== 0) sizes.set(name, Math.max(0, sizes.get(name)! + toAdd - added));
      await this.#scaleReplicaSet(sync, set, sizes.get(name)!, operation);
    }
  }

  // ---- RollingUpdate ----

  async #rolloutRolling(sync: Sync): Promise<void> {
    const { deployment } = sync;
    const created = await this.#newAndOldSets(sync, true);
    const newSet = created.newSet!;
    let oldSets = created.oldSets;

    if (await this.#reconcileNewReplicaSet(sync, [...oldSets, newSet], newSet)) {
      await this.#syncRolloutStatus(
        sync,
        this.#current(sync, [...oldSets, newSet]),
        this.#latest(sync, newSet),
      );
      return;
    }
    const fresh = this.#latest(sync, newSet);
    if (await this.#reconcileOldReplicaSets(sync, [...oldSets, fresh], activeSets(oldSets), fresh)) {
      await this.#syncRolloutStatus(
        sync,
        this.#current(sync, [...oldSets, fresh]),
        this.#latest(sync, fresh),
      );
      return;
    }
    oldSets = this.#current(sync, oldSets);
    if (deploymentComplete(deployment, deployment.status ?? {})) await this.#cleanup(sync, oldSets);
    await this.#syncRolloutStatus(sync, [...oldSets, this.#latest(sync, fresh)], this.#latest(sync, fresh));
  }

  /** Grows the new set as far as maxSurge allows (or shrinks one grown past the desired count). */
  async #reconcileNewReplicaSet(sync: Sync, allSets: ReplicaSet[], newSet: ReplicaSet): Promise<boolean> {
    const desired = desiredReplicas(sync.deployment);
    if (replicasOf(newSet) === desired) return false;
    if (replicasOf(newSet) > desired) return (await this.#scaleTo(sync, newSet, desired)).scaled;
    const count = newReplicaSetReplicas(sync.deployment, allSets, newSet);
    return (await this.#scaleTo(sync, newSet, count)).scaled;
  }

  /**
   * Shrinks old sets while at least (desired − maxUnavailable) replicas stay available, counting the
   * new set's unavailable replicas against the budget. Worked example, desired 3, maxSurge 1,
   * maxUnavailable 0, old at 3 (all available), new at 1 (not yet available): all = 4, minAvailable
   * 3, new unavailable 1 → maxScaledDown = 4 − 3 − 1 = 0, nothing goes; once the new pod is available
   * → 1, and the old set goes to 2.
   */
  async #reconcileOldReplicaSets(
    sync: Sync,
    allSets: ReplicaSet[],
    oldSets: ReplicaSet[],
    newSet: ReplicaSet,
  ): Promise<boolean> {
    const { deployment } = sync;
    if (specReplicas(oldSets) === 0) return false;
    const minAvailable = desiredReplicas(deployment) - maxUnavailable(deployment);
    const newUnavailable = replicasOf(newSet) - (newSet.status?.availableReplicas ?? 0);
    const maxScaledDown = specReplicas(allSets) - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;

    // Unhealthy replicas first: they would otherwise hold the rollout back (kubernetes#16737).
    const { sets: cleaned, count: cleanedUp } = await this.#cleanupUnhealthyReplicas(
      sync,
      oldSets,
      maxScaledDown,
    );
    const scaledDown = await this.#scaleDownOldForRollingUpdate(sync, [...cleaned, newSet], cleaned);
    return cleanedUp + scaledDown > 0;
  }

  async #cleanupUnhealthyReplicas(
    sync: Sync,
    oldSets: ReplicaSet[],
    maxCleanup: number,
  ): Promise<{ sets: ReplicaSet[]; count: number }> {
    const sets = [...oldSets].sort(byCreation);
    let total = 0;
    for (const [index, set] of sets.entries()) {
      if (total >= maxCleanup) break;
      const replicas = replicasOf(set);
      const available = set.status?.availableReplicas ?? 0;
      if (replicas === 0 || replicas === available) continue;
      const count = Math.min(maxCleanup - total, replicas - available);
      const { set: updated } = await this.#scaleTo(sync, set, replicas - count);
      sets[index] = updated;
      total += count;
    }
    return { sets, count: total };
  }

  async #scaleDownOldForRollingUpdate(
    sync: Sync,
    allSets: ReplicaSet[],
    oldSets: ReplicaSet[],
  ): Promise<number> {
    const { deployment } = sync;
    const minAvailable = desiredReplicas(deployment) - maxUnavailable(deployment);
    const available = availableReplicas(allSets);
    if (available <= minAvailable) return 0;
    const budget = available - minAvailable;
    let total = 0;
    for (const set of [...oldSets].sort(byCreation)) {
      if (total >= budget) break;
      if (replicasOf(set) === 0) continue;
      const count = Math.min(replicasOf(set), budget - total);
      await this.#scaleTo(sync, set, replicasOf(set) - count);
      total += count;
    }
    return total;
  }

  // ---- Recreate ----

  async #rolloutRecreate(sync: Sync): Promise<void> {
    const { deployment } = sync;
    let { newSet, oldSets } = await this.#newAndOldSets(sync, false);

    let scaledDown = false;
    for (const old of activeSets(oldSets)) {
      if ((await this.#scaleTo(sync, old, 0)).scaled) scaledDown = true;
    }
    oldSets = this.#current(sync, oldSets);
    if (scaledDown || this.#oldPodsRunning(newSet, oldSets)) {
      await this.#syncRolloutStatus(sync, this.#current(sync, [...oldSets, newSet]), newSet);
      return;
    }
    if (!newSet) ({ newSet, oldSets } = await this.#newAndOldSets(sync, true));
    await this.#scaleTo(sync, newSet!, desiredReplicas(deployment));
    oldSets = this.#current(sync, oldSets);
    if (deploymentComplete(deployment, deployment.status ?? {})) await this.#cleanup(sync, oldSets);
    const latest = this.#latest(sync, newSet!);
    await this.#syncRolloutStatus(sync, [...oldSets, latest], latest);
  }

  /** Old sets still report pods, or pods of theirs that are not finished remain (upstream's oldPodsRunning). */
  #oldPodsRunning(newSet: ReplicaSet | undefined, oldSets: ReplicaSet[]): boolean {
    if (actualReplicas(oldSets) > 0) return true;
    const oldUids = new Set(oldSets.map((set) => set.metadata?.uid));
    const namespace = this.#deploymentNamespace(oldSets, newSet);
    return this.#pods.store.byIndex(namespaceIndex, namespace).some((pod) => {
      const owner = controllerOf(pod);
      if (!owner || !oldUids.has(owner.uid) || owner.uid === newSet?.metadata?.uid) return false;
      const phase = pod.status?.phase;
      return phase !== 'Failed' && phase !== 'Succeeded';
    });
  }

  #deploymentNamespace(oldSets: ReplicaSet[], newSet: ReplicaSet | undefined): string {
    return oldSets[0]?.metadata?.namespace ?? newSet?.metadata?.namespace ?? '';
  }

  // ---- history ----

  /**
   * Upstream's cleanupDeployment: beyond revisionHistoryLimit, deletes the oldest old sets (by
   * revision) that are at 0, report 0, and whose latest spec the ReplicaSet controller has seen.
   */
  async #cleanup(sync: Sync, oldSets: ReplicaSet[]): Promise<void> {
    const { deployment } = sync;
    if (!hasRevisionHistoryLimit(deployment)) return;
    const cleanable = oldSets.filter((set) => !set.metadata?.deletionTimestamp);
    const excess = cleanable.length - (deployment.spec?.revisionHistoryLimit ?? 0);
    if (excess <= 0) return;
    cleanable.sort(byRevision);
    for (const set of cleanable.slice(0, excess)) {
      if (
        (set.status?.replicas ?? 0) !== 0 ||
        replicasOf(set) !== 0 ||
        (set.metadata?.generation ?? 0) > (set.status?.observedGeneration ?? 0)
      ) {
        continue;
      }
      try {
        await this.#client.delete(this.#setRef(set.metadata?.namespace), set.metadata?.name ?? '');
      } catch (error) {
        if (!isStatusError(error, 'NotFound')) throw error;
      }
    }
  }

  // ---- status ----

  /** Upstream's checkPausedConditions: Progressing Unknown with DeploymentPaused / DeploymentResumed. */
  async #checkPausedConditions(sync: Sync): Promise<void> {
    const { deployment } = sync;
    if (!hasProgressDeadline(deployment)) return;
    const condition = getCondition(deployment.status, PROGRESSING);
    if (condition?.reason === Reason.timedOut) return;
    const pausedConditionExists = condition?.reason === Reason.paused;
    const paused = deployment.spec?.paused === true;
    let next: DeploymentCondition | undefined;
    if (paused && !pausedConditionExists) {
      next = newCondition(PROGRESSING, 'Unknown', Reason.paused, 'Deployment is paused', this.#now());
    } else if (!paused && pausedConditionExists) {
      next = newCondition(PROGRESSING, 'Unknown', Reason.resumed, 'Deployment is resumed', this.#now());
    }
    if (!next) return;
    setCondition((deployment.status ??= {}), next);
    await this.#writeStatus(sync);
  }

  async #syncStatusOnly(sync: Sync): Promise<void> {
    const { newSet, oldSets } = await this.#newAndOldSets(sync, false);
    await this.#syncDeploymentStatus(sync, [...oldSets, newSet], newSet);
  }

  /** Upstream's syncDeploymentStatus: the computed status, written when it differs. */
  async #syncDeploymentStatus(
    sync: Sync,
    allSets: (ReplicaSet | undefined)[],
    newSet: ReplicaSet | undefined,
  ): Promise<void> {
    const status = this.#calculateStatus(sync.deployment, allSets, newSet);
    if (sameStatus(sync.deployment.status, status)) return;
    sync.deployment.status = status;
    await this.#writeStatus(sync);
  }

  /** Upstream's calculateStatus: counts over the sets and the Available condition. */
  #calculateStatus(
    deployment: Deployment,
    allSets: (ReplicaSet | undefined)[],
    newSet: ReplicaSet | undefined,
  ): DeploymentStatus {
    const available = availableReplicas(allSets);
    const status: DeploymentStatus = {
      observedGeneration: deployment.metadata?.generation ?? 0,
      replicas: actualReplicas(allSets),
      updatedReplicas: actualReplicas([newSet]),
      readyReplicas: readyReplicas(allSets),
      availableReplicas: available,
      unavailableReplicas: Math.max(0, specReplicas(allSets) - available),
      conditions: structuredClone(deployment.status?.conditions ?? []),
    };
    if (deployment.status?.collisionCount !== undefined)
      status.collisionCount = deployment.status.collisionCount;
    if (available >= desiredReplicas(deployment) - maxUnavailable(deployment)) {
      setCondition(
        status,
        newCondition(
          AVAILABLE,
          'True',
          Reason.minimumReplicasAvailable,
          'Deployment has minimum availability.',
          this.#now(),
        ),
      );
    } else {
      setCondition(
        status,
        newCondition(
          AVAILABLE,
          'False',
          Reason.minimumReplicasUnavailable,
          'Deployment does not have minimum availability.',
          this.#now(),
        ),
      );
    }
    return status;
  }

  /**
   * Upstream's syncRolloutStatus: the status with the Progressing condition — NewReplicaSetAvailable
   * once complete, ReplicaSetUpdated (its lastUpdateTime moved) on any progress, ProgressDeadlineExceeded
   * after progressDeadlineSeconds without — and ReplicaFailure carried up from the sets. Unchanged, it
   * asks to be looked at again when the deadline would pass.
   */
  async #syncRolloutStatus(
    sync: Sync,
    allSets: (ReplicaSet | undefined)[],
    newSet: ReplicaSet | undefined,
  ): Promise<void> {
    const { deployment } = sync;
    const status = this.#calculateStatus(deployment, allSets, newSet);
    if (!hasProgressDeadline(deployment)) removeCondition(status, PROGRESSING);
    const current = getCondition(deployment.status, PROGRESSING);
    const complete =
      (status.replicas ?? 0) === (status.updatedReplicas ?? 0) &&
      current?.reason === Reason.newReplicaSetAvailable;
    const newName = newSet?.metadata?.name;
    const name = deployment.metadata?.name;
    if (hasProgressDeadline(deployment) && !complete) {
      if (deploymentComplete(deployment, status)) {
        const message = newSet
          ? `ReplicaSet "${newName}" has successfully progressed.`
          : `Deployment "${name}" has successfully progressed.`;
        setCondition(
          status,
          newCondition(PROGRESSING, 'True', Reason.newReplicaSetAvailable, message, this.#now()),
        );
      } else if (deploymentProgressing(deployment, status)) {
        const message = newSet
          ? `ReplicaSet "${newName}" is progressing.`
          : `Deployment "${name}" is progressing.`;
        const condition = newCondition(PROGRESSING, 'True', Reason.replicaSetUpdated, message, this.#now());
        // Progress moves lastUpdateTime even when the reason stays: replace rather than set.
        if (current) {
          if (current.status === 'True' && current.lastTransitionTime !== undefined) {
            condition.lastTransitionTime = current.lastTransitionTime;
          }
          removeCondition(status, PROGRESSING);
        }
        setCondition(status, condition);
      } else if (deploymentTimedOut(deployment, status, this.#clock.now())) {
        const message = newSet
          ? `ReplicaSet "${newName}" has timed out progressing.`
          : `Deployment "${name}" has timed out progressing.`;
        setCondition(status, newCondition(PROGRESSING, 'False', Reason.timedOut, message, this.#now()));
      }
    }
    const failure = replicaFailure(allSets, newSet);
    if (failure) setCondition(status, failure);
    else removeCondition(status, REPLICA_FAILURE);

    if (sameStatus(deployment.status, status)) {
      this.#requeueStuck(sync, status);
      return;
    }
    deployment.status = status;
    await this.#writeStatus(sync);
  }

  /**
   * Upstream's requeueStuckDeployment: a rollout with no sign of progress is looked at again when its
   * deadline passes (lastUpdateTime + progressDeadlineSeconds, plus a second against skew).
   */
  #requeueStuck(sync: Sync, status: DeploymentStatus): void {
    const { deployment } = sync;
    const current = getCondition(deployment.status, PROGRESSING);
    if (!hasProgressDeadline(deployment) || !current) return;
    if (deploymentComplete(deployment, status) || current.reason === Reason.timedOut) return;
    const since = Date.parse(current.lastUpdateTime ?? '');
    if (Number.isNaN(since)) return;
    const after = since + (deployment.spec?.progressDeadlineSeconds ?? 0) * 1000 - this.#clock.now();
    sync.requeueAfterMs = Math.max(after, 0) + 1000;
  }

  /**
   * Writes the working deployment's revision annotation (when it differs from what is stored) and then
   * its status, through the status subresource. The working copy takes each answer's resourceVersion.
   */
  async #writeStatus(sync: Sync): Promise<void> {
    const { deployment } = sync;
    const meta = (deployment.metadata ??= {});
    const ref = this.#deploymentRef(meta.namespace);
    const revision = meta.annotations?.[REVISION_ANNOTATION];
    if (revision !== undefined && revision !== sync.persistedRevision) {
      const patched = await this.#client.patch<Deployment>(ref, meta.name ?? '', 'merge', {
        metadata: { annotations: { [REVISION_ANNOTATION]: revision } },
      });
      sync.persistedRevision = revision;
      meta.resourceVersion = patched.metadata?.resourceVersion;
    }
    const body: Deployment = { ...structuredClone(deployment), status: normalStatus(deployment.status) };
    const updated = await this.#client.update<Deployment>(ref, body, { subresource: 'status' });
    meta.resourceVersion = updated.metadata?.resourceVersion;
  }

  // ---- bookkeeping ----

  #replaceSet(sync: Sync, updated: ReplicaSet): void {
    const uid = updated.metadata?.uid;
    const index = sync.sets.findIndex((set) => set.metadata?.uid === uid);
    if (index >= 0) sync.sets[index] = updated;
    else sync.sets.push(updated);
  }

  /** The latest version of each set this reconcile has (after its own writes). */
  #current(sync: Sync, sets: (ReplicaSet | undefined)[]): ReplicaSet[] {
    return sets.filter((set): set is ReplicaSet => set !== undefined).map((set) => this.#latest(sync, set));
  }

  #latest(sync: Sync, set: ReplicaSet): ReplicaSet {
    return sync.sets.find((candidate) => candidate.metadata?.uid === set.metadata?.uid) ?? set;
  }

  #now(): string {
    return formatTime(this.#clock.now());
  }

  #recordEvent(deployment: Deployment, type: EventType, reason: string, message: string): void {
    const meta = deployment.metadata ?? {};
    this.#events.event(
      {
        kind: 'Deployment',
        apiVersion: 'apps/v1',
        namespace: meta.namespace,
        name: meta.name,
        uid: meta.uid,
        resourceVersion: meta.resourceVersion,
      },
      type,
      reason,
      message,
    );
  }

  #deploymentRef(namespace: string | undefined): ResourceRef {
    return refFor('Deployment', namespace);
  }

  #setRef(namespace: string | undefined): ResourceRef {
    return refFor('ReplicaSet', namespace);
  }
}

/** kube-controller-manager's Deployment controller. */
export const deploymentController: ControllerFactory = (context) => new DeploymentController({ context });

// ---------------------------------------------------------------------------------------------------

function controllerRefFor(deployment: Deployment): OwnerReference {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: deployment.metadata?.name ?? '',
    uid: deployment.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

function selectorOrUndefined(deployment: Deployment): Selector | undefined {
  try {
    const selector = deployment.spec?.selector;
    return selector ? labelSelectorAsSelector(selector) : undefined;
  } catch {
    return undefined;
  }
}

/** Sets the deployment's revision annotation (on the working copy); returns whether it changed. */
function setDeploymentRevision(deployment: Deployment, revision: string | undefined): boolean {
  if (revision === undefined) return false;
  const annotations = ((deployment.metadata ??= {}).annotations ??= {});
  if (annotations[REVISION_ANNOTATION] === revision) return false;
  annotations[REVISION_ANNOTATION] = revision;
  return true;
}

/**
 * Upstream's FindActiveOrLatest: the one active set, or with none active the new set (else the newest
 * old one); undefined when several are active.
 */
function findActiveOrLatest(newSet: ReplicaSet | undefined, oldSets: ReplicaSet[]): ReplicaSet | undefined {
  if (!newSet && oldSets.length === 0) return undefined;
  const newestFirst = [...oldSets].sort((a, b) => byCreation(b, a));
  const active = activeSets([...newestFirst, newSet]);
  if (active.length === 0) return newSet ?? newestFirst[0];
  return active.length === 1 ? active[0] : undefined;
}

/** The ReplicaFailure condition of the new set, else of any set, as a deployment condition. */
function replicaFailure(
  allSets: (ReplicaSet | undefined)[],
  newSet: ReplicaSet | undefined,
): DeploymentCondition | undefined {
  for (const set of [newSet, ...allSets]) {
    const failure = set?.status?.conditions?.find((condition) => condition.type === REPLICA_FAILURE);
    if (failure) {
      return {
        type: failure.type,
        status: failure.status,
        ...(failure.lastTransitionTime !== undefined
          ? { lastUpdateTime: failure.lastTransitionTime, lastTransitionTime: failure.lastTransitionTime }
          : {}),
        ...(failure.reason !== undefined ? { reason: failure.reason } : {}),
        ...(failure.message !== undefined ? { message: failure.message } : {}),
      };
    }
  }
  return undefined;
}

function sameStatus(current: DeploymentStatus | undefined, next: DeploymentStatus): boolean {
  return isDeepStrictEqual(normalStatus(current), normalStatus(next));
}
