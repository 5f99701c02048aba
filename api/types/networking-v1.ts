/**
 * networking.k8s.io/v1: Ingress, IngressClass, NetworkPolicy, IPAddress, ServiceCIDR, as
 * Kubernetes 1.33 has them.
 *
 * Field names and numbers are the wire protocol (JSON and protobuf): never renumber or rename them.
 */
import { f, message } from '../schema/dsl.js';

message('io.k8s.api.networking.v1.HTTPIngressPath', {
  path: f.string(1),
  pathType: f.string(3, { required: true }),
  backend: f.message(2, 'io.k8s.api.networking.v1.IngressBackend', { required: true, default: {} }),
});

message('io.k8s.api.networking.v1.HTTPIngressRuleValue', {
  paths: f.list(1, 'io.k8s.api.networking.v1.HTTPIngressPath', { required: true, listType: 'atomic' }),
});

export const IPAddress = message(
  'io.k8s.api.networking.v1.IPAddress',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    spec: f.message(2, 'io.k8s.api.networking.v1.IPAddressSpec', { default: {} }),
  },
  { gvk: [{ group: 'networking.k8s.io', version: 'v1', kind: 'IPAddress' }] },
);

export const IPAddressList = message(
  'io.k8s.api.networking.v1.IPAddressList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.networking.v1.IPAddress', { required: true }),
  },
  { gvk: [{ group: 'networking.k8s.io', version: 'v1', kind: 'IPAddressList' }] },
);

message('io.k8s.api.networking.v1.IPAddressSpec', {
  parentRef: f.message(1, 'io.k8s.api.networking.v1.ParentReference', { required: true }),
});

message('io.k8s.api.networking.v1.IPBlock', {
  cidr: f.string(1, { required: true, default: '' }),
  except: f.list(2, 'string', { listType: 'atomic' }),
});

export const Ingress = message(
  'io.k8s.api.networking.v1.Ingress',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    spec: f.message(2, 'io.k8s.api.networking.v1.IngressSpec', { default: {} }),
    status: f.message(3, 'io.k8s.api.networking.v1.IngressStatus', { default: {} }),
  },
  { gvk: [{ group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' }] },
);

message('io.k8s.api.networking.v1.IngressBackend', {
  service: f.message(4, 'io.k8s.api.networking.v1.IngressServiceBackend'),
  resource: f.message(3, 'io.k8s.api.core.v1.TypedLocalObjectReference'),
});

export const IngressClass = message(
  'io.k8s.api.networking.v1.IngressClass',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    spec: f.message(2, 'io.k8s.api.networking.v1.IngressClassSpec', { default: {} }),
  },
  { gvk: [{ group: 'networking.k8s.io', version: 'v1', kind: 'IngressClass' }] },
);

export const IngressClassList = message(
  'io.k8s.api.networking.v1.IngressClassList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.networking.v1.IngressClass', { required: true }),
  },
  { gvk: [{ group: 'networking.k8s.io', version: 'v1', kind: 'IngressClassList' }] },
);

message('io.k8s.api.networking.v1.IngressClassParametersReference', {
  apiGroup: f.string(1),
  kind: f.string(2, { required: true, default: '' }),
  name: f.string(3, { required: true, default: '' }),
  scope: f.string(4),
  namespace: f.string(5),
});

message('io.k8s.api.networking.v1.IngressClassSpec', {
  controller: f.string(1),
  parameters: f.message(2, 'io.k8s.api.networking.v1.IngressClassParametersReference'),
});

export const IngressList = message(
  'io.k8s.api.networking.v1.IngressList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.networking.v1.Ingress', { required: true }),
  },
  { gvk: [{ group: 'networking.k8s.io', version: 'v1', kind: 'IngressList' }] },
);

message('io.k8s.api.networking.v1.IngressLoadBalancerIngress', {
  ip: f.string(1),
  hostname: f.string(2),
  ports: f.list(4, 'io.k8s.api.networking.v1.IngressPortStatus', { listType: 'atomic' }),
});

message('io.k8s.api.networking.v1.IngressLoadBalancerStatus', {
  ingress: f.list(1, 'io.k8s.api.networking.v1.IngressLoadBalancerIngress', { listType: 'atomic' }),
});

message('io.k8s.api.networking.v1.IngressPortStatus', {
  port: f.int32(1, { required: true, default: 0, format: 'int32' }),
  protocol: f.string(2, { required: true, default: '' }),
  error: f.string(3),
});

message('io.k8s.api.networking.v1.IngressRule', {
  host: f.string(1),
  ingressRuleValue: f.message(2, 'io.k8s.api.networking.v1.IngressRuleValue', { inline: true }),
});

message('io.k8s.api.networking.v1.IngressRuleValue', {
  http: f.message(1, 'io.k8s.api.networking.v1.HTTPIngressRuleValue'),
});

message('io.k8s.api.networking.v1.IngressServiceBackend', {
  name: f.string(1, { required: true, default: '' }),
  port: f.message(2, 'io.k8s.api.networking.v1.ServiceBackendPort', { default: {} }),
});

message('io.k8s.api.networking.v1.IngressSpec', {
  ingressClassName: f.string(4),
  defaultBackend: f.message(1, 'io.k8s.api.networking.v1.IngressBackend'),
  tls: f.list(2, 'io.k8s.api.networking.v1.IngressTLS', { listType: 'atomic' }),
  rules: f.list(3, 'io.k8s.api.networking.v1.IngressRule', { listType: 'atomic' }),
});

message('io.k8s.api.networking.v1.IngressStatus', {
  loadBalancer: f.message(1, 'io.k8s.api.networking.v1.IngressLoadBalancerStatus', { default: {} }),
});

message('io.k8s.api.networking.v1.IngressTLS', {
  hosts: f.list(1, 'string', { listType: 'atomic' }),
  secretName: f.string(2),
});

export const NetworkPolicy = message(
  'io.k8s.api.networking.v1.NetworkPolicy',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    spec: f.message(2, 'io.k8s.api.networking.v1.NetworkPolicySpec', { default: {} }),
  },
  { gvk: [{ group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy' }] },
);

message('io.k8s.api.networking.v1.NetworkPolicyEgressRule', {
  ports: f.list(1, 'io.k8s.api.networking.v1.NetworkPolicyPort', { listType: 'atomic' }),
  to: f.list(2, 'io.k8s.api.networking.v1.NetworkPolicyPeer', { listType: 'atomic' }),
});

message('io.k8s.api.networking.v1.NetworkPolicyIngressRule', {
  ports: f.list(1, 'io.k8s.api.networking.v1.NetworkPolicyPort', { listType: 'atomic' }),
  from: f.list(2, 'io.k8s.api.networking.v1.NetworkPolicyPeer', { listType: 'atomic' }),
});

export const NetworkPolicyList = message(
  'io.k8s.api.networking.v1.NetworkPolicyList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.networking.v1.NetworkPolicy', { required: true }),
  },
  { gvk: [{ group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicyList' }] },
);

message('io.k8s.api.networking.v1.NetworkPolicyPeer', {
  podSelector: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'),
  namespaceSelector: f.message(2, 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'),
  ipBlock: f.message(3, 'io.k8s.api.networking.v1.IPBlock'),
});

message('io.k8s.api.networking.v1.NetworkPolicyPort', {
  protocol: f.string(1),
  port: f.intOrString(2),
  endPort: f.int32(3, { format: 'int32' }),
});

message('io.k8s.api.networking.v1.NetworkPolicySpec', {
  podSelector: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector', {
    required: true,
    default: {},
  }),
  ingress: f.list(2, 'io.k8s.api.networking.v1.NetworkPolicyIngressRule', { listType: 'atomic' }),
  egress: f.list(3, 'io.k8s.api.networking.v1.NetworkPolicyEgressRule', { listType: 'atomic' }),
  policyTypes: f.list(4, 'string', { listType: 'atomic' }),
});

message('io.k8s.api.networking.v1.ParentReference', {
  group: f.string(1),
  resource: f.string(2, { required: true }),
  namespace: f.string(3),
  name: f.string(4, { required: true }),
});

message('io.k8s.api.networking.v1.ServiceBackendPort', {
  name: f.string(1),
  number: f.int32(2, { format: 'int32' }),
});

export const ServiceCIDR = message(
  'io.k8s.api.networking.v1.ServiceCIDR',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }),
    spec: f.message(2, 'io.k8s.api.networking.v1.ServiceCIDRSpec', { default: {} }),
    status: f.message(3, 'io.k8s.api.networking.v1.ServiceCIDRStatus', { default: {} }),
  },
  { gvk: [{ group: 'networking.k8s.io', version: 'v1', kind: 'ServiceCIDR' }] },
);

export const ServiceCIDRList = message(
  'io.k8s.api.networking.v1.ServiceCIDRList',
  {
    metadata: f.message(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', { default: {} }),
    items: f.list(2, 'io.k8s.api.networking.v1.ServiceCIDR', { required: true }),
  },
  { gvk: [{ group: 'networking.k8s.io', version: 'v1', kind: 'ServiceCIDRList' }] },
);

message('io.k8s.api.networking.v1.ServiceCIDRSpec', {
  cidrs: f.list(1, 'string', { listType: 'atomic' }),
});

message('io.k8s.api.networking.v1.ServiceCIDRStatus', {
  conditions: f.list(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.Condition', {
    patchStrategy: 'merge',
    patchMergeKey: 'type',
    listType: 'map',
    listMapKeys: ['type'],
  }),
});
