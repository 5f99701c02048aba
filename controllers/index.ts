import { clusterRoleAggregationController } from './clusterrole-aggregation.js';
import { cronJobController } from './cronjob.js';
import { daemonSetController } from './daemonset.js';
import { deploymentController } from './deployment.js';
import { disruptionController } from './disruption.js';
import { endpointsController } from './endpoints.js';
import { endpointSliceController } from './endpointslice.js';
import type { ControllerFactory } from './framework.js';
import { garbageCollector } from './garbage-collector.js';
import { jobController } from './job.js';
import { namespaceController } from './namespace.js';
import { nodeLifecycleController } from './node-lifecycle.js';
import { taintEvictionController } from './nodelifecycle/taint-eviction.js';
import { podGcController } from './podgc.js';
import { replicaSetController } from './replicaset.js';
import { replicationControllerController } from './replication-controller.js';
import { resourceQuotaController } from './resource-quota.js';
import { serviceAccountController } from './service-account.js';
import { statefulSetController } from './statefulset.js';
import { ttlAfterFinishedController } from './ttl-after-finished.js';

/** Every controller the manager runs, in the order they are made. */
export const allControllers: readonly ControllerFactory[] = [
  namespaceController,
  serviceAccountController,
  garbageCollector,
  replicaSetController,
  replicationControllerController,
  deploymentController,
  statefulSetController,
  daemonSetController,
  endpointsController,
  endpointSliceController,
  clusterRoleAggregationController,
  jobController,
  cronJobController,
  ttlAfterFinishedController,
  resourceQuotaController,
  nodeLifecycleController,
  taintEvictionController,
  podGcController,
  disruptionController,
];
