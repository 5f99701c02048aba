/**
 * The ClusterRole aggregation controller (kube-controller-manager's `clusterrole-aggregation`): a
 * ClusterRole with an aggregationRule gets the rules of every ClusterRole its selectors match, kept
 * current as roles come, change and go.
 *
 *   ClusterRole `monitoring` (aggregationRule: aggregate-to-monitoring=true)
 *   ClusterRole `prometheus-reader`, labelled aggregate-to-monitoring=true, rules R1, R2
 *   → update clusterroles/monitoring with rules [R1, R2]
 *
 * Keys are the names of aggregated roles. Any ClusterRole event enqueues every aggregated role, as
 * upstream does: the roles are few, and which aggregated role a change touches depends on labels
 * before and after. `reconcile` gathers the rules from the cache (apiserver/auth/rbac/aggregation.ts)
 * and writes only when they differ; aggregated roles that aggregate each other settle over a few
 * rounds, each write waking the others.
 */
import type { KubeObject } from '../api/resource.js';
import { isStatusError } from '../api/status.js';
import { aggregatedRules, hasAggregationRule, sameRules } from '../apiserver/auth/rbac/aggregation.js';
import type { Informer } from '../client/informer.js';
import { refFor } from '../client/refs.js';
import type { WorkQueue } from '../client/work-queue.js';
import {
  type Controller,
  type ControllerContext,
  type ControllerFactory,
  QueueController,
  type ReconcileResult,
  TerminalError,
} from './framework.js';

export class ClusterRoleAggregationController implements Controller {
  readonly name = 'clusterrole-aggregation-controller';
  readonly #context: ControllerContext;
  readonly #worker: QueueController;
  readonly #clusterRoles: Informer;

  constructor(context: ControllerContext) {
    this.#context = context;
    this.#worker = new QueueController({
      name: this.name,
      context,
      reconcile: (key) => this.reconcile(key),
      workers: 1,
    });
    this.#clusterRoles = context.informers.informerFor(refFor('ClusterRole'));
    const enqueueAggregated = () => {
      for (const role of this.#clusterRoles.store.list()) {
        if (hasAggregationRule(role) && role.metadata?.name) this.#worker.enqueue(role.metadata.name);
      }
    };
    this.#clusterRoles.addEventHandler({
      onAdd: enqueueAggregated,
      onUpdate: enqueueAggregated,
      onDelete: enqueueAggregated,
    });
  }

  /** The keys waiting (for tests that drive the controller by hand). */
  get queue(): WorkQueue<string> {
    return this.#worker.queue;
  }

  run(signal: AbortSignal): Promise<void> {
    return this.#worker.run(signal);
  }

  /** Writes the aggregated rules of ClusterRole `key` (a name) when they differ from its own. */
  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const role = this.#clusterRoles.store.getByName(undefined, key);
    if (!role || !hasAggregationRule(role)) return undefined;
    let rules: unknown[] | undefined;
    try {
      rules = aggregatedRules(role, this.#clusterRoles.store.list());
    } catch (error) {
      // A malformed selector stays malformed until the role changes, which enqueues it again.
      if (isStatusError(error, 'BadRequest')) throw new TerminalError(error.message);
      throw error;
    }
    if (rules === undefined || sameRules(rules, role.rules)) return undefined;
    const updated: KubeObject = { ...structuredClone(role), rules: structuredClone(rules) };
    await this.#context.client.update(refFor('ClusterRole'), updated);
    return undefined;
  }
}

export const clusterRoleAggregationController: ControllerFactory = (context) =>
  new ClusterRoleAggregationController(context);
