import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureAuthorize } from '../apiserver/auth/rbac/measure.js';
import { loadCertificateAuthority } from '../apiserver/pki/cluster-pki.js';
import { freePort } from '../store/testing/free-port.js';
import { formatNumber, now, printTable, summarize, throughput } from './stats.js';

/**
 * What security costs per request. `skiff up` (its own process, ephemeral store, no controllers'
 * work to speak of) three ways — plain HTTP; HTTPS with a client certificate and every request allowed
 * (AlwaysAllow); HTTPS with a client certificate and Node,RBAC, the user's right to read coming from
 * one RoleBinding among 1,000 — and, for each, GETs of one ConfigMap per second from 50 keep-alive
 * clients, and their p99. Then the authorizer alone: one `authorize()` through system:masters, Node
 * and RBAC with 1,000 RoleBindings.
 */
const REQUESTS = 20_000;
const CLIENTS = 50;

interface Target {
  readonly name: string;
  readonly args: readonly string[];
  /** The user the requests are made as: undefined for plain HTTP, where none is needed. */
  readonly user?: { name: string; groups: string[] };
}

async function request(agent: http.Agent, url: URL, path: string, method = 'GET', body?: unknown) {
  const transport = url.protocol === 'https:' ? https : http;
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const outgoing = transport.request(
      {
        host: url.hostname,
        port: url.port,
        path,
        method,
        agent,
        headers: payload
          ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) }
          : {},
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}

async function measure(target: Target): Promise<{ perSecond: number; p99: number }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'skiff-bench-auth-'));
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['dist/cli/main.js', 'up', '--ephemeral', '--data-dir', dataDir, '--port', String(port), ...target.args],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const tls = !target.args.includes('--insecure-http');
  const url = new URL(`${tls ? 'https' : 'http'}://127.0.0.1:${port}`);
  try {
    // The kubeconfig is written once the server listens.
    let ca: Awaited<ReturnType<typeof loadCertificateAuthority>> | undefined;
    const started = now();
    for (;;) {
      try {
        await readFile(join(dataDir, 'kubeconfig'));
        if (tls) ca = await loadCertificateAuthority(dataDir);
        break;
      } catch {
        if (now() - started > 30_000) throw new Error('skiff did not start');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    const agentFor = (subject?: { name: string; groups: string[] }) => {
      if (!tls) return new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
      const issued = ca!.issueClientCertificate({
        commonName: subject!.name,
        organizations: subject!.groups,
      });
      return new https.Agent({
        keepAlive: true,
        maxSockets: CLIENTS,
        ca: ca!.certificate,
        cert: issued.certificate,
        key: issued.key,
      });
    };
    const admin = agentFor({ name: 'bench-admin', groups: ['system:masters'] });
    // Setup as an administrator: the ConfigMap read, and for RBAC the 1,000 bindings.
    await request(admin, url, '/api/v1/namespaces/default/configmaps', 'POST', {
      metadata: { name: 'read-me' },
      data: { a: 'b' },
    });
    if (target.user && target.args.includes('Node,RBAC')) {
      for (let batch = 0; batch < 10; batch++) {
        await Promise.all(
          Array.from({ length: 100 }, (_, i) =>
            request(
              admin,
              url,
              '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings',
              'POST',
              {
                metadata: { name: `other-${batch * 100 + i}` },
                roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
                subjects: [
                  { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: `user-${batch * 100 + i}` },
                ],
              },
            ),
          ),
        );
      }
      await request(
        admin,
        url,
        '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings',
        'POST',
        {
          metadata: { name: 'bench-reads' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
          subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: target.user.name }],
        },
      );
    }
    const agent = target.user ? agentFor(target.user) : admin;
    const path = '/api/v1/namespaces/default/configmaps/read-me';
    // The RoleBinding reaches the authorizer through a watch: wait until it allows the read.
    for (let attempt = 0; (await request(agent, url, path)).status !== 200; attempt++) {
      if (attempt > 500) throw new Error(`${target.name}: the bench user cannot read the ConfigMap`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await throughput(2000, CLIENTS, () => request(agent, url, path)); // warm-up
    const latencies: number[] = [];
    const perSecond = await throughput(REQUESTS, CLIENTS, async () => {
      const begun = now();
      const answer = await request(agent, url, path);
      if (answer.status !== 200) throw new Error(`${target.name}: ${answer.status} ${answer.body}`);
      latencies.push(now() - begun);
    });
    admin.destroy();
    agent.destroy();
    return { perSecond, p99: summarize(latencies).p99 };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const user = { name: 'bench-user', groups: ['bench'] };
  const targets: Target[] = [
    {
      name: 'plain HTTP, no authorization (system:unsecured)',
      args: ['--insecure-http', '--authorization-mode', 'AlwaysAllow'],
    },
    { name: 'HTTPS, client certificate, AlwaysAllow', args: ['--authorization-mode', 'AlwaysAllow'], user },
    {
      name: 'HTTPS, client certificate, Node,RBAC, 1,000 RoleBindings',
      args: ['--authorization-mode', 'Node,RBAC'],
      user,
    },
  ];
  const rows: string[][] = [];
  for (const target of targets) {
    const { perSecond, p99 } = await measure(target);
    rows.push([target.name, formatNumber(perSecond), formatNumber(p99, 2)]);
  }
  const authorize = await measureAuthorize({ bindings: 1000 });
  console.log(
    `\nauth benchmark, ${new Date().toISOString().slice(0, 10)}, skiff up (ephemeral) as its own process\n`,
  );
  printTable([`GET one ConfigMap, ${CLIENTS} keep-alive clients`, 'requests/s', 'p99, ms'], rows);
  console.log('');
  printTable(
    ['authorize() through system:masters, Node and RBAC, 1,000 RoleBindings', 'ns per call'],
    [
      [
        `allowed by a RoleBinding (${authorize.decisions.allowed})`,
        formatNumber(authorize.allowedNanosecondsPerCall),
      ],
      [
        `allowed by nothing (${authorize.decisions.refused})`,
        formatNumber(authorize.refusedNanosecondsPerCall),
      ],
    ],
  );
}
