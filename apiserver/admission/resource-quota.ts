/**
 * ResourceQuota: a write that would take a namespace past one of its quotas is refused, and a write
 * let through is charged to the quotas' `status.used` before it is stored.
 *
 * The quota object is the lock. For each quota that limits what the write uses, its `status.used` is
 * raised by a compare-and-swap on the quota's revision (ResourceStore.update re-reads and re-checks on
 * a lost race), and the check against `status.hard` runs on the state being swapped — so two writes
 * can never both take the last unit, whichever API server they reach. Within this server, writes to
 * one namespace also take turns (upstream batches them per namespace), so they rarely race at all.
 *
 *   hard pods=5, used pods=5, a pod create →
 *     pods "web" is forbidden: exceeded quota: q, requested: pods=1, used: pods=5, limited: pods=5
 *
 * A quota whose usage the resourcequota controller has not computed yet refuses what it limits
 * (`status unknown for quota: q, resources: pods`), as upstream does. A charge for a write that then
 * fails stays until the controller recomputes the quota. A dry run is checked but charges nothing.
 * Events, subresources and cluster-scoped objects are not counted.
 */
import type { KubeObject } from '../../api/resource.js';
import { forbidden, isStatusError, type StatusError } from '../../api/status.js';
import { type Clock, systemClock } from '../../client/clock.js';
import { AdmissionObjects } from './objects.js';
import { type QuotaEvaluator, quotaEvaluator, quotaMatches, statusHard, statusUsed } from './quota-usage.js';
import {
  addResourceLists,
  isZeroResourceList,
  lessThanOrEqual,
  maskResourceList,
  negativeResources,
  prettyPrint,
  subtractNonNegative,
  toJSONResourceList,
} from './resource-list.js';
import type { AdmissionPlugin, AdmissionPluginFactory, AdmissionRequest } from './types.js';

const ignoredResources = new Set(['/events', 'events.k8s.io/events']);

export class ResourceQuotaAdmission implements AdmissionPlugin {
  readonly name = 'ResourceQuota';
  readonly #objects: AdmissionObjects;
  readonly #clock: Clock;
  /** The tail of each namespace's queue of charges; a namespace's entry goes when its queue empties. */
  readonly #turns = new Map<string, Promise<void>>();

  constructor(options: { objects: AdmissionObjects; clock?: Clock }) {
    this.#objects = options.objects;
    this.#clock = options.clock ?? systemClock;
  }

  async validate(request: AdmissionRequest): Promise<void> {
    const { resource, subresource, namespace, operation, object, oldObject } = request;
    if (subresource !== undefined || !resource.namespaced || !namespace) return;
    if (ignoredResources.has(`${resource.group}/${resource.plural}`)) return;
    const evaluator = quotaEvaluator(resource.group, resource.plural);
    if (!evaluator.handles(operation, object, oldObject)) return;
    if (this.#objects.list('', 'resourcequotas', namespace).length === 0) return;
    await this.#inTurn(namespace, () => this.#charge(request, evaluator));
  }

  /** Runs `work` after every earlier charge in the namespace has finished. */
  #inTurn(namespace: string, work: () => Promise<void>): Promise<void> {
    const previous = this.#turns.get(namespace) ?? Promise.resolve();
    const run = previous.then(work);
    const tail = run.then(
      () => {},
      () => {},
    );
    this.#turns.set(namespace, tail);
    void tail.then(() => {
      if (this.#turns.get(namespace) === tail) this.#turns.delete(namespace);
    });
    return run;
  }

  async #charge(request: AdmissionRequest, evaluator: QuotaEvaluator): Promise<void> {
    const { namespace, object, oldObject } = request;
    const refuse = (message: string) =>
      forbidden({ group: request.resource.group, resource: request.resource.plural }, request.name, message);
    const quotas = this.#objects.list('', 'resourcequotas', namespace);
    const charged: KubeObject[] = [];
    for (const quota of quotas) {
      const hard = [...statusHard(quota).keys()];
      if (!quotaMatches(evaluator, quota, object, hard)) continue;
      const limited = evaluator.matchingResources(hard);
      const name = quota.metadata?.name ?? '';
      const problem = evaluator.constraints(limited, object);
      if (problem) throw refuse(`failed quota: ${name}: ${problem}`);
      const used = statusUsed(quota);
      const unknown = limited.filter((resource) => !used.has(resource));
      if (unknown.length > 0) {
        throw refuse(`status unknown for quota: ${name}, resources: ${[...limited].sort().join(',')}`);
      }
      charged.push(quota);
    }
    const now = this.#clock.now();
    let delta = evaluator.usage(object, now);
    const negative = negativeResources(delta);
    if (negative.length > 0) {
      throw refuse(`quota usage is negative for resource(s): ${negative.sort().join(',')}`);
    }
    // An update pays for what it adds; an object created through an update pays in full.
    if (oldObject?.metadata?.resourceVersion)
      delta = subtractNonNegative(delta, evaluator.usage(oldObject, now));
    if (isZeroResourceList(delta) || charged.length === 0) return;

    const store = this.#objects.store('', 'resourcequotas');
    if (!store) return;
    /** The quota with this write's usage added, or the 403 it exceeds. */
    const raised = (quota: KubeObject): KubeObject | StatusError => {
      const hard = statusHard(quota);
      const requested = maskResourceList(delta, hard.keys());
      const used = statusUsed(quota);
      const next = addResourceLists(used, requested);
      const { allowed, exceeded } = lessThanOrEqual(maskResourceList(next, requested.keys()), hard);
      if (!allowed) {
        return refuse(
          `exceeded quota: ${quota.metadata?.name ?? ''}, requested: ${prettyPrint(maskResourceList(requested, exceeded))}, used: ${prettyPrint(maskResourceList(used, exceeded))}, limited: ${prettyPrint(maskResourceList(hard, exceeded))}`,
        );
      }
      const status = (quota.status ?? {}) as Record<string, unknown>;
      return { ...quota, status: { ...status, used: toJSONResourceList(next) } };
    };
    // Every quota is checked against its stored state before any is charged, so a refusal by one
    // leaves the others as they were.
    for (const quota of charged) {
      const current = await store.find(namespace, quota.metadata?.name ?? '');
      const result = current && raised(current);
      if (result && isStatusError(result)) throw result;
    }
    if (request.dryRun) return;
    for (const quota of charged) {
      try {
        await store.update(
          namespace,
          quota.metadata?.name ?? '',
          (current) => {
            const result = raised(current);
            if (isStatusError(result)) throw result;
            return result;
          },
          (candidate) => candidate,
        );
      } catch (error) {
        // A quota deleted meanwhile limits nothing any more.
        if (!isStatusError(error, 'NotFound')) throw error;
      }
    }
  }
}

export const resourceQuotaPlugin: AdmissionPluginFactory = (context) =>
  new ResourceQuotaAdmission({
    objects: new AdmissionObjects(context.stores),
    ...(context.clock ? { clock: context.clock } : {}),
  });
