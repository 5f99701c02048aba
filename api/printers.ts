/**
 * The vocabulary kube-apiserver's printers build Table cells from: ages in Kubernetes' HumanDuration
 * style, label maps and label selectors as kubectl shows them, container names and images laid out on
 * one line, quantities in canonical form — and the Name/Age columns most kinds share.
 *
 * Cells are computed the way the API server computes them, which always prints "wide": every column,
 * priority 0 or 1, has a cell; kubectl hides priority-1 columns unless asked for `-o wide`.
 */
import { type LabelSelector, labelSelectorAsSelector } from './labels.js';
import { Quantity } from './quantity.js';
import type { KubeObject, TableColumn } from './resource.js';
import { asArray, asRecord, asString, asStringMap, isRecord, readPath } from './resources/json.js';

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;

/**
 * Kubernetes' HumanDuration: about two significant figures, more detail while the duration is short.
 *
 *   90 s → 90s   190 s → 3m10s   70 min → 70m   3 h 1 min → 3h1m   49 h → 2d1h   367 d → 367d
 *
 * A duration up to two seconds negative reads as `0s` (clocks disagree a little); beyond that, `<invalid>`.
 */
export function humanDuration(milliseconds: number): string {
  const seconds = Math.trunc(milliseconds / second);
  if (seconds < -1) return '<invalid>';
  if (seconds <= 0) return '0s';
  if (seconds < 2 * 60) return `${seconds}s`;
  const minutes = Math.trunc(milliseconds / minute);
  if (minutes < 10) return withRemainder(minutes, 'm', seconds % 60, 's');
  if (minutes < 3 * 60) return `${minutes}m`;
  const hours = Math.trunc(milliseconds / hour);
  if (hours < 8) return withRemainder(hours, 'h', minutes % 60, 'm');
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) return withRemainder(days, 'd', hours % 24, 'h');
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) return withRemainder(years, 'y', days % 365, 'd');
  return `${years}y`;
}

function withRemainder(whole: number, unit: string, remainder: number, remainderUnit: string): string {
  return remainder === 0 ? `${whole}${unit}` : `${whole}${unit}${remainder}${remainderUnit}`;
}

/** Go's zero time, which a timestamp may carry instead of null. (Date.UTC would read year 1 as 1901.) */
const zeroTime = Date.parse('0001-01-01T00:00:00Z');

/** Milliseconds since the epoch for a set, non-zero RFC 3339 timestamp; undefined otherwise. */
export function parseTimestamp(timestamp: unknown): number | undefined {
  if (typeof timestamp !== 'string' || timestamp === '') return undefined;
  const parsed = Date.parse(timestamp);
  if (Number.isNaN(parsed) || parsed === zeroTime) return undefined;
  return parsed;
}

/** How long ago `timestamp` was, as upstream's translateTimestampSince: `<unknown>` when unset. */
export function timestampSince(timestamp: unknown, now: number): string {
  const parsed = parseTimestamp(timestamp);
  return parsed === undefined ? '<unknown>' : humanDuration(now - parsed);
}

/** The Age cell: time since metadata.creationTimestamp. */
export function age(object: KubeObject, now: number): string {
  return timestampSince(object.metadata?.creationTimestamp, now);
}

/**
 * The `Created At` cell of the default table: the creation time in UTC RFC 3339, whole seconds, as Go's
 * time.RFC3339 prints it — Go's zero time when the object has none.
 */
export function createdAt(object: KubeObject): string {
  const parsed = parseTimestamp(object.metadata?.creationTimestamp);
  if (parsed === undefined) return '0001-01-01T00:00:00Z';
  return new Date(parsed).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const nameColumn: TableColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description:
    'Name of the object, unique within its namespace (or within the cluster for cluster-wide kinds).',
  cell: (object) => object.metadata?.name ?? '',
};

export const ageColumn: TableColumn = {
  name: 'Age',
  type: 'string',
  description: 'Time elapsed since the object was created.',
  cell: age,
};

/**
 * The columns of a kind without a printer of its own (Role, LimitRange, custom resources): the API
 * server's default table, which keeps the creation time as a date for the client to format.
 */
export const defaultColumns: readonly TableColumn[] = [
  nameColumn,
  {
    name: 'Created At',
    type: 'date',
    description: 'When the object was created, in RFC 3339 form and UTC.',
    cell: createdAt,
  },
];

/** A label map as `k1=v1,k2=v2`, sorted by key; `<none>` when empty (upstream's labels.FormatLabels). */
export function formatLabels(labels: unknown): string {
  const map = asStringMap(labels);
  const keys = Object.keys(map).sort(compareStrings);
  if (keys.length === 0) return '<none>';
  return keys.map((key) => `${key}=${map[key]}`).join(',');
}

/** A LabelSelector as a selector string, throwing on a malformed one; an absent selector is ''. */
function selectorString(selector: unknown): string {
  if (!isRecord(selector)) return labelSelectorAsSelector(null).toString();
  const typed: LabelSelector = {
    matchLabels: asStringMap(selector.matchLabels),
    matchExpressions: asArray(selector.matchExpressions).map((expression) => ({
      key: asString(readPath(expression, 'key')),
      operator: asString(readPath(expression, 'operator')),
      values: asArray(readPath(expression, 'values')).map(asString),
    })),
  };
  return labelSelectorAsSelector(typed).toString();
}

/** A LabelSelector as kubectl shows it: `<none>` when it selects nothing or everything, `<error>` when malformed. */
export function formatLabelSelector(selector: unknown): string {
  try {
    const text = selectorString(selector);
    return text === '' ? '<none>' : text;
  } catch {
    return '<error>';
  }
}

/** A LabelSelector as the Deployment printer shows it: `''` when empty, `<invalid>` when malformed. */
export function formatDeploymentSelector(selector: unknown): string {
  try {
    return selectorString(selector);
  } catch {
    return '<invalid>';
  }
}

/** The names of a pod template's containers on one line, comma-separated. */
export function containerNames(containers: unknown): string {
  return asArray(containers)
    .map((container) => asString(readPath(container, 'name')))
    .join(',');
}

/** The images of a pod template's containers on one line, comma-separated, in container order. */
export function containerImages(containers: unknown): string {
  return asArray(containers)
    .map((container) => asString(readPath(container, 'image')))
    .join(',');
}

/**
 * The Containers and Images columns of a kind that carries a pod template: the names and the images of
 * the template's containers, each on one line. `priority` 1 shows them only with `-o wide`.
 */
export function containerColumns(
  containersOf: (object: KubeObject) => unknown,
  priority: 0 | 1 = 1,
): readonly TableColumn[] {
  return [
    {
      name: 'Containers',
      type: 'string',
      ...(priority === 1 ? { priority } : {}),
      description: "Names of the pod template's containers, comma-separated.",
      cell: (object) => containerNames(containersOf(object)),
    },
    {
      name: 'Images',
      type: 'string',
      ...(priority === 1 ? { priority } : {}),
      description: "Images of the pod template's containers, comma-separated, in container order.",
      cell: (object) => containerImages(containersOf(object)),
    },
  ];
}

/**
 * A resource quantity in canonical form, as Go's Quantity.String() prints it (`1.5Gi` → `1536Mi`). An
 * absent quantity is Go's zero Quantity, `0`; text that does not parse is shown as written.
 */
export function formatQuantity(value: unknown): string {
  if (value === undefined || value === null) return '0';
  const text = typeof value === 'number' ? String(value) : asString(value);
  try {
    return Quantity.parse(text).toString();
  } catch {
    return text;
  }
}

/** A pointer to a quantity, where Go prints a nil one as `<nil>`. */
export function formatQuantityPointer(value: unknown): string {
  return value === undefined || value === null ? '<nil>' : formatQuantity(value);
}

/** An IntOrString (`maxUnavailable: 1` or `"25%"`) as its String() prints it. */
export function formatIntOrString(value: unknown): string {
  if (typeof value === 'number') return String(Math.trunc(value));
  return asString(value);
}

/** One of the object's annotations, if it carries it. */
export function annotation(object: KubeObject, key: string): string | undefined {
  const value = asRecord(object.metadata?.annotations)[key];
  return typeof value === 'string' ? value : undefined;
}

/** Go compares strings bytewise; for the ASCII names Kubernetes uses, code-unit order is the same. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
