/**
 * containerd for tests: the node `skiff node setup` makes (scripts/node/setup.sh), configured, its images
 * built and imported, and started when it is not running (idempotent: ~0.15 s when it is up already).
 *
 *   const containerd = await requireContainerd();   // at module level or in beforeAll
 *   if (!containerd) return;                          // only outside CI: the reason was printed
 *
 * Tests must remove every pod they create (StopPodSandbox + RemovePodSandbox, or delete the pods through
 * the API before their node stops): containerd is shared by every test file of a run, and one run's
 * leftovers (sandboxes, IPs, hostPort rules) are the next one's surprises. The run's global teardown
 * (test/containerd-teardown.ts) stops a containerd that the run started.
 *
 * Not root, or the packages missing: in CI (CI=true) that is a failure, never a skip; elsewhere the
 * caller skips. SKIFF_CRI_ENDPOINT points tests at another CRI runtime and skips the setup.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { defaultCriEndpoint } from '../cri/client.js';

export const testImage = 'skiff.local/testimage:1';
export const pauseImage = 'skiff.local/pause:1';

export interface TestContainerd {
  /** The CRI endpoint, `unix:///…`. */
  endpoint: string;
  /** The socket's path, for `ctr -a`. */
  socket: string;
}

const setupScript = fileURLToPath(new URL('../../scripts/node/setup.sh', import.meta.url));
let ready: Promise<TestContainerd | undefined> | undefined;

/** One setup per test process; later calls share its answer. */
export function requireContainerd(): Promise<TestContainerd | undefined> {
  ready ??= prepare();
  return ready;
}

async function prepare(): Promise<TestContainerd | undefined> {
  const endpoint = process.env.SKIFF_CRI_ENDPOINT;
  if (endpoint) return { endpoint, socket: endpoint.replace(/^unix:\/\//, '') };
  const why = await reasonItCannotRun();
  if (!why) return { endpoint: defaultCriEndpoint, socket: defaultCriEndpoint.replace(/^unix:\/\//, '') };
  if (process.env.CI === 'true') throw new Error(`containerd is required in CI: ${why}`);
  console.warn(`containerd tests skipped: ${why}`);
  return undefined;
}

/** undefined once containerd runs; else why it cannot here. */
async function reasonItCannotRun(): Promise<string | undefined> {
  if (process.getuid?.() !== 0)
    return 'not root (run the tests as root, or sudo skiff node setup and set SKIFF_CRI_ENDPOINT)';
  const run = promisify(execFile);
  // Packages are the machine's business (scripts/install-test-deps.sh): tests only check for them.
  const missing = await run('bash', [setupScript, 'check']).then(
    () => undefined,
    (error: Error & { stderr?: string }) => (error.stderr || error.message).trim(),
  );
  if (missing) return missing;
  return run('bash', [setupScript, 'configure', 'images', 'start'], { timeout: 120_000 }).then(
    () => undefined,
    (error: Error & { stderr?: string }) =>
      `skiff node setup failed: ${(error.stderr || error.message).trim()}`,
  );
}
