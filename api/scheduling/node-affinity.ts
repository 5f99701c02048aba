/**
 * A NodeSelector (the form of node affinity's `requiredDuringSchedulingIgnoredDuringExecution`),
 * compiled once and matched against nodes, as component-helpers' LazyErrorNodeSelector:
 *
 *   nodeSelectorTerms            ORed: a node matching any term matches
 *     matchExpressions           ANDed, on the node's labels: In, NotIn, Exists, DoesNotExist, Gt, Lt
 *     matchFields                ANDed, on the node's fields: `metadata.name` with In or NotIn, one value
 *
 *   {nodeSelectorTerms: [
 *     {matchExpressions: [{key: zone, operator: In, values: [a, b]}, {key: gpu, operator: Exists}]},
 *     {matchFields: [{key: metadata.name, operator: In, values: [node-7]}]},
 *   ]}                           → nodes in zone a or b with a gpu label, and node-7 whatever its labels
 *
 * A term with neither list selects nothing, and so does a selector with no terms. A malformed term (an
 * unknown operator, Gt with two values, In without values, an invalid key) never matches; its problems
 * are kept in `errors` and the other terms still count — upstream defers such errors so that one bad
 * term does not hide the good ones.
 */
import { validateLabelKey, validateLabelValue } from '../labels.js';
import type { Node, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm } from './types.js';

/** The only node field a term may select on. */
export const NODE_NAME_FIELD = 'metadata.name';

export interface CompiledNodeSelector {
  matches(node: Node): boolean;
  /** Problems with malformed terms (each such term matches nothing). */
  readonly errors: readonly string[];
}

type LabelTest = (labels: Readonly<Record<string, string>>) => boolean;
type FieldTest = (fields: Readonly<Record<string, string>>) => boolean;

interface CompiledTerm {
  /** Undefined: the term has no matchExpressions, so labels do not restrict it. */
  readonly labels?: readonly LabelTest[];
  readonly fields?: readonly FieldTest[];
  readonly errors: readonly string[];
}

export function compileNodeSelector(selector: NodeSelector | undefined): CompiledNodeSelector {
  const terms: CompiledTerm[] = [];
  (selector?.nodeSelectorTerms ?? []).forEach((term, index) => {
    if (isEmptyTerm(term)) return;
    terms.push(compileTerm(term, `nodeSelectorTerms[${index}]`));
  });
  return {
    errors: terms.flatMap((term) => term.errors),
    matches(node) {
      const labels = node.metadata?.labels ?? {};
      const name = node.metadata?.name ?? '';
      // A node without a name has no fields; matchFields then do not restrict (upstream's extractNodeFields).
      const fields: Record<string, string> = name ? { [NODE_NAME_FIELD]: name } : {};
      return terms.some((term) => {
        if (term.errors.length > 0) return false;
        if (term.labels && !term.labels.every((test) => test(labels))) return false;
        if (term.fields && name && !term.fields.every((test) => test(fields))) return false;
        return true;
      });
    },
  };
}

function isEmptyTerm(term: NodeSelectorTerm | null | undefined): boolean {
  return !term || ((term.matchExpressions ?? []).length === 0 && (term.matchFields ?? []).length === 0);
}

function compileTerm(term: NodeSelectorTerm, path: string): CompiledTerm {
  const errors: string[] = [];
  const expressions = term.matchExpressions ?? [];
  const fieldRequirements = term.matchFields ?? [];
  const labels =
    expressions.length === 0
      ? undefined
      : expressions.flatMap((requirement, index) =>
          compileLabelRequirement(requirement, `${path}.matchExpressions[${index}]`, errors),
        );
  const fields =
    fieldRequirements.length === 0
      ? undefined
      : fieldRequirements.flatMap((requirement, index) =>
          compileFieldRequirement(requirement, `${path}.matchFields[${index}]`, errors),
        );
  return { ...(labels ? { labels } : {}), ...(fields ? { fields } : {}), errors };
}

/** labels.NewRequirement's checks, then the test. Problems go to `errors`; the result is then empty. */
function compileLabelRequirement(
  requirement: NodeSelectorRequirement,
  path: string,
  errors: string[],
): LabelTest[] {
  const { key, operator } = requirement;
  const values = requirement.values ?? [];
  const problems: string[] = validateLabelKey(key).map((problem) => `${path}.key: Invalid value: ${problem}`);
  switch (operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0)
        problems.push(
          `${path}.values: Invalid value: for 'in', 'notin' operators, values set can't be empty`,
        );
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length !== 0)
        problems.push(
          `${path}.values: Invalid value: values set must be empty for exists and does not exist`,
        );
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1)
        problems.push(
          `${path}.values: Invalid value: for 'Gt', 'Lt' operators, exactly one value is required`,
        );
      else if (parseInt64(values[0] ?? '') === undefined)
        problems.push(
          `${path}.values[0]: Invalid value: for 'Gt', 'Lt' operators, the value must be an integer`,
        );
      break;
    default:
      problems.push(
        `${path}.operator: Unsupported value: "${operator}": supported values: "DoesNotExist", "Exists", "Gt", "In", "Lt", "NotIn"`,
      );
  }
  values.forEach((value, index) => {
    for (const problem of validateLabelValue(value))
      problems.push(`${path}.values[${index}]: Invalid value: ${problem}`);
  });
  if (problems.length > 0) {
    errors.push(...problems);
    return [];
  }
  switch (operator) {
    case 'In':
      return [(labels) => Object.hasOwn(labels, key) && values.includes(labels[key] ?? '')];
    case 'NotIn':
      return [(labels) => !Object.hasOwn(labels, key) || !values.includes(labels[key] ?? '')];
    case 'Exists':
      return [(labels) => Object.hasOwn(labels, key)];
    case 'DoesNotExist':
      return [(labels) => !Object.hasOwn(labels, key)];
    default: {
      // Gt or Lt: a label that is absent or not an integer does not match.
      const bound = parseInt64(values[0] ?? '') as bigint;
      const greater = operator === 'Gt';
      return [
        (labels) => {
          const actual = Object.hasOwn(labels, key) ? parseInt64(labels[key] ?? '') : undefined;
          if (actual === undefined) return false;
          return greater ? actual > bound : actual < bound;
        },
      ];
    }
  }
}

/** nodeSelectorRequirementsAsFieldSelector: In or NotIn with exactly one value. */
function compileFieldRequirement(
  requirement: NodeSelectorRequirement,
  path: string,
  errors: string[],
): FieldTest[] {
  const { key, operator } = requirement;
  const values = requirement.values ?? [];
  if (operator !== 'In' && operator !== 'NotIn') {
    errors.push(`${path}.operator: Unsupported value: "${operator}": supported values: "In", "NotIn"`);
    return [];
  }
  if (values.length !== 1) {
    errors.push(`${path}.values: Invalid value: must have one element`);
    return [];
  }
  const wanted = values[0] ?? '';
  // An unknown field reads as the empty string, as a fields.Set does.
  return operator === 'In'
    ? [(fields) => (fields[key] ?? '') === wanted]
    : [(fields) => (fields[key] ?? '') !== wanted];
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(s, 10, 64): an optional sign and decimal digits, in range; else undefined. */
function parseInt64(text: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const value = BigInt(text);
  return value < INT64_MIN || value > INT64_MAX ? undefined : value;
}
