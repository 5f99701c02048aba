/**
 * A node: the kubelet's work over a CRI runtime. It watches the pods bound to it, syncs each one
 * (pod-sync.ts) in its own worker, notices containers that change state by listing the runtime every
 * second (containerd 1.6 has no event stream: upstream's PLEG relist), and removes from the runtime
 * whatever belongs to no pod it knows — after a crash, its pods are adopted from the runtime's labels,
 * not started twice.
 */
import { readFile } from 'node:fs/promises';
import type { KubeObject } from '../api/resource.js';
import { isStatusError } from '../api/status.js';
import { EventRecorder } from '../client/event-recorder.js';
import { Informer } from '../client/informer.js';
import { refFor } from '../client/refs.js';
import type { KubeClient } from '../client/types.js';
import type { CriClient } from './cri/client.js';
import { type DnsSettings, labels } from './pod-spec.js';
import { type PodEnvironment, PodSync } from './pod-sync.js';
import type { Pod, PodStatus } from './pod-types.js';
import { PodWorkers } from './pod-workers.js';
import { ProbeManager } from './probes.js';
import type { NodeRuntimeView } from './server.js';

export interface KubeletOptions {
  readonly client: KubeClient;
  readonly cri: CriClient;
  readonly nodeName: string;
  readonly rootDir: string;
  readonly hostIPs: readonly string[];
  readonly environment: PodEnvironment;
  /** The cluster DNS Service's address; absent: pods get the host's resolvers. */
  readonly clusterDns?: string;
  readonly clusterDomain?: string;
  /** How often the runtime is listed for containers that changed state. Default 1 s. */
  readonly relistPeriodMs?: number;
  readonly onError?: (error: unknown) => void;
}

export interface RunningKubelet {
  readonly pods: Informer<Pod>;
  readonly sync: PodSync;
  /** The pods' sandboxes and containers as the runtime has them, for the node's HTTPS endpoint. */
  readonly runtime: NodeRuntimeView;
  /**
   * Stops watching and syncing. With `removePods`, also stops and removes every pod this node runs (for
   * an ephemeral cluster, whose pods nothing could adopt later); else they keep running, to be adopted
   * by the node's next start.
   */
  stop(options?: { removePods?: boolean }): Promise<void>;
}

/** The host's resolv.conf, for pods whose dnsPolicy is Default (and ClusterFirst without cluster DNS). */
export async function hostResolvConf(path = '/etc/resolv.conf'): Promise<DnsSettings['host']> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const host: DnsSettings['host'] = { servers: [], searches: [], options: [] };
  for (const line of text.split('\n')) {
    const [keyword, ...values] = line.trim().split(/\s+/);
    if (keyword === 'nameserver' && values[0]) host.servers.push(values[0]);
    else if (keyword === 'search' || keyword === 'domain') host.searches.push(...values);
    else if (keyword === 'options') host.options.push(...values);
  }
  return host;
}

export async function startKubelet(options: KubeletOptions): Promise<RunningKubelet> {
  const { client, cri, nodeName } = options;
  const report = options.onError ?? ((error) => console.error(`kubelet: ${errorText(error)}`));
  const clusterDomain = options.clusterDomain ?? 'cluster.local';
  const recorder = new EventRecorder({ client, component: 'kubelet', host: nodeName });
  const pods = new Informer<Pod>({
    client,
    ref: refFor('Pod'),
    fieldSelector: `spec.nodeName=${nodeName}`,
    // Every pod is synced at least once a minute, as the kubelet's resync: configMap and secret
    // volumes pick up changes, and anything missed is put right.
    resyncPeriodMs: 60_000,
    onError: report,
  });
  /** Pods by uid (the informer keys them by namespace/name, and a name may come back with a new uid). */
  const byUid = new Map<string, Pod>();
  const workers = new PodWorkers(
    async (uid) => {
      const pod = byUid.get(uid);
      if (!pod) {
        await sync.remove(uid);
        return undefined;
      }
      return sync.sync(pod);
    },
    (uid, error) => report(new Error(`syncing pod ${uid}: ${errorText(error)}`)),
  );
  const probes = new ProbeManager(cri, {
    changed: (uid) => workers.enqueue(uid),
    failed: (pod, container, kind, output) => {
      const name = `${kind[0]!.toUpperCase()}${kind.slice(1)}`;
      recorder.event(
        {
          kind: 'Pod',
          apiVersion: 'v1',
          namespace: pod.metadata?.namespace ?? '',
          name: pod.metadata?.name ?? '',
          uid: pod.metadata?.uid ?? '',
          fieldPath: `spec.containers{${container.name}}`,
        },
        'Warning',
        'Unhealthy',
        `${name} probe failed: ${output}`.trim(),
      );
    },
  });
  const sync = new PodSync({
    cri,
    environment: options.environment,
    probes,
    recorder,
    dns: {
      ...(options.clusterDns ? { clusterDns: options.clusterDns } : {}),
      clusterDomain,
      host: await hostResolvConf(),
    },
    clusterDomain,
    hostIPs: options.hostIPs,
    rootDir: options.rootDir,
    nodeName,
    async writeStatus(pod, status) {
      await writeStatus(client, pod, status);
    },
    async confirmDeletion(pod) {
      try {
        await client.delete(refFor('Pod', pod.metadata?.namespace), pod.metadata?.name ?? '', {
          gracePeriodSeconds: 0,
          preconditions: { uid: pod.metadata?.uid ?? '' },
        });
      } catch (error) {
        if (!isStatusError(error, 'NotFound') && !isStatusError(error, 'Conflict')) throw error;
      }
    },
  });

  pods.addEventHandler({
    onAdd(pod) {
      byUid.set(pod.metadata?.uid ?? '', pod);
      workers.enqueue(pod.metadata?.uid ?? '');
    },
    onUpdate(_, pod) {
      byUid.set(pod.metadata?.uid ?? '', pod);
      workers.enqueue(pod.metadata?.uid ?? '');
    },
    onDelete(pod) {
      const uid = pod.metadata?.uid ?? '';
      byUid.delete(uid);
      workers.enqueue(uid);
    },
  });
  pods.start();
  await pods.waitForSync();

  // The relist: containers whose state changed since the last look get their pod synced; sandboxes of
  // pods this node does not have (deleted while it was down, or never finished) are removed.
  let previous = new Map<string, { state: string; uid: string }>();
  let relisting = false;
  async function relist(): Promise<void> {
    if (relisting) return;
    relisting = true;
    try {
      const mine = { label_selector: { [labels.node]: nodeName } };
      const [containers, sandboxes] = await Promise.all([cri.listContainers(mine), cri.listPodSandbox(mine)]);
      const current = new Map<string, { state: string; uid: string }>();
      const changed = new Set<string>();
      for (const container of containers) {
        const uid = container.labels[labels.podUid];
        if (!uid) continue;
        current.set(container.id, { state: container.state, uid });
        if (previous.get(container.id)?.state !== container.state) changed.add(uid);
      }
      for (const [id, { uid }] of previous) if (!current.has(id)) changed.add(uid);
      previous = current;
      for (const sandbox of sandboxes) {
        const uid = sandbox.labels[labels.podUid];
        if (uid && !byUid.has(uid)) changed.add(uid);
      }
      for (const uid of changed) workers.enqueue(uid);
    } catch (error) {
      report(error);
    } finally {
      relisting = false;
    }
  }
  await relist();
  const relistTimer = setInterval(() => void relist(), options.relistPeriodMs ?? 1_000);

  const runtime: NodeRuntimeView = {
    lookup(namespace, name) {
      const pod = pods.store.getByName(namespace, name);
      return pod ? sync.runtimeInfo(pod) : undefined;
    },
    exec: (containerId, cmd, streams) => cri.exec({ container_id: containerId, cmd, ...streams }),
    attach: (containerId, streams) => cri.attach({ container_id: containerId, ...streams }),
    portForward: (sandboxId, port) => cri.portForward(sandboxId, [port]),
  };

  return {
    pods,
    sync,
    runtime,
    async stop({ removePods = false } = {}) {
      clearInterval(relistTimer);
      probes.stop();
      await workers.stop();
      await pods.stop();
      if (removePods) {
        const sandboxes = await cri.listPodSandbox({ label_selector: { [labels.node]: nodeName } });
        const uids = new Set(sandboxes.map((sandbox) => sandbox.labels[labels.podUid] ?? ''));
        await Promise.all([...uids].map((uid) => sync.remove(uid).catch(report)));
      }
      await recorder.flush();
    },
  };
}

/** Writes the pod's status as a merge patch of pods/status (arrays, such as conditions, whole). */
async function writeStatus(client: KubeClient, pod: Pod, status: PodStatus): Promise<void> {
  try {
    await client.patch<KubeObject>(
      refFor('Pod', pod.metadata?.namespace),
      pod.metadata?.name ?? '',
      'merge',
      { metadata: { uid: pod.metadata?.uid }, status },
      { subresource: 'status' },
    );
  } catch (error) {
    // The pod went (or was replaced by another of its name): nothing to report.
    if (isStatusError(error, 'NotFound') || isStatusError(error, 'Conflict')) return;
    throw error;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
