import { describe, expect, it } from 'vitest';
import type { KubeObject, ResourceDefinition } from '../resource.js';
import { accessModes, persistentVolumeClaims, persistentVolumes } from './core-volumes.js';

const now = Date.parse('2025-06-01T12:00:00Z');

function row(resource: ResourceDefinition, object: KubeObject): Record<string, unknown> {
  return Object.fromEntries(
    (resource.columns ?? []).map((column) => [column.name, column.cell(object, now)]),
  );
}

describe('the persistent volume table', () => {
  it('prints a bound volume as kubectl get pv -o wide shows it', () => {
    const volume: KubeObject = {
      metadata: { name: 'pv-0001', creationTimestamp: '2025-05-29T12:00:00Z' },
      spec: {
        capacity: { storage: '10Gi' },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Delete',
        storageClassName: 'standard',
        volumeMode: 'Filesystem',
        claimRef: { kind: 'PersistentVolumeClaim', namespace: 'shop', name: 'data' },
        hostPath: { path: '/var/lib/pv-0001' },
      },
      status: { phase: 'Bound' },
    };
    expect(row(persistentVolumes, volume)).toEqual({
      Name: 'pv-0001',
      Capacity: '10Gi',
      'Access Modes': 'RWO',
      'Reclaim Policy': 'Delete',
      Status: 'Bound',
      Claim: 'shop/data',
      StorageClass: 'standard',
      VolumeAttributesClass: '<unset>',
      Reason: '',
      Age: '3d',
      VolumeMode: 'Filesystem',
    });
  });

  it('prefers the beta storage-class annotation and shows Terminating while deleting', () => {
    const volume: KubeObject = {
      metadata: {
        name: 'old',
        deletionTimestamp: '2025-06-01T11:59:00Z',
        annotations: { 'volume.beta.kubernetes.io/storage-class': 'legacy' },
      },
      spec: { storageClassName: 'standard', capacity: { storage: '1.5Gi' } },
      status: { phase: 'Released' },
    };
    const printed = row(persistentVolumes, volume);
    expect([printed.StorageClass, printed.Status, printed.Capacity, printed.Claim]).toEqual([
      'legacy',
      'Terminating',
      '1536Mi',
      '',
    ]);
  });

  it('abbreviates access modes in a fixed order, once each', () => {
    expect(
      accessModes(['ReadWriteMany', 'ReadOnlyMany', 'ReadWriteOnce', 'ReadWriteOncePod', 'ReadOnlyMany']),
    ).toBe('RWO,ROX,RWX,RWOP');
  });
});

describe('the persistent volume claim table', () => {
  it('prints a bound claim with the capacity and access modes of its volume', () => {
    const claim: KubeObject = {
      metadata: { name: 'data', namespace: 'shop', creationTimestamp: '2025-05-29T12:00:00Z' },
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: '8Gi' } },
        storageClassName: 'standard',
        volumeName: 'pv-0001',
        volumeMode: 'Filesystem',
      },
      status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '10Gi' } },
    };
    expect(row(persistentVolumeClaims, claim)).toEqual({
      Name: 'data',
      Status: 'Bound',
      Volume: 'pv-0001',
      Capacity: '10Gi',
      'Access Modes': 'RWO',
      StorageClass: 'standard',
      VolumeAttributesClass: '<unset>',
      Age: '3d',
      VolumeMode: 'Filesystem',
    });
  });

  it('leaves capacity and access modes blank while the claim is pending', () => {
    const pending: KubeObject = {
      metadata: { name: 'data', namespace: 'shop' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '8Gi' } } },
      status: { phase: 'Pending' },
    };
    const printed = row(persistentVolumeClaims, pending);
    expect([
      printed.Status,
      printed.Volume,
      printed.Capacity,
      printed['Access Modes'],
      printed.StorageClass,
    ]).toEqual(['Pending', '', '', '', '']);
  });
});
