/**
 * A set that holds at most `capacity` members, forgetting the least recently used first (upstream's
 * ReferenceCache, an LRU of 500 absent owners). A Map keeps insertion order, so re-inserting a member
 * on every touch makes the first key the least recently used one:
 *
 *   capacity 2: add(a), add(b)  → [a, b]
 *               has(a)          → [b, a]   (a touched)
 *               add(c)          → [a, c]   (b, the least recently used, forgotten)
 */
export class LruSet {
  readonly #capacity: number;
  /** Members in use order, least recent first; the values are unused. */
  readonly #members = new Map<string, true>();

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('capacity must be a positive integer');
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#members.size;
  }

  /** Whether `member` is held; a hit counts as a use. */
  has(member: string): boolean {
    if (!this.#members.has(member)) return false;
    this.#members.delete(member);
    this.#members.set(member, true);
    return true;
  }

  add(member: string): void {
    this.#members.delete(member);
    this.#members.set(member, true);
    if (this.#members.size > this.#capacity) {
      const leastRecent = this.#members.keys().next().value;
      if (leastRecent !== undefined) this.#members.delete(leastRecent);
    }
  }
}
