import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Authenticator, UserInfo } from '../../../api/auth.js';
import { resources } from '../../../api/resources/index.js';
import { kubectlBinaries, requireKubectl } from '../../../conformance/harness.js';
import { openMemoryStore } from '../../../store/memory.js';
import { freePort } from '../../../store/testing/free-port.js';
import type { Store } from '../../../store/types.js';
import { ensureClusterPki, servingNamesFor } from '../../pki/cluster-pki.js';
import { type ApiServer, createApiServer } from '../../server.js';
import { type Authorization, createAuthorization } from './authorization.js';
import { ensureBootstrapPolicy } from './bootstrap.js';

/**
 * `kubectl auth can-i` against an API server wired as the integration wires it: the authorization
 * chain and RBAC rules handed to createApiServer, the bootstrap policy put in place, the authorizers
 * following the stores. Users authenticate with bearer tokens (a stand-in authenticator), over HTTPS
 * with the cluster PKI: kubectl sends no credentials over plain HTTP.
 */
requireKubectl();

const users: Record<string, UserInfo> = {
  'admin-token': { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
  'bob-token': { username: 'bob', groups: ['system:authenticated'] },
};
const bearer: Authenticator = {
  async authenticate(request) {
    const header = request.headers.authorization;
    return header?.startsWith('Bearer ') ? users[header.slice(7)] : undefined;
  },
};

let store: Store;
let server: ApiServer;
let authorization: Authorization;
let dataDir: string;
let url: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'skiff-can-i-'));
  store = await openMemoryStore();
  const pki = await ensureClusterPki({ dataDir, servingNames: servingNamesFor({ address: '127.0.0.1' }) });
  authorization = createAuthorization();
  server = await createApiServer({
    store,
    resources,
    authenticator: bearer,
    authorizer: authorization.authorizer,
    policyRules: authorization.rules,
    tls: { certificate: pki.serving.certificate, key: pki.serving.key },
  });
  await ensureBootstrapPolicy(server.stores);
  authorization.follow(server.stores);
  const port = await freePort();
  await server.app.listen({ port, host: '127.0.0.1' });
  url = `https://127.0.0.1:${port}`;
  const ca = Buffer.from(pki.ca.certificate).toString('base64');
  for (const [token, user] of Object.entries(users)) {
    await writeFile(
      join(dataDir, user.username),
      `apiVersion: v1
kind: Config
clusters: [{name: skiff, cluster: {server: "${url}", certificate-authority-data: "${ca}"}}]
users: [{name: u, user: {token: "${token}"}}]
contexts: [{name: skiff, context: {cluster: skiff, user: u, namespace: shop}}]
current-context: skiff
`,
    );
  }
  const admin = ['--kubeconfig', join(dataDir, 'kubernetes-admin')];
  expect(await kubectl([...admin, 'create', 'namespace', 'shop'])).toMatchObject({ code: 0, stderr: '' });
  expect(
    (
      await kubectl([
        ...admin,
        'create',
        'role',
        'pod-reader',
        '--verb=get,list',
        '--resource=pods',
        '-n',
        'shop',
      ])
    ).stderr,
  ).toBe('');
  expect(
    (
      await kubectl([
        ...admin,
        'create',
        'rolebinding',
        'bob-reads',
        '--role=pod-reader',
        '--user=bob',
        '-n',
        'shop',
      ])
    ).stderr,
  ).toBe('');
}, 60_000);
afterAll(async () => {
  authorization?.stop();
  await server?.close();
  await store?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function kubectl(args: readonly string[], binary = kubectlBinaries.at(-1)?.path ?? 'kubectl') {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      binary,
      [`--cache-dir=${join(dataDir, 'cache')}`, ...args],
      { timeout: 30_000, env: { ...process.env, HOME: dataDir } },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
      },
    );
  });
}

describe.each(kubectlBinaries)('kubectl $version auth can-i', ({ path }) => {
  const as = (user: string, ...args: string[]) =>
    kubectl(['--kubeconfig', join(dataDir, user), ...args], path);

  it('says yes in the namespace a Role grants, no elsewhere, and a user is then forbidden there', async () => {
    expect(await as('bob', 'auth', 'can-i', 'list', 'pods', '-n', 'shop')).toMatchObject({
      code: 0,
      stdout: 'yes\n',
    });
    expect(await as('bob', 'auth', 'can-i', 'list', 'pods', '-n', 'default')).toMatchObject({
      code: 1,
      stdout: 'no\n',
    });
    expect(await as('bob', 'auth', 'can-i', 'delete', 'pods', '-n', 'shop')).toMatchObject({
      code: 1,
      stdout: 'no\n',
    });
    expect((await as('bob', 'get', 'pods', '-n', 'shop')).code).toBe(0);
    const refused = await as('bob', 'get', 'pods', '-n', 'default');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "default"',
    );
  });

  it('lists what a user may do in a namespace with --list', async () => {
    const { code, stdout } = await as('bob', 'auth', 'can-i', '--list', '-n', 'shop');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^pods\s+\[\]\s+\[\]\s+\[get list\]$/m);
    expect(stdout).toMatch(/selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]/);
  });

  it('answers for another user with --as, for an admin', async () => {
    expect(
      await as('kubernetes-admin', 'auth', 'can-i', 'list', 'pods', '-n', 'shop', '--as', 'bob'),
    ).toMatchObject({
      stdout: 'yes\n',
    });
    expect(
      await as('kubernetes-admin', 'auth', 'can-i', 'list', 'secrets', '-n', 'shop', '--as', 'bob'),
    ).toMatchObject({
      stdout: 'no\n',
    });
    expect(await as('kubernetes-admin', 'auth', 'can-i', '*', '*')).toMatchObject({
      code: 0,
      stdout: 'yes\n',
    });
  });
});
