import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Attributes, AuthorizationResult, Authorizer, UserInfo } from '../../api/auth.js';
import { resources } from '../../api/resources/index.js';
import { openMemoryStore } from '../../store/memory.js';
import type { Store } from '../../store/types.js';
import { type ApiServer, createApiServer } from '../server.js';
import { AuthenticationChain } from './authenticate.js';
import { storeLookup } from './object-lookup.js';
import { defaultServiceAccountIssuer, ServiceAccountTokens } from './service-account-token.js';
import { TokenFileAuthenticator } from './token-file.js';

/** Allows what `allow` says, records every question. */
class RecordingAuthorizer implements Authorizer {
  readonly asked: Attributes[] = [];
  constructor(
    readonly allow: (attributes: Attributes) => boolean,
    readonly reason = '',
  ) {}
  async authorize(attributes: Attributes): Promise<AuthorizationResult> {
    this.asked.push(attributes);
    return this.allow(attributes)
      ? { decision: 'allow', reason: '' }
      : { decision: 'no-opinion', reason: this.reason };
  }
}

const users: [string, UserInfo][] = [
  ['admin-token', { username: 'root', groups: ['system:masters'] }],
  ['alice-token', { username: 'alice', uid: 'a-1', groups: ['dev'] }],
];
const admin = { authorization: 'Bearer admin-token' };
const alice = { authorization: 'Bearer alice-token' };
const isAdmin = (attributes: Attributes) => attributes.user.groups.includes('system:masters');

let store: Store | undefined;
let server: ApiServer | undefined;
afterEach(async () => {
  await server?.close();
  await store?.close();
  server = undefined;
  store = undefined;
});

async function start(
  options: { authorizer?: Authorizer; anonymous?: boolean; inProcessUser?: UserInfo; auth?: boolean } = {},
): Promise<ApiServer> {
  store = await openMemoryStore();
  let stores: ApiServer['stores'] = new Map();
  const serviceAccountTokens = new ServiceAccountTokens({
    signingKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
    objects: storeLookup(() => stores),
  });
  const authenticator = new AuthenticationChain({
    tokens: [new TokenFileAuthenticator(new Map(users)), serviceAccountTokens],
    apiAudiences: serviceAccountTokens.apiAudiences,
    ...(options.anonymous === false ? { anonymous: false as const } : {}),
  });
  server = await createApiServer({
    store,
    resources,
    ...(options.auth === false ? {} : { authenticator, serviceAccountTokens }),
    ...(options.authorizer ? { authorizer: options.authorizer } : {}),
    ...(options.inProcessUser ? { inProcessUser: options.inProcessUser } : {}),
  });
  stores = server.stores;
  return server;
}

async function call(method: string, url: string, headers: Record<string, string> = {}, payload?: unknown) {
  const response = await server!.app.inject({
    method: method as 'GET',
    url,
    headers: { ...headers, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {}),
  });
  return { status: response.statusCode, body: response.json() as Record<string, any> };
}

const whoami = async (headers: Record<string, string>) =>
  (await call('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', headers, {})).body;

describe('authentication on every request', () => {
  it('answers bad credentials 401 with upstream’s Status, and no detail', async () => {
    await start();
    for (const authorization of ['Bearer guess', 'Bearer a.b.c']) {
      expect(await call('GET', '/api/v1/namespaces', { authorization })).toEqual({
        status: 401,
        body: {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: 'Unauthorized',
          reason: 'Unauthorized',
          code: 401,
        },
      });
    }
  });

  it('answers a request without credentials 401 when anonymous requests are off', async () => {
    await start({ anonymous: false });
    expect((await call('GET', '/version')).status).toBe(401);
    expect((await call('GET', '/version', alice)).status).toBe(200);
  });

  it('tells SelfSubjectReview who asked, at v1 and v1beta1', async () => {
    await start();
    expect(await whoami(alice)).toEqual({
      kind: 'SelfSubjectReview',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { creationTimestamp: null },
      status: { userInfo: { username: 'alice', uid: 'a-1', groups: ['dev', 'system:authenticated'] } },
    });
    const beta = await call('POST', '/apis/authentication.k8s.io/v1beta1/selfsubjectreviews', {}, {});
    expect(beta.status).toBe(201);
    expect(beta.body).toMatchObject({
      apiVersion: 'authentication.k8s.io/v1beta1',
      status: { userInfo: { username: 'system:anonymous', groups: ['system:unauthenticated'] } },
    });
  });

  it('lets the in-process client act as its own user, and nobody else without a socket', async () => {
    const loopback: UserInfo = { username: 'system:apiserver', groups: ['system:masters'] };
    await start({ inProcessUser: loopback });
    expect((await whoami({})).status.userInfo.username).toBe('system:apiserver');
    // Credentials it carries are still checked, and win.
    expect((await whoami(alice)).status.userInfo.username).toBe('alice');
  });

  it('changes nothing when the server runs without authentication', async () => {
    await start({ auth: false });
    expect((await call('GET', '/api/v1/namespaces', { authorization: 'Bearer guess' })).status).toBe(200);
    const review = await call('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {}, {});
    expect(review.status).toBe(400);
    expect(review.body.message).toBe('no user present on request');
  });
});

describe('authorization on every request', () => {
  it('answers a refused resource request 403 with upstream’s message', async () => {
    await start({ authorizer: new RecordingAuthorizer(isAdmin) });
    const refused = await call('GET', '/api/v1/namespaces/default/pods/web', alice);
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'pods "web" is forbidden: User "alice" cannot get resource "pods" in API group "" in the namespace "default"',
      reason: 'Forbidden',
      details: { name: 'web', kind: 'pods' },
      code: 403,
    });
    expect((await call('GET', '/api/v1/namespaces/default/pods', admin)).status).toBe(200);
  });

  it('asks about paths that are not resources as non-resource requests', async () => {
    const authorizer = new RecordingAuthorizer(isAdmin, 'no rule allows it');
    await start({ authorizer });
    const refused = await call('GET', '/version');
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe(
      'forbidden: User "system:anonymous" cannot get path "/version": no rule allows it',
    );
    expect(authorizer.asked.at(-1)).toEqual({
      user: { username: 'system:anonymous', groups: ['system:unauthenticated'] },
      verb: 'get',
      resourceRequest: false,
      path: '/version',
    });
  });

  it('refuses before reading the body, and before a route could 404', async () => {
    await start({ authorizer: new RecordingAuthorizer(isAdmin) });
    expect((await call('POST', '/api/v1/namespaces/default/configmaps', alice, { bad: 'body' })).status).toBe(
      403,
    );
    expect((await call('GET', '/no/such/path', alice)).status).toBe(403);
  });
});

describe('impersonation', () => {
  const mayImpersonate = (attributes: Attributes) =>
    isAdmin(attributes) || (attributes.verb === 'impersonate' && attributes.user.username === 'alice');

  it('acts as the impersonated user once the authorizer allows each part', async () => {
    const authorizer = new RecordingAuthorizer(mayImpersonate);
    await start({ authorizer });
    const review = await call(
      'POST',
      '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      {
        ...alice,
        'impersonate-user': 'bob',
        'impersonate-group': 'ops',
        'impersonate-uid': 'b-7',
        'impersonate-extra-scopes': 'view',
      },
      {},
    );
    // bob may not create SelfSubjectReviews under this authorizer: the impersonation itself passed.
    expect(review.status).toBe(403);
    expect(review.body.message).toContain('User "bob" cannot create resource "selfsubjectreviews"');
    expect(authorizer.asked.filter((attributes) => attributes.verb === 'impersonate')).toEqual([
      expect.objectContaining({ resource: 'users', name: 'bob', apiGroup: '' }),
      expect.objectContaining({ resource: 'groups', name: 'ops', apiGroup: '' }),
      expect.objectContaining({
        resource: 'userextras',
        subresource: 'scopes',
        name: 'view',
        apiGroup: 'authentication.k8s.io',
      }),
      expect.objectContaining({ resource: 'uids', name: 'b-7', apiGroup: 'authentication.k8s.io' }),
    ]);
    expect(authorizer.asked.at(-1)?.user).toEqual({
      username: 'bob',
      uid: 'b-7',
      groups: ['ops', 'system:authenticated'],
      extra: { scopes: ['view'] },
    });
  });

  it('gives an impersonated ServiceAccount its groups, asked about as serviceaccounts', async () => {
    const authorizer = new RecordingAuthorizer(() => true);
    await start({ authorizer });
    const { status } = await whoami({ ...alice, 'impersonate-user': 'system:serviceaccount:shop:builder' });
    expect(status.userInfo).toEqual({
      username: 'system:serviceaccount:shop:builder',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:shop', 'system:authenticated'],
    });
    expect(authorizer.asked[0]).toMatchObject({
      verb: 'impersonate',
      resource: 'serviceaccounts',
      namespace: 'shop',
      name: 'builder',
    });
  });

  it('refuses a user who may not impersonate, with upstream’s message', async () => {
    await start({ authorizer: new RecordingAuthorizer(isAdmin) });
    const refused = await call('GET', '/api/v1/namespaces', { ...alice, 'impersonate-user': 'root' });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe(
      'users "root" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
  });

  it('refuses groups without a user as a bad request', async () => {
    await start({ authorizer: new RecordingAuthorizer(() => true) });
    const refused = await call('GET', '/api/v1/namespaces', {
      ...alice,
      'impersonate-group': 'system:masters',
    });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toBe('requested [Group system:masters] without impersonating a user');
  });
});

describe('ServiceAccount tokens through the API', () => {
  async function createServiceAccount(name: string) {
    const created = await call('POST', '/api/v1/namespaces/default/serviceaccounts', admin, {
      metadata: { name },
    });
    expect(created.status).toBe(201);
    return created.body;
  }

  it('issues a token with TokenRequest that then authenticates as the ServiceAccount', async () => {
    await start();
    const serviceAccount = await createServiceAccount('builder');
    const issued = await call('POST', '/api/v1/namespaces/default/serviceaccounts/builder/token', admin, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: 1200 },
    });
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name: 'builder', namespace: 'default', uid: serviceAccount.metadata.uid },
      spec: { audiences: [defaultServiceAccountIssuer], expirationSeconds: 1200 },
    });
    const token = issued.body.status.token as string;
    const expires = Date.parse(issued.body.status.expirationTimestamp);
    expect(expires - Date.now()).toBeGreaterThan(1190_000);
    expect(expires - Date.now()).toBeLessThanOrEqual(1200_000);
    expect((await whoami({ authorization: `Bearer ${token}` })).status.userInfo).toMatchObject({
      username: 'system:serviceaccount:default:builder',
      uid: serviceAccount.metadata.uid,
      groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
    });
  });

  it('refuses a token for a missing ServiceAccount, and one shorter than ten minutes', async () => {
    await start();
    const missing = await call('POST', '/api/v1/namespaces/default/serviceaccounts/ghost/token', admin, {});
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('serviceaccounts "ghost" not found');
    await createServiceAccount('builder');
    const short = await call('POST', '/api/v1/namespaces/default/serviceaccounts/builder/token', admin, {
      spec: { expirationSeconds: 10 },
    });
    expect(short.status).toBe(422);
    expect(short.body.message).toBe(
      'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 10: may not specify a duration less than 10 minutes',
    );
  });

  it('revokes a token when its ServiceAccount is deleted', async () => {
    await start();
    await createServiceAccount('builder');
    const issued = await call('POST', '/api/v1/namespaces/default/serviceaccounts/builder/token', admin, {});
    const bearer = { authorization: `Bearer ${issued.body.status.token}` };
    expect((await call('GET', '/api/v1/namespaces', bearer)).status).toBe(200);
    expect((await call('DELETE', '/api/v1/namespaces/default/serviceaccounts/builder', admin)).status).toBe(
      200,
    );
    expect((await call('GET', '/api/v1/namespaces', bearer)).status).toBe(401);
  });

  it('reviews tokens with TokenReview', async () => {
    await start();
    await createServiceAccount('builder');
    const issued = await call('POST', '/api/v1/namespaces/default/serviceaccounts/builder/token', admin, {
      spec: { audiences: ['vault'] },
    });
    const review = (token: string, audiences?: string[]) =>
      call('POST', '/apis/authentication.k8s.io/v1/tokenreviews', admin, {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenReview',
        spec: { token, ...(audiences ? { audiences } : {}) },
      });
    const good = await review(issued.body.status.token, ['vault']);
    expect(good.status).toBe(201);
    expect(good.body.status).toMatchObject({
      authenticated: true,
      user: { username: 'system:serviceaccount:default:builder' },
      audiences: ['vault'],
    });
    // Without audiences, the token must be for the API server, and this one is not.
    expect((await review(issued.body.status.token)).body.status).toEqual({
      user: {},
      error: `token audiences ["vault"] is invalid for the target audiences ["${defaultServiceAccountIssuer}"]`,
    });
    expect((await review('alice-token')).body.status).toMatchObject({
      authenticated: true,
      user: { username: 'alice', uid: 'a-1', groups: ['dev', 'system:authenticated'] },
      audiences: [defaultServiceAccountIssuer],
    });
    expect((await review('guess')).body.status).toEqual({ user: {}, error: 'invalid bearer token' });
    const empty = await review('');
    expect(empty.status).toBe(400);
    expect(empty.body.message).toBe('token is required for TokenReview in authentication');
  });
});
