/**
 * The parts of core/v1 Pods and Nodes (and of the few other kinds it reads) that the scheduler looks
 * at, as plain JSON shapes with Kubernetes' own field names. Node placement types (taints, tolerations,
 * node selectors) come from api/scheduling, which the DaemonSet controller shares; the rest is here.
 * Everything the scheduler does not read passes through untouched (`[field: string]: unknown`).
 */
import type { LabelSelector } from '../api/labels.js';
import type { KubeObject } from '../api/resource.js';
import type {
  NodeAffinity,
  NodeCondition,
  NodeSelector,
  Taint,
  Toleration,
} from '../api/scheduling/types.js';

export type {
  NodeAffinity,
  NodeSelector,
  NodeSelectorTerm,
  Taint,
  Toleration,
} from '../api/scheduling/types.js';

/** `{ cpu: '500m', memory: '1Gi' }` */
export type ResourceList = Readonly<Record<string, string | number>>;

export interface ContainerPort {
  containerPort?: number;
  hostPort?: number;
  hostIP?: string;
  protocol?: string;
  [field: string]: unknown;
}

export interface Container {
  name?: string;
  image?: string;
  resources?: { requests?: ResourceList; limits?: ResourceList; [field: string]: unknown };
  ports?: ContainerPort[];
  /** `Always` on an init container: a sidecar, which keeps running beside the regular containers. */
  restartPolicy?: string;
  [field: string]: unknown;
}

export interface PodAffinityTerm {
  labelSelector?: LabelSelector | null;
  namespaces?: string[];
  namespaceSelector?: LabelSelector | null;
  topologyKey: string;
  matchLabelKeys?: string[];
  mismatchLabelKeys?: string[];
}

export interface WeightedPodAffinityTerm {
  weight: number;
  podAffinityTerm: PodAffinityTerm;
}

export interface PodAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
  preferredDuringSchedulingIgnoredDuringExecution?: WeightedPodAffinityTerm[];
}

export interface Affinity {
  nodeAffinity?: NodeAffinity;
  podAffinity?: PodAffinity;
  podAntiAffinity?: PodAffinity;
}

export interface TopologySpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  /** `DoNotSchedule` (a filter) or `ScheduleAnyway` (a score). */
  whenUnsatisfiable: string;
  labelSelector?: LabelSelector | null;
  minDomains?: number;
  /** `Honor` (default) or `Ignore`: whether nodes the pod's node affinity excludes count as domains. */
  nodeAffinityPolicy?: string;
  /** `Ignore` (default) or `Honor`: whether nodes with taints the pod does not tolerate count. */
  nodeTaintsPolicy?: string;
  matchLabelKeys?: string[];
}

export interface Volume {
  name?: string;
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  ephemeral?: { volumeClaimTemplate?: unknown };
  [field: string]: unknown;
}

export interface PodSpec {
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  affinity?: Affinity;
  tolerations?: Toleration[];
  schedulerName?: string;
  priority?: number;
  priorityClassName?: string;
  /** `PreemptLowerPriority` (default) or `Never`. */
  preemptionPolicy?: string;
  containers?: Container[];
  initContainers?: Container[];
  overhead?: ResourceList;
  topologySpreadConstraints?: TopologySpreadConstraint[];
  volumes?: Volume[];
  schedulingGates?: { name: string }[];
  hostNetwork?: boolean;
  [field: string]: unknown;
}

export interface PodCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
  [field: string]: unknown;
}

export interface Pod extends KubeObject {
  spec?: PodSpec;
  status?: {
    phase?: string;
    conditions?: PodCondition[];
    nominatedNodeName?: string;
    startTime?: string;
    [field: string]: unknown;
  };
}

export interface Node extends KubeObject {
  spec?: { taints?: Taint[]; unschedulable?: boolean; [field: string]: unknown };
  status?: {
    allocatable?: ResourceList;
    capacity?: ResourceList;
    conditions?: NodeCondition[];
    images?: { names?: string[]; sizeBytes?: number }[];
    [field: string]: unknown;
  };
}

export interface PodDisruptionBudget extends KubeObject {
  spec?: { selector?: LabelSelector | null; [field: string]: unknown };
  status?: { disruptionsAllowed?: number; disruptedPods?: Record<string, string>; [field: string]: unknown };
}

export interface PersistentVolumeClaim extends KubeObject {
  spec?: {
    volumeName?: string;
    storageClassName?: string | null;
    accessModes?: string[];
    volumeMode?: string;
    resources?: { requests?: ResourceList };
    [field: string]: unknown;
  };
  status?: { phase?: string; [field: string]: unknown };
}

export interface PersistentVolume extends KubeObject {
  spec?: {
    capacity?: ResourceList;
    accessModes?: string[];
    volumeMode?: string;
    storageClassName?: string;
    claimRef?: { namespace?: string; name?: string; uid?: string; [field: string]: unknown } | null;
    nodeAffinity?: { required?: NodeSelector };
    [field: string]: unknown;
  };
  status?: { phase?: string; [field: string]: unknown };
}

export interface StorageClass extends KubeObject {
  provisioner?: string;
  /** `Immediate` (default) or `WaitForFirstConsumer`. */
  volumeBindingMode?: string;
}

/** The well-known labels the scheduler's defaults spread and group by. */
export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_ZONE = 'topology.kubernetes.io/zone';
export const LABEL_REGION = 'topology.kubernetes.io/region';

/** `namespace/name` of a pod. */
export function podKey(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

/**
 * The pod as an Event's involved object: items of a list carry no apiVersion or kind, and an Event
 * needs both to name what it is about.
 */
export function podReference(pod: Pod): Pod {
  return pod.kind && pod.apiVersion ? pod : { ...pod, apiVersion: 'v1', kind: 'Pod' };
}
