/**
 * apps/v1 DaemonSets, as far as the DaemonSet controller reads and writes them, and the labels and
 * annotations it shares with kubectl.
 */
import type { LabelSelector } from '../../api/labels.js';
import type { KubeObject } from '../../api/resource.js';
import type { PodTemplate } from '../pods.js';

export type IntOrString = number | string;

export const ROLLING_UPDATE = 'RollingUpdate';
export const ON_DELETE = 'OnDelete';

/**
 * The template generation label upstream still puts on daemon pods (extensions/v1beta1's
 * DaemonSetTemplateGenerationKey), from the `deprecated.daemonset.template.generation` annotation.
 */
export const POD_TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

export interface DaemonSetUpdateStrategy {
  /** RollingUpdate (the default) or OnDelete. */
  type?: string;
  rollingUpdate?: { maxUnavailable?: IntOrString; maxSurge?: IntOrString };
}

export interface DaemonSetCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface DaemonSetStatus {
  currentNumberScheduled?: number;
  numberMisscheduled?: number;
  desiredNumberScheduled?: number;
  numberReady?: number;
  observedGeneration?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
  numberUnavailable?: number;
  collisionCount?: number;
  conditions?: DaemonSetCondition[];
  [field: string]: unknown;
}

export interface DaemonSet extends KubeObject {
  spec?: {
    selector?: LabelSelector;
    template?: PodTemplate;
    updateStrategy?: DaemonSetUpdateStrategy;
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    [field: string]: unknown;
  };
  status?: DaemonSetStatus;
}
