/**
 * A binary heap with keyed access: add (or replace) an item by key, look it up, delete it from the
 * middle, and pop the least — each in O(log n). The scheduling queue's active and backoff parts are two
 * of these.
 *
 * Invariant: `#positions.get(keyOf(item))` is the item's index in `#items`; every move in `#swap` keeps it.
 */
export class Heap<T> {
  readonly #items: T[] = [];
  readonly #positions = new Map<string, number>();
  readonly #keyOf: (item: T) => string;
  readonly #less: (a: T, b: T) => boolean;

  constructor(keyOf: (item: T) => string, less: (a: T, b: T) => boolean) {
    this.#keyOf = keyOf;
    this.#less = less;
  }

  get size(): number {
    return this.#items.length;
  }

  has(key: string): boolean {
    return this.#positions.has(key);
  }

  get(key: string): T | undefined {
    const index = this.#positions.get(key);
    return index === undefined ? undefined : this.#items[index];
  }

  /** Adds `item`, or replaces the item with its key (and moves it to where it now belongs). */
  add(item: T): void {
    const key = this.#keyOf(item);
    const index = this.#positions.get(key);
    if (index !== undefined) {
      this.#items[index] = item;
      this.#fix(index);
      return;
    }
    this.#items.push(item);
    this.#positions.set(key, this.#items.length - 1);
    this.#up(this.#items.length - 1);
  }

  delete(key: string): T | undefined {
    const index = this.#positions.get(key);
    if (index === undefined) return undefined;
    const item = this.#items[index]!;
    const last = this.#items.length - 1;
    if (index !== last) this.#swap(index, last);
    this.#items.pop();
    this.#positions.delete(key);
    if (index !== last) this.#fix(index);
    return item;
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  pop(): T | undefined {
    const top = this.#items[0];
    if (top === undefined) return undefined;
    this.delete(this.#keyOf(top));
    return top;
  }

  /** The items in no particular order. */
  list(): T[] {
    return [...this.#items];
  }

  #fix(index: number): void {
    if (!this.#up(index)) this.#down(index);
  }

  #up(index: number): boolean {
    let moved = false;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.#less(this.#items[index]!, this.#items[parent]!)) break;
      this.#swap(index, parent);
      index = parent;
      moved = true;
    }
    return moved;
  }

  #down(index: number): void {
    const length = this.#items.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) return;
      const right = left + 1;
      let least = left;
      if (right < length && this.#less(this.#items[right]!, this.#items[left]!)) least = right;
      if (!this.#less(this.#items[least]!, this.#items[index]!)) return;
      this.#swap(index, least);
      index = least;
    }
  }

  #swap(i: number, j: number): void {
    const a = this.#items[i]!;
    const b = this.#items[j]!;
    this.#items[i] = b;
    this.#items[j] = a;
    this.#positions.set(this.#keyOf(b), i);
    this.#positions.set(this.#keyOf(a), j);
  }
}
