/**
 * The cluster's PKI in `<dataDir>/pki/`, laid out as kubeadm lays out /etc/kubernetes/pki:
 *
 *   ca.crt, ca.key                 the cluster CA (10 years): signs everything below
 *   apiserver.crt, apiserver.key   the serving certificate (1 year), with every name clients use
 *   admin.crt, admin.key           CN=kubernetes-admin, O=system:masters (1 year), for the kubeconfig
 *   apiserver-kubelet-client.crt/.key  CN=kube-apiserver-kubelet-client, O=system:masters (1 year): what
 *                                  the API server presents to nodes for logs, exec, attach, port-forward
 *   sa.key, sa.pub                 the key ServiceAccount tokens are signed with
 *
 * Created on first start and reused after: a restart keeps every kubeconfig and token valid. A leaf
 * certificate is issued again only when it is missing, not signed by this CA, within 30 days of
 * expiry, or (the serving one) lacks a name the host now has. Keys are written 0600, the directory
 * 0700; certificates are public.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  X509Certificate,
} from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import {
  type CertificateUsage,
  type DistinguishedName,
  ipBytes,
  issueCertificate,
  subjectOf,
} from './certificate.js';

export interface KeyPair {
  /** PEM. */
  readonly certificate: string;
  /** PEM (SEC 1 "EC PRIVATE KEY", which Go, OpenSSL and Node all read). */
  readonly key: string;
}

export interface CertificateAuthority extends KeyPair {
  readonly x509: X509Certificate;
  readonly privateKey: KeyObject;
  /** A client certificate for `subject`, signed by this CA. */
  issueClientCertificate(subject: DistinguishedName, options?: { validDays?: number; now?: number }): KeyPair;
  /** A serving certificate for `subject` and these names, signed by this CA (a node's, in `skiff up`). */
  issueServingCertificate(
    subject: DistinguishedName,
    names: ServingNames,
    options?: { validDays?: number; now?: number },
  ): KeyPair;
}

export interface ClusterPki {
  readonly directory: string;
  readonly ca: CertificateAuthority;
  readonly serving: KeyPair;
  readonly admin: KeyPair;
  /** The API server's client certificate towards nodes (kubeadm's apiserver-kubelet-client). */
  readonly kubeletClient: KeyPair;
  readonly serviceAccountKey: { readonly privateKey: KeyObject; readonly publicKey: KeyObject };
}

export interface ServingNames {
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
}

export interface ClusterPkiOptions {
  readonly dataDir: string;
  /** Names for the serving certificate; `servingNamesFor()` by default. */
  readonly servingNames?: ServingNames;
  readonly now?: () => number;
}

/** The user the admin kubeconfig acts as, as kubeadm's admin.conf (before 1.29) names it. */
export const adminSubject: DistinguishedName = {
  commonName: 'kubernetes-admin',
  organizations: ['system:masters'],
};

/** Who the API server is to nodes, as kubeadm's apiserver-kubelet-client certificate names it. */
export const kubeletClientSubject: DistinguishedName = {
  commonName: 'kube-apiserver-kubelet-client',
  organizations: ['system:masters'],
};

/** The first address of the default service CIDR (10.96.0.0/12): the `kubernetes` Service's ClusterIP. */
export const kubernetesServiceIp = '10.96.0.1';

const day = 24 * 60 * 60 * 1000;
const caValidDays = 3650;
const leafValidDays = 365;
const renewBeforeDays = 30;
/** Certificates start a little in the past, so a client whose clock is slightly behind accepts them. */
const backdateMs = 5 * 60 * 1000;

/**
 * Every name a client may reach the API server by: loopback, this host's name and addresses, and the
 * in-cluster names of the `kubernetes` Service.
 */
export function servingNamesFor(options: { address?: string } = {}): ServingNames {
  const dnsNames = new Set([
    'localhost',
    hostname(),
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    'kubernetes.default.svc.cluster.local',
  ]);
  const ipAddresses = new Set(['127.0.0.1', '::1', kubernetesServiceIp]);
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) ipAddresses.add(address.address.split('%')[0]!);
  }
  if (options.address && options.address !== '0.0.0.0' && options.address !== '::') {
    ipAddresses.add(options.address);
  }
  return { dnsNames: [...dnsNames].filter((name) => name !== ''), ipAddresses: [...ipAddresses] };
}

/** Loads the PKI, creating whatever is missing or due. */
export async function ensureClusterPki(options: ClusterPkiOptions): Promise<ClusterPki> {
  const now = options.now ?? Date.now;
  const directory = join(options.dataDir, 'pki');
  await mkdir(directory, { recursive: true, mode: 0o700 });
  await chmod(directory, 0o700);

  let ca = await readCertificateAuthority(directory, now);
  if (!ca) {
    const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const certificate = issueCertificate({
      subject: { commonName: 'kubernetes' },
      publicKey: keys.publicKey,
      signingKey: keys.privateKey,
      ...validity(now(), caValidDays),
      usage: 'ca',
    });
    await writeKeyPair(directory, 'ca', { certificate, key: exportKey(keys.privateKey) });
    ca = certificateAuthority(certificate, keys.privateKey, now);
  }

  const servingNames = options.servingNames ?? servingNamesFor();
  const serving = await ensureLeaf(directory, 'apiserver', ca, now, {
    subject: { commonName: 'kube-apiserver' },
    usage: 'server',
    accepts: (certificate) => coversNames(certificate, servingNames),
    names: servingNames,
  });
  const admin = await ensureLeaf(directory, 'admin', ca, now, {
    subject: adminSubject,
    usage: 'client',
    accepts: (certificate) => hasSubject(certificate, adminSubject),
  });
  const kubeletClient = await ensureLeaf(directory, 'apiserver-kubelet-client', ca, now, {
    subject: kubeletClientSubject,
    usage: 'client',
    accepts: (certificate) => hasSubject(certificate, kubeletClientSubject),
  });
  const serviceAccountKey = await ensureServiceAccountKey(directory);
  return { directory, ca, serving, admin, kubeletClient, serviceAccountKey };
}

/** The CA of an existing cluster (for `skiff kubeconfig`); throws when `skiff up` has not made one. */
export async function loadCertificateAuthority(
  dataDir: string,
  now: () => number = Date.now,
): Promise<CertificateAuthority> {
  const ca = await readCertificateAuthority(join(dataDir, 'pki'), now);
  if (!ca)
    throw new Error(`no cluster CA in ${join(dataDir, 'pki')}: run skiff up with this data directory first`);
  return ca;
}

async function readCertificateAuthority(
  directory: string,
  now: () => number,
): Promise<CertificateAuthority | undefined> {
  const existing = await readKeyPair(directory, 'ca');
  if (!existing) return undefined;
  return certificateAuthority(existing.certificate, createPrivateKey(existing.key), now);
}

function certificateAuthority(
  certificate: string,
  privateKey: KeyObject,
  now: () => number,
): CertificateAuthority {
  const x509 = new X509Certificate(certificate);
  return {
    certificate,
    key: exportKey(privateKey),
    x509,
    privateKey,
    issueClientCertificate(subject, options = {}) {
      return issueLeaf(
        { certificate: x509, privateKey },
        { subject, usage: 'client' },
        options.now ?? now(),
        options.validDays ?? leafValidDays,
      );
    },
    issueServingCertificate(subject, names, options = {}) {
      return issueLeaf(
        { certificate: x509, privateKey },
        { subject, usage: 'server', names },
        options.now ?? now(),
        options.validDays ?? leafValidDays,
      );
    },
  };
}

function hasSubject(certificate: X509Certificate, expected: DistinguishedName): boolean {
  const subject = subjectOf(certificate);
  return (
    subject.commonName === expected.commonName &&
    subject.organizations.join(',') === (expected.organizations ?? []).join(',')
  );
}

interface LeafSpec {
  readonly subject: DistinguishedName;
  readonly usage: CertificateUsage;
  readonly names?: ServingNames;
  /** Whether an existing certificate still says what this one must. */
  readonly accepts?: (certificate: X509Certificate) => boolean;
}

async function ensureLeaf(
  directory: string,
  name: string,
  ca: CertificateAuthority,
  now: () => number,
  spec: LeafSpec,
): Promise<KeyPair> {
  const existing = await readKeyPair(directory, name);
  if (existing) {
    const certificate = new X509Certificate(existing.certificate);
    const fresh = Date.parse(certificate.validTo) - now() > renewBeforeDays * day;
    const signedByCa = certificate.checkIssued(ca.x509) && certificate.verify(ca.x509.publicKey);
    if (fresh && signedByCa && (spec.accepts?.(certificate) ?? true)) return existing;
  }
  const issued = issueLeaf(ca, spec, now(), leafValidDays);
  await writeKeyPair(directory, name, issued);
  return issued;
}

function issueLeaf(
  ca: { certificate: X509Certificate; privateKey: KeyObject } | CertificateAuthority,
  spec: LeafSpec,
  now: number,
  validDays: number,
): KeyPair {
  const issuer = 'x509' in ca ? ca.x509 : ca.certificate;
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const certificate = issueCertificate({
    subject: spec.subject,
    publicKey: keys.publicKey,
    issuer,
    signingKey: ca.privateKey,
    ...validity(now, validDays),
    usage: spec.usage,
    ...(spec.names ? { dnsNames: spec.names.dnsNames, ipAddresses: spec.names.ipAddresses } : {}),
  });
  return { certificate, key: exportKey(keys.privateKey) };
}

async function ensureServiceAccountKey(
  directory: string,
): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  const path = join(directory, 'sa.key');
  const existing = await readIfExists(path);
  if (existing) {
    await chmod(path, 0o600);
    const privateKey = createPrivateKey(existing);
    return { privateKey, publicKey: createPublicKey(privateKey) };
  }
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await writeAtomically(path, exportKey(keys.privateKey), 0o600);
  await writeAtomically(
    join(directory, 'sa.pub'),
    keys.publicKey.export({ type: 'spki', format: 'pem' }) as string,
    0o644,
  );
  return keys;
}

function coversNames(certificate: X509Certificate, names: ServingNames): boolean {
  const present = new Set(
    (certificate.subjectAltName ?? '').split(', ').map((entry) => entry.replace(/^IP Address:/, 'IP:')),
  );
  return (
    names.dnsNames.every((name) => present.has(`DNS:${name}`)) &&
    names.ipAddresses.every((address) => present.has(`IP:${normalizeIp(address)}`))
  );
}

/** Node prints IPv6 SANs as eight upper-case hex groups without compression: `0:0:0:0:0:0:0:1`. */
function normalizeIp(address: string): string {
  if (!address.includes(':')) return address;
  const bytes = ipBytes(address);
  const groups: string[] = [];
  for (let offset = 0; offset < 16; offset += 2)
    groups.push(bytes.readUInt16BE(offset).toString(16).toUpperCase());
  return groups.join(':');
}

function validity(now: number, days: number): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(now - backdateMs), notAfter: new Date(now + days * day) };
}

function exportKey(key: KeyObject): string {
  return key.export({ type: key.asymmetricKeyType === 'ec' ? 'sec1' : 'pkcs8', format: 'pem' }) as string;
}

async function readKeyPair(directory: string, name: string): Promise<KeyPair | undefined> {
  const [certificate, key] = await Promise.all([
    readIfExists(join(directory, `${name}.crt`)),
    readIfExists(join(directory, `${name}.key`)),
  ]);
  if (certificate === undefined || key === undefined) return undefined;
  await chmod(join(directory, `${name}.key`), 0o600);
  return { certificate, key };
}

async function writeKeyPair(directory: string, name: string, pair: KeyPair): Promise<void> {
  // The key first: a certificate is never left on disk without its key.
  await writeAtomically(join(directory, `${name}.key`), pair.key, 0o600);
  await writeAtomically(join(directory, `${name}.crt`), pair.certificate, 0o644);
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Written beside the target and renamed over it, so a crash never leaves half a key. */
async function writeAtomically(path: string, content: string, mode: number): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, content, { mode });
  await chmod(temporary, mode);
  await rename(temporary, path);
}
