import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { forbidden, isStatusError } from '../../api/status.js';
import { FakeClock } from '../../client/testing/fake-clock.js';
import { setRequestIdentity } from '../auth/request-user.js';
import { createAuditor } from './audit-hook.js';
import type { AuditEvent } from './event.js';

describe('the audit hook', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
  });

  async function auditedApp() {
    const events: AuditEvent[] = [];
    const clock = new FakeClock(Date.UTC(2026, 10, 22, 9, 0, 0, 5));
    const auditor = createAuditor({
      backend: { write: (event) => events.push(event), close: async () => {} },
      clock,
    });
    const server = Fastify();
    app = server;
    server.addHook('onRequest', auditor.onRequest);
    server.addHook('onRequest', async (request) => {
      const user = { username: String(request.headers['x-user'] ?? 'alice'), groups: ['devs'] };
      const as = request.headers['impersonate-user'];
      setRequestIdentity(
        request,
        typeof as === 'string' ? { user: { username: as, groups: [] }, impersonator: user } : { user },
      );
      if (request.url.includes('/secrets')) {
        throw forbidden({ group: '', resource: 'secrets' }, '', 'nope');
      }
      await clock.advance(2);
    });
    server.setErrorHandler(async (error, request, reply) => {
      if (!isStatusError(error)) throw error;
      auditor.recordFailure(request, error.status);
      return reply.code(error.code).send(error.status);
    });
    server.get('/api/v1/namespaces/:ns/:resource/:name', async () => ({ kind: 'Pod' }));
    server.post('/apis/apps/v1/namespaces/:ns/deployments', async (_request, reply) =>
      reply.code(201).send({}),
    );
    server.get('/healthz', async () => 'ok');
    return { events, clock };
  }

  it('writes one Metadata event per request, with the user, objectRef and Audit-ID header', async () => {
    const { events } = await auditedApp();
    const response = await app!.inject({
      method: 'GET',
      url: '/api/v1/namespaces/default/pods/web',
      headers: { 'user-agent': 'kubectl/v1.33.0', 'x-forwarded-for': '10.0.0.7' },
    });
    expect(response.statusCode).toBe(200);
    const auditID = response.headers['audit-id'];
    expect(auditID).toMatch(/^[0-9a-f-]{36}$/);
    expect(events).toEqual([
      {
        kind: 'Event',
        apiVersion: 'audit.k8s.io/v1',
        level: 'Metadata',
        auditID,
        stage: 'ResponseComplete',
        requestURI: '/api/v1/namespaces/default/pods/web',
        verb: 'get',
        user: { username: 'alice', groups: ['devs'] },
        sourceIPs: ['10.0.0.7', '127.0.0.1'],
        userAgent: 'kubectl/v1.33.0',
        objectRef: { resource: 'pods', namespace: 'default', name: 'web', apiVersion: 'v1' },
        responseStatus: { metadata: {}, code: 200 },
        requestReceivedTimestamp: '2026-11-22T09:00:00.005000Z',
        stageTimestamp: '2026-11-22T09:00:00.007000Z',
      },
    ]);
  });

  it('records a refused request with its Status, and the impersonator as user', async () => {
    const { events } = await auditedApp();
    await app!.inject({
      method: 'GET',
      url: '/api/v1/namespaces/default/secrets/token',
      headers: { 'impersonate-user': 'bob', 'audit-id': 'chosen-by-client' },
    });
    expect(events[0]).toMatchObject({
      auditID: 'chosen-by-client',
      verb: 'get',
      user: { username: 'alice' },
      impersonatedUser: { username: 'bob' },
      objectRef: { resource: 'secrets', name: 'token' },
      responseStatus: { status: 'Failure', reason: 'Forbidden', code: 403 },
    });
  });

  it('names the verb of a create and skips health checks', async () => {
    const { events } = await auditedApp();
    await app!.inject({ method: 'GET', url: '/healthz' });
    const created = await app!.inject({
      method: 'POST',
      url: '/apis/apps/v1/namespaces/ns/deployments',
      payload: {},
    });
    expect(created.statusCode).toBe(201);
    expect(
      events.map((event) => [event.verb, event.objectRef?.apiGroup, event.responseStatus?.code]),
    ).toEqual([['create', 'apps', 201]]);
  });
});
