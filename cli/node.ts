/**
 * `skiff node setup|start|stop|status|teardown`: prepares this machine to run Skiff's node on
 * containerd (scripts/node/setup.sh, as root on Debian). `skiff image import FILE.tar`: loads an
 * OCI or Docker image archive into that containerd, for machines that reach no registry.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultCriEndpoint } from '../kubelet-shim/cri/client.js';

const commands = new Set([
  'setup',
  'install',
  'configure',
  'images',
  'start',
  'stop',
  'status',
  'check',
  'teardown',
]);

/** The setup script, from the sources (cli/) or the build (dist/cli/). */
function setupScript(): string {
  for (const relative of ['../scripts/node/setup.sh', '../../scripts/node/setup.sh']) {
    const path = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('scripts/node/setup.sh is missing from this installation');
}

function run(command: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    child.on('error', (error) => {
      process.stderr.write(`skiff: ${command}: ${error.message}\n`);
      resolve(1);
    });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

export async function nodeCommand(args: string[]): Promise<number> {
  const steps = args.length > 0 ? args : ['status'];
  const unknown = steps.find((step) => !commands.has(step));
  if (unknown !== undefined) {
    process.stderr.write(`skiff node: unknown command ${unknown} (setup, start, stop, status, teardown)\n`);
    return 2;
  }
  return run('bash', [setupScript(), ...steps]);
}

export async function imageCommand(args: string[]): Promise<number> {
  const [command, file] = args;
  if (command !== 'import' || !file) {
    process.stderr.write('usage: skiff image import FILE.tar\n');
    return 2;
  }
  if (!existsSync(file)) {
    process.stderr.write(`skiff image: ${file}: no such file\n`);
    return 1;
  }
  const socket = defaultCriEndpoint.replace(/^unix:\/\//, '');
  const nodeDir = process.env.SKIFF_NODE_DIR ?? '/var/lib/skiff-node';
  if (!existsSync(`${nodeDir}/containerd/config.toml`)) {
    process.stderr.write('skiff image: this machine has no node: run `sudo skiff node setup` first\n');
    return 1;
  }
  if (!existsSync(socket)) {
    process.stderr.write(
      `skiff image: the node's containerd is not running (${socket}): run \`sudo skiff node start\`\n`,
    );
    return 1;
  }
  // The CRI plugin sees images in containerd's k8s.io namespace only.
  return run('ctr', ['-a', socket, '-n', 'k8s.io', 'images', 'import', file]);
}
