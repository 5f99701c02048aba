import { isDeepStrictEqual } from 'node:util';
import { storageResourceOf } from '../../api/conversion/index.js';
import type { KubeObject, OwnerReference, ResourceDefinition } from '../../api/resource.js';
import { definitionForKind } from '../../client/refs.js';

/**
 * The garbage collector's picture of who owns whom (upstream's GraphBuilder.uidToNode): one node per
 * object the informers hold, by uid, and for every uid the objects whose ownerReferences name it.
 *
 * Owners are found by uid, never by name: a name can be reused by a new object, a uid never is. The
 * dependents index is built only from the dependents' own ownerReferences, so it outlives the owner:
 *
 *   configmap a (uid A); configmap b (uid B) with ownerReferences [{ uid: A }]
 *     nodes      { A → a, B → b }
 *     dependents { A → {B} }
 *   a is deleted:
 *     nodes      { B → b }
 *     dependents { A → {B} }      b still names A: the collector must look at b
 *   b loses that reference (or is deleted):
 *     dependents {}
 *
 * An owner some dependent names but no informer holds (A above, or an owner not listed yet) is what
 * upstream calls a "virtual" node; here it is simply a uid with dependents and no node.
 *
 * The graph holds the informers' frozen objects and is changed only by `observe` and `remove`, which the
 * informer handlers call — synchronously, one event at a time — so a reader between two awaits always
 * sees one consistent graph.
 */
export interface GraphNode {
  readonly uid: string;
  /** The resource whose informer holds the object (its storage version). */
  readonly resource: ResourceDefinition;
  /** Undefined for cluster-scoped objects. */
  readonly namespace: string | undefined;
  readonly name: string;
  readonly owners: readonly OwnerReference[];
  /** The cached object: frozen, shared with every other reader of the informer. */
  readonly object: KubeObject;
}

/** The finalizer a Foreground deletion adds: the owner stays until its blocking dependents are gone. */
export const foregroundDeletionFinalizer = 'foregroundDeletion';
/** The finalizer an Orphan deletion adds: the owner stays until its dependents no longer name it. */
export const orphanFinalizer = 'orphan';

export function hasFinalizer(object: KubeObject, finalizer: string): boolean {
  return object.metadata?.finalizers?.includes(finalizer) ?? false;
}

export function isBeingDeleted(object: KubeObject): boolean {
  return Boolean(object.metadata?.deletionTimestamp);
}

/** Being deleted in the foreground: waiting for its dependents to go first. */
export function isDeletingDependents(object: KubeObject): boolean {
  return isBeingDeleted(object) && hasFinalizer(object, foregroundDeletionFinalizer);
}

/** Being deleted with Orphan: waiting for its dependents to stop naming it. */
export function isOrphaningDependents(object: KubeObject): boolean {
  return isBeingDeleted(object) && hasFinalizer(object, orphanFinalizer);
}

/** What one `observe` changed in an object's ownerReferences, by owner uid. */
export interface ReferenceChanges {
  readonly added: readonly OwnerReference[];
  readonly removed: readonly OwnerReference[];
  readonly changed: readonly { readonly before: OwnerReference; readonly after: OwnerReference }[];
}

export interface Observation extends ReferenceChanges {
  readonly node: GraphNode;
  /** The node as it was before this observation; undefined when the uid is new to the graph. */
  readonly previous: GraphNode | undefined;
}

export class OwnershipGraph {
  readonly #nodes = new Map<string, GraphNode>();
  /** Owner uid → uids of the nodes whose ownerReferences name it. Never holds an empty set. */
  readonly #dependents = new Map<string, Set<string>>();

  get size(): number {
    return this.#nodes.size;
  }

  get(uid: string): GraphNode | undefined {
    return this.#nodes.get(uid);
  }

  /** The nodes that name `ownerUid` in their ownerReferences, whether or not the owner is in the graph. */
  dependentsOf(ownerUid: string): GraphNode[] {
    const uids = this.#dependents.get(ownerUid);
    if (!uids) return [];
    return [...uids].sort().map((uid) => this.#nodes.get(uid)!);
  }

  /** Records an object the informer of `resource` holds (added, updated or relisted). */
  observe(resource: ResourceDefinition, object: KubeObject): Observation | undefined {
    const uid = object.metadata?.uid;
    if (!uid) return undefined;
    const previous = this.#nodes.get(uid);
    const node: GraphNode = {
      uid,
      resource,
      namespace: resource.namespaced ? object.metadata?.namespace : undefined,
      name: object.metadata?.name ?? '',
      owners: object.metadata?.ownerReferences ?? [],
      object,
    };
    this.#nodes.set(uid, node);
    const changes = diffReferences(previous?.owners ?? [], node.owners);
    for (const reference of changes.removed) this.#unlink(reference.uid, uid);
    for (const reference of changes.added) this.#link(reference.uid, uid);
    return { node, previous, ...changes };
  }

  /** Forgets the object with `uid` (its deletion was observed); returns its last node. */
  remove(uid: string): GraphNode | undefined {
    const node = this.#nodes.get(uid);
    if (!node) return undefined;
    this.#nodes.delete(uid);
    for (const reference of node.owners) this.#unlink(reference.uid, uid);
    return node;
  }

  /**
   * The node `reference` (held by `dependent`) points at, if the graph holds it at exactly those
   * coordinates: the same uid, the same stored resource (any served version of it), the same name,
   * and — for a namespaced owner — the dependent's own namespace, the only place a namespaced owner
   * can be. Undefined means the reference cannot be confirmed from the cache and needs a live look.
   */
  resolve(reference: OwnerReference, dependent: Pick<GraphNode, 'namespace'>): GraphNode | undefined {
    const owner = this.#nodes.get(reference.uid);
    if (!owner || owner.name !== reference.name) return undefined;
    const definition = servedDefinition(reference);
    if (!definition || storageKey(definition) !== storageKey(owner.resource)) return undefined;
    if (owner.resource.namespaced && owner.namespace !== dependent.namespace) return undefined;
    return owner;
  }

  /**
   * The dependents that hold up `owner`'s foreground deletion: those whose reference to it has
   * blockOwnerDeletion. A cluster-scoped dependent naming a namespaced kind is left out: such a
   * reference can never resolve (the collector refuses to act on it), so it cannot hold anything up.
   */
  blockingDependents(owner: GraphNode): GraphNode[] {
    return this.dependentsOf(owner.uid).filter((dependent) =>
      dependent.owners.some(
        (reference) =>
          reference.uid === owner.uid &&
          reference.blockOwnerDeletion === true &&
          !namesNamespacedOwnerFromClusterScope(reference, dependent),
      ),
    );
  }

  #link(ownerUid: string, dependentUid: string): void {
    let uids = this.#dependents.get(ownerUid);
    if (!uids) this.#dependents.set(ownerUid, (uids = new Set()));
    uids.add(dependentUid);
  }

  #unlink(ownerUid: string, dependentUid: string): void {
    const uids = this.#dependents.get(ownerUid);
    uids?.delete(dependentUid);
    if (uids?.size === 0) this.#dependents.delete(ownerUid);
  }
}

/**
 * Two lists of ownerReferences compared by owner uid (upstream's referencesDiffs):
 * [{A}, {B, block}] → [{B}, {C}] has A removed, C added, and B changed (its blockOwnerDeletion dropped).
 */
export function diffReferences(
  before: readonly OwnerReference[],
  after: readonly OwnerReference[],
): ReferenceChanges {
  const beforeByUid = new Map(before.map((reference) => [reference.uid, reference]));
  const added: OwnerReference[] = [];
  const changed: { before: OwnerReference; after: OwnerReference }[] = [];
  for (const reference of after) {
    const old = beforeByUid.get(reference.uid);
    if (!old) added.push(reference);
    else {
      if (!isDeepStrictEqual(old, reference)) changed.push({ before: old, after: reference });
      beforeByUid.delete(reference.uid);
    }
  }
  return { added, removed: [...beforeByUid.values()], changed };
}

/** The resource an ownerReference's apiVersion and kind name, if Skiff serves one. */
export function servedDefinition(reference: Pick<OwnerReference, 'apiVersion' | 'kind'>) {
  try {
    return definitionForKind({ apiVersion: reference.apiVersion, kind: reference.kind });
  } catch {
    return undefined;
  }
}

/**
 * A cluster-scoped object naming a namespaced kind as its owner: invalid, since the owner would have to
 * be in the dependent's namespace and it has none. Upstream refuses to collect such an object.
 */
export function namesNamespacedOwnerFromClusterScope(
  reference: OwnerReference,
  dependent: Pick<GraphNode, 'namespace'>,
): boolean {
  return dependent.namespace === undefined && (servedDefinition(reference)?.namespaced ?? false);
}

/** Versions of one resource share this key: autoscaling/v1 and v2 HPAs, core and events.k8s.io events. */
function storageKey(definition: Pick<ResourceDefinition, 'group' | 'plural'>): string {
  return storageResourceOf(definition.group, definition.plural);
}
