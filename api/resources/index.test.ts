import { describe, expect, it } from 'vitest';
import { groupVersion, type KubeObject } from '../resource.js';
import { findResource, resources } from './index.js';

describe('the resource list', () => {
  it('lists the core group first, then the named groups alphabetically, preferred versions first', () => {
    const groupsInOrder = [...new Set(resources.map((resource) => resource.group))];
    expect(groupsInOrder).toEqual([
      '',
      'apps',
      'authentication.k8s.io',
      'authorization.k8s.io',
      'autoscaling',
      'batch',
      'coordination.k8s.io',
      'discovery.k8s.io',
      'events.k8s.io',
      'networking.k8s.io',
      'policy',
      'rbac.authorization.k8s.io',
      'scheduling.k8s.io',
      'storage.k8s.io',
    ]);
    const autoscalingVersions = resources
      .filter((resource) => resource.group === 'autoscaling')
      .map((r) => r.version);
    expect(autoscalingVersions).toEqual(['v2', 'v1']);
  });

  it('keeps each group-version contiguous, so discovery lists it once', () => {
    const seen: string[] = [];
    for (const resource of resources) {
      const key = groupVersion(resource);
      if (seen.at(-1) !== key) {
        expect(seen).not.toContain(key);
        seen.push(key);
      }
    }
  });

  it('serves each plural once per group-version', () => {
    const keys = resources.map((resource) => `${groupVersion(resource)}/${resource.plural}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('gives short names that each mean one resource', () => {
    // A short name may repeat only for the same group-resource in another version, or for the one pair
    // upstream itself shares: core and events.k8s.io Events are the same objects, both `ev`.
    const meaning = new Map<string, string>();
    for (const resource of resources) {
      for (const shortName of resource.shortNames ?? []) {
        const target = resource.plural === 'events' ? 'events' : `${resource.group}/${resource.plural}`;
        expect(meaning.get(shortName) ?? target, `short name ${shortName}`).toBe(target);
        meaning.set(shortName, target);
      }
    }
  });

  it('never uses a short name that is also a plural or a singular', () => {
    const names = new Set(resources.flatMap((resource) => [resource.plural, resource.singular]));
    for (const resource of resources) {
      for (const shortName of resource.shortNames ?? []) expect(names.has(shortName), shortName).toBe(false);
    }
  });

  it('gives every resource one Name column of format name', () => {
    for (const resource of resources) {
      const nameColumns = (resource.columns ?? []).filter((column) => column.format === 'name');
      expect(
        nameColumns.map((column) => column.name),
        resource.plural,
      ).toEqual(['Name']);
    }
  });

  it('never redeclares metadata.name or metadata.namespace as extra field selectors', () => {
    for (const resource of resources) {
      const fields = Object.keys(resource.fieldSelectors ?? {});
      expect(fields, resource.plural).not.toContain('metadata.name');
      expect(fields, resource.plural).not.toContain('metadata.namespace');
    }
  });

  it('names each schema after its group, version and kind', () => {
    for (const resource of resources) {
      const group =
        resource.group === ''
          ? 'core'
          : resource.group.replace(/\.k8s\.io$/, '').replace('.authorization', '');
      expect(resource.schema, resource.plural).toBe(
        `io.k8s.api.${group}.${resource.version}.${resource.kind}`,
      );
    }
  });

  it.each([
    ['an empty object', {}],
    ['an object with only metadata', { metadata: { name: 'x', namespace: 'y' } }],
    ['an object of the wrong shapes', { metadata: { name: 'x' }, spec: 'oops', status: [1, 2], data: 7 }],
  ])('prints %s without throwing, in cell types a Table may carry', (_, object) => {
    for (const resource of resources) {
      for (const column of resource.columns ?? []) {
        const cell = column.cell(object as KubeObject, 0);
        expect(
          ['string', 'number', 'boolean'].includes(typeof cell) || cell === null,
          `${resource.plural} ${column.name}`,
        ).toBe(true);
      }
      for (const [field, read] of Object.entries(resource.fieldSelectors ?? {})) {
        expect(typeof read(object as KubeObject), `${resource.plural} ${field}`).toBe('string');
      }
    }
  });
});

describe('findResource', () => {
  it('finds a resource by group, version and plural', () => {
    expect(findResource('', 'v1', 'pods')?.kind).toBe('Pod');
    expect(findResource('autoscaling', 'v1', 'horizontalpodautoscalers')?.schema).toBe(
      'io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler',
    );
    expect(findResource('events.k8s.io', 'v1', 'events')?.schema).toBe('io.k8s.api.events.v1.Event');
  });

  it('finds nothing for a version or group Skiff does not serve', () => {
    expect(findResource('apps', 'v1beta1', 'deployments')).toBeUndefined();
    expect(findResource('', 'v1', 'deployments')).toBeUndefined();
  });
});
