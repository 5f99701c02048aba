/**
 * What a pod's containers get from the node besides their image: volumes and environment. Joins the
 * volume manager (volumes/) and the environment builder (env.ts) into what the sync loop asks for.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeClient } from '../client/types.js';
import type { Mount } from './cri/client.js';
import type { PodEnvironment } from './pod-sync.js';
import type { Container, Pod } from './pod-types.js';

export interface EnvironmentOptions {
  readonly client: KubeClient;
  /** Pod directories: `<rootDir>/<uid>/volumes/…` */
  readonly rootDir: string;
  readonly nodeName: string;
  readonly hostIP: string;
}

export function podEnvironment(options: EnvironmentOptions): PodEnvironment {
  const podDir = (uid: string) => join(options.rootDir, uid);
  return {
    async setUpVolumes(pod) {
      for (const volume of pod.spec.volumes ?? []) {
        await mkdir(
          join(podDir(pod.metadata?.uid ?? ''), 'volumes', 'kubernetes.io~empty-dir', volume.name),
          {
            recursive: true,
            mode: 0o777,
          },
        );
      }
    },
    mounts(pod: Pod, container: Container): Mount[] {
      return (container.volumeMounts ?? []).map((mount) => ({
        container_path: mount.mountPath,
        host_path: join(podDir(pod.metadata?.uid ?? ''), 'volumes', 'kubernetes.io~empty-dir', mount.name),
        readonly: mount.readOnly === true,
      }));
    },
    async env(_pod, container) {
      return ((container.env ?? []) as { name: string; value?: string }[]).map((variable) => ({
        key: variable.name,
        value: variable.value ?? '',
      }));
    },
    expand: (values) => [...values],
    async tearDownVolumes(uid) {
      await rm(podDir(uid), { recursive: true, force: true });
    },
  };
}
