import { createHash } from 'node:crypto';
import { groupVersion, type ResourceDefinition } from '../api/resource.js';

/**
 * OpenAPI documents, derived from the resource definitions (and, as they are declared, the schemas).
 *
 * v3: `/openapi/v3` lists one document per group-version; each has, for every resource, the PATCH
 * operation kubectl looks for (carrying `x-kubernetes-group-version-kind` and the `fieldValidation`
 * parameter), which tells kubectl to leave validation to the server.
 *
 * v2: kubectl 1.27 and 1.28 insist on fetching `/openapi/v2` in protobuf before create/apply; a
 * document with only its version and title is enough for them to go on.
 */
export class OpenApiV3 {
  readonly #documents = new Map<string, { body: string; hash: string }>();

  constructor(resources: readonly ResourceDefinition[]) {
    const byGroupVersion = new Map<string, ResourceDefinition[]>();
    for (const resource of resources) {
      const path =
        resource.group === '' ? `api/${resource.version}` : `apis/${resource.group}/${resource.version}`;
      byGroupVersion.set(path, [...(byGroupVersion.get(path) ?? []), resource]);
    }
    for (const [path, list] of byGroupVersion) {
      const body = JSON.stringify(document(list));
      this.#documents.set(path, {
        body,
        hash: createHash('sha512').update(body).digest('hex').slice(0, 128).toUpperCase(),
      });
    }
  }

  index() {
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const [path, { hash }] of this.#documents)
      paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` };
    return { paths };
  }

  /** The document for `api/v1` or `apis/apps/v1`, as a JSON string. */
  document(path: string): string | undefined {
    return this.#documents.get(path)?.body;
  }
}

function document(resources: readonly ResourceDefinition[]) {
  const paths: Record<string, unknown> = {};
  for (const resource of resources) {
    const base =
      resource.group === '' ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`;
    const scope = resource.namespaced ? '/namespaces/{namespace}' : '';
    const gvk = { group: resource.group, version: resource.version, kind: resource.kind };
    const ref = { $ref: `#/components/schemas/${resource.schema}` };
    const object = { content: { 'application/json': { schema: ref } } };
    paths[`${base}${scope}/${resource.plural}/{name}`] = {
      patch: {
        operationId: `patch${resource.kind}`,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': gvk,
        parameters: [
          { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
          { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
          { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
          { name: 'force', in: 'query', schema: { type: 'boolean', uniqueItems: true } },
        ],
        responses: { '200': { description: 'OK', ...object } },
      },
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.33.0' },
    paths,
    components: {
      schemas: Object.fromEntries(resources.map((resource) => [resource.schema, schemaStub(resource)])),
    },
  };
}

function schemaStub(resource: ResourceDefinition) {
  return {
    type: 'object',
    'x-kubernetes-group-version-kind': [
      { group: resource.group, version: resource.version, kind: resource.kind },
    ],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
    },
    description: `${resource.kind} (${groupVersion(resource)})`,
  };
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
