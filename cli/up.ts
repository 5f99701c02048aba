import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { homedir, hostname, networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';
import type { Authorizer, PolicyRuleResolver, TokenAuthenticator, UserInfo } from '../api/auth.js';
import { resources } from '../api/resources/index.js';
import { admissionPluginsFor } from '../apiserver/admission/chain.js';
import { AuthenticationChain } from '../apiserver/auth/authenticate.js';
import { storeLookup } from '../apiserver/auth/object-lookup.js';
import { ServiceAccountTokens } from '../apiserver/auth/service-account-token.js';
import { TokenFileAuthenticator } from '../apiserver/auth/token-file.js';
import { X509Authenticator } from '../apiserver/auth/x509.js';
import { ensureClusterPki, servingNamesFor } from '../apiserver/pki/cluster-pki.js';
import type { ResourceStore } from '../apiserver/resource-store.js';
import { createApiServer } from '../apiserver/server.js';
import { Compactor } from '../store/compactor.js';
import { openStore } from '../store/open.js';
import { kubeconfigFor } from './kubeconfig.js';

export { kubeconfigFor };

/**
 * `skiff up`: the whole control plane in one process. Opens the store (LevelDB in the data directory
 * unless told otherwise), starts the API server, writes a kubeconfig and prints how to use it. SIGTERM
 * or SIGINT shuts it down cleanly: no new requests, watches end, the store closes after its last sync.
 *
 * With `tls` (what the `skiff up` command does unless told `--insecure-http`) the server speaks HTTPS
 * with the cluster PKI in `<dataDir>/pki/` and the kubeconfig carries the CA and the admin's client
 * certificate. Without it, plain HTTP on a loopback address only, where a request without credentials
 * acts as `system:unsecured` in `system:masters` — Kubernetes' old insecure port, kept for tests and
 * local tools. Either way bearer tokens (ServiceAccount tokens, the static token file) authenticate.
 */
export interface UpOptions {
  readonly dataDir?: string;
  readonly port?: number;
  readonly address?: string;
  readonly store?: string;
  readonly ephemeral?: boolean;
  /** Run the controller manager beside the API server (default true; tests of the API alone turn it off). */
  readonly controllers?: boolean;
  /** Run the scheduler beside the API server (default: as `controllers`). */
  readonly scheduler?: boolean;
  /** Serve HTTPS with the cluster PKI; absent or false: plain HTTP, loopback only. */
  readonly tls?: boolean;
  /**
   * Whether a request without credentials is served, as system:anonymous (over HTTPS) or
   * system:unsecured (over plain HTTP). Over HTTPS the default is true only when an authorizer
   * decides what anonymous requests may do: without one they could do everything.
   */
  readonly anonymousAuth?: boolean;
  /** Static bearer tokens, in Kubernetes' CSV format (`--token-auth-file`). */
  readonly tokenAuthFile?: string;
  /** The `iss` of ServiceAccount tokens, and the audience they are for by default. */
  readonly serviceAccountIssuer?: string;
  /**
   * `Node,RBAC`: Kubernetes' authorizers — system:masters, the Node authorizer, then RBAC over the
   * bootstrap roles and bindings and whatever is added (what the `skiff up` command does unless told
   * otherwise). `AlwaysAllow` (the default here, for tests of other things): every authenticated
   * request is allowed. An `authorizer` given overrides both.
   */
  readonly authorizationMode?: 'AlwaysAllow' | 'Node,RBAC';
  /** Decides what each user may do; absent: as `authorizationMode` says. */
  readonly authorizer?: Authorizer;
  /** RBAC's rules, for escalation checks (with `authorizer`). */
  readonly policyRules?: PolicyRuleResolver;
  /**
   * What one client may take of the server (kube-apiserver's defaults unless told): requests in flight
   * (400, of them mutating 200; watches and system:masters not counted; 0 turns a limit off), watches per
   * user (1,000), and how long a request's body may take to arrive (60 s).
   */
  readonly maxRequestsInFlight?: number;
  readonly maxMutatingRequestsInFlight?: number;
  readonly maxWatchesPerUser?: number;
  readonly requestTimeoutMs?: number;
  /** Where the audit log goes, one JSON line per request (`-`: standard output); absent: no audit log. */
  readonly auditLogPath?: string;
  /**
   * A node beside the control plane: one on containerd through CRI (`criEndpoint`, by default the
   * socket `skiff node setup` makes), one simulated node (no containers), or none (the default here;
   * the `skiff up` command chooses containerd when the machine is set up for it).
   */
  readonly node?: 'containerd' | 'simulated' | 'none';
  readonly criEndpoint?: string;
  /** The node's name (default: the host's) and the port of its HTTPS endpoint (default 10250). */
  readonly nodeName?: string;
  readonly nodePort?: number;
}

export interface RunningSkiff {
  readonly url: string;
  /** The admin kubeconfig (over HTTPS: with the CA and the admin's client certificate). */
  readonly kubeconfig: string;
  /** The cluster CA (PEM) clients verify the server against; absent over plain HTTP. */
  readonly caCertificate?: string;
  stop(): Promise<void>;
}

/** Who the controllers' in-process requests act as: upstream's loopback identity. */
const inProcessUser: UserInfo = {
  username: 'system:apiserver',
  groups: ['system:masters', 'system:authenticated'],
};

/** Who the scheduler acts as: the user its kubeconfig names upstream. */
const schedulerUser: UserInfo = { username: 'system:kube-scheduler', groups: ['system:authenticated'] };

/** Kubernetes' insecure-port user, for credential-less requests over plain HTTP on loopback. */
const unsecuredUser: UserInfo = {
  username: 'system:unsecured',
  groups: ['system:masters', 'system:authenticated'],
};

/** Plain HTTP is refused beyond loopback: credentials and tokens would cross the network in clear. */
export function isLoopbackAddress(address: string): boolean {
  return address === 'localhost' || address === '::1' || (isIP(address) === 4 && address.startsWith('127.'));
}

export async function up(options: UpOptions = {}): Promise<RunningSkiff> {
  const dataDir = resolve(options.dataDir ?? join(homedir(), '.skiff'));
  const port = options.port ?? 6443;
  const address = options.address ?? '127.0.0.1';
  const tls = options.tls === true;
  if (!tls && !isLoopbackAddress(address)) {
    throw new Error(
      `plain HTTP is served only on a loopback address (127.0.0.1, ::1), not ${address}: leave out --insecure-http to serve HTTPS`,
    );
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  // The PKI is made in both modes: ServiceAccount tokens need its key, and a later HTTPS start finds it.
  const pki = await ensureClusterPki({ dataDir, servingNames: servingNamesFor({ address }) });
  const tokenFile = options.tokenAuthFile
    ? await TokenFileAuthenticator.fromFile(options.tokenAuthFile)
    : undefined;
  const storeUrl = options.ephemeral ? 'memory://' : (options.store ?? `level://${join(dataDir, 'store')}`);
  const store = await openStore(storeUrl);
  const compactor = new Compactor({ store, onError: (error) => console.error('compaction failed:', error) });
  compactor.start();
  // Token checks read ServiceAccounts and pods from the server's own stores, which exist once it does.
  let stores: ReadonlyMap<string, ResourceStore> = new Map();
  const serviceAccountTokens = new ServiceAccountTokens({
    ...(options.serviceAccountIssuer ? { issuer: options.serviceAccountIssuer } : {}),
    signingKey: pki.serviceAccountKey.privateKey,
    objects: storeLookup(() => stores),
  });
  // Loaded only when asked for, so a server without RBAC never pays for it.
  const rbac =
    !options.authorizer && options.authorizationMode === 'Node,RBAC'
      ? (await import('../apiserver/auth/rbac/authorization.js')).createAuthorization()
      : undefined;
  const authorizer = options.authorizer ?? rbac?.authorizer;
  const policyRules = options.policyRules ?? rbac?.rules;
  const anonymous = options.anonymousAuth ?? (!tls || authorizer !== undefined);
  const authenticator = new AuthenticationChain({
    ...(tls ? { certificates: new X509Authenticator({ ca: pki.ca.x509 }) } : {}),
    tokens: [...(tokenFile ? [tokenFile] : []), serviceAccountTokens] satisfies TokenAuthenticator[],
    apiAudiences: serviceAccountTokens.apiAudiences,
    anonymous: anonymous ? (tls ? undefined : unsecuredUser) : false,
  });
  const server = await createApiServer({
    store,
    resources,
    // Without the serviceaccount controller no namespace gets its `default` account, and the
    // ServiceAccount plugin would refuse every pod (as upstream does without a controller manager).
    admissionPlugins: admissionPluginsFor({ controllers: options.controllers !== false }),
    advertiseAddress: `${address}:${port}`,
    kubernetesEndpoint: { ip: reachableAddress(address), port },
    authenticator,
    ...(authorizer ? { authorizer } : {}),
    ...(policyRules ? { policyRules } : {}),
    inProcessUser,
    serviceAccountTokens,
    // The API server's client certificate for reaching nodes (logs, exec, port-forward).
    kubeletClient: pki.kubeletClient,
    maxRequestsInFlight: options.maxRequestsInFlight ?? 400,
    maxMutatingRequestsInFlight: options.maxMutatingRequestsInFlight ?? 200,
    maxWatchesPerUser: options.maxWatchesPerUser ?? 1000,
    requestTimeoutMs: options.requestTimeoutMs ?? 60_000,
    ...(options.auditLogPath ? { auditLogPath: options.auditLogPath } : {}),
    ...(tls
      ? { tls: { certificate: pki.serving.certificate, key: pki.serving.key, clientCA: pki.ca.certificate } }
      : {}),
  });
  stores = server.stores;
  if (rbac) {
    const { ensureBootstrapPolicy } = await import('../apiserver/auth/rbac/bootstrap.js');
    await ensureBootstrapPolicy(server.stores);
    rbac.follow(server.stores);
  }
  const url = `${tls ? 'https' : 'http'}://${urlHost(address)}:${port}`;
  await server.app.listen({ port, host: address });
  // API servers sharing an etcd cluster each run controllers and a scheduler, of which only the
  // holders of their Leases act; alone on its own store, a Skiff needs no election (and does not wait
  // out a dead predecessor's lease after a crash).
  const leaderElection = storeUrl.startsWith('etcd://')
    ? { identity: `${hostname()}_${randomUUID()}` }
    : undefined;
  // The controllers run beside the API server, reaching it through the in-process client. They load
  // after the server listens: the API is ready to serve without them, as it is without
  // kube-controller-manager, and loading them first would only delay the first answer.
  const controllers = (async () => {
    if (options.controllers === false) return { stop: async () => {} };
    const [{ createInProcessClient }, { allControllers }, { startControllerManager }, { rootCaPublisher }] =
      await Promise.all([
        import('../apiserver/in-process-client.js'),
        import('../controllers/index.js'),
        import('../controllers/manager.js'),
        import('../controllers/root-ca-publisher.js'),
      ]);
    const client = createInProcessClient(server);
    const manager = startControllerManager({
      client,
      controllers: [...allControllers, rootCaPublisher(pki.ca.certificate)],
      ...(leaderElection ? { leaderElection } : {}),
    });
    return {
      async stop() {
        await manager.stop();
        await client.close();
      },
    };
  })();
  // The scheduler likewise, in process, as its own component with its own informers.
  const scheduler = (async () => {
    if (!(options.scheduler ?? options.controllers ?? true)) return { stop: async () => {} };
    const [{ createInProcessClient }, { startScheduler }] = await Promise.all([
      import('../apiserver/in-process-client.js'),
      import('../scheduler/index.js'),
    ]);
    // As its own identity, with the rights RBAC's bootstrap policy gives kube-scheduler.
    const client = createInProcessClient(server, { user: schedulerUser });
    const running = startScheduler({ client, ...(leaderElection ? { leaderElection } : {}) });
    return {
      async stop() {
        await running.stop();
        await client.close();
      },
    };
  })();
  // The node, as its own identity (system:node:<name>, which the Node authorizer limits to its own
  // Node, Lease and pods), unless simulated: simulated nodes are many under one process.
  // Awaited, so that up() resolves with the node registered (and fails when its runtime is missing).
  const node = await (async (): Promise<{ stop(): Promise<void> }> => {
    if (!options.node || options.node === 'none') return { stop: async () => {} };
    const { createInProcessClient } = await import('../apiserver/in-process-client.js');
    if (options.node === 'simulated') {
      const { startSimulatedNodes } = await import('../kubelet-shim/simulated/index.js');
      const client = createInProcessClient(server);
      const nodes = await startSimulatedNodes({ client, count: 1 });
      return {
        async stop() {
          await nodes.stop();
          await client.close();
        },
      };
    }
    const { startNode } = await import('../kubelet-shim/node.js');
    const { defaultCriEndpoint } = await import('../kubelet-shim/cri/client.js');
    const nodeName = options.nodeName ?? hostname().toLowerCase();
    const client = createInProcessClient(server, {
      user: { username: `system:node:${nodeName}`, groups: ['system:nodes', 'system:authenticated'] },
    });
    const running = await startNode({
      client,
      nodeName,
      criEndpoint: options.criEndpoint ?? defaultCriEndpoint,
      rootDir: join(dataDir, 'kubelet'),
      port: options.nodePort ?? 10250,
      ca: pki.ca,
      clientCA: pki.ca.certificate,
    });
    return {
      async stop() {
        // An ephemeral cluster's pods die with it: nothing could adopt them.
        await running.stop({ removePods: options.ephemeral === true });
        await client.close();
      },
    };
  })().catch(async (error: unknown) => {
    // No node (its runtime is missing, say): nothing of this start may outlive the failure.
    await Promise.all([(await controllers).stop(), (await scheduler).stop()]);
    rbac?.stop();
    await server.close();
    await compactor.stop();
    await store.close();
    throw error;
  });
  const kubeconfig = join(dataDir, 'kubeconfig');
  await writeFile(
    kubeconfig,
    tls
      ? kubeconfigFor(url, {
          caCertificate: pki.ca.certificate,
          userName: 'kubernetes-admin',
          clientCertificate: pki.admin.certificate,
          clientKey: pki.admin.key,
        })
      : kubeconfigFor(url),
    { mode: 0o600 },
  );
  let stopping: Promise<void> | undefined;
  return {
    url,
    kubeconfig,
    ...(tls ? { caCertificate: pki.ca.certificate } : {}),
    stop() {
      stopping ??= (async () => {
        await node.stop();
        await Promise.all([(await controllers).stop(), (await scheduler).stop()]);
        rbac?.stop();
        await server.close();
        await compactor.stop();
        await store.close();
      })();
      return stopping;
    },
  };
}

/**
 * The address the `kubernetes` Service names for a listen address: a wildcard becomes the host's first
 * non-loopback IPv4 address (what pods on its bridge can reach), anything else stays as it is.
 */
function reachableAddress(address: string): string {
  if (address !== '0.0.0.0' && address !== '::') return address;
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) if (entry.family === 'IPv4' && !entry.internal) return entry.address;
  }
  return '127.0.0.1';
}

/** The host part of a URL for a listen address: a wildcard becomes loopback, IPv6 gets brackets. */
function urlHost(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '[::1]';
  return isIP(address) === 6 ? `[${address}]` : address;
}
