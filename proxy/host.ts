/**
 * The proxy's only ways of changing the machine: running a command (nft, ip, conntrack) and reading or
 * writing a sysctl. Injected, so unit tests record what the proxy would do instead of doing it.
 */
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Host {
  /** Runs `file args…` with `input` on stdin; resolves with its exit code (never rejects on a non-zero one). */
  exec(file: string, args: readonly string[], input?: string): Promise<CommandResult>;
  /** A sysctl's value (`net/ipv4/conf/all/route_localnet`), or undefined when the kernel has no such key. */
  readSysctl(key: string): Promise<string | undefined>;
  writeSysctl(key: string, value: string): Promise<void>;
}

export const systemHost: Host = {
  exec(file, args, input) {
    return new Promise((resolve, reject) => {
      const child = spawn(file, [...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.once('error', reject);
      child.once('close', (code) =>
        resolve({
          code: code ?? 1,
          stdout: Buffer.concat(stdout).toString(),
          stderr: Buffer.concat(stderr).toString(),
        }),
      );
      child.stdin.end(input ?? '');
    });
  },
  async readSysctl(key) {
    try {
      return (await readFile(`/proc/sys/${key}`, 'utf8')).trim();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  },
  async writeSysctl(key, value) {
    await writeFile(`/proc/sys/${key}`, value);
  },
};

/** Runs a command that must succeed; a failure throws with its stderr. */
export async function run(
  host: Host,
  file: string,
  args: readonly string[],
  input?: string,
): Promise<string> {
  const result = await host.exec(file, args, input);
  if (result.code !== 0) {
    throw new Error(`${file} ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
  }
  return result.stdout;
}
