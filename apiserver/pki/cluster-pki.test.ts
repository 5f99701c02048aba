import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { subjectOf } from './certificate.js';
import {
  ensureClusterPki,
  kubernetesServiceIp,
  loadCertificateAuthority,
  servingNamesFor,
} from './cluster-pki.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'skiff-pki-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const names = { dnsNames: ['localhost', 'kubernetes'], ipAddresses: ['127.0.0.1', kubernetesServiceIp] };
const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe('the cluster PKI', () => {
  it('writes keys 0600 and certificates 0644 in a 0700 pki directory', async () => {
    await ensureClusterPki({ dataDir, servingNames: names });
    const pki = join(dataDir, 'pki');
    expect(await mode(pki)).toBe(0o700);
    for (const key of ['ca.key', 'apiserver.key', 'admin.key', 'sa.key']) {
      expect(await mode(join(pki, key)), key).toBe(0o600);
    }
    for (const certificate of ['ca.crt', 'apiserver.crt', 'admin.crt', 'sa.pub']) {
      expect(await mode(join(pki, certificate)), certificate).toBe(0o644);
    }
  });

  it('issues certificates openssl verifies against the CA', async () => {
    await ensureClusterPki({ dataDir, servingNames: names });
    const pki = join(dataDir, 'pki');
    const output = execFileSync(
      'openssl',
      ['verify', '-CAfile', join(pki, 'ca.crt'), join(pki, 'apiserver.crt'), join(pki, 'admin.crt')],
      { encoding: 'utf8' },
    );
    expect(output).toContain(`${join(pki, 'apiserver.crt')}: OK`);
    expect(output).toContain(`${join(pki, 'admin.crt')}: OK`);
  });

  it('gives the admin certificate kubeadm’s admin identity: kubernetes-admin in system:masters', async () => {
    const pki = await ensureClusterPki({ dataDir, servingNames: names });
    expect(subjectOf(new X509Certificate(pki.admin.certificate))).toEqual({
      commonName: 'kubernetes-admin',
      organizations: ['system:masters'],
    });
  });

  it('gives the API server kubeadm’s kubelet client identity, kept across starts and renewed like the others', async () => {
    const pki = await ensureClusterPki({ dataDir, servingNames: names });
    const certificate = new X509Certificate(pki.kubeletClient.certificate);
    expect(subjectOf(certificate)).toEqual({
      commonName: 'kube-apiserver-kubelet-client',
      organizations: ['system:masters'],
    });
    expect(certificate.verify(pki.ca.x509.publicKey)).toBe(true);
    expect(certificate.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(await mode(join(dataDir, 'pki', 'apiserver-kubelet-client.key'))).toBe(0o600);
    expect((await ensureClusterPki({ dataDir, servingNames: names })).kubeletClient).toEqual(
      pki.kubeletClient,
    );
    const later = Date.now() + 340 * 24 * 60 * 60 * 1000;
    const renewed = await ensureClusterPki({ dataDir, servingNames: names, now: () => later });
    expect(renewed.kubeletClient.certificate).not.toBe(pki.kubeletClient.certificate);
  });

  it('issues serving certificates for nodes, with their names', async () => {
    const pki = await ensureClusterPki({ dataDir, servingNames: names });
    const issued = pki.ca.issueServingCertificate(
      { commonName: 'system:node:n1', organizations: ['system:nodes'] },
      { dnsNames: ['n1'], ipAddresses: ['192.0.2.4'] },
    );
    const certificate = new X509Certificate(issued.certificate);
    expect(certificate.verify(pki.ca.x509.publicKey)).toBe(true);
    expect(certificate.checkIP('192.0.2.4')).toBe('192.0.2.4');
    expect(certificate.checkHost('n1')).toBe('n1');
    expect(certificate.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
  });

  it('reuses everything on the next start, so kubeconfigs and tokens stay valid', async () => {
    const first = await ensureClusterPki({ dataDir, servingNames: names });
    const second = await ensureClusterPki({ dataDir, servingNames: names });
    expect(second.ca.certificate).toBe(first.ca.certificate);
    expect(second.serving).toEqual(first.serving);
    expect(second.admin).toEqual(first.admin);
    expect(second.serviceAccountKey.publicKey.equals(first.serviceAccountKey.publicKey)).toBe(true);
  });

  it('issues a new serving certificate, from the same CA, when the host has gained a name', async () => {
    const first = await ensureClusterPki({ dataDir, servingNames: names });
    const second = await ensureClusterPki({
      dataDir,
      servingNames: { ...names, ipAddresses: [...names.ipAddresses, '192.0.2.7'] },
    });
    expect(second.ca.certificate).toBe(first.ca.certificate);
    expect(second.serving.certificate).not.toBe(first.serving.certificate);
    expect(new X509Certificate(second.serving.certificate).checkIP('192.0.2.7')).toBe('192.0.2.7');
    expect(second.admin).toEqual(first.admin);
  });

  it('renews a leaf certificate within 30 days of its expiry', async () => {
    const first = await ensureClusterPki({ dataDir, servingNames: names });
    const later = Date.now() + 340 * 24 * 60 * 60 * 1000;
    const second = await ensureClusterPki({ dataDir, servingNames: names, now: () => later });
    expect(second.ca.certificate).toBe(first.ca.certificate);
    expect(second.admin.certificate).not.toBe(first.admin.certificate);
    expect(Date.parse(new X509Certificate(second.admin.certificate).validTo)).toBeGreaterThan(later);
  });

  it('puts its keys back to 0600 when something loosened them', async () => {
    await ensureClusterPki({ dataDir, servingNames: names });
    const key = join(dataDir, 'pki', 'ca.key');
    await writeFile(key, await readFile(key, 'utf8'), { mode: 0o644 });
    const { chmod } = await import('node:fs/promises');
    await chmod(key, 0o644);
    await ensureClusterPki({ dataDir, servingNames: names });
    expect(await mode(key)).toBe(0o600);
  });

  it('issues client certificates for any user and groups', async () => {
    const pki = await ensureClusterPki({ dataDir, servingNames: names });
    const issued = pki.ca.issueClientCertificate({ commonName: 'alice', organizations: ['dev', 'qa'] });
    const certificate = new X509Certificate(issued.certificate);
    expect(certificate.verify(pki.ca.x509.publicKey)).toBe(true);
    expect(subjectOf(certificate)).toEqual({ commonName: 'alice', organizations: ['dev', 'qa'] });
    expect(certificate.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
  });

  it('loads an existing CA for `skiff kubeconfig`, and says so when there is none', async () => {
    await expect(loadCertificateAuthority(dataDir)).rejects.toThrow(/run skiff up/);
    const pki = await ensureClusterPki({ dataDir, servingNames: names });
    expect((await loadCertificateAuthority(dataDir)).certificate).toBe(pki.ca.certificate);
  });
});

describe('serving names', () => {
  it('cover loopback, this host, the kubernetes Service and its DNS names', () => {
    const { dnsNames, ipAddresses } = servingNamesFor({ address: '0.0.0.0' });
    expect(dnsNames).toEqual(
      expect.arrayContaining([
        'localhost',
        hostname(),
        'kubernetes',
        'kubernetes.default',
        'kubernetes.default.svc',
        'kubernetes.default.svc.cluster.local',
      ]),
    );
    expect(ipAddresses).toEqual(expect.arrayContaining(['127.0.0.1', '::1', '10.96.0.1']));
    expect(ipAddresses).not.toContain('0.0.0.0');
  });

  it('include a specific listen address', () => {
    expect(servingNamesFor({ address: '192.0.2.9' }).ipAddresses).toContain('192.0.2.9');
  });
});
