import { isIP } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../client/http-client.js';
import { refFor } from '../client/refs.js';
import type { Pod } from '../kubelet-shim/pod-types.js';
import { requireContainerd } from '../kubelet-shim/testing/containerd.js';
import { poll, randomSuffix } from './client.js';
import { startSkiff, type TestSkiff } from './harness.js';

/**
 * Tier 3 of ../shared/conformance/SUBSET.md: pods with real containers, on a node of Skiff's own that
 * runs them through containerd's CRI. Each test is named after its upstream conformance test and
 * follows its steps; upstream's images are replaced by the images `skiff node setup` builds (a busybox
 * test image and a pause image), and its multi-minute observation windows by shorter ones where the
 * behaviour shows sooner.
 */
const IMAGE = 'skiff.local/testimage:1';
const PAUSE = 'skiff.local/pause:1';
const MINUTE = 60_000;

const containerd = await requireContainerd();
let skiff: TestSkiff;
let client: HttpClient;
let namespace: string;

beforeAll(async () => {
  if (!containerd) return;
  skiff = await startSkiff({ node: 'containerd' });
  client = new HttpClient({ connection: { server: skiff.url, namespace: 'default' } });
  namespace = `node-${randomSuffix()}`;
  await client.create(refFor('Namespace'), { metadata: { name: namespace } });
  await poll(() => client.get(refFor('ServiceAccount', namespace), 'default'));
}, MINUTE);
afterAll(async () => {
  if (!containerd) return;
  // Pods go first, through the node, so that nothing is left in containerd.
  await client?.deleteCollection(refFor('Pod', namespace), { gracePeriodSeconds: 0 }).catch(() => undefined);
  await poll(async () => (await client.list(refFor('Pod', namespace))).items.length === 0, MINUTE).catch(
    () => undefined,
  );
  await client?.close();
  await skiff?.stop();
}, 2 * MINUTE);

const pods = () => refFor('Pod', namespace);

function pod(name: string, spec: Record<string, unknown>, labels: Record<string, string> = {}): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: spec as Pod['spec'] };
}

async function create(target: Pod): Promise<Pod> {
  return client.create<Pod>(pods(), target);
}

async function waitFor(name: string, check: (pod: Pod) => boolean, timeoutMs = MINUTE): Promise<Pod> {
  return poll(
    async () => {
      const current = await client.get<Pod>(pods(), name);
      return check(current) ? current : undefined;
    },
    timeoutMs,
    200,
  );
}

const running = (target: Pod) => target.status?.phase === 'Running';
const ready = (target: Pod) =>
  target.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

async function gone(name: string, timeoutMs = MINUTE): Promise<void> {
  await poll(
    async () => {
      try {
        await client.get(pods(), name);
        return false;
      } catch {
        return true;
      }
    },
    timeoutMs,
    200,
  );
}

describe.skipIf(!containerd)('[sig-node] Pods', () => {
  it.concurrent('should get a host IP [NodeConformance]', async () => {
    const name = `pod-hostip-${randomSuffix()}`;
    // Restricted, as upstream makes pods in its namespaces.
    await create(
      pod(name, {
        securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [
          {
            name: 'test',
            image: PAUSE,
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
          },
        ],
      }),
    );
    const started = await waitFor(name, running);
    expect(isIP(started.status?.hostIP ?? '')).not.toBe(0);
  });

  it.concurrent('should be submitted and removed [NodeConformance]', async () => {
    const time = String(Date.now());
    const name = `pod-submit-remove-${randomSuffix()}`;
    await create(pod(name, { containers: [{ name: 'pause', image: PAUSE }] }, { name: 'foo', time }));
    expect((await client.list(pods(), { labelSelector: `time=${time}` })).items).toHaveLength(1);
    await waitFor(name, running);
    const deleted = (await client.delete<Pod>(pods(), name, { gracePeriodSeconds: 30 })) as Pod;
    // Graceful: the pod stays, marked, until the node has stopped it.
    expect(deleted.metadata?.deletionTimestamp).toBeTruthy();
    expect(deleted.metadata?.deletionGracePeriodSeconds).toBe(30);
    await gone(name);
    expect((await client.list(pods(), { labelSelector: `time=${time}` })).items).toHaveLength(0);
  });

  it.concurrent('should be updated [NodeConformance]', async () => {
    const name = `pod-update-${randomSuffix()}`;
    await create(pod(name, { containers: [{ name: 'pause', image: PAUSE }] }, { name: 'foo', time: 'v1' }));
    await waitFor(name, running);
    await client.patch(pods(), name, 'merge', { metadata: { labels: { time: 'v2' } } });
    expect(
      (await client.list(pods(), { labelSelector: 'time=v2' })).items.map((p) => p.metadata?.name),
    ).toContain(name);
    expect((await client.get<Pod>(pods(), name)).status?.phase).toBe('Running');
  });

  it.concurrent('should allow activeDeadlineSeconds to be updated [NodeConformance]', async () => {
    const name = `pod-update-activedeadlineseconds-${randomSuffix()}`;
    await create(
      pod(name, { terminationGracePeriodSeconds: 1, containers: [{ name: 'pause', image: PAUSE }] }),
    );
    await waitFor(name, running);
    await client.patch(pods(), name, 'merge', { spec: { activeDeadlineSeconds: 5 } });
    const failed = await waitFor(name, (p) => p.status?.phase === 'Failed');
    expect(failed.status?.reason).toBe('DeadlineExceeded');
  });
});

describe.skipIf(!containerd)('[sig-node] Container Runtime blackbox test', () => {
  it.concurrent('on terminated container should report termination message from log output if TerminationMessagePolicy FallbackToLogsOnError is set [NodeConformance]', async () => {
    const name = `termination-message-${randomSuffix()}`;
    await create(
      pod(name, {
        restartPolicy: 'Never',
        containers: [
          {
            name: 'termination-message-container',
            image: IMAGE,
            command: ['/bin/sh', '-c', '/bin/echo -n DONE; /bin/false'],
            terminationMessagePath: '/dev/termination-log',
            terminationMessagePolicy: 'FallbackToLogsOnError',
          },
        ],
      }),
    );
    const failed = await waitFor(name, (p) => p.status?.phase === 'Failed');
    expect(failed.status?.containerStatuses?.[0]?.state.terminated?.message).toBe('DONE');
  });

  it.concurrent('should report a termination message written to the termination message path', async () => {
    const name = `termination-file-${randomSuffix()}`;
    await create(
      pod(name, {
        restartPolicy: 'Never',
        containers: [
          { name: 'c', image: IMAGE, command: ['/bin/sh', '-c', 'echo -n OK > /dev/termination-log'] },
        ],
      }),
    );
    const done = await waitFor(name, (p) => p.status?.phase === 'Succeeded');
    expect(done.status?.containerStatuses?.[0]?.state.terminated).toMatchObject({
      exitCode: 0,
      reason: 'Completed',
      message: 'OK',
    });
  });

  it.concurrent('a crashing container goes to CrashLoopBackOff with rising restart counts', async () => {
    const name = `crash-${randomSuffix()}`;
    await create(pod(name, { containers: [{ name: 'c', image: IMAGE, command: ['sh', '-c', 'exit 3'] }] }));
    const looping = await waitFor(
      name,
      (p) =>
        p.status?.containerStatuses?.[0]?.state.waiting?.reason === 'CrashLoopBackOff' &&
        p.status.containerStatuses[0].restartCount >= 2,
      MINUTE,
    );
    const container = looping.status!.containerStatuses![0]!;
    expect(container.lastState.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    expect(container.state.waiting?.message).toMatch(/^back-off \d+s restarting failed container=c pod=/);
    expect(looping.status?.phase).toBe('Running');
  });
});

describe.skipIf(!containerd)('[sig-node] InitContainer [NodeConformance]', () => {
  it.concurrent('should invoke init containers on a RestartNever pod', async () => {
    const name = `pod-init-${randomSuffix()}`;
    await create(
      pod(name, {
        restartPolicy: 'Never',
        initContainers: [
          { name: 'init1', image: IMAGE, command: ['/bin/true'] },
          { name: 'init2', image: IMAGE, command: ['/bin/true'] },
        ],
        containers: [{ name: 'run1', image: IMAGE, command: ['/bin/true'] }],
      }),
    );
    const done = await waitFor(name, (p) => p.status?.phase === 'Succeeded');
    expect(done.status?.conditions?.find((c) => c.type === 'Initialized')?.status).toBe('True');
    expect(done.status?.initContainerStatuses).toHaveLength(2);
    for (const status of done.status?.initContainerStatuses ?? []) {
      expect(status.ready).toBe(true);
      expect(status.state.terminated?.exitCode).toBe(0);
    }
  });

  it.concurrent('should invoke init containers on a RestartAlways pod', async () => {
    const name = `pod-init-${randomSuffix()}`;
    await create(
      pod(name, {
        initContainers: [
          { name: 'init1', image: IMAGE, command: ['/bin/true'] },
          { name: 'init2', image: IMAGE, command: ['/bin/true'] },
        ],
        containers: [{ name: 'run1', image: PAUSE, resources: { limits: { cpu: '100m' } } }],
      }),
    );
    const started = await waitFor(name, running);
    expect(started.status?.conditions?.find((c) => c.type === 'Initialized')?.status).toBe('True');
    expect(started.status?.initContainerStatuses?.map((s) => s.state.terminated?.exitCode)).toEqual([0, 0]);
  });

  it.concurrent('should not start app containers if init containers fail on a RestartAlways pod', async () => {
    const name = `pod-init-${randomSuffix()}`;
    await create(
      pod(name, {
        initContainers: [
          { name: 'init1', image: IMAGE, command: ['/bin/false'] },
          { name: 'init2', image: IMAGE, command: ['/bin/true'] },
        ],
        containers: [{ name: 'run1', image: PAUSE }],
      }),
    );
    const seen = await waitFor(
      name,
      (p) => (p.status?.initContainerStatuses?.[0]?.restartCount ?? 0) >= 2,
      MINUTE,
    );
    expect(seen.status?.phase).toBe('Pending');
    expect(seen.status?.initContainerStatuses?.[1]?.state.waiting?.reason).toBe('PodInitializing');
    expect(seen.status?.containerStatuses?.[0]?.state.waiting?.reason).toBe('PodInitializing');
    expect(seen.status?.conditions?.find((c) => c.type === 'Initialized')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotInitialized',
      message: 'containers with incomplete status: [init1 init2]',
    });
  });

  it.concurrent('should not start app containers and fail the pod if init containers fail on a RestartNever pod', async () => {
    const name = `pod-init-${randomSuffix()}`;
    await create(
      pod(name, {
        restartPolicy: 'Never',
        initContainers: [
          { name: 'init1', image: IMAGE, command: ['/bin/true'] },
          { name: 'init2', image: IMAGE, command: ['/bin/false'] },
        ],
        containers: [{ name: 'run1', image: IMAGE, command: ['/bin/true'] }],
      }),
    );
    const failed = await waitFor(name, (p) => p.status?.phase === 'Failed');
    expect(failed.status?.conditions?.find((c) => c.type === 'Initialized')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotInitialized',
      message: 'containers with incomplete status: [init2]',
    });
    expect(failed.status?.containerStatuses?.[0]?.state.waiting).toBeTruthy();
  });
});

describe.skipIf(!containerd)('[sig-node] Probing container', () => {
  it.concurrent('with readiness probe that fails should never be ready and never restart [NodeConformance]', async () => {
    const name = `unready-${randomSuffix()}`;
    await create(
      pod(name, {
        containers: [
          {
            name: 'web',
            image: IMAGE,
            command: ['httpd', '-f', '-p', '8080', '-h', '/www'],
            readinessProbe: { httpGet: { path: '/not-there', port: 8080 }, periodSeconds: 1 },
          },
        ],
      }),
    );
    await waitFor(name, running);
    for (let i = 0; i < 10; i++) {
      const current = await client.get<Pod>(pods(), name);
      expect(ready(current)).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect((await client.get<Pod>(pods(), name)).status?.containerStatuses?.[0]?.restartCount).toBe(0);
  });

  it.concurrent('should be restarted with a exec "cat /tmp/health" liveness probe [NodeConformance]', async () => {
    const name = `busybox-${randomSuffix()}`;
    await create(
      pod(
        name,
        {
          terminationGracePeriodSeconds: 1,
          containers: [
            {
              name: 'busybox',
              image: IMAGE,
              command: ['/bin/sh', '-c', 'echo ok >/tmp/health; sleep 3; rm -rf /tmp/health; sleep 600'],
              livenessProbe: {
                exec: { command: ['cat', '/tmp/health'] },
                initialDelaySeconds: 1,
                periodSeconds: 1,
                timeoutSeconds: 5,
                failureThreshold: 1,
              },
            },
          ],
        },
        { test: 'liveness' },
      ),
    );
    const restarted = await waitFor(
      name,
      (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1,
      MINUTE,
    );
    expect(restarted.status?.containerStatuses?.[0]?.restartCount).toBeGreaterThanOrEqual(1);
  });

  it.concurrent('should *not* be restarted with a tcp liveness probe [NodeConformance]', async () => {
    const name = `liveness-tcp-${randomSuffix()}`;
    await create(
      pod(name, {
        containers: [
          {
            name: 'web',
            image: IMAGE,
            command: ['httpd', '-f', '-p', '8080', '-h', '/www'],
            livenessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1, failureThreshold: 1 },
            readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
          },
        ],
      }),
    );
    await waitFor(name, ready);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect((await client.get<Pod>(pods(), name)).status?.containerStatuses?.[0]?.restartCount).toBe(0);
  });
});

describe.skipIf(!containerd)('pods with real containers', () => {
  it.concurrent('a Deployment of the HTTP test image reaches Ready and answers at its pod IPs', async () => {
    await client.create(refFor('Deployment', namespace), {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            terminationGracePeriodSeconds: 1,
            containers: [
              {
                name: 'web',
                image: IMAGE,
                command: ['httpd', '-f', '-p', '80', '-h', '/www'],
                readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 1 },
              },
            ],
          },
        },
      },
    });
    const running = await poll(
      async () => {
        const list = await client.list<Pod>(pods(), { labelSelector: 'app=web' });
        return list.items.length === 2 && list.items.every(ready) ? list.items : undefined;
      },
      MINUTE,
      200,
    );
    for (const web of running) {
      const answer = await fetch(`http://${web.status?.podIP}/`);
      expect(answer.status).toBe(200);
      expect(await answer.text()).toContain('hello');
    }
    await client.delete(refFor('Deployment', namespace), 'web');
  });
});

/** Runs a pod to completion (restartPolicy Never) and returns its container's log: upstream's output test. */
async function output(name: string, spec: Record<string, unknown>): Promise<string> {
  await create(pod(name, { restartPolicy: 'Never', ...spec }));
  const done = await waitFor(name, (p) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed');
  expect(done.status?.phase).toBe('Succeeded');
  const response = await skiff.request('GET', `/api/v1/namespaces/${namespace}/pods/${name}/log`);
  return response.text();
}

describe.skipIf(!containerd)('[sig-storage] volumes and [sig-node] environment', () => {
  it.concurrent('ConfigMap should be consumable from pods in volume, and as env', async () => {
    await client.create(refFor('ConfigMap', namespace), {
      metadata: { name: 'cm-a' },
      data: { 'data-1': 'value-1', 'data-2': 'value-2', DATA: 'value-3' },
    });
    const log = await output(`pod-configmaps-${randomSuffix()}`, {
      volumes: [
        {
          name: 'cm',
          configMap: { name: 'cm-a', items: [{ key: 'data-2', path: 'path/to/data-2', mode: 0o400 }] },
        },
      ],
      containers: [
        {
          name: 'c',
          image: IMAGE,
          command: [
            'sh',
            '-c',
            'cat /etc/cm/path/to/data-2; echo; stat -L -c %a /etc/cm/path/to/data-2; echo $CONFIG_DATA_1 $P_DATA',
          ],
          env: [{ name: 'CONFIG_DATA_1', valueFrom: { configMapKeyRef: { name: 'cm-a', key: 'data-1' } } }],
          envFrom: [{ prefix: 'P_', configMapRef: { name: 'cm-a' } }],
          volumeMounts: [{ name: 'cm', mountPath: '/etc/cm' }],
        },
      ],
    });
    expect(log).toBe('value-2\n400\nvalue-1 value-3\n');
  });

  it.concurrent('Secrets should be consumable from pods in volume with defaultMode set', async () => {
    await client.create(refFor('Secret', namespace), {
      metadata: { name: 'secret-a' },
      data: { 'data-1': Buffer.from('value-1').toString('base64') },
    });
    const log = await output(`pod-secrets-${randomSuffix()}`, {
      volumes: [{ name: 's', secret: { secretName: 'secret-a', defaultMode: 0o400 } }],
      containers: [
        {
          name: 'c',
          image: IMAGE,
          command: ['sh', '-c', 'cat /etc/s/data-1; echo; stat -L -c %a /etc/s/data-1'],
          volumeMounts: [{ name: 's', mountPath: '/etc/s' }],
        },
      ],
    });
    expect(log).toBe('value-1\n400\n');
  });

  it.concurrent('Downward API volume should provide podname only, and env the pod IP and node', async () => {
    const name = `downwardapi-volume-${randomSuffix()}`;
    const log = await output(name, {
      volumes: [
        {
          name: 'podinfo',
          downwardAPI: { items: [{ path: 'podname', fieldRef: { fieldPath: 'metadata.name' } }] },
        },
      ],
      containers: [
        {
          name: 'c',
          image: IMAGE,
          command: ['sh', '-c', 'cat /etc/podinfo/podname; echo; echo ip=$POD_IP node=$NODE_NAME mem=$MEM'],
          resources: { limits: { memory: '64Mi' } },
          env: [
            { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
            { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
          ],
          volumeMounts: [{ name: 'podinfo', mountPath: '/etc/podinfo' }],
        },
      ],
    });
    expect(log).toMatch(new RegExp(`^${name}\\nip=10\\.\\d+\\.\\d+\\.\\d+ node=node-\\d+ mem=64\\n$`));
  });

  it.concurrent('EmptyDir volumes on tmpfs have the correct mode, and are shared between containers', async () => {
    const log = await output(`pod-emptydir-${randomSuffix()}`, {
      volumes: [{ name: 'shared', emptyDir: { medium: 'Memory' } }],
      initContainers: [
        {
          name: 'writer',
          image: IMAGE,
          command: ['sh', '-c', 'echo from init > /shared/file'],
          volumeMounts: [{ name: 'shared', mountPath: '/shared' }],
        },
      ],
      containers: [
        {
          name: 'c',
          image: IMAGE,
          command: [
            'sh',
            '-c',
            'stat -c %a /shared; grep " /shared " /proc/mounts | cut -d" " -f3; cat /shared/file',
          ],
          volumeMounts: [{ name: 'shared', mountPath: '/shared' }],
        },
      ],
    });
    expect(log).toBe('777\ntmpfs\nfrom init\n');
  });

  it.concurrent('a pod gets its ServiceAccount token, the cluster CA and its namespace, and the token is its own', async () => {
    const log = await output(`pod-token-${randomSuffix()}`, {
      containers: [
        {
          name: 'c',
          image: IMAGE,
          command: [
            'sh',
            '-c',
            'd=/var/run/secrets/kubernetes.io/serviceaccount; cat $d/namespace; echo; test -s $d/ca.crt && echo ca; cat $d/token',
          ],
        },
      ],
    });
    const [podNamespace, ca, token] = log.split('\n');
    expect([podNamespace, ca]).toEqual([namespace, 'ca']);
    // The API takes the token as the pod's ServiceAccount.
    const review = await skiff.request(
      'POST',
      '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
      { Authorization: `Bearer ${token}` },
    );
    expect(review.status).toBe(201);
    expect(
      ((await review.json()) as { status: { userInfo: { username: string } } }).status.userInfo.username,
    ).toBe(`system:serviceaccount:${namespace}:default`);
  });

  it.concurrent('Pods should contain environment variables for services [NodeConformance]', async () => {
    await client.create(refFor('Service', namespace), {
      metadata: { name: 'fooservice', labels: { name: 'fooservice' } },
      spec: {
        clusterIP: '10.96.201.10',
        ports: [{ port: 8765, targetPort: 8080 }],
        selector: { name: 'server' },
      },
    });
    const log = await output(`client-envvars-${randomSuffix()}`, {
      containers: [{ name: 'env3cont', image: IMAGE, command: ['sh', '-c', 'env'] }],
    });
    for (const variable of [
      'FOOSERVICE_SERVICE_HOST=10.96.201.10',
      'FOOSERVICE_SERVICE_PORT=8765',
      'FOOSERVICE_PORT=tcp://10.96.201.10:8765',
      'FOOSERVICE_PORT_8765_TCP_PORT=8765',
      'FOOSERVICE_PORT_8765_TCP_PROTO=tcp',
      'FOOSERVICE_PORT_8765_TCP=tcp://10.96.201.10:8765',
      'FOOSERVICE_PORT_8765_TCP_ADDR=10.96.201.10',
    ]) {
      expect(log).toContain(variable);
    }
  });

  it.concurrent('ConfigMap updates should be reflected in volume', async () => {
    await client.create(refFor('ConfigMap', namespace), {
      metadata: { name: 'cm-upd' },
      data: { 'data-1': 'value-1' },
    });
    const name = `pod-configmap-upd-${randomSuffix()}`;
    await create(
      pod(name, {
        terminationGracePeriodSeconds: 0,
        volumes: [{ name: 'cm', configMap: { name: 'cm-upd' } }],
        containers: [
          {
            name: 'c',
            image: IMAGE,
            command: ['sh', '-c', 'while true; do cat /etc/cm/data-1; echo; sleep 1; done'],
            volumeMounts: [{ name: 'cm', mountPath: '/etc/cm' }],
          },
        ],
      }),
    );
    await waitFor(name, running);
    await client.patch(refFor('ConfigMap', namespace), 'cm-upd', 'merge', { data: { 'data-1': 'value-2' } });
    // The node refreshes volumes when it syncs the pod; touching the pod makes it sync now.
    await client.patch(pods(), name, 'merge', { metadata: { labels: { touched: 'yes' } } });
    await poll(
      async () =>
        (
          await (await skiff.request('GET', `/api/v1/namespaces/${namespace}/pods/${name}/log`)).text()
        ).includes('value-2'),
      30_000,
      500,
    );
  });
});

describe.skipIf(!containerd)(
  '[sig-node] Container Lifecycle Hook when create a pod with lifecycle hook',
  () => {
    it('should execute poststart http hook and prestop exec hook properly [NodeConformance]', async () => {
      const handler = `pod-handle-http-request-${randomSuffix()}`;
      await create(
        pod(handler, {
          terminationGracePeriodSeconds: 0,
          containers: [
            { name: 'agnhost-container', image: IMAGE, command: ['/agnhost', 'netexec', '--http-port=8080'] },
          ],
        }),
      );
      const handlerIP = (await waitFor(handler, running)).status?.podIP;
      const handlerLog = async () =>
        (await skiff.request('GET', `/api/v1/namespaces/${namespace}/pods/${handler}/log`)).text();

      const hooked = `pod-with-hooks-${randomSuffix()}`;
      await create(
        pod(hooked, {
          terminationGracePeriodSeconds: 15,
          containers: [
            {
              name: 'c',
              image: IMAGE,
              command: ['/agnhost', 'pause'],
              lifecycle: {
                postStart: { httpGet: { host: handlerIP, port: 8080, path: '/echo?msg=poststart' } },
                preStop: {
                  exec: { command: ['sh', '-c', `wget -qO- "http://${handlerIP}:8080/echo?msg=prestop"`] },
                },
              },
            },
          ],
        }),
      );
      await waitFor(hooked, running);
      await poll(async () => (await handlerLog()).includes('GET /echo?msg=poststart'), 30_000, 500);
      await client.delete(pods(), hooked, { gracePeriodSeconds: 15 });
      await gone(hooked);
      expect(await handlerLog()).toContain('GET /echo?msg=prestop');
    });
  },
);
