import { describe, expect, it } from 'vitest';
import {
  type AuthenticationRequest,
  type Authenticator,
  anonymousUser,
  type TokenAuthenticator,
  type UserInfo,
} from '../../api/auth.js';
import { isStatusError, unauthorized } from '../../api/status.js';
import { AuthenticationChain, bearerToken, withAuthenticatedGroup } from './authenticate.js';
import { TokenFileAuthenticator } from './token-file.js';

const alice: UserInfo = { username: 'alice', uid: '1', groups: ['dev'] };
const tokenFile = new TokenFileAuthenticator(new Map([['alice-token', alice]]));
/** A JWT-like authenticator: knows `good`, refuses `expired`, ignores the rest. */
const jwt: TokenAuthenticator = {
  async authenticateToken(token, audiences) {
    if (token === 'expired') throw unauthorized('service account token has expired');
    if (token !== 'good') return undefined;
    if (audiences && !audiences.includes('api')) throw unauthorized('wrong audience');
    return {
      user: { username: 'system:serviceaccount:ns:sa', groups: ['system:serviceaccounts'] },
      audiences: ['api'],
    };
  },
};
/** A client-certificate stand-in: `cert` header good, `bad-cert` refused. */
const certificates: Authenticator = {
  async authenticate(request) {
    const cert = request.headers['x-test-cert'];
    if (cert === 'bad') throw unauthorized('x509: certificate signed by unknown authority');
    return cert === 'bob' ? { username: 'bob', groups: ['ops'] } : undefined;
  },
};

const requestWith = (headers: Record<string, string>) =>
  ({ headers, socket: {} }) as unknown as AuthenticationRequest;

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(isStatusError(error, 'Unauthorized'), String(error)).toBe(true);
  return (error as Error).message;
}

describe('the authentication chain', () => {
  const chain = new AuthenticationChain({ certificates, tokens: [tokenFile, jwt], apiAudiences: ['api'] });

  it('takes a client certificate first, and adds system:authenticated', async () => {
    expect(
      await chain.authenticate(requestWith({ 'x-test-cert': 'bob', authorization: 'Bearer alice-token' })),
    ).toEqual({
      username: 'bob',
      groups: ['ops', 'system:authenticated'],
    });
  });

  it('offers a bearer token to each token authenticator in turn', async () => {
    expect(await chain.authenticate(requestWith({ authorization: 'Bearer alice-token' }))).toEqual({
      ...alice,
      groups: ['dev', 'system:authenticated'],
    });
    expect((await chain.authenticate(requestWith({ authorization: 'bearer good' })))?.username).toBe(
      'system:serviceaccount:ns:sa',
    );
  });

  it('answers 401 for a token nobody knows, and for one refused, never taking them as anonymous', async () => {
    expect(await refusal(chain.authenticate(requestWith({ authorization: 'Bearer guess' })))).toBe(
      'invalid bearer token',
    );
    expect(await refusal(chain.authenticate(requestWith({ authorization: 'Bearer expired' })))).toBe(
      '[invalid bearer token, service account token has expired]',
    );
  });

  it('lets good credentials through beside bad ones, as upstream’s union does', async () => {
    const user = await chain.authenticate(
      requestWith({ 'x-test-cert': 'bad', authorization: 'Bearer good' }),
    );
    expect(user?.username).toBe('system:serviceaccount:ns:sa');
    expect(await refusal(chain.authenticate(requestWith({ 'x-test-cert': 'bad' })))).toBe(
      'x509: certificate signed by unknown authority',
    );
  });

  it('makes a request without credentials anonymous, or nobody when anonymous requests are off', async () => {
    expect(await chain.authenticate(requestWith({}))).toEqual(anonymousUser);
    expect(await chain.authenticate(requestWith({ authorization: 'Basic YTpi' }))).toEqual(anonymousUser);
    const strict = new AuthenticationChain({ tokens: [tokenFile], anonymous: false });
    expect(await strict.authenticate(requestWith({}))).toBeUndefined();
  });

  it('takes a static token as good for the API server’s audiences only', async () => {
    expect(await chain.authenticateToken('alice-token')).toMatchObject({ audiences: ['api'] });
    expect(await chain.authenticateToken('alice-token', ['api', 'vault'])).toMatchObject({
      audiences: ['api'],
    });
    expect(await chain.authenticateToken('alice-token', ['vault'])).toBeUndefined();
  });
});

describe('bearer tokens in the Authorization header', () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['  Bearer abc  ', 'abc'],
    ['Bearer abc extra', 'abc'],
    ['Bearer', undefined],
    ['Bearer  abc', undefined],
    ['Basic YTpi', undefined],
    [undefined, undefined],
  ])('%s → %s', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });
});

describe('system:authenticated', () => {
  it('is added once, and never to a user in system:unauthenticated', () => {
    expect(withAuthenticatedGroup({ username: 'a', groups: [] }).groups).toEqual(['system:authenticated']);
    expect(withAuthenticatedGroup({ username: 'a', groups: ['system:authenticated'] }).groups).toEqual([
      'system:authenticated',
    ]);
    expect(withAuthenticatedGroup(anonymousUser).groups).toEqual(['system:unauthenticated']);
  });
});
