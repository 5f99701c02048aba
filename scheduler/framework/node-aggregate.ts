/**
 * A sum over every node, kept up to date between cycles instead of recomputed in each — the index that
 * keeps topology spread and inter-pod affinity from walking every pod of the cluster every cycle.
 *
 * Each node contributes an entry (say, "3 pods matching app=web, in zone a"); the aggregate is the sum
 * of the entries (zone a: 7, zone b: 5). Between two cycles usually one node has changed (the pod just
 * assumed onto it), so `sync` compares each node's generation with the one its entry was computed at,
 * and recomputes only the nodes that moved — a scan of integers, not of pods:
 *
 *   sync(nodes)   nodes[i].generation === generations[i] → keep entries[i]
 *                 otherwise → remove(entries[i]); entries[i] = compute(nodes[i]); add(entries[i])
 *
 * A node added or removed changes the snapshot's list itself (a new array), and the aggregate is then
 * rebuilt from scratch. The caller owns the sum; `add` and `remove` must be exact inverses.
 */
import type { Selector } from '../../api/labels.js';
import type { NodeInfo } from './node-info.js';

export interface AggregateOperations<Entry> {
  /** The node's contribution, or undefined for none. */
  compute(node: NodeInfo): Entry | undefined;
  add(entry: Entry): void;
  remove(entry: Entry): void;
  /** Forgets the whole sum (before a rebuild). */
  reset(): void;
}

export class NodeAggregate<Entry> {
  readonly #operations: AggregateOperations<Entry>;
  #nodes: readonly NodeInfo[] | undefined;
  #generations: number[] = [];
  #entries: (Entry | undefined)[] = [];

  constructor(operations: AggregateOperations<Entry>) {
    this.#operations = operations;
  }

  /** Brings the sum up to date with `nodes` (the snapshot's list). */
  sync(nodes: readonly NodeInfo[]): void {
    const operations = this.#operations;
    if (nodes !== this.#nodes) {
      operations.reset();
      this.#nodes = nodes;
      this.#generations = new Array(nodes.length);
      this.#entries = new Array(nodes.length);
      for (let index = 0; index < nodes.length; index++) {
        const node = nodes[index]!;
        const entry = operations.compute(node);
        this.#entries[index] = entry;
        this.#generations[index] = node.generation;
        if (entry !== undefined) operations.add(entry);
      }
      return;
    }
    const generations = this.#generations;
    for (let index = 0; index < nodes.length; index++) {
      const node = nodes[index]!;
      if (node.generation === generations[index]) continue;
      const old = this.#entries[index];
      if (old !== undefined) operations.remove(old);
      const entry = operations.compute(node);
      this.#entries[index] = entry;
      generations[index] = node.generation;
      if (entry !== undefined) operations.add(entry);
    }
  }
}

/**
 * Aggregates by signature, so pods that share one (the replicas of a Deployment) share one index; the
 * least recently used are dropped beyond `capacity`.
 */
export class AggregateCache<T> {
  readonly #capacity: number;
  readonly #items = new Map<string, T>();

  constructor(capacity = 32) {
    this.#capacity = capacity;
  }

  get(signature: string, make: () => T): T {
    let item = this.#items.get(signature);
    if (item !== undefined) {
      this.#items.delete(signature);
      this.#items.set(signature, item);
      return item;
    }
    item = make();
    this.#items.set(signature, item);
    if (this.#items.size > this.#capacity) this.#items.delete(this.#items.keys().next().value!);
    return item;
  }
}

/** A selector's identity in signatures: its canonical text, with "nothing" told apart from "everything". */
export function selectorKey(selector: Selector): string {
  return `${selector.empty ? 'all' : selector.requirements.length === 0 ? 'none' : 'some'}:${selector.toString()}`;
}
