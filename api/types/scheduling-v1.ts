/**
 * scheduling.k8s.io/v1: PriorityClass, as Kubernetes 1.33 has it.
 *
 * Field names and numbers are the wire protocol (JSON and protobuf): never renumber or rename them.
 */
import { f, message } from '../schema/dsl.js';

export const PriorityClass = message(
  'io.k8s.api.scheduling.v1.PriorityClass',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    value: f.int32(2, { required: true, default: 0, format: 'int32' }),
    globalDefault: f.bool(3),
    description: f.string(4),
    preemptionPolicy: f.string(5),
  },
  { gvk: [{ group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClass' }] },
);

export const PriorityClassList = message(
  'io.k8s.api.scheduling.v1.PriorityClassList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.scheduling.v1.PriorityClass', { required: true }),
  },
  { gvk: [{ group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClassList' }] },
);
