/**
 * Go's `%q` (strconv.Quote) for strings.
 *
 * Kubernetes builds its user-facing messages with `%q` — `pods "web" not found`,
 * `Invalid value: "a b"` — so a message only reads the same as upstream's when strings are quoted the
 * way Go quotes them. JSON.stringify is close but differs: Go keeps the double quote and backslash
 * escapes, writes other control characters as `\x1b` rather than `\u001b`, and escapes non-printable
 * Unicode (such as U+00A0, no-break space) that JSON leaves alone.
 */

// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols, and the ASCII space only.
const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

const namedEscapes: Readonly<Record<string, string>> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
};

export function goQuote(text: string): string {
  let quoted = '"';
  for (const character of text) {
    quoted += escapeCharacter(character);
  }
  return `${quoted}"`;
}

function escapeCharacter(character: string): string {
  if (character === '"' || character === '\\') return `\\${character}`;
  if (printable.test(character)) return character;
  const named = namedEscapes[character];
  if (named !== undefined) return named;
  const codePoint = character.codePointAt(0) ?? 0;
  if (codePoint < 0x20 || codePoint === 0x7f) return `\\x${hex(codePoint, 2)}`;
  if (codePoint < 0x10000) return `\\u${hex(codePoint, 4)}`;
  return `\\U${hex(codePoint, 8)}`;
}

function hex(value: number, width: number): string {
  return value.toString(16).padStart(width, '0');
}
