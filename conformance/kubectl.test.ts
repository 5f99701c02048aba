import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poll } from './client.js';
import { kubectlBinaries, requireKubectl, startSkiff, type TestSkiff } from './harness.js';

/**
 * The kubectl scenario of the API server issue, run once with every kubectl on the machine (1.27 …
 * 1.33 and /usr/bin/kubectl), validation on: what a user types, checked against what kubectl prints.
 */
requireKubectl();

describe.each(kubectlBinaries)('kubectl $version against Skiff', ({ version, path }) => {
  let skiff: TestSkiff;
  const ns = `kubectl-${version.replace('.', '-')}`;
  const kubectl = async (...args: string[]) => {
    const result = await skiff.kubectl(args, { binary: path });
    if (result.code !== 0)
      throw new Error(`kubectl ${args.join(' ')} failed (${result.code}):\n${result.stderr}`);
    return result.stdout;
  };

  beforeAll(async () => {
    skiff = await startSkiff();
  });
  /** The root CA publisher writes kube-root-ca.crt into a new namespace moments after it appears. */
  const rootCaPublished = (namespace: string) =>
    poll(
      async () => (await skiff.kubectl(['-n', namespace, 'get', 'configmap', 'kube-root-ca.crt'])).code === 0,
    );
  afterAll(async () => {
    await skiff?.stop();
  });

  it('reports the server version and the API resources', async () => {
    expect(await kubectl('version', '-o', 'json')).toContain('"gitVersion": "v1.33.0-skiff"');
    const resources = await kubectl('api-resources');
    expect(resources).toMatch(/^pods\s+po\s+v1\s+true\s+Pod$/m);
    expect(resources).toMatch(/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    expect(await kubectl('api-versions')).toContain('apps/v1');
  });

  it('creates, lists, labels, patches and deletes objects', async () => {
    expect(await kubectl('create', 'namespace', ns)).toBe(`namespace/${ns} created\n`);
    expect(await kubectl('-n', ns, 'create', 'configmap', 'settings', '--from-literal=mode=fast')).toBe(
      'configmap/settings created\n',
    );
    expect(await kubectl('-n', ns, 'get', 'configmaps', 'settings')).toMatch(
      /^NAME\s+DATA\s+AGE\nsettings\s+1\s+\d+s\n$/,
    );
    expect(await kubectl('-n', ns, 'get', 'configmap', 'settings', '-o', 'jsonpath={.data.mode}')).toBe(
      'fast',
    );
    expect(await kubectl('-n', ns, 'label', 'configmap', 'settings', 'tier=web')).toBe(
      'configmap/settings labeled\n',
    );
    expect(await kubectl('-n', ns, 'get', 'configmaps', '-l', 'tier=web', '-o', 'name')).toBe(
      'configmap/settings\n',
    );
    // Every namespace also holds the cluster CA, unlabelled, as on Kubernetes.
    await rootCaPublished(ns);
    expect(await kubectl('-n', ns, 'get', 'configmaps', '-l', 'tier!=web', '-o', 'name')).toBe(
      'configmap/kube-root-ca.crt\n',
    );
    // kubectl 1.27 prints "annotate", later versions "annotated".
    expect(await kubectl('-n', ns, 'annotate', 'configmap', 'settings', 'owner=team')).toMatch(
      /^configmap\/settings annotated?\n$/,
    );
    expect(
      await kubectl(
        '-n',
        ns,
        'patch',
        'configmap',
        'settings',
        '--type',
        'merge',
        '-p',
        '{"data":{"mode":"slow"}}',
      ),
    ).toBe('configmap/settings patched\n');
    expect(
      await kubectl(
        '-n',
        ns,
        'patch',
        'configmap',
        'settings',
        '--type',
        'merge',
        '-p',
        '{"data":{"mode":"slow"}}',
      ),
    ).toBe('configmap/settings patched (no change)\n');
    expect(
      await kubectl(
        '-n',
        ns,
        'patch',
        'configmap',
        'settings',
        '--type',
        'json',
        '-p',
        '[{"op":"add","path":"/data/extra","value":"1"}]',
      ),
    ).toBe('configmap/settings patched\n');
    const json = JSON.parse(await kubectl('-n', ns, 'get', 'configmap', 'settings', '-o', 'json'));
    expect(json.data).toEqual({ mode: 'slow', extra: '1' });
    expect(json.metadata.labels).toEqual({ tier: 'web' });
    expect(
      await kubectl(
        '-n',
        ns,
        'get',
        'configmaps',
        '--field-selector',
        'metadata.name=settings',
        '-o',
        'name',
      ),
    ).toBe('configmap/settings\n');
    expect(await kubectl('-n', ns, 'delete', 'configmap', 'settings')).toBe('configmap "settings" deleted\n');
    const missing = await skiff.kubectl(['-n', ns, 'get', 'configmap', 'settings'], { binary: path });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Error from server (NotFound): configmaps "settings" not found');
  });

  it('creates from a file with server-side validation, and replaces', async () => {
    const file = join(skiff.dataDir, `cm-${version}.yaml`);
    await writeFile(
      file,
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-file\n  namespace: default\ndata:\n  a: "1"\n`,
    );
    expect(await kubectl('create', '-f', file)).toBe('configmap/from-file created\n');
    const again = await skiff.kubectl(['create', '-f', file], { binary: path });
    expect(again.stderr).toContain('Error from server (AlreadyExists): error when creating');
    await writeFile(
      file,
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-file\n  namespace: default\ndata:\n  a: "2"\n`,
    );
    expect(await kubectl('replace', '-f', file)).toBe('configmap/from-file replaced\n');
    expect(await kubectl('get', 'configmap', 'from-file', '-o', 'jsonpath={.data.a}')).toBe('2');
    expect(
      await kubectl('create', 'configmap', 'dry', '--from-literal=a=b', '--dry-run=server', '-o', 'name'),
    ).toBe('configmap/dry\n');
    const dry = await skiff.kubectl(['get', 'configmap', 'dry'], { binary: path });
    expect(dry.code).toBe(1);
  });

  it('scales, selects, sorts, pages and prints across namespaces', async () => {
    await kubectl('create', 'namespace', `${ns}-b`);
    expect(
      await kubectl('-n', `${ns}-b`, 'create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=2'),
    ).toBe('deployment.apps/web created\n');
    expect(await kubectl('-n', `${ns}-b`, 'scale', 'deployment', 'web', '--replicas=3')).toBe(
      'deployment.apps/web scaled\n',
    );
    expect(
      await kubectl('-n', `${ns}-b`, 'get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}'),
    ).toBe('3');
    expect(await kubectl('-n', `${ns}-b`, 'get', 'deployment', 'web', '-o', 'wide')).toMatch(
      /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR\nweb\s+0\/3\s+\d+\s+0\s+\S+\s+nginx\s+nginx:1.25\s+app=web\n$/,
    );
    for (const name of ['b', 'c', 'a']) await kubectl('-n', `${ns}-b`, 'create', 'configmap', name);
    await rootCaPublished(`${ns}-b`);
    const sorted = 'configmap/a\nconfigmap/b\nconfigmap/c\nconfigmap/kube-root-ca.crt\n';
    expect(
      await kubectl('-n', `${ns}-b`, 'get', 'configmaps', '--sort-by=.metadata.name', '-o', 'name'),
    ).toBe(sorted);
    expect(await kubectl('-n', `${ns}-b`, 'get', 'configmaps', '--chunk-size=1', '-o', 'name')).toBe(sorted);
    const all = await kubectl('get', 'configmaps', '-A', '--field-selector', `metadata.namespace=${ns}-b`);
    expect(all).toMatch(new RegExp(`^NAMESPACE\\s+NAME\\s+DATA\\s+AGE\\n${ns}-b\\s+a\\s+0`));
    expect(await kubectl('-n', `${ns}-b`, 'get', 'all')).toContain('deployment.apps/web   0/3');
    expect(await kubectl('-n', `${ns}-b`, 'describe', 'deployment', 'web')).toMatch(/Replicas:\s+3 desired/);
  });

  it('waits for a condition, a jsonpath and a deletion', async () => {
    await kubectl('create', 'configmap', 'waited', '--from-literal=ready=yes');
    expect(
      await kubectl('wait', '--for=jsonpath={.data.ready}=yes', 'configmap/waited', '--timeout=10s'),
    ).toBe('configmap/waited condition met\n');
    const deletion = skiff.kubectl(['wait', '--for=delete', 'configmap/waited', '--timeout=20s'], {
      binary: path,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await kubectl('delete', 'configmap', 'waited', '--wait=false');
    const waited = await deletion;
    expect(waited.code).toBe(0);
  });

  it('watches with get -w, printing each change as a table row', async () => {
    const child = spawn(
      path,
      [`--kubeconfig=${skiff.kubeconfig}`, 'get', 'configmaps', '-w', '--output-watch-events'],
      {
        env: { ...process.env, HOME: skiff.dataDir },
      },
    );
    let output = '';
    const seen = (pattern: RegExp) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(output)) resolve();
        };
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          check();
        });
        setTimeout(() => reject(new Error(`not seen ${pattern}: ${output}`)), 15_000).unref();
        check();
      });
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      await kubectl('create', 'configmap', 'watched', '--from-literal=a=b');
      await seen(/ADDED\s+watched\s+1\s+/);
      await kubectl('delete', 'configmap', 'watched');
      await seen(/DELETED\s+watched\s+1\s+/);
    } finally {
      child.kill();
    }
  });

  it('applies twice as unchanged, applies a change exactly, and patches strategically', async () => {
    const file = join(skiff.dataDir, `deploy-${version}.yaml`);
    const manifest = (image: string, ports: number[]) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: applied
  namespace: default
spec:
  replicas: 1
  selector:
    matchLabels: {app: applied}
  template:
    metadata:
      labels: {app: applied}
    spec:
      containers:
      - name: web
        image: ${image}
        ports:
${ports.map((port) => `        - containerPort: ${port}`).join('\n')}
      - name: sidecar
        image: busybox:1.36
`;
    await writeFile(file, manifest('nginx:1.25', [80, 443]));
    expect(await kubectl('apply', '-f', file)).toBe('deployment.apps/applied created\n');
    expect(await kubectl('apply', '-f', file)).toBe('deployment.apps/applied unchanged\n');
    await writeFile(file, manifest('nginx:1.27', [80]));
    expect(await kubectl('apply', '-f', file)).toBe('deployment.apps/applied configured\n');
    const containers = JSON.parse(
      await kubectl('get', 'deployment', 'applied', '-o', 'jsonpath={.spec.template.spec.containers}'),
    ) as { name: string; image: string; ports?: { containerPort: number }[] }[];
    expect(containers.map((container) => [container.name, container.image])).toEqual([
      ['web', 'nginx:1.27'],
      ['sidecar', 'busybox:1.36'],
    ]);
    expect(containers[0]!.ports?.map((port) => port.containerPort)).toEqual([80]);
    expect(await kubectl('set', 'image', 'deployment/applied', 'sidecar=busybox:1.37')).toBe(
      'deployment.apps/applied image updated\n',
    );
    expect(
      await kubectl(
        'get',
        'deployment',
        'applied',
        '-o',
        'jsonpath={.spec.template.spec.containers[*].image}',
      ),
    ).toBe('nginx:1.27 busybox:1.37');
    expect(await kubectl('rollout', 'pause', 'deployment/applied')).toBe('deployment.apps/applied paused\n');
    expect(await kubectl('get', 'deployment', 'applied', '-o', 'jsonpath={.spec.paused}')).toBe('true');
    expect(await kubectl('rollout', 'resume', 'deployment/applied')).toBe(
      'deployment.apps/applied resumed\n',
    );
    expect(await kubectl('rollout', 'restart', 'deployment/applied')).toBe(
      'deployment.apps/applied restarted\n',
    );
    expect(
      await kubectl(
        'get',
        'deployment',
        'applied',
        '-o',
        "jsonpath={.spec.template.metadata.annotations['kubectl\\.kubernetes\\.io/restartedAt']}",
      ),
    ).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('deletes with each cascade mode: orphan keeps the pods, foreground and background take them', async () => {
    const file = join(skiff.dataDir, `rs-${version}.yaml`);
    const replicaSet = (name: string) => `apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: ${name}
  namespace: default
spec:
  replicas: 2
  selector:
    matchLabels: {set: ${name}}
  template:
    metadata:
      labels: {set: ${name}}
    spec:
      containers:
      - name: c
        image: busybox:1.36
`;
    const pods = async (name: string) =>
      (await kubectl('get', 'pods', '-l', `set=${name}`, '-o', 'name')).split('\n').filter(Boolean);
    const eventually = async (check: () => Promise<boolean>) => {
      const deadline = Date.now() + 20_000;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error('condition not met in time');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    for (const mode of ['orphan', 'foreground', 'background']) {
      const name = `cascade-${mode}`;
      await writeFile(file, replicaSet(name));
      await kubectl('apply', '-f', file);
      await eventually(async () => (await pods(name)).length === 2);
      expect(await kubectl('delete', 'replicaset', name, `--cascade=${mode}`)).toBe(
        `replicaset.apps "${name}" deleted\n`,
      );
      if (mode === 'orphan') {
        expect(await pods(name)).toHaveLength(2);
        const owners = await kubectl(
          'get',
          'pods',
          '-l',
          `set=${name}`,
          '-o',
          'jsonpath={.items[*].metadata.ownerReferences}',
        );
        expect(owners).toBe('');
      } else {
        await eventually(async () => (await pods(name)).length === 0);
      }
    }
  });

  it('rejects bad input with the Status kubectl prints', async () => {
    const result = await skiff.kubectl(['create', 'namespace', 'Not_Valid'], { binary: path });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is invalid: metadata.name: Invalid value: "Not_Valid"');
  });
});
