/**
 * For tests: an API server over a memory store with the bootstrap policy in place and the authorizers
 * following its watch caches, plus helpers to write as a given user through the resources' own
 * admission (the path a request takes once the server passes `userOf` and `authorization`).
 */

import type { UserInfo } from '../../../api/auth.js';
import type { KubeObject } from '../../../api/resource.js';
import { resources } from '../../../api/resources/index.js';
import { hasMessage } from '../../../api/schema/dsl.js';
import { applyDefaults, validateDeclared } from '../../../api/schema/structure.js';
import { openMemoryStore } from '../../../store/memory.js';
import type { Store } from '../../../store/types.js';
import { admitter } from '../../admission.js';
import type { ResourceStore } from '../../resource-store.js';
import { storeKey } from '../../rest-handler.js';
import { type ApiServer, createApiServer } from '../../server.js';
import { type Authorization, createAuthorization } from './authorization.js';
import { type BootstrapPolicyResult, ensureBootstrapPolicy } from './bootstrap.js';

export interface PolicyServer {
  readonly server: ApiServer;
  readonly authorization: Authorization;
  readonly bootstrap: BootstrapPolicyResult;
  /** The store of `group/plural` (core group: ''), served at v1. */
  storeOf(group: string, plural: string): ResourceStore;
  /** Creates as `user` (undefined: no requester), through admission with the RBAC checks. */
  create(group: string, plural: string, object: KubeObject, user?: UserInfo): Promise<KubeObject>;
  update(group: string, plural: string, object: KubeObject, user?: UserInfo): Promise<KubeObject>;
  /** Resolves once every watch cache, and so the authorizers, has seen every write so far. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export async function startPolicyServer(): Promise<PolicyServer> {
  const store: Store = await openMemoryStore();
  const server = await createApiServer({ store, resources });
  const bootstrap = await ensureBootstrapPolicy(server.stores);
  const authorization = createAuthorization({ stores: server.stores });
  const storeOf = (group: string, plural: string) => {
    const found = server.stores.get(storeKey(group, 'v1', plural));
    if (!found) throw new Error(`no store for ${group}/${plural}`);
    return found;
  };
  const admitAs = (resourceStore: ResourceStore, user: UserInfo | undefined) => {
    const { resource } = resourceStore;
    return admitter({
      resource,
      namespaces: storeOf('', 'namespaces'),
      ...(hasMessage(resource.schema)
        ? {
            schema: {
              default: (object: KubeObject) => applyDefaults(resource.schema, object),
              validate: (object: KubeObject) => validateDeclared(resource.schema, object),
            },
          }
        : {}),
      ...(user ? { user } : {}),
      authorization,
    });
  };
  const settle = async () => {
    const revision = await server.currentRevision();
    await Promise.all(
      [...new Set(server.stores.values())].map((each) => each.cache.waitUntilFresh(revision)),
    );
  };
  return {
    server,
    authorization,
    bootstrap,
    storeOf,
    async create(group, plural, object, user) {
      const target = storeOf(group, plural);
      const created = await target.create(
        object.metadata?.namespace,
        structuredClone(object),
        admitAs(target, user),
      );
      await settle();
      return created;
    },
    async update(group, plural, object, user) {
      const target = storeOf(group, plural);
      const updated = await target.update(
        object.metadata?.namespace,
        object.metadata!.name!,
        () => structuredClone(object),
        admitAs(target, user),
      );
      await settle();
      return updated;
    },
    settle,
    async close() {
      authorization.stop();
      await server.close();
      await store.close();
    },
  };
}
