import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResourceDefinition } from '../api/resource.js';
import { resources } from '../api/resources/index.js';
import '../api/types/index.js';
import { kubectlBinaries, requireKubectl, startSkiff, type TestSkiff } from '../conformance/harness.js';
import { OpenApiV3 } from './openapi.js';

/** What the API server serves: each resource in its preferred (first-listed) version only. */
const served: ResourceDefinition[] = resources.filter(
  (resource, index) =>
    resources.findIndex((other) => other.group === resource.group && other.plural === resource.plural) ===
    index,
);
const groupVersionPath = (resource: ResourceDefinition) =>
  resource.group === '' ? `api/${resource.version}` : `apis/${resource.group}/${resource.version}`;

interface Document {
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: { schemas: Record<string, Record<string, unknown>> };
}

/** Every `$ref` anywhere in a document. */
function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, nested]) =>
    key === '$ref' && typeof nested === 'string' ? [nested] : refsIn(nested),
  );
}

describe('OpenAPI v3 documents', () => {
  const openapi = new OpenApiV3(served);
  const index = JSON.parse(openapi.index()) as { paths: Record<string, { serverRelativeURL: string }> };
  const load = (path: string) => JSON.parse(openapi.document(path)!.body) as Document;

  it('lists every served group-version at a URL carrying the hash of its document', () => {
    expect(Object.keys(index.paths).sort()).toEqual([...new Set(served.map(groupVersionPath))].sort());
    for (const [path, { serverRelativeURL }] of Object.entries(index.paths)) {
      const body = openapi.document(path)!.body;
      const hash = createHash('sha512').update(body).digest('hex').toUpperCase();
      expect(serverRelativeURL).toBe(`/openapi/v3/${path}?hash=${hash}`);
      expect(hash).toMatch(/^[0-9A-F]{128}$/);
    }
  });

  it('is the same document, byte for byte, every time it is built', () => {
    expect(new OpenApiV3(served).index()).toBe(openapi.index());
  });

  it('may be cached for good at its hash, and not at all without it', () => {
    const hash = index.paths['api/v1']!.serverRelativeURL.split('hash=')[1]!;
    expect(openapi.document('api/v1', hash)?.headers).toEqual({
      'Content-Type': 'application/json',
      ETag: `"${hash}"`,
      'Cache-Control': 'public, immutable',
    });
    expect(openapi.document('api/v1')?.headers['Cache-Control']).toBe('no-cache, private');
    expect(openapi.document('api/v1', 'STALE')?.headers['Cache-Control']).toBe('no-cache, private');
    expect(openapi.document('apis/nothing/v1')).toBeUndefined();
  });

  const patchable = served.filter((resource) => (resource.verbs ?? ['patch']).includes('patch'));
  it.each(patchable.map((resource) => [`${groupVersionPath(resource)} ${resource.kind}`, resource] as const))(
    '%s: a PATCH with its GVK and fieldValidation, and a schema with its GVK',
    (_name, resource) => {
      const document = load(groupVersionPath(resource));
      const gvk = { group: resource.group, version: resource.version, kind: resource.kind };
      const patches = Object.values(document.paths)
        .map((item) => item.patch)
        .filter(
          (patch) => JSON.stringify(patch?.['x-kubernetes-group-version-kind']) === JSON.stringify(gvk),
        );
      expect(patches.length).toBeGreaterThan(0);
      for (const patch of patches) {
        expect(patch?.['x-kubernetes-action']).toBe('patch');
        expect(patch?.parameters).toContainEqual({
          name: 'fieldValidation',
          in: 'query',
          schema: { type: 'string', uniqueItems: true },
        });
      }
      const schema = document.components.schemas[resource.schema];
      expect(schema?.['x-kubernetes-group-version-kind']).toContainEqual(gvk);
      expect(document.components.schemas[`${resource.schema}List`]?.type).toBe('object');
    },
  );

  // Reviews are only ever created: a POST, and no List kind (upstream has no SubjectAccessReviewList).
  const createOnly = served.filter((resource) => resource.verbs?.join() === 'create');
  it.each(
    createOnly.map((resource) => [`${groupVersionPath(resource)} ${resource.kind}`, resource] as const),
  )('%s: only a POST with its GVK, and a schema with its GVK but no List', (_name, resource) => {
    const document = load(groupVersionPath(resource));
    const gvk = { group: resource.group, version: resource.version, kind: resource.kind };
    const items = Object.values(document.paths).filter(
      (item) => JSON.stringify(item.post?.['x-kubernetes-group-version-kind']) === JSON.stringify(gvk),
    );
    expect(items).toHaveLength(1);
    expect(Object.keys(items[0]!).sort()).toEqual(['parameters', 'post']);
    expect(document.components.schemas[resource.schema]?.['x-kubernetes-group-version-kind']).toContainEqual(
      gvk,
    );
    expect(document.components.schemas[`${resource.schema}List`]).toBeUndefined();
  });

  it('resolves every reference within its own document', () => {
    for (const path of Object.keys(index.paths)) {
      const document = load(path);
      const dangling = refsIn(document).filter(
        (ref) => !(ref.replace('#/components/schemas/', '') in document.components.schemas),
      );
      expect(dangling, path).toEqual([]);
    }
  });

  it('lays out the operations upstream has, with their actions', () => {
    const { paths } = load('api/v1');
    const actions = (path: string) =>
      Object.fromEntries(
        Object.entries(paths[path] ?? {})
          .filter(([method]) => method !== 'parameters')
          .map(([method, operation]) => [method, [operation.operationId, operation['x-kubernetes-action']]]),
      );
    expect(actions('/api/v1/namespaces/{namespace}/pods')).toEqual({
      get: ['listCoreV1NamespacedPod', 'list'],
      post: ['createCoreV1NamespacedPod', 'post'],
      delete: ['deleteCoreV1CollectionNamespacedPod', 'deletecollection'],
    });
    expect(actions('/api/v1/namespaces/{namespace}/pods/{name}')).toEqual({
      get: ['readCoreV1NamespacedPod', 'get'],
      put: ['replaceCoreV1NamespacedPod', 'put'],
      patch: ['patchCoreV1NamespacedPod', 'patch'],
      delete: ['deleteCoreV1NamespacedPod', 'delete'],
    });
    expect(actions('/api/v1/namespaces/{namespace}/pods/{name}/status')).toEqual({
      get: ['readCoreV1NamespacedPodStatus', 'get'],
      put: ['replaceCoreV1NamespacedPodStatus', 'put'],
      patch: ['patchCoreV1NamespacedPodStatus', 'patch'],
    });
    expect(actions('/api/v1/pods')).toEqual({ get: ['listCoreV1PodForAllNamespaces', 'list'] });
    expect(actions('/api/v1/watch/namespaces/{namespace}/pods/{name}')).toEqual({
      get: ['watchCoreV1NamespacedPod', 'watch'],
    });
    expect(actions('/api/v1/watch/pods')).toEqual({
      get: ['watchCoreV1PodListForAllNamespaces', 'watchlist'],
    });
    // Namespaces have no deletecollection; a cluster-scoped kind has no namespace in its paths.
    expect(actions('/api/v1/namespaces')).toEqual({
      get: ['listCoreV1Namespace', 'list'],
      post: ['createCoreV1Namespace', 'post'],
    });
    expect(paths['/api/v1/nodes/{name}']?.parameters).toEqual([
      { name: 'name', in: 'path', required: true, schema: { type: 'string', uniqueItems: true } },
      { name: 'pretty', in: 'query', schema: { type: 'string', uniqueItems: true } },
    ]);
    // A pod's DELETE answers with the pod; a config map's with a Status.
    type Responses = Record<string, { content: Record<string, { schema: unknown }> }>;
    const deleted = (path: string) =>
      (paths[path]?.delete?.responses as Responses | undefined)?.['200']?.content['application/json']?.schema;
    expect(deleted('/api/v1/namespaces/{namespace}/pods/{name}')).toEqual({
      $ref: '#/components/schemas/io.k8s.api.core.v1.Pod',
    });
    expect(deleted('/api/v1/namespaces/{namespace}/configmaps/{name}')).toEqual({
      $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Status',
    });
  });

  it('gives a scalable kind its scale subresource, of kind autoscaling/v1 Scale', () => {
    const document = load('apis/apps/v1');
    const scale = document.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'];
    expect(scale?.patch?.operationId).toBe('patchAppsV1NamespacedDeploymentScale');
    expect(scale?.patch?.['x-kubernetes-group-version-kind']).toEqual({
      group: 'autoscaling',
      version: 'v1',
      kind: 'Scale',
    });
    expect(document.components.schemas['io.k8s.api.autoscaling.v1.Scale']?.properties).toBeDefined();
    expect(Object.keys(document.paths)).toContain('/apis/apps/v1/');
    expect(
      load('apis/rbac.authorization.k8s.io/v1').paths[
        '/apis/rbac.authorization.k8s.io/v1/clusterroles/{name}'
      ]?.get?.operationId,
    ).toBe('readRbacAuthorizationV1ClusterRole');
  });
});

requireKubectl();

describe('OpenAPI served to stock kubectl', () => {
  let skiff: TestSkiff;

  beforeAll(async () => {
    skiff = await startSkiff();
  });
  afterAll(async () => {
    await skiff?.stop();
  });

  it('serves the index and hashed documents as JSON, the hashed ones immutable', async () => {
    const index = await skiff.request('GET', '/openapi/v3');
    expect(index.headers.get('content-type')).toMatch(/^application\/json/);
    const { paths } = (await index.json()) as { paths: Record<string, { serverRelativeURL: string }> };
    const document = await skiff.request('GET', paths['apis/apps/v1']!.serverRelativeURL);
    expect(document.status).toBe(200);
    expect(document.headers.get('content-type')).toMatch(/^application\/json/);
    expect(document.headers.get('cache-control')).toBe('public, immutable');
    expect(((await document.json()) as { openapi: string }).openapi).toBe('3.0.0');
    expect((await skiff.request('GET', '/openapi/v3/apis/apps/v1')).headers.get('cache-control')).toBe(
      'no-cache, private',
    );
    expect((await skiff.request('GET', '/openapi/v3/apis/nothing/v1')).status).toBe(404);
    const v2 = await skiff.request('GET', '/openapi/v2', undefined, {
      Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf',
    });
    expect(v2.headers.get('content-type')).toBe('application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
  });

  describe.each(kubectlBinaries)('kubectl $version', ({ version, path }) => {
    const kubectl = async (...args: string[]) => {
      const result = await skiff.kubectl(args, { binary: path });
      if (result.code !== 0)
        throw new Error(`kubectl ${args.join(' ')} failed (${result.code}):\n${result.stderr}`);
      return result.stdout;
    };

    it('explains a kind: its fields and their types', async () => {
      const output = await kubectl('explain', 'pods');
      expect(output).toMatch(/^KIND:\s+Pod\nVERSION:\s+v1\n/);
      for (const field of [
        'apiVersion\t<string>',
        'kind\t<string>',
        'metadata\t<ObjectMeta>',
        'spec\t<PodSpec>',
      ]) {
        expect(output).toContain(`  ${field}\n`);
      }
      expect(await kubectl('explain', 'leases.spec')).toMatch(/renewTime\t<string>\n/);
    });

    it('explains a field deep inside a kind of a named group', async () => {
      const output = await kubectl('explain', 'deployment.spec.template.spec.containers');
      expect(output).toMatch(/^GROUP:\s+apps\nKIND:\s+Deployment\nVERSION:\s+v1\n/);
      expect(output).toContain('FIELD: containers <[]Container>');
      expect(output).toContain('  name\t<string> -required-\n');
      expect(output).toContain('  image\t<string>\n');
      expect(output).toContain('  ports\t<[]ContainerPort>\n');
      expect(output).toContain('  resources\t<ResourceRequirements>\n');
      expect(await kubectl('explain', 'pod.spec.containers.resources')).toContain(
        '  limits\t<map[string]Quantity>\n',
      );
      expect(await kubectl('explain', 'pod.spec.containers.livenessProbe.httpGet')).toContain(
        '  port\t<IntOrString> -required-\n',
      );
    });

    it('explains a kind recursively', async () => {
      const output = await kubectl('explain', 'pods', '--recursive');
      expect(output).toContain('\n    containers\t<[]Container> -required-\n');
      expect(output).toContain('\n    creationTimestamp\t<string>\n');
      expect(output).toMatch(/\n {6}ports\t<\[\]ContainerPort>\n {8}containerPort\t<integer> -required-\n/);
      expect(output.split('\n').length).toBeGreaterThan(1000);
    });

    it('leaves strict validation to the server, which rejects an unknown field', async () => {
      const file = join(skiff.dataDir, `unknown-field-${version}.yaml`);
      await writeFile(
        file,
        [
          'apiVersion: apps/v1',
          'kind: Deployment',
          'metadata: {name: strict, namespace: default}',
          'spec:',
          '  selector: {matchLabels: {app: strict}}',
          '  template:',
          '    metadata: {labels: {app: strict}}',
          '    spec:',
          '      containers: [{name: web, image: nginx, imagePullPolicy: Always, bogus: 1}]',
          '',
        ].join('\n'),
      );
      const result = await skiff.kubectl(['create', '-f', file, '--validate=strict'], { binary: path });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('Error from server (BadRequest): error when creating');
      expect(result.stderr).toContain(
        'strict decoding error: unknown field "spec.template.spec.containers[0].bogus"',
      );
    });
  });
});
