/**
 * The pod garbage collector, as kube-controller-manager's (pkg/controller/podgc). One pass over the
 * cached pods and nodes force-deletes (grace period 0):
 *
 *   terminated    Succeeded/Failed pods beyond `terminatedPodGCThreshold` (12500), evicted ones first,
 *                 then oldest first (name breaks ties)
 *   terminating   pods being deleted on a node that is not ready and carries the
 *                 `node.kubernetes.io/out-of-service` taint (nobody will confirm their deletion)
 *   orphaned      pods bound to a node that no longer exists — after a quarantine (40 s), and only once
 *                 a GET of the node from the API says 404, since the node cache may be behind:
 *
 *                   12:00:00 node-3 missing from the cache → quarantined
 *                   12:00:40 GET nodes/node-3 → 404 → its pods marked Failed (DisruptionTarget
 *                            DeletionByPodGC) and deleted
 *
 *   unscheduled   pods being deleted that were never bound (no kubelet will ever finish them)
 *
 * A pod not yet Succeeded or Failed is first patched to Failed (with the DisruptionTarget condition
 * for an orphan), as upstream, so whoever counts its outcome (a Job) sees a failure, not a vanishing.
 *
 * Upstream runs the pass every 20 s. Here a pass runs when something it would act on appears (a pod
 * finishing, a pod being deleted unbound or on a departed node, a node going) — at most once per
 * `batchDelayMs`, so a burst of finishing Jobs costs one pass — and when a quarantine ends.
 */
import { isStatusError } from '../api/status.js';
import type { Clock } from '../client/clock.js';
import type { Informer } from '../client/informer.js';
import { refFor } from '../client/refs.js';
import type { KubeClient } from '../client/types.js';
import type { WorkQueue } from '../client/work-queue.js';
import {
  type Controller,
  type ControllerContext,
  type ControllerFactory,
  QueueController,
  type ReconcileResult,
} from './framework.js';
import { isNodeReady, type Node, TAINT_NODE_OUT_OF_SERVICE } from './nodelifecycle/taints.js';
import { formatTime, messageOf, type Pod, type PodCondition, timeOf } from './pods.js';

const TERMINATED_POD_GC_THRESHOLD = 12_500;
const QUARANTINE_MS = 40_000;
const BATCH_DELAY_MS = 1_000;
/** The one key: a pass looks at everything. */
const PASS = 'podgc';

export interface PodGcControllerOptions {
  readonly context: ControllerContext;
  /** --terminated-pod-gc-threshold: finished pods kept; 0 or less keeps them all. Default 12500. */
  readonly terminatedPodGcThreshold?: number;
  /** How long a node must be missing before its pods are collected. Default 40 s. */
  readonly quarantineMs?: number;
  /** The shortest time between two passes woken by events. Default 1 s. */
  readonly batchDelayMs?: number;
}

export class PodGcController implements Controller {
  readonly name = 'pod-garbage-collector';
  readonly #client: KubeClient;
  readonly #clock: Clock;
  readonly #threshold: number;
  readonly #quarantineMs: number;
  readonly #batchDelayMs: number;
  readonly #pods: Informer<Pod>;
  readonly #nodes: Informer<Node>;
  readonly #queue: QueueController;
  /** Node names missing from the cache → when they were first found missing. */
  readonly #quarantine = new Map<string, number>();

  constructor(options: PodGcControllerOptions) {
    const { context } = options;
    this.#client = context.client;
    this.#clock = context.clock;
    this.#threshold = options.terminatedPodGcThreshold ?? TERMINATED_POD_GC_THRESHOLD;
    this.#quarantineMs = options.quarantineMs ?? QUARANTINE_MS;
    this.#batchDelayMs = options.batchDelayMs ?? BATCH_DELAY_MS;
    this.#queue = new QueueController({
      name: this.name,
      context,
      reconcile: () => this.reconcile(),
      workers: 1,
    });
    this.#pods = context.informers.informerFor<Pod>(refFor('Pod'));
    this.#nodes = context.informers.informerFor<Node>(refFor('Node'));
    const podChanged = (pod: Pod) => {
      if (this.#concerns(pod)) this.#wake();
    };
    this.#pods.addEventHandler({ onAdd: podChanged, onUpdate: (_old, pod) => podChanged(pod) });
    this.#nodes.addEventHandler({
      onUpdate: (old, node) => {
        const outOfService = (candidate: Node) =>
          !isNodeReady(candidate) && hasTaint(candidate, TAINT_NODE_OUT_OF_SERVICE);
        if (outOfService(node) && !outOfService(old)) this.#wake();
      },
      onDelete: () => this.#wake(),
    });
  }

  get queue(): WorkQueue<string> {
    return this.#queue.queue;
  }

  run(signal: AbortSignal): Promise<void> {
    // One pass at start, for what the caches held before any event.
    this.#wake();
    return this.#queue.run(signal);
  }

  #wake(): void {
    this.#queue.queue.addAfter(PASS, this.#batchDelayMs);
  }

  /** Whether a pass could do something about this pod. */
  #concerns(pod: Pod): boolean {
    if (this.#threshold > 0 && isTerminated(pod)) return true;
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) return pod.metadata?.deletionTimestamp !== undefined;
    const node = this.#nodes.store.getByName(undefined, nodeName);
    if (!node) return true;
    return pod.metadata?.deletionTimestamp !== undefined && isOutOfService(node);
  }

  /** One pass; see the module comment. Asks to run again when the earliest quarantine ends. */
  async reconcile(): Promise<ReconcileResult | undefined> {
    const pods = this.#pods.store.list();
    const errors: unknown[] = [];
    const collect = async (doomed: readonly Pod[], condition?: PodCondition) => {
      await Promise.all(
        doomed.map(async (pod) => {
          try {
            await this.#markFailedAndDelete(pod, condition);
          } catch (error) {
            if (!isStatusError(error, 'NotFound')) errors.push(error);
          }
        }),
      );
    };

    if (this.#threshold > 0) {
      const terminated = pods.filter(isTerminated);
      const excess = terminated.length - this.#threshold;
      if (excess > 0) await collect(terminated.sort(byEvictionAndCreation).slice(0, excess));
    }

    await collect(
      pods.filter((pod) => {
        if (!pod.metadata?.deletionTimestamp || !pod.spec?.nodeName) return false;
        const node = this.#nodes.store.getByName(undefined, pod.spec.nodeName);
        return node !== undefined && isOutOfService(node);
      }),
    );

    const gone = await this.#departedNodes(pods);
    await collect(
      pods.filter((pod) => pod.spec?.nodeName !== undefined && gone.has(pod.spec.nodeName)),
      {
        type: 'DisruptionTarget',
        status: 'True',
        reason: 'DeletionByPodGC',
        message: 'PodGC: node no longer exists',
      },
    );

    await collect(pods.filter((pod) => pod.metadata?.deletionTimestamp && !pod.spec?.nodeName));

    if (errors.length > 0) throw new Error(`pod garbage collection: ${errors.map(messageOf).join('; ')}`);
    const now = this.#clock.now();
    const ends = [...this.#quarantine.values()].map((since) => since + this.#quarantineMs - now);
    return ends.length > 0 ? { requeueAfterMs: Math.max(1, Math.min(...ends)) } : undefined;
  }

  /**
   * Nodes pods are bound to that have been missing from the cache for the whole quarantine and that
   * the API confirms gone. A node found again leaves quarantine; one the API still has starts over.
   */
  async #departedNodes(pods: readonly Pod[]): Promise<Set<string>> {
    const now = this.#clock.now();
    const missing = new Set<string>();
    for (const pod of pods) {
      const nodeName = pod.spec?.nodeName;
      if (nodeName && !this.#nodes.store.getByName(undefined, nodeName)) missing.add(nodeName);
    }
    for (const name of this.#quarantine.keys()) if (!missing.has(name)) this.#quarantine.delete(name);
    const gone = new Set<string>();
    for (const name of missing) {
      const since = this.#quarantine.get(name);
      if (since === undefined) {
        this.#quarantine.set(name, now);
        continue;
      }
      if (now < since + this.#quarantineMs) continue;
      this.#quarantine.delete(name);
      try {
        await this.#client.get(refFor('Node'), name);
      } catch (error) {
        if (isStatusError(error, 'NotFound')) gone.add(name);
        // Any other failure: the node is looked at again after another quarantine.
      }
    }
    return gone;
  }

  /** Upstream's markFailedAndDeletePodWithCondition: Failed first (unless finished), then a forced delete. */
  async #markFailedAndDelete(pod: Pod, condition?: PodCondition): Promise<void> {
    const ref = refFor('Pod', pod.metadata?.namespace);
    const name = pod.metadata?.name ?? '';
    if (!isTerminated(pod)) {
      await this.#client.patch(
        ref,
        name,
        'strategic',
        {
          metadata: { uid: pod.metadata?.uid },
          status: {
            phase: 'Failed',
            ...(condition
              ? {
                  conditions: [
                    {
                      ...condition,
                      lastProbeTime: null,
                      lastTransitionTime: formatTime(this.#clock.now()),
                    },
                  ],
                }
              : {}),
          },
        },
        { subresource: 'status' },
      );
    }
    await this.#client.delete(ref, name, { gracePeriodSeconds: 0 });
  }
}

function isTerminated(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

function hasTaint(node: Node, key: string): boolean {
  return (node.spec?.taints ?? []).some((taint) => taint.key === key);
}

function isOutOfService(node: Node): boolean {
  return !isNodeReady(node) && hasTaint(node, TAINT_NODE_OUT_OF_SERVICE);
}

/** Evicted pods first (the kubelet's Failed/Evicted), then by creation time, then by name. */
function byEvictionAndCreation(a: Pod, b: Pod): number {
  const evicted = (pod: Pod) => pod.status?.phase === 'Failed' && pod.status?.reason === 'Evicted';
  if (evicted(a) !== evicted(b)) return evicted(a) ? -1 : 1;
  const created = timeOf(a.metadata?.creationTimestamp) - timeOf(b.metadata?.creationTimestamp);
  if (created !== 0) return created;
  const nameA = a.metadata?.name ?? '';
  const nameB = b.metadata?.name ?? '';
  return nameA < nameB ? -1 : nameA > nameB ? 1 : 0;
}

/** kube-controller-manager's pod-garbage-collector. */
export const podGcController: ControllerFactory = (context) => new PodGcController({ context });
