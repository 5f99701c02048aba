/**
 * The API server's side of what runs on nodes: the pod subresources a node answers (`log`, `exec`,
 * `attach`, `portforward`) and `nodes/{name}/proxy/…`, each forwarded to the node's kubelet endpoint
 * (kubelet-shim/server.ts) over HTTPS with the API server's kubelet client certificate.
 *
 *   const nodeProxy = createNodeProxy({ stores, kubeletClient, authorizer });
 *   routeUpgrades(app);                                 // upgrades reach fastify's routes and hooks
 *   … in the resource route: const served = nodeProxy.serve(request, reply); if (served) return served;
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Authorizer } from '../../api/auth.js';
import { parseRequestInfo } from '../request-info.js';
import type { NodeProxyContext } from './kubelet-connection.js';
import { parseNodeProxyPath, serveNodesProxy } from './nodes-proxy.js';
import { servePodLog } from './pod-log.js';
import { type PodStreamSubresource, servePodStream } from './pod-stream.js';

export type { KubeletClientConfig } from './kubelet-connection.js';
export { routeUpgrades } from './upgrade.js';

export interface NodeProxy {
  /** Serves the request if it is one of these subresources; undefined (synchronously) if it is not. */
  serve(request: FastifyRequest, reply: FastifyReply): Promise<unknown> | undefined;
}

const streamSubresources = new Set<string>(['exec', 'attach', 'portforward']);

export function createNodeProxy(context: NodeProxyContext & { readonly authorizer?: Authorizer }): NodeProxy {
  return {
    serve(request, reply) {
      const nodeTarget = parseNodeProxyPath(request.url);
      if (nodeTarget) return serveNodesProxy(context, nodeTarget, request, reply);
      const path = request.url.split('?', 1)[0]!;
      if (!path.startsWith('/api/v1/namespaces/')) return undefined;
      let decoded: string;
      try {
        decoded = decodeURIComponent(path);
      } catch {
        return undefined;
      }
      const info = parseRequestInfo(request.method, decoded, undefined);
      if (info?.group !== '' || info.resource !== 'pods' || info.subresource === undefined) return undefined;
      if (info.subresource === 'log') return servePodLog(context, info, request, reply);
      if (streamSubresources.has(info.subresource)) {
        return servePodStream(
          context,
          { ...info, subresource: info.subresource as PodStreamSubresource },
          request,
          reply,
        );
      }
      return undefined;
    },
  };
}
