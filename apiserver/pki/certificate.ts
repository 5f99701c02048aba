/**
 * Issuing X.509 v3 certificates (RFC 5280) with Node's keys and signatures and the DER encoder beside
 * this file: the cluster CA (self-signed), the API server's serving certificate, and client
 * certificates whose subject is the user (CN = user name, O = groups, as Kubernetes reads them).
 *
 *   Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
 *   TBSCertificate ::= SEQUENCE { [0] version 2, serialNumber, signature, issuer, validity, subject,
 *                                 subjectPublicKeyInfo, [3] extensions }
 *
 * Keys are ECDSA P-256 (signed with SHA-256) by default; RSA issuers sign with sha256WithRSAEncryption.
 */
import { createHash, type KeyObject, randomBytes, sign, type X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { type DerElement, decodeObjectIdentifier, der, readChildren, readElement, tags } from './der.js';

export interface DistinguishedName {
  readonly commonName: string;
  readonly organizations?: readonly string[];
}

/** What a certificate is for, which fixes its basic constraints, key usage and extended key usage. */
export type CertificateUsage = 'ca' | 'server' | 'client';

export interface CertificateTemplate {
  readonly subject: DistinguishedName;
  readonly publicKey: KeyObject;
  /** The CA that signs; absent for a self-signed certificate (then `signingKey` is its own key). */
  readonly issuer?: X509Certificate;
  readonly signingKey: KeyObject;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly usage: CertificateUsage;
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
}

const oids = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extendedKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

// keyUsage bits, numbered from the most significant bit of the first byte (RFC 5280 4.2.1.3).
const keyUsageBits = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 } as const;

/** Issues a certificate and returns it as PEM. */
export function issueCertificate(template: CertificateTemplate): string {
  const subjectName = encodeName(template.subject);
  const issuerName = template.issuer ? subjectNameOf(template.issuer) : subjectName;
  const publicKeyInfo = template.publicKey.export({ type: 'spki', format: 'der' });
  const ownKeyId = keyIdentifier(publicKeyInfo);
  const issuerKeyId = template.issuer
    ? keyIdentifier(template.issuer.publicKey.export({ type: 'spki', format: 'der' }))
    : ownKeyId;
  const algorithm = signatureAlgorithm(template.signingKey);
  // 20 random bytes with the top bit clear: positive, and at most 20 octets as RFC 5280 asks.
  const serial = randomBytes(20);
  serial[0] = (serial[0]! & 0x7f) | 0x01;

  const extensions = [
    extension(
      oids.basicConstraints,
      true,
      der.sequence(...(template.usage === 'ca' ? [der.boolean(true)] : [])),
    ),
    extension(oids.keyUsage, true, keyUsage(template)),
    ...(template.usage === 'ca'
      ? []
      : [
          extension(
            oids.extendedKeyUsage,
            false,
            der.sequence(
              der.objectIdentifier(template.usage === 'server' ? oids.serverAuth : oids.clientAuth),
            ),
          ),
        ]),
    extension(oids.subjectKeyIdentifier, false, der.octetString(ownKeyId)),
    extension(oids.authorityKeyIdentifier, false, der.sequence(der.implicit(0, issuerKeyId))),
  ];
  const names = subjectAltNames(template);
  if (names) extensions.push(extension(oids.subjectAltName, false, names));

  const tbs = der.sequence(
    der.explicit(0, der.integer(2)),
    der.integer(serial),
    algorithm,
    issuerName,
    der.sequence(der.time(template.notBefore), der.time(template.notAfter)),
    subjectName,
    publicKeyInfo,
    der.explicit(3, der.sequence(...extensions)),
  );
  // ECDSA signatures come out DER-encoded (r, s), which is what X.509 carries.
  const signature = sign('sha256', tbs, template.signingKey);
  const certificate = der.sequence(tbs, algorithm, der.bitString(signature));
  return toPem('CERTIFICATE', certificate);
}

export function toPem(label: string, bytes: Buffer): string {
  const lines = bytes.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * Subject as Kubernetes' x509 authenticator reads it: CN is the user name, every O a group. Read from
 * the DER rather than Node's `subject` text, which escapes and joins values.
 */
export function subjectOf(certificate: X509Certificate): { commonName: string; organizations: string[] } {
  const result = { commonName: '', organizations: [] as string[] };
  for (const relativeName of readChildren(readElement(subjectNameOf(certificate)))) {
    for (const attribute of readChildren(relativeName)) {
      const [type, value] = readChildren(attribute);
      if (!type || !value) continue;
      const oid = decodeObjectIdentifier(type.content);
      const text = value.content.toString(value.tag === tags.utf8String ? 'utf8' : 'latin1');
      if (oid === oids.commonName) result.commonName = text;
      else if (oid === oids.organization) result.organizations.push(text);
    }
  }
  return result;
}

/** The subject Name's own encoding, used as the issuer of what this certificate signs. */
function subjectNameOf(certificate: X509Certificate): Buffer {
  const [tbs] = readChildren(readElement(certificate.raw));
  const fields = readChildren(tbs as DerElement);
  // version [0] is present in every v3 certificate; without it the subject moves one place left.
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0;
  const subject = fields[offset + 4];
  if (!subject) throw new Error('certificate has no subject');
  return Buffer.from(subject.encoded);
}

/** One RDN per attribute, organizations first, the common name last (as Go and OpenSSL order them). */
function encodeName(name: DistinguishedName): Buffer {
  const attribute = (oid: string, value: string) =>
    der.setOf(der.sequence(der.objectIdentifier(oid), der.utf8String(value)));
  return der.sequence(
    ...(name.organizations ?? []).map((organization) => attribute(oids.organization, organization)),
    ...(name.commonName === '' ? [] : [attribute(oids.commonName, name.commonName)]),
  );
}

function signatureAlgorithm(key: KeyObject): Buffer {
  if (key.asymmetricKeyType === 'ec') return der.sequence(der.objectIdentifier(oids.ecdsaWithSha256));
  if (key.asymmetricKeyType === 'rsa')
    return der.sequence(der.objectIdentifier(oids.sha256WithRsa), der.null());
  throw new Error(`cannot sign certificates with a ${key.asymmetricKeyType} key`);
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  // critical is DEFAULT FALSE, and DER leaves defaults out.
  return der.sequence(
    der.objectIdentifier(oid),
    ...(critical ? [der.boolean(true)] : []),
    der.octetString(value),
  );
}

function keyUsage(template: CertificateTemplate): Buffer {
  const bits: number[] =
    template.usage === 'ca'
      ? [keyUsageBits.digitalSignature, keyUsageBits.keyCertSign, keyUsageBits.cRLSign]
      : [keyUsageBits.digitalSignature];
  // RSA keys also carry TLS key exchange; ECDSA keys only sign.
  if (template.usage !== 'ca' && template.publicKey.asymmetricKeyType === 'rsa') {
    bits.push(keyUsageBits.keyEncipherment);
  }
  const last = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(last / 8) + 1);
  for (const bit of bits) bytes[Math.floor(bit / 8)]! |= 0x80 >> (bit % 8);
  return der.bitString(bytes, 7 - (last % 8));
}

/** RFC 5280's method 1: the SHA-1 of the subjectPublicKey bits. */
function keyIdentifier(publicKeyInfo: Buffer): Buffer {
  const [, subjectPublicKey] = readChildren(readElement(publicKeyInfo));
  if (!subjectPublicKey) throw new Error('malformed public key');
  return createHash('sha1').update(subjectPublicKey.content.subarray(1)).digest();
}

function subjectAltNames(template: CertificateTemplate): Buffer | undefined {
  const names = [
    ...(template.dnsNames ?? []).map((name) => der.implicit(2, Buffer.from(name, 'ascii'))),
    ...(template.ipAddresses ?? []).map((address) => der.implicit(7, ipBytes(address))),
  ];
  return names.length === 0 ? undefined : der.sequence(...names);
}

/** An IP address as a SAN carries it: 4 bytes for IPv4, 16 for IPv6 (`::` expanded, zone dropped). */
export function ipBytes(address: string): Buffer {
  const plain = address.split('%')[0]!;
  const version = isIP(plain);
  if (version === 4) return Buffer.from(plain.split('.').map(Number));
  if (version !== 6) throw new Error(`${address} is not an IP address`);
  let text = plain;
  // An IPv4 tail (::ffff:10.0.0.1) becomes two groups.
  const v4 = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (v4) {
    const [a, b, c, d] = v4[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -v4[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...tailGroups];
  const bytes = Buffer.alloc(16);
  for (const [index, group] of groups.entries()) bytes.writeUInt16BE(Number.parseInt(group, 16), index * 2);
  return bytes;
}
