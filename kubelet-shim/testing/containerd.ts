/**
 * containerd for tests: the node `skiff node setup` makes (scripts/node/setup.sh), started if it is not
 * running. Tests that use it must remove every pod they create (a node stopped with `removePods`, or
 * deleting the pods through the API before the node stops).
 *
 *   const containerd = await requireContainerd();   // in beforeAll
 *   if (!containerd) return;                          // only outside CI: the reason was printed
 *
 * In CI (CI=true) a machine that cannot run it is a failure, never a skip.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { defaultCriEndpoint } from '../cri/client.js';

export const testImage = 'skiff.local/testimage:1';
export const pauseImage = 'skiff.local/pause:1';

const setupScript = fileURLToPath(new URL('../../scripts/node/setup.sh', import.meta.url));
let ready: Promise<{ endpoint: string } | undefined> | undefined;

export function requireContainerd(): Promise<{ endpoint: string } | undefined> {
  ready ??= (async () => {
    if (process.env.SKIFF_CRI_ENDPOINT) return { endpoint: process.env.SKIFF_CRI_ENDPOINT };
    const why =
      process.getuid?.() !== 0
        ? 'not root'
        : await promisify(execFile)('bash', [setupScript, 'setup'], { timeout: 300_000 }).then(
            () => undefined,
            (error: Error & { stderr?: string }) => `setup failed: ${error.stderr || error.message}`,
          );
    if (!why) return { endpoint: defaultCriEndpoint };
    if (process.env.CI === 'true') throw new Error(`containerd is required in CI: ${why}`);
    console.warn(`containerd tests skipped: ${why}`);
    return undefined;
  })();
  return ready;
}
