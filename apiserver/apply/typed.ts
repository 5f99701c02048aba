import { isRecord } from '../../api/resources/json.js';
import { type ChildSet, FieldSet, FieldSetBuilder, sortedSet } from './field-set.js';
import {
  compareElements,
  fieldElement,
  formatElement,
  formatPath,
  type KeyField,
  keyElement,
  type Path,
  type PathElement,
  serializeElement,
  valueElement,
} from './path-element.js';
import { deducedType, isNamedField, type ListType, memberType, type TypeRef } from './schema.js';

/**
 * The operations of server-side apply on JSON values of a known type (structured-merge-diff's typed
 * package): the set of fields a value sets, the difference between two values, the merge of an applied
 * configuration into a live object, and the removal of a set of fields.
 *
 * Values are plain JSON. `undefined` is "absent" (Go's nil Value); `null` is a JSON null, which counts as
 * set: `creationTimestamp: null` in a pod template is a field its writer owns.
 */

/** An object that does not fit its schema: a keyed list item without its keys, a duplicate in an apply. */
export class TypedValueError extends Error {
  override readonly name = 'TypedValueError';
  readonly code = 'SKIFF_ERR_TYPED_VALUE';
}

type Shape =
  | { readonly kind: 'leaf' }
  | { readonly kind: 'map'; readonly atomic: boolean; readonly type: TypeRef }
  | { readonly kind: 'list'; readonly atomic: boolean; readonly type: ListType };

const leaf: Shape = { kind: 'leaf' };

/**
 * What to do with a value at a place of the given type: walk into it (a granular map or struct, an
 * associative list) or treat it as one leaf. A value of the wrong JSON type for its schema is a leaf.
 */
function shapeOf(type: TypeRef, value: unknown): Shape {
  switch (type.kind) {
    case 'scalar':
      return leaf;
    case 'deduced':
      return isRecord(value) ? walkable(type) : leaf;
    case 'struct':
    case 'map':
      return value === null || value === undefined || isRecord(value) ? walkable(type) : leaf;
    case 'list':
      return value === null || value === undefined || Array.isArray(value) ? walkable(type) : leaf;
  }
}

/** The walkable shape of a type, made once per type (these walks run on every write). */
const shapes = new WeakMap<TypeRef, Shape>();

function walkable(type: TypeRef): Shape {
  let shape = shapes.get(type);
  if (!shape) {
    if (type.kind === 'list') shape = { kind: 'list', atomic: !type.associative, type };
    else if (type.kind === 'scalar') shape = leaf;
    else shape = { kind: 'map', atomic: type.kind === 'deduced' ? false : type.atomic, type };
    shapes.set(type, shape);
  }
  return shape;
}

/**
 * The shape two values at one place share; an absent value takes the other's. Values of different
 * shapes (an object where a list was) are compared and merged as leaves.
 */
function commonShape(type: TypeRef, lhs: unknown, rhs: unknown): Shape {
  const left = lhs === undefined ? undefined : shapeOf(type, lhs);
  const right = rhs === undefined ? undefined : shapeOf(type, rhs);
  if (left && right && left.kind !== right.kind) return leaf;
  return right ?? left ?? leaf;
}

function childType(type: TypeRef, key: string): TypeRef {
  if (type.kind === 'struct' || type.kind === 'map' || type.kind === 'deduced') {
    return memberType(type, key) ?? deducedType;
  }
  return deducedType;
}

const isEmptyValue = (value: unknown) =>
  value === null || value === undefined || (Array.isArray(value) ? value.length === 0 : isEmptyMap(value));

function isEmptyMap(value: unknown): boolean {
  if (!isRecord(value)) return false;
  for (const _ in value) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------------
// List items and their steps.

/** The step naming one item of an associative list: its keys, or (in a set) its value. */
export function itemStep(type: ListType, item: unknown): PathElement {
  if (type.keys.length > 0) {
    if (item === null) throw new TypedValueError('associative list with keys may not have a null element');
    if (!isRecord(item))
      throw new TypedValueError('associative list with keys may not have non-map elements');
    const fields: KeyField[] = [];
    for (const key of type.keys) {
      if (Object.hasOwn(item, key)) fields.push([key, item[key]]);
      else if (type.keyDefaults[key] !== undefined) fields.push([key, type.keyDefaults[key]]);
    }
    if (fields.length === 0) {
      throw new TypedValueError(
        `associative list with keys has an element that omits all key fields ${goStringList(type.keys)} (and doesn't have default values for any key fields)`,
      );
    }
    return keyElement(fields);
  }
  if (isRecord(item))
    throw new TypedValueError("associative list without keys has an element that's a map type");
  if (Array.isArray(item))
    throw new TypedValueError('not supported: associative list with lists as elements');
  if (item === null)
    throw new TypedValueError("associative list without keys has an element that's an explicit null");
  return valueElement(item);
}

function goStringList(values: readonly string[]): string {
  return `[${values.map((value) => JSON.stringify(value)).join(' ')}]`;
}

/**
 * A string that tells list items apart within one list (not their FieldsV1 text, which costs JSON).
 * Keys of string values, by far the most common, need no JSON.
 */
function stepKey(step: PathElement): string {
  switch (step.type) {
    case 'field':
      return step.name;
    case 'key': {
      let key = '';
      for (const [name, value] of step.fields) {
        key +=
          typeof value === 'string'
            ? `${name}\u0001${value}\u0000`
            : `${name}\u0002${JSON.stringify(value)}\u0000`;
      }
      return key;
    }
    default:
      return serializeElement(step);
  }
}

// ---------------------------------------------------------------------------------------------------
// The set of fields a value sets (ToFieldSet).

/**
 * Every field the value sets. Leaves and atomic values are members; so are list items (besides their
 * fields), a struct field holding null or `{}`, and every entry of a map (`f:labels` → `f:app`).
 * Duplicated items of a list (possible in stored objects) are members without their fields.
 */
export function toFieldSet(value: unknown, type: TypeRef): FieldSet {
  const builder = new FieldSetBuilder();
  collect(value, type, builder, undefined);
  return builder.build();
}

function collect(
  value: unknown,
  type: TypeRef,
  parent: FieldSetBuilder,
  step: PathElement | undefined,
): void {
  const shape = shapeOf(type, value);
  if (shape.kind === 'leaf' || shape.atomic) {
    if (step) parent.addMember(step);
    return;
  }
  if (shape.kind === 'list') {
    if (!Array.isArray(value) || value.length === 0) return;
    const node = step ? parent.descend(step) : parent;
    const steps = value.map((item) => itemStep(shape.type, item));
    const seen = new Map<string, number>();
    for (const itemStep of steps) {
      const key = stepKey(itemStep);
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    for (const [index, item] of value.entries()) {
      const itemStep = steps[index]!;
      node.addMember(itemStep);
      if (seen.get(stepKey(itemStep))! > 1) continue;
      collect(item, shape.type.element, node, itemStep);
    }
    return;
  }
  if (!isRecord(value) || isEmptyMap(value)) return;
  const node = step ? parent.descend(step) : parent;
  for (const key in value) {
    const item = value[key];
    if (item === undefined) continue;
    const fieldStep = fieldElement(key);
    collect(item, childType(shape.type, key), node, fieldStep);
    if (item === null || isEmptyMap(item) || !isNamedField(shape.type, key)) node.addMember(fieldStep);
  }
}

// ---------------------------------------------------------------------------------------------------
// The difference between two values (Compare).

export interface Comparison {
  readonly added: FieldSet;
  readonly modified: FieldSet;
  readonly removed: FieldSet;
}

/**
 * What changed from `before` to `after`: leaves (and atomic values) added, removed or changed, and the
 * non-leaf maps, lists and items that appeared or went.
 */
export function compare(before: unknown, after: unknown, type: TypeRef): Comparison {
  const walk = new CompareWalk();
  walk.compare(before, after, type);
  return {
    added: walk.added.build(),
    modified: walk.modified.build(),
    removed: walk.removed.build(),
  };
}

class CompareWalk {
  readonly added = new FieldSetBuilder();
  readonly modified = new FieldSetBuilder();
  readonly removed = new FieldSetBuilder();
  readonly #path: PathElement[] = [];
  /**
   * Per builder, the builders along the current path as far as they have been needed: `stack[d]` is the
   * node for the path's first d steps. Inserting then costs one step, not a walk from the root.
   */
  readonly #stacks = new Map<FieldSetBuilder, FieldSetBuilder[]>([
    [this.added, [this.added]],
    [this.modified, [this.modified]],
    [this.removed, [this.removed]],
  ]);

  compare(lhs: unknown, rhs: unknown, type: TypeRef): void {
    // A value on one side only: all of it came or went (most of a create).
    if (lhs === undefined || rhs === undefined) {
      const value = lhs === undefined ? rhs : lhs;
      if (value === undefined) return;
      const builder = lhs === undefined ? this.added : this.removed;
      const path = this.#path;
      const below = whole(value, type);
      if (path.length === 0) builder.attach(undefined, below);
      else {
        const parent = this.#node(builder, path.length - 1);
        const step = path[path.length - 1]!;
        parent.addMember(step);
        parent.attach(step, below);
      }
      return;
    }
    // Equal values have no differences below them; most of an update is such values.
    if (jsonEqual(lhs, rhs)) return;
    const shape = commonShape(type, lhs, rhs);
    if (shape.kind === 'leaf' || shape.atomic || this.#bothEmpty(lhs, rhs)) {
      this.#leaf(lhs, rhs);
      return;
    }
    if (shape.kind === 'list') this.#lists(lhs, rhs, shape.type);
    else this.#maps(lhs, rhs, shape.type);
    if (lhs === undefined) this.#insert(this.added);
    else if (rhs === undefined) this.#insert(this.removed);
  }

  #bothEmpty(lhs: unknown, rhs: unknown): boolean {
    return isEmptyValue(lhs) && isEmptyValue(rhs);
  }

  #leaf(lhs: unknown, rhs: unknown): void {
    if (lhs === undefined) this.#insert(this.added);
    else if (rhs === undefined) this.#insert(this.removed);
    else if (!jsonEqual(lhs, rhs)) this.#insert(this.modified);
  }

  #insert(builder: FieldSetBuilder): void {
    const path = this.#path;
    if (path.length > 0) this.#node(builder, path.length - 1).addMember(path[path.length - 1]!);
  }

  /** The builder's node for the current path's first `depth` steps. */
  #node(builder: FieldSetBuilder, depth: number): FieldSetBuilder {
    const stack = this.#stacks.get(builder)!;
    const path = this.#path;
    while (stack.length <= depth) stack.push(stack[stack.length - 1]!.descend(path[stack.length - 1]!));
    return stack[depth]!;
  }

  #push(step: PathElement): void {
    this.#path.push(step);
  }

  #pop(): void {
    this.#path.pop();
    const depth = this.#path.length + 1;
    for (const stack of this.#stacks.values()) if (stack.length > depth) stack.length = depth;
  }

  #maps(lhs: unknown, rhs: unknown, type: TypeRef): void {
    const left = isRecord(lhs) ? lhs : undefined;
    const right = isRecord(rhs) ? rhs : undefined;
    const visit = (key: string, a: unknown, b: unknown) => {
      if (a === undefined && b === undefined) return;
      this.#push(fieldElement(key));
      this.compare(a, b, childType(type, key));
      this.#pop();
    };
    if (left) for (const key in left) visit(key, left[key], right?.[key]);
    if (right)
      for (const key in right) if (!left || !Object.hasOwn(left, key)) visit(key, undefined, right[key]);
  }

  #lists(lhs: unknown, rhs: unknown, type: ListType): void {
    const left = groupItems(type, Array.isArray(lhs) ? lhs : []);
    const right = groupItems(type, Array.isArray(rhs) ? rhs : []);
    const keys = [...left.keys()];
    for (const key of right.keys()) if (!left.has(key)) keys.push(key);
    for (const key of keys) {
      const before = left.get(key);
      const after = right.get(key);
      const step = (before ?? after)!.step;
      const beforeItems = before?.items ?? [];
      const afterItems = after?.items ?? [];
      this.#push(step);
      if (beforeItems.length <= 1 && afterItems.length <= 1) {
        this.compare(beforeItems[0], afterItems[0], type.element);
      } else if (beforeItems.length >= 2 && afterItems.length >= 2) {
        // Duplicates on both sides are compared as one atomic value.
        if (!jsonEqual(beforeItems, afterItems)) this.#insert(this.modified);
      } else if (beforeItems.length >= 2) {
        if (afterItems.length > 0) this.compare(undefined, afterItems[0], type.element);
        this.#insert(this.removed);
      } else {
        if (beforeItems.length > 0) this.compare(beforeItems[0], undefined, type.element);
        this.#insert(this.added);
      }
      this.#pop();
    }
  }
}

/**
 * The fields below a value that came (or went) whole: every leaf, and every map, list and item on the
 * way, is a member (what compare reports for a side that is absent). The value itself is a member of
 * its parent. Built level by level into sorted arrays: this is most of a create's work.
 */
function whole(value: unknown, type: TypeRef): FieldSet {
  const shape = shapeOf(type, value);
  if (shape.kind === 'leaf' || shape.atomic || isEmptyValue(value)) return FieldSet.empty;
  const members: PathElement[] = [];
  const children: ChildSet[] = [];
  if (shape.kind === 'list') {
    for (const group of groupItems(shape.type, value as unknown[]).values()) {
      members.push(group.step);
      if (group.items.length > 1) continue;
      const below = whole(group.items[0], shape.type.element);
      if (!below.isEmpty) children.push({ step: group.step, set: below });
    }
  } else {
    const object = value as Record<string, unknown>;
    for (const key in object) {
      const item = object[key];
      if (item === undefined) continue;
      const step = fieldElement(key);
      members.push(step);
      const below = whole(item, childType(shape.type, key));
      if (!below.isEmpty) children.push({ step, set: below });
    }
  }
  return sortedSet(members, children);
}

function groupItems(
  type: ListType,
  items: readonly unknown[],
): Map<string, { step: PathElement; items: unknown[] }> {
  const groups = new Map<string, { step: PathElement; items: unknown[] }>();
  for (const item of items) {
    const step = itemStep(type, item);
    const key = stepKey(step);
    const group = groups.get(key);
    if (group) group.items.push(item);
    else groups.set(key, { step, items: [item] });
  }
  return groups;
}

/** Deep equality of JSON values, key order aside. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let index = 0; index < a.length; index++) if (!jsonEqual(a[index], b[index])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  let count = 0;
  for (const key in left) {
    if (left[key] === undefined) continue;
    count++;
    if (!jsonEqual(left[key], right[key])) return false;
  }
  for (const key in right) if (right[key] !== undefined) count--;
  return count === 0;
}

// ---------------------------------------------------------------------------------------------------
// Merging an applied configuration into a live object (Merge).

/**
 * `config` merged into `live`: leaves and atomic values from `config` win; granular maps merge key by
 * key; associative lists merge item by item. The items both have take the configuration's order, and
 * the others stay next to their neighbours:
 *
 *   live [a, b, c], configuration [c, a]     → [b, c, a]     (b, not configured, keeps its place before c)
 *   live [a, b, c], configuration [b, d, a]  → [b, c, d, a]  (d, new, lands after the live items it follows)
 */
export function merge(live: unknown, config: unknown, type: TypeRef): unknown {
  return mergeValues(live, config, type, []);
}

function mergeValues(lhs: unknown, rhs: unknown, type: TypeRef, path: PathElement[]): unknown {
  const shape = commonShape(type, lhs, rhs);
  if (shape.kind === 'leaf' || shape.atomic || (isEmptyValue(lhs) && isEmptyValue(rhs))) {
    return rhs !== undefined ? rhs : lhs;
  }
  if (shape.kind === 'list') return mergeLists(lhs, rhs, shape.type, path);
  const left = isRecord(lhs) ? lhs : undefined;
  const right = isRecord(rhs) ? rhs : undefined;
  const out: Record<string, unknown> = {};
  let any = false;
  const visit = (key: string, a: unknown, b: unknown) => {
    if (a === undefined && b === undefined) return;
    path.push(fieldElement(key));
    const merged = mergeValues(a, b, childType(shape.type, key), path);
    path.pop();
    if (merged !== undefined) {
      out[key] = merged;
      any = true;
    }
  };
  if (left) for (const key in left) visit(key, left[key], right?.[key]);
  if (right)
    for (const key in right) if (!left || !Object.hasOwn(left, key)) visit(key, undefined, right[key]);
  return any ? out : undefined;
}

function mergeLists(lhs: unknown, rhs: unknown, type: ListType, path: PathElement[]): unknown {
  const left = Array.isArray(lhs) ? lhs : [];
  const right = Array.isArray(rhs) ? rhs : [];
  const rightSteps = right.map((item) => itemStep(type, item));
  const rightItems = new Map<string, unknown>();
  for (const [index, step] of rightSteps.entries()) {
    const key = stepKey(step);
    if (rightItems.has(key)) {
      throw new TypedValueError(`${formatPath(path)}: duplicate entries for key ${formatElement(step)}`);
    }
    rightItems.set(key, right[index]);
  }
  const leftKeys = left.map((item) => stepKey(itemStep(type, item)));
  // A duplicated live item is not merged with anything: its counterpart is null.
  const leftItems = new Map<string, unknown>();
  for (const [index, key] of leftKeys.entries()) {
    leftItems.set(key, leftItems.has(key) ? null : left[index]);
  }
  const shared = rightSteps.map(stepKey).filter((key) => leftItems.has(key));
  let sharedIndex = 0;
  let nextShared = shared[sharedIndex++];
  const mergedRight = new Set<string>();
  const out: unknown[] = [];
  const mergeItem = (step: PathElement, a: unknown, b: unknown) => {
    path.push(step);
    const merged = mergeValues(a, b, type.element, path);
    path.pop();
    if (merged !== undefined) out.push(merged);
  };
  let l = 0;
  let r = 0;
  while (l < left.length || r < right.length) {
    if (l < left.length && r < right.length) {
      const key = leftKeys[l]!;
      if (key === stepKey(rightSteps[r]!)) {
        mergedRight.add(key);
        mergeItem(rightSteps[r]!, leftItems.get(key), rightItems.get(key));
        l++;
        r++;
        nextShared = shared[sharedIndex++];
        continue;
      }
      // A shared item, but not the next one the configuration wants: it comes later.
      if (rightItems.has(key) && nextShared !== undefined && nextShared !== key) {
        l++;
        continue;
      }
    }
    if (l < left.length) {
      const key = leftKeys[l]!;
      if (!rightItems.has(key)) {
        mergeItem(itemStep(type, left[l]), left[l], undefined);
        l++;
        continue;
      }
      if (mergedRight.has(key)) l++;
    }
    if (r < right.length) {
      const step = rightSteps[r]!;
      const key = stepKey(step);
      mergedRight.add(key);
      mergeItem(step, leftItems.get(key), rightItems.get(key));
      r++;
      if (nextShared === key) nextShared = shared[sharedIndex++];
    }
  }
  return out.length > 0 ? out : undefined;
}

// ---------------------------------------------------------------------------------------------------
// Removing fields (RemoveItems).

/**
 * The value without the fields of `set`: a member goes with everything below it, a map, list or item
 * left empty by the removal goes too. Atomic values are removed only whole.
 */
export function removeItems(value: unknown, set: FieldSet, type: TypeRef): unknown {
  if (set.isEmpty) return value;
  const shape = shapeOf(type, value);
  if (shape.kind === 'leaf') return value;
  if (shape.atomic || isEmptyValue(value)) return undefined;
  if (shape.kind === 'list') {
    if (!Array.isArray(value)) return undefined;
    const kept: unknown[] = [];
    for (const item of value) {
      const step = itemStep(shape.type, item);
      if (set.has([step])) continue;
      const below = set.child(step);
      const rest = below ? removeItems(item, below, shape.type.element) : item;
      if (rest !== undefined) kept.push(rest);
    }
    return kept.length > 0 ? kept : undefined;
  }
  if (!isRecord(value)) return undefined;
  const out: Record<string, unknown> = {};
  let any = false;
  for (const key in value) {
    const step = fieldElement(key);
    if (set.has([step])) continue;
    const below = set.child(step);
    const rest = below ? removeItems(value[key], below, childType(shape.type, key)) : value[key];
    if (rest !== undefined) {
      out[key] = rest;
      any = true;
    }
  }
  return any ? out : undefined;
}

/**
 * The set with every named struct field that has a sub-set made a member as well, so that removing the
 * set removes those fields whole (upstream's EnsureNamedFieldsAreMembers, used when pruning).
 */
export function ensureNamedFieldsAreMembers(set: FieldSet, type: TypeRef): FieldSet {
  if (set.children.length === 0) return set;
  const members = [...set.members];
  const children = set.children.map((child) => {
    let below: TypeRef = deducedType;
    if (child.step.type === 'field') {
      if (type.kind === 'struct' || type.kind === 'map' || type.kind === 'deduced') {
        below = childType(type, child.step.name);
        if (isNamedField(type, child.step.name)) members.push(child.step);
      }
    } else if (child.step.type === 'key' && type.kind === 'list') {
      below = type.element;
    }
    return { step: child.step, set: ensureNamedFieldsAreMembers(child.set, below) };
  });
  members.sort(compareElements);
  const unique = members.filter(
    (step, index) => index === 0 || compareElements(members[index - 1]!, step) !== 0,
  );
  return new FieldSet(unique, children);
}

// ---------------------------------------------------------------------------------------------------
// Validating an applied configuration (ObjectToTyped without duplicates allowed).

/**
 * The problems that keep a configuration from being applied, as upstream words them: a field the type
 * does not have, a value of the wrong JSON type, a keyed list item without its keys, a duplicated item.
 * Paths are upstream's (`.spec.containers[name="web"].imagePullPolicy`).
 */
export function validateConfiguration(value: unknown, type: TypeRef): string[] {
  const problems: string[] = [];
  validateValue(value, type, [], problems, true);
  return problems;
}

function validateValue(
  value: unknown,
  type: TypeRef,
  path: PathElement[],
  problems: string[],
  root = false,
): void {
  if (value === null || value === undefined) return;
  const at = () => formatPath(path);
  switch (type.kind) {
    case 'deduced':
      return;
    case 'scalar': {
      // Upstream's words, Go's %T and %#v of the decoded value included.
      const goValue = `&value.valueUnstructured{Value:${goFormat(value)}}`;
      if (type.scalar === 'numeric' && typeof value !== 'number') {
        problems.push(`${at()}: expected numeric (int or float), got ${goTypeName(value)}`);
      } else if (type.scalar === 'string' && typeof value !== 'string') {
        problems.push(`${at()}: expected string, got ${goValue}`);
      } else if (type.scalar === 'boolean' && typeof value !== 'boolean') {
        problems.push(`${at()}: expected boolean, got &{${goFormat(value)}}`);
      } else if (typeof value === 'object') {
        problems.push(`${at()}: expected scalar, got ${goTypeName(value)}`);
      }
      return;
    }
    case 'struct':
    case 'map': {
      if (!isRecord(value)) {
        problems.push(`${at()}: expected map, got ${describe(value)}`);
        return;
      }
      for (const key in value) {
        const member = memberType(type, key);
        path.push(fieldElement(key));
        if (member) validateValue(value[key], member, path, problems);
        else if (!(root && (key === 'apiVersion' || key === 'kind'))) {
          problems.push(`${formatPath(path)}: field not declared in schema`);
        }
        path.pop();
      }
      return;
    }
    case 'list': {
      if (!Array.isArray(value)) {
        problems.push(`${at()}: expected list, got ${describe(value)}`);
        return;
      }
      const seen = new Set<string>();
      for (const [index, item] of value.entries()) {
        if (!type.associative) {
          path.push({ type: 'index', index });
          validateValue(item, type.element, path, problems);
          path.pop();
          continue;
        }
        let step: PathElement;
        try {
          step = itemStep(type, item);
        } catch (error) {
          problems.push(`${at()}: element ${index}: ${(error as Error).message}`);
          continue;
        }
        const key = stepKey(step);
        if (seen.has(key)) {
          problems.push(`${at()}: duplicate entries for key ${formatElement(step)}`);
          continue;
        }
        seen.add(key);
        path.push(step);
        validateValue(item, type.element, path, problems);
        path.pop();
      }
    }
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (isRecord(value)) return 'map';
  return goFormat(value);
}

function goTypeName(value: unknown): string {
  if (Array.isArray(value)) return '[]interface {}';
  if (isRecord(value)) return 'map[string]interface {}';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int64' : 'float64';
  return typeof value === 'boolean' ? 'bool' : 'string';
}

function goFormat(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(goFormat).join(' ')}]`;
  if (isRecord(value)) {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${key}:${goFormat(value[key])}`);
    return `map[${entries.join(' ')}]`;
  }
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

export type { Path };
