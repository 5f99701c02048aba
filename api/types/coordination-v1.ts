/**
 * coordination.k8s.io/v1: Lease, as Kubernetes 1.33 has it.
 *
 * Field names and numbers are the wire protocol (JSON and protobuf): never renumber or rename them.
 */
import { f, message } from '../schema/dsl.js';

export const Lease = message(
  'io.k8s.api.coordination.v1.Lease',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    spec: f.message(2, 'io.k8s.api.coordination.v1.LeaseSpec', { default: {} }),
  },
  { gvk: [{ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease' }] },
);

export const LeaseList = message(
  'io.k8s.api.coordination.v1.LeaseList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.coordination.v1.Lease', { required: true }),
  },
  { gvk: [{ group: 'coordination.k8s.io', version: 'v1', kind: 'LeaseList' }] },
);

message('io.k8s.api.coordination.v1.LeaseSpec', {
  holderIdentity: f.string(1),
  leaseDurationSeconds: f.int32(2, { format: 'int32' }),
  acquireTime: f.microTime(3),
  renewTime: f.microTime(4),
  leaseTransitions: f.int32(5, { format: 'int32' }),
  strategy: f.string(6),
  preferredHolder: f.string(7),
});
