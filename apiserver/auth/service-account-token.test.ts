import { generateKeyPairSync } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/resource.js';
import { isStatusError } from '../../api/status.js';
import { decodeJwt, signJwt } from './jwt.js';
import type { LookupResource, ObjectLookup } from './object-lookup.js';
import {
  defaultServiceAccountIssuer,
  nodeNameExtra,
  podNameExtra,
  podUidExtra,
  ServiceAccountTokens,
} from './service-account-token.js';
import { credentialIdExtra } from './x509.js';

/** Objects by `resource/namespace/name`; `cached` may lag behind `live`, as the watch cache can. */
class FakeObjects implements ObjectLookup {
  readonly live = new Map<string, KubeObject>();
  readonly cached = new Map<string, KubeObject>();
  freshReads = 0;

  put(resource: LookupResource, object: KubeObject, options: { cached?: boolean } = {}): void {
    const key = `${resource}/${object.metadata?.namespace ?? ''}/${object.metadata?.name}`;
    this.live.set(key, object);
    if (options.cached ?? true) this.cached.set(key, object);
  }

  remove(resource: LookupResource, namespace: string | undefined, name: string): void {
    this.live.delete(`${resource}/${namespace ?? ''}/${name}`);
    this.cached.delete(`${resource}/${namespace ?? ''}/${name}`);
  }

  async get(
    resource: LookupResource,
    namespace: string | undefined,
    name: string,
    options: { fresh?: boolean } = {},
  ) {
    if (options.fresh) this.freshReads++;
    return (options.fresh ? this.live : this.cached).get(`${resource}/${namespace ?? ''}/${name}`);
  }
}

const start = Date.UTC(2026, 0, 1);
const serviceAccount = { metadata: { name: 'builder', namespace: 'shop', uid: 'sa-uid-1' } };
const pod = {
  metadata: { name: 'web-0', namespace: 'shop', uid: 'pod-uid-1' },
  spec: { serviceAccountName: 'builder', nodeName: 'node-1' },
};
const node = { metadata: { name: 'node-1', uid: 'node-uid-1' } };

let objects: FakeObjects;
let now: number;
let tokens: ServiceAccountTokens;
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

beforeEach(() => {
  objects = new FakeObjects();
  objects.put('serviceaccounts', serviceAccount);
  objects.put('pods', pod);
  objects.put('nodes', node);
  now = start;
  tokens = new ServiceAccountTokens({ signingKey: privateKey, objects, now: () => now });
});

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(isStatusError(error, 'Unauthorized'), String(error)).toBe(true);
  return (error as Error).message;
}

const issue = (options: { audiences?: string[]; expirationSeconds?: number; bound?: boolean } = {}) =>
  tokens.issue({
    serviceAccount,
    audiences: options.audiences ?? [defaultServiceAccountIssuer],
    expirationSeconds: options.expirationSeconds ?? 3600,
    ...(options.bound ? { pod, node } : {}),
  }).token;

describe('ServiceAccount tokens', () => {
  it('carry the claims Kubernetes puts in a bound token, signed ES256 with a key id', () => {
    const decoded = decodeJwt(issue({ bound: true }))!;
    expect(decoded.header).toMatchObject({ alg: 'ES256' });
    expect(decoded.header.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(decoded.payload).toMatchObject({
      iss: defaultServiceAccountIssuer,
      sub: 'system:serviceaccount:shop:builder',
      aud: [defaultServiceAccountIssuer],
      iat: start / 1000,
      nbf: start / 1000,
      exp: start / 1000 + 3600,
      'kubernetes.io': {
        namespace: 'shop',
        serviceaccount: { name: 'builder', uid: 'sa-uid-1' },
        pod: { name: 'web-0', uid: 'pod-uid-1' },
        node: { name: 'node-1', uid: 'node-uid-1' },
      },
    });
    expect(decoded.payload.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('authenticate as the ServiceAccount, in its groups, with the pod and node as extras', async () => {
    const token = issue({ bound: true });
    const { jti } = decodeJwt(token)!.payload as { jti: string };
    expect(await tokens.authenticateToken(token)).toEqual({
      user: {
        username: 'system:serviceaccount:shop:builder',
        uid: 'sa-uid-1',
        groups: ['system:serviceaccounts', 'system:serviceaccounts:shop'],
        extra: {
          [podNameExtra]: ['web-0'],
          [podUidExtra]: ['pod-uid-1'],
          [nodeNameExtra]: ['node-1'],
          'authentication.kubernetes.io/node-uid': ['node-uid-1'],
          [credentialIdExtra]: [`JTI=${jti}`],
        },
      },
      audiences: [defaultServiceAccountIssuer],
    });
  });

  it('expire a minute after exp (upstream’s leeway)', async () => {
    const token = issue({ expirationSeconds: 600 });
    now = start + 660_000;
    expect(await tokens.authenticateToken(token)).toBeDefined();
    now = start + 661_000;
    expect(await refusal(tokens.authenticateToken(token))).toBe('service account token has expired');
  });

  it('refuse a token whose claims were changed after signing', async () => {
    const [header, payload, signature] = issue().split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    claims['kubernetes.io'].serviceaccount.name = 'admin';
    claims.sub = 'system:serviceaccount:shop:admin';
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    expect(await refusal(tokens.authenticateToken(tampered))).toBe('token signature is invalid');
  });

  it('refuse a token signed with another key, and one that claims no algorithm', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const claims = decodeJwt(issue())!.payload;
    expect(await refusal(tokens.authenticateToken(signJwt(claims, other, 'x')))).toBe(
      'token signature is invalid',
    );
    const [, payload] = issue().split('.');
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;
    expect(await refusal(tokens.authenticateToken(unsigned))).toBe('token signature is invalid');
  });

  it('are refused for an audience they were not issued for', async () => {
    const token = issue({ audiences: ['vault'] });
    expect(await refusal(tokens.authenticateToken(token))).toBe(
      `token audiences ["vault"] is invalid for the target audiences ["${defaultServiceAccountIssuer}"]`,
    );
    expect((await tokens.authenticateToken(token, ['vault', 'other']))?.audiences).toEqual(['vault']);
  });

  it('die with their ServiceAccount, and are not revived by a new one of the same name', async () => {
    const token = issue();
    objects.remove('serviceaccounts', 'shop', 'builder');
    expect(await refusal(tokens.authenticateToken(token))).toBe(
      'service account shop/builder has been deleted',
    );
    objects.put('serviceaccounts', { metadata: { ...serviceAccount.metadata, uid: 'sa-uid-2' } });
    expect(await refusal(tokens.authenticateToken(token))).toBe(
      'service account shop/builder has been deleted',
    );
  });

  it('die with the pod they are bound to', async () => {
    const token = issue({ bound: true });
    objects.remove('pods', 'shop', 'web-0');
    expect(await refusal(tokens.authenticateToken(token))).toBe('pod shop/web-0 has been deleted');
  });

  it('outlive a pod’s deletionTimestamp by a minute, for its grace period', async () => {
    const token = issue({ bound: true });
    objects.put('pods', {
      ...pod,
      metadata: { ...pod.metadata, deletionTimestamp: new Date(start).toISOString() },
    });
    expect(await tokens.authenticateToken(token)).toBeDefined();
    now = start + 61_000;
    expect(await refusal(tokens.authenticateToken(token))).toBe('pod shop/web-0 has been deleted');
  });

  it('read a ServiceAccount the cache has not seen yet from the store', async () => {
    const fresh = { metadata: { name: 'new', namespace: 'shop', uid: 'sa-uid-9' } };
    objects.put('serviceaccounts', fresh, { cached: false });
    const token = tokens.issue({
      serviceAccount: fresh,
      audiences: [defaultServiceAccountIssuer],
      expirationSeconds: 600,
    });
    expect((await tokens.authenticateToken(token.token))?.user.username).toBe(
      'system:serviceaccount:shop:new',
    );
    expect(objects.freshReads).toBe(1);
  });

  it('leave tokens of other issuers, and what is no JWT, to other authenticators', async () => {
    const foreign = signJwt({ ...decodeJwt(issue())!.payload, iss: 'https://elsewhere' }, privateKey, 'k');
    expect(await tokens.authenticateToken(foreign)).toBeUndefined();
    expect(await tokens.authenticateToken('31ada4fd-adec-460c')).toBeUndefined();
    expect(await tokens.authenticateToken('a.b.c')).toBeUndefined();
  });

  it('check the ServiceAccount on every request, even for a token checked before', async () => {
    const token = issue();
    await tokens.authenticateToken(token);
    objects.remove('serviceaccounts', 'shop', 'builder');
    await refusal(tokens.authenticateToken(token));
  });

  it('accept tokens signed with an RSA key (RS256), as kubeadm’s sa.key is', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const rsaTokens = new ServiceAccountTokens({ signingKey: rsa, objects, now: () => now });
    const token = rsaTokens.issue({
      serviceAccount,
      audiences: [defaultServiceAccountIssuer],
      expirationSeconds: 600,
    });
    expect(decodeJwt(token.token)?.header.alg).toBe('RS256');
    expect((await rsaTokens.authenticateToken(token.token))?.user.uid).toBe('sa-uid-1');
  });
});
