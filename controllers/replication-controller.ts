/**
 * The ReplicationController controller: the ReplicaSet controller (replicaset.ts) run over core/v1
 * ReplicationControllers, as kube-controller-manager runs one implementation for both. Only the kind
 * differs: its selector is a plain label map (`{app: web}`, what `selectorFromSet` compiles), its pods'
 * controller reference names `v1 ReplicationController`, and its events come from
 * `replication-controller`.
 */
import { labelSelectorAsSelector, nothingSelector } from '../api/labels.js';
import type { ControllerFactory } from './framework.js';
import { ReplicaSetController, type ReplicatedKind } from './replicaset.js';

export const replicationControllerKind: ReplicatedKind = {
  apiVersion: 'v1',
  kind: 'ReplicationController',
  controllerName: 'replicationcontroller-controller',
  eventComponent: 'replication-controller',
  // Upstream converts the map to a LabelSelector's matchLabels: absent selects nothing, `{}` everything.
  selectorOf: (controller) => {
    const selector = controller.spec?.selector as Record<string, string> | null | undefined;
    return selector == null ? nothingSelector : labelSelectorAsSelector({ matchLabels: selector });
  },
};

/** kube-controller-manager's ReplicationController controller. */
export const replicationControllerController: ControllerFactory = (context) =>
  new ReplicaSetController({ context, kind: replicationControllerKind });
