/**
 * The resource quota controller (kube-controller-manager's `resourcequota`): keeps each ResourceQuota's
 * `status` — `hard` is the spec's, `used` what the namespace's objects use now — so the ResourceQuota
 * admission plugin can enforce it (it refuses what a quota limits until `used` is known).
 *
 * Admission raises `used` as it lets writes through; this controller recomputes it from what exists,
 * which lowers it again when usage is given back. So, as upstream, it recomputes a quota when its spec
 * changes or its status lacks a resource, when an object it may count is deleted, when a pod stops
 * counting for compute (Succeeded, Failed), and every `resyncPeriodMs` (5 minutes) — not when objects
 * are added, which admission has already charged (recomputing from a cache that has not seen them yet
 * would hand the quota back too early).
 *
 * Keys are `namespace/name` of quotas; an event on another object enqueues every quota of its namespace.
 *
 *   quota shop/q {hard: {pods: 5}} added, 2 pods in shop → update status {hard: {pods: 5}, used: {pods: 2}}
 */
import type { KubeObject } from '../api/resource.js';
import { resources } from '../api/resources/index.js';
import {
  calculateUsage,
  parseObjectCountName,
  podCountsForCompute,
  specHard,
} from '../apiserver/admission/quota-usage.js';
import {
  equalResourceLists,
  maskResourceList,
  parseResourceList,
  toJSONResourceList,
} from '../apiserver/admission/resource-list.js';
import { objectKey } from '../client/indexed-store.js';
import type { Informer } from '../client/informer.js';
import { refFor } from '../client/refs.js';
import type { ResourceRef } from '../client/types.js';
import {
  type Controller,
  type ControllerContext,
  type ControllerFactory,
  QueueController,
  type ReconcileResult,
} from './framework.js';

export interface ResourceQuotaControllerOptions {
  /** Every quota is recomputed this often (upstream's --resource-quota-sync-period). Default 5 minutes. */
  readonly resyncPeriodMs?: number;
  /** Quotas processed at once (upstream's --concurrent-resource-quota-syncs). Default 5. */
  readonly workers?: number;
}

/** Kinds kept in informers: the ones most quotas count. Other `count/…` kinds are listed when needed. */
const watchedKinds = [
  'Pod',
  'Service',
  'PersistentVolumeClaim',
  'ConfigMap',
  'Secret',
  'ReplicationController',
] as const;

interface QuotaStatus {
  hard?: Record<string, unknown>;
  used?: Record<string, unknown>;
}

export class ResourceQuotaController implements Controller {
  readonly name = 'resourcequota-controller';
  readonly #context: ControllerContext;
  readonly #worker: QueueController;
  readonly #quotas: Informer;
  readonly #watched = new Map<string, Informer>();
  readonly #resyncPeriodMs: number;

  constructor(context: ControllerContext, options: ResourceQuotaControllerOptions = {}) {
    this.#context = context;
    this.#resyncPeriodMs = options.resyncPeriodMs ?? 5 * 60_000;
    this.#worker = new QueueController({
      name: this.name,
      context,
      reconcile: (key) => this.reconcile(key),
      workers: options.workers ?? 5,
    });
    this.#quotas = context.informers.informerFor(refFor('ResourceQuota'));
    this.#quotas.addEventHandler({
      onAdd: (quota) => this.#worker.enqueue(objectKey(quota)),
      onUpdate: (_old, quota) => {
        if (needsRecalculation(quota)) this.#worker.enqueue(objectKey(quota));
      },
    });
    const replenish = (object: KubeObject) => this.#enqueueNamespace(object.metadata?.namespace);
    for (const kind of watchedKinds) {
      const informer = context.informers.informerFor(refFor(kind));
      const definition = resources.find((resource) => resource.kind === kind && resource.group === '')!;
      this.#watched.set(`/${definition.plural}`, informer);
      informer.addEventHandler({
        onDelete: replenish,
        ...(kind === 'Pod'
          ? {
              // A pod that finished gives its compute back.
              onUpdate: (old: KubeObject, pod: KubeObject) => {
                const now = context.clock.now();
                if (podCountsForCompute(old, now) && !podCountsForCompute(pod, now)) replenish(pod);
              },
            }
          : {}),
        ...(kind === 'Service'
          ? {
              onUpdate: (old: KubeObject, service: KubeObject) => {
                const type = (object: KubeObject) => (object.spec as { type?: string } | undefined)?.type;
                if (type(old) !== type(service)) replenish(service);
              },
            }
          : {}),
      });
    }
  }

  run(signal: AbortSignal): Promise<void> {
    return this.#worker.run(signal);
  }

  #enqueueNamespace(namespace: string | undefined): void {
    if (!namespace) return;
    for (const quota of this.#quotas.store.byIndex('namespace', namespace))
      this.#worker.enqueue(objectKey(quota));
  }

  /** Recomputes quota `key` (`namespace/name`) and writes its status if it changed. */
  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const quota = this.#quotas.store.get(key);
    if (!quota) return undefined;
    const namespace = quota.metadata?.namespace ?? '';
    const hard = specHard(quota);
    const listed = await this.#listUncached(namespace, [...hard.keys()]);
    const list = (group: string, plural: string) =>
      this.#watched.get(`${group}/${plural}`)?.store.byIndex('namespace', namespace) ??
      listed.get(`${group}/${plural}`);
    const used = maskResourceList(calculateUsage(quota, list, this.#context.clock.now()), hard.keys());
    const status = (quota.status ?? {}) as QuotaStatus;
    const unchanged =
      equalResourceLists(parseResourceList(status.hard), hard) &&
      equalResourceLists(parseResourceList(status.used), used);
    if (!unchanged) {
      await this.#context.client.update(
        refFor('ResourceQuota', namespace),
        { ...quota, status: { hard: toJSONResourceList(hard), used: toJSONResourceList(used) } },
        { subresource: 'status' },
      );
    }
    return { requeueAfterMs: this.#resyncPeriodMs };
  }

  /** The objects of the `count/…` kinds no informer keeps, read from the API for this reconcile. */
  async #listUncached(namespace: string, names: readonly string[]): Promise<Map<string, KubeObject[]>> {
    const listed = new Map<string, KubeObject[]>();
    for (const name of names) {
      const counted = parseObjectCountName(name);
      if (!counted) continue;
      const key = `${counted.group}/${counted.plural}`;
      if (this.#watched.has(key) || listed.has(key)) continue;
      const ref = refForResource(counted.group, counted.plural, namespace);
      if (!ref) continue;
      listed.set(key, (await this.#context.client.list(ref)).items);
    }
    return listed;
  }
}

/** Whether a quota's status is behind its spec (new limits, or a limit not counted yet). */
function needsRecalculation(quota: KubeObject): boolean {
  const status = (quota.status ?? {}) as QuotaStatus;
  const hard = specHard(quota);
  if (!equalResourceLists(parseResourceList(status.hard), hard)) return true;
  const used = parseResourceList(status.used);
  return [...hard.keys()].some((name) => !used.has(name));
}

/** The namespaced resource `group`/`plural` in its preferred version, if Skiff serves it. */
function refForResource(group: string, plural: string, namespace: string): ResourceRef | undefined {
  const definition = resources.find(
    (resource) =>
      resource.group === group && resource.plural === plural && resource.namespaced && !resource.virtual,
  );
  if (!definition) return undefined;
  return { group, version: definition.version, resource: plural, namespace };
}

export const resourceQuotaController: ControllerFactory = (context) => new ResourceQuotaController(context);

export function makeResourceQuotaController(options: ResourceQuotaControllerOptions): ControllerFactory {
  return (context) => new ResourceQuotaController(context, options);
}
