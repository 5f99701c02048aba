import { beforeEach, describe, expect, it } from 'vitest';
import { refFor } from '../client/refs.js';
import { MemoryClient } from '../client/testing/memory-client.js';
import { ContainerConfigError, containerEnv, type EnvContext, expand } from './env.js';
import type { Container, Pod } from './pod-types.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');

function pod(container: Partial<Container>, spec: Partial<Pod['spec']> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web',
      namespace: 'test',
      uid: 'uid-1',
      labels: { app: 'web', tier: 'front' },
      annotations: { note: 'say "hi"' },
    },
    spec: {
      nodeName: 'node-1',
      serviceAccountName: 'builder',
      containers: [{ name: 'c', ...container }],
      ...spec,
    },
  };
}

describe('containerEnv', () => {
  let client: MemoryClient;
  let context: EnvContext;
  let warnings: string[];

  beforeEach(async () => {
    client = new MemoryClient();
    warnings = [];
    context = {
      reader: client,
      hostIP: '192.168.1.5',
      podIPs: ['10.88.0.7', 'fd00::7'],
      nodeAllocatable: { cpu: '2', memory: '4Gi', 'ephemeral-storage': '10Gi' },
      recordWarning: (reason, message) => warnings.push(`${reason}: ${message}`),
    };
    await client.create(refFor('Service', 'default'), {
      metadata: { name: 'kubernetes' },
      spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] },
    });
  });

  const env = async (p: Pod) => containerEnv(p, p.spec.containers[0]!, context);
  const asMap = (list: { key: string; value: string }[]) =>
    Object.fromEntries(list.map((v) => [v.key, v.value]));

  it('gives a Service with two named ports the docker-link variables in upstream order', async () => {
    await client.create(refFor('Service', 'test'), {
      metadata: { name: 'my-db.v2' },
      spec: {
        clusterIP: '10.96.3.4',
        ports: [
          { name: 'sql', port: 5432, protocol: 'TCP' },
          { name: 'metrics-http', port: 9187, protocol: 'UDP' },
        ],
      },
    });
    const list = await env(pod({}));
    const db = list.filter((v) => v.key.startsWith('MY_DB_V2_'));
    expect(db).toEqual([
      { key: 'MY_DB_V2_SERVICE_HOST', value: '10.96.3.4' },
      { key: 'MY_DB_V2_SERVICE_PORT', value: '5432' },
      { key: 'MY_DB_V2_SERVICE_PORT_SQL', value: '5432' },
      { key: 'MY_DB_V2_SERVICE_PORT_METRICS_HTTP', value: '9187' },
      { key: 'MY_DB_V2_PORT', value: 'tcp://10.96.3.4:5432' },
      { key: 'MY_DB_V2_PORT_5432_TCP', value: 'tcp://10.96.3.4:5432' },
      { key: 'MY_DB_V2_PORT_5432_TCP_PROTO', value: 'tcp' },
      { key: 'MY_DB_V2_PORT_5432_TCP_PORT', value: '5432' },
      { key: 'MY_DB_V2_PORT_5432_TCP_ADDR', value: '10.96.3.4' },
      { key: 'MY_DB_V2_PORT_9187_UDP', value: 'udp://10.96.3.4:9187' },
      { key: 'MY_DB_V2_PORT_9187_UDP_PROTO', value: 'udp' },
      { key: 'MY_DB_V2_PORT_9187_UDP_PORT', value: '9187' },
      { key: 'MY_DB_V2_PORT_9187_UDP_ADDR', value: '10.96.3.4' },
    ]);
    expect(asMap(list).KUBERNETES_SERVICE_HOST).toBe('10.96.0.1');
    expect(asMap(list).KUBERNETES_PORT_443_TCP).toBe('tcp://10.96.0.1:443');
  });

  it('skips headless Services, prefixes a leading digit, and keeps only the kubernetes Service without service links', async () => {
    await client.create(refFor('Service', 'test'), {
      metadata: { name: 'headless' },
      spec: { clusterIP: 'None', ports: [{ port: 80 }] },
    });
    await client.create(refFor('Service', 'test'), {
      metadata: { name: '3d' },
      spec: { clusterIP: '10.96.0.9', ports: [{ port: 80 }] },
    });
    const withLinks = asMap(await env(pod({})));
    expect(Object.keys(withLinks).some((k) => k.startsWith('HEADLESS_'))).toBe(false);
    expect(withLinks._3D_SERVICE_HOST).toBe('10.96.0.9');
    expect(withLinks._3D_PORT_80_TCP_PROTO).toBe('tcp');

    const without = asMap(await env(pod({}, { enableServiceLinks: false })));
    expect(without._3D_SERVICE_HOST).toBeUndefined();
    expect(without.KUBERNETES_SERVICE_HOST).toBe('10.96.0.1');
  });

  it('orders envFrom, then env (overriding in place), then the remaining Service variables', async () => {
    await client.create(refFor('ConfigMap', 'test'), {
      metadata: { name: 'cfg' },
      data: { A: 'from-cm', B: 'b' },
    });
    const list = await env(
      pod({
        envFrom: [{ configMapRef: { name: 'cfg' } }],
        env: [
          { name: 'C', value: 'c-$(B)' },
          { name: 'A', value: 'override' },
          { name: 'KUBERNETES_SERVICE_HOST', value: 'mine' },
        ],
      }),
    );
    expect(list.slice(0, 3)).toEqual([
      { key: 'A', value: 'override' },
      { key: 'B', value: 'b' },
      { key: 'C', value: 'c-b' },
    ]);
    expect(list.filter((v) => v.key === 'KUBERNETES_SERVICE_HOST')).toEqual([
      { key: 'KUBERNETES_SERVICE_HOST', value: 'mine' },
    ]);
    expect(list.at(-1)?.key).toMatch(/^KUBERNETES_PORT_443_TCP_ADDR$/);
  });

  it('expands from earlier variables and Service variables, never from later ones, and leaves valueFrom alone', async () => {
    const list = asMap(
      await env(
        pod({
          env: [
            { name: 'FIRST', value: 'one' },
            { name: 'SECOND', value: '$(FIRST)-$(THIRD)-$(KUBERNETES_SERVICE_PORT)-$$(FIRST)' },
            { name: 'THIRD', value: 'three' },
            { name: 'NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'EMPTY', value: '' },
          ],
        }),
      ),
    );
    expect(list.SECOND).toBe('one-$(THIRD)-443-$(FIRST)');
    expect(list.NAME).toBe('web');
    expect(list.EMPTY).toBe('');
  });

  it('reads the downward API fields', async () => {
    const fields = [
      'metadata.name',
      'metadata.namespace',
      'metadata.uid',
      "metadata.labels['app']",
      "metadata.annotations['note']",
      "metadata.labels['absent']",
      'metadata.labels',
      'spec.nodeName',
      'spec.serviceAccountName',
      'status.hostIP',
      'status.hostIPs',
      'status.podIP',
      'status.podIPs',
    ];
    const list = asMap(
      await env(
        pod({
          env: fields.map((fieldPath, i) => ({ name: `F${i}`, valueFrom: { fieldRef: { fieldPath } } })),
        }),
      ),
    );
    expect(fields.map((_, i) => list[`F${i}`])).toEqual([
      'web',
      'test',
      'uid-1',
      'web',
      'say "hi"',
      '',
      'app="web"\ntier="front"',
      'node-1',
      'builder',
      '192.168.1.5',
      '192.168.1.5',
      '10.88.0.7',
      '10.88.0.7,fd00::7',
    ]);
  });

  it('reads requests and limits in units of the divisor, rounding up, and unset limits from the node', async () => {
    const resource = (name: string, r: string, divisor?: string) => ({
      name,
      valueFrom: { resourceFieldRef: { resource: r, ...(divisor ? { divisor } : {}) } },
    });
    const list = asMap(
      await env(
        pod({
          resources: { limits: { cpu: '250m' }, requests: { cpu: '100m', memory: '64Mi' } },
          env: [
            resource('LIMIT_CPU', 'limits.cpu'),
            resource('LIMIT_CPU_MILLI', 'limits.cpu', '1m'),
            resource('REQUEST_CPU', 'requests.cpu', '1m'),
            resource('REQUEST_MEMORY_MI', 'requests.memory', '1Mi'),
            resource('LIMIT_MEMORY', 'limits.memory'),
            resource('LIMIT_STORAGE_GI', 'limits.ephemeral-storage', '1Gi'),
            resource('REQUEST_STORAGE', 'requests.ephemeral-storage'),
          ],
        }),
      ),
    );
    expect(list).toMatchObject({
      LIMIT_CPU: '1',
      LIMIT_CPU_MILLI: '250',
      REQUEST_CPU: '100',
      REQUEST_MEMORY_MI: '64',
      LIMIT_MEMORY: String(4 * 1024 ** 3),
      LIMIT_STORAGE_GI: '10',
      REQUEST_STORAGE: '0',
    });
  });

  it('reads ConfigMap and Secret keys, and skips optional ones that are missing', async () => {
    await client.create(refFor('ConfigMap', 'test'), { metadata: { name: 'cfg' }, data: { mode: 'fast' } });
    await client.create(refFor('Secret', 'test'), {
      metadata: { name: 'sec' },
      data: { password: b64('s3cr3t') },
    });
    const list = asMap(
      await env(
        pod({
          env: [
            { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'mode' } } },
            { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'sec', key: 'password' } } },
            { name: 'NO_KEY', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nope', optional: true } } },
            { name: 'NO_OBJECT', valueFrom: { secretKeyRef: { name: 'gone', key: 'x', optional: true } } },
          ],
          envFrom: [{ secretRef: { name: 'gone-too', optional: true } }],
        }),
      ),
    );
    expect(list.MODE).toBe('fast');
    expect(list.PASSWORD).toBe('s3cr3t');
    expect('NO_KEY' in list).toBe(false);
    expect('NO_OBJECT' in list).toBe(false);
  });

  it('throws upstream messages for missing objects and keys that are not optional', async () => {
    await client.create(refFor('ConfigMap', 'test'), { metadata: { name: 'cfg' }, data: {} });
    const cases: [Partial<Container>, string][] = [
      [
        { env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'absent', key: 'k' } } }] },
        'configmap "absent" not found',
      ],
      [
        { env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'absent', key: 'k' } } }] },
        'secret "absent" not found',
      ],
      [
        { env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }] },
        "couldn't find key k in ConfigMap test/cfg",
      ],
      [{ envFrom: [{ configMapRef: { name: 'absent' } }] }, 'configmap "absent" not found'],
      [
        { env: [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'spec.bogus' } } }] },
        'field label not supported: spec.bogus',
      ],
    ];
    for (const [container, message] of cases) {
      const error = await env(pod(container)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ContainerConfigError);
      expect(error).toMatchObject({
        message,
        code: 'SKIFF_ERR_CREATE_CONTAINER_CONFIG',
        reason: 'CreateContainerConfigError',
      });
    }
  });

  it('prefixes envFrom keys and skips invalid names with a warning', async () => {
    await client.create(refFor('ConfigMap', 'test'), {
      metadata: { name: 'cfg' },
      data: { '1234': 'abc', '1z': 'abc', key: 'value', 'a.b-c': 'ok' },
    });
    await client.create(refFor('Secret', 'test'), { metadata: { name: 'sec' }, data: { '1x': b64('v') } });
    const plain = asMap(await env(pod({ envFrom: [{ configMapRef: { name: 'cfg' } }] })));
    expect(Object.keys(plain).filter((k) => !k.startsWith('KUBERNETES_'))).toEqual(['a.b-c', 'key']);
    expect(warnings).toEqual([
      'InvalidEnvironmentVariableNames: Keys [1234, 1z] from the EnvFrom configMap test/cfg were skipped since they are considered invalid environment variable names.',
    ]);
    warnings.length = 0;
    const prefixed = asMap(await env(pod({ envFrom: [{ prefix: 'p_', secretRef: { name: 'sec' } }] })));
    expect(prefixed.p_1x).toBe('v');
    expect(warnings).toEqual([]);
  });
});

describe('expand', () => {
  const variables = new Map([
    ['VAR_A', 'A'],
    ['VAR_B', 'B'],
    ['VAR_EMPTY', ''],
  ]);
  it.each([
    ['$(VAR_A)', 'A'],
    ['___$(VAR_B)___', '___B___'],
    ['$(VAR_A)-$(VAR_A)', 'A-A'],
    ['$(VAR_A)$(VAR_B)', 'AB'],
    ['$$(VAR_B)_$(VAR_A)', '$(VAR_B)_A'],
    ['$$$$(VAR_A)', '$$(VAR_A)'],
    ['$$$(VAR_A)', '$A'],
    ['$(VAR_DNE)', '$(VAR_DNE)'],
    ['$(VAR_EMPTY)x', 'x'],
    ['$(VAR_A', '$(VAR_A'],
    ['$VAR_A', '$VAR_A'],
    ['foo$', 'foo$'],
    ['$()', '$()'],
    ['$(VAR_A)$', 'A$'],
  ])('%s → %s', (input, output) => {
    expect(expand(input, variables)).toBe(output);
  });
});
