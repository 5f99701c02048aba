/**
 * Reads a kubeconfig the way kubectl does, into what the HTTP client needs to connect: the server, TLS
 * material (CA, client certificate and key) and credentials (a bearer token, a token file, basic auth).
 *
 * Which file: the `path` given, else every file in $KUBECONFIG (':'-separated, merged: the first file to
 * name a cluster, user or context wins, as kubectl merges), else ~/.kube/config. Which context: the one
 * given, else `current-context`. Relative file paths are relative to the kubeconfig that names them.
 * `*-data` fields are base64, as kubectl writes them.
 *
 * Exec plugins and auth providers are not supported: loading such a user fails with SKIFF_ERR_KUBECONFIG
 * rather than connecting without credentials.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ClientError } from './errors.js';

export interface Connection {
  /** `https://10.0.0.1:6443`, `http://127.0.0.1:6443`. */
  readonly server: string;
  /** PEM: the CA that signed the server's certificate (else the system's CAs). */
  readonly ca?: string;
  /** PEM: the client certificate and its key, for TLS client authentication. */
  readonly cert?: string;
  readonly key?: string;
  readonly insecureSkipTlsVerify?: boolean;
  /** The name to check the server's certificate against, when not the server URL's host. */
  readonly tlsServerName?: string;
  readonly token?: string;
  /** A file holding the token, re-read now and then (projected service-account tokens rotate). */
  readonly tokenFile?: string;
  readonly username?: string;
  readonly password?: string;
  /** The context's namespace ('default' when it names none). */
  readonly namespace: string;
}

export interface LoadKubeconfigOptions {
  /** One file; else $KUBECONFIG, else ~/.kube/config. */
  readonly path?: string;
  /** A context name; else the file's current-context. */
  readonly context?: string;
}

interface Named<T> {
  name: string;
  value: T;
  /** The directory of the file that named it, for relative paths. */
  directory: string;
}

interface ClusterEntry {
  server?: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
}

interface UserEntry {
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
  exec?: unknown;
  'auth-provider'?: unknown;
}

interface ContextEntry {
  cluster?: string;
  user?: string;
  namespace?: string;
}

export function loadKubeconfig(options: LoadKubeconfigOptions = {}): Connection {
  const files = kubeconfigFiles(options.path);
  if (files.length === 0) {
    throw new ClientError(
      'SKIFF_ERR_KUBECONFIG',
      'no kubeconfig found: pass a path, set KUBECONFIG, or create ~/.kube/config',
    );
  }
  const clusters = new Map<string, Named<ClusterEntry>>();
  const users = new Map<string, Named<UserEntry>>();
  const contexts = new Map<string, Named<ContextEntry>>();
  let currentContext: string | undefined;
  for (const file of files) {
    let document: Record<string, unknown>;
    try {
      document = (parseYaml(readFileSync(file, 'utf8')) ?? {}) as Record<string, unknown>;
    } catch (error) {
      throw new ClientError('SKIFF_ERR_KUBECONFIG', `cannot read kubeconfig ${file}: ${String(error)}`, {
        cause: error,
      });
    }
    const directory = dirname(resolve(file));
    collect(clusters, document.clusters, 'cluster', directory);
    collect(users, document.users, 'user', directory);
    collect(contexts, document.contexts, 'context', directory);
    const current = document['current-context'];
    if (currentContext === undefined && typeof current === 'string' && current !== '')
      currentContext = current;
  }

  const contextName = options.context ?? currentContext;
  if (contextName === undefined) {
    throw new ClientError('SKIFF_ERR_KUBECONFIG', 'the kubeconfig has no current-context and none was given');
  }
  const context = contexts.get(contextName)?.value;
  if (!context) throw new ClientError('SKIFF_ERR_KUBECONFIG', `context "${contextName}" not found`);
  const cluster = context.cluster === undefined ? undefined : clusters.get(context.cluster);
  if (!cluster?.value.server) {
    throw new ClientError(
      'SKIFF_ERR_KUBECONFIG',
      `context "${contextName}" names no cluster with a server (cluster "${context.cluster ?? ''}")`,
    );
  }
  const user = context.user === undefined ? undefined : users.get(context.user);
  if (context.user !== undefined && context.user !== '' && !user) {
    throw new ClientError('SKIFF_ERR_KUBECONFIG', `user "${context.user}" not found`);
  }
  if (user?.value.exec !== undefined || user?.value['auth-provider'] !== undefined) {
    throw new ClientError(
      'SKIFF_ERR_KUBECONFIG',
      `user "${user.name}" authenticates with an exec plugin or auth provider, which Skiff's client does not run`,
    );
  }

  const c = cluster.value;
  const u = user?.value ?? {};
  const ca = pem(c['certificate-authority-data'], c['certificate-authority'], cluster.directory);
  const cert = pem(u['client-certificate-data'], u['client-certificate'], user?.directory ?? '');
  const key = pem(u['client-key-data'], u['client-key'], user?.directory ?? '');
  if ((cert === undefined) !== (key === undefined)) {
    throw new ClientError(
      'SKIFF_ERR_KUBECONFIG',
      `user "${user?.name}" has a client certificate without a key, or a key without a certificate`,
    );
  }
  return {
    server: c.server!.replace(/\/+$/, ''),
    ...(ca !== undefined ? { ca } : {}),
    ...(cert !== undefined && key !== undefined ? { cert, key } : {}),
    ...(c['insecure-skip-tls-verify'] === true ? { insecureSkipTlsVerify: true } : {}),
    ...(c['tls-server-name'] ? { tlsServerName: c['tls-server-name'] } : {}),
    ...(u.token ? { token: u.token } : {}),
    ...(u.tokenFile ? { tokenFile: absolute(u.tokenFile, user!.directory) } : {}),
    ...(u.username !== undefined ? { username: u.username } : {}),
    ...(u.password !== undefined ? { password: u.password } : {}),
    namespace: context.namespace || 'default',
  };
}

function kubeconfigFiles(path: string | undefined): string[] {
  if (path !== undefined) {
    if (!existsSync(path)) throw new ClientError('SKIFF_ERR_KUBECONFIG', `kubeconfig ${path} does not exist`);
    return [path];
  }
  const fromEnvironment = (process.env.KUBECONFIG ?? '').split(delimiter).filter((file) => file !== '');
  if (fromEnvironment.length > 0) return fromEnvironment.filter((file) => existsSync(file));
  const fallback = join(homedir(), '.kube', 'config');
  return existsSync(fallback) ? [fallback] : [];
}

function collect<T>(into: Map<string, Named<T>>, list: unknown, field: string, directory: string): void {
  if (!Array.isArray(list)) return;
  for (const entry of list as Record<string, unknown>[]) {
    const name = entry?.name;
    if (typeof name !== 'string' || into.has(name)) continue;
    into.set(name, { name, value: (entry[field] ?? {}) as T, directory });
  }
}

function pem(data: string | undefined, file: string | undefined, directory: string): string | undefined {
  if (data) return Buffer.from(data, 'base64').toString('utf8');
  if (!file) return undefined;
  const path = absolute(file, directory);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ClientError('SKIFF_ERR_KUBECONFIG', `cannot read ${path}: ${String(error)}`, { cause: error });
  }
}

function absolute(file: string, directory: string): string {
  return isAbsolute(file) ? file : join(directory, file);
}
