/**
 * `GET /api/v1/namespaces/{ns}/pods/{name}/log`: the container's log, fetched from its node's
 * `/containerLogs/{ns}/{pod}/{container}` and streamed through as it comes (kubectl logs -f ends when the
 * node ends the stream, i.e. when the container stops).
 *
 *   pod not scheduled yet                → 204, nothing (upstream's empty location)
 *   the node answers 4xx/5xx             → a Status (pod-options.ts: kubeletError)
 *   plain request                        → 200 text/plain, the bytes as the node sends them
 *   WebSocket (`binary.k8s.io`, `base64.binary.k8s.io`, or none)
 *                                        → one empty binary message first, then each piece of the log as
 *                                          a message (binary; base64 text for `base64.binary.k8s.io`),
 *                                          then a normal close — upstream's wsstream Reader.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { methodNotSupported } from '../../api/status.js';
import { acceptWebSocket } from '../../client/streaming/websocket.js';
import type { RequestInfo } from '../request-info.js';
import { storeKey } from '../rest-handler.js';
import { kubeletGet, kubeletLocation, type NodeProxyContext } from './kubelet-connection.js';
import {
  kubeletError,
  kubeletLogQuery,
  type PodLike,
  readPodLogOptions,
  validateContainer,
} from './pod-options.js';
import { takeUpgrade } from './upgrade.js';

/** Upstream's default reader protocols: the empty one and `binary.k8s.io` are binary, base64 is text. */
const logWebSocketProtocols: Readonly<Record<string, 'binary' | 'base64'>> = {
  '': 'binary',
  'binary.k8s.io': 'binary',
  'base64.binary.k8s.io': 'base64',
};

export async function servePodLog(
  context: NodeProxyContext,
  info: RequestInfo,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<unknown> {
  if (info.verb !== 'get' || info.name === undefined || info.namespace === undefined) {
    throw methodNotSupported({ group: '', resource: 'pods/log' }, info.verb);
  }
  const options = readPodLogOptions(request.url, info.name);
  const pods = context.stores.get(storeKey('', 'v1', 'pods'))!;
  const pod = (await pods.get(info.namespace, info.name)) as PodLike;
  const container = validateContainer(options.container, pod, info.name);
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) return reply.code(204).send();
  const location = await kubeletLocation(context, nodeName);
  const path = `/containerLogs/${encodeURIComponent(info.namespace)}/${encodeURIComponent(info.name)}/${encodeURIComponent(container)}`;
  const query = kubeletLogQuery(options);
  const abort = new AbortController();
  const log = await kubeletGet(context, location, query === '' ? path : `${path}?${query}`, abort.signal);
  log.on('error', () => {
    // An aborted or broken stream ends the answer; nothing more to tell the client.
  });
  const status = log.statusCode ?? 500;
  if (status < 200 || status > 206) throw await kubeletError(log, 'pods/log', info.name);

  const upgrade = takeUpgrade(request.raw);
  if (upgrade) {
    reply.hijack();
    relayOverWebSocket(request.raw, upgrade.socket, upgrade.head, log, abort);
    return reply;
  }
  reply.raw.once('close', () => abort.abort());
  return reply.code(200).type('text/plain').send(log);
}

function relayOverWebSocket(
  request: IncomingMessage,
  socket: import('node:stream').Duplex,
  head: Buffer,
  log: IncomingMessage,
  abort: AbortController,
): void {
  const ws = acceptWebSocket(request, socket, head, (offered) =>
    (offered.length === 0 ? [''] : offered).find((protocol) => protocol in logWebSocketProtocols),
  );
  if (!ws) {
    abort.abort();
    return;
  }
  const encoding = logWebSocketProtocols[ws.protocol] ?? 'binary';
  // The client has nothing to say; when it closes, the node's stream is dropped.
  ws.on('close', () => abort.abort());
  ws.send(Buffer.alloc(0));
  log.on('data', (chunk: Buffer) => {
    const sent = encoding === 'base64' ? ws.send(chunk.toString('base64'), { text: true }) : ws.send(chunk);
    if (!sent) {
      log.pause();
      ws.once('drain', () => log.resume());
    }
  });
  log.once('end', () => ws.close());
  log.once('error', () => ws.close());
}
