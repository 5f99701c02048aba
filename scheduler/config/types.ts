/**
 * KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1), the file `--config` names: the same
 * field names and meanings as kube-scheduler's, so an existing profile file works unchanged.
 *
 *   apiVersion: kubescheduler.config.k8s.io/v1
 *   kind: KubeSchedulerConfiguration
 *   profiles:
 *   - schedulerName: default-scheduler
 *     plugins:
 *       score:
 *         disabled: [{name: NodeResourcesBalancedAllocation}]
 *         enabled: [{name: NodeResourcesFit, weight: 5}]
 *     pluginConfig:
 *     - name: NodeResourcesFit
 *       args: {scoringStrategy: {type: MostAllocated}}
 *
 * Fields Skiff has no use for (clientConnection QPS, metrics addresses, extenders) are accepted and
 * ignored.
 */
export interface PluginRef {
  readonly name: string;
  /** Score plugins only; 0 or absent means 1. */
  readonly weight?: number;
}

export interface PluginSet {
  readonly enabled?: readonly PluginRef[];
  /** `{name: '*'}` disables every default plugin at this point. */
  readonly disabled?: readonly PluginRef[];
}

export const extensionPoints = [
  'preEnqueue',
  'queueSort',
  'preFilter',
  'filter',
  'postFilter',
  'preScore',
  'score',
  'reserve',
  'permit',
  'preBind',
  'bind',
  'postBind',
] as const;

export type ExtensionPoint = (typeof extensionPoints)[number];

export type Plugins = { readonly [point in ExtensionPoint | 'multiPoint']?: PluginSet };

export interface PluginConfig {
  readonly name: string;
  readonly args?: unknown;
}

export interface SchedulerProfile {
  /** Pods whose spec.schedulerName is this are scheduled with this profile. Default `default-scheduler`. */
  readonly schedulerName?: string;
  /** Overrides the top-level percentageOfNodesToScore for this profile. */
  readonly percentageOfNodesToScore?: number;
  readonly plugins?: Plugins;
  readonly pluginConfig?: readonly PluginConfig[];
}

export interface LeaderElectionConfiguration {
  readonly leaderElect?: boolean;
  /** Go durations: `15s`, `1m30s`. */
  readonly leaseDuration?: string;
  readonly renewDeadline?: string;
  readonly retryPeriod?: string;
  readonly resourceName?: string;
  readonly resourceNamespace?: string;
  readonly resourceLock?: string;
}

export interface SchedulerConfiguration {
  readonly apiVersion?: string;
  readonly kind?: string;
  /**
   * The share of nodes to find feasible before scoring stops looking (1–100); 0 or absent: adaptive,
   * 50% minus 1% per 125 nodes, at least 5% (and at least 100 nodes).
   */
  readonly percentageOfNodesToScore?: number;
  /** The first retry after an unschedulable attempt waits this long, doubling up to the max. Default 1. */
  readonly podInitialBackoffSeconds?: number;
  /** Default 10. */
  readonly podMaxBackoffSeconds?: number;
  readonly leaderElection?: LeaderElectionConfiguration;
  readonly clientConnection?: { readonly kubeconfig?: string; readonly [field: string]: unknown };
  readonly profiles?: readonly SchedulerProfile[];
  readonly [field: string]: unknown;
}

export const SCHEDULER_CONFIG_API_VERSION = 'kubescheduler.config.k8s.io/v1';
export const SCHEDULER_CONFIG_KIND = 'KubeSchedulerConfiguration';
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
