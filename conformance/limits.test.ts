/**
 * The API server's protections against one client hurting others, over real sockets: in-flight limits
 * (429 + Retry-After), a per-user watch cap, the request body limit (413), and the audit log.
 *
 * The limits and the audit log are options of createApiServer that `skiff up` does not pass yet, so
 * those scenarios start the API server directly, with a bearer-token authenticator (the token is the
 * username) and an authorizer that refuses secrets; the body limit, which is always on, goes through
 * startSkiff.
 */

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Authenticator, Authorizer } from '../api/auth.js';
import { resources } from '../api/resources/index.js';
import type { AuditEvent } from '../apiserver/audit/event.js';
import { type ApiServer, createApiServer } from '../apiserver/server.js';
import { openMemoryStore } from '../store/memory.js';
import { freePort } from '../store/testing/free-port.js';
import type { Store } from '../store/types.js';
import { startSkiff, type TestSkiff } from './harness.js';

describe('the request body limit', () => {
  let skiff: TestSkiff;
  beforeAll(async () => {
    skiff = await startSkiff({ controllers: false });
  });
  afterAll(async () => {
    await skiff?.stop();
  });

  it('refuses a body over 3 MiB with 413 RequestEntityTooLarge, in upstream words', async () => {
    const body = JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'big' },
      data: { blob: 'x'.repeat(3 * 1024 * 1024) },
    });
    const response = await skiff.request('POST', '/api/v1/namespaces/default/configmaps', body);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      message: 'Request entity too large: limit is 3145728',
      reason: 'RequestEntityTooLarge',
      code: 413,
    });
  });
});

describe('limits and the audit log', () => {
  let store: Store;
  let server: ApiServer;
  let url: string;
  let port: number;
  let scratch: string;
  let auditLogPath: string;
  /** Resolves when the authenticator sees a request with the token `slow`. */
  let slowArrived: () => void = () => {};
  const slowSeen = new Promise<void>((resolve) => {
    slowArrived = resolve;
  });

  const authenticator: Authenticator = {
    async authenticate(request) {
      const header = (request as { headers: Record<string, string | undefined> }).headers.authorization;
      if (!header?.startsWith('Bearer ')) return undefined;
      const username = header.slice('Bearer '.length);
      if (username === 'slow') slowArrived();
      return { username, groups: ['system:authenticated'] };
    },
  };
  const authorizer: Authorizer = {
    authorize: async (attributes) =>
      attributes.resource === 'secrets'
        ? { decision: 'deny', reason: '' }
        : { decision: 'allow', reason: '' },
  };

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'skiff-limits-'));
    auditLogPath = join(scratch, 'audit.log');
    store = await openMemoryStore();
    server = await createApiServer({
      store,
      resources,
      authenticator,
      authorizer,
      maxRequestsInFlight: 10,
      maxMutatingRequestsInFlight: 1,
      maxWatchesPerUser: 1,
      auditLogPath,
    });
    port = await freePort();
    await server.app.listen({ port, host: '127.0.0.1' });
    url = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await server?.close();
    await store?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  const as = (user: string, init: RequestInit = {}) => ({
    ...init,
    headers: { Authorization: `Bearer ${user}`, 'Content-Type': 'application/json', ...init.headers },
  });
  const configMap = (name: string) =>
    JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: 'b' } });

  it('answers 429 with Retry-After: 1 while the one mutating slot is held by a slow request', async () => {
    // A create whose body never finishes arriving holds the slot.
    const slow = httpRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/api/v1/namespaces/default/configmaps',
      headers: { Authorization: 'Bearer slow', 'Content-Type': 'application/json', 'Content-Length': '1000' },
    });
    slow.on('error', () => {});
    slow.write('{"apiVersion":');
    await slowSeen;

    const refused = await fetch(
      `${url}/api/v1/namespaces/default/configmaps`,
      as('alice', { method: 'POST', body: configMap('refused') }),
    );
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    // kube-apiserver's in-flight filter answers in plain text, not with a Status.
    expect(await refused.text()).toBe('Too many requests, please try again later.\n');
    // Reads have their own budget, and health checks none.
    expect((await fetch(`${url}/api/v1/namespaces/default/configmaps`, as('alice'))).status).toBe(200);
    expect((await fetch(`${url}/healthz`, as('alice'))).status).toBe(200);

    // Once the slow request ends, its slot is free again.
    const finished = new Promise<number>((resolve) =>
      slow.on('response', (response) => resolve(response.statusCode ?? 0)),
    );
    slow.end(`${'"v1","kind":"ConfigMap","metadata":{"name":"slow"}}'.padEnd(1000 - 14, ' ')}`);
    expect(await finished).toBe(201);
    const created = await fetch(
      `${url}/api/v1/namespaces/default/configmaps`,
      as('alice', { method: 'POST', body: configMap('audited') }),
    );
    expect(created.status).toBe(201);
    expect(created.headers.get('audit-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('caps open watches per user at maxWatchesPerUser', async () => {
    const abort = new AbortController();
    const first = await fetch(
      `${url}/api/v1/namespaces/default/configmaps?watch=true`,
      as('carol', { signal: abort.signal }),
    );
    expect(first.status).toBe(200);
    expect(first.headers.get('audit-id')).toMatch(/^[0-9a-f-]{36}$/);
    const second = await fetch(`${url}/api/v1/namespaces/default/configmaps?watch=true`, as('carol'));
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('1');
    expect(await second.text()).toBe('Too many requests, please try again later.\n');
    // Another user's watch is not affected.
    const other = await fetch(
      `${url}/api/v1/namespaces/default/configmaps?watch=true`,
      as('dave', { signal: abort.signal }),
    );
    expect(other.status).toBe(200);
    abort.abort();
  });

  it('writes one audit line per request with the user and objectRef, refusals included', async () => {
    const got = await fetch(`${url}/api/v1/namespaces/default/configmaps/audited`, as('alice'));
    expect(got.status).toBe(200);
    const refused = await fetch(`${url}/api/v1/namespaces/default/secrets/token`, as('alice'));
    expect(refused.status).toBe(403);
    const getID = got.headers.get('audit-id');
    const refusedID = refused.headers.get('audit-id');

    // Closing flushes the log; the other tests are done with the server by now.
    await server.close();
    const events = (await readFile(auditLogPath, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditEvent);
    expect(events.every((event) => event.kind === 'Event' && event.apiVersion === 'audit.k8s.io/v1')).toBe(
      true,
    );
    expect(events.some((event) => event.requestURI === '/healthz')).toBe(false);

    const create = events.find(
      (event) =>
        event.verb === 'create' && event.responseStatus?.code === 201 && event.user.username === 'alice',
    );
    expect(create).toMatchObject({
      level: 'Metadata',
      stage: 'ResponseComplete',
      requestURI: '/api/v1/namespaces/default/configmaps',
      user: { username: 'alice', groups: ['system:authenticated'] },
      sourceIPs: ['127.0.0.1'],
      objectRef: { resource: 'configmaps', namespace: 'default', apiVersion: 'v1' },
    });
    expect(events.find((event) => event.auditID === getID)).toMatchObject({
      verb: 'get',
      user: { username: 'alice' },
      objectRef: { resource: 'configmaps', namespace: 'default', name: 'audited', apiVersion: 'v1' },
      responseStatus: { metadata: {}, code: 200 },
    });
    expect(events.find((event) => event.auditID === refusedID)).toMatchObject({
      verb: 'get',
      user: { username: 'alice' },
      objectRef: { resource: 'secrets', namespace: 'default', name: 'token', apiVersion: 'v1' },
      responseStatus: { status: 'Failure', reason: 'Forbidden', code: 403 },
    });
    expect(events.find((event) => event.responseStatus?.code === 429)).toMatchObject({
      verb: 'create',
      responseStatus: { metadata: {}, code: 429 },
    });
    expect(
      events
        .filter((event) => event.verb === 'watch' && event.stage === 'ResponseComplete')
        .map((event) => event.user.username)
        .sort(),
    ).toEqual(['carol', 'carol', 'dave']);
    // An open watch is logged when it starts as well as when it ends, as upstream does; a refused one too.
    expect(
      events.filter((event) => event.verb === 'watch' && event.stage === 'ResponseStarted'),
    ).toHaveLength(3);
  });
});
