/**
 * Label selectors: the `?labelSelector=` string form and the `LabelSelector` object form (a Deployment's
 * `spec.selector`), compiled to one `Selector`, plus the label key and value rules.
 *
 *   parseLabelSelector('app=web,tier in (front,back),!canary')
 *     .matches({ app: 'web', tier: 'front' })   → true
 *     .toString()                              → 'app=web,!canary,tier in (back,front)'
 *
 * The grammar, the error messages and the quirks follow apimachinery's labels package:
 * requirements are sorted by key, `in (…)` values are de-duplicated and sorted, `x in ()` means "x is
 * the empty string", `notin` and `!=` match objects that lack the key, and `>`/`<` compare integers.
 * A string that does not parse is a 400 BadRequest carrying upstream's message, such as
 * `unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt`.
 */
import { aggregateFieldErrors, type FieldError, fieldError, formatFieldError } from './field-error.js';
import { goQuote } from './go-quote.js';
import { isDNS1123Subdomain } from './names.js';
import { badRequest } from './status.js';
import { byteLength, emptyMessage, maxLengthMessage, regexMessage } from './validation-messages.js';

/** Kubernetes' selection operators, spelled as upstream spells them (`exists`, `!` for does-not-exist). */
export type LabelOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface Requirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** Sorted and unique when parsed from a string; as written when built from a LabelSelector object. */
  readonly values: readonly string[];
}

export interface Selector {
  /** AND-ed, sorted by key. Indexes can look here for `app=web`-style exact matches. */
  readonly requirements: readonly Requirement[];
  /** True when the selector restricts nothing (it matches every object). */
  readonly empty: boolean;
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
  /**
   * The one value the selector demands for `key` (from `=`, `==` or a one-value `in`), if it demands one.
   * Only the first requirement on the key is consulted, as upstream does.
   */
  exactMatch(key: string): string | undefined;
  /** The canonical string form; it parses back to an equal selector. */
  toString(): string;
}

/** The object form, as in a Deployment's `spec.selector`. */
export interface LabelSelector {
  matchLabels?: Readonly<Record<string, string>>;
  matchExpressions?: readonly LabelSelectorRequirement[];
}

export interface LabelSelectorRequirement {
  key: string;
  /** 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; anything else is reported, not assumed. */
  operator: string;
  values?: readonly string[];
}

// ---------------------------------------------------------------------------------------------------
// Label keys and values

const labelNameFormat = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const labelValueFormat = `(${labelNameFormat})?`;
const labelName = new RegExp(`^${labelNameFormat}$`);
const labelValue = new RegExp(`^${labelValueFormat}$`);
const labelNameMessage =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
export const labelNameMaxLength = 63;
export const labelValueMaxLength = 63;

/**
 * A label key (also called a qualified name): an optional DNS-subdomain prefix and `/`, then a name of
 * at most 63 bytes. Returns the problems found, empty when valid.
 */
export function validateLabelKey(key: string): string[] {
  const parts = key.split('/');
  if (parts.length > 2) {
    return [
      `a valid label key ${regexMessage(labelNameMessage, labelNameFormat, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  const problems: string[] = [];
  const name = parts.length === 2 ? (parts[1] ?? '') : key;
  if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    if (prefix === '') problems.push(`prefix part ${emptyMessage}`);
    else problems.push(...isDNS1123Subdomain(prefix, 'bytes').map((problem) => `prefix part ${problem}`));
  }
  if (name === '') problems.push(`name part ${emptyMessage}`);
  else if (byteLength(name) > labelNameMaxLength) {
    problems.push(`name part ${maxLengthMessage(labelNameMaxLength, 'bytes')}`);
  }
  if (!labelName.test(name)) {
    problems.push(
      `name part ${regexMessage(labelNameMessage, labelNameFormat, 'MyName', 'my.name', '123-abc')}`,
    );
  }
  return problems;
}

/** A label value: empty, or at most 63 bytes of `[A-Za-z0-9_.-]` starting and ending alphanumeric. */
export function validateLabelValue(value: string): string[] {
  const problems: string[] = [];
  if (byteLength(value) > labelValueMaxLength) problems.push(maxLengthMessage(labelValueMaxLength, 'bytes'));
  if (!labelValue.test(value)) {
    problems.push(
      regexMessage(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        labelValueFormat,
        'MyValue',
        'my_value',
        '12345',
      ),
    );
  }
  return problems;
}

/** An object's labels, as `metadata.labels` is validated: one error per problem, keys in sorted order. */
export function validateLabels(
  labels: Readonly<Record<string, string>> | undefined,
  path: string,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const key of Object.keys(labels ?? {}).sort()) {
    const value = labels?.[key] ?? '';
    for (const problem of validateLabelKey(key)) errors.push(fieldError.invalid(path, key, problem));
    for (const problem of validateLabelValue(value)) errors.push(fieldError.invalid(path, value, problem));
  }
  return errors;
}

/** A LabelSelector inside an object (for a 422), as upstream's ValidateLabelSelector reports it. */
export function validateLabelSelector(selector: LabelSelector | undefined, path: string): FieldError[] {
  if (selector === undefined) return [];
  const errors = validateLabels(selector.matchLabels, childPath(path, 'matchLabels'));
  (selector.matchExpressions ?? []).forEach((expression, index) => {
    const at = `${childPath(path, 'matchExpressions')}[${index}]`;
    const values = expression.values ?? [];
    switch (expression.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) {
          errors.push(
            fieldError.required(`${at}.values`, "must be specified when `operator` is 'In' or 'NotIn'"),
          );
        }
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) {
          errors.push(
            fieldError.forbidden(
              `${at}.values`,
              "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            ),
          );
        }
        break;
      default:
        errors.push(
          fieldError.invalid(`${at}.operator`, expression.operator, 'not a valid selector operator'),
        );
    }
    for (const problem of validateLabelKey(expression.key)) {
      errors.push(fieldError.invalid(`${at}.key`, expression.key, problem));
    }
    values.forEach((value, valueIndex) => {
      for (const problem of validateLabelValue(value)) {
        errors.push(fieldError.invalid(`${at}.values[${valueIndex}]`, value, problem));
      }
    });
  });
  return errors;
}

function childPath(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

// ---------------------------------------------------------------------------------------------------
// Requirements and selectors

/**
 * Builds a requirement or returns upstream's field errors for it. Paths are relative (`key`, `values`,
 * `values[0][app]`) because that is how they appear inside upstream's selector messages.
 */
function checkRequirement(key: string, operator: LabelOperator, values: readonly string[]): FieldError[] {
  const errors: FieldError[] = [];
  const keyProblems = validateLabelKey(key);
  if (keyProblems.length > 0) errors.push(fieldError.invalid('key', key, keyProblems.join('; ')));
  // Go prints a missing list as null; the object form hands over no list when it has no values.
  const shownValues = values.length === 0 ? null : values;
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0) {
        errors.push(
          fieldError.invalid('values', shownValues, "for 'in', 'notin' operators, values set can't be empty"),
        );
      }
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) {
        errors.push(
          fieldError.invalid('values', shownValues, 'exact-match compatibility requires one single value'),
        );
      }
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) {
        errors.push(
          fieldError.invalid('values', shownValues, 'values set must be empty for exists and does not exist'),
        );
      }
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) {
        errors.push(
          fieldError.invalid(
            'values',
            shownValues,
            "for 'Gt', 'Lt' operators, exactly one value is required",
          ),
        );
      }
      values.forEach((value, index) => {
        if (parseInt64(value) === undefined) {
          errors.push(
            fieldError.invalid(
              `values[${index}]`,
              value,
              "for 'Gt', 'Lt' operators, the value must be an integer",
            ),
          );
        }
      });
      break;
  }
  values.forEach((value, index) => {
    const problems = validateLabelValue(value);
    if (problems.length > 0) {
      errors.push(fieldError.invalid(`values[${index}][${key}]`, value, problems.join('; ')));
    }
  });
  return errors;
}

function newRequirement(key: string, operator: LabelOperator, values: readonly string[]): Requirement {
  const problem = aggregateFieldErrors(checkRequirement(key, operator, values));
  if (problem !== undefined) throw new SelectorSyntaxError(problem);
  return { key, operator, values: [...values] };
}

function requirementMatches(requirement: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const present = Object.hasOwn(labels, requirement.key);
  const value = present ? labels[requirement.key] : undefined;
  switch (requirement.operator) {
    case '=':
    case '==':
    case 'in':
      return value !== undefined && requirement.values.includes(value);
    case '!=':
    case 'notin':
      return value === undefined || !requirement.values.includes(value);
    case 'exists':
      return present;
    case '!':
      return !present;
    case 'gt':
    case 'lt': {
      // A label value that is not an integer simply does not match.
      const actual = value === undefined ? undefined : parseInt64(value);
      const bound = requirement.values.length === 1 ? parseInt64(requirement.values[0] ?? '') : undefined;
      if (actual === undefined || bound === undefined) return false;
      return requirement.operator === 'gt' ? actual > bound : actual < bound;
    }
  }
}

function requirementToString(requirement: Requirement): string {
  const { key, operator, values } = requirement;
  if (operator === 'exists') return key;
  if (operator === '!') return `!${key}`;
  const shown = values.length === 1 ? (values[0] ?? '') : [...values].sort().join(',');
  switch (operator) {
    case 'in':
      return `${key} in (${shown})`;
    case 'notin':
      return `${key} notin (${shown})`;
    case 'gt':
      return `${key}>${shown}`;
    case 'lt':
      return `${key}<${shown}`;
    default:
      return `${key}${operator}${shown}`;
  }
}

class RequirementsSelector implements Selector {
  readonly requirements: readonly Requirement[];

  constructor(requirements: readonly Requirement[]) {
    // Sorted by key (a stable sort: requirements on one key keep their order) so equal selectors print alike.
    this.requirements = [...requirements].sort((a, b) => compareStrings(a.key, b.key));
  }

  get empty(): boolean {
    return this.requirements.length === 0;
  }

  matches(labels: Readonly<Record<string, string>> | undefined): boolean {
    const set = labels ?? {};
    return this.requirements.every((requirement) => requirementMatches(requirement, set));
  }

  exactMatch(key: string): string | undefined {
    const requirement = this.requirements.find((candidate) => candidate.key === key);
    if (requirement === undefined || requirement.values.length !== 1) return undefined;
    const exact =
      requirement.operator === '=' || requirement.operator === '==' || requirement.operator === 'in';
    return exact ? requirement.values[0] : undefined;
  }

  toString(): string {
    return this.requirements.map(requirementToString).join(',');
  }
}

/** Matches every object (an absent or empty selector). */
export const everythingSelector: Selector = new RequirementsSelector([]);

/** Matches no object: what a null LabelSelector means. It is not `empty`, and it prints as ''. */
export const nothingSelector: Selector = {
  requirements: [],
  empty: false,
  matches: () => false,
  exactMatch: () => undefined,
  toString: () => '',
};

/** A selector demanding exactly these labels, without validating them (upstream's SelectorFromSet). */
export function selectorFromSet(labels: Readonly<Record<string, string>> | undefined): Selector {
  return new RequirementsSelector(
    Object.entries(labels ?? {}).map(([key, value]) => ({ key, operator: '=', values: [value] })),
  );
}

const objectFormOperators: ReadonlyMap<string, LabelOperator> = new Map([
  ['In', 'in'],
  ['NotIn', 'notin'],
  ['Exists', 'exists'],
  ['DoesNotExist', '!'],
]);

/**
 * Compiles the object form. An absent selector (null or undefined) selects nothing; an empty one
 * (`{}`) selects everything — the distinction Kubernetes draws. A malformed selector is a 400.
 */
export function labelSelectorAsSelector(selector: LabelSelector | null | undefined): Selector {
  if (selector === null || selector === undefined) return nothingSelector;
  const matchLabels = Object.entries(selector.matchLabels ?? {}).sort(([a], [b]) => compareStrings(a, b));
  const matchExpressions = selector.matchExpressions ?? [];
  if (matchLabels.length + matchExpressions.length === 0) return everythingSelector;
  try {
    const requirements = matchLabels.map(([key, value]) => newRequirement(key, '=', [value]));
    for (const expression of matchExpressions) {
      const operator = objectFormOperators.get(expression.operator);
      if (operator === undefined) {
        throw new SelectorSyntaxError(
          `${goQuote(expression.operator)} is not a valid label selector operator`,
        );
      }
      requirements.push(newRequirement(expression.key, operator, expression.values ?? []));
    }
    return new RequirementsSelector(requirements);
  } catch (error) {
    if (error instanceof SelectorSyntaxError) throw badRequest(error.message);
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------
// The string form
//
//   selector    ::= requirement | requirement "," selector
//   requirement ::= [!] KEY [ ("in" | "notin") "(" VALUES ")" | ("=" | "==" | "!=" | ">" | "<") VALUE ]
//
// Blanks (space, tab, CR, LF) separate tokens. `in`/`notin` are operators after a key but plain values
// inside a value list, so `a in (in,notin)` is valid.

/** Parses `?labelSelector=`. Blank selects everything; a malformed string is a 400 BadRequest. */
export function parseLabelSelector(text: string): Selector {
  try {
    return new RequirementsSelector(new Parser(text).parse());
  } catch (error) {
    if (error instanceof SelectorSyntaxError) throw badRequest(error.message);
    throw error;
  }
}

/** Internal: a parse failure, turned into a 400 at the module's edge. */
class SelectorSyntaxError extends Error {}

type TokenType =
  | 'end'
  | 'identifier'
  | '!'
  | '='
  | '=='
  | '!='
  | '>'
  | '<'
  | 'in'
  | 'notin'
  | '('
  | ')'
  | ','
  | 'error';

interface Token {
  readonly type: TokenType;
  readonly literal: string;
}

const symbolTokens: ReadonlySet<string> = new Set(['!', '=', '==', '!=', '>', '<', '(', ')', ',']);
const specialCharacters = '=!(),><';
const blankCharacters = ' \t\r\n';
const endToken: Token = { type: 'end', literal: '' };

/**
 * Splits the text into tokens. A symbol run takes the longest known operator (`!=`, not `!` then `=`);
 * anything else up to a blank or a symbol is an identifier. Like upstream's byte reader, a NUL character
 * where a token would start ends the text.
 */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  const read = (): string => (position < text.length ? (text[position++] ?? '\0') : '\0');

  for (;;) {
    let character = read();
    while (blankCharacters.includes(character)) character = read();
    if (character === '\0') {
      tokens.push(endToken);
      return tokens;
    }
    position--;
    if (specialCharacters.includes(character)) tokens.push(readSymbol());
    else tokens.push(readWord());
  }

  function readSymbol(): Token {
    let run = '';
    let longest: Token | undefined;
    for (;;) {
      const next = read();
      if (next === '\0') break;
      if (!specialCharacters.includes(next)) {
        position--;
        break;
      }
      run += next;
      if (symbolTokens.has(run)) longest = { type: run as TokenType, literal: run };
      else if (longest !== undefined) {
        position--;
        break;
      }
    }
    return longest ?? { type: 'error', literal: `error expected: keyword found '${run}'` };
  }

  function readWord(): Token {
    let word = '';
    for (;;) {
      const next = read();
      if (next === '\0') break;
      if (specialCharacters.includes(next) || blankCharacters.includes(next)) {
        position--;
        break;
      }
      word += next;
    }
    if (word === 'in' || word === 'notin') return { type: word, literal: word };
    return { type: 'identifier', literal: word };
  }
}

/** Where a token is read: after a key `in` is an operator, among values it is just a value. */
type Context = 'operator' | 'values';

class Parser {
  private readonly tokens: Token[];
  private position = 0;

  constructor(text: string) {
    this.tokens = tokenize(text);
  }

  parse(): Requirement[] {
    const requirements: Requirement[] = [];
    for (;;) {
      const { type, literal } = this.peek('values');
      if (type === 'end') return requirements;
      if (type !== 'identifier' && type !== '!') {
        throw new SelectorSyntaxError(`found '${literal}', expected: !, identifier, or 'end of string'`);
      }
      try {
        requirements.push(this.parseRequirement());
      } catch (error) {
        if (error instanceof SelectorSyntaxError) {
          throw new SelectorSyntaxError(`unable to parse requirement: ${error.message}`);
        }
        throw error;
      }
      const after = this.next('values');
      if (after.type === 'end') return requirements;
      if (after.type !== ',') {
        throw new SelectorSyntaxError(`found '${after.literal}', expected: ',' or 'end of string'`);
      }
      const following = this.peek('values');
      if (following.type !== 'identifier' && following.type !== '!') {
        throw new SelectorSyntaxError(`found '${following.literal}', expected: identifier after ','`);
      }
    }
  }

  private parseRequirement(): Requirement {
    let token = this.next('values');
    const negated = token.type === '!';
    if (negated) token = this.next('values');
    if (token.type !== 'identifier') {
      throw new SelectorSyntaxError(`found '${token.literal}', expected: identifier`);
    }
    const key = token.literal;
    const keyProblems = validateLabelKey(key);
    if (keyProblems.length > 0) {
      // Upstream reports this error with no field path, which Go prints as "<nil>".
      throw new SelectorSyntaxError(
        formatFieldError(fieldError.invalid('<nil>', key, keyProblems.join('; '))),
      );
    }
    const lookahead = this.peek('values').type;
    if (negated) return newRequirement(key, '!', []);
    if (lookahead === 'end' || lookahead === ',') return newRequirement(key, 'exists', []);

    const operator = this.parseOperator();
    const values =
      operator === 'in' || operator === 'notin' ? this.parseValueList() : this.parseSingleValue();
    return newRequirement(key, operator, [...values].sort(compareStrings));
  }

  private parseOperator(): LabelOperator {
    const { type, literal } = this.next('operator');
    switch (type) {
      case 'in':
      case 'notin':
      case '=':
      case '==':
      case '!=':
        return type;
      case '>':
        return 'gt';
      case '<':
        return 'lt';
      default:
        throw new SelectorSyntaxError(`found '${literal}', expected: in, notin, =, ==, !=, gt, lt`);
    }
  }

  /** `(a,b)`; empty entries (`()`, `(a,)`, `(,a)`) stand for the empty string. */
  private parseValueList(): Set<string> {
    const open = this.next('values');
    if (open.type !== '(') throw new SelectorSyntaxError(`found '${open.literal}' expected: '('`);
    const first = this.peek('values');
    if (first.type === ')') {
      this.next('values');
      return new Set(['']);
    }
    if (first.type !== 'identifier' && first.type !== ',') {
      throw new SelectorSyntaxError(`found '${first.literal}', expected: ',', ')' or identifier`);
    }
    const values = new Set<string>();
    for (;;) {
      const token = this.next('values');
      if (token.type === 'identifier') {
        values.add(token.literal);
        const after = this.peek('values');
        if (after.type === ')') break;
        if (after.type !== ',') {
          throw new SelectorSyntaxError(`found '${after.literal}', expected: ',' or ')'`);
        }
      } else if (token.type === ',') {
        if (values.size === 0) values.add('');
        const after = this.peek('values').type;
        if (after === ',' || after === ')') values.add('');
        if (after === ')') break;
      } else {
        throw new SelectorSyntaxError(`found '${token.literal}', expected: ',', or identifier`);
      }
    }
    // Upstream names the token that opened the list here, not the one it found.
    if (this.next('values').type !== ')') {
      throw new SelectorSyntaxError(`found '${first.literal}', expected: ')'`);
    }
    return values;
  }

  /** The value after `=`, `!=`, `>`…; nothing before `,` or the end means the empty string. */
  private parseSingleValue(): Set<string> {
    const lookahead = this.peek('values').type;
    if (lookahead === 'end' || lookahead === ',') return new Set(['']);
    const token = this.next('values');
    if (token.type !== 'identifier') {
      throw new SelectorSyntaxError(`found '${token.literal}', expected: identifier`);
    }
    return new Set([token.literal]);
  }

  private peek(context: Context): Token {
    return this.asRead(this.tokens[this.position] ?? endToken, context);
  }

  private next(context: Context): Token {
    const token = this.peek(context);
    this.position++;
    return token;
  }

  private asRead(token: Token, context: Context): Token {
    if (context === 'values' && (token.type === 'in' || token.type === 'notin')) {
      return { type: 'identifier', literal: token.literal };
    }
    return token;
  }
}

// ---------------------------------------------------------------------------------------------------

/** Go's strconv.ParseInt(value, 10, 64): optional sign, decimal digits, within int64. */
function parseInt64(text: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const value = BigInt(text);
  return value >= -(2n ** 63n) && value < 2n ** 63n ? value : undefined;
}

/** Byte-wise order, as Go sorts strings (for the ASCII that labels allow, the same as UTF-16 order). */
function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
