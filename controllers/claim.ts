/**
 * Claiming children, as upstream's ControllerRefManager (pkg/controller/controller_ref_manager.go):
 * which of a namespace's objects a controller owns after adopting matching orphans and releasing its
 * own that stopped matching. Every workload controller claims this way — ReplicaSets their pods,
 * Deployments their ReplicaSets, StatefulSets and DaemonSets their pods and ControllerRevisions.
 *
 *   child's controller reference   selector matches   →  result
 *   ours                           yes                    claimed
 *   ours                           no                     released (unless the owner is being deleted)
 *   someone else's                 any                    left alone
 *   none (an orphan)               yes                    adopted, then claimed (unless either is being deleted)
 *   none                           no                     left alone
 *
 * Adoption and release are strategic merge patches carrying the child's uid, which the API server
 * checks as a precondition: a child deleted and made again under its name is neither adopted nor
 * released by mistake. Before the first adoption the owner is read again, uncached: an owner that is
 * being deleted must not adopt children it would only orphan again.
 */
import type { Selector } from '../api/labels.js';
import type { KubeObject } from '../api/resource.js';
import { isStatusError } from '../api/status.js';
import type { KubeClient, ResourceRef } from '../client/types.js';
import { controllerOf, controllerRef, messageOf } from './pods.js';

export interface ClaimOptions {
  readonly client: KubeClient;
  /** The controller, as cached. */
  readonly owner: KubeObject;
  /** The owner's apiVersion and kind (list items carry none), for its controller reference. */
  readonly ownerKind: { readonly apiVersion: string; readonly kind: string };
  /** Where the owner lives, for the uncached read before adopting. */
  readonly ownerRef: ResourceRef;
  readonly selector: Selector;
  /** Where the children live (their namespace's collection). */
  readonly childRef: ResourceRef;
  /** The children's kind, for messages ("can't adopt Pod …"). */
  readonly childKind: string;
}

/**
 * The children `owner` controls among `candidates` (the namespace's objects of the child kind), after
 * adopting and releasing; adopted children are returned as the API answered the patch. Every candidate
 * is tried, and the failures are thrown together at the end.
 */
export async function claimChildren<T extends KubeObject>(
  options: ClaimOptions,
  candidates: readonly T[],
): Promise<T[]> {
  const { owner, selector } = options;
  const meta = owner.metadata ?? {};
  const ownerBeingDeleted = meta.deletionTimestamp !== undefined;
  let canAdopt: Promise<void> | undefined;
  const claimed: T[] = [];
  const errors: unknown[] = [];
  for (const child of candidates) {
    const childMeta = child.metadata ?? {};
    const reference = controllerOf(child);
    try {
      if (reference) {
        // Someone else's: not ours to touch.
        if (reference.uid !== meta.uid) continue;
        // Ours and matching: claimed, even while the owner is being deleted (that takes no action).
        if (selector.matches(childMeta.labels)) claimed.push(child);
        // Ours but no longer matching: let it go, unless the owner is going away anyway.
        else if (!ownerBeingDeleted) await release(options, child);
        continue;
      }
      if (ownerBeingDeleted || childMeta.deletionTimestamp || !selector.matches(childMeta.labels)) continue;
      if (meta.namespace && meta.namespace !== childMeta.namespace) continue;
      canAdopt ??= recheckDeletion(options);
      try {
        await canAdopt;
      } catch (error) {
        throw new Error(
          `can't adopt ${options.childKind} ${childMeta.namespace}/${childMeta.name} (${childMeta.uid}): ${messageOf(error)}`,
          { cause: error },
        );
      }
      claimed.push(await adopt(options, child));
    } catch (error) {
      // Gone meanwhile: nothing to claim.
      if (isStatusError(error, 'NotFound')) continue;
      errors.push(error);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `[${errors.map(messageOf).join(', ')}]`);
  return claimed;
}

/** Adds the owner's controller reference, with the child's uid as precondition. */
async function adopt<T extends KubeObject>(options: ClaimOptions, child: T): Promise<T> {
  const childMeta = child.metadata ?? {};
  return options.client.patch<T>(options.childRef, childMeta.name ?? '', 'strategic', {
    metadata: { ownerReferences: [controllerRef(options.owner, options.ownerKind)], uid: childMeta.uid },
  });
}

/** Removes the owner's reference (a strategic-merge delete by uid), with the child's uid as precondition. */
async function release(options: ClaimOptions, child: KubeObject): Promise<void> {
  const childMeta = child.metadata ?? {};
  try {
    await options.client.patch(options.childRef, childMeta.name ?? '', 'strategic', {
      metadata: {
        uid: childMeta.uid,
        ownerReferences: [{ $patch: 'delete', uid: options.owner.metadata?.uid }],
      },
    });
  } catch (error) {
    // Gone, or made again under the same name (the uid precondition): either way not ours any more.
    if (isStatusError(error, 'NotFound') || isStatusError(error, 'Invalid')) return;
    throw error;
  }
}

async function recheckDeletion(options: ClaimOptions): Promise<void> {
  const meta = options.owner.metadata ?? {};
  let fresh: KubeObject;
  try {
    fresh = await options.client.get(options.ownerRef, meta.name ?? '');
    if (fresh.metadata?.uid !== meta.uid) {
      throw new Error(
        `original ${options.ownerKind.kind} ${meta.namespace}/${meta.name} is gone: got uid ${fresh.metadata?.uid}, wanted ${meta.uid}`,
      );
    }
  } catch (error) {
    throw new Error(`can't recheck DeletionTimestamp: ${messageOf(error)}`, { cause: error });
  }
  if (fresh.metadata?.deletionTimestamp) {
    throw new Error(
      `${meta.namespace}/${meta.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`,
    );
  }
}
