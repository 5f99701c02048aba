import { describe, expect, it } from 'vitest';
import type { ContainerStatus as CriContainerStatus } from './cri/client.js';
import { podPhase, podStatus, type StatusInputs } from './pod-status.js';
import type { ContainerStatus, Pod } from './pod-types.js';

const pod = (spec: Partial<Pod['spec']> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'default', uid: 'u1' },
  spec: { containers: [{ name: 'c', image: 'skiff.local/testimage:1' }], ...spec },
  status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] },
});

const seconds = (s: number) => String(BigInt(s) * 1_000_000_000n + 1_700_000_000_000_000_000n);

function cri(
  name: string,
  attempt: number,
  state: CriContainerStatus['state'],
  exitCode = 0,
): CriContainerStatus {
  return {
    id: `${name}-${attempt}`,
    metadata: { name, attempt },
    state,
    created_at: seconds(attempt * 10),
    started_at: state === 'CONTAINER_CREATED' ? '0' : seconds(attempt * 10 + 1),
    finished_at: state === 'CONTAINER_EXITED' ? seconds(attempt * 10 + 5) : '0',
    exit_code: exitCode,
    image: { image: 'skiff.local/testimage:1' },
    image_ref: 'sha256:abc',
    reason: state === 'CONTAINER_EXITED' ? (exitCode === 0 ? 'Completed' : 'Error') : '',
    message: '',
    labels: { 'io.kubernetes.container.name': name },
    annotations: {},
    log_path: '',
  };
}

function inputs(
  target: Pod,
  containers: Record<string, CriContainerStatus[]>,
  extra: Partial<StatusInputs> = {},
): StatusInputs {
  return {
    pod: target,
    now: new Date('2026-11-22T10:00:00Z'),
    hostIPs: ['192.0.2.10'],
    podIPs: ['10.88.0.5'],
    sandboxReady: true,
    containers: new Map(Object.entries(containers)),
    waiting: new Map(),
    ready: new Set(),
    started: new Set(),
    terminationMessages: new Map(),
    ...extra,
  };
}

const running = (name: string): ContainerStatus => ({
  name,
  state: { running: {} },
  lastState: {},
  ready: true,
  restartCount: 0,
  image: '',
  imageID: '',
});
const exited = (name: string, exitCode: number): ContainerStatus => ({
  ...running(name),
  state: { terminated: { exitCode } },
});
const waitingAfter = (name: string, exitCode: number): ContainerStatus => ({
  ...running(name),
  state: { waiting: { reason: 'CrashLoopBackOff' } },
  lastState: { terminated: { exitCode } },
});

describe('podPhase', () => {
  it('is Running while a container runs, Pending while one has never started', () => {
    expect(podPhase(pod(), [], [running('c')])).toBe('Running');
    expect(podPhase(pod(), [], [running('a'), { ...running('b'), state: { waiting: {} } }])).toBe('Pending');
  });

  it('follows the restart policy once every container has stopped', () => {
    expect(podPhase(pod({ restartPolicy: 'Never' }), [], [exited('c', 0)])).toBe('Succeeded');
    expect(podPhase(pod({ restartPolicy: 'Never' }), [], [exited('c', 1)])).toBe('Failed');
    expect(podPhase(pod({ restartPolicy: 'OnFailure' }), [], [exited('c', 1)])).toBe('Running');
    expect(podPhase(pod({ restartPolicy: 'OnFailure' }), [], [exited('c', 0)])).toBe('Succeeded');
    expect(podPhase(pod({ restartPolicy: 'Always' }), [], [waitingAfter('c', 1)])).toBe('Running');
  });

  it('keeps a pod Pending while init containers run, and fails a Never pod whose init failed', () => {
    const spec = { initContainers: [{ name: 'i1' }, { name: 'i2' }] };
    const waitingInit = { ...running('i2'), state: { waiting: { reason: 'PodInitializing' } } };
    const appWaiting = { ...running('c'), state: { waiting: { reason: 'PodInitializing' } } };
    expect(podPhase(pod(spec), [running('i1'), waitingInit], [appWaiting])).toBe('Pending');
    expect(
      podPhase(pod({ ...spec, restartPolicy: 'Never' }), [exited('i1', 0), exited('i2', 1)], [appWaiting]),
    ).toBe('Failed');
    expect(podPhase(pod(spec), [waitingAfter('i1', 1), waitingInit], [appWaiting])).toBe('Pending');
  });
});

describe('podStatus', () => {
  it('reports a running, ready container with its ids, times and the pod and host IPs', () => {
    const status = podStatus(
      inputs(
        pod(),
        { c: [cri('c', 0, 'CONTAINER_RUNNING')] },
        { ready: new Set(['c']), started: new Set(['c']) },
      ),
    );
    expect(status.phase).toBe('Running');
    expect(status.podIP).toBe('10.88.0.5');
    expect(status.hostIP).toBe('192.0.2.10');
    expect(status.containerStatuses?.[0]).toMatchObject({
      name: 'c',
      ready: true,
      started: true,
      restartCount: 0,
      containerID: 'containerd://c-0',
      imageID: 'sha256:abc',
      state: { running: { startedAt: '2023-11-14T22:13:21Z' } },
    });
    const types = status.conditions?.map((condition) => `${condition.type}=${condition.status}`);
    expect(types).toEqual([
      'PodScheduled=True',
      'PodReadyToStartContainers=True',
      'Initialized=True',
      'Ready=True',
      'ContainersReady=True',
    ]);
  });

  it('shows a crash-looping container as waiting with its last run as lastState', () => {
    const status = podStatus(
      inputs(
        pod(),
        { c: [cri('c', 2, 'CONTAINER_EXITED', 1), cri('c', 1, 'CONTAINER_EXITED', 1)] },
        {
          waiting: new Map([
            [
              'c',
              {
                reason: 'CrashLoopBackOff',
                message: 'back-off 20s restarting failed container=c pod=web_default(u1)',
              },
            ],
          ]),
        },
      ),
    );
    const container = status.containerStatuses![0]!;
    expect(container.restartCount).toBe(2);
    expect(container.state.waiting?.reason).toBe('CrashLoopBackOff');
    expect(container.lastState.terminated).toMatchObject({
      exitCode: 1,
      reason: 'Error',
      containerID: 'containerd://c-2',
    });
    expect(status.conditions?.find((condition) => condition.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotReady',
      message: 'containers with unready status: [c]',
    });
  });

  it('names the init containers that have not completed', () => {
    const target = pod({ initContainers: [{ name: 'init1' }, { name: 'init2' }], restartPolicy: 'Always' });
    const status = podStatus(
      inputs(
        target,
        { init1: [cri('init1', 3, 'CONTAINER_EXITED', 1)] },
        {
          waiting: new Map([['init1', { reason: 'CrashLoopBackOff' }]]),
        },
      ),
    );
    expect(status.phase).toBe('Pending');
    expect(status.initContainerStatuses?.map((container) => container.state.waiting?.reason)).toEqual([
      'CrashLoopBackOff',
      'PodInitializing',
    ]);
    expect(status.containerStatuses?.[0]?.state.waiting?.reason).toBe('PodInitializing');
    expect(status.conditions?.find((condition) => condition.type === 'Initialized')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotInitialized',
      message: 'containers with incomplete status: [init1 init2]',
    });
  });

  it('keeps transition times of conditions that did not change, and a finished pod finished', () => {
    const target = pod({ restartPolicy: 'Never' });
    target.status = {
      phase: 'Succeeded',
      conditions: [{ type: 'Initialized', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }],
    };
    const status = podStatus(inputs(target, {}, { sandboxReady: false }));
    expect(status.phase).toBe('Succeeded');
    expect(status.conditions?.find((condition) => condition.type === 'Initialized')?.lastTransitionTime).toBe(
      '2026-01-01T00:00:00Z',
    );
    expect(status.conditions?.find((condition) => condition.type === 'Ready')?.reason).toBe('PodCompleted');
  });

  it('uses the termination message read for an exited container', () => {
    const status = podStatus(
      inputs(
        pod({ restartPolicy: 'Never' }),
        { c: [cri('c', 0, 'CONTAINER_EXITED', 1)] },
        {
          terminationMessages: new Map([['c-0', 'DONE']]),
        },
      ),
    );
    expect(status.phase).toBe('Failed');
    expect(status.containerStatuses?.[0]?.state.terminated?.message).toBe('DONE');
  });
});
