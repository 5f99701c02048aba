/**
 * `GET /api/v1/nodes/{name}/proxy/{path}`: a request passed to the node's kubelet endpoint as it is
 * (`/healthz`, `/containerLogs/…`, later `/stats/summary`), and the kubelet's answer passed back as it
 * is — status, content type and body, streamed. Reads only (GET and HEAD); the node's write endpoints
 * (exec and friends) are reached through the pods' own subresources.
 *
 * The path has more segments than a resource path, so the request hook may not recognise it as
 * `nodes/proxy`; the check is made here again with the right attributes (`get nodes/proxy NAME`), so
 * that nothing but a grant on nodes/proxy lets a request through.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Attributes, Authorizer } from '../../api/auth.js';
import { methodNotSupported } from '../../api/status.js';
import { forbiddenError } from '../auth/attributes.js';
import { requestUser } from '../auth/request-user.js';
import { kubeletGet, kubeletLocation, type NodeProxyContext } from './kubelet-connection.js';

/** `/api/v1/nodes/NAME/proxy[/PATH]` → the node's name and the path on it; undefined for other paths. */
export function parseNodeProxyPath(url: string): { node: string; path: string; query: string } | undefined {
  const index = url.indexOf('?');
  const pathname = index < 0 ? url : url.slice(0, index);
  const match = /^\/api\/v1\/nodes\/([^/]+)\/proxy(\/.*)?$/.exec(pathname);
  if (!match) return undefined;
  let node: string;
  try {
    node = decodeURIComponent(match[1]!);
  } catch {
    return undefined;
  }
  return { node, path: match[2] ?? '/', query: index < 0 ? '' : url.slice(index) };
}

const passedHeaders = [
  'content-type',
  'content-length',
  'content-encoding',
  'cache-control',
  'x-content-type-options',
];

export async function serveNodesProxy(
  context: NodeProxyContext & { readonly authorizer?: Authorizer },
  target: { node: string; path: string; query: string },
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<unknown> {
  const verb = request.method === 'GET' || request.method === 'HEAD' ? 'get' : request.method.toLowerCase();
  const user = requestUser(request);
  if (context.authorizer && user) {
    const attributes: Attributes = {
      user,
      verb: verb === 'post' ? 'create' : verb === 'put' ? 'update' : verb,
      resourceRequest: true,
      apiGroup: '',
      apiVersion: 'v1',
      resource: 'nodes',
      subresource: 'proxy',
      name: target.node,
    };
    const result = await context.authorizer.authorize(attributes);
    if (result.decision !== 'allow') throw forbiddenError(attributes, result.reason);
  }
  if (verb !== 'get') throw methodNotSupported({ group: '', resource: 'nodes/proxy' }, verb);
  const location = await kubeletLocation(context, target.node);
  const abort = new AbortController();
  const answer = await kubeletGet(
    context,
    location,
    `${target.path}${target.query}`,
    abort.signal,
    request.method,
  );
  answer.on('error', () => {
    // the client went away, or the node did: the answer just ends
  });
  reply.raw.once('close', () => abort.abort());
  reply.code(answer.statusCode ?? 502);
  for (const name of passedHeaders) {
    const value = answer.headers[name];
    if (value !== undefined) reply.header(name, value);
  }
  return reply.send(answer);
}
