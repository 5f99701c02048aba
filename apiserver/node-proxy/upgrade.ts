/**
 * Upgrade requests (exec, attach, port-forward, WebSocket logs) through the same fastify lifecycle as
 * every other request, so that audit, authentication, impersonation, authorization and the in-flight
 * limits run on them unchanged.
 *
 * Node hands a request that asks to upgrade to the server's 'upgrade' listener with the bare socket,
 * not to fastify. `routeUpgrades` gives it a response object bound to that socket and routes it like any
 * request: a refusal (401, 403, 404 …) is an ordinary HTTP answer, after which the socket closes. A
 * handler that accepts the upgrade takes the socket over with `takeUpgrade` (after `reply.hijack()`).
 */
import { type IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';

export interface PendingUpgrade {
  readonly socket: Duplex;
  /** Bytes the client sent after its request head, before the upgrade was answered. */
  readonly head: Buffer;
}

const upgrades = new WeakMap<IncomingMessage, PendingUpgrade & { readonly response: ServerResponse }>();

export function routeUpgrades(app: FastifyInstance): void {
  app.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {
      // A client that goes away: the handler sees the socket close.
    });
    const response = new ServerResponse(request);
    upgrades.set(request, { socket, head, response });
    response.assignSocket(socket as never);
    response.shouldKeepAlive = false;
    // An answer that is not an upgrade ends the connection, as a server without the upgrade would.
    response.on('finish', () => {
      if (!socket.destroyed) socket.end();
    });
    app.routing(request, response);
  });
}

/** The raw socket of an upgrade request, once; undefined for an ordinary request. */
export function takeUpgrade(request: IncomingMessage): PendingUpgrade | undefined {
  const pending = upgrades.get(request);
  if (!pending) return undefined;
  upgrades.delete(request);
  // The socket is the handler's now: the response object lets go of it.
  pending.response.detachSocket(pending.socket as never);
  return { socket: pending.socket, head: pending.head };
}

/** Whether this request arrived as an upgrade (without taking it). */
export function isUpgrade(request: IncomingMessage): boolean {
  return upgrades.has(request);
}
