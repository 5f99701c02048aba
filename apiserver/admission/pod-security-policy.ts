/**
 * The Pod Security Standards as versioned checks (staging/src/k8s.io/pod-security-admission/policy, as
 * of Kubernetes 1.33), and how a namespace's labels choose the level and version to hold pods to.
 *
 * A check has a level (baseline or restricted) and one implementation per policy version it changed in;
 * a policy `level:version` runs, for each check, the newest implementation not newer than the version.
 * Restricted runs the baseline checks too, except those a restricted check replaces (restrictedVolumes
 * replaces hostPathVolumes, and so on). Checks run in a fixed order — baseline IDs sorted, then
 * restricted IDs sorted — which is the order their reasons appear in messages:
 *
 *   restricted:latest on a privileged pod →
 *     privileged (container "c" must not set securityContext.privileged=true),
 *     allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), …
 */
import { type FieldError, fieldError } from '../../api/field-error.js';
import { goQuote } from '../../api/go-quote.js';

export type Level = 'privileged' | 'baseline' | 'restricted';

/** A policy version: the minor of v1.x, or `latest`. */
export type Version = number | 'latest';

export interface LevelVersion {
  readonly level: Level;
  readonly version: Version;
}

export interface Policy {
  readonly enforce: LevelVersion;
  readonly audit: LevelVersion;
  readonly warn: LevelVersion;
}

export interface CheckResult {
  readonly allowed: boolean;
  readonly reason?: string;
  readonly detail?: string;
}

// ---- pod shapes the checks read ----

interface SecurityContext {
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  procMount?: string;
  runAsNonRoot?: boolean;
  runAsUser?: number;
  seLinuxOptions?: { type?: string; user?: string; role?: string };
  seccompProfile?: { type?: string };
  appArmorProfile?: { type?: string };
  windowsOptions?: { hostProcess?: boolean };
  sysctls?: { name?: string }[];
}

interface Container {
  name?: string;
  securityContext?: SecurityContext;
  ports?: { hostPort?: number }[];
}

export interface PodSpec {
  os?: { name?: string };
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: SecurityContext;
  volumes?: Record<string, unknown>[];
  containers?: Container[];
  initContainers?: Container[];
  ephemeralContainers?: Container[];
}

export interface PodMetadata {
  annotations?: Record<string, string>;
}

type CheckFunction = (metadata: PodMetadata, spec: PodSpec) => CheckResult;

interface VersionedCheck {
  /** The minor version of v1 this implementation starts at. */
  readonly minimum: number;
  readonly check: CheckFunction;
  /** Baseline checks this restricted check replaces. */
  readonly overrides?: readonly string[];
}

interface Check {
  readonly id: string;
  readonly level: 'baseline' | 'restricted';
  readonly versions: readonly VersionedCheck[];
}

// ---- helpers: upstream's wording ----

const allowed: CheckResult = { allowed: true };

function containersOf(spec: PodSpec): Container[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
}

/** `"a", "b"` (no escaping, as upstream joins). */
function joinQuote(items: readonly string[]): string {
  return items.length === 0 ? '' : `"${items.join('", "')}"`;
}

function pluralize(singular: string, plural: string, count: number): string {
  return count === 1 ? singular : plural;
}

/** `container "a"` / `containers "a", "b"`. */
function containerList(names: readonly string[]): string {
  return `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;
}

/** A sorted set, as sets.String.List() gives. */
function sortedSet(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

function isWindows(spec: PodSpec): boolean {
  return spec.os?.name === 'windows';
}

function windowsExempt(check: CheckFunction): CheckFunction {
  return (metadata, spec) => (isWindows(spec) ? allowed : check(metadata, spec));
}

// ---- the checks ----

const allowPrivilegeEscalation: CheckFunction = (_metadata, spec) => {
  const bad = containersOf(spec)
    .filter((container) => container.securityContext?.allowPrivilegeEscalation !== false)
    .map((container) => container.name ?? '');
  if (bad.length === 0) return allowed;
  return {
    allowed: false,
    reason: 'allowPrivilegeEscalation != false',
    detail: `${containerList(bad)} must set securityContext.allowPrivilegeEscalation=false`,
  };
};

const appArmorProfile: CheckFunction = (metadata, spec) => {
  const allowedType = (type: string | undefined) => type === 'RuntimeDefault' || type === 'Localhost';
  const setters: string[] = [];
  const badValues = new Set<string>();
  const podProfile = spec.securityContext?.appArmorProfile;
  if (podProfile && !allowedType(podProfile.type)) {
    setters.push('pod');
    badValues.add(podProfile.type ?? '');
  }
  const badContainers: string[] = [];
  for (const container of containersOf(spec)) {
    const profile = container.securityContext?.appArmorProfile;
    if (profile && !allowedType(profile.type)) {
      badContainers.push(container.name ?? '');
      badValues.add(profile.type ?? '');
    }
  }
  if (badContainers.length > 0) setters.push(containerList(badContainers));
  const badAnnotations = Object.entries(metadata.annotations ?? {})
    .filter(
      ([key, value]) =>
        key.startsWith('container.apparmor.security.beta.kubernetes.io/') &&
        !(value === '' || value === 'runtime/default' || value.startsWith('localhost/')),
    )
    .map(([key, value]) => `${key}=${goQuote(value)}`)
    .sort();
  const values = [...sortedSet(badValues), ...badAnnotations];
  if (badAnnotations.length > 0) setters.push(pluralize('annotation', 'annotations', badAnnotations.length));
  if (setters.length === 0) return allowed;
  return {
    allowed: false,
    reason: pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', values.length),
    detail: `${setters.join(' and ')} must not set AppArmor profile type to ${joinQuote(values)}`,
  };
};

const defaultCapabilities = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

const capabilitiesBaseline: CheckFunction = (_metadata, spec) => {
  const bad: string[] = [];
  const added = new Set<string>();
  for (const container of containersOf(spec)) {
    const extra = (container.securityContext?.capabilities?.add ?? []).filter(
      (name) => !defaultCapabilities.has(name),
    );
    for (const name of extra) added.add(name);
    if (extra.length > 0) bad.push(container.name ?? '');
  }
  if (bad.length === 0) return allowed;
  return {
    allowed: false,
    reason: 'non-default capabilities',
    detail: `${containerList(bad)} must not include ${joinQuote(sortedSet(added))} in securityContext.capabilities.add`,
  };
};

const capabilitiesRestricted: CheckFunction = (_metadata, spec) => {
  const missingDropAll: string[] = [];
  const addingForbidden: string[] = [];
  const forbidden = new Set<string>();
  for (const container of containersOf(spec)) {
    const capabilities = container.securityContext?.capabilities;
    if (!capabilities) {
      missingDropAll.push(container.name ?? '');
      continue;
    }
    if (!(capabilities.drop ?? []).includes('ALL')) missingDropAll.push(container.name ?? '');
    const extra = (capabilities.add ?? []).filter((name) => name !== 'NET_BIND_SERVICE');
    for (const name of extra) forbidden.add(name);
    if (extra.length > 0) addingForbidden.push(container.name ?? '');
  }
  const details: string[] = [];
  if (missingDropAll.length > 0) {
    details.push(`${containerList(missingDropAll)} must set securityContext.capabilities.drop=["ALL"]`);
  }
  if (addingForbidden.length > 0) {
    details.push(
      `${containerList(addingForbidden)} must not include ${joinQuote(sortedSet(forbidden))} in securityContext.capabilities.add`,
    );
  }
  if (details.length === 0) return allowed;
  return { allowed: false, reason: 'unrestricted capabilities', detail: details.join('; ') };
};

const hostNamespaces: CheckFunction = (_metadata, spec) => {
  const shared = [
    ...(spec.hostNetwork ? ['hostNetwork=true'] : []),
    ...(spec.hostPID ? ['hostPID=true'] : []),
    ...(spec.hostIPC ? ['hostIPC=true'] : []),
  ];
  if (shared.length === 0) return allowed;
  return { allowed: false, reason: 'host namespaces', detail: shared.join(', ') };
};

const hostPathVolumes: CheckFunction = (_metadata, spec) => {
  const bad = (spec.volumes ?? [])
    .filter((volume) => isSet(volume.hostPath))
    .map((volume) => String(volume.name ?? ''));
  if (bad.length === 0) return allowed;
  return {
    allowed: false,
    reason: 'hostPath volumes',
    detail: `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)}`,
  };
};

const hostPorts: CheckFunction = (_metadata, spec) => {
  const bad: string[] = [];
  const ports = new Set<string>();
  for (const container of containersOf(spec)) {
    const used = (container.ports ?? []).filter((port) => (port.hostPort ?? 0) !== 0);
    for (const port of used) ports.add(String(port.hostPort));
    if (used.length > 0) bad.push(container.name ?? '');
  }
  if (bad.length === 0) return allowed;
  const list = sortedSet(ports);
  return {
    allowed: false,
    reason: 'hostPort',
    detail: `${containerList(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('hostPort', 'hostPorts', list.length)} ${list.join(', ')}`,
  };
};

const privileged: CheckFunction = (_metadata, spec) => {
  const bad = containersOf(spec)
    .filter((container) => container.securityContext?.privileged === true)
    .map((container) => container.name ?? '');
  if (bad.length === 0) return allowed;
  return {
    allowed: false,
    reason: 'privileged',
    detail: `${containerList(bad)} must not set securityContext.privileged=true`,
  };
};

const procMount: CheckFunction = (_metadata, spec) => {
  const bad: string[] = [];
  const types = new Set<string>();
  for (const container of containersOf(spec)) {
    const mount = container.securityContext?.procMount;
    if (mount === undefined || mount === 'Default') continue;
    bad.push(container.name ?? '');
    types.add(mount);
  }
  if (bad.length === 0) return allowed;
  return {
    allowed: false,
    reason: 'procMount',
    detail: `${containerList(bad)} must not set securityContext.procMount to ${joinQuote(sortedSet(types))}`,
  };
};

const allowedVolumeSources = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'image',
  'persistentVolumeClaim',
  'projected',
  'secret',
];
/** Named in messages in this order of precedence, as upstream tests them. */
const restrictedVolumeSources = [
  'hostPath',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'nfs',
  'iscsi',
  'glusterfs',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'fc',
  'azureFile',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'portworxVolume',
  'scaleIO',
  'storageos',
];

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}

const restrictedVolumes: CheckFunction = (_metadata, spec) => {
  const bad: string[] = [];
  const types = new Set<string>();
  for (const volume of spec.volumes ?? []) {
    if (allowedVolumeSources.some((source) => isSet(volume[source]))) continue;
    const restricted = restrictedVolumeSources.find((source) => isSet(volume[source]));
    // A volume with no source at all is defaulted to an emptyDir.
    if (!restricted && Object.keys(volume).every((key) => key === 'name')) continue;
    bad.push(String(volume.name ?? ''));
    types.add(restricted ?? 'unknown');
  }
  if (bad.length === 0) return allowed;
  const list = sortedSet(types);
  return {
    allowed: false,
    reason: 'restricted volume types',
    detail: `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('restricted volume type', 'restricted volume types', list.length)} ${joinQuote(list)}`,
  };
};

const runAsNonRoot: CheckFunction = (_metadata, spec) => {
  const setters: string[] = [];
  let podNonRoot = false;
  const podValue = spec.securityContext?.runAsNonRoot;
  if (podValue === false) setters.push('pod');
  if (podValue === true) podNonRoot = true;
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const container of containersOf(spec)) {
    const value = container.securityContext?.runAsNonRoot;
    if (value === false) explicit.push(container.name ?? '');
    if (value === undefined && !podNonRoot) implicit.push(container.name ?? '');
  }
  if (explicit.length > 0) setters.push(containerList(explicit));
  if (setters.length > 0) {
    return {
      allowed: false,
      reason: 'runAsNonRoot != true',
      detail: `${setters.join(' and ')} must not set securityContext.runAsNonRoot=false`,
    };
  }
  if (implicit.length > 0) {
    return {
      allowed: false,
      reason: 'runAsNonRoot != true',
      detail: `pod or ${containerList(implicit)} must set securityContext.runAsNonRoot=true`,
    };
  }
  return allowed;
};

const runAsUser: CheckFunction = (_metadata, spec) => {
  const setters: string[] = [];
  if (spec.securityContext?.runAsUser === 0) setters.push('pod');
  const bad = containersOf(spec)
    .filter((container) => container.securityContext?.runAsUser === 0)
    .map((container) => container.name ?? '');
  if (bad.length > 0) setters.push(containerList(bad));
  if (setters.length === 0) return allowed;
  return {
    allowed: false,
    reason: 'runAsUser=0',
    detail: `${setters.join(' and ')} must not set runAsUser=0`,
  };
};

function seLinuxOptions(allowedTypes: ReadonlySet<string>): CheckFunction {
  return (_metadata, spec) => {
    const badTypes = new Set<string>();
    let setUser = false;
    let setRole = false;
    const valid = (options: SecurityContext['seLinuxOptions']) => {
      let ok = true;
      if (!allowedTypes.has(options?.type ?? '')) {
        ok = false;
        badTypes.add(options?.type ?? '');
      }
      if (options?.user) {
        ok = false;
        setUser = true;
      }
      if (options?.role) {
        ok = false;
        setRole = true;
      }
      return ok;
    };
    const setters: string[] = [];
    const podOptions = spec.securityContext?.seLinuxOptions;
    if (podOptions && !valid(podOptions)) setters.push('pod');
    const bad: string[] = [];
    for (const container of containersOf(spec)) {
      const options = container.securityContext?.seLinuxOptions;
      if (options && !valid(options)) bad.push(container.name ?? '');
    }
    if (bad.length > 0) setters.push(containerList(bad));
    if (setters.length === 0) return allowed;
    const types = sortedSet(badTypes);
    const data = [
      ...(types.length > 0 ? [`${pluralize('type', 'types', types.length)} ${joinQuote(types)}`] : []),
      ...(setUser ? ['user may not be set'] : []),
      ...(setRole ? ['role may not be set'] : []),
    ];
    return {
      allowed: false,
      reason: 'seLinuxOptions',
      detail: `${setters.join(' and ')} set forbidden securityContext.seLinuxOptions: ${data.join('; ')}`,
    };
  };
}

const seLinuxTypes1_0 = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);
const seLinuxTypes1_31 = new Set([...seLinuxTypes1_0, 'container_engine_t']);

const seccompPodAnnotation = 'seccomp.security.alpha.kubernetes.io/pod';
const seccompContainerAnnotationPrefix = 'container.seccomp.security.alpha.kubernetes.io/';

/** Before 1.19 seccomp was set by annotations. */
const seccompProfileBaselineAnnotations: CheckFunction = (metadata, spec) => {
  const annotations = metadata.annotations ?? {};
  const validValue = (value: string) =>
    value === 'runtime/default' || value === 'docker/default' || value.startsWith('localhost/');
  const forbidden = new Set<string>();
  const consider = (key: string) => {
    const value = annotations[key];
    if (value !== undefined && !validValue(value)) forbidden.add(`${key}=${goQuote(value)}`);
  };
  consider(seccompPodAnnotation);
  for (const container of containersOf(spec))
    consider(`${seccompContainerAnnotationPrefix}${container.name ?? ''}`);
  if (forbidden.size === 0) return allowed;
  return {
    allowed: false,
    reason: 'seccompProfile',
    detail: `forbidden ${pluralize('annotation', 'annotations', forbidden.size)} ${sortedSet(forbidden).join(', ')}`,
  };
};

const validSeccompType = (type: string | undefined) => type === 'RuntimeDefault' || type === 'Localhost';

/** Explicitly bad seccomp types, and (restricted only) containers left without a valid profile. */
function seccompProfile(required: boolean): CheckFunction {
  return (_metadata, spec) => {
    const setters: string[] = [];
    const badValues = new Set<string>();
    let podSet = false;
    const podProfile = spec.securityContext?.seccompProfile;
    if (podProfile) {
      if (!validSeccompType(podProfile.type)) {
        setters.push('pod');
        badValues.add(podProfile.type ?? '');
      } else podSet = true;
    }
    const explicit: string[] = [];
    const implicit: string[] = [];
    for (const container of containersOf(spec)) {
      const profile = container.securityContext?.seccompProfile;
      if (profile) {
        if (!validSeccompType(profile.type)) {
          explicit.push(container.name ?? '');
          badValues.add(profile.type ?? '');
        }
      } else if (!podSet) implicit.push(container.name ?? '');
    }
    if (explicit.length > 0) setters.push(containerList(explicit));
    if (setters.length > 0) {
      return {
        allowed: false,
        reason: 'seccompProfile',
        detail: `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(badValues))}`,
      };
    }
    if (required && implicit.length > 0) {
      return {
        allowed: false,
        reason: 'seccompProfile',
        detail: `pod or ${containerList(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
      };
    }
    return allowed;
  };
}

const sysctls1_0 = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
];
const sysctls1_27 = [...sysctls1_0, 'net.ipv4.ip_local_reserved_ports'];
const sysctls1_29 = [
  ...sysctls1_27,
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
];
const sysctls1_32 = [...sysctls1_29, 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'];

function sysctls(allowedNames: readonly string[]): CheckFunction {
  const safe = new Set(allowedNames);
  return (_metadata, spec) => {
    const forbidden = (spec.securityContext?.sysctls ?? [])
      .map((sysctl) => sysctl.name ?? '')
      .filter((name) => !safe.has(name));
    if (forbidden.length === 0) return allowed;
    return { allowed: false, reason: 'forbidden sysctls', detail: forbidden.join(', ') };
  };
}

const windowsHostProcess: CheckFunction = (_metadata, spec) => {
  const setters: string[] = [];
  if (spec.securityContext?.windowsOptions?.hostProcess === true) setters.push('pod');
  const bad = containersOf(spec)
    .filter((container) => container.securityContext?.windowsOptions?.hostProcess === true)
    .map((container) => container.name ?? '');
  if (bad.length > 0) setters.push(containerList(bad));
  if (setters.length === 0) return allowed;
  return {
    allowed: false,
    reason: 'hostProcess',
    detail: `${setters.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true`,
  };
};

const checks: readonly Check[] = [
  {
    id: 'allowPrivilegeEscalation',
    level: 'restricted',
    versions: [
      { minimum: 8, check: allowPrivilegeEscalation },
      { minimum: 25, check: windowsExempt(allowPrivilegeEscalation) },
    ],
  },
  { id: 'appArmorProfile', level: 'baseline', versions: [{ minimum: 0, check: appArmorProfile }] },
  { id: 'capabilities_baseline', level: 'baseline', versions: [{ minimum: 0, check: capabilitiesBaseline }] },
  {
    id: 'capabilities_restricted',
    level: 'restricted',
    versions: [
      { minimum: 22, check: capabilitiesRestricted, overrides: ['capabilities_baseline'] },
      { minimum: 25, check: windowsExempt(capabilitiesRestricted), overrides: ['capabilities_baseline'] },
    ],
  },
  { id: 'hostNamespaces', level: 'baseline', versions: [{ minimum: 0, check: hostNamespaces }] },
  { id: 'hostPathVolumes', level: 'baseline', versions: [{ minimum: 0, check: hostPathVolumes }] },
  { id: 'hostPorts', level: 'baseline', versions: [{ minimum: 0, check: hostPorts }] },
  { id: 'privileged', level: 'baseline', versions: [{ minimum: 0, check: privileged }] },
  { id: 'procMount', level: 'baseline', versions: [{ minimum: 0, check: procMount }] },
  {
    id: 'restrictedVolumes',
    level: 'restricted',
    versions: [{ minimum: 0, check: restrictedVolumes, overrides: ['hostPathVolumes'] }],
  },
  { id: 'runAsNonRoot', level: 'restricted', versions: [{ minimum: 0, check: runAsNonRoot }] },
  { id: 'runAsUser', level: 'restricted', versions: [{ minimum: 23, check: runAsUser }] },
  {
    id: 'seLinuxOptions',
    level: 'baseline',
    versions: [
      { minimum: 0, check: seLinuxOptions(seLinuxTypes1_0) },
      { minimum: 31, check: seLinuxOptions(seLinuxTypes1_31) },
    ],
  },
  {
    id: 'seccompProfile_baseline',
    level: 'baseline',
    versions: [
      { minimum: 0, check: seccompProfileBaselineAnnotations },
      { minimum: 19, check: seccompProfile(false) },
    ],
  },
  {
    id: 'seccompProfile_restricted',
    level: 'restricted',
    versions: [
      { minimum: 19, check: seccompProfile(true), overrides: ['seccompProfile_baseline'] },
      { minimum: 25, check: windowsExempt(seccompProfile(true)), overrides: ['seccompProfile_baseline'] },
    ],
  },
  {
    id: 'sysctls',
    level: 'baseline',
    versions: [
      { minimum: 0, check: sysctls(sysctls1_0) },
      { minimum: 27, check: sysctls(sysctls1_27) },
      { minimum: 29, check: sysctls(sysctls1_29) },
      { minimum: 32, check: sysctls(sysctls1_32) },
    ],
  },
  { id: 'windowsHostProcess', level: 'baseline', versions: [{ minimum: 0, check: windowsHostProcess }] },
];

/** The newest version any check changed in: `latest`, and anything newer, evaluate as this. */
const newestVersion = Math.max(...checks.map((check) => check.versions.at(-1)!.minimum));

/** Baseline IDs sorted, then restricted IDs sorted: the order checks run and reasons are listed in. */
const orderedChecks = [
  ...checks.filter((check) => check.level === 'baseline').sort((a, b) => (a.id < b.id ? -1 : 1)),
  ...checks.filter((check) => check.level === 'restricted').sort((a, b) => (a.id < b.id ? -1 : 1)),
];

/** Each check's implementation at a version, or undefined before it existed. */
function implementationAt(check: Check, version: number): VersionedCheck | undefined {
  return check.versions.filter((versioned) => versioned.minimum <= version).at(-1);
}

const checksByLevelVersion = new Map<string, CheckFunction[]>();

function checksFor(level: 'baseline' | 'restricted', version: number): CheckFunction[] {
  const key = `${level}:${version}`;
  let found = checksByLevelVersion.get(key);
  if (!found) {
    const active = orderedChecks
      .map((check) => ({ check, implementation: implementationAt(check, version) }))
      .filter(
        ({ check, implementation }) =>
          implementation && (level === 'restricted' || check.level === 'baseline'),
      );
    const overridden = new Set(active.flatMap(({ implementation }) => implementation?.overrides ?? []));
    found = active
      .filter(
        ({ check }) => !(level === 'restricted' && check.level === 'baseline' && overridden.has(check.id)),
      )
      .map(({ implementation }) => implementation!.check);
    checksByLevelVersion.set(key, found);
  }
  return found;
}

/** Every check's result for a pod (or pod template) at a level and version; none at privileged. */
export function evaluatePod(policy: LevelVersion, metadata: PodMetadata, spec: PodSpec): CheckResult[] {
  if (policy.level === 'privileged') return [];
  const version = policy.version === 'latest' ? newestVersion : Math.min(policy.version, newestVersion);
  return checksFor(policy.level, version).map((check) => check(metadata, spec));
}

/** The failed checks' reasons: `privileged, allowPrivilegeEscalation != false`. */
export function forbiddenReason(results: readonly CheckResult[]): string {
  return failed(results)
    .map((result) => result.reason || 'unknown forbidden reason')
    .join(', ');
}

/** Each failed check's reason with its detail: `privileged (container "c" must not …), …`. */
export function forbiddenDetail(results: readonly CheckResult[]): string {
  return failed(results)
    .map((result) => {
      const reason = result.reason || 'unknown forbidden reason';
      return result.detail ? `${reason} (${result.detail})` : reason;
    })
    .join(', ');
}

function failed(results: readonly CheckResult[]): CheckResult[] {
  return results.filter((result) => !result.allowed);
}

export function levelVersionText(policy: LevelVersion): string {
  return `${policy.level}:${policy.version === 'latest' ? 'latest' : `v1.${policy.version}`}`;
}

export function sameLevelVersion(a: LevelVersion, b: LevelVersion): boolean {
  return a.level === b.level && a.version === b.version;
}

/** -1, 0 or 1 as `a` is less strict than, as strict as, or stricter than `b`. */
export function compareLevels(a: Level, b: Level): number {
  const rank = { privileged: 0, baseline: 1, restricted: 2 } as const;
  return Math.sign(rank[a] - rank[b]);
}

// ---- namespace labels ----

const labelPrefix = 'pod-security.kubernetes.io/';
export const podSecurityLabels = {
  enforce: `${labelPrefix}enforce`,
  enforceVersion: `${labelPrefix}enforce-version`,
  audit: `${labelPrefix}audit`,
  auditVersion: `${labelPrefix}audit-version`,
  warn: `${labelPrefix}warn`,
  warnVersion: `${labelPrefix}warn-version`,
} as const;

const privilegedLatest: LevelVersion = { level: 'privileged', version: 'latest' };
/** kube-apiserver's default: no namespace labels, no restrictions. */
export const defaultPolicy: Policy = {
  enforce: privilegedLatest,
  audit: privilegedLatest,
  warn: privilegedLatest,
};

function parseLevel(text: string): Level | undefined {
  return text === 'privileged' || text === 'baseline' || text === 'restricted' ? text : undefined;
}

function parseVersion(text: string): Version | undefined {
  if (text === 'latest') return 'latest';
  const match = /^v1\.([0-9]|[1-9][0-9]*)$/.exec(text);
  return match ? Number(match[1]) : undefined;
}

/**
 * The policy a namespace's labels give, with a field error per label that does not parse. A bad
 * enforce level fails closed (restricted), a bad audit or warn level open (privileged), a bad version
 * is `latest`. Warn follows enforce when only enforce is set, and to a stricter level.
 */
export function policyFromLabels(
  labels: Readonly<Record<string, string>> | undefined,
  defaults: Policy = defaultPolicy,
): { policy: Policy; errors: FieldError[] } {
  const errors: FieldError[] = [];
  if (!labels || Object.keys(labels).length === 0) return { policy: defaults, errors };
  const invalid = (label: string, value: string, detail: string) =>
    errors.push(fieldError.invalid(`metadata.labels[${label}]`, value, detail));
  const levelOf = (label: string, fallback: Level, onError: Level): Level => {
    const text = labels[label];
    if (text === undefined) return fallback;
    const level = parseLevel(text);
    if (!level) invalid(label, text, 'must be one of privileged, baseline, restricted');
    return level ?? onError;
  };
  const versionOf = (label: string, fallback: Version): Version => {
    const text = labels[label];
    if (text === undefined) return fallback;
    const version = parseVersion(text);
    if (version === undefined) invalid(label, text, 'must be "latest" or "v1.x"');
    return version ?? 'latest';
  };
  const enforceLevelText = labels[podSecurityLabels.enforce];
  const enforce = {
    level: levelOf(podSecurityLabels.enforce, defaults.enforce.level, 'restricted'),
    version: versionOf(podSecurityLabels.enforceVersion, defaults.enforce.version),
  };
  const audit = {
    level: levelOf(podSecurityLabels.audit, defaults.audit.level, 'privileged'),
    version: versionOf(podSecurityLabels.auditVersion, defaults.audit.version),
  };
  let warn: LevelVersion = {
    level: levelOf(podSecurityLabels.warn, defaults.warn.level, 'privileged'),
    version: versionOf(podSecurityLabels.warnVersion, defaults.warn.version),
  };
  const hasEnforceLevel = enforceLevelText !== undefined && parseLevel(enforceLevelText) !== undefined;
  const hasWarnLevel = labels[podSecurityLabels.warn] !== undefined;
  const hasWarnVersion = labels[podSecurityLabels.warnVersion] !== undefined;
  if (!hasWarnLevel && hasEnforceLevel && compareLevels(enforce.level, warn.level) > 0) {
    warn = { level: enforce.level, version: hasWarnVersion ? warn.version : enforce.version };
  }
  return { policy: { enforce, audit, warn }, errors };
}
