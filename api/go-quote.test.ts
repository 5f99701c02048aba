import { describe, expect, it } from 'vitest';
import { goQuote } from './go-quote.js';

describe('goQuote', () => {
  it.each([
    ['plain text is only wrapped', 'web', '"web"'],
    ['the empty string', '', '""'],
    ['a double quote is escaped', 'say "hi"', '"say \\"hi\\""'],
    ['a backslash is escaped', 'a\\b', '"a\\\\b"'],
    ['a single quote is left alone', "it's", '"it\'s"'],
    ['newline and tab use their short escapes', 'a\nb\tc', '"a\\nb\\tc"'],
    ['bell and vertical tab use their short escapes', '\x07\v', '"\\a\\v"'],
    ['other control characters are hex escapes', '\x00\x1b\x7f', '"\\x00\\x1b\\x7f"'],
    ['printable Unicode is kept', 'é日本😀', '"é日本😀"'],
    ['a no-break space is not printable', 'a\u00a0b', '"a\\u00a0b"'],
    ['format characters are escaped', '\u00ad\u200b', '"\\u00ad\\u200b"'],
    ['astral non-printables take the long escape', '\u{e0001}', '"\\U000e0001"'],
  ])('%s', (_behaviour, input, quoted) => {
    expect(goQuote(input)).toBe(quoted);
  });
});
