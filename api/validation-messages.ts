/**
 * The wording Kubernetes uses for format problems, shared by name and label validation so every
 * message reads exactly as upstream's does. A problem is a plain string such as
 * `must be no more than 63 characters`; callers turn it into a field error or a selector error.
 */

/**
 * Upstream words the same limit two ways: object-name checks say "characters" while the label checks
 * (apimachinery's newer `content` package, Kubernetes 1.35 on) say "bytes". Both count UTF-8 bytes.
 */
export type LengthUnit = 'characters' | 'bytes';

export function maxLengthMessage(limit: number, unit: LengthUnit): string {
  return `must be no more than ${limit} ${unit}`;
}

export const emptyMessage = 'must be non-empty';

/**
 * `<message> (e.g. 'my-name',  or '123-abc', regex used for validation is '<regex>')`.
 * The doubled space before "or" is upstream's, kept so messages match byte for byte.
 */
export function regexMessage(message: string, regex: string, ...examples: string[]): string {
  if (examples.length === 0) return `${message} (regex used for validation is '${regex}')`;
  const shown = examples.map((example) => `'${example}', `).join(' or ');
  return `${message} (e.g. ${shown}regex used for validation is '${regex}')`;
}

/** Go's len(): limits are in UTF-8 bytes whatever the message calls them. */
export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
