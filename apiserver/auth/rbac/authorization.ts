/**
 * Authorization for the API server, wired in one call: upstream's chain for `--authorization-mode=
 * Node,RBAC` — system:masters first, then the Node authorizer, then RBAC — with their in-memory state
 * fed from the server's own watch caches, so a check reads no store and a RoleBinding written by one
 * request is in effect for the next.
 *
 *   const authorization = createAuthorization();           // empty until it follows the stores
 *   const server = await createApiServer({ …, authorizer: authorization.authorizer,
 *                                          policyRules: authorization.rules });
 *   await ensureBootstrapPolicy(server.stores);
 *   authorization.follow(server.stores);                    // or createAuthorization({ stores })
 *   …
 *   authorization.stop();                                   // on close
 *
 * `authorizer` is the whole chain (what requests, access reviews and `bind`/`escalate` checks ask);
 * `rules` resolves a user's RBAC rules (what escalation prevention compares against).
 */

import type { Authorizer, RequestAuthorization } from '../../../api/auth.js';
import type { KubeObject } from '../../../api/resource.js';
import type { ResourceStore } from '../../resource-store.js';
import { storeKey } from '../../rest-handler.js';
import { NodeAuthorizer, NodeGraph } from '../node-authorizer.js';
import { RbacAuthorizer } from './authorizer.js';
import { AuthorizerChain, privilegedGroupsAuthorizer } from './authorizer-chain.js';
import { systemMasters } from './escalation.js';
import { PolicyIndex, type RbacKind } from './policy-index.js';
import { type FeedTarget, followWatchCache, type WatchFeed } from './watch-feed.js';

export interface AuthorizationOptions {
  /**
   * The API server's resource stores (`ApiServer.stores`), whose watch caches feed the authorizers;
   * when left out, call `follow` once the server has them.
   */
  readonly stores?: ReadonlyMap<string, ResourceStore>;
}

export interface Authorization extends RequestAuthorization {
  /** system:masters, then Node, then RBAC. */
  readonly authorizer: Authorizer;
  /** The RBAC authorizer alone; also the rule resolver escalation prevention uses. */
  readonly rbac: RbacAuthorizer;
  readonly node: NodeAuthorizer;
  /** Starts following the stores' watch caches (once); until then every check finds no rules. */
  follow(stores: ReadonlyMap<string, ResourceStore>): void;
  /** Stops following the watch caches. */
  stop(): void;
}

const rbacResources: readonly [RbacKind, string][] = [
  ['Role', 'roles'],
  ['ClusterRole', 'clusterroles'],
  ['RoleBinding', 'rolebindings'],
  ['ClusterRoleBinding', 'clusterrolebindings'],
];

export function createAuthorization(options: AuthorizationOptions = {}): Authorization {
  const index = new PolicyIndex();
  const graph = new NodeGraph();
  const feeds: WatchFeed[] = [];
  let following = false;

  const follow = (stores: ReadonlyMap<string, ResourceStore>) => {
    if (following) throw new Error('authorization already follows the API server’s stores');
    following = true;
    const feed = (group: string, plural: string, target: FeedTarget) => {
      const store = stores.get(storeKey(group, 'v1', plural));
      if (store) feeds.push(followWatchCache(store.cache, target));
    };
    for (const [kind, plural] of rbacResources) {
      feed('rbac.authorization.k8s.io', plural, {
        replace: (objects) => index.replace(kind, objects),
        apply: (object) => index.apply(kind, object),
        remove: (object) => index.remove(kind, object),
      });
    }
    const graphFeed = (
      kind: 'pods' | 'claims' | 'volumes',
      set: (object: KubeObject) => void,
      remove: (object: KubeObject) => void,
    ): FeedTarget => ({
      replace: (objects) => {
        graph.clear(kind);
        for (const object of objects) set(object);
      },
      apply: set,
      remove,
    });
    feed(
      '',
      'pods',
      graphFeed(
        'pods',
        (pod) => graph.setPod(pod),
        (pod) => graph.removePod(pod),
      ),
    );
    feed(
      '',
      'persistentvolumeclaims',
      graphFeed(
        'claims',
        (claim) => graph.setClaim(claim),
        (claim) => graph.removeClaim(claim),
      ),
    );
    feed(
      '',
      'persistentvolumes',
      graphFeed(
        'volumes',
        (volume) => graph.setVolume(volume),
        (volume) => graph.removeVolume(volume),
      ),
    );
  };
  if (options.stores) follow(options.stores);

  const rbac = new RbacAuthorizer({ index });
  const node = new NodeAuthorizer({ graph });
  return {
    authorizer: new AuthorizerChain([privilegedGroupsAuthorizer([systemMasters]), node, rbac]),
    rules: rbac,
    rbac,
    node,
    follow,
    stop() {
      for (const each of feeds.splice(0)) each.stop();
    },
  };
}
