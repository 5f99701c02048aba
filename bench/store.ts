import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEtcdStore } from '../store/etcd.js';
import { openLevelStore } from '../store/level.js';
import { openMemoryStore } from '../store/memory.js';
import { etcdAvailable, startEtcd } from '../store/testing/etcd-process.js';
import type { Store } from '../store/types.js';
import { formatNumber, now, printTable, summarize, throughput } from './stats.js';

/**
 * The store benchmark: durable creates and compare-and-swap updates (sequential and 64 writers) with a
 * 4.6 KB Pod, get, a 10,000-key list, and write-to-delivery delay at 1,000 watchers, for each backend.
 */
interface Figures {
  createsSequential: number;
  creates64: number;
  updatesSequential: number;
  updates64: number;
  getMicros: number;
  list10kMs: number;
  watchP50: number;
  watchP99: number;
}

const pod = new TextEncoder().encode(
  JSON.stringify(JSON.parse(await readFile(new URL('./fixtures/pod.json', import.meta.url), 'utf8'))),
);

async function measure(store: Store, label: string): Promise<Figures> {
  const sequentialCount = store.kind === 'memory' ? 20_000 : 2_000;
  const concurrentCount = store.kind === 'memory' ? 100_000 : 20_000;
  const log = (step: string) => process.stderr.write(`  ${label}: ${step}\n`);

  log('creates');
  const createsSequential = await throughput(sequentialCount, 1, (i) =>
    store.create(`/bench/seq/pod-${i}`, pod),
  );
  const creates64 = await throughput(concurrentCount, 64, (i) => store.create(`/bench/pods/pod-${i}`, pod));

  log('updates');
  const revisions = new Map<string, number>();
  for (let i = 0; i < 64; i++) {
    const kv = (await store.get(`/bench/pods/pod-${i}`))!;
    revisions.set(kv.key, kv.modRevision);
  }
  const update = async (key: string) => {
    const result = await store.update(key, pod, revisions.get(key)!);
    if (!result.ok) throw new Error(`unexpected conflict on ${key}`);
    revisions.set(key, result.revision);
  };
  const updatesSequential = await throughput(sequentialCount, 1, () => update('/bench/pods/pod-0'));
  // Each of the 64 writers updates its own key, as 64 controllers would.
  const updates64 = await throughput(concurrentCount, 64, (_, worker) => update(`/bench/pods/pod-${worker}`));

  log('get');
  const gets = 10_000;
  let started = now();
  for (let i = 0; i < gets; i++) await store.get(`/bench/pods/pod-${(i * 7919) % concurrentCount}`);
  const getMicros = ((now() - started) * 1000) / gets;

  log('list');
  for (let i = 0; i < 10_000; i += 1000) {
    await Promise.all(Array.from({ length: 1000 }, (_, j) => store.create(`/bench/list/pod-${i + j}`, pod)));
  }
  const listTimes: number[] = [];
  for (let i = 0; i < 5; i++) {
    started = now();
    const listed = await store.list({ prefix: '/bench/list/' });
    listTimes.push(now() - started);
    if (listed.items.length !== 10_000) throw new Error(`listed ${listed.items.length}`);
  }
  const list10kMs = summarize(listTimes).p50;

  log('watch');
  const watchers = 1000;
  const writes = 50;
  // Writes go one at a time, each waiting until every watcher has it, so delays do not pile up.
  let writeStartedAt = 0;
  const delays: number[] = [];
  let pending = 0;
  let allDelivered: (() => void) | undefined;
  const base = await store.currentRevision();
  const streams = Array.from({ length: watchers }, () => store.watch('/bench/watch/', base));
  const consumers = streams.map(async (stream) => {
    for await (const message of stream) {
      if (message.type === 'progress') continue;
      delays.push(now() - writeStartedAt);
      if (--pending === 0) allDelivered?.();
    }
  });
  // etcd confirms each watch asynchronously; give the streams a moment to be registered.
  await new Promise((resolve) => setTimeout(resolve, store.kind === 'etcd' ? 2000 : 10));
  for (let i = 0; i < writes; i++) {
    pending = watchers;
    const delivered = new Promise<void>((resolve) => {
      allDelivered = resolve;
    });
    writeStartedAt = now();
    const result = await store.create(`/bench/watch/pod-${i}`, pod);
    if (!result.ok) throw new Error('watch write failed');
    await delivered;
  }
  for (const stream of streams) stream.close();
  await Promise.allSettled(consumers);
  const watch = summarize(delays);
  return {
    createsSequential,
    creates64,
    updatesSequential,
    updates64,
    getMicros,
    list10kMs,
    watchP50: watch.p50,
    watchP99: watch.p99,
  };
}

export async function run(): Promise<void> {
  const results = new Map<string, Figures>();
  const directories: string[] = [];

  console.error('memory');
  const memory = await openMemoryStore();
  results.set('memory', await measure(memory, 'memory'));
  await memory.close();

  console.error('level');
  const directory = await mkdtemp(join(tmpdir(), 'skiff-bench-'));
  directories.push(directory);
  const level = await openLevelStore(directory);
  results.set('level', await measure(level, 'level'));
  await level.close();

  if (etcdAvailable()) {
    console.error('etcd');
    const etcd = await startEtcd();
    try {
      const client = await openEtcdStore({ endpoints: [etcd.endpoint] });
      results.set('etcd', await measure(client, 'etcd'));
      await client.close();
    } finally {
      await etcd.stop();
    }
  } else if (process.env.CI === 'true') {
    throw new Error('etcd is required in CI');
  } else {
    console.error('etcd not found (apt-get install etcd-server): etcd column left out');
  }
  for (const dir of directories) await rm(dir, { recursive: true, force: true });

  const backends = [...results.keys()];
  const rows: [string, (f: Figures) => number, number, boolean][] = [
    ['durable creates/s, sequential', (f) => f.createsSequential, 0, true],
    ['durable creates/s, 64 writers', (f) => f.creates64, 0, true],
    ['CAS updates/s, sequential', (f) => f.updatesSequential, 0, true],
    ['CAS updates/s, 64 writers', (f) => f.updates64, 0, true],
    ['get, µs', (f) => f.getMicros, 1, false],
    ['list 10,000 keys, ms', (f) => f.list10kMs, 1, false],
    ['watch delay p50 at 1,000 watchers, ms', (f) => f.watchP50, 2, false],
    ['watch delay p99 at 1,000 watchers, ms', (f) => f.watchP99, 2, false],
  ];
  const withRatio = results.has('etcd');
  console.log(
    `\nstore benchmark, ${new Date().toISOString().slice(0, 10)}, ${pod.byteLength}-byte Pod values\n`,
  );
  printTable(
    ['figure', ...backends, ...(withRatio ? ['level vs etcd'] : [])],
    rows.map(([name, pick, digits, higherIsBetter]) => {
      const cells = backends.map((backend) => formatNumber(pick(results.get(backend)!), digits));
      if (withRatio) {
        const ratio = pick(results.get('level')!) / pick(results.get('etcd')!);
        const better = higherIsBetter ? ratio : 1 / ratio;
        cells.push(`${formatNumber(better, 1)}× ${better >= 1 ? 'better' : 'worse'}`);
      }
      return [name, ...cells];
    }),
  );
}
