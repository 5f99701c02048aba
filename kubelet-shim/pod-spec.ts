/**
 * From a pod to what CRI is asked for: the sandbox's config and each container's. Pure functions; the
 * sync loop supplies what the node knows (DNS, directories, env, mounts).
 *
 * CRI objects carry the kubelet's labels and annotations, so that after a restart the node finds its
 * pods and containers again from the runtime alone (which pod, which container, which restart).
 */
import { Quantity } from '../api/quantity.js';
import type {
  ContainerConfig,
  Mount,
  NamespaceMode,
  PodSandboxConfig,
  SecurityProfile,
} from './cri/client.js';
import type { Container, Pod, SecurityContext } from './pod-types.js';

export const labels = {
  podName: 'io.kubernetes.pod.name',
  podNamespace: 'io.kubernetes.pod.namespace',
  podUid: 'io.kubernetes.pod.uid',
  containerName: 'io.kubernetes.container.name',
  /**
   * The node that made it. Several nodes may share one runtime (tests, simulated clusters on one host):
   * each lists and removes only its own.
   */
  node: 'skiff.io/node',
} as const;

export const annotations = {
  restartCount: 'io.kubernetes.container.restartCount',
  terminationMessagePath: 'io.kubernetes.container.terminationMessagePath',
  terminationMessagePolicy: 'io.kubernetes.container.terminationMessagePolicy',
  terminationGracePeriod: 'io.kubernetes.pod.terminationGracePeriod',
  /** Whether the container is one of the pod's init containers (upstream tells by the spec). */
  init: 'skiff.io/init-container',
} as const;

export interface DnsSettings {
  /** The cluster DNS Service's address (10.96.0.10); absent: ClusterFirst falls back to the host's. */
  readonly clusterDns?: string;
  readonly clusterDomain: string;
  /** The host's resolv.conf, for dnsPolicy Default (and ClusterFirst without cluster DNS). */
  readonly host: { servers: string[]; searches: string[]; options: string[] };
}

/** What the pod's /etc/resolv.conf holds, by its dnsPolicy and dnsConfig (upstream's dns.go). */
export function podDns(
  pod: Pod,
  dns: DnsSettings,
): { servers: string[]; searches: string[]; options: string[] } {
  const policy = pod.spec.dnsPolicy ?? 'ClusterFirst';
  const namespace = pod.metadata?.namespace ?? 'default';
  let config: { servers: string[]; searches: string[]; options: string[] };
  const clusterFirst =
    (policy === 'ClusterFirst' && !pod.spec.hostNetwork) || policy === 'ClusterFirstWithHostNet';
  if (policy === 'None') config = { servers: [], searches: [], options: [] };
  else if (clusterFirst && dns.clusterDns) {
    const domain = dns.clusterDomain;
    config = {
      servers: [dns.clusterDns],
      searches: [`${namespace}.svc.${domain}`, `svc.${domain}`, domain, ...dns.host.searches],
      options: ['ndots:5'],
    };
  } else config = { ...dns.host };
  const extra = pod.spec.dnsConfig;
  if (extra) {
    config = {
      servers: unique([...config.servers, ...(extra.nameservers ?? [])]),
      searches: unique([...config.searches, ...(extra.searches ?? [])]),
      options: mergeOptions(config.options, extra.options ?? []),
    };
  }
  // glibc reads at most 3 nameservers and 32 search domains; the kubelet trims to those.
  return {
    servers: config.servers.slice(0, 3),
    searches: config.searches.slice(0, 32),
    options: config.options,
  };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function mergeOptions(base: string[], extra: { name: string; value?: string }[]): string[] {
  const options = new Map(base.map((option) => [option.split(':')[0]!, option]));
  for (const option of extra)
    options.set(option.name, option.value ? `${option.name}:${option.value}` : option.name);
  return [...options.values()];
}

/** The hostname a pod sees: spec.hostname or its name, cut to 63 characters as the kubelet does. */
export function podHostname(pod: Pod): string {
  const name = pod.spec.hostname || pod.metadata?.name || '';
  return name.slice(0, 63).replace(/[-.]+$/, '');
}

/** `hostname.subdomain.namespace.svc.domain` when the pod names a subdomain (a headless Service's). */
export function podFqdn(pod: Pod, clusterDomain: string): string | undefined {
  if (!pod.spec.subdomain) return undefined;
  return `${podHostname(pod)}.${pod.spec.subdomain}.${pod.metadata?.namespace}.svc.${clusterDomain}`;
}

/** The cgroup every container of the pod lives under (cgroupfs driver). */
export function podCgroupParent(pod: Pod): string {
  return `/skiff/pod${pod.metadata?.uid}`;
}

function seccompProfile(context: SecurityContext | undefined): SecurityProfile | undefined {
  const profile = context?.seccompProfile;
  if (!profile) return undefined;
  if (profile.type === 'RuntimeDefault') return { profile_type: 'RuntimeDefault' };
  if (profile.type === 'Localhost')
    return { profile_type: 'Localhost', localhost_ref: profile.localhostProfile ?? '' };
  return { profile_type: 'Unconfined' };
}

function namespaceOptions(pod: Pod): { network: NamespaceMode; pid: NamespaceMode; ipc: NamespaceMode } {
  return {
    network: pod.spec.hostNetwork ? 'NODE' : 'POD',
    pid: pod.spec.hostPID ? 'NODE' : pod.spec.shareProcessNamespace ? 'POD' : 'CONTAINER',
    ipc: pod.spec.hostIPC ? 'NODE' : 'POD',
  };
}

export function sandboxConfig(
  pod: Pod,
  options: { attempt: number; logDirectory: string; dns: DnsSettings; nodeName: string },
): PodSandboxConfig {
  const metadata = pod.metadata ?? {};
  const security = pod.spec.securityContext;
  const ports = allContainers(pod).flatMap((container) => container.ports ?? []);
  return {
    metadata: {
      name: metadata.name ?? '',
      uid: metadata.uid ?? '',
      namespace: metadata.namespace ?? '',
      attempt: options.attempt,
    },
    // A host-network pod shares the node's UTS namespace: runc refuses to set a hostname there.
    hostname: pod.spec.hostNetwork ? '' : podHostname(pod),
    log_directory: options.logDirectory,
    dns_config: podDns(pod, options.dns),
    port_mappings: ports
      .filter((port) => port.hostPort)
      .map((port) => ({
        protocol: (port.protocol ?? 'TCP') as 'TCP' | 'UDP' | 'SCTP',
        container_port: port.containerPort,
        host_port: port.hostPort!,
        host_ip: port.hostIP ?? '',
      })),
    labels: {
      ...(metadata.labels ?? {}),
      [labels.podName]: metadata.name ?? '',
      [labels.podNamespace]: metadata.namespace ?? '',
      [labels.podUid]: metadata.uid ?? '',
      [labels.node]: options.nodeName,
    },
    annotations: { ...(metadata.annotations ?? {}) },
    linux: {
      cgroup_parent: podCgroupParent(pod),
      security_context: {
        namespace_options: namespaceOptions(pod),
        ...(security?.runAsUser !== undefined ? { run_as_user: { value: String(security.runAsUser) } } : {}),
        ...(security?.runAsGroup !== undefined
          ? { run_as_group: { value: String(security.runAsGroup) } }
          : {}),
        supplemental_groups: supplementalGroups(pod),
        ...(seccompProfile(security) ? { seccomp: seccompProfile(security)! } : {}),
      },
      sysctls: Object.fromEntries((security?.sysctls ?? []).map((sysctl) => [sysctl.name, sysctl.value])),
    },
  };
}

function supplementalGroups(pod: Pod): string[] {
  const security = pod.spec.securityContext;
  return [
    ...(security?.fsGroup !== undefined ? [String(security.fsGroup)] : []),
    ...(security?.supplementalGroups ?? []).map(String),
  ];
}

export function allContainers(pod: Pod): Container[] {
  return [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
}

/** CPU and memory as cgroup settings, from requests and limits (upstream's kuberuntime_container_linux.go). */
export function containerResources(container: Container): ContainerConfig['linux']['resources'] {
  const cpuRequest = milliCpu(container.resources?.requests?.cpu ?? container.resources?.limits?.cpu);
  const cpuLimit = milliCpu(container.resources?.limits?.cpu);
  const memoryLimit = container.resources?.limits?.memory;
  const period = 100_000;
  return {
    cpu_period: cpuLimit ? String(period) : '0',
    // At least 1 ms per period, as the kernel requires.
    cpu_quota: cpuLimit ? String(Math.max(1000, Math.floor((cpuLimit * period) / 1000))) : '0',
    cpu_shares: String(Math.max(2, Math.floor(((cpuRequest ?? 0) * 1024) / 1000))),
    memory_limit_in_bytes: memoryLimit ? String(Quantity.parse(memoryLimit).value()) : '0',
    // Never negative: this machine's runtime may not lower it (no CAP_SYS_RESOURCE), and clamps anyway.
    oom_score_adj: '0',
  };
}

function milliCpu(quantity: string | undefined): number | undefined {
  if (quantity === undefined) return undefined;
  return Quantity.parse(quantity).milliValue();
}

export interface ContainerConfigInputs {
  readonly attempt: number;
  readonly init: boolean;
  readonly image: string;
  readonly command: string[];
  readonly args: string[];
  readonly env: { key: string; value: string }[];
  readonly mounts: Mount[];
  readonly logPath: string;
  readonly nodeName: string;
}

export function containerConfig(
  pod: Pod,
  container: Container,
  inputs: ContainerConfigInputs,
): ContainerConfig {
  const metadata = pod.metadata ?? {};
  const podSecurity = pod.spec.securityContext;
  const security = { ...podSecurity, ...container.securityContext };
  const capabilities = container.securityContext?.capabilities;
  const seccomp = seccompProfile(
    container.securityContext?.seccompProfile ? container.securityContext : podSecurity,
  );
  return {
    metadata: { name: container.name, attempt: inputs.attempt },
    image: { image: inputs.image },
    command: inputs.command,
    args: inputs.args,
    working_dir: container.workingDir ?? '',
    envs: inputs.env,
    mounts: inputs.mounts,
    labels: {
      [labels.podName]: metadata.name ?? '',
      [labels.podNamespace]: metadata.namespace ?? '',
      [labels.podUid]: metadata.uid ?? '',
      [labels.containerName]: container.name,
      [labels.node]: inputs.nodeName,
    },
    annotations: {
      [annotations.restartCount]: String(inputs.attempt),
      [annotations.terminationMessagePath]: container.terminationMessagePath ?? '/dev/termination-log',
      [annotations.terminationMessagePolicy]: container.terminationMessagePolicy ?? 'File',
      [annotations.terminationGracePeriod]: String(pod.spec.terminationGracePeriodSeconds ?? 30),
      ...(inputs.init ? { [annotations.init]: 'true' } : {}),
    },
    log_path: inputs.logPath,
    stdin: container.stdin === true,
    stdin_once: container.stdinOnce === true,
    tty: container.tty === true,
    linux: {
      resources: containerResources(container),
      security_context: {
        ...(capabilities
          ? {
              capabilities: {
                add_capabilities: (capabilities.add ?? []).map(capabilityName),
                drop_capabilities: (capabilities.drop ?? []).map(capabilityName),
              },
            }
          : {}),
        privileged: security.privileged === true,
        namespace_options: namespaceOptions(pod),
        ...(security.runAsUser !== undefined ? { run_as_user: { value: String(security.runAsUser) } } : {}),
        ...(security.runAsGroup !== undefined
          ? { run_as_group: { value: String(security.runAsGroup) } }
          : {}),
        readonly_rootfs: security.readOnlyRootFilesystem === true,
        supplemental_groups: supplementalGroups(pod),
        no_new_privs: security.allowPrivilegeEscalation === false,
        ...(seccomp ? { seccomp } : {}),
      },
    },
  };
}

/** Kubernetes names capabilities without the `CAP_` prefix; the runtime wants it (except for ALL). */
function capabilityName(name: string): string {
  const upper = name.toUpperCase();
  return upper === 'ALL' || upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
}

/** The pod's /etc/hosts, as the kubelet writes it for pods on the pod network. */
export function hostsFile(pod: Pod, podIPs: string[], clusterDomain: string): string {
  const lines = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
  ];
  const fqdn = podFqdn(pod, clusterDomain);
  for (const ip of podIPs)
    lines.push(fqdn ? `${ip}\t${fqdn}\t${podHostname(pod)}` : `${ip}\t${podHostname(pod)}`);
  const aliases = pod.spec.hostAliases ?? [];
  if (aliases.length > 0) {
    lines.push('', '# Entries added by HostAliases.');
    for (const alias of aliases) lines.push(`${alias.ip}\t${(alias.hostnames ?? []).join('\t')}`);
  }
  return `${lines.join('\n')}\n`;
}
