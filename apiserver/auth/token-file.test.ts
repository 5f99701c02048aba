import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv, parseTokenFile, TokenFileAuthenticator } from './token-file.js';

describe('CSV as Go reads it', () => {
  it.each([
    ['plain fields', 'a,b,c\n', [['a', 'b', 'c']]],
    ['a quoted field with commas', 'a,"b,c",d', [['a', 'b,c', 'd']]],
    ['doubled quotes inside quotes', '"say ""hi""",x', [['say "hi"', 'x']]],
    [
      'CRLF line ends',
      'a,b\r\nc,d\r\n',
      [
        ['a', 'b'],
        ['c', 'd'],
      ],
    ],
    ['blank lines skipped', '\na,b\n\n\nc\n', [['a', 'b'], ['c']]],
    [
      'empty fields kept',
      'a,,c\n,',
      [
        ['a', '', 'c'],
        ['', ''],
      ],
    ],
    ['a quoted line break', '"a\nb",c', [['a\nb', 'c']]],
  ])('%s', (_name, text, records) => {
    expect(parseCsv(text)).toEqual(records);
  });
});

describe('the static token file', () => {
  it('maps each token to its user, uid and groups', () => {
    const users = parseTokenFile(
      ['31ada4fd-adec,alice,1001,"dev,ops"', '8a5e2b1c,bob,1002', 'c0ffee,carol,,ops'].join('\n'),
    );
    expect(users.get('31ada4fd-adec')).toEqual({ username: 'alice', uid: '1001', groups: ['dev', 'ops'] });
    expect(users.get('8a5e2b1c')).toEqual({ username: 'bob', uid: '1002', groups: [] });
    expect(users.get('c0ffee')).toEqual({ username: 'carol', groups: ['ops'] });
  });

  it('skips a line with an empty token and keeps the last of a repeated one', () => {
    const users = parseTokenFile(',nobody,1\nt,first,1\nt,second,2\n');
    expect(users.has('')).toBe(false);
    expect(users.get('t')?.username).toBe('second');
  });

  it('refuses a file with a line of fewer than three columns, as upstream words it', () => {
    expect(() => parseTokenFile('ok,alice,1\nshort,bob\n', '/etc/tokens.csv')).toThrow(
      "token file '/etc/tokens.csv' must have at least 3 columns (token, user name, user uid), found 2",
    );
  });

  it('authenticates known tokens only, without an audience of their own', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'skiff-tokens-'));
    try {
      const path = join(directory, 'tokens.csv');
      await writeFile(path, 's3cret,alice,1001,"dev"\n');
      const authenticator = await TokenFileAuthenticator.fromFile(path);
      expect(await authenticator.authenticateToken('s3cret')).toEqual({
        user: { username: 'alice', uid: '1001', groups: ['dev'] },
        audiences: [],
      });
      expect(await authenticator.authenticateToken('guess')).toBeUndefined();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
