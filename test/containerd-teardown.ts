/**
 * vitest global setup: containerd is started by the first test that needs a node (kubelet-shim/
 * testing/containerd.ts). If it was not running before the run, it is stopped after it, with whatever
 * its pods left behind, so that a test run leaves no process or network device of its own.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const socket = '/run/skiff-node/containerd.sock';

export default function setup(): () => void {
  const runningBefore = existsSync(socket);
  return () => {
    if (runningBefore || !existsSync(socket) || process.env.SKIFF_KEEP_CONTAINERD === '1') return;
    const script = fileURLToPath(new URL('../scripts/node/setup.sh', import.meta.url));
    execFileSync('bash', [script, 'stop'], { stdio: 'inherit' });
  };
}
