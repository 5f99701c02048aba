/**
 * Field selectors: `?fieldSelector=metadata.name=web,status.phase!=Running`.
 *
 * Each term is `field=value`, `field==value` or `field!=value`; terms are AND-ed. A value may contain
 * `,`, `=` and `\` only when escaped with a backslash (`metadata.name=a\,b`). A field the object lacks
 * reads as the empty string, so `spec.nodeName=` selects unscheduled pods and `!=` matches objects
 * without the field. Parsing knows nothing of which fields a resource supports: the caller checks the
 * requirements against its own list with `checkFields`.
 */
import { goQuote } from './go-quote.js';
import { badRequest } from './status.js';

export interface FieldRequirement {
  readonly field: string;
  /** `==` is read as `=`. */
  readonly operator: '=' | '!=';
  /** Unescaped. */
  readonly value: string;
}

export interface FieldSelector {
  /** AND-ed, in the sorted order of their terms. */
  readonly requirements: readonly FieldRequirement[];
  /** True when the selector restricts nothing. */
  readonly empty: boolean;
  /** `fields` holds the object's selectable fields, flattened: `{ 'metadata.name': 'web', … }`. */
  matches(fields: Readonly<Record<string, string>>): boolean;
  /** The value an `=` term demands for `field`, if one does (for index lookups such as spec.nodeName). */
  exactMatch(field: string): string | undefined;
  /** The canonical string form, values escaped. */
  toString(): string;
}

/** Parses `?fieldSelector=`. Blank selects everything; a malformed string is a 400 BadRequest. */
export function parseFieldSelector(text: string): FieldSelector {
  // Upstream sorts the raw terms, so equal selectors print alike whatever order they were written in.
  const terms = splitTerms(text).sort(compareStrings);
  const requirements: FieldRequirement[] = [];
  for (const term of terms) {
    if (term === '') continue;
    const split = splitTerm(term);
    if (split === undefined) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    const value = unescapeFieldValue(split.rawValue);
    // A bare "=" names no field and no value; upstream drops it rather than failing.
    if (split.field === '' && value === '') continue;
    requirements.push({ field: split.field, operator: split.operator, value });
  }
  return new RequirementsSelector(requirements);
}

/**
 * Rejects a selector naming a field outside `allowed`, with the 400 Kubernetes gives for resources that
 * declare their selectable fields (pods, nodes, events, custom resources):
 * `field label not supported: spec.foo`. The first unsupported field in sorted order is reported.
 */
export function checkFields(selector: FieldSelector, allowed: ReadonlySet<string>): void {
  const unsupported = selector.requirements.find((requirement) => !allowed.has(requirement.field));
  if (unsupported !== undefined) throw badRequest(`field label not supported: ${unsupported.field}`);
}

/**
 * The check for resources that declare no selectable fields of their own (deployments, for one): only
 * metadata.name and metadata.namespace, refused as
 * `"spec.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"`.
 */
export function checkMetadataFields(selector: FieldSelector): void {
  const unsupported = selector.requirements.find(
    (requirement) => requirement.field !== 'metadata.name' && requirement.field !== 'metadata.namespace',
  );
  if (unsupported !== undefined) {
    throw badRequest(
      `${goQuote(unsupported.field)} is not a known field selector: only "metadata.name", "metadata.namespace"`,
    );
  }
}

/** Escapes `\`, `,` and `=` so any string can be a field selector value. */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (character) => `\\${character}`);
}

/**
 * Reverses `escapeFieldValue`. An unknown escape or a bare `,` or `=` is a 400 with upstream's message;
 * note that upstream names a bare character by its code point (`unescaped character in value: 61`).
 */
export function unescapeFieldValue(escaped: string): string {
  if (!/[\\,=]/.test(escaped)) return escaped;
  let value = '';
  let afterBackslash = false;
  for (const character of escaped) {
    if (afterBackslash) {
      if (character !== '\\' && character !== ',' && character !== '=') {
        throw badRequest(`invalid field selector: invalid escape sequence: \\${character}`);
      }
      value += character;
      afterBackslash = false;
    } else if (character === '\\') {
      afterBackslash = true;
    } else if (character === ',' || character === '=') {
      throw badRequest(`invalid field selector: unescaped character in value: ${character.codePointAt(0)}`);
    } else {
      value += character;
    }
  }
  if (afterBackslash) throw badRequest('invalid field selector: invalid escape sequence: \\');
  return value;
}

class RequirementsSelector implements FieldSelector {
  constructor(readonly requirements: readonly FieldRequirement[]) {}

  get empty(): boolean {
    return this.requirements.length === 0;
  }

  matches(fields: Readonly<Record<string, string>>): boolean {
    return this.requirements.every((requirement) => {
      const actual = Object.hasOwn(fields, requirement.field) ? fields[requirement.field] : '';
      return requirement.operator === '=' ? actual === requirement.value : actual !== requirement.value;
    });
  }

  exactMatch(field: string): string | undefined {
    return this.requirements.find(
      (requirement) => requirement.field === field && requirement.operator === '=',
    )?.value;
  }

  toString(): string {
    return this.requirements
      .map(
        (requirement) => `${requirement.field}${requirement.operator}${escapeFieldValue(requirement.value)}`,
      )
      .join(',');
  }
}

/** Splits on commas that are not escaped; the escapes stay in the terms. */
function splitTerms(text: string): string[] {
  if (text === '') return [];
  const terms: string[] = [];
  let start = 0;
  let afterBackslash = false;
  for (let index = 0; index < text.length; index++) {
    const character = text[index];
    if (afterBackslash) afterBackslash = false;
    else if (character === '\\') afterBackslash = true;
    else if (character === ',') {
      terms.push(text.slice(start, index));
      start = index + 1;
    }
  }
  terms.push(text.slice(start));
  return terms;
}

// `!=` and `==` are tried before `=` so that neither leaves a stray `=` on the value.
const termOperators = ['!=', '==', '='] as const;

/** The field is not escaped, so the first operator found splits the term. */
function splitTerm(term: string): { field: string; operator: '=' | '!='; rawValue: string } | undefined {
  for (let index = 0; index < term.length; index++) {
    for (const operator of termOperators) {
      if (term.startsWith(operator, index)) {
        return {
          field: term.slice(0, index),
          operator: operator === '!=' ? '!=' : '=',
          rawValue: term.slice(index + operator.length),
        };
      }
    }
  }
  return undefined;
}

function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
