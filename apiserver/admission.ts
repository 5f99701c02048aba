import { isDeepStrictEqual } from 'node:util';
import type { RequestAuthorization, UserInfo } from '../api/auth.js';
import { type FieldError, fieldError } from '../api/field-error.js';
import { validateLabels } from '../api/labels.js';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain } from '../api/names.js';
import type { KubeObject, ResourceDefinition } from '../api/resource.js';
import { badRequest, forbidden, invalid, notFound } from '../api/status.js';
import type { AdmissionChain } from './admission/chain.js';
import type { AdmissionRequest } from './admission/types.js';
import type { Admit, ResourceStore } from './resource-store.js';

/**
 * The checks every write passes before it is stored, in Kubernetes' order: system metadata kept from
 * the stored object, what the subresource may change, the resource's own preparation, defaults, then
 * validation (422 naming each bad field). Namespace lifecycle is checked on create: no new objects in a
 * namespace that does not exist (404) or is being deleted (403).
 */
export interface AdmissionContext {
  readonly resource: ResourceDefinition;
  readonly subresource?: string;
  /** The namespaces store, for the lifecycle check; absent while the namespaces store itself starts. */
  readonly namespaces?: ResourceStore;
  /** Schema-derived defaulting and validation. */
  readonly schema?: {
    readonly default: (object: KubeObject) => void;
    readonly validate: (object: KubeObject) => FieldError[];
  };
  /** Who writes; absent when the server runs without authentication (nobody is refused for who they are). */
  readonly user?: UserInfo;
  /** The server's authorizer and RBAC rules, for the strategy's `authorizeWrite` (escalation prevention). */
  readonly authorization?: RequestAuthorization;
  /**
   * The admission plugins (apiserver/admission/chain.ts): their mutating phase runs on the defaulted
   * object, their validating phase once the object's own validation has passed. Absent: none.
   */
  readonly plugins?: AdmissionChain;
  /** The request is a dry run (plugins that write, such as ResourceQuota, only check). */
  readonly dryRun?: boolean;
  /** Adds a warning to the response (PodSecurity's `would violate …`). */
  readonly warn?: (message: string) => void;
}

const metadataKeptOnUpdate = [
  'uid',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
] as const;
/** What a status write may not change in metadata (apimachinery's ResetObjectMetaForStatus). */
const metadataKeptOnStatusUpdate = [
  'labels',
  'annotations',
  'finalizers',
  'ownerReferences',
  'generation',
] as const;

export function admitter(context: AdmissionContext): Admit {
  const { resource, subresource } = context;
  // Admission edits the object it is given: callers pass one made for this request (decoded from the
  // body, or patched from a fresh read), never one shared with the cache.
  return async (object, old) => {
    const metadata = (object.metadata ??= {});
    // An update may restate the uid but not change it (a uid in a patch is a precondition of sorts).
    const inputUid = metadata.uid;
    if (old) {
      const oldMeta = old.metadata ?? {};
      copyFields(metadata, oldMeta, metadataKeptOnUpdate);
      if (resource.generation) metadata.generation = (oldMeta.generation as number | undefined) ?? 1;
      object.apiVersion = old.apiVersion;
      object.kind = old.kind;
      if (subresource === 'status') {
        object.spec = old.spec;
        // Upstream's status strategies outside the core and batch groups reset metadata
        // (ResetObjectMetaForStatus); the core group's and the Job's and CronJob's keep only the spec
        // (and a pod's owner references), so a status write there may still change labels and annotations.
        if (resource.group !== '' && resource.group !== 'batch') {
          copyFields(metadata, oldMeta, metadataKeptOnStatusUpdate);
        } else if (resource.plural === 'pods') copyFields(metadata, oldMeta, ['ownerReferences']);
        resource.strategy?.prepareForStatusUpdate?.(object, old);
      } else {
        if (resource.subresources?.status) {
          if (old.status === undefined) delete object.status;
          else object.status = old.status;
        }
        // The finalize subresource exists to change what prepareForUpdate protects (spec.finalizers).
        if (subresource !== 'finalize') resource.strategy?.prepareForUpdate?.(object, old);
      }
    } else {
      if (resource.subresources?.status && resource.strategy?.prepareForCreate === undefined)
        delete object.status;
      resource.strategy?.prepareForCreate?.(object);
      await checkNamespaceLifecycle(context, metadata.namespace, metadata.name);
    }
    context.schema?.default(object);
    const request = context.plugins ? admissionRequest(context, object, old) : undefined;
    if (request) {
      await context.plugins!.admit(request);
      // Upstream prepares a new object after mutating admission, so what the strategy derives from
      // the spec (a pod's QoS class) sees what the plugins set (LimitRanger's defaults).
      if (!old) resource.strategy?.prepareForCreate?.(object);
    }
    resource.strategy?.default?.(object);
    // A spec change is judged on the defaulted object, as upstream decodes a body with its defaults:
    // a manifest that leaves defaults out restates the spec rather than changing it.
    if (old && subresource !== 'status' && resource.generation) {
      if (!isDeepStrictEqual(normalize(object.spec), normalize(old.spec))) {
        metadata.generation = ((old.metadata?.generation as number | undefined) ?? 1) + 1;
      }
    }
    // Who may write this (escalation prevention) is settled on the defaulted object, before validation,
    // as upstream's RBAC storage does.
    if (subresource === undefined && resource.strategy?.authorizeWrite) {
      await resource.strategy.authorizeWrite(object, old, {
        ...(context.user ? { user: context.user } : {}),
        ...(context.authorization ? { authorization: context.authorization } : {}),
      });
    }
    const errors = [
      ...validateMetadata(resource, object),
      ...(old && inputUid !== undefined && inputUid !== old.metadata?.uid
        ? [fieldError.invalid('metadata.uid', inputUid, 'field is immutable')]
        : []),
      ...(context.schema?.validate(object) ?? []),
      ...(resource.strategy?.validate?.(object, old) ?? []),
    ];
    if (errors.length > 0) {
      throw invalid({ group: resource.group, kind: resource.kind }, metadata.name ?? '', errors);
    }
    if (request) await context.plugins!.validate(request);
    return object;
  };
}

/** What the admission plugins are told about this write. */
function admissionRequest(
  context: AdmissionContext,
  object: KubeObject,
  old: KubeObject | undefined,
): AdmissionRequest {
  const metadata = object.metadata ?? {};
  return {
    operation: old ? 'UPDATE' : 'CREATE',
    resource: context.resource,
    ...(context.subresource !== undefined ? { subresource: context.subresource } : {}),
    ...(context.resource.namespaced && metadata.namespace ? { namespace: metadata.namespace } : {}),
    name: metadata.name ?? '',
    object,
    ...(old ? { oldObject: old } : {}),
    ...(context.user ? { user: context.user } : {}),
    dryRun: context.dryRun ?? false,
    warn: context.warn ?? (() => {}),
  };
}

async function checkNamespaceLifecycle(
  context: AdmissionContext,
  namespace: string | undefined,
  name = '',
): Promise<void> {
  if (!context.resource.namespaced || !context.namespaces || namespace === undefined) return;
  const found = await context.namespaces.find(undefined, namespace);
  if (!found) throw notFound({ group: '', resource: 'namespaces' }, namespace);
  const phase = (found.status as { phase?: string } | undefined)?.phase;
  if (phase === 'Terminating' || found.metadata?.deletionTimestamp) {
    throw forbidden(
      { group: context.resource.group, resource: context.resource.plural },
      name,
      `unable to create new content in namespace ${namespace} because it is being terminated`,
      [
        {
          reason: 'NamespaceTerminating',
          message: `namespace ${namespace} is being terminated`,
          field: 'metadata.namespace',
        },
      ],
    );
  }
}

/** Name rules per resource: most names are DNS subdomains; a few kinds are stricter or looser. */
function nameProblems(resource: ResourceDefinition, name: string): string[] {
  if (resource.group === '' && resource.plural === 'namespaces') return isDNS1123Label(name);
  if (resource.group === '' && resource.plural === 'services') return isDNS1035Label(name);
  if (resource.group === 'rbac.authorization.k8s.io') {
    if (name === '.' || name === '..') return [`may not be '${name}'`];
    return [...name].flatMap((char) => (char === '/' || char === '%' ? [`may not contain '${char}'`] : []));
  }
  return isDNS1123Subdomain(name);
}

export function validateMetadata(resource: ResourceDefinition, object: KubeObject): FieldError[] {
  const metadata = object.metadata ?? {};
  const errors: FieldError[] = [];
  if (!metadata.name) {
    errors.push(fieldError.required('metadata.name', 'name or generateName is required'));
  } else {
    for (const problem of nameProblems(resource, metadata.name)) {
      errors.push(fieldError.invalid('metadata.name', metadata.name, problem));
    }
  }
  if (resource.namespaced && !metadata.namespace) {
    errors.push(fieldError.required('metadata.namespace', ''));
  }
  errors.push(...validateLabels(metadata.labels, 'metadata.labels'));
  const controllers = (metadata.ownerReferences ?? []).filter((reference) => reference.controller === true);
  if (controllers.length > 1) {
    errors.push(
      fieldError.invalid(
        'metadata.ownerReferences',
        metadata.ownerReferences,
        `Only one reference can have Controller set to true. Found "true" in references for ${controllers
          .map((reference) => `${reference.kind}/${reference.name}`)
          .join(' and ')}`,
      ),
    );
  }
  const annotationBytes = Object.entries(metadata.annotations ?? {}).reduce(
    (sum, [key, value]) => sum + key.length + String(value).length,
    0,
  );
  if (annotationBytes > 256 * 1024) {
    errors.push(fieldError.tooLong('metadata.annotations', 256 * 1024));
  }
  return errors;
}

/** Checks a body's namespace and name against the URL's (filling in a missing namespace), as Kubernetes does first. */
export function checkBodyAgainstUrl(
  resource: ResourceDefinition,
  object: KubeObject,
  namespace: string | undefined,
  name: string | undefined,
): void {
  const metadata = object.metadata ?? {};
  if (resource.namespaced && metadata.namespace && namespace && metadata.namespace !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  // A body without a namespace is in the request's (upstream's EnsureObjectNamespaceMatchesRequestNamespace).
  if (resource.namespaced && !metadata.namespace && namespace) object.metadata = { ...metadata, namespace };
  if (name !== undefined && metadata.name && metadata.name !== name) {
    throw badRequest(
      `the name of the object (${metadata.name}) does not match the name on the URL (${name})`,
    );
  }
}

/** Sets each field of `target` to `source`'s, deleting it where `source` has none. */
function copyFields(
  target: Record<string, unknown>,
  source: Record<string, unknown>,
  fields: readonly string[],
) {
  for (const field of fields) {
    if (source[field] === undefined) delete target[field];
    else target[field] = source[field];
  }
}

/** JSON round trip drops undefined members, so `{a: undefined}` equals `{}` as it does on the wire. */
function normalize(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}
