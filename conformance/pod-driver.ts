/**
 * Plays the scheduler and the kubelet for tests that need pods to run before either exists: simulated
 * Nodes are registered, pending pods are bound to a node (through `pods/binding`, as the scheduler
 * does), bound pods are reported Running and Ready (a `status` write, as the kubelet does), and pods
 * being deleted are finished (a delete with grace period 0 and the pod's uid, as the kubelet confirms
 * a graceful deletion). Everything goes through the API.
 *
 *   pod created ─bind→ spec.nodeName=node-1 ─status→ Running, Ready, podIP 10.244.1.7
 *   delete (graceful) → deletionTimestamp set ─delete grace 0→ gone
 *
 * A pod whose images cannot run (`runs` says no; by default an image tagged `404`) is left Pending
 * with ImagePullBackOff, as a kubelet would leave it. `setReady` flips a pod's readiness by hand (what
 * upstream's tests do by breaking a readiness probe). A pod whose command ends (`outcome` says
 * 'succeeded' or 'failed'; by default every pod keeps running) is reported Succeeded or Failed, its
 * containers terminated with exit code 0 or 1, as a kubelet reports a finished pod.
 */
import type { KubeObject } from '../api/resource.js';
import { isStatusError } from '../api/status.js';
import type { Informer } from '../client/informer.js';
import { InformerFactory } from '../client/informer-factory.js';
import { refFor } from '../client/refs.js';
import type { KubeClient } from '../client/types.js';

interface Container {
  name: string;
  image?: string;
}

export interface DrivenPod extends KubeObject {
  spec?: {
    nodeName?: string;
    nodeSelector?: Record<string, string>;
    containers?: Container[];
    affinity?: {
      nodeAffinity?: {
        requiredDuringSchedulingIgnoredDuringExecution?: {
          nodeSelectorTerms?: { matchFields?: { key: string; operator: string; values?: string[] }[] }[];
        };
      };
    };
    [field: string]: unknown;
  };
  status?: { phase?: string; conditions?: { type: string; status: string }[]; [field: string]: unknown };
}

export interface PodDriverOptions {
  readonly client: KubeClient;
  /** The simulated nodes' names; default one node, `node-1`. */
  readonly nodes?: readonly string[];
  /** Whether a pod's containers can run; default: unless an image's tag is `404`. */
  readonly runs?: (pod: DrivenPod) => boolean;
  /** How a running pod ends: it keeps running (the default), or its containers exit 0 or 1. */
  readonly outcome?: (pod: DrivenPod) => PodOutcome;
}

export type PodOutcome = 'running' | 'succeeded' | 'failed';

export class PodDriver {
  readonly #client: KubeClient;
  readonly #nodes: readonly string[];
  readonly #runs: (pod: DrivenPod) => boolean;
  readonly #outcome: (pod: DrivenPod) => PodOutcome;
  readonly #informers: InformerFactory;
  readonly #pods: Informer<DrivenPod>;
  readonly #nodeInformer: Informer<KubeObject>;
  /** Readiness set by hand, by pod uid: a pod made again under the same name starts afresh. */
  readonly #readiness = new Map<string, boolean>();
  /** One chain of work per pod, so two events about a pod are handled in order. */
  readonly #chains = new Map<string, Promise<void>>();
  readonly errors: unknown[] = [];
  #nextIp = 2;
  #nextNode = 0;

  private constructor(options: PodDriverOptions) {
    this.#client = options.client;
    this.#nodes = options.nodes ?? ['node-1'];
    this.#runs =
      options.runs ?? ((pod) => !(pod.spec?.containers ?? []).some((c) => c.image?.endsWith(':404')));
    this.#outcome = options.outcome ?? (() => 'running');
    this.#informers = new InformerFactory({
      client: options.client,
      onError: (error) => this.errors.push(error),
    });
    this.#pods = this.#informers.informerFor<DrivenPod>(refFor('Pod'));
    this.#nodeInformer = this.#informers.informerFor(refFor('Node'));
    this.#pods.addEventHandler({
      onAdd: (pod) => this.#enqueue(pod),
      onUpdate: (_old, pod) => this.#enqueue(pod),
    });
  }

  static async start(options: PodDriverOptions): Promise<PodDriver> {
    const driver = new PodDriver(options);
    await driver.#registerNodes();
    driver.#informers.start();
    await driver.#informers.waitForSync();
    return driver;
  }

  /** Marks a pod ready or not ready from now on (until set again, or the pod is made again). */
  async setReady(namespace: string, name: string, ready: boolean): Promise<void> {
    const pod = await this.#client.get<DrivenPod>(refFor('Pod', namespace), name);
    this.#readiness.set(pod.metadata?.uid ?? '', ready);
    this.#enqueue(pod);
    await this.#chains.get(`${namespace}/${name}`);
  }

  /** Looks at every pod again (after `runs` changed its mind, say); resolves when all are handled. */
  async resync(): Promise<void> {
    for (const pod of this.#pods.store.list()) this.#enqueue(pod);
    await Promise.all(this.#chains.values());
  }

  async stop(): Promise<void> {
    await this.#informers.stop();
    await Promise.all(this.#chains.values());
  }

  async #registerNodes(): Promise<void> {
    for (const [index, name] of this.#nodes.entries()) {
      const node = {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' } },
        spec: { podCIDR: `10.244.${index + 1}.0/24` },
      };
      try {
        await this.#client.create(refFor('Node'), node);
      } catch (error) {
        if (!isStatusError(error, 'AlreadyExists')) throw error;
      }
      const now = `${new Date().toISOString().slice(0, 19)}Z`;
      await this.#client.patch(
        refFor('Node'),
        name,
        'merge',
        {
          status: {
            conditions: [
              {
                type: 'Ready',
                status: 'True',
                reason: 'KubeletReady',
                message: 'simulated',
                lastHeartbeatTime: now,
                lastTransitionTime: now,
              },
            ],
            addresses: [
              { type: 'InternalIP', address: `10.0.0.${index + 10}` },
              { type: 'Hostname', address: name },
            ],
            capacity: { cpu: '8', memory: '32Gi', pods: '110' },
            allocatable: { cpu: '8', memory: '32Gi', pods: '110' },
          },
        },
        { subresource: 'status' },
      );
    }
  }

  #enqueue(pod: DrivenPod): void {
    const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    const previous = this.#chains.get(key) ?? Promise.resolve();
    const next = previous
      .then(() => this.#sync(key))
      .catch((error) => {
        // A pod changed or went away under us: the next event brings it back.
        if (!isStatusError(error, 'NotFound') && !isStatusError(error, 'Conflict')) this.errors.push(error);
      });
    this.#chains.set(key, next);
    void next.then(() => {
      if (this.#chains.get(key) === next) this.#chains.delete(key);
    });
  }

  /** One step toward what a scheduler and kubelet would make of the pod, from the cache. */
  async #sync(key: string): Promise<void> {
    const [namespace, name] = key.split('/') as [string, string];
    const pod = this.#pods.store.getByName(namespace, name);
    if (!pod) return;
    const ref = refFor('Pod', namespace);
    const nodeName = pod.spec?.nodeName;
    if (pod.metadata?.deletionTimestamp) {
      if (nodeName) {
        await this.#client.delete(ref, name, {
          gracePeriodSeconds: 0,
          preconditions: { uid: pod.metadata.uid },
        });
      }
      return;
    }
    if (!nodeName) {
      const node = this.#placeFor(pod);
      if (!node) return;
      await this.#client.create(
        refFor('Pod', namespace),
        {
          apiVersion: 'v1',
          kind: 'Binding',
          metadata: { name, namespace, uid: pod.metadata?.uid },
          target: { apiVersion: 'v1', kind: 'Node', name: node },
        } as KubeObject,
        { subresource: 'binding' },
      );
      return;
    }
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return;
    const runs = this.#runs(pod);
    const outcome = runs ? this.#outcome(pod) : 'running';
    if (outcome !== 'running') {
      await this.#client.patch(
        ref,
        name,
        'merge',
        { status: this.#finishedStatusFor(pod, nodeName, outcome === 'succeeded') },
        { subresource: 'status' },
      );
      return;
    }
    const ready = runs && (this.#readiness.get(pod.metadata?.uid ?? '') ?? true);
    const readyNow =
      pod.status?.conditions?.find((condition) => condition.type === 'Ready')?.status === 'True';
    if (phase === (runs ? 'Running' : 'Pending') && readyNow === ready && pod.status?.podIP) return;
    await this.#client.patch(
      ref,
      name,
      'merge',
      { status: this.#statusFor(pod, nodeName, runs, ready) },
      {
        subresource: 'status',
      },
    );
  }

  #placeFor(pod: DrivenPod): string | undefined {
    const terms =
      pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
    const named = terms
      ?.flatMap((term) => term.matchFields ?? [])
      .find((field) => field.key === 'metadata.name');
    const eligible = this.#nodes.filter((node) => {
      if (named && !(named.values ?? []).includes(node)) return false;
      const labels = this.#nodeInformer.store.getByName(undefined, node)?.metadata?.labels ?? {};
      return Object.entries(pod.spec?.nodeSelector ?? {}).every(([key, value]) => labels[key] === value);
    });
    if (eligible.length === 0) return undefined;
    return eligible[this.#nextNode++ % eligible.length];
  }

  /** A finished pod's status, as a kubelet reports it: not ready (PodCompleted), containers terminated. */
  #finishedStatusFor(pod: DrivenPod, nodeName: string, succeeded: boolean): Record<string, unknown> {
    const now = `${new Date().toISOString().slice(0, 19)}Z`;
    const index = Math.max(0, this.#nodes.indexOf(nodeName)) + 1;
    const podIP = (pod.status?.podIP as string | undefined) ?? `10.244.${index}.${this.#nextIp++ % 250}`;
    const startedAt = (pod.status?.startTime as string | undefined) ?? now;
    const condition = (type: string, status: boolean) => ({
      type,
      status: status ? 'True' : 'False',
      lastProbeTime: null,
      lastTransitionTime: now,
      ...(status ? {} : { reason: 'PodCompleted' }),
    });
    return {
      phase: succeeded ? 'Succeeded' : 'Failed',
      hostIP: `10.0.0.${index + 9}`,
      podIP,
      podIPs: [{ ip: podIP }],
      startTime: startedAt,
      conditions: [
        condition('PodScheduled', true),
        condition('Initialized', true),
        condition('ContainersReady', false),
        condition('Ready', false),
      ],
      containerStatuses: (pod.spec?.containers ?? []).map((container) => ({
        name: container.name,
        image: container.image,
        imageID: `${container.image}@sha256:${'0'.repeat(64)}`,
        ready: false,
        started: false,
        restartCount: 0,
        state: {
          terminated: {
            exitCode: succeeded ? 0 : 1,
            reason: succeeded ? 'Completed' : 'Error',
            startedAt,
            finishedAt: now,
          },
        },
      })),
    };
  }

  #statusFor(pod: DrivenPod, nodeName: string, runs: boolean, ready: boolean): Record<string, unknown> {
    const now = `${new Date().toISOString().slice(0, 19)}Z`;
    const index = Math.max(0, this.#nodes.indexOf(nodeName)) + 1;
    const podIP = (pod.status?.podIP as string | undefined) ?? `10.244.${index}.${this.#nextIp++ % 250}`;
    const condition = (type: string, status: boolean) => ({
      type,
      status: status ? 'True' : 'False',
      lastProbeTime: null,
      lastTransitionTime: now,
    });
    return {
      phase: runs ? 'Running' : 'Pending',
      hostIP: `10.0.0.${index + 9}`,
      podIP,
      podIPs: [{ ip: podIP }],
      startTime: (pod.status?.startTime as string | undefined) ?? now,
      conditions: [
        condition('PodScheduled', true),
        condition('Initialized', true),
        condition('ContainersReady', ready),
        condition('Ready', ready),
      ],
      containerStatuses: (pod.spec?.containers ?? []).map((container) => ({
        name: container.name,
        image: container.image,
        imageID: runs ? `${container.image}@sha256:${'0'.repeat(64)}` : '',
        ready,
        started: runs,
        restartCount: 0,
        state: runs
          ? { running: { startedAt: now } }
          : {
              waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${container.image}"` },
            },
      })),
    };
  }
}
