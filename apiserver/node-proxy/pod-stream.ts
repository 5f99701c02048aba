/**
 * `pods/{name}/exec`, `pods/{name}/attach`, `pods/{name}/portforward` (GET with WebSocket, POST with
 * SPDY): the upgrade proxied to the pod's node, byte for byte.
 *
 * Everything that can be refused is refused first, as an ordinary Status answer: authorization (the
 * request hook has checked the method's verb; a WebSocket GET must also be allowed `create`, as
 * kube-apiserver 1.35 requires — otherwise `get pods/exec` alone would run commands), the container
 * (defaulted when the pod has one), the pod's node, the connection to it. Then the API server writes
 * the request line to the kubelet — `/exec/{ns}/{pod}/{container}?command=…&input=1&output=1…`,
 * `/attach/…`, `/portForward/{ns}/{pod}` — with the client's upgrade headers, and pipes both sockets: the
 * kubelet's 101 and the protocol after it, or its error answer, go to the client as they are.
 */
import type { Duplex } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Authorizer } from '../../api/auth.js';
import { badRequest, methodNotSupported } from '../../api/status.js';
import { forbiddenError, requestAttributes } from '../auth/attributes.js';
import { requestUser } from '../auth/request-user.js';
import type { RequestInfo } from '../request-info.js';
import { storeKey } from '../rest-handler.js';
import { connectKubelet, hostHeader, kubeletLocation, type NodeProxyContext } from './kubelet-connection.js';
import { kubeletStreamQuery, type PodLike, validateContainer } from './pod-options.js';
import { isUpgrade, takeUpgrade } from './upgrade.js';

export type PodStreamSubresource = 'exec' | 'attach' | 'portforward';

/** Request headers that stay with the API server: the client's credentials and the framing of its request. */
const droppedHeaders = new Set([
  'host',
  'authorization',
  'proxy-authorization',
  'cookie',
  'content-length',
  'transfer-encoding',
  'x-forwarded-for',
]);

export async function servePodStream(
  context: NodeProxyContext & { readonly authorizer?: Authorizer },
  info: RequestInfo & { readonly subresource: PodStreamSubresource },
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<unknown> {
  const resource = { group: '', resource: `pods/${info.subresource}` };
  if (
    (info.verb !== 'get' && info.verb !== 'create') ||
    info.name === undefined ||
    info.namespace === undefined
  ) {
    throw methodNotSupported(resource, info.verb);
  }
  if (!isUpgrade(request.raw)) throw badRequest('Upgrade request required');
  if (request.method === 'GET') await authorizeCreate(context.authorizer, request);

  const pods = context.stores.get(storeKey('', 'v1', 'pods'))!;
  const pod = (await pods.get(info.namespace, info.name)) as PodLike;
  const query = new URL(request.url, 'http://api').searchParams;
  const container =
    info.subresource === 'portforward' ? '' : validateContainer(query.get('container') ?? '', pod, info.name);
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw badRequest(`pod ${info.name} does not have a host assigned`);
  const location = await kubeletLocation(context, nodeName);
  const segments =
    info.subresource === 'portforward'
      ? ['portForward', info.namespace, info.name]
      : [info.subresource, info.namespace, info.name, container];
  const path = `/${segments.map(encodeURIComponent).join('/')}`;
  const kubeletQuery = kubeletStreamQuery(request.url, info.subresource);
  const backend = await connectKubelet(context, location);

  const upgrade = takeUpgrade(request.raw)!;
  reply.hijack();
  const lines = [`${request.method} ${kubeletQuery === '' ? path : `${path}?${kubeletQuery}`} HTTP/1.1`];
  lines.push(`Host: ${hostHeader(location)}`);
  const raw = request.raw.rawHeaders;
  for (let index = 0; index < raw.length; index += 2) {
    const name = raw[index]!;
    const lower = name.toLowerCase();
    if (droppedHeaders.has(lower) || lower.startsWith('impersonate-')) continue;
    lines.push(`${name}: ${raw[index + 1]}`);
  }
  const forwardedFor = request.raw.socket?.remoteAddress;
  if (forwardedFor) lines.push(`X-Forwarded-For: ${forwardedFor}`);
  backend.write(`${lines.join('\r\n')}\r\n\r\n`);
  if (upgrade.head.length > 0) backend.write(upgrade.head);
  splice(upgrade.socket, backend);
  return reply;
}

/** kube-apiserver 1.35's second check: a WebSocket upgrade runs the command, so it needs `create`. */
async function authorizeCreate(authorizer: Authorizer | undefined, request: FastifyRequest): Promise<void> {
  const user = requestUser(request);
  if (!authorizer || !user) return;
  const attributes = {
    ...requestAttributes(user, {
      method: 'POST',
      path: decodeURIComponent(request.url.split('?', 1)[0]!),
      query: {},
    }),
  };
  const result = await authorizer.authorize(attributes);
  if (result.decision !== 'allow') throw forbiddenError(attributes, result.reason);
}

/** Both directions, until either side closes. */
export function splice(client: Duplex, backend: Duplex): void {
  const ignore = () => {
    // 'close' follows and ends the other side
  };
  client.on('error', ignore);
  backend.on('error', ignore);
  client.pipe(backend);
  backend.pipe(client);
  client.once('close', () => backend.destroy());
  backend.once('close', () => client.destroy());
}
