import type { KeyValue } from './types.js';

/** One revision of one key: its state after that write, or `undefined` for a delete. */
interface Entry {
  readonly revision: number;
  readonly kv: KeyValue | undefined;
}

/**
 * The keys in sorted order, each with the revisions of it that are still kept: what an MVCC store needs
 * to answer "what did key K (or keys under prefix P) hold at revision R".
 *
 * Example: web-0 created at 5, updated at 9, deleted at 12 has the history [5 → v1, 9 → v2, 12 → deleted].
 * At revision 10 it reads v2; at 12 or later it is absent. Compacting at 10 keeps [9 → v2, 12 → deleted]
 * (9 is the newest at or before 10, so reads at 10 still work); compacting at 12 removes the key entirely.
 */
export class KeyIndex {
  /** Sorted; holds every key with a non-empty history, deleted ones too until compaction drops them. */
  #keys: string[] = [];
  readonly #histories = new Map<string, Entry[]>();

  put(kv: KeyValue): void {
    this.#historyFor(kv.key).push({ revision: kv.modRevision, kv });
  }

  remove(key: string, revision: number): void {
    this.#historyFor(key).push({ revision, kv: undefined });
  }

  /** The key's current state. */
  latest(key: string): KeyValue | undefined {
    const history = this.#histories.get(key);
    return history?.[history.length - 1]?.kv;
  }

  /** The key's state at `revision`; the caller has checked the revision is kept. */
  at(key: string, revision: number): KeyValue | undefined {
    const history = this.#histories.get(key);
    if (!history) return undefined;
    for (let i = history.length - 1; i >= 0; i--) {
      const entry = history[i]!;
      if (entry.revision <= revision) return entry.kv;
    }
    return undefined;
  }

  /** Live keys under `prefix`, from `from` (inclusive) on, as they were at `revision`, in key order. */
  *range(prefix: string, from: string, revision: number): Generator<KeyValue> {
    const keys = this.#keys;
    for (let i = lowerBound(keys, from); i < keys.length; i++) {
      const key = keys[i]!;
      if (!key.startsWith(prefix)) return;
      const kv = this.at(key, revision);
      if (kv) yield kv;
    }
  }

  /**
   * Forgets, for each key in `keys`, the revisions no read at `revision` or later can reach. Returns the
   * revisions forgotten, so the caller can delete them from disk.
   */
  compact(keys: Iterable<string>, revision: number): number[] {
    const removed: number[] = [];
    let emptied = false;
    for (const key of keys) {
      const history = this.#histories.get(key);
      if (!history) continue;
      let keep = history.length - 1;
      while (keep > 0 && history[keep]!.revision > revision) keep--;
      if (history[keep]!.revision > revision) continue;
      // `keep` is the newest entry at or before `revision`; a delete there is not needed either.
      if (history[keep]!.kv === undefined) keep++;
      for (let i = 0; i < keep; i++) removed.push(history[i]!.revision);
      if (keep === history.length) {
        this.#histories.delete(key);
        emptied = true;
      } else if (keep > 0) {
        history.splice(0, keep);
      }
    }
    if (emptied) this.#keys = this.#keys.filter((key) => this.#histories.has(key));
    return removed;
  }

  #historyFor(key: string): Entry[] {
    let history = this.#histories.get(key);
    if (!history) {
      history = [];
      this.#histories.set(key, history);
      const keys = this.#keys;
      // Names often arrive in order (web-1, web-2 …): appending is the common case.
      if (keys.length === 0 || keys[keys.length - 1]! < key) keys.push(key);
      else keys.splice(lowerBound(keys, key), 0, key);
    }
    return history;
  }
}

/** The first index whose key is >= `key`. */
function lowerBound(keys: readonly string[], key: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (keys[mid]! < key) low = mid + 1;
    else high = mid;
  }
  return low;
}
