/**
 * DefaultStorageClass: a PersistentVolumeClaim created without a class gets the default StorageClass —
 * the one annotated `storageclass.kubernetes.io/is-default-class: "true"` (or the beta annotation).
 * With several defaults, the newest wins, then the first by name, as upstream picks. A claim that names
 * a class, even `""` (no class at all), or carries the beta class annotation is left alone; so is every
 * claim when no class is the default.
 */
import type { KubeObject } from '../../api/resource.js';
import { AdmissionObjects } from './objects.js';
import type { AdmissionPlugin, AdmissionPluginFactory, AdmissionRequest } from './types.js';

const defaultClassAnnotations = [
  'storageclass.kubernetes.io/is-default-class',
  'storageclass.beta.kubernetes.io/is-default-class',
];
const betaClassAnnotation = 'volume.beta.kubernetes.io/storage-class';

function isDefaultClass(storageClass: KubeObject): boolean {
  const annotations = storageClass.metadata?.annotations ?? {};
  return defaultClassAnnotations.some((key) => annotations[key] === 'true');
}

/** The default StorageClass among `classes`, or undefined. */
export function defaultStorageClass(classes: readonly KubeObject[]): KubeObject | undefined {
  const created = (storageClass: KubeObject) =>
    Date.parse(storageClass.metadata?.creationTimestamp ?? '') || 0;
  return classes
    .filter(isDefaultClass)
    .sort(
      (a, b) => created(b) - created(a) || ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1),
    )[0];
}

export class DefaultStorageClass implements AdmissionPlugin {
  readonly name = 'DefaultStorageClass';
  readonly #objects: AdmissionObjects;

  constructor(objects: AdmissionObjects) {
    this.#objects = objects;
  }

  admit(request: AdmissionRequest): void {
    const { resource, subresource, object, operation } = request;
    if (operation !== 'CREATE' || subresource !== undefined) return;
    if (resource.group !== '' || resource.plural !== 'persistentvolumeclaims') return;
    const spec = (object.spec ??= {}) as { storageClassName?: string | null };
    const hasClass =
      (spec.storageClassName !== undefined && spec.storageClassName !== null) ||
      object.metadata?.annotations?.[betaClassAnnotation] !== undefined;
    if (hasClass) return;
    const chosen = defaultStorageClass(this.#objects.list('storage.k8s.io', 'storageclasses'));
    if (chosen?.metadata?.name) spec.storageClassName = chosen.metadata.name;
  }
}

export const defaultStorageClassPlugin: AdmissionPluginFactory = (context) =>
  new DefaultStorageClass(new AdmissionObjects(context.stores));
