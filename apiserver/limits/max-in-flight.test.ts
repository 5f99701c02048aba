import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { UserInfo } from '../../api/auth.js';
import { InFlightLimiter, maxInFlightHook } from './max-in-flight.js';

describe('InFlightLimiter', () => {
  it('keeps read-only and mutating budgets apart, and 0 means unlimited', () => {
    const limiter = new InFlightLimiter({ maxRequestsInFlight: 1, maxMutatingRequestsInFlight: 0 });
    const read = limiter.tryAcquire('read-only');
    expect(read).toBeDefined();
    expect(limiter.tryAcquire('read-only')).toBeUndefined();
    for (let i = 0; i < 5; i++) expect(limiter.tryAcquire('mutating')).toBeDefined();
    read?.();
    read?.();
    expect(limiter.inFlight('read-only')).toBe(0);
    expect(limiter.tryAcquire('read-only')).toBeDefined();
  });

  it('rejects a negative limit', () => {
    expect(() => new InFlightLimiter({ maxRequestsInFlight: -1, maxMutatingRequestsInFlight: 1 })).toThrow(
      /maxRequestsInFlight/,
    );
  });
});

describe('maxInFlightHook', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
  });

  it('answers 429 with Retry-After: 1 and upstream’s text while the budget is held, and not for exempt requests', async () => {
    const limiter = new InFlightLimiter({ maxRequestsInFlight: 1, maxMutatingRequestsInFlight: 1 });
    const users = new Map<string, UserInfo>([['admin', { username: 'admin', groups: ['system:masters'] }]]);
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const server = Fastify();
    app = server;
    server.addHook(
      'onRequest',
      maxInFlightHook(limiter, (request) => users.get(String(request.headers['x-user']))),
    );
    server.get('/slow', async () => {
      await held;
      return 'done';
    });
    server.get('/fast', async () => 'fast');
    server.get('/healthz', async () => 'ok');
    server.get('/api/v1/pods', async () => 'watching');
    server.post('/write', async () => 'written');

    const slow = server.inject({ method: 'GET', url: '/slow' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(limiter.inFlight('read-only')).toBe(1);

    const refused = await server.inject({ method: 'GET', url: '/fast' });
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    // Upstream's body: plain text, not a Status.
    expect(refused.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(refused.body).toBe('Too many requests, please try again later.\n');
    // Other budgets and exempt requests still pass.
    expect((await server.inject({ method: 'POST', url: '/write' })).statusCode).toBe(200);
    expect((await server.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await server.inject({ method: 'GET', url: '/api/v1/pods?watch=true' })).statusCode).toBe(200);
    expect(
      (await server.inject({ method: 'GET', url: '/fast', headers: { 'x-user': 'admin' } })).statusCode,
    ).toBe(200);

    release();
    expect((await slow).statusCode).toBe(200);
    expect(limiter.inFlight('read-only')).toBe(0);
    expect((await server.inject({ method: 'GET', url: '/fast' })).statusCode).toBe(200);
  });
});
