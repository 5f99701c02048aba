import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectlBinaries, requireKubectl, startSkiff, type TestSkiff } from './harness.js';

/**
 * The declarative write paths with every kubectl on the machine: client-side apply (strategic merge
 * patches), server-side apply with field managers and conflicts, the move from one to the other,
 * `diff` and `edit`. The API runs without controllers, so objects change only by these commands.
 */
requireKubectl();

interface Container {
  name: string;
  image: string;
  ports?: { containerPort: number; protocol?: string }[];
  env?: { name: string; value: string }[];
}

const manifest = (name: string, containers: Container[], replicas = 1) =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers } },
    },
  });

const web: Container = {
  name: 'web',
  image: 'nginx:1.25',
  ports: [{ containerPort: 80 }, { containerPort: 443 }],
  env: [{ name: 'MODE', value: 'fast' }],
};
const sidecar: Container = { name: 'sidecar', image: 'busybox:1.36' };

type Deployment = {
  metadata: Record<string, unknown> & { managedFields?: ManagedFieldsEntry[] };
  spec: {
    replicas: number;
    template: { spec: { containers: (Container & Record<string, unknown>)[] } };
  } & Record<string, unknown>;
};

interface ManagedFieldsEntry {
  manager: string;
  operation: string;
  apiVersion: string;
  time?: string;
  fieldsType: string;
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

describe.each(kubectlBinaries)('declarative writes with kubectl $version', ({ version, path }) => {
  let skiff: TestSkiff;
  const ns = `apply-${version.replace('.', '-')}`;
  const run = (args: string[]) => skiff.kubectl(['-n', ns, ...args], { binary: path });
  const kubectl = async (...args: string[]) => {
    const result = await run(args);
    if (result.code !== 0)
      throw new Error(`kubectl ${args.join(' ')} failed (${result.code}):\n${result.stderr}`);
    return result.stdout;
  };
  const file = (name: string) => join(skiff.dataDir, `${name}-${version}.json`);
  const write = async (name: string, content: string) => {
    await writeFile(file(name), content);
    return file(name);
  };
  const get = async (name: string): Promise<Deployment> =>
    JSON.parse(await kubectl('get', 'deployment', name, '-o', 'json', '--show-managed-fields'));
  /** The object without what every write changes. */
  const stable = (deployment: Deployment) => {
    const {
      resourceVersion: _rv,
      generation: _generation,
      managedFields: _fields,
      annotations: _a,
      ...metadata
    } = deployment.metadata;
    return { ...deployment, metadata };
  };
  const managers = (deployment: Deployment) =>
    (deployment.metadata.managedFields ?? []).map((entry) => `${entry.manager}/${entry.operation}`);

  beforeAll(async () => {
    skiff = await startSkiff({ controllers: false });
    await skiff.kubectl(['create', 'namespace', ns], { binary: path });
  });
  afterAll(async () => {
    await skiff?.stop();
  });

  it('client-side apply: twice is unchanged, and each edit of the manifest changes exactly that', async () => {
    const applyManifest = async (containers: Container[]) =>
      kubectl('apply', '-f', await write('csa', manifest('csa', containers)));
    expect(await applyManifest([web, sidecar])).toBe('deployment.apps/csa created\n');
    expect(await applyManifest([web, sidecar])).toBe('deployment.apps/csa unchanged\n');

    const edits: [
      string,
      Container[],
      (containers: Deployment['spec']['template']['spec']['containers']) => void,
    ][] = [
      [
        'change the image',
        [{ ...web, image: 'nginx:1.27' }, sidecar],
        (c) => void (c[0]!.image = 'nginx:1.27'),
      ],
      [
        'remove a port',
        [{ ...web, image: 'nginx:1.27', ports: [{ containerPort: 80 }] }, sidecar],
        (c) => void c[0]!.ports!.pop(),
      ],
      [
        'add an env var',
        [
          {
            ...web,
            image: 'nginx:1.27',
            ports: [{ containerPort: 80 }],
            env: [...web.env!, { name: 'LEVEL', value: '3' }],
          },
          sidecar,
        ],
        (c) => void c[0]!.env!.push({ name: 'LEVEL', value: '3' }),
      ],
      [
        'reorder the containers',
        [
          sidecar,
          {
            ...web,
            image: 'nginx:1.27',
            ports: [{ containerPort: 80 }],
            env: [...web.env!, { name: 'LEVEL', value: '3' }],
          },
        ],
        (c) => void c.reverse(),
      ],
    ];
    for (const [what, containers, change] of edits) {
      const before = stable(await get('csa'));
      expect(await applyManifest(containers), what).toBe('deployment.apps/csa configured\n');
      const expected = structuredClone(before);
      change(expected.spec.template.spec.containers);
      expect(stable(await get('csa')), what).toEqual(expected);
      expect(await applyManifest(containers), what).toBe('deployment.apps/csa unchanged\n');
    }
  });

  it('records every writer in managedFields, as kubectl shows them', async () => {
    await kubectl('create', '-f', await write('tracked', manifest('tracked', [sidecar])));
    const created = await get('tracked');
    expect(created.metadata.managedFields).toEqual([
      {
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion: 'apps/v1',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        fieldsType: 'FieldsV1',
        fieldsV1: expect.objectContaining({
          'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
          'f:spec': expect.objectContaining({
            'f:replicas': {},
            'f:selector': {},
            'f:template': expect.objectContaining({
              'f:spec': expect.objectContaining({
                'f:containers': {
                  'k:{"name":"sidecar"}': expect.objectContaining({ '.': {}, 'f:image': {}, 'f:name': {} }),
                },
              }),
            }),
          }),
        }),
      },
    ]);
    // Hidden unless asked for.
    expect(await kubectl('get', 'deployment', 'tracked', '-o', 'yaml')).not.toContain('managedFields');

    expect(await kubectl('label', 'deployment', 'tracked', 'tier=web')).toBe(
      'deployment.apps/tracked labeled\n',
    );
    expect(await kubectl('scale', 'deployment', 'tracked', '--replicas=2')).toBe(
      'deployment.apps/tracked scaled\n',
    );
    const updated = await get('tracked');
    const label = updated.metadata.managedFields!.find((entry) => entry.manager === 'kubectl-label')!;
    expect(label.fieldsV1).toEqual({ 'f:metadata': { 'f:labels': { 'f:tier': {} } } });
    // kubectl scale names no fieldManager: the writer is the User-Agent up to its first "/" (kubectl
    // puts its binary's name there: "kubectl.1.33/v1.33.1 (linux/amd64) …"), on the scale subresource.
    const scale = updated.metadata.managedFields!.find((entry) => entry.subresource === 'scale')!;
    expect(scale).toMatchObject({
      manager: path.split('/').pop(),
      operation: 'Update',
      fieldsV1: { 'f:spec': { 'f:replicas': {} } },
    });
    // kubectl-create lost the field the scale took.
    const create = updated.metadata.managedFields!.find((entry) => entry.manager === 'kubectl-create')!;
    expect((create.fieldsV1['f:spec'] as Record<string, unknown>)['f:replicas']).toBeUndefined();

    // A patch that changes nothing changes nothing: not the resourceVersion, not a time.
    expect(await kubectl('label', 'deployment', 'tracked', 'tier=web', '--overwrite')).toMatch(
      /^deployment.apps\/tracked (not labeled|labeled)\n$/,
    );
    expect(await get('tracked')).toEqual(updated);
  });

  it('server-side apply: two managers, a conflict, --force-conflicts, and a withdrawn field goes', async () => {
    const applied = await write('ssa', manifest('ssa', [sidecar], 2));
    expect(await kubectl('apply', '--server-side', '-f', applied)).toBe(
      'deployment.apps/ssa serverside-applied\n',
    );
    expect(await kubectl('apply', '--server-side', '-f', applied)).toBe(
      'deployment.apps/ssa serverside-applied\n',
    );
    expect(managers(await get('ssa'))).toEqual(['kubectl/Apply']);

    const other = await write('ssa-other', manifest('ssa', [sidecar], 5));
    const refused = await run(['apply', '--server-side', '--field-manager=autoscaler', '-f', other]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas');
    expect(refused.stderr).toContain('--force-conflicts');
    expect((await get('ssa')).spec.replicas).toBe(2);

    expect(
      await kubectl('apply', '--server-side', '--field-manager=autoscaler', '--force-conflicts', '-f', other),
    ).toBe('deployment.apps/ssa serverside-applied\n');
    const forced = await get('ssa');
    expect(forced.spec.replicas).toBe(5);
    const owner = (manager: string) =>
      forced.metadata.managedFields!.find((entry) => entry.manager === manager)!;
    expect((owner('autoscaler').fieldsV1['f:spec'] as Record<string, unknown>)['f:replicas']).toEqual({});
    expect((owner('kubectl').fieldsV1['f:spec'] as Record<string, unknown>)['f:replicas']).toBeUndefined();

    // The autoscaler stops applying replicas: nobody owns them any more, so they go (and default to 1).
    const withoutReplicas = JSON.parse(manifest('ssa', [sidecar]));
    delete withoutReplicas.spec.replicas;
    await kubectl(
      'apply',
      '--server-side',
      '--field-manager=autoscaler',
      '-f',
      await write('ssa-withdrawn', JSON.stringify(withoutReplicas)),
    );
    expect((await get('ssa')).spec.replicas).toBe(1);
  });

  it('from client-side apply to server-side apply and back', async () => {
    await kubectl('apply', '-f', await write('move', manifest('move', [web], 2)));
    expect(managers(await get('move'))).toEqual(['kubectl-client-side-apply/Update']);

    // Fields the last client-side apply set are kubectl's to change: no conflict.
    const changed = manifest('move', [{ ...web, image: 'nginx:1.27' }], 3);
    expect(await kubectl('apply', '--server-side', '-f', await write('move', changed))).toBe(
      'deployment.apps/move serverside-applied\n',
    );
    const moved = await get('move');
    expect(moved.spec.replicas).toBe(3);
    expect(managers(moved).sort()).toEqual(['kubectl-last-applied/Apply', 'kubectl/Apply']);
    const lastApplied = JSON.parse(
      (moved.metadata.annotations as Record<string, string>)[
        'kubectl.kubernetes.io/last-applied-configuration'
      ]!,
    );
    expect(lastApplied.spec.replicas).toBe(3);

    // And back: client-side apply reads the annotation the server kept current.
    expect(
      await kubectl(
        'apply',
        '-f',
        await write('move', manifest('move', [{ ...web, image: 'nginx:1.27' }], 4)),
      ),
    ).toBe('deployment.apps/move configured\n');
    expect((await get('move')).spec.replicas).toBe(4);
  });

  it('diff shows the change and writes nothing, client-side and server-side', async () => {
    await kubectl('apply', '-f', await write('diffed', manifest('diffed', [sidecar], 2)));
    const before = await get('diffed');
    const changed = await write('diffed', manifest('diffed', [sidecar], 4));
    for (const extra of [[], ['--server-side']]) {
      const diff = await run(['diff', ...extra, '-f', changed]);
      expect(diff.code, diff.stderr).toBe(1);
      expect(diff.stdout).toMatch(/^- {2}replicas: 2$/m);
      expect(diff.stdout).toMatch(/^\+ {2}replicas: 4$/m);
    }
    expect(await get('diffed')).toEqual(before);
    const same = await run(['diff', '-f', await write('diffed-same', manifest('diffed', [sidecar], 2))]);
    expect(same).toMatchObject({ code: 0, stdout: '' });
  });

  it('edit saves what the editor changed', async () => {
    await kubectl('apply', '-f', await write('edited', manifest('edited', [sidecar])));
    const editor = join(skiff.dataDir, `editor-${version}.sh`);
    await writeFile(editor, '#!/bin/sh\nsed -i -e "s/busybox:1.36/busybox:1.37/" "$1"\n');
    await chmod(editor, 0o755);
    const previous = process.env.EDITOR;
    process.env.EDITOR = editor;
    try {
      expect(await kubectl('edit', 'deployment', 'edited')).toBe('deployment.apps/edited edited\n');
    } finally {
      if (previous === undefined) delete process.env.EDITOR;
      else process.env.EDITOR = previous;
    }
    const edited = await get('edited');
    expect(edited.spec.template.spec.containers[0]!.image).toBe('busybox:1.37');
    expect(managers(edited)).toContain('kubectl-edit/Update');
  });
});
