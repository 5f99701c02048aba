/**
 * Field-level validation errors, the pieces of a 422 Invalid response.
 *
 * Each one mirrors a constructor of Kubernetes' `field` package (field.Required, field.Invalid, …) and
 * renders the same text, because users and tools read these messages verbatim:
 *
 *   fieldError.invalid('metadata.name', 'Web', 'must be lowercase')
 *     → `metadata.name: Invalid value: "Web": must be lowercase`
 *   fieldError.notSupported('spec.restartPolicy', 'Sometimes', ['Always', 'OnFailure', 'Never'])
 *     → `spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"`
 *
 * `field` is the path as Kubernetes prints it: dots between names, `[0]` for list indexes and `[key]`
 * for map keys (`spec.containers[0].image`, `metadata.labels[app]`).
 */
import { goQuote } from './go-quote.js';

/** The `reason` a field error carries in `details.causes` (Kubernetes' CauseType values). */
export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueTypeInvalid'
  | 'InternalError';

export interface FieldError {
  readonly type: FieldErrorType;
  readonly field: string;
  /** The offending value, shown in the message for the types that show one. */
  readonly badValue: unknown;
  readonly detail: string;
}

/** Marks a bad value that must not be printed (upstream's omitValue). */
const omitted: unique symbol = Symbol('omitted value');

export const fieldError = {
  required: (field: string, detail = ''): FieldError => ({
    type: 'FieldValueRequired',
    field,
    badValue: '',
    detail,
  }),

  invalid: (field: string, value: unknown, detail: string): FieldError => ({
    type: 'FieldValueInvalid',
    field,
    badValue: value,
    detail,
  }),

  /** The supported values are listed in the order given. */
  notSupported: (field: string, value: unknown, supported: readonly string[]): FieldError => ({
    type: 'FieldValueNotSupported',
    field,
    badValue: value,
    detail: supported.length === 0 ? '' : `supported values: ${supported.map(goQuote).join(', ')}`,
  }),

  duplicate: (field: string, value: unknown): FieldError => ({
    type: 'FieldValueDuplicate',
    field,
    badValue: value,
    detail: '',
  }),

  notFound: (field: string, value: unknown): FieldError => ({
    type: 'FieldValueNotFound',
    field,
    badValue: value,
    detail: '',
  }),

  forbidden: (field: string, detail: string): FieldError => ({
    type: 'FieldValueForbidden',
    field,
    badValue: '',
    detail,
  }),

  /** The value itself is never shown: it may be huge. A negative limit says only "value is too long". */
  tooLong: (field: string, maxLength: number): FieldError => ({
    type: 'FieldValueTooLong',
    field,
    badValue: omitted,
    detail:
      maxLength >= 0
        ? `may not be more than ${maxLength} ${maxLength === 1 ? 'byte' : 'bytes'}`
        : 'value is too long',
  }),

  /** For lists with too many items; a negative `actual` leaves the count out of the message. */
  tooMany: (field: string, actual: number, maxItems: number): FieldError => ({
    type: 'FieldValueTooMany',
    field,
    badValue: actual >= 0 ? actual : omitted,
    detail:
      maxItems >= 0
        ? `must have at most ${maxItems} ${maxItems === 1 ? 'item' : 'items'}`
        : 'has too many items',
  }),

  /** The value does not have the type the schema asks for (a string where a number belongs). */
  typeInvalid: (field: string, value: unknown, detail: string): FieldError => ({
    type: 'FieldValueTypeInvalid',
    field,
    badValue: value,
    detail,
  }),

  /** A failure that is the server's, not the request's. */
  internal: (field: string, error: Error | string): FieldError => ({
    type: 'InternalError',
    field,
    badValue: omitted,
    detail: typeof error === 'string' ? error : error.message,
  }),
} as const;

const typeWords: Readonly<Record<FieldErrorType, string>> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueTypeInvalid: 'Invalid value',
  InternalError: 'Internal error',
};

// These types never print their value, whatever it is.
const valueless: ReadonlySet<FieldErrorType> = new Set([
  'FieldValueRequired',
  'FieldValueForbidden',
  'FieldValueTooLong',
  'InternalError',
]);

/** The message without the field path, as a cause's `message` carries it: `Invalid value: "x": why`. */
export function fieldErrorBody(error: FieldError): string {
  let body = typeWords[error.type];
  if (!valueless.has(error.type) && error.badValue !== omitted) {
    body += `: ${formatBadValue(error.badValue)}`;
  }
  return error.detail === '' ? body : `${body}: ${error.detail}`;
}

/** The whole message: `spec.containers[0].image: Required value`. */
export function formatFieldError(error: FieldError): string {
  return `${error.field}: ${fieldErrorBody(error)}`;
}

/**
 * Several field errors as one message, the way Kubernetes aggregates them: none → undefined, one →
 * that message, more → `[first, second]`. Repeated messages are shown once.
 */
export function aggregateFieldErrors(errors: readonly FieldError[]): string | undefined {
  const messages = [...new Set(errors.map(formatFieldError))];
  if (messages.length === 0) return undefined;
  if (messages.length === 1) return messages[0];
  return `[${messages.join(', ')}]`;
}

// Go prints strings with %q, scalars with %v and everything else as JSON (with HTML-safe escapes).
function formatBadValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return goQuote(value);
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(value);
    case 'undefined':
      return 'null';
    default:
      return goJson(value);
  }
}

function goJson(value: unknown): string {
  const json = JSON.stringify(value) ?? 'null';
  return json.replace(
    /[<>&\u2028\u2029]/g,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
