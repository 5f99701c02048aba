import { mkdir } from 'node:fs/promises';
import { ClassicLevel } from 'classic-level';
import { MvccStore, type Persistence } from './mvcc-store.js';
import { decodeEvent, encodeEvent } from './record.js';
import type { WatchEvent } from './types.js';

/**
 * LevelDB on disk, the embedded default (`level:///var/lib/skiff`).
 *
 * Layout: one record per kept revision under `r` + the revision as 16 hex digits (so LevelDB's byte order
 * is revision order), and `meta:compact` holding the compaction point. Appends are one `batch` with
 * `sync: true`: LevelDB writes the batch to its log and fsyncs before the promise resolves, and the batch
 * is atomic, so after `kill -9` a write is either wholly there or was never acknowledged.
 */
const COMPACT_KEY = 'meta:compact';
const revisionKey = (revision: number) => `r${revision.toString(16).padStart(16, '0')}`;

class LevelPersistence implements Persistence {
  readonly #db: ClassicLevel<string, Uint8Array>;

  constructor(db: ClassicLevel<string, Uint8Array>) {
    this.#db = db;
  }

  async load(): Promise<{ events: WatchEvent[]; compactRevision: number }> {
    const compactRecord = await this.#db.get(COMPACT_KEY);
    const compactRevision = compactRecord ? Number(Buffer.from(compactRecord).toString('ascii')) : 0;
    const events: WatchEvent[] = [];
    for await (const [key, value] of this.#db.iterator({ gte: 'r', lt: 's' })) {
      events.push(decodeEvent(Number.parseInt(key.slice(1), 16), value));
    }
    return { events, compactRevision };
  }

  append(events: readonly WatchEvent[]): Promise<void> {
    return this.#db.batch(
      events.map((event) => ({
        type: 'put' as const,
        key: revisionKey(event.revision),
        value: encodeEvent(event),
      })),
      { sync: true },
    );
  }

  async compact(compactRevision: number, removed: readonly number[]): Promise<void> {
    await this.#db.batch(
      [
        { type: 'put' as const, key: COMPACT_KEY, value: Buffer.from(String(compactRevision), 'ascii') },
        ...removed.map((revision) => ({ type: 'del' as const, key: revisionKey(revision) })),
      ],
      { sync: true },
    );
    // LevelDB frees deleted records' space only when it compacts the files that hold them. Ask it to,
    // over the revisions just forgotten, so the directory tracks the live data instead of all history.
    if (removed.length > 0) await this.#db.compactRange(revisionKey(0), revisionKey(compactRevision + 1));
  }

  close(): Promise<void> {
    return this.#db.close();
  }
}

export async function openLevelStore(directory: string): Promise<MvccStore> {
  await mkdir(directory, { recursive: true });
  const db = new ClassicLevel<string, Uint8Array>(directory, { keyEncoding: 'utf8', valueEncoding: 'view' });
  await db.open();
  return MvccStore.open({ kind: 'level', persistence: new LevelPersistence(db) });
}
