#!/usr/bin/env node
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseDuration } from './duration.js';
import { isLoopbackAddress, up } from './up.js';

const usage = `usage: skiff up [--data-dir DIR] [--port PORT] [--address ADDR] [--store URL] [--ephemeral]
                [--insecure-http] [--anonymous-auth=true|false] [--token-auth-file FILE]
                [--service-account-issuer URL] [--authorization-mode AlwaysAllow|Node,RBAC]
                [--max-requests-inflight 400] [--max-mutating-requests-inflight 200]
                [--max-watches-per-user 1000] [--request-timeout 60s] [--audit-log-path PATH|-]
                [--node containerd|simulated|none]
       skiff apiserver [the flags of up]   # the API server alone, without controllers or scheduler
       skiff kubeconfig --user NAME [--group GROUP]... [--data-dir DIR] [--server URL]
       skiff scheduler --kubeconfig PATH [--config FILE] [--identity NAME]
       skiff controller-manager --kubeconfig PATH [--identity NAME] [--root-ca-file PATH]
                                [--leader-elect-lease-duration 15s]
                                [--leader-elect-renew-deadline 10s] [--leader-elect-retry-period 2s]
       skiff kubelet --kubeconfig PATH [--cri unix:///run/skiff-node/containerd.sock] [--node-name NAME]
                     [--root-dir DIR] [--port 10250] [--address ADDR] [--cluster-dns IP]
       skiff kubelet --kubeconfig PATH --simulate [--nodes N] [--node-name-prefix sim-node-]
       skiff node setup|start|stop|status|teardown
       skiff image import FILE.tar

  --data-dir DIR   where Skiff keeps its store and kubeconfig (default ~/.skiff)
  --port PORT      the API server's port (default 6443)
  --address ADDR   the address to listen on (default 127.0.0.1)
  --store URL      level:///path (default DIR/store), memory://, or etcd://host:port,…
  --ephemeral      keep everything in memory; nothing is written but the kubeconfig and the PKI
  --insecure-http  serve plain HTTP instead of HTTPS, on a loopback address only; requests without
                   credentials then act as system:unsecured (system:masters), as Kubernetes' old
                   insecure port did
  --anonymous-auth serve requests without credentials as system:anonymous (default: only when an
                   authorizer limits what they may do); false answers them 401
  --token-auth-file FILE
                   static bearer tokens, one per line: token,user,uid,"group1,group2"
  --service-account-issuer URL
                   the iss (and default audience) of ServiceAccount tokens
                   (default https://kubernetes.default.svc.cluster.local)
  --authorization-mode MODE
                   Node,RBAC (default): system:masters, the Node authorizer and RBAC with the
                   bootstrap roles and bindings; AlwaysAllow: every authenticated request is allowed

  --max-requests-inflight N, --max-mutating-requests-inflight N
                   requests served at once (watches and system:masters not counted); beyond, 429
                   with Retry-After; 0: no limit
  --max-watches-per-user N
                   open watches per user (system:masters not counted); beyond, 429
  --request-timeout DURATION
                   how long a request's headers and body may take to arrive (not, as kube-apiserver's
                   flag of that name, how long a handler may run)
  --audit-log-path PATH
                   one audit.k8s.io/v1 Event per request, as a JSON line, at the Metadata level
                   (- for standard output)

  --node KIND      the node skiff up runs beside the control plane: containerd (the default once
                   \`skiff node setup\` has been run here), simulated (the default otherwise), none

skiff up serves HTTPS with a cluster CA it makes on first start in DIR/pki, and writes DIR/kubeconfig
for kubernetes-admin (group system:masters) with a client certificate.

kubeconfig prints a kubeconfig for another user, with a client certificate for NAME in each GROUP
signed by the cluster CA of DIR (the server is the one in DIR/kubeconfig unless --server says).

scheduler runs the scheduler as its own process against any Skiff, with the profiles of a
KubeSchedulerConfiguration file (--config), leader-elected on the kube-system/kube-scheduler Lease.

kubelet runs a node against any Skiff: it registers the Node, renews its Lease, and runs the pods bound
to it through the container runtime's CRI socket (containerd, as \`skiff node setup\` installs it).
With --simulate it runs N simulated nodes instead: real Nodes and Leases, pods taken through their
lifecycle without containers.

node setup (as root, on Debian) installs containerd, runc and the CNI plugins, writes their
configuration under /var/lib/skiff-node, builds the pause and test images (skiff.local/pause:1,
skiff.local/testimage:1) without a registry, and starts containerd; then skiff up runs its node on it.
image import loads an OCI or Docker image archive into that containerd.

controller-manager runs the controllers as their own process against any Skiff, leader-elected on the
kube-system/kube-controller-manager Lease so that only one of several acts at a time. With
--root-ca-file (the cluster CA, DIR/pki/ca.crt) it publishes that CA in every namespace as the
kube-root-ca.crt ConfigMap.
`;

async function controllerManager(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      kubeconfig: { type: 'string' },
      identity: { type: 'string' },
      'root-ca-file': { type: 'string' },
      'leader-elect-lease-duration': { type: 'string', default: '15s' },
      'leader-elect-renew-deadline': { type: 'string', default: '10s' },
      'leader-elect-retry-period': { type: 'string', default: '2s' },
    },
    strict: true,
  });
  if (!values.kubeconfig) {
    process.stderr.write(usage);
    return 2;
  }
  const timings = {
    leaseDurationMs: parseDuration(values['leader-elect-lease-duration']),
    renewDeadlineMs: parseDuration(values['leader-elect-renew-deadline']),
    retryPeriodMs: parseDuration(values['leader-elect-retry-period']),
  };
  if (Object.values(timings).some((ms) => ms === undefined || ms <= 0)) {
    process.stderr.write('skiff: leader election durations are Go durations such as 15s, 500ms or 1m\n');
    return 2;
  }
  if (timings.leaseDurationMs! <= timings.renewDeadlineMs!) {
    process.stderr.write(
      'skiff: --leader-elect-lease-duration must be longer than --leader-elect-renew-deadline\n',
    );
    return 2;
  }
  // Loaded only for this command, so `skiff up` starts without them.
  const rootCa = values['root-ca-file'] ? await readFile(values['root-ca-file'], 'utf8') : undefined;
  const [{ HttpClient }, { allControllers }, { startControllerManager }, { rootCaPublisher }] =
    await Promise.all([
      import('../client/http-client.js'),
      import('../controllers/index.js'),
      import('../controllers/manager.js'),
      import('../controllers/root-ca-publisher.js'),
    ]);
  const client = HttpClient.fromKubeconfig({ path: values.kubeconfig });
  const identity = values.identity ?? `${hostname()}_${randomUUID()}`;
  const manager = startControllerManager({
    client,
    controllers: rootCa ? [...allControllers, rootCaPublisher(rootCa)] : allControllers,
    leaderElection: {
      identity,
      leaseDurationMs: timings.leaseDurationMs!,
      renewDeadlineMs: timings.renewDeadlineMs!,
      retryPeriodMs: timings.retryPeriodMs!,
    },
  });
  process.stdout.write(`controller manager ${identity} started\n`);
  await untilSignalled();
  await manager.stop();
  await client.close();
  return 0;
}

/**
 * Which node `skiff up` runs: as asked, or on containerd when `skiff node setup` has been run here
 * (starting containerd if it is not running), else a simulated one — saying so.
 */
async function chooseNode(
  asked: string | undefined,
): Promise<'containerd' | 'simulated' | 'none' | undefined> {
  if (asked !== undefined) {
    if (asked === 'containerd' || asked === 'simulated' || asked === 'none') return asked;
    process.stderr.write(`skiff: --node must be containerd, simulated or none, not ${asked}\n`);
    return undefined;
  }
  const { existsSync } = await import('node:fs');
  if (!existsSync('/var/lib/skiff-node/containerd/config.toml')) {
    process.stdout.write(
      'No containerd node here (run `sudo skiff node setup` for one): running a simulated node.\n',
    );
    return 'simulated';
  }
  if (!existsSync('/run/skiff-node/containerd.sock')) {
    const { nodeCommand } = await import('./node.js');
    if ((await nodeCommand(['start'])) !== 0) {
      process.stdout.write('containerd did not start: running a simulated node.\n');
      return 'simulated';
    }
  }
  return 'containerd';
}

function untilSignalled(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.stdout.write(`${signal}: shutting down\n`);
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

async function kubeconfig(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      user: { type: 'string' },
      group: { type: 'string', multiple: true },
      'data-dir': { type: 'string' },
      server: { type: 'string' },
    },
    strict: true,
  });
  if (!values.user) {
    process.stderr.write(usage);
    return 2;
  }
  const { userKubeconfig } = await import('./kubeconfig.js');
  process.stdout.write(
    await userKubeconfig({
      dataDir: resolve(values['data-dir'] ?? join(homedir(), '.skiff')),
      user: values.user,
      groups: values.group ?? [],
      ...(values.server ? { server: values.server } : {}),
    }),
  );
  return 0;
}

async function scheduler(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { kubeconfig: { type: 'string' }, config: { type: 'string' }, identity: { type: 'string' } },
    strict: true,
  });
  if (!values.kubeconfig) {
    process.stderr.write(usage);
    return 2;
  }
  // Loaded only for this command, so `skiff up` starts without them.
  const [{ HttpClient }, { loadSchedulerConfiguration, startScheduler }] = await Promise.all([
    import('../client/http-client.js'),
    import('../scheduler/index.js'),
  ]);
  const config = values.config ? await loadSchedulerConfiguration(values.config) : undefined;
  const client = HttpClient.fromKubeconfig({ path: values.kubeconfig });
  const identity = values.identity ?? `${hostname()}_${randomUUID()}`;
  const running = startScheduler({ client, ...(config ? { config } : {}), leaderElection: { identity } });
  process.stdout.write(`scheduler ${identity} started\n`);
  await untilSignalled();
  await running.stop();
  await client.close();
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'controller-manager') return controllerManager(rest);
  if (command === 'scheduler') return scheduler(rest);
  if (command === 'kubeconfig') return kubeconfig(rest);
  if (command === 'kubelet') return (await import('./kubelet.js')).kubeletCommand(rest, untilSignalled);
  if (command === 'node') return (await import('./node.js')).nodeCommand(rest);
  if (command === 'image') return (await import('./node.js')).imageCommand(rest);
  if (command !== 'up' && command !== 'apiserver') {
    process.stderr.write(usage);
    return command === undefined || command === '--help' || command === 'help' ? 0 : 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      address: { type: 'string' },
      store: { type: 'string' },
      ephemeral: { type: 'boolean' },
      'insecure-http': { type: 'boolean' },
      'anonymous-auth': { type: 'string' },
      'token-auth-file': { type: 'string' },
      'service-account-issuer': { type: 'string' },
      'authorization-mode': { type: 'string', default: 'Node,RBAC' },
      'max-requests-inflight': { type: 'string' },
      'max-mutating-requests-inflight': { type: 'string' },
      'max-watches-per-user': { type: 'string' },
      'request-timeout': { type: 'string' },
      'audit-log-path': { type: 'string' },
      node: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    process.stderr.write(`skiff: --port must be a port number, not ${values.port}\n`);
    return 2;
  }
  const anonymousAuth = values['anonymous-auth'];
  if (anonymousAuth !== undefined && anonymousAuth !== 'true' && anonymousAuth !== 'false') {
    process.stderr.write(`skiff: --anonymous-auth must be true or false, not ${anonymousAuth}\n`);
    return 2;
  }
  const authorizationMode = values['authorization-mode'];
  if (
    authorizationMode !== undefined &&
    authorizationMode !== 'AlwaysAllow' &&
    authorizationMode !== 'Node,RBAC'
  ) {
    process.stderr.write(
      `skiff: --authorization-mode must be AlwaysAllow or Node,RBAC, not ${authorizationMode}\n`,
    );
    return 2;
  }
  const address = values.address ?? '127.0.0.1';
  if (values['insecure-http'] && !isLoopbackAddress(address)) {
    process.stderr.write(
      `skiff: --insecure-http serves plain HTTP and is allowed only on a loopback address (127.0.0.1, ::1), not ${address}\n`,
    );
    return 2;
  }
  const counts: Record<string, number | undefined> = {};
  for (const flag of [
    'max-requests-inflight',
    'max-mutating-requests-inflight',
    'max-watches-per-user',
  ] as const) {
    const text = values[flag];
    if (text === undefined) continue;
    const count = Number(text);
    if (!Number.isInteger(count) || count < 0) {
      process.stderr.write(`skiff: --${flag} must be a whole number, not ${text}\n`);
      return 2;
    }
    counts[flag] = count;
  }
  const requestTimeoutMs =
    values['request-timeout'] === undefined ? undefined : parseDuration(values['request-timeout']);
  if (values['request-timeout'] !== undefined && (requestTimeoutMs === undefined || requestTimeoutMs <= 0)) {
    process.stderr.write(
      `skiff: --request-timeout must be a duration such as 60s, not ${values['request-timeout']}\n`,
    );
    return 2;
  }
  const node = command === 'apiserver' ? 'none' : await chooseNode(values.node);
  if (node === undefined) return 2;
  const started = performance.now();
  const skiff = await up({
    ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(values.address ? { address: values.address } : {}),
    ...(values.store ? { store: values.store } : {}),
    ...(values.ephemeral ? { ephemeral: true } : {}),
    tls: !values['insecure-http'],
    ...(anonymousAuth !== undefined ? { anonymousAuth: anonymousAuth === 'true' } : {}),
    ...(values['token-auth-file'] ? { tokenAuthFile: values['token-auth-file'] } : {}),
    ...(values['service-account-issuer'] ? { serviceAccountIssuer: values['service-account-issuer'] } : {}),
    ...(authorizationMode ? { authorizationMode } : {}),
    ...(counts['max-requests-inflight'] !== undefined
      ? { maxRequestsInFlight: counts['max-requests-inflight'] }
      : {}),
    ...(counts['max-mutating-requests-inflight'] !== undefined
      ? { maxMutatingRequestsInFlight: counts['max-mutating-requests-inflight'] }
      : {}),
    ...(counts['max-watches-per-user'] !== undefined
      ? { maxWatchesPerUser: counts['max-watches-per-user'] }
      : {}),
    ...(requestTimeoutMs !== undefined ? { requestTimeoutMs } : {}),
    ...(values['audit-log-path'] ? { auditLogPath: values['audit-log-path'] } : {}),
    // The API server alone, as kube-apiserver: the controllers and the scheduler may run elsewhere.
    ...(command === 'apiserver' ? { controllers: false, scheduler: false } : {}),
    node,
  });
  process.stdout.write(
    `Skiff is up at ${skiff.url} (${Math.round(performance.now() - started)} ms). To use it:\n  export KUBECONFIG=${skiff.kubeconfig}\n`,
  );
  await untilSignalled();
  await skiff.stop();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`skiff: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
