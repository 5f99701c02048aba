import { describe, expect, it } from 'vitest';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain } from './names.js';

const labelRule =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const subdomainRule =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const dns1035Rule =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

describe('RFC 1123 labels', () => {
  it.each(['a', '0', 'web', 'my-name', '123-abc', 'a'.repeat(63)])('accepts %j', (value) => {
    expect(isDNS1123Label(value)).toEqual([]);
  });

  it.each<[string, string, string[]]>([
    ['the empty string', '', [labelRule]],
    ['upper case', 'Web', [labelRule]],
    ['a leading dash', '-web', [labelRule]],
    ['a trailing dash', 'web-', [labelRule]],
    ['an underscore', 'my_name', [labelRule]],
    ['dots, which only a subdomain may have', 'my.name', ['must not contain dots']],
    ['64 characters', 'a'.repeat(64), ['must be no more than 63 characters']],
    ['too long and malformed', `-${'a'.repeat(63)}`, ['must be no more than 63 characters', labelRule]],
  ])('rejects %s', (_case, value, problems) => {
    expect(isDNS1123Label(value)).toEqual(problems);
  });
});

describe('RFC 1123 subdomains', () => {
  it.each([
    'example.com',
    'a',
    'a.b.c',
    '0.1.2.domain',
    'my-app.example-1.com',
    `${'a'.repeat(63)}.${'b'.repeat(189)}`,
  ])('accepts %j', (value) => {
    expect(isDNS1123Subdomain(value)).toEqual([]);
  });

  it.each<[string, string, string[]]>([
    ['the empty string', '', [subdomainRule]],
    ['upper case', 'Example.com', [subdomainRule]],
    ['an empty segment', 'a..b', [subdomainRule]],
    ['a trailing dot', 'example.com.', [subdomainRule]],
    ['254 characters', 'a'.repeat(254), ['must be no more than 253 characters']],
  ])('rejects %s', (_case, value, problems) => {
    expect(isDNS1123Subdomain(value)).toEqual(problems);
  });

  it('words the length limit in bytes where label keys need it', () => {
    expect(isDNS1123Subdomain('a'.repeat(254), 'bytes')).toEqual(['must be no more than 253 bytes']);
  });

  it('counts the limit in UTF-8 bytes, as Go does', () => {
    expect(isDNS1123Subdomain('é'.repeat(127))).toEqual([
      'must be no more than 253 characters',
      subdomainRule,
    ]);
  });
});

describe('RFC 1035 labels', () => {
  it.each(['a', 'web', 'my-name', 'abc-123'])('accepts %j', (value) => {
    expect(isDNS1035Label(value)).toEqual([]);
  });

  it.each<[string, string, string[]]>([
    ['a leading digit', '1web', [dns1035Rule]],
    ['dots', 'my.name', [dns1035Rule]],
    ['64 characters', `a${'b'.repeat(63)}`, ['must be no more than 63 characters']],
  ])('rejects %s', (_case, value, problems) => {
    expect(isDNS1035Label(value)).toEqual(problems);
  });
});
