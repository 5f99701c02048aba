/**
 * The root CA publisher (kube-controller-manager's `root-ca-cert-publisher`): every active namespace
 * has a ConfigMap `kube-root-ca.crt` whose `ca.crt` is the CA that signed the API server's serving
 * certificate, so a pod can verify `https://kubernetes.default.svc` (the kubelet shim mounts it beside
 * the ServiceAccount token).
 *
 * Keys are namespace names. A namespace's arrival or change enqueues it, and so does any change to a
 * `kube-root-ca.crt` ConfigMap, so a deleted or edited one is put back. `reconcile` reads both caches:
 *
 *   namespace `shop` Active, no ConfigMap       → create configmaps/kube-root-ca.crt in shop
 *   the ConfigMap's ca.crt or annotation differs → update it (data and the annotation only)
 *   namespace `shop` Terminating, or gone       → nothing
 */
import { isDeepStrictEqual } from 'node:util';
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
import { hasStatusCause, NAMESPACE_TERMINATING_CAUSE } from './pods.js';

export const ROOT_CA_CONFIG_MAP = 'kube-root-ca.crt';
const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
/** The annotation upstream puts on the ConfigMap, word for word: users and tools may look for it. */
const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

export class RootCaPublisher implements Controller {
  readonly name = 'root-ca-cert-publisher';
  readonly #context: ControllerContext;
  readonly #rootCa: string;
  readonly #worker: QueueController;
  readonly #namespaces: Informer;
  readonly #configMaps: Informer<ConfigMap>;

  constructor(context: ControllerContext, rootCa: string) {
    this.#context = context;
    this.#rootCa = rootCa;
    this.#worker = new QueueController({ name: this.name, context, reconcile: (key) => this.reconcile(key) });
    const enqueue = (name: string | undefined) => {
      if (name) this.#worker.enqueue(name);
    };
    this.#namespaces = context.informers.informerFor(refFor('Namespace'));
    this.#namespaces.addEventHandler({
      onAdd: (namespace) => enqueue(namespace.metadata?.name),
      onUpdate: (_old, namespace) => enqueue(namespace.metadata?.name),
    });
    this.#configMaps = context.informers.informerFor<ConfigMap>(refFor('ConfigMap'));
    const ours = (configMap: ConfigMap) => {
      if (configMap.metadata?.name === ROOT_CA_CONFIG_MAP) enqueue(configMap.metadata.namespace);
    };
    this.#configMaps.addEventHandler({ onUpdate: (_old, configMap) => ours(configMap), onDelete: ours });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.#worker.run(signal);
  }

  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const namespace = this.#namespaces.store.getByName(undefined, key);
    if ((namespace?.status as { phase?: string } | undefined)?.phase !== 'Active') return undefined;
    const ref = refFor('ConfigMap', key);
    const data = { 'ca.crt': this.#rootCa };
    const current = this.#configMaps.store.getByName(key, ROOT_CA_CONFIG_MAP);
    try {
      if (!current) {
        await this.#context.client.create(ref, {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: ROOT_CA_CONFIG_MAP, annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION } },
          data,
        } as ConfigMap);
        return undefined;
      }
      const described = current.metadata?.annotations?.[DESCRIPTION_ANNOTATION] === DESCRIPTION;
      if (described && isDeepStrictEqual(current.data ?? {}, data)) return undefined;
      // Only what this controller owns changes; labels and other annotations someone added stay.
      const updated = structuredClone(current);
      updated.data = data;
      (updated.metadata ??= {}).annotations = {
        ...updated.metadata.annotations,
        [DESCRIPTION_ANNOTATION]: DESCRIPTION,
      };
      await this.#context.client.update(ref, updated);
    } catch (error) {
      // The cache lagged behind a create, or the namespace began terminating after it saw it: done.
      if (isStatusError(error, 'AlreadyExists') || hasStatusCause(error, NAMESPACE_TERMINATING_CAUSE)) {
        return undefined;
      }
      throw error;
    }
    return undefined;
  }
}

/** The publisher of `rootCa` (PEM), the CA clients inside the cluster should trust. */
export function rootCaPublisher(rootCa: string): ControllerFactory {
  return (context) => new RootCaPublisher(context, rootCa);
}
