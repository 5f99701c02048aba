/**
 * For the plugins' tests: a real API server (memory store) whose stores the plugin reads, an
 * in-process client to put objects there, and AdmissionRequests made as the admitter makes them.
 */
import type { KubeObject } from '../../api/resource.js';
import { resources } from '../../api/resources/index.js';
import type { HttpClient } from '../../client/http-client.js';
import { refFor } from '../../client/refs.js';
import { openMemoryStore } from '../../store/memory.js';
import type { Store } from '../../store/types.js';
import { createInProcessClient } from '../in-process-client.js';
import { type ApiServer, createApiServer } from '../server.js';
import type { AdmissionOperation, AdmissionRequest } from './types.js';

export interface RequestOptions {
  /** `pods`, `namespaces`, `apps/deployments`. */
  readonly resource: string;
  readonly object: KubeObject;
  readonly operation?: AdmissionOperation;
  readonly oldObject?: KubeObject;
  readonly subresource?: string;
  readonly dryRun?: boolean;
}

export interface PluginFixture {
  readonly server: ApiServer;
  readonly client: HttpClient;
  /** A request for the plugin; the warnings it adds are collected in `warnings`. */
  request(options: RequestOptions): AdmissionRequest & { readonly warnings: string[] };
  /** Resolves once every watch cache (what plugins read) has seen every write so far. */
  caught(): Promise<void>;
  /** Creates a namespace (and nothing else: no controller makes its ServiceAccount). */
  namespace(name: string, labels?: Record<string, string>): Promise<KubeObject>;
  close(): Promise<void>;
}

export async function pluginFixture(): Promise<PluginFixture> {
  const store: Store = await openMemoryStore();
  const server = await createApiServer({ store, resources });
  const client = createInProcessClient(server);
  return {
    server,
    client,
    request(options) {
      const [group, plural] = options.resource.includes('/')
        ? options.resource.split('/')
        : ['', options.resource];
      const resource = resources.find(
        (candidate) => candidate.group === group && candidate.plural === plural,
      );
      if (!resource) throw new Error(`no resource ${options.resource}`);
      const metadata = options.object.metadata ?? {};
      const warnings: string[] = [];
      return {
        operation: options.operation ?? (options.oldObject ? 'UPDATE' : 'CREATE'),
        resource,
        ...(options.subresource ? { subresource: options.subresource } : {}),
        ...(resource.namespaced && metadata.namespace ? { namespace: metadata.namespace } : {}),
        name: metadata.name ?? '',
        object: options.object,
        ...(options.oldObject ? { oldObject: options.oldObject } : {}),
        dryRun: options.dryRun ?? false,
        warn: (message) => warnings.push(message),
        warnings,
      };
    },
    async caught() {
      const revision = await server.currentRevision();
      await Promise.all(
        [...new Set(server.stores.values())].map((store) => store.cache.waitUntilFresh(revision)),
      );
    },
    namespace: (name, labels) =>
      client.create(refFor('Namespace'), { metadata: { name, ...(labels ? { labels } : {}) } }),
    async close() {
      await client.close();
      await server.close();
      await store.close();
    },
  };
}
