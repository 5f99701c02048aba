import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isClientError } from './errors.js';
import { loadKubeconfig } from './kubeconfig.js';

describe('loading a kubeconfig', () => {
  let directory: string;
  const saved = process.env.KUBECONFIG;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'skiff-kubeconfig-'));
  });

  afterEach(async () => {
    if (saved === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = saved;
    await rm(directory, { recursive: true, force: true });
  });

  const write = async (name: string, text: string) => {
    const path = join(directory, name);
    await writeFile(path, text);
    return path;
  };

  it('reads the current context: server, CA data, token and namespace', async () => {
    const path = await write(
      'config',
      `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: https://10.0.0.1:6443/
    certificate-authority-data: ${Buffer.from('CA PEM').toString('base64')}
    tls-server-name: api.internal
users:
- name: u
  user: { token: abc }
contexts:
- name: ctx
  context: { cluster: c, user: u, namespace: team }
current-context: ctx
`,
    );
    expect(loadKubeconfig({ path })).toEqual({
      server: 'https://10.0.0.1:6443',
      ca: 'CA PEM',
      tlsServerName: 'api.internal',
      token: 'abc',
      namespace: 'team',
    });
  });

  it('merges the files of $KUBECONFIG, the first to name an entry winning, paths relative to their file', async () => {
    await write('ca.crt', 'FIRST CA');
    const first = await write(
      'first',
      `clusters:
- name: c
  cluster: { server: 'https://first:6443', certificate-authority: ca.crt }
current-context: ctx
`,
    );
    const second = await write(
      'second',
      `clusters:
- name: c
  cluster: { server: 'https://second:6443' }
users:
- name: u
  user: { username: admin, password: secret }
contexts:
- name: ctx
  context: { cluster: c, user: u }
current-context: other
`,
    );
    process.env.KUBECONFIG = [first, join(directory, 'missing'), second].join(delimiter);
    expect(loadKubeconfig()).toEqual({
      server: 'https://first:6443',
      ca: 'FIRST CA',
      username: 'admin',
      password: 'secret',
      namespace: 'default',
    });
  });

  it.each([
    ['an exec plugin', 'user: { exec: { command: aws } }'],
    ['a certificate without a key', 'user: { client-certificate-data: Q0VSVA== }'],
  ])('refuses a user with %s', async (_what, user) => {
    const path = await write(
      'config',
      `clusters: [{ name: c, cluster: { server: 'https://x' } }]
users:
- name: u
  ${user}
contexts: [{ name: ctx, context: { cluster: c, user: u } }]
current-context: ctx
`,
    );
    let error: unknown;
    try {
      loadKubeconfig({ path });
    } catch (failure) {
      error = failure;
    }
    expect(isClientError(error, 'SKIFF_ERR_KUBECONFIG')).toBe(true);
  });

  it('a context that is not there is an error naming it', async () => {
    const path = await write('config', 'current-context: nowhere\n');
    expect(() => loadKubeconfig({ path })).toThrow('context "nowhere" not found');
  });
});
