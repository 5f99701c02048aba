/**
 * The node's streaming endpoints (exec, attach, port-forward): kubectl's protocols answered on the node
 * and relayed to the container runtime's stream server. See remote-command.ts and port-forward.ts.
 */
export { type PortForwardTarget, servePortForward } from './port-forward.js';
export {
  type RemoteCommandStreams,
  type RemoteCommandTarget,
  serveRemoteCommand,
} from './remote-command.js';
