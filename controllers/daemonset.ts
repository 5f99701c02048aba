/**
 * The DaemonSet controller, as kube-controller-manager's (pkg/controller/daemon): one pod of each
 * DaemonSet on every node its template fits, rolled to new templates under the update strategy, with
 * the templates' history kept in ControllerRevisions.
 *
 * One reconcile of `namespace/name`, from the informers' caches:
 *
 *   history   claim the ControllerRevisions the selector matches; the one holding the current
 *             template (create it, or renumber it to the newest when rolling back) gives the hash
 *   if the expectations are met (see below):
 *     manage  per node (daemonset/eligibility.ts): create a pod where one belongs and none is; delete
 *             failed (with backoff) and succeeded pods; keep only the oldest of several (with maxSurge,
 *             one old and one new); delete pods where they no longer belong
 *     update  RollingUpdate: replace old pods within maxUnavailable / maxSurge
 *             (daemonset/rolling-update.ts); OnDelete: nothing — only pods deleted by hand come back new
 *     trim    revisions beyond revisionHistoryLimit, oldest first, keeping any a live pod runs
 *   status    desired/current/ready/available/updated/misscheduled counts, through the status
 *             subresource, only when changed (conditions and collisionCount are carried over)
 *
 * Daemon pods are created unbound, with a node affinity naming their node (`matchFields metadata.name
 * In [node]`), for the scheduler to bind — upstream's way since 1.12; until it binds them, that term
 * is how the controller knows a pending pod's node.
 *
 * Expectations (expectations.ts): before creating or deleting pods, the set expects to see
 * those creations and deletions; until the pod handlers have counted them off (or 5 minutes pass), a
 * reconcile only writes status — the cache does not yet show its own writes.
 *
 * Events, as upstream: SuccessfulCreate "Created pod: agent-x7k2p", FailedCreate "Error creating: …",
 * SuccessfulDelete "Deleted pod: agent-x7k2p", FailedDelete, FailedDaemonPod "Found failed daemon pod
 * ns/agent-x7k2p on node node-1, will try to kill it", SucceededDaemonPod, SelectingAll. (Upstream no
 * longer records FailedPlacement since the scheduler places daemon pods; neither does this.)
 */
import { isDeepStrictEqual } from 'node:util';
import { labelSelectorAsSelector, type Selector } from '../api/labels.js';
import type { KubeObject, OwnerReference } from '../api/resource.js';
import type { Node } from '../api/scheduling/types.js';
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
  createPodTemplate,
  isPodUpdated,
  replaceNodeNameNodeAffinity,
  targetNodeName,
  templateGeneration,
} from './daemonset/daemon-pod.js';
import { daemonEligibility, type Eligibility } from './daemonset/eligibility.js';
import { FailedPodsBackoff } from './daemonset/failed-pods-backoff.js';
import { matchesRevision, revisionData, templateHash } from './daemonset/revisions.js';
import { allowsSurge, planRollingUpdate, rollingUpdateLimits } from './daemonset/rolling-update.js';
import { type DaemonSet, type DaemonSetStatus, ROLLING_UPDATE } from './daemonset/types.js';
import { Expectations } from './expectations.js';
import {
  type Controller,
  type ControllerContext,
  type ControllerFactory,
  QueueController,
  type ReconcileResult,
  TerminalError,
} from './framework.js';
import { CONTROLLER_REVISION_HASH_LABEL, type ControllerRevision } from './history.js';
import {
  controllerOf,
  controllerRef,
  eventKeyOf,
  hasStatusCause,
  isPodAvailable,
  isPodReady,
  messageOf,
  NAMESPACE_TERMINATING_CAUSE,
  type Pod,
  type PodTemplate,
  podFromTemplate,
  timeOf,
} from './pods.js';
import { slowStartBatch } from './slow-start.js';

export type { DaemonSet, DaemonSetStatus } from './daemonset/types.js';

export const daemonSetKind = { apiVersion: 'apps/v1', kind: 'DaemonSet' } as const;

const CONTROLLER_NAME = 'daemonset-controller';
/** At most this many pods are created or deleted by one reconcile (upstream's BurstReplicas). */
const BURST_REPLICAS = 250;
const SLOW_START_INITIAL_BATCH = 1;
const STATUS_UPDATE_RETRIES = 1;

export interface DaemonSetControllerOptions {
  readonly context: ControllerContext;
  /** At most this many creations or deletions per reconcile. Default 250. */
  readonly burstReplicas?: number;
  readonly workers?: number;
}

/** What one reconcile gathers besides its writes: when to look again. */
interface SyncState {
  requeueAfterMs?: number;
}

export class DaemonSetController implements Controller {
  readonly name = CONTROLLER_NAME;
  readonly #client: KubeClient;
  readonly #clock: Clock;
  readonly #burstReplicas: number;
  readonly #daemonSets: Informer<DaemonSet>;
  readonly #revisions: Informer<ControllerRevision>;
  readonly #pods: Informer<Pod>;
  readonly #nodes: Informer<Node>;
  readonly #queue: QueueController;
  readonly #expectations: Expectations;
  readonly #failedPodsBackoff = new FailedPodsBackoff();
  readonly #events: EventRecorder;

  constructor(options: DaemonSetControllerOptions) {
    const { context } = options;
    this.#client = context.client;
    this.#clock = context.clock;
    this.#burstReplicas = options.burstReplicas ?? BURST_REPLICAS;
    this.#expectations = new Expectations(context.clock);
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
    this.#daemonSets = context.informers.informerFor<DaemonSet>(refFor(daemonSetKind));
    this.#revisions = context.informers.informerFor<ControllerRevision>(refFor('ControllerRevision'));
    this.#pods = context.informers.informerFor<Pod>(refFor('Pod'));
    this.#nodes = context.informers.informerFor<Node>(refFor('Node'));

    this.#daemonSets.addEventHandler({
      onAdd: (daemonSet) => this.#enqueue(daemonSet),
      onUpdate: (old, daemonSet) => {
        // Deleted and made again under the same name between two events: start clean.
        if (old.metadata?.uid !== daemonSet.metadata?.uid) this.#expectations.delete(objectKey(old));
        this.#enqueue(daemonSet);
      },
      onDelete: (daemonSet) => {
        this.#expectations.delete(objectKey(daemonSet));
        this.#enqueue(daemonSet);
      },
    });
    this.#revisions.addEventHandler({
      onAdd: (revision) => this.#revisionAdded(revision),
      onUpdate: (old, revision) => this.#revisionUpdated(old, revision),
      onDelete: (revision) => this.#revisionDeleted(revision),
    });
    this.#pods.addEventHandler({
      onAdd: (pod) => this.#podAdded(pod),
      onUpdate: (old, pod) => this.#podUpdated(old, pod),
      onDelete: (pod) => this.#podDeleted(pod),
    });
    this.#nodes.addEventHandler({
      onAdd: (node) => this.#nodeAdded(node),
      onUpdate: (old, node) => this.#nodeUpdated(old, node),
      onDelete: (node) => this.#nodeDeleted(node),
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

  #enqueue(daemonSet: DaemonSet): void {
    this.#queue.enqueue(objectKey(daemonSet));
  }

  #revisionAdded(revision: ControllerRevision): void {
    if (revision.metadata?.deletionTimestamp) {
      this.#revisionDeleted(revision);
      return;
    }
    // A revision with an owner concerns only that owner, who made it and needs no wake-up (as upstream).
    if (controllerOf(revision)) return;
    for (const daemonSet of this.#daemonSetsSelecting(revision)) this.#enqueue(daemonSet);
  }

  #revisionUpdated(old: ControllerRevision, revision: ControllerRevision): void {
    if (old.metadata?.resourceVersion === revision.metadata?.resourceVersion) return;
    const owner = controllerOf(revision);
    const oldOwner = controllerOf(old);
    const ownerChanged = !isDeepStrictEqual(owner, oldOwner);
    if (ownerChanged && oldOwner) {
      const previous = this.#resolveControllerRef(old.metadata?.namespace, oldOwner);
      if (previous) this.#enqueue(previous);
    }
    if (owner) {
      const daemonSet = this.#resolveControllerRef(revision.metadata?.namespace, owner);
      if (daemonSet) this.#enqueue(daemonSet);
      return;
    }
    const labelsChanged = !isDeepStrictEqual(old.metadata?.labels ?? {}, revision.metadata?.labels ?? {});
    if (labelsChanged || ownerChanged) {
      for (const daemonSet of this.#daemonSetsSelecting(revision)) this.#enqueue(daemonSet);
    }
  }

  #revisionDeleted(revision: ControllerRevision): void {
    const owner = controllerOf(revision);
    if (!owner) return;
    const daemonSet = this.#resolveControllerRef(revision.metadata?.namespace, owner);
    if (daemonSet) this.#enqueue(daemonSet);
  }

  #podAdded(pod: Pod): void {
    // A pod that shows up already being deleted (a restarted manager) is no creation to count.
    if (pod.metadata?.deletionTimestamp) {
      this.#podDeleted(pod);
      return;
    }
    const owner = controllerOf(pod);
    if (owner) {
      const daemonSet = this.#resolveControllerRef(pod.metadata?.namespace, owner);
      if (!daemonSet) return;
      this.#expectations.creationObserved(objectKey(daemonSet));
      this.#enqueue(daemonSet);
      return;
    }
    // An orphan: every DaemonSet selecting it may adopt it. Nobody waits for an orphan's creation.
    for (const daemonSet of this.#daemonSetsSelecting(pod)) this.#enqueue(daemonSet);
  }

  #podUpdated(old: Pod, pod: Pod): void {
    if (old.metadata?.resourceVersion === pod.metadata?.resourceVersion) return;
    if (pod.metadata?.deletionTimestamp) {
      // A graceful deletion began: count it now, so the node's pod is replaced without waiting for the
      // kubelet to finish it.
      this.#podDeleted(pod);
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
      const daemonSet = this.#resolveControllerRef(pod.metadata?.namespace, owner);
      if (!daemonSet) return;
      this.#enqueue(daemonSet);
      // Becoming ready starts the minReadySeconds wait: look again just after it ends.
      const minReadySeconds = daemonSet.spec?.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(pod) && minReadySeconds > 0) {
        this.#queue.queue.addAfter(objectKey(daemonSet), minReadySeconds * 1000 + 1000);
      }
      return;
    }
    const labelsChanged = !isDeepStrictEqual(old.metadata?.labels ?? {}, pod.metadata?.labels ?? {});
    if (labelsChanged || ownerChanged) {
      for (const daemonSet of this.#daemonSetsSelecting(pod)) this.#enqueue(daemonSet);
    }
  }

  #podDeleted(pod: Pod): void {
    const owner = controllerOf(pod);
    if (!owner) return;
    const daemonSet = this.#resolveControllerRef(pod.metadata?.namespace, owner);
    if (!daemonSet) return;
    const key = objectKey(daemonSet);
    this.#expectations.deletionObserved(key, objectKey(pod));
    this.#queue.enqueue(key);
  }

  #nodeAdded(node: Node): void {
    for (const daemonSet of this.#daemonSets.store.list()) {
      if (this.#eligibilityOrUndefined(daemonSet)?.(node).shouldRun) this.#enqueue(daemonSet);
    }
  }

  /** Heartbeats (condition times, resourceVersion) change nothing; a label or taint change may. */
  #nodeUpdated(old: Node, node: Node): void {
    if (sameNodeApartFromHeartbeats(old, node)) return;
    for (const daemonSet of this.#daemonSets.store.list()) {
      const eligible = this.#eligibilityOrUndefined(daemonSet);
      if (!eligible) continue;
      const before = eligible(old);
      const after = eligible(node);
      if (
        before.shouldRun !== after.shouldRun ||
        before.shouldContinueRunning !== after.shouldContinueRunning
      ) {
        this.#enqueue(daemonSet);
      }
    }
  }

  /**
   * Not in upstream, which leaves a deleted node's pods to the pod garbage collector and recounts on
   * their deletion; here the DaemonSets the node counted for recount at once.
   */
  #nodeDeleted(node: Node): void {
    for (const daemonSet of this.#daemonSets.store.list()) {
      const eligible = this.#eligibilityOrUndefined(daemonSet)?.(node);
      if (eligible?.shouldRun || eligible?.shouldContinueRunning) this.#enqueue(daemonSet);
    }
  }

  #eligibilityOrUndefined(daemonSet: DaemonSet): ((node: Node) => Eligibility) | undefined {
    try {
      return daemonEligibility(daemonSet);
    } catch {
      return undefined;
    }
  }

  /** The cached DaemonSet a controller reference points at: same kind, same name, same uid. */
  #resolveControllerRef(namespace: string | undefined, owner: OwnerReference): DaemonSet | undefined {
    if (owner.kind !== daemonSetKind.kind) return undefined;
    const daemonSet = this.#daemonSets.store.getByName(namespace, owner.name);
    return daemonSet?.metadata?.uid === owner.uid ? daemonSet : undefined;
  }

  /** DaemonSets in the object's namespace whose (valid, non-empty) selector matches its labels. */
  #daemonSetsSelecting(object: KubeObject): DaemonSet[] {
    const namespace = object.metadata?.namespace;
    if (!namespace) return [];
    return this.#daemonSets.store.byIndex(namespaceIndex, namespace).filter((daemonSet) => {
      const selector = selectorOrUndefined(daemonSet);
      return selector !== undefined && !selector.empty && selector.matches(object.metadata?.labels);
    });
  }

  // ---- reconcile ----

  /** Upstream's syncDaemonSet: see the module comment. */
  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const { namespace, name } = splitKey(key);
    const daemonSet = this.#daemonSets.store.getByName(namespace, name);
    if (!daemonSet) {
      this.#expectations.delete(key);
      return undefined;
    }
    let selector: Selector;
    try {
      selector = labelSelectorAsSelector(daemonSet.spec?.selector);
    } catch (error) {
      // Validation keeps malformed selectors out; should one get in, retrying cannot mend it.
      throw new TerminalError(`DaemonSet ${key} has an invalid selector: ${messageOf(error)}`, {
        cause: error,
      });
    }
    if (selector.empty) {
      this.#recordEvent(
        daemonSet,
        'Warning',
        'SelectingAll',
        'This daemon set is selecting all pods. A non-empty selector is required.',
      );
      return undefined;
    }
    // Being deleted: its revisions may be going too, so no status can be trusted; the garbage
    // collector takes the pods.
    if (daemonSet.metadata?.deletionTimestamp) return undefined;

    // In name order, so that what one reconcile does is the same from run to run.
    const nodes = [...this.#nodes.store.list()].sort((a, b) =>
      compareStrings(a.metadata?.name, b.metadata?.name),
    );
    const eligibility = daemonEligibility(daemonSet);
    const sync: SyncState = {};
    const { current, old } = await this.#constructHistory(daemonSet, selector);
    const hash = current.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '';

    if (!this.#expectations.satisfied(key)) {
      // Only status; observedGeneration stays, as this generation has not been acted on.
      await this.#updateStatus(daemonSet, selector, nodes, eligibility, hash, false, sync);
      return result(sync);
    }

    let updateError: unknown;
    try {
      await this.#manage(daemonSet, selector, nodes, eligibility, hash, sync);
      if (this.#expectations.satisfied(key)) {
        // OnDelete replaces nothing: a pod deleted by hand comes back from the current template.
        const strategy = daemonSet.spec?.updateStrategy?.type ?? ROLLING_UPDATE;
        if (strategy === ROLLING_UPDATE)
          await this.#rollingUpdate(daemonSet, selector, nodes, eligibility, hash);
      }
      await this.#cleanupHistory(daemonSet, selector, old);
    } catch (error) {
      updateError = error ?? new Error('unknown error');
    }
    try {
      await this.#updateStatus(daemonSet, selector, nodes, eligibility, hash, true, sync);
    } catch (statusError) {
      if (updateError === undefined) throw statusError;
    }
    if (updateError !== undefined) throw updateError;
    return result(sync);
  }

  /**
   * Upstream's getNodesToDaemonPods: the DaemonSet's pods (after claiming) by the node they run on or
   * are meant for. Pods that finished and are being deleted are left out, unless `includeDeletedTerminal`.
   */
  async #nodeToDaemonPods(
    daemonSet: DaemonSet,
    selector: Selector,
    includeDeletedTerminal: boolean,
  ): Promise<Map<string, Pod[]>> {
    const namespace = daemonSet.metadata?.namespace;
    const candidates = this.#pods.store.byIndex(namespaceIndex, namespace ?? '');
    const claimed = await claimChildren(
      {
        client: this.#client,
        owner: daemonSet,
        ownerKind: daemonSetKind,
        ownerRef: this.#daemonSetRef(namespace),
        selector,
        childRef: this.#podRef(namespace),
        childKind: 'Pod',
      },
      candidates,
    );
    const byNode = new Map<string, Pod[]>();
    for (const pod of claimed) {
      const phase = pod.status?.phase;
      const terminal = phase === 'Succeeded' || phase === 'Failed';
      if (!includeDeletedTerminal && terminal && pod.metadata?.deletionTimestamp) continue;
      const node = targetNodeName(pod);
      if (node === undefined) continue;
      const pods = byNode.get(node);
      if (pods) pods.push(pod);
      else byNode.set(node, [pod]);
    }
    return byNode;
  }

  // ---- manage: pods where they belong ----

  async #manage(
    daemonSet: DaemonSet,
    selector: Selector,
    nodes: readonly Node[],
    eligibility: (node: Node) => Eligibility,
    hash: string,
    sync: SyncState,
  ): Promise<void> {
    const nodeToDaemonPods = await this.#nodeToDaemonPods(daemonSet, selector, false);
    const nodesNeedingDaemonPods: string[] = [];
    const podsToDelete: string[] = [];
    for (const node of nodes) {
      const decision = this.#podsShouldBeOnNode(
        daemonSet,
        node,
        nodeToDaemonPods,
        eligibility(node),
        hash,
        sync,
      );
      nodesNeedingDaemonPods.push(...decision.create);
      podsToDelete.push(...decision.delete);
    }
    // Unscheduled pods meant for nodes that are gone: nothing else will ever remove them.
    const existing = new Set(nodes.map((node) => node.metadata?.name ?? ''));
    for (const [node, pods] of nodeToDaemonPods) {
      if (existing.has(node)) continue;
      for (const pod of pods) if (!pod.spec?.nodeName) podsToDelete.push(pod.metadata?.name ?? '');
    }
    await this.#syncNodes(daemonSet, podsToDelete, nodesNeedingDaemonPods, hash);
  }

  /** Upstream's podsShouldBeOnNode: what to create on and delete from one node. */
  #podsShouldBeOnNode(
    daemonSet: DaemonSet,
    node: Node,
    nodeToDaemonPods: ReadonlyMap<string, Pod[]>,
    { shouldRun, shouldContinueRunning }: Eligibility,
    hash: string,
    sync: SyncState,
  ): { create: string[]; delete: string[] } {
    const nodeName = node.metadata?.name ?? '';
    const daemonPods = nodeToDaemonPods.get(nodeName);
    const create: string[] = [];
    const toDelete: string[] = [];
    if (shouldRun && !daemonPods) {
      create.push(nodeName);
    } else if (shouldContinueRunning) {
      const running: Pod[] = [];
      for (const pod of daemonPods ?? []) {
        if (pod.metadata?.deletionTimestamp) continue;
        const phase = pod.status?.phase;
        const podName = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
        if (phase === 'Failed') {
          // The kubelet keeps rejecting it, most likely: back off between attempts.
          const backoffKey = `${daemonSet.metadata?.uid}/${daemonSet.status?.observedGeneration ?? 0}/${nodeName}`;
          const now = this.#clock.now();
          if (this.#failedPodsBackoff.isInBackOffSinceUpdate(backoffKey, now)) {
            requeueAfter(sync, this.#failedPodsBackoff.get(backoffKey));
            continue;
          }
          this.#failedPodsBackoff.next(backoffKey, now);
          this.#recordEvent(
            daemonSet,
            'Warning',
            'FailedDaemonPod',
            `Found failed daemon pod ${podName} on node ${nodeName}, will try to kill it`,
          );
          toDelete.push(pod.metadata?.name ?? '');
        } else if (phase === 'Succeeded') {
          this.#recordEvent(
            daemonSet,
            'Normal',
            'SucceededDaemonPod',
            `Found succeeded daemon pod ${podName} on node ${nodeName}, will try to delete it`,
          );
          toDelete.push(pod.metadata?.name ?? '');
        } else {
          running.push(pod);
        }
      }
      running.sort(byScheduledThenCreation);
      if (!allowsSurge(daemonSet)) {
        // One pod per node: the oldest stays.
        for (const extra of running.slice(1)) toDelete.push(extra.metadata?.name ?? '');
      } else if (running.length === 0) {
        if (shouldRun) create.push(nodeName);
      } else if (running.length > 1) {
        toDelete.push(...this.#trimSurge(daemonSet, running, hash));
      }
    } else if (daemonPods) {
      // The node no longer wants this daemon: every pod on it goes.
      for (const pod of daemonPods)
        if (!pod.metadata?.deletionTimestamp) toDelete.push(pod.metadata?.name ?? '');
    }
    return { create, delete: toDelete };
  }

  /**
   * With surge, a node keeps at most the oldest current pod and the oldest old one; the old one too
   * goes once it is not ready, or once the current one is available. `running` is oldest first.
   */
  #trimSurge(daemonSet: DaemonSet, running: readonly Pod[], hash: string): string[] {
    const toDelete: string[] = [];
    let oldestNew: Pod | undefined;
    let oldestOld: Pod | undefined;
    for (const pod of running) {
      const current = pod.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL] === hash;
      if (current && !oldestNew) oldestNew = pod;
      else if (!current && !oldestOld) oldestOld = pod;
      else toDelete.push(pod.metadata?.name ?? '');
    }
    if (oldestNew && oldestOld) {
      const minReadySeconds = daemonSet.spec?.minReadySeconds ?? 0;
      if (!isPodReady(oldestOld) || isPodAvailable(oldestNew, minReadySeconds, this.#clock.now())) {
        toDelete.push(oldestOld.metadata?.name ?? '');
      }
    }
    return toDelete;
  }

  /** Upstream's syncNodes: deletes the pods and creates pods for the nodes, in slow-start batches. */
  async #syncNodes(
    daemonSet: DaemonSet,
    podsToDelete: readonly string[],
    nodesNeedingDaemonPods: readonly string[],
    hash: string,
  ): Promise<void> {
    const key = objectKey(daemonSet);
    const namespace = daemonSet.metadata?.namespace ?? '';
    const createCount = Math.min(nodesNeedingDaemonPods.length, this.#burstReplicas);
    const deleting = podsToDelete.slice(0, this.#burstReplicas);
    // Before any write: the handlers may see a write's result before it returns.
    this.#expectations.expect(
      key,
      createCount,
      deleting.map((name) => `${namespace}/${name}`),
    );
    const errors: unknown[] = [];

    const template = createPodTemplate(daemonSet.spec?.template, templateGeneration(daemonSet), hash);
    let attempted = 0;
    const { successes, error } = await slowStartBatch(createCount, SLOW_START_INITIAL_BATCH, async () => {
      const nodeName = nodesNeedingDaemonPods[attempted++] ?? '';
      try {
        await this.#createPod(daemonSet, template, nodeName);
      } catch (failure) {
        // Every create would fail the same way while the namespace goes away; nothing to do.
        if (hasStatusCause(failure, NAMESPACE_TERMINATING_CAUSE)) return;
        throw failure;
      }
    });
    // Creations that failed or were never attempted will never be observed.
    this.#expectations.creationObserved(key, createCount - successes);
    if (error !== undefined) errors.push(error);

    await Promise.all(
      deleting.map(async (podName) => {
        try {
          await this.#deletePod(daemonSet, podName);
        } catch (failure) {
          this.#expectations.deletionObserved(key, `${namespace}/${podName}`);
          if (!isStatusError(failure, 'NotFound')) errors.push(failure);
        }
      }),
    );
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `[${errors.map(messageOf).join(', ')}]`);
  }

  /** Upstream's RealPodControl.CreatePods, for the pod pinned to `nodeName`. */
  async #createPod(daemonSet: DaemonSet, template: PodTemplate, nodeName: string): Promise<void> {
    const pod = podFromTemplate(daemonSet, template, controllerRef(daemonSet, daemonSetKind));
    const spec = (pod.spec ??= {});
    spec.affinity = replaceNodeNameNodeAffinity(spec.affinity as never, nodeName);
    if (Object.keys(pod.metadata?.labels ?? {}).length === 0)
      throw new Error('unable to create pods, no labels');
    let created: Pod;
    try {
      created = await this.#client.create<Pod>(this.#podRef(daemonSet.metadata?.namespace), pod);
    } catch (error) {
      if (!hasStatusCause(error, NAMESPACE_TERMINATING_CAUSE)) {
        this.#recordEvent(daemonSet, 'Warning', 'FailedCreate', `Error creating: ${messageOf(error)}`);
      }
      throw error;
    }
    this.#recordEvent(daemonSet, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`);
  }

  async #deletePod(daemonSet: DaemonSet, podName: string): Promise<void> {
    try {
      await this.#client.delete(this.#podRef(daemonSet.metadata?.namespace), podName);
    } catch (error) {
      if (isStatusError(error, 'NotFound')) throw error;
      this.#recordEvent(daemonSet, 'Warning', 'FailedDelete', `Error deleting: ${messageOf(error)}`);
      throw new Error(`unable to delete pods: ${messageOf(error)}`, { cause: error });
    }
    this.#recordEvent(daemonSet, 'Normal', 'SuccessfulDelete', `Deleted pod: ${podName}`);
  }

  // ---- the update strategy ----

  async #rollingUpdate(
    daemonSet: DaemonSet,
    selector: Selector,
    nodes: readonly Node[],
    eligibility: (node: Node) => Eligibility,
    hash: string,
  ): Promise<void> {
    const nodeToDaemonPods = await this.#nodeToDaemonPods(daemonSet, selector, false);
    const byName = new Map(nodes.map((node) => [node.metadata?.name ?? '', node]));
    let desired = 0;
    for (const node of nodes) {
      if (!eligibility(node).shouldRun) continue;
      desired++;
      const name = node.metadata?.name ?? '';
      if (!nodeToDaemonPods.has(name)) nodeToDaemonPods.set(name, []);
    }
    const plan = planRollingUpdate({
      daemonSet,
      nodeToDaemonPods,
      hash,
      generation: templateGeneration(daemonSet),
      limits: rollingUpdateLimits(daemonSet, desired),
      now: this.#clock.now(),
      // Upstream fails the reconcile for a pod on a node that is gone; here such a node simply wants
      // no pod, so the update is not stuck behind it.
      shouldRun: (name) => {
        const node = byName.get(name);
        return node !== undefined && eligibility(node).shouldRun;
      },
    });
    await this.#syncNodes(daemonSet, plan.podsToDelete, plan.nodesToCreate, hash);
  }

  // ---- history ----

  /**
   * Upstream's constructHistory: the revision of the current template (made if missing, renumbered to
   * the newest if it is an older one come back) and the others.
   */
  async #constructHistory(
    daemonSet: DaemonSet,
    selector: Selector,
  ): Promise<{ current: ControllerRevision; old: ControllerRevision[] }> {
    const namespace = daemonSet.metadata?.namespace;
    const ref = this.#revisionRef(namespace);
    const revisions = await claimChildren(
      {
        client: this.#client,
        owner: daemonSet,
        ownerKind: daemonSetKind,
        ownerRef: this.#daemonSetRef(namespace),
        selector,
        childRef: ref,
        childKind: 'ControllerRevision',
      },
      this.#revisions.store.byIndex(namespaceIndex, namespace ?? ''),
    );
    const currents: ControllerRevision[] = [];
    const old: ControllerRevision[] = [];
    for (let revision of revisions) {
      // Revisions from before the hash label: the name stands in for the hash (no collision to fear).
      if (revision.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL] === undefined) {
        const copy = structuredClone(revision);
        const meta = (copy.metadata ??= {});
        meta.labels = { ...meta.labels, [CONTROLLER_REVISION_HASH_LABEL]: meta.name ?? '' };
        revision = await this.#client.update<ControllerRevision>(ref, copy);
      }
      if (matchesRevision(daemonSet, revision)) currents.push(revision);
      else old.push(revision);
    }
    const next = Math.max(0, ...old.map((revision) => revision.revision ?? 0)) + 1;
    if (currents.length === 0) return { current: await this.#snapshot(daemonSet, next), old };
    let current = await this.#dedupCurrent(daemonSet, selector, currents);
    if ((current.revision ?? 0) < next) {
      current = await this.#client.update<ControllerRevision>(ref, {
        ...structuredClone(current),
        revision: next,
      });
    }
    return { current, old };
  }

  /**
   * Upstream's snapshot: a new revision named by the template's hash. A different revision already
   * under that name is a hash collision: status.collisionCount goes up (which changes the hash) and
   * the reconcile fails, to run again with the new count.
   */
  async #snapshot(daemonSet: DaemonSet, revisionNumber: number): Promise<ControllerRevision> {
    const meta = daemonSet.metadata ?? {};
    const ref = this.#revisionRef(meta.namespace);
    const hash = templateHash(daemonSet);
    const name = `${meta.name}-${hash}`;
    const revision: ControllerRevision = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name,
        namespace: meta.namespace,
        labels: {
          ...(daemonSet.spec?.template?.metadata?.labels ?? {}),
          [CONTROLLER_REVISION_HASH_LABEL]: hash,
        },
        // kubectl rollout history shows a revision's change-cause from these.
        ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
        ownerReferences: [controllerRef(daemonSet, daemonSetKind)],
      },
      data: revisionData(daemonSet.spec?.template),
      revision: revisionNumber,
    };
    try {
      return await this.#client.create<ControllerRevision>(ref, revision);
    } catch (error) {
      if (!isStatusError(error, 'AlreadyExists')) throw error;
      const existing = await this.#client.get<ControllerRevision>(ref, name);
      if (matchesRevision(daemonSet, existing)) return existing;
      const dsRef = this.#daemonSetRef(meta.namespace);
      const fresh = await this.#client.get<DaemonSet>(dsRef, meta.name ?? '');
      const seen = daemonSet.status?.collisionCount;
      if (fresh.status?.collisionCount !== seen) {
        throw new Error(
          `found a stale collision count (${seen ?? 'nil'}, expected ${fresh.status?.collisionCount ?? 'nil'}) of DaemonSet "${meta.name}" while processing; will retry until it is updated`,
        );
      }
      await this.#client.update<DaemonSet>(
        dsRef,
        { ...fresh, status: { ...fresh.status, collisionCount: (seen ?? 0) + 1 } },
        { subresource: 'status' },
      );
      throw error;
    }
  }

  /**
   * Upstream's dedupCurHistories: of several revisions holding the current template, the newest stays;
   * pods labelled with the others' hashes are relabelled first, then the others go.
   */
  async #dedupCurrent(
    daemonSet: DaemonSet,
    selector: Selector,
    currents: readonly ControllerRevision[],
  ): Promise<ControllerRevision> {
    if (currents.length === 1) return currents[0]!;
    let keep = currents[0]!;
    for (const revision of currents) if ((revision.revision ?? 0) >= (keep.revision ?? 0)) keep = revision;
    const keepHash = keep.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '';
    const namespace = daemonSet.metadata?.namespace;
    for (const pods of (await this.#nodeToDaemonPods(daemonSet, selector, true)).values()) {
      for (const pod of pods) {
        if (pod.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL] === keepHash) continue;
        await this.#client.patch(this.#podRef(namespace), pod.metadata?.name ?? '', 'merge', {
          metadata: { labels: { [CONTROLLER_REVISION_HASH_LABEL]: keepHash } },
        });
      }
    }
    for (const revision of currents) {
      if (revision.metadata?.name === keep.metadata?.name) continue;
      await this.#client.delete(this.#revisionRef(namespace), revision.metadata?.name ?? '');
    }
    return keep;
  }

  /** Upstream's cleanupHistory: old revisions beyond revisionHistoryLimit go, oldest first, unless a pod runs them. */
  async #cleanupHistory(
    daemonSet: DaemonSet,
    selector: Selector,
    old: readonly ControllerRevision[],
  ): Promise<void> {
    const toKill = old.length - (daemonSet.spec?.revisionHistoryLimit ?? 10);
    if (toKill <= 0) return;
    const liveHashes = new Set<string>();
    for (const pods of (await this.#nodeToDaemonPods(daemonSet, selector, true)).values()) {
      for (const pod of pods) {
        const hash = pod.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL];
        if (hash) liveHashes.add(hash);
      }
    }
    let remaining = toKill;
    for (const revision of [...old].sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0))) {
      if (remaining <= 0) break;
      if (liveHashes.has(revision.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '')) continue;
      try {
        await this.#client.delete(
          this.#revisionRef(daemonSet.metadata?.namespace),
          revision.metadata?.name ?? '',
        );
      } catch (error) {
        throw new Error(`failed to clean up revisions of DaemonSet: ${messageOf(error)}`, { cause: error });
      }
      remaining--;
    }
  }

  // ---- status ----

  /** Upstream's updateDaemonSetStatus: counts per node, from the oldest pod on each. */
  async #updateStatus(
    daemonSet: DaemonSet,
    selector: Selector,
    nodes: readonly Node[],
    eligibility: (node: Node) => Eligibility,
    hash: string,
    updateObservedGeneration: boolean,
    sync: SyncState,
  ): Promise<void> {
    const nodeToDaemonPods = await this.#nodeToDaemonPods(daemonSet, selector, false);
    const minReadySeconds = daemonSet.spec?.minReadySeconds ?? 0;
    const generation = templateGeneration(daemonSet);
    const now = this.#clock.now();
    const counts = {
      desiredNumberScheduled: 0,
      currentNumberScheduled: 0,
      numberMisscheduled: 0,
      numberReady: 0,
      updatedNumberScheduled: 0,
      numberAvailable: 0,
      numberUnavailable: 0,
    };
    for (const node of nodes) {
      const pods = nodeToDaemonPods.get(node.metadata?.name ?? '') ?? [];
      if (!eligibility(node).shouldRun) {
        if (pods.length > 0) counts.numberMisscheduled++;
        continue;
      }
      counts.desiredNumberScheduled++;
      if (pods.length === 0) continue;
      counts.currentNumberScheduled++;
      const pod = [...pods].sort(byScheduledThenCreation)[0]!;
      if (isPodReady(pod)) {
        counts.numberReady++;
        if (isPodAvailable(pod, minReadySeconds, now)) counts.numberAvailable++;
      }
      if (isPodUpdated(pod, hash, generation)) counts.updatedNumberScheduled++;
    }
    counts.numberUnavailable = counts.desiredNumberScheduled - counts.numberAvailable;
    await this.#storeStatus(daemonSet, counts, updateObservedGeneration);
    // A last line of defence against a missed pod event: look again once minReadySeconds has passed.
    if (minReadySeconds > 0 && counts.numberReady !== counts.numberAvailable) {
      requeueAfter(sync, minReadySeconds * 1000);
    }
  }

  /** Upstream's storeDaemonSetStatus: nothing when nothing changed, else a status PUT, retried once. */
  async #storeStatus(
    daemonSet: DaemonSet,
    counts: StatusCounts,
    updateObservedGeneration: boolean,
  ): Promise<void> {
    const status = daemonSet.status ?? {};
    const generation = daemonSet.metadata?.generation ?? 0;
    const unchanged = (Object.keys(counts) as (keyof StatusCounts)[]).every(
      (field) => (status[field] ?? 0) === counts[field],
    );
    if (unchanged && (status.observedGeneration ?? 0) >= generation) return;
    const meta = daemonSet.metadata ?? {};
    const ref = this.#daemonSetRef(meta.namespace);
    let current: DaemonSet = daemonSet;
    for (let attempt = 0; ; attempt++) {
      const observedGeneration = updateObservedGeneration ? generation : current.status?.observedGeneration;
      try {
        await this.#client.update<DaemonSet>(
          ref,
          { ...structuredClone(current), status: withCounts(current.status, counts, observedGeneration) },
          { subresource: 'status' },
        );
        return;
      } catch (error) {
        if (attempt >= STATUS_UPDATE_RETRIES) {
          throw new Error(
            `error storing status for daemon set ${objectKey(daemonSet)}: ${messageOf(error)}`,
            {
              cause: error,
            },
          );
        }
        // Most likely a conflict with a stale cache (someone else set a condition): once more, on the latest.
        current = await this.#client.get<DaemonSet>(ref, meta.name ?? '');
      }
    }
  }

  /** Events are about the DaemonSet; the reference is built from the kind, as list items carry none. */
  #recordEvent(daemonSet: DaemonSet, type: EventType, reason: string, message: string): void {
    const meta = daemonSet.metadata ?? {};
    this.#events.event(
      {
        ...daemonSetKind,
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

  #daemonSetRef(namespace: string | undefined): ResourceRef {
    return refFor(daemonSetKind, namespace);
  }

  #revisionRef(namespace: string | undefined): ResourceRef {
    return refFor('ControllerRevision', namespace);
  }

  #podRef(namespace: string | undefined): ResourceRef {
    return refFor('Pod', namespace);
  }
}

/** kube-controller-manager's DaemonSet controller. */
export const daemonSetController: ControllerFactory = (context) => new DaemonSetController({ context });

// ---------------------------------------------------------------------------------------------------
// Helpers

interface StatusCounts {
  desiredNumberScheduled: number;
  currentNumberScheduled: number;
  numberMisscheduled: number;
  numberReady: number;
  updatedNumberScheduled: number;
  numberAvailable: number;
  numberUnavailable: number;
}

/**
 * The status with new counts, in the field order and with the omitted zeros of upstream's JSON (the
 * first four are always written); conditions, collisionCount and anything else are carried over.
 */
function withCounts(
  status: DaemonSetStatus | undefined,
  counts: StatusCounts,
  observedGeneration: number | undefined,
): DaemonSetStatus {
  const {
    currentNumberScheduled: _current,
    numberMisscheduled: _misscheduled,
    desiredNumberScheduled: _desired,
    numberReady: _ready,
    observedGeneration: _observed,
    updatedNumberScheduled: _updated,
    numberAvailable: _available,
    numberUnavailable: _unavailable,
    collisionCount,
    conditions,
    ...rest
  } = status ?? {};
  return {
    currentNumberScheduled: counts.currentNumberScheduled,
    numberMisscheduled: counts.numberMisscheduled,
    desiredNumberScheduled: counts.desiredNumberScheduled,
    numberReady: counts.numberReady,
    ...(observedGeneration ? { observedGeneration } : {}),
    ...(counts.updatedNumberScheduled ? { updatedNumberScheduled: counts.updatedNumberScheduled } : {}),
    ...(counts.numberAvailable ? { numberAvailable: counts.numberAvailable } : {}),
    ...(counts.numberUnavailable ? { numberUnavailable: counts.numberUnavailable } : {}),
    ...(collisionCount !== undefined ? { collisionCount } : {}),
    ...(conditions !== undefined ? { conditions } : {}),
    ...rest,
  };
}

/** Upstream's podByCreationTimestampAndPhase (despite the name, no phase): scheduled first, then oldest, then by name. */
function byScheduledThenCreation(a: Pod, b: Pod): number {
  const scheduledA = Boolean(a.spec?.nodeName);
  const scheduledB = Boolean(b.spec?.nodeName);
  if (scheduledA !== scheduledB) return scheduledA ? -1 : 1;
  const createdA = timeOf(a.metadata?.creationTimestamp);
  const createdB = timeOf(b.metadata?.creationTimestamp);
  if (createdA !== createdB) return createdA - createdB;
  return compareStrings(a.metadata?.name, b.metadata?.name);
}

function compareStrings(a: string | undefined, b: string | undefined): number {
  const left = a ?? '';
  const right = b ?? '';
  return left < right ? -1 : left > right ? 1 : 0;
}

/**
 * Whether a node update is only a heartbeat (upstream's shouldIgnoreNodeUpdate): equal apart from
 * resourceVersion and conditions, with the same set of conditions True.
 */
function sameNodeApartFromHeartbeats(old: Node, node: Node): boolean {
  const trueConditions = (subject: Node) =>
    (subject.status?.conditions ?? [])
      .filter((condition) => condition.status === 'True')
      .map((condition) => condition.type)
      .sort();
  if (!isDeepStrictEqual(trueConditions(old), trueConditions(node))) return false;
  const comparable = (subject: Node) => ({
    ...subject,
    metadata: { ...subject.metadata, resourceVersion: undefined },
    status: { ...subject.status, conditions: undefined },
  });
  return isDeepStrictEqual(comparable(old), comparable(node));
}

function selectorOrUndefined(daemonSet: DaemonSet): Selector | undefined {
  try {
    return labelSelectorAsSelector(daemonSet.spec?.selector);
  } catch {
    return undefined;
  }
}

function requeueAfter(sync: SyncState, ms: number): void {
  sync.requeueAfterMs = sync.requeueAfterMs === undefined ? ms : Math.min(sync.requeueAfterMs, ms);
}

function result(sync: SyncState): ReconcileResult | undefined {
  return sync.requeueAfterMs === undefined ? undefined : { requeueAfterMs: sync.requeueAfterMs };
}
