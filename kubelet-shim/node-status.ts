/**
 * What the kubelet's node status manager and node lease controller do, for the real node and for
 * simulated ones (kubelet-shim/simulated/):
 *
 *   register ─► Node created (or an existing one adopted) with labels, capacity, addresses, nodeInfo,
 *               conditions; Lease kube-node-lease/<node> created
 *   every 10 s (renewIntervalMs) ─► Lease spec.renewTime = now                       (the heartbeat)
 *   every 10 s (nodeStatusUpdateFrequencyMs) ─► status computed; posted only when it differs from
 *               the last one posted (heartbeat times aside) or 5 min (nodeStatusReportFrequencyMs)
 *               have passed since — upstream's behaviour since node leases made status a slow path
 *
 * `NodeStatusReporter` holds one node's state and does each step on demand (`register`, `renewLease`,
 * `syncStatus`), so a thousand simulated nodes can share one timer; `registerNode` wraps it with its
 * own timers for the real node.
 *
 * Facts about the machine come from `readHostFacts` (os, /etc/os-release, /etc/machine-id, fs.statfs…)
 * or are given, so tests and simulated nodes need no host.
 */
import { readdir, readFile, statfs } from 'node:fs/promises';
import os from 'node:os';
import type { KubeObject, OwnerReference } from '../api/resource.js';
import { isStatusError } from '../api/status.js';
import { type Clock, systemClock } from '../client/clock.js';
import { refFor } from '../client/refs.js';
import type { KubeClient } from '../client/types.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
export const DEFAULT_LEASE_DURATION_SECONDS = 40;
/** Upstream renews at a quarter of the lease's duration. */
export const DEFAULT_RENEW_INTERVAL_MS = 10_000;
export const DEFAULT_NODE_STATUS_UPDATE_FREQUENCY_MS = 10_000;
export const DEFAULT_NODE_STATUS_REPORT_FREQUENCY_MS = 300_000;
/** The kubelet's default --max-pods. */
export const DEFAULT_MAX_PODS = 110;
/** Upstream's nodeStatusUpdateRetry: a conflicting status write is retried this often, then left to the next sync. */
const STATUS_UPDATE_RETRIES = 5;
/** Upstream reports at most this many images (nodeStatusMaxImages). */
const MAX_IMAGES = 50;
/** The kubelet's default hard eviction thresholds, which allocatable leaves out: memory.available<100Mi, nodefs.available<10%. */
const EVICTION_MEMORY_KI = 100 * 1024;
const EVICTION_NODEFS_FRACTION = 0.1;

// ---- shapes ----

export interface NodeCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface NodeAddress {
  type: 'InternalIP' | 'ExternalIP' | 'Hostname' | 'InternalDNS' | 'ExternalDNS';
  address: string;
}

export interface NodeSystemInfo {
  machineID: string;
  systemUUID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
  containerRuntimeVersion: string;
  kubeletVersion: string;
  kubeProxyVersion: string;
  operatingSystem: string;
  architecture: string;
}

export interface ContainerImage {
  names: string[];
  sizeBytes?: number;
}

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  timeAdded?: string;
}

export interface NodeStatus {
  capacity?: Record<string, string>;
  allocatable?: Record<string, string>;
  conditions?: NodeCondition[];
  addresses?: NodeAddress[];
  daemonEndpoints?: { kubeletEndpoint?: { Port: number } };
  nodeInfo?: NodeSystemInfo;
  images?: ContainerImage[];
  [field: string]: unknown;
}

export interface Node extends KubeObject {
  spec?: {
    podCIDR?: string;
    podCIDRs?: string[];
    taints?: Taint[];
    unschedulable?: boolean;
    [field: string]: unknown;
  };
  status?: NodeStatus;
}

export interface Lease extends KubeObject {
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    renewTime?: string;
    acquireTime?: string;
    [field: string]: unknown;
  };
}

/** What the machine says about itself; every field may be given instead of read. */
export interface HostFacts {
  /** Logical CPUs. */
  readonly cpuCores: number;
  readonly memoryBytes: number;
  /** Size of the filesystem holding the kubelet's root dir. */
  readonly ephemeralStorageBytes: number;
  /** `hugepages-2Mi` → bytes reserved for them; empty where the kernel has none. */
  readonly hugePages: Readonly<Record<string, number>>;
  readonly internalIP: string | undefined;
  readonly hostname: string;
  readonly kernelVersion: string;
  readonly osImage: string;
  /** Go's GOARCH name: amd64, arm64… */
  readonly architecture: string;
  readonly machineID: string;
  readonly systemUUID: string;
  readonly bootID: string;
}

/** The container runtime's readiness, as the Ready condition reports it. */
export type RuntimeReadiness = { readonly ready: true } | { readonly ready: false; readonly message: string };

// ---- host facts ----

/** Node's `process.arch` → Go's GOARCH, which Kubernetes labels use. */
const goArchitectures: Readonly<Record<string, string>> = {
  x64: 'amd64',
  ia32: '386',
  arm64: 'arm64',
  arm: 'arm',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  mips: 'mips',
  mipsel: 'mipsle',
  loong64: 'loong64',
};

export function goArchitecture(arch: string = process.arch): string {
  return goArchitectures[arch] ?? arch;
}

async function readTrimmed(path: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return '';
  }
}

/** PRETTY_NAME from os-release(5), unquoted. */
export function prettyName(osRelease: string): string {
  for (const line of osRelease.split('\n')) {
    const match = /^PRETTY_NAME=(.*)$/.exec(line.trim());
    if (!match) continue;
    const value = match[1]!.trim();
    return /^(["']).*\1$/.test(value) ? value.slice(1, -1) : value;
  }
  return '';
}

/**
 * The IPv4 address of the interface holding the default route (what a node is reached at), else the
 * first non-loopback IPv4.
 */
async function primaryIPv4(): Promise<string | undefined> {
  const interfaces = os.networkInterfaces();
  const ipv4Of = (name: string) =>
    interfaces[name]?.find((address) => address.family === 'IPv4' && !address.internal)?.address;
  // /proc/net/route: Iface Destination Gateway …; the default route has destination 00000000.
  const routes = await readTrimmed('/proc/net/route');
  for (const line of routes.split('\n').slice(1)) {
    const [name, destination] = line.trim().split(/\s+/);
    if (name && destination === '00000000') {
      const address = ipv4Of(name);
      if (address) return address;
    }
  }
  for (const name of Object.keys(interfaces)) {
    const address = ipv4Of(name);
    if (address) return address;
  }
  return undefined;
}

/** Huge page pools from /sys/kernel/mm/hugepages/hugepages-<size>kB, as `hugepages-2Mi` → bytes. */
async function hugePages(): Promise<Record<string, number>> {
  const pools: Record<string, number> = {};
  let entries: string[];
  try {
    entries = await readdir('/sys/kernel/mm/hugepages');
  } catch {
    return pools;
  }
  for (const entry of entries) {
    const match = /^hugepages-(\d+)kB$/.exec(entry);
    if (!match) continue;
    const sizeKi = Number(match[1]);
    const count = Number(await readTrimmed(`/sys/kernel/mm/hugepages/${entry}/nr_hugepages`)) || 0;
    const unit = sizeKi % (1024 * 1024) === 0 ? `${sizeKi / (1024 * 1024)}Gi` : `${sizeKi / 1024}Mi`;
    pools[`hugepages-${unit}`] = count * sizeKi * 1024;
  }
  return pools;
}

/** Reads the machine's facts; `rootDir` is the kubelet's root dir, whose filesystem is ephemeral storage. */
export async function readHostFacts(rootDir: string): Promise<HostFacts> {
  let ephemeralStorageBytes = 0;
  try {
    const fs = await statfs(rootDir);
    ephemeralStorageBytes = fs.blocks * fs.bsize;
  } catch {
    // Not there yet: reported as 0 until the next start, as a kubelet without its root dir would.
  }
  const machineID = await readTrimmed('/etc/machine-id');
  return {
    cpuCores: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    ephemeralStorageBytes,
    hugePages: await hugePages(),
    internalIP: await primaryIPv4(),
    hostname: os.hostname().toLowerCase(),
    kernelVersion: os.release(),
    osImage: prettyName(await readTrimmed('/etc/os-release')) || 'Linux',
    architecture: goArchitecture(),
    machineID,
    // Readable by root only on most machines; the kubelet then reports it empty, as here.
    systemUUID: (await readTrimmed('/sys/class/dmi/id/product_uuid')).toLowerCase(),
    bootID: await readTrimmed('/proc/sys/kernel/random/boot_id'),
  };
}

// ---- node object ----

export interface NodeStatusOptions {
  readonly client: KubeClient;
  readonly nodeName: string;
  readonly host: HostFacts;
  /** `v1.33.0-skiff` */
  readonly kubeletVersion: string;
  /** `containerd://1.6.20` */
  readonly containerRuntimeVersion: string;
  /** Default: the kubelet's version, as upstream's kubelet reports it. */
  readonly kubeProxyVersion?: string;
  /** The port of the kubelet's HTTPS endpoint (daemonEndpoints.kubeletEndpoint.Port). */
  readonly kubeletPort: number;
  /** Default: the host's. */
  readonly internalIP?: string;
  /** Overrides of capacity (and of allocatable, which otherwise is capacity less the eviction reserve). */
  readonly capacity?: Readonly<Record<string, string>>;
  readonly allocatable?: Readonly<Record<string, string>>;
  readonly maxPods?: number;
  /** Labels besides the kubelet's own, set at registration (`--node-labels`). */
  readonly labels?: Readonly<Record<string, string>>;
  /** Taints set at registration (`--register-with-taints`). */
  readonly taints?: readonly Taint[];
  /** spec.podCIDR at registration. */
  readonly podCIDR?: string;
  /** Asked at every status sync; default: ready. */
  readonly runtimeReadiness?: () => RuntimeReadiness;
  /** Images the runtime holds, asked at every status sync. */
  readonly images?: () => readonly ContainerImage[];
  readonly clock?: Clock;
  readonly leaseDurationSeconds?: number;
  readonly nodeStatusReportFrequencyMs?: number;
}

/** The labels the kubelet owns (upstream's updateDefaultLabels): set from the node, removed if it lacks them. */
const defaultLabelKeys = [
  'kubernetes.io/hostname',
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
  'node.kubernetes.io/instance-type',
  'beta.kubernetes.io/instance-type',
  'kubernetes.io/os',
  'kubernetes.io/arch',
  'beta.kubernetes.io/os',
  'beta.kubernetes.io/arch',
] as const;

/** Seconds-precision RFC 3339, as metav1.Time serialises. */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** Microsecond RFC 3339, as metav1.MicroTime (a Lease's renewTime) serialises. */
export function formatMicroTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}000Z`;
}

const toKi = (bytes: number) => `${Math.floor(bytes / 1024)}Ki`;

/** Capacity and allocatable as the kubelet computes them from the machine. */
export function resourcesFor(
  host: HostFacts,
  options: Pick<NodeStatusOptions, 'capacity' | 'allocatable' | 'maxPods'> = {},
): { capacity: Record<string, string>; allocatable: Record<string, string> } {
  const capacity: Record<string, string> = {
    cpu: String(host.cpuCores),
    'ephemeral-storage': toKi(host.ephemeralStorageBytes),
    ...Object.fromEntries(Object.entries(host.hugePages).map(([name, bytes]) => [name, String(bytes)])),
    memory: toKi(host.memoryBytes),
    pods: String(options.maxPods ?? DEFAULT_MAX_PODS),
    ...options.capacity,
  };
  // Allocatable leaves out what hard eviction keeps back: memory in Ki, ephemeral storage in bytes
  // (so a real node shows `ephemeral-storage: 47060071478` beside a capacity in Ki, as upstream's do).
  const derived: Record<string, string> = { ...capacity };
  if (!options.capacity?.memory) {
    derived.memory = `${Math.max(0, Math.floor(host.memoryBytes / 1024) - EVICTION_MEMORY_KI)}Ki`;
  }
  if (!options.capacity?.['ephemeral-storage']) {
    derived['ephemeral-storage'] = String(
      Math.floor(host.ephemeralStorageBytes * (1 - EVICTION_NODEFS_FRACTION)),
    );
  }
  return { capacity, allocatable: { ...derived, ...options.allocatable } };
}

function pressureCondition(type: string, reason: string, message: string): NodeCondition {
  return { type, status: 'False', reason, message };
}

/** Conditions without times, in the kubelet's order. */
function currentConditions(readiness: RuntimeReadiness): NodeCondition[] {
  return [
    pressureCondition(
      'MemoryPressure',
      'KubeletHasSufficientMemory',
      'kubelet has sufficient memory available',
    ),
    pressureCondition('DiskPressure', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    pressureCondition('PIDPressure', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    readiness.ready
      ? { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }
      : { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: readiness.message },
  ];
}

/**
 * Stamps times as the kubelet does: every condition's heartbeat is now; its transition time is kept
 * while its status is unchanged from `previous`, else now.
 */
export function withConditionTimes(
  conditions: readonly NodeCondition[],
  previous: readonly NodeCondition[] | undefined,
  nowMs: number,
): NodeCondition[] {
  const now = formatTime(nowMs);
  return conditions.map((condition) => {
    const before = previous?.find((old) => old.type === condition.type);
    const lastTransitionTime =
      before && before.status === condition.status && before.lastTransitionTime
        ? before.lastTransitionTime
        : now;
    return { ...condition, lastHeartbeatTime: now, lastTransitionTime };
  });
}

/** Whether two statuses differ in anything but heartbeat times (upstream's nodeStatusHasChanged). */
export function nodeStatusChanged(a: NodeStatus | undefined, b: NodeStatus | undefined): boolean {
  const strip = (status: NodeStatus | undefined) =>
    JSON.stringify({
      ...status,
      conditions: status?.conditions?.map(({ lastHeartbeatTime: _ignored, ...rest }) => rest),
    });
  return strip(a) !== strip(b);
}

// ---- the reporter ----

/**
 * One node's status and lease, step by step. Not re-entrant per method: callers (`registerNode`'s
 * timers, the simulator's shared tick) run at most one `renewLease` and one `syncStatus` at a time.
 */
export class NodeStatusReporter {
  readonly nodeName: string;
  readonly #options: NodeStatusOptions;
  readonly #client: KubeClient;
  readonly #clock: Clock;
  readonly #nodes = refFor('Node');
  readonly #leases = refFor('Lease', NODE_LEASE_NAMESPACE);
  #nodeUID: string | undefined;
  /** The lease as last written (updates carry its resourceVersion). */
  #lease: Lease | undefined;
  /** The status as last posted, and when. */
  #posted: NodeStatus | undefined;
  #postedAt = Number.NEGATIVE_INFINITY;

  constructor(options: NodeStatusOptions) {
    this.nodeName = options.nodeName;
    this.#options = options;
    this.#client = options.client;
    this.#clock = options.clock ?? systemClock;
  }

  /** The status as last posted. */
  get postedStatus(): NodeStatus | undefined {
    return this.#posted;
  }

  /** The Node as this kubelet would create it. */
  initialNode(): Node {
    return {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: this.nodeName,
        labels: { ...this.#options.labels, ...this.#defaultLabels() },
        // The attach/detach controller, not the kubelet, attaches volumes (upstream's default).
        annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
      },
      spec: {
        ...(this.#options.podCIDR
          ? { podCIDR: this.#options.podCIDR, podCIDRs: [this.#options.podCIDR] }
          : {}),
        ...(this.#options.taints?.length
          ? { taints: this.#options.taints.map((taint) => ({ ...taint })) }
          : {}),
      },
      status: this.#computeStatus(undefined),
    };
  }

  #defaultLabels(): Record<string, string> {
    const { host, nodeName } = this.#options;
    return {
      'beta.kubernetes.io/arch': host.architecture,
      'beta.kubernetes.io/os': 'linux',
      'kubernetes.io/arch': host.architecture,
      'kubernetes.io/hostname': nodeName,
      'kubernetes.io/os': 'linux',
    };
  }

  /** The status now, conditions timed against `previous`. */
  #computeStatus(previous: NodeStatus | undefined): NodeStatus {
    const options = this.#options;
    const { host } = options;
    const readiness = options.runtimeReadiness?.() ?? { ready: true };
    const internalIP = options.internalIP ?? host.internalIP;
    const images = options.images?.().slice(0, MAX_IMAGES);
    return {
      ...resourcesFor(host, options),
      conditions: withConditionTimes(currentConditions(readiness), previous?.conditions, this.#clock.now()),
      addresses: [
        ...(internalIP ? [{ type: 'InternalIP' as const, address: internalIP }] : []),
        { type: 'Hostname', address: host.hostname },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: options.kubeletPort } },
      nodeInfo: {
        machineID: host.machineID,
        systemUUID: host.systemUUID,
        bootID: host.bootID,
        kernelVersion: host.kernelVersion,
        osImage: host.osImage,
        containerRuntimeVersion: options.containerRuntimeVersion,
        kubeletVersion: options.kubeletVersion,
        kubeProxyVersion: options.kubeProxyVersion ?? options.kubeletVersion,
        operatingSystem: 'linux',
        architecture: host.architecture,
      },
      ...(images?.length ? { images: images.map((image) => ({ ...image, names: [...image.names] })) } : {}),
    };
  }

  /**
   * Creates the Node, or adopts the one of that name: its kubelet-owned labels are set (and removed
   * where this node has none, as instance-type here), other labels, taints and spec are kept, and the
   * status is posted. Then makes sure the Lease exists.
   */
  async register(): Promise<Node> {
    const initial = this.initialNode();
    let node: Node;
    try {
      node = await this.#client.create<Node>(this.#nodes, initial);
      // Some servers drop status on create; post it if so.
      if (!node.status?.conditions?.length) node = await this.#postStatus(node, initial.status!);
      else this.#remember(node.status);
    } catch (error) {
      if (!isStatusError(error, 'AlreadyExists')) throw error;
      node = await this.#adopt();
    }
    this.#nodeUID = node.metadata?.uid;
    await this.renewLease();
    return node;
  }

  async #adopt(): Promise<Node> {
    for (let attempt = 0; ; attempt++) {
      const existing = await this.#client.get<Node>(this.#nodes, this.nodeName);
      const labels = { ...existing.metadata?.labels };
      const wanted = this.#defaultLabels() as Record<string, string | undefined>;
      let changed = false;
      for (const key of defaultLabelKeys) {
        const value = wanted[key];
        if (value === undefined ? key in labels : labels[key] !== value) {
          changed = true;
          if (value === undefined) delete labels[key];
          else labels[key] = value;
        }
      }
      try {
        const node = changed
          ? await this.#client.update<Node>(this.#nodes, {
              ...existing,
              metadata: { ...existing.metadata, labels },
            })
          : existing;
        return await this.#postStatus(node, this.#computeStatus(node.status));
      } catch (error) {
        if (!isStatusError(error, 'Conflict') || attempt >= STATUS_UPDATE_RETRIES) throw error;
      }
    }
  }

  /** Writes `status` over the node's (fields the kubelet does not own, such as volumesAttached, kept). */
  async #postStatus(node: Node, status: NodeStatus): Promise<Node> {
    const written = await this.#client.update<Node>(
      this.#nodes,
      { ...node, status: { ...node.status, ...status } },
      { subresource: 'status' },
    );
    this.#remember(status);
    return written;
  }

  #remember(status: NodeStatus | undefined): void {
    this.#posted = status;
    this.#postedAt = this.#clock.now();
  }

  /**
   * Computes the status; posts it when it changed since the last post (heartbeat times aside) or the
   * report frequency has passed. Returns whether it posted.
   */
  async syncStatus(): Promise<boolean> {
    const next = this.#computeStatus(this.#posted);
    const due =
      this.#clock.now() - this.#postedAt >=
      (this.#options.nodeStatusReportFrequencyMs ?? DEFAULT_NODE_STATUS_REPORT_FREQUENCY_MS);
    if (!due && !nodeStatusChanged(next, this.#posted)) return false;
    for (let attempt = 0; ; attempt++) {
      try {
        const node = await this.#client.get<Node>(this.#nodes, this.nodeName);
        // Transition times are kept against what the API holds (another writer, the node lifecycle
        // controller, may have set Unknown meanwhile).
        await this.#postStatus(node, {
          ...next,
          conditions: withConditionTimes(next.conditions!, node.status?.conditions, this.#clock.now()),
        });
        this.#nodeUID = node.metadata?.uid;
        return true;
      } catch (error) {
        if (isStatusError(error, 'NotFound')) {
          // Deleted under us: register again, as the kubelet does when its Node vanishes.
          await this.register();
          return true;
        }
        if (!isStatusError(error, 'Conflict') || attempt >= STATUS_UPDATE_RETRIES - 1) throw error;
      }
    }
  }

  /** Renews the Lease (creates it if missing); a conflict re-reads it and tries once more. */
  async renewLease(): Promise<void> {
    const now = this.#clock.now();
    const duration = this.#options.leaseDurationSeconds ?? DEFAULT_LEASE_DURATION_SECONDS;
    for (let attempt = 0; attempt < 2; attempt++) {
      const current = this.#lease ?? (await this.#getLease());
      if (!current) {
        this.#lease = await this.#client.create<Lease>(this.#leases, this.#newLease(now, duration));
        return;
      }
      const owners = this.#ownerReferences(current);
      const renewed: Lease = {
        ...current,
        metadata: { ...current.metadata, ...(owners ? { ownerReferences: owners } : {}) },
        spec: {
          ...current.spec,
          holderIdentity: this.nodeName,
          leaseDurationSeconds: duration,
          renewTime: formatMicroTime(now),
        },
      };
      try {
        this.#lease = await this.#client.update<Lease>(this.#leases, renewed);
        return;
      } catch (error) {
        this.#lease = undefined;
        if (isStatusError(error, 'NotFound')) continue;
        if (!isStatusError(error, 'Conflict') || attempt > 0) throw error;
      }
    }
  }

  async #getLease(): Promise<Lease | undefined> {
    try {
      return await this.#client.get<Lease>(this.#leases, this.nodeName);
    } catch (error) {
      if (isStatusError(error, 'NotFound')) return undefined;
      throw error;
    }
  }

  #newLease(now: number, duration: number): Lease {
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.nodeName,
        namespace: NODE_LEASE_NAMESPACE,
        ...(this.#nodeUID ? { ownerReferences: this.#ownerReferences(undefined)! } : {}),
      },
      spec: {
        holderIdentity: this.nodeName,
        leaseDurationSeconds: duration,
        renewTime: formatMicroTime(now),
      },
    };
  }

  /** The Node as the Lease's owner (so deleting the Node collects it), added when the lease lacks it. */
  #ownerReferences(lease: Lease | undefined): OwnerReference[] | undefined {
    const references = lease?.metadata?.ownerReferences;
    if (!this.#nodeUID || references?.some((reference) => reference.uid === this.#nodeUID)) return references;
    return [{ apiVersion: 'v1', kind: 'Node', name: this.nodeName, uid: this.#nodeUID }];
  }
}

// ---- the real node's loop ----

export interface RegisteredNode {
  readonly reporter: NodeStatusReporter;
  /** The Node as registered. */
  readonly node: Node;
  /** Computes and (if changed) posts the status now, say after the runtime's readiness changed. */
  syncStatus(): Promise<boolean>;
  stop(): Promise<void>;
}

export interface RegisterNodeOptions extends NodeStatusOptions {
  readonly renewIntervalMs?: number;
  readonly nodeStatusUpdateFrequencyMs?: number;
  /** Failed renewals and status posts (they are retried on the next period). Default: console.error. */
  readonly onError?: (error: unknown) => void;
}

/**
 * Registers the node and keeps its Lease and status current on timers until `stop()`. Registration
 * failures are thrown (the caller retries, as the kubelet does until the API server answers).
 */
export async function registerNode(options: RegisterNodeOptions): Promise<RegisteredNode> {
  const clock = options.clock ?? systemClock;
  const reporter = new NodeStatusReporter(options);
  const node = await reporter.register();
  const onError = options.onError ?? ((error: unknown) => console.error(`node ${options.nodeName}:`, error));
  let stopped = false;
  const running = new Set<Promise<unknown>>();
  const cancels: (() => void)[] = [];
  const every = (periodMs: number, step: () => Promise<unknown>) => {
    const schedule = () => {
      const cancel = clock.setTimer(() => {
        cancels.splice(cancels.indexOf(cancel), 1);
        if (stopped) return;
        const work = step()
          .catch(onError)
          .finally(() => {
            running.delete(work);
            if (!stopped) schedule();
          });
        running.add(work);
      }, periodMs);
      cancels.push(cancel);
    };
    schedule();
  };
  every(options.renewIntervalMs ?? DEFAULT_RENEW_INTERVAL_MS, () => reporter.renewLease());
  every(options.nodeStatusUpdateFrequencyMs ?? DEFAULT_NODE_STATUS_UPDATE_FREQUENCY_MS, () =>
    reporter.syncStatus(),
  );
  return {
    reporter,
    node,
    syncStatus: () => reporter.syncStatus(),
    async stop() {
      stopped = true;
      for (const cancel of cancels.splice(0)) cancel();
      await Promise.allSettled([...running]);
    },
  };
}
