/**
 * Simulated nodes, as kwok makes them: real Node objects with real, renewed Leases, whose pods move
 * through a table of stages (stages.ts) — no containers, no runtime. A thousand of them cost one pod
 * informer, one heartbeat timer (heartbeats.ts) and one work queue:
 *
 *   Nodes sim-node-0 … sim-node-N-1 registered (or adopted) through NodeStatusReporter
 *   pods informer (fieldSelector spec.nodeName!=)  ─► key of a pod on one of our nodes ─► work queue
 *   worker: reconcile(key) ─► first matching stage ─► not due yet: requeue at its time
 *                                                 └► due: write status (pods/status) or delete
 *
 * Level-triggered: `reconcile` re-reads the pod from the cache and re-picks its stage, so a restarted
 * simulator adopts the pods already on its nodes and moves on from wherever each one is (a Running pod
 * matches no start stage and is left alone). Until the cache shows the simulator's own last write to
 * a pod, the pod is not reconsidered, so a stale cache never causes a second transition.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { isStatusError } from '../../api/status.js';
import { type Clock, systemClock } from '../../client/clock.js';
import { ClientError } from '../../client/errors.js';
import type { Informer } from '../../client/informer.js';
import { InformerFactory } from '../../client/informer-factory.js';
import { refFor } from '../../client/refs.js';
import type { KubeClient } from '../../client/types.js';
import { WorkQueue } from '../../client/work-queue.js';
import {
  DEFAULT_MAX_PODS,
  DEFAULT_NODE_STATUS_REPORT_FREQUENCY_MS,
  DEFAULT_NODE_STATUS_UPDATE_FREQUENCY_MS,
  DEFAULT_RENEW_INTERVAL_MS,
  goArchitecture,
  type HostFacts,
  NodeStatusReporter,
  prettyName,
  type RuntimeReadiness,
  type Taint,
} from '../node-status.js';
import type { Pod } from '../pod-types.js';
import { Heartbeats } from './heartbeats.js';
import { nodeAddressFor, POD_ADDRESSES_PER_NODE, PodAddressPool, podCIDRFor } from './network.js';
import {
  defaultStages,
  drawDelay,
  type Stage,
  type StageContext,
  type StageDelays,
  stageFor,
} from './stages.js';

export interface SimulatedNodesOptions {
  readonly client: KubeClient;
  readonly count: number;
  /** Nodes are `${namePrefix}${index}`; default `sim-node-`. */
  readonly namePrefix?: string;
  /** Index of the first node (another simulator may own the ones before); default 0. */
  readonly firstIndex?: number;
  /** Default: cpu 32, memory 256Gi, pods 110, ephemeral-storage 1Ti (kwok's node, with storage). */
  readonly capacity?: Readonly<Record<string, string>>;
  /** Labels on every node besides the kubelet's own (`type: simulated`, say). */
  readonly labels?: Readonly<Record<string, string>>;
  readonly taints?: readonly Taint[];
  /** Default `v1.33.0-skiff`. */
  readonly kubeletVersion?: string;
  /** Default `sim://1.0.0`. */
  readonly containerRuntimeVersion?: string;
  /** Default 10250. */
  readonly kubeletPort?: number;
  /** Default: `defaultStages(delays)`. */
  readonly stages?: readonly Stage[];
  readonly delays?: StageDelays;
  /** Pod workers (writes to pods in flight at once); default 16. */
  readonly workers?: number;
  readonly clock?: Clock;
  readonly renewIntervalMs?: number;
  readonly leaseDurationSeconds?: number;
  readonly nodeStatusUpdateFrequencyMs?: number;
  readonly nodeStatusReportFrequencyMs?: number;
  /** Failures that are retried (writes, watches). Default: console.error. */
  readonly onError?: (error: unknown) => void;
}

export interface SimulatedNodes {
  readonly nodeNames: readonly string[];
  /** Marks a node's runtime ready or not; its Ready condition follows at once. */
  setNodeReady(nodeName: string, readiness: RuntimeReadiness): Promise<void>;
  /**
   * Stops a node's heartbeats (no Lease renewals, no status) until resumed, as if its kubelet died; its
   * pods are still simulated. For node-lifecycle tests.
   */
  setHeartbeating(nodeName: string, heartbeating: boolean): void;
  /** Pods the simulator has moved to a new stage (status writes and deletes), since start. */
  readonly transitions: number;
  stop(): Promise<void>;
}

const DEFAULT_CAPACITY = {
  cpu: '32',
  memory: '256Gi',
  pods: String(DEFAULT_MAX_PODS),
  'ephemeral-storage': '1Ti',
};
const REGISTRATION_CONCURRENCY = 32;

interface SimulatedNode {
  readonly name: string;
  readonly address: string;
  readonly pool: PodAddressPool;
  readiness: RuntimeReadiness;
}

/** A pod's chosen stage and when it is due, kept across requeues of its key. */
interface Pending {
  readonly uid: string;
  readonly stage: Stage;
  readonly dueMs: number;
}

/** A write the cache has not shown yet: the pod's resourceVersion it produced. */
interface Written {
  readonly uid: string;
  readonly resourceVersion: string;
}

/** An identifier stable per node name (machine-id style: 32 hex digits). */
function stableId(name: string, salt: string): string {
  return createHash('sha256').update(`${salt}/${name}`).digest('hex').slice(0, 32);
}

function asUUID(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Whether resourceVersion `a` is at least `b`. Kubernetes calls them opaque; Skiff's (and etcd's) are
 * revisions, so numeric ones are compared as numbers and anything else only for equality.
 */
function atLeast(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return BigInt(a) >= BigInt(b);
  return a === b;
}

export async function startSimulatedNodes(options: SimulatedNodesOptions): Promise<SimulatedNodes> {
  if (!Number.isInteger(options.count) || options.count < 1) {
    throw new ClientError('SKIFF_ERR_INVALID_ARGUMENT', 'count must be a positive integer');
  }
  const capacity = { ...DEFAULT_CAPACITY, ...options.capacity };
  if (Number(capacity.pods) > POD_ADDRESSES_PER_NODE) {
    throw new ClientError(
      'SKIFF_ERR_INVALID_ARGUMENT',
      `a simulated node addresses at most ${POD_ADDRESSES_PER_NODE} pods, not ${capacity.pods}`,
    );
  }
  const simulator = new Simulator(options, capacity);
  try {
    await simulator.start();
  } catch (error) {
    await simulator.stop();
    throw error;
  }
  return simulator;
}

class Simulator implements SimulatedNodes {
  readonly nodeNames: readonly string[];
  readonly #options: SimulatedNodesOptions;
  readonly #client: KubeClient;
  readonly #clock: Clock;
  readonly #stages: readonly Stage[];
  readonly #capacity: Record<string, string>;
  readonly #nodes = new Map<string, SimulatedNode>();
  readonly #reporters: NodeStatusReporter[] = [];
  readonly #heartbeats: Heartbeats;
  readonly #informers: InformerFactory;
  readonly #pods: Informer<Pod>;
  readonly #queue: WorkQueue<string>;
  readonly #pending = new Map<string, Pending>();
  readonly #written = new Map<string, Written>();
  readonly #onError: (error: unknown) => void;
  #workers: Promise<void>[] = [];
  #transitions = 0;
  #stopped = false;

  constructor(options: SimulatedNodesOptions, capacity: Record<string, string>) {
    this.#options = options;
    this.#client = options.client;
    this.#clock = options.clock ?? systemClock;
    this.#stages = options.stages ?? defaultStages(options.delays);
    this.#onError = options.onError ?? ((error) => console.error('simulated nodes:', error));
    const prefix = options.namePrefix ?? 'sim-node-';
    const first = options.firstIndex ?? 0;
    this.nodeNames = Array.from({ length: options.count }, (_, offset) => `${prefix}${first + offset}`);
    this.#heartbeats = new Heartbeats({
      clock: this.#clock,
      renewIntervalMs: options.renewIntervalMs ?? DEFAULT_RENEW_INTERVAL_MS,
      statusUpdateFrequencyMs: options.nodeStatusUpdateFrequencyMs ?? DEFAULT_NODE_STATUS_UPDATE_FREQUENCY_MS,
      onError: this.#onError,
    });
    this.#informers = new InformerFactory({
      client: options.client,
      clock: this.#clock,
      onError: this.#onError,
    });
    this.#pods = this.#informers.informerFor<Pod>(refFor('Pod'), { fieldSelector: 'spec.nodeName!=' });
    this.#queue = new WorkQueue<string>({ clock: this.#clock });
    this.#capacity = capacity;
  }

  get transitions(): number {
    return this.#transitions;
  }

  async start(): Promise<void> {
    const osImage = prettyName(await readFile('/etc/os-release', 'utf8').catch(() => '')) || 'Linux';
    const bootSalt = randomUUID();
    const first = this.#options.firstIndex ?? 0;
    for (const [offset, name] of this.nodeNames.entries()) {
      const index = first + offset;
      const node: SimulatedNode = {
        name,
        address: nodeAddressFor(index),
        pool: new PodAddressPool(podCIDRFor(index)),
        readiness: { ready: true },
      };
      this.#nodes.set(name, node);
      const host: HostFacts = {
        cpuCores: 0,
        memoryBytes: 0,
        ephemeralStorageBytes: 0,
        hugePages: {},
        internalIP: node.address,
        hostname: name,
        kernelVersion: os.release(),
        osImage,
        architecture: goArchitecture(),
        machineID: stableId(name, 'machine-id'),
        systemUUID: asUUID(stableId(name, 'system-uuid')),
        // A new boot for every start of the simulator, as a rebooted machine gets.
        bootID: asUUID(stableId(name, bootSalt)),
      };
      this.#reporters.push(
        new NodeStatusReporter({
          client: this.#client,
          nodeName: name,
          host,
          kubeletVersion: this.#options.kubeletVersion ?? 'v1.33.0-skiff',
          containerRuntimeVersion: this.#options.containerRuntimeVersion ?? 'sim://1.0.0',
          kubeletPort: this.#options.kubeletPort ?? 10250,
          capacity: this.#capacity,
          ...(this.#options.labels ? { labels: this.#options.labels } : {}),
          ...(this.#options.taints ? { taints: this.#options.taints } : {}),
          podCIDR: podCIDRFor(index),
          runtimeReadiness: () => node.readiness,
          clock: this.#clock,
          ...(this.#options.leaseDurationSeconds !== undefined
            ? { leaseDurationSeconds: this.#options.leaseDurationSeconds }
            : {}),
          nodeStatusReportFrequencyMs:
            this.#options.nodeStatusReportFrequencyMs ?? DEFAULT_NODE_STATUS_REPORT_FREQUENCY_MS,
        }),
      );
    }
    await this.#registerAll();
    for (const reporter of this.#reporters) this.#heartbeats.add(reporter);
    this.#heartbeats.start();

    this.#pods.addEventHandler({
      onAdd: (pod) => this.#observe(pod),
      onUpdate: (_old, pod) => this.#observe(pod),
      onDelete: (pod) => this.#forget(pod),
    });
    this.#informers.start();
    await this.#informers.waitForSync();
    const workers = this.#options.workers ?? 16;
    this.#workers = Array.from({ length: workers }, () => this.#work());
  }

  async #registerAll(): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < this.#reporters.length && !this.#stopped) await this.#reporters[next++]!.register();
    };
    await Promise.all(
      Array.from({ length: Math.min(REGISTRATION_CONCURRENCY, this.#reporters.length) }, worker),
    );
  }

  async setNodeReady(nodeName: string, readiness: RuntimeReadiness): Promise<void> {
    const node = this.#nodes.get(nodeName);
    if (!node)
      throw new ClientError('SKIFF_ERR_INVALID_ARGUMENT', `${nodeName} is not a simulated node here`);
    node.readiness = readiness;
    await this.#heartbeats.syncNow(nodeName);
  }

  setHeartbeating(nodeName: string, heartbeating: boolean): void {
    if (!this.#nodes.has(nodeName)) {
      throw new ClientError('SKIFF_ERR_INVALID_ARGUMENT', `${nodeName} is not a simulated node here`);
    }
    this.#heartbeats.setPaused(nodeName, !heartbeating);
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#queue.shutDown();
    await this.#heartbeats.stop();
    await this.#informers.stop();
    await Promise.allSettled(this.#workers);
  }

  // ---- pods ----

  #keyOf(pod: Pod): string {
    return `${pod.metadata?.namespace}/${pod.metadata?.name}`;
  }

  /** Informer handler: keep addresses in step with the cache, clear seen writes, queue the pod. */
  #observe(pod: Pod): void {
    const node = this.#nodes.get(pod.spec?.nodeName ?? '');
    if (!node) return;
    const key = this.#keyOf(pod);
    const uid = pod.metadata?.uid ?? '';
    const ip = pod.status?.podIP;
    if (ip && !pod.spec?.hostNetwork) node.pool.markTaken(uid, ip);
    const written = this.#written.get(key);
    if (written && (written.uid !== uid || atLeast(pod.metadata?.resourceVersion, written.resourceVersion))) {
      this.#written.delete(key);
    }
    this.#queue.add(key);
  }

  #forget(pod: Pod): void {
    const node = this.#nodes.get(pod.spec?.nodeName ?? '');
    if (!node) return;
    node.pool.release(pod.metadata?.uid ?? '');
    const key = this.#keyOf(pod);
    const pending = this.#pending.get(key);
    if (pending?.uid === pod.metadata?.uid) this.#pending.delete(key);
    const written = this.#written.get(key);
    if (written?.uid === pod.metadata?.uid) this.#written.delete(key);
  }

  async #work(): Promise<void> {
    for (;;) {
      const key = await this.#queue.get();
      if (key === undefined) return;
      try {
        await this.#reconcile(key);
        this.#queue.forget(key);
      } catch (error) {
        if (isStatusError(error, 'NotFound')) {
          // The pod is gone; its DELETED event tidies up.
          this.#queue.forget(key);
        } else {
          // A Conflict (the pod changed or was replaced under us) or a failed write: try again from
          // the cache after a backoff.
          if (!isStatusError(error, 'Conflict')) this.#onError(error);
          this.#queue.addRateLimited(key);
        }
      } finally {
        this.#queue.done(key);
      }
    }
  }

  async #reconcile(key: string): Promise<void> {
    const [namespace, name] = key.split('/') as [string, string];
    const pod = this.#pods.store.getByName(namespace, name);
    const node = pod && this.#nodes.get(pod.spec?.nodeName ?? '');
    if (!pod || !node) {
      this.#pending.delete(key);
      return;
    }
    const uid = pod.metadata?.uid ?? '';
    // Our last write to this pod has not reached the cache: what the cache says is stale.
    if (this.#written.get(key)?.uid === uid) return;
    const stage = stageFor(this.#stages, pod);
    if (!stage) {
      this.#pending.delete(key);
      return;
    }
    let pending = this.#pending.get(key);
    if (!pending || pending.uid !== uid || pending.stage !== stage) {
      pending = { uid, stage, dueMs: this.#clock.now() + drawDelay(stage.delay) };
      this.#pending.set(key, pending);
    }
    const wait = pending.dueMs - this.#clock.now();
    if (wait > 0) {
      this.#queue.addAfter(key, wait);
      return;
    }
    this.#pending.delete(key);
    const ref = refFor('Pod', namespace);
    if ('delete' in stage.next) {
      await this.#client.delete(ref, name, { gracePeriodSeconds: 0, preconditions: { uid } });
      this.#transitions++;
      return;
    }
    const context: StageContext = {
      nodeName: node.name,
      hostIP: node.address,
      podIP: (target) => node.pool.addressFor(target.metadata?.uid ?? ''),
      nowMs: this.#clock.now(),
    };
    const status = stage.next.status(pod, context);
    // The uid in the patch is a precondition: a pod made again under the same name is not touched.
    const written = await this.#client.patch<Pod>(
      ref,
      name,
      'strategic',
      { metadata: { uid }, status },
      { subresource: 'status' },
    );
    this.#transitions++;
    const resourceVersion = written.metadata?.resourceVersion;
    const cached = this.#pods.store.getByName(namespace, name)?.metadata?.resourceVersion;
    if (resourceVersion && !atLeast(cached, resourceVersion))
      this.#written.set(key, { uid, resourceVersion });
  }
}
