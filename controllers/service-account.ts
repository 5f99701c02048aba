/**
 * The service account controller (kube-controller-manager's `serviceaccount` controller): every active
 * namespace has a ServiceAccount named `default`, which pods run as unless they name another.
 *
 * Keys are namespace names. A namespace's arrival or change enqueues it, and so does the deletion of a
 * ServiceAccount in it, so a deleted `default` comes back. `reconcile` reads both caches: nothing to do
 * when the namespace is gone or not Active (a terminating namespace refuses new content anyway), or when
 * the account is cached; otherwise it creates the account. AlreadyExists means the cache lagged behind a
 * create, and a 403 carrying the NamespaceTerminating cause means the namespace began terminating after
 * the cache saw it: both are success.
 *
 *   namespace `shop` added        → create serviceaccounts/default in shop
 *   serviceaccount shop/default deleted → create it again
 *   namespace `shop` Terminating  → nothing
 */
import type { KubeObject } from '../api/resource.js';
import { isStatusError } from '../api/status.js';
import type { Informer } from '../client/informer.js';
import { refFor } from '../client/refs.js';
import {
  type Controller,
  type ControllerContext,
  type ControllerFactory,
  QueueController,
  type ReconcileResult,
} from './framework.js';

export interface ServiceAccountControllerOptions {
  /** The accounts every active namespace gets. Default: `default`. */
  readonly serviceAccounts?: readonly string[];
  /** Namespaces processed at once (upstream's --concurrent-serviceaccount-syncs). Default 1. */
  readonly workers?: number;
}

/** The cause the API's namespace lifecycle check puts on a 403 for a namespace being terminated. */
export const namespaceTerminatingCause = 'NamespaceTerminating';

export class ServiceAccountController implements Controller {
  readonly name = 'serviceaccount-controller';
  readonly #context: ControllerContext;
  readonly #worker: QueueController;
  readonly #namespaces: Informer;
  readonly #serviceAccounts: Informer;
  readonly #wanted: readonly string[];

  constructor(context: ControllerContext, options: ServiceAccountControllerOptions = {}) {
    this.#context = context;
    this.#wanted = options.serviceAccounts ?? ['default'];
    this.#worker = new QueueController({
      name: this.name,
      context,
      reconcile: (key) => this.reconcile(key),
      workers: options.workers ?? 1,
    });
    const enqueue = (name: string | undefined) => {
      if (name) this.#worker.enqueue(name);
    };
    this.#namespaces = context.informers.informerFor(refFor('Namespace'));
    this.#namespaces.addEventHandler({
      onAdd: (namespace) => enqueue(namespace.metadata?.name),
      onUpdate: (_old, namespace) => enqueue(namespace.metadata?.name),
    });
    this.#serviceAccounts = context.informers.informerFor(refFor('ServiceAccount'));
    this.#serviceAccounts.addEventHandler({
      onDelete: (account) => enqueue(account.metadata?.namespace),
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.#worker.run(signal);
  }

  /** Creates the wanted accounts missing from namespace `key` (a name), if it is active. */
  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const namespace = this.#namespaces.store.getByName(undefined, key);
    if ((namespace?.status as { phase?: string } | undefined)?.phase !== 'Active') return undefined;
    const failures: unknown[] = [];
    for (const name of this.#wanted) {
      if (this.#serviceAccounts.store.getByName(key, name)) continue;
      const account: KubeObject = {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name, namespace: key },
      };
      try {
        await this.#context.client.create(refFor('ServiceAccount', key), account);
      } catch (error) {
        if (isStatusError(error, 'AlreadyExists') || isNamespaceTerminating(error)) continue;
        failures.push(error);
      }
    }
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) {
      throw new AggregateError(
        failures,
        `[${failures.map((error) => (error instanceof Error ? error.message : String(error))).join(', ')}]`,
      );
    }
    return undefined;
  }
}

function isNamespaceTerminating(error: unknown): boolean {
  return (
    isStatusError(error, 'Forbidden') &&
    (error.status.details?.causes ?? []).some((cause) => cause.reason === namespaceTerminatingCause)
  );
}

export const serviceAccountController: ControllerFactory = (context) => new ServiceAccountController(context);

export function makeServiceAccountController(options: ServiceAccountControllerOptions): ControllerFactory {
  return (context) => new ServiceAccountController(context, options);
}
