import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../client/http-client.js';
import { kubectlBinaries, requireKubectl, startSkiff, type TestSkiff } from './harness.js';
import { PodDriver } from './pod-driver.js';

/**
 * `kubectl rollout` against the Deployment controller, with every kubectl on the machine: status waits
 * for a rollout, history lists revisions with their change-cause, undo goes back (to a revision), and
 * restart makes a new ReplicaSet. A PodDriver stands in for scheduler and kubelet, so pods become ready.
 */
requireKubectl();

let skiff: TestSkiff;
let client: HttpClient;
let driver: PodDriver;

beforeAll(async () => {
  skiff = await startSkiff();
  client = new HttpClient({ connection: { server: skiff.url, namespace: 'default' } });
  driver = await PodDriver.start({ client });
});
afterAll(async () => {
  await driver?.stop();
  await client?.close();
  await skiff?.stop();
  expect((driver?.errors ?? []).map(String)).toEqual([]);
});

describe.each(kubectlBinaries)('kubectl $version rollout', ({ version, path }) => {
  const ns = `rollout-${version.replace('.', '-')}`;
  const kubectl = async (...args: string[]) => {
    const result = await skiff.kubectl(['-n', ns, ...args], { binary: path });
    if (result.code !== 0)
      throw new Error(`kubectl ${args.join(' ')} failed (${result.code}):\n${result.stderr}`);
    return result.stdout;
  };
  const image = async () =>
    kubectl('get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}');

  it('status, history, undo, restart', async () => {
    await kubectl('create', 'namespace', ns);
    await kubectl('create', 'deployment', 'web', '--image=web:1', '--replicas=2');
    await kubectl('annotate', 'deployment', 'web', 'kubernetes.io/change-cause=first');
    expect(await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s')).toContain(
      'deployment "web" successfully rolled out',
    );

    await kubectl('set', 'image', 'deployment/web', 'web=web:2');
    await kubectl('annotate', '--overwrite', 'deployment', 'web', 'kubernetes.io/change-cause=second');
    expect(await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s')).toContain(
      'successfully rolled out',
    );
    const history = await kubectl('rollout', 'history', 'deployment/web');
    expect(history).toMatch(/^REVISION\s+CHANGE-CAUSE$/m);
    expect(history).toMatch(/^1\s+first$/m);
    expect(history).toMatch(/^2\s+second$/m);
    expect(await kubectl('rollout', 'history', 'deployment/web', '--revision=1')).toContain('Image:\tweb:1');

    expect(await kubectl('rollout', 'undo', 'deployment/web')).toBe('deployment.apps/web rolled back\n');
    expect(await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s')).toContain(
      'successfully rolled out',
    );
    expect(await image()).toBe('web:1');
    // Undo made revision 1 the newest: 3; going back to 2 by number.
    expect(await kubectl('rollout', 'history', 'deployment/web')).toMatch(/^3\s+first$/m);
    await kubectl('rollout', 'undo', 'deployment/web', '--to-revision=2');
    expect(await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s')).toContain(
      'successfully rolled out',
    );
    expect(await image()).toBe('web:2');

    const setsBefore = (await kubectl('get', 'replicasets', '-o', 'name')).trim().split('\n').length;
    expect(await kubectl('rollout', 'restart', 'deployment/web')).toBe('deployment.apps/web restarted\n');
    expect(await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s')).toContain(
      'successfully rolled out',
    );
    expect((await kubectl('get', 'replicasets', '-o', 'name')).trim().split('\n')).toHaveLength(
      setsBefore + 1,
    );
    expect(await kubectl('get', 'deployment', 'web', '-o', 'jsonpath={.status.readyReplicas}')).toBe('2');
  });
});
