import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ipBytes, issueCertificate, subjectOf } from './certificate.js';
import { decodeObjectIdentifier, der, readChildren, readElement } from './der.js';

describe('the DER encoder', () => {
  it.each([
    ['INTEGER 0', der.integer(0), '020100'],
    ['INTEGER 127', der.integer(127), '02017f'],
    ['INTEGER 128 keeps a leading zero', der.integer(128), '02020080'],
    ['INTEGER 256', der.integer(256n), '02020100'],
    ['INTEGER from bytes drops leading zeros', der.integer(Buffer.from([0, 0, 5])), '020105'],
    ['BOOLEAN true', der.boolean(true), '0101ff'],
    ['NULL', der.null(), '0500'],
    ['OID commonName', der.objectIdentifier('2.5.4.3'), '0603550403'],
    ['OID ecdsa-with-SHA256', der.objectIdentifier('1.2.840.10045.4.3.2'), '06082a8648ce3d040302'],
    ['BIT STRING with 7 unused bits', der.bitString(Buffer.from([0x80]), 7), '03020780'],
    ['UTCTime before 2050', der.time(new Date('2026-11-22T10:20:30.999Z')), '170d3236313132323130323033305a'],
    [
      'GeneralizedTime from 2050',
      der.time(new Date('2050-01-01T00:00:00Z')),
      '180f32303530303130313030303030305a',
    ],
    ['[2] IMPLICIT', der.implicit(2, Buffer.from('ab')), '82026162'],
  ])('%s', (_name, encoded, hex) => {
    expect(encoded.toString('hex')).toBe(hex);
  });

  it('writes long lengths in the long form and reads them back', () => {
    const content = Buffer.alloc(300, 7);
    const encoded = der.octetString(content);
    expect(encoded.subarray(0, 4).toString('hex')).toBe('0482012c');
    const read = readElement(encoded);
    expect(read.tag).toBe(0x04);
    expect(read.content.equals(content)).toBe(true);
  });

  it('orders a SET OF by the members’ encodings', () => {
    const set = der.setOf(der.integer(2), der.integer(1));
    expect(readChildren(readElement(set)).map((child) => child.content[0])).toEqual([1, 2]);
  });

  it('decodes the object identifiers it encodes', () => {
    for (const oid of ['2.5.29.17', '1.3.6.1.5.5.7.3.2', '1.2.840.113549.1.1.11', '2.999.3']) {
      expect(decodeObjectIdentifier(readElement(der.objectIdentifier(oid)).content)).toBe(oid);
    }
  });

  it('refuses a truncated element', () => {
    expect(() => readElement(Buffer.from('0405abcd', 'hex'))).toThrow(/truncated/);
  });
});

describe('IP addresses in subject alternative names', () => {
  it.each([
    ['127.0.0.1', '7f000001'],
    ['::1', '00000000000000000000000000000001'],
    ['fe80::1%eth0', 'fe800000000000000000000000000001'],
    ['2001:db8::8a2e:370:7334', '20010db80000000000008a2e03707334'],
    ['::ffff:10.0.0.1', '00000000000000000000ffff0a000001'],
  ])('%s is %s', (address, hex) => {
    expect(ipBytes(address).toString('hex')).toBe(hex);
  });

  it('refuses what is not an address', () => {
    expect(() => ipBytes('kubernetes')).toThrow(/not an IP address/);
  });
});

describe('issued certificates', () => {
  let directory: string;
  const caKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const validity = { notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 86_400_000) };
  const caPem = issueCertificate({
    subject: { commonName: 'test-ca' },
    publicKey: caKeys.publicKey,
    signingKey: caKeys.privateKey,
    usage: 'ca',
    ...validity,
  });
  const ca = new X509Certificate(caPem);
  const leafKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const serverPem = issueCertificate({
    subject: { commonName: 'kube-apiserver' },
    publicKey: leafKeys.publicKey,
    issuer: ca,
    signingKey: caKeys.privateKey,
    usage: 'server',
    dnsNames: ['localhost', 'kubernetes.default.svc'],
    ipAddresses: ['127.0.0.1', '::1', '10.96.0.1'],
    ...validity,
  });
  const clientPem = issueCertificate({
    subject: { commonName: 'alice', organizations: ['dev', 'ops, "night"'] },
    publicKey: leafKeys.publicKey,
    issuer: ca,
    signingKey: caKeys.privateKey,
    usage: 'client',
    ...validity,
  });
  const openssl = (...args: string[]) => execFileSync('openssl', args, { encoding: 'utf8' });

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'skiff-cert-'));
    await writeFile(join(directory, 'ca.crt'), caPem);
    await writeFile(join(directory, 'server.crt'), serverPem);
    await writeFile(join(directory, 'client.crt'), clientPem);
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('openssl verifies the serving certificate for TLS servers and the client one for clients', () => {
    const ca = join(directory, 'ca.crt');
    expect(
      openssl('verify', '-purpose', 'sslserver', '-CAfile', ca, join(directory, 'server.crt')),
    ).toContain('OK');
    expect(
      openssl('verify', '-purpose', 'sslclient', '-CAfile', ca, join(directory, 'client.crt')),
    ).toContain('OK');
    // A client certificate is no server certificate.
    expect(() =>
      execFileSync(
        'openssl',
        ['verify', '-purpose', 'sslserver', '-CAfile', ca, join(directory, 'client.crt')],
        {
          stdio: 'pipe',
        },
      ),
    ).toThrow();
  });

  it('openssl reads a v3 CA with the constraints and usages Kubernetes’ tools expect', () => {
    const text = openssl('x509', '-in', join(directory, 'ca.crt'), '-noout', '-text');
    expect(text).toContain('Version: 3 (0x2)');
    expect(text).toContain('Signature Algorithm: ecdsa-with-SHA256');
    expect(text).toMatch(/Basic Constraints: critical\s+CA:TRUE/);
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature, Certificate Sign, CRL Sign/);
    expect(text).toContain('Subject: CN = test-ca');
  });

  it('puts every DNS name and IP address in the serving certificate', () => {
    const text = openssl('x509', '-in', join(directory, 'server.crt'), '-noout', '-text');
    expect(text).toContain(
      'DNS:localhost, DNS:kubernetes.default.svc, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:10.96.0.1',
    );
    expect(text).toMatch(/Extended Key Usage:\s+TLS Web Server Authentication/);
    expect(text).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
    const server = new X509Certificate(serverPem);
    expect(server.checkHost('kubernetes.default.svc')).toBe('kubernetes.default.svc');
    expect(server.checkIP('10.96.0.1')).toBe('10.96.0.1');
    expect(server.checkHost('example.com')).toBeUndefined();
  });

  it('is verified by Node against the CA, and names the CA as issuer', () => {
    const client = new X509Certificate(clientPem);
    expect(client.checkIssued(ca)).toBe(true);
    expect(client.verify(ca.publicKey)).toBe(true);
    expect(client.issuer).toBe('CN=test-ca');
    expect(client.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(client.verify(stranger.publicKey)).toBe(false);
  });

  it('reads the subject back exactly, organizations with commas and quotes included', () => {
    expect(subjectOf(new X509Certificate(clientPem))).toEqual({
      commonName: 'alice',
      organizations: ['dev', 'ops, "night"'],
    });
  });

  it('signs with an RSA issuer too', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = issueCertificate({
      subject: { commonName: 'rsa-ca' },
      publicKey: rsa.publicKey,
      signingKey: rsa.privateKey,
      usage: 'ca',
      ...validity,
    });
    const certificate = new X509Certificate(pem);
    expect(certificate.verify(rsa.publicKey)).toBe(true);
    expect(certificate.ca).toBe(true);
  });
});
