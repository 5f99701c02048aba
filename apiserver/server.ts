import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { conversionFor, storageResourceOf } from '../api/conversion/index.js';
import { groupVersion, type ResourceDefinition } from '../api/resource.js';
import {
  badRequest,
  internalError,
  isStatusError,
  methodNotSupported,
  notFound,
  requestEntityTooLarge,
  type StatusError,
} from '../api/status.js';
import type { Store } from '../store/types.js';
import '../api/types/index.js';
import type {
  Authenticator,
  Authorizer,
  PolicyRuleResolver,
  TokenAuthenticator,
  UserInfo,
} from '../api/auth.js';
import { strategies } from '../api/strategies/index.js';
import { AdmissionChain, type AdmissionPluginName } from './admission/chain.js';
import { createAuditor } from './audit/audit-hook.js';
import { type AuditBackend, AuditLogWriter } from './audit/log-writer.js';
import { accessReviewResources } from './auth/access-review.js';
import { storeLookup } from './auth/object-lookup.js';
import { rbacWriteChecks } from './auth/rbac/escalation.js';
import { requestHook } from './auth/request-hook.js';
import { requestUser } from './auth/request-user.js';
import { selfSubjectReviewResources } from './auth/self-subject-review.js';
import type { ServiceAccountTokens } from './auth/service-account-token.js';
import { createTokenRequestHandler, type TokenRequestHandler } from './auth/token-request.js';
import { tokenReviewResource } from './auth/token-review.js';
import { bootstrap, ensureKubernetesService, type KubernetesEndpoint } from './bootstrap.js';
import { Discovery } from './discovery.js';
import { serveEviction } from './eviction.js';
import { InFlightLimiter, maxInFlightHook } from './limits/max-in-flight.js';
import { WatchLimiter, watchLimitHook } from './limits/watch-limit.js';
import {
  aggregatedDiscoveryMediaType,
  protobufMediaType,
  wantsAggregatedDiscovery,
  wantsProtobuf,
} from './negotiation.js';
import { createNodeProxy, type KubeletClientConfig, routeUpgrades } from './node-proxy/index.js';
import { OpenApiV3, openapiV2 } from './openapi.js';
import { parseRequestInfo } from './request-info.js';
import { ResourceStore, translateStoreError } from './resource-store.js';
import { handleResource, type RestContext, storeKey, type VirtualResource } from './rest-handler.js';
import { ServiceAllocator } from './service-allocation.js';

/**
 * The API server: discovery, OpenAPI, health, and every resource behind one generic handler.
 * `start` opens one ResourceStore (with its watch cache) per resource, creates the namespaces that
 * always exist, and returns a fastify instance ready to listen.
 */
export interface ApiServerOptions {
  readonly store: Store;
  readonly resources: readonly ResourceDefinition[];
  /** host:port clients reach the server at, for legacy discovery's serverAddressByClientCIDRs. */
  readonly advertiseAddress?: string;
  /** Where cluster IPs come from (default 10.96.0.0/12); the first is the `kubernetes` Service's. */
  readonly serviceCIDR?: string;
  /**
   * The address the `kubernetes` Service's endpoints name: this server as pods and nodes reach it.
   * Absent: the Service exists (clients look for it) but has no endpoints.
   */
  readonly kubernetesEndpoint?: KubernetesEndpoint;
  readonly logger?: boolean;
  /**
   * Who each request is (apiserver/auth/authenticate.ts). With neither this nor `authorizer` the
   * server does no authentication or authorization at all. An authenticator that also authenticates
   * bare tokens (the chain does) answers TokenReview.
   */
  readonly authenticator?: Authenticator;
  /** Whether they may do it; absent: everything is allowed. */
  readonly authorizer?: Authorizer;
  /** RBAC's rules, for the escalation checks on role and binding writes (used with `authorizer`). */
  readonly policyRules?: PolicyRuleResolver;
  /** Who the in-process client's requests act as when they carry no credentials. */
  readonly inProcessUser?: UserInfo;
  /** Issues ServiceAccount tokens for TokenRequest (`serviceaccounts/token`); absent: not served. */
  readonly serviceAccountTokens?: ServiceAccountTokens;
  /**
   * Serve HTTPS with this certificate and key (PEM). With `clientCA`, clients are asked for a
   * certificate from that CA, but may connect without one (other credentials still work).
   */
  readonly tls?: { readonly certificate: string; readonly key: string; readonly clientCA?: string };
  /**
   * The admission plugins every write passes, as kube-apiserver's --enable-admission-plugins
   * (apiserver/admission/chain.ts: `defaultAdmissionPlugins` is all of them); they run in upstream's
   * order whatever the order here. Absent: none beyond NamespaceLifecycle, which always runs.
   */
  readonly admissionPlugins?: readonly AdmissionPluginName[];
  /**
   * --max-requests-inflight: read-only requests served at once, beyond which 429 (limits/max-in-flight.ts).
   * Absent or 0: no limit. `skiff up` passes upstream's default, 400.
   */
  readonly maxRequestsInFlight?: number;
  /** --max-mutating-requests-inflight: the same for writes. Absent or 0: no limit (upstream: 200). */
  readonly maxMutatingRequestsInFlight?: number;
  /** Watches one user may hold open at once (limits/watch-limit.ts). Absent: no cap. */
  readonly maxWatchesPerUser?: number;
  /**
   * Milliseconds a client has to send its whole request (headers and body) before Node answers 408
   * and closes the connection, so a client trickling a body cannot hold a socket and an in-flight slot.
   * Absent: no limit. Node checks every 30 s, so the cut comes up to 30 s late.
   */
  readonly requestTimeoutMs?: number;
  /** --audit-log-path: one audit.k8s.io/v1 Event per request as a JSON line; `-` is stdout. */
  readonly auditLogPath?: string;
  /** Or where audit events go, directly (tests); takes precedence over `auditLogPath`. */
  readonly auditBackend?: AuditBackend;
  /** The client certificate presented to nodes for logs, exec, attach, port-forward (apiserver/node-proxy). */
  readonly kubeletClient?: KubeletClientConfig;
}

export interface ApiServer {
  readonly app: FastifyInstance;
  readonly stores: ReadonlyMap<string, ResourceStore>;
  /** The store's current revision: where a consistent read or a watch from "now" starts. */
  currentRevision(): Promise<number>;
  /** Decides what a user may do; absent when the server allows everything. */
  readonly authorizer?: Authorizer;
  close(): Promise<void>;
}

/** The Kubernetes version Skiff answers to (kubectl warns beyond one minor version of skew). */
export const kubernetesVersion = { major: '1', minor: '33', gitVersion: 'v1.33.0-skiff' };
const MAX_BODY_BYTES = 3 * 1024 * 1024;
/** How often leaked service IPs and node ports are looked for (upstream's repair loops run every 3 min). */
const serviceRepairIntervalMs = 3 * 60_000;

export async function createApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { store, resources } = options;
  const stores = new Map<string, ResourceStore>();
  // One ResourceStore per stored resource, opened with its storage version; every other version of it
  // is a view that converts (autoscaling/v1 HPAs, events.k8s.io events over core events).
  const withStrategy = (declared: ResourceDefinition): ResourceDefinition => {
    const key = `${declared.group}/${declared.plural}`;
    const strategy = declared.strategy ?? strategies.get(key);
    // RBAC's escalation prevention needs the requester, which only the server knows.
    const authorizeWrite = rbacWriteChecks.get(key);
    return { ...declared, strategy: authorizeWrite ? { ...strategy, authorizeWrite } : strategy };
  };
  const stored = new Map<string, ResourceStore>();
  const isStorageVersion = (resource: ResourceDefinition) => {
    const conversion = conversionFor(resource.group, resource.plural);
    return !conversion || conversion.storageVersion === groupVersion(resource);
  };
  // Reviews are answered per request: nothing of theirs is stored.
  const storedResources = resources.filter((resource) => !resource.virtual);
  // Services hold cluster IPs and node ports outside themselves, one store key each.
  const serviceAllocator = new ServiceAllocator({
    store,
    ...(options.serviceCIDR ? { serviceCIDR: options.serviceCIDR } : {}),
  });
  for (const declared of storedResources.filter(isStorageVersion)) {
    const resource = withStrategy(declared);
    const isServices = resource.group === '' && resource.plural === 'services';
    const resourceStore = await ResourceStore.open({
      store,
      resource,
      ...(isServices ? { claims: serviceAllocator } : {}),
    });
    stored.set(storageResourceOf(resource.group, resource.plural), resourceStore);
    stores.set(storeKey(resource.group, resource.version, resource.plural), resourceStore);
  }
  for (const declared of storedResources.filter((resource) => !isStorageVersion(resource))) {
    const base = stored.get(storageResourceOf(declared.group, declared.plural));
    const conversion = conversionFor(declared.group, declared.plural);
    if (!base || !conversion) throw new Error(`no storage for ${groupVersion(declared)} ${declared.plural}`);
    stores.set(
      storeKey(declared.group, declared.version, declared.plural),
      base.asVersion(withStrategy(declared), conversion),
    );
  }
  const served = resources;
  await bootstrap(stores);
  await ensureKubernetesService(stores, serviceAllocator.firstIP, options.kubernetesEndpoint);
  // Claims a crash left without their Service are found by two repair runs in a row, minutes apart.
  const servicesStore = stores.get(storeKey('', 'v1', 'services'));
  const repairServiceClaims = async () => {
    if (!servicesStore) return;
    const { items } = await servicesStore.list({});
    await serviceAllocator.repair(items);
  };
  await repairServiceClaims();
  const repairTimer = setInterval(() => {
    repairServiceClaims().catch((error: unknown) =>
      console.error('service allocation repair failed:', error),
    );
  }, serviceRepairIntervalMs);
  repairTimer.unref();

  const discovery = new Discovery(served);
  const openapi = new OpenApiV3(served);
  const app = (Fastify as (options: object) => unknown)({
    logger: options.logger ?? false,
    bodyLimit: MAX_BODY_BYTES,
    routerOptions: { maxParamLength: 1000, ignoreTrailingSlash: true },
    // Watches never finish by themselves: closing the server must not wait for them.
    forceCloseConnections: true,
    ...(options.requestTimeoutMs !== undefined ? { requestTimeout: options.requestTimeoutMs } : {}),
    ...(options.tls
      ? {
          https: {
            cert: options.tls.certificate,
            key: options.tls.key,
            minVersion: 'TLSv1.2' as const,
            ...(options.tls.clientCA
              ? { ca: options.tls.clientCA, requestCert: true, rejectUnauthorized: false }
              : {}),
          },
        }
      : {}),
  }) as unknown as FastifyInstance;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  const auditBackend =
    options.auditBackend ??
    (options.auditLogPath ? new AuditLogWriter({ path: options.auditLogPath }) : undefined);
  // First, so that requests authentication or authorization refuses are audited too.
  const auditor = auditBackend ? createAuditor({ backend: auditBackend }) : undefined;
  if (auditor) app.addHook('onRequest', auditor.onRequest);

  const { authenticator, authorizer } = options;
  const tokenAuthenticator =
    authenticator && 'authenticateToken' in authenticator ? (authenticator as TokenAuthenticator) : undefined;
  const virtualResources = new Map<string, VirtualResource>([
    ...selfSubjectReviewResources(),
    ...(tokenAuthenticator ? [tokenReviewResource(tokenAuthenticator)] : []),
    // Without an authorizer everything is allowed, and the access reviews say so.
    ...accessReviewResources(authorizer ?? allowEverything),
  ]);
  const context: RestContext = {
    stores,
    currentRevision: () => store.currentRevision(),
    decodeBody: (request, expectedSchema) => decodeBody(request, expectedSchema),
    userOf: (request) => requestUser(request),
    virtualResources,
    ...(options.admissionPlugins && options.admissionPlugins.length > 0
      ? { admission: AdmissionChain.create(options.admissionPlugins, { stores }) }
      : {}),
    ...(authorizer && options.policyRules
      ? { authorization: { authorizer, rules: options.policyRules } }
      : {}),
  };
  const tokenRequest: TokenRequestHandler | undefined = options.serviceAccountTokens
    ? createTokenRequestHandler({
        tokens: options.serviceAccountTokens,
        objects: storeLookup(() => stores),
      })
    : undefined;
  if (authenticator || authorizer) {
    app.addHook(
      'onRequest',
      requestHook({
        ...(authenticator ? { authenticator } : {}),
        ...(authorizer ? { authorizer } : {}),
        ...(options.inProcessUser ? { inProcessUser: options.inProcessUser } : {}),
      }),
    );
  }

  // After authentication, so they know the user (system:masters is not limited, as upstream).
  if (options.maxRequestsInFlight || options.maxMutatingRequestsInFlight) {
    const limiter = new InFlightLimiter({
      maxRequestsInFlight: options.maxRequestsInFlight ?? 0,
      maxMutatingRequestsInFlight: options.maxMutatingRequestsInFlight ?? 0,
    });
    app.addHook('onRequest', maxInFlightHook(limiter, requestUser));
  }
  if (options.maxWatchesPerUser !== undefined) {
    const limiter = new WatchLimiter({ maxWatchesPerUser: options.maxWatchesPerUser });
    app.addHook('onRequest', watchLimitHook(limiter, requestUser));
  }

  app.setErrorHandler(async (error, _request, reply) => {
    const translated = translateStoreError(error);
    const status: StatusError = isStatusError(translated)
      ? translated
      : (error as { statusCode?: number }).statusCode === 413
        ? // Upstream's words: `Request entity too large: limit is 3145728`.
          requestEntityTooLarge(`limit is ${MAX_BODY_BYTES}`)
        : internalError(error instanceof Error ? error : String(error));
    if (status.code >= 500) console.error(error);
    auditor?.recordFailure(_request, status.status);
    reply.code(status.code);
    if (wantsProtobuf(_request.headers.accept)) {
      const { encodeProtobufStatus } = await loadProtobuf();
      return reply.type(protobufMediaType).send(encodeProtobufStatus(status.status));
    }
    return reply.type('application/json').send(JSON.stringify(status.status));
  });
  app.setNotFoundHandler((request, reply) => {
    void reply
      .code(404)
      .type('application/json')
      .send(JSON.stringify(notFound({ group: '', resource: '' }, request.url).status));
  });

  app.get('/version', async () => ({
    ...kubernetesVersion,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-11-22T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsc',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  }));
  for (const path of ['/healthz', '/livez', '/readyz']) {
    app.get(path, async (request, reply) => {
      const verbose = (request.query as Record<string, unknown>).verbose !== undefined;
      reply.type('text/plain');
      if (!verbose) return 'ok';
      const checks = ['ping', 'log', 'etcd', 'poststarthook/start-apiserver'];
      return `${checks.map((check) => `[+]${check} ok`).join('\n')}\n${path.slice(1)} check passed\n`;
    });
  }

  const discoveryRoute =
    (core: boolean) => async (request: FastifyRequest, reply: import('fastify').FastifyReply) => {
      const aggregated = wantsAggregatedDiscovery(request.headers.accept);
      if (aggregated) {
        reply.header('Content-Type', aggregatedDiscoveryMediaType(aggregated));
        return JSON.stringify(discovery.aggregated(core, aggregated));
      }
      return core
        ? discovery.apiVersions(options.advertiseAddress ?? request.headers.host ?? '')
        : discovery.groupList();
    };
  app.get('/api', discoveryRoute(true));
  app.get('/apis', discoveryRoute(false));
  app.get('/api/v1', async () => discovery.resourceList('', 'v1'));
  app.get('/apis/:group', async (request) => {
    const { group } = request.params as { group: string };
    return discovery.group(group) ?? Promise.reject(notFound({ group: '', resource: '' }, group));
  });
  app.get('/apis/:group/:version', async (request) => {
    const { group, version } = request.params as { group: string; version: string };
    return (
      discovery.resourceList(group, version) ?? Promise.reject(notFound({ group, resource: '' }, version))
    );
  });

  app.get('/openapi/v2', async (_request, reply) => {
    reply.header('Content-Type', 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    return openapiV2();
  });
  app.get('/openapi/v3', async (_request, reply) => reply.type('application/json').send(openapi.index()));
  app.get('/openapi/v3/*', async (request, reply) => {
    const path = (request.params as { '*': string })['*'];
    const document = openapi.document(path, (request.query as Record<string, unknown>).hash);
    if (!document) throw notFound({ group: '', resource: '' }, path);
    return reply.headers(document.headers).send(document.body);
  });

  // Pod logs, exec, attach, port-forward and nodes/proxy go to the node; upgrades pass the same hooks.
  const nodeProxy = createNodeProxy({
    stores,
    ...(options.kubeletClient ? { kubeletClient: options.kubeletClient } : {}),
    ...(authorizer ? { authorizer } : {}),
  });
  routeUpgrades(app);
  const resourceRoute = async (request: FastifyRequest, reply: import('fastify').FastifyReply) => {
    const proxied = nodeProxy.serve(request, reply);
    if (proxied) return proxied;
    const path = request.url.split('?')[0]!;
    const info = parseRequestInfo(
      request.method,
      decodeURIComponent(path),
      (request.query as Record<string, unknown>).watch,
    );
    if (!info) throw notFound({ group: '', resource: '' }, path);
    const result =
      tokenRequest && info.group === '' && info.resource === 'serviceaccounts' && info.subresource === 'token'
        ? await serveTokenRequest(tokenRequest, info, request, reply)
        : info.group === '' && info.resource === 'pods' && info.subresource === 'eviction'
          ? await serveEviction({ stores }, info, request, reply, decodeBody)
          : await handleResource(context, info, request, reply);
    // Objects, lists and Status go out in protobuf to clients that prefer it; Tables stay JSON.
    if (result !== reply && wantsProtobuf(request.headers.accept) && !isTable(result)) {
      const object = result as Record<string, unknown>;
      const { encodeProtobufObject, encodeProtobufStatus, ProtobufEncodeError } = await loadProtobuf();
      try {
        const encoded =
          object.kind === 'Status' ? encodeProtobufStatus(object) : encodeProtobufObject(object);
        return reply.type(protobufMediaType).send(encoded);
      } catch (error) {
        // A kind without a protobuf message is answered in JSON, which every client also accepts.
        if (!(error instanceof ProtobufEncodeError)) throw error;
      }
    }
    return result;
  };
  for (const prefix of ['/api/v1/*', '/apis/:group/:version/*']) {
    app.route({
      method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      url: prefix,
      handler: resourceRoute,
    });
  }

  return {
    app,
    stores,
    currentRevision: () => store.currentRevision(),
    ...(options.authorizer ? { authorizer: options.authorizer } : {}),
    async close() {
      clearInterval(repairTimer);
      for (const resourceStore of new Set(stores.values())) resourceStore.cache.stop();
      await app.close();
      await auditBackend?.close();
    },
  };
}

/**
 * Loaded on first use: protobuf and YAML bodies are the exception, and each library costs start-up
 * time (~25 ms) and memory a server that only speaks JSON does not need.
 */
let protobufModule: Promise<typeof import('../api/schema/protobuf.js')> | undefined;
let yamlModule: Promise<typeof import('yaml')> | undefined;
const loadProtobuf = () => (protobufModule ??= import('../api/schema/protobuf.js'));
const loadYaml = () => (yamlModule ??= import('yaml'));

const allowEverything: Authorizer = { authorize: async () => ({ decision: 'allow', reason: '' }) };

/** `POST …/serviceaccounts/NAME/token`: the one verb of the TokenRequest subresource. */
async function serveTokenRequest(
  handler: TokenRequestHandler,
  info: import('./request-info.js').RequestInfo,
  request: FastifyRequest,
  reply: import('fastify').FastifyReply,
): Promise<unknown> {
  if (info.verb !== 'create' || info.name === undefined || info.namespace === undefined) {
    throw methodNotSupported({ group: '', resource: 'serviceaccounts/token' }, info.verb);
  }
  // An empty body asks for the defaults, as an empty TokenRequest would.
  const body = (await decodeBody(request, 'io.k8s.api.authentication.v1.TokenRequest')) ?? {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('the request body must be a JSON object');
  }
  const answer = await handler(info.namespace, info.name, body as Record<string, unknown>);
  reply.code(201);
  return answer;
}

const isTable = (value: unknown) => (value as { kind?: unknown } | undefined)?.kind === 'Table';

/** JSON is the default (a missing Content-Type is read as JSON, as Kubernetes does). */
async function decodeBody(request: FastifyRequest, expectedSchema?: string): Promise<unknown> {
  const body = request.body as Buffer | undefined;
  if (!body || body.length === 0) return undefined;
  const type = (request.headers['content-type'] ?? 'application/json').split(';')[0]!.trim();
  if (type === 'application/vnd.kubernetes.protobuf') {
    try {
      return (await loadProtobuf()).decodeProtobufObject(body, expectedSchema);
    } catch (error) {
      throw badRequest(`the protobuf request body could not be decoded: ${(error as Error).message}`);
    }
  }
  const text = body.toString('utf8');
  // YAML bodies (create with application/yaml, server-side apply's apply-patch+yaml) are YAML 1.2,
  // of which JSON is a subset.
  if (type === 'application/yaml' || type === 'application/apply-patch+yaml') {
    try {
      return (await loadYaml()).parse(text);
    } catch (error) {
      throw badRequest(`the request body is not valid YAML: ${(error as Error).message}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(`the request body is not valid JSON: ${(error as Error).message}`);
  }
}
