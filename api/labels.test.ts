import { describe, expect, it } from 'vitest';
import { formatFieldError } from './field-error.js';
import {
  everythingSelector,
  type LabelSelector,
  labelSelectorAsSelector,
  nothingSelector,
  parseLabelSelector,
  type Requirement,
  selectorFromSet,
  validateLabelKey,
  validateLabelSelector,
  validateLabels,
  validateLabelValue,
} from './labels.js';
import { isStatusError, type StatusError } from './status.js';

const nameRule =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const valueRule =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const subdomainRule =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

function thrown(action: () => unknown): StatusError {
  try {
    action();
  } catch (error) {
    if (isStatusError(error)) return error;
    throw error;
  }
  throw new Error('expected a StatusError');
}

describe('label keys', () => {
  it.each(['app', 'App.Name_1', 'example.com/app', 'app.kubernetes.io/name', 'a'.repeat(63)])(
    'accepts %j',
    (key) => {
      expect(validateLabelKey(key)).toEqual([]);
    },
  );

  it.each<[string, string, string[]]>([
    ['an empty key', '', ['name part must be non-empty', `name part ${nameRule}`]],
    ['a name starting with a dash', '-app', [`name part ${nameRule}`]],
    ['a space', 'a b', [`name part ${nameRule}`]],
    ['a 64-byte name', 'a'.repeat(64), ['name part must be no more than 63 bytes']],
    ['an empty prefix', '/app', ['prefix part must be non-empty']],
    ['an upper-case prefix', 'Example.com/app', [`prefix part ${subdomainRule}`]],
    ['a 254-byte prefix', `${'a'.repeat(254)}/app`, ['prefix part must be no more than 253 bytes']],
    ['a prefix with no name', 'example.com/', ['name part must be non-empty', `name part ${nameRule}`]],
    [
      'two slashes',
      'a/b/c',
      [
        `a valid label key ${nameRule} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
      ],
    ],
  ])('rejects %s', (_case, key, problems) => {
    expect(validateLabelKey(key)).toEqual(problems);
  });
});

describe('label values', () => {
  it.each(['', 'web', 'my_value', '12345', 'a.b-c_d', 'a'.repeat(63)])('accepts %j', (value) => {
    expect(validateLabelValue(value)).toEqual([]);
  });

  it.each<[string, string, string[]]>([
    ['a leading dash', '-web', [valueRule]],
    ['a space', 'a b', [valueRule]],
    ['a slash', 'a/b', [valueRule]],
    ['64 bytes', 'a'.repeat(64), ['must be no more than 63 bytes']],
    ['64 bytes that are also malformed', `${'a'.repeat(63)}-`, ['must be no more than 63 bytes', valueRule]],
  ])('rejects %s', (_case, value, problems) => {
    expect(validateLabelValue(value)).toEqual(problems);
  });
});

describe('parsing label selectors', () => {
  it.each<[string, string]>([
    ['', ''],
    ['   ', ''],
    ['x=a,y=b,z=c', 'x=a,y=b,z=c'],
    ['x!=a,y=b', 'x!=a,y=b'],
    ['x=', 'x='],
    ['x= ', 'x='],
    ['x= ,z= ', 'x=,z='],
    ['!x', '!x'],
    ['x>1', 'x>1'],
    ['x>1,z<5', 'x>1,z<5'],
    ['x==a', 'x==a'],
    ['x=a,a=x', 'a=x,x=a'],
    ['app=web,tier in (front,back),!canary', 'app=web,!canary,tier in (back,front)'],
    ['\rx', 'x'],
    ['foo  in\t (abc)', 'foo in (abc)'],
    ['x notin\n (abc)', 'x notin (abc)'],
    ['x in (abc,abc)', 'x in (abc)'],
    ['x in ()', 'x in ()'],
    ['x notin ( )', 'x notin ()'],
    ['x in (abc,)', 'x in (,abc)'],
    ['x in (a,,)', 'x in (,a)'],
    ['x in (a,,a,,a,,a,,)', 'x in (,a)'],
    ['x notin (, a)', 'x notin (,a)'],
    ['x notin (abc,,def),bar,z in (),w', 'bar,w,x notin (,abc,def),z in ()'],
    ['a in (x,y,notin, z,in)', 'a in (in,notin,x,y,z)'],
    ['in=notin', 'in=notin'],
    [
      '0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)',
      '0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)',
    ],
    ['a=b \0c=d', 'a=b'],
  ])('reads %j and prints it as %j', (text, printed) => {
    expect(parseLabelSelector(text).toString()).toBe(printed);
  });

  it('exposes the requirements sorted by key, values sorted and unique', () => {
    expect(parseLabelSelector('tier in (front,back,front),app=web,!canary').requirements).toEqual<
      Requirement[]
    >([
      { key: 'app', operator: '=', values: ['web'] },
      { key: 'canary', operator: '!', values: [] },
      { key: 'tier', operator: 'in', values: ['back', 'front'] },
    ]);
  });

  it('keeps requirements on one key in the order written', () => {
    expect(parseLabelSelector('y,x=1,x').requirements).toEqual<Requirement[]>([
      { key: 'x', operator: '=', values: ['1'] },
      { key: 'x', operator: 'exists', values: [] },
      { key: 'y', operator: 'exists', values: [] },
    ]);
  });

  it('treats a blank selector as selecting everything', () => {
    expect(parseLabelSelector('').empty).toBe(true);
    expect(parseLabelSelector('x').empty).toBe(false);
  });

  it.each<[string, string]>([
    ['x=a||y=b', `unable to parse requirement: values[0][x]: Invalid value: "a||y": ${valueRule}`],
    ['x=a b', "found 'b', expected: ',' or 'end of string'"],
    ['x==a==b', "found '==', expected: ',' or 'end of string'"],
    ['!x=a', "found '=', expected: ',' or 'end of string'"],
    ['x,,y', "found ',', expected: identifier after ','"],
    [',x,y', "found ',', expected: !, identifier, or 'end of string'"],
    ['a in (xyz),', "found '', expected: identifier after ','"],
    ['a in (xyz)b notin ()', "found 'b', expected: ',' or 'end of string'"],
    ['(', "found '(', expected: !, identifier, or 'end of string'"],
    ['x nott in (y)', "unable to parse requirement: found 'nott', expected: in, notin, =, ==, !=, gt, lt"],
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['a (', "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"],
    ['!', "unable to parse requirement: found '', expected: identifier"],
    ['!!x', "unable to parse requirement: found '!', expected: identifier"],
    ['x=(', "unable to parse requirement: found '(', expected: identifier"],
    ['a in x', "unable to parse requirement: found 'x' expected: '('"],
    ['a notin(', "unable to parse requirement: found '', expected: ',', ')' or identifier"],
    ['a in (xyz abc)', "unable to parse requirement: found 'abc', expected: ',' or ')'"],
    ['x in (a,b', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['x in (a,=)', "unable to parse requirement: found '=', expected: ',', or identifier"],
    [
      'x<a',
      "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer",
    ],
    [
      'x>99999999999999999999',
      "unable to parse requirement: values[0]: Invalid value: \"99999999999999999999\": for 'Gt', 'Lt' operators, the value must be an integer",
    ],
    ['a>-1', `unable to parse requirement: values[0][a]: Invalid value: "-1": ${valueRule}`],
    [
      'a>x-',
      `unable to parse requirement: [values[0]: Invalid value: "x-": for 'Gt', 'Lt' operators, the value must be an integer, values[0][a]: Invalid value: "x-": ${valueRule}]`,
    ],
    ['a$b', `unable to parse requirement: <nil>: Invalid value: "a$b": name part ${nameRule}`],
    [
      'a/b/c=d',
      `unable to parse requirement: <nil>: Invalid value: "a/b/c": a valid label key ${nameRule} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ],
    ['/x', `unable to parse requirement: <nil>: Invalid value: "/x": prefix part must be non-empty`],
    [
      `${'k'.repeat(64)}=v`,
      `unable to parse requirement: <nil>: Invalid value: "${'k'.repeat(64)}": name part must be no more than 63 bytes`,
    ],
    ['app=a$b', `unable to parse requirement: values[0][app]: Invalid value: "a$b": ${valueRule}`],
    [
      `app=${'v'.repeat(64)}`,
      `unable to parse requirement: values[0][app]: Invalid value: "${'v'.repeat(64)}": must be no more than 63 bytes`,
    ],
  ])('refuses %j with 400 %j', (text, message) => {
    const error = thrown(() => parseLabelSelector(text));
    expect(error.reason).toBe('BadRequest');
    expect(error.code).toBe(400);
    expect(error.message).toBe(message);
  });
});

describe('matching labels', () => {
  const labels = { app: 'web', tier: 'front', empty: '', replicas: '3' };

  it.each<[string, Record<string, string> | undefined, boolean]>([
    ['', labels, true],
    ['', undefined, true],
    ['app=web', labels, true],
    ['app==web', labels, true],
    ['app=db', labels, false],
    ['app=web,tier=front', labels, true],
    ['app=web,tier=back', labels, false],
    ['app!=db', labels, true],
    ['app!=web', labels, false],
    ['missing!=x', labels, true],
    ['missing=', labels, false],
    ['empty=', labels, true],
    ['app', labels, true],
    ['missing', labels, false],
    ['!missing', labels, true],
    ['!app', labels, false],
    ['tier in (front,back)', labels, true],
    ['tier in (back)', labels, false],
    ['missing in (x)', labels, false],
    ['tier notin (back)', labels, true],
    ['tier notin (front)', labels, false],
    ['missing notin (x)', labels, true],
    ['empty in ()', labels, true],
    ['replicas>2', labels, true],
    ['replicas>3', labels, false],
    ['replicas<4', labels, true],
    ['replicas<3', labels, false],
    ['app>1', labels, false],
    ['missing<1', labels, false],
    ['in=notin', { in: 'notin' }, true],
    ['constructor', {}, false],
    ['!toString', {}, true],
    ['x', undefined, false],
  ])('%j against %j is %s', (text, set, expected) => {
    expect(parseLabelSelector(text).matches(set)).toBe(expected);
  });
});

describe('exact matches for indexes', () => {
  it.each<[string, string, string | undefined]>([
    ['app=web', 'app', 'web'],
    ['app==web', 'app', 'web'],
    ['app in (web)', 'app', 'web'],
    ['app in (web,db)', 'app', undefined],
    ['app!=web', 'app', undefined],
    ['app', 'app', undefined],
    ['tier=front', 'app', undefined],
    ['app,app=web', 'app', undefined],
  ])('%j demands %j to be %j', (text, key, value) => {
    expect(parseLabelSelector(text).exactMatch(key)).toBe(value);
  });
});

describe('selectors from a set of labels', () => {
  it('matches objects carrying every label, and prints sorted', () => {
    const selector = selectorFromSet({ tier: 'front', app: 'web' });
    expect(selector.toString()).toBe('app=web,tier=front');
    expect(selector.matches({ app: 'web', tier: 'front', extra: 'x' })).toBe(true);
    expect(selector.matches({ app: 'web' })).toBe(false);
    expect(selector.exactMatch('app')).toBe('web');
  });

  it('an empty or absent set selects everything', () => {
    expect(selectorFromSet({}).empty).toBe(true);
    expect(selectorFromSet(undefined).matches({ a: 'b' })).toBe(true);
  });
});

describe('the LabelSelector object form', () => {
  it('an absent selector selects nothing', () => {
    for (const absent of [null, undefined]) {
      const selector = labelSelectorAsSelector(absent);
      expect(selector).toBe(nothingSelector);
      expect(selector.matches({})).toBe(false);
      expect(selector.empty).toBe(false);
      expect(selector.toString()).toBe('');
    }
  });

  it('an empty selector selects everything', () => {
    expect(labelSelectorAsSelector({})).toBe(everythingSelector);
    expect(labelSelectorAsSelector({ matchLabels: {}, matchExpressions: [] }).matches({ a: 'b' })).toBe(true);
  });

  it('combines matchLabels and matchExpressions, keeping expression values as written', () => {
    const selector = labelSelectorAsSelector({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['front', 'back'] },
        { key: 'canary', operator: 'DoesNotExist' },
        { key: 'zone', operator: 'NotIn', values: ['b'] },
        { key: 'owner', operator: 'Exists', values: [] },
      ],
    });
    expect(selector.toString()).toBe('app=web,!canary,owner,tier in (back,front),zone notin (b)');
    expect(selector.requirements.find((requirement) => requirement.key === 'tier')?.values).toEqual([
      'front',
      'back',
    ]);
    expect(selector.matches({ app: 'web', tier: 'back', owner: 'me' })).toBe(true);
    expect(selector.matches({ app: 'web', tier: 'back', owner: 'me', canary: 'true' })).toBe(false);
    expect(selector.matches({ app: 'web', tier: 'back', owner: 'me', zone: 'b' })).toBe(false);
  });

  it.each<[string, LabelSelector, string]>([
    [
      'an unknown operator',
      { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] },
      '"Gt" is not a valid label selector operator',
    ],
    [
      'an operator named like an object property',
      { matchExpressions: [{ key: 'a', operator: 'toString' }] },
      '"toString" is not a valid label selector operator',
    ],
    [
      'In without values',
      { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] },
      "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty",
    ],
    [
      'Exists with values',
      { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
      'values: Invalid value: ["x"]: values set must be empty for exists and does not exist',
    ],
    ['a malformed key', { matchLabels: { 'a b': 'x' } }, `key: Invalid value: "a b": name part ${nameRule}`],
    [
      'a malformed value',
      { matchLabels: { app: 'a b' } },
      `values[0][app]: Invalid value: "a b": ${valueRule}`,
    ],
    [
      'a malformed key and value together',
      { matchExpressions: [{ key: '-a', operator: 'In', values: ['ok', '-b'] }] },
      `[key: Invalid value: "-a": name part ${nameRule}, values[1][-a]: Invalid value: "-b": ${valueRule}]`,
    ],
  ])('refuses %s with a 400', (_case, selector, message) => {
    const error = thrown(() => labelSelectorAsSelector(selector));
    expect(error.reason).toBe('BadRequest');
    expect(error.message).toBe(message);
  });
});

describe('validating labels in objects', () => {
  it('reports each problem of each label at the labels field, keys in order', () => {
    const errors = validateLabels({ ok: 'bad value!', 'a b': 'fine', good: 'yes' }, 'metadata.labels');
    expect(errors.map(formatFieldError)).toEqual([
      `metadata.labels: Invalid value: "a b": name part ${nameRule}`,
      `metadata.labels: Invalid value: "bad value!": ${valueRule}`,
    ]);
    expect(errors.every((error) => error.type === 'FieldValueInvalid')).toBe(true);
  });

  it('finds nothing wrong with valid or absent labels', () => {
    expect(validateLabels({ app: 'web', 'example.com/tier': '' }, 'metadata.labels')).toEqual([]);
    expect(validateLabels(undefined, 'metadata.labels')).toEqual([]);
  });

  it('reports every problem of a selector at its own path', () => {
    const errors = validateLabelSelector(
      {
        matchLabels: { app: '-web' },
        matchExpressions: [
          { key: 'tier', operator: 'In' },
          { key: 'canary', operator: 'DoesNotExist', values: ['x'] },
          { key: 'bad key', operator: 'Near', values: ['ok', 'not ok'] },
        ],
      },
      'spec.selector',
    );
    expect(errors.map(formatFieldError)).toEqual([
      `spec.selector.matchLabels: Invalid value: "-web": ${valueRule}`,
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      'spec.selector.matchExpressions[2].operator: Invalid value: "Near": not a valid selector operator',
      `spec.selector.matchExpressions[2].key: Invalid value: "bad key": name part ${nameRule}`,
      `spec.selector.matchExpressions[2].values[1]: Invalid value: "not ok": ${valueRule}`,
    ]);
  });

  it('accepts a valid selector and an absent one', () => {
    expect(validateLabelSelector({ matchLabels: { app: 'web' } }, 'spec.selector')).toEqual([]);
    expect(validateLabelSelector(undefined, 'spec.selector')).toEqual([]);
  });
});
