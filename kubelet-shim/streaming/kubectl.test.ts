/**
 * Stock kubectl against the streaming handlers: a tiny API server (discovery, one Running pod `p` with
 * container `c`) hands the exec/attach/portforward upgrades to serveRemoteCommand/servePortForward, which
 * relay to a fake containerd stream server (SPDY/3.1, as containerd is reached; WebSocket v4 fallback).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servePortForward } from './port-forward.js';
import { serveRemoteCommand } from './remote-command.js';
import {
  type FakeRuntimeStreamServer,
  startFakeRuntimeStreamServer,
} from './testing/fake-runtime-stream-server.js';
import { upgradeKind } from './upgrade.js';

const kubectlDir = '/usr/lib/google-cloud-sdk/bin';
/** Every kubectl the machine has from 1.27 to 1.33; 1.27 and 1.33 must be there. */
const versions = ['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33'].filter((version) =>
  existsSync(`${kubectlDir}/kubectl.${version}`),
);
const available = versions.includes('1.27') && versions.includes('1.33');
/** exec/attach moved to WebSocket v5 in 1.30, port-forward to SPDY-in-WebSocket in 1.31. */
const minor = (version: string) => Number(version.split('.')[1]);

let runtime: FakeRuntimeStreamServer;
let api: http.Server;
let echoServer: net.Server;
let directory: string;
/** Each upgrade the API server saw: path and kind ('websocket' | 'spdy'). */
/** Upgraded sockets leave the server's books; they are destroyed by hand at the end. */
const upgraded = new Set<import('node:stream').Duplex>();
const upgrades: Array<{ path: string; kind: string; protocols: string }> = [];

const pod = {
  kind: 'Pod',
  apiVersion: 'v1',
  metadata: {
    name: 'p',
    namespace: 'default',
    uid: '0b7e0d38-1111-4222-8333-944455556666',
    resourceVersion: '7',
    creationTimestamp: '2025-01-01T00:00:00Z',
  },
  spec: { containers: [{ name: 'c', image: 'skiff.local/testimage:1' }], nodeName: 'node-1' },
  status: {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: 'True' }],
    containerStatuses: [
      {
        name: 'c',
        ready: true,
        restartCount: 0,
        image: 'skiff.local/testimage:1',
        imageID: '',
        state: { running: { startedAt: '2025-01-01T00:00:01Z' } },
      },
    ],
  },
};

function resourceList(port: number) {
  const verbs = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
  return {
    '/version': { major: '1', minor: '33', gitVersion: 'v1.33.1', platform: 'linux/amd64' },
    '/api': {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${port}` }],
    },
    '/apis': { kind: 'APIGroupList', apiVersion: 'v1', groups: [] },
    '/api/v1': {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: 'v1',
      resources: [
        {
          name: 'pods',
          singularName: 'pod',
          namespaced: true,
          kind: 'Pod',
          verbs,
          shortNames: ['po'],
          categories: ['all'],
        },
        {
          name: 'pods/exec',
          singularName: '',
          namespaced: true,
          kind: 'PodExecOptions',
          verbs: ['create', 'get'],
        },
        {
          name: 'pods/attach',
          singularName: '',
          namespaced: true,
          kind: 'PodAttachOptions',
          verbs: ['create', 'get'],
        },
        {
          name: 'pods/portforward',
          singularName: '',
          namespaced: true,
          kind: 'PodPortForwardOptions',
          verbs: ['create', 'get'],
        },
      ],
    },
    '/api/v1/namespaces/default/pods/p': pod,
  } as Record<string, unknown>;
}

beforeAll(async () => {
  if (!available) return;
  runtime = await startFakeRuntimeStreamServer();
  // The pod's "port 80": answers each line upper-cased.
  echoServer = net.createServer((connection) => {
    connection.on('data', (chunk: Buffer) => connection.write(chunk.toString().toUpperCase()));
    connection.on('end', () => connection.end());
  });
  echoServer.listen(0, '127.0.0.1');
  await once(echoServer, 'listening');
  const echoPort = (echoServer.address() as net.AddressInfo).port;
  api = http.createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://api').pathname;
    const body = resourceList((api.address() as net.AddressInfo).port)[path];
    if (body === undefined) {
      response.writeHead(404, { 'Content-Type': 'application/json' });
      response.end(
        JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          reason: 'NotFound',
          code: 404,
        }),
      );
      return;
    }
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify(body));
  });
  api.on('upgrade', (request, socket, head) => {
    upgraded.add(socket);
    const url = new URL(request.url ?? '/', 'http://api');
    const subresource = /^\/api\/v1\/namespaces\/default\/pods\/p\/(exec|attach|portforward)$/.exec(
      url.pathname,
    )?.[1];
    upgrades.push({
      path: url.pathname,
      kind: upgradeKind(request),
      protocols: String(
        request.headers['sec-websocket-protocol'] ?? request.headers['x-stream-protocol-version'] ?? '',
      ),
    });
    if (subresource === 'portforward') {
      servePortForward(request, socket, head, { open: async () => runtime.portForwardUrl({ 80: echoPort }) });
    } else if (subresource !== undefined) {
      const command = subresource === 'exec' ? url.searchParams.getAll('command') : ['echo', 'attached'];
      serveRemoteCommand(request, socket, head, {
        open: async (streams) => runtime.execUrl(command, streams),
      });
    } else {
      socket.destroy();
    }
  });
  api.listen(0, '127.0.0.1');
  await once(api, 'listening');
  directory = mkdtempSync(join(tmpdir(), 'skiff-kubectl-streaming-'));
  const port = (api.address() as net.AddressInfo).port;
  writeFileSync(
    join(directory, 'kubeconfig'),
    `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: http://127.0.0.1:${port}\n` +
      'users:\n- name: u\n  user: {}\ncontexts:\n- name: x\n  context: {cluster: c, user: u, namespace: default}\ncurrent-context: x\n',
  );
});

afterAll(async () => {
  if (!available) return;
  for (const socket of upgraded) socket.destroy();
  api.closeAllConnections();
  await new Promise((resolve) => api.close(resolve));
  echoServer.close();
  await runtime.close();
  rmSync(directory, { recursive: true, force: true });
});

function kubectlArgs(version: string, args: string[]): [string, string[]] {
  return [
    `${kubectlDir}/kubectl.${version}`,
    [
      '--kubeconfig',
      join(directory, 'kubeconfig'),
      '--cache-dir',
      join(directory, `cache-${version}`),
      ...args,
    ],
  ];
}

function kubectl(
  version: string,
  args: string[],
  input?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const [file, argv] = kubectlArgs(version, args);
  return new Promise((resolve) => {
    const child = execFile(file, argv, { timeout: 15_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
    else child.stdin?.end();
  });
}

describe.skipIf(!available)('kubectl exec / port-forward through the node streaming handlers', () => {
  describe.each(versions)('kubectl %s', (version) => {
    const execKind = minor(version) >= 30 ? 'websocket' : 'spdy';
    const portForwardKind = minor(version) >= 31 ? 'websocket' : 'spdy';

    it('exec prints the command output', async () => {
      const before = upgrades.length;
      const result = await kubectl(version, ['exec', 'p', '--', 'echo', 'hi']);
      expect(result).toMatchObject({ code: 0, stdout: 'hi\n' });
      expect(upgrades.slice(before).map((upgrade) => upgrade.kind)).toEqual([execKind]);
    });

    it('exec returns the command’s non-zero exit code', async () => {
      const result = await kubectl(version, ['exec', 'p', '--', 'exit', '3']);
      expect(result.code).toBe(3);
      expect(result.stderr).toContain('command terminated with exit code 3');
    });

    it('exec relays stderr separately from stdout', async () => {
      const result = await kubectl(version, ['exec', 'p', '--', 'fail']);
      expect(result).toMatchObject({ code: 2, stdout: '' });
      expect(result.stderr).toContain('oops');
    });

    it('exec -i passes stdin to the process', async () => {
      const result = await kubectl(version, ['exec', '-i', 'p', '--', 'read-line'], 'hello there\n');
      expect(result).toMatchObject({ code: 0, stdout: 'HELLO THERE\n' });
    });

    it('exec -i: output after stdin’s EOF and the exit code reach kubectl (`cat; echo done; exit 3`)', async () => {
      const before = runtime.sessions.length;
      const result = await kubectl(version, ['exec', '-i', 'p', '--', 'cat-done', '3'], 'from stdin\n');
      expect(result).toMatchObject({ code: 3, stdout: 'from stdin\ndone\n' });
      expect(result.stderr).toContain('command terminated with exit code 3');
      expect(runtime.sessions.slice(before).map((session) => session.transport)).toEqual(['spdy']);
    });

    it('port-forward relays bytes both ways', async () => {
      const probe = net.createServer().listen(0, '127.0.0.1');
      await once(probe, 'listening');
      const localPort = (probe.address() as net.AddressInfo).port;
      await new Promise((resolve) => probe.close(resolve));
      const [file, argv] = kubectlArgs(version, [
        'port-forward',
        'pod/p',
        `${localPort}:80`,
        '--address',
        '127.0.0.1',
      ]);
      const before = upgrades.length;
      const child: ChildProcess = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        let output = '';
        await new Promise<void>((resolve, reject) => {
          child.stdout!.on('data', (chunk: Buffer) => {
            output += chunk.toString();
            if (output.includes('Forwarding from')) resolve();
          });
          child.on('exit', (code) => reject(new Error(`kubectl port-forward exited ${code}: ${output}`)));
        });
        for (const message of ['ping one\n', 'second connection\n']) {
          const connection = net.connect(localPort, '127.0.0.1');
          connection.write(message);
          let answer = '';
          for await (const chunk of connection) {
            answer += (chunk as Buffer).toString();
            if (answer.length >= message.length) break;
          }
          connection.destroy();
          expect(answer).toBe(message.toUpperCase());
        }
        expect(upgrades.slice(before).map((upgrade) => upgrade.kind)).toEqual([portForwardKind]);
      } finally {
        child.kill();
      }
    });
  });
});
