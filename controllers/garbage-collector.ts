import { isDeepStrictEqual } from 'node:util';
import { conversionFor } from '../api/conversion/index.js';
import {
  groupVersion,
  type KubeObject,
  type OwnerReference,
  type ResourceDefinition,
} from '../api/resource.js';
import { resources as servedResources } from '../api/resources/index.js';
import { isStatusError } from '../api/status.js';
import type { Informer } from '../client/informer.js';
import { refFor } from '../client/refs.js';
import type { PropagationPolicy, ResourceRef } from '../client/types.js';
import {
  type Controller,
  type ControllerContext,
  type ControllerFactory,
  QueueController,
  type ReconcileResult,
  TerminalError,
} from './framework.js';
import { LruSet } from './garbage-collector/lru-set.js';
import {
  foregroundDeletionFinalizer,
  type GraphNode,
  hasFinalizer,
  isBeingDeleted,
  isDeletingDependents,
  isOrphaningDependents,
  namesNamespacedOwnerFromClusterScope,
  OwnershipGraph,
  orphanFinalizer,
  servedDefinition,
} from './garbage-collector/ownership-graph.js';

/**
 * The garbage collector, with Kubernetes' semantics (pkg/controller/garbagecollector): it deletes
 * objects whose owners are all gone, and carries out Foreground and Orphan deletions.
 *
 * It watches every resource that can own or be owned (below: `collectableResources`) and keeps an
 * ownership graph by uid (ownership-graph.ts). Unlike other controllers its handlers do more than
 * enqueue a key: they update that graph — synchronously, in event order, as upstream's single-threaded
 * GraphBuilder does — and then enqueue the uids the change concerns. Two kinds of key:
 *
 *   delete/<uid>   attemptToDelete: is this object garbage? Or, if it is being deleted in the
 *                  foreground, may its foregroundDeletion finalizer go?
 *   orphan/<uid>   attemptToOrphan: strip this owner's uid from its dependents' ownerReferences, then
 *                  remove its orphan finalizer.
 *
 * What wakes what (the graph is updated first):
 *
 *   a dependent appears naming an owner the cache cannot confirm,
 *   or one deleting in the foreground                             → delete/<dependent>
 *   an object is deleted                                          → delete/<each dependent>,
 *                                                                   delete/<each owner deleting in the foreground>
 *   a reference with blockOwnerDeletion is removed or unblocked   → delete/<that owner>
 *   an object is being deleted with foregroundDeletion            → delete/<each dependent>, delete/<it>
 *   an object is being deleted with orphan                        → orphan/<it>
 *
 * Safety, as upstream: nothing is deleted on the cache's word. Before an object is deleted (or loses a
 * reference), each owner the cache cannot vouch for is looked up live, by the name in the reference,
 * and counts as gone only when the API says NotFound or answers with another uid; the object itself is
 * read live and deleted with its uid and resourceVersion as preconditions. Deletions happen only after
 * every informer has synced, so an owner not listed yet is never taken for a missing one, and owner
 * and dependent may arrive in either order.
 *
 * Invalid references, as upstream: a namespaced owner can only be in its dependent's namespace, so a
 * reference to an object in another namespace is looked up in the dependent's own — where it is absent
 * — and the dependent is collected like any other whose owners are gone (with an
 * OwnerRefInvalidNamespace warning Event). A cluster-scoped object naming a namespaced kind is refused:
 * never collected (a TerminalError), and it blocks no foreground deletion.
 */

/**
 * Upstream's DefaultIgnoredResources: events, too many and too short-lived to be worth a watch. An
 * Event's ownerReferences are therefore never acted on, and an Event owns nothing the collector knows.
 */
const ignoredByDefault: readonly string[] = ['/events', 'events.k8s.io/events'];

/**
 * The resources the collector watches: those that can be listed, watched and deleted, one served version
 * per stored resource (the storage version: autoscaling/v2 HPAs, not also v1), less the ignored ones.
 */
export function collectableResources(
  resources: readonly ResourceDefinition[] = servedResources,
  ignored: readonly string[] = ignoredByDefault,
): ResourceDefinition[] {
  const needed = ['list', 'watch', 'delete'];
  return resources.filter((resource) => {
    if (ignored.includes(`${resource.group}/${resource.plural}`)) return false;
    if (!needed.every((verb) => resource.verbs?.includes(verb) ?? true)) return false;
    const conversion = conversionFor(resource.group, resource.plural);
    return !conversion || conversion.storageVersion === groupVersion(resource);
  });
}

export interface GarbageCollectorOptions {
  readonly context: ControllerContext;
  /** Keys processed at once. Default 8 (upstream's --concurrent-gc-syncs is 20). */
  readonly workers?: number;
  /** What to watch; default `collectableResources()`. */
  readonly resources?: readonly ResourceDefinition[];
  /** Owners confirmed absent, remembered so their other dependents need no lookup. Default 500, as upstream. */
  readonly absentOwnerCacheSize?: number;
}

/** How often a write that keeps meeting a newer version of its object is tried before the key is requeued. */
const MAX_CONFLICT_RETRIES = 5;
const EVENT_SOURCE = 'garbage-collector-controller';

type Classification = {
  /** Owners that exist and are not deleting in the foreground. */
  readonly solid: OwnerReference[];
  /** Owners that do not exist (NotFound, or another object with the name). */
  readonly dangling: OwnerReference[];
  /** Owners that exist and are being deleted in the foreground, waiting for dependents like this one. */
  readonly waiting: OwnerReference[];
};

export class GarbageCollector implements Controller {
  readonly name = 'garbage-collector';
  readonly graph = new OwnershipGraph();
  readonly #context: ControllerContext;
  readonly #controller: QueueController;
  readonly #informers: Informer[] = [];
  /** Owner coordinates (see `absentKey`) the API said are gone. uids are never reused, so they stay gone. */
  readonly #absentOwners: LruSet;
  /** `dependent uid/owner uid` pairs already reported with an OwnerRefInvalidNamespace event. */
  readonly #reportedInvalid = new LruSet(1000);

  constructor(options: GarbageCollectorOptions) {
    const { context } = options;
    if (options.workers !== undefined && (!Number.isInteger(options.workers) || options.workers < 1)) {
      throw new RangeError('workers must be a positive integer');
    }
    this.#context = context;
    this.#absentOwners = new LruSet(options.absentOwnerCacheSize ?? 500);
    this.#controller = new QueueController({
      name: this.name,
      context,
      workers: options.workers ?? 8,
      reconcile: (key) => this.reconcile(key),
    });
    for (const resource of options.resources ?? collectableResources()) {
      const informer = context.informers.informerFor({
        group: resource.group,
        version: resource.version,
        resource: resource.plural,
      });
      this.#informers.push(informer);
      informer.addEventHandler({
        onAdd: (object) => this.#observe(resource, undefined, object),
        onUpdate: (old, object) => this.#observe(resource, old, object),
        onDelete: (object) => this.#removed(object),
      });
    }
  }

  /** The work queue (tests look at what the handlers enqueued). */
  get queue() {
    return this.#controller.queue;
  }

  async run(signal: AbortSignal): Promise<void> {
    // The manager starts controllers after every informer synced; waiting here too keeps the rule — no
    // deletion on a partial picture — whoever runs this controller.
    const synced = await Promise.all(this.#informers.map((informer) => informer.waitForSync(signal)));
    if (!synced.every(Boolean)) return;
    await this.#controller.run(signal);
  }

  /** Processes one key: `delete/<uid>` or `orphan/<uid>`. */
  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    if (!this.#informers.every((informer) => informer.hasSynced())) return { requeueAfterMs: 100 };
    const slash = key.indexOf('/');
    const kind = key.slice(0, slash);
    const uid = key.slice(slash + 1);
    if (kind === 'delete') await this.#attemptToDelete(uid);
    else if (kind === 'orphan') await this.#attemptToOrphan(uid);
    else throw new TerminalError(`unknown key ${key}`);
    return undefined;
  }

  // ---- the graph, from informer events ----

  #enqueueDelete(uid: string): void {
    this.#controller.enqueue(`delete/${uid}`);
  }

  #observe(resource: ResourceDefinition, old: KubeObject | undefined, object: KubeObject): void {
    // A relist can report a name's new object as an update of the old one: that is a deletion too.
    if (old?.metadata?.uid && old.metadata.uid !== object.metadata?.uid) this.#removed(old);
    const observation = this.graph.observe(resource, object);
    if (!observation) return;
    const { node, previous, added, removed, changed } = observation;

    // A blocking reference gone or unblocked may let a foreground deletion finish.
    const unblocked = [
      ...removed.filter((reference) => reference.blockOwnerDeletion === true),
      ...changed
        .filter(
          ({ before, after }) => before.blockOwnerDeletion === true && after.blockOwnerDeletion !== true,
        )
        .map(({ after }) => after),
    ];
    for (const reference of unblocked) if (this.graph.get(reference.uid)) this.#enqueueDelete(reference.uid);

    // A reference the cache cannot confirm: its owner may be gone (or not listed yet); look at it. So
    // too a new dependent of an owner already deleting in the foreground: it goes with the others.
    const references = [...added, ...changed.map(({ after }) => after)];
    const needsLook = (reference: OwnerReference) => {
      const owner = this.graph.resolve(reference, node);
      return !owner || isDeletingDependents(owner.object);
    };
    if (references.some(needsLook)) this.#enqueueDelete(node.uid);

    // An owner seen for the first time: dependents that name its uid at other coordinates are suspect.
    if (!previous) {
      for (const dependent of this.graph.dependentsOf(node.uid)) {
        const references = dependent.owners.filter((reference) => reference.uid === node.uid);
        if (references.some((reference) => this.graph.resolve(reference, dependent) !== node)) {
          this.#enqueueDelete(dependent.uid);
        }
      }
    }

    // Level-triggered: while the object is in either deletion state, every event brings the work back.
    if (isOrphaningDependents(object)) this.#controller.enqueue(`orphan/${node.uid}`);
    if (isDeletingDependents(object)) {
      for (const dependent of this.graph.dependentsOf(node.uid)) this.#enqueueDelete(dependent.uid);
      this.#enqueueDelete(node.uid);
    }
  }

  #removed(object: KubeObject): void {
    const uid = object.metadata?.uid;
    if (!uid) return;
    const node = this.graph.remove(uid);
    if (!node) return;
    for (const dependent of this.graph.dependentsOf(uid)) this.#enqueueDelete(dependent.uid);
    for (const reference of node.owners) {
      const owner = this.graph.get(reference.uid);
      if (owner && isDeletingDependents(owner.object)) this.#enqueueDelete(owner.uid);
    }
  }

  // ---- attemptToDelete ----

  async #attemptToDelete(uid: string): Promise<void> {
    const node = this.graph.get(uid);
    // Gone from the graph: its deletion was observed, and whoever depended on it was enqueued then.
    if (!node) return;
    // Being deleted (not in the foreground) is a one-way trip; its dependents are handled when it is gone.
    if (isBeingDeleted(node.object) && !isDeletingDependents(node.object)) return;
    const latest = await this.#getLive(node);
    // Gone already: the informer will report the deletion, which enqueues whatever depended on it.
    if (!latest) return;
    if (isBeingDeleted(latest)) {
      if (isDeletingDependents(latest)) await this.#processDeletingDependents(node);
      return;
    }
    const owners = latest.metadata?.ownerReferences ?? [];
    if (owners.length === 0) return;

    const { solid, dangling, waiting } = await this.#classify(node, owners);
    if (solid.length > 0) {
      if (dangling.length === 0 && waiting.length === 0) return;
      // Other owners keep it. The dangling references go, and so do the ones to owners deleting in
      // the foreground — otherwise those owners would wait on this object for ever.
      const gone = new Set([...dangling, ...waiting].map((reference) => reference.uid));
      await this.#patchOwnerReferences(node, latest, (references) => {
        const kept = references.filter((reference) => !gone.has(reference.uid));
        return kept.length === references.length ? undefined : kept;
      });
      return;
    }
    if (waiting.length > 0 && this.graph.dependentsOf(uid).length > 0) {
      // An owner is deleting in the foreground and this object has dependents of its own: it goes in
      // the foreground too. If one of those dependents also waits in the foreground, the two could
      // wait on each other, so this object's references stop blocking first (upstream's cycle guard).
      let current = latest;
      if (this.graph.dependentsOf(uid).some((dependent) => isDeletingDependents(dependent.object))) {
        const unblocked = await this.#patchOwnerReferences(node, latest, (references) =>
          references.some((reference) => reference.blockOwnerDeletion === true)
            ? references.map((reference) =>
                reference.blockOwnerDeletion === true
                  ? { ...reference, blockOwnerDeletion: false }
                  : reference,
              )
            : undefined,
        );
        if (!unblocked) return;
        current = unblocked;
      }
      await this.#delete(node, current, 'Foreground');
      return;
    }
    // No owner is left: it is garbage. A propagation finalizer it already carries is honoured.
    const policy: PropagationPolicy = hasFinalizer(latest, orphanFinalizer)
      ? 'Orphan'
      : hasFinalizer(latest, foregroundDeletionFinalizer)
        ? 'Foreground'
        : 'Background';
    await this.#delete(node, latest, policy);
  }

  /** An owner deleting in the foreground: its finalizer goes once nothing blocks it; until then, push. */
  async #processDeletingDependents(node: GraphNode): Promise<void> {
    const blocking = this.graph.blockingDependents(node);
    if (blocking.length === 0) {
      await this.#removeFinalizer(node, foregroundDeletionFinalizer);
      return;
    }
    // Each blocking dependent's deletion (observed) brings this owner back.
    for (const dependent of blocking) {
      if (!isDeletingDependents(dependent.object)) this.#enqueueDelete(dependent.uid);
    }
  }

  /**
   * Sorts `item`'s references (upstream's classifyReferences). A reference to an owner the cache holds
   * at those coordinates, not deleting in the foreground, is solid on the cache's word — that only ever
   * keeps an object. Every other reference is looked up live.
   */
  async #classify(item: GraphNode, references: readonly OwnerReference[]): Promise<Classification> {
    const result: Classification = { solid: [], dangling: [], waiting: [] };
    for (const reference of references) {
      if (namesNamespacedOwnerFromClusterScope(reference, item)) {
        await this.#reportInvalidNamespace(item, reference);
        throw new TerminalError(
          `${describe(item)} is cluster-scoped but names a namespaced owner (${reference.kind} ${reference.name}): it is never collected`,
        );
      }
      const cached = this.graph.resolve(reference, item);
      if (cached && !isDeletingDependents(cached.object)) {
        result.solid.push(reference);
        continue;
      }
      const owner = await this.#liveOwner(reference, item);
      if (!owner) {
        await this.#reportInvalidNamespace(item, reference);
        result.dangling.push(reference);
      } else if (isDeletingDependents(owner)) result.waiting.push(reference);
      else result.solid.push(reference);
    }
    return result;
  }

  /**
   * The owner `reference` names, read live from where it must be (the dependent's namespace, unless the
   * kind is cluster-scoped); undefined when it is gone — NotFound, or another object (uid) by that name
   * (upstream's isDangling).
   */
  async #liveOwner(reference: OwnerReference, item: GraphNode): Promise<KubeObject | undefined> {
    const definition = servedDefinition(reference);
    if (!definition) {
      // Skiff's resources are fixed: a kind it does not serve will not appear by retrying.
      throw new TerminalError(
        `${describe(item)} names an owner of a kind Skiff does not serve (${reference.apiVersion} ${reference.kind}): it is not collected`,
      );
    }
    const namespace = definition.namespaced ? item.namespace : undefined;
    const key = absentKey(reference, namespace);
    if (this.#absentOwners.has(key)) return undefined;
    const ref = refFor({ apiVersion: reference.apiVersion, kind: reference.kind }, namespace);
    try {
      const owner = await this.#context.client.get(ref, reference.name);
      if (owner.metadata?.uid === reference.uid) return owner;
    } catch (error) {
      if (!isStatusError(error, 'NotFound')) throw error;
    }
    this.#absentOwners.add(key);
    return undefined;
  }

  // ---- attemptToOrphan ----

  async #attemptToOrphan(uid: string): Promise<void> {
    const owner = this.graph.get(uid);
    if (!owner || !isOrphaningDependents(owner.object)) return;
    const failures: string[] = [];
    for (const dependent of this.graph.dependentsOf(uid)) {
      try {
        await this.#patchOwnerReferences(dependent, dependent.object, (references) => {
          const kept = references.filter((reference) => reference.uid !== uid);
          return kept.length === references.length ? undefined : kept;
        });
      } catch (error) {
        failures.push(`${describe(dependent)}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (failures.length > 0) {
      throw new Error(`orphaning the dependents of ${describe(owner)} failed: ${failures.join('; ')}`);
    }
    await this.#removeFinalizer(owner, orphanFinalizer);
  }

  // ---- writes ----

  /** The object behind `node`, read live; undefined if it is gone (or its name now holds another uid). */
  async #getLive(node: GraphNode): Promise<KubeObject | undefined> {
    try {
      const object = await this.#context.client.get(refOf(node), node.name);
      return object.metadata?.uid === node.uid ? object : undefined;
    } catch (error) {
      if (isStatusError(error, 'NotFound')) return undefined;
      throw error;
    }
  }

  /**
   * Deletes `node`'s object as last read (`latest`): its uid and resourceVersion must still hold. If only
   * the resourceVersion moved and the ownerReferences are as they were, the decision still stands and
   * the delete is retried on the uid alone (upstream's deleteObject).
   */
  async #delete(node: GraphNode, latest: KubeObject, propagationPolicy: PropagationPolicy): Promise<void> {
    const resourceVersion = latest.metadata?.resourceVersion;
    try {
      await this.#context.client.delete(refOf(node), node.name, {
        propagationPolicy,
        preconditions: { uid: node.uid, ...(resourceVersion ? { resourceVersion } : {}) },
      });
    } catch (error) {
      if (isStatusError(error, 'NotFound')) return;
      if (!isStatusError(error, 'Conflict') || !resourceVersion) throw error;
      const live = await this.#getLive(node);
      if (!live) return;
      const sameOwners = isDeepStrictEqual(
        live.metadata?.ownerReferences ?? [],
        latest.metadata?.ownerReferences ?? [],
      );
      if (live.metadata?.resourceVersion === resourceVersion || !sameOwners) throw error;
      try {
        await this.#context.client.delete(refOf(node), node.name, {
          propagationPolicy,
          preconditions: { uid: node.uid },
        });
      } catch (retryError) {
        if (!isStatusError(retryError, 'NotFound')) throw retryError;
      }
    }
  }

  /**
   * Rewrites `node`'s ownerReferences with `change` (undefined: nothing to change), as a JSON merge patch
   * carrying the resourceVersion it was computed from, so it never overwrites a change it did not see
   * (upstream's JSON merge patch path, which every resource accepts). A conflict re-reads and recomputes.
   * Returns the object as written (or as it was, if nothing changed); undefined if it is gone.
   */
  async #patchOwnerReferences(
    node: GraphNode,
    base: KubeObject,
    change: (references: readonly OwnerReference[]) => OwnerReference[] | undefined,
  ): Promise<KubeObject | undefined> {
    let current: KubeObject | undefined = base;
    for (let attempt = 1; current; attempt++) {
      const next = change(current.metadata?.ownerReferences ?? []);
      if (!next) return current;
      try {
        return await this.#context.client.patch(refOf(node), node.name, 'merge', {
          metadata: {
            resourceVersion: current.metadata?.resourceVersion,
            ownerReferences: next.length > 0 ? next : null,
          },
        });
      } catch (error) {
        if (isStatusError(error, 'NotFound')) return undefined;
        if (!isStatusError(error, 'Conflict') || attempt >= MAX_CONFLICT_RETRIES) throw error;
      }
      current = await this.#getLive(node);
    }
    return undefined;
  }

  /** Removes `finalizer` from `node`'s live object (upstream's removeFinalizer: read, patch, retry on conflict). */
  async #removeFinalizer(node: GraphNode, finalizer: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const live = await this.#getLive(node);
      if (!live || !hasFinalizer(live, finalizer)) return;
      const rest = (live.metadata?.finalizers ?? []).filter((name) => name !== finalizer);
      try {
        await this.#context.client.patch(refOf(node), node.name, 'merge', {
          metadata: {
            resourceVersion: live.metadata?.resourceVersion,
            finalizers: rest.length > 0 ? rest : null,
          },
        });
        return;
      } catch (error) {
        if (isStatusError(error, 'NotFound')) return;
        if (!isStatusError(error, 'Conflict') || attempt >= MAX_CONFLICT_RETRIES) throw error;
      }
    }
  }

  /**
   * A warning Event on `item` when the graph holds `reference`'s uid in another namespace than the
   * item's: the reference is invalid, not merely dangling (upstream's reportInvalidNamespaceOwnerRef).
   * Once per dependent and owner; best effort — a failure to record it is reported, never retried.
   */
  async #reportInvalidNamespace(item: GraphNode, reference: OwnerReference): Promise<void> {
    const owner = this.graph.get(reference.uid);
    if (!owner?.resource.namespaced || owner.namespace === item.namespace) return;
    const reported = `${item.uid}/${reference.uid}`;
    if (this.#reportedInvalid.has(reported)) return;
    this.#reportedInvalid.add(reported);
    const namespace = item.namespace ?? 'default';
    const now = this.#context.clock.now();
    const timestamp = `${new Date(now).toISOString().slice(0, 19)}Z`;
    try {
      await this.#context.client.create(refFor('Event', namespace), {
        metadata: { name: `${item.name}.${(BigInt(now) * 1_000_000n).toString(16)}`, namespace },
        involvedObject: {
          kind: item.resource.kind,
          apiVersion: groupVersion(item.resource),
          ...(item.namespace !== undefined ? { namespace: item.namespace } : {}),
          name: item.name,
          uid: item.uid,
        },
        reason: 'OwnerRefInvalidNamespace',
        message: `ownerRef [${reference.apiVersion}/${reference.kind}, namespace: ${item.namespace ?? ''}, name: ${reference.name}, uid: ${reference.uid}] does not exist in namespace "${item.namespace ?? ''}"`,
        type: 'Warning',
        source: { component: EVENT_SOURCE },
        firstTimestamp: timestamp,
        lastTimestamp: timestamp,
        count: 1,
      });
    } catch (error) {
      this.#context.onError(this.name, `event/${reported}`, error);
    }
  }
}

/** The controller manager's factory: the garbage collector with its defaults. */
export const garbageCollector: ControllerFactory = (context) => new GarbageCollector({ context });

function refOf(node: GraphNode): ResourceRef {
  return {
    group: node.resource.group,
    version: node.resource.version,
    resource: node.resource.plural,
    ...(node.namespace !== undefined ? { namespace: node.namespace } : {}),
  };
}

/** Upstream's absent-owner cache key: the reference's coordinates and where the owner was looked for. */
function absentKey(reference: OwnerReference, namespace: string | undefined): string {
  return [reference.apiVersion, reference.kind, namespace ?? '', reference.name, reference.uid].join('|');
}

function describe(node: GraphNode): string {
  const where = node.namespace !== undefined ? ` in ${node.namespace}` : '';
  return `${node.resource.kind} ${node.name}${where} (uid ${node.uid})`;
}
