/**
 * The audit log's file backend: one JSON line per event, appended to a file or written to stdout (`-`),
 * as kube-apiserver's --audit-log-path does.
 *
 * A request never waits for the log. `write` appends the line to an in-memory batch and returns; the
 * batch goes to the stream in one write on the next turn of the event loop (or at once past 64 KiB).
 * If the disk cannot keep up and more than `maxBufferedBytes` are waiting in the stream, events are
 * dropped and counted in `dropped` — upstream's "batch" mode behaves alike when its buffer is full;
 * its default "blocking" mode would instead slow every request down to the disk's pace.
 */
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { AuditEvent } from './event.js';

export interface AuditBackend {
  write(event: AuditEvent): void;
  /** Writes what is batched and waits for it to reach the file. */
  close(): Promise<void>;
}

export interface AuditLogWriterOptions {
  /** A file path (created or appended to, mode 0600), or `-` for stdout. */
  readonly path?: string;
  /** Or the stream itself (tests). */
  readonly stream?: Writable;
  /** Bytes allowed to wait in the stream before events are dropped; default 64 MiB. */
  readonly maxBufferedBytes?: number;
}

const flushThreshold = 64 * 1024;

export class AuditLogWriter implements AuditBackend {
  readonly #stream: Writable;
  readonly #ownsStream: boolean;
  readonly #maxBufferedBytes: number;
  /** Lines not yet handed to the stream; flushed together by `#flush`. */
  #batch: string[] = [];
  #batchBytes = 0;
  #flushScheduled = false;
  #dropped = 0;
  #closing: Promise<void> | undefined;

  constructor(options: AuditLogWriterOptions) {
    if (options.stream) {
      this.#stream = options.stream;
      this.#ownsStream = false;
    } else if (options.path === '-') {
      this.#stream = process.stdout;
      this.#ownsStream = false;
    } else if (options.path) {
      this.#stream = createWriteStream(options.path, { flags: 'a', mode: 0o600 });
      this.#ownsStream = true;
    } else {
      throw new Error('an audit log needs a path or a stream');
    }
    this.#maxBufferedBytes = options.maxBufferedBytes ?? 64 * 1024 * 1024;
    // A failing disk must not crash the server; the events are lost, as they would be anyway.
    this.#stream.on('error', (error) => console.error(`audit log: ${error.message}`));
  }

  /** Events lost because the stream was too far behind. */
  get dropped(): number {
    return this.#dropped;
  }

  write(event: AuditEvent): void {
    if (this.#stream.writableLength > this.#maxBufferedBytes) {
      this.#dropped++;
      return;
    }
    const line = `${JSON.stringify(event)}\n`;
    this.#batch.push(line);
    this.#batchBytes += line.length;
    if (this.#batchBytes >= flushThreshold) this.#flush();
    else if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.#flush());
    }
  }

  #flush(): void {
    this.#flushScheduled = false;
    if (this.#batch.length === 0) return;
    const text = this.#batch.join('');
    this.#batch = [];
    this.#batchBytes = 0;
    this.#stream.write(text);
  }

  /** Safe to call more than once: later calls wait for the first. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#flush();
    if (!this.#ownsStream) {
      if (this.#stream.writableLength === 0) return;
      await new Promise<void>((resolve) => this.#stream.once('drain', () => resolve()));
      return;
    }
    await new Promise<void>((resolve) => this.#stream.end(() => resolve()));
  }
}
