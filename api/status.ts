/**
 * The one catalog of Kubernetes-facing errors.
 *
 * A `StatusError` carries the `Status` object exactly as Kubernetes serialises it, so the API server can
 * write `error.status` as the response body and clients (kubectl, client-go) read it as they would from a
 * real cluster. Every error is made by a constructor below, each matching one of apimachinery's
 * `errors.NewXxx` in code, reason, message and details:
 *
 *   notFound({ group: 'apps', resource: 'deployments' }, 'web')
 *     → 404 NotFound, `deployments.apps "web" not found`, details { name: 'web', group: 'apps', kind: 'deployments' }
 *
 * Code branches on `reason` (see `isStatusError`), never on the message.
 */
import { aggregateFieldErrors, type FieldError, fieldErrorBody } from './field-error.js';
import { goQuote } from './go-quote.js';

export type StatusReason =
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Invalid'
  | 'ServerTimeout'
  | 'StorageReadError'
  | 'Timeout'
  | 'TooManyRequests'
  | 'BadRequest'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'InternalError'
  | 'Expired'
  | 'ServiceUnavailable';

export interface StatusCause {
  /** Machine-readable: a FieldErrorType for validation errors. */
  reason?: string;
  message?: string;
  field?: string;
}

/** Empty members are left out, as Go's `omitempty` leaves them out of the JSON. */
export interface StatusDetails {
  name?: string;
  group?: string;
  /** For most errors this is the resource (`pods`), not the kind: upstream fills it that way. */
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

/** `{ group: '', resource: 'pods' }` for the core group. */
export interface QualifiedResource {
  readonly group: string;
  readonly resource: string;
}

/** `{ group: '', kind: 'Pod' }` for the core group. */
export interface QualifiedKind {
  readonly group: string;
  readonly kind: string;
}

/** The message Kubernetes gives with a 409 Conflict when a resourceVersion precondition fails. */
export const optimisticLockErrorMessage =
  'the object has been modified; please apply your changes to the latest version and try again';

// Only this module may build a StatusError: every Kubernetes-facing error goes through a constructor
// below, so its code, reason and message always agree with upstream.
const fromCatalog: unique symbol = Symbol('StatusError');

export class StatusError extends Error {
  override readonly name = 'StatusError';
  readonly status: Status;

  constructor(token: typeof fromCatalog, status: Status) {
    if (token !== fromCatalog) {
      throw new TypeError('StatusError is made only by the constructors in api/status.ts');
    }
    super(status.message ?? '');
    this.status = status;
  }

  get code(): number {
    return this.status.code;
  }

  get reason(): StatusReason | undefined {
    return this.status.reason;
  }

  /** JSON.stringify(error) writes the Status object, ready to be a response body. */
  toJSON(): Status {
    return this.status;
  }
}

export function isStatusError(error: unknown, reason?: StatusReason): error is StatusError {
  return error instanceof StatusError && (reason === undefined || error.status.reason === reason);
}

/** Rebuilds the error from a Status a server sent (the client side of the catalog). */
export function fromStatus(status: Status): StatusError {
  return new StatusError(fromCatalog, status);
}

/** 404: `pods "web" not found`, `deployments.apps "web" not found`. */
export function notFound(resource: QualifiedResource, name: string): StatusError {
  return failure(404, 'NotFound', `${qualifiedResourceName(resource)} ${goQuote(name)} not found`, {
    ...resourceDetails(resource),
    name,
  });
}

/** 409: `pods "web" already exists`. */
export function alreadyExists(resource: QualifiedResource, name: string): StatusError {
  return failure(409, 'AlreadyExists', `${qualifiedResourceName(resource)} ${goQuote(name)} already exists`, {
    ...resourceDetails(resource),
    name,
  });
}

/** 409 AlreadyExists when a name made from `generateName` collided; the client should retry. */
export function generateNameConflict(
  resource: QualifiedResource,
  name: string,
  retryAfterSeconds: number,
): StatusError {
  return failure(
    409,
    'AlreadyExists',
    `${qualifiedResourceName(resource)} ${goQuote(name)} already exists, the server was not able to generate a unique name for the object`,
    { ...resourceDetails(resource), name, retryAfterSeconds },
  );
}

/** 409: `Operation cannot be fulfilled on pods "web": <message>` (often `optimisticLockErrorMessage`). */
export function conflict(resource: QualifiedResource, name: string, message: string): StatusError {
  return failure(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResourceName(resource)} ${goQuote(name)}: ${message}`,
    { ...resourceDetails(resource), name },
  );
}

/**
 * 422: `Pod "web" is invalid: spec.containers[0].image: Required value`, or with several errors
 * `Pod "web" is invalid: [first, second]`. Each field error becomes a cause (reason, message, field).
 */
export function invalid(kind: QualifiedKind, name: string, errors: readonly FieldError[]): StatusError {
  const subject = `${kind.group === '' ? kind.kind : `${kind.kind}.${kind.group}`} ${goQuote(name)} is invalid`;
  const aggregate = aggregateFieldErrors(errors);
  const causes = errors.map((error) =>
    compactCause({ reason: error.type, message: fieldErrorBody(error), field: error.field }),
  );
  return failure(422, 'Invalid', aggregate === undefined ? subject : `${subject}: ${aggregate}`, {
    name,
    group: kind.group,
    kind: kind.kind,
    causes,
  });
}

/** 400: the request can never succeed as sent (a malformed selector, an unparsable body). */
export function badRequest(message: string): StatusError {
  return failure(400, 'BadRequest', message);
}

/** 401: no valid credentials. */
export function unauthorized(message = ''): StatusError {
  return failure(401, 'Unauthorized', message === '' ? 'not authorized' : message);
}

/**
 * 403: `pods "web" is forbidden: <reason>`; without a name `pods is forbidden: <reason>`; without a
 * resource `forbidden: <reason>`. The authorizer's reason, such as
 * `User "bob" cannot list resource "pods" in API group "" in the namespace "default"`, is the caller's.
 */
export function forbidden(
  resource: QualifiedResource,
  name: string,
  reason: string,
  causes?: readonly StatusCause[],
): StatusError {
  let message: string;
  if (resource.group === '' && resource.resource === '') message = `forbidden: ${reason}`;
  else if (name === '') message = `${qualifiedResourceName(resource)} is forbidden: ${reason}`;
  else message = `${qualifiedResourceName(resource)} ${goQuote(name)} is forbidden: ${reason}`;
  return failure(403, 'Forbidden', message, {
    ...resourceDetails(resource),
    name,
    ...(causes && causes.length > 0 ? { causes: [...causes] } : {}),
  });
}

/** 405: `delete is not supported on resources of kind "componentstatuses"`. */
export function methodNotSupported(resource: QualifiedResource, action: string): StatusError {
  return failure(
    405,
    'MethodNotAllowed',
    `${action} is not supported on resources of kind ${goQuote(qualifiedResourceName(resource))}`,
    resourceDetails(resource),
  );
}

/** 406: the Accept header names no media type the server can write. */
export function notAcceptable(acceptedMediaTypes: readonly string[]): StatusError {
  return failure(
    406,
    'NotAcceptable',
    `only the following media types are accepted: ${acceptedMediaTypes.join(', ')}`,
  );
}

/** 415: the request body is in a media type the server cannot read. */
export function unsupportedMediaType(acceptedMediaTypes: readonly string[]): StatusError {
  return failure(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${acceptedMediaTypes.join(', ')}`,
  );
}

/**
 * 410 Expired: what a watch or a list continuation gets when its resourceVersion has been compacted.
 * Upstream's texts: `The resourceVersion for the provided watch is too old.` (from etcd) and
 * `too old resource version: 5 (10)` (from the watch cache). Clients restart with a fresh list.
 */
export function resourceExpired(message: string): StatusError {
  return failure(410, 'Expired', message);
}

/** 410 with reason Gone. Upstream deprecates it in favour of `resourceExpired`; clients treat both alike. */
export function gone(message: string): StatusError {
  return failure(410, 'Gone', message);
}

/** 413: `Request entity too large: <message>`. */
export function requestEntityTooLarge(message: string): StatusError {
  return failure(413, 'RequestEntityTooLarge', `Request entity too large: ${message}`);
}

/** 429: the client should wait `retryAfterSeconds` and try again. */
export function tooManyRequests(message: string, retryAfterSeconds: number): StatusError {
  return failure(429, 'TooManyRequests', message, { retryAfterSeconds });
}

/** 500: `Internal error occurred: <error>`, with the error as the one cause. */
export function internalError(error: Error | string): StatusError {
  const message = typeof error === 'string' ? error : error.message;
  return failure(500, 'InternalError', `Internal error occurred: ${message}`, {
    causes: [compactCause({ message })],
  });
}

/** 503: the server cannot serve the request now (starting, storage unreachable). */
export function serviceUnavailable(message: string): StatusError {
  return failure(503, 'ServiceUnavailable', message);
}

/** 504: `Timeout: <message>`; the operation may still complete. */
export function timeout(message: string, retryAfterSeconds = 0): StatusError {
  return failure(504, 'Timeout', `Timeout: ${message}`, { retryAfterSeconds });
}

/**
 * 504 for a read at a resourceVersion the server has not reached yet:
 * `Timeout: Too large resource version: 12, current: 10`, with a ResourceVersionTooLarge cause so clients
 * can tell it from other timeouts.
 */
export function tooLargeResourceVersion(
  requested: number,
  current: number,
  retryAfterSeconds = 1,
): StatusError {
  return failure(504, 'Timeout', `Timeout: Too large resource version: ${requested}, current: ${current}`, {
    retryAfterSeconds,
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
  });
}

function failure(code: number, reason: StatusReason, message: string, details?: StatusDetails): StatusError {
  // Members in the order Kubernetes writes them.
  const status: Status = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    ...(message === '' ? {} : { message }),
    reason,
    ...(details === undefined ? {} : { details: compactDetails(details) }),
    code,
  };
  return new StatusError(fromCatalog, status);
}

/** `pods`, or `deployments.apps` outside the core group (upstream's GroupResource.String). */
function qualifiedResourceName(resource: QualifiedResource): string {
  return resource.group === '' ? resource.resource : `${resource.resource}.${resource.group}`;
}

function resourceDetails(resource: QualifiedResource): StatusDetails {
  return { group: resource.group, kind: resource.resource };
}

// Go's omitempty: empty strings, zero numbers and empty lists are left out of the JSON. Members keep
// the order Go writes them in, so a response body reads byte for byte like upstream's.
const detailsOrder = ['name', 'group', 'kind', 'uid', 'causes', 'retryAfterSeconds'] as const;
const causeOrder = ['reason', 'message', 'field'] as const;

function compactDetails(details: StatusDetails): StatusDetails {
  return compact(details, detailsOrder);
}

function compactCause(cause: StatusCause): StatusCause {
  return compact(cause, causeOrder);
}

function compact<T extends object>(value: T, order: readonly (keyof T & string)[]): T {
  const kept: Partial<T> = {};
  for (const key of order) {
    const member = value[key];
    if (member === undefined || member === '' || member === 0) continue;
    if (Array.isArray(member) && member.length === 0) continue;
    kept[key] = member;
  }
  return kept as T;
}
