/**
 * A pod's status from what the runtime says about it, as the kubelet reports it (upstream's
 * kubelet_pods.go generateAPIPodStatus and getPhase). Pure: the sync loop gathers the inputs.
 */
import type { ContainerStatus as CriContainerStatus } from './cri/client.js';
import type {
  Container,
  ContainerStateView,
  ContainerStatus,
  Pod,
  PodCondition,
  PodStatus,
} from './pod-types.js';

/** One container name's runtime history, newest attempt first. */
export type ContainerHistory = readonly CriContainerStatus[];

/** Why a container is not running, when the runtime alone cannot say (back-off, a bad image, …). */
export interface WaitingReason {
  readonly reason: string;
  readonly message?: string;
}

export interface StatusInputs {
  readonly pod: Pod;
  readonly now: Date;
  readonly hostIPs: readonly string[];
  /** The sandbox's IPs; empty until it runs (a host-network pod's are the node's). */
  readonly podIPs: readonly string[];
  readonly sandboxReady: boolean;
  readonly containers: ReadonlyMap<string, ContainerHistory>;
  readonly waiting: ReadonlyMap<string, WaitingReason>;
  /** Containers whose readiness probe passes (or that have none, once running). */
  readonly ready: ReadonlySet<string>;
  /** Containers whose startup probe has passed (or that have none, once running). */
  readonly started: ReadonlySet<string>;
  /** Termination messages read from the containers' message files or logs, by container id. */
  readonly terminationMessages: ReadonlyMap<string, string>;
  /** Set when the node ended the pod itself (activeDeadlineSeconds, eviction). */
  readonly terminal?: { readonly phase: 'Failed'; readonly reason: string; readonly message: string };
}

export function toTime(nanoseconds: string): string | undefined {
  if (!nanoseconds || nanoseconds === '0') return undefined;
  return new Date(Number(BigInt(nanoseconds) / 1_000_000n)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function restartCountOf(status: CriContainerStatus): number {
  return status.metadata.attempt;
}

function terminatedState(
  status: CriContainerStatus,
  messages: ReadonlyMap<string, string>,
): ContainerStateView {
  const message = messages.get(status.id) ?? status.message;
  return {
    terminated: {
      exitCode: status.exit_code,
      reason: status.reason || (status.exit_code === 0 ? 'Completed' : 'Error'),
      ...(message ? { message } : {}),
      ...(toTime(status.started_at) ? { startedAt: toTime(status.started_at)! } : {}),
      ...(toTime(status.finished_at) ? { finishedAt: toTime(status.finished_at)! } : {}),
      containerID: `containerd://${status.id}`,
    },
  };
}

function containerStatus(
  container: Container,
  history: ContainerHistory,
  inputs: StatusInputs,
  defaultWaiting: WaitingReason,
): ContainerStatus {
  const [latest, previous] = history;
  const waiting = inputs.waiting.get(container.name);
  const base = { name: container.name, image: container.image ?? '', imageID: '', restartCount: 0 };
  if (!latest) {
    const reason = waiting ?? defaultWaiting;
    return {
      ...base,
      state: { waiting: { reason: reason.reason, ...(reason.message ? { message: reason.message } : {}) } },
      lastState: {},
      ready: false,
      started: false,
    };
  }
  const identity = {
    ...base,
    imageID: latest.image_ref,
    containerID: `containerd://${latest.id}`,
    restartCount: restartCountOf(latest),
  };
  if (latest.state === 'CONTAINER_RUNNING') {
    return {
      ...identity,
      state: { running: { ...(toTime(latest.started_at) ? { startedAt: toTime(latest.started_at)! } : {}) } },
      lastState:
        previous?.state === 'CONTAINER_EXITED' ? terminatedState(previous, inputs.terminationMessages) : {},
      ready: inputs.ready.has(container.name),
      started: inputs.started.has(container.name),
    };
  }
  if (latest.state === 'CONTAINER_EXITED') {
    // Waiting to run again (back-off, or the restart is under way): the last run is the last state.
    if (waiting) {
      return {
        ...identity,
        state: {
          waiting: { reason: waiting.reason, ...(waiting.message ? { message: waiting.message } : {}) },
        },
        lastState: terminatedState(latest, inputs.terminationMessages),
        ready: false,
        started: false,
      };
    }
    return {
      ...identity,
      state: terminatedState(latest, inputs.terminationMessages),
      lastState:
        previous?.state === 'CONTAINER_EXITED' ? terminatedState(previous, inputs.terminationMessages) : {},
      ready: false,
      started: false,
    };
  }
  const reason = waiting ?? { reason: 'ContainerCreating' };
  return {
    ...identity,
    state: { waiting: { reason: reason.reason, ...(reason.message ? { message: reason.message } : {}) } },
    lastState:
      previous?.state === 'CONTAINER_EXITED' ? terminatedState(previous, inputs.terminationMessages) : {},
    ready: false,
    started: false,
  };
}

/** upstream's getPhase, for a pod without sidecar (restartable init) containers. */
export function podPhase(pod: Pod, initStatuses: ContainerStatus[], statuses: ContainerStatus[]): string {
  const restartPolicy = pod.spec.restartPolicy ?? 'Always';
  let pendingInitialization = 0;
  let failedInitialization = 0;
  for (const status of initStatuses) {
    if (status.state.running) pendingInitialization++;
    else if (status.state.terminated) {
      if (status.state.terminated.exitCode !== 0) failedInitialization++;
    } else if (status.lastState.terminated) {
      if (status.lastState.terminated.exitCode !== 0) failedInitialization++;
    } else pendingInitialization++;
  }
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const status of statuses) {
    if (status.state.running) running++;
    else if (status.state.terminated) {
      stopped++;
      if (status.state.terminated.exitCode === 0) succeeded++;
    } else if (status.lastState.terminated) stopped++;
    else waiting++;
  }
  if (failedInitialization > 0 && restartPolicy === 'Never') return 'Failed';
  if (pendingInitialization > 0 || waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (restartPolicy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (restartPolicy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function condition(
  existing: readonly PodCondition[],
  now: string,
  type: string,
  status: boolean,
  reason?: string,
  message?: string,
): PodCondition {
  const value = status ? 'True' : 'False';
  const before = existing.find((candidate) => candidate.type === type);
  return {
    type,
    status: value,
    lastProbeTime: null,
    lastTransitionTime:
      before?.status === value && before.lastTransitionTime ? before.lastTransitionTime : now,
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}

/** The conditions the kubelet owns; others (PodScheduled, DisruptionTarget, readiness gates) are kept. */
const kubeletConditions = new Set(['PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'Ready']);

export function podStatus(inputs: StatusInputs): PodStatus {
  const { pod } = inputs;
  const now = inputs.now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const previous = pod.status ?? {};
  const inits = pod.spec.initContainers ?? [];
  const initStatuses: ContainerStatus[] = [];
  let initializing = false;
  for (const container of inits) {
    const status = containerStatus(container, inputs.containers.get(container.name) ?? [], inputs, {
      reason: 'PodInitializing',
    });
    initStatuses.push(status);
    if (status.state.terminated?.exitCode !== 0) initializing = true;
  }
  const statuses = pod.spec.containers.map((container) =>
    containerStatus(container, inputs.containers.get(container.name) ?? [], inputs, {
      reason: inits.length > 0 && initializing ? 'PodInitializing' : 'ContainerCreating',
    }),
  );
  // Init containers that succeeded are ready, as upstream reports them.
  for (const status of initStatuses) {
    if (status.state.terminated?.exitCode === 0) status.ready = true;
  }

  let phase = podPhase(pod, initStatuses, statuses);
  // A pod that finished stays finished, whatever its containers do afterwards.
  if (previous.phase === 'Succeeded' || previous.phase === 'Failed') phase = previous.phase;
  if (inputs.terminal) phase = inputs.terminal.phase;
  const terminal = phase === 'Succeeded' || phase === 'Failed';

  const incompleteInits = inits
    .filter((_, index) => initStatuses[index]?.state.terminated?.exitCode !== 0)
    .map((container) => container.name);
  const unready = pod.spec.containers
    .filter((_, index) => !statuses[index]?.ready)
    .map((container) => container.name);
  const existing = previous.conditions ?? [];
  const notReadyReason = terminal ? 'PodCompleted' : 'ContainersNotReady';
  const notReadyMessage = terminal ? undefined : `containers with unready status: [${unready.join(' ')}]`;
  const conditions: PodCondition[] = [
    condition(existing, now, 'PodReadyToStartContainers', inputs.sandboxReady && !terminal),
    incompleteInits.length === 0
      ? condition(existing, now, 'Initialized', true)
      : condition(
          existing,
          now,
          'Initialized',
          false,
          terminal && phase === 'Succeeded' ? 'PodCompleted' : 'ContainersNotInitialized',
          `containers with incomplete status: [${incompleteInits.join(' ')}]`,
        ),
    unready.length === 0 && !terminal
      ? condition(existing, now, 'Ready', true)
      : condition(existing, now, 'Ready', false, notReadyReason, notReadyMessage),
    unready.length === 0 && !terminal
      ? condition(existing, now, 'ContainersReady', true)
      : condition(existing, now, 'ContainersReady', false, notReadyReason, notReadyMessage),
  ];
  const kept = existing.filter((candidate) => !kubeletConditions.has(candidate.type));
  const podIPs = pod.spec.hostNetwork ? inputs.hostIPs : inputs.podIPs;
  const startTime =
    previous.startTime ??
    (inputs.sandboxReady || initStatuses.length + statuses.length > 0 ? now : undefined);
  return {
    ...previous,
    phase,
    conditions: [...kept, ...conditions],
    ...(inputs.terminal ? { reason: inputs.terminal.reason, message: inputs.terminal.message } : {}),
    hostIP: inputs.hostIPs[0] ?? '',
    hostIPs: inputs.hostIPs.map((ip) => ({ ip })),
    ...(podIPs.length > 0 ? { podIP: podIPs[0]!, podIPs: podIPs.map((ip) => ({ ip })) } : {}),
    ...(startTime ? { startTime } : {}),
    ...(inits.length > 0 ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses: statuses,
  };
}
