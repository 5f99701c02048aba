import { describe, expect, it } from 'vitest';
import { classifyRequest, isWatch } from './request-class.js';

describe('classifyRequest', () => {
  it.each([
    ['GET', '/healthz', 'exempt'],
    ['GET', '/livez/etcd', 'exempt'],
    ['GET', '/readyz?verbose', 'exempt'],
    ['GET', '/healthzz', 'read-only'],
    ['GET', '/api/v1/pods?watch=true', 'long-running'],
    ['GET', '/api/v1/pods?labelSelector=a&watch=1', 'long-running'],
    ['GET', '/api/v1/pods?watch=false', 'read-only'],
    ['GET', '/api/v1/watch/namespaces/ns/pods', 'long-running'],
    ['GET', '/apis/apps/v1/watch/deployments', 'long-running'],
    ['GET', '/api/v1/namespaces/watch/pods', 'read-only'],
    ['POST', '/api/v1/namespaces/ns/pods/web/exec', 'long-running'],
    ['GET', '/api/v1/namespaces/ns/pods/web/log', 'long-running'],
    ['POST', '/api/v1/namespaces/ns/configmaps', 'mutating'],
    ['PATCH', '/apis/apps/v1/namespaces/ns/deployments/web', 'mutating'],
    ['DELETE', '/api/v1/namespaces/ns', 'mutating'],
    ['GET', '/api/v1/namespaces', 'read-only'],
    ['HEAD', '/version', 'read-only'],
  ])('%s %s is %s', (method, url, expected) => {
    expect(classifyRequest(method, url)).toBe(expected);
  });

  it('reads the watch parameter only as a whole query parameter', () => {
    expect(isWatch('/api/v1/pods', 'fieldSelector=x&watch=True')).toBe(true);
    expect(isWatch('/api/v1/pods', 'nowatch=true')).toBe(false);
  });
});
