import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserInfo } from '../../api/auth.js';
import { isStatusError } from '../../api/status.js';
import { parseRequestInfo } from '../request-info.js';
import { handleResource, type RestContext } from '../rest-handler.js';
import { accessReviewResources } from './access-review.js';
import { type PolicyServer, startPolicyServer } from './rbac/test-fixture.js';

/**
 * The reviews through the generic REST handler, as the API server serves them once it passes
 * `virtualResources` and `userOf`: here the user comes from a test header.
 */
const rbac = 'rbac.authorization.k8s.io';
const base = '/apis/authorization.k8s.io/v1';
const alice: UserInfo = { username: 'alice', groups: ['system:authenticated'] };
const node: UserInfo = { username: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };

let policy: PolicyServer;
let app: FastifyInstance;

beforeAll(async () => {
  policy = await startPolicyServer();
  await policy.create('', 'namespaces', { metadata: { name: 'shop' } });
  await policy.create(rbac, 'rolebindings', {
    metadata: { name: 'alice-views', namespace: 'shop' },
    roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: 'view' },
    subjects: [{ apiGroup: rbac, kind: 'User', name: 'alice' }],
  });
  const context: RestContext = {
    stores: policy.server.stores,
    currentRevision: () => policy.server.currentRevision(),
    decodeBody: async (request) => {
      const body = request.body as Buffer | undefined;
      return body && body.length > 0 ? JSON.parse(body.toString('utf8')) : undefined;
    },
    userOf: (request) => {
      const header = request.headers['x-test-user'];
      return typeof header === 'string' ? (JSON.parse(header) as UserInfo) : undefined;
    },
    authorization: policy.authorization,
    virtualResources: accessReviewResources(policy.authorization.authorizer),
  };
  app = Fastify();
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.setErrorHandler(async (error, _request, reply) => {
    if (!isStatusError(error)) throw error;
    return reply.code(error.code).send(error.status);
  });
  app.route({
    method: ['GET', 'POST'],
    url: '/apis/:group/:version/*',
    handler: (request, reply) => {
      const info = parseRequestInfo(request.method, request.url.split('?')[0]!, undefined);
      return handleResource(context, info!, request, reply);
    },
  });
});
afterAll(async () => {
  await app?.close();
  await policy?.close();
});

async function post(path: string, body: object, user?: UserInfo) {
  const response = await app.inject({
    method: 'POST',
    url: `${base}/${path}`,
    headers: { 'content-type': 'application/json', ...(user ? { 'x-test-user': JSON.stringify(user) } : {}) },
    payload: JSON.stringify(body),
  });
  return { status: response.statusCode, body: response.json() as Record<string, any> };
}

const podsIn = (namespace: string, verb = 'list') => ({
  resourceAttributes: { namespace, verb, resource: 'pods' },
});

describe('SelfSubjectAccessReview', () => {
  it('answers 201 with the spec echoed and the decision and reason of the authorizer', async () => {
    const { status, body } = await post(
      'selfsubjectaccessreviews',
      { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: podsIn('shop') },
      alice,
    );
    expect(status).toBe(201);
    expect(body).toEqual({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      metadata: { creationTimestamp: null },
      spec: podsIn('shop'),
      status: {
        allowed: true,
        reason: 'RBAC: allowed by RoleBinding "alice-views/shop" of ClusterRole "view" to User "alice"',
      },
    });
  });

  it('says not allowed, without a reason, where no rule allows', async () => {
    const { body } = await post('selfsubjectaccessreviews', { spec: podsIn('default', 'delete') }, alice);
    expect(body.status).toEqual({ allowed: false });
  });

  it('asks about non-resource paths too', async () => {
    const { body } = await post(
      'selfsubjectaccessreviews',
      { spec: { nonResourceAttributes: { path: '/apis', verb: 'get' } } },
      alice,
    );
    expect(body.status.allowed).toBe(true);
  });

  it('refuses a spec with both or neither kind of attributes (422), and a request without a user (400)', async () => {
    const both = await post(
      'selfsubjectaccessreviews',
      { spec: { ...podsIn('shop'), nonResourceAttributes: { path: '/x', verb: 'get' } } },
      alice,
    );
    expect(both.status).toBe(422);
    expect(both.body.message).toBe(
      'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.nonResourceAttributes: Invalid value: {"path":"/x","verb":"get"}: cannot be specified in combination with resourceAttributes',
    );
    const neither = await post('selfsubjectaccessreviews', { spec: {} }, alice);
    expect(neither.body.message).toContain(
      'spec.resourceAttributes: Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes must be specified',
    );
    const anonymous = await post('selfsubjectaccessreviews', { spec: podsIn('shop') });
    expect(anonymous).toMatchObject({ status: 400, body: { message: 'no user present on request' } });
  });
});

describe('SubjectAccessReview and LocalSubjectAccessReview', () => {
  it('answer for the user and groups in the spec, whoever asks', async () => {
    const forAlice = await post('subjectaccessreviews', { spec: { ...podsIn('shop'), user: 'alice' } });
    expect(forAlice.body.status.allowed).toBe(true);
    const forMasters = await post('subjectaccessreviews', {
      spec: { ...podsIn('kube-system', 'delete'), user: 'root', groups: ['system:masters'] },
    });
    expect(forMasters.body.status).toEqual({ allowed: true });
    const forNobody = await post('subjectaccessreviews', { spec: podsIn('shop') });
    expect(forNobody.status).toBe(422);
    expect(forNobody.body.message).toBe(
      'SubjectAccessReview.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": at least one of user or group must be specified',
    );
  });

  it('limits a LocalSubjectAccessReview to the namespace of its URL', async () => {
    const local = await post('namespaces/shop/localsubjectaccessreviews', {
      spec: { ...podsIn('shop'), user: 'alice' },
    });
    expect(local.status).toBe(201);
    expect(local.body.metadata).toEqual({ namespace: 'shop', creationTimestamp: null });
    expect(local.body.status.allowed).toBe(true);
    const elsewhere = await post('namespaces/shop/localsubjectaccessreviews', {
      spec: { ...podsIn('default'), user: 'alice' },
    });
    expect(elsewhere.status).toBe(422);
    expect(elsewhere.body.message).toContain(
      'spec.resourceAttributes.namespace: Invalid value: "default": must match metadata.namespace',
    );
  });
});

describe('SelfSubjectRulesReview', () => {
  it('lists the rules of the asker in spec.namespace, resource and non-resource', async () => {
    const { status, body } = await post('selfsubjectrulesreviews', { spec: { namespace: 'shop' } }, alice);
    expect(status).toBe(201);
    expect(body.spec).toEqual({});
    expect(body.status.incomplete).toBe(false);
    expect(body.status.resourceRules).toContainEqual({
      verbs: ['create'],
      apiGroups: ['authorization.k8s.io'],
      resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
    });
    expect(body.status.resourceRules).toContainEqual(
      expect.objectContaining({ apiGroups: [''], resources: expect.arrayContaining(['pods']) }),
    );
    expect(body.status.nonResourceRules).toContainEqual(
      expect.objectContaining({ verbs: ['get'], nonResourceURLs: expect.arrayContaining(['/apis/*']) }),
    );
    const elsewhere = await post('selfsubjectrulesreviews', { spec: { namespace: 'default' } }, alice);
    expect(elsewhere.body.status.resourceRules).not.toContainEqual(
      expect.objectContaining({ resources: expect.arrayContaining(['pods']) }),
    );
  });

  it('says a node’s rules are incomplete, as upstream’s Node authorizer does', async () => {
    const { body } = await post('selfsubjectrulesreviews', { spec: { namespace: 'shop' } }, node);
    expect(body.status).toMatchObject({
      incomplete: true,
      evaluationError: 'node authorizer does not support user rule resolution',
    });
  });

  it('needs a namespace (400)', async () => {
    const { status, body } = await post('selfsubjectrulesreviews', { spec: {} }, alice);
    expect(status).toBe(400);
    expect(body.message).toBe('no namespace on request');
  });
});

describe('the reviews as resources', () => {
  it('serve only create, store nothing, and are listed by discovery', async () => {
    const get = await app.inject({ method: 'GET', url: `${base}/selfsubjectaccessreviews` });
    expect(get.statusCode).toBe(405);
    const namespaced = await app.inject({
      method: 'POST',
      url: `${base}/namespaces/shop/selfsubjectaccessreviews`,
      payload: '{}',
    });
    expect(namespaced.statusCode).toBe(404);
    expect(() => policy.storeOf('authorization.k8s.io', 'subjectaccessreviews')).toThrow('no store');

    const discovery = await policy.server.app.inject({ method: 'GET', url: base });
    const listed = (
      discovery.json() as { resources: { name: string; verbs: string[]; namespaced: boolean }[] }
    ).resources;
    expect(listed.map((resource) => [resource.name, resource.namespaced, resource.verbs])).toEqual([
      ['localsubjectaccessreviews', true, ['create']],
      ['selfsubjectaccessreviews', false, ['create']],
      ['selfsubjectrulesreviews', false, ['create']],
      ['subjectaccessreviews', false, ['create']],
    ]);
  });
});
