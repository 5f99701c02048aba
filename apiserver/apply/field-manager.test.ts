import { describe, expect, it } from 'vitest';
import '../../api/types/index.js';
import type { KubeObject, ResourceDefinition } from '../../api/resource.js';
import { findResource } from '../../api/resources/index.js';
import { applyDefaults } from '../../api/schema/structure.js';
import { isStatusError } from '../../api/status.js';
import { strategies } from '../../api/strategies/index.js';
import { FieldManager, lastAppliedAnnotation } from './field-manager.js';

/**
 * Field ownership through sequences of writes, on real types: each case is a series of applies and
 * updates by named managers, the object they leave, and every manager's fields (as FieldsV1 paths).
 */
function resource(group: string, plural: string): ResourceDefinition {
  const declared = findResource(group, 'v1', plural)!;
  return { ...declared, strategy: declared.strategy ?? strategies.get(`${group}/${plural}`) };
}

function fieldManager(definition: ResourceDefinition) {
  let seconds = 0;
  return new FieldManager({
    resource: definition,
    defaults: (object) => {
      applyDefaults(definition.schema, object);
      definition.strategy?.default?.(object);
    },
    // One second per write, so that entries are ordered and times can be told apart.
    now: () => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds++)),
  });
}

const deployments = resource('apps', 'deployments');
const configMaps = resource('', 'configmaps');

type Step =
  | { readonly apply: string; readonly config: Record<string, unknown>; readonly force?: boolean }
  | { readonly update: string; readonly change: (object: KubeObject) => void; readonly subresource?: string };

interface Case {
  readonly name: string;
  readonly resource: ResourceDefinition;
  readonly steps: readonly Step[];
  /** Parts of the object after the last step. */
  readonly object?: Record<string, unknown>;
  /** Each manager (`name/Operation`) and the fields it owns. */
  readonly owners?: Record<string, string[]>;
  /** The last step fails with this 409 message. */
  readonly conflict?: string;
}

const deployment = (spec: Record<string, unknown>, metadata: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', ...metadata },
  spec,
});
const podSpec = (spec: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  deployment({
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec },
    ...extra,
  });
const configMap = (data: Record<string, unknown>, metadata: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'settings', namespace: 'default', ...metadata },
  ...data,
});

/** Runs the steps; returns the last object, or the StatusError of a failed last step. */
function run(testCase: Case) {
  const manager = fieldManager(testCase.resource);
  let live: KubeObject | undefined;
  for (const [index, step] of testCase.steps.entries()) {
    try {
      if ('apply' in step) {
        const created = live === undefined;
        live = manager.apply(live, structuredClone(step.config) as KubeObject, {
          manager: step.apply,
          force: step.force ?? false,
        });
        if (created) live = { ...live, metadata: { ...live.metadata, uid: `uid-${index}` } };
      } else {
        const next = structuredClone(live!);
        step.change(next);
        live = manager.update(live, next, {
          manager: step.update,
          ...(step.subresource ? { subresource: step.subresource } : {}),
        });
      }
    } catch (error) {
      if (index === testCase.steps.length - 1 && isStatusError(error)) return { live, error };
      throw error;
    }
  }
  return { live: live!, error: undefined };
}

function owners(object: KubeObject): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const entry of (object.metadata?.managedFields ?? []) as {
    manager: string;
    operation: string;
    subresource?: string;
    fieldsV1: Record<string, unknown>;
  }[]) {
    const paths: string[] = [];
    const walk = (fields: Record<string, unknown>, prefix: string) => {
      for (const [key, below] of Object.entries(fields)) {
        if (key === '.') paths.push(prefix);
        else if (Object.keys(below as object).length === 0) paths.push(`${prefix}/${key}`);
        else walk(below as Record<string, unknown>, `${prefix}/${key}`);
      }
    };
    walk(entry.fieldsV1, '');
    result[`${entry.manager}/${entry.operation}${entry.subresource ? `/${entry.subresource}` : ''}`] = paths;
  }
  return result;
}

describe('server-side apply, two managers, each kind of list and map', () => {
  it.each<Case>([
    {
      name: 'keyed list (containers by name): each applier owns its own item, and dropping it removes only it',
      resource: deployments,
      steps: [
        { apply: 'a', config: podSpec({ containers: [{ name: 'a', image: 'a:1' }] }) },
        { apply: 'b', config: podSpec({ containers: [{ name: 'b', image: 'b:1' }] }) },
        { apply: 'a', config: podSpec({ containers: [] }) },
      ],
      object: {
        spec: expect.objectContaining({
          template: expect.objectContaining({
            spec: expect.objectContaining({
              containers: [expect.objectContaining({ name: 'b', image: 'b:1' })],
            }),
          }),
        }),
      },
    },
    {
      name: 'keyed by two fields (ports by containerPort and protocol): TCP and UDP on one port are two items',
      resource: deployments,
      steps: [
        {
          apply: 'a',
          config: podSpec({ containers: [{ name: 'dns', image: 'dns', ports: [{ containerPort: 53 }] }] }),
        },
        {
          apply: 'b',
          config: podSpec({
            containers: [{ name: 'dns', ports: [{ containerPort: 53, protocol: 'UDP' }] }],
          }),
        },
      ],
      owners: {
        'a/Apply': [
          '/f:spec/f:selector',
          '/f:spec/f:template/f:metadata/f:labels/f:app',
          '/f:spec/f:template/f:spec/f:containers/k:{"name":"dns"}',
          '/f:spec/f:template/f:spec/f:containers/k:{"name":"dns"}/f:image',
          '/f:spec/f:template/f:spec/f:containers/k:{"name":"dns"}/f:name',
          '/f:spec/f:template/f:spec/f:containers/k:{"name":"dns"}/f:ports/k:{"containerPort":53,"protocol":"TCP"}',
          '/f:spec/f:template/f:spec/f:containers/k:{"name":"dns"}/f:ports/k:{"containerPort":53,"protocol":"TCP"}/f:containerPort',
        ],
        'b/Apply': [
          '/f:spec/f:selector',
          '/f:spec/f:template/f:metadata/f:labels/f:app',
          '/f:spec/f:template/f:spec/f:containers/k:{"name":"dns"}',
          '/f:spec/f:template/f:spec/f:containers/k:{"name":"dns"}/f:name',
          '/f:spec/f:template/f:spec/f:containers/k:{"name":"dns"}/f:ports/k:{"containerPort":53,"protocol":"UDP"}',
          '/f:spec/f:template/f:spec/f:containers/k:{"name":"dns"}/f:ports/k:{"containerPort":53,"protocol":"UDP"}/f:containerPort',
          '/f:spec/f:template/f:spec/f:containers/k:{"name":"dns"}/f:ports/k:{"containerPort":53,"protocol":"UDP"}/f:protocol',
        ],
      },
    },
    {
      name: 'set (finalizers): two appliers add to one set; one withdrawing its value keeps the other',
      resource: configMaps,
      steps: [
        { apply: 'a', config: configMap({}, { finalizers: ['example.com/a'] }) },
        { apply: 'b', config: configMap({}, { finalizers: ['example.com/b'] }) },
        { apply: 'a', config: configMap({}) },
      ],
      object: { metadata: expect.objectContaining({ finalizers: ['example.com/b'] }) },
      owners: { 'b/Apply': ['/f:metadata/f:finalizers/v:"example.com/b"'] },
    },
    {
      name: 'atomic list (tolerations): another applier changing it is a conflict on the whole list',
      resource: deployments,
      steps: [
        {
          apply: 'a',
          config: podSpec({ containers: [{ name: 'c' }], tolerations: [{ key: 'x', operator: 'Exists' }] }),
        },
        {
          apply: 'b',
          config: podSpec({ containers: [{ name: 'c' }], tolerations: [{ key: 'y', operator: 'Exists' }] }),
        },
      ],
      conflict: 'Apply failed with 1 conflict: conflict with "a": .spec.template.spec.tolerations',
    },
    {
      name: 'atomic list, forced: the new list replaces the old whole and changes owner',
      resource: deployments,
      steps: [
        {
          apply: 'a',
          config: podSpec({ containers: [{ name: 'c' }], tolerations: [{ key: 'x', operator: 'Exists' }] }),
        },
        {
          apply: 'b',
          force: true,
          config: deployment({ template: { spec: { tolerations: [{ key: 'y', operator: 'Exists' }] } } }),
        },
      ],
      object: {
        spec: expect.objectContaining({
          template: expect.objectContaining({
            spec: expect.objectContaining({ tolerations: [{ key: 'y', operator: 'Exists' }] }),
          }),
        }),
      },
      owners: {
        'a/Apply': [
          '/f:spec/f:selector',
          '/f:spec/f:template/f:metadata/f:labels/f:app',
          '/f:spec/f:template/f:spec/f:containers/k:{"name":"c"}',
          '/f:spec/f:template/f:spec/f:containers/k:{"name":"c"}/f:name',
        ],
        'b/Apply': ['/f:spec/f:template/f:spec/f:tolerations'],
      },
    },
    {
      name: 'granular map (labels): two managers own different keys; a conflict is per key',
      resource: configMaps,
      steps: [
        { apply: 'a', config: configMap({}, { labels: { team: 'a', tier: 'web' } }) },
        { apply: 'b', config: configMap({}, { labels: { owner: 'b', tier: 'db' } }) },
      ],
      conflict: 'Apply failed with 1 conflict: conflict with "a": .metadata.labels.tier',
    },
    {
      name: 'atomic map (a pod template nodeSelector) and atomic struct (the selector) are owned whole',
      resource: deployments,
      steps: [
        { apply: 'a', config: podSpec({ containers: [{ name: 'c' }], nodeSelector: { disk: 'ssd' } }) },
      ],
      owners: {
        'a/Apply': [
          '/f:spec/f:selector',
          '/f:spec/f:template/f:metadata/f:labels/f:app',
          '/f:spec/f:template/f:spec/f:containers/k:{"name":"c"}',
          '/f:spec/f:template/f:spec/f:containers/k:{"name":"c"}/f:name',
          '/f:spec/f:template/f:spec/f:nodeSelector',
        ],
      },
    },
    {
      name: 'a field applied before and not now goes, unless another applier still applies it',
      resource: configMaps,
      steps: [
        { apply: 'a', config: configMap({ data: { one: '1', shared: 's', two: '2' } }) },
        { apply: 'b', config: configMap({ data: { shared: 's' } }) },
        { apply: 'a', config: configMap({ data: { one: '1' } }) },
      ],
      object: { data: { one: '1', shared: 's' } },
      owners: { 'a/Apply': ['/f:data/f:one'], 'b/Apply': ['/f:data/f:shared'] },
    },
    {
      name: "an updater's field applied with another value is a conflict naming the updater and its version",
      resource: deployments,
      steps: [
        { apply: 'a', config: podSpec({ containers: [{ name: 'c', image: 'c:1' }] }, { replicas: 2 }) },
        {
          update: 'hpa',
          change: (object) => {
            (object.spec as { replicas: number }).replicas = 5;
          },
        },
        { apply: 'a', config: podSpec({ containers: [{ name: 'c', image: 'c:2' }] }, { replicas: 3 }) },
      ],
      conflict: 'Apply failed with 1 conflict: conflict with "hpa" using apps/v1: .spec.replicas',
    },
    {
      name: 'several conflicts are listed by manager, managers sorted',
      resource: configMaps,
      steps: [
        { apply: 'z', config: configMap({ data: { a: '1', b: '1' } }) },
        { update: 'm', change: (object) => Object.assign(object, { data: { a: '1', b: '1', c: '1' } }) },
        { apply: 'q', config: configMap({ data: { a: '2', b: '2', c: '2' } }) },
      ],
      conflict:
        'Apply failed with 3 conflicts: conflicts with "m" using v1:\n- .data.c\nconflicts with "z":\n- .data.a\n- .data.b',
    },
    {
      name: 'applying the value a field already has is shared ownership, not a conflict',
      resource: configMaps,
      steps: [
        { apply: 'a', config: configMap({ data: { mode: 'fast' } }) },
        { apply: 'b', config: configMap({ data: { mode: 'fast' } }) },
      ],
      owners: { 'a/Apply': ['/f:data/f:mode'], 'b/Apply': ['/f:data/f:mode'] },
    },
    {
      name: 'a status write is its own entry, and the main resource neither gains nor loses status by it',
      resource: deployments,
      steps: [
        { apply: 'a', config: podSpec({ containers: [{ name: 'c' }] }) },
        {
          update: 'controller',
          subresource: 'status',
          change: (object) => Object.assign(object, { status: { replicas: 1 } }),
        },
        { apply: 'a', config: podSpec({ containers: [{ name: 'c' }] }) },
      ],
      object: { status: { replicas: 1 } },
      owners: {
        'a/Apply': [
          '/f:spec/f:selector',
          '/f:spec/f:template/f:metadata/f:labels/f:app',
          '/f:spec/f:template/f:spec/f:containers/k:{"name":"c"}',
          '/f:spec/f:template/f:spec/f:containers/k:{"name":"c"}/f:name',
        ],
        'controller/Update/status': ['/f:status/f:replicas'],
      },
    },
  ])('$name', (testCase) => {
    const { live, error } = run(testCase);
    if (testCase.conflict) {
      expect(error?.status).toMatchObject({ code: 409, reason: 'Conflict', message: testCase.conflict });
      return;
    }
    expect(error).toBeUndefined();
    if (testCase.object) expect(live).toMatchObject(testCase.object);
    if (testCase.owners) expect(owners(live!)).toEqual(testCase.owners);
  });
});

describe('managedFields kept by every write', () => {
  const base = () =>
    configMap({ data: { mode: 'fast' } }, { uid: 'u', labels: { app: 'web' } }) as KubeObject;

  it('a create records the creator as an Update manager with the time, FieldsV1 and no subresource', () => {
    const created = fieldManager(configMaps).update(undefined, base(), { manager: 'kubectl-create' });
    expect(created.metadata?.managedFields).toEqual([
      {
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion: 'v1',
        time: '2026-01-01T00:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:data': { '.': {}, 'f:mode': {} },
          'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
        },
      },
    ]);
  });

  it('a write that changes nothing leaves managedFields exactly as they were', () => {
    const manager = fieldManager(configMaps);
    const created = manager.update(undefined, base(), { manager: 'kubectl-create' });
    const again = manager.update(created, structuredClone(created), { manager: 'kubectl-edit' });
    expect(again.metadata?.managedFields).toEqual(created.metadata?.managedFields);
  });

  it("entries merge per manager: a manager's second change joins its entry and moves its time", () => {
    const manager = fieldManager(configMaps);
    let live = manager.update(undefined, base(), { manager: 'kubectl-create' });
    for (const value of ['a', 'b']) {
      const next = structuredClone(live);
      next.metadata!.labels![value] = value;
      live = manager.update(live, next, { manager: 'kubectl-label' });
    }
    expect(owners(live)['kubectl-label/Update']).toEqual([
      '/f:metadata/f:labels/f:a',
      '/f:metadata/f:labels/f:b',
    ]);
    expect((live.metadata!.managedFields as { time: string }[]).map((entry) => entry.time)).toEqual([
      '2026-01-01T00:00:00Z',
      '2026-01-01T00:00:02Z',
    ]);
  });

  it('an object nobody tracked stays untracked by updates, and its first apply gives it all to before-first-apply', () => {
    const manager = fieldManager(configMaps);
    const untracked = base();
    const updated = manager.update(
      untracked,
      { ...structuredClone(untracked), data: { mode: 'slow' } },
      {
        manager: 'x',
      },
    );
    expect(updated.metadata?.managedFields).toBeUndefined();
    const applied = manager.apply(updated, configMap({ data: { extra: '1' } }) as KubeObject, {
      manager: 'a',
      force: false,
    });
    expect(owners(applied)).toEqual({
      'a/Apply': ['/f:data/f:extra'],
      'before-first-apply/Update': [
        '/f:data',
        '/f:data/f:mode',
        '/f:metadata/f:labels',
        '/f:metadata/f:labels/f:app',
      ],
    });
  });

  it('more than ten Update managers: the oldest merge into ancient-changes', () => {
    const manager = fieldManager(configMaps);
    let live = manager.update(undefined, base(), { manager: 'creator' });
    for (let index = 0; index < 11; index++) {
      const next = structuredClone(live);
      (next.data as Record<string, string>)[`k${index}`] = 'v';
      live = manager.update(live, next, { manager: `writer-${index}` });
    }
    const names = (live.metadata!.managedFields as { manager: string }[]).map((entry) => entry.manager);
    expect(names).toHaveLength(10);
    expect(names[0]).toBe('ancient-changes');
    expect(owners(live)['ancient-changes/Update']).toEqual(
      expect.arrayContaining(['/f:data/f:mode', '/f:data/f:k0', '/f:data/f:k1']),
    );
  });

  it('managedFields sent in an update replace the stored ones; [] resets them', () => {
    const manager = fieldManager(configMaps);
    const created = manager.update(undefined, base(), { manager: 'kubectl-create' });
    const reset = manager.update(
      created,
      { ...structuredClone(created), metadata: { ...created.metadata, managedFields: [] } },
      {
        manager: 'x',
      },
    );
    expect(reset.metadata?.managedFields).toBeUndefined();
  });
});

describe('apply requests the server refuses', () => {
  const manager = () => fieldManager(configMaps);
  it.each([
    {
      name: 'another kind',
      config: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' } },
      message: 'invalid object type: apps/v1, Kind=Deployment',
    },
    {
      name: 'managedFields in the configuration',
      config: configMap({}, { managedFields: [] }),
      message: 'metadata.managedFields must be nil',
    },
    {
      name: 'a field the type does not have',
      config: configMap({ data: { a: '1' }, spec: {} }),
      message:
        'failed to create typed patch object (default/settings; /v1, Kind=ConfigMap): .spec: field not declared in schema',
    },
    {
      name: 'a value of the wrong type',
      config: configMap({ immutable: 'yes' }),
      message:
        'failed to create typed patch object (default/settings; /v1, Kind=ConfigMap): .immutable: expected boolean, got &{"yes"}',
    },
  ])("$name: 400 with upstream's message", ({ config, message }) => {
    let caught: unknown;
    try {
      manager().apply(undefined, config as KubeObject, { manager: 'a', force: false });
    } catch (error) {
      caught = error;
    }
    expect(isStatusError(caught, 'BadRequest')).toBe(true);
    expect((caught as { status: { message: string } }).status.message).toBe(message);
  });

  it('a keyed list with a duplicate item', () => {
    expect(() =>
      fieldManager(deployments).apply(
        undefined,
        podSpec({ containers: [{ name: 'c' }, { name: 'c' }] }) as KubeObject,
        { manager: 'a', force: false },
      ),
    ).toThrow('.spec.template.spec.containers: duplicate entries for key [name="c"]');
  });
});

describe('from client-side apply to server-side apply', () => {
  const lastApplied = (data: Record<string, string>) =>
    `${JSON.stringify({ apiVersion: 'v1', data, kind: 'ConfigMap', metadata: { annotations: {}, name: 'settings', namespace: 'default' } })}\n`;

  function clientSideApplied() {
    const manager = fieldManager(configMaps);
    const created = manager.update(
      undefined,
      configMap(
        { data: { mode: 'fast', size: '1' } },
        { uid: 'u', annotations: { [lastAppliedAnnotation]: lastApplied({ mode: 'fast', size: '1' }) } },
      ) as KubeObject,
      { manager: 'kubectl-client-side-apply' },
    );
    return { manager, created };
  }

  it('"kubectl" may change fields the last-applied annotation still describes, and keeps the annotation current', () => {
    const { manager, created } = clientSideApplied();
    const applied = manager.apply(created, configMap({ data: { mode: 'slow', size: '1' } }) as KubeObject, {
      manager: 'kubectl',
      force: false,
    });
    expect(applied.data).toEqual({ mode: 'slow', size: '1' });
    expect(applied.metadata?.annotations?.[lastAppliedAnnotation]).toBe(
      '{"apiVersion":"v1","data":{"mode":"slow","size":"1"},"kind":"ConfigMap","metadata":{"name":"settings","namespace":"default"}}\n',
    );
    expect(owners(applied)['kubectl/Apply']).toEqual(['/f:data/f:mode', '/f:data/f:size']);
  });

  it('any other manager gets the conflict', () => {
    const { manager, created } = clientSideApplied();
    expect(() =>
      manager.apply(created, configMap({ data: { mode: 'slow' } }) as KubeObject, {
        manager: 'helm',
        force: false,
      }),
    ).toThrow('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.mode');
  });

  it('a field changed since it was last applied stays a conflict, even for "kubectl"', () => {
    const { manager, created } = clientSideApplied();
    const edited = manager.update(
      created,
      { ...structuredClone(created), data: { mode: 'fast', size: '2' } },
      {
        manager: 'kubectl-client-side-apply',
      },
    );
    expect(() =>
      manager.apply(edited, configMap({ data: { mode: 'fast', size: '3' } }) as KubeObject, {
        manager: 'kubectl',
        force: false,
      }),
    ).toThrow('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.size');
  });
});
