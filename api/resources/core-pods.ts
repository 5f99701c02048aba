/**
 * Pods: the resource, its field selectors, and the printer behind `kubectl get pods`.
 *
 * The Status cell is the subtle part. It starts from the phase (or status.reason), then lets containers
 * override it, in upstream's order:
 *
 *   1. Init containers, in order: the first one not yet done decides — `Init:0/2` while it runs,
 *      `Init:CrashLoopBackOff` when it waits with a reason, `Init:Error` / `Init:ExitCode:1` when it
 *      failed. Sidecars (init containers with restartPolicy Always) count as done once started.
 *   2. Once initialised, app containers from last to first: a waiting reason (`CrashLoopBackOff`,
 *      `ContainerCreating`), a terminated reason (`Completed`, `OOMKilled`) or `ExitCode:N` wins; the
 *      first container listed therefore has the last word. `Completed` with a container still running
 *      reads `Running` (pod Ready) or `NotReady`.
 *   3. A pod being deleted reads `Terminating` unless it already finished; `Unknown` if its node was lost.
 *
 * Restarts counts app containers and sidecars (plain init containers too while initialising) and adds
 * how long ago the most recent restart was: `3 (5m ago)`.
 */
import { ageColumn, humanDuration, nameColumn, parseTimestamp } from '../printers.js';
import type { KubeObject, ResourceDefinition, TableColumn } from '../resource.js';
import { asArray, asBoolean, asInteger, asRecord, asString, isRecord, readPath } from './json.js';

interface PodSummary {
  readonly ready: string;
  readonly status: string;
  readonly restarts: string;
}

// Ready, Status and Restarts come from one walk over the container statuses; cache it per object so a
// list of thousands of pods walks each pod once, not three times.
const summaries = new WeakMap<KubeObject, { now: number; summary: PodSummary }>();

function summaryOf(pod: KubeObject, now: number): PodSummary {
  const cached = summaries.get(pod);
  if (cached?.now === now) return cached.summary;
  const summary = summarize(pod, now);
  summaries.set(pod, { now, summary });
  return summary;
}

/** The latest of two finish times, where undefined is Go's zero time (earlier than any other). */
function later(current: number | undefined, candidate: unknown): number | undefined {
  const parsed = parseTimestamp(candidate);
  if (parsed === undefined) return current;
  return current === undefined || parsed > current ? parsed : current;
}

function lastFinishedAt(containerStatus: unknown): unknown {
  return readPath(containerStatus, 'lastState', 'terminated', 'finishedAt');
}

/** `Signal:9` or `ExitCode:1` for a container that terminated without a reason. */
function terminationCode(terminated: Readonly<Record<string, unknown>>): string {
  const signal = asInteger(terminated.signal);
  return signal !== 0 ? `Signal:${signal}` : `ExitCode:${asInteger(terminated.exitCode)}`;
}

function hasTrueCondition(pod: KubeObject, type: string): boolean {
  // Upstream looks at the first condition of the type only.
  const condition = asArray(readPath(pod, 'status', 'conditions')).find(
    (candidate) => readPath(candidate, 'type') === type,
  );
  return readPath(condition, 'status') === 'True';
}

function summarize(pod: KubeObject, now: number): PodSummary {
  const status = asRecord(pod.status);
  const phase = asString(status.phase);
  let reason = asString(status.reason) || phase;
  for (const condition of asArray(status.conditions)) {
    if (
      readPath(condition, 'type') === 'PodScheduled' &&
      readPath(condition, 'reason') === 'SchedulingGated'
    ) {
      reason = 'SchedulingGated';
    }
  }

  const initContainers = asArray(readPath(pod, 'spec', 'initContainers'));
  // By name, as upstream keys them; a later duplicate name wins, as in a Go map.
  const isSidecar = new Map<string, boolean>();
  let sidecars = 0;
  for (const container of initContainers) {
    const sidecar = readPath(container, 'restartPolicy') === 'Always';
    isSidecar.set(asString(readPath(container, 'name')), sidecar);
    if (sidecar) sidecars++;
  }
  const totalContainers = asArray(readPath(pod, 'spec', 'containers')).length + sidecars;

  let restarts = 0;
  let lastRestart: number | undefined;
  let sidecarRestarts = 0;
  let lastSidecarRestart: number | undefined;
  let readyContainers = 0;
  let initializing = false;

  const initStatuses = asArray(status.initContainerStatuses);
  for (const [index, containerStatus] of initStatuses.entries()) {
    const restartCount = asInteger(readPath(containerStatus, 'restartCount'));
    restarts += restartCount;
    lastRestart = later(lastRestart, lastFinishedAt(containerStatus));
    const sidecar = isSidecar.get(asString(readPath(containerStatus, 'name'))) === true;
    if (sidecar) {
      sidecarRestarts += restartCount;
      lastSidecarRestart = later(lastSidecarRestart, lastFinishedAt(containerStatus));
    }
    const terminated = readPath(containerStatus, 'state', 'terminated');
    const waiting = readPath(containerStatus, 'state', 'waiting');
    if (isRecord(terminated) && asInteger(terminated.exitCode) === 0) continue;
    if (sidecar && readPath(containerStatus, 'started') === true) {
      if (readPath(containerStatus, 'ready') === true) readyContainers++;
      continue;
    }
    if (isRecord(terminated)) {
      const terminatedReason = asString(terminated.reason);
      reason = terminatedReason === '' ? `Init:${terminationCode(terminated)}` : `Init:${terminatedReason}`;
    } else if (isRecord(waiting) && asString(waiting.reason) !== '' && waiting.reason !== 'PodInitializing') {
      reason = `Init:${asString(waiting.reason)}`;
    } else {
      reason = `Init:${index}/${initContainers.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || hasTrueCondition(pod, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = asArray(status.containerStatuses);
    for (let index = statuses.length - 1; index >= 0; index--) {
      const containerStatus = statuses[index];
      restarts += asInteger(readPath(containerStatus, 'restartCount'));
      lastRestart = later(lastRestart, lastFinishedAt(containerStatus));
      const waiting = readPath(containerStatus, 'state', 'waiting');
      const terminated = readPath(containerStatus, 'state', 'terminated');
      if (isRecord(waiting) && asString(waiting.reason) !== '') {
        reason = asString(waiting.reason);
      } else if (isRecord(terminated)) {
        reason = asString(terminated.reason) || terminationCode(terminated);
      } else if (
        readPath(containerStatus, 'ready') === true &&
        isRecord(readPath(containerStatus, 'state', 'running'))
      ) {
        hasRunning = true;
        readyContainers++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = hasTrueCondition(pod, 'Ready') ? 'Running' : 'NotReady';
    }
  }

  const deleting = pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null;
  if (deleting && status.reason === 'NodeLost') {
    reason = 'Unknown';
  } else if (deleting && phase !== 'Succeeded' && phase !== 'Failed') {
    reason = 'Terminating';
  }

  const restartText =
    restarts !== 0 && lastRestart !== undefined
      ? `${restarts} (${humanDuration(now - lastRestart)} ago)`
      : String(restarts);
  return { ready: `${readyContainers}/${totalContainers}`, status: reason, restarts: restartText };
}

/**
 * The pod's primary IP. Upstream reads status.podIPs[0]; a v1 object carrying only the older
 * status.podIP converts to that same first entry.
 */
function primaryPodIP(pod: KubeObject): string {
  const first = asString(readPath(pod, 'status', 'podIPs', 0, 'ip'));
  return first !== '' ? first : asString(readPath(pod, 'status', 'podIP'));
}

function orNone(text: string): string {
  return text === '' ? '<none>' : text;
}

function readinessGates(pod: KubeObject): string {
  const gates = asArray(readPath(pod, 'spec', 'readinessGates'));
  if (gates.length === 0) return '<none>';
  const conditions = asArray(readPath(pod, 'status', 'conditions'));
  let satisfied = 0;
  for (const gate of gates) {
    const condition = conditions.find(
      (candidate) => readPath(candidate, 'type') === readPath(gate, 'conditionType'),
    );
    if (readPath(condition, 'status') === 'True') satisfied++;
  }
  return `${satisfied}/${gates.length}`;
}

export const podColumns: readonly TableColumn[] = [
  nameColumn,
  {
    name: 'Ready',
    type: 'string',
    description: 'Containers ready to serve, out of all the containers (sidecars included) the pod runs.',
    cell: (pod, now) => summaryOf(pod, now).ready,
  },
  {
    name: 'Status',
    type: 'string',
    description: "A one-word summary of the pod's state, derived from its phase and its containers' states.",
    cell: (pod, now) => summaryOf(pod, now).status,
  },
  {
    name: 'Restarts',
    type: 'string',
    description: 'Container restarts so far, with how long ago the most recent one happened.',
    cell: (pod, now) => summaryOf(pod, now).restarts,
  },
  ageColumn,
  {
    name: 'IP',
    type: 'string',
    priority: 1,
    description: "The pod's primary IP address.",
    cell: (pod) => orNone(primaryPodIP(pod)),
  },
  {
    name: 'Node',
    type: 'string',
    priority: 1,
    description: 'The node the pod is bound to.',
    cell: (pod) => orNone(asString(readPath(pod, 'spec', 'nodeName'))),
  },
  {
    name: 'Nominated Node',
    type: 'string',
    priority: 1,
    description: 'The node preemption has reserved for the pod, if any.',
    cell: (pod) => orNone(asString(readPath(pod, 'status', 'nominatedNodeName'))),
  },
  {
    name: 'Readiness Gates',
    type: 'string',
    priority: 1,
    description: 'Readiness gates whose condition is True, out of all the pod declares.',
    cell: readinessGates,
  },
];

export const pods: ResourceDefinition = {
  group: '',
  version: 'v1',
  kind: 'Pod',
  plural: 'pods',
  singular: 'pod',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
  schema: 'io.k8s.api.core.v1.Pod',
  // binding, eviction, ephemeralcontainers, log, exec and the other connect subresources are served
  // elsewhere, not by the generic handler.
  subresources: { status: true },
  // Since 1.33 the API server sets generation 1 on create and bumps it on spec changes, ungated
  // (KEP-5067; only status.observedGeneration is behind PodObservedGenerationTracking).
  generation: true,
  returnDeletedObject: true,
  columns: podColumns,
  fieldSelectors: {
    'spec.nodeName': (pod) => asString(readPath(pod, 'spec', 'nodeName')),
    // Old v1 clients send spec.host; upstream rewrites it to spec.nodeName before matching.
    'spec.host': (pod) => asString(readPath(pod, 'spec', 'nodeName')),
    'spec.restartPolicy': (pod) => asString(readPath(pod, 'spec', 'restartPolicy')),
    'spec.schedulerName': (pod) => asString(readPath(pod, 'spec', 'schedulerName')),
    'spec.serviceAccountName': (pod) => asString(readPath(pod, 'spec', 'serviceAccountName')),
    'spec.hostNetwork': (pod) => String(asBoolean(readPath(pod, 'spec', 'hostNetwork'))),
    'status.phase': (pod) => asString(readPath(pod, 'status', 'phase')),
    'status.podIP': primaryPodIP,
    // Accepted by upstream's field label conversion but never filled in by its selectable fields, so
    // `status.podIPs=10.0.0.1` is not an error there — it just matches nothing.
    'status.podIPs': () => '',
    'status.nominatedNodeName': (pod) => asString(readPath(pod, 'status', 'nominatedNodeName')),
  },
};
