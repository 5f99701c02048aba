import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import type { Authorizer } from '../api/auth.js';
import { type RunningSkiff, up } from '../cli/up.js';
import { requireContainerd } from '../kubelet-shim/testing/containerd.js';
import { freePort } from '../store/testing/free-port.js';

/**
 * Starts Skiff for a test (in this process, on a free loopback port, with a fresh data directory) and
 * runs stock kubectl binaries against it. Every kubectl the machine has is found, so a scenario can run
 * once per version.
 */
export const kubectlBinaries: readonly { version: string; path: string }[] = [
  ...['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33'].map((version) => ({
    version,
    path: `/usr/lib/google-cloud-sdk/bin/kubectl.${version}`,
  })),
  { version: 'default', path: '/usr/bin/kubectl' },
].filter((binary) => existsSync(binary.path));

/** In CI every kubectl must be there; elsewhere a missing one is reported, not silently skipped. */
export function requireKubectl(): void {
  if (kubectlBinaries.length === 0) {
    if (process.env.CI === 'true')
      throw new Error('no kubectl found: install the Google Cloud SDK kubectl component');
    console.warn('no kubectl found: kubectl scenarios are skipped');
  }
}

export interface TestSkiff extends RunningSkiff {
  readonly dataDir: string;
  /** Runs kubectl with the test's kubeconfig and its own discovery cache; resolves with its output. */
  kubectl(args: readonly string[], options?: { binary?: string; input?: string }): Promise<KubectlResult>;
  /**
   * A raw request to the API server. Over HTTPS it trusts the cluster CA and presents the admin's
   * client certificate, unless `credentials: 'none'` (then only what `headers` carry).
   */
  request(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
    options?: { credentials?: 'admin' | 'none' },
  ): Promise<Response>;
}

export interface StartSkiffOptions {
  readonly ephemeral?: boolean;
  readonly controllers?: boolean;
  /** The scheduler beside the API server; default: as `controllers`. */
  readonly scheduler?: boolean;
  /** HTTPS with the cluster PKI and x509 client certificates, as `skiff up` serves; plain HTTP by default. */
  readonly tls?: boolean;
  /** See UpOptions.anonymousAuth. */
  readonly anonymousAuth?: boolean;
  readonly tokenAuthFile?: string;
  readonly authorizationMode?: 'AlwaysAllow' | 'Node,RBAC';
  readonly authorizer?: Authorizer;
  /**
   * A node beside the control plane (see UpOptions.node), named `node-<port>` with its HTTPS endpoint
   * on a free port: tests sharing one containerd each see only their own pods.
   */
  readonly node?: 'containerd' | 'simulated';
  /** The containerd a `containerd` node uses (default: requireContainerd()'s). */
  readonly criEndpoint?: string;
}

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function startSkiff(options: StartSkiffOptions = {}): Promise<TestSkiff> {
  const dataDir = await mkdtemp(join(tmpdir(), 'skiff-test-'));
  const port = await freePort();
  const skiff = await up({
    dataDir,
    port,
    ephemeral: options.ephemeral ?? true,
    controllers: options.controllers ?? true,
    ...(options.scheduler !== undefined ? { scheduler: options.scheduler } : {}),
    ...(options.tls ? { tls: true } : {}),
    ...(options.anonymousAuth !== undefined ? { anonymousAuth: options.anonymousAuth } : {}),
    ...(options.tokenAuthFile ? { tokenAuthFile: options.tokenAuthFile } : {}),
    ...(options.authorizationMode ? { authorizationMode: options.authorizationMode } : {}),
    ...(options.authorizer ? { authorizer: options.authorizer } : {}),
    ...(options.node
      ? {
          node: options.node,
          nodeName: `node-${port}`,
          nodePort: await freePort(),
          ...(options.node === 'containerd'
            ? { criEndpoint: options.criEndpoint ?? (await requireContainerd())?.endpoint }
            : {}),
        }
      : {}),
  });
  // Over HTTPS: one agent that trusts the cluster CA with the admin's certificate, one without it.
  const agents = skiff.caCertificate
    ? {
        admin: new Agent({
          connect: {
            ca: skiff.caCertificate,
            cert: await readFile(join(dataDir, 'pki', 'admin.crt'), 'utf8'),
            key: await readFile(join(dataDir, 'pki', 'admin.key'), 'utf8'),
          },
        }),
        none: new Agent({ connect: { ca: skiff.caCertificate } }),
      }
    : undefined;
  const cacheDir = join(dataDir, 'kube-cache');
  return {
    ...skiff,
    dataDir,
    kubectl(args, kubectlOptions = {}) {
      const binary = kubectlOptions.binary ?? kubectlBinaries[kubectlBinaries.length - 1]?.path ?? 'kubectl';
      return new Promise((resolve) => {
        const child = execFile(
          binary,
          [`--kubeconfig=${skiff.kubeconfig}`, `--cache-dir=${cacheDir}`, ...args],
          { timeout: 60_000, env: { ...process.env, KUBECONFIG: skiff.kubeconfig, HOME: dataDir } },
          (error, stdout, stderr) => {
            const code = error ? ((error as { code?: number }).code ?? 1) : 0;
            resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
          },
        );
        if (kubectlOptions.input !== undefined) child.stdin?.end(kubectlOptions.input);
      });
    },
    request(method, path, body, headers = {}, requestOptions = {}) {
      const init = {
        method,
        headers: { ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      };
      if (!agents) return fetch(`${skiff.url}${path}`, init);
      const dispatcher = requestOptions.credentials === 'none' ? agents.none : agents.admin;
      return undiciFetch(`${skiff.url}${path}`, { ...init, dispatcher }) as unknown as Promise<Response>;
    },
    async stop() {
      await skiff.stop();
      await Promise.all([agents?.admin.close(), agents?.none.close()]);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
