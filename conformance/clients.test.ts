import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  type KubernetesListObject,
  ListWatch,
  type V1ConfigMap,
  Watch,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSkiff, type TestSkiff } from './harness.js';

/**
 * Skiff driven by real Kubernetes clients that nobody on the team wrote: the official JavaScript client
 * (@kubernetes/client-node, a devDependency) and the official Python client (Debian's python3-kubernetes,
 * run as a child process by conformance/clients/python-client.py). Both speak plain http to the
 * kubeconfig `startSkiff()` writes, which has no credentials. The API server runs without controllers,
 * so the events the tests count are their own (no kube-root-ca.crt arriving in a new namespace).
 */

let skiff: TestSkiff;
beforeAll(async () => {
  skiff = await startSkiff({ controllers: false });
});
afterAll(async () => {
  await skiff?.stop();
});

describe('@kubernetes/client-node', () => {
  let core: CoreV1Api;
  let kubeconfig: KubeConfig;
  beforeAll(() => {
    kubeconfig = plainHttpKubeConfig(skiff.kubeconfig);
    core = kubeconfig.makeApiClient(CoreV1Api);
  });

  it("an informer lists, then watches from the list's resourceVersion", async () => {
    const namespace = 'informer';
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    const before = await core.createNamespacedConfigMap({
      namespace,
      body: configMap('before', { step: '1' }),
    });

    // The list function is the informer's own call; after it returns, and before the informer opens its
    // watch, one more ConfigMap is created. The informer sees it only if the server replays the events
    // after the list's resourceVersion to a watch that starts there.
    let listed: KubernetesListObject<V1ConfigMap> | undefined;
    let between: V1ConfigMap | undefined;
    const list = async () => {
      listed = await core.listNamespacedConfigMap({ namespace });
      between = await core.createNamespacedConfigMap({
        namespace,
        body: configMap('between', { step: '2' }),
      });
      return listed;
    };
    const watch = new RecordingWatch(kubeconfig);
    // What makeInformer(kubeconfig, path, list) builds, with a Watch that records the requests it makes.
    const informer = new ListWatch(`/api/v1/namespaces/${namespace}/configmaps`, watch, list, false);
    const seen = new EventLog();
    informer.on('add', (object) => seen.push('add', object));
    informer.on('update', (object) => seen.push('update', object));
    informer.on('delete', (object) => seen.push('delete', object));
    informer.on('error', (error) => seen.fail(error));
    try {
      await informer.start();
      await seen.until((events) => events.length === 2);

      const updated = await core.replaceNamespacedConfigMap({
        name: 'before',
        namespace,
        body: { ...before, data: { step: '3' } },
      });
      const after = await core.createNamespacedConfigMap({
        namespace,
        body: configMap('after', { step: '4' }),
      });
      await core.deleteNamespacedConfigMap({ name: 'between', namespace });
      await seen.until((events) => events.length === 5);
      const afterDelete = await core.listNamespacedConfigMap({ namespace });

      expect(watch.requests).toEqual([
        {
          path: `/api/v1/namespaces/${namespace}/configmaps`,
          query: { resourceVersion: listed?.metadata?.resourceVersion },
        },
      ]);
      expect(Number(listed?.metadata?.resourceVersion)).toBeLessThan(
        Number(between?.metadata?.resourceVersion),
      );
      expect(seen.events).toEqual([
        { verb: 'add', name: 'before', resourceVersion: rv(before), data: { step: '1' } },
        { verb: 'add', name: 'between', resourceVersion: rv(between), data: { step: '2' } },
        { verb: 'update', name: 'before', resourceVersion: rv(updated), data: { step: '3' } },
        { verb: 'add', name: 'after', resourceVersion: rv(after), data: { step: '4' } },
        // A deleted object arrives in its last state, with the deletion's resourceVersion: the newest
        // revision, so the one a list right after reports.
        {
          verb: 'delete',
          name: 'between',
          resourceVersion: afterDelete.metadata?.resourceVersion,
          data: { step: '2' },
        },
      ]);
      expect(
        informer
          .list(namespace)
          .map((object) => object.metadata?.name)
          .sort(),
      ).toEqual(['after', 'before']);
      expect(informer.latestResourceVersion()).toBe(afterDelete.metadata?.resourceVersion);
    } finally {
      await informer.stop();
    }
  });

  it('creates, reads, replaces and deletes a ConfigMap through CoreV1Api', async () => {
    const namespace = 'default';
    const created = await core.createNamespacedConfigMap({
      namespace,
      body: configMap('typed', { mode: 'fast' }),
    });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);

    const read = await core.readNamespacedConfigMap({ name: 'typed', namespace });
    expect(read.data).toEqual({ mode: 'fast' });
    expect(rv(read)).toBe(rv(created));

    const replaced = await core.replaceNamespacedConfigMap({
      name: 'typed',
      namespace,
      body: { ...read, data: { mode: 'slow' } },
    });
    expect(replaced.data).toEqual({ mode: 'slow' });
    expect(replaced.metadata?.uid).toBe(created.metadata?.uid);
    expect(Number(rv(replaced))).toBeGreaterThan(Number(rv(created)));

    const status = await core.deleteNamespacedConfigMap({ name: 'typed', namespace });
    expect(status).toMatchObject({ kind: 'Status', status: 'Success' });
    const missing = await failure(core.readNamespacedConfigMap({ name: 'typed', namespace }));
    expect(missing.code).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
  });

  it('a replace with a stale resourceVersion is a 409 Conflict', async () => {
    const namespace = 'default';
    const created = await core.createNamespacedConfigMap({
      namespace,
      body: configMap('contended', { n: '1' }),
    });
    await core.replaceNamespacedConfigMap({
      name: 'contended',
      namespace,
      body: { ...created, data: { n: '2' } },
    });

    const conflict = await failure(
      core.replaceNamespacedConfigMap({
        name: 'contended',
        namespace,
        body: { ...created, data: { n: '3' } },
      }),
    );
    expect(conflict.code).toBe(409);
    expect(JSON.parse(conflict.body)).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Conflict',
      code: 409,
      details: { name: 'contended', kind: 'configmaps' },
    });
    expect((await core.readNamespacedConfigMap({ name: 'contended', namespace })).data).toEqual({ n: '2' });
  });
});

/**
 * Debian's python3-kubernetes. Debian modules are seen only by /usr/bin/python3 (a pyenv python3 may come
 * first on PATH). In CI a missing client fails; elsewhere the tests are skipped with a note on installing it.
 */
const python = '/usr/bin/python3';
const pythonClient = fileURLToPath(new URL('./clients/python-client.py', import.meta.url));
const pythonClientMissing = spawnSync(python, ['-c', 'import kubernetes']).status !== 0;
if (pythonClientMissing) {
  const message = `${python} cannot import kubernetes: install Debian's python3-kubernetes (sudo bash scripts/install-test-deps.sh)`;
  if (process.env.CI === 'true') throw new Error(message);
  console.warn(`${message}; the python3-kubernetes tests are skipped`);
}

describe.skipIf(pythonClientMissing)('python3-kubernetes', () => {
  it('watch.Watch().stream sees ADDED, MODIFIED and DELETED for its own changes, and a stale replace is a 409', async () => {
    const summary = await runPython(pythonClient, [skiff.kubeconfig, 'python-client']);
    const { created, replaced, listResourceVersion, listAfterDeleteResourceVersion } = summary;
    expect(summary.writeError).toBeUndefined();
    expect(summary.client).toBe('22.6.0');
    expect(Number(listResourceVersion)).toBeLessThan(Number(created));
    expect(summary.events).toEqual([
      { type: 'ADDED', name: 'py-settings', resourceVersion: created, data: { mode: 'fast' } },
      { type: 'MODIFIED', name: 'py-settings', resourceVersion: replaced, data: { mode: 'slow' } },
      {
        type: 'DELETED',
        name: 'py-settings',
        resourceVersion: listAfterDeleteResourceVersion,
        data: { mode: 'slow' },
      },
    ]);
    expect(summary.staleReplace).toEqual({ status: 409, reason: 'Conflict' });
    expect(summary.deleted).toEqual({ kind: 'Status', status: 'Success' });
    expect(summary.itemsAfterDelete).toBe(0);
  });
});

/**
 * The kubeconfig at `path`, with `insecure-skip-tls-verify: true` on every cluster. client-node 1.4.0
 * refuses an http:// server without it, before sending anything ("HTTP protocol is not allowed when
 * skipTLSVerify is not set or false", KubeConfig.createAgent); kubectl and the Python client need no such flag.
 */
function plainHttpKubeConfig(path: string): KubeConfig {
  const loaded = new KubeConfig();
  loaded.loadFromFile(path);
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromOptions({
    clusters: loaded.clusters.map((cluster) => ({ ...cluster, skipTLSVerify: true })),
    users: loaded.users,
    contexts: loaded.contexts,
    currentContext: loaded.currentContext,
  });
  return kubeconfig;
}

function configMap(name: string, data: Record<string, string>): V1ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data };
}

function rv(object: V1ConfigMap | undefined): string | undefined {
  return object?.metadata?.resourceVersion;
}

/** The ApiException a call must fail with (client-node gives the response body as text). */
async function failure(call: Promise<unknown>): Promise<ApiException<string>> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ApiException) return error as ApiException<string>;
    throw error;
  }
  throw new Error('the call succeeded; it was expected to fail');
}

/** client-node's Watch, recording the path and query of each watch it opens. */
class RecordingWatch extends Watch {
  readonly requests: { path: string; query: Record<string, unknown> }[] = [];

  override watch(...args: Parameters<Watch['watch']>): ReturnType<Watch['watch']> {
    const [path, query] = args;
    this.requests.push({ path, query: { ...query } });
    return super.watch(...args);
  }
}

interface InformerEvent {
  verb: 'add' | 'update' | 'delete';
  name: string | undefined;
  resourceVersion: string | undefined;
  data: Record<string, string> | undefined;
}

/** What an informer's handlers saw, in order, with a wait on a condition that has a deadline, not a sleep. */
class EventLog {
  readonly events: InformerEvent[] = [];
  #error: unknown;
  #changed: (() => void) | undefined;

  push(verb: InformerEvent['verb'], object: V1ConfigMap): void {
    const { name, resourceVersion } = object.metadata ?? {};
    this.events.push({ verb, name, resourceVersion, data: object.data });
    this.#changed?.();
  }

  fail(error: unknown): void {
    this.#error ??= error ?? new Error('the informer reported an error');
    this.#changed?.();
  }

  async until(condition: (events: readonly InformerEvent[]) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition(this.events)) {
      if (this.#error !== undefined) throw this.#error;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; the informer saw ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#changed = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

interface PythonSummary {
  client: string;
  listResourceVersion: string;
  listAfterDeleteResourceVersion: string;
  itemsAfterDelete: number;
  events: { type: string; name: string; resourceVersion: string; data: Record<string, string> }[];
  created: string;
  replaced: string;
  staleReplace: { status: number; reason?: string };
  deleted: { kind: string; status: string };
  writeError?: string;
}

function runPython(script: string, args: readonly string[]): Promise<PythonSummary> {
  return new Promise((resolve, reject) => {
    execFile(python, [script, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${script} failed: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as PythonSummary);
    });
  });
}
