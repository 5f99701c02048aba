import { mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { resources } from '../api/resources/index.js';
import { createApiServer } from '../apiserver/server.js';
import { Compactor } from '../store/compactor.js';
import { openStore } from '../store/open.js';

/**
 * `skiff up`: the whole control plane in one process. Opens the store (LevelDB in the data directory
 * unless told otherwise), starts the API server, writes a kubeconfig and prints how to use it. SIGTERM
 * or SIGINT shuts it down cleanly: no new requests, watches end, the store closes after its last sync.
 */
export interface UpOptions {
  readonly dataDir?: string;
  readonly port?: number;
  readonly address?: string;
  readonly store?: string;
  readonly ephemeral?: boolean;
  /** Run the controller manager beside the API server (default true; tests of the API alone turn it off). */
  readonly controllers?: boolean;
}

export interface RunningSkiff {
  readonly url: string;
  readonly kubeconfig: string;
  stop(): Promise<void>;
}

export async function up(options: UpOptions = {}): Promise<RunningSkiff> {
  const dataDir = resolve(options.dataDir ?? join(homedir(), '.skiff'));
  const port = options.port ?? 6443;
  const address = options.address ?? '127.0.0.1';
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const storeUrl = options.ephemeral ? 'memory://' : (options.store ?? `level://${join(dataDir, 'store')}`);
  const store = await openStore(storeUrl);
  const compactor = new Compactor({ store, onError: (error) => console.error('compaction failed:', error) });
  compactor.start();
  const server = await createApiServer({ store, resources, advertiseAddress: `${address}:${port}` });
  const url = `http://${address}:${port}`;
  await server.app.listen({ port, host: address });
  // The controllers run beside the API server, reaching it through the in-process client. They load
  // after the server listens: the API is ready to serve without them, as it is without
  // kube-controller-manager, and loading them first would only delay the first answer.
  const controllers = (async () => {
    if (options.controllers === false) return { stop: async () => {} };
    const [{ createInProcessClient }, { allControllers }, { startControllerManager }] = await Promise.all([
      import('../apiserver/in-process-client.js'),
      import('../controllers/index.js'),
      import('../controllers/manager.js'),
    ]);
    const client = createInProcessClient(server);
    const manager = startControllerManager({ client, controllers: allControllers });
    return {
      async stop() {
        await manager.stop();
        await client.close();
      },
    };
  })();
  const kubeconfig = join(dataDir, 'kubeconfig');
  await writeFile(kubeconfig, kubeconfigFor(url), { mode: 0o600 });
  let stopping: Promise<void> | undefined;
  return {
    url,
    kubeconfig,
    stop() {
      stopping ??= (async () => {
        await (await controllers).stop();
        await server.close();
        await compactor.stop();
        await store.close();
      })();
      return stopping;
    },
  };
}

export function kubeconfigFor(server: string): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: skiff
  cluster:
    server: ${server}
contexts:
- name: skiff
  context:
    cluster: skiff
    user: admin
    namespace: default
current-context: skiff
users:
- name: admin
  user: {}
`;
}
