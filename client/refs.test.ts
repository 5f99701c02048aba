import { describe, expect, it } from 'vitest';
import { isClientError } from './errors.js';
import { definitionForRef, refFor, refForObject } from './refs.js';

describe('refs from kinds', () => {
  it.each([
    ['Pod', 'default', { group: '', version: 'v1', resource: 'pods', namespace: 'default' }],
    ['Deployment', undefined, { group: 'apps', version: 'v1', resource: 'deployments' }],
    [
      'Lease',
      'kube-system',
      { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: 'kube-system' },
    ],
    // The core group comes first, a group's preferred version first.
    ['Event', 'default', { group: '', version: 'v1', resource: 'events', namespace: 'default' }],
    [
      'HorizontalPodAutoscaler',
      'default',
      { group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers', namespace: 'default' },
    ],
    // A cluster-scoped kind drops the namespace.
    ['Node', 'default', { group: '', version: 'v1', resource: 'nodes' }],
  ])('%s in %s', (kind, namespace, ref) => {
    expect(refFor(kind, namespace)).toEqual(ref);
  });

  it('an apiVersion picks among kinds of the same name', () => {
    expect(refFor({ apiVersion: 'events.k8s.io/v1', kind: 'Event' }, 'a')).toEqual({
      group: 'events.k8s.io',
      version: 'v1',
      resource: 'events',
      namespace: 'a',
    });
    expect(refFor({ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler' }).version).toBe('v1');
  });

  it("an owner reference's ref is in the dependent's namespace", () => {
    const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'u' };
    expect(refForObject(owner, 'team-a')).toEqual({
      group: 'apps',
      version: 'v1',
      resource: 'replicasets',
      namespace: 'team-a',
    });
    expect(definitionForRef(refForObject(owner, 'team-a'))?.kind).toBe('ReplicaSet');
  });

  it('an unknown kind is SKIFF_ERR_UNKNOWN_RESOURCE', () => {
    let error: unknown;
    try {
      refFor('Widget');
    } catch (failure) {
      error = failure;
    }
    expect(isClientError(error, 'SKIFF_ERR_UNKNOWN_RESOURCE')).toBe(true);
  });
});
