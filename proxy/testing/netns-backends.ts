/**
 * Pods without containerd, for the proxy's root tests and benchmark: network namespaces on a bridge of
 * their own, each running a tiny Node HTTP server on :8080 that answers with the backend's name.
 *
 *   const backends = await startNetnsBackends({ prefix: 'skt', subnet: '10.199.0' , count: 2 });
 *   backends.list  → [{ name: 'a', ip: '10.199.0.2' }, { name: 'b', ip: '10.199.0.3' }]
 *   await backends.stop();   // servers killed, namespaces, veths and bridge deleted
 *
 * Names are `<prefix>br0` (bridge, <subnet>.1/24), `<prefix>-<name>` (namespace) and `<prefix><name>0`
 * (host end of the veth), so a crashed run's leftovers are found and removed by the next start.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { get } from 'node:http';

export interface NetnsBackend {
  /** 'a', 'b', …: also what its server answers. */
  readonly name: string;
  readonly ip: string;
  readonly namespace: string;
}

export interface NetnsBackends {
  readonly bridge: string;
  readonly subnet: string;
  readonly list: readonly NetnsBackend[];
  stop(): Promise<void>;
}

export interface NetnsBackendOptions {
  /** Short: interface names are limited to 15 characters. */
  readonly prefix: string;
  /** The first three octets of a /24: `10.199.0`. */
  readonly subnet: string;
  readonly count: number;
}

function sh(command: string): string {
  return execFileSync('sh', ['-c', command], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function trySh(command: string): string | undefined {
  try {
    return sh(command);
  } catch {
    return undefined;
  }
}

/** Whether this process can make namespaces and nft rules (root, with nft and ip installed). */
export const canUseKernelNetworking =
  process.getuid?.() === 0 && trySh('nft --version') !== undefined && trySh('ip -V') !== undefined;

/** One GET on a fresh connection (a new conntrack flow each time); resolves with the body. */
export function fetchOnce(host: string, port: number, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = get({ host, port, path: '/', agent: false, timeout: timeoutMs }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve(body));
    });
    request.on('timeout', () => request.destroy(new Error(`timeout to ${host}:${port}`)));
    request.on('error', reject);
  });
}

function names(options: NetnsBackendOptions) {
  return Array.from({ length: options.count }, (_, i) => {
    const name = String.fromCharCode(97 + i);
    return {
      name,
      ip: `${options.subnet}.${i + 2}`,
      namespace: `${options.prefix}-${name}`,
      hostVeth: `${options.prefix}${name}0`,
    };
  });
}

/** Removes what a (possibly crashed) run with these options left behind. */
export function removeNetnsBackends(options: NetnsBackendOptions): void {
  for (const backend of names(options)) {
    trySh(`ip netns del ${backend.namespace}`);
    trySh(`ip link del ${backend.hostVeth}`);
  }
  trySh(`ip link del ${options.prefix}br0`);
  trySh(`conntrack -D -s ${options.subnet}.0/24`);
  trySh(`conntrack -D -d ${options.subnet}.0/24`);
}

export async function startNetnsBackends(options: NetnsBackendOptions): Promise<NetnsBackends> {
  removeNetnsBackends(options);
  const bridge = `${options.prefix}br0`;
  const servers: ChildProcess[] = [];
  const list = names(options);
  const stop = async () => {
    for (const server of servers) server.kill();
    removeNetnsBackends(options);
  };
  try {
    sh(
      `ip link add ${bridge} type bridge && ip addr add ${options.subnet}.1/24 dev ${bridge} && ip link set ${bridge} up`,
    );
    for (const backend of list) {
      sh(
        [
          `ip netns add ${backend.namespace}`,
          `ip link add ${backend.hostVeth} type veth peer name eth0 netns ${backend.namespace}`,
          `ip link set ${backend.hostVeth} master ${bridge} up`,
          `ip -n ${backend.namespace} addr add ${backend.ip}/24 dev eth0`,
          `ip -n ${backend.namespace} link set eth0 up`,
          `ip -n ${backend.namespace} link set lo up`,
          `ip -n ${backend.namespace} route add default via ${options.subnet}.1`,
        ].join(' && '),
      );
      const program = `require('http').createServer((q, r) => r.end(${JSON.stringify(backend.name)})).listen(8080)`;
      servers.push(
        spawn('ip', ['netns', 'exec', backend.namespace, process.execPath, '-e', program], {
          stdio: 'ignore',
        }),
      );
    }
    // Up once each answers directly.
    for (const backend of list) {
      const deadline = Date.now() + 10_000;
      for (;;) {
        try {
          await fetchOnce(backend.ip, 8080, 500);
          break;
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    bridge,
    subnet: `${options.subnet}.0/24`,
    list: list.map(({ name, ip, namespace }) => ({ name, ip, namespace })),
    stop,
  };
}
