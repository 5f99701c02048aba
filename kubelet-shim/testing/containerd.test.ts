import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { pauseImage, requireContainerd, testImage } from './containerd.js';

const containerd = await requireContainerd();
const setupScript = fileURLToPath(new URL('../../scripts/node/setup.sh', import.meta.url));
const nodeDir = process.env.SKIFF_NODE_DIR ?? '/var/lib/skiff-node';

/** `ctr -n k8s.io ARGS` against the node's containerd: its exit code and output. */
async function ctr(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  if (!containerd) throw new Error('no containerd');
  return promisify(execFile)('ctr', ['-a', containerd.socket, '-n', 'k8s.io', ...args]).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: Error & { code?: number; stdout?: string; stderr?: string }) => ({
      code: typeof error.code === 'number' ? error.code : -1,
      stdout: error.stdout ?? '',
      stderr: error.stderr ?? '',
    }),
  );
}

/** Runs one command in a throwaway container of the test image (removed afterwards by --rm). */
function runInTestImage(...command: string[]) {
  return ctr('run', '--rm', testImage, `setup-test-${randomUUID().slice(0, 8)}`, ...command);
}

describe.skipIf(!containerd)('the node containerd that scripts/node/setup.sh makes', () => {
  it('answers on its socket with both images imported into the k8s.io namespace', async () => {
    expect((await ctr('version')).code).toBe(0);
    const images = (await ctr('images', 'ls', '-q')).stdout.split('\n');
    expect(images).toContain(pauseImage);
    expect(images).toContain(testImage);
  });

  it('a second setup changes nothing: same config file, same containerd process', async () => {
    const config = `${nodeDir}/containerd/config.toml`;
    const before = {
      mtime: statSync(config).mtimeMs,
      pid: readFileSync('/run/skiff-node/containerd.pid', 'utf8'),
    };
    await promisify(execFile)('bash', [setupScript, 'configure', 'images', 'start']);
    expect({
      mtime: statSync(config).mtimeMs,
      pid: readFileSync('/run/skiff-node/containerd.pid', 'utf8'),
    }).toEqual(before);
  });

  it.each([
    {
      command: ['/agnhost', 'entrypoint-tester', 'a', 'b'],
      stdout: '[/agnhost entrypoint-tester a b]\n',
      code: 0,
    },
    { command: ['/agnhost-2', 'entrypoint-tester'], stdout: '[/agnhost-2 entrypoint-tester]\n', code: 0 },
    { command: ['/bin/sh', '-c', 'exit 3'], stdout: '', code: 3 },
    {
      command: ['/agnhost', 'mounttest', '--file_mode=/tmp', '--file_content=/www/index.html'],
      stdout:
        'mode of file "/tmp": dtrwxrwxrwx\ncontent of file "/www/index.html": <h1>hello from skiff</h1>\n\n',
      code: 0,
    },
    {
      command: ['id', 'nobody'],
      stdout: 'uid=65534(nobody) gid=65534(nobody) groups=65534(nobody)\n',
      code: 0,
    },
  ])('the test image runs $command', async ({ command, stdout, code }) => {
    const result = await runInTestImage(...command);
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code, stdout });
  });
});
