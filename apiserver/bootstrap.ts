import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../api/resource.js';
import { isStatusError } from '../api/status.js';
import { systemPriorityClasses } from './admission/priority.js';
import { admitter } from './admission.js';
import type { ResourceStore } from './resource-store.js';
import { storeKey } from './rest-handler.js';

/** The namespaces every cluster has from its first start; creating them again is a no-op. */
export const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;

export async function bootstrap(stores: ReadonlyMap<string, ResourceStore>): Promise<void> {
  // system-node-critical and system-cluster-critical, as upstream's scheduling post-start hook makes them.
  const priorityClasses = stores.get(storeKey('scheduling.k8s.io', 'v1', 'priorityclasses'));
  if (priorityClasses) {
    const admitClass = admitter({ resource: priorityClasses.resource });
    for (const priorityClass of systemPriorityClasses) {
      try {
        await priorityClasses.create(undefined, structuredClone(priorityClass), admitClass);
      } catch (error) {
        if (!isStatusError(error, 'AlreadyExists')) throw error;
      }
    }
  }
  const namespaces = stores.get(storeKey('', 'v1', 'namespaces'));
  if (!namespaces) return;
  const admit = admitter({ resource: namespaces.resource });
  for (const name of systemNamespaces) {
    try {
      await namespaces.create(undefined, { metadata: { name } }, admit);
    } catch (error) {
      if (!isStatusError(error, 'AlreadyExists')) throw error;
    }
  }
}

/** Where the `kubernetes` Service sends its clients: the API server's address as others reach it. */
export interface KubernetesEndpoint {
  readonly ip: string;
  readonly port: number;
}

/**
 * The `default/kubernetes` Service on the first address of the service range, and its Endpoints and
 * EndpointSlice naming the API server, as upstream's API server keeps them: made on first start, and
 * put right on each start after (the server's address or port may have changed). The Service has no
 * selector, so no controller touches its endpoints; the Endpoints carry skip-mirror for the same reason.
 */
export async function ensureKubernetesService(
  stores: ReadonlyMap<string, ResourceStore>,
  clusterIP: string,
  endpoint: KubernetesEndpoint | undefined,
): Promise<void> {
  const services = stores.get(storeKey('', 'v1', 'services'));
  if (!services) return;
  const labels = { component: 'apiserver', provider: 'kubernetes' };
  const port = { name: 'https', protocol: 'TCP', port: 443, targetPort: endpoint?.port ?? 6443 };
  await ensure(
    services,
    {
      metadata: { name: 'kubernetes', namespace: 'default', labels },
      spec: { type: 'ClusterIP', clusterIP, ports: [port], sessionAffinity: 'None' },
    },
    (current) => {
      const spec = current.spec as { ports?: { targetPort?: unknown }[] };
      if (spec.ports?.length === 1 && spec.ports[0]!.targetPort === port.targetPort) return undefined;
      return { ...current, spec: { ...spec, ports: [port] } };
    },
  );
  if (!endpoint) return;
  const endpoints = stores.get(storeKey('', 'v1', 'endpoints'));
  if (endpoints) {
    const subsets = [
      { addresses: [{ ip: endpoint.ip }], ports: [{ name: 'https', port: endpoint.port, protocol: 'TCP' }] },
    ];
    await ensure(
      endpoints,
      {
        metadata: {
          name: 'kubernetes',
          namespace: 'default',
          labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' },
        },
        subsets,
      },
      (current) => (isDeepStrictEqual(current.subsets, subsets) ? undefined : { ...current, subsets }),
    );
  }
  const slices = stores.get(storeKey('discovery.k8s.io', 'v1', 'endpointslices'));
  if (slices) {
    const body = {
      addressType: 'IPv4',
      endpoints: [{ addresses: [endpoint.ip], conditions: { ready: true } }],
      ports: [{ name: 'https', port: endpoint.port, protocol: 'TCP' }],
    };
    await ensure(
      slices,
      {
        metadata: {
          name: 'kubernetes',
          namespace: 'default',
          labels: { 'kubernetes.io/service-name': 'kubernetes' },
        },
        ...body,
      },
      (current) =>
        isDeepStrictEqual(current.endpoints, body.endpoints) && isDeepStrictEqual(current.ports, body.ports)
          ? undefined
          : { ...current, ...body },
    );
  }
}

/** Creates the object, or when it exists applies `fix` (undefined: it is right as it is). */
async function ensure(
  store: ResourceStore,
  object: KubeObject,
  fix: (current: KubeObject) => KubeObject | undefined,
): Promise<void> {
  const admit = admitter({ resource: store.resource });
  const { namespace, name } = object.metadata as { namespace: string; name: string };
  const current = await store.find(namespace, name);
  if (!current) {
    try {
      await store.create(namespace, object, admit);
    } catch (error) {
      if (!isStatusError(error, 'AlreadyExists')) throw error;
    }
    return;
  }
  if (!fix(current)) return;
  await store.update(namespace, name, (latest) => fix(structuredClone(latest)) ?? latest, admit);
}
