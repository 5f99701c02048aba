/**
 * A container's environment as the kubelet computes it (upstream's makeEnvironmentVariables):
 *
 *   1. envFrom, in order: every key of the ConfigMap or Secret (with the prefix); keys that are not valid
 *      variable names are skipped and reported as an InvalidEnvironmentVariableNames warning.
 *   2. env, in order, replacing what came before: `value` with `$(VAR)` expanded from the variables so
 *      far and then the Service variables, or `valueFrom` (fieldRef, resourceFieldRef, configMapKeyRef,
 *      secretKeyRef; its value is never expanded).
 *   3. the Service variables not already set: the docker-link style `<NAME>_SERVICE_HOST`, `<NAME>_PORT`…
 *      of every Service with a cluster IP in the pod's namespace (unless `enableServiceLinks` is false),
 *      and always the `kubernetes` Service's from `default`.
 *
 * Upstream builds this in a Go map, so its order is random; here it is the order above (a variable
 * redefined by env keeps its first place), which is stable from one container start to the next.
 *
 * A missing ConfigMap, Secret or key that is not optional throws a ContainerConfigError with upstream's
 * message (`configmap "cfg" not found`, `couldn't find key k in ConfigMap ns/cfg`): the sync loop
 * reports it as the container's CreateContainerConfigError.
 */
import { goQuote } from '../api/go-quote.js';
import { Quantity } from '../api/quantity.js';
import type { KubeObject } from '../api/resource.js';
import { isStatusError } from '../api/status.js';
import { refFor } from '../client/refs.js';
import type { KubeReader } from '../client/types.js';
import type { Container, Pod } from './pod-types.js';

export interface EnvContext {
  readonly reader: Pick<KubeReader, 'get' | 'list'>;
  /** The node's IP (status.hostIP); `hostIPs` all of them, defaulting to [hostIP]. */
  readonly hostIP: string;
  readonly hostIPs?: readonly string[];
  /** The pod's IPs as the sandbox reported them; podIP defaults to podIPs[0]. */
  readonly podIP?: string;
  readonly podIPs: readonly string[];
  /** The node's allocatable (`cpu`, `memory`, `ephemeral-storage`): a resourceFieldRef to an unset limit reads it. */
  readonly nodeAllocatable: Readonly<Record<string, string>>;
  /** Told of what upstream records as a Warning event on the pod (InvalidEnvironmentVariableNames). */
  readonly recordWarning?: (reason: string, message: string) => void;
}

/** Why a container cannot be created from its spec; the sync loop shows it as CreateContainerConfigError. */
export class ContainerConfigError extends Error {
  override readonly name = 'ContainerConfigError';
  readonly code = 'SKIFF_ERR_CREATE_CONTAINER_CONFIG';
  /** The container's waiting reason upstream gives it. */
  readonly reason = 'CreateContainerConfigError';
}

export interface EnvVar {
  readonly key: string;
  readonly value: string;
}

interface EnvVarSource {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath: string; apiVersion?: string };
    resourceFieldRef?: ResourceFieldSelector;
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
  };
}

interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name: string; optional?: boolean };
  secretRef?: { name: string; optional?: boolean };
}

export interface ResourceFieldSelector {
  containerName?: string;
  resource: string;
  divisor?: string;
}

interface Service extends KubeObject {
  spec?: { clusterIP?: string; ports?: { name?: string; port: number; protocol?: string }[] };
}

type KeyedObject = KubeObject & { data?: Record<string, string>; binaryData?: Record<string, string> };

// ---------------------------------------------------------------------------------------------------
// $(VAR) expansion (upstream's third_party/forked/golang/expansion)
// ---------------------------------------------------------------------------------------------------

/**
 * Expands `$(VAR)` from the first of `sources` that defines VAR; an undefined reference stays as written.
 * `$$` is an escaped `$`; any other `$` (alone, at the end, before an unclosed `(`) is kept.
 *
 *   expand('$(A)-$$(A)-$(B)', new Map([['A', 'x']]))  → 'x-$(A)-$(B)'
 */
export function expand(text: string, ...sources: ReadonlyMap<string, string>[]): string {
  return text.replace(/\$\$|\$\(([^)]*)\)/g, (match, name: string | undefined) => {
    if (match === '$$') return '$';
    for (const source of sources) {
      const value = source.get(name!);
      if (value !== undefined) return value;
    }
    return match;
  });
}

// ---------------------------------------------------------------------------------------------------
// The environment
// ---------------------------------------------------------------------------------------------------

// Upstream's IsEnvVarName: letters, digits, `_`, `-`, `.`, not starting with a digit, and not `.`, `..` or `..x`.
const envVarName = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const isEnvVarName = (name: string) =>
  envVarName.test(name) && name !== '.' && name !== '..' && !name.startsWith('..');

export async function containerEnv(pod: Pod, container: Container, context: EnvContext): Promise<EnvVar[]> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const services = await serviceVariables(namespace, pod.spec.enableServiceLinks !== false, context);
  const objects = new ObjectCache(context.reader, namespace);
  const env = new Map<string, string>();

  for (const source of (container.envFrom ?? []) as EnvFromSource[]) {
    const reference = source.configMapRef ?? source.secretRef;
    if (!reference) continue;
    const kind = source.configMapRef ? 'ConfigMap' : 'Secret';
    const object = await objects.get(kind, reference.name, reference.optional === true);
    if (!object) continue;
    const invalid: string[] = [];
    // Keys in sorted order (as Go serialises a map), whatever order the object arrived in.
    const values = keyedValues(kind, object);
    for (const key of Object.keys(values).sort()) {
      const value = values[key]!;
      const name = (source.prefix ?? '') + key;
      if (isEnvVarName(name)) env.set(name, value.toString('utf8'));
      else invalid.push(name);
    }
    if (invalid.length > 0) {
      context.recordWarning?.(
        'InvalidEnvironmentVariableNames',
        `Keys [${invalid.sort().join(', ')}] from the EnvFrom ${kind === 'ConfigMap' ? 'configMap' : 'secret'} ${namespace}/${reference.name} were skipped since they are considered invalid environment variable names.`,
      );
    }
  }

  for (const variable of (container.env ?? []) as EnvVarSource[]) {
    if (variable.value) {
      env.set(variable.name, expand(variable.value, env, services));
    } else if (variable.valueFrom) {
      const value = await valueFrom(pod, container, variable.valueFrom, objects, context);
      // An optional reference to a missing object or key sets nothing at all.
      if (value !== undefined) env.set(variable.name, value);
    } else env.set(variable.name, '');
  }

  for (const [key, value] of services) if (!env.has(key)) env.set(key, value);
  return [...env].map(([key, value]) => ({ key, value }));
}

/** Each ConfigMap and Secret read once per container, as upstream's local maps do. */
class ObjectCache {
  readonly #objects = new Map<string, KeyedObject | undefined>();

  constructor(
    private readonly reader: Pick<KubeReader, 'get'>,
    private readonly namespace: string,
  ) {}

  /** The object; undefined when it is missing and optional; else throws upstream's NotFound text. */
  async get(kind: 'ConfigMap' | 'Secret', name: string, optional: boolean): Promise<KeyedObject | undefined> {
    const key = `${kind}/${name}`;
    if (this.#objects.has(key)) return this.#objects.get(key);
    const object = await getKeyedObject(this.reader, kind, this.namespace, name);
    if (!object && !optional) throw new ContainerConfigError(notFoundMessage(kind, name));
    if (object) this.#objects.set(key, object);
    return object;
  }
}

/** A ConfigMap or Secret, or undefined when it does not exist. */
export async function getKeyedObject(
  reader: Pick<KubeReader, 'get'>,
  kind: 'ConfigMap' | 'Secret',
  namespace: string,
  name: string,
): Promise<KeyedObject | undefined> {
  try {
    return await reader.get<KeyedObject>(refFor(kind, namespace), name);
  } catch (error) {
    if (isStatusError(error, 'NotFound')) return undefined;
    throw error;
  }
}

/** The kubelet's own NotFound text (its object managers name the resource in the singular). */
export const notFoundMessage = (kind: 'ConfigMap' | 'Secret', name: string) =>
  `${kind === 'ConfigMap' ? 'configmap' : 'secret'} ${goQuote(name)} not found`;

/** A ConfigMap's data and binaryData, or a Secret's decoded data, by key. */
export function keyedValues(kind: 'ConfigMap' | 'Secret', object: KeyedObject): Record<string, Buffer> {
  const values: Record<string, Buffer> = {};
  if (kind === 'Secret') {
    for (const [key, value] of Object.entries(object.data ?? {})) values[key] = Buffer.from(value, 'base64');
    return values;
  }
  for (const [key, value] of Object.entries(object.data ?? {})) values[key] = Buffer.from(value, 'utf8');
  for (const [key, value] of Object.entries(object.binaryData ?? {})) {
    values[key] = Buffer.from(value, 'base64');
  }
  return values;
}

async function valueFrom(
  pod: Pod,
  container: Container,
  source: NonNullable<EnvVarSource['valueFrom']>,
  objects: ObjectCache,
  context: EnvContext,
): Promise<string | undefined> {
  if (source.fieldRef) return fieldValue(pod, source.fieldRef.fieldPath, context);
  if (source.resourceFieldRef) {
    return resourceValue(pod, container, source.resourceFieldRef, { allocatable: context.nodeAllocatable });
  }
  const reference = source.configMapKeyRef ?? source.secretKeyRef;
  if (!reference) return undefined;
  const kind = source.configMapKeyRef ? 'ConfigMap' : 'Secret';
  const optional = reference.optional === true;
  const object = await objects.get(kind, reference.name, optional);
  if (!object) return undefined;
  // A configMapKeyRef reads data only (not binaryData), as upstream does.
  const raw = object.data?.[reference.key];
  if (raw === undefined) {
    if (optional) return undefined;
    throw new ContainerConfigError(
      `couldn't find key ${reference.key} in ${kind} ${pod.metadata?.namespace ?? 'default'}/${reference.name}`,
    );
  }
  return kind === 'Secret' ? Buffer.from(raw, 'base64').toString('utf8') : raw;
}

// ---------------------------------------------------------------------------------------------------
// The downward API (shared with downwardAPI and projected volumes)
// ---------------------------------------------------------------------------------------------------

/**
 * A pod's metadata field as the downward API gives it (env and volumes alike): name, namespace, uid,
 * one label or annotation (empty when absent), or all of them as `key="value"` lines; undefined for any
 * other path.
 */
export function metadataField(pod: Pod, path: string): string | undefined {
  const metadata = pod.metadata ?? {};
  const keyed = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (keyed) return (keyed[1] === 'labels' ? metadata.labels : metadata.annotations)?.[keyed[2]!] ?? '';
  switch (path) {
    case 'metadata.name':
      return metadata.name ?? '';
    case 'metadata.namespace':
      return metadata.namespace ?? '';
    case 'metadata.uid':
      return metadata.uid ?? '';
    case 'metadata.labels':
      return formatMap(metadata.labels);
    case 'metadata.annotations':
      return formatMap(metadata.annotations);
    default:
      return undefined;
  }
}

function fieldValue(pod: Pod, path: string, context: EnvContext): string {
  const fromMetadata = metadataField(pod, path);
  if (fromMetadata !== undefined) return fromMetadata;
  const podIP = context.podIPs[0] ?? context.podIP ?? '';
  switch (path) {
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? '';
    case 'status.hostIP':
      return context.hostIPs?.[0] ?? context.hostIP;
    case 'status.hostIPs':
      return (context.hostIPs ?? [context.hostIP]).join(',');
    case 'status.podIP':
      return podIP;
    case 'status.podIPs':
      return (context.podIPs.length > 0 ? context.podIPs : podIP ? [podIP] : []).join(',');
    default:
      throw new ContainerConfigError(`field label not supported: ${path}`);
  }
}

/** `key="value"` lines sorted by key, the value quoted as Go's %q (upstream's fieldpath.FormatMap). */
export function formatMap(map: Readonly<Record<string, string>> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((key) => `${key}=${goQuote(map![key]!)}`)
    .join('\n');
}

const mergedLimits = ['cpu', 'memory', 'ephemeral-storage'];

/**
 * A container's request or limit in units of `divisor` (default 1), rounded up — upstream's
 * ExtractContainerResourceValue after defaultPodLimitsForDownwardAPI: an unset or zero cpu, memory or
 * ephemeral-storage limit reads the node's allocatable.
 *
 *   limits.cpu 250m, divisor 1  → '1'      limits.memory 64Mi, divisor 1Mi → '64'
 *   requests.cpu 250m, divisor 1m → '250'
 */
export function resourceValue(
  pod: Pod,
  container: Container,
  reference: ResourceFieldSelector,
  context: { readonly allocatable: Readonly<Record<string, string>> },
): string {
  const target = reference.containerName
    ? [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find(
        (candidate) => candidate.name === reference.containerName,
      )
    : container;
  if (!target) throw new ContainerConfigError(`container ${reference.containerName} not found`);
  const dot = reference.resource.indexOf('.');
  const kind = reference.resource.slice(0, dot);
  const resource = reference.resource.slice(dot + 1);
  const known = mergedLimits.includes(resource) || resource.startsWith('hugepages-');
  if ((kind !== 'limits' && kind !== 'requests') || !known) {
    throw new ContainerConfigError(`unsupported container resource : ${reference.resource}`);
  }
  let given = target.resources?.[kind]?.[resource];
  if (kind === 'limits' && mergedLimits.includes(resource) && (!given || Quantity.parse(given).isZero())) {
    given = context.allocatable[resource] ?? given;
  }
  const quantity = Quantity.parse(given ?? '0');
  const divisor = reference.divisor && !Quantity.parse(reference.divisor).isZero() ? reference.divisor : '1';
  if (resource === 'cpu') {
    return String(Math.ceil(quantity.milliValue() / Quantity.parse(divisor).milliValue()));
  }
  return String(Math.ceil(quantity.value() / Quantity.parse(divisor).value()));
}

// ---------------------------------------------------------------------------------------------------
// Service links (upstream's getServiceEnvVarMap and envvars.FromServices)
// ---------------------------------------------------------------------------------------------------

/**
 * The variables of the Services a pod's containers see, Service by Service (sorted by name) and each in
 * upstream's order. A Service named `kubernetes` in the pod's own namespace stands in for the
 * default one when service links are on.
 */
async function serviceVariables(
  namespace: string,
  enableServiceLinks: boolean,
  context: EnvContext,
): Promise<Map<string, string>> {
  const byName = new Map<string, Service>();
  const master = await getService(context.reader, 'default', 'kubernetes');
  if (master && isServiceIPSet(master)) byName.set('kubernetes', master);
  if (enableServiceLinks) {
    const own = (await context.reader.list<Service>(refFor('Service', namespace))).items;
    for (const service of own) {
      if (isServiceIPSet(service)) byName.set(service.metadata?.name ?? '', service);
    }
  }
  const variables = new Map<string, string>();
  for (const name of [...byName.keys()].sort()) {
    for (const [key, value] of serviceLinkVariables(byName.get(name)!)) variables.set(key, value);
  }
  return variables;
}

async function getService(
  reader: Pick<KubeReader, 'get'>,
  namespace: string,
  name: string,
): Promise<Service | undefined> {
  try {
    return await reader.get<Service>(refFor('Service', namespace), name);
  } catch (error) {
    if (isStatusError(error, 'NotFound')) return undefined;
    throw error;
  }
}

const isServiceIPSet = (service: Service) => {
  const ip = service.spec?.clusterIP;
  return Boolean(ip) && ip !== 'None' && (service.spec?.ports?.length ?? 0) > 0;
};

/**
 * One Service's variables, in upstream's order:
 *
 *   REDIS_SERVICE_HOST=10.0.0.11  REDIS_SERVICE_PORT=6379  REDIS_SERVICE_PORT_<NAMED>=…
 *   REDIS_PORT=tcp://10.0.0.11:6379  (first port)
 *   REDIS_PORT_6379_TCP=tcp://10.0.0.11:6379  _PROTO=tcp  _PORT=6379  _ADDR=10.0.0.11  (each port)
 */
export function serviceLinkVariables(service: Service): [string, string][] {
  const ip = service.spec!.clusterIP!;
  const ports = service.spec!.ports!;
  const prefix = serviceEnvName(service.metadata?.name ?? '');
  const variables: [string, string][] = [
    [`${prefix}_SERVICE_HOST`, ip],
    [`${prefix}_SERVICE_PORT`, String(ports[0]!.port)],
  ];
  for (const port of ports) {
    if (port.name) variables.push([`${prefix}_SERVICE_PORT_${serviceEnvName(port.name)}`, String(port.port)]);
  }
  ports.forEach((port, index) => {
    const protocol = port.protocol || 'TCP';
    const url = `${protocol.toLowerCase()}://${ip}:${port.port}`;
    if (index === 0) variables.push([`${prefix}_PORT`, url]);
    const portPrefix = `${prefix}_PORT_${port.port}_${protocol.toUpperCase()}`;
    variables.push(
      [portPrefix, url],
      [`${portPrefix}_PROTO`, protocol.toLowerCase()],
      [`${portPrefix}_PORT`, String(port.port)],
      [`${portPrefix}_ADDR`, ip],
    );
  });
  return variables;
}

/** `my-svc.x` → `MY_SVC_X`; a leading digit gets a `_` in front. */
function serviceEnvName(name: string): string {
  const upper = name.replaceAll('.', '_').replaceAll('-', '_').toUpperCase();
  return /^[0-9]/.test(upper) ? `_${upper}` : upper;
}
