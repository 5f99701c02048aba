import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuthenticationRequest } from '../../api/auth.js';
import { isStatusError } from '../../api/status.js';
import { type CertificateUsage, issueCertificate } from '../pki/certificate.js';
import { credentialIdExtra, X509Authenticator } from './x509.js';

const start = Date.UTC(2026, 0, 1);
const day = 24 * 60 * 60 * 1000;

function makeCa(commonName: string) {
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const certificate = new X509Certificate(
    issueCertificate({
      subject: { commonName },
      publicKey: keys.publicKey,
      signingKey: keys.privateKey,
      usage: 'ca',
      notBefore: new Date(start - day),
      notAfter: new Date(start + 3650 * day),
    }),
  );
  return {
    certificate,
    issue(subject: { commonName: string; organizations?: string[] }, usage: CertificateUsage = 'client') {
      const leaf = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      return new X509Certificate(
        issueCertificate({
          subject,
          publicKey: leaf.publicKey,
          issuer: certificate,
          signingKey: keys.privateKey,
          usage,
          notBefore: new Date(start - day),
          notAfter: new Date(start + 30 * day),
        }),
      );
    },
  };
}

const cluster = makeCa('kubernetes');
const stranger = makeCa('kubernetes');

/** A request over a TLS socket whose client sent `certificate` (or none). */
function requestWith(certificate: X509Certificate | undefined) {
  const socket = {
    calls: 0,
    getPeerX509Certificate() {
      this.calls++;
      return certificate;
    },
  };
  return { request: { headers: {}, socket } as unknown as AuthenticationRequest, socket };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(isStatusError(error, 'Unauthorized')).toBe(true);
  return (error as Error).message;
}

describe('the x509 client-certificate authenticator', () => {
  const authenticator = () => new X509Authenticator({ ca: cluster.certificate, now: () => start });

  it('reads the user from CN and the groups from each O', async () => {
    const certificate = cluster.issue({ commonName: 'alice', organizations: ['dev', 'ops'] });
    const user = await authenticator().authenticate(requestWith(certificate).request);
    expect(user).toMatchObject({ username: 'alice', groups: ['dev', 'ops'] });
    expect(user?.extra?.[credentialIdExtra]?.[0]).toMatch(/^X509SHA256=[0-9a-f]{64}$/);
  });

  it('finds no credentials when the client sent no certificate, or the connection is not TLS', async () => {
    expect(await authenticator().authenticate(requestWith(undefined).request)).toBeUndefined();
    const plain = { headers: {}, socket: {} } as unknown as AuthenticationRequest;
    expect(await authenticator().authenticate(plain)).toBeUndefined();
  });

  it('refuses a certificate another CA signed, even one of the same name', async () => {
    const forged = stranger.issue({ commonName: 'kubernetes-admin', organizations: ['system:masters'] });
    expect(await refusal(authenticator().authenticate(requestWith(forged).request))).toBe(
      'x509: certificate signed by unknown authority',
    );
  });

  it('refuses a certificate past its validity', async () => {
    const certificate = cluster.issue({ commonName: 'alice' });
    const late = new X509Authenticator({ ca: cluster.certificate, now: () => start + 31 * day });
    expect(await refusal(late.authenticate(requestWith(certificate).request))).toMatch(
      /^x509: certificate has expired or is not yet valid/,
    );
  });

  it('refuses a certificate issued for serving, not for clients', async () => {
    const serving = cluster.issue({ commonName: 'kube-apiserver' }, 'server');
    expect(await refusal(authenticator().authenticate(requestWith(serving).request))).toBe(
      'x509: certificate specifies an incompatible key usage',
    );
  });

  it('takes a certificate without a common name as no credentials', async () => {
    const nameless = cluster.issue({ commonName: '', organizations: ['dev'] });
    expect(await authenticator().authenticate(requestWith(nameless).request)).toBeUndefined();
  });

  it('reads the peer certificate once per connection, and checks the clock on every request', async () => {
    let now = start;
    const cached = new X509Authenticator({ ca: cluster.certificate, now: () => now });
    const { request, socket } = requestWith(cluster.issue({ commonName: 'alice' }));
    for (let index = 0; index < 3; index++) await cached.authenticate(request);
    expect(socket.calls).toBe(1);
    now = start + 31 * day;
    await refusal(cached.authenticate(request));
  });

  it('verifies a certificate once however many connections present it', async () => {
    const certificate = cluster.issue({ commonName: 'alice' });
    const shared = new X509Authenticator({ ca: cluster.certificate, now: () => start });
    const first = await shared.authenticate(requestWith(certificate).request);
    const second = await shared.authenticate(requestWith(certificate).request);
    // The same verified result object: the second connection did not verify again.
    expect(second).toBe(first);
  });
});
