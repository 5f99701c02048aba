import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/resource.js';
import { isStatusError } from '../../api/status.js';
import { refFor } from '../../client/refs.js';
import { AdmissionObjects } from './objects.js';
import { ResourceQuotaAdmission } from './resource-quota.js';
import { type PluginFixture, pluginFixture } from './testing.js';

let fixture: PluginFixture;
let plugin: ResourceQuotaAdmission;

beforeAll(async () => {
  fixture = await pluginFixture();
  plugin = new ResourceQuotaAdmission({ objects: new AdmissionObjects(fixture.server.stores) });
});
afterAll(() => fixture?.close());

/** A quota whose status the controller has computed as `used`. */
async function quota(
  namespace: string,
  name: string,
  hard: Record<string, string>,
  used?: Record<string, string>,
) {
  const ref = refFor('ResourceQuota', namespace);
  const created = await fixture.client.create(ref, { metadata: { name }, spec: { hard } });
  if (used)
    await fixture.client.update(ref, { ...created, status: { hard, used } }, { subresource: 'status' });
  await fixture.caught();
}

const usedOf = async (namespace: string, name: string) =>
  (
    (await fixture.client.get(refFor('ResourceQuota', namespace), name)).status as {
      used: Record<string, string>;
    }
  ).used;

const pod = (namespace: string, name: string, requests?: Record<string, string>): KubeObject => ({
  metadata: { name, namespace },
  spec: { containers: [{ name: 'app', image: 'nginx', ...(requests ? { resources: { requests } } : {}) }] },
});

async function outcome(run: () => Promise<void>): Promise<string> {
  return run().then(
    () => 'admitted',
    (error: unknown) => {
      expect(isStatusError(error, 'Forbidden')).toBe(true);
      return (error as Error).message;
    },
  );
}

describe('ResourceQuota admission', () => {
  it('charges each write to status.used, and refuses the one that would exceed the quota', async () => {
    await fixture.namespace('one');
    await quota('one', 'q', { pods: '2', 'requests.cpu': '1' }, { pods: '0', 'requests.cpu': '0' });
    const admit = (name: string, cpu: string) =>
      outcome(() =>
        plugin.validate(
          fixture.request({ resource: 'pods', object: pod('one', name, { cpu, memory: '1Mi' }) }),
        ),
      );
    expect(await admit('a', '400m')).toBe('admitted');
    expect(await usedOf('one', 'q')).toEqual({ pods: '1', 'requests.cpu': '400m' });
    expect(await admit('b', '700m')).toBe(
      'pods "b" is forbidden: exceeded quota: q, requested: requests.cpu=700m, used: requests.cpu=400m, limited: requests.cpu=1',
    );
    expect(await admit('c', '600m')).toBe('admitted');
    expect(await admit('d', '1m')).toBe(
      'pods "d" is forbidden: exceeded quota: q, requested: pods=1,requests.cpu=1m, used: pods=2,requests.cpu=1, limited: pods=2,requests.cpu=1',
    );
    expect(await usedOf('one', 'q')).toEqual({ pods: '2', 'requests.cpu': '1' });
  });

  it('lets exactly as many of many concurrent creates through as the quota allows, across API servers', async () => {
    await fixture.namespace('race');
    await quota('race', 'q', { pods: '5' }, { pods: '0' });
    // Two plugins share nothing but the store, as two API servers would: only the quota's
    // compare-and-swap keeps them from both taking the last pod.
    const other = new ResourceQuotaAdmission({ objects: new AdmissionObjects(fixture.server.stores) });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        outcome(() =>
          (index % 2 === 0 ? plugin : other).validate(
            fixture.request({ resource: 'pods', object: pod('race', `p${index}`) }),
          ),
        ),
      ),
    );
    expect(results.filter((result) => result === 'admitted')).toHaveLength(5);
    for (const refused of results.filter((result) => result !== 'admitted')) {
      expect(refused).toMatch(
        /^pods "p\d+" is forbidden: exceeded quota: q, requested: pods=1, used: pods=5, limited: pods=5$/,
      );
    }
    expect(await usedOf('race', 'q')).toEqual({ pods: '5' });
  });

  it('limits nothing before the controller has written a status, and refuses what it limits until its usage is known', async () => {
    await fixture.namespace('new');
    await quota('new', 'unsynced', { pods: '0' });
    expect(
      await outcome(() => plugin.validate(fixture.request({ resource: 'pods', object: pod('new', 'a') }))),
    ).toBe('admitted');
    const ref = refFor('ResourceQuota', 'new');
    const unsynced = await fixture.client.get(ref, 'unsynced');
    await fixture.client.delete(ref, 'unsynced');
    const hard = { pods: '3', services: '1' };
    const fresh = await fixture.client.create(ref, { metadata: { name: 'fresh' }, spec: { hard } });
    await fixture.client.update(
      ref,
      { ...fresh, status: { hard, used: { services: '0' } } },
      { subresource: 'status' },
    );
    await fixture.caught();
    expect(unsynced.status).toBeUndefined();
    expect(
      await outcome(() => plugin.validate(fixture.request({ resource: 'pods', object: pod('new', 'a') }))),
    ).toBe('pods "a" is forbidden: status unknown for quota: fresh, resources: pods');
  });

  it('requires pods to state the compute a quota limits', async () => {
    await fixture.namespace('compute');
    await quota('compute', 'cpu', { 'limits.cpu': '2' }, { 'limits.cpu': '0' });
    expect(
      await outcome(() =>
        plugin.validate(fixture.request({ resource: 'pods', object: pod('compute', 'a') })),
      ),
    ).toBe('pods "a" is forbidden: failed quota: cpu: must specify limits.cpu for: app');
  });

  it('checks a dry run without charging it', async () => {
    await fixture.namespace('dry');
    await quota('dry', 'q', { 'count/configmaps': '1' }, { 'count/configmaps': '0' });
    const configMap = { metadata: { name: 'c', namespace: 'dry' }, data: {} };
    await plugin.validate(fixture.request({ resource: 'configmaps', object: configMap, dryRun: true }));
    expect(await usedOf('dry', 'q')).toEqual({ 'count/configmaps': '0' });
  });

  it('charges an update only for what it adds', async () => {
    await fixture.namespace('svc');
    await quota(
      'svc',
      'q',
      { 'services.loadbalancers': '1', services: '5' },
      { 'services.loadbalancers': '0', services: '1' },
    );
    const service = (type: string): KubeObject => ({
      metadata: { name: 's', namespace: 'svc', resourceVersion: '1' },
      spec: { type, ports: [{ port: 80 }] },
    });
    await plugin.validate(
      fixture.request({
        resource: 'services',
        object: service('LoadBalancer'),
        oldObject: service('ClusterIP'),
      }),
    );
    expect(await usedOf('svc', 'q')).toEqual({ 'services.loadbalancers': '1', services: '1' });
  });

  it('counts nothing where a namespace has no quota, and no cluster-scoped object', async () => {
    await fixture.namespace('free');
    await plugin.validate(fixture.request({ resource: 'pods', object: pod('free', 'a') }));
    await plugin.validate(fixture.request({ resource: 'namespaces', object: { metadata: { name: 'x' } } }));
  });
});
