import { describe, expect, it } from 'vitest';
import { formatFieldError } from '../field-error.js';
import type { KubeObject } from '../resource.js';
import { configMapStrategy, secretStrategy } from './config-data.js';

const messages = (errors: Parameters<typeof formatFieldError>[0][] | undefined) =>
  (errors ?? []).map(formatFieldError);
const base64 = (text: string) => Buffer.from(text).toString('base64');

describe('the config map strategy', () => {
  it.each([
    [
      'the empty key',
      { '': 'v' },
      [
        `data[]: Invalid value: "": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
      ],
    ],
    [
      'a key with a slash',
      { 'a/b': 'v' },
      [expect.stringMatching(/^data\[a\/b\]: Invalid value: "a\/b": a valid config key/)],
    ],
    ['the key ..', { '..': 'v' }, [`data[..]: Invalid value: "..": must not be '..'`]],
    [
      'a key starting ..',
      { '..data': 'v' },
      [`data[..data]: Invalid value: "..data": must not start with '..'`],
    ],
    [
      'a key of 254 characters',
      { ['k'.repeat(254)]: 'v' },
      [expect.stringMatching(/must be no more than 253 characters$/)],
    ],
  ])('rejects %s', (_, data, expected) => {
    expect(messages(configMapStrategy.validate?.({ data }))).toEqual(expected);
  });

  it('accepts file-name keys such as .hidden, key.name and KEY_NAME', () => {
    expect(configMapStrategy.validate?.({ data: { '.hidden': '', 'key.name': '', KEY_NAME: '' } })).toEqual(
      [],
    );
  });

  it('rejects a key in both data and binaryData, and more than 1 MiB in all', () => {
    const duplicate = { data: { k: 'v' }, binaryData: { k: base64('v') } };
    expect(messages(configMapStrategy.validate?.(duplicate))).toEqual([
      'data[k]: Invalid value: "k": duplicate of key present in binaryData',
    ]);
    const large = {
      data: { a: 'x'.repeat(512 * 1024) },
      binaryData: { b: base64('y'.repeat(512 * 1024 + 1)) },
    };
    expect(messages(configMapStrategy.validate?.(large))).toEqual([
      ': Too long: may not be more than 1048576 bytes',
    ]);
  });

  it('freezes data, binaryData and the flag once immutable, and leaves the rest mutable', () => {
    const old: KubeObject = { immutable: true, data: { a: '1' } };
    expect(
      configMapStrategy.validate?.(
        { immutable: true, data: { a: '1' }, metadata: { labels: { x: 'y' } } },
        old,
      ),
    ).toEqual([]);
    expect(
      messages(
        configMapStrategy.validate?.({ immutable: false, data: { a: '2' }, binaryData: { b: '' } }, old),
      ),
    ).toEqual([
      'immutable: Forbidden: field is immutable when `immutable` is set',
      'data: Forbidden: field is immutable when `immutable` is set',
      'binaryData: Forbidden: field is immutable when `immutable` is set',
    ]);
  });
});

describe('the secret strategy', () => {
  it('defaults the type to Opaque and merges stringData into data', () => {
    const secret: KubeObject = { data: { a: base64('1') }, stringData: { a: '2', b: '3' } };
    secretStrategy.prepareForCreate?.(secret);
    secretStrategy.default?.(secret);
    expect(secret).toEqual({ type: 'Opaque', data: { a: base64('2'), b: base64('3') } });
  });

  it('never changes its type, and freezes data and the flag once immutable', () => {
    const old: KubeObject = { type: 'Opaque', immutable: true, data: { a: base64('1') } };
    expect(
      messages(
        secretStrategy.validate?.({ type: 'kubernetes.io/basic-auth', data: { a: base64('2') } }, old),
      ),
    ).toEqual([
      'type: Invalid value: "kubernetes.io/basic-auth": field is immutable',
      'immutable: Forbidden: field is immutable when `immutable` is set',
      'data: Forbidden: field is immutable when `immutable` is set',
      'data[username]: Required value',
      'data[password]: Required value',
    ]);
  });

  it.each([
    ['kubernetes.io/tls', { 'tls.crt': base64('c') }, ['data[tls.key]: Required value']],
    ['kubernetes.io/ssh-auth', { 'ssh-privatekey': '' }, ['data[ssh-privatekey]: Required value']],
    ['kubernetes.io/dockerconfigjson', {}, ['data[.dockerconfigjson]: Required value']],
    ['kubernetes.io/dockerconfigjson', { '.dockerconfigjson': base64('{"auths":{}}') }, []],
    ['kubernetes.io/basic-auth', { password: '' }, []],
    [
      'kubernetes.io/service-account-token',
      {},
      ['metadata.annotations[kubernetes.io/service-account.name]: Required value'],
    ],
    ['example.com/custom', {}, []],
  ])('checks the keys a %s secret needs', (type, data, expected) => {
    expect(messages(secretStrategy.validate?.({ type, data }))).toEqual(expected);
  });

  it('rejects data that is not padded base64, without showing it', () => {
    expect(messages(secretStrategy.validate?.({ type: 'Opaque', data: { a: 'abc', b: 'YWJj' } }))).toEqual([
      'data[a]: Invalid value: "<secret contents redacted>": must be base64 encoded',
    ]);
  });
});
