/**
 * One node on a container runtime: what `skiff kubelet` runs, and what `skiff up` runs beside the
 * control plane. It registers the Node (capacity, addresses, conditions; its Lease renewed every 10 s),
 * syncs the pods bound to it through CRI, and serves the node's HTTPS endpoint the API server reaches
 * for logs, exec, attach and port-forward.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CertificateAuthority } from '../apiserver/pki/cluster-pki.js';
import type { KubeClient } from '../client/types.js';
import { type CriClient, createCriClient } from './cri/client.js';
import { podEnvironment } from './environment.js';
import { startKubelet } from './kubelet.js';
import { type HostFacts, type RuntimeReadiness, readHostFacts, registerNode } from './node-status.js';
import { kubeletServingCertificate, startNodeServer } from './server.js';

/** The Kubernetes version the node reports (kubectl shows it in `get nodes`). */
export const kubeletVersion = 'v1.33.0-skiff';

export interface NodeOptions {
  readonly client: KubeClient;
  /** `unix:///run/skiff-node/containerd.sock` */
  readonly criEndpoint: string;
  /** Default: the host's name, lower-cased. */
  readonly nodeName?: string;
  /** Volumes, hosts files and container logs live under it. */
  readonly rootDir: string;
  /** The node's HTTPS endpoint (default 10250) and the address it listens on (default: all). */
  readonly port?: number;
  readonly address?: string;
  /**
   * The endpoint's serving certificate and key (PEM); absent: issued by `ca` (in `skiff up`, the
   * cluster's), else a self-signed pair kept in the root directory, as a kubelet makes without one.
   */
  readonly tls?: { readonly certificate: string; readonly key: string };
  readonly ca?: Pick<CertificateAuthority, 'issueServingCertificate'>;
  /** The CA whose system:masters client certificates (the API server's) may call the endpoint. */
  readonly clientCA: string;
  readonly clusterDns?: string;
  readonly clusterDomain?: string;
  readonly onError?: (error: unknown) => void;
}

export interface RunningNode {
  readonly nodeName: string;
  readonly cri: CriClient;
  /** See RunningKubelet.stop. */
  stop(options?: { removePods?: boolean }): Promise<void>;
}

export async function startNode(options: NodeOptions): Promise<RunningNode> {
  const report =
    options.onError ??
    ((error: unknown) => console.error(`node: ${error instanceof Error ? error.message : String(error)}`));
  await mkdir(options.rootDir, { recursive: true, mode: 0o750 });
  const host: HostFacts = await readHostFacts(options.rootDir);
  const nodeName = options.nodeName ?? host.hostname;
  // Pods on the host network, and every pod's hostIP, use the node's address (loopback on a machine
  // with no other, so that the API server still reaches the node).
  const hostIP = host.internalIP ?? '127.0.0.1';
  const cri = createCriClient(options.criEndpoint);
  const version = await cri.version().catch((error: unknown) => {
    cri.close();
    throw new Error(
      `no container runtime answers at ${options.criEndpoint} (run \`skiff node setup\`): ${error instanceof Error ? error.message : String(error)}`,
    );
  });
  let readiness: RuntimeReadiness = await runtimeReadiness(cri);
  const port = options.port ?? 10250;
  const registered = await registerNode({
    client: options.client,
    nodeName,
    host,
    kubeletVersion,
    containerRuntimeVersion: `${version.runtime_name}://${version.runtime_version}`,
    kubeletPort: port,
    internalIP: hostIP,
    runtimeReadiness: () => readiness,
    onError: report,
  });
  // The runtime's readiness, as the kubelet's runtime status check sees it every few seconds.
  const readinessTimer = setInterval(async () => {
    const next = await runtimeReadiness(cri);
    if (next.ready !== readiness.ready) {
      readiness = next;
      await registered.syncStatus().catch(report);
    }
  }, 5_000);
  readinessTimer.unref();
  const kubelet = await startKubelet({
    client: options.client,
    cri,
    nodeName,
    rootDir: options.rootDir,
    hostIPs: [hostIP],
    environment: podEnvironment({
      client: options.client,
      rootDir: join(options.rootDir, 'pods'),
      nodeName,
      hostIP,
    }),
    ...(options.clusterDns ? { clusterDns: options.clusterDns } : {}),
    ...(options.clusterDomain ? { clusterDomain: options.clusterDomain } : {}),
    onError: report,
  });
  const server = await startNodeServer({
    ...(options.address ? { host: options.address } : {}),
    port,
    tls:
      options.tls ??
      (await kubeletServingCertificate({
        nodeName,
        addresses: [hostIP, host.hostname],
        ...(options.ca ? { ca: options.ca } : { rootDir: options.rootDir }),
      })),
    clientCA: options.clientCA,
    runtime: kubelet.runtime,
  });
  return {
    nodeName,
    cri,
    async stop(stopOptions = {}) {
      clearInterval(readinessTimer);
      await server.close();
      await kubelet.stop(stopOptions);
      await registered.stop();
      cri.close();
    },
  };
}

async function runtimeReadiness(cri: CriClient): Promise<RuntimeReadiness> {
  try {
    const { conditions } = await cri.status();
    const failing = conditions.filter((condition) => !condition.status);
    if (failing.length === 0) return { ready: true };
    return {
      ready: false,
      message: `container runtime not ready: ${failing.map((condition) => `${condition.type}=false reason:${condition.reason} message:${condition.message}`).join(', ')}`,
    };
  } catch (error) {
    return {
      ready: false,
      message: `container runtime is down: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}
