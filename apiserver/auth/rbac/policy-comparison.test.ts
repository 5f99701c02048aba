import { describe, expect, it } from 'vitest';
import type { PolicyRule } from '../../../api/auth.js';
import { breakdownRule, compactRules, compactString, covers, fullAuthority } from './policy-comparison.js';

describe('whether held rules cover wanted ones', () => {
  it.each<[string, PolicyRule[], PolicyRule[], boolean]>([
    [
      'the same rule',
      [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }],
      [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }],
      true,
    ],
    [
      'a wider verb list',
      [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }],
      [{ verbs: ['list'], apiGroups: [''], resources: ['pods'] }],
      true,
    ],
    [
      'split across two held rules',
      [
        { verbs: ['get'], apiGroups: [''], resources: ['pods'] },
        { verbs: ['list'], apiGroups: [''], resources: ['pods'] },
      ],
      [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }],
      true,
    ],
    [
      'a verb not held',
      [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }],
      [{ verbs: ['delete'], apiGroups: [''], resources: ['pods'] }],
      false,
    ],
    [
      '* covers a named verb, not the other way round',
      [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }],
      [{ verbs: ['*'], apiGroups: [''], resources: ['pods'] }],
      false,
    ],
    [
      '*/scale covers deployments/scale',
      [{ verbs: ['get'], apiGroups: ['apps'], resources: ['*/scale'] }],
      [{ verbs: ['get'], apiGroups: ['apps'], resources: ['deployments/scale'] }],
      true,
    ],
    [
      'a named resource does not cover its subresource',
      [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }],
      [{ verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }],
      false,
    ],
    [
      'any name covers one name',
      [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }],
      [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['tls'] }],
      true,
    ],
    [
      'one name does not cover every name',
      [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['tls'] }],
      [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }],
      false,
    ],
    [
      'a URL prefix with *',
      [{ verbs: ['get'], nonResourceURLs: ['/apis/*'] }],
      [{ verbs: ['get'], nonResourceURLs: ['/apis/apps'] }],
      true,
    ],
    [
      'resource rules do not cover URLs',
      [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
      [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }],
      false,
    ],
    [
      'full authority covers everything',
      [...fullAuthority],
      [
        { verbs: ['escalate'], apiGroups: ['x.io'], resources: ['things/status'], resourceNames: ['a'] },
        { verbs: ['post'], nonResourceURLs: ['/anything'] },
      ],
      true,
    ],
  ])('%s', (_name, owner, wanted, expected) => {
    expect(covers(owner, wanted).covered).toBe(expected);
  });

  it('names what is missing, one verb, group, resource and name at a time', () => {
    const { missing } = covers(
      [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }],
      [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', 'secrets'] }],
    );
    expect(missing).toEqual([
      { verbs: ['list'], apiGroups: [''], resources: ['pods'] },
      { verbs: ['get'], apiGroups: [''], resources: ['secrets'] },
      { verbs: ['list'], apiGroups: [''], resources: ['secrets'] },
    ]);
  });
});

describe('rules in escalation messages', () => {
  it('breaks a rule into atoms, names and URLs included', () => {
    expect(
      breakdownRule({
        verbs: ['get', 'delete'],
        apiGroups: [''],
        resources: ['secrets'],
        resourceNames: ['a', 'b'],
      }),
    ).toHaveLength(4);
    expect(breakdownRule({ verbs: ['get'], nonResourceURLs: ['/a', '/b'] })).toEqual([
      { verbs: ['get'], nonResourceURLs: ['/a'] },
      { verbs: ['get'], nonResourceURLs: ['/b'] },
    ]);
  });

  it('joins atoms differing only in verb, and prints them Go-quoted in upstream’s order', () => {
    const compacted = compactRules([
      { verbs: ['get'], apiGroups: [''], resources: ['secrets'] },
      { verbs: ['list'], apiGroups: [''], resources: ['secrets'] },
      { verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['tls'] },
      { verbs: ['get'], nonResourceURLs: ['/metrics'] },
    ]);
    expect(compacted.map(compactString)).toEqual([
      '{NonResourceURLs:["/metrics"], Verbs:["get"]}',
      '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}',
      '{APIGroups:[""], Resources:["secrets"], ResourceNames:["tls"], Verbs:["get"]}',
    ]);
  });
});
