/**
 * Bytes received but not yet parsed, kept as the chunks the socket delivered. Frame parsers peek at a
 * header and take a payload without concatenating every chunk into one growing buffer, so a 16 MiB
 * frame that arrives in 64 KiB pieces is copied once, not 256 times.
 *
 *   queue.push(a); queue.push(b);     // a = [1,2,3], b = [4,5]
 *   queue.byteAt(3)                   // 4
 *   queue.take(4)                     // [1,2,3,4]; queue.length is now 1
 */
export class ByteQueue {
  readonly #chunks: Buffer[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }

  /** The byte at `offset` (which must be below `length`). */
  byteAt(offset: number): number {
    let rest = offset;
    for (const chunk of this.#chunks) {
      if (rest < chunk.length) return chunk[rest]!;
      rest -= chunk.length;
    }
    throw new RangeError(`offset ${offset} beyond ${this.#length} queued bytes`);
  }

  /** The first `count` bytes, left in the queue (a copy only when they span chunks). */
  peek(count: number): Buffer {
    const first = this.#chunks[0];
    if (first !== undefined && first.length >= count) return first.subarray(0, count);
    return this.#copy(count, false);
  }

  /** Removes and returns the first `count` bytes. */
  take(count: number): Buffer {
    const first = this.#chunks[0];
    if (first !== undefined && first.length >= count) {
      const taken = first.subarray(0, count);
      if (first.length === count) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(count);
      this.#length -= count;
      return taken;
    }
    return this.#copy(count, true);
  }

  #copy(count: number, remove: boolean): Buffer {
    if (count > this.#length) throw new RangeError(`${count} bytes wanted, ${this.#length} queued`);
    const out = Buffer.allocUnsafe(count);
    let written = 0;
    let index = 0;
    while (written < count) {
      const chunk = this.#chunks[index]!;
      const part = Math.min(chunk.length, count - written);
      chunk.copy(out, written, 0, part);
      written += part;
      if (remove) {
        if (part === chunk.length) this.#chunks.shift();
        else this.#chunks[0] = chunk.subarray(part);
      } else {
        index++;
      }
    }
    if (remove) this.#length -= count;
    return out;
  }
}
