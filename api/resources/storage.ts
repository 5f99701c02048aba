/**
 * storage.k8s.io/v1 StorageClasses.
 *
 *   NAME                 PROVISIONER             RECLAIMPOLICY   VOLUMEBINDINGMODE      ALLOWVOLUMEEXPANSION   AGE
 *   standard (default)   rancher.io/local-path   Delete          WaitForFirstConsumer   false                  40d
 */
import { ageColumn, annotation, nameColumn } from '../printers.js';
import type { KubeObject, ResourceDefinition } from '../resource.js';
import { asBoolean, asString, isSet } from './json.js';

const defaultClassAnnotations = [
  'storageclass.kubernetes.io/is-default-class',
  'storageclass.beta.kubernetes.io/is-default-class',
];

function isDefaultClass(storageClass: KubeObject): boolean {
  return defaultClassAnnotations.some((key) => annotation(storageClass, key) === 'true');
}

/** A pointer field with the default it means when unset. */
function orDefault(value: unknown, fallback: string): string {
  return isSet(value) ? asString(value) : fallback;
}

export const storageClasses: ResourceDefinition = {
  group: 'storage.k8s.io',
  version: 'v1',
  kind: 'StorageClass',
  plural: 'storageclasses',
  singular: 'storageclass',
  namespaced: false,
  shortNames: ['sc'],
  schema: 'io.k8s.api.storage.v1.StorageClass',
  columns: [
    // The default class is marked in the name cell itself, as upstream does.
    {
      ...nameColumn,
      cell: (storageClass) => {
        const name = storageClass.metadata?.name ?? '';
        return isDefaultClass(storageClass) ? `${name} (default)` : name;
      },
    },
    {
      name: 'Provisioner',
      type: 'string',
      description: 'The volume plugin or CSI driver that provisions volumes of this class.',
      cell: (storageClass) => asString(storageClass.provisioner),
    },
    {
      name: 'ReclaimPolicy',
      type: 'string',
      description: 'What happens to a provisioned volume once released: Delete or Retain.',
      cell: (storageClass) => orDefault(storageClass.reclaimPolicy, 'Delete'),
    },
    {
      name: 'VolumeBindingMode',
      type: 'string',
      description: 'When volumes are bound: Immediate, or WaitForFirstConsumer.',
      cell: (storageClass) => orDefault(storageClass.volumeBindingMode, 'Immediate'),
    },
    {
      name: 'AllowVolumeExpansion',
      type: 'string',
      description: 'Whether claims of this class may grow.',
      cell: (storageClass) => asBoolean(storageClass.allowVolumeExpansion),
    },
    ageColumn,
  ],
};
