import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openLevelStore } from './level.js';

/**
 * kill -9 at a random moment loses no acknowledged write: a child writes and reports each acknowledged
 * revision; the parent kills it mid-stream, reopens the store and finds every reported write.
 */
const writerScript = fileURLToPath(new URL('./testing/crash-writer.ts', import.meta.url));
const directories: string[] = [];

afterAll(async () => {
  for (const directory of directories) await rm(directory, { recursive: true, force: true });
});

interface Acknowledged {
  readonly revision: number;
  readonly key: string;
  readonly value: string;
}

/** Runs the writer until SIGKILL after `killAfterMs`; returns what it acknowledged. */
function writeThenKill(directory: string, killAfterMs: number): Promise<Acknowledged[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writerScript, directory], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acknowledged: Acknowledged[] = [];
    let buffer = '';
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'ready') setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        else {
          const [revision, key, value] = line.split(' ');
          acknowledged.push({ revision: Number(revision), key: key!, value: value! });
        }
      }
    });
    child.on('exit', (_code, signal) => {
      if (signal === 'SIGKILL') resolve(acknowledged);
      else reject(new Error(`writer exited on its own (${String(_code)}): ${errors}`));
    });
  });
}

describe('crash safety of the LevelDB store', () => {
  it('finds every acknowledged write after kill -9, and revisions keep rising', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'skiff-crash-'));
    directories.push(directory);
    let highest = 0;
    // Three rounds on one directory: each restart must open what the previous kill left.
    for (let round = 0; round < 3; round++) {
      const acknowledged = await writeThenKill(directory, 150 + Math.floor(Math.random() * 600));
      expect(acknowledged.length).toBeGreaterThan(100);
      const store = await openLevelStore(directory);
      try {
        const revision = await store.currentRevision();
        const lastAcknowledged = Math.max(...acknowledged.map((write) => write.revision));
        expect(revision).toBeGreaterThanOrEqual(lastAcknowledged);
        expect(lastAcknowledged).toBeGreaterThan(highest);
        highest = revision;
        const decoder = new TextDecoder();
        const missing: Acknowledged[] = [];
        for (const write of acknowledged) {
          const kv = await store.get(write.key, { revision: write.revision });
          if (!kv || kv.modRevision !== write.revision || decoder.decode(kv.value) !== write.value)
            missing.push(write);
        }
        expect(missing).toEqual([]);
      } finally {
        await store.close();
      }
    }
  }, 60_000);
});
