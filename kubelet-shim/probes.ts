/**
 * The prober: one worker per running container and probe, as upstream's prober manager. A worker
 * waits `initialDelaySeconds` from the container's start, then runs its probe every `periodSeconds`;
 * a result flips only after `successThreshold` or `failureThreshold` runs in a row agree. Until the
 * startup probe succeeds, neither liveness nor readiness runs. Every flip is reported to the sync loop,
 * which restarts a container that failed liveness or startup and reports readiness in the pod's status.
 */
import type { CriClient } from './cri/client.js';
import { runHandler } from './handlers.js';
import type { Container, Pod, Probe } from './pod-types.js';

export type ProbeKind = 'liveness' | 'readiness' | 'startup';

const probeKinds: readonly ProbeKind[] = ['startup', 'liveness', 'readiness'];

export interface ProbeEvents {
  /** A result changed: the pod should be synced again. */
  changed(podUid: string): void;
  /** A probe failed (upstream's `Unhealthy` warning event). */
  failed(pod: Pod, container: Container, kind: ProbeKind, output: string): void;
}

interface Worker {
  readonly containerId: string;
  readonly kind: ProbeKind;
  /** undefined: no result yet. */
  result: boolean | undefined;
  successes: number;
  failures: number;
  timer?: NodeJS.Timeout;
  stopped: boolean;
}

const probeOf = (container: Container, kind: ProbeKind): Probe | undefined =>
  kind === 'liveness'
    ? container.livenessProbe
    : kind === 'readiness'
      ? container.readinessProbe
      : container.startupProbe;

export class ProbeManager {
  /** pod uid → `<container>/<kind>` → worker */
  private readonly workers = new Map<string, Map<string, Worker>>();

  constructor(
    private readonly cri: CriClient,
    private readonly events: ProbeEvents,
    private readonly userAgent = 'kube-probe/1.33',
  ) {}

  /**
   * Brings the workers in line with the pod's running containers (name → id, started at): a new
   * container id (a restart) starts fresh workers; a container no longer running loses its workers.
   */
  sync(pod: Pod, podIP: string, running: ReadonlyMap<string, { id: string; startedAt: number }>): void {
    const uid = pod.metadata?.uid ?? '';
    let workers = this.workers.get(uid);
    const wanted = new Set<string>();
    for (const container of pod.spec.containers) {
      const instance = running.get(container.name);
      if (!instance) continue;
      for (const kind of probeKinds) {
        const probe = probeOf(container, kind);
        if (!probe) continue;
        const key = `${container.name}/${kind}`;
        wanted.add(key);
        const existing = workers?.get(key);
        if (existing?.containerId === instance.id) continue;
        if (existing) this.stopWorker(existing);
        workers ??= new Map();
        this.workers.set(uid, workers);
        const worker: Worker = {
          containerId: instance.id,
          kind,
          result: undefined,
          successes: 0,
          failures: 0,
          stopped: false,
        };
        workers.set(key, worker);
        const delay = Math.max(0, instance.startedAt + (probe.initialDelaySeconds ?? 0) * 1000 - Date.now());
        worker.timer = setTimeout(() => void this.run(pod, podIP, container, probe, worker), delay);
      }
    }
    for (const [key, worker] of workers ?? []) {
      if (!wanted.has(key)) {
        this.stopWorker(worker);
        workers!.delete(key);
      }
    }
  }

  /** Whether the container counts as ready (readiness probe passed, or none). */
  ready(pod: Pod, container: Container, containerId: string): boolean {
    if (!this.started(pod, container, containerId)) return false;
    if (!container.readinessProbe) return true;
    return this.result(pod, container.name, 'readiness', containerId) === true;
  }

  started(pod: Pod, container: Container, containerId: string): boolean {
    if (!container.startupProbe) return true;
    return this.result(pod, container.name, 'startup', containerId) === true;
  }

  /** The probe that failed and wants the container restarted, if any. */
  failedLiveness(pod: Pod, container: Container, containerId: string): 'liveness' | 'startup' | undefined {
    if (this.result(pod, container.name, 'startup', containerId) === false) return 'startup';
    if (this.result(pod, container.name, 'liveness', containerId) === false) return 'liveness';
    return undefined;
  }

  remove(podUid: string): void {
    for (const worker of this.workers.get(podUid)?.values() ?? []) this.stopWorker(worker);
    this.workers.delete(podUid);
  }

  stop(): void {
    for (const uid of [...this.workers.keys()]) this.remove(uid);
  }

  private result(pod: Pod, name: string, kind: ProbeKind, containerId: string): boolean | undefined {
    const worker = this.workers.get(pod.metadata?.uid ?? '')?.get(`${name}/${kind}`);
    return worker?.containerId === containerId ? worker.result : undefined;
  }

  private stopWorker(worker: Worker): void {
    worker.stopped = true;
    clearTimeout(worker.timer);
  }

  private async run(
    pod: Pod,
    podIP: string,
    container: Container,
    probe: Probe,
    worker: Worker,
  ): Promise<void> {
    if (worker.stopped) return;
    const uid = pod.metadata?.uid ?? '';
    const startup =
      worker.kind === 'startup' ? undefined : this.workers.get(uid)?.get(`${container.name}/startup`);
    // Liveness and readiness wait for the startup probe; a finished worker (failed liveness) waits for
    // the restart that replaces it.
    const waiting =
      (startup && startup.result !== true) || (worker.kind !== 'readiness' && worker.result === false);
    if (!waiting) {
      const outcome = await runHandler(probe, {
        cri: this.cri,
        containerId: worker.containerId,
        container,
        podIP,
        timeoutSeconds: probe.timeoutSeconds ?? 1,
        userAgent: this.userAgent,
      });
      if (worker.stopped) return;
      if (outcome.success) {
        worker.successes++;
        worker.failures = 0;
      } else {
        worker.failures++;
        worker.successes = 0;
        this.events.failed(pod, container, worker.kind, outcome.output);
      }
      const before = worker.result;
      if (outcome.success && worker.successes >= (probe.successThreshold ?? 1)) worker.result = true;
      if (!outcome.success && worker.failures >= (probe.failureThreshold ?? 3)) worker.result = false;
      if (before !== worker.result) this.events.changed(uid);
    }
    worker.timer = setTimeout(
      () => void this.run(pod, podIP, container, probe, worker),
      (probe.periodSeconds ?? 10) * 1000,
    );
  }
}
