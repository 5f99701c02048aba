/**
 * The child half of the crash test: writes to a LevelDB store as fast as it can with 32 concurrent
 * writers and prints one line per acknowledged write, `<revision> <key> <value>`, until it is killed.
 * Usage: node --import tsx store/testing/crash-writer.ts DIR
 */
import { openLevelStore } from '../level.js';

const directory = process.argv[2];
if (!directory) throw new Error('usage: crash-writer.ts DIR');
const store = await openLevelStore(directory);
const encoder = new TextEncoder();
let sequence = 0;
// Half the writes create fresh keys, half overwrite a small set, so updates of a hot key are covered too.
async function writer(id: number): Promise<never> {
  for (;;) {
    const n = sequence++;
    const value = `${id}-${n}`;
    let result: Awaited<ReturnType<typeof store.create>>;
    if (n % 2 === 0) {
      const key = `/crash/new/${n}`;
      result = await store.create(key, encoder.encode(value));
      if (result.ok) process.stdout.write(`${result.revision} ${key} ${value}\n`);
    } else {
      const key = `/crash/hot/${n % 16}`;
      const current = await store.get(key);
      result = current
        ? await store.update(key, encoder.encode(value), current.modRevision)
        : await store.create(key, encoder.encode(value));
      if (result.ok) process.stdout.write(`${result.revision} ${key} ${value}\n`);
    }
  }
}
process.stdout.write('ready\n');
await Promise.all(Array.from({ length: 32 }, (_, id) => writer(id)));
