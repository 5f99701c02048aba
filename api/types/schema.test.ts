import { describe, expect, it } from 'vitest';
import { allMessages, type FieldSchema, messageSchema, specialTypes } from '../schema/dsl.js';
import './index.js';

const scalarTypes = new Set(['string', 'int32', 'int64', 'bool', 'double', 'bytes']);
const declared = [...allMessages()];
const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const core = 'io.k8s.api.core.v1';

describe('API type declarations', () => {
  it('declares every message that a field refers to', () => {
    const unresolved: string[] = [];
    for (const message of declared) {
      for (const [name, field] of Object.entries(message.fields)) {
        if (scalarTypes.has(field.type) || specialTypes.has(field.type)) continue;
        try {
          messageSchema(field.type);
        } catch {
          unresolved.push(`${message.name}.${name} → ${field.type}`);
        }
      }
    }
    expect(unresolved).toEqual([]);
  });

  it('gives each field of a message its own protobuf number', () => {
    const clashes: string[] = [];
    for (const message of declared) {
      const seen = new Map<number, string>();
      for (const [name, field] of Object.entries(message.fields)) {
        const other = seen.get(field.number);
        if (other) clashes.push(`${message.name}: ${other} and ${name} are both ${field.number}`);
        seen.set(field.number, name);
        if (!Number.isInteger(field.number) || field.number < 1) clashes.push(`${message.name}.${name}`);
      }
    }
    expect(clashes).toEqual([]);
  });

  it('gives each field of a message its own JSON name, even ignoring case', () => {
    const clashes = declared.flatMap((message) => {
      const names = Object.keys(message.fields).map((name) => name.toLowerCase());
      return names
        .filter((name, index) => names.indexOf(name) !== index)
        .map((name) => `${message.name}.${name}`);
    });
    expect(clashes).toEqual([]);
  });

  // Each row checked by hand against k8s.io/api and k8s.io/apimachinery v0.33 generated.proto and the
  // Kubernetes 1.33 OpenAPI v3 spec.
  const facts: [message: string, field: string, expected: Partial<FieldSchema>][] = [
    [`${meta}.ObjectMeta`, 'name', { number: 1, shape: 'single', type: 'string' }],
    [`${meta}.ObjectMeta`, 'labels', { number: 11, shape: 'map', type: 'string' }],
    [`${meta}.ObjectMeta`, 'annotations', { number: 12, shape: 'map', type: 'string' }],
    [`${meta}.ObjectMeta`, 'creationTimestamp', { number: 8, shape: 'single', type: 'Time' }],
    [
      `${meta}.ObjectMeta`,
      'finalizers',
      { number: 14, shape: 'list', type: 'string', patchStrategy: 'merge', listType: 'set' },
    ],
    [
      `${meta}.ObjectMeta`,
      'ownerReferences',
      {
        number: 13,
        shape: 'list',
        type: `${meta}.OwnerReference`,
        patchStrategy: 'merge',
        patchMergeKey: 'uid',
        listType: 'map',
        listMapKeys: ['uid'],
      },
    ],
    [`${meta}.ManagedFieldsEntry`, 'fieldsV1', { number: 7, shape: 'single', type: 'FieldsV1' }],
    [`${meta}.OwnerReference`, 'uid', { number: 4, type: 'string', required: true }],
    [`${meta}.Status`, 'code', { number: 6, type: 'int32', format: 'int32' }],
    [`${meta}.WatchEvent`, 'object', { number: 2, type: 'RawExtension', required: true }],
    [`${core}.Pod`, 'spec', { number: 2, shape: 'single', type: `${core}.PodSpec`, default: {} }],
    [
      `${core}.PodSpec`,
      'containers',
      {
        number: 2,
        shape: 'list',
        type: `${core}.Container`,
        required: true,
        patchStrategy: 'merge',
        patchMergeKey: 'name',
        listType: 'map',
        listMapKeys: ['name'],
      },
    ],
    [
      `${core}.PodSpec`,
      'volumes',
      { number: 1, type: `${core}.Volume`, patchStrategy: 'merge,retainKeys', patchMergeKey: 'name' },
    ],
    [`${core}.PodSpec`, 'overhead', { number: 32, shape: 'map', type: 'Quantity' }],
    [`${core}.Container`, 'image', { number: 2, shape: 'single', type: 'string' }],
    [
      `${core}.Container`,
      'ports',
      {
        number: 6,
        shape: 'list',
        type: `${core}.ContainerPort`,
        patchStrategy: 'merge',
        patchMergeKey: 'containerPort',
        listType: 'map',
        listMapKeys: ['containerPort', 'protocol'],
      },
    ],
    [`${core}.ContainerPort`, 'protocol', { number: 4, type: 'string', default: 'TCP' }],
    [`${core}.ResourceRequirements`, 'limits', { number: 1, shape: 'map', type: 'Quantity' }],
    [`${core}.Secret`, 'data', { number: 2, shape: 'map', type: 'bytes', format: 'byte' }],
    [`${core}.ConfigMap`, 'binaryData', { number: 3, shape: 'map', type: 'bytes', format: 'byte' }],
    [`${core}.Service`, 'spec', { number: 2, type: `${core}.ServiceSpec` }],
    [
      `${core}.ServiceSpec`,
      'ports',
      {
        number: 1,
        shape: 'list',
        type: `${core}.ServicePort`,
        patchStrategy: 'merge',
        patchMergeKey: 'port',
        listType: 'map',
        listMapKeys: ['port', 'protocol'],
      },
    ],
    [`${core}.ServicePort`, 'targetPort', { number: 4, shape: 'single', type: 'IntOrString' }],
    [`${core}.Toleration`, 'tolerationSeconds', { number: 5, type: 'int64', format: 'int64' }],
    [`${core}.NodeSpec`, 'taints', { number: 5, shape: 'list', type: `${core}.Taint`, listType: 'atomic' }],
    [`${core}.NodeStatus`, 'capacity', { number: 1, shape: 'map', type: 'Quantity' }],
    [
      `${core}.Event`,
      'involvedObject',
      { number: 2, type: `${core}.ObjectReference`, required: true, default: {} },
    ],
    [`${core}.Event`, 'eventTime', { number: 10, type: 'MicroTime' }],
    [
      `${core}.PersistentVolumeClaimSpec`,
      'resources',
      { number: 2, type: `${core}.VolumeResourceRequirements` },
    ],
    ['io.k8s.api.apps.v1.Deployment', 'spec', { number: 2, type: 'io.k8s.api.apps.v1.DeploymentSpec' }],
    [
      'io.k8s.api.apps.v1.DeploymentSpec',
      'replicas',
      { number: 1, shape: 'single', type: 'int32', format: 'int32' },
    ],
    [
      'io.k8s.api.apps.v1.DeploymentSpec',
      'selector',
      { number: 2, type: `${meta}.LabelSelector`, required: true },
    ],
    [
      'io.k8s.api.apps.v1.DeploymentSpec',
      'template',
      { number: 3, type: `${core}.PodTemplateSpec`, required: true },
    ],
    ['io.k8s.api.apps.v1.RollingUpdateDeployment', 'maxSurge', { number: 2, type: 'IntOrString' }],
    ['io.k8s.api.apps.v1.ControllerRevision', 'data', { number: 2, type: 'RawExtension' }],
    ['io.k8s.api.batch.v1.JobSpec', 'backoffLimit', { number: 7, type: 'int32' }],
    ['io.k8s.api.batch.v1.CronJobSpec', 'schedule', { number: 1, type: 'string', required: true }],
    ['io.k8s.api.coordination.v1.LeaseSpec', 'renewTime', { number: 4, type: 'MicroTime' }],
    ['io.k8s.api.events.v1.Event', 'eventTime', { number: 2, type: 'MicroTime', required: true }],
    [
      'io.k8s.api.discovery.v1.EndpointSlice',
      'endpoints',
      { number: 2, shape: 'list', required: true, listType: 'atomic' },
    ],
    ['io.k8s.api.policy.v1.PodDisruptionBudgetSpec', 'minAvailable', { number: 1, type: 'IntOrString' }],
    [
      'io.k8s.api.rbac.v1.RoleBinding',
      'roleRef',
      { number: 3, type: 'io.k8s.api.rbac.v1.RoleRef', required: true },
    ],
    [
      'io.k8s.api.rbac.v1.Role',
      'rules',
      { number: 2, shape: 'list', type: 'io.k8s.api.rbac.v1.PolicyRule', listType: 'atomic' },
    ],
    [
      'io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec',
      'metrics',
      { number: 4, shape: 'list', listType: 'atomic' },
    ],
    [
      'io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerSpec',
      'targetCPUUtilizationPercentage',
      { number: 4, type: 'int32' },
    ],
    ['io.k8s.api.storage.v1.StorageClass', 'provisioner', { number: 2, type: 'string', required: true }],
    [
      'io.k8s.api.scheduling.v1.PriorityClass',
      'value',
      { number: 2, type: 'int32', required: true, default: 0 },
    ],
    [
      'io.k8s.api.authentication.v1.TokenRequestSpec',
      'audiences',
      { number: 1, shape: 'list', type: 'string', required: true },
    ],
    [
      'io.k8s.api.authorization.v1.SubjectAccessReviewSpec',
      'resourceAttributes',
      { number: 1, type: 'io.k8s.api.authorization.v1.ResourceAttributes' },
    ],
    // go-to-protobuf names these aPIGroup and uID; the JSON (and so the DSL) names are apiGroup and uid.
    ['io.k8s.api.networking.v1.IngressClassParametersReference', 'apiGroup', { number: 1, type: 'string' }],
    ['io.k8s.api.authentication.v1.BoundObjectReference', 'uid', { number: 4, type: 'string' }],
  ];

  it.each(facts)('declares %s.%s as upstream does', (message, field, expected) => {
    expect(messageSchema(message).fields[field]).toMatchObject(expected);
  });

  // The DSL has no way yet to say "this field's JSON is inlined into its parent" (a Go embedded struct) or
  // "this message is a bare list in JSON" (go-to-protobuf's wrapper for a list in a map or a nullable list).
  // Until it does, these are declared as upstream's protobuf has them, which is right for protobuf and
  // wrong for JSON. When the DSL learns them, these rows change.
  const protobufOnlyShapes: [message: string, field: string, number: number, type: string][] = [
    [`${core}.Volume`, 'volumeSource', 2, `${core}.VolumeSource`],
    [`${core}.Probe`, 'handler', 1, `${core}.ProbeHandler`],
    [`${core}.EphemeralContainer`, 'ephemeralContainerCommon', 1, `${core}.EphemeralContainerCommon`],
    [`${core}.PersistentVolumeSpec`, 'persistentVolumeSource', 2, `${core}.PersistentVolumeSource`],
    [`${core}.ConfigMapEnvSource`, 'localObjectReference', 1, `${core}.LocalObjectReference`],
    [`${core}.ConfigMapKeySelector`, 'localObjectReference', 1, `${core}.LocalObjectReference`],
    [`${core}.ConfigMapProjection`, 'localObjectReference', 1, `${core}.LocalObjectReference`],
    [`${core}.ConfigMapVolumeSource`, 'localObjectReference', 1, `${core}.LocalObjectReference`],
    [`${core}.SecretEnvSource`, 'localObjectReference', 1, `${core}.LocalObjectReference`],
    [`${core}.SecretKeySelector`, 'localObjectReference', 1, `${core}.LocalObjectReference`],
    [`${core}.SecretProjection`, 'localObjectReference', 1, `${core}.LocalObjectReference`],
    [
      'io.k8s.api.networking.v1.IngressRule',
      'ingressRuleValue',
      2,
      'io.k8s.api.networking.v1.IngressRuleValue',
    ],
    [`${meta}.APIResource`, 'verbs', 4, `${meta}.Verbs`],
    ['io.k8s.api.authentication.v1.UserInfo', 'extra', 4, 'io.k8s.api.authentication.v1.ExtraValue'],
    [
      'io.k8s.api.authorization.v1.SubjectAccessReviewSpec',
      'extra',
      5,
      'io.k8s.api.authorization.v1.ExtraValue',
    ],
  ];

  it.each(protobufOnlyShapes)(
    'nests %s.%s as upstream protobuf does (JSON inlines or unwraps it)',
    (message, field, number, type) => {
      expect(messageSchema(message).fields[field]).toMatchObject({ number, type });
    },
  );

  const servedKinds: [pkg: string, group: string, version: string, kinds: string[]][] = [
    [meta, '', 'v1', ['APIGroup', 'APIGroupList', 'APIResourceList', 'APIVersions', 'Status']],
    [meta, 'meta.k8s.io', 'v1', ['PartialObjectMetadata', 'PartialObjectMetadataList']],
    [
      core,
      '',
      'v1',
      [
        'Pod',
        'PodList',
        'PodTemplate',
        'PodTemplateList',
        'Binding',
        'ComponentStatus',
        'ComponentStatusList',
        'ConfigMap',
        'ConfigMapList',
        'Endpoints',
        'EndpointsList',
        'Event',
        'EventList',
        'LimitRange',
        'LimitRangeList',
        'Namespace',
        'NamespaceList',
        'Node',
        'NodeList',
        'PersistentVolume',
        'PersistentVolumeList',
        'PersistentVolumeClaim',
        'PersistentVolumeClaimList',
        'ReplicationController',
        'ReplicationControllerList',
        'ResourceQuota',
        'ResourceQuotaList',
        'Secret',
        'SecretList',
        'Service',
        'ServiceList',
        'ServiceAccount',
        'ServiceAccountList',
      ],
    ],
    [
      'io.k8s.api.apps.v1',
      'apps',
      'v1',
      [
        'ControllerRevision',
        'ControllerRevisionList',
        'DaemonSet',
        'DaemonSetList',
        'Deployment',
        'DeploymentList',
        'ReplicaSet',
        'ReplicaSetList',
        'StatefulSet',
        'StatefulSetList',
      ],
    ],
    ['io.k8s.api.batch.v1', 'batch', 'v1', ['CronJob', 'CronJobList', 'Job', 'JobList']],
    [
      'io.k8s.api.autoscaling.v1',
      'autoscaling',
      'v1',
      ['HorizontalPodAutoscaler', 'HorizontalPodAutoscalerList', 'Scale'],
    ],
    [
      'io.k8s.api.autoscaling.v2',
      'autoscaling',
      'v2',
      ['HorizontalPodAutoscaler', 'HorizontalPodAutoscalerList'],
    ],
    ['io.k8s.api.coordination.v1', 'coordination.k8s.io', 'v1', ['Lease', 'LeaseList']],
    ['io.k8s.api.discovery.v1', 'discovery.k8s.io', 'v1', ['EndpointSlice', 'EndpointSliceList']],
    ['io.k8s.api.events.v1', 'events.k8s.io', 'v1', ['Event', 'EventList']],
    [
      'io.k8s.api.networking.v1',
      'networking.k8s.io',
      'v1',
      [
        'IPAddress',
        'IPAddressList',
        'Ingress',
        'IngressList',
        'IngressClass',
        'IngressClassList',
        'NetworkPolicy',
        'NetworkPolicyList',
        'ServiceCIDR',
        'ServiceCIDRList',
      ],
    ],
    ['io.k8s.api.policy.v1', 'policy', 'v1', ['Eviction', 'PodDisruptionBudget', 'PodDisruptionBudgetList']],
    [
      'io.k8s.api.rbac.v1',
      'rbac.authorization.k8s.io',
      'v1',
      [
        'ClusterRole',
        'ClusterRoleList',
        'ClusterRoleBinding',
        'ClusterRoleBindingList',
        'Role',
        'RoleList',
        'RoleBinding',
        'RoleBindingList',
      ],
    ],
    [
      'io.k8s.api.storage.v1',
      'storage.k8s.io',
      'v1',
      [
        'CSIDriver',
        'CSIDriverList',
        'CSINode',
        'CSINodeList',
        'CSIStorageCapacity',
        'CSIStorageCapacityList',
        'StorageClass',
        'StorageClassList',
        'VolumeAttachment',
        'VolumeAttachmentList',
      ],
    ],
    ['io.k8s.api.scheduling.v1', 'scheduling.k8s.io', 'v1', ['PriorityClass', 'PriorityClassList']],
    [
      'io.k8s.api.authentication.v1',
      'authentication.k8s.io',
      'v1',
      ['SelfSubjectReview', 'TokenRequest', 'TokenReview'],
    ],
    ['io.k8s.api.authentication.v1beta1', 'authentication.k8s.io', 'v1beta1', ['SelfSubjectReview']],
    [
      'io.k8s.api.authorization.v1',
      'authorization.k8s.io',
      'v1',
      [
        'LocalSubjectAccessReview',
        'SelfSubjectAccessReview',
        'SelfSubjectRulesReview',
        'SubjectAccessReview',
      ],
    ],
  ];
  const kindRows = servedKinds.flatMap(([pkg, group, version, kinds]) =>
    kinds.map((kind) => [`${pkg}.${kind}`, { group, version, kind }] as const),
  );

  it.each(kindRows)('marks %s as a whole API object of its group/version/kind', (name, gvk) => {
    expect(messageSchema(name).gvk).toEqual([gvk]);
  });

  it('registers DeleteOptions and WatchEvent in every group/version Skiff serves', () => {
    for (const name of [`${meta}.DeleteOptions`, `${meta}.WatchEvent`]) {
      const kind = name.slice(meta.length + 1);
      for (const [, group, version] of servedKinds.filter(([pkg]) => pkg !== meta)) {
        expect(messageSchema(name).gvk).toContainEqual({ group, version, kind });
      }
    }
  });

  it('marks every object that carries metadata, but for templates and three kinds absent from upstream OpenAPI', () => {
    const templates = [
      `${core}.PodTemplateSpec`,
      `${core}.PersistentVolumeClaimTemplate`,
      'io.k8s.api.batch.v1.JobTemplateSpec',
    ];
    // Registered upstream as v1 kinds, but published in no OpenAPI document, so without x-kubernetes-group-version-kind.
    const unpublished = [`${core}.List`, `${core}.PodStatusResult`, `${core}.RangeAllocation`];
    const unmarked = declared
      .filter(
        (message) => /\.(ObjectMeta|ListMeta)$/.test(message.fields.metadata?.type ?? '') && !message.gvk,
      )
      .map((message) => message.name);
    expect(unmarked.sort()).toEqual([...templates, ...unpublished].sort());
  });

  it('lets no two messages claim the same group/version/kind', () => {
    const owners = new Map<string, string>();
    const clashes: string[] = [];
    for (const message of declared) {
      for (const { group, version, kind } of message.gvk ?? []) {
        const key = `${group}/${version}/${kind}`;
        const owner = owners.get(key);
        if (owner) clashes.push(`${key}: ${owner} and ${message.name}`);
        owners.set(key, message.name);
      }
    }
    expect(clashes).toEqual([]);
  });
});
