/**
 * Static bearer tokens from a CSV file (`--token-auth-file`), in Kubernetes' format: one token per
 * line, at least three columns, an optional fourth with the groups as one quoted, comma-separated
 * field:
 *
 *   31ada4fd-adec-460c-809a-9e56ceb75269,alice,1001,"dev,ops"
 *   8a5e2b1c,bob,1002
 *
 * A line with fewer than three columns makes the whole file invalid (the server refuses to start);
 * a line with an empty token is skipped; a repeated token keeps its last line. The file is read once:
 * changing it needs a restart, as upstream.
 */
import { readFile } from 'node:fs/promises';
import type { TokenAuthentication, TokenAuthenticator, UserInfo } from '../../api/auth.js';

export class TokenFileAuthenticator implements TokenAuthenticator {
  readonly #users: ReadonlyMap<string, UserInfo>;

  constructor(users: ReadonlyMap<string, UserInfo>) {
    this.#users = users;
  }

  static async fromFile(path: string): Promise<TokenFileAuthenticator> {
    return new TokenFileAuthenticator(parseTokenFile(await readFile(path, 'utf8'), path));
  }

  /** Static tokens are not issued for an audience (no audiences): the chain takes them as the API server's. */
  async authenticateToken(token: string): Promise<TokenAuthentication | undefined> {
    const user = this.#users.get(token);
    return user ? { user, audiences: [] } : undefined;
  }
}

/** Token → user. Throws for a record of fewer than three columns, naming the file as upstream does. */
export function parseTokenFile(text: string, path = 'token file'): Map<string, UserInfo> {
  const users = new Map<string, UserInfo>();
  for (const record of parseCsv(text)) {
    if (record.length < 3) {
      throw new Error(
        `token file '${path}' must have at least 3 columns (token, user name, user uid), found ${record.length}`,
      );
    }
    const [token, username, uid, groups] = record as [string, string, string, string?];
    if (token === '') continue;
    users.set(token, {
      username,
      ...(uid === '' ? {} : { uid }),
      groups: groups === undefined ? [] : groups.split(',').filter((group) => group !== ''),
    });
  }
  return users;
}

/**
 * RFC 4180 CSV as Go's encoding/csv reads it: fields may be quoted, `""` inside quotes is one quote,
 * quoted fields may hold commas and line breaks, blank lines are skipped.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let fieldStarted = false;
  const endField = () => {
    record.push(field);
    field = '';
    fieldStarted = false;
  };
  const endRecord = () => {
    if (record.length > 0 || fieldStarted || field !== '') {
      endField();
      records.push(record);
    }
    record = [];
  };
  for (let index = 0; index < text.length; index++) {
    const character = text[index]!;
    if (quoted) {
      if (character === '"') {
        if (text[index + 1] === '"') {
          field += '"';
          index++;
        } else quoted = false;
      } else field += character;
      continue;
    }
    if (character === '"' && field === '') {
      quoted = true;
      fieldStarted = true;
    } else if (character === ',') endField();
    else if (character === '\n') endRecord();
    else if (character === '\r' && text[index + 1] === '\n') continue;
    else {
      field += character;
      fieldStarted = true;
    }
  }
  if (field !== '' || fieldStarted || record.length > 0) endRecord();
  return records;
}
