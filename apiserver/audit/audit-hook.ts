/**
 * Audits every request: it gives the request an audit ID (the client's `Audit-ID` header if it sent
 * one, else a fresh UUID), returns it in the `Audit-ID` response header as kube-apiserver does, and
 * when the response is over writes one ResponseComplete event to the backend (a watch also gets a
 * ResponseStarted event when it opens).
 *
 * It is the first onRequest hook, so requests that authentication or authorization refuse are audited
 * too. The event is built when the response closes — finished, or cut short by the client — which is
 * also when a watch ends; the user is read then, after authentication has recorded it
 * (auth/request-user.ts). Failures carry their Status's reason and message, which the server's error
 * handler hands over through `recordFailure`.
 *
 * Per request this costs a UUID, a header, a close listener and, at the end, one object and one
 * JSON.stringify; the write itself is batched (log-writer.ts).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { UserInfo } from '../../api/auth.js';
import type { Status } from '../../api/status.js';
import { type Clock, systemClock } from '../../client/clock.js';
import { requestIdentity } from '../auth/request-user.js';
import { isWatch } from '../limits/request-class.js';
import { parseRequestInfo } from '../request-info.js';
import {
  type AuditEvent,
  type AuditLevel,
  type AuditStage,
  microTime,
  objectReferenceOf,
  responseStatusOf,
} from './event.js';
import type { AuditBackend } from './log-writer.js';
import { type AuditPolicy, defaultAuditPolicy } from './policy.js';

export interface AuditHookOptions {
  readonly backend: AuditBackend;
  readonly policy?: AuditPolicy;
  readonly clock?: Clock;
}

export interface Auditor {
  readonly onRequest: (request: FastifyRequest, reply: FastifyReply, done: () => void) => void;
  /** The Status a failed request was answered with, for the event's responseStatus. */
  recordFailure(request: FastifyRequest, status: Status): void;
}

/** An audit ID a client may choose must still be a sane header value. */
const acceptableAuditId = /^[A-Za-z0-9._:-]{1,128}$/;

export function createAuditor(options: AuditHookOptions): Auditor {
  const { backend } = options;
  const policy = options.policy ?? defaultAuditPolicy;
  const clock = options.clock ?? systemClock;
  const failures = new WeakMap<IncomingMessage, Status>();

  const onRequest = (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const url = request.url;
    const queryStart = url.indexOf('?');
    const path = queryStart === -1 ? url : url.slice(0, queryStart);
    const level = policy(request.method, path);
    if (level === 'None') return done();
    const received = clock.now();
    const offered = request.headers['audit-id'];
    const auditID = typeof offered === 'string' && acceptableAuditId.test(offered) ? offered : randomUUID();
    // On the raw response, so it also goes out with watches, which write their own head.
    reply.raw.setHeader('Audit-ID', auditID);
    if (isWatch(path, queryStart === -1 ? '' : url.slice(queryStart + 1))) {
      // A watch lasts minutes: as upstream, its start is logged when its head goes out (ResponseStarted),
      // not only its end. Only watches pay for wrapping writeHead.
      const response = reply.raw;
      const writeHead = response.writeHead;
      response.writeHead = function (this: typeof response, ...args: unknown[]) {
        response.writeHead = writeHead;
        const code = typeof args[0] === 'number' ? args[0] : response.statusCode;
        backend.write(
          buildEvent(
            request,
            code,
            level,
            auditID,
            path,
            received,
            clock.now(),
            failures.get(request.raw),
            'ResponseStarted',
          ),
        );
        return (writeHead as (...rest: unknown[]) => typeof response).apply(this, args);
      } as typeof response.writeHead;
    }
    reply.raw.once('close', () => {
      backend.write(
        buildEvent(
          request,
          reply.raw.statusCode,
          level,
          auditID,
          path,
          received,
          clock.now(),
          failures.get(request.raw),
        ),
      );
    });
    done();
  };
  return {
    onRequest,
    recordFailure(request, status) {
      failures.set(request.raw, status);
    },
  };
}

function buildEvent(
  request: FastifyRequest,
  code: number,
  level: AuditLevel,
  auditID: string,
  path: string,
  received: number,
  now: number,
  failure: Status | undefined,
  stage: AuditStage = 'ResponseComplete',
): AuditEvent {
  const identity = requestIdentity(request);
  // Unauthenticated (a 401) or a server without authentication: upstream logs an empty user.
  const user = identity?.impersonator ?? identity?.user ?? ({} as UserInfo);
  const info = parseRequestInfo(
    request.method,
    decodePath(path),
    (request.query as { watch?: unknown })?.watch,
  );
  const userAgent = request.headers['user-agent'];
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level,
    auditID,
    stage,
    requestURI: request.url,
    verb: info?.verb ?? request.method.toLowerCase(),
    user,
    ...(identity?.impersonator ? { impersonatedUser: identity.user } : {}),
    sourceIPs: sourceIPsOf(request),
    ...(userAgent ? { userAgent } : {}),
    ...(info ? { objectRef: objectReferenceOf(info) } : {}),
    responseStatus: responseStatusOf(code, failure),
    requestReceivedTimestamp: microTime(received),
    stageTimestamp: microTime(now),
  };
}

/** As upstream: the X-Forwarded-For chain, then X-Real-Ip, then the peer, without repeats. */
function sourceIPsOf(request: FastifyRequest): string[] {
  const ips: string[] = [];
  const forwarded = request.headers['x-forwarded-for'];
  if (typeof forwarded === 'string') {
    for (const ip of forwarded.split(',')) if (ip.trim() !== '') ips.push(ip.trim());
  }
  const realIp = request.headers['x-real-ip'];
  if (typeof realIp === 'string' && realIp !== '' && !ips.includes(realIp)) ips.push(realIp);
  const peer = request.raw.socket?.remoteAddress ?? request.ip;
  if (peer && !ips.includes(peer)) ips.push(peer);
  return ips;
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
