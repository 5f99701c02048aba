/**
 * discovery.k8s.io/v1: EndpointSlice, as Kubernetes 1.33 has it.
 *
 * Field names and numbers are the wire protocol (JSON and protobuf): never renumber or rename them.
 */
import { f, message } from '../schema/dsl.js';

message('io.k8s.api.discovery.v1.Endpoint', {
  addresses: f.list(1, 'string', { required: true, listType: 'set' }),
  conditions: f.message(2, 'io.k8s.api.discovery.v1.EndpointConditions', { default: {} }),
  hostname: f.string(3),
  targetRef: f.message(4, 'io.k8s.api.core.v1.ObjectReference'),
  deprecatedTopology: f.map(5, 'string'),
  nodeName: f.string(6),
  zone: f.string(7),
  hints: f.message(8, 'io.k8s.api.discovery.v1.EndpointHints'),
});

message('io.k8s.api.discovery.v1.EndpointConditions', {
  ready: f.bool(1),
  serving: f.bool(2),
  terminating: f.bool(3),
});

message('io.k8s.api.discovery.v1.EndpointHints', {
  forZones: f.list(1, 'io.k8s.api.discovery.v1.ForZone', { listType: 'atomic' }),
  forNodes: f.list(2, 'io.k8s.api.discovery.v1.ForNode', { listType: 'atomic' }),
});

message('io.k8s.api.discovery.v1.EndpointPort', {
  name: f.string(1),
  protocol: f.string(2),
  port: f.int32(3, { format: 'int32' }),
  appProtocol: f.string(4),
});

export const EndpointSlice = message(
  'io.k8s.api.discovery.v1.EndpointSlice',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    addressType: f.string(4, { required: true, default: '' }),
    endpoints: f.list(2, 'io.k8s.api.discovery.v1.Endpoint', { required: true, listType: 'atomic' }),
    ports: f.list(3, 'io.k8s.api.discovery.v1.EndpointPort', { listType: 'atomic' }),
  },
  { gvk: [{ group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice' }] },
);

export const EndpointSliceList = message(
  'io.k8s.api.discovery.v1.EndpointSliceList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.discovery.v1.EndpointSlice', { required: true }),
  },
  { gvk: [{ group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSliceList' }] },
);

message('io.k8s.api.discovery.v1.ForNode', {
  name: f.string(1, { required: true, default: '' }),
});

message('io.k8s.api.discovery.v1.ForZone', {
  name: f.string(1, { required: true, default: '' }),
});
