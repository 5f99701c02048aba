/**
 * PersistentVolumes and PersistentVolumeClaims, with the printers behind `kubectl get pv,pvc`:
 *
 *   NAME   STATUS   VOLUME    CAPACITY   ACCESS MODES   STORAGECLASS   VOLUMEATTRIBUTESCLASS   AGE
 *   data   Bound    pv-0001   10Gi       RWO            standard       <unset>                 3d
 */
import { ageColumn, annotation, formatQuantity, nameColumn } from '../printers.js';
import type { KubeObject, ResourceDefinition } from '../resource.js';
import { asArray, asString, isRecord, isSet, readPath } from './json.js';

/** The annotation that named a storage class before spec.storageClassName existed; it still wins. */
const betaStorageClassAnnotation = 'volume.beta.kubernetes.io/storage-class';

const accessModeAbbreviations: readonly (readonly [string, string])[] = [
  ['ReadWriteOnce', 'RWO'],
  ['ReadOnlyMany', 'ROX'],
  ['ReadWriteMany', 'RWX'],
  ['ReadWriteOncePod', 'RWOP'],
];

/** Access modes abbreviated, de-duplicated and in a fixed order: `RWO,ROX,RWX,RWOP`. */
export function accessModes(modes: unknown): string {
  const present = new Set(asArray(modes).map(asString));
  return accessModeAbbreviations
    .filter(([mode]) => present.has(mode))
    .map(([, abbreviation]) => abbreviation)
    .join(',');
}

/** A phase, or `Terminating` once deletion has begun. */
function phaseOrTerminating(object: KubeObject): string {
  return isSet(object.metadata?.deletionTimestamp)
    ? 'Terminating'
    : asString(readPath(object, 'status', 'phase'));
}

/** An optional string field shown as `<unset>` when absent. */
function orUnset(value: unknown): string {
  return isSet(value) ? asString(value) : '<unset>';
}

function volumeStorageClass(volume: KubeObject): string {
  return (
    annotation(volume, betaStorageClassAnnotation) ?? asString(readPath(volume, 'spec', 'storageClassName'))
  );
}

export const persistentVolumes: ResourceDefinition = {
  group: '',
  version: 'v1',
  kind: 'PersistentVolume',
  plural: 'persistentvolumes',
  singular: 'persistentvolume',
  namespaced: false,
  shortNames: ['pv'],
  schema: 'io.k8s.api.core.v1.PersistentVolume',
  subresources: { status: true },
  returnDeletedObject: true,
  columns: [
    nameColumn,
    {
      name: 'Capacity',
      type: 'string',
      description: 'The storage the volume provides.',
      cell: (volume) => formatQuantity(readPath(volume, 'spec', 'capacity', 'storage')),
    },
    {
      name: 'Access Modes',
      type: 'string',
      description: 'How the volume can be mounted: RWO, ROX, RWX, RWOP.',
      cell: (volume) => accessModes(readPath(volume, 'spec', 'accessModes')),
    },
    {
      name: 'Reclaim Policy',
      type: 'string',
      description: 'What happens to the volume when its claim is released.',
      cell: (volume) => asString(readPath(volume, 'spec', 'persistentVolumeReclaimPolicy')),
    },
    {
      name: 'Status',
      type: 'string',
      description: "The volume's phase: Available, Bound, Released, Failed, or Terminating.",
      cell: phaseOrTerminating,
    },
    {
      name: 'Claim',
      type: 'string',
      description: 'The claim bound to the volume, as namespace/name.',
      cell: (volume) => {
        const claim = readPath(volume, 'spec', 'claimRef');
        return isRecord(claim) ? `${asString(claim.namespace)}/${asString(claim.name)}` : '';
      },
    },
    {
      name: 'StorageClass',
      type: 'string',
      description: 'The storage class the volume belongs to.',
      cell: volumeStorageClass,
    },
    {
      name: 'VolumeAttributesClass',
      type: 'string',
      description: 'The volume attributes class applied to the volume.',
      cell: (volume) => orUnset(readPath(volume, 'spec', 'volumeAttributesClassName')),
    },
    {
      name: 'Reason',
      type: 'string',
      description: 'Why the volume is in its phase, when that needs explaining.',
      cell: (volume) => asString(readPath(volume, 'status', 'reason')),
    },
    ageColumn,
    {
      name: 'VolumeMode',
      type: 'string',
      priority: 1,
      description: 'Filesystem or Block.',
      cell: (volume) => orUnset(readPath(volume, 'spec', 'volumeMode')),
    },
  ],
};

function claimStorageClass(claim: KubeObject): string {
  const fromAnnotation = annotation(claim, betaStorageClassAnnotation);
  if (fromAnnotation !== undefined) return fromAnnotation;
  return asString(readPath(claim, 'spec', 'storageClassName'));
}

/** Capacity and access modes describe the bound volume, so they are blank until the claim is bound. */
function boundOnly(claim: KubeObject, show: () => string): string {
  return asString(readPath(claim, 'spec', 'volumeName')) === '' ? '' : show();
}

export const persistentVolumeClaims: ResourceDefinition = {
  group: '',
  version: 'v1',
  kind: 'PersistentVolumeClaim',
  plural: 'persistentvolumeclaims',
  singular: 'persistentvolumeclaim',
  namespaced: true,
  shortNames: ['pvc'],
  schema: 'io.k8s.api.core.v1.PersistentVolumeClaim',
  subresources: { status: true },
  returnDeletedObject: true,
  columns: [
    nameColumn,
    {
      name: 'Status',
      type: 'string',
      description: "The claim's phase: Pending, Bound, Lost, or Terminating.",
      cell: phaseOrTerminating,
    },
    {
      name: 'Volume',
      type: 'string',
      description: 'The persistent volume bound to the claim.',
      cell: (claim) => asString(readPath(claim, 'spec', 'volumeName')),
    },
    {
      name: 'Capacity',
      type: 'string',
      description: 'The storage of the bound volume.',
      cell: (claim) =>
        boundOnly(claim, () => formatQuantity(readPath(claim, 'status', 'capacity', 'storage'))),
    },
    {
      name: 'Access Modes',
      type: 'string',
      description: 'How the bound volume can be mounted: RWO, ROX, RWX, RWOP.',
      cell: (claim) => boundOnly(claim, () => accessModes(readPath(claim, 'status', 'accessModes'))),
    },
    {
      name: 'StorageClass',
      type: 'string',
      description: 'The storage class the claim asks for.',
      cell: claimStorageClass,
    },
    {
      name: 'VolumeAttributesClass',
      type: 'string',
      description: 'The volume attributes class the claim asks for.',
      cell: (claim) => orUnset(readPath(claim, 'spec', 'volumeAttributesClassName')),
    },
    ageColumn,
    {
      name: 'VolumeMode',
      type: 'string',
      priority: 1,
      description: 'Filesystem or Block.',
      cell: (claim) => orUnset(readPath(claim, 'spec', 'volumeMode')),
    },
  ],
};
