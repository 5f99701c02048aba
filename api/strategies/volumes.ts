import { type FieldError, fieldError } from '../field-error.js';
import { type LabelSelector, validateLabelSelector } from '../labels.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../names.js';
import { Quantity } from '../quantity.js';
import type { KubeObject, Strategy } from '../resource.js';

/**
 * PersistentVolumes and PersistentVolumeClaims, after upstream's strategies, defaults and
 * ValidatePersistentVolume(Claim)(Update):
 *
 * - A volume is created Pending, stamped with status.lastPhaseTransitionTime; a status write that
 *   changes the phase stamps it again (unless the writer set a new time itself), one that keeps the
 *   phase keeps the time. A claim is created Pending. Defaults: reclaim policy Retain, volumeMode
 *   Filesystem (volumes and claims).
 * - A volume needs access modes, a `storage` capacity above zero and exactly one volume source; its
 *   source and volumeMode never change.
 * - A claim needs access modes and a storage request above zero. Its spec is immutable apart from
 *   volumeName (set once, by the binder) and, once bound, the storage request (which may grow).
 */
interface VolumeSpec {
  accessModes?: string[];
  capacity?: Record<string, string | number>;
  persistentVolumeReclaimPolicy?: string;
  storageClassName?: string;
  volumeMode?: string;
  nodeAffinity?: unknown;
  [source: string]: unknown;
}

interface ClaimSpec {
  accessModes?: string[];
  selector?: LabelSelector;
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
  volumeName?: string;
  storageClassName?: string;
  volumeMode?: string;
  volumeAttributesClassName?: string;
  dataSource?: { apiGroup?: string; kind?: string; name?: string };
  dataSourceRef?: { apiGroup?: string; kind?: string; name?: string; namespace?: string };
}

interface VolumeStatus {
  phase?: string;
  lastPhaseTransitionTime?: string;
  [field: string]: unknown;
}

// Upstream lists these sorted (sets.List), and so do its messages.
const accessModes = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const reclaimPolicies = ['Delete', 'Recycle', 'Retain'];
const volumeModes = ['Block', 'Filesystem'];
const defaultVolumeMode = 'Filesystem';
const betaStorageClassAnnotation = 'volume.beta.kubernetes.io/storage-class';

/** The PersistentVolumeSource members, in the order upstream counts them. */
const volumeSources = [
  'hostPath',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'glusterfs',
  'flocker',
  'nfs',
  'rbd',
  'quobyte',
  'cephfs',
  'iscsi',
  'cinder',
  'fc',
  'flexVolume',
  'azureFile',
  'vsphereVolume',
  'photonPersistentDisk',
  'portworxVolume',
  'azureDisk',
  'scaleIO',
  'local',
  'storageos',
  'csi',
] as const;

const csiSecretReferences = [
  'controllerPublishSecretRef',
  'nodeStageSecretRef',
  'nodePublishSecretRef',
  'controllerExpandSecretRef',
  'nodeExpandSecretRef',
] as const;

/** Times as the API writes metav1.Time: whole seconds, UTC. */
const formatTime = (date: Date) => `${date.toISOString().slice(0, 19)}Z`;

const statusOf = (object: KubeObject) => (object.status ?? {}) as VolumeStatus;

function validateAccessModes(
  modes: string[] | undefined,
  path: string,
  requiredDetail: string,
): FieldError[] {
  const errors: FieldError[] = [];
  if (!modes || modes.length === 0) errors.push(fieldError.required(path, requiredDetail));
  let readWriteOncePod = false;
  let other = false;
  for (const mode of modes ?? []) {
    if (!accessModes.includes(mode)) errors.push(fieldError.notSupported(path, mode, accessModes));
    else if (mode === 'ReadWriteOncePod') readWriteOncePod = true;
    else other = true;
  }
  if (readWriteOncePod && other) {
    errors.push(fieldError.forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  }
  return errors;
}

/** A quantity that must be above zero (upstream's ValidatePositiveQuantityValue). */
function validatePositiveQuantity(value: string | number | undefined, path: string): FieldError[] {
  const quantity = parseQuantity(value);
  if (quantity === undefined) {
    return [fieldError.invalid(path, value, 'must be a valid resource quantity')];
  }
  return quantity.sign() > 0
    ? []
    : [fieldError.invalid(path, quantity.toString(), 'must be greater than zero')];
}

function parseQuantity(value: string | number | undefined): Quantity | undefined {
  if (value === undefined) return undefined;
  try {
    return Quantity.parse(String(value));
  } catch {
    return undefined;
  }
}

function validateClassName(name: string | undefined, path: string): FieldError[] {
  if (!name) return [];
  return isDNS1123Subdomain(name).map((problem) => fieldError.invalid(path, name, problem));
}

/** Presence of a source's required fields is the schema's check; these are the rules beyond it. */
function validateCSISource(csi: Record<string, unknown>, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const driver = typeof csi.driver === 'string' ? csi.driver : '';
  if (driver.length > 63) errors.push(fieldError.tooLong(`${path}.driver`, 63));
  for (const problem of isDNS1123Subdomain(driver.toLowerCase())) {
    errors.push(fieldError.invalid(`${path}.driver`, driver, problem));
  }
  for (const reference of csiSecretReferences) {
    const secret = csi[reference] as { name?: string; namespace?: string } | undefined;
    if (!secret) continue;
    const at = `${path}.${reference}`;
    if (!secret.name) errors.push(fieldError.required(`${at}.name`, ''));
    else {
      for (const problem of isDNS1123Subdomain(secret.name)) {
        errors.push(fieldError.invalid(`${at}.name`, secret.name, problem));
      }
    }
    if (!secret.namespace) errors.push(fieldError.required(`${at}.namespace`, ''));
    else {
      for (const problem of isDNS1123Label(secret.namespace)) {
        errors.push(fieldError.invalid(`${at}.namespace`, secret.namespace, problem));
      }
    }
  }
  return errors;
}

function validateSource(name: string, source: Record<string, unknown>, path: string): FieldError[] {
  switch (name) {
    case 'csi':
      return validateCSISource(source, path);
    case 'nfs': {
      const sourcePath = typeof source.path === 'string' ? source.path : '';
      return sourcePath.startsWith('/')
        ? []
        : [fieldError.invalid(`${path}.path`, sourcePath, 'must be an absolute path')];
    }
    default:
      return [];
  }
}

function validateVolumeSpec(spec: VolumeSpec): FieldError[] {
  const errors = validateAccessModes(spec.accessModes, 'spec.accessModes', '');
  const capacity = spec.capacity ?? {};
  if (Object.keys(capacity).length === 0) errors.push(fieldError.required('spec.capacity', ''));
  if (!Object.hasOwn(capacity, 'storage') || Object.keys(capacity).length > 1) {
    errors.push(fieldError.notSupported('spec.capacity', capacity, ['storage']));
  }
  for (const [resource, value] of Object.entries(capacity)) {
    errors.push(...validatePositiveQuantity(value, `spec.capacity[${resource}]`));
  }
  const policy = spec.persistentVolumeReclaimPolicy;
  if (policy && !reclaimPolicies.includes(policy)) {
    errors.push(fieldError.notSupported('spec.persistentVolumeReclaimPolicy', policy, reclaimPolicies));
  }
  const present = volumeSources.filter((name) => spec[name] !== undefined && spec[name] !== null);
  present.forEach((name, index) => {
    if (index > 0)
      errors.push(fieldError.forbidden(`spec.${name}`, 'may not specify more than 1 volume type'));
    else errors.push(...validateSource(name, spec[name] as Record<string, unknown>, `spec.${name}`));
  });
  if (present.length === 0) errors.push(fieldError.required('spec', 'must specify a volume type'));
  if (present[0] === 'local' && !spec.nodeAffinity) {
    errors.push(fieldError.required('spec.nodeAffinity', 'Local volume requires node affinity'));
  }
  errors.push(...validateClassName(spec.storageClassName, 'spec.storageClassName'));
  if (spec.volumeMode !== undefined && !volumeModes.includes(spec.volumeMode)) {
    errors.push(fieldError.notSupported('spec.volumeMode', spec.volumeMode, volumeModes));
  }
  return errors;
}

const sourceOf = (spec: VolumeSpec) => JSON.stringify(volumeSources.map((name) => spec[name] ?? null));

function validateVolumeUpdate(spec: VolumeSpec, old: VolumeSpec): FieldError[] {
  const errors: FieldError[] = [];
  if (sourceOf(spec) !== sourceOf(old)) {
    errors.push(
      fieldError.forbidden(
        'spec.persistentvolumesource',
        'spec.persistentvolumesource is immutable after creation',
      ),
    );
  }
  // Upstream's path for this one lacks the `spec.` prefix.
  if ((spec.volumeMode ?? defaultVolumeMode) !== (old.volumeMode ?? defaultVolumeMode))
    errors.push(fieldError.invalid('volumeMode', spec.volumeMode, 'field is immutable'));
  return errors;
}

/** A volume strategy on the given clock (tests pass a fixed one). */
export function createPersistentVolumeStrategy(options: { now: () => Date }): Strategy {
  const { now } = options;
  return {
    prepareForCreate(volume) {
      volume.status = { phase: 'Pending', lastPhaseTransitionTime: formatTime(now()) };
    },
    prepareForStatusUpdate(volume, old) {
      const status = (volume.status ??= {}) as VolumeStatus;
      const previous = statusOf(old);
      if (status.phase === previous.phase) {
        status.lastPhaseTransitionTime ??= previous.lastPhaseTransitionTime;
      } else if (
        status.lastPhaseTransitionTime === undefined ||
        status.lastPhaseTransitionTime === previous.lastPhaseTransitionTime
      ) {
        status.lastPhaseTransitionTime = formatTime(now());
      }
      if (status.lastPhaseTransitionTime === undefined) delete status.lastPhaseTransitionTime;
    },
    default(volume) {
      const spec = (volume.spec ??= {}) as VolumeSpec;
      spec.persistentVolumeReclaimPolicy ||= 'Retain';
      spec.volumeMode ??= defaultVolumeMode;
      const status = (volume.status ??= {}) as VolumeStatus;
      status.phase ||= 'Pending';
    },
    validate(volume, old) {
      const spec = (volume.spec ?? {}) as VolumeSpec;
      const errors = validateVolumeSpec(spec);
      if (old) errors.push(...validateVolumeUpdate(spec, (old.spec ?? {}) as VolumeSpec));
      return errors;
    },
  };
}

export const persistentVolumeStrategy = createPersistentVolumeStrategy({ now: () => new Date() });

function validateClaimSpec(spec: ClaimSpec): FieldError[] {
  const errors = validateAccessModes(
    spec.accessModes,
    'spec.accessModes',
    'at least 1 access mode is required',
  );
  errors.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  // Upstream's path for the request is spec.resources[storage], without `requests`.
  const requests = spec.resources?.requests ?? {};
  if (!Object.hasOwn(requests, 'storage')) errors.push(fieldError.required('spec.resources[storage]', ''));
  else errors.push(...validatePositiveQuantity(requests.storage, 'spec.resources[storage]'));
  errors.push(...validateClassName(spec.storageClassName, 'spec.storageClassName'));
  if (spec.volumeMode !== undefined && !volumeModes.includes(spec.volumeMode)) {
    errors.push(fieldError.notSupported('spec.volumeMode', spec.volumeMode, volumeModes));
  }
  for (const [field, source] of [
    ['dataSource', spec.dataSource],
    ['dataSourceRef', spec.dataSourceRef],
  ] as const) {
    if (!source) continue;
    const path = `spec.${field}`;
    if (!source.name) errors.push(fieldError.required(`${path}.name`, ''));
    if (!source.kind) errors.push(fieldError.required(`${path}.kind`, ''));
    if (!source.apiGroup && source.kind !== 'PersistentVolumeClaim') {
      errors.push(
        fieldError.invalid(
          path,
          source.kind ?? '',
          "must be 'PersistentVolumeClaim' when referencing the default apiGroup",
        ),
      );
    }
  }
  return errors;
}

function validateClaimUpdate(claim: KubeObject, old: KubeObject): FieldError[] {
  const spec = (claim.spec ?? {}) as ClaimSpec;
  const oldSpec = (old.spec ?? {}) as ClaimSpec;
  const errors: FieldError[] = [];
  const bound = statusOf(claim).phase === 'Bound';
  // What may change is copied from the new spec over the old before comparing the two.
  // An object stored before volumeMode was defaulted reads as if it had been.
  const comparable: ClaimSpec = {
    volumeMode: defaultVolumeMode,
    ...oldSpec,
    volumeAttributesClassName: spec.volumeAttributesClassName,
  };
  if (!oldSpec.volumeName) comparable.volumeName = spec.volumeName;
  // A claim from before storageClassName existed may gain one, if its annotation did not name one.
  const annotation = old.metadata?.annotations?.[betaStorageClassAnnotation];
  if (oldSpec.storageClassName === undefined && annotation === undefined && spec.storageClassName) {
    comparable.storageClassName = spec.storageClassName;
  }
  if (bound && spec.resources?.requests) {
    const requests = { ...oldSpec.resources?.requests, storage: spec.resources.requests.storage } as Record<
      string,
      string | number
    >;
    if (spec.resources.requests.storage === undefined) delete requests.storage;
    comparable.resources = { ...oldSpec.resources, requests };
  }
  if (!sameJson(spec, comparable)) {
    errors.push(
      fieldError.forbidden(
        'spec',
        'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
      ),
    );
  }
  const newSize = parseQuantity(spec.resources?.requests?.storage);
  const oldSize = parseQuantity(oldSpec.resources?.requests?.storage);
  if (newSize && oldSize && newSize.cmp(oldSize) < 0) {
    // Shrinking is allowed only back towards what the volume really has (recovery from a failed expansion).
    const capacity =
      parseQuantity((statusOf(old).capacity as Record<string, string> | undefined)?.storage) ??
      Quantity.fromInteger(0);
    if (newSize.cmp(capacity) <= 0) {
      errors.push(
        fieldError.forbidden('spec.resources.requests.storage', 'field can not be less than status.capacity'),
      );
    }
  }
  // Upstream's path for this one lacks the `spec.` prefix.
  if ((spec.volumeMode ?? defaultVolumeMode) !== (oldSpec.volumeMode ?? defaultVolumeMode))
    errors.push(fieldError.invalid('volumeMode', spec.volumeMode, 'field is immutable'));
  return errors;
}

/** Deep equality of JSON values, key order aside; null and absent are the same (Go's nil). */
function sameJson(a: unknown, b: unknown): boolean {
  if ((a ?? undefined) === (b ?? undefined)) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  for (const key of keys) if (!sameJson(left[key], right[key])) return false;
  return true;
}

export const persistentVolumeClaimStrategy: Strategy = {
  prepareForCreate(claim) {
    claim.status = { phase: 'Pending' };
  },
  default(claim) {
    const spec = (claim.spec ??= {}) as ClaimSpec;
    spec.volumeMode ??= defaultVolumeMode;
    const status = (claim.status ??= {}) as VolumeStatus;
    status.phase ||= 'Pending';
  },
  validate(claim, old) {
    const errors = validateClaimSpec((claim.spec ?? {}) as ClaimSpec);
    if (old) errors.push(...validateClaimUpdate(claim, old));
    return errors;
  },
};
