/**
 * `skiff node setup|start|stop|status|teardown`: prepares this machine to run Skiff's node on
 * containerd (scripts/node/setup.sh, as root on Debian). `skiff image import FILE.tar`: loads an
 * OCI or Docker image archive into that containerd, for machines that reach no registry.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultCriEndpoint } from '../kubelet-shim/cri/client.js';

const commands = new Set(['setup', 'install', 'configure', 'images', 'start', 'stop', 'status', 'teardown']);

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
  const [command = 'status'] = args;
  if (!commands.has(command)) {
    process.stderr.write(`skiff node: unknown command ${command} (setup, start, stop, status, teardown)\n`);
    return 2;
  }
  return run('bash', [setupScript(), command]);
}

export async function imageCommand(args: string[]): Promise<number> {
  const [command, file] = args;
  if (command !== 'import' || !file) {
    process.stderr.write('usage: skiff image import FILE.tar\n');
    return 2;
  }
  const socket = defaultCriEndpoint.replace(/^unix:\/\//, '');
  if (!existsSync(socket)) {
    process.stderr.write(
      `skiff image: no containerd at ${socket}: run \`skiff node setup\` (or \`skiff node start\`) first\n`,
    );
    return 1;
  }
  // The CRI plugin sees images in containerd's k8s.io namespace only.
  return run('ctr', ['-a', socket, '-n', 'k8s.io', 'images', 'import', file]);
}
