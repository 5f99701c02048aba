import type { Conflict } from './conflicts.js';
import type { FieldSet } from './field-set.js';
import type { Managed } from './managed-fields.js';
import type { TypeRef } from './schema.js';
import { compare, ensureNamedFieldsAreMembers, jsonEqual, merge, removeItems, toFieldSet } from './typed.js';

/**
 * Field ownership through one write (structured-merge-diff's Updater), on one object type:
 *
 * - `update` (create, update, patch): the writer takes every field it added or changed; other managers
 *   lose those fields, and everyone loses the fields that went.
 * - `apply`: the configuration is merged into the object; the applier owns exactly the configuration's
 *   fields; what it applied last time and no longer does is removed, unless another manager owns it;
 *   and a field the applier would change that another manager owns is a conflict, unless forced (then
 *   the other manager loses it).
 *
 * Worked example: `kubectl-create` owns `.spec.replicas` (3). `kubectl` applies `replicas: 5` →
 * conflict with "kubectl-create". Forced: `kubectl` owns it and `kubectl-create` no longer does. Had
 * `kubectl` applied `replicas: 3`, nothing would change and both would own it (shared ownership).
 *
 * `resetFields` are the fields this endpoint does not write (the main resource does not write status):
 * nobody gains or loses them here.
 */
export interface UpdaterOptions {
  readonly type: TypeRef;
  readonly apiVersion: string;
  readonly resetFields: FieldSet;
}

export class ApplyConflicts extends Error {
  override readonly name = 'ApplyConflicts';
  readonly code = 'SKIFF_ERR_APPLY_CONFLICTS';
  readonly conflicts: readonly Conflict[];

  constructor(conflicts: readonly Conflict[]) {
    super(`${conflicts.length} conflict(s)`);
    this.conflicts = conflicts;
  }
}

export class Updater {
  readonly #options: UpdaterOptions;

  constructor(options: UpdaterOptions) {
    this.#options = options;
  }

  /** Managers after a write from `live` to `next` by `manager` (managers are changed in place). */
  update(live: unknown, next: unknown, managed: Managed, manager: string): void {
    const changed = this.#settle(live, next, managed, manager, true);
    const previous = managed.fields.get(manager)?.set;
    let set = changed.added.union(changed.modified);
    if (previous) set = previous.difference(changed.removed).union(set);
    set = this.#filter(set);
    if (set.isEmpty) managed.fields.delete(manager);
    else managed.fields.set(manager, { set, apiVersion: this.#options.apiVersion, applied: false });
  }

  /**
   * The object after applying `config`, or undefined when the object does not change (managers may
   * still have: a first apply of the values an object already has takes shared ownership).
   * Throws ApplyConflicts.
   */
  apply(live: unknown, config: unknown, managed: Managed, manager: string, force: boolean): unknown {
    const { type } = this.#options;
    let next = merge(live, config, type);
    const lastSet = managed.fields.get(manager);
    const set = this.#filter(toFieldSet(config, type));
    managed.fields.set(manager, { set, apiVersion: this.#options.apiVersion, applied: true });
    if (lastSet && !lastSet.set.isEmpty) next = this.#prune(next, managed, lastSet.set);
    this.#settle(live, next, managed, manager, force);
    return jsonEqual(live, next) ? undefined : next;
  }

  /**
   * What changed, and its effect on every manager but `manager`: changed fields they own are conflicts
   * (taken from them when forced), removed fields leave them.
   */
  #settle(live: unknown, next: unknown, managed: Managed, manager: string, force: boolean) {
    const { type, resetFields } = this.#options;
    const raw = compare(live, next, type);
    const changed = {
      added: raw.added.recursiveDifference(resetFields),
      modified: raw.modified.recursiveDifference(resetFields),
      removed: raw.removed.recursiveDifference(resetFields),
    };
    const touched = changed.modified.union(changed.added);
    const conflicts: Conflict[] = [];
    const taken = new Map<string, FieldSet>();
    for (const [other, versioned] of [...managed.fields].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (other === manager) continue;
      const clash = versioned.set.intersection(touched);
      if (!clash.isEmpty) {
        taken.set(other, clash);
        for (const path of clash.paths()) conflicts.push({ manager: other, path });
      }
    }
    if (!force && conflicts.length > 0) throw new ApplyConflicts(conflicts);
    for (const [other, versioned] of [...managed.fields]) {
      if (other === manager) continue;
      let set = versioned.set;
      const clash = taken.get(other);
      if (clash) set = set.difference(clash);
      if (!changed.removed.isEmpty) set = set.difference(changed.removed);
      if (set.isEmpty) managed.fields.delete(other);
      else if (set !== versioned.set) managed.fields.set(other, { ...versioned, set });
    }
    return changed;
  }

  #filter(set: FieldSet): FieldSet {
    return set.recursiveDifference(this.#options.resetFields);
  }

  /**
   * Removes what `manager` applied last time (`lastSet`) and not now, except what another manager (or
   * this configuration) owns, and except items and fields nobody applied (those it only created along
   * the way, such as a map that still holds someone else's entries).
   */
  #prune(merged: unknown, managed: Managed, lastSet: FieldSet): unknown {
    const { type } = this.#options;
    const named = (set: FieldSet) => ensureNamedFieldsAreMembers(set, type);
    let pruned = removeItems(merged, named(lastSet), type);
    // Add back what any manager owns.
    let owned: FieldSet | undefined;
    for (const versioned of managed.fields.values())
      owned = owned ? owned.union(versioned.set) : versioned.set;
    const mergedSet = named(toFieldSet(merged, type));
    const prunedSet = named(toFieldSet(pruned, type));
    pruned = removeItems(merged, mergedSet.difference(prunedSet.union(named(owned!))), type);
    // Add back what was removed but was not the applier's last time.
    const keptSet = named(toFieldSet(pruned, type));
    return removeItems(merged, mergedSet.difference(keptSet).intersection(named(lastSet)), type);
  }
}
