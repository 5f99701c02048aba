import { groupVersion, type KubeObject, type ResourceDefinition } from '../../api/resource.js';
import { badRequest, internalError } from '../../api/status.js';
import { formatTime } from '../resource-store.js';
import { applyConflictError, type Conflict } from './conflicts.js';
import { FieldSet } from './field-set.js';
import {
  decodeManagedFields,
  emptyManaged,
  encodeManagedFields,
  type Managed,
  managerIdentifier,
} from './managed-fields.js';
import { fieldElement, type Path } from './path-element.js';
import { objectType, type TypeRef, zeroObject } from './schema.js';
import { compare, TypedValueError, toFieldSet, validateConfiguration } from './typed.js';
import { ApplyConflicts, Updater } from './updater.js';

/**
 * Keeps `metadata.managedFields` for one resource, as kube-apiserver's field manager does, and performs
 * server-side apply:
 *
 * - `update` runs on every create, update and patch: the writer (its `fieldManager`, else the first part
 *   of its User-Agent) takes ownership of the fields it added or changed, in one Update entry per
 *   manager, apiVersion and subresource; a write that changes nothing changes no entry and no time.
 * - `apply` merges an applied configuration into the object (creating it from nothing when absent),
 *   owns the configuration's fields in the manager's Apply entry, removes what the manager applied
 *   before and no longer does, and refuses to change fields other managers own (409) unless forced.
 *
 * Around that core, upstream's rules, each a few lines below: metadata nobody owns (name, uid,
 * resourceVersion …); an object nobody tracked stays untracked on update, and on its first apply
 * everything it has goes to "before-first-apply"; at most ten Update managers (older ones merge into
 * "ancient-changes"); and kubectl's move from client-side to server-side apply — an apply by "kubectl"
 * may take the fields the last-applied-configuration annotation still describes, and keeps that
 * annotation current.
 */
export interface FieldManagerOptions {
  readonly resource: ResourceDefinition;
  /** Declarative and strategy defaults, applied in place: what upstream's decoder does to a request. */
  readonly defaults?: (object: KubeObject) => void;
  readonly now?: () => Date;
}

export interface WriteOptions {
  readonly manager: string;
  /** '' for the main resource. */
  readonly subresource?: string;
  /** The object has been through admission (defaults in): `update` need not default it again. */
  readonly admitted?: boolean;
}

export interface ApplyOptions extends WriteOptions {
  readonly force: boolean;
}

export const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';

const maxUpdateManagers = 10;

/** Fields no manager owns (stripMeta). */
const unownedFields = FieldSet.of(
  ...[
    ['apiVersion'],
    ['kind'],
    ['metadata'],
    ['metadata', 'name'],
    ['metadata', 'namespace'],
    ['metadata', 'creationTimestamp'],
    ['metadata', 'selfLink'],
    ['metadata', 'uid'],
    ['metadata', 'clusterName'],
    ['metadata', 'generation'],
    ['metadata', 'managedFields'],
    ['metadata', 'resourceVersion'],
  ].map((names) => names.map(fieldElement)),
);

/** The placeholder identity of a write in progress, before its fields join the writer's entry. */
const currentOperation = 'current-operation';

export class FieldManager {
  readonly #resource: ResourceDefinition;
  readonly #type: TypeRef;
  readonly #apiVersion: string;
  readonly #defaults: (object: KubeObject) => void;
  readonly #now: () => Date;
  readonly #updaters = new Map<string, Updater>();

  constructor(options: FieldManagerOptions) {
    this.#resource = options.resource;
    this.#type = objectType(options.resource.schema);
    this.#apiVersion = groupVersion(options.resource);
    this.#defaults = options.defaults ?? (() => undefined);
    this.#now = options.now ?? (() => new Date());
  }

  /**
   * `next` (a create's object, or an update's or patch's result) with its managedFields brought up to
   * date. Unless `admitted`, `next` is defaulted in place first; the returned object is a shallow copy
   * with new metadata.
   */
  update(live: KubeObject | undefined, next: KubeObject, options: WriteOptions): KubeObject {
    const subresource = options.subresource ?? '';
    const object = withoutManagedFields(next);
    // Defaults decide who owns a defaulted field; a subresource write owns little beyond what it sent
    // (its status), and admission defaults the object anyway, so the walk is saved there.
    if (subresource === '' && !options.admitted) this.#defaults(object);
    try {
      const managed = this.#decodeLiveOrNew(live, next, subresource !== '');
      // An existing object nobody tracks stays untracked (upstream's skipNonApplied).
      if (managed.fields.size === 0 && live !== undefined) return object;
      const base = live === undefined ? zeroObject(this.#resource.schema) : withoutManagedFields(live);
      this.#recordUpdate(base, object, managed, options.manager || 'unknown', subresource);
      return withManagedFields(object, managed);
    } catch (error) {
      if (!(error instanceof TypedValueError)) throw error;
      // Upstream's UpdateNoErrors: the write goes ahead and keeps the managedFields it had.
      return live?.metadata?.managedFields
        ? { ...object, metadata: { ...object.metadata, managedFields: live.metadata.managedFields } }
        : object;
    }
  }

  /**
   * The object after applying `config` to `live` (undefined: the object does not exist yet), with
   * managedFields. Throws a StatusError: 400 for a configuration of another kind or one that does not
   * fit the schema, 409 for conflicts.
   */
  apply(live: KubeObject | undefined, config: KubeObject, options: ApplyOptions): KubeObject {
    const subresource = options.subresource ?? '';
    this.#checkConfiguration(config);
    let managed: Managed;
    try {
      managed = decodeManagedFields(live?.metadata?.managedFields ?? []);
    } catch (error) {
      throw internalError(`failed to decode managed fields: ${(error as Error).message}`);
    }
    const base = live === undefined ? zeroObject(this.#resource.schema) : withoutManagedFields(live);
    try {
      if (managed.fields.size === 0 && live !== undefined) {
        // The first apply to an object nobody tracked: what it has belongs to one Update manager.
        this.#recordUpdate(
          zeroObject(this.#resource.schema),
          base,
          managed,
          'before-first-apply',
          subresource,
        );
      }
      const identifier = managerIdentifier({ manager: options.manager, operation: 'Apply', subresource });
      let result: KubeObject;
      try {
        result = this.#applyOnce(base, config, managed, identifier, subresource, options.force);
      } catch (error) {
        if (!(error instanceof ApplyConflicts)) throw error;
        result = this.#resolveConflicts(error.conflicts, base, config, managed, identifier, subresource);
      }
      this.#updateLastApplied(result, config, options.manager);
      return withManagedFields(result, managed);
    } catch (error) {
      if (error instanceof TypedValueError) throw badRequest(this.#typedPatchError(config, error.message));
      throw error;
    }
  }

  #checkConfiguration(config: KubeObject): void {
    if (config.apiVersion !== this.#apiVersion || config.kind !== this.#resource.kind) {
      const [sentGroup, sentVersion] = splitApiVersion(config.apiVersion ?? '');
      throw badRequest(`invalid object type: ${sentGroup}/${sentVersion}, Kind=${config.kind ?? ''}`);
    }
    if (config.metadata?.managedFields !== undefined && config.metadata.managedFields !== null) {
      throw badRequest('metadata.managedFields must be nil');
    }
    const problems = validateConfiguration(config, this.#type);
    if (problems.length > 0) {
      const detail =
        problems.length === 1
          ? problems[0]!
          : ['errors:', ...problems.map((problem) => `  ${problem}`)].join('\n');
      throw badRequest(this.#typedPatchError(config, detail));
    }
  }

  #typedPatchError(config: KubeObject, detail: string): string {
    const [group, version] = splitApiVersion(config.apiVersion ?? '');
    const meta = config.metadata ?? {};
    return `failed to create typed patch object (${meta.namespace ?? ''}/${meta.name ?? ''}; ${group}/${version}, Kind=${config.kind ?? ''}): ${detail}`;
  }

  #applyOnce(
    base: KubeObject,
    config: KubeObject,
    managed: Managed,
    identifier: string,
    subresource: string,
    force: boolean,
  ): KubeObject {
    const attempt = copyManaged(managed);
    const merged = this.#updater(subresource).apply(base, config, attempt, identifier, force);
    stripUnownedFields(attempt, identifier);
    let result: KubeObject;
    if (merged === undefined) result = structuredClone(base);
    else {
      result = structuredClone(merged) as KubeObject;
      this.#defaults(result);
      attempt.times.set(identifier, formatTime(this.#now()));
    }
    replaceManaged(managed, attempt);
    return result;
  }

  /**
   * kubectl moving from client-side to server-side apply: the fields of the last-applied annotation
   * that still hold their applied values are kubectl's to take, so "kubectl" applying them is no
   * conflict (upstream's lastAppliedManager). Any other conflict stands.
   */
  #resolveConflicts(
    conflicts: readonly Conflict[],
    base: KubeObject,
    config: KubeObject,
    managed: Managed,
    identifier: string,
    subresource: string,
  ): KubeObject {
    const allowed =
      this.#identifierManager(identifier) === 'kubectl' ? this.#lastAppliedFields(base) : undefined;
    if (!allowed) throw applyConflictError(conflicts);
    const remaining = conflicts.filter((conflict) => !allowed.has(conflict.path as Path));
    if (remaining.length > 0) throw applyConflictError(remaining);
    return this.#applyOnce(base, config, managed, identifier, subresource, true);
  }

  #identifierManager(identifier: string): string {
    return (JSON.parse(identifier) as { manager: string }).manager;
  }

  #lastAppliedFields(live: KubeObject): FieldSet | undefined {
    const text = live.metadata?.annotations?.[lastAppliedAnnotation];
    if (!text) return undefined;
    let lastApplied: unknown;
    try {
      lastApplied = JSON.parse(text);
    } catch {
      return undefined;
    }
    if ((lastApplied as KubeObject)?.apiVersion !== this.#apiVersion) return undefined;
    if (validateConfiguration(lastApplied, this.#type).length > 0) return undefined;
    try {
      const changed = compare(lastApplied, live, this.#type);
      return toFieldSet(lastApplied, this.#type)
        .difference(changed.modified)
        .difference(changed.added)
        .difference(changed.removed);
    } catch {
      return undefined;
    }
  }

  /** An apply by "kubectl" keeps a last-applied annotation, if the object has one, equal to what it applied. */
  #updateLastApplied(result: KubeObject, config: KubeObject, manager: string): void {
    if (manager !== 'kubectl' || !result.metadata?.annotations?.[lastAppliedAnnotation]) return;
    const { [lastAppliedAnnotation]: _, ...annotations } = config.metadata?.annotations ?? {};
    const applied = {
      ...config,
      metadata: {
        ...config.metadata,
        ...(config.metadata?.annotations ? { annotations } : {}),
      },
    };
    result.metadata = {
      ...result.metadata,
      annotations: { ...result.metadata.annotations, [lastAppliedAnnotation]: `${sortedJson(applied)}\n` },
    };
  }

  /** The Update manager `manager` takes what changed from `base` to `next` (managedFieldsUpdater). */
  #recordUpdate(base: unknown, next: unknown, managed: Managed, manager: string, subresource: string): void {
    const identifier = managerIdentifier({
      manager,
      operation: 'Update',
      apiVersion: this.#apiVersion,
      subresource,
    });
    this.#updater(subresource).update(base, next, managed, currentOperation);
    stripUnownedFields(managed, currentOperation);
    const changed = managed.fields.get(currentOperation);
    managed.fields.delete(currentOperation);
    if (changed) {
      const previous = managed.fields.get(identifier);
      managed.fields.set(identifier, {
        set: previous ? changed.set.union(previous.set) : changed.set,
        apiVersion: this.#apiVersion,
        applied: false,
      });
      managed.times.set(identifier, formatTime(this.#now()));
    }
    capUpdateManagers(managed);
  }

  #decodeLiveOrNew(live: KubeObject | undefined, next: KubeObject, ignoreRequest: boolean): Managed {
    const fromLive = () => {
      try {
        return decodeManagedFields(live?.metadata?.managedFields ?? []);
      } catch {
        return emptyManaged();
      }
    };
    if (ignoreRequest) return fromLive();
    const sent = next.metadata?.managedFields;
    // `[]` or `[{}]` resets ownership; absent keeps what the object had.
    if (Array.isArray(sent) && (sent.length === 0 || (sent.length === 1 && isEmptyEntry(sent[0])))) {
      return emptyManaged();
    }
    try {
      const managed = decodeManagedFields(Array.isArray(sent) ? sent : []);
      return managed.fields.size > 0 ? managed : fromLive();
    } catch {
      return fromLive();
    }
  }

  #updater(subresource: string): Updater {
    let updater = this.#updaters.get(subresource);
    if (!updater) {
      updater = new Updater({
        type: this.#type,
        apiVersion: this.#apiVersion,
        resetFields: resetFields(this.#resource, subresource),
      });
      this.#updaters.set(subresource, updater);
    }
    return updater;
  }
}

/**
 * What a write through this endpoint does not set, so nobody gains or loses it there (a strategy's
 * ResetFields): the main resource does not write status; a status write keeps the spec, and outside the
 * core group the metadata admission keeps too (see admission.ts).
 */
export function resetFields(resource: ResourceDefinition, subresource: string): FieldSet {
  const paths: string[][] = [];
  if (subresource === '' && resource.subresources?.status) paths.push(['status']);
  // Only the finalize subresource changes a namespace's spec.finalizers; the main resource's writers
  // never own them (the server sets them on create).
  if (subresource === '' && resource.group === '' && resource.plural === 'namespaces') {
    paths.push(['spec', 'finalizers']);
  }
  if (subresource === 'status') {
    paths.push(['spec']);
    if (resource.group !== '') {
      for (const field of ['labels', 'annotations', 'finalizers', 'ownerReferences'])
        paths.push(['metadata', field]);
    } else if (resource.plural === 'pods') paths.push(['metadata', 'ownerReferences']);
  }
  return FieldSet.of(...paths.map((names) => names.map(fieldElement)));
}

function stripUnownedFields(managed: Managed, identifier: string): void {
  const versioned = managed.fields.get(identifier);
  if (!versioned) return;
  const set = versioned.set.difference(unownedFields);
  if (set.isEmpty) managed.fields.delete(identifier);
  else managed.fields.set(identifier, { ...versioned, set });
}

/**
 * More than ten Update managers: the oldest are merged, per apiVersion, into "ancient-changes" (Apply
 * managers are never merged: their sets decide what a later apply removes).
 */
function capUpdateManagers(managed: Managed): void {
  const updaters = [...managed.fields].filter(([, versioned]) => !versioned.applied).map(([id]) => id);
  if (updaters.length <= maxUpdateManagers) return;
  const seconds = (id: string) => {
    const time = managed.times.get(id);
    return time === undefined ? 0 : Math.floor(Date.parse(time) / 1000);
  };
  updaters.sort((a, b) => seconds(a) - seconds(b) || (a < b ? -1 : a > b ? 1 : 0));
  const firstOfVersion = new Map<string, string>();
  let count = updaters.length;
  for (const id of updaters) {
    if (count <= maxUpdateManagers) break;
    const versioned = managed.fields.get(id)!;
    const bucket = managerIdentifier({
      manager: 'ancient-changes',
      operation: 'Update',
      apiVersion: versioned.apiVersion,
    });
    const first = firstOfVersion.get(versioned.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(versioned.apiVersion, id);
      continue;
    }
    if (!managed.fields.has(bucket)) {
      managed.fields.set(bucket, managed.fields.get(first)!);
      managed.fields.delete(first);
    }
    const into = managed.fields.get(bucket)!;
    managed.fields.set(bucket, { ...into, set: versioned.set.union(into.set) });
    managed.fields.delete(id);
    managed.times.set(bucket, managed.times.get(id));
    count--;
  }
}

function copyManaged(managed: Managed): Managed {
  return { fields: new Map(managed.fields), times: new Map(managed.times) };
}

function replaceManaged(target: Managed, source: Managed): void {
  target.fields.clear();
  target.times.clear();
  for (const [id, versioned] of source.fields) target.fields.set(id, versioned);
  for (const [id, time] of source.times) target.times.set(id, time);
}

function isEmptyEntry(entry: unknown): boolean {
  return typeof entry === 'object' && entry !== null && Object.keys(entry).length === 0;
}

function withoutManagedFields(object: KubeObject): KubeObject {
  const { managedFields: _, ...metadata } = object.metadata ?? {};
  return { ...object, metadata };
}

function withManagedFields(object: KubeObject, managed: Managed): KubeObject {
  const entries = encodeManagedFields(managed);
  const { managedFields: _, ...metadata } = object.metadata ?? {};
  return { ...object, metadata: entries ? { ...metadata, managedFields: entries } : metadata };
}

function splitApiVersion(apiVersion: string): [group: string, version: string] {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0 ? ['', apiVersion] : [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)];
}

/** JSON with every object's keys sorted, as Go writes a map (the last-applied annotation's form). */
function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${sortedJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}
