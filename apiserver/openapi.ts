import { createHash } from 'node:crypto';
import { allVerbs, type ResourceDefinition } from '../api/resource.js';
import { hasMessage } from '../api/schema/dsl.js';
import { componentRef, reachableComponents, type SchemaObject } from '../api/schema/openapi-schema.js';
import { patchTypes } from './patch.js';

/**
 * OpenAPI documents, derived from the resource definitions and the schemas.
 *
 * v3: `/openapi/v3` lists one document per served group-version, each at a URL carrying the hash of its
 * body (`/openapi/v3/apis/apps/v1?hash=…`), so a client may cache it forever. A document has, for every
 * resource, the operations Skiff serves on it (with `x-kubernetes-action` and, what kubectl looks for,
 * `x-kubernetes-group-version-kind`), and in `components.schemas` every schema those operations reach.
 * Who reads it:
 *   - kubectl create/apply/replace/edit: a PATCH operation with the object's GVK and a `fieldValidation`
 *     parameter means "the server validates": kubectl sends `fieldValidation=Strict` and leaves it to us.
 *   - kubectl explain: finds the kind's GVK through the paths, then the component carrying that GVK, and
 *     walks its properties.
 *   - kubectl client-side apply (1.33): strategic-merge-patch keys from the `x-kubernetes-patch-*` extensions.
 *
 * Documents are built once, at construction: they are served often and never change while Skiff runs.
 *
 * v2: kubectl 1.27 and 1.28 insist on fetching `/openapi/v2` in protobuf before create/apply/explain; a
 * document with only its version and title is enough for them to go on to v3.
 */
export class OpenApiV3 {
  readonly #resources: readonly ResourceDefinition[];
  /**
   * Built on first request, not at start: the documents take ~25 ms and ~1 MB, and only clients that
   * validate or explain ask for them.
   */
  #built: { documents: Map<string, { body: string; hash: string }>; index: string } | undefined;

  constructor(resources: readonly ResourceDefinition[]) {
    this.#resources = resources;
  }

  get #documents(): Map<string, { body: string; hash: string }> {
    return this.#build().documents;
  }

  get #index(): string {
    return this.#build().index;
  }

  #build(): { documents: Map<string, { body: string; hash: string }>; index: string } {
    if (this.#built) return this.#built;
    const byGroupVersion = new Map<string, ResourceDefinition[]>();
    for (const resource of this.#resources) {
      const path = groupVersionPath(resource);
      byGroupVersion.set(path, [...(byGroupVersion.get(path) ?? []), resource]);
    }
    const documents = new Map<string, { body: string; hash: string }>();
    const index: Record<string, { serverRelativeURL: string }> = {};
    for (const [path, list] of byGroupVersion) {
      const body = JSON.stringify(groupVersionDocument(list));
      const hash = createHash('sha512').update(body).digest('hex').toUpperCase();
      documents.set(path, { body, hash });
      index[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` };
    }
    this.#built = { documents, index: JSON.stringify({ paths: index }) };
    return this.#built;
  }

  /** `{"paths":{"api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=…"}, …}}`, as a JSON string. */
  index(): string {
    return this.#index;
  }

  /**
   * The document for `api/v1` or `apis/apps/v1`, with the headers to send it with. Asked for at its
   * current hash, it may be cached for good; asked for without one (or at a hash the index no longer
   * lists), it is today's document and must not be cached, since tomorrow's Skiff may serve another.
   */
  document(path: string, hash?: unknown): { body: string; headers: Record<string, string> } | undefined {
    const document = this.#documents.get(path);
    if (!document) return undefined;
    return {
      body: document.body,
      headers: {
        'Content-Type': 'application/json',
        ETag: `"${document.hash}"`,
        'Cache-Control': hash === document.hash ? 'public, immutable' : 'no-cache, private',
      },
    };
  }
}

const groupVersionPath = (resource: Pick<ResourceDefinition, 'group' | 'version'>) =>
  resource.group === '' ? `api/${resource.version}` : `apis/${resource.group}/${resource.version}`;

/** Schemas every group-version's operations use, whatever its kinds. */
const commonComponents = [
  'io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList',
  'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
  'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent',
];
const patchComponent = 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch';
const scaleComponent = 'io.k8s.api.autoscaling.v1.Scale';
const scaleKind = { group: 'autoscaling', version: 'v1', kind: 'Scale' };

function groupVersionDocument(resources: readonly ResourceDefinition[]) {
  const [first] = resources;
  if (!first) throw new Error('a group-version document needs at least one resource');
  const base = `/${groupVersionPath(first)}`;
  const names = operationNames(first);
  const paths: Record<string, PathItem> = {
    [`${base}/`]: {
      get: {
        operationId: `get${names.prefix}APIResources`,
        tags: [names.tag],
        responses: ok(componentRef('io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList')),
      },
    },
  };
  const roots = [...commonComponents];
  for (const resource of resources) {
    Object.assign(paths, resourcePaths(resource, base, names));
    roots.push(resource.schema);
    if (hasMessage(`${resource.schema}List`)) roots.push(`${resource.schema}List`);
    if (resource.subresources?.scale) roots.push(scaleComponent);
  }
  const schemas: Record<string, SchemaObject> = Object.fromEntries(reachableComponents(roots));
  schemas[patchComponent] = {
    description:
      'The body of a PATCH: a JSON patch, a JSON merge patch, a strategic merge patch or an apply configuration, as its Content-Type says.',
    type: 'object',
  };
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'unversioned' },
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    components: { schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => (a < b ? -1 : 1))) },
  };
}

interface PathItem {
  get?: Operation;
  post?: Operation;
  put?: Operation;
  patch?: Operation;
  delete?: Operation;
  parameters?: Parameter[];
}

interface Operation {
  operationId: string;
  tags: string[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: { $ref: string } }>; required: true };
  responses: Record<string, { description: string; content?: Record<string, { schema: { $ref: string } }> }>;
  'x-kubernetes-action'?: string;
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string };
}

interface Parameter {
  name: string;
  in: 'query' | 'path';
  required?: true;
  schema: { type: 'string' | 'boolean' | 'integer'; uniqueItems: true };
}

/**
 * Upstream's operation names: `listCoreV1NamespacedPod`, `patchAppsV1NamespacedDeploymentScale`,
 * `readRbacAuthorizationV1ClusterRole`. The prefix is the group's words (without `.k8s.io`) and the version;
 * the tag the same, as `rbacAuthorization_v1`.
 */
function operationNames(resource: Pick<ResourceDefinition, 'group' | 'version'>) {
  const words = resource.group === '' ? ['core'] : resource.group.replace(/\.k8s\.io$/, '').split('.');
  const capitalized = words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('');
  return {
    prefix: `${capitalized}${resource.version.charAt(0).toUpperCase()}${resource.version.slice(1)}`,
    tag: `${capitalized.charAt(0).toLowerCase()}${capitalized.slice(1)}_${resource.version}`,
  };
}

const query = (name: string, type: Parameter['schema']['type'] = 'string'): Parameter => ({
  name,
  in: 'query',
  schema: { type, uniqueItems: true },
});
const pathParameter = (name: string): Parameter => ({
  name,
  in: 'path',
  required: true,
  schema: { type: 'string', uniqueItems: true },
});

const listParameters = [
  query('allowWatchBookmarks', 'boolean'),
  query('continue'),
  query('fieldSelector'),
  query('labelSelector'),
  query('limit', 'integer'),
  query('resourceVersion'),
  query('resourceVersionMatch'),
  query('sendInitialEvents', 'boolean'),
  query('timeoutSeconds', 'integer'),
  query('watch', 'boolean'),
];
const writeParameters = [query('dryRun'), query('fieldManager'), query('fieldValidation')];
const patchParameters = [...writeParameters, query('force', 'boolean')];
const deleteParameters = [
  query('dryRun'),
  query('gracePeriodSeconds', 'integer'),
  query('ignoreStoreReadErrorWithClusterBreakingPotential', 'boolean'),
  query('orphanDependents', 'boolean'),
  query('propagationPolicy'),
];

const jsonContent = (ref: string, ...types: string[]) =>
  Object.fromEntries(['application/json', ...types].map((type) => [type, { schema: { $ref: ref } }]));
const ok = (ref: string, ...types: string[]): Operation['responses'] => ({
  '200': { description: 'OK', content: jsonContent(ref, ...types) },
});
const written = (ref: string, ...codes: ('201' | '202')[]): Operation['responses'] => ({
  ...ok(ref),
  ...Object.fromEntries(
    codes.map((code) => [
      code,
      { description: code === '201' ? 'Created' : 'Accepted', content: jsonContent(ref) },
    ]),
  ),
});
const objectBody = (ref: string): Operation['requestBody'] => ({
  content: jsonContent(ref, 'application/vnd.kubernetes.protobuf'),
  required: true,
});
const patchBody: Operation['requestBody'] = {
  content: Object.fromEntries(
    patchTypes.map((type) => [type, { schema: { $ref: componentRef(patchComponent) } }]),
  ),
  required: true,
};
const deleteBody: Operation['requestBody'] = {
  content: jsonContent(componentRef('io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions')),
  required: true,
};

/**
 * The paths of one resource, as upstream lays them out for a namespaced kind (a cluster-scoped one drops
 * `namespaces/{namespace}/` and the all-namespaces paths):
 *
 *   /api/v1/namespaces/{namespace}/pods              get (list), post, delete (deletecollection)
 *   /api/v1/namespaces/{namespace}/pods/{name}       get, put, patch, delete
 *   /api/v1/namespaces/{namespace}/pods/{name}/status  get, put, patch (and /scale, for a scalable kind)
 *   /api/v1/pods                                     get (list across namespaces)
 *   /api/v1/watch/namespaces/{namespace}/pods[/{name}], /api/v1/watch/pods   get (the legacy watch paths)
 *
 * Only the verbs the resource serves appear.
 */
function resourcePaths(
  resource: ResourceDefinition,
  base: string,
  names: { prefix: string; tag: string },
): Record<string, PathItem> {
  const verbs = new Set<string>(resource.verbs ?? allVerbs);
  const gvk = { group: resource.group, version: resource.version, kind: resource.kind };
  const object = componentRef(resource.schema);
  const list = componentRef(`${resource.schema}List`);
  const watchEvent = componentRef('io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent');
  const status = componentRef('io.k8s.apimachinery.pkg.apis.meta.v1.Status');
  const scope = resource.namespaced ? 'namespaces/{namespace}/' : '';
  const scoped = resource.namespaced ? 'Namespaced' : '';
  const scopeParameters = resource.namespaced ? [pathParameter('namespace')] : [];
  const operation = (
    verb: string,
    name: string,
    action: string,
    rest: Omit<Operation, 'operationId' | 'tags'>,
    kind = gvk,
  ): Operation | undefined =>
    verbs.has(verb)
      ? {
          operationId: name,
          tags: [names.tag],
          ...rest,
          'x-kubernetes-action': action,
          'x-kubernetes-group-version-kind': kind,
        }
      : undefined;
  const pathItem = (
    operations: Omit<PathItem, 'parameters'>,
    parameters: Parameter[],
  ): PathItem | undefined => {
    const present = Object.entries(operations).filter(([, value]) => value !== undefined);
    if (present.length === 0) return undefined;
    return { ...Object.fromEntries(present), parameters: [...parameters, query('pretty')] };
  };
  const kind = `${scoped}${resource.kind}`;
  const collection = `${base}/${scope}${resource.plural}`;
  const item = `${collection}/{name}`;
  const itemParameters = [pathParameter('name'), ...scopeParameters];

  const paths: Record<string, PathItem | undefined> = {
    [collection]: pathItem(
      {
        get: operation('list', `list${names.prefix}${kind}`, 'list', {
          parameters: listParameters,
          responses: ok(list, 'application/json;stream=watch'),
        }),
        post: operation('create', `create${names.prefix}${kind}`, 'post', {
          parameters: writeParameters,
          requestBody: objectBody(object),
          responses: written(object, '201', '202'),
        }),
        delete: operation('deletecollection', `delete${names.prefix}Collection${kind}`, 'deletecollection', {
          parameters: [...deleteParameters, ...listParameters.filter(({ name }) => name !== 'watch')],
          requestBody: deleteBody,
          responses: ok(status),
        }),
      },
      scopeParameters,
    ),
    [item]: pathItem(
      {
        get: operation('get', `read${names.prefix}${kind}`, 'get', { responses: ok(object) }),
        put: operation('update', `replace${names.prefix}${kind}`, 'put', {
          parameters: writeParameters,
          requestBody: objectBody(object),
          responses: written(object, '201'),
        }),
        patch: operation('patch', `patch${names.prefix}${kind}`, 'patch', {
          parameters: patchParameters,
          requestBody: patchBody,
          responses: written(object, '201'),
        }),
        delete: operation('delete', `delete${names.prefix}${kind}`, 'delete', {
          parameters: deleteParameters,
          requestBody: deleteBody,
          responses: resource.returnDeletedObject
            ? written(object, '202')
            : { ...ok(status), '202': { description: 'Accepted', content: jsonContent(status) } },
        }),
      },
      itemParameters,
    ),
    [`${base}/watch/${scope}${resource.plural}`]: pathItem(
      {
        get: operation('watch', `watch${names.prefix}${kind}List`, 'watchlist', {
          parameters: listParameters,
          responses: ok(watchEvent, 'application/json;stream=watch'),
        }),
      },
      scopeParameters,
    ),
    [`${base}/watch/${scope}${resource.plural}/{name}`]: pathItem(
      {
        get: operation('watch', `watch${names.prefix}${kind}`, 'watch', {
          parameters: listParameters,
          responses: ok(watchEvent, 'application/json;stream=watch'),
        }),
      },
      itemParameters,
    ),
  };
  if (resource.namespaced) {
    paths[`${base}/${resource.plural}`] = pathItem(
      {
        get: operation('list', `list${names.prefix}${resource.kind}ForAllNamespaces`, 'list', {
          parameters: listParameters,
          responses: ok(list, 'application/json;stream=watch'),
        }),
      },
      [],
    );
    paths[`${base}/watch/${resource.plural}`] = pathItem(
      {
        get: operation('watch', `watch${names.prefix}${resource.kind}ListForAllNamespaces`, 'watchlist', {
          parameters: listParameters,
          responses: ok(watchEvent, 'application/json;stream=watch'),
        }),
      },
      [],
    );
  }
  const subresources: [string, string, typeof gvk][] = [];
  if (resource.subresources?.status) subresources.push(['status', object, gvk]);
  if (resource.subresources?.scale) subresources.push(['scale', componentRef(scaleComponent), scaleKind]);
  for (const [subresource, ref, subresourceKind] of subresources) {
    const suffix = `${subresource.charAt(0).toUpperCase()}${subresource.slice(1)}`;
    paths[`${item}/${subresource}`] = pathItem(
      {
        get: operation(
          'get',
          `read${names.prefix}${kind}${suffix}`,
          'get',
          { responses: ok(ref) },
          subresourceKind,
        ),
        put: operation(
          'update',
          `replace${names.prefix}${kind}${suffix}`,
          'put',
          { parameters: writeParameters, requestBody: objectBody(ref), responses: written(ref, '201') },
          subresourceKind,
        ),
        patch: operation(
          'patch',
          `patch${names.prefix}${kind}${suffix}`,
          'patch',
          { parameters: patchParameters, requestBody: patchBody, responses: written(ref, '201') },
          subresourceKind,
        ),
      },
      itemParameters,
    );
  }
  return Object.fromEntries(
    Object.entries(paths).filter((entry): entry is [string, PathItem] => entry[1] !== undefined),
  );
}

/** gnostic openapi_v2.Document { swagger: "2.0", info: { title, version } } in protobuf. */
export function openapiV2(): Buffer {
  const text = (field: number, value: string) => {
    const bytes = Buffer.from(value);
    return Buffer.concat([Buffer.from([(field << 3) | 2, bytes.length]), bytes]);
  };
  const info = Buffer.concat([text(1, 'Kubernetes'), text(2, 'v1.33.0')]);
  return Buffer.concat([text(1, '2.0'), Buffer.from([(2 << 3) | 2, info.length]), info]);
}
