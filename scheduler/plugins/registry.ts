/**
 * The in-tree plugins by name: what a profile may enable. Out-of-tree plugins are added beside these
 * (startScheduler's `registry` option) under their own names; a name already here is replaced.
 */
import type { PluginFactory } from '../framework/interfaces.js';
import { DEFAULT_BINDER, defaultBinder } from './default-binder/default-binder.js';
import { DEFAULT_PREEMPTION, defaultPreemption } from './default-preemption/default-preemption.js';
import { INTER_POD_AFFINITY, interPodAffinity } from './inter-pod-affinity/inter-pod-affinity.js';
import { NODE_AFFINITY, nodeAffinity } from './node-affinity/node-affinity.js';
import { NODE_NAME, nodeName } from './node-name/node-name.js';
import { NODE_PORTS, nodePorts } from './node-ports/node-ports.js';
import {
  NODE_RESOURCES_BALANCED_ALLOCATION,
  nodeResourcesBalancedAllocation,
} from './node-resources-balanced-allocation/node-resources-balanced-allocation.js';
import { NODE_RESOURCES_FIT, nodeResourcesFit } from './node-resources-fit/node-resources-fit.js';
import { NODE_UNSCHEDULABLE, nodeUnschedulable } from './node-unschedulable/node-unschedulable.js';
import { POD_TOPOLOGY_SPREAD, podTopologySpread } from './pod-topology-spread/pod-topology-spread.js';
import { PRIORITY_SORT, prioritySort } from './priority-sort/priority-sort.js';
import { SCHEDULING_GATES, schedulingGates } from './scheduling-gates/scheduling-gates.js';
import { TAINT_TOLERATION, taintToleration } from './taint-toleration/taint-toleration.js';
import { VOLUME_BINDING, volumeBinding } from './volume-binding/volume-binding.js';

export const inTreeRegistry: ReadonlyMap<string, PluginFactory> = new Map<string, PluginFactory>([
  [SCHEDULING_GATES, schedulingGates],
  [PRIORITY_SORT, prioritySort],
  [NODE_UNSCHEDULABLE, nodeUnschedulable],
  [NODE_NAME, nodeName],
  [TAINT_TOLERATION, taintToleration],
  [NODE_AFFINITY, nodeAffinity],
  [NODE_PORTS, nodePorts],
  [NODE_RESOURCES_FIT, nodeResourcesFit],
  [VOLUME_BINDING, volumeBinding],
  [POD_TOPOLOGY_SPREAD, podTopologySpread],
  [INTER_POD_AFFINITY, interPodAffinity],
  [DEFAULT_PREEMPTION, (args, handle) => defaultPreemption(args, handle)],
  [NODE_RESOURCES_BALANCED_ALLOCATION, nodeResourcesBalancedAllocation],
  [DEFAULT_BINDER, defaultBinder],
]);
