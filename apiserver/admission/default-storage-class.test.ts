import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/resource.js';
import { refFor } from '../../client/refs.js';
import { DefaultStorageClass, defaultStorageClass } from './default-storage-class.js';
import { AdmissionObjects } from './objects.js';
import { type PluginFixture, pluginFixture } from './testing.js';

let fixture: PluginFixture;
let plugin: DefaultStorageClass;

beforeAll(async () => {
  fixture = await pluginFixture();
  plugin = new DefaultStorageClass(new AdmissionObjects(fixture.server.stores));
});
afterAll(() => fixture?.close());

const claim = (spec: Record<string, unknown> = {}, annotations?: Record<string, string>): KubeObject => ({
  metadata: { name: 'data', namespace: 'default', ...(annotations ? { annotations } : {}) },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
});

const classOf = (object: KubeObject) =>
  (object.spec as { storageClassName?: string | null }).storageClassName;

function admit(object: KubeObject, oldObject?: KubeObject): KubeObject {
  plugin.admit(
    fixture.request({ resource: 'persistentvolumeclaims', object, ...(oldObject ? { oldObject } : {}) }),
  );
  return object;
}

describe('DefaultStorageClass', () => {
  it('leaves claims alone while no class is the default', async () => {
    await fixture.client.create(refFor('StorageClass'), { metadata: { name: 'slow' }, provisioner: 'p' });
    await fixture.caught();
    expect(classOf(admit(claim()))).toBeUndefined();
  });

  it('gives a claim without a class the default class, but not a claim that names one, or none', async () => {
    await fixture.client.create(refFor('StorageClass'), {
      metadata: { name: 'fast', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'p',
    });
    await fixture.caught();
    expect(classOf(admit(claim()))).toBe('fast');
    expect(classOf(admit(claim({ storageClassName: 'slow' })))).toBe('slow');
    expect(classOf(admit(claim({ storageClassName: '' })))).toBe('');
    expect(classOf(admit(claim({}, { 'volume.beta.kubernetes.io/storage-class': 'slow' })))).toBeUndefined();
    expect(classOf(admit(claim(), claim()))).toBeUndefined();
  });

  it('picks the newest default, then the first by name', () => {
    const make = (name: string, created: string): KubeObject => ({
      metadata: {
        name,
        creationTimestamp: created,
        annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
      },
    });
    const older = make('a', '2025-01-01T00:00:00Z');
    const newerB = make('b', '2025-02-01T00:00:00Z');
    const newerC = make('c', '2025-02-01T00:00:00Z');
    expect(defaultStorageClass([older, newerC, newerB])?.metadata?.name).toBe('b');
  });
});
