import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../resource.js';
import { createPersistentVolumeStrategy, persistentVolumeClaimStrategy } from './volumes.js';

let clock = new Date('2025-06-01T12:00:00.250Z');
const volumes = createPersistentVolumeStrategy({ now: () => clock });

const volume = (): KubeObject => ({
  metadata: { name: 'pv-1' },
  spec: {
    capacity: { storage: '2Gi' },
    accessModes: ['ReadWriteOnce'],
    csi: { driver: 'e2e.example.com', volumeHandle: 'handle-1' },
  },
});

const claim = (): KubeObject => ({
  metadata: { name: 'data', namespace: 'shop' },
  spec: {
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: '1Gi' } },
    storageClassName: 'fast',
  },
});

/** What admission does on create: prepare, default, validate. */
function created(strategy: typeof volumes, object: KubeObject): KubeObject {
  strategy.prepareForCreate?.(object);
  strategy.default?.(object);
  expect(strategy.validate?.(object)).toEqual([]);
  return object;
}

const fields = (errors: { field: string }[] | undefined) => (errors ?? []).map((error) => error.field);

describe('the persistent volume strategy', () => {
  it('creates a volume Pending, stamped with the time of that phase, with Retain and Filesystem', () => {
    const stored = created(volumes, { ...volume(), status: { phase: 'Bound' } });
    expect(stored.status).toEqual({ phase: 'Pending', lastPhaseTransitionTime: '2025-06-01T12:00:00Z' });
    expect(stored.spec).toMatchObject({ persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem' });
  });

  it.each([
    ['keeps the time when the phase stays', { phase: 'Pending', reason: 'r' }, '2025-06-01T12:00:00Z'],
    ['stamps a new time when the phase changes', { phase: 'Available' }, '2025-06-01T12:05:00Z'],
    [
      'keeps a time the writer set with the change',
      { phase: 'Available', lastPhaseTransitionTime: '2025-06-01T12:01:00Z' },
      '2025-06-01T12:01:00Z',
    ],
  ])('on a status write, %s', (_, status, expected) => {
    clock = new Date('2025-06-01T12:00:00Z');
    const old = created(volumes, volume());
    clock = new Date('2025-06-01T12:05:00Z');
    const next: KubeObject = { ...structuredClone(old), status };
    volumes.prepareForStatusUpdate?.(next, old);
    expect((next.status as { lastPhaseTransitionTime?: string }).lastPhaseTransitionTime).toBe(expected);
  });

  it.each([
    ['no source', { csi: undefined }, ['spec']],
    ['two sources', { hostPath: { path: '/data' } }, ['spec.csi']],
    ['no capacity', { capacity: undefined }, ['spec.capacity', 'spec.capacity']],
    ['a zero capacity', { capacity: { storage: '0' } }, ['spec.capacity[storage]']],
    ['no access modes', { accessModes: [] }, ['spec.accessModes']],
    [
      'ReadWriteOncePod with others',
      { accessModes: ['ReadWriteOncePod', 'ReadOnlyMany'] },
      ['spec.accessModes'],
    ],
    [
      'an unknown reclaim policy',
      { persistentVolumeReclaimPolicy: 'Keep' },
      ['spec.persistentVolumeReclaimPolicy'],
    ],
    [
      'a CSI driver that is no DNS name',
      { csi: { driver: 'E2E_driver', volumeHandle: 'h' } },
      ['spec.csi.driver'],
    ],
  ])('rejects a volume with %s', (_, change, expected) => {
    const object = volume();
    Object.assign(object.spec as object, change);
    expect(fields(volumes.validate?.(object))).toEqual(expected);
  });

  it('keeps the source and volume mode of an existing volume', () => {
    const old = created(volumes, volume());
    const next = structuredClone(old);
    (next.spec as Record<string, unknown>).csi = { driver: 'e2e.example.com', volumeHandle: 'handle-2' };
    (next.spec as Record<string, unknown>).volumeMode = 'Block';
    expect(fields(volumes.validate?.(next, old))).toEqual(['spec.persistentvolumesource', 'volumeMode']);
  });
});

describe('the persistent volume claim strategy', () => {
  it('creates a claim Pending with volumeMode Filesystem', () => {
    const stored = created(persistentVolumeClaimStrategy, { ...claim(), status: { phase: 'Bound' } });
    expect(stored.status).toEqual({ phase: 'Pending' });
    expect((stored.spec as { volumeMode?: string }).volumeMode).toBe('Filesystem');
  });

  it('requires access modes and a storage request above zero', () => {
    const object: KubeObject = { ...claim(), spec: { resources: { requests: { storage: '-1Gi' } } } };
    expect(fields(persistentVolumeClaimStrategy.validate?.(object))).toEqual([
      'spec.accessModes',
      'spec.resources[storage]',
    ]);
  });

  it.each([
    ['sets volumeName once', { volumeName: 'pv-1' }, 'Pending', []],
    ['changes the storage class', { storageClassName: 'slow' }, 'Pending', ['spec']],
    [
      'grows the request of an unbound claim',
      { resources: { requests: { storage: '2Gi' } } },
      'Pending',
      ['spec'],
    ],
    ['grows the request of a bound claim', { resources: { requests: { storage: '2Gi' } } }, 'Bound', []],
    ['changes the access modes', { accessModes: ['ReadWriteMany'] }, 'Bound', ['spec']],
  ])('on an update that %s, answers %j', (_, change, phase, expected) => {
    const old = created(persistentVolumeClaimStrategy, claim());
    const next = structuredClone(old);
    Object.assign(next.spec as object, change);
    (next.status as { phase: string }).phase = phase;
    expect(fields(persistentVolumeClaimStrategy.validate?.(next, old))).toEqual(expected);
  });
});

describe('objects stored before volumeMode was defaulted', () => {
  it('update as if they had the default', () => {
    const oldVolume = created(volumes, volume());
    delete (oldVolume.spec as Record<string, unknown>).volumeMode;
    const nextVolume = structuredClone(oldVolume);
    volumes.default?.(nextVolume);
    expect(volumes.validate?.(nextVolume, oldVolume)).toEqual([]);

    const oldClaim = created(persistentVolumeClaimStrategy, claim());
    delete (oldClaim.spec as Record<string, unknown>).volumeMode;
    const nextClaim = structuredClone(oldClaim);
    persistentVolumeClaimStrategy.default?.(nextClaim);
    expect(persistentVolumeClaimStrategy.validate?.(nextClaim, oldClaim)).toEqual([]);
  });
});
