/**
 * The pod sync loop's one step: bring one pod's containers from what the runtime has to what the pod
 * asks for, then report what is true. Level-triggered and idempotent, as upstream's SyncPod: every call
 * looks at the runtime afresh (the node may have restarted, containers may have died), does the next
 * thing that is due, and writes the pod's status if it changed. The caller serialises calls per pod and
 * calls again when the pod, its containers or its probes change, and at the time `sync` asks for.
 *
 * What it does, in order: a pod being deleted is stopped (preStop hooks, then SIGTERM, SIGKILL after the
 * grace period) and its deletion confirmed; a finished pod's containers stay stopped; a pod past its
 * activeDeadlineSeconds is stopped and fails; otherwise its volumes are set up, its sandbox started (a
 * dead one replaced), its init containers run one at a time, and its containers started and restarted
 * as its restartPolicy says, with the crash-loop back-off, and killed when a liveness probe fails.
 */
import { mkdir, open, readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventRecorder, EventType } from '../client/event-recorder.js';
import { Backoff } from './backoff.js';
import {
  type CriClient,
  type ContainerStatus as CriContainerStatus,
  grpcCode,
  type Mount,
} from './cri/client.js';
import { runHandler } from './handlers.js';
import {
  allContainers,
  annotations,
  containerConfig,
  type DnsSettings,
  hostsFile,
  labels,
  sandboxConfig,
} from './pod-spec.js';
import { type ContainerHistory, podStatus, type WaitingReason } from './pod-status.js';
import type { Container, Pod, PodStatus } from './pod-types.js';
import type { ProbeManager } from './probes.js';
import type { ContainerRuntimeInfo, PodRuntimeInfo } from './server.js';

/** What the sync loop needs from the volume manager and the environment builder. */
export interface PodEnvironment {
  /** Sets up (or refreshes) the pod's volumes; throws with a message for the FailedMount event. */
  setUpVolumes(pod: Pod): Promise<void>;
  /** The container's mounts of the pod's volumes. */
  mounts(pod: Pod, container: Container, env: ReadonlyMap<string, string>): Mount[];
  /** The container's environment; throws with a message for CreateContainerConfigError. */
  env(pod: Pod, container: Container, podIPs: readonly string[]): Promise<{ key: string; value: string }[]>;
  /** `$(VAR)` expansion of command and args. */
  expand(values: readonly string[], env: ReadonlyMap<string, string>): string[];
  tearDownVolumes(podUid: string): Promise<void>;
}

export interface PodSyncOptions {
  readonly cri: CriClient;
  readonly environment: PodEnvironment;
  readonly probes: ProbeManager;
  readonly recorder: EventRecorder;
  readonly dns: DnsSettings;
  readonly clusterDomain: string;
  /** The node's addresses: a host-network pod's IPs, and every pod's hostIP. */
  readonly hostIPs: readonly string[];
  /** pods/<uid>/ (volumes, hosts file, termination messages) and logs/ live here. */
  readonly rootDir: string;
  /** This node's name: its CRI objects carry it, and it touches no others. */
  readonly nodeName: string;
  /** Writes the pod's status (a merge patch of pods/status); resolves when written. */
  writeStatus(pod: Pod, status: PodStatus): Promise<void>;
  /** Confirms a pod's deletion to the API (grace period 0, uid precondition). */
  confirmDeletion(pod: Pod): Promise<void>;
  readonly now?: () => number;
}

/** What a sync asks of its caller: call again in this many ms (a back-off ending, a grace period). */
export interface SyncResult {
  readonly retryAfterMs?: number;
}

/** The runtime's view of one pod, read at the start of each sync. */
interface RuntimeView {
  sandbox?: { id: string; ready: boolean; attempt: number; ips: string[] };
  /** Every sandbox of the pod, the current one first. */
  sandboxes: { id: string; ready: boolean; attempt: number }[];
  containers: Map<string, CriContainerStatus[]>;
}

const terminationMessageLimit = 4096;
/** A failed container's message from its log: at most this much of the end (upstream's fallback). */
const fallbackLogLines = 80;
const fallbackLogBytes = 2048;

export class PodSync {
  private readonly backoff: Backoff;
  private readonly now: () => number;
  /** Waiting reasons the runtime cannot tell (back-off, config errors), by pod uid then container. */
  private readonly waiting = new Map<string, Map<string, WaitingReason>>();
  /** Termination messages read once per container id. */
  private readonly messages = new Map<string, Map<string, string>>();
  /** What was last written per pod, to write only changes. */
  private readonly written = new Map<string, string>();
  /** Pods this node ended itself (activeDeadlineSeconds): their phase and reason. */
  private readonly ended = new Map<string, { phase: 'Failed'; reason: string; message: string }>();
  /** The runtime's view of each pod as last inspected, for the node's logs, exec and port-forward. */
  private readonly views = new Map<string, RuntimeView>();

  constructor(private readonly options: PodSyncOptions) {
    this.now = options.now ?? Date.now;
    this.backoff = new Backoff(10_000, 300_000, this.now);
  }

  podDir(uid: string): string {
    return join(this.options.rootDir, 'pods', uid);
  }

  logDir(pod: Pod): string {
    const metadata = pod.metadata ?? {};
    return join(this.options.rootDir, 'logs', `${metadata.namespace}_${metadata.name}_${metadata.uid}`);
  }

  async sync(pod: Pod): Promise<SyncResult> {
    const uid = pod.metadata?.uid ?? '';
    const view = await this.inspect(uid);
    if (pod.metadata?.deletionTimestamp) return this.terminate(pod, view);
    const finished =
      pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed' || this.ended.has(uid);
    if (finished) {
      await this.stopAll(pod, view, 0);
      // A finished pod gives back its network; its stopped containers stay for their logs.
      if (view.sandbox?.ready) await ignoreNotFound(this.options.cri.stopPodSandbox(view.sandbox.id));
      await this.report(pod, await this.inspect(uid));
      return {};
    }
    const deadline = this.activeDeadline(pod);
    if (deadline !== undefined && deadline <= 0) {
      this.ended.set(uid, {
        phase: 'Failed',
        reason: 'DeadlineExceeded',
        message: 'Pod was active on the node longer than the specified deadline',
      });
      this.event(
        pod,
        'Normal',
        'DeadlineExceeded',
        'Pod was active on the node longer than the specified deadline',
      );
      await this.stopAll(pod, view, pod.spec.terminationGracePeriodSeconds ?? 30);
      await this.report(pod, await this.inspect(uid));
      return {};
    }
    const retry = await this.converge(pod, view);
    await this.report(pod, await this.inspect(uid));
    const wake = [retry, deadline].filter((value): value is number => value !== undefined && value > 0);
    return wake.length > 0 ? { retryAfterMs: Math.min(...wake) } : {};
  }

  /** The pod is gone from the API (or was force-deleted): stop and remove everything it had here. */
  async remove(uid: string): Promise<void> {
    const view = await this.inspect(uid);
    for (const sandbox of view.sandboxes) {
      await ignoreNotFound(this.options.cri.stopPodSandbox(sandbox.id));
      await ignoreNotFound(this.options.cri.removePodSandbox(sandbox.id));
    }
    this.options.probes.remove(uid);
    this.backoff.forget(`${uid}/`);
    this.waiting.delete(uid);
    this.messages.delete(uid);
    this.written.delete(uid);
    this.ended.delete(uid);
    this.views.delete(uid);
    await this.options.environment.tearDownVolumes(uid);
    await rm(this.podDir(uid), { recursive: true, force: true });
    // The logs go with the pod (their directory ends in its uid).
    const logs = join(this.options.rootDir, 'logs');
    for (const entry of await readdir(logs).catch(() => [] as string[])) {
      if (entry.endsWith(`_${uid}`)) await rm(join(logs, entry), { recursive: true, force: true });
    }
    await removeCgroups(uid);
  }

  /** Milliseconds left before activeDeadlineSeconds runs out; undefined without one or before start. */
  private activeDeadline(pod: Pod): number | undefined {
    const seconds = pod.spec.activeDeadlineSeconds;
    const start = pod.status?.startTime;
    if (seconds === undefined || !start) return undefined;
    return Date.parse(start) + seconds * 1000 - this.now();
  }

  private async inspect(uid: string): Promise<RuntimeView> {
    const { cri } = this.options;
    const sandboxes = (
      await cri.listPodSandbox({
        label_selector: { [labels.podUid]: uid, [labels.node]: this.options.nodeName },
      })
    )
      .map((sandbox) => ({
        id: sandbox.id,
        ready: sandbox.state === 'SANDBOX_READY',
        attempt: sandbox.metadata.attempt,
        created: BigInt(sandbox.created_at),
      }))
      .sort((a, b) => (a.created === b.created ? 0 : a.created > b.created ? -1 : 1));
    const current = sandboxes[0];
    let sandbox: RuntimeView['sandbox'];
    if (current) {
      const status = current.ready
        ? await cri.podSandboxStatus(current.id).catch(() => undefined)
        : undefined;
      const ips = status?.network
        ? [status.network.ip, ...status.network.additional_ips.map((ip) => ip.ip)].filter((ip) => ip !== '')
        : [];
      sandbox = {
        id: current.id,
        ready: current.ready && status?.state === 'SANDBOX_READY',
        attempt: current.attempt,
        ips,
      };
    }
    const containers = new Map<string, CriContainerStatus[]>();
    const listed = current
      ? await cri.listContainers({
          label_selector: { [labels.podUid]: uid, [labels.node]: this.options.nodeName },
        })
      : [];
    const statuses = await Promise.all(
      listed.map((container) => cri.containerStatus(container.id).catch(() => undefined)),
    );
    for (const status of statuses) {
      if (!status) continue;
      const name = status.labels[labels.containerName] ?? status.metadata.name;
      const history = containers.get(name) ?? [];
      history.push(status);
      containers.set(name, history);
    }
    for (const history of containers.values())
      history.sort((a, b) => b.metadata.attempt - a.metadata.attempt);
    const view = { ...(sandbox ? { sandbox } : {}), sandboxes, containers };
    this.views.set(uid, view);
    return view;
  }

  /**
   * What the node's endpoint needs of a pod as last inspected: its sandbox, and for every container of
   * its spec the current (or last) attempt, its log and the previous attempt's.
   */
  runtimeInfo(pod: Pod): PodRuntimeInfo {
    const uid = pod.metadata?.uid ?? '';
    const view = this.views.get(uid);
    const containers = new Map<string, ContainerRuntimeInfo>();
    for (const container of allContainers(pod)) {
      const [latest, previous] = view?.containers.get(container.name) ?? [];
      const waiting = this.waiting.get(uid)?.get(container.name)?.reason;
      containers.set(container.name, {
        ...(latest ? { id: latest.id, logPath: latest.log_path } : {}),
        ...(previous?.log_path ? { previousLogPath: previous.log_path } : {}),
        running: latest?.state === 'CONTAINER_RUNNING',
        ...(waiting ? { waitingReason: waiting } : {}),
      });
    }
    return { uid, ...(view?.sandbox?.ready ? { sandboxId: view.sandbox.id } : {}), containers };
  }

  /** The next step toward what the pod asks for; returns when to look again, if a wait is under way. */
  private async converge(pod: Pod, view: RuntimeView): Promise<number | undefined> {
    const uid = pod.metadata?.uid ?? '';
    const waiting = this.waitingFor(uid);
    try {
      await this.options.environment.setUpVolumes(pod);
    } catch (error) {
      const message = errorMessage(error);
      this.event(pod, 'Warning', 'FailedMount', message);
      return 2_000;
    }
    let sandbox = view.sandbox;
    if (!sandbox?.ready) {
      sandbox = await this.startSandbox(pod, view);
      if (!sandbox) return 2_000;
      view.containers = new Map();
    }
    const podIPs = pod.spec.hostNetwork ? [...this.options.hostIPs] : sandbox.ips;
    const hostsPath = join(this.podDir(uid), 'etc-hosts');
    await writeFile(hostsPath, hostsFile(pod, podIPs, this.options.clusterDomain));
    const restartPolicy = pod.spec.restartPolicy ?? 'Always';

    // Init containers, one at a time, each to success before the next.
    for (const container of pod.spec.initContainers ?? []) {
      const history = view.containers.get(container.name) ?? [];
      const latest = history[0];
      if (latest?.state === 'CONTAINER_RUNNING') return undefined;
      if (latest?.state === 'CONTAINER_EXITED' && latest.exit_code === 0) continue;
      if (latest?.state === 'CONTAINER_EXITED' && restartPolicy === 'Never') return undefined;
      return this.startOrBackOff(pod, container, true, latest, sandbox.id, podIPs, hostsPath);
    }

    let retry: number | undefined;
    const running = new Map<string, { id: string; startedAt: number }>();
    for (const container of pod.spec.containers) {
      const history = view.containers.get(container.name) ?? [];
      let latest = history[0];
      if (latest?.state === 'CONTAINER_RUNNING') {
        const failed = this.options.probes.failedLiveness(pod, container, latest.id);
        if (!failed) {
          running.set(container.name, { id: latest.id, startedAt: nanosToMs(latest.started_at) });
          continue;
        }
        const message = `Container ${container.name} failed ${failed} probe, will be restarted`;
        this.event(pod, 'Normal', 'Killing', message, container.name);
        await this.stopContainer(pod, container, latest.id, this.gracePeriod(pod, container, failed));
        latest = await this.options.cri.containerStatus(latest.id);
      }
      if (latest?.state === 'CONTAINER_EXITED') {
        const restart =
          restartPolicy === 'Always' || (restartPolicy === 'OnFailure' && latest.exit_code !== 0);
        if (!restart) {
          waiting.delete(container.name);
          continue;
        }
      }
      const wait = await this.startOrBackOff(pod, container, false, latest, sandbox.id, podIPs, hostsPath);
      if (wait !== undefined) retry = Math.min(retry ?? wait, wait);
    }
    // Containers started just now are picked up by the next sync's runtime view.
    this.options.probes.sync(pod, podIPs[0] ?? '', running);
    return retry;
  }

  private waitingFor(uid: string): Map<string, WaitingReason> {
    let waiting = this.waiting.get(uid);
    if (!waiting) {
      waiting = new Map();
      this.waiting.set(uid, waiting);
    }
    return waiting;
  }

  private async startSandbox(pod: Pod, view: RuntimeView): Promise<RuntimeView['sandbox']> {
    const { cri } = this.options;
    const uid = pod.metadata?.uid ?? '';
    // A dead sandbox takes its containers with it: the pod starts over in a new one.
    for (const old of view.sandboxes) {
      await ignoreNotFound(cri.stopPodSandbox(old.id));
      await ignoreNotFound(cri.removePodSandbox(old.id));
    }
    const attempt = view.sandboxes.length > 0 ? Math.max(...view.sandboxes.map((old) => old.attempt)) + 1 : 0;
    if (attempt > 0)
      this.event(pod, 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
    await mkdir(this.podDir(uid), { recursive: true });
    await mkdir(this.logDir(pod), { recursive: true });
    try {
      const config = sandboxConfig(pod, {
        attempt,
        logDirectory: this.logDir(pod),
        dns: this.options.dns,
        nodeName: this.options.nodeName,
      });
      const id = await cri.runPodSandbox(config);
      const status = await cri.podSandboxStatus(id);
      const ips = status.network
        ? [status.network.ip, ...status.network.additional_ips.map((ip) => ip.ip)].filter((ip) => ip !== '')
        : [];
      return { id, ready: true, attempt, ips };
    } catch (error) {
      this.event(
        pod,
        'Warning',
        'FailedCreatePodSandBox',
        `Failed to create pod sandbox: ${errorMessage(error)}`,
      );
      return undefined;
    }
  }

  /**
   * Starts the container unless it is backing off; returns the ms left of the back-off when it is. A
   * container that has never run starts at once.
   */
  private async startOrBackOff(
    pod: Pod,
    container: Container,
    init: boolean,
    latest: CriContainerStatus | undefined,
    sandboxId: string,
    podIPs: string[],
    hostsPath: string,
  ): Promise<number | undefined> {
    const uid = pod.metadata?.uid ?? '';
    const waiting = this.waitingFor(uid);
    const key = `${uid}/${container.name}`;
    if (latest?.state === 'CONTAINER_EXITED') {
      const left = this.backoff.remaining(key, nanosToMs(latest.finished_at));
      if (left > 0) {
        const delay = Math.round(this.backoff.delay(key) / 1000);
        const message = `back-off ${formatSeconds(delay)} restarting failed container=${container.name} pod=${pod.metadata?.name}_${pod.metadata?.namespace}(${uid})`;
        waiting.set(container.name, { reason: 'CrashLoopBackOff', message });
        this.event(
          pod,
          'Warning',
          'BackOff',
          `Back-off restarting failed container ${container.name} in pod ${pod.metadata?.name}_${pod.metadata?.namespace}(${uid})`,
          container.name,
        );
        return left;
      }
      this.backoff.restarted(key);
    }
    if (latest?.state === 'CONTAINER_CREATED' || latest?.state === 'CONTAINER_UNKNOWN') {
      await ignoreNotFound(this.options.cri.removeContainer(latest.id));
    }
    const attempt = latest ? latest.metadata.attempt + 1 : 0;
    const failure = await this.startContainer(pod, container, init, attempt, sandboxId, podIPs, hostsPath);
    if (failure) {
      waiting.set(container.name, failure);
      return failure.reason === 'ErrImageNeverPull' || failure.reason === 'CreateContainerConfigError'
        ? 2_000
        : 10_000;
    }
    waiting.delete(container.name);
    return undefined;
  }

  /** Creates and starts one container; returns why not when it could not. */
  private async startContainer(
    pod: Pod,
    container: Container,
    init: boolean,
    attempt: number,
    sandboxId: string,
    podIPs: string[],
    hostsPath: string,
  ): Promise<WaitingReason | undefined> {
    const { cri, environment } = this.options;
    const image = normalizeImage(container.image ?? '');
    const present = await cri.imageStatus(image);
    if (!present) {
      if (container.imagePullPolicy === 'Never') {
        const message = `Container image "${container.image}" is not present with pull policy of Never`;
        this.event(pod, 'Warning', 'ErrImageNeverPull', message, container.name);
        return { reason: 'ErrImageNeverPull', message };
      }
      // No registry is reachable from Skiff's nodes: images are imported (`skiff image import`).
      const message = `image "${container.image}" is not present on the node; import it with \`skiff image import\``;
      this.event(
        pod,
        'Warning',
        'Failed',
        `Failed to pull image "${container.image}": ${message}`,
        container.name,
      );
      return { reason: 'ErrImagePull', message };
    }
    this.event(
      pod,
      'Normal',
      'Pulled',
      `Container image "${container.image}" already present on machine`,
      container.name,
    );
    let env: { key: string; value: string }[];
    try {
      env = await environment.env(pod, container, podIPs);
    } catch (error) {
      const message = errorMessage(error);
      this.event(pod, 'Warning', 'Failed', `Error: ${message}`, container.name);
      return { reason: 'CreateContainerConfigError', message };
    }
    const variables = new Map(env.map((entry) => [entry.key, entry.value]));
    const uid = pod.metadata?.uid ?? '';
    const messageDir = join(this.podDir(uid), 'containers', container.name);
    await mkdir(messageDir, { recursive: true });
    const messageFile = join(messageDir, `${attempt}-termination-log`);
    await writeFile(messageFile, '', { mode: 0o666 });
    const mounts: Mount[] = [
      ...environment.mounts(pod, container, variables),
      {
        container_path: container.terminationMessagePath ?? '/dev/termination-log',
        host_path: messageFile,
        readonly: false,
      },
    ];
    if (!pod.spec.hostNetwork && !mounts.some((mount) => mount.container_path === '/etc/hosts')) {
      mounts.push({ container_path: '/etc/hosts', host_path: hostsPath, readonly: false });
    }
    let id: string;
    try {
      const sandbox = sandboxConfig(pod, {
        attempt: 0,
        logDirectory: this.logDir(pod),
        dns: this.options.dns,
        nodeName: this.options.nodeName,
      });
      id = await cri.createContainer(
        sandboxId,
        containerConfig(pod, container, {
          attempt,
          init,
          image,
          command: environment.expand(container.command ?? [], variables),
          args: environment.expand(container.args ?? [], variables),
          env,
          mounts,
          logPath: join(container.name, `${attempt}.log`),
          nodeName: this.options.nodeName,
        }),
        sandbox,
      );
    } catch (error) {
      const message = errorMessage(error);
      this.event(pod, 'Warning', 'Failed', `Error: ${message}`, container.name);
      return { reason: 'CreateContainerError', message };
    }
    this.event(pod, 'Normal', 'Created', `Created container ${container.name}`, container.name);
    try {
      await cri.startContainer(id);
    } catch (error) {
      const message = errorMessage(error);
      this.event(pod, 'Warning', 'Failed', `Error: ${message}`, container.name);
      return { reason: 'RunContainerError', message };
    }
    this.event(pod, 'Normal', 'Started', `Started container ${container.name}`, container.name);
    const postStart = container.lifecycle?.postStart;
    if (postStart) {
      const result = await runHandler(postStart, {
        cri,
        containerId: id,
        container,
        podIP: podIPs[0] ?? '',
        timeoutSeconds: pod.spec.terminationGracePeriodSeconds ?? 30,
      });
      if (!result.success) {
        const message = `PostStartHook failed: ${result.output}`.trim();
        this.event(pod, 'Warning', 'FailedPostStartHook', message, container.name);
        await this.stopContainer(pod, container, id, pod.spec.terminationGracePeriodSeconds ?? 30, false);
        return { reason: 'PostStartHookError', message };
      }
    }
    return undefined;
  }

  private gracePeriod(pod: Pod, container: Container, probe?: 'liveness' | 'startup'): number {
    const fromProbe = probe
      ? (probe === 'liveness' ? container.livenessProbe : container.startupProbe)
          ?.terminationGracePeriodSeconds
      : undefined;
    return fromProbe ?? pod.spec.terminationGracePeriodSeconds ?? 30;
  }

  /** preStop (if asked and the container runs), then SIGTERM and SIGKILL after what is left of the grace. */
  private async stopContainer(
    pod: Pod,
    container: Container | undefined,
    id: string,
    graceSeconds: number,
    preStop = true,
  ): Promise<void> {
    const started = this.now();
    const hook = container?.lifecycle?.preStop;
    if (preStop && hook && container) {
      const result = await Promise.race([
        runHandler(hook, {
          cri: this.options.cri,
          containerId: id,
          container,
          podIP: (await this.podIPOf(pod)) ?? '',
          timeoutSeconds: Math.max(1, graceSeconds),
        }),
        delay(graceSeconds * 1000).then(() => ({ success: false, output: 'the grace period ran out' })),
      ]);
      if (!result.success) {
        this.event(
          pod,
          'Warning',
          'FailedPreStopHook',
          `PreStopHook failed: ${result.output}`.trim(),
          container.name,
        );
      }
    }
    const left = Math.max(0, Math.ceil(graceSeconds - (this.now() - started) / 1000));
    await ignoreNotFound(this.options.cri.stopContainer(id, left));
  }

  private async podIPOf(pod: Pod): Promise<string | undefined> {
    if (pod.spec.hostNetwork) return this.options.hostIPs[0];
    return pod.status?.podIP;
  }

  /** Stops every running container of the pod (containers in parallel, as the kubelet does). */
  private async stopAll(pod: Pod, view: RuntimeView, graceSeconds: number): Promise<void> {
    const byName = new Map(allContainers(pod).map((container) => [container.name, container]));
    const stops: Promise<void>[] = [];
    for (const [name, history] of view.containers) {
      for (const status of history) {
        if (status.state !== 'CONTAINER_RUNNING' && status.state !== 'CONTAINER_CREATED') continue;
        const container = byName.get(name);
        if (status.state === 'CONTAINER_RUNNING') {
          this.event(pod, 'Normal', 'Killing', `Stopping container ${name}`, name);
        }
        stops.push(this.stopContainer(pod, container, status.id, graceSeconds));
      }
    }
    await Promise.all(stops);
    this.options.probes.remove(pod.metadata?.uid ?? '');
  }

  /** A pod being deleted: stop it within its grace period, report, confirm the deletion, clean up. */
  private async terminate(pod: Pod, view: RuntimeView): Promise<SyncResult> {
    const grace = pod.metadata?.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    await this.stopAll(pod, view, grace);
    if (view.sandbox) await ignoreNotFound(this.options.cri.stopPodSandbox(view.sandbox.id));
    await this.report(pod, await this.inspect(pod.metadata?.uid ?? ''));
    await this.options.confirmDeletion(pod);
    return {};
  }

  /** Computes the pod's status from the runtime and writes it when it changed. */
  private async report(pod: Pod, view: RuntimeView): Promise<void> {
    const uid = pod.metadata?.uid ?? '';
    const ready = new Set<string>();
    const started = new Set<string>();
    const histories = new Map<string, ContainerHistory>();
    for (const container of allContainers(pod)) {
      const history = view.containers.get(container.name) ?? [];
      histories.set(container.name, history);
      const latest = history[0];
      if (latest?.state !== 'CONTAINER_RUNNING') continue;
      if (this.options.probes.started(pod, container, latest.id)) started.add(container.name);
      if (this.options.probes.ready(pod, container, latest.id)) ready.add(container.name);
    }
    const messages = await this.terminationMessages(pod, view);
    const status = podStatus({
      pod,
      now: new Date(this.now()),
      hostIPs: this.options.hostIPs,
      podIPs: view.sandbox?.ips ?? pod.status?.podIPs?.map((ip) => ip.ip) ?? [],
      sandboxReady: view.sandbox?.ready === true,
      containers: histories,
      waiting: this.waiting.get(uid) ?? new Map(),
      ready,
      started,
      terminationMessages: messages,
      ...(this.ended.has(uid) ? { terminal: this.ended.get(uid)! } : {}),
    });
    const serialized = JSON.stringify(withoutTimes(status));
    if (this.written.get(uid) === serialized && sameConditions(pod.status, status)) return;
    await this.options.writeStatus(pod, status);
    this.written.set(uid, serialized);
  }

  /** Reads (once per container) the termination message of each exited container. */
  private async terminationMessages(pod: Pod, view: RuntimeView): Promise<Map<string, string>> {
    const uid = pod.metadata?.uid ?? '';
    let known = this.messages.get(uid);
    if (!known) {
      known = new Map();
      this.messages.set(uid, known);
    }
    const byName = new Map(allContainers(pod).map((container) => [container.name, container]));
    for (const [name, history] of view.containers) {
      for (const status of history.slice(0, 2)) {
        if (status.state !== 'CONTAINER_EXITED' || known.has(status.id)) continue;
        const file = join(this.podDir(uid), 'containers', name, `${status.metadata.attempt}-termination-log`);
        let message = (await readFile(file).catch(() => Buffer.alloc(0)))
          .subarray(0, terminationMessageLimit)
          .toString('utf8');
        const policy =
          byName.get(name)?.terminationMessagePolicy ??
          status.annotations[annotations.terminationMessagePolicy];
        if (!message && policy === 'FallbackToLogsOnError' && status.exit_code !== 0 && status.log_path) {
          message = await tailOfLog(status.log_path, fallbackLogLines, fallbackLogBytes);
        }
        known.set(status.id, message);
      }
    }
    return known;
  }

  private event(pod: Pod, type: EventType, reason: string, message: string, container?: string): void {
    const metadata = pod.metadata ?? {};
    this.options.recorder.event(
      {
        kind: 'Pod',
        apiVersion: 'v1',
        namespace: metadata.namespace ?? '',
        name: metadata.name ?? '',
        uid: metadata.uid ?? '',
        ...(container ? { fieldPath: fieldPathOf(pod, container) } : {}),
      },
      type,
      reason,
      message,
    );
  }
}

/** `spec.containers{web}` or `spec.initContainers{init}`, as kubelet events name a container. */
function fieldPathOf(pod: Pod, name: string): string {
  return pod.spec.initContainers?.some((container) => container.name === name)
    ? `spec.initContainers{${name}}`
    : `spec.containers{${name}}`;
}

/** Whether the pod's stored conditions are what was computed (someone else may have written them). */
function sameConditions(stored: PodStatus | undefined, computed: PodStatus): boolean {
  const key = (status: PodStatus | undefined) =>
    JSON.stringify((status?.conditions ?? []).map((condition) => [condition.type, condition.status]));
  return key(stored) === key(computed) && stored?.phase === computed.phase;
}

/** The status without the times that change on every computation of the same state. */
function withoutTimes(status: PodStatus): unknown {
  return { ...status, conditions: status.conditions?.map(({ lastTransitionTime: _, ...rest }) => rest) };
}

/** `busybox` → `docker.io/library/busybox:latest`, as the runtime names images. */
export function normalizeImage(image: string): string {
  let name = image;
  const firstSlash = name.indexOf('/');
  const domain = firstSlash === -1 ? '' : name.slice(0, firstSlash);
  if (firstSlash === -1 || (!domain.includes('.') && !domain.includes(':') && domain !== 'localhost')) {
    name = firstSlash === -1 ? `docker.io/library/${name}` : `docker.io/${name}`;
  }
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  if (!lastSegment.includes(':') && !name.includes('@')) name = `${name}:latest`;
  return name;
}

function nanosToMs(nanoseconds: string): number {
  return nanoseconds ? Number(BigInt(nanoseconds) / 1_000_000n) : 0;
}

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return rest === 0 ? `${minutes}m0s` : `${minutes}m${rest}s`;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function errorMessage(error: unknown): string {
  if (
    typeof error === 'object' &&
    error !== null &&
    'details' in error &&
    typeof error.details === 'string'
  ) {
    return error.details;
  }
  return error instanceof Error ? error.message : String(error);
}

async function ignoreNotFound(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (grpcCode(error) !== 5) throw error;
  }
}

/** The pod's cgroups: runc makes the parents and nobody else removes them. */
async function removeCgroups(uid: string): Promise<void> {
  const root = '/sys/fs/cgroup';
  const hierarchies = await readdir(root).catch(() => [] as string[]);
  await Promise.all(
    hierarchies.map((hierarchy) => rmdir(join(root, hierarchy, 'skiff', `pod${uid}`)).catch(() => undefined)),
  );
}

/**
 * The end of a CRI-format container log (`<time> <stream> <P|F> <text>` lines): the text of at most
 * `lines` lines and `bytes` bytes, for a failed container's termination message.
 */
async function tailOfLog(path: string, lines: number, bytes: number): Promise<string> {
  const file = await open(path, 'r').catch(() => undefined);
  if (!file) return '';
  try {
    const { size } = await file.stat();
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    await file.read(buffer, 0, length, size - length);
    let text = '';
    for (const line of buffer.toString('utf8').split('\n')) {
      const match = /^\S+ (?:stdout|stderr) ([PF]) (.*)$/.exec(line);
      if (match) text += match[1] === 'F' ? `${match[2]}\n` : match[2];
    }
    const tail = text
      .split('\n')
      .slice(-lines - 1)
      .join('\n');
    return Buffer.from(tail).subarray(-bytes).toString('utf8');
  } finally {
    await file.close();
  }
}
