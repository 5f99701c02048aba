/**
 * A container's environment as the kubelet makes it (upstream's makeEnvironmentVariables): the
 * variables of envFrom in order, then env in order — each value with `$(VAR)` references expanded from
 * what came before and the Service variables — then the Service variables not already set (the
 * docker-link style `<NAME>_SERVICE_HOST`, `<NAME>_PORT_<port>_TCP_ADDR`… of every Service in the
 * pod's namespace, and the `kubernetes` Service's, unless `enableServiceLinks` is false).
 *
 * A missing ConfigMap, Secret or key that is not optional throws with upstream's message; the sync
 * loop reports it as CreateContainerConfigError.
 */
import { Quantity } from '../api/quantity.js';
import type { KubeObject } from '../api/resource.js';
import { isStatusError } from '../api/status.js';
import { refFor } from '../client/refs.js';
import type { KubeReader } from '../client/types.js';
import type { Container, Pod } from './pod-types.js';

export interface EnvContext {
  readonly client: Pick<KubeReader, 'get' | 'list'>;
  readonly hostIP: string;
  readonly podIPs: readonly string[];
  /** The node's allocatable, for a resourceFieldRef to a limit the container leaves unset. */
  readonly allocatable: Readonly<Record<string, string>>;
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath: string };
    resourceFieldRef?: { containerName?: string; resource: string; divisor?: string };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
  };
}

interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name: string; optional?: boolean };
  secretRef?: { name: string; optional?: boolean };
}

interface Service extends KubeObject {
  spec?: { clusterIP?: string; ports?: { name?: string; port: number; protocol?: string }[] };
}

const validName = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** `$(VAR)` → its value when defined (else left as written); `$$` → `$`. */
export function expand(text: string, variables: ReadonlyMap<string, string>): string {
  return text.replace(/\$\$|\$\(([^)]*)\)/g, (match, name: string | undefined) => {
    if (match === '$$') return '$';
    return name !== undefined && variables.has(name) ? variables.get(name)! : match;
  });
}

export async function containerEnv(
  pod: Pod,
  container: Container,
  context: EnvContext,
): Promise<{ key: string; value: string }[]> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const services =
    pod.spec.enableServiceLinks === false
      ? new Map<string, string>()
      : await serviceVariables(namespace, context);
  const result = new Map<string, string>();
  const lookup = new Map(services);
  const set = (key: string, value: string) => {
    result.set(key, value);
    lookup.set(key, value);
  };
  for (const source of (container.envFrom ?? []) as EnvFromSource[]) {
    const prefix = source.prefix ?? '';
    const data = source.configMapRef
      ? await configMapData(namespace, source.configMapRef.name, source.configMapRef.optional, context)
      : source.secretRef
        ? await secretData(namespace, source.secretRef.name, source.secretRef.optional, context)
        : undefined;
    for (const [key, value] of Object.entries(data ?? {})) {
      if (validName.test(prefix + key)) set(prefix + key, value);
    }
  }
  for (const variable of (container.env ?? []) as EnvVar[]) {
    if (variable.valueFrom) {
      const value = await valueFrom(pod, container, variable, context);
      if (value !== undefined) set(variable.name, value);
    } else set(variable.name, expand(variable.value ?? '', lookup));
  }
  for (const [key, value] of services) if (!result.has(key)) result.set(key, value);
  return [...result].map(([key, value]) => ({ key, value }));
}

async function getOptional<T extends KubeObject>(
  context: EnvContext,
  kind: 'ConfigMap' | 'Secret',
  namespace: string,
  name: string,
): Promise<T | undefined> {
  try {
    return await context.client.get<T>(refFor(kind, namespace), name);
  } catch (error) {
    if (isStatusError(error, 'NotFound')) return undefined;
    throw error;
  }
}

async function configMapData(
  namespace: string,
  name: string,
  optional: boolean | undefined,
  context: EnvContext,
) {
  const configMap = await getOptional<KubeObject & { data?: Record<string, string> }>(
    context,
    'ConfigMap',
    namespace,
    name,
  );
  if (!configMap && !optional) throw new Error(`configmap "${name}" not found`);
  return configMap?.data ?? {};
}

async function secretData(
  namespace: string,
  name: string,
  optional: boolean | undefined,
  context: EnvContext,
) {
  const secret = await getOptional<KubeObject & { data?: Record<string, string> }>(
    context,
    'Secret',
    namespace,
    name,
  );
  if (!secret && !optional) throw new Error(`secret "${name}" not found`);
  return Object.fromEntries(
    Object.entries(secret?.data ?? {}).map(([key, value]) => [
      key,
      Buffer.from(value, 'base64').toString('utf8'),
    ]),
  );
}

async function valueFrom(
  pod: Pod,
  container: Container,
  variable: EnvVar,
  context: EnvContext,
): Promise<string | undefined> {
  const source = variable.valueFrom!;
  const namespace = pod.metadata?.namespace ?? 'default';
  if (source.fieldRef) return fieldValue(pod, source.fieldRef.fieldPath, context);
  if (source.resourceFieldRef) return resourceValue(pod, container, source.resourceFieldRef, context);
  const reference = source.configMapKeyRef ?? source.secretKeyRef;
  if (!reference) return undefined;
  const kind = source.configMapKeyRef ? 'ConfigMap' : 'Secret';
  const data = source.configMapKeyRef
    ? await configMapData(namespace, reference.name, reference.optional, context)
    : await secretData(namespace, reference.name, reference.optional, context);
  if (reference.key in data) return data[reference.key];
  if (reference.optional) return undefined;
  throw new Error(`couldn't find key ${reference.key} in ${kind} ${namespace}/${reference.name}`);
}

/**
 * A pod's metadata field as the downward API gives it (env and volumes alike): name, namespace, uid,
 * one label or annotation, or all of them as `key="value"` lines; undefined for any other path.
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
  switch (path) {
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? '';
    case 'status.hostIP':
    case 'status.hostIPs':
      return context.hostIP;
    case 'status.podIP':
      return context.podIPs[0] ?? '';
    case 'status.podIPs':
      return context.podIPs.join(',');
    default:
      throw new Error(`unsupported fieldPath: ${path}`);
  }
}

/** `key="value"` lines, sorted by key, as the downward API writes maps. */
export function formatMap(map: Readonly<Record<string, string>> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((key) => `${key}=${JSON.stringify(map![key])}`)
    .join('\n');
}

/** A container's request or limit in units of `divisor` (rounded up), the node's allocatable for an unset limit. */
export function resourceValue(
  pod: Pod,
  container: Container,
  reference: { containerName?: string; resource: string; divisor?: string },
  context: Pick<EnvContext, 'allocatable'>,
): string {
  const target = reference.containerName
    ? ([...(pod.spec.initContainers ?? []), ...pod.spec.containers].find(
        (c) => c.name === reference.containerName,
      ) ?? container)
    : container;
  const [kind, resource] = reference.resource.split('.') as ['limits' | 'requests', string];
  const fromLimits = target.resources?.limits?.[resource];
  const given =
    kind === 'limits'
      ? fromLimits
      : (target.resources?.requests?.[resource] ??
        (resource === 'cpu' || resource === 'memory' ? fromLimits : undefined));
  const quantity = given ?? (kind === 'limits' ? context.allocatable[resource] : undefined) ?? '0';
  const divisor = reference.divisor ?? '1';
  if (resource === 'cpu') {
    const milli = Quantity.parse(quantity).milliValue();
    const per = Quantity.parse(divisor).milliValue() || 1000;
    // Upstream rounds CPU up, to at least 1 for a non-zero request.
    return String(Math.max(milli === 0 ? 0 : 1, Math.ceil(milli / per)));
  }
  return String(Math.ceil(Quantity.parse(quantity).value() / (Quantity.parse(divisor).value() || 1)));
}

/** The docker-link style variables of the Services a pod's containers see. */
async function serviceVariables(namespace: string, context: EnvContext): Promise<Map<string, string>> {
  const variables = new Map<string, string>();
  const own = (await context.client.list<Service>(refFor('Service', namespace))).items;
  const kubernetes =
    namespace === 'default'
      ? []
      : own.some((service) => service.metadata?.name === 'kubernetes')
        ? []
        : await kubernetesService(context);
  for (const service of [...kubernetes, ...own]) {
    const ip = service.spec?.clusterIP;
    const ports = service.spec?.ports ?? [];
    if (!ip || ip === 'None' || ports.length === 0) continue;
    const name = envName(service.metadata?.name ?? '');
    variables.set(`${name}_SERVICE_HOST`, ip);
    variables.set(`${name}_SERVICE_PORT`, String(ports[0]!.port));
    for (const port of ports) {
      if (port.name) variables.set(`${name}_SERVICE_PORT_${envName(port.name)}`, String(port.port));
    }
    const first = ports[0]!;
    variables.set(`${name}_PORT`, `${(first.protocol ?? 'TCP').toLowerCase()}://${ip}:${first.port}`);
    for (const port of ports) {
      const protocol = port.protocol ?? 'TCP';
      const prefix = `${name}_PORT_${port.port}_${protocol.toUpperCase()}`;
      variables.set(prefix, `${protocol.toLowerCase()}://${ip}:${port.port}`);
      variables.set(`${prefix}_PROTO`, protocol.toLowerCase());
      variables.set(`${prefix}_PORT`, String(port.port));
      variables.set(`${prefix}_ADDR`, ip);
    }
  }
  return variables;
}

async function kubernetesService(context: EnvContext): Promise<Service[]> {
  try {
    return [await context.client.get<Service>(refFor('Service', 'default'), 'kubernetes')];
  } catch {
    return [];
  }
}

const envName = (name: string) => name.toUpperCase().replaceAll('-', '_');
