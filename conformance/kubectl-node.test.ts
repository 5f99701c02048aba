import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../client/http-client.js';
import { refFor } from '../client/refs.js';
import type { Pod } from '../kubelet-shim/pod-types.js';
import { requireContainerd } from '../kubelet-shim/testing/containerd.js';
import { freePort } from '../store/testing/free-port.js';
import { poll } from './client.js';
import { kubectlBinaries, startSkiff, type TestSkiff } from './harness.js';

/**
 * Stock kubectl against pods with real containers, as `skiff up` serves it (HTTPS, RBAC, a node on
 * containerd): logs (follow, tail, timestamps, previous), exec (SPDY for 1.27, WebSocket for 1.33),
 * exec with stdin, attach through `run -i --rm`, port-forward and cp — with the oldest and newest kubectl.
 */
const IMAGE = 'skiff.local/testimage:1';
const versions = kubectlBinaries.filter((binary) => binary.version === '1.27' || binary.version === '1.33');
const containerd = await requireContainerd();
let skiff: TestSkiff;
let client: HttpClient;
let scratch: string;

beforeAll(async () => {
  if (!containerd) return;
  skiff = await startSkiff({ node: 'containerd', tls: true, authorizationMode: 'Node,RBAC' });
  client = HttpClient.fromKubeconfig({ path: skiff.kubeconfig });
  scratch = await mkdtemp(join(tmpdir(), 'skiff-kubectl-node-'));
  await client.create(refFor('Pod', 'default'), {
    metadata: { name: 'talker' },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [
        {
          name: 'main',
          image: IMAGE,
          command: [
            'sh',
            '-c',
            'echo container is alive; i=0; while true; do i=$((i+1)); echo tick $i; sleep 1; done',
          ],
        },
        { name: 'web', image: IMAGE, command: ['httpd', '-f', '-p', '8080', '-h', '/www'] },
      ],
    },
  });
  // A container that has restarted once, for --previous.
  await client.create(refFor('Pod', 'default'), {
    metadata: { name: 'restarter' },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [
        { name: 'c', image: IMAGE, command: ['sh', '-c', 'echo run at $(date +%s); sleep 2; exit 1'] },
      ],
    },
  });
  await poll(
    async () => (await client.get<Pod>(refFor('Pod', 'default'), 'talker')).status?.phase === 'Running',
    60_000,
    200,
  );
}, 90_000);
afterAll(async () => {
  if (!containerd) return;
  await client?.deleteCollection(refFor('Pod', 'default'), { gracePeriodSeconds: 0 }).catch(() => undefined);
  await client?.close();
  await skiff?.stop();
  await rm(scratch, { recursive: true, force: true });
}, 60_000);

describe.skipIf(!containerd).each(versions)('kubectl $version against real containers', ({ path }) => {
  const kubectl = (args: string[], input?: string) =>
    skiff.kubectl(args, { binary: path, ...(input !== undefined ? { input } : {}) });

  it('logs: the whole log, --tail, --timestamps and -c', async () => {
    const all = await kubectl(['logs', 'talker', '-c', 'main']);
    expect(all.code).toBe(0);
    expect(all.stdout.startsWith('container is alive\ntick 1\n')).toBe(true);
    const tail = await kubectl(['logs', 'talker', '-c', 'main', '--tail=1']);
    expect(tail.stdout).toMatch(/^tick \d+\n$/);
    const stamped = await kubectl(['logs', 'talker', '-c', 'main', '--tail=1', '--timestamps']);
    expect(stamped.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z tick \d+\n$/);
    // Without -c kubectl picks the first container and says so.
    const defaulted = await kubectl(['logs', 'talker', '--tail=1']);
    expect(defaulted.code).toBe(0);
    expect(defaulted.stderr).toContain('Defaulted container "main" out of: main, web');
    expect(defaulted.stdout).toMatch(/^tick \d+\n$/);
  });

  it('logs -f streams new lines as they are written', async () => {
    const child = spawn(
      path,
      [`--kubeconfig=${skiff.kubeconfig}`, 'logs', '-f', 'talker', '-c', 'main', '--tail=1'],
      {
        env: { ...process.env, HOME: skiff.dataDir },
      },
    );
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    await poll(
      async () => output.split('\n').filter((line) => line.startsWith('tick')).length >= 3,
      15_000,
      100,
    );
    child.kill();
    const ticks = output
      .trim()
      .split('\n')
      .map((line) => Number(line.split(' ')[1]));
    expect(ticks[1]).toBe(ticks[0]! + 1);
  });

  it('logs --previous shows the attempt before', async () => {
    await poll(
      async () =>
        ((await client.get<Pod>(refFor('Pod', 'default'), 'restarter')).status?.containerStatuses?.[0]
          ?.restartCount ?? 0) >= 1,
      30_000,
      200,
    );
    const previous = await kubectl(['logs', 'restarter', '--previous']);
    expect(previous.code).toBe(0);
    expect(previous.stdout).toMatch(/^run at \d+\n$/);
  });

  it('exec runs a command, passes its exit code, and feeds stdin', async () => {
    const echo = await kubectl(['exec', 'talker', '-c', 'main', '--', 'echo', 'remote execution test']);
    expect(echo).toMatchObject({ code: 0, stdout: 'remote execution test\n' });
    const failing = await kubectl([
      'exec',
      'talker',
      '-c',
      'main',
      '--',
      'sh',
      '-c',
      'echo out; echo err >&2; exit 3',
    ]);
    expect(failing.code).toBe(3);
    expect(failing.stdout).toBe('out\n');
    expect(failing.stderr).toContain('err\n');
    const piped = await kubectl(
      ['exec', '-i', 'talker', '-c', 'main', '--', 'sh', '-c', 'head -n1'],
      'from stdin\n',
    );
    expect(piped.stdout).toBe('from stdin\n');
  });

  it('exec -i keeps output written after stdin ends, and the exit code', async () => {
    const result = await kubectl(
      ['exec', '-i', 'talker', '-c', 'main', '--', 'sh', '-c', 'cat; echo done; exit 3'],
      'line one\n',
    );
    expect(result).toMatchObject({ code: 3, stdout: 'line one\ndone\n' });
  });

  it("exec -it gives the command a terminal of the client's size", async () => {
    // `script` gives kubectl a terminal of its own, sized by stty, as a user's shell would.
    // The size follows the start by a moment (kubectl sends it once the streams are open, as toward a
    // kubelet), so the command looks after a second.
    const command = [
      'stty cols 123 rows 45;',
      `${path} --kubeconfig=${skiff.kubeconfig} --cache-dir=${join(scratch, 'tty-cache')}`,
      "exec -it talker -c main -- sh -c 'tty; sleep 1; stty size; exit 4'",
    ].join(' ');
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('close', (exitCode) => resolve({ code: exitCode, output }));
    });
    expect(output).toMatch(/\/dev\/pts\/\d+\r?\n/);
    expect(output).toMatch(/45 123\r?\n/);
    expect(code).toBe(4);
  });

  it('cp copies a file into the pod and back out', async () => {
    const source = join(scratch, `in-${path.slice(-4)}.txt`);
    await writeFile(source, 'copied content\n');
    const into = await kubectl(['cp', source, 'default/talker:/tmp/copied.txt', '-c', 'main']);
    expect(into.code).toBe(0);
    const check = await kubectl(['exec', 'talker', '-c', 'main', '--', 'cat', '/tmp/copied.txt']);
    expect(check.stdout).toBe('copied content\n');
    const back = join(scratch, `out-${path.slice(-4)}.txt`);
    const out = await kubectl(['cp', 'default/talker:/tmp/copied.txt', back, '-c', 'main']);
    expect(out.code).toBe(0);
    expect(await readFile(back, 'utf8')).toBe('copied content\n');
  });

  it('port-forward carries HTTP to the pod', async () => {
    const local = await freePort();
    const child = spawn(
      path,
      [`--kubeconfig=${skiff.kubeconfig}`, 'port-forward', 'pod/talker', `${local}:8080`],
      {
        env: { ...process.env, HOME: skiff.dataDir },
      },
    );
    try {
      const body = await poll(
        async () => {
          const response = await fetch(`http://127.0.0.1:${local}/`);
          return response.status === 200 ? response.text() : undefined;
        },
        15_000,
        200,
      );
      expect(body.length).toBeGreaterThan(0);
    } finally {
      child.kill();
    }
  });

  it('run -i --rm attaches, passes stdin, and removes the pod', async () => {
    const name = `once-${path.slice(-4).replace('.', '')}`;
    const result = await kubectl(
      [
        'run',
        name,
        '-i',
        '--rm',
        '--restart=Never',
        `--image=${IMAGE}`,
        '--image-pull-policy=Never',
        '--',
        'sh',
        '-c',
        'read line; echo got $line',
      ],
      'hello\n',
    );
    expect(result.stdout).toContain('got hello');
    await poll(
      async () => {
        try {
          await client.get(refFor('Pod', 'default'), name);
          return false;
        } catch {
          return true;
        }
      },
      30_000,
      200,
    );
  });
});
