/**
 * The scheduler's public surface: start it, load a KubeSchedulerConfiguration, and the framework
 * types an out-of-tree plugin is written against.
 */
export { loadSchedulerConfiguration, parseSchedulerConfiguration } from './config/load.js';
export type { SchedulerConfiguration, SchedulerProfile } from './config/types.js';
export { isSchedulerError, SchedulerError, type SchedulerErrorCode } from './errors.js';
export type { CycleState } from './framework/cycle-state.js';
export {
  ActionType,
  type BindPlugin,
  type ClusterEventWithHint,
  type EnqueueExtensions,
  type FilterPlugin,
  type FrameworkHandle,
  MAX_NODE_SCORE,
  type PermitPlugin,
  type Plugin,
  type PluginFactory,
  type PostBindPlugin,
  type PostFilterPlugin,
  type PreBindPlugin,
  type PreEnqueuePlugin,
  type PreFilterPlugin,
  type PreScorePlugin,
  type QueueSortPlugin,
  type ReservePlugin,
  type ScorePlugin,
} from './framework/interfaces.js';
export type { NodeInfo } from './framework/node-info.js';
export type { PodInfo } from './framework/pod-info.js';
export { errorStatus, type Result, Status, skip, unresolvable, unschedulable } from './framework/status.js';
export { inTreeRegistry } from './plugins/registry.js';
export type { SchedulerObserver } from './scheduler.js';
export {
  type RunningScheduler,
  type SchedulerLeaderElection,
  type StartSchedulerOptions,
  startScheduler,
} from './start.js';
