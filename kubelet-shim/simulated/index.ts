/** Simulated nodes (kwok-style): `startSimulatedNodes` and the stage table that drives their pods. */
export { Heartbeats, type HeartbeatsOptions } from './heartbeats.js';
export { nodeAddressFor, PodAddressPool, podCIDRFor } from './network.js';
export { type SimulatedNodes, type SimulatedNodesOptions, startSimulatedNodes } from './simulated-nodes.js';
export {
  completedStatus,
  DEFAULT_STAGE_DELAY,
  defaultStages,
  EXIT_CODE_ANNOTATION,
  exitCodeFor,
  readyStatus,
  type Stage,
  type StageContext,
  type StageDelay,
  type StageDelays,
  type StageNext,
} from './stages.js';
