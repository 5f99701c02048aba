import { isRecord } from '../resources/json.js';
import {
  type FieldSchema,
  hasMessage,
  jsonFields,
  messageSchema,
  specialTypes,
  wrappedItemType,
} from './dsl.js';

/**
 * Strategic merge patch (`application/strategic-merge-patch+json`), applied to a live object the way
 * kube-apiserver applies it: a port of apimachinery's `strategicpatch.StrategicMergeMapPatch` with
 * `MergeParallelList` and `IgnoreUnmatchedNulls`, its patch metadata read from our schema.
 *
 * A JSON merge patch whose lists know how to merge:
 *
 *   maps               merge key by key; `null` deletes a key; `{"$patch": "replace", …}` replaces the map,
 *                      `{"$patch": "delete"}` empties it; `"$retainKeys": [...]` first clears every key
 *                      of the live map not listed (used with the retainKeys strategy: a Deployment's
 *                      `strategy`, a volume's source)
 *   lists, strategy    objects merge by their merge key (`containers` by `name`); an item
 *   merge              `{"name": "x", "$patch": "delete"}` removes it, `{"$patch": "replace"}` makes the
 *                      other items the whole list; scalars are a union, `$deleteFromPrimitiveList/<f>`
 *                      removes some
 *   other lists        replaced whole
 *   `$setElementOrder/<f>`  the order the merged list must have (by merge key, or the scalars themselves)
 *
 * Order of a merged list, e.g. live `[a, b, c]`, patch `[{name: d}, {name: b, image: x}]`: the patch's
 * items in the patch's order, the live-only items in their live order, interleaved by the live order
 * where both are known: `[d, a, b', c]` (a new item lands before the live-only items that follow it).
 * `$setElementOrder` then takes precedence over both.
 *
 * Where the schema says nothing (a field we do not know, a RawExtension or JSON value, the values of a
 * map) maps still merge and lists replace: JSON merge patch, with the directives still understood.
 * (Upstream's struct lookup fails with "unable to find api field" there as soon as both sides hold an
 * object; merging is what a client patching a ControllerRevision's data means.)
 *
 * Upstream walks a patch in Go's random map order, so of two errors in one patch either may be the one
 * reported; here it is the first in the patch's key order. Everything else, orders included, matches
 * upstream item for item, down to its in-place edits of the live list (see GoSlice).
 *
 * Where upstream copies patch content without interpreting it (a replaced list, a list item with no
 * live counterpart), its decoder then drops directive keys and reads `null` fields as unset; the
 * result here has the same shape: no `$`-directive and no null field survives in copied content.
 */

/** Stable codes; each stands for the HTTP status kube-apiserver answers with. */
export type StrategicPatchErrorCode =
  /** 400 Bad Request: a malformed directive (`$retainKeys`, `$setElementOrder`, `$deleteFromPrimitiveList`). */
  | 'SKIFF_ERR_STRATEGIC_PATCH_FORMAT'
  /** 422: lists of lists cannot be merged. */
  | 'SKIFF_ERR_STRATEGIC_PATCH_UNPROCESSABLE'
  /**
   * Any other patch the merge cannot apply (an item without its merge key, an unknown `$patch`, a
   * `$setElementOrder` that contradicts the patch list). Upstream returns these as plain errors, which
   * kube-apiserver answers 500 with the message and no reason.
   */
  | 'SKIFF_ERR_STRATEGIC_PATCH_FAILED';

const httpStatus: Readonly<Record<StrategicPatchErrorCode, 400 | 422 | 500>> = {
  SKIFF_ERR_STRATEGIC_PATCH_FORMAT: 400,
  SKIFF_ERR_STRATEGIC_PATCH_UNPROCESSABLE: 422,
  SKIFF_ERR_STRATEGIC_PATCH_FAILED: 500,
};

/** The patch cannot be applied; `message` is upstream's, `status` the code kube-apiserver answers with. */
export class StrategicPatchError extends Error {
  override readonly name = 'StrategicPatchError';
  readonly code: StrategicPatchErrorCode;
  readonly status: 400 | 422 | 500;

  constructor(code: StrategicPatchErrorCode, message: string) {
    super(message);
    this.code = code;
    this.status = httpStatus[code];
  }
}

const badFormat = (message: string) => new StrategicPatchError('SKIFF_ERR_STRATEGIC_PATCH_FORMAT', message);
const failed = (message: string) => new StrategicPatchError('SKIFF_ERR_STRATEGIC_PATCH_FAILED', message);

// apimachinery's mergepatch errors, word for word.
const badJsonDocument = () => badFormat('invalid JSON document');
const badPrimitiveListFormat = () => badFormat('invalid patch format of primitive list');
const badRetainKeysFormat = () => badFormat('invalid patch format of retainKeys');
const badSetElementOrderFormat = () => badFormat('invalid patch format of setElementOrder list');
const noListOfLists = () =>
  new StrategicPatchError('SKIFF_ERR_STRATEGIC_PATCH_UNPROCESSABLE', 'lists of lists are not supported');
const noMergeKey = (item: JsonObject, mergeKey: string) =>
  failed(`map: ${goFormat(item)} does not contain declared merge key: ${mergeKey}`);
const badArgType = (expected: 'map' | 'slice', actual: unknown) =>
  failed(`expected a ${expected === 'map' ? goMap : goSlice}, but received a ${goTypeName(actual)}`);
const badPatchType = (type: unknown, item: JsonObject) =>
  failed(`unknown patch type: ${goFormatString(type)} in map: ${goFormat(item)}`);

const directiveMarker = '$patch';
const retainKeysDirective = '$retainKeys';
const deleteFromPrimitiveListPrefix = '$deleteFromPrimitiveList';
const setElementOrderPrefix = '$setElementOrder';

type JsonObject = Record<string, unknown>;

/**
 * Applies `patch` to `original` (a whole object of the message `schemaName`, e.g.
 * `io.k8s.api.apps.v1.Deployment`) and returns the result; neither input is changed. Throws
 * `StrategicPatchError` for a patch that cannot be applied.
 */
export function strategicMergePatch(original: unknown, patch: unknown, schemaName: string): unknown {
  const schema = typeSchema(schemaName);
  if (!schema) throw new Error(`${schemaName} is not a message`);
  // Upstream decodes both into map[string]interface{}: JSON null is an empty map, anything else an error.
  if (
    (original !== null && original !== undefined && !isRecord(original)) ||
    (patch !== null && !isRecord(patch))
  )
    throw badJsonDocument();
  return mergeMap(structuredClone((original ?? {}) as JsonObject), structuredClone(patch ?? {}), schema);
}

// ---------------------------------------------------------------------------------------------------
// Patch metadata from the schema (upstream's LookupPatchMeta over Go struct tags).

/** What the schema knows at one place in an object: a message's JSON fields, a map's values, or nothing. */
type Schema =
  | { readonly kind: 'struct'; readonly fields: Readonly<Record<string, FieldSchema>> }
  | { readonly kind: 'map'; readonly values: FieldSchema }
  | undefined;

interface PatchMeta {
  /** The strategy other than retainKeys: 'merge', 'replace' or ''. */
  readonly strategy: string;
  readonly mergeKey: string;
}

interface Lookup {
  /** For a map value the value's schema; for a list the element's. */
  readonly schema: Schema;
  readonly meta: PatchMeta;
}

const noMeta: PatchMeta = { strategy: '', mergeKey: '' };
const nothingKnown: Lookup = { schema: undefined, meta: noMeta };

const structViews = new Map<string, Schema>();

function typeSchema(type: string): Schema {
  if (specialTypes.has(type) || !hasMessage(type)) return undefined;
  let view = structViews.get(type);
  if (!view) {
    view = { kind: 'struct', fields: jsonFields(messageSchema(type)) };
    structViews.set(type, view);
  }
  return view;
}

function patchMeta(field: FieldSchema): PatchMeta {
  const strategies = field.patchStrategy ? field.patchStrategy.split(',') : [];
  // extractRetainKeysPatchStrategy: retainKeys says nothing here ($retainKeys works on any map).
  return {
    strategy: strategies.find((strategy) => strategy !== 'retainKeys') ?? '',
    mergeKey: field.patchMergeKey ?? '',
  };
}

/** The schema of the value at `key` when it is an object (LookupPatchMetadataForStruct). */
function lookupForMap(schema: Schema, key: string): Lookup {
  if (!schema) return nothingKnown;
  if (schema.kind === 'map') {
    const values = schema.values;
    return { schema: values.wrapped ? undefined : typeSchema(values.type), meta: noMeta };
  }
  const field = schema.fields[key];
  if (!field) return nothingKnown;
  let value: Schema;
  if (field.shape === 'map') value = { kind: 'map', values: field };
  else if (field.shape === 'single' && !field.wrapped) value = typeSchema(field.type);
  return { schema: value, meta: patchMeta(field) };
}

/** The schema of the elements of the list at `key` (LookupPatchMetadataForSlice). */
function lookupForList(schema: Schema, key: string): Lookup {
  if (!schema) return nothingKnown;
  if (schema.kind === 'map') {
    const values = schema.values;
    return { schema: values.wrapped ? typeSchema(wrappedItemType(values)) : undefined, meta: noMeta };
  }
  const field = schema.fields[key];
  if (!field) return nothingKnown;
  let element: Schema;
  if (field.wrapped && field.shape !== 'map') element = typeSchema(wrappedItemType(field));
  else if (field.shape === 'list') element = typeSchema(field.type);
  return { schema: element, meta: patchMeta(field) };
}

// ---------------------------------------------------------------------------------------------------
// Maps (mergeMap and what it calls). Both arguments are private copies and are changed in place.

function mergeMap(original: JsonObject, patch: JsonObject, schema: Schema): JsonObject {
  if (Object.hasOwn(patch, directiveMarker)) return mapDirective(patch[directiveMarker], patch);

  applyRetainKeysDirective(original, patch);
  // Merges and orders every list that has a $setElementOrder, and removes both from the patch.
  mergeOrderedLists(original, patch, schema);

  for (const [patchKey, patchValue] of Object.entries(patch)) {
    let key = patchKey;
    let isDeleteList = false;
    if (patchKey.startsWith(deleteFromPrimitiveListPrefix)) {
      key = directiveTarget(patchKey, deleteFromPrimitiveListPrefix);
      isDeleteList = true;
    }
    // null deletes, even through a deletion list's key (upstream's order of checks).
    if (patchValue === null) {
      delete original[key];
      continue;
    }
    const present = Object.hasOwn(original, key);
    const originalValue = original[key];
    if (!present || goTypeName(originalValue) !== goTypeName(patchValue)) {
      // Absent, or of another type: the patch value, without its directives.
      if (!isDeleteList) setOrDrop(original, key, removeDirectives(discardNulls(patchValue)));
      continue;
    }
    if (isRecord(originalValue)) {
      const { schema: valueSchema, meta } = lookupForMap(schema, key);
      original[key] =
        meta.strategy === 'replace'
          ? decoded(patchValue)
          : mergeMap(originalValue, patchValue as JsonObject, valueSchema);
    } else if (Array.isArray(originalValue)) {
      const { schema: elementSchema, meta } = lookupForList(schema, key);
      original[key] = mergeListField(
        originalValue,
        patchValue as unknown[],
        elementSchema,
        meta,
        isDeleteList,
      );
    } else {
      original[key] = patchValue;
    }
  }
  return original;
}

/** `$patch` in a map (handleDirectiveInMergeMap): replace it with the patch, or empty it. */
function mapDirective(directive: unknown, patch: JsonObject): JsonObject {
  if (directive === 'replace') {
    delete patch[directiveMarker];
    return decoded(patch) as JsonObject;
  }
  if (directive === 'delete') return {};
  // `$patch: merge` is no exception: upstream rejects it in maps too.
  throw badPatchType(directive, patch);
}

/**
 * `$retainKeys: [a, b]` clears every key of the live map but a and b; every key the patch sets must be
 * listed. Example: live `{type: RollingUpdate, rollingUpdate: {…}}`, patch
 * `{$retainKeys: [type], type: Recreate}` → `{type: Recreate}`.
 */
function applyRetainKeysDirective(original: JsonObject, patch: JsonObject): void {
  if (!Object.hasOwn(patch, retainKeysDirective)) return;
  const retainKeys = patch[retainKeysDirective];
  delete patch[retainKeysDirective];
  if (!Array.isArray(retainKeys)) throw badRetainKeysFormat();
  for (const key of retainKeys) hashKey(key);
  const retained = new Set<unknown>(retainKeys);
  for (const [key, value] of Object.entries(patch)) {
    if (
      value === null ||
      key.startsWith(deleteFromPrimitiveListPrefix) ||
      key.startsWith(setElementOrderPrefix)
    )
      continue;
    if (!retained.has(key)) throw badRetainKeysFormat();
  }
  for (const key of Object.keys(original)) if (!retained.has(key)) delete original[key];
}

/**
 * `$setElementOrder/<field>` (mergePatchIntoOriginal): merges the field's patch list (if any) into the
 * live list, then orders the result: the listed items in the listed order, the live-only items in their
 * live order, interleaved where the live order relates them.
 */
function mergeOrderedLists(original: JsonObject, patch: JsonObject, schema: Schema): void {
  for (const directiveKey of Object.keys(patch)) {
    if (!directiveKey.startsWith(setElementOrderPrefix)) continue;
    const order = patch[directiveKey];
    delete patch[directiveKey];
    if (!Array.isArray(order)) throw badArgType('slice', order);
    const key = directiveTarget(directiveKey, setElementOrderPrefix);

    const foundOriginal = Object.hasOwn(original, key);
    const foundPatch = Object.hasOwn(patch, key);
    const originalList = original[key];
    const patchList = patch[key];
    if (foundOriginal && !Array.isArray(originalList)) throw badArgType('slice', originalList);
    if (foundPatch && !Array.isArray(patchList)) throw badArgType('slice', patchList);
    const originalItems = foundOriginal ? (originalList as unknown[]) : undefined;
    const patchItems = foundPatch ? (patchList as unknown[]) : undefined;

    const { schema: elementSchema, meta } = lookupForList(schema, key);
    validatePatchWithSetOrderList(patchItems, order, meta.mergeKey);

    let merged: unknown[];
    if (originalItems && patchItems) {
      merged = mergeListField(originalItems, patchItems, elementSchema, meta, false);
    } else if (originalItems) {
      merged = originalItems;
    } else if (patchItems) {
      merged = decoded(removeDirectives(patchItems)) as unknown[];
    } else {
      continue;
    }

    const [listed, serverOnly] = meta.mergeKey
      ? partitionMapsByPresence(merged, order, meta.mergeKey)
      : partitionScalarsByPresence(merged, order);
    const kind = sliceElementType(originalItems ?? [], patchItems ?? []);
    original[key] = normalizeElementOrder(
      listed,
      serverOnly,
      order,
      originalItems ?? [],
      meta.mergeKey,
      kind,
    );
    delete patch[key];
  }
}

/**
 * Each item of the patch list (deletions aside) must appear in `$setElementOrder` in the same relative
 * order: `[{name: b}, {name: a}]` contradicts `$setElementOrder: [{name: a}, {name: b}]`.
 */
function validatePatchWithSetOrderList(
  patchList: unknown[] | undefined,
  order: unknown[],
  mergeKey: string,
): void {
  if (order.length === 0 || !patchList || patchList.length === 0) return;
  const items = mergeKey ? splitDeletions(patchList)[0] : patchList;
  let patchIndex = 0;
  let orderIndex = 0;
  while (patchIndex < items.length && orderIndex < order.length) {
    if (isRecord(items[patchIndex]) && Object.hasOwn(items[patchIndex] as JsonObject, directiveMarker)) {
      patchIndex++;
      continue;
    }
    if (mergeKeyValueEqual(items[patchIndex], order[orderIndex], mergeKey)) patchIndex++;
    orderIndex++;
  }
  if (patchIndex < items.length && orderIndex >= order.length) {
    throw failed(
      `The order in patch list:\n${goFormat(patchList)}\n doesn't match ${setElementOrderPrefix} list:\n${goFormat(order)}\n`,
    );
  }
}

function mergeKeyValueEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (!mergeKey) return goEqual(left, right);
  if (!isRecord(left)) throw badArgType('map', left);
  if (!isRecord(right)) throw badArgType('map', right);
  if (!Object.hasOwn(left, mergeKey)) throw noMergeKey(left, mergeKey);
  if (!Object.hasOwn(right, mergeKey)) throw noMergeKey(right, mergeKey);
  return goEqual(left[mergeKey], right[mergeKey]);
}

/** `$setElementOrder/containers` → `containers`; a prefix without `/<field>` is a 400. */
function directiveTarget(key: string, prefix: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix)
    throw prefix === deleteFromPrimitiveListPrefix ? badPrimitiveListFormat() : badSetElementOrderFormat();
  return key.slice(slash + 1);
}

// ---------------------------------------------------------------------------------------------------
// Lists (mergeSliceHandler, mergeSlice and what they call).

function mergeListField(
  original: unknown[],
  patch: unknown[],
  elementSchema: Schema,
  meta: PatchMeta,
  isDeleteList: boolean,
): unknown[] {
  // A deletion list applies whatever the strategy; otherwise only merge lists merge.
  if (meta.strategy === 'merge' || isDeleteList)
    return mergeList(original, patch, elementSchema, meta.mergeKey, isDeleteList);
  return decoded(patch) as unknown[];
}

function mergeList(
  original: unknown[],
  patch: unknown[],
  schema: Schema,
  mergeKey: string,
  isDeleteList: boolean,
): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = sliceElementType(original, patch);
  let merged: unknown[];
  let serverOrder = original;
  let patchItems = patch;
  if (kind !== 'map') {
    if (isDeleteList) return deleteFromList(original, patch);
    merged = deduplicateScalars([...original, ...patch]);
  } else {
    if (!mergeKey) throw failed(`cannot merge lists without merge key for ${schemaKindName(schema)}`);
    const { live, rest } = applyListItemDirectives(original, patch, mergeKey);
    serverOrder = contents(live);
    patchItems = rest;
    merged = mergeItemsByKey(live, rest, mergeKey, schema);
  }
  const [inPatch, serverOnly] = mergeKey
    ? partitionMapsByPresence(merged, patchItems, mergeKey)
    : partitionScalarsByPresence(merged, patchItems);
  return normalizeElementOrder(inPatch, serverOnly, patchItems, serverOrder, mergeKey, kind);
}

/**
 * A Go slice: a length over an array that other slices may share. Upstream deletes live items by
 * shifting the rest down within the live list's own array, then appends new items into the room that
 * frees; the `$setElementOrder` step orders by the live list afterwards and sees those writes. Example:
 * live `[a, b, c]`, patch `[{name: a, $patch: delete}, {name: d}]`: the array becomes `[b, c, c]`, then
 * `[b, c, d]`, and that is the live order `$setElementOrder` goes by. Modelling it keeps orders exact.
 */
interface GoSlice {
  array: unknown[];
  length: number;
}

const contents = (slice: GoSlice) => slice.array.slice(0, slice.length);

function removeAt(slice: GoSlice, index: number): void {
  slice.array.copyWithin(index, index + 1, slice.length);
  slice.length--;
}

/** Within the array while it has room (the live list's length is at most its capacity), else a new one. */
function append(slice: GoSlice, value: unknown): void {
  if (slice.length >= slice.array.length) slice.array = contents(slice);
  slice.array[slice.length++] = value;
}

/**
 * Items carrying `$patch` (mergeSliceWithSpecialElements): `delete` removes every live item with that
 * key, `replace` makes the patch's other items the whole list. Returns the live list (changed in
 * place, as upstream changes it) and the patch's other items.
 */
function applyListItemDirectives(
  original: unknown[],
  patch: unknown[],
  mergeKey: string,
): { live: GoSlice; rest: unknown[] } {
  const live: GoSlice = { array: original, length: original.length };
  const rest: unknown[] = [];
  let replace = false;
  for (const value of patch) {
    const item = value as JsonObject;
    if (!Object.hasOwn(item, directiveMarker)) {
      rest.push(item);
      continue;
    }
    const directive = item[directiveMarker];
    if (directive === 'delete') {
      if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
      for (let index = findByKey(live.array, mergeKey, item[mergeKey], live.length); index >= 0; ) {
        removeAt(live, index);
        index = findByKey(live.array, mergeKey, item[mergeKey], live.length);
      }
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw failed('merging lists cannot yet be specified in the patch');
    } else {
      throw badPatchType(directive, item);
    }
  }
  if (replace) {
    const replacement = decoded(rest) as unknown[];
    return { live: { array: replacement, length: replacement.length }, rest: [] };
  }
  return { live, rest };
}

/** Merges each patch item into the live item with its key, or appends it (mergeSliceWithoutSpecialElements). */
function mergeItemsByKey(live: GoSlice, patch: unknown[], mergeKey: string, schema: Schema): unknown[] {
  for (const value of patch) {
    const item = value as JsonObject;
    if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
    const index = findByKey(live.array, mergeKey, item[mergeKey], live.length);
    if (index >= 0) live.array[index] = mergeMap(live.array[index] as JsonObject, item, schema);
    else append(live, decoded(item));
  }
  return contents(live);
}

/** The index of the first of `length` items whose merge key equals `value` (findMapInSliceBasedOnKeyValue). */
function findByKey(list: readonly unknown[], mergeKey: string, value: unknown, length = list.length): number {
  for (let index = 0; index < length; index++) {
    const item = list[index];
    if (!isRecord(item)) throw failed(`value for key ${index} is not a map`);
    if (Object.hasOwn(item, mergeKey) && goEqual(item[mergeKey], value)) return index;
  }
  return -1;
}

function deleteFromList(current: unknown[], toDelete: unknown[]): unknown[] {
  for (const value of toDelete) hashKey(value);
  return current.filter((value) => !toDelete.some((candidate) => goEqual(candidate, value)));
}

/** Go's in-place deduplication, whose order the later sort makes irrelevant but which is kept as is. */
function deduplicateScalars(list: unknown[]): unknown[] {
  const s = list;
  let length = s.length - 1;
  for (let i = 0; i < length; i++) {
    for (let j = i + 1; j <= length; j++) {
      if (goEqual(s[i], s[j])) {
        s[j] = s[length];
        s.length = length;
        length--;
        j--;
      }
    }
  }
  return s;
}

function partitionScalarsByPresence(list: unknown[], by: unknown[]): [unknown[], unknown[]] {
  // Upstream keys a Go map with the values: an object or a list there is a runtime panic.
  for (const value of by) hashKey(value);
  for (const value of list) hashKey(value);
  const present: unknown[] = [];
  const absent: unknown[] = [];
  for (const value of list)
    (by.some((candidate) => goEqual(candidate, value)) ? present : absent).push(value);
  return [present, absent];
}

function partitionMapsByPresence(list: unknown[], by: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const present: unknown[] = [];
  const absent: unknown[] = [];
  for (const value of list) {
    if (!isRecord(value)) throw badArgType('map', value);
    if (!Object.hasOwn(value, mergeKey)) throw noMergeKey(value, mergeKey);
    (findByKey(by, mergeKey, value[mergeKey]) >= 0 ? present : absent).push(value);
  }
  return [present, absent];
}

/** Deletions (`$patch: delete` items) apart from the rest (extractToDeleteItems). */
function splitDeletions(list: unknown[]): [unknown[], unknown[]] {
  const kept: unknown[] = [];
  const deletions: unknown[] = [];
  for (const value of list) {
    if (!isRecord(value)) throw badArgType('map', value);
    (Object.hasOwn(value, directiveMarker) && value[directiveMarker] === 'delete' ? deletions : kept).push(
      value,
    );
  }
  return [kept, deletions];
}

// ---------------------------------------------------------------------------------------------------
// Ordering (normalizeElementOrder and friends), kept exactly as upstream so results match item for item.

type ElementKind = 'map' | 'scalar';

/**
 * Sorts the patch's items by `patchOrder` and the live-only items by `serverOrder`, then interleaves
 * them (mergeSortedSlice): a live-only item goes first while the live order puts it before the next
 * patch item; a patch item the live list does not have goes before the live-only items left.
 */
function normalizeElementOrder(
  patchItems: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
  kind: ElementKind,
): unknown[] {
  const right = normalizeSliceOrder(patchItems, patchOrder, mergeKey, kind);
  const left = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  const less = (l: unknown, r: unknown): [boolean, boolean] => {
    const li = indexOf(serverOrder, l, mergeKey, kind);
    const ri = indexOf(serverOrder, r, mergeKey, kind);
    return li >= 0 && ri >= 0 ? [li < ri, true] : [false, false];
  };
  const all: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) all.push(right[j++]);
    else if (j >= right.length) all.push(left[i++]);
    else {
      const [isLess, foundBoth] = less(left[i], right[j]);
      if (foundBoth && isLess) all.push(left[i++]);
      else all.push(right[j++]);
    }
  }
  return all;
}

function normalizeSliceOrder(
  list: unknown[],
  order: unknown[],
  mergeKey: string,
  kind: ElementKind,
): unknown[] {
  let toSort = [...list];
  let deletions: unknown[] = [];
  if (kind === 'map') {
    validateMergeKeyInLists(mergeKey, toSort, order);
    [toSort, deletions] = splitDeletions(toSort);
  }
  goSliceStable(toSort, (a, b) => {
    const ia = indexOf(order, a, mergeKey, kind);
    if (ia >= 0) {
      const ib = indexOf(order, b, mergeKey, kind);
      if (ib >= 0) return ia < ib;
    }
    return true;
  });
  return [...toSort, ...deletions];
}

function validateMergeKeyInLists(mergeKey: string, ...lists: unknown[][]): void {
  for (const list of lists) {
    for (const item of list) {
      if (!isRecord(item)) throw badArgType('map', item);
      if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
    }
  }
}

/** The index of `value` in `list`: by merge key for maps, by value for scalars. */
function indexOf(list: readonly unknown[], value: unknown, mergeKey: string, kind: ElementKind): number {
  const keyOf = (item: unknown) => (kind === 'map' ? (isRecord(item) ? item[mergeKey] : null) : item);
  const wanted = keyOf(value);
  return list.findIndex((item) => goEqual(wanted, keyOf(item)));
}

/**
 * Go's sort.SliceStable (insertion sort in blocks of 20, then SymMerge), so that the rare comparator
 * that is not a strict order (an item missing from the order list counts as "less" both ways) orders
 * items exactly as upstream does.
 */
function goSliceStable(data: unknown[], less: (a: unknown, b: unknown) => boolean): void {
  const lessAt = (i: number, j: number) => less(data[i], data[j]);
  const swap = (i: number, j: number) => {
    const t = data[i];
    data[i] = data[j];
    data[j] = t;
  };
  const insertionSort = (a: number, b: number) => {
    for (let i = a + 1; i < b; i++) for (let j = i; j > a && lessAt(j, j - 1); j--) swap(j, j - 1);
  };
  const swapRange = (a: number, b: number, n: number) => {
    for (let i = 0; i < n; i++) swap(a + i, b + i);
  };
  const rotate = (a: number, m: number, b: number) => {
    let i = m - a;
    let j = b - m;
    while (i !== j) {
      if (i > j) {
        swapRange(m - i, m, j);
        i -= j;
      } else {
        swapRange(m - i, m + j - i, i);
        j -= i;
      }
    }
    swapRange(m - i, m, i);
  };
  const symMerge = (a: number, m: number, b: number): void => {
    if (m - a === 1) {
      let i = m;
      let j = b;
      while (i < j) {
        const h = (i + j) >>> 1;
        if (lessAt(h, a)) i = h + 1;
        else j = h;
      }
      for (let k = a; k < i - 1; k++) swap(k, k + 1);
      return;
    }
    if (b - m === 1) {
      let i = a;
      let j = m;
      while (i < j) {
        const h = (i + j) >>> 1;
        if (!lessAt(m, h)) i = h + 1;
        else j = h;
      }
      for (let k = m; k > i; k--) swap(k, k - 1);
      return;
    }
    const mid = (a + b) >>> 1;
    const n = mid + m;
    let start: number;
    let r: number;
    if (m > mid) {
      start = n - b;
      r = mid;
    } else {
      start = a;
      r = m;
    }
    const p = n - 1;
    while (start < r) {
      const c = (start + r) >>> 1;
      if (!lessAt(p - c, c)) start = c + 1;
      else r = c;
    }
    const end = n - start;
    if (start < m && m < end) rotate(start, m, end);
    if (a < start && start < mid) symMerge(a, start, mid);
    if (mid < end && end < b) symMerge(mid, end, b);
  };

  const n = data.length;
  let blockSize = 20;
  let a = 0;
  let b = blockSize;
  while (b <= n) {
    insertionSort(a, b);
    a = b;
    b += blockSize;
  }
  insertionSort(a, n);
  while (blockSize < n) {
    a = 0;
    b = 2 * blockSize;
    while (b <= n) {
      symMerge(a, a + blockSize, b);
      a = b;
      b += 2 * blockSize;
    }
    const m = a + blockSize;
    if (m < n) symMerge(a, m, n);
    blockSize *= 2;
  }
}

/** The one element type of the lists (sliceElementType): all maps, or all scalars of one Go type. */
function sliceElementType(...lists: unknown[][]): ElementKind {
  let previous: string | undefined;
  for (const list of lists) {
    for (const value of list) {
      const type = goTypeName(value);
      if (previous === undefined) {
        // A first null is a nil reflect.Type upstream, and calling Kind on it panics.
        if (value === null) throw failed('runtime error: invalid memory address or nil pointer dereference');
        if (Array.isArray(value)) throw noListOfLists();
        previous = type;
      } else if (type !== previous) {
        throw failed(`list element types are not identical: ${goFormat(lists)}`);
      }
    }
  }
  if (previous === undefined) throw failed('no elements in any of the given slices');
  return previous === goMap ? 'map' : 'scalar';
}

function schemaKindName(schema: Schema): string {
  return schema?.kind ?? 'interface';
}

// ---------------------------------------------------------------------------------------------------
// Copying patch content into the result.

const dropped: unique symbol = Symbol('dropped');

function setOrDrop(target: JsonObject, key: string, value: unknown): void {
  if (value === dropped) delete target[key];
  else target[key] = decoded(value);
}

/** Upstream's discardNullValuesFromPatch: null fields go, in maps at any depth (list elements stay). */
function discardNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(discardNulls);
  if (!isRecord(value)) return value;
  const result: JsonObject = {};
  for (const [key, field] of Object.entries(value)) if (field !== null) result[key] = discardNulls(field);
  return result;
}

/** Upstream's removeDirectives: a map carrying `$patch` is dropped, from its parent map or list. */
function removeDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(removeDirectives).filter((item) => item !== dropped);
  if (!isRecord(value)) return value;
  if (Object.hasOwn(value, directiveMarker)) return dropped;
  const result: JsonObject = {};
  for (const [key, field] of Object.entries(value)) {
    const kept = removeDirectives(field);
    if (kept !== dropped) result[key] = kept;
  }
  return result;
}

function isDirectiveKey(key: string): boolean {
  return (
    key === directiveMarker ||
    key === retainKeysDirective ||
    key.startsWith(setElementOrderPrefix) ||
    key.startsWith(deleteFromPrimitiveListPrefix)
  );
}

/**
 * Patch content as upstream's decoder reads it after the merge: directive keys are not fields, and a
 * null field is an unset one.
 */
function decoded(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decoded);
  if (!isRecord(value)) return value;
  const result: JsonObject = {};
  for (const [key, field] of Object.entries(value)) {
    if (field !== null && !isDirectiveKey(key)) result[key] = decoded(field);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------
// Go's view of decoded JSON (apimachinery decodes integers as int64, other numbers as float64), for
// equality and for error messages worded as upstream words them.

const goMap = 'map[string]interface {}';
const goNil = '%!s(<nil>)';
const goSlice = '[]interface {}';

function goTypeName(value: unknown): string {
  if (value === null || value === undefined) return goNil;
  if (Array.isArray(value)) return goSlice;
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return isGoInt(value) ? 'int64' : 'float64';
    default:
      return goMap;
  }
}

const isGoInt = (value: number) => Number.isInteger(value) && Math.abs(value) < 2 ** 63;

/** Go's `==` on interface values: equal types and values; maps and slices cannot be compared (a panic). */
function goEqual(a: unknown, b: unknown): boolean {
  const type = goTypeName(a);
  if (type !== goTypeName(b)) return false;
  if (type === goMap || type === goSlice) throw failed(`runtime error: comparing uncomparable type ${type}`);
  // null and undefined (a missing key) are both Go's nil.
  return type === goNil || a === b;
}

/** A value used as a Go map key: maps and slices cannot be (a panic). */
function hashKey(value: unknown): void {
  const type = goTypeName(value);
  if (type === goMap || type === goSlice) throw failed(`runtime error: hash of unhashable type ${type}`);
}

/** fmt's %v: `map[image:nginx name:web]`, `[a b]`, `<nil>`. */
function goFormat(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goFormat).join(' ')}]`;
  if (isRecord(value)) {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${key}:${goFormat(value[key])}`);
    return `map[${entries.join(' ')}]`;
  }
  if (typeof value === 'number') return goFormatNumber(value);
  return String(value);
}

function goFormatNumber(value: number): string {
  if (isGoInt(value)) return BigInt(value).toString();
  // %v of a float64 is %g with the shortest digits: exponent form below 1e-4 and from 1e+06 (2.5e+06).
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return String(value);
}

/** fmt's %s: strings as they are, anything else flagged as Go flags a wrong verb. */
function goFormatString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '%!s(<nil>)';
  if (typeof value === 'object') return goFormat(value);
  return `%!s(${goTypeName(value)}=${goFormat(value)})`;
}
