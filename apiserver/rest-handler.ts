import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestAuthorization, UserInfo } from '../api/auth.js';
import { checkFields, checkMetadataFields, type FieldSelector, parseFieldSelector } from '../api/fields.js';
import { labelSelectorAsSelector, parseLabelSelector, type Selector } from '../api/labels.js';
import { groupVersion, type KubeObject, type ResourceDefinition } from '../api/resource.js';
import { hasMessage } from '../api/schema/dsl.js';
import { StrategicPatchError, strategicMergePatch } from '../api/schema/strategic-merge-patch.js';
import { applyDefaults, prune, validateDeclared } from '../api/schema/structure.js';
import { badRequest, conflict, methodNotSupported, notFound } from '../api/status.js';
import type { AdmissionChain } from './admission/chain.js';
import { addWarning } from './admission/warnings.js';
import { type AdmissionContext, admitter, checkBodyAgainstUrl } from './admission.js';
import {
  fieldManagerFor,
  managerOf,
  parseForce,
  serveApply,
  trackingAdmit,
  validateWriteOptions,
} from './apply/requests.js';
import { wantsProtobuf, wantsTable } from './negotiation.js';
import { jsonPatch, mergePatch, patchTypeOf } from './patch.js';
import type { RequestInfo } from './request-info.js';
import { type DeleteOptions, formatTime, type ResourceStore } from './resource-store.js';
import { parseIncludeObject, table } from './table.js';
import { serveWatch } from './watch-handler.js';

/**
 * The one generic handler behind every resource: it turns a request (already parsed into RequestInfo)
 * into calls on that resource's ResourceStore, and the result into the response kubectl expects —
 * JSON objects and lists, Tables when asked, `Status` bodies for errors. Adding a resource never adds
 * code here.
 */
export interface RestContext {
  readonly stores: ReadonlyMap<string, ResourceStore>;
  readonly currentRevision: () => Promise<number>;
  readonly decodeBody: (request: FastifyRequest, expectedSchema?: string) => Promise<unknown>;
  /** The clock of managedFields times; the system clock when absent. */
  readonly now?: () => Date;
  /** Who sent a request (set by authentication); absent or undefined when the server runs without it. */
  readonly userOf?: (request: FastifyRequest) => UserInfo | undefined;
  /** For admission checks that depend on the requester (RBAC escalation prevention); absent: none. */
  readonly authorization?: RequestAuthorization;
  /** Resources answered per request and never stored (access reviews), by `storeKey`. */
  readonly virtualResources?: ReadonlyMap<string, VirtualResource>;
  /** The admission plugins every write passes (apiserver/admission/); absent: none. */
  readonly admission?: AdmissionChain;
}

type Query = Record<string, string | undefined>;

export const storeKey = (group: string, version: string, resource: string) =>
  `${group}/${version}/${resource}`;

export async function handleResource(
  context: RestContext,
  info: RequestInfo,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<unknown> {
  const virtual = context.virtualResources?.get(storeKey(info.group, info.version, info.resource));
  if (virtual) return serveVirtual(context, virtual, info, request, reply);
  const store = context.stores.get(storeKey(info.group, info.version, info.resource));
  if (!store || store.resource.virtual) throw notFound({ group: info.group, resource: info.resource }, '');
  const { resource } = store;
  const query = request.query as Query;
  if (!resource.namespaced && info.namespace !== undefined && info.resource !== 'namespaces') {
    throw notFound({ group: info.group, resource: info.resource }, '');
  }
  if (resource.namespaced && info.namespace === undefined && !['list', 'watch'].includes(info.verb)) {
    throw notFound({ group: info.group, resource: info.resource }, info.name ?? '');
  }
  const namespace = resource.namespaced ? info.namespace : undefined;
  const dryRun = parseDryRun(query.dryRun);
  const namespaces = context.stores.get(storeKey('', 'v1', 'namespaces'));
  const schema: AdmissionContext['schema'] = hasMessage(resource.schema)
    ? {
        default: (object) => applyDefaults(resource.schema, object),
        validate: (object) => validateDeclared(resource.schema, object),
      }
    : undefined;
  const user = context.userOf?.(request);
  const admitOnly = (subresource?: string) =>
    admitter({
      resource,
      ...(subresource ? { subresource } : {}),
      ...(namespaces ? { namespaces } : {}),
      ...(schema ? { schema } : {}),
      ...(user ? { user } : {}),
      ...(context.authorization ? { authorization: context.authorization } : {}),
      ...(context.admission
        ? { plugins: context.admission, dryRun, warn: (message: string) => addWarning(reply, message) }
        : {}),
    });
  // Every create, update and patch keeps managedFields current; server-side apply does its own.
  const fieldManager = fieldManagerFor(store, context.now);
  const manager = managerOf(query.fieldManager, request.headers['user-agent']);
  const admit = (subresource?: string) =>
    trackingAdmit(admitOnly(subresource), fieldManager, manager, subresource);
  // A scale write changes the parent object as the main resource does, and is recorded as `scale`'s.
  const admitScale = () => trackingAdmit(admitOnly(), fieldManager, manager, 'scale');
  // Unknown fields are dropped from what is stored; fieldValidation decides whether the client hears of it.
  const decodeChecked = (value: unknown): KubeObject => {
    const object = asObject(value);
    const warnings = checkDecoded(resource, object, query.fieldValidation);
    if (warnings.length > 0) {
      const existing = reply.getHeader('Warning');
      reply.header('Warning', [
        ...(existing === undefined ? [] : [existing].flat().map(String)),
        ...warnings,
      ]);
    }
    return object;
  };
  const sub = info.subresource;
  if (sub !== undefined && !isServedSubresource(store, sub)) {
    throw notFound({ group: info.group, resource: `${info.resource}/${sub}` }, info.name ?? '');
  }

  switch (info.verb) {
    case 'get': {
      const object = await store.get(namespace, info.name!);
      if (sub === 'scale') return scaleOf(store, object);
      return respondObject(store, request, object);
    }
    case 'list': {
      const selectors = parseSelectors(store, query);
      const result = await store.list({
        ...(namespace ? { namespace } : {}),
        ...selectors,
        ...(query.limit ? { limit: parseLimit(query.limit) } : {}),
        ...(query.continue ? { continue: query.continue } : {}),
        ...(query.resourceVersion !== undefined ? { resourceVersion: query.resourceVersion } : {}),
        ...(query.resourceVersionMatch ? { resourceVersionMatch: query.resourceVersionMatch } : {}),
      });
      const metadata = {
        resourceVersion: result.resourceVersion,
        ...(result.continue ? { continue: result.continue } : {}),
        ...(result.remainingItemCount !== undefined ? { remainingItemCount: result.remainingItemCount } : {}),
      };
      const tableVersion = wantsTable(request.headers.accept);
      if (tableVersion) {
        return table(resource, result.items, metadata, {
          include: parseIncludeObject(query.includeObject),
          version: tableVersion,
        });
      }
      return {
        kind: `${resource.kind}List`,
        apiVersion: groupVersion(resource),
        metadata,
        items: result.items,
      };
    }
    case 'watch': {
      const selectors = parseSelectors(store, query);
      const tableVersion = wantsTable(request.headers.accept);
      // A watch on a named path (the legacy /watch/…/NAME) watches that one object.
      const fieldSelector =
        info.name !== undefined ? parseFieldSelector(`metadata.name=${info.name}`) : selectors.fieldSelector;
      reply.hijack();
      await serveWatch(
        {
          store,
          ...(namespace ? { namespace } : {}),
          ...(selectors.labelSelector ? { labelSelector: selectors.labelSelector } : {}),
          ...(fieldSelector ? { fieldSelector } : {}),
          ...(query.resourceVersion !== undefined ? { resourceVersion: query.resourceVersion } : {}),
          ...(query.timeoutSeconds ? { timeoutSeconds: Number(query.timeoutSeconds) } : {}),
          allowBookmarks: query.allowWatchBookmarks === 'true',
          ...(query.sendInitialEvents !== undefined
            ? { sendInitialEvents: query.sendInitialEvents === 'true' }
            : {}),
          ...(tableVersion
            ? { table: { version: tableVersion, include: parseIncludeObject(query.includeObject) } }
            : {}),
          protobuf: wantsProtobuf(request.headers.accept),
          currentRevision: context.currentRevision,
        },
        reply.raw,
      ).catch((error: unknown) => {
        if (!reply.raw.headersSent) {
          const status = (error as { status?: { code?: number } }).status;
          reply.raw.writeHead(status?.code ?? 500, { 'Content-Type': 'application/json' });
          reply.raw.end(JSON.stringify(status ?? { message: String(error) }));
        } else reply.raw.end();
      });
      return reply;
    }
    case 'create': {
      if (info.name !== undefined) {
        if (resource.group === '' && resource.plural === 'pods' && sub === 'binding') {
          return bindPod(
            store,
            namespace!,
            info.name,
            (await context.decodeBody(request)) as KubeObject,
            reply,
            dryRun,
          );
        }
        throw methodNotSupported({ group: info.group, resource: info.resource }, 'create');
      }
      validateWriteOptions('CreateOptions', query);
      const body = decodeChecked(await context.decodeBody(request, resource.schema));
      checkKind(store, body);
      checkBodyAgainstUrl(resource, body, namespace, undefined);
      const created = await store.create(namespace, body, admit(), dryRun);
      reply.code(201);
      return created;
    }
    case 'update': {
      validateWriteOptions('UpdateOptions', query);
      const body =
        sub === 'scale'
          ? asObject(await context.decodeBody(request))
          : decodeChecked(await context.decodeBody(request, resource.schema));
      if (sub === 'scale') return updateScale(store, namespace, info.name!, () => body, admitScale(), dryRun);
      if (sub !== 'status' && sub !== 'finalize') checkKind(store, body);
      checkBodyAgainstUrl(resource, body, namespace, info.name);
      const wanted = body.metadata?.resourceVersion;
      if (resource.allowCreateOnUpdate && !(await store.exists(namespace, info.name!))) {
        reply.code(201);
        return store.create(
          namespace,
          { ...body, metadata: { ...body.metadata, name: info.name! } },
          admit(),
          dryRun,
        );
      }
      const updated = await store.update(
        namespace,
        info.name!,
        (current) => {
          if (sub === 'finalize') {
            return {
              ...current,
              spec: {
                ...(current.spec as object),
                finalizers: (body.spec as { finalizers?: unknown })?.finalizers ?? [],
              },
            };
          }
          return {
            ...body,
            metadata: {
              ...body.metadata,
              name: info.name!,
              resourceVersion: current.metadata?.resourceVersion,
            },
          };
        },
        admit(sub),
        { dryRun, ...(wanted ? { preconditionResourceVersion: wanted } : {}) },
      );
      return updated;
    }
    case 'patch': {
      const patchType = patchTypeOf(request.headers['content-type']);
      validateWriteOptions('PatchOptions', query, patchType === 'application/apply-patch+yaml');
      const patch = await context.decodeBody(request);
      if (patchType === 'application/apply-patch+yaml') {
        const { object, created } = await serveApply({
          store,
          fieldManager,
          namespace,
          name: info.name!,
          subresource: sub,
          configuration: asObject(patch),
          manager,
          force: parseForce(query.force),
          dryRun,
          admit: admitOnly,
          checkAgainstUrl: (object) => checkBodyAgainstUrl(resource, object, namespace, info.name),
        });
        if (created) reply.code(201);
        return object;
      }
      const apply = (target: KubeObject): KubeObject => {
        switch (patchType) {
          case 'application/json-patch+json':
            return asObject(jsonPatch(target, patch));
          case 'application/merge-patch+json':
            return asObject(mergePatch(target, patch));
          case 'application/strategic-merge-patch+json':
            if (!hasMessage(resource.schema)) return asObject(mergePatch(target, patch));
            try {
              const schemaName = sub === 'scale' ? 'io.k8s.api.autoscaling.v1.Scale' : resource.schema;
              return asObject(strategicMergePatch(target, patch, schemaName));
            } catch (error) {
              // Upstream answers some of these with a bare 500; a malformed patch is the client's error.
              if (error instanceof StrategicPatchError) throw badRequest(error.message);
              throw error;
            }
          default:
            throw badRequest(`patch type ${patchType} is not supported yet`);
        }
      };
      if (sub === 'scale') {
        return updateScale(store, namespace, info.name!, (scale) => apply(scale), admitScale(), dryRun);
      }
      const wanted = (patch as KubeObject | undefined)?.metadata?.resourceVersion;
      return store.update(
        namespace,
        info.name!,
        (current) => {
          const patched = decodeChecked(apply(current));
          checkBodyAgainstUrl(resource, patched, namespace, info.name);
          return patched;
        },
        admit(sub),
        {
          dryRun,
          ...(typeof wanted === 'string' && patchType !== 'application/json-patch+json'
            ? { preconditionResourceVersion: wanted }
            : {}),
        },
      );
    }
    case 'delete': {
      const options = deleteOptions(await context.decodeBody(request), query, dryRun);
      const { object, deleted } = await store.delete(namespace, info.name!, options);
      if (!deleted || resource.returnDeletedObject) return object;
      return {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: { name: info.name, group: info.group, kind: info.resource, uid: object.metadata?.uid },
      };
    }
    case 'deletecollection': {
      const options = deleteOptions(await context.decodeBody(request), query, dryRun);
      const selectors = parseSelectors(store, query);
      const listed = await store.list({ ...(namespace ? { namespace } : {}), ...selectors });
      const items: KubeObject[] = [];
      for (const item of listed.items) {
        try {
          items.push((await store.delete(item.metadata?.namespace, item.metadata!.name!, options)).object);
        } catch (error) {
          if ((error as { reason?: string }).reason !== 'NotFound') throw error;
        }
      }
      return {
        kind: `${resource.kind}List`,
        apiVersion: groupVersion(resource),
        metadata: { resourceVersion: listed.resourceVersion },
        items,
      };
    }
  }
}

/**
 * Drops fields the type does not have and answers per `fieldValidation`: Strict refuses (400), Warn (the
 * default) returns warnings for the Warning header, Ignore says nothing. Values of the wrong JSON type
 * cannot be decoded whatever the setting.
 */
function checkDecoded(
  resource: ResourceDefinition,
  object: KubeObject,
  fieldValidation: string | undefined,
): string[] {
  if (!hasMessage(resource.schema)) return [];
  const mode = fieldValidation ?? 'Warn';
  if (!['Strict', 'Warn', 'Ignore'].includes(mode)) {
    throw badRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict", not "${mode}"`);
  }
  const { unknown, typeErrors } = prune(resource.schema, object);
  const prefix = `${resource.kind} in version "${resource.version}" cannot be handled as a ${resource.kind}`;
  if (typeErrors.length > 0) {
    const [first] = typeErrors;
    throw badRequest(
      `${prefix}: json: cannot unmarshal ${first!.actual} into Go struct field ${resource.kind}.${first!.path} of type ${first!.expected}`,
    );
  }
  if (unknown.length === 0 || mode === 'Ignore') return [];
  const problems = unknown.map((path) => `unknown field "${path}"`);
  if (mode === 'Strict') throw badRequest(`${prefix}: strict decoding error: ${problems.join(', ')}`);
  return problems.map((problem) => `299 - ${JSON.stringify(problem)}`);
}

function respondObject(store: ResourceStore, request: FastifyRequest, object: KubeObject): unknown {
  const tableVersion = wantsTable(request.headers.accept);
  if (!tableVersion) return object;
  const query = request.query as Query;
  return table(
    store.resource,
    [object],
    { resourceVersion: object.metadata?.resourceVersion },
    {
      include: parseIncludeObject(query.includeObject),
      version: tableVersion,
    },
  );
}

function isServedSubresource(store: ResourceStore, sub: string): boolean {
  const { resource } = store;
  if (sub === 'status') return resource.subresources?.status === true;
  if (sub === 'scale') return resource.subresources?.scale !== undefined;
  if (sub === 'binding') return resource.group === '' && resource.plural === 'pods';
  if (sub === 'finalize') return resource.group === '' && resource.plural === 'namespaces';
  return false;
}

function asObject(value: unknown): KubeObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest('the request body must be a JSON object');
  }
  return value as KubeObject;
}

function checkKind(store: ResourceStore, body: KubeObject): void {
  checkKindOf(store.resource, body);
}

function checkKindOf(resource: ResourceDefinition, body: KubeObject): void {
  const expected = groupVersion(resource);
  if (body.apiVersion && body.apiVersion !== expected) {
    throw badRequest(
      `the API version in the data (${body.apiVersion}) does not match the expected API version (${expected})`,
    );
  }
  if (body.kind && body.kind !== resource.kind) {
    throw badRequest(
      `the kind in the data (${body.kind}) does not match the expected kind (${resource.kind})`,
    );
  }
}

function parseDryRun(value: string | undefined): boolean {
  if (value === undefined || value === '') return false;
  if (value !== 'All') throw badRequest(`Invalid dry run value: ${value}; supported values: All`);
  return true;
}

function parseLimit(text: string): number {
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 0) throw badRequest(`invalid limit "${text}"`);
  return limit;
}

export function parseSelectors(
  store: ResourceStore,
  query: Query,
): { labelSelector?: Selector; fieldSelector?: FieldSelector } {
  const result: { labelSelector?: Selector; fieldSelector?: FieldSelector } = {};
  if (query.labelSelector) result.labelSelector = parseLabelSelector(query.labelSelector);
  if (query.fieldSelector) {
    const selector = parseFieldSelector(query.fieldSelector);
    const extra = Object.keys(store.resource.fieldSelectors ?? {});
    if (extra.length === 0) checkMetadataFields(selector);
    else checkFields(selector, new Set(['metadata.name', 'metadata.namespace', ...extra]));
    result.fieldSelector = selector;
  }
  return result;
}

function deleteOptions(body: unknown, query: Query, dryRunQuery: boolean): DeleteOptions {
  const options = (typeof body === 'object' && body !== null ? body : {}) as {
    gracePeriodSeconds?: number;
    propagationPolicy?: DeleteOptions['propagationPolicy'];
    orphanDependents?: boolean;
    preconditions?: DeleteOptions['preconditions'];
    dryRun?: string[];
  };
  const grace =
    options.gracePeriodSeconds ??
    (query.gracePeriodSeconds !== undefined ? Number(query.gracePeriodSeconds) : undefined);
  let policy =
    options.propagationPolicy ?? (query.propagationPolicy as DeleteOptions['propagationPolicy'] | undefined);
  const orphan =
    options.orphanDependents ??
    (query.orphanDependents !== undefined ? query.orphanDependents === 'true' : undefined);
  if (policy !== undefined && !['Orphan', 'Background', 'Foreground'].includes(policy)) {
    throw badRequest(
      `Invalid propagationPolicy: ${policy}; supported values: "Background", "Foreground", "Orphan"`,
    );
  }
  if (orphan !== undefined) {
    if (policy !== undefined)
      throw badRequest('Only one of orphanDependents and propagationPolicy may be set');
    policy = orphan ? 'Orphan' : 'Background';
  }
  const dryRun = dryRunQuery || (options.dryRun ?? []).includes('All');
  return {
    ...(grace !== undefined && Number.isFinite(grace) ? { gracePeriodSeconds: grace } : {}),
    ...(policy ? { propagationPolicy: policy } : {}),
    ...(options.preconditions ? { preconditions: options.preconditions } : {}),
    dryRun,
  };
}

// ---- scale ----

function readPath(object: unknown, path: string): unknown {
  let value = object;
  for (const part of path.split('.').filter(Boolean))
    value = (value as Record<string, unknown> | undefined)?.[part];
  return value;
}

function scaleOf(store: ResourceStore, object: KubeObject): KubeObject {
  const scale = store.resource.subresources!.scale!;
  const selectorValue = scale.labelSelectorPath ? readPath(object, scale.labelSelectorPath) : undefined;
  const specSelector = (object.spec as { selector?: unknown } | undefined)?.selector;
  // apps kinds keep a LabelSelector in spec.selector; replication controllers a plain map.
  const selector =
    typeof selectorValue === 'string'
      ? selectorValue
      : specSelector && typeof specSelector === 'object'
        ? ('matchLabels' in specSelector || 'matchExpressions' in specSelector
            ? labelSelectorAsSelector(specSelector as never)
            : labelSelectorAsSelector({ matchLabels: specSelector as Record<string, string> })
          ).toString()
        : '';
  const meta = object.metadata ?? {};
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: meta.name,
      namespace: meta.namespace,
      uid: meta.uid,
      resourceVersion: meta.resourceVersion,
      creationTimestamp: meta.creationTimestamp,
    },
    spec: { replicas: (readPath(object, scale.specReplicasPath) as number | undefined) ?? 0 },
    status: { replicas: (readPath(object, scale.statusReplicasPath) as number | undefined) ?? 0, selector },
  };
}

async function updateScale(
  store: ResourceStore,
  namespace: string | undefined,
  name: string,
  change: (scale: KubeObject) => KubeObject,
  admit: ReturnType<typeof admitter>,
  dryRun: boolean,
): Promise<KubeObject> {
  let wanted: string | undefined;
  const updated = await store.update(
    namespace,
    name,
    (current) => {
      const next = change(scaleOf(store, current));
      wanted = next.metadata?.resourceVersion;
      if (wanted && wanted !== current.metadata?.resourceVersion) {
        throw conflict(
          { group: store.resource.group, resource: store.resource.plural },
          name,
          'the object has been modified; please apply your changes to the latest version and try again',
        );
      }
      const replicas = (next.spec as { replicas?: unknown } | undefined)?.replicas;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
        throw badRequest('spec.replicas must be a non-negative integer');
      }
      return { ...current, spec: { ...(current.spec as object), replicas } };
    },
    admit,
    { dryRun },
  );
  return scaleOf(store, updated);
}

// ---- pods/binding ----

async function bindPod(
  store: ResourceStore,
  namespace: string,
  name: string,
  binding: KubeObject,
  reply: FastifyReply,
  dryRun: boolean,
): Promise<unknown> {
  const target = (binding as { target?: { name?: string; kind?: string } }).target;
  if (!target?.name) throw badRequest('a Binding needs target.name');
  await store.update(
    namespace,
    name,
    (pod) => {
      const spec = (pod.spec ?? {}) as { nodeName?: string };
      if (pod.metadata?.deletionTimestamp) {
        throw conflict(
          { group: '', resource: 'pods' },
          name,
          'pod is being deleted, cannot be assigned to a host',
        );
      }
      if (spec.nodeName) {
        throw conflict(
          { group: '', resource: 'pods' },
          name,
          `pod ${name} is already assigned to node "${spec.nodeName}"`,
        );
      }
      const status = (pod.status ?? {}) as { conditions?: { type: string }[] };
      const conditions = (status.conditions ?? []).filter((condition) => condition.type !== 'PodScheduled');
      conditions.push({
        type: 'PodScheduled',
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: formatTime(new Date()),
      } as never);
      return { ...pod, spec: { ...spec, nodeName: target.name }, status: { ...status, conditions } };
    },
    async (object) => object,
    { dryRun },
  );
  reply.code(201);
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
}

// ---- create-only virtual resources (access reviews) ----

/**
 * A resource answered per request and never stored (SubjectAccessReview, TokenReview): it serves only
 * `create` of the collection, and answers 201 with what `create` returns.
 */
export interface VirtualResource {
  readonly resource: ResourceDefinition;
  create(object: KubeObject, request: VirtualRequest): Promise<KubeObject>;
}

export interface VirtualRequest {
  /** The namespace in the URL, for namespaced kinds (LocalSubjectAccessReview). */
  readonly namespace?: string;
  /** Who asks; undefined when the server runs without authentication. */
  readonly user?: UserInfo;
}

async function serveVirtual(
  context: RestContext,
  virtual: VirtualResource,
  info: RequestInfo,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<unknown> {
  const { resource } = virtual;
  const qualified = { group: info.group, resource: info.resource };
  if (resource.namespaced ? info.namespace === undefined : info.namespace !== undefined) {
    throw notFound(qualified, info.name ?? '');
  }
  if (info.verb !== 'create' || info.name !== undefined) throw methodNotSupported(qualified, info.verb);
  const body = asObject(await context.decodeBody(request, resource.schema));
  const warnings = checkDecoded(resource, body, (request.query as Query).fieldValidation);
  if (warnings.length > 0) reply.header('Warning', warnings);
  checkKindOf(resource, body);
  checkBodyAgainstUrl(resource, body, info.namespace, undefined);
  const user = context.userOf?.(request);
  const answer = await virtual.create(body, {
    ...(info.namespace !== undefined ? { namespace: info.namespace } : {}),
    ...(user ? { user } : {}),
  });
  reply.code(201);
  return answer;
}
