import { fieldError } from '../../api/field-error.js';
import type { KubeObject } from '../../api/resource.js';
import { hasMessage } from '../../api/schema/dsl.js';
import { applyDefaults } from '../../api/schema/structure.js';
import { badRequest, invalid, isStatusError } from '../../api/status.js';
import type { Admit, ResourceStore } from '../resource-store.js';
import { FieldManager } from './field-manager.js';

/**
 * What the REST handler needs from server-side apply, per request: who the writer is, the field
 * manager of a resource, admission that keeps managedFields current, and the apply patch itself.
 */

/** The most a manager's name may be (apimachinery's FieldManagerMaxLength). */
const maxManagerLength = 128;

/** Go's unicode.IsPrint. */
const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/**
 * The writer's name: the `fieldManager` parameter, else the User-Agent up to its first `/`
 * (`kubectl/v1.33.1 (linux/amd64) kubernetes/8adc0f0` → `kubectl`), printable characters only, at most
 * 128 bytes.
 */
export function managerOf(fieldManager: string | undefined, userAgent: string | undefined): string {
  if (fieldManager) return fieldManager;
  let manager = '';
  for (const character of (userAgent ?? '').split('/')[0]!) {
    if (!printable.test(character)) continue;
    if (Buffer.byteLength(manager + character) > maxManagerLength) break;
    manager += character;
  }
  return manager;
}

type OptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions';

/**
 * The write options' own validation (422 on `CreateOptions.meta.k8s.io`, `PatchOptions…`): an apply
 * needs a fieldManager, only an apply may say `force`, and a fieldManager is short and printable.
 */
export function validateWriteOptions(
  kind: OptionsKind,
  query: Record<string, string | undefined>,
  isApply = false,
): void {
  const errors = [];
  const manager = query.fieldManager ?? '';
  if (kind === 'PatchOptions') {
    if (isApply && manager === '')
      errors.push(fieldError.required('fieldManager', 'is required for apply patch'));
    if (!isApply && query.force !== undefined) {
      errors.push(fieldError.forbidden('force', 'may not be specified for non-apply patch'));
    }
  }
  if (Buffer.byteLength(manager) > maxManagerLength)
    errors.push(fieldError.tooLong('fieldManager', maxManagerLength));
  [...manager].forEach((character, index) => {
    if (!printable.test(character)) {
      const code = character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
      errors.push(
        fieldError.invalid('fieldManager', manager, `invalid character U+${code} (at position ${index})`),
      );
    }
  });
  if (errors.length > 0) throw invalid({ group: 'meta.k8s.io', kind }, '', errors);
}

/** `force` as Kubernetes parses a boolean parameter. */
export function parseForce(value: string | undefined): boolean {
  if (value === undefined || value === '' || value === 'false' || value === 'False' || value === '0')
    return false;
  if (value === 'true' || value === 'True' || value === '1') return true;
  throw badRequest(`strconv.ParseBool: parsing ${JSON.stringify(value)}: invalid syntax`);
}

const fieldManagers = new WeakMap<ResourceStore, FieldManager>();

/** The field manager of a resource (one per served version), made on first use. */
export function fieldManagerFor(store: ResourceStore, now?: () => Date): FieldManager {
  let manager = fieldManagers.get(store);
  if (!manager) {
    const { resource } = store;
    manager = new FieldManager({
      resource,
      defaults: (object) => {
        if (hasMessage(resource.schema)) applyDefaults(resource.schema, object);
        resource.strategy?.default?.(object);
      },
      ...(now ? { now } : {}),
    });
    fieldManagers.set(store, manager);
  }
  return manager;
}

/**
 * Admission, then managedFields brought up to date with this write: on create (`old` absent) and update
 * alike, the writer's Update entry takes what it changed.
 *
 * Upstream records ownership before admission's prepare steps; here it is after, on the admitted object,
 * which saves defaulting twice. The two agree because what those steps change is what the endpoint's
 * reset fields exclude (status, a namespace's finalizers) or what nobody owns (generation, uid …).
 */
export function trackingAdmit(
  admit: Admit,
  fieldManager: FieldManager,
  manager: string,
  subresource: string | undefined,
): Admit {
  const options = { manager, admitted: true, ...(subresource ? { subresource } : {}) };
  return async (object, old) => fieldManager.update(old, await admit(object, old), options);
}

export interface ApplyRequest {
  readonly store: ResourceStore;
  readonly fieldManager: FieldManager;
  readonly namespace: string | undefined;
  readonly name: string;
  readonly subresource: string | undefined;
  readonly configuration: KubeObject;
  readonly manager: string;
  readonly force: boolean;
  readonly dryRun: boolean;
  readonly admit: (subresource?: string) => Admit;
  /** Checks the result against the URL (namespace, name), as every write does. */
  readonly checkAgainstUrl: (object: KubeObject) => void;
}

/**
 * A server-side apply PATCH: applied to the object, or — when there is none — creating it from the
 * configuration alone. Resolves with the stored object and whether it was created (201).
 */
export async function serveApply(request: ApplyRequest): Promise<{ object: KubeObject; created: boolean }> {
  const { store, fieldManager, namespace, name, subresource, configuration, manager, force, dryRun } =
    request;
  if (subresource === 'scale')
    throw badRequest('server-side apply is not supported on the scale subresource');
  const options = { manager, force, ...(subresource ? { subresource } : {}) };
  const wanted = configuration.metadata?.resourceVersion;
  for (let attempt = 0; ; attempt++) {
    try {
      const object = await store.update(
        namespace,
        name,
        (current) => {
          const next = fieldManager.apply(current, configuration, options);
          request.checkAgainstUrl(next);
          return next;
        },
        request.admit(subresource),
        {
          dryRun,
          ...(typeof wanted === 'string' && wanted !== '' ? { preconditionResourceVersion: wanted } : {}),
        },
      );
      return { object, created: false };
    } catch (error) {
      if (!isStatusError(error, 'NotFound') || subresource || attempt > 0) throw error;
    }
    const next = fieldManager.apply(undefined, configuration, options);
    request.checkAgainstUrl(next);
    if (next.metadata?.name !== name) {
      throw badRequest(
        `the name of the object (${next.metadata?.name ?? ''}) does not match the name on the URL (${name})`,
      );
    }
    try {
      return { object: await store.create(namespace, next, request.admit(), dryRun), created: true };
    } catch (error) {
      // Someone created it meanwhile: apply to theirs.
      if (!isStatusError(error, 'AlreadyExists')) throw error;
    }
  }
}
