import { describe, expect, it } from 'vitest';
import '../types/index.js';
import { allMessages, f, message } from './dsl.js';
import {
  componentName,
  componentSchema,
  propertySchema,
  reachableComponents,
  type SchemaObject,
} from './openapi-schema.js';

const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const core = 'io.k8s.api.core.v1';
const ref = (name: string) => ({ allOf: [{ $ref: `#/components/schemas/${name}` }] });
const property = (component: string, name: string) => componentSchema(component).properties?.[name];

/** Every `$ref` anywhere in a schema object. */
function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, nested]) =>
    key === '$ref' && typeof nested === 'string' ? [nested] : refsIn(nested),
  );
}

// A message of our own, with what the declared types do not use (descriptions, enums, read-only fields).
message(
  'io.skiff.test.v1.Widget',
  {
    size: f.string(1, { enum: ['small', 'large'], default: 'small', description: 'How big the widget is.' }),
    shapes: f.list(2, 'string', { enum: ['round', 'square'], listType: 'set' }),
    serial: f.string(3, { readOnly: true }),
    settings: f.json(4),
    timeout: f.duration(5),
  },
  { description: 'A widget, for the tests.' },
);

describe('OpenAPI schemas from the schema language', () => {
  // Each row against the Kubernetes 1.33 OpenAPI v3 spec (less its descriptions).
  const properties: [component: string, field: string, expected: SchemaObject][] = [
    [`${meta}.ObjectMeta`, 'name', { type: 'string' }],
    [`${meta}.ObjectMeta`, 'generation', { type: 'integer', format: 'int64' }],
    [`${meta}.ObjectMeta`, 'labels', { type: 'object', additionalProperties: { type: 'string' } }],
    [`${meta}.ObjectMeta`, 'creationTimestamp', ref(`${meta}.Time`)],
    [
      `${meta}.ObjectMeta`,
      'ownerReferences',
      {
        type: 'array',
        items: ref(`${meta}.OwnerReference`),
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['uid'],
        'x-kubernetes-patch-strategy': 'merge',
        'x-kubernetes-patch-merge-key': 'uid',
      },
    ],
    [
      `${meta}.ObjectMeta`,
      'finalizers',
      {
        type: 'array',
        items: { type: 'string' },
        'x-kubernetes-list-type': 'set',
        'x-kubernetes-patch-strategy': 'merge',
      },
    ],
    [`${meta}.ManagedFieldsEntry`, 'fieldsV1', ref(`${meta}.FieldsV1`)],
    [`${meta}.WatchEvent`, 'object', ref('io.k8s.apimachinery.pkg.runtime.RawExtension')],
    [`${core}.Pod`, 'spec', { ...ref(`${core}.PodSpec`), default: {} }],
    [`${core}.Container`, 'name', { type: 'string', default: '' }],
    [
      `${core}.Container`,
      'ports',
      {
        type: 'array',
        items: ref(`${core}.ContainerPort`),
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['containerPort', 'protocol'],
        'x-kubernetes-patch-strategy': 'merge',
        'x-kubernetes-patch-merge-key': 'containerPort',
      },
    ],
    [
      `${core}.Container`,
      'command',
      { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'atomic' },
    ],
    [`${core}.ContainerPort`, 'containerPort', { type: 'integer', format: 'int32', default: 0 }],
    [`${core}.Container`, 'stdin', { type: 'boolean' }],
    [
      `${core}.ResourceRequirements`,
      'limits',
      { type: 'object', additionalProperties: ref('io.k8s.apimachinery.pkg.api.resource.Quantity') },
    ],
    [`${core}.HTTPGetAction`, 'port', ref('io.k8s.apimachinery.pkg.util.intstr.IntOrString')],
    [
      `${core}.PodSpec`,
      'nodeSelector',
      { type: 'object', additionalProperties: { type: 'string' }, 'x-kubernetes-map-type': 'atomic' },
    ],
    [`${core}.Secret`, 'data', { type: 'object', additionalProperties: { type: 'string', format: 'byte' } }],
    [
      `${core}.ConfigMap`,
      'binaryData',
      { type: 'object', additionalProperties: { type: 'string', format: 'byte' } },
    ],
    [`io.k8s.api.coordination.v1.LeaseSpec`, 'renewTime', ref(`${meta}.MicroTime`)],
    // A wrapped list is the bare list JSON shows: APIResource.verbs, UserInfo.extra's values.
    [`${meta}.APIResource`, 'verbs', { type: 'array', items: { type: 'string' } }],
    [
      'io.k8s.api.authentication.v1.UserInfo',
      'extra',
      { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
    ],
    [
      'io.skiff.test.v1.Widget',
      'size',
      { type: 'string', description: 'How big the widget is.', default: 'small', enum: ['small', 'large'] },
    ],
    [
      'io.skiff.test.v1.Widget',
      'shapes',
      {
        type: 'array',
        items: { type: 'string', enum: ['round', 'square'] },
        'x-kubernetes-list-type': 'set',
      },
    ],
    ['io.skiff.test.v1.Widget', 'serial', { type: 'string', readOnly: true }],
    [
      'io.skiff.test.v1.Widget',
      'settings',
      ref('io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON'),
    ],
    ['io.skiff.test.v1.Widget', 'timeout', ref(`${meta}.Duration`)],
  ];
  it.each(properties)('%s.%s is typed as upstream types it', (component, field, expected) => {
    expect(property(component, field)).toEqual(expected);
  });

  it('gives special types their upstream names and shapes', () => {
    const shape = (name: string) => {
      const { description: _, ...rest } = componentSchema(name);
      return rest;
    };
    expect(shape(`${meta}.Time`)).toEqual({ type: 'string', format: 'date-time' });
    expect(shape(`${meta}.MicroTime`)).toEqual({ type: 'string', format: 'date-time' });
    expect(shape(`${meta}.Duration`)).toEqual({ type: 'string' });
    expect(shape('io.k8s.apimachinery.pkg.api.resource.Quantity')).toEqual({
      oneOf: [{ type: 'string' }, { type: 'number' }],
    });
    expect(shape('io.k8s.apimachinery.pkg.util.intstr.IntOrString')).toEqual({
      format: 'int-or-string',
      oneOf: [{ type: 'integer' }, { type: 'string' }],
    });
    expect(shape('io.k8s.apimachinery.pkg.runtime.RawExtension')).toEqual({ type: 'object' });
    expect(shape(`${meta}.FieldsV1`)).toEqual({ type: 'object' });
    expect(shape('io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON')).toEqual({
      'x-kubernetes-preserve-unknown-fields': true,
    });
    expect(componentName('int64')).toBeUndefined();
    expect(componentName('Quantity')).toBe('io.k8s.apimachinery.pkg.api.resource.Quantity');
    expect(componentName(`${core}.Pod`)).toBe(`${core}.Pod`);
  });

  it('marks an API object with its group/version/kind and gives it apiVersion and kind', () => {
    const pod = componentSchema(`${core}.Pod`);
    expect(pod['x-kubernetes-group-version-kind']).toEqual([{ group: '', version: 'v1', kind: 'Pod' }]);
    expect(Object.keys(pod.properties ?? {})).toEqual(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
    expect(pod.properties?.apiVersion).toEqual({ type: 'string' });
    expect(pod.type).toBe('object');
    // WatchEvent is registered as a kind but has no TypeMeta of its own.
    expect(Object.keys(componentSchema(`${meta}.WatchEvent`).properties ?? {})).toEqual(['type', 'object']);
    expect(componentSchema(`${core}.PodSpec`)['x-kubernetes-group-version-kind']).toBeUndefined();
    expect(componentSchema(`${core}.PodSpec`).properties?.apiVersion).toBeUndefined();
  });

  it('lists required fields in declaration order', () => {
    expect(componentSchema(`${core}.PodSpec`).required).toEqual(['containers']);
    expect(componentSchema(`${meta}.OwnerReference`).required).toEqual(['apiVersion', 'kind', 'name', 'uid']);
    expect(componentSchema(`${meta}.ObjectMeta`).required).toBeUndefined();
  });

  it('spreads an inline field into its parent, as JSON does', () => {
    // ConfigMapEnvSource embeds LocalObjectReference: its `name` is the parent's own.
    expect(Object.keys(componentSchema(`${core}.ConfigMapEnvSource`).properties ?? {})).toEqual([
      'name',
      'optional',
    ]);
    // Volume embeds VolumeSource: `configMap` and `hostPath` sit beside `name`.
    const volume = componentSchema(`${core}.Volume`).properties ?? {};
    expect(volume.configMap).toEqual(ref(`${core}.ConfigMapVolumeSource`));
    expect(volume.hostPath).toEqual(ref(`${core}.HostPathVolumeSource`));
    expect(volume.volumeSource).toBeUndefined();
  });

  it("uses the declarations' descriptions and invents none", () => {
    expect(componentSchema('io.skiff.test.v1.Widget').description).toBe('A widget, for the tests.');
    const described = [...allMessages()]
      .filter(({ name }) => !name.startsWith('io.skiff.test.'))
      .flatMap(({ name }) => {
        const schema = componentSchema(name);
        return [schema, ...Object.values(schema.properties ?? {})]
          .filter((object) => object.description !== undefined)
          .map(() => name);
      });
    // The declared types carry no descriptions yet, so nothing in their schemas has one.
    expect(described).toEqual([]);
  });

  it('finds every component a kind reaches, and only those', () => {
    expect([...reachableComponents(['io.k8s.api.coordination.v1.Lease']).keys()]).toEqual([
      'io.k8s.api.coordination.v1.Lease',
      'io.k8s.api.coordination.v1.LeaseSpec',
      `${meta}.FieldsV1`,
      `${meta}.ManagedFieldsEntry`,
      `${meta}.MicroTime`,
      `${meta}.ObjectMeta`,
      `${meta}.OwnerReference`,
      `${meta}.Time`,
    ]);
    // The wrapper messages of wrapped lists are protobuf's alone.
    expect(reachableComponents([`${meta}.APIResourceList`]).has(`${meta}.Verbs`)).toBe(false);
  });

  it('resolves every reference of every declared message within its own closure', () => {
    const dangling: string[] = [];
    for (const { name } of allMessages()) {
      const closure = reachableComponents([name]);
      for (const target of refsIn(Object.fromEntries(closure))) {
        const referred = target.replace('#/components/schemas/', '');
        if (!closure.has(referred)) dangling.push(`${name} → ${referred}`);
      }
    }
    expect(dangling).toEqual([]);
  });

  it('types a field declared without a format by its protobuf type', () => {
    expect(propertySchema(f.int32(1))).toEqual({ type: 'integer', format: 'int32' });
    expect(propertySchema(f.double(1))).toEqual({ type: 'number', format: 'double' });
    expect(propertySchema(f.bytes(1))).toEqual({ type: 'string', format: 'byte' });
    expect(propertySchema(f.map(1, 'int64'))).toEqual({
      type: 'object',
      additionalProperties: { type: 'integer', format: 'int64' },
    });
  });
});
