/**
 * What a pod's containers get from the node besides their image: their environment (env.ts) and their
 * volumes (volumes.ts), joined into what the sync loop asks for.
 */
import type { KubeClient } from '../client/types.js';
import { containerEnv, expand } from './env.js';
import type { PodEnvironment } from './pod-sync.js';
import { PodVolumes } from './volumes.js';

export interface EnvironmentOptions {
  readonly client: KubeClient;
  /** Pod directories: `<rootDir>/<uid>/volumes/<plugin>/<name>` */
  readonly rootDir: string;
  readonly nodeName: string;
  readonly hostIP: string;
  /** For resourceFieldRef of a limit the container does not set: the node's allocatable. */
  readonly allocatable?: Readonly<Record<string, string>>;
}

export function podEnvironment(options: EnvironmentOptions): PodEnvironment {
  const volumes = new PodVolumes({ client: options.client, rootDir: options.rootDir });
  return {
    setUpVolumes: (pod) => volumes.setUp(pod),
    mounts: (pod, container, env) => volumes.mounts(pod, container, env),
    env: (pod, container, podIPs) =>
      containerEnv(pod, container, {
        reader: options.client,
        hostIP: options.hostIP,
        podIPs,
        nodeAllocatable: options.allocatable ?? {},
      }),
    expand: (values, env) => values.map((value) => expand(value, env)),
    tearDownVolumes: (uid) => volumes.tearDown(uid),
  };
}
