import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../resource.js';
import { pods } from './core-pods.js';

const now = Date.parse('2025-06-01T12:00:00Z');
const ago = (milliseconds: number) => new Date(now - milliseconds).toISOString().replace(/\.\d{3}Z$/, 'Z');
const minutes = (count: number) => count * 60_000;

function row(pod: KubeObject): Record<string, unknown> {
  return Object.fromEntries((pods.columns ?? []).map((column) => [column.name, column.cell(pod, now)]));
}

function pod(overrides: { spec?: object; status?: object; metadata?: object }): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web-1',
      namespace: 'default',
      creationTimestamp: ago(minutes(42)),
      ...overrides.metadata,
    },
    spec: { containers: [{ name: 'app', image: 'nginx:1.27' }], ...overrides.spec },
    status: overrides.status ?? {},
  };
}

const running = { running: { startedAt: ago(minutes(40)) } };
const twoContainers = {
  containers: [
    { name: 'app', image: 'nginx:1.27' },
    { name: 'log', image: 'fluent-bit:3' },
  ],
};

describe('the pod table', () => {
  it('has the columns kubectl get pods shows, the last four only with -o wide', () => {
    expect(
      pods.columns?.map(({ name, type, format, priority }) => [name, type, format, priority ?? 0]),
    ).toEqual([
      ['Name', 'string', 'name', 0],
      ['Ready', 'string', undefined, 0],
      ['Status', 'string', undefined, 0],
      ['Restarts', 'string', undefined, 0],
      ['Age', 'string', undefined, 0],
      ['IP', 'string', undefined, 1],
      ['Node', 'string', undefined, 1],
      ['Nominated Node', 'string', undefined, 1],
      ['Readiness Gates', 'string', undefined, 1],
    ]);
  });

  it('a pod with one of two containers ready and 3 restarts 5 minutes ago prints 1/2 Running 3 (5m ago)', () => {
    const webPod = pod({
      spec: { ...twoContainers, nodeName: 'node-1' },
      status: {
        phase: 'Running',
        podIP: '10.244.1.7',
        podIPs: [{ ip: '10.244.1.7' }],
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [
          { name: 'app', ready: true, restartCount: 0, state: running },
          {
            name: 'log',
            ready: false,
            restartCount: 3,
            state: running,
            lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(minutes(5)) } },
          },
        ],
      },
    });
    expect(row(webPod)).toEqual({
      Name: 'web-1',
      Ready: '1/2',
      Status: 'Running',
      Restarts: '3 (5m ago)',
      Age: '42m',
      IP: '10.244.1.7',
      Node: 'node-1',
      'Nominated Node': '<none>',
      'Readiness Gates': '<none>',
    });
  });

  it('a pending pod not yet scheduled shows <none> for its IP and node', () => {
    const pending = row(pod({ status: { phase: 'Pending' } }));
    expect([pending.Ready, pending.Status, pending.Restarts, pending.IP, pending.Node]).toEqual([
      '0/1',
      'Pending',
      '0',
      '<none>',
      '<none>',
    ]);
  });

  it.each([
    [
      'a container being created',
      {
        phase: 'Pending',
        containerStatuses: [{ name: 'app', state: { waiting: { reason: 'ContainerCreating' } } }],
      },
      'ContainerCreating',
    ],
    [
      'a crash-looping container',
      {
        phase: 'Running',
        containerStatuses: [
          { name: 'app', restartCount: 6, state: { waiting: { reason: 'CrashLoopBackOff' } } },
        ],
      },
      'CrashLoopBackOff',
    ],
    [
      'a finished pod',
      {
        phase: 'Succeeded',
        containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
      },
      'Completed',
    ],
    [
      'a container killed for memory',
      {
        phase: 'Running',
        containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }],
      },
      'OOMKilled',
    ],
    [
      'a container that exited without a reason',
      { phase: 'Failed', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 3 } } }] },
      'ExitCode:3',
    ],
    [
      'a container killed by a signal without a reason',
      {
        phase: 'Failed',
        containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 137, signal: 9 } } }],
      },
      'Signal:9',
    ],
    ['an evicted pod', { phase: 'Failed', reason: 'Evicted', message: 'low on memory' }, 'Evicted'],
    [
      'a pod held by a scheduling gate',
      {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }],
      },
      'SchedulingGated',
    ],
  ])('shows %s', (_, status, expected) => {
    expect(row(pod({ status })).Status).toBe(expected);
  });

  it('lets the first container listed have the last word on the status', () => {
    const status = row(
      pod({
        spec: twoContainers,
        status: {
          phase: 'Running',
          containerStatuses: [
            { name: 'app', state: { waiting: { reason: 'ImagePullBackOff' } } },
            { name: 'log', state: { waiting: { reason: 'CrashLoopBackOff' } } },
          ],
        },
      }),
    ).Status;
    expect(status).toBe('ImagePullBackOff');
  });

  it('reads Running when one container completed while another still runs in a ready pod', () => {
    const status = {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [
        { name: 'app', ready: true, state: running },
        { name: 'log', ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
      ],
    };
    expect(row(pod({ spec: twoContainers, status })).Status).toBe('Running');
    const notReady = { ...status, conditions: [{ type: 'Ready', status: 'False' }] };
    expect(row(pod({ spec: twoContainers, status: notReady })).Status).toBe('NotReady');
  });

  describe('while init containers run', () => {
    const spec = {
      initContainers: [
        { name: 'migrate', image: 'migrate:1' },
        { name: 'warm', image: 'warm:1' },
      ],
    };
    const done = { name: 'migrate', state: { terminated: { exitCode: 0, reason: 'Completed' } } };

    it.each([
      [
        'the first one running',
        [
          { name: 'migrate', state: running },
          { name: 'warm', state: { waiting: { reason: 'PodInitializing' } } },
        ],
        'Init:0/2',
      ],
      ['the second one running', [done, { name: 'warm', state: running }], 'Init:1/2'],
      [
        'one crash-looping',
        [done, { name: 'warm', restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } }],
        'Init:CrashLoopBackOff',
      ],
      [
        'one failed',
        [{ name: 'migrate', state: { terminated: { exitCode: 1, reason: 'Error' } } }],
        'Init:Error',
      ],
      [
        'one failed without a reason',
        [{ name: 'migrate', state: { terminated: { exitCode: 2 } } }],
        'Init:ExitCode:2',
      ],
      [
        'one killed by a signal',
        [{ name: 'migrate', state: { terminated: { exitCode: 143, signal: 15 } } }],
        'Init:Signal:15',
      ],
    ])('shows %s', (_, initContainerStatuses, expected) => {
      const initPod = pod({
        spec,
        status: {
          phase: 'Pending',
          initContainerStatuses,
          containerStatuses: [{ name: 'app', state: { waiting: { reason: 'PodInitializing' } } }],
        },
      });
      expect(row(initPod).Status).toBe(expected);
    });

    it('counts init container restarts while initialising', () => {
      const initPod = pod({
        spec,
        status: {
          phase: 'Pending',
          initContainerStatuses: [
            {
              name: 'migrate',
              restartCount: 4,
              state: { waiting: { reason: 'CrashLoopBackOff' } },
              lastState: { terminated: { exitCode: 1, finishedAt: ago(minutes(2)) } },
            },
          ],
        },
      });
      expect(row(initPod).Restarts).toBe('4 (2m ago)');
    });
  });

  it('counts a started sidecar as a container, ready when it is', () => {
    const withSidecar = pod({
      spec: { initContainers: [{ name: 'proxy', image: 'envoy:1', restartPolicy: 'Always' }] },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Initialized', status: 'True' }],
        initContainerStatuses: [
          { name: 'proxy', started: true, ready: true, restartCount: 1, state: running },
        ],
        containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: running }],
      },
    });
    expect([row(withSidecar).Ready, row(withSidecar).Status, row(withSidecar).Restarts]).toEqual([
      '2/2',
      'Running',
      '1',
    ]);
  });

  it.each([
    ['a running pod being deleted', 'Running', undefined, 'Terminating'],
    ['a finished pod being deleted', 'Succeeded', undefined, 'Succeeded'],
    ['a pod on a lost node being deleted', 'Running', 'NodeLost', 'Unknown'],
  ])('shows %s as %s', (_, phase, reason, expected) => {
    const deleting = pod({
      metadata: { deletionTimestamp: ago(minutes(1)), deletionGracePeriodSeconds: 30 },
      status: { phase, ...(reason ? { reason } : {}) },
    });
    expect(row(deleting).Status).toBe(expected);
  });

  it('shows the nominated node and how many readiness gates are satisfied', () => {
    const gated = pod({
      spec: { readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }] },
      status: {
        phase: 'Running',
        nominatedNodeName: 'node-2',
        conditions: [
          { type: 'example.com/lb', status: 'True' },
          { type: 'example.com/dns', status: 'False' },
        ],
      },
    });
    expect([row(gated)['Nominated Node'], row(gated)['Readiness Gates']]).toEqual(['node-2', '1/2']);
  });
});

describe('pod field selectors', () => {
  const selectable = pods.fieldSelectors ?? {};
  const read = (field: string, object: KubeObject) => selectable[field]?.(object);

  it('offers the fields upstream accepts for pods', () => {
    expect(Object.keys(selectable).sort()).toEqual([
      'spec.host',
      'spec.hostNetwork',
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'status.nominatedNodeName',
      'status.phase',
      'status.podIP',
      'status.podIPs',
    ]);
  });

  it('reads an unscheduled pod as spec.nodeName empty', () => {
    expect(read('spec.nodeName', pod({}))).toBe('');
  });

  it('reads hostNetwork as Go prints a bool, false when absent', () => {
    expect(read('spec.hostNetwork', pod({}))).toBe('false');
    expect(read('spec.hostNetwork', pod({ spec: { hostNetwork: true } }))).toBe('true');
  });

  it('reads status.podIP from the first of status.podIPs', () => {
    const dualStack = pod({ status: { podIPs: [{ ip: '10.0.0.5' }, { ip: 'fd00::5' }] } });
    expect(read('status.podIP', dualStack)).toBe('10.0.0.5');
  });

  it('accepts status.podIPs but never matches a value, as upstream', () => {
    expect(read('status.podIPs', pod({ status: { podIPs: [{ ip: '10.0.0.5' }] } }))).toBe('');
  });

  it('reads the legacy spec.host as the node name', () => {
    expect(read('spec.host', pod({ spec: { nodeName: 'node-1' } }))).toBe('node-1');
  });
});
