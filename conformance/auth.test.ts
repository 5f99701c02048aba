import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { up } from '../cli/up.js';
import { freePort } from '../store/testing/free-port.js';
import { kubectlBinaries, requireKubectl, startSkiff, type TestSkiff } from './harness.js';

/**
 * `skiff up` as users get it: HTTPS with the cluster CA, an admin kubeconfig with a client certificate,
 * bearer tokens from the token file and from TokenRequest, and anonymous requests turned off. Every
 * kubectl version on the machine talks to it.
 */
requireKubectl();

const tokenFileContent = 'static-0123456789,carol,c-1,"dev,qa"\n';

let skiff: TestSkiff;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'skiff-auth-'));
  const tokenAuthFile = join(scratch, 'tokens.csv');
  await writeFile(tokenAuthFile, tokenFileContent);
  skiff = await startSkiff({ tls: true, anonymousAuth: false, tokenAuthFile, controllers: false });
  const created = await skiff.kubectl(['create', 'serviceaccount', 'builder']);
  expect(created.stderr).toBe('');
}, 30_000);
afterAll(async () => {
  await skiff?.stop();
  await rm(scratch, { recursive: true, force: true });
});

/** kubectl with a kubeconfig of its own and no other. */
function kubectlWith(binary: string, kubeconfig: string, args: readonly string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      binary,
      [`--kubeconfig=${kubeconfig}`, `--cache-dir=${join(scratch, 'cache')}`, ...args],
      { timeout: 60_000, env: { ...process.env, HOME: scratch, KUBECONFIG: kubeconfig } },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('skiff up over HTTPS', () => {
  it('serves HTTPS with a certificate the cluster CA signed for localhost and 127.0.0.1', async () => {
    expect(skiff.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const serving = new X509Certificate(await readFile(join(skiff.dataDir, 'pki', 'apiserver.crt')));
    expect(serving.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(serving.checkHost('kubernetes.default.svc.cluster.local')).toBe(
      'kubernetes.default.svc.cluster.local',
    );
    expect(serving.verify(new X509Certificate(skiff.caCertificate!).publicKey)).toBe(true);
    // A client that does not trust the cluster CA does not get through the handshake.
    await expect(fetch(`${skiff.url}/version`)).rejects.toThrow();
  });

  it('writes the admin kubeconfig 0600, with the CA and a client certificate embedded', async () => {
    expect((await stat(skiff.kubeconfig)).mode & 0o777).toBe(0o600);
    const kubeconfig = await readFile(skiff.kubeconfig, 'utf8');
    expect(kubeconfig).toContain('certificate-authority-data:');
    expect(kubeconfig).toContain('client-certificate-data:');
    expect(kubeconfig).toContain('client-key-data:');
  });

  it('answers 401 to a request without credentials, and to one with a bad token', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { Authorization: 'Bearer not-a-token' },
      { Authorization: 'Bearer a.b.c' },
    ];
    for (const headers of attempts) {
      const response = await skiff.request('GET', '/api/v1/namespaces', undefined, headers, {
        credentials: 'none',
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Unauthorized',
        reason: 'Unauthorized',
        code: 401,
      });
    }
  });

  it('takes a static token from the token file', async () => {
    const response = await skiff.request(
      'POST',
      '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      {},
      { Authorization: 'Bearer static-0123456789' },
      { credentials: 'none' },
    );
    expect(response.status).toBe(201);
    expect(((await response.json()) as { status: unknown }).status).toEqual({
      userInfo: { username: 'carol', uid: 'c-1', groups: ['dev', 'qa', 'system:authenticated'] },
    });
  });

  it('refuses plain HTTP beyond loopback', async () => {
    await expect(
      up({ dataDir: join(scratch, 'refused'), port: await freePort(), address: '0.0.0.0', ephemeral: true }),
    ).rejects.toThrow(/plain HTTP is served only on a loopback address/);
  });
});

describe.each(kubectlBinaries.map((binary) => [binary.version, binary.path] as const))(
  'kubectl %s',
  (version, binary) => {
    it('lists namespaces with the admin’s client certificate', async () => {
      const result = await skiff.kubectl(['get', 'ns', '-o', 'name'], { binary });
      expect(result.stderr).toBe('');
      expect(result.stdout).toContain('namespace/default');
    });

    it('says who it is with auth whoami', async () => {
      const result = await skiff.kubectl(['auth', 'whoami', '-o', 'json'], { binary });
      expect(result.stderr).toBe('');
      const review = JSON.parse(result.stdout) as { apiVersion: string; status: { userInfo: unknown } };
      expect(review.status.userInfo).toMatchObject({
        username: 'kubernetes-admin',
        groups: ['system:masters', 'system:authenticated'],
      });
      expect(['authentication.k8s.io/v1', 'authentication.k8s.io/v1beta1']).toContain(review.apiVersion);
    });

    it('acts as another user with --as and --as-group (impersonation headers)', async () => {
      const result = await skiff.kubectl(
        ['auth', 'whoami', '--as', 'bob', '--as-group', 'dev', '-o', 'json'],
        {
          binary,
        },
      );
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout).status.userInfo).toEqual({
        username: 'bob',
        groups: ['dev', 'system:authenticated'],
      });
    });

    it('creates a token that authenticates as the ServiceAccount, for its lifetime and audience', async () => {
      const created = await skiff.kubectl(['create', 'token', 'builder', '--duration', '20m'], { binary });
      expect(created.stderr).toBe('');
      const token = created.stdout.trim();
      expect(token.split('.')).toHaveLength(3);
      // Asked with the token alone: the admin kubeconfig's client certificate would be taken first.
      const response = await skiff.request(
        'POST',
        '/apis/authentication.k8s.io/v1/selfsubjectreviews',
        {},
        { Authorization: `Bearer ${token}` },
        { credentials: 'none' },
      );
      expect(response.status).toBe(201);
      expect(
        ((await response.json()) as { status: { userInfo: { username: string } } }).status.userInfo.username,
      ).toBe('system:serviceaccount:default:builder');

      const forVault = await skiff.kubectl(['create', 'token', 'builder', '--audience', 'vault'], { binary });
      const refused = await skiff.request(
        'GET',
        '/api/v1/namespaces',
        undefined,
        {
          Authorization: `Bearer ${forVault.stdout.trim()}`,
        },
        { credentials: 'none' },
      );
      expect(refused.status, `kubectl ${version}: a token for another audience`).toBe(401);
    });

    it('refuses a token shorter than ten minutes as upstream does', async () => {
      const result = await skiff.kubectl(['create', 'token', 'builder', '--duration', '10s'], { binary });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('may not specify a duration less than 10 minutes');
    });
  },
);

describe('skiff kubeconfig', () => {
  it('prints a kubeconfig for another user in their groups, which kubectl uses', async () => {
    const output = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        [
          '--import',
          'tsx',
          'cli/main.ts',
          'kubeconfig',
          '--user',
          'alice',
          '--group',
          'dev',
          '--group',
          'ops',
          '--data-dir',
          skiff.dataDir,
        ],
        { timeout: 60_000 },
        (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(stdout)),
      );
    });
    const path = join(scratch, 'alice.kubeconfig');
    await writeFile(path, output, { mode: 0o600 });
    const binary = kubectlBinaries[kubectlBinaries.length - 1]?.path ?? 'kubectl';
    const result = await kubectlWith(binary, path, ['auth', 'whoami', '-o', 'json']);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout).status.userInfo).toMatchObject({
      username: 'alice',
      groups: ['dev', 'ops', 'system:authenticated'],
    });
  });
});

describe('a deleted ServiceAccount', () => {
  it('takes its tokens with it', async () => {
    await skiff.kubectl(['create', 'serviceaccount', 'doomed']);
    const token = (await skiff.kubectl(['create', 'token', 'doomed'])).stdout.trim();
    const ask = () =>
      skiff.request(
        'GET',
        '/api/v1/namespaces',
        undefined,
        { Authorization: `Bearer ${token}` },
        { credentials: 'none' },
      );
    expect((await ask()).status).toBe(200);
    expect((await skiff.kubectl(['delete', 'serviceaccount', 'doomed'])).stderr).toBe('');
    // A list is a consistent read: once it no longer shows the account, neither does the cache tokens are checked against.
    expect((await skiff.kubectl(['get', 'serviceaccounts', '-o', 'name'])).stdout).not.toContain('doomed');
    expect((await ask()).status).toBe(401);
  });
});

describe('skiff up with --authorization-mode=Node,RBAC', () => {
  let rbacSkiff: TestSkiff;
  beforeAll(async () => {
    rbacSkiff = await startSkiff({ tls: true, authorizationMode: 'Node,RBAC', controllers: false });
  }, 30_000);
  afterAll(async () => {
    await rbacSkiff?.stop();
  });

  it('lets anonymous requests reach the health and version endpoints, and nothing else', async () => {
    const anonymous = (path: string) =>
      rbacSkiff.request('GET', path, undefined, {}, { credentials: 'none' });
    expect((await anonymous('/healthz')).status).toBe(200);
    expect((await anonymous('/version')).status).toBe(200);
    const refused = await anonymous('/api/v1/namespaces');
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toBe(
      'namespaces is forbidden: User "system:anonymous" cannot list resource "namespaces" in API group "" at the cluster scope',
    );
  });

  it('lets the admin do everything, and a user from `skiff kubeconfig` only what RBAC grants', async () => {
    expect((await rbacSkiff.kubectl(['get', 'ns', '-o', 'name'])).stdout).toContain('namespace/default');
    const { userKubeconfig } = await import('../cli/kubeconfig.js');
    const path = join(scratch, 'bob.kubeconfig');
    await writeFile(
      path,
      await userKubeconfig({ dataDir: rbacSkiff.dataDir, user: 'bob', groups: ['dev'] }),
      {
        mode: 0o600,
      },
    );
    const binary = kubectlBinaries[kubectlBinaries.length - 1]?.path ?? 'kubectl';
    const refused = await kubectlWith(binary, path, ['get', 'pods', '-n', 'default']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      'pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "default"',
    );
    // system:basic-user lets every authenticated user ask who they are.
    const whoami = await kubectlWith(binary, path, [
      'auth',
      'whoami',
      '-o',
      'jsonpath={.status.userInfo.username}',
    ]);
    expect(whoami.stdout).toBe('bob');
  });
});
