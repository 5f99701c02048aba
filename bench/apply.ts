import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import '../api/types/index.js';
import type { KubeObject } from '../api/resource.js';
import { findResource } from '../api/resources/index.js';
import { applyDefaults } from '../api/schema/structure.js';
import { strategies } from '../api/strategies/index.js';
import { FieldManager } from '../apiserver/apply/field-manager.js';
import { up } from '../cli/up.js';
import { freePort } from '../store/testing/free-port.js';
import { formatNumber, now, printTable, summarize } from './stats.js';

/**
 * The declarative write paths: stock kubectl applying a 50-object manifest (20 Deployments, 15 Services,
 * 15 ConfigMaps) client-side and server-side, cold (everything is created) and warm (nothing changes),
 * against `skiff up` on LevelDB in this process; and the cost of keeping managedFields per write, timed
 * in process on the 4.6 KB pod fixture.
 */
const kubectlPath = ['/usr/bin/kubectl', '/usr/lib/google-cloud-sdk/bin/kubectl.1.33'].find(existsSync);
const rounds = 5;

function manifest(): string {
  const objects: unknown[] = [];
  for (let i = 0; i < 20; i++) {
    const name = `app-${i}`;
    objects.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, labels: { app: name, tier: 'web' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: {
            containers: [
              {
                name: 'web',
                image: 'nginx:1.27',
                ports: [{ containerPort: 80 }, { containerPort: 443 }],
                env: [
                  { name: 'MODE', value: 'fast' },
                  { name: 'INDEX', value: String(i) },
                ],
                resources: { requests: { cpu: '100m', memory: '64Mi' } },
              },
              { name: 'sidecar', image: 'busybox:1.36', command: ['sh', '-c', 'sleep infinity'] },
            ],
          },
        },
      },
    });
  }
  for (let i = 0; i < 15; i++) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: `svc-${i}` },
      spec: { selector: { app: `app-${i}` }, ports: [{ name: 'http', port: 80, targetPort: 80 }] },
    });
    objects.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `config-${i}` },
      data: { mode: 'fast', index: String(i), text: 'x'.repeat(200) },
    });
  }
  return objects.map((object) => YAML.stringify(object)).join('---\n');
}

function kubectl(kubeconfig: string, cacheDir: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = now();
    execFile(
      kubectlPath!,
      [`--kubeconfig=${kubeconfig}`, `--cache-dir=${cacheDir}`, ...args],
      { maxBuffer: 16 * 1024 * 1024 },
      (error, _stdout, stderr) => {
        if (error) reject(new Error(`kubectl ${args.join(' ')}: ${stderr}`));
        else resolve(now() - started);
      },
    );
  });
}

async function kubectlFigures(): Promise<string[][]> {
  if (!kubectlPath) return [['kubectl apply', 'no kubectl found', '']];
  const dataDir = await mkdtemp(join(tmpdir(), 'skiff-bench-apply-'));
  const skiff = await up({ dataDir, port: await freePort(), controllers: false });
  try {
    const file = join(dataDir, 'manifest.yaml');
    await writeFile(file, manifest());
    const cacheDir = join(dataDir, 'cache');
    const run = (args: string[]) => kubectl(skiff.kubeconfig, cacheDir, args);
    // Warm kubectl's discovery and OpenAPI caches, so every timed run does the same work.
    await run(['create', 'namespace', 'warmup']);
    await run(['apply', '-n', 'warmup', '-f', file]);
    const times: Record<string, number[]> = {};
    const record = (key: string, ms: number) => (times[key] ??= []).push(ms);
    for (let round = 0; round < rounds; round++) {
      for (const [mode, extra] of [
        ['client-side', []],
        ['server-side', ['--server-side']],
      ] as const) {
        const ns = `${mode}-${round}`;
        await run(['create', 'namespace', ns]);
        record(`${mode} cold`, await run(['apply', ...extra, '-n', ns, '-f', file]));
        record(`${mode} warm`, await run(['apply', ...extra, '-n', ns, '-f', file]));
      }
      const ns = `get-${round}`;
      await run(['create', 'namespace', ns]);
      await run(['create', '-n', ns, '-f', file]);
      record('get', await run(['get', '-n', ns, '-f', file]));
    }
    const row = (label: string, key: string) => [label, formatNumber(summarize(times[key]!).p50), ''];
    return [
      row('kubectl apply, 50 objects, cold (creates), ms', 'client-side cold'),
      row('kubectl apply, 50 objects, warm (unchanged), ms', 'client-side warm'),
      row('kubectl apply --server-side, 50 objects, cold, ms', 'server-side cold'),
      row('kubectl apply --server-side, 50 objects, warm, ms', 'server-side warm'),
      row('kubectl get -f of the same 50 (kubectl alone), ms', 'get'),
    ];
  } finally {
    await skiff.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Microseconds per call, median of 5 batches. */
function perCall(batch: number, operation: (i: number) => unknown): number {
  const samples: number[] = [];
  for (let round = 0; round < 6; round++) {
    const started = now();
    for (let i = 0; i < batch; i++) operation(i);
    if (round > 0) samples.push(((now() - started) * 1000) / batch);
  }
  return summarize(samples).p50;
}

async function bookkeepingFigures(): Promise<string[][]> {
  const fixture = JSON.parse(await readFile(new URL('./fixtures/pod.json', import.meta.url), 'utf8'));
  const { status: _status, ...pod } = fixture;
  const {
    managedFields: _fields,
    uid: _uid,
    resourceVersion: _rv,
    creationTimestamp: _at,
    ...metadata
  } = pod.metadata;
  pod.metadata = metadata;
  const declared = findResource('', 'v1', 'pods')!;
  const resource = { ...declared, strategy: declared.strategy ?? strategies.get('/pods') };
  const manager = new FieldManager({
    resource,
    defaults: (object) => {
      applyDefaults(resource.schema, object);
      resource.strategy?.default?.(object);
    },
  });
  // As the server calls it: on the admitted object, defaults already in.
  const admitted = { manager: 'writer', admitted: true };
  const fresh = () => {
    const object = structuredClone(pod) as KubeObject;
    applyDefaults(resource.schema, object);
    resource.strategy?.default?.(object);
    return object;
  };
  const created = manager.update(undefined, fresh(), admitted);
  const labelled = (i: number) => {
    const next = structuredClone(created);
    next.metadata!.labels = { ...next.metadata!.labels, revision: String(i) };
    return next;
  };
  const copies = Array.from(
    { length: 1000 },
    (_, i) => [fresh(), labelled(i), structuredClone(created)] as const,
  );
  const baseline = perCall(1000, (i) => JSON.parse(JSON.stringify(copies[i]![0])));
  const create = perCall(1000, (i) => manager.update(undefined, structuredClone(copies[i]![0]), admitted));
  const clone = perCall(1000, (i) => structuredClone(copies[i]![0]));
  const update = perCall(1000, (i) => manager.update(created, copies[i]![1], admitted));
  const noop = perCall(1000, (i) => manager.update(created, copies[i]![2], admitted));
  const config = { apiVersion: 'v1', kind: 'Pod', metadata: pod.metadata, spec: pod.spec } as KubeObject;
  const applied = manager.apply(undefined, structuredClone(config), { manager: 'kubectl', force: false });
  const reapply = perCall(200, () => manager.apply(applied, config, { manager: 'kubectl', force: false }));
  return [
    ['managedFields on create (pod), µs', formatNumber(create - clone, 1), ''],
    ['managedFields on an update changing one label, µs', formatNumber(update, 1), ''],
    ['managedFields on an update changing nothing, µs', formatNumber(noop, 1), ''],
    ['server-side re-apply of the pod, unchanged, µs', formatNumber(reapply, 1), ''],
    ['(reference: JSON parse + stringify of the pod, µs)', formatNumber(baseline, 1), ''],
  ];
}

export async function run(): Promise<void> {
  process.stderr.write('managedFields bookkeeping\n');
  const bookkeeping = await bookkeepingFigures();
  process.stderr.write('kubectl apply\n');
  const applies = await kubectlFigures();
  console.log(`\napply benchmark, ${new Date().toISOString().slice(0, 10)}, median of ${rounds} runs\n`);
  printTable(['figure', 'value', 'target'], [...applies, ...bookkeeping]);
}
