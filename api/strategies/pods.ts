import { type FieldError, fieldError } from '../field-error.js';
import { isDNS1123Label } from '../names.js';
import type { KubeObject, Strategy } from '../resource.js';

/**
 * Pods: the defaults Kubernetes fills (restart and DNS policy, grace period, scheduler, service account,
 * per-container termination message and image pull policy, port protocol), the tolerations the
 * DefaultTolerationSeconds admission adds, a Pending status with its QoS class on create, and the
 * structural rules a pod spec must meet. A pod's spec is immutable after creation apart from images,
 * activeDeadlineSeconds, tolerations (additions) and a few scheduling fields.
 */
interface Container {
  name?: string;
  image?: string;
  imagePullPolicy?: string;
  terminationMessagePath?: string;
  terminationMessagePolicy?: string;
  ports?: { containerPort?: number; protocol?: string }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  restartPolicy?: string;
  dnsPolicy?: string;
  terminationGracePeriodSeconds?: number;
  schedulerName?: string;
  serviceAccountName?: string;
  serviceAccount?: string;
  securityContext?: object;
  enableServiceLinks?: boolean;
  priority?: number;
  preemptionPolicy?: string;
  tolerations?: { key?: string; operator?: string; effect?: string; tolerationSeconds?: number }[];
}

function defaultContainer(container: Container): void {
  container.terminationMessagePath ??= '/dev/termination-log';
  container.terminationMessagePolicy ??= 'File';
  if (!container.imagePullPolicy && container.image) {
    const reference = container.image.split('@')[0]!;
    const lastPart = reference.slice(reference.lastIndexOf('/') + 1);
    const tag = lastPart.includes(':') ? lastPart.slice(lastPart.indexOf(':') + 1) : 'latest';
    container.imagePullPolicy = container.image.includes('@')
      ? 'IfNotPresent'
      : tag === 'latest'
        ? 'Always'
        : 'IfNotPresent';
  }
  for (const port of container.ports ?? []) port.protocol ??= 'TCP';
  container.resources ??= {};
}

/** The defaults of a PodSpec, shared with every kind that embeds a pod template. */
export function defaultPodSpec(spec: PodSpec): void {
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  spec.enableServiceLinks ??= true;
  for (const container of [...(spec.initContainers ?? []), ...(spec.containers ?? [])])
    defaultContainer(container);
}

/** Guaranteed when every container's requests equal its limits for cpu and memory; BestEffort with none. */
function qosClass(spec: PodSpec): string {
  const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const container of containers) {
    const { requests = {}, limits = {} } = container.resources ?? {};
    if (Object.keys(requests).length + Object.keys(limits).length > 0) any = true;
    for (const resource of ['cpu', 'memory']) {
      if (!limits[resource] || (requests[resource] !== undefined && requests[resource] !== limits[resource]))
        guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function validateContainers(list: Container[] | undefined, path: string, required: boolean): FieldError[] {
  const errors: FieldError[] = [];
  if (required && (!list || list.length === 0)) errors.push(fieldError.required(path, ''));
  const names = new Set<string>();
  (list ?? []).forEach((container, index) => {
    const at = `${path}[${index}]`;
    if (!container.name) errors.push(fieldError.required(`${at}.name`, ''));
    else {
      for (const problem of isDNS1123Label(container.name))
        errors.push(fieldError.invalid(`${at}.name`, container.name, problem));
      if (names.has(container.name)) errors.push(fieldError.duplicate(`${at}.name`, container.name));
      names.add(container.name);
    }
    if (!container.image) errors.push(fieldError.required(`${at}.image`, ''));
  });
  return errors;
}

/** formatted as the API writes times: seconds, UTC. */
const formatTime = (date: Date) => `${date.toISOString().slice(0, 19)}Z`;

export const podStrategy: Strategy = {
  /**
   * A pod on a node that has not finished gets its grace period and stays Terminating until the node's
   * kubelet confirms with a delete of grace 0; a pod on no node, or one that has finished, goes at once.
   * A second delete may shorten the grace period, never lengthen it.
   */
  beginDeletion(pod, { gracePeriodSeconds, now }) {
    const spec = (pod.spec ?? {}) as PodSpec & { nodeName?: string };
    const phase = (pod.status as { phase?: string } | undefined)?.phase;
    if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return undefined;
    const grace = Math.max(0, gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30);
    if (grace === 0) return undefined;
    const meta = pod.metadata ?? {};
    const deadline = now.getTime() + grace * 1000;
    const existing = meta.deletionTimestamp ? Date.parse(meta.deletionTimestamp) : Number.POSITIVE_INFINITY;
    return {
      ...pod,
      metadata: {
        ...meta,
        deletionTimestamp: formatTime(new Date(Math.min(existing, deadline))),
        deletionGracePeriodSeconds: Math.min(grace, meta.deletionGracePeriodSeconds ?? grace),
      },
    };
  },
  holdsDeletion: (pod) => (pod.metadata?.deletionGracePeriodSeconds ?? 0) > 0,
  prepareForCreate(pod) {
    const spec = (pod.spec ?? {}) as PodSpec;
    pod.status = { phase: 'Pending', qosClass: qosClass(spec) };
  },
  default(pod) {
    const spec = (pod.spec ??= {}) as PodSpec;
    defaultPodSpec(spec);
    spec.serviceAccountName ??= spec.serviceAccount ?? 'default';
    spec.serviceAccount ??= spec.serviceAccountName;
    spec.priority ??= 0;
    spec.preemptionPolicy ??= 'PreemptLowerPriority';
    const tolerations = (spec.tolerations ??= []);
    for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
      if (
        !tolerations.some(
          (toleration) => toleration.key === key || (toleration.operator === 'Exists' && !toleration.key),
        )
      ) {
        tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
      }
    }
  },
  validate(pod: KubeObject) {
    const spec = (pod.spec ?? {}) as PodSpec;
    const errors = [
      ...validateContainers(spec.containers, 'spec.containers', true),
      ...validateContainers(spec.initContainers, 'spec.initContainers', false),
    ];
    const policies = ['Always', 'OnFailure', 'Never'];
    if (spec.restartPolicy && !policies.includes(spec.restartPolicy)) {
      errors.push(fieldError.notSupported('spec.restartPolicy', spec.restartPolicy, policies));
    }
    return errors;
  },
};
