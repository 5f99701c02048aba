import type { RequestAuthorization, UserInfo } from './auth.js';
import type { FieldError } from './field-error.js';

/**
 * What the API server knows about one resource beyond its schema: where it lives (group, version,
 * plural, scope), how discovery names it (short names, categories), its subresources, the Table columns
 * kubectl prints, the fields it can be selected by, and the few rules no declaration can state
 * (conditional defaults, cross-field validation, what a status write may change).
 *
 * Adding a resource is adding one of these; the generic REST handler does the rest.
 */

/** A Kubernetes object as JSON. Handlers treat objects as plain data and never edit shared ones in place. */
export type KubeObject = Record<string, unknown> & {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
};

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string | null;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: unknown[];
  [field: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface TableColumn {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  /** 'name' marks the column kubectl prefixes with `kind/` when printing several kinds. */
  readonly format?: string;
  /** 0: shown by default; 1: only with `-o wide`. */
  readonly priority?: number;
  readonly description: string;
  /** The cell for one object; `now` is the server's clock, for ages. */
  readonly cell: (object: KubeObject, now: number) => string | number | boolean | null;
}

export interface ScaleSubresource {
  /** JSON paths, as in a CRD's scale subresource: `.spec.replicas`. */
  readonly specReplicasPath: string;
  readonly statusReplicasPath: string;
  readonly labelSelectorPath?: string;
}

export interface Strategy {
  /** Before defaulting on create: clear what clients may not set (status on most types). */
  readonly prepareForCreate?: (object: KubeObject) => void;
  /** Before validation on update of the main resource: keep what this write may not change (status). */
  readonly prepareForUpdate?: (object: KubeObject, old: KubeObject) => void;
  /** Before validation on update of the status subresource: keep what a status write may not change. */
  readonly prepareForStatusUpdate?: (object: KubeObject, old: KubeObject) => void;
  /** Conditional defaults the schema cannot declare (e.g. imagePullPolicy from the image tag). */
  readonly default?: (object: KubeObject) => void;
  /** Rules beyond the schema, on create and update (`old` given on update). */
  readonly validate?: (object: KubeObject, old?: KubeObject) => FieldError[];
  /**
   * A deletion that waits on the resource's own terms (a pod's grace period, a namespace's
   * spec.finalizers): the object's state while it waits, or undefined when nothing of its own holds it.
   */
  readonly beginDeletion?: (
    object: KubeObject,
    options: { gracePeriodSeconds?: number; now: Date },
  ) => KubeObject | undefined;
  /** Whether the resource's own terms still hold an object whose deletion has begun. */
  readonly holdsDeletion?: (object: KubeObject) => boolean;
  /**
   * Checks that depend on who writes (RBAC's escalation prevention), on create and update of the main
   * resource, after defaults and before validation: throws a StatusError (403) to refuse.
   */
  readonly authorizeWrite?: (
    object: KubeObject,
    old: KubeObject | undefined,
    context: StrategyContext,
  ) => Promise<void>;
}

/** Who writes, and how to ask about their rights; both absent when the server runs without auth. */
export interface StrategyContext {
  readonly user?: UserInfo;
  readonly authorization?: RequestAuthorization;
}

export interface ResourceDefinition {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** The resource name in URLs: `pods`. */
  readonly plural: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly shortNames?: readonly string[];
  readonly categories?: readonly string[];
  /** The message name of the object's schema (io.k8s.api.core.v1.Pod). */
  readonly schema: string;
  readonly subresources?: {
    readonly status?: boolean;
    readonly scale?: ScaleSubresource;
  };
  /** Verbs served; all eight by default. */
  readonly verbs?: readonly string[];
  /** Spec changes bump metadata.generation (workloads and most spec/status types). */
  readonly generation?: boolean;
  /**
   * The complete Table column list, Name included — not always first (an Event's Name is its last,
   * wide-only column). A kind without a printer upstream uses `defaultColumns` from api/printers.ts:
   * Name and Created At.
   */
  readonly columns?: readonly TableColumn[];
  /** Fields selectable besides metadata.name and metadata.namespace, with how to read each. */
  readonly fieldSelectors?: Readonly<Record<string, (object: KubeObject) => string>>;
  readonly strategy?: Strategy;
  /** PUT of a missing object creates it (Kubernetes allows this for a few types). */
  readonly allowCreateOnUpdate?: boolean;
  /** DELETE answers with the object rather than a Status (pods). */
  readonly returnDeletedObject?: boolean;
  /**
   * Answered per request and never stored (SubjectAccessReview, TokenReview): served only by the REST
   * context's `virtualResources` handler, with `create` as its one verb; the server opens no store for it.
   */
  readonly virtual?: boolean;
}

export const allVerbs = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
] as const;

export const groupVersion = (resource: Pick<ResourceDefinition, 'group' | 'version'>) =>
  resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
