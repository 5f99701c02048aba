/**
 * The API server's node proxy end to end, in process: Skiff over HTTPS, a Node whose kubelet endpoint is
 * a node server (kubelet-shim/server.ts) on a free loopback port over a fake runtime view and real CRI
 * log files, and stock kubectl (1.27 and 1.33) asking for logs and exec.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketConnection } from '../../client/streaming/websocket.js';
import { kubectlBinaries, startSkiff, type TestSkiff } from '../../conformance/harness.js';
import {
  type ContainerRuntimeInfo,
  kubeletServingCertificate,
  type NodeServer,
  type PodRuntimeInfo,
  startNodeServer,
} from '../../kubelet-shim/server.js';
import {
  type FakeRuntimeStreamServer,
  startFakeRuntimeStreamServer,
} from '../../kubelet-shim/streaming/testing/fake-runtime-stream-server.js';
import { freePort } from '../../store/testing/free-port.js';
import { loadCertificateAuthority } from '../pki/cluster-pki.js';

let skiff: TestSkiff;
let node: NodeServer;
let runtime: FakeRuntimeStreamServer;
let logs: string;
const containers = new Map<string, ContainerRuntimeInfo>();
const pods = new Map<string, PodRuntimeInfo>();
const versions = kubectlBinaries.filter((binary) => binary.version === '1.27' || binary.version === '1.33');

const record = (text: string, second = 38, stream = 'stdout') =>
  `2026-11-22T03:36:${second}.504488024Z ${stream} F ${text}\n`;

async function create(path: string, body: unknown): Promise<void> {
  const response = await skiff.request('POST', path, body);
  expect(response.status, await response.clone().text()).toBe(201);
}

async function patchStatus(path: string, status: unknown): Promise<void> {
  const response = await skiff.request(
    'PATCH',
    `${path}/status`,
    { status },
    {
      'Content-Type': 'application/merge-patch+json',
    },
  );
  expect(response.status, await response.clone().text()).toBe(200);
}

beforeAll(async () => {
  skiff = await startSkiff({ tls: true, controllers: false });
  logs = join(skiff.dataDir, 'node-logs');
  await mkdir(join(logs, 'app'), { recursive: true });
  await writeFile(join(logs, 'app', '0.log'), record('crashed once', 30, 'stderr'));
  await writeFile(join(logs, 'app', '1.log'), record('hello', 38) + record('world', 39));
  containers.set('app', {
    id: 'app-1',
    running: true,
    logPath: join(logs, 'app', '1.log'),
    previousLogPath: join(logs, 'app', '0.log'),
  });
  pods.set('default/web', { uid: 'u-web', sandboxId: 'sandbox-web', containers });
  runtime = await startFakeRuntimeStreamServer();
  const ca = await loadCertificateAuthority(skiff.dataDir);
  const port = await freePort();
  node = await startNodeServer({
    host: '127.0.0.1',
    port,
    tls: await kubeletServingCertificate({ nodeName: 'node-x', addresses: ['127.0.0.1'], ca }),
    clientCA: ca.certificate,
    runtime: {
      lookup: (namespace, pod) => pods.get(`${namespace}/${pod}`),
      exec: async (_id, command, streams) => runtime.execUrl(command, streams),
      attach: async (_id, streams) => runtime.execUrl(['echo', 'attached'], streams),
      portForward: async () => runtime.portForwardUrl({}),
    },
    containerCheckIntervalMs: 50,
  });
  await create('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-x' } });
  await patchStatus('/api/v1/nodes/node-x', {
    addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
    daemonEndpoints: { kubeletEndpoint: { Port: port } },
  });
  const pod = (name: string, names: string[]) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: {
      nodeName: 'node-x',
      containers: names.map((container) => ({ name: container, image: 'busybox' })),
    },
  });
  await create('/api/v1/namespaces/default/pods', pod('web', ['app']));
  await create('/api/v1/namespaces/default/pods', pod('two', ['a', 'b']));
  await create('/api/v1/namespaces/default/pods', {
    ...pod('pending', ['app']),
    spec: { containers: [{ name: 'app', image: 'busybox' }] },
  });
  await patchStatus('/api/v1/namespaces/default/pods/web', {
    phase: 'Running',
    containerStatuses: [
      {
        name: 'app',
        ready: true,
        restartCount: 1,
        image: 'busybox',
        imageID: '',
        containerID: 'containerd://app-1',
        state: { running: { startedAt: '2026-11-22T03:36:38Z' } },
      },
    ],
  });
}, 60_000);

afterAll(async () => {
  await node?.close();
  await runtime?.close();
  await skiff?.stop();
});

describe('pods/log through the node', () => {
  it.each(versions)(
    'kubectl $version logs, with --tail, --timestamps, -c and --previous',
    async ({ path }) => {
      const run = (...args: string[]) => skiff.kubectl(args, { binary: path });
      expect(await run('logs', 'web')).toMatchObject({ code: 0, stdout: 'hello\nworld\n' });
      expect((await run('logs', 'web', '--tail=1')).stdout).toBe('world\n');
      expect((await run('logs', 'web', '-c', 'app', '--timestamps')).stdout).toBe(
        '2026-11-22T03:36:38.504488024Z hello\n2026-11-22T03:36:39.504488024Z world\n',
      );
      expect((await run('logs', 'web', '--previous')).stdout).toBe('crashed once\n');
      expect((await run('logs', 'web', '--limit-bytes=3')).stdout).toBe('hel');
    },
  );

  it('relays the node’s refusals as Kubernetes Status answers', async () => {
    containers.set('app', { ...containers.get('app')!, previousLogPath: undefined } as ContainerRuntimeInfo);
    try {
      const previous = await skiff.kubectl(['logs', 'web', '--previous']);
      expect(previous.code).not.toBe(0);
      expect(previous.stderr).toContain(
        'Error from server (BadRequest): previous terminated container "app" in pod "web" not found',
      );
    } finally {
      containers.set('app', { ...containers.get('app')!, previousLogPath: join(logs, 'app', '0.log') });
    }
    const ambiguous = await skiff.request('GET', '/api/v1/namespaces/default/pods/two/log');
    expect(ambiguous.status).toBe(400);
    expect(await ambiguous.json()).toMatchObject({
      reason: 'BadRequest',
      message: 'a container name must be specified for pod two, choose one of: [a b]',
    });
    const invalid = await skiff.request('GET', '/api/v1/namespaces/default/pods/web/log?tailLines=-1');
    expect(invalid.status).toBe(422);
    // The node does not know pod "two": its 404 reads as upstream's generic one.
    const unknown = await skiff.request('GET', '/api/v1/namespaces/default/pods/two/log?container=a');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({
      reason: 'NotFound',
      message: 'the server could not find the requested resource ( pods/log two)',
      details: { name: 'two', kind: 'pods/log' },
    });
    expect((await skiff.request('GET', '/api/v1/namespaces/default/pods/pending/log')).status).toBe(204);
  });

  it.each(versions)(
    'kubectl $version logs -f streams appended lines and exits when the container stops',
    async ({ path }) => {
      const file = join(logs, 'app', `follow-${path.slice(-4)}.log`);
      await writeFile(file, record('first'));
      containers.set('app', { ...containers.get('app')!, id: 'app-f', logPath: file, running: true });
      const child = spawn(path, [`--kubeconfig=${skiff.kubeconfig}`, 'logs', '-f', 'web'], {
        env: { ...process.env, HOME: skiff.dataDir },
      });
      let output = '';
      const waiters: (() => void)[] = [];
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        for (const waiter of waiters.splice(0)) waiter();
      });
      let gone = false;
      const exited = new Promise<number | null>((resolve) =>
        child.on('exit', (code) => {
          gone = true;
          for (const waiter of waiters.splice(0)) waiter();
          resolve(code);
        }),
      );
      const until = async (text: string) => {
        while (!output.includes(text)) {
          if (gone) throw new Error(`kubectl exited before printing ${JSON.stringify(text)}: ${output}`);
          await new Promise<void>((resolve) => waiters.push(resolve));
        }
      };
      await until('first\n');
      await appendFile(file, record('second'));
      await until('second\n');
      await appendFile(file, record('third'));
      containers.set('app', { ...containers.get('app')!, running: false });
      expect(await exited).toBe(0);
      expect(output).toBe('first\nsecond\nthird\n');
      containers.set('app', {
        ...containers.get('app')!,
        id: 'app-1',
        logPath: join(logs, 'app', '1.log'),
        running: true,
      });
    },
  );

  for (const protocol of ['binary.k8s.io', 'base64.binary.k8s.io']) {
    it(`reads a log over WebSocket (${protocol}) as upstream's wsstream writes it`, async () => {
      const messages = await readLogOverWebSocket(
        '/api/v1/namespaces/default/pods/web/log?container=app',
        protocol,
      );
      expect(messages[0]).toEqual({ binary: true, data: '' });
      const text = messages
        .slice(1)
        .map((message) =>
          protocol === 'base64.binary.k8s.io' ? Buffer.from(message.data, 'base64').toString() : message.data,
        )
        .join('');
      expect(text).toBe('hello\nworld\n');
      expect(messages.slice(1).every((message) => message.binary === (protocol === 'binary.k8s.io'))).toBe(
        true,
      );
    });
  }
});

describe('pods/exec through the node', () => {
  it.each(versions)('kubectl $version exec runs the command on the node', async ({ path }) => {
    const result = await skiff.kubectl(['exec', 'web', '--', 'echo', 'hi', 'there'], { binary: path });
    expect(result).toMatchObject({ code: 0, stdout: 'hi there\n' });
    const failed = await skiff.kubectl(['exec', 'web', '--', 'exit', '3'], { binary: path });
    expect(failed.code).toBe(3);
  });

  it('refuses an exec the node cannot do, with the node’s words', async () => {
    const result = await skiff.kubectl(['exec', 'two', '-c', 'a', '--', 'echo']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('pod does not exist');
  });
});

describe('nodes/proxy and discovery', () => {
  it('proxies GET to the node', async () => {
    const health = await skiff.request('GET', '/api/v1/nodes/node-x/proxy/healthz');
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('ok');
    const log = await skiff.request(
      'GET',
      '/api/v1/nodes/node-x/proxy/containerLogs/default/web/app?tailLines=1',
    );
    expect(await log.text()).toBe('world\n');
  });

  it('lists the node-served subresources with upstream’s verbs', async () => {
    const list = (await (await skiff.request('GET', '/api/v1')).json()) as {
      resources: { name: string; kind: string; verbs: string[] }[];
    };
    const byName = new Map(list.resources.map((resource) => [resource.name, resource]));
    expect(byName.get('pods/log')).toMatchObject({ kind: 'Pod', verbs: ['get'] });
    expect(byName.get('pods/exec')).toMatchObject({ kind: 'PodExecOptions', verbs: ['create', 'get'] });
    expect(byName.get('pods/attach')).toMatchObject({ kind: 'PodAttachOptions', verbs: ['create', 'get'] });
    expect(byName.get('pods/portforward')).toMatchObject({
      kind: 'PodPortForwardOptions',
      verbs: ['create', 'get'],
    });
    expect(byName.get('nodes/proxy')).toMatchObject({ kind: 'NodeProxyOptions' });
  });
});

/** A WebSocket GET with the admin's certificate; every message until the server closes. */
async function readLogOverWebSocket(
  path: string,
  protocol: string,
): Promise<{ binary: boolean; data: string }[]> {
  const [certificate, key] = await Promise.all([
    import('node:fs/promises').then((fs) => fs.readFile(join(skiff.dataDir, 'pki', 'admin.crt'), 'utf8')),
    import('node:fs/promises').then((fs) => fs.readFile(join(skiff.dataDir, 'pki', 'admin.key'), 'utf8')),
  ]);
  const url = new URL(skiff.url);
  return new Promise((resolve, reject) => {
    const request = https.request({
      host: url.hostname,
      port: Number(url.port),
      path,
      ca: skiff.caCertificate,
      cert: certificate,
      key,
      agent: false,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        'Sec-WebSocket-Protocol': protocol,
      },
    });
    request.on('upgrade', (response, socket, head) => {
      expect(response.headers['sec-websocket-protocol']).toBe(protocol);
      const ws = new WebSocketConnection(socket, { role: 'client', protocol, head });
      const messages: { binary: boolean; data: string }[] = [];
      ws.on('message', (data, binary) => messages.push({ binary, data: data.toString('utf8') }));
      ws.on('close', () => resolve(messages));
    });
    request.on('response', (response) => reject(new Error(`no upgrade: ${response.statusCode}`)));
    request.on('error', reject);
    request.end();
  });
}
