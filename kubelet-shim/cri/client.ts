/**
 * A client for the Container Runtime Interface over a runtime's unix socket (containerd's, as
 * `skiff node setup` starts it). One method per RPC the shim calls, named as the RPC, taking and
 * returning the wire messages as @grpc/proto-loader presents them: snake_case fields, int64 as decimal
 * strings (CRI timestamps are nanoseconds, beyond 2^53), enums as their names.
 */
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export type NamespaceMode = 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';
export type ContainerState =
  | 'CONTAINER_CREATED'
  | 'CONTAINER_RUNNING'
  | 'CONTAINER_EXITED'
  | 'CONTAINER_UNKNOWN';
export type SandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export type MountPropagation =
  | 'PROPAGATION_PRIVATE'
  | 'PROPAGATION_HOST_TO_CONTAINER'
  | 'PROPAGATION_BIDIRECTIONAL';

export interface PodSandboxMetadata {
  name: string;
  uid: string;
  namespace: string;
  attempt: number;
}

export interface SecurityProfile {
  profile_type: 'RuntimeDefault' | 'Unconfined' | 'Localhost';
  localhost_ref?: string;
}

export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  hostname: string;
  log_directory: string;
  dns_config?: { servers: string[]; searches: string[]; options: string[] };
  port_mappings: { protocol: Protocol; container_port: number; host_port: number; host_ip: string }[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  linux: {
    cgroup_parent: string;
    security_context: {
      namespace_options: { network: NamespaceMode; pid: NamespaceMode; ipc: NamespaceMode };
      run_as_user?: { value: string };
      run_as_group?: { value: string };
      supplemental_groups?: string[];
      privileged?: boolean;
      seccomp?: SecurityProfile;
    };
    sysctls: Record<string, string>;
  };
}

export interface Mount {
  container_path: string;
  host_path: string;
  readonly: boolean;
  propagation?: MountPropagation;
}

export interface ContainerConfig {
  metadata: { name: string; attempt: number };
  image: { image: string };
  command: string[];
  args: string[];
  working_dir: string;
  envs: { key: string; value: string }[];
  mounts: Mount[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  log_path: string;
  stdin: boolean;
  stdin_once: boolean;
  tty: boolean;
  linux: {
    resources: {
      cpu_period: string;
      cpu_quota: string;
      cpu_shares: string;
      memory_limit_in_bytes: string;
      oom_score_adj: string;
    };
    security_context: {
      capabilities?: { add_capabilities: string[]; drop_capabilities: string[] };
      privileged: boolean;
      namespace_options: { network: NamespaceMode; pid: NamespaceMode; ipc: NamespaceMode };
      run_as_user?: { value: string };
      run_as_group?: { value: string };
      run_as_username?: string;
      readonly_rootfs: boolean;
      supplemental_groups?: string[];
      no_new_privs: boolean;
      seccomp?: SecurityProfile;
    };
  };
}

export interface PodSandbox {
  id: string;
  metadata: PodSandboxMetadata;
  state: SandboxState;
  created_at: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface PodSandboxStatus extends PodSandbox {
  network: { ip: string; additional_ips: { ip: string }[] } | null;
}

export interface Container {
  id: string;
  pod_sandbox_id: string;
  metadata: { name: string; attempt: number };
  image: { image: string };
  image_ref: string;
  state: ContainerState;
  created_at: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface ContainerStatus {
  id: string;
  metadata: { name: string; attempt: number };
  state: ContainerState;
  created_at: string;
  started_at: string;
  finished_at: string;
  exit_code: number;
  image: { image: string };
  image_ref: string;
  reason: string;
  message: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  log_path: string;
}

export interface Image {
  id: string;
  repo_tags: string[];
  repo_digests: string[];
  size: string;
}

export interface UsageValue {
  value: string;
}

export interface ContainerStats {
  attributes: { id: string; metadata: { name: string; attempt: number }; labels: Record<string, string> };
  cpu: {
    timestamp: string;
    usage_core_nano_seconds: UsageValue | null;
    usage_nano_cores: UsageValue | null;
  } | null;
  memory: { timestamp: string; working_set_bytes: UsageValue | null; usage_bytes: UsageValue | null } | null;
}

export interface PodSandboxStats {
  attributes: { id: string; metadata: PodSandboxMetadata; labels: Record<string, string> };
  linux: {
    cpu: ContainerStats['cpu'];
    memory: ContainerStats['memory'];
    containers: ContainerStats[];
  } | null;
}

export interface RuntimeCondition {
  type: string;
  status: boolean;
  reason: string;
  message: string;
}

/** What the shim asks of a container runtime. */
export interface CriClient {
  version(): Promise<{ runtime_name: string; runtime_version: string; runtime_api_version: string }>;
  status(): Promise<{ conditions: RuntimeCondition[] }>;
  runPodSandbox(config: PodSandboxConfig): Promise<string>;
  stopPodSandbox(id: string): Promise<void>;
  removePodSandbox(id: string): Promise<void>;
  podSandboxStatus(id: string): Promise<PodSandboxStatus>;
  listPodSandbox(filter?: { label_selector?: Record<string, string> }): Promise<PodSandbox[]>;
  createContainer(
    sandboxId: string,
    config: ContainerConfig,
    sandboxConfig: PodSandboxConfig,
  ): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** SIGTERM, then SIGKILL after `timeoutSeconds` (0: at once). */
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  listContainers(filter?: {
    pod_sandbox_id?: string;
    label_selector?: Record<string, string>;
  }): Promise<Container[]>;
  containerStatus(id: string): Promise<ContainerStatus>;
  reopenContainerLog(id: string): Promise<void>;
  /** Runs a command to completion; a non-zero exit is not an error. Times out with DEADLINE_EXCEEDED. */
  execSync(
    id: string,
    cmd: string[],
    timeoutSeconds: number,
  ): Promise<{ stdout: Buffer; stderr: Buffer; exitCode: number }>;
  /** A single-use URL on the runtime's stream server. */
  exec(request: {
    container_id: string;
    cmd: string[];
    tty: boolean;
    stdin: boolean;
    stdout: boolean;
    stderr: boolean;
  }): Promise<string>;
  attach(request: {
    container_id: string;
    tty: boolean;
    stdin: boolean;
    stdout: boolean;
    stderr: boolean;
  }): Promise<string>;
  portForward(sandboxId: string, ports: number[]): Promise<string>;
  listContainerStats(): Promise<ContainerStats[]>;
  listPodSandboxStats(): Promise<PodSandboxStats[]>;
  listImages(): Promise<Image[]>;
  /** The image, or undefined when the runtime does not have it (CRI answers null, not an error). */
  imageStatus(image: string): Promise<Image | undefined>;
  imageFsInfo(): Promise<{ mountpoint: string; usedBytes: number }[]>;
  close(): void;
}

/** Where `skiff node setup` puts containerd's socket. */
export const defaultCriEndpoint = 'unix:///run/skiff-node/containerd.sock';

/** A gRPC failure from the runtime, with its status code (5 NOT_FOUND, 4 DEADLINE_EXCEEDED, …). */
export function grpcCode(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'number'
    ? error.code
    : undefined;
}

type Service = grpc.Client & Record<string, (...args: unknown[]) => grpc.ClientUnaryCall>;
type ServiceConstructor = new (target: string, credentials: grpc.ChannelCredentials) => Service;

let services: { runtime: ServiceConstructor; image: ServiceConstructor } | undefined;

function loadServices(): { runtime: ServiceConstructor; image: ServiceConstructor } {
  if (services) return services;
  const definition = protoLoader.loadSync(fileURLToPath(new URL('./api.proto', import.meta.url)), {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
  });
  const runtime = (grpc.loadPackageDefinition(definition).runtime as Record<string, Record<string, unknown>>)
    .v1!;
  services = {
    runtime: runtime.RuntimeService as unknown as ServiceConstructor,
    image: runtime.ImageService as unknown as ServiceConstructor,
  };
  return services;
}

/** `unix:///run/skiff-node/containerd.sock` (or a bare absolute path). */
export function createCriClient(endpoint: string, options: { timeoutMs?: number } = {}): CriClient {
  const target = endpoint.startsWith('unix://') ? endpoint : `unix://${endpoint}`;
  const { runtime: Runtime, image: Images } = loadServices();
  const credentials = grpc.credentials.createInsecure();
  const runtime = new Runtime(target, credentials);
  const images = new Images(target, credentials);
  const timeoutMs = options.timeoutMs ?? 120_000;

  function call<T>(service: Service, method: string, request: object, deadlineMs = timeoutMs): Promise<T> {
    return new Promise((resolve, reject) => {
      service[method]!(
        request,
        { deadline: Date.now() + deadlineMs },
        (error: grpc.ServiceError | null, response: T) => (error ? reject(error) : resolve(response)),
      );
    });
  }

  return {
    version: () => call(runtime, 'Version', { version: 'v1' }),
    async status() {
      const response = await call<{ status: { conditions: RuntimeCondition[] } | null }>(
        runtime,
        'Status',
        {},
      );
      return { conditions: response.status?.conditions ?? [] };
    },
    async runPodSandbox(config) {
      return (
        await call<{ pod_sandbox_id: string }>(runtime, 'RunPodSandbox', { config, runtime_handler: '' })
      ).pod_sandbox_id;
    },
    async stopPodSandbox(id) {
      await call(runtime, 'StopPodSandbox', { pod_sandbox_id: id });
    },
    async removePodSandbox(id) {
      await call(runtime, 'RemovePodSandbox', { pod_sandbox_id: id });
    },
    async podSandboxStatus(id) {
      return (await call<{ status: PodSandboxStatus }>(runtime, 'PodSandboxStatus', { pod_sandbox_id: id }))
        .status;
    },
    async listPodSandbox(filter = {}) {
      return (await call<{ items: PodSandbox[] }>(runtime, 'ListPodSandbox', { filter })).items;
    },
    async createContainer(sandboxId, config, sandboxConfig) {
      const response = await call<{ container_id: string }>(runtime, 'CreateContainer', {
        pod_sandbox_id: sandboxId,
        config,
        sandbox_config: sandboxConfig,
      });
      return response.container_id;
    },
    async startContainer(id) {
      await call(runtime, 'StartContainer', { container_id: id });
    },
    async stopContainer(id, timeoutSeconds) {
      await call(
        runtime,
        'StopContainer',
        { container_id: id, timeout: String(timeoutSeconds) },
        timeoutMs + timeoutSeconds * 1000,
      );
    },
    async removeContainer(id) {
      await call(runtime, 'RemoveContainer', { container_id: id });
    },
    async listContainers(filter = {}) {
      return (await call<{ containers: Container[] }>(runtime, 'ListContainers', { filter })).containers;
    },
    async containerStatus(id) {
      return (await call<{ status: ContainerStatus }>(runtime, 'ContainerStatus', { container_id: id }))
        .status;
    },
    async reopenContainerLog(id) {
      await call(runtime, 'ReopenContainerLog', { container_id: id });
    },
    async execSync(id, cmd, timeoutSeconds) {
      const response = await call<{ stdout: Buffer; stderr: Buffer; exit_code: number }>(
        runtime,
        'ExecSync',
        { container_id: id, cmd, timeout: String(timeoutSeconds) },
        timeoutSeconds * 1000 + 5_000,
      );
      return { stdout: response.stdout, stderr: response.stderr, exitCode: response.exit_code };
    },
    async exec(request) {
      return (await call<{ url: string }>(runtime, 'Exec', request)).url;
    },
    async attach(request) {
      return (await call<{ url: string }>(runtime, 'Attach', request)).url;
    },
    async portForward(sandboxId, ports) {
      return (await call<{ url: string }>(runtime, 'PortForward', { pod_sandbox_id: sandboxId, port: ports }))
        .url;
    },
    async listContainerStats() {
      return (await call<{ stats: ContainerStats[] }>(runtime, 'ListContainerStats', { filter: {} })).stats;
    },
    async listPodSandboxStats() {
      return (await call<{ stats: PodSandboxStats[] }>(runtime, 'ListPodSandboxStats', { filter: {} })).stats;
    },
    async listImages() {
      return (await call<{ images: Image[] }>(images, 'ListImages', { filter: {} })).images;
    },
    async imageStatus(image) {
      return (
        (await call<{ image: Image | null }>(images, 'ImageStatus', { image: { image } })).image ?? undefined
      );
    },
    async imageFsInfo() {
      const response = await call<{
        image_filesystems: { fs_id: { mountpoint: string } | null; used_bytes: UsageValue | null }[];
      }>(images, 'ImageFsInfo', {});
      return response.image_filesystems.map((fs) => ({
        mountpoint: fs.fs_id?.mountpoint ?? '',
        usedBytes: Number(fs.used_bytes?.value ?? 0),
      }));
    },
    close() {
      runtime.close();
      images.close();
    },
  };
}
