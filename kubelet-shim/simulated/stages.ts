/**
 * What a simulated node does to its pods, as data (kwok's Stage objects, kept to what Skiff needs). A
 * pod's stage is the first in the table whose selector matches it; after the stage's delay (a fixed
 * part plus random jitter) its `next` is applied, if the stage still matches then:
 *
 *   pod-delete    deletionTimestamp set            → deleted (grace period 0, uid precondition)
 *   pod-complete  Running, and it finishes (below)  → Succeeded / Failed, containers terminated
 *   pod-ready     Pending (not yet started)         → Running and Ready, containers running, podIP
 *
 * A pod finishes when its restartPolicy is not Always and either a Job owns it (exit code 0) or it
 * carries the annotation `simulation.skiff.io/exit-code: "<n>"`: 0 → Succeeded; anything else under
 * restartPolicy Never → Failed (reason Error); under OnFailure a kubelet would restart the container,
 * so a non-zero code leaves the pod Running. Other pods run until deleted.
 *
 * Nothing here writes: `next` returns the status to write, and the simulator writes it through
 * `pods/status`.
 */
import type { ContainerStatus, Pod, PodCondition, PodStatus } from '../pod-types.js';

export const EXIT_CODE_ANNOTATION = 'simulation.skiff.io/exit-code';

/** `durationMs` plus a uniformly random share of `jitterMs`. */
export interface StageDelay {
  readonly durationMs: number;
  readonly jitterMs: number;
}

/** What a stage's `next` may ask of the node its pod is on. */
export interface StageContext {
  readonly nodeName: string;
  /** The node's InternalIP: the pod's hostIP. */
  readonly hostIP: string;
  /** The pod's address from the node's pod range (the same one on every call for a pod). */
  podIP(pod: Pod): string;
  readonly nowMs: number;
}

export type StageNext =
  | { readonly delete: true }
  | { readonly status: (pod: Pod, context: StageContext) => PodStatus };

export interface Stage {
  readonly name: string;
  readonly selector: (pod: Pod) => boolean;
  readonly delay: StageDelay;
  readonly next: StageNext;
}

export interface StageDelays {
  readonly ready?: StageDelay;
  readonly complete?: StageDelay;
  readonly delete?: StageDelay;
}

/** Small, so a test's pods run within moments; jittered, so a thousand pods do not move in lockstep. */
export const DEFAULT_STAGE_DELAY: StageDelay = { durationMs: 0, jitterMs: 100 };

const formatTime = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

/** The exit code a finishing pod ends with, or undefined if it keeps running. */
export function exitCodeFor(pod: Pod): number | undefined {
  const restartPolicy = pod.spec?.restartPolicy ?? 'Always';
  if (restartPolicy === 'Always') return undefined;
  const annotated = pod.metadata?.annotations?.[EXIT_CODE_ANNOTATION];
  const ownedByJob = pod.metadata?.ownerReferences?.some(
    (owner) => owner.kind === 'Job' && owner.apiVersion.startsWith('batch/') && owner.controller === true,
  );
  if (annotated === undefined && !ownedByJob) return undefined;
  const code = annotated === undefined ? 0 : Number.parseInt(annotated, 10);
  if (!Number.isInteger(code)) return undefined;
  if (code !== 0 && restartPolicy === 'OnFailure') return undefined;
  return code;
}

/**
 * A condition as the kubelet sets it: its transition time kept from the pod's current condition of
 * that type when the status is unchanged.
 */
function condition(pod: Pod, type: string, status: boolean, nowMs: number, reason?: string): PodCondition {
  const value = status ? 'True' : 'False';
  const before = pod.status?.conditions?.find((existing) => existing.type === type);
  return {
    type,
    status: value,
    lastProbeTime: null,
    lastTransitionTime:
      before?.status === value && before.lastTransitionTime ? before.lastTransitionTime : formatTime(nowMs),
    ...(reason ? { reason } : {}),
  };
}

function addresses(
  pod: Pod,
  context: StageContext,
): Pick<PodStatus, 'hostIP' | 'hostIPs' | 'podIP' | 'podIPs'> {
  // A host-network pod shares the node's address, as on a real node.
  const podIP = pod.spec?.hostNetwork ? context.hostIP : context.podIP(pod);
  return { hostIP: context.hostIP, hostIPs: [{ ip: context.hostIP }], podIP, podIPs: [{ ip: podIP }] };
}

const containerID = (pod: Pod, name: string) => `sim://${pod.metadata?.uid ?? ''}-${name}`;

/** pod-ready: what the kubelet reports once every container has started and is ready. */
export function readyStatus(pod: Pod, context: StageContext): PodStatus {
  const now = formatTime(context.nowMs);
  const startTime = pod.status?.startTime ?? now;
  const running = (container: { name: string; image?: string }): ContainerStatus => ({
    name: container.name,
    image: container.image ?? '',
    imageID: `sim://${container.image ?? ''}`,
    containerID: containerID(pod, container.name),
    ready: true,
    started: true,
    restartCount: 0,
    state: { running: { startedAt: now } },
    lastState: {},
  });
  const initContainers = pod.spec?.initContainers ?? [];
  return {
    phase: 'Running',
    conditions: [
      condition(pod, 'PodReadyToStartContainers', true, context.nowMs),
      condition(pod, 'Initialized', true, context.nowMs),
      condition(pod, 'Ready', true, context.nowMs),
      condition(pod, 'ContainersReady', true, context.nowMs),
      condition(pod, 'PodScheduled', true, context.nowMs),
    ],
    ...addresses(pod, context),
    startTime,
    ...(initContainers.length
      ? {
          initContainerStatuses: initContainers.map((container) =>
            // A sidecar (an init container that restarts Always) keeps running; the others ran and ended.
            container.restartPolicy === 'Always'
              ? running(container)
              : {
                  ...running(container),
                  ready: false,
                  started: false,
                  state: {
                    terminated: {
                      exitCode: 0,
                      reason: 'Completed',
                      startedAt: now,
                      finishedAt: now,
                      containerID: containerID(pod, container.name),
                    },
                  },
                },
          ),
        }
      : {}),
    containerStatuses: (pod.spec?.containers ?? []).map(running),
  };
}

/** pod-complete: every container exited with the pod's exit code; the pod is terminal. */
export function completedStatus(pod: Pod, context: StageContext): PodStatus {
  const now = formatTime(context.nowMs);
  const code = exitCodeFor(pod) ?? 0;
  const succeeded = code === 0;
  const startedAt = (name: string) =>
    pod.status?.containerStatuses?.find((status) => status.name === name)?.state?.running?.startedAt ?? now;
  return {
    phase: succeeded ? 'Succeeded' : 'Failed',
    conditions: [
      condition(pod, 'PodReadyToStartContainers', false, context.nowMs),
      condition(pod, 'Initialized', true, context.nowMs, 'PodCompleted'),
      condition(pod, 'Ready', false, context.nowMs, 'PodCompleted'),
      condition(pod, 'ContainersReady', false, context.nowMs, 'PodCompleted'),
      condition(pod, 'PodScheduled', true, context.nowMs),
    ],
    ...addresses(pod, context),
    startTime: pod.status?.startTime ?? now,
    containerStatuses: (pod.spec?.containers ?? []).map((container) => ({
      name: container.name,
      image: container.image ?? '',
      imageID: `sim://${container.image ?? ''}`,
      containerID: containerID(pod, container.name),
      ready: false,
      started: false,
      restartCount: 0,
      state: {
        terminated: {
          exitCode: code,
          reason: succeeded ? 'Completed' : 'Error',
          startedAt: startedAt(container.name),
          finishedAt: now,
          containerID: containerID(pod, container.name),
        },
      },
      lastState: {},
    })),
  };
}

const terminal = (pod: Pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/** The default table, in the order stages are tried. */
export function defaultStages(delays: StageDelays = {}): readonly Stage[] {
  return [
    {
      name: 'pod-delete',
      selector: (pod) => pod.metadata?.deletionTimestamp !== undefined,
      delay: delays.delete ?? DEFAULT_STAGE_DELAY,
      next: { delete: true },
    },
    {
      name: 'pod-complete',
      selector: (pod) => pod.status?.phase === 'Running' && exitCodeFor(pod) !== undefined,
      delay: delays.complete ?? DEFAULT_STAGE_DELAY,
      next: { status: completedStatus },
    },
    {
      name: 'pod-ready',
      selector: (pod) => !terminal(pod) && pod.status?.phase !== 'Running',
      delay: delays.ready ?? DEFAULT_STAGE_DELAY,
      next: { status: readyStatus },
    },
  ];
}

/** The first stage that applies to `pod`, if any. */
export function stageFor(stages: readonly Stage[], pod: Pod): Stage | undefined {
  return stages.find((stage) => stage.selector(pod));
}

/** A delay drawn for one pod entering a stage. */
export function drawDelay(delay: StageDelay, random: () => number = Math.random): number {
  return delay.durationMs + Math.floor(random() * delay.jitterMs);
}
