/**
 * Container logs as the kubelet serves them: reading the CRI-format files the runtime writes and turning
 * them back into the container's output, with `kubectl logs`' options.
 *
 * A CRI log file holds one record per line, `<RFC3339Nano time> <stdout|stderr> <P|F> <text>`:
 *
 *   2026-11-22T03:36:38.504488024Z stderr F line-err-1
 *   2026-11-22T03:36:38.705986336Z stdout P xxxx…(the first 16384 bytes of a long line)
 *   2026-11-22T03:36:38.706060315Z stdout F xxxx…(the rest, and the end of that line)
 *
 * A `P` record is part of a line and an `F` record ends it, so the output is each record's text with a
 * newline after every `F` record; with `timestamps` the time of a line's first record goes before it
 * (`2026-11-22T03:36:38.504488024Z line-err-1`). Partial lines are tracked per stream, since stdout and
 * stderr records interleave.
 *
 * The options mean what they mean to the kubelet:
 * - `tailLines`: start at the N-th record from the end. Like the kubelet, N counts records (a long line's
 *   `P` parts each count), and an unfinished last record does not count. Found by reading backwards in
 *   64 KiB chunks, so the cost is the tail's size, not the file's.
 * - `since`: records stamped before it are skipped.
 * - `limitBytes`: output (timestamps included) stops after this many bytes, mid-line if need be.
 * - `stream`: only stdout or stderr records (`All` by default).
 * - `follow`: at the end of the file, wait for more (fs.watch on the directory, and a poll as a
 *   fallback) until `containerEnded` settles — then read to the end once more and stop — or `signal`
 *   aborts. A rotation (the file renamed away and a new one created at the path, as CRI's
 *   ReopenContainerLog does) is followed: the old file is read to its end, then the new one from its start.
 */
import { type FSWatcher, watch } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Writable } from 'node:stream';
import { type Clock, systemClock } from '../client/clock.js';

export type LogStreamSelection = 'All' | 'Stdout' | 'Stderr';

export interface ContainerLogOptions {
  readonly follow?: boolean;
  /** The last N records; absent: the whole file. */
  readonly tailLines?: number;
  /** Milliseconds since the epoch (fractions allowed); earlier records are skipped. */
  readonly since?: number;
  readonly timestamps?: boolean;
  readonly limitBytes?: number;
  readonly stream?: LogStreamSelection;
}

export interface ReadContainerLogOptions extends ContainerLogOptions {
  readonly path: string;
  readonly output: Writable;
  /** With `follow`: settles once the container has exited; reading then stops at the end of the file. */
  readonly containerEnded?: Promise<unknown>;
  /** The client went away: stop at once. */
  readonly signal?: AbortSignal;
  readonly clock?: Clock;
  /** How often a follow looks at the file when no change notification came. Default 1 s. */
  readonly pollIntervalMs?: number;
}

const chunkBytes = 64 * 1024;
const newline = 0x0a;

/**
 * Writes the container's output from the log at `path` to `output` (which it does not end). Resolves
 * when done: at the end of the file, at `limitBytes`, or, following, once the container ended or the
 * signal aborted. A missing file is an empty log (a follow waits for it to appear).
 */
export async function readContainerLog(options: ReadContainerLogOptions): Promise<void> {
  const reader = new LogReader(options);
  try {
    await reader.run();
  } finally {
    await reader.close();
  }
}

/** `2026-11-22T03:36:38.500Z` → `2026-11-22T03:36:38.5Z`: Go's RFC3339Nano drops trailing zeros. */
export function formatLogTimestamp(timestamp: string): string {
  return timestamp.replace(/\.(\d*?)0+(?=Z|[+-]\d\d:\d\d$)/, (_match, digits: string) =>
    digits === '' ? '' : `.${digits}`,
  );
}

/** Milliseconds since the epoch, with the sub-millisecond digits as a fraction; NaN when unreadable. */
export function parseLogTimestamp(timestamp: string): number {
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(timestamp);
  if (!match) return Number.NaN;
  const seconds = Date.parse(`${match[1]}${match[3]}`);
  const fraction = match[2] ? Number(`0.${match[2]}`) * 1000 : 0;
  return seconds + fraction;
}

interface LogRecord {
  readonly timestamp: string;
  readonly stream: 'stdout' | 'stderr';
  readonly partial: boolean;
  readonly text: Buffer;
}

/** One CRI record (without its newline); undefined when the line is not one. */
export function parseLogRecord(line: Buffer): LogRecord | undefined {
  const first = line.indexOf(0x20);
  if (first <= 0) return undefined;
  const second = line.indexOf(0x20, first + 1);
  if (second < 0) return undefined;
  const stream = line.toString('latin1', first + 1, second);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const third = line.indexOf(0x20, second + 1);
  const tag = line.toString('latin1', second + 1, third < 0 ? line.length : third);
  return {
    timestamp: line.toString('latin1', 0, first),
    stream,
    // Tags are `:`-separated; the first says whether the record ends its line.
    partial: tag.split(':')[0] === 'P',
    text: third < 0 ? Buffer.alloc(0) : line.subarray(third + 1),
  };
}

class LogReader {
  readonly #options: ReadContainerLogOptions;
  readonly #clock: Clock;
  readonly #selection: LogStreamSelection;
  #file: FileHandle | undefined;
  #inode = -1;
  #position = 0;
  /** Bytes after the last newline read: an unfinished record. */
  #carry: Buffer = Buffer.alloc(0);
  /** Whether the next record of each stream starts a line (and so gets a timestamp). */
  readonly #atLineStart = { stdout: true, stderr: true };
  #remaining: number;
  #ended = false;
  #watcher: FSWatcher | undefined;
  #wake: (() => void) | undefined;
  /** Something may have changed since the current pass began (a notification, the end, an abort). */
  #dirty = false;

  constructor(options: ReadContainerLogOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#selection = options.stream ?? 'All';
    this.#remaining = options.limitBytes ?? Number.POSITIVE_INFINITY;
    options.containerEnded?.then(
      () => this.#markEnded(),
      () => this.#markEnded(),
    );
    options.signal?.addEventListener('abort', () => this.#notify(), { once: true });
  }

  async run(): Promise<void> {
    const { follow } = this.#options;
    if (!(await this.#openCurrent())) {
      if (!follow) return;
    } else if (this.#options.tailLines !== undefined) {
      this.#position = await this.#tailStart(this.#options.tailLines);
    }
    if (follow) this.#startWatching();
    for (;;) {
      if (this.#stopped()) return;
      this.#dirty = false;
      // Whether the container had ended before this pass: if so, this pass reads the last of it.
      const lastPass = this.#ended;
      const progressed = await this.#readToEnd();
      if (this.#stopped()) return;
      if (!follow) return this.#flushUnfinished();
      if (progressed) continue;
      if (await this.#followRotation()) continue;
      if (lastPass) return this.#flushUnfinished();
      await this.#waitForChange();
    }
  }

  async close(): Promise<void> {
    this.#watcher?.close();
    this.#watcher = undefined;
    await this.#file?.close();
    this.#file = undefined;
  }

  #stopped(): boolean {
    return this.#options.signal?.aborted === true || this.#remaining <= 0;
  }

  #markEnded(): void {
    this.#ended = true;
    this.#notify();
  }

  #notify(): void {
    this.#dirty = true;
    this.#wake?.();
  }

  /** Opens the file now at the path; false when there is none. */
  async #openCurrent(): Promise<boolean> {
    try {
      const file = await open(this.#options.path, 'r');
      this.#inode = (await file.stat()).ino;
      this.#file = file;
      this.#position = 0;
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  /**
   * Where the last `count` records (of the selected streams) begin: scans backwards chunk by chunk,
   * splitting off whole lines from the end, until it has seen enough of them or reached the start.
   */
  async #tailStart(count: number): Promise<number> {
    const file = this.#file!;
    const size = (await file.stat()).size;
    if (count <= 0) return this.#completeRecordsEnd(size);
    let position = size;
    // Bytes from `position` up to the end of the last complete line not yet counted.
    let pending: Buffer = Buffer.alloc(0);
    let counted = 0;
    let trailingChecked = false;
    while (position > 0) {
      const length = Math.min(chunkBytes, position);
      position -= length;
      const chunk = Buffer.allocUnsafe(length);
      await readFully(file, chunk, position);
      pending = pending.length === 0 ? chunk : Buffer.concat([chunk, pending]);
      if (!trailingChecked) {
        // An unfinished last record (no newline yet) is not a line: drop it from the count.
        const lastNewline = pending.lastIndexOf(newline);
        if (lastNewline < 0) continue;
        pending = pending.subarray(0, lastNewline + 1);
        trailingChecked = true;
      }
      // Each newline before the final one closes the line before it: the line after it is complete.
      let end = pending.length - 1;
      for (;;) {
        const start = pending.lastIndexOf(newline, end - 1);
        if (start < 0) break;
        if (this.#selected(pending.subarray(start + 1, end)) && ++counted === count) {
          return position + start + 1;
        }
        end = start;
      }
      pending = pending.subarray(0, end + 1);
    }
    return 0;
  }

  /** The offset just after the last newline before `size` (where a tail of 0 starts). */
  async #completeRecordsEnd(size: number): Promise<number> {
    let position = size;
    while (position > 0) {
      const length = Math.min(chunkBytes, position);
      position -= length;
      const chunk = Buffer.allocUnsafe(length);
      await readFully(this.#file!, chunk, position);
      const index = chunk.lastIndexOf(newline);
      if (index >= 0) return position + index + 1;
    }
    return 0;
  }

  #selected(line: Buffer): boolean {
    if (this.#selection === 'All') return true;
    const record = parseLogRecord(line);
    return record !== undefined && record.stream === this.#selection.toLowerCase();
  }

  /** Reads from the current position to the end of the file; whether anything was read. */
  async #readToEnd(): Promise<boolean> {
    const file = this.#file;
    if (!file) return false;
    let progressed = false;
    const buffer = Buffer.allocUnsafe(chunkBytes);
    for (;;) {
      if (this.#stopped()) return progressed;
      const { bytesRead } = await file.read(buffer, 0, buffer.length, this.#position);
      if (bytesRead === 0) return progressed;
      progressed = true;
      this.#position += bytesRead;
      const data =
        this.#carry.length === 0
          ? buffer.subarray(0, bytesRead)
          : Buffer.concat([this.#carry, buffer.subarray(0, bytesRead)]);
      const lastNewline = data.lastIndexOf(newline);
      if (lastNewline < 0) {
        this.#carry = Buffer.from(data);
        continue;
      }
      this.#carry = Buffer.from(data.subarray(lastNewline + 1));
      await this.#emitLines(data.subarray(0, lastNewline + 1));
    }
  }

  /** An unfinished record at the very end is shown as it is when reading stops (as the kubelet does). */
  async #flushUnfinished(): Promise<void> {
    if (this.#carry.length === 0) return;
    const line = this.#carry;
    this.#carry = Buffer.alloc(0);
    await this.#write(this.#render([line]));
  }

  async #emitLines(data: Buffer): Promise<void> {
    const lines: Buffer[] = [];
    let start = 0;
    for (;;) {
      const end = data.indexOf(newline, start);
      if (end < 0) break;
      lines.push(data.subarray(start, end));
      start = end + 1;
    }
    await this.#write(this.#render(lines));
  }

  #render(lines: readonly Buffer[]): Buffer {
    const parts: Buffer[] = [];
    const { since, timestamps } = this.#options;
    for (const line of lines) {
      const record = parseLogRecord(line);
      if (!record) continue;
      const startsLine = this.#atLineStart[record.stream];
      this.#atLineStart[record.stream] = !record.partial;
      if (this.#selection !== 'All' && record.stream !== this.#selection.toLowerCase()) continue;
      if (since !== undefined && parseLogTimestamp(record.timestamp) < since) continue;
      if (timestamps && startsLine) parts.push(Buffer.from(`${formatLogTimestamp(record.timestamp)} `));
      parts.push(record.text);
      if (!record.partial) parts.push(newlineBuffer);
    }
    return Buffer.concat(parts);
  }

  async #write(data: Buffer): Promise<void> {
    if (data.length === 0 || this.#remaining <= 0) return;
    const piece = data.length > this.#remaining ? data.subarray(0, this.#remaining) : data;
    this.#remaining -= piece.length;
    const { output } = this.#options;
    if (output.destroyed) return;
    if (!output.write(piece)) await drained(output, this.#options.signal);
  }

  /**
   * At the end of the file: has the path been given to a new file (a rotation)? Then the old one,
   * already read to its end, is closed and the new one read from its start. While the path is missing
   * (renamed, not yet reopened) the old file is kept: the runtime still writes to it.
   */
  async #followRotation(): Promise<boolean> {
    let current: number;
    try {
      current = (await stat(this.#options.path)).ino;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    if (this.#file && current === this.#inode) return false;
    // Whatever the runtime wrote to the old file before switching is read first.
    if (await this.#readToEnd()) return true;
    await this.#flushUnfinished();
    await this.#file?.close();
    this.#file = undefined;
    return this.#openCurrent();
  }

  #startWatching(): void {
    try {
      // The directory, so that a rename or a new file at the path is seen as well as writes.
      const name = basename(this.#options.path);
      this.#watcher = watch(dirname(this.#options.path), { persistent: false }, (_event, changed) => {
        if (changed === null || changed.toString() === name || changed.toString().startsWith(name)) {
          this.#notify();
        }
      });
      this.#watcher.on('error', () => {
        // Polling still runs.
        this.#watcher?.close();
        this.#watcher = undefined;
      });
    } catch {
      // No watch (the directory is gone, or watches are exhausted): polling alone.
    }
  }

  #waitForChange(): Promise<void> {
    return new Promise((resolve) => {
      const cancel = this.#clock.setTimer(() => finish(), this.#options.pollIntervalMs ?? 1000);
      const finish = () => {
        cancel();
        this.#wake = undefined;
        resolve();
      };
      this.#wake = finish;
      if (this.#dirty) finish();
    });
  }
}

const newlineBuffer = Buffer.from('\n');

async function readFully(file: FileHandle, buffer: Buffer, position: number): Promise<void> {
  let offset = 0;
  while (offset < buffer.length) {
    const { bytesRead } = await file.read(buffer, offset, buffer.length - offset, position + offset);
    if (bytesRead === 0) throw new Error('log file shrank while reading it');
    offset += bytesRead;
  }
}

function drained(output: Writable, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const finish = () => {
      output.off('drain', finish);
      output.off('close', finish);
      signal?.removeEventListener('abort', finish);
      resolve();
    };
    output.on('drain', finish);
    output.on('close', finish);
    signal?.addEventListener('abort', finish, { once: true });
  });
}
