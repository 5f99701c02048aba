import { MvccStore, type Persistence } from './mvcc-store.js';

/** Remembers nothing: the `memory://` store for tests and `--ephemeral` runs. Writes still batch per tick. */
const forgetful: Persistence = {
  load: async () => ({ events: [], compactRevision: 0 }),
  append: async () => {},
  compact: async () => {},
  close: async () => {},
};

export function openMemoryStore(): Promise<MvccStore> {
  return MvccStore.open({ kind: 'memory', persistence: forgetful });
}
