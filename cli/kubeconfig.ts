/**
 * Kubeconfigs Skiff writes: the admin one `skiff up` leaves in the data directory, and one per user
 * from `skiff kubeconfig --user NAME --group G`, each with the cluster CA and a client certificate
 * embedded (`*-data`, base64), so the file works wherever it is copied.
 *
 *   clusters: [{name: skiff, cluster: {server: https://127.0.0.1:6443, certificate-authority-data: …}}]
 *   users:    [{name: alice, user: {client-certificate-data: …, client-key-data: …}}]
 */
import { join } from 'node:path';
import { loadCertificateAuthority } from '../apiserver/pki/cluster-pki.js';

export interface KubeconfigContent {
  readonly server: string;
  /** PEM; absent for a plain-HTTP server. */
  readonly caCertificate?: string;
  /** The user entry's name; `admin` by default. */
  readonly userName?: string;
  /** PEM client certificate and key. */
  readonly clientCertificate?: string;
  readonly clientKey?: string;
  readonly namespace?: string;
}

/**
 * Written by hand rather than through the YAML library, which `skiff up` would otherwise load at
 * start-up; every value is quoted as JSON, which YAML reads as the same string.
 */
export function kubeconfigFor(server: string, content: Omit<KubeconfigContent, 'server'> = {}): string {
  const userName = content.userName ?? 'admin';
  const quote = (value: string) => JSON.stringify(value);
  const base64 = (pem: string) => quote(Buffer.from(pem).toString('base64'));
  const cluster = [`    server: ${quote(server)}`];
  if (content.caCertificate) cluster.push(`    certificate-authority-data: ${base64(content.caCertificate)}`);
  const user =
    content.clientCertificate && content.clientKey
      ? `\n    client-certificate-data: ${base64(content.clientCertificate)}\n    client-key-data: ${base64(content.clientKey)}`
      : ' {}';
  return `apiVersion: v1
kind: Config
clusters:
- name: skiff
  cluster:
${cluster.join('\n')}
contexts:
- name: skiff
  context:
    cluster: skiff
    user: ${quote(userName)}
    namespace: ${quote(content.namespace ?? 'default')}
current-context: skiff
users:
- name: ${quote(userName)}
  user:${user}
`;
}

export interface UserKubeconfigOptions {
  readonly dataDir: string;
  readonly user: string;
  readonly groups?: readonly string[];
  /** The API server's URL; by default the one in the data directory's admin kubeconfig. */
  readonly server?: string;
  /** How long the certificate is valid; one year by default. */
  readonly validDays?: number;
}

/** A kubeconfig for `user` in `groups`, with a client certificate signed by the cluster CA. */
export async function userKubeconfig(options: UserKubeconfigOptions): Promise<string> {
  const ca = await loadCertificateAuthority(options.dataDir);
  const server =
    options.server ??
    (await import('../client/kubeconfig.js')).loadKubeconfig({ path: join(options.dataDir, 'kubeconfig') })
      .server;
  if (!server.startsWith('https://')) {
    throw new Error(`${server} is served over plain HTTP, where client certificates cannot be presented`);
  }
  const issued = ca.issueClientCertificate(
    { commonName: options.user, organizations: options.groups ?? [] },
    options.validDays !== undefined ? { validDays: options.validDays } : {},
  );
  return kubeconfigFor(server, {
    caCertificate: ca.certificate,
    userName: options.user,
    clientCertificate: issued.certificate,
    clientKey: issued.key,
  });
}
