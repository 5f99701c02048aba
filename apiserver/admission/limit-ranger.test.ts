import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/resource.js';
import { isStatusError } from '../../api/status.js';
import { refFor } from '../../client/refs.js';
import { containerDefaults, LimitRanger } from './limit-ranger.js';
import { AdmissionObjects } from './objects.js';
import { type PluginFixture, pluginFixture } from './testing.js';

let fixture: PluginFixture;
let plugin: LimitRanger;

beforeAll(async () => {
  fixture = await pluginFixture();
  plugin = new LimitRanger(new AdmissionObjects(fixture.server.stores));
  await fixture.namespace('limited');
  await fixture.client.create(refFor('LimitRange', 'limited'), {
    metadata: { name: 'limits' },
    spec: {
      limits: [
        {
          type: 'Container',
          max: { cpu: '1', memory: '1Gi' },
          min: { cpu: '100m' },
          defaultRequest: { cpu: '200m' },
          maxLimitRequestRatio: { cpu: '5' },
        },
        { type: 'Pod', max: { memory: '1536Mi' } },
        { type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '10Gi' } },
      ],
    },
  });
  await fixture.namespace('free');
  await fixture.caught();
});
afterAll(() => fixture?.close());

const pod = (containers: KubeObject[], namespace = 'limited'): KubeObject => ({
  metadata: { name: 'web', namespace },
  spec: { containers },
});

async function refusal(run: () => Promise<void> | void): Promise<string> {
  const failure = await Promise.resolve()
    .then(run)
    .then(
      () => undefined,
      (error: unknown) => error,
    );
  expect(isStatusError(failure, 'Forbidden')).toBe(true);
  return (failure as Error).message;
}

describe('LimitRanger', () => {
  it('reads a Container item’s defaults as upstream defaults them', () => {
    expect(containerDefaults({ type: 'Container', max: { cpu: '2' }, min: { memory: '1Mi' } })).toEqual({
      limits: { cpu: '2' },
      requests: { cpu: '2', memory: '1Mi' },
    });
  });

  it('fills what containers leave out from the defaults, and says so in an annotation', async () => {
    const object = pod([
      { name: 'app', image: 'nginx', resources: { limits: { cpu: '500m' } } },
      { name: 'side', image: 'busybox' },
    ]);
    const request = fixture.request({ resource: 'pods', object });
    plugin.admit(request);
    const spec = object.spec as { containers: { resources: unknown }[] };
    expect(spec.containers[0]!.resources).toEqual({
      limits: { cpu: '500m', memory: '1Gi' },
      requests: { cpu: '200m', memory: '1Gi' },
    });
    expect(spec.containers[1]!.resources).toEqual({
      limits: { cpu: '1', memory: '1Gi' },
      requests: { cpu: '200m', memory: '1Gi' },
    });
    expect(object.metadata?.annotations?.['kubernetes.io/limit-ranger']).toBe(
      'LimitRanger plugin set: cpu, memory request for container app; memory limit for container app; cpu, memory request for container side; cpu, memory limit for container side',
    );
    // Each container now passes, but together their memory limits (2Gi) exceed the Pod item's max.
    expect(await refusal(() => plugin.validate(request))).toBe(
      'pods "web" is forbidden: maximum memory usage per Pod is 1536Mi, but limit is 2Gi',
    );
  });

  it('leaves pods alone in a namespace without LimitRanges', () => {
    const object = pod([{ name: 'app', image: 'nginx' }], 'free');
    plugin.admit(fixture.request({ resource: 'pods', object }));
    expect(object).toEqual(pod([{ name: 'app', image: 'nginx' }], 'free'));
  });

  it.each([
    [
      'a limit over the max',
      { limits: { cpu: '2', memory: '512Mi' }, requests: { cpu: '500m', memory: '512Mi' } },
      'pods "web" is forbidden: maximum cpu usage per Container is 1, but limit is 2',
    ],
    [
      'a request under the min',
      { limits: { cpu: '200m', memory: '512Mi' }, requests: { cpu: '50m', memory: '512Mi' } },
      'pods "web" is forbidden: minimum cpu usage per Container is 100m, but request is 50m',
    ],
    [
      'a limit too far above the request',
      { limits: { cpu: '1', memory: '512Mi' }, requests: { cpu: '150m', memory: '512Mi' } },
      'pods "web" is forbidden: cpu max limit to request ratio per Container is 5, but provided ratio is 6.666667',
    ],
    [
      'no limit where a max applies, and no request where a min does',
      {},
      'pods "web" is forbidden: [minimum cpu usage per Container is 100m.  No request is specified, maximum cpu usage per Container is 1.  No limit is specified, maximum memory usage per Container is 1Gi.  No limit is specified, cpu max limit to request ratio per Container is 5, but no request is specified or request is 0, maximum memory usage per Pod is 1536Mi.  No limit is specified]',
    ],
  ])('refuses %s', async (_name, resources, message) => {
    const object = pod([{ name: 'app', image: 'nginx', resources }]);
    expect(await refusal(() => plugin.validate(fixture.request({ resource: 'pods', object })))).toBe(message);
  });

  it('bounds a claim’s storage request, and checks on update only a request that changed', async () => {
    const claim = (storage: string): KubeObject => ({
      metadata: { name: 'data', namespace: 'limited' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } },
    });
    expect(
      await refusal(() =>
        plugin.validate(fixture.request({ resource: 'persistentvolumeclaims', object: claim('20Gi') })),
      ),
    ).toBe(
      'persistentvolumeclaims "data" is forbidden: maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi',
    );
    expect(
      await refusal(() =>
        plugin.validate(fixture.request({ resource: 'persistentvolumeclaims', object: claim('500Mi') })),
      ),
    ).toBe(
      'persistentvolumeclaims "data" is forbidden: minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi',
    );
    // A claim stored before the LimitRange keeps its size through unrelated updates.
    plugin.validate(
      fixture.request({
        resource: 'persistentvolumeclaims',
        object: claim('20Gi'),
        oldObject: claim('20Gi'),
      }),
    );
  });
});
