import {
  compareElements,
  formatPath,
  type Path,
  type PathElement,
  parseElement,
  serializeElement,
} from './path-element.js';

/**
 * A set of field paths, stored as a trie (structured-merge-diff's fieldpath.Set): at each level the
 * steps that are members of the set, and the sub-sets below each step that has any. A step can be both
 * — a list item owned as a whole and some of its fields — which FieldsV1 writes as `"."`:
 *
 *   paths  .spec.replicas, .spec.template.spec.containers[name="web"], …[name="web"].image
 *   trie   children spec → { members replicas, children template → … containers →
 *            { members k:{"name":"web"}, children k:{"name":"web"} → { members f:image } } }
 *   FieldsV1  {"f:spec":{"f:replicas":{},"f:template":{… "f:containers":
 *               {"k:{\"name\":\"web\"}":{".":{},"f:image":{}}}}}}
 *
 * Sets are values: every operation returns a new set and shares unchanged sub-sets with its inputs,
 * which is why nothing may edit a set after it is built.
 *
 * A set read from FieldsV1 is parsed one level at a time, when an operation first looks at that level,
 * and writes itself back as the very object it was read from. A write usually touches a few paths, so
 * the managers' sets it does not touch are never parsed or re-encoded.
 *
 * Invariant: `members` and `children` are sorted by `compareElements`, without duplicates, and no
 * child set is empty.
 */
export class FieldSet {
  #members: readonly PathElement[] | undefined;
  #children: readonly ChildSet[] | undefined;
  /** The FieldsV1 object a lazy set was read from (it may hold its parent's "."); written back as is. */
  readonly #fields: Record<string, unknown> | undefined;

  constructor(
    members: readonly PathElement[] = [],
    children: readonly ChildSet[] = [],
    fields?: Record<string, unknown>,
  ) {
    this.#fields = fields;
    if (!fields) {
      this.#members = members;
      this.#children = children;
    }
  }

  get members(): readonly PathElement[] {
    if (!this.#members) this.#parse();
    return this.#members!;
  }

  get children(): readonly ChildSet[] {
    if (!this.#children) this.#parse();
    return this.#children!;
  }

  /** The FieldsV1 this set was read from, if it was. */
  get fields(): Record<string, unknown> | undefined {
    return this.#fields;
  }

  /**
   * Parses this level: a key whose object holds other (known) keys is a child, and a member too if it
   * holds "."; any other key is a member.
   */
  #parse(): void {
    const fields = this.#fields!;
    const members: PathElement[] = [];
    const children: ChildSet[] = [];
    for (const key in fields) {
      if (key === '.') continue;
      const step = parseElement(key);
      if (!step) continue;
      const below = fields[key] as Record<string, unknown>;
      let self = false;
      let nested = false;
      for (const inner in below) {
        if (inner === '.') self = true;
        else if (isKnownElement(inner)) nested = true;
      }
      if (!nested) members.push(step);
      else {
        if (self) members.push(step);
        children.push({ step, set: new FieldSet([], [], below) });
      }
    }
    this.#members = isSorted(members) ? members : sortUnique(members);
    this.#children = isSortedChildren(children)
      ? children
      : children.sort((a, b) => compareElements(a.step, b.step));
  }

  /** The empty set (one shared instance; sets are immutable). */
  static get empty(): FieldSet {
    return emptySet;
  }

  static of(...paths: Path[]): FieldSet {
    const builder = new FieldSetBuilder();
    for (const path of paths) builder.insert(path);
    return builder.build();
  }

  get isEmpty(): boolean {
    return this.members.length === 0 && this.children.length === 0;
  }

  has(path: Path): boolean {
    let set: FieldSet | undefined = this;
    for (let index = 0; index < path.length - 1 && set; index++) set = set.child(path[index]!);
    return set !== undefined && path.length > 0 && indexOf(set.members, path[path.length - 1]!) >= 0;
  }

  /** The sub-set below one step (empty when there is none). */
  withPrefix(step: PathElement): FieldSet {
    return this.child(step) ?? FieldSet.empty;
  }

  child(step: PathElement): FieldSet | undefined {
    const index = childIndexOf(this.children, step);
    return index >= 0 ? this.children[index]!.set : undefined;
  }

  union(other: FieldSet): FieldSet {
    if (other.isEmpty) return this;
    if (this.isEmpty) return other;
    return new FieldSet(
      mergeSorted(this.members, other.members, 'union'),
      mergeChildren(this.children, other.children, (a, b) => a.union(b), true),
    );
  }

  intersection(other: FieldSet): FieldSet {
    if (this.isEmpty || other.isEmpty) return FieldSet.empty;
    return new FieldSet(
      mergeSorted(this.members, other.members, 'intersection'),
      mergeChildren(this.children, other.children, (a, b) => a.intersection(b), false),
    );
  }

  /** Members of `other` leave; sub-sets lose what `other` has below the same step. */
  difference(other: FieldSet): FieldSet {
    if (other.isEmpty || this.isEmpty) return this;
    const children: ChildSet[] = [];
    for (const child of this.children) {
      const below = other.child(child.step);
      if (!below) children.push(child);
      else {
        const rest = child.set.difference(below);
        if (!rest.isEmpty) children.push({ step: child.step, set: rest });
      }
    }
    return new FieldSet(mergeSorted(this.members, other.members, 'difference'), children);
  }

  /** Like `difference`, but a member of `other` also takes everything below it. */
  recursiveDifference(other: FieldSet): FieldSet {
    if (other.isEmpty || this.isEmpty) return this;
    const children: ChildSet[] = [];
    for (const child of this.children) {
      if (indexOf(other.members, child.step) >= 0) continue;
      const below = other.child(child.step);
      if (!below) children.push(child);
      else {
        const rest = child.set.recursiveDifference(below);
        if (!rest.isEmpty) children.push({ step: child.step, set: rest });
      }
    }
    return new FieldSet(mergeSorted(this.members, other.members, 'difference'), children);
  }

  equals(other: FieldSet): boolean {
    if (this === other) return true;
    if (this.members.length !== other.members.length || this.children.length !== other.children.length)
      return false;
    for (let index = 0; index < this.members.length; index++) {
      if (compareElements(this.members[index]!, other.members[index]!) !== 0) return false;
    }
    for (let index = 0; index < this.children.length; index++) {
      const mine = this.children[index]!;
      const theirs = other.children[index]!;
      if (compareElements(mine.step, theirs.step) !== 0 || !mine.set.equals(theirs.set)) return false;
    }
    return true;
  }

  /** Every member path: this level's members first, then each child's, in order. */
  *paths(prefix: PathElement[] = []): Generator<Path> {
    for (const member of this.members) yield [...prefix, member];
    for (const child of this.children) yield* child.set.paths([...prefix, child.step]);
  }

  get size(): number {
    let size = this.members.length;
    for (const child of this.children) size += child.set.size;
    return size;
  }

  toString(): string {
    return [...this.paths()].map(formatPath).join('\n');
  }

  /** The FieldsV1 object managedFields stores. */
  toFieldsV1(): Record<string, unknown> {
    return emitFields(this, false);
  }

  /**
   * Reads FieldsV1, lazily (see above); throws on a malformed shape now, and on a malformed key or
   * value element when its level is first parsed.
   */
  static fromFieldsV1(fields: unknown): FieldSet {
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
      throw new Error('FieldsV1 must be a JSON object');
    }
    checkShape(fields as Record<string, unknown>);
    return new FieldSet([], [], fields as Record<string, unknown>);
  }
}

// After the class: a static initialiser that constructs the class breaks once compiled for Node 20.
const emptySet = new FieldSet();

export interface ChildSet {
  readonly step: PathElement;
  readonly set: FieldSet;
}

/**
 * Builds a set from paths in any order, sorting once at the end; cheaper than inserting into sorted
 * arrays path by path when a whole object's fields are listed.
 */
export class FieldSetBuilder {
  readonly #members: PathElement[] = [];
  /** Whole sets handed over (`attach`), joined into the result by `build`. */
  #attached: FieldSet | undefined;
  #attachedBelow: Map<PathElement, FieldSet> | undefined;
  /** Made on the first descent: most nodes of a big set are leaves' parents with few children. */
  #children: Map<PathElement, FieldSetBuilder> | undefined;
  /** Children by the text of their step, so that equal steps built twice meet. */
  #byText: Map<string, PathElement> | undefined;

  insert(path: Path): void {
    let builder: FieldSetBuilder = this;
    for (let index = 0; index < path.length - 1; index++) builder = builder.descend(path[index]!);
    const last = path[path.length - 1];
    if (last) builder.addMember(last);
  }

  addMember(step: PathElement): void {
    this.#members.push(step);
  }

  descend(step: PathElement): FieldSetBuilder {
    const children = (this.#children ??= new Map());
    const same = children.get(step);
    if (same) return same;
    const byText = (this.#byText ??= new Map());
    const text = step.type === 'field' ? step.name : `\0${serializeElement(step)}`;
    const known = byText.get(text);
    if (known) return children.get(known)!;
    const builder = new FieldSetBuilder();
    byText.set(text, step);
    children.set(step, builder);
    return builder;
  }

  /** Adds a finished set below a step (or, without one, at this level), without copying it. */
  attach(step: PathElement | undefined, set: FieldSet): void {
    if (set.isEmpty) return;
    if (!step) {
      this.#attached = this.#attached ? this.#attached.union(set) : set;
      return;
    }
    const below = (this.#attachedBelow ??= new Map());
    const known = below.get(step);
    below.set(step, known ? known.union(set) : set);
  }

  /** Adds a whole set below a step. */
  addChild(step: PathElement, set: FieldSet): void {
    if (set.isEmpty) return;
    const builder = this.descend(step);
    for (const member of set.members) builder.addMember(member);
    for (const child of set.children) builder.addChild(child.step, child.set);
  }

  build(): FieldSet {
    for (const [step, set] of this.#attachedBelow ?? []) this.descend(step).attach(undefined, set);
    const members = sortUnique(this.#members);
    const children: ChildSet[] = [];
    if (this.#children) {
      for (const [step, builder] of this.#children) {
        const set = builder.build();
        if (!set.isEmpty) children.push({ step, set });
      }
      if (children.length > 1) children.sort((a, b) => compareElements(a.step, b.step));
    }
    const built =
      members.length === 0 && children.length === 0 ? FieldSet.empty : new FieldSet(members, children);
    return this.#attached ? built.union(this.#attached) : built;
  }
}

/** A set from one level's members and non-empty children, in any order (each step once). */
export function sortedSet(members: PathElement[], children: ChildSet[]): FieldSet {
  if (members.length === 0 && children.length === 0) return FieldSet.empty;
  if (!isSorted(members)) members.sort(compareElements);
  if (!isSortedChildren(children)) children.sort((a, b) => compareElements(a.step, b.step));
  return new FieldSet(members, children);
}

function sortUnique(steps: PathElement[]): PathElement[] {
  if (steps.length < 2) return steps;
  steps.sort(compareElements);
  const unique: PathElement[] = [steps[0]!];
  for (let index = 1; index < steps.length; index++) {
    if (compareElements(steps[index]!, unique[unique.length - 1]!) !== 0) unique.push(steps[index]!);
  }
  return unique;
}

function indexOf(sorted: readonly PathElement[], step: PathElement): number {
  let low = 0;
  let high = sorted.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const order = compareElements(sorted[middle]!, step);
    if (order === 0) return middle;
    if (order < 0) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

function childIndexOf(sorted: readonly ChildSet[], step: PathElement): number {
  let low = 0;
  let high = sorted.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const order = compareElements(sorted[middle]!.step, step);
    if (order === 0) return middle;
    if (order < 0) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

function mergeSorted(
  a: readonly PathElement[],
  b: readonly PathElement[],
  mode: 'union' | 'intersection' | 'difference',
): readonly PathElement[] {
  if (mode === 'union' && b.length === 0) return a;
  if (mode === 'union' && a.length === 0) return b;
  if (mode === 'difference' && (a.length === 0 || b.length === 0)) return a;
  const out: PathElement[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const order = compareElements(a[i]!, b[j]!);
    if (order < 0) {
      if (mode !== 'intersection') out.push(a[i]!);
      i++;
    } else if (order > 0) {
      if (mode === 'union') out.push(b[j]!);
      j++;
    } else {
      if (mode !== 'difference') out.push(a[i]!);
      i++;
      j++;
    }
  }
  if (mode !== 'intersection') while (i < a.length) out.push(a[i++]!);
  if (mode === 'union') while (j < b.length) out.push(b[j++]!);
  return out;
}

function mergeChildren(
  a: readonly ChildSet[],
  b: readonly ChildSet[],
  both: (left: FieldSet, right: FieldSet) => FieldSet,
  keepEither: boolean,
): readonly ChildSet[] {
  const out: ChildSet[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const order = compareElements(a[i]!.step, b[j]!.step);
    if (order < 0) {
      if (keepEither) out.push(a[i]!);
      i++;
    } else if (order > 0) {
      if (keepEither) out.push(b[j]!);
      j++;
    } else {
      const set = both(a[i]!.set, b[j]!.set);
      if (!set.isEmpty) out.push({ step: a[i]!.step, set });
      i++;
      j++;
    }
  }
  if (keepEither) {
    while (i < a.length) out.push(a[i++]!);
    while (j < b.length) out.push(b[j++]!);
  }
  return out;
}

/**
 * The `{}` of every member: one object, frozen. FieldsV1 is written frozen throughout: objects are
 * shared with the watch cache and informers, which freeze what they hold — a tree of hundreds of tiny
 * objects, made and frozen one by one, was most of what managedFields cost a write.
 */
const leaf: Record<string, unknown> = Object.freeze({});

function deepFreeze(value: Record<string, unknown>): void {
  if (Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const key in value) deepFreeze(value[key] as Record<string, unknown>);
}

/**
 * FieldsV1, written in the set's order: a step that is only a member is `{}`, a step with a sub-set
 * holds it, and a step that is both holds `".": {}` first.
 */
function emitFields(set: FieldSet, includeSelf: boolean): Record<string, unknown> {
  const read = set.fields;
  if (read) {
    // Written back as read, give or take the parent's ".".
    deepFreeze(read);
    const hasSelf = Object.hasOwn(read, '.');
    if (hasSelf === includeSelf) return read;
    if (includeSelf) return Object.freeze({ '.': leaf, ...read });
    const { '.': _, ...rest } = read;
    return Object.freeze(rest);
  }
  const out: Record<string, unknown> = {};
  if (includeSelf && (set.members.length > 0 || set.children.length > 0)) out['.'] = leaf;
  let m = 0;
  let c = 0;
  const { members, children } = set;
  while (m < members.length || c < children.length) {
    const member = members[m];
    const child = children[c];
    const order = !member ? 1 : !child ? -1 : compareElements(member, child.step);
    if (order < 0) {
      out[serializeElement(member!)] = leaf;
      m++;
    } else if (order > 0) {
      out[serializeElement(child!.step)] = emitFields(child!.set, false);
      c++;
    } else {
      out[serializeElement(child!.step)] = emitFields(child!.set, true);
      m++;
      c++;
    }
  }
  return Object.freeze(out);
}

/**
 * Every value an object, every key "." or `<letter>:…`; frozen on the way (it will be written back
 * frozen, see `leaf`), so a tree checked once is not walked again.
 */
function checkShape(fields: Record<string, unknown>): void {
  if (Object.isFrozen(fields)) return;
  Object.freeze(fields);
  for (const key in fields) {
    if (key !== '.' && (key.length < 2 || key[1] !== ':')) {
      throw new Error(`invalid path element ${JSON.stringify(key)}`);
    }
    const value = fields[key];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new Error(`FieldsV1 value at ${JSON.stringify(key)} must be an object`);
    }
    checkShape(value as Record<string, unknown>);
  }
}

/** A key this server reads (an unknown kind of element is skipped, as upstream skips it). */
function isKnownElement(key: string): boolean {
  const kind = key[0];
  return kind === 'f' || kind === 'k' || kind === 'v' || kind === 'i';
}

function isSorted(steps: readonly PathElement[]): boolean {
  for (let index = 1; index < steps.length; index++) {
    if (compareElements(steps[index - 1]!, steps[index]!) >= 0) return false;
  }
  return true;
}

function isSortedChildren(children: readonly ChildSet[]): boolean {
  for (let index = 1; index < children.length; index++) {
    if (compareElements(children[index - 1]!.step, children[index]!.step) >= 0) return false;
  }
  return true;
}
