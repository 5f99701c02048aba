/**
 * The parts of core/v1 Nodes and Pods that decide where a pod may run, as the scheduler and the
 * DaemonSet controller read them: taints and tolerations, node selectors and node affinity. Plain JSON
 * shapes, Kubernetes' own field names; everything else on a node or pod passes through untouched.
 */
import type { KubeObject } from '../resource.js';

/** How strongly a taint repels pods that do not tolerate it. */
export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect | string;
  timeAdded?: string;
}

export interface Toleration {
  /** Empty with operator Exists: every key. */
  key?: string;
  /** 'Exists' or 'Equal'; empty means Equal. */
  operator?: string;
  value?: string;
  /** Empty: every effect. */
  effect?: string;
  tolerationSeconds?: number;
}

export interface NodeSelectorRequirement {
  key: string;
  /** In, NotIn, Exists, DoesNotExist, Gt, Lt. */
  operator: string;
  values?: string[];
}

/** Its requirements are ANDed; an empty term selects nothing. */
export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  /** On node fields; only `metadata.name` exists. */
  matchFields?: NodeSelectorRequirement[];
}

/** Its terms are ORed. */
export interface NodeSelector {
  nodeSelectorTerms?: NodeSelectorTerm[];
}

export interface NodeAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: NodeSelector;
  preferredDuringSchedulingIgnoredDuringExecution?: { weight: number; preference: NodeSelectorTerm }[];
}

export interface Affinity {
  nodeAffinity?: NodeAffinity;
  podAffinity?: unknown;
  podAntiAffinity?: unknown;
}

/** What of a pod's spec placement depends on. */
export interface PodPlacementSpec {
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  affinity?: Affinity;
  tolerations?: Toleration[];
  hostNetwork?: boolean;
  [field: string]: unknown;
}

export interface NodeCondition {
  type: string;
  status: string;
  [field: string]: unknown;
}

export interface Node extends KubeObject {
  spec?: {
    taints?: Taint[];
    unschedulable?: boolean;
    [field: string]: unknown;
  };
  status?: {
    conditions?: NodeCondition[];
    [field: string]: unknown;
  };
}
