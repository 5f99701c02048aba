/**
 * kube-apiserver's in-flight limits (--max-requests-inflight, --max-mutating-requests-inflight): at most
 * so many read-only and so many mutating requests are served at once; one more is refused at once with
 * 429 and `Retry-After: 1`, which client-go honours by waiting and retrying. The body is upstream's:
 * plain text, `Too many requests, please try again later.` — not a Status (kube-apiserver's in-flight
 * and priority-and-fairness filters answer before the API machinery that writes Status bodies; client-go
 * turns it into a TooManyRequests error all the same). Refusing beats queueing: a queued request still
 * holds its socket and memory, and its client has usually given up by the time it would run.
 *
 * Not counted, as upstream: long-running requests (watches, exec, logs — see request-class.ts),
 * health checks, and members of `system:masters`, so an administrator can always get in.
 * A limit of 0 means no limit, as upstream's flags do.
 *
 * Cost per request: a classification (string scans) and two counter updates; the slot is given back
 * when the response closes, whether it finished or the client went away.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { UserInfo } from '../../api/auth.js';
import { classifyRequest } from './request-class.js';

export interface MaxInFlightOptions {
  /** --max-requests-inflight (upstream default 400); 0: unlimited. */
  readonly maxRequestsInFlight: number;
  /** --max-mutating-requests-inflight (upstream default 200); 0: unlimited. */
  readonly maxMutatingRequestsInFlight: number;
}

export const defaultMaxRequestsInFlight = 400;
export const defaultMaxMutatingRequestsInFlight = 200;

/** Upstream's exact answer (Go's http.Error: text/plain, nosniff, a trailing newline). */
export function sendTooManyRequests(reply: FastifyReply): void {
  void reply
    .code(429)
    .header('Retry-After', '1')
    .header('X-Content-Type-Options', 'nosniff')
    .type('text/plain; charset=utf-8')
    .send('Too many requests, please try again later.\n');
}
const privilegedGroup = 'system:masters';

/** The counters, apart from HTTP so they can be tested and measured alone. */
export class InFlightLimiter {
  readonly #limits: { readonly 'read-only': number; readonly mutating: number };
  /** Requests being served now, per budget. Changed only by `tryAcquire` and the release it returns. */
  readonly #inFlight = { 'read-only': 0, mutating: 0 };

  constructor(options: MaxInFlightOptions) {
    for (const [name, value] of Object.entries(options)) {
      if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer`);
    }
    this.#limits = {
      'read-only': options.maxRequestsInFlight,
      mutating: options.maxMutatingRequestsInFlight,
    };
  }

  /** A release function (call it once), or undefined when the budget is spent. */
  tryAcquire(kind: 'read-only' | 'mutating'): (() => void) | undefined {
    const limit = this.#limits[kind];
    if (limit === 0) return noop;
    if (this.#inFlight[kind] >= limit) return undefined;
    this.#inFlight[kind]++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inFlight[kind]--;
    };
  }

  inFlight(kind: 'read-only' | 'mutating'): number {
    return this.#inFlight[kind];
  }
}

const noop = () => {};

/**
 * The fastify onRequest hook. It runs after authentication (registered after it), so it knows the
 * user, as upstream's filter does; `userOf` is absent when the server authenticates no one.
 */
export function maxInFlightHook(
  limiter: InFlightLimiter,
  userOf: (request: FastifyRequest) => UserInfo | undefined,
): (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => void {
  return (request, reply, done) => {
    const kind = classifyRequest(request.method, request.url);
    if (kind === 'exempt' || kind === 'long-running') return done();
    if (userOf(request)?.groups.includes(privilegedGroup)) return done();
    const release = limiter.tryAcquire(kind);
    // Answered here, without calling done(): fastify stops the request at the hook that replied.
    if (!release) return sendTooManyRequests(reply);
    reply.raw.once('close', release);
    done();
  };
}
