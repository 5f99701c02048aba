/**
 * A cap on how many watches one user holds open at once. Each watch costs the server a connection, a
 * slot in a watch cache's fan-out and up to a 16 MiB send buffer (watch-handler.ts), so one runaway
 * client (a controller leaking informers, a script in a loop) could otherwise take memory every other
 * client needs. Beyond the cap the watch is refused with the in-flight limit's answer (429,
 * `Retry-After: 1`, upstream's plain-text body), which clients already retry.
 *
 * kube-apiserver has no such flag; its API Priority and Fairness shares seats between users instead.
 * This is the simple part of that idea: a per-user ceiling, high enough (1,000 by default) that no
 * well-behaved client meets it. Users are told apart by username; a request without one (a server
 * without authentication) counts as the anonymous user. Members of `system:masters` are not capped.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { UserInfo } from '../../api/auth.js';
import { sendTooManyRequests } from './max-in-flight.js';
import { isWatch } from './request-class.js';

export const defaultMaxWatchesPerUser = 1000;

const privilegedGroup = 'system:masters';

export class WatchLimiter {
  readonly #max: number;
  /** Open watches per username; an entry is deleted when its count returns to 0. */
  readonly #open = new Map<string, number>();

  constructor(options: { readonly maxWatchesPerUser: number }) {
    if (!Number.isInteger(options.maxWatchesPerUser) || options.maxWatchesPerUser < 1) {
      throw new Error('maxWatchesPerUser must be a positive integer');
    }
    this.#max = options.maxWatchesPerUser;
  }

  /** A release function (call it once), or undefined when `username` already holds the maximum. */
  tryOpen(username: string): (() => void) | undefined {
    const open = this.#open.get(username) ?? 0;
    if (open >= this.#max) return undefined;
    this.#open.set(username, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const now = (this.#open.get(username) ?? 1) - 1;
      if (now === 0) this.#open.delete(username);
      else this.#open.set(username, now);
    };
  }

  openWatches(username: string): number {
    return this.#open.get(username) ?? 0;
  }
}

/** The fastify onRequest hook; registered after authentication so the user is known. */
export function watchLimitHook(
  limiter: WatchLimiter,
  userOf: (request: FastifyRequest) => UserInfo | undefined,
): (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => void {
  return (request, reply, done) => {
    // Nearly every request leaves here: a watch always has "watch" somewhere in its URL.
    if (request.method !== 'GET' || !request.url.includes('watch')) return done();
    const queryStart = request.url.indexOf('?');
    const path = queryStart === -1 ? request.url : request.url.slice(0, queryStart);
    if (!isWatch(path, queryStart === -1 ? '' : request.url.slice(queryStart + 1))) return done();
    const user = userOf(request);
    if (user?.groups.includes(privilegedGroup)) return done();
    const username = user?.username ?? 'system:anonymous';
    const release = limiter.tryOpen(username);
    if (!release) return sendTooManyRequests(reply);
    reply.raw.once('close', release);
    done();
  };
}
