/** The small kinds of the remaining groups: leases, endpoint slices, PDBs, RBAC, priority and storage classes. */
import { describe, expect, it } from 'vitest';
import { defaultColumns } from '../printers.js';
import type { KubeObject, ResourceDefinition } from '../resource.js';
import { leases } from './coordination.js';
import { endpointSlices } from './discovery.js';
import { podDisruptionBudgets } from './policy.js';
import { clusterRoleBindings, clusterRoles, roleBindings, roles } from './rbac.js';
import { priorityClasses } from './scheduling.js';
import { storageClasses } from './storage.js';

const now = Date.parse('2025-06-01T12:00:00Z');
const created = '2025-05-22T12:00:00Z';

function row(resource: ResourceDefinition, object: KubeObject): Record<string, unknown> {
  return Object.fromEntries(
    (resource.columns ?? []).map((column) => [column.name, column.cell(object, now)]),
  );
}

describe('the lease table', () => {
  it('prints the holder', () => {
    const lease: KubeObject = {
      metadata: { name: 'node-1', namespace: 'kube-node-lease', creationTimestamp: created },
      spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40 },
    };
    expect(row(leases, lease)).toEqual({ Name: 'node-1', Holder: 'node-1', Age: '10d' });
  });
});

describe('the endpoint slice table', () => {
  it('prints address type, ports and the first three addresses', () => {
    const slice: KubeObject = {
      metadata: { name: 'web-x7k2p', namespace: 'shop', creationTimestamp: created },
      addressType: 'IPv4',
      ports: [
        { name: 'http', port: 80, protocol: 'TCP' },
        { name: 'https', port: 443, protocol: 'TCP' },
      ],
      endpoints: [
        { addresses: ['10.0.0.4'], conditions: { ready: true } },
        { addresses: ['10.0.0.5'] },
        { addresses: ['10.0.0.6'] },
        { addresses: ['10.0.0.7'] },
      ],
    };
    expect(row(endpointSlices, slice)).toEqual({
      Name: 'web-x7k2p',
      AddressType: 'IPv4',
      Ports: '80,443',
      Endpoints: '10.0.0.4,10.0.0.5,10.0.0.6 + 1 more...',
      Age: '10d',
    });
  });

  it('prints a port by name or as *, and <unset> when a slice is empty', () => {
    const slice: KubeObject = { metadata: { name: 's' }, addressType: 'FQDN', ports: [{ name: 'dns' }, {}] };
    const printed = row(endpointSlices, slice);
    expect([printed.Ports, printed.Endpoints]).toEqual(['dns,*', '<unset>']);
  });
});

describe('the pod disruption budget table', () => {
  it('prints the budget as written and N/A for the side it does not set', () => {
    const pdb = (spec: object): KubeObject => ({
      metadata: { name: 'web', namespace: 'shop', creationTimestamp: created },
      spec,
      status: { disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3 },
    });
    expect(row(podDisruptionBudgets, pdb({ minAvailable: 2 }))).toEqual({
      Name: 'web',
      'Min Available': '2',
      'Max Unavailable': 'N/A',
      'Allowed Disruptions': 1,
      Age: '10d',
    });
    expect(row(podDisruptionBudgets, pdb({ maxUnavailable: '25%' }))['Max Unavailable']).toBe('25%');
  });
});

describe('the RBAC tables', () => {
  it('prints roles and cluster roles with the default table', () => {
    expect(roles.columns).toBe(defaultColumns);
    expect(clusterRoles.columns).toBe(defaultColumns);
  });

  it('prints a binding’s role and, wide, its subjects by kind', () => {
    const binding: KubeObject = {
      metadata: { name: 'view', creationTimestamp: created },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [
        { kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' },
        { kind: 'User', name: 'bob', apiGroup: 'rbac.authorization.k8s.io' },
        { kind: 'Group', name: 'system:viewers', apiGroup: 'rbac.authorization.k8s.io' },
        { kind: 'ServiceAccount', name: 'reader', namespace: 'kube-system' },
      ],
    };
    const expected = {
      Name: 'view',
      Role: 'ClusterRole/view',
      Age: '10d',
      Users: 'alice, bob',
      Groups: 'system:viewers',
      ServiceAccounts: 'kube-system/reader',
    };
    expect(row(clusterRoleBindings, binding)).toEqual(expected);
    expect(row(roleBindings, binding)).toEqual(expected);
  });

  it('lets all four kinds be created by PUT', () => {
    expect(
      [roles, roleBindings, clusterRoles, clusterRoleBindings].map(
        (resource) => resource.allowCreateOnUpdate,
      ),
    ).toEqual([true, true, true, true]);
  });
});

describe('the priority class table', () => {
  it('prints the value, the global default flag and, by default, the preemption policy', () => {
    const critical: KubeObject = {
      metadata: { name: 'system-cluster-critical', creationTimestamp: created },
      value: 2000000000,
      globalDefault: false,
      preemptionPolicy: 'PreemptLowerPriority',
    };
    expect(row(priorityClasses, critical)).toEqual({
      Name: 'system-cluster-critical',
      Value: 2000000000,
      'Global-Default': false,
      Age: '10d',
      PreemptionPolicy: 'PreemptLowerPriority',
    });
    expect(
      priorityClasses.columns?.find((column) => column.name === 'PreemptionPolicy')?.priority,
    ).toBeUndefined();
  });
});

describe('the storage class table', () => {
  it('marks the default class in its name and fills in unset policies', () => {
    const standard: KubeObject = {
      metadata: {
        name: 'standard',
        creationTimestamp: created,
        annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
      },
      provisioner: 'rancher.io/local-path',
    };
    expect(row(storageClasses, standard)).toEqual({
      Name: 'standard (default)',
      Provisioner: 'rancher.io/local-path',
      ReclaimPolicy: 'Delete',
      VolumeBindingMode: 'Immediate',
      AllowVolumeExpansion: false,
      Age: '10d',
    });
  });

  it('prints the policies a class sets', () => {
    const fast: KubeObject = {
      metadata: { name: 'fast', annotations: { 'storageclass.kubernetes.io/is-default-class': 'false' } },
      provisioner: 'ebs.csi.aws.com',
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
    };
    const printed = row(storageClasses, fast);
    expect([
      printed.Name,
      printed.ReclaimPolicy,
      printed.VolumeBindingMode,
      printed.AllowVolumeExpansion,
    ]).toEqual(['fast', 'Retain', 'WaitForFirstConsumer', true]);
  });
});
