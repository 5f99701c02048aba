/**
 * kube-scheduler's default profile (v1 API): the plugins enabled at every point they serve, in the order
 * their Filters run, and the weights of those that score. The order matters to users: a node is
 * rejected by the first Filter that fails, and only that plugin's reason is counted in the
 * FailedScheduling message (a tainted node short of CPU says "untolerated taint", not "Insufficient cpu").
 *
 * Upstream's VolumeRestrictions, NodeVolumeLimits, VolumeZone, ImageLocality and DynamicResources are not
 * here: Skiff has no CSI drivers, images or resource claims to judge them by.
 */
import type { PluginRef } from './types.js';

export const defaultMultiPointPlugins: readonly PluginRef[] = [
  { name: 'SchedulingGates' },
  { name: 'PrioritySort' },
  { name: 'NodeUnschedulable' },
  { name: 'NodeName' },
  { name: 'TaintToleration', weight: 3 },
  { name: 'NodeAffinity', weight: 2 },
  { name: 'NodePorts' },
  { name: 'NodeResourcesFit', weight: 1 },
  { name: 'VolumeBinding' },
  { name: 'PodTopologySpread', weight: 2 },
  { name: 'InterPodAffinity', weight: 2 },
  { name: 'DefaultPreemption' },
  { name: 'NodeResourcesBalancedAllocation', weight: 1 },
  { name: 'DefaultBinder' },
];

/** The shortest backoff after a failed attempt, and the longest (podInitialBackoffSeconds, podMaxBackoffSeconds). */
export const DEFAULT_POD_INITIAL_BACKOFF_SECONDS = 1;
export const DEFAULT_POD_MAX_BACKOFF_SECONDS = 10;
