import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/resource.js';
import { isStatusError } from '../../api/status.js';
import { decodeJwt } from './jwt.js';
import type { ObjectLookup } from './object-lookup.js';
import { ServiceAccountTokens } from './service-account-token.js';
import { createTokenRequestHandler } from './token-request.js';

const objects = new Map<string, KubeObject>([
  ['serviceaccounts/shop/builder', { metadata: { name: 'builder', namespace: 'shop', uid: 'sa-1' } }],
  [
    'pods/shop/web-0',
    {
      metadata: { name: 'web-0', namespace: 'shop', uid: 'pod-1' },
      spec: { serviceAccountName: 'builder', nodeName: 'gone' },
    },
  ],
  ['pods/shop/other', { metadata: { name: 'other', namespace: 'shop', uid: 'pod-2' }, spec: {} }],
  ['secrets/shop/creds', { metadata: { name: 'creds', namespace: 'shop', uid: 'secret-1' } }],
]);
const lookup: ObjectLookup = {
  get: async (resource, namespace, name) => objects.get(`${resource}/${namespace ?? ''}/${name}`),
};
const now = Date.UTC(2026, 0, 1);
const tokens = new ServiceAccountTokens({
  signingKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
  objects: lookup,
  now: () => now,
});
const handle = createTokenRequestHandler({ tokens, objects: lookup, now: () => now });

async function failure(promise: Promise<unknown>): Promise<{ code: number; message: string }> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(isStatusError(error), String(error)).toBe(true);
  return { code: (error as { code: number }).code, message: (error as Error).message };
}

describe('TokenRequest', () => {
  it('defaults to the API server’s audience and an hour, and answers with the token and its expiry', async () => {
    const answer = await handle('shop', 'builder', {});
    expect(answer).toMatchObject({
      metadata: {
        name: 'builder',
        namespace: 'shop',
        uid: 'sa-1',
        creationTimestamp: '2026-01-01T00:00:00Z',
      },
      spec: { audiences: ['https://kubernetes.default.svc.cluster.local'], expirationSeconds: 3600 },
      status: { expirationTimestamp: '2026-01-01T01:00:00Z' },
    });
    const claims = decodeJwt((answer.status as { token: string }).token)!.payload;
    expect(claims.exp).toBe(now / 1000 + 3600);
  });

  it('binds a token to a pod and names the pod’s node, even one that is gone', async () => {
    const answer = await handle('shop', 'builder', {
      spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web-0', uid: 'pod-1' } },
    });
    const claims = decodeJwt((answer.status as { token: string }).token)!.payload;
    expect(claims['kubernetes.io']).toMatchObject({
      pod: { name: 'web-0', uid: 'pod-1' },
      node: { name: 'gone', uid: '' },
    });
  });

  it('binds a token to a Secret', async () => {
    const answer = await handle('shop', 'builder', {
      spec: { boundObjectRef: { kind: 'Secret', name: 'creds' } },
    });
    const claims = decodeJwt((answer.status as { token: string }).token)!.payload;
    expect(claims['kubernetes.io']).toMatchObject({ secret: { name: 'creds', uid: 'secret-1' } });
  });

  it.each([
    [
      'a pod running as another ServiceAccount',
      { spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'other' } } },
      400,
      'cannot bind token for serviceaccount "builder" to pod running with different serviceaccount name.',
    ],
    [
      'a bound object whose uid is not the one given',
      { spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web-0', uid: 'old' } } },
      409,
      'Operation cannot be fulfilled on Pod "web-0": the UID in the bound object reference (old) does not match the UID in record. The object might have been deleted and then recreated',
    ],
    [
      'a missing bound pod',
      { spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'nope' } } },
      404,
      'pods "nope" not found',
    ],
    [
      'a kind tokens cannot be bound to',
      { spec: { boundObjectRef: { kind: 'Deployment', apiVersion: 'apps/v1', name: 'web' } } },
      400,
      'cannot bind token to object of type apps/v1, Kind=Deployment',
    ],
    [
      'more than 2^32 seconds',
      { spec: { expirationSeconds: 2 ** 32 + 1 } },
      422,
      'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds',
    ],
    [
      'a name in the body that is not the ServiceAccount’s',
      { metadata: { name: 'other' } },
      422,
      'TokenRequest.authentication.k8s.io "builder" is invalid: metadata.name: Invalid value: "other": must match the service account name if specified',
    ],
  ])('refuses %s', async (_name, request, code, message) => {
    expect(await failure(handle('shop', 'builder', request as KubeObject))).toEqual({ code, message });
  });
});
