/**
 * The disruption controller, as kube-controller-manager's (pkg/controller/disruption): it keeps each
 * PodDisruptionBudget's status, which the eviction subresource (apiserver/eviction.ts) consults before
 * it deletes a pod.
 *
 *   pods        the namespace's pods the selector matches (no selector: none; `{}`: all)
 *   expected    minAvailable as an int: the number of pods; otherwise (a percentage, or maxUnavailable)
 *               the sum of the scales of the pods' controllers — a Deployment through its ReplicaSet,
 *               a ReplicaSet, ReplicationController or StatefulSet from its spec, anything else through
 *               its `/scale` subresource
 *   desired     minAvailable (a percentage of expected, rounded up), or expected − maxUnavailable
 *   healthy     Ready pods not being deleted and not in disruptedPods
 *   allowed     healthy − desired, but 0 when negative or when no pod is expected
 *
 *   minAvailable 50% over a Deployment of 3 with 3 ready pods: expected 3, desired 2, allowed 1
 *
 * disruptedPods are the evictions the API granted but whose deletions have not shown up yet; an entry
 * whose pod is not being deleted two minutes on is dropped (with a `NotDeleted` event), and the budget is
 * looked at again when the next one would be. A failure to compute (a pod without a known controller)
 * sets disruptionsAllowed 0 with the condition False/SyncFailed, so evictions stop rather than guess.
 */
import { isDeepStrictEqual } from 'node:util';
import { labelSelectorAsSelector, type Selector } from '../api/labels.js';
import type { KubeObject, OwnerReference } from '../api/resource.js';
import { isStatusError } from '../api/status.js';
import type { Clock } from '../client/clock.js';
import { EventRecorder } from '../client/event-recorder.js';
import { namespaceIndex, objectKey, splitKey } from '../client/indexed-store.js';
import type { Informer } from '../client/informer.js';
import { refFor } from '../client/refs.js';
import type { KubeClient } from '../client/types.js';
import type { WorkQueue } from '../client/work-queue.js';
import { scaledValue } from './deployment/util.js';
import {
  conditionsAreUpToDate,
  DISRUPTION_ALLOWED,
  type PodDisruptionBudget,
  type PodDisruptionBudgetStatus,
  SYNC_FAILED,
  setCondition,
  withDisruptionAllowedCondition,
} from './disruption/pdb.js';
import {
  type Controller,
  type ControllerContext,
  type ControllerFactory,
  QueueController,
  type ReconcileResult,
} from './framework.js';
import { controllerOf, eventKeyOf, isPodReady, messageOf, type Pod, timeOf } from './pods.js';

/** How long an eviction the API granted may take to show up as a deletion (upstream's DeletionTimeout). */
export const DELETION_TIMEOUT_MS = 2 * 60_000;

interface Scalable extends KubeObject {
  spec?: { replicas?: number; [field: string]: unknown };
}

/** A controller found for a pod: its uid (to count it once) and how many pods it wants. */
interface ControllerScale {
  readonly uid: string;
  readonly scale: number;
}

export interface DisruptionControllerOptions {
  readonly context: ControllerContext;
  readonly workers?: number;
}

export class DisruptionController implements Controller {
  readonly name = 'disruption-controller';
  readonly #client: KubeClient;
  readonly #clock: Clock;
  readonly #budgets: Informer<PodDisruptionBudget>;
  readonly #pods: Informer<Pod>;
  readonly #replicationControllers: Informer<Scalable>;
  readonly #replicaSets: Informer<Scalable>;
  readonly #deployments: Informer<Scalable>;
  readonly #statefulSets: Informer<Scalable>;
  readonly #queue: QueueController;
  readonly #events: EventRecorder;

  constructor(options: DisruptionControllerOptions) {
    const { context } = options;
    this.#client = context.client;
    this.#clock = context.clock;
    this.#events = new EventRecorder({
      client: context.client,
      component: 'controllermanager',
      clock: context.clock,
      onError: (error, event) => context.onError(this.name, eventKeyOf(event), error),
    });
    this.#queue = new QueueController({
      name: this.name,
      context,
      reconcile: (key) => this.reconcile(key),
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
    });
    this.#budgets = context.informers.informerFor<PodDisruptionBudget>(
      refFor({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' }),
    );
    this.#pods = context.informers.informerFor<Pod>(refFor('Pod'));
    this.#replicationControllers = context.informers.informerFor<Scalable>(refFor('ReplicationController'));
    this.#replicaSets = context.informers.informerFor<Scalable>(refFor('ReplicaSet'));
    this.#deployments = context.informers.informerFor<Scalable>(refFor('Deployment'));
    this.#statefulSets = context.informers.informerFor<Scalable>(refFor('StatefulSet'));
    const enqueueBudget = (budget: PodDisruptionBudget) => this.#queue.enqueue(objectKey(budget));
    this.#budgets.addEventHandler({
      onAdd: enqueueBudget,
      onUpdate: (_old, budget) => enqueueBudget(budget),
    });
    const podChanged = (pod: Pod) => {
      for (const budget of this.#budgetsSelecting(pod)) enqueueBudget(budget);
    };
    this.#pods.addEventHandler({
      onAdd: podChanged,
      onUpdate: (old, pod) => {
        // New labels: the budgets that selected the pod before must count it out.
        if (!isDeepStrictEqual(old.metadata?.labels, pod.metadata?.labels)) podChanged(old);
        podChanged(pod);
      },
      onDelete: podChanged,
    });
  }

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

  #budgetsSelecting(pod: Pod): PodDisruptionBudget[] {
    const namespace = pod.metadata?.namespace ?? '';
    return this.#budgets.store.byIndex(namespaceIndex, namespace).filter((budget) => {
      const selector = selectorOf(budget);
      return selector?.matches(pod.metadata?.labels) === true;
    });
  }

  /** One budget's status, from the caches; see the module comment. */
  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const { namespace, name } = splitKey(key);
    const budget = this.#budgets.store.getByName(namespace, name);
    if (!budget) return undefined;
    try {
      return await this.#sync(budget);
    } catch (error) {
      // A conflict is only a stale cache: retry. Anything else stops evictions until it is fixed.
      if (isStatusError(error, 'Conflict')) throw error;
      await this.#failSafe(budget, error);
      return undefined;
    }
  }

  async #sync(budget: PodDisruptionBudget): Promise<ReconcileResult | undefined> {
    let selector: Selector;
    try {
      selector = labelSelectorAsSelector(
        budget.spec?.selector as Parameters<typeof labelSelectorAsSelector>[0],
      );
    } catch (error) {
      this.#events.event(budget, 'Warning', 'NoPods', `Failed to get pods: ${messageOf(error)}`);
      throw error;
    }
    const pods = this.#pods.store
      .byIndex(namespaceIndex, budget.metadata?.namespace ?? '')
      .filter((pod) => selector.matches(pod.metadata?.labels));
    if (pods.length === 0) this.#events.event(budget, 'Normal', 'NoPods', 'No matching pods found');

    let expected: number;
    let desired: number;
    try {
      ({ expected, desired } = await this.#expectedPods(budget, pods));
    } catch (error) {
      this.#events.event(
        budget,
        'Warning',
        'CalculateExpectedPodCountFailed',
        `Failed to calculate the number of expected pods: ${messageOf(error)}`,
      );
      throw error;
    }

    const now = this.#clock.now();
    const { disruptedPods, recheckAt } = this.#disruptedPods(budget, pods, now);
    const healthy = pods.filter(
      (pod) =>
        !pod.metadata?.deletionTimestamp &&
        !(pod.metadata?.name !== undefined && pod.metadata.name in disruptedPods) &&
        isPodReady(pod),
    ).length;
    await this.#updateStatus(
      budget,
      { currentHealthy: healthy, desiredHealthy: desired, expectedPods: expected, disruptedPods },
      now,
    );
    return recheckAt === undefined ? undefined : { requeueAfterMs: Math.max(1, recheckAt - now) };
  }

  /** Upstream's getExpectedPodCount: how many pods there should be, and how many must stay healthy. */
  async #expectedPods(
    budget: PodDisruptionBudget,
    pods: readonly Pod[],
  ): Promise<{ expected: number; desired: number }> {
    const { minAvailable, maxUnavailable } = budget.spec ?? {};
    if (maxUnavailable !== undefined && maxUnavailable !== null) {
      const expected = await this.#expectedScale(budget, pods);
      return { expected, desired: Math.max(0, expected - scaledValue(maxUnavailable, expected, true)) };
    }
    if (typeof minAvailable === 'number') return { expected: pods.length, desired: minAvailable };
    if (typeof minAvailable === 'string') {
      const expected = await this.#expectedScale(budget, pods);
      return { expected, desired: scaledValue(minAvailable, expected, true) };
    }
    return { expected: 0, desired: 0 };
  }

  /**
   * The sum of the scales of the pods' controllers, each counted once. Pods with no controller are
   * left out, with an `UnmanagedPods` warning: their budget cannot be computed as a percentage.
   */
  async #expectedScale(budget: PodDisruptionBudget, pods: readonly Pod[]): Promise<number> {
    const scales = new Map<string, number>();
    const unmanaged: string[] = [];
    for (const pod of pods) {
      const owner = controllerOf(pod);
      if (!owner) {
        unmanaged.push(pod.metadata?.name ?? '');
        continue;
      }
      if (scales.has(owner.uid)) continue;
      const found = await this.#controllerScale(owner, pod.metadata?.namespace ?? '');
      if (!found) throw new Error(`found no controllers for pod "${pod.metadata?.name ?? ''}"`);
      scales.set(found.uid, found.scale);
    }
    if (unmanaged.length > 0) {
      this.#events.event(
        budget,
        'Warning',
        'UnmanagedPods',
        `Pods selected by this PodDisruptionBudget (selector: ${formatSelector(budget.spec?.selector)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`,
      );
    }
    let total = 0;
    for (const scale of scales.values()) total += scale;
    return total;
  }

  /** Upstream's finders, in order: ReplicationController, Deployment (via ReplicaSet), ReplicaSet, StatefulSet, `/scale`. */
  async #controllerScale(owner: OwnerReference, namespace: string): Promise<ControllerScale | undefined> {
    const cached = (
      informer: Informer<Scalable>,
      apiVersion: string,
      kind: string,
      reference: OwnerReference,
    ) => {
      if (reference.kind !== kind || groupOf(reference.apiVersion) !== groupOf(apiVersion)) return undefined;
      const object = informer.store.getByName(namespace, reference.name);
      return object?.metadata?.uid === reference.uid ? object : undefined;
    };
    const scaleOf = (object: Scalable) => ({
      uid: object.metadata?.uid ?? '',
      scale: object.spec?.replicas ?? 1,
    });

    const controller = cached(this.#replicationControllers, 'v1', 'ReplicationController', owner);
    if (controller) return scaleOf(controller);
    const set = cached(this.#replicaSets, 'apps/v1', 'ReplicaSet', owner);
    if (set) {
      const setOwner = controllerOf(set);
      if (setOwner?.kind === 'Deployment') {
        const deployment = cached(this.#deployments, 'apps/v1', 'Deployment', setOwner);
        // A set whose Deployment is gone counts for nothing, as upstream's finders leave it.
        return deployment ? scaleOf(deployment) : undefined;
      }
      return scaleOf(set);
    }
    const statefulSet = cached(this.#statefulSets, 'apps/v1', 'StatefulSet', owner);
    if (statefulSet) return scaleOf(statefulSet);
    return this.#scaleSubresource(owner, namespace);
  }

  /** Any other controller, through its `/scale` subresource; a 404 (or another uid) is no controller. */
  async #scaleSubresource(owner: OwnerReference, namespace: string): Promise<ControllerScale | undefined> {
    let ref: ReturnType<typeof refFor>;
    try {
      ref = refFor({ apiVersion: owner.apiVersion, kind: owner.kind }, namespace);
    } catch {
      // What a RESTMapper answers for a kind the server does not serve.
      throw new Error(`no matches for kind "${owner.kind}" in version "${owner.apiVersion}"`);
    }
    try {
      const scale = await this.#client.get<KubeObject & { spec?: { replicas?: number } }>(ref, owner.name, {
        subresource: 'scale',
      });
      if (scale.metadata?.uid !== owner.uid) return undefined;
      return { uid: owner.uid, scale: scale.spec?.replicas ?? 0 };
    } catch (error) {
      if (isStatusError(error, 'NotFound')) return undefined;
      throw error;
    }
  }

  /**
   * Upstream's buildDisruptedPodMap: the entries still waiting for their pod's deletion, and when the
   * first of them will have waited too long.
   */
  #disruptedPods(
    budget: PodDisruptionBudget,
    pods: readonly Pod[],
    now: number,
  ): { disruptedPods: Record<string, string>; recheckAt: number | undefined } {
    const recorded = budget.status?.disruptedPods ?? {};
    const disruptedPods: Record<string, string> = {};
    let recheckAt: number | undefined;
    for (const pod of pods) {
      const name = pod.metadata?.name ?? '';
      if (pod.metadata?.deletionTimestamp || !(name in recorded)) continue;
      const expiry = timeOf(recorded[name]) + DELETION_TIMEOUT_MS;
      if (expiry < now) {
        this.#events.event(
          pod,
          'Warning',
          'NotDeleted',
          `Pod was expected by PDB ${budget.metadata?.namespace}/${budget.metadata?.name} to be deleted but it wasn't`,
        );
        continue;
      }
      disruptedPods[name] = recorded[name]!;
      recheckAt = recheckAt === undefined ? expiry : Math.min(recheckAt, expiry);
    }
    return { disruptedPods, recheckAt };
  }

  async #updateStatus(
    budget: PodDisruptionBudget,
    counts: {
      currentHealthy: number;
      desiredHealthy: number;
      expectedPods: number;
      disruptedPods: Record<string, string>;
    },
    now: number,
  ): Promise<void> {
    // A budget matching no pods yet must not allow disruptions its first pods cannot afford.
    const allowed = counts.currentHealthy - counts.desiredHealthy;
    const disruptionsAllowed = counts.expectedPods <= 0 || allowed <= 0 ? 0 : allowed;
    const current = budget.status ?? {};
    const generation = budget.metadata?.generation ?? 0;
    if (
      (current.currentHealthy ?? 0) === counts.currentHealthy &&
      (current.desiredHealthy ?? 0) === counts.desiredHealthy &&
      (current.expectedPods ?? 0) === counts.expectedPods &&
      (current.disruptionsAllowed ?? 0) === disruptionsAllowed &&
      isDeepStrictEqual(current.disruptedPods ?? {}, counts.disruptedPods) &&
      (current.observedGeneration ?? 0) === generation &&
      conditionsAreUpToDate(current)
    ) {
      return;
    }
    const status: PodDisruptionBudgetStatus = withDisruptionAllowedCondition(
      {
        ...(generation ? { observedGeneration: generation } : {}),
        ...(Object.keys(counts.disruptedPods).length > 0 ? { disruptedPods: counts.disruptedPods } : {}),
        disruptionsAllowed,
        currentHealthy: counts.currentHealthy,
        desiredHealthy: counts.desiredHealthy,
        expectedPods: counts.expectedPods,
        ...(current.conditions ? { conditions: current.conditions } : {}),
      },
      now,
    );
    await this.#client.update(
      refFor({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' }, budget.metadata?.namespace),
      { ...budget, status },
      { subresource: 'status' },
    );
  }

  /** Upstream's failSafe: no disruptions, and the condition says why. */
  async #failSafe(budget: PodDisruptionBudget, error: unknown): Promise<void> {
    const current = budget.status ?? {};
    // The counts are no omitempty fields upstream: a budget never synced still shows them, as 0.
    const status: PodDisruptionBudgetStatus = {
      ...current,
      disruptionsAllowed: 0,
      currentHealthy: current.currentHealthy ?? 0,
      desiredHealthy: current.desiredHealthy ?? 0,
      expectedPods: current.expectedPods ?? 0,
      conditions: setCondition(
        current.conditions,
        {
          type: DISRUPTION_ALLOWED,
          status: 'False',
          ...(current.observedGeneration ? { observedGeneration: current.observedGeneration } : {}),
          reason: SYNC_FAILED,
          message: messageOf(error),
        },
        this.#clock.now(),
      ),
    };
    if (isDeepStrictEqual(status, current)) return;
    await this.#client.update(
      refFor({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' }, budget.metadata?.namespace),
      { ...budget, status },
      { subresource: 'status' },
    );
  }
}

function selectorOf(budget: PodDisruptionBudget): Selector | undefined {
  try {
    return labelSelectorAsSelector(budget.spec?.selector as Parameters<typeof labelSelectorAsSelector>[0]);
  } catch {
    return undefined;
  }
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** A selector as upstream's %v prints a *metav1.LabelSelector, near enough for an event message. */
function formatSelector(selector: unknown): string {
  return JSON.stringify(selector ?? null);
}

/** kube-controller-manager's disruption-controller. */
export const disruptionController: ControllerFactory = (context) => new DisruptionController({ context });
