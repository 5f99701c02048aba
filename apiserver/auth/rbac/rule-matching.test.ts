import { describe, expect, it } from 'vitest';
import type { Attributes, PolicyRule } from '../../../api/auth.js';
import { normalizeRule, ruleAllows } from './rule-matching.js';

const user = { username: 'alice', groups: ['system:authenticated'] };

function resource(
  verb: string,
  group: string,
  resourceName: string,
  extra: Partial<Attributes> = {},
): Attributes {
  const [main, subresource] = resourceName.split('/');
  return {
    user,
    verb,
    resourceRequest: true,
    apiGroup: group,
    resource: main!,
    ...(subresource ? { subresource } : {}),
    ...extra,
  };
}

function path(verb: string, requestPath: string): Attributes {
  return { user, verb, resourceRequest: false, path: requestPath };
}

const podsReader: PolicyRule = { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'] };

describe('one RBAC rule against one request', () => {
  it.each<[string, PolicyRule, Attributes, boolean]>([
    ['the verb, group and resource named', podsReader, resource('get', '', 'pods'), true],
    ['a verb the rule lacks', podsReader, resource('delete', '', 'pods'), false],
    ['another group', podsReader, resource('get', 'apps', 'pods'), false],
    ['another resource', podsReader, resource('get', '', 'secrets'), false],
    ['a subresource of a named resource', podsReader, resource('get', '', 'pods/log'), false],
    [
      'verbs *',
      { verbs: ['*'], apiGroups: [''], resources: ['pods'] },
      resource('escalate', '', 'pods'),
      true,
    ],
    [
      'apiGroups *',
      { verbs: ['get'], apiGroups: ['*'], resources: ['pods'] },
      resource('get', 'x.io', 'pods'),
      true,
    ],
    [
      'resources *',
      { verbs: ['get'], apiGroups: [''], resources: ['*'] },
      resource('get', '', 'pods/log'),
      true,
    ],
    [
      'resource/subresource',
      { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] },
      resource('get', '', 'pods/log'),
      true,
    ],
    [
      'resource/subresource, main resource asked',
      { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] },
      resource('get', '', 'pods'),
      false,
    ],
    [
      '*/subresource',
      { verbs: ['get'], apiGroups: ['*'], resources: ['*/scale'] },
      resource('get', 'apps', 'deployments/scale'),
      true,
    ],
    [
      '*/subresource, other subresource',
      { verbs: ['get'], apiGroups: ['*'], resources: ['*/scale'] },
      resource('get', 'apps', 'deployments/status'),
      false,
    ],
    [
      '*/subresource, main resource asked',
      { verbs: ['get'], apiGroups: ['*'], resources: ['*/scale'] },
      resource('get', 'apps', 'deployments'),
      false,
    ],
    [
      'resourceNames, that name',
      { ...podsReader, resourceNames: ['web'] },
      resource('get', '', 'pods', { name: 'web' }),
      true,
    ],
    [
      'resourceNames, another name',
      { ...podsReader, resourceNames: ['web'] },
      resource('get', '', 'pods', { name: 'db' }),
      false,
    ],
    [
      'resourceNames, a list (no name)',
      { ...podsReader, resourceNames: ['web'] },
      resource('list', '', 'pods'),
      false,
    ],
    [
      'an empty resourceNames list means every name',
      { ...podsReader, resourceNames: [] },
      resource('get', '', 'pods', { name: 'db' }),
      true,
    ],
    [
      'a resource rule, a non-resource request',
      { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
      path('get', '/healthz'),
      false,
    ],
    [
      'nonResourceURLs, that path',
      { verbs: ['get'], nonResourceURLs: ['/healthz'] },
      path('get', '/healthz'),
      true,
    ],
    [
      'nonResourceURLs, another path',
      { verbs: ['get'], nonResourceURLs: ['/healthz'] },
      path('get', '/healthz/etcd'),
      false,
    ],
    [
      'nonResourceURLs with a * suffix',
      { verbs: ['get'], nonResourceURLs: ['/apis/*'] },
      path('get', '/apis/apps/v1'),
      true,
    ],
    [
      'nonResourceURLs with a * suffix, the bare prefix',
      { verbs: ['get'], nonResourceURLs: ['/apis/*'] },
      path('get', '/apis'),
      false,
    ],
    ['nonResourceURLs *', { verbs: ['get'], nonResourceURLs: ['*'] }, path('get', '/anything'), true],
    [
      'nonResourceURLs, another verb',
      { verbs: ['get'], nonResourceURLs: ['/version'] },
      path('post', '/version'),
      false,
    ],
    [
      'a non-resource rule, a resource request',
      { verbs: ['*'], nonResourceURLs: ['*'] },
      resource('get', '', 'pods'),
      false,
    ],
    [
      'verbs are case-sensitive',
      { verbs: ['GET'], apiGroups: [''], resources: ['pods'] },
      resource('get', '', 'pods'),
      false,
    ],
  ])('%s', (_name, rule, attributes, expected) => {
    expect(ruleAllows(attributes, rule)).toBe(expected);
  });
});

describe('rules read from objects', () => {
  it('fills every absent list and drops values that are not strings', () => {
    expect(normalizeRule({ verbs: ['get', 7], resources: 'pods' })).toEqual({
      verbs: ['get'],
      apiGroups: [],
      resources: [],
      resourceNames: [],
      nonResourceURLs: [],
    });
  });
});
