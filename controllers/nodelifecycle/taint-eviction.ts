/**
 * The taint-eviction controller, as kube-controller-manager's (pkg/controller/tainteviction, once the
 * NoExecuteTaintManager): a pod bound to a node with a NoExecute taint it does not tolerate is deleted
 * at once; one that tolerates every such taint, some for `tolerationSeconds`, is deleted when the first
 * of those runs out; one that tolerates them all forever stays.
 *
 *   taint unreachable:NoExecute added 12:00:00, pod tolerates it for 300 s  →  deleted at 12:05:00
 *   taint removed at 12:02:00                                               →  the deletion is cancelled
 *
 * The clock starts at the taint's `timeAdded` (or the pod's creation, if the pod came later), not when
 * this controller first saw the pod as upstream's in-memory timer does: so a restarted controller
 * neither forgets nor restarts a countdown. A pod's key is requeued for its deadline; there is no sweep.
 *
 * Before deleting, the pod gets the DisruptionTarget condition (DeletionByTaintManager), as upstream, so
 * Jobs' pod failure policies can tell an eviction from a crash. Events: `TaintManagerEviction` "Marking
 * for deletion Pod ns/name", and "Cancelling deletion of Pod ns/name" when a countdown is dropped.
 */
import { isStatusError } from '../../api/status.js';
import type { Clock } from '../../client/clock.js';
import { EventRecorder } from '../../client/event-recorder.js';
import { objectKey, splitKey } from '../../client/indexed-store.js';
import type { Informer } from '../../client/informer.js';
import { refFor } from '../../client/refs.js';
import type { KubeClient } from '../../client/types.js';
import type { WorkQueue } from '../../client/work-queue.js';
import {
  type Controller,
  type ControllerContext,
  type ControllerFactory,
  QueueController,
  type ReconcileResult,
} from '../framework.js';
import { eventKeyOf, formatTime, type Pod, podCondition, timeOf } from '../pods.js';
import { PodsByNode } from './pods-by-node.js';
import { type Node, type Taint, type Toleration, toleratesTaint, tolerationsOf } from './taints.js';

/** The longest wait handed to the queue (a timer cannot wait 2^31 ms); a later deadline is waited for again. */
const MAX_REQUEUE_MS = 24 * 3_600_000;

export interface TaintEvictionControllerOptions {
  readonly context: ControllerContext;
  readonly workers?: number;
}

export class TaintEvictionController implements Controller {
  readonly name = 'taint-eviction-controller';
  readonly #client: KubeClient;
  readonly #clock: Clock;
  readonly #nodes: Informer<Node>;
  readonly #pods: Informer<Pod>;
  readonly #podsByNode: PodsByNode;
  readonly #queue: QueueController;
  readonly #events: EventRecorder;
  /** Pods with a countdown running, so that dropping one can be reported. */
  readonly #scheduled = new Set<string>();

  constructor(options: TaintEvictionControllerOptions) {
    const { context } = options;
    this.#client = context.client;
    this.#clock = context.clock;
    this.#events = new EventRecorder({
      client: context.client,
      component: 'taint-eviction-controller',
      clock: context.clock,
      onError: (error, event) => context.onError(this.name, eventKeyOf(event), error),
    });
    this.#queue = new QueueController({
      name: this.name,
      context,
      reconcile: (key) => this.reconcile(key),
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
    });
    this.#nodes = context.informers.informerFor<Node>(refFor('Node'));
    this.#pods = context.informers.informerFor<Pod>(refFor('Pod'));
    this.#podsByNode = new PodsByNode(this.#pods);
    const enqueuePod = (pod: Pod) => {
      if (pod.spec?.nodeName) this.#queue.enqueue(objectKey(pod));
    };
    this.#pods.addEventHandler({
      onAdd: enqueuePod,
      onUpdate: (old, pod) => {
        // Only a new node or new tolerations change a pod's fate; status churn does not.
        const tolerationsChanged = JSON.stringify(tolerationsOf(old)) !== JSON.stringify(tolerationsOf(pod));
        if (old.spec?.nodeName !== pod.spec?.nodeName || tolerationsChanged) {
          enqueuePod(pod);
        }
      },
      onDelete: (pod) => this.#scheduled.delete(objectKey(pod)),
    });
    this.#nodes.addEventHandler({
      onAdd: (node) => this.#nodeChanged(undefined, node),
      onUpdate: (old, node) => this.#nodeChanged(old, node),
    });
  }

  get queue(): WorkQueue<string> {
    return this.#queue.queue;
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await this.#queue.run(signal);
    } finally {
      await this.#events.stop();
    }
  }

  #nodeChanged(old: Node | undefined, node: Node): void {
    const before = JSON.stringify(noExecuteTaints(old));
    const after = JSON.stringify(noExecuteTaints(node));
    if (before === after) return;
    for (const pod of this.#podsByNode.podsOn(node.metadata?.name ?? '')) this.#queue.enqueue(objectKey(pod));
  }

  /** One pod: delete it now, wait for its deadline, or leave it; see the module comment. */
  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const { namespace, name } = splitKey(key);
    const pod = this.#pods.store.getByName(namespace, name);
    const nodeName = pod?.spec?.nodeName;
    const node = nodeName ? this.#nodes.store.getByName(undefined, nodeName) : undefined;
    const deadline =
      pod && node && !pod.metadata?.deletionTimestamp ? evictionDeadline(pod, node) : undefined;
    if (deadline === undefined) {
      if (this.#scheduled.delete(key) && pod) {
        this.#events.event(pod, 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
      }
      return undefined;
    }
    const now = this.#clock.now();
    if (deadline > now) {
      this.#scheduled.add(key);
      return { requeueAfterMs: Math.min(MAX_REQUEUE_MS, deadline - now) };
    }
    this.#scheduled.delete(key);
    this.#events.event(pod!, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    await this.#markAndDelete(pod!);
    return undefined;
  }

  /** Upstream's addConditionAndDeletePod: the DisruptionTarget condition first, then a plain delete. */
  async #markAndDelete(pod: Pod): Promise<void> {
    const ref = refFor('Pod', pod.metadata?.namespace);
    const name = pod.metadata?.name ?? '';
    try {
      const existing = podCondition(pod, 'DisruptionTarget');
      if (existing?.status !== 'True' || existing.reason !== 'DeletionByTaintManager') {
        await this.#client.patch(
          ref,
          name,
          'strategic',
          {
            metadata: { uid: pod.metadata?.uid },
            status: {
              conditions: [
                {
                  type: 'DisruptionTarget',
                  status: 'True',
                  lastProbeTime: null,
                  lastTransitionTime: formatTime(this.#clock.now()),
                  reason: 'DeletionByTaintManager',
                  message: 'Taint manager: deleting due to NoExecute taint',
                },
              ],
            },
          },
          { subresource: 'status' },
        );
      }
      await this.#client.delete(ref, name);
    } catch (error) {
      // Gone already: the eviction is done.
      if (!isStatusError(error, 'NotFound')) throw error;
    }
  }
}

function noExecuteTaints(node: Node | undefined): Taint[] {
  return (node?.spec?.taints ?? []).filter((taint) => taint.effect === 'NoExecute');
}

/**
 * When the pod must go (ms since the epoch; at or before now: at once), or undefined when it may stay:
 * the node has no NoExecute taint, or the pod tolerates each forever.
 */
export function evictionDeadline(pod: Pod, node: Node): number | undefined {
  const taints = noExecuteTaints(node);
  if (taints.length === 0) return undefined;
  const tolerations = tolerationsOf(pod);
  const created = timeOf(pod.metadata?.creationTimestamp);
  let deadline: number | undefined;
  for (const taint of taints) {
    // As upstream's GetMatchingTolerations: the first toleration that tolerates the taint is the one used.
    const toleration: Toleration | undefined = tolerations.find((candidate) =>
      toleratesTaint(candidate, taint),
    );
    if (!toleration) return Number.NEGATIVE_INFINITY;
    const seconds = toleration.tolerationSeconds;
    if (seconds === undefined || seconds === null) continue;
    const start = Math.max(timeOf(taint.timeAdded), created);
    const due = seconds <= 0 ? Number.NEGATIVE_INFINITY : start + seconds * 1000;
    deadline = deadline === undefined ? due : Math.min(deadline, due);
  }
  return deadline;
}

/** kube-controller-manager's taint-eviction-controller. */
export const taintEvictionController: ControllerFactory = (context) =>
  new TaintEvictionController({ context });
