/**
 * The namespace controller (kube-controller-manager's `namespace` controller and its
 * namespacedResourcesDeleter): empties a namespace that is being deleted, then releases it.
 *
 * Deleting a namespace only marks it: the API sets metadata.deletionTimestamp and status.phase
 * Terminating and keeps it while spec.finalizers holds `kubernetes`. For such a namespace, `reconcile`
 *
 *   1. reads the namespace afresh (the cache may lag) and sets status.phase Terminating if it is not yet;
 *   2. deletes the namespace's pods, and while any remain, goes no further (OrderedNamespaceDeletion, on
 *      by default in Kubernetes 1.33: a pod must not outlive the secrets, configmaps and policies it uses);
 *   3. deletes everything else in it, resource by resource: one `deletecollection` each (or one delete
 *      per object where a resource has no deletecollection), with propagationPolicy Background, so the
 *      garbage collector's orphan finalizer is never added;
 *   4. records how that went in status.conditions, upstream's five condition types, each True while its
 *      trouble lasts and False ("All content successfully removed"…) once it is over;
 *   5. when nothing remains, removes `kubernetes` from spec.finalizers through the `finalize`
 *      subresource, which is what makes the API delete the namespace (once no other finalizer holds it).
 *
 * While content remains (pods in their grace period, objects held by finalizers) it asks to be looked at
 * again: upstream waits estimate/2 + 1 seconds, the estimate being the longest grace period of the
 * namespace's live pods (15 s when only finalizers hold objects); here that wait is capped (5 s by
 * default) so a namespace goes soon after its last object.
 *
 * Worked example: namespace `shop` is deleted holding configmap `settings` and a pod `web` bound to a node
 * (terminationGracePeriodSeconds 30). Reconcile 1: deletecollection pods (the API marks `web`, which waits
 * for its kubelet), `web` is still listed → status.conditions say "Some resources are remaining: pods.
 * has 1 resource instances", requeue after min(30/2 + 1, 5) s. The kubelet confirms, `web` goes.
 * Reconcile 2: no pods; deletecollection configmaps; nothing remains → conditions all False; finalize with
 * spec.finalizers [] → the API deletes `shop`.
 *
 * Reads of namespace content go to the API, not to informers, as upstream's do: the controller would
 * otherwise have to cache every object of every namespaced resource. Only the namespaces are cached.
 */
import { storageResourceOf } from '../api/conversion/index.js';
import { allVerbs, type KubeObject, type ResourceDefinition } from '../api/resource.js';
import { resources as servedResources } from '../api/resources/index.js';
import { isStatusError } from '../api/status.js';
import type { Informer } from '../client/informer.js';
import { refFor } from '../client/refs.js';
import type { ResourceRef } from '../client/types.js';
import {
  type Controller,
  type ControllerContext,
  type ControllerFactory,
  QueueController,
  type ReconcileResult,
} from './framework.js';
import { messageOf } from './pods.js';

/** The token this controller owns in a namespace's spec.finalizers (upstream's FinalizerKubernetes). */
export const kubernetesFinalizer = 'kubernetes';

export interface NamespaceControllerOptions {
  /**
   * How long after a namespace event to wait before acting. Upstream waits 5 s so that API servers with
   * their own admission caches stop admitting new content first. Skiff's lifecycle admission reads the
   * store itself, so only a create already past admission can land late; 1 s covers that.
   */
  readonly deletionGracePeriodMs?: number;
  /** The longest wait before looking again at a namespace whose content is still going. Default 5 s. */
  readonly maxRequeueMs?: number;
  /** Namespaces processed at once (upstream's --concurrent-namespace-syncs). Default 10. */
  readonly workers?: number;
  /** The resources Skiff serves; what is emptied is derived from them (tests may narrow it). */
  readonly resources?: readonly ResourceDefinition[];
}

/** The five condition types upstream's deleter maintains, in the order it adds them. */
export const namespaceConditionTypes = [
  'NamespaceDeletionDiscoveryFailure',
  'NamespaceDeletionGroupVersionParsingFailure',
  'NamespaceDeletionContentFailure',
  'NamespaceContentRemaining',
  'NamespaceFinalizersRemaining',
] as const;

type NamespaceConditionType = (typeof namespaceConditionTypes)[number];

export interface NamespaceCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

interface Namespace extends KubeObject {
  spec?: { finalizers?: string[] };
  status?: { phase?: string; conditions?: NamespaceCondition[] };
}

/** What a condition says when its trouble is over (upstream's okReasons and okMessages). */
const settled: Readonly<Record<NamespaceConditionType, { reason: string; message: string }>> = {
  NamespaceDeletionDiscoveryFailure: {
    reason: 'ResourcesDiscovered',
    message: 'All resources successfully discovered',
  },
  NamespaceDeletionGroupVersionParsingFailure: {
    reason: 'ParsedGroupVersions',
    message: 'All legacy kube types successfully parsed',
  },
  NamespaceDeletionContentFailure: {
    reason: 'ContentDeleted',
    message: 'All content successfully deleted, may be waiting on finalization',
  },
  NamespaceContentRemaining: { reason: 'ContentRemoved', message: 'All content successfully removed' },
  NamespaceFinalizersRemaining: {
    reason: 'ContentHasNoFinalizers',
    message: 'All content-preserving finalizers finished',
  },
};

/** Upstream's estimate when objects are held only by finalizers (the garbage collector's, typically). */
const finalizerEstimateSeconds = 15;

/**
 * The resources a namespace is emptied of: every namespaced resource that can be deleted (`delete` or
 * `deletecollection`), once per stored resource — the first, preferred version of each; a resource
 * kept in another's storage (events.k8s.io Events in core's, autoscaling/v1 HPAs in v2's) is skipped.
 * Pods come first, as ordered deletion handles them first.
 */
export function namespacedContentResources(
  resources: readonly ResourceDefinition[] = servedResources,
): ResourceDefinition[] {
  const seen = new Set<string>();
  const chosen: ResourceDefinition[] = [];
  for (const resource of resources) {
    const verbs = resource.verbs ?? allVerbs;
    if (!resource.namespaced || !(verbs.includes('delete') || verbs.includes('deletecollection'))) continue;
    const storage = storageResourceOf(resource.group, resource.plural);
    if (seen.has(storage)) continue;
    seen.add(storage);
    chosen.push(resource);
  }
  return chosen.sort((a, b) => Number(isPods(b)) - Number(isPods(a)));
}

function isPods(resource: Pick<ResourceDefinition, 'group' | 'plural'>): boolean {
  return resource.group === '' && resource.plural === 'pods';
}

/** How one resource's deletion went. */
interface ResourceOutcome {
  /** Seconds before what remains should be gone; 0: no estimate (which does not mean empty). */
  readonly estimateSeconds: number;
  readonly remaining: number;
  readonly finalizers: ReadonlyMap<string, number>;
  readonly error?: unknown;
}

export class NamespaceController implements Controller {
  readonly name = 'namespace-controller';
  readonly #context: ControllerContext;
  readonly #worker: QueueController;
  readonly #namespaces: Informer<Namespace>;
  readonly #content: readonly ResourceDefinition[];
  readonly #maxRequeueMs: number;
  /** Resources whose deletecollection the server refused as unsupported: deleted one by one from then on. */
  readonly #noDeleteCollection = new Set<string>();

  constructor(context: ControllerContext, options: NamespaceControllerOptions = {}) {
    const deletionGracePeriodMs = options.deletionGracePeriodMs ?? 1000;
    this.#maxRequeueMs = options.maxRequeueMs ?? 5000;
    if (deletionGracePeriodMs < 0 || this.#maxRequeueMs < 0) {
      throw new RangeError('deletionGracePeriodMs and maxRequeueMs must not be negative');
    }
    this.#context = context;
    this.#content = namespacedContentResources(options.resources);
    this.#worker = new QueueController({
      name: this.name,
      context,
      reconcile: (key) => this.reconcile(key),
      workers: options.workers ?? 10,
    });
    this.#namespaces = context.informers.informerFor<Namespace>(refFor('Namespace'));
    const enqueue = (namespace: Namespace) => {
      // Only a namespace being deleted has anything for this controller to do.
      if (!namespace.metadata?.deletionTimestamp || !namespace.metadata.name) return;
      this.#worker.queue.addAfter(namespace.metadata.name, deletionGracePeriodMs);
    };
    this.#namespaces.addEventHandler({
      onAdd: enqueue,
      onUpdate: (_old, namespace) => enqueue(namespace),
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.#worker.run(signal);
  }

  /** Empties and releases namespace `key` (a name) if it is being deleted. */
  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    if (!this.#namespaces.store.getByName(undefined, key)) return undefined;
    const { client } = this.#context;
    let namespace: Namespace;
    try {
      namespace = await client.get<Namespace>(refFor('Namespace'), key);
    } catch (error) {
      if (isStatusError(error, 'NotFound')) return undefined;
      throw error;
    }
    if (!namespace.metadata?.deletionTimestamp) return undefined;

    try {
      namespace = await this.#retryOnConflict(namespace, (latest) => this.#markTerminating(latest));
    } catch (error) {
      if (isStatusError(error, 'NotFound')) return undefined;
      throw error;
    }
    if ((namespace.spec?.finalizers ?? []).length === 0) return undefined;

    const { estimateSeconds, namespace: updated } = await this.#deleteAllContent(namespace);
    namespace = updated;
    if (estimateSeconds > 0) {
      return { requeueAfterMs: Math.min((Math.floor(estimateSeconds / 2) + 1) * 1000, this.#maxRequeueMs) };
    }

    if (!(namespace.spec?.finalizers ?? []).includes(kubernetesFinalizer)) return undefined;
    try {
      await this.#retryOnConflict(namespace, (latest) => this.#finalize(latest));
    } catch (error) {
      // Another controller sharing the token finished first: the namespace is gone, as wanted.
      if (!isStatusError(error, 'NotFound')) throw error;
    }
    return undefined;
  }

  /** Upstream's updateNamespaceStatusFunc: the API sets the phase itself, so this is rarely a write. */
  async #markTerminating(namespace: Namespace): Promise<Namespace> {
    if (namespace.status?.phase === 'Terminating') return namespace;
    const next = structuredClone(namespace);
    next.status = { ...next.status, phase: 'Terminating' };
    return this.#context.client.update<Namespace>(refFor('Namespace'), next, { subresource: 'status' });
  }

  /** Removes this controller's token; the rest stay, deduplicated and sorted as upstream leaves them. */
  async #finalize(namespace: Namespace): Promise<Namespace> {
    const next = structuredClone(namespace);
    const others = new Set((next.spec?.finalizers ?? []).filter((token) => token !== kubernetesFinalizer));
    next.spec = { ...next.spec, finalizers: [...others].sort() };
    return this.#context.client.update<Namespace>(refFor('Namespace'), next, { subresource: 'finalize' });
  }

  /**
   * Runs `write` on the namespace, and on a 409 Conflict reads it again and retries — unless it is no
   * longer the same namespace (deleted and created anew under the same name).
   */
  async #retryOnConflict(
    namespace: Namespace,
    write: (latest: Namespace) => Promise<Namespace>,
  ): Promise<Namespace> {
    let latest = namespace;
    for (let attempt = 1; ; attempt++) {
      try {
        return await write(latest);
      } catch (error) {
        if (!isStatusError(error, 'Conflict') || attempt >= 5) throw error;
      }
      const previous = latest;
      latest = await this.#context.client.get<Namespace>(refFor('Namespace'), previous.metadata!.name!);
      if (latest.metadata?.uid !== previous.metadata?.uid) {
        throw new Error(`namespace ${previous.metadata?.name} uid has changed across retries`);
      }
    }
  }

  /**
   * Deletes what the namespace holds and records the outcome in its conditions. Resolves with the
   * estimate (0 once nothing remains) and the namespace as last written; rejects, after recording the
   * conditions, when a resource could not be emptied.
   */
  async #deleteAllContent(namespace: Namespace): Promise<{ estimateSeconds: number; namespace: Namespace }> {
    const name = namespace.metadata!.name!;
    const deletedAt = Date.parse(namespace.metadata!.deletionTimestamp!);
    const errors: unknown[] = [];
    const remainingByResource = new Map<string, number>();
    const remainingByFinalizer = new Map<string, number>();
    let estimateSeconds = 0;
    const tally = (resource: ResourceDefinition, outcome: ResourceOutcome) => {
      if (outcome.error !== undefined) errors.push(outcome.error);
      estimateSeconds = Math.max(estimateSeconds, outcome.estimateSeconds);
      if (outcome.remaining === 0) return;
      remainingByResource.set(`${resource.plural}.${resource.group}`, outcome.remaining);
      for (const [finalizer, count] of outcome.finalizers) {
        remainingByFinalizer.set(finalizer, (remainingByFinalizer.get(finalizer) ?? 0) + count);
      }
    };

    const [first, ...rest] = this.#content;
    const ordered = first !== undefined && isPods(first);
    if (ordered) tally(first, await this.#deleteResource(first, name, deletedAt));
    // While pods remain, nothing else goes. (Upstream then reports no totals at all, so its conditions
    // claim "All content successfully removed" while pods remain; here they name the pods.)
    if (!ordered || remainingByResource.size === 0) {
      for (const resource of ordered ? rest : this.#content) {
        tally(resource, await this.#deleteResource(resource, name, deletedAt));
      }
    }

    const conditions = new Map<NamespaceConditionType, NamespaceCondition>();
    const now = this.#now();
    const trouble = (type: NamespaceConditionType, reason: string, message: string) =>
      conditions.set(type, { type, status: 'True', lastTransitionTime: now, reason, message });
    if (errors.length > 0) {
      const messages = errors.map(messageOf).sort();
      trouble(
        'NamespaceDeletionContentFailure',
        'ContentDeletionFailed',
        `Failed to delete all resource types, ${errors.length} remaining: ${messages.join(', ')}`,
      );
    }
    if (remainingByResource.size > 0) {
      const lines = [...remainingByResource].map(
        ([resource, count]) => `${resource} has ${count} resource instances`,
      );
      trouble(
        'NamespaceContentRemaining',
        'SomeResourcesRemain',
        `Some resources are remaining: ${lines.sort().join(', ')}`,
      );
    }
    if (remainingByFinalizer.size > 0) {
      const lines = [...remainingByFinalizer].map(
        ([finalizer, count]) => `${finalizer} in ${count} resource instances`,
      );
      trouble(
        'NamespaceFinalizersRemaining',
        'SomeFinalizersRemain',
        `Some content in the namespace has finalizers remaining: ${lines.sort().join(', ')}`,
      );
    }

    let latest = namespace;
    const next = structuredClone(namespace);
    if (updateConditions(next, conditions, now)) {
      try {
        latest = await this.#context.client.update<Namespace>(refFor('Namespace'), next, {
          subresource: 'status',
        });
      } catch (error) {
        // As upstream: the conditions are informative; failing to write them does not stop the deletion.
        this.#context.onError(this.name, name, error);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `[${errors.map(messageOf).join(', ')}]`);
    return { estimateSeconds, namespace: latest };
  }

  /** Upstream's deleteAllContentForGroupVersionResource, listing first so an empty resource costs one read. */
  async #deleteResource(
    resource: ResourceDefinition,
    namespace: string,
    deletedAt: number,
  ): Promise<ResourceOutcome> {
    const none: ResourceOutcome = { estimateSeconds: 0, remaining: 0, finalizers: new Map() };
    const verbs = resource.verbs ?? allVerbs;
    const ref: ResourceRef = {
      group: resource.group,
      version: resource.version,
      resource: resource.plural,
      namespace,
    };
    let estimateSeconds = 0;
    try {
      let items = await this.#list(ref, verbs);
      if (items === undefined || items.length === 0) return none;
      if (isPods(resource)) estimateSeconds = this.#estimateForPods(items, deletedAt);
      // Objects already being deleted need no second delete: they wait on their own terms.
      if (items.some((item) => !item.metadata?.deletionTimestamp)) {
        await this.#deleteAll(ref, verbs, items);
        items = (await this.#list(ref, verbs)) ?? [];
      }
      if (items.length === 0) return none;
      const finalizers = new Map<string, number>();
      for (const item of items) {
        for (const finalizer of item.metadata?.finalizers ?? []) {
          finalizers.set(finalizer, (finalizers.get(finalizer) ?? 0) + 1);
        }
      }
      if (estimateSeconds > 0) return { estimateSeconds, remaining: items.length, finalizers };
      if (finalizers.size > 0) {
        return { estimateSeconds: finalizerEstimateSeconds, remaining: items.length, finalizers };
      }
      return {
        estimateSeconds,
        remaining: items.length,
        finalizers,
        error: new Error(
          `unexpected items still remain in namespace: ${namespace} for gvr: ${resource.group}/${resource.version}, Resource=${resource.plural}`,
        ),
      };
    } catch (error) {
      return { estimateSeconds, remaining: 0, finalizers: new Map(), error };
    }
  }

  /** The objects in `ref`, or undefined when the resource cannot be listed (then it is not checked). */
  async #list(ref: ResourceRef, verbs: readonly string[]): Promise<KubeObject[] | undefined> {
    if (!verbs.includes('list')) return undefined;
    try {
      return (await this.#context.client.list(ref)).items;
    } catch (error) {
      if (unsupported(error)) return undefined;
      throw error;
    }
  }

  async #deleteAll(ref: ResourceRef, verbs: readonly string[], items: readonly KubeObject[]): Promise<void> {
    const { client } = this.#context;
    const key = `${ref.group}/${ref.resource}`;
    if (verbs.includes('deletecollection') && !this.#noDeleteCollection.has(key)) {
      try {
        await client.deleteCollection(ref, { propagationPolicy: 'Background' });
        return;
      } catch (error) {
        if (!unsupported(error)) throw error;
        this.#noDeleteCollection.add(key);
      }
    }
    if (!verbs.includes('delete')) return;
    for (const item of items) {
      if (item.metadata?.deletionTimestamp) continue;
      try {
        await client.delete(ref, item.metadata!.name!, { propagationPolicy: 'Background' });
      } catch (error) {
        if (!isStatusError(error, 'NotFound') && !isStatusError(error, 'MethodNotAllowed')) throw error;
      }
    }
  }

  /**
   * Upstream's estimateGracefulTerminationForPods: the longest grace period of the pods that have not
   * finished, or 0 once the namespace has been terminating for longer than that.
   */
  #estimateForPods(pods: readonly KubeObject[], deletedAt: number): number {
    let estimate = 0;
    for (const pod of pods) {
      const phase = (pod.status as { phase?: string } | undefined)?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') continue;
      const grace = (pod.spec as { terminationGracePeriodSeconds?: number } | undefined)
        ?.terminationGracePeriodSeconds;
      if (grace !== undefined && grace > estimate) estimate = grace;
    }
    return this.#context.clock.now() - deletedAt >= estimate * 1000 ? 0 : estimate;
  }

  #now(): string {
    return `${new Date(this.#context.clock.now()).toISOString().slice(0, 19)}Z`;
  }
}

/**
 * Upstream's updateConditions: every managed type gets its new condition, or its settled form when its
 * trouble is over; a condition's lastTransitionTime moves only when its status does. Edits `namespace`;
 * returns whether anything changed.
 */
function updateConditions(
  namespace: Namespace,
  troubles: ReadonlyMap<NamespaceConditionType, NamespaceCondition>,
  now: string,
): boolean {
  const status = (namespace.status ??= {});
  const conditions = (status.conditions ??= []);
  let changed = false;
  for (const type of namespaceConditionTypes) {
    const wanted = troubles.get(type) ?? {
      type,
      status: 'False' as const,
      lastTransitionTime: now,
      ...settled[type],
    };
    const existing = conditions.find((condition) => condition.type === type);
    if (!existing) {
      conditions.push(wanted);
      changed = true;
    } else if (
      existing.status !== wanted.status ||
      existing.reason !== wanted.reason ||
      existing.message !== wanted.message
    ) {
      if (existing.status !== wanted.status) existing.lastTransitionTime = now;
      existing.status = wanted.status;
      existing.reason = wanted.reason;
      existing.message = wanted.message;
      changed = true;
    }
  }
  return changed;
}

/** What upstream treats as "this resource does not support that", rather than as a failure. */
function unsupported(error: unknown): boolean {
  return isStatusError(error, 'MethodNotAllowed') || isStatusError(error, 'NotFound');
}

/** The namespace controller with upstream's behaviour and Skiff's defaults. */
export const namespaceController: ControllerFactory = (context) => new NamespaceController(context);

/** A namespace controller with other options (tests, a manager that wants upstream's 5 s grace). */
export function makeNamespaceController(options: NamespaceControllerOptions): ControllerFactory {
  return (context) => new NamespaceController(context, options);
}
