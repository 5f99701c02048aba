import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/resource.js';
import { isStatusError } from '../../api/status.js';
import { refFor } from '../../client/refs.js';
import { AdmissionObjects } from './objects.js';
import { Priority } from './priority.js';
import { type PluginFixture, pluginFixture } from './testing.js';

let fixture: PluginFixture;
let plugin: Priority;

beforeAll(async () => {
  fixture = await pluginFixture();
  plugin = new Priority(new AdmissionObjects(fixture.server.stores));
  await fixture.client.create(refFor('PriorityClass'), {
    metadata: { name: 'batch' },
    value: 100,
    preemptionPolicy: 'Never',
  });
  await fixture.caught();
});
afterAll(() => fixture?.close());

const pod = (spec: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name: 'web', namespace: 'default' },
  spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec },
});

async function admit(object: KubeObject, oldObject?: KubeObject): Promise<Record<string, unknown>> {
  await plugin.admit(fixture.request({ resource: 'pods', object, ...(oldObject ? { oldObject } : {}) }));
  return object.spec as Record<string, unknown>;
}

async function refusal(run: () => unknown): Promise<string> {
  const failure = await Promise.resolve()
    .then(run)
    .then(
      () => undefined,
      (error: unknown) => error,
    );
  expect(isStatusError(failure, 'Forbidden')).toBe(true);
  return (failure as Error).message;
}

describe('Priority admission', () => {
  it('gives a pod its class’s value and preemption policy, the built-in classes included', async () => {
    expect(await admit(pod({ priorityClassName: 'batch' }))).toMatchObject({
      priority: 100,
      preemptionPolicy: 'Never',
    });
    expect(await admit(pod({ priorityClassName: 'system-node-critical' }))).toMatchObject({
      priority: 2000001000,
      preemptionPolicy: 'PreemptLowerPriority',
    });
  });

  it('gives a pod without a class priority 0 while no class is the global default', async () => {
    const spec = await admit(pod());
    expect(spec.priority).toBe(0);
    expect(spec.priorityClassName).toBeUndefined();
  });

  it('refuses an unknown class, and a priority or policy the class does not give', async () => {
    expect(await refusal(() => admit(pod({ priorityClassName: 'nope' })))).toBe(
      'pods "web" is forbidden: no PriorityClass with name nope was found',
    );
    expect(await refusal(() => admit(pod({ priorityClassName: 'batch', priority: 5 })))).toBe(
      'pods "web" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 100 from the given PriorityClass name',
    );
    expect(
      await refusal(() =>
        admit(pod({ priorityClassName: 'batch', preemptionPolicy: 'PreemptLowerPriority' })),
      ),
    ).toBe(
      'pods "web" is forbidden: the string value of PreemptionPolicy (PreemptLowerPriority) must not be provided in pod spec; priority admission controller computed Never from the given PriorityClass name',
    );
  });

  it('keeps the priority a pod was given when an update leaves it out', async () => {
    expect(await admit(pod(), pod({ priority: 100, preemptionPolicy: 'Never' }))).toMatchObject({
      priority: 100,
      preemptionPolicy: 'Never',
    });
  });

  it('lets one class be the global default, which then names and ranks pods without a class', async () => {
    const first = { metadata: { name: 'standard' }, value: 10, globalDefault: true };
    await plugin.validate(fixture.request({ resource: 'scheduling.k8s.io/priorityclasses', object: first }));
    await fixture.client.create(refFor('PriorityClass'), first);
    await fixture.caught();
    expect(await admit(pod())).toMatchObject({ priorityClassName: 'standard', priority: 10 });
    const second = { metadata: { name: 'other' }, value: 20, globalDefault: true };
    expect(
      await refusal(() =>
        plugin.validate(fixture.request({ resource: 'scheduling.k8s.io/priorityclasses', object: second })),
      ),
    ).toBe(
      'priorityclasses.scheduling.k8s.io "other" is forbidden: PriorityClass standard is already marked as default. Only one default can exist',
    );
    // The default itself may be updated.
    await plugin.validate(
      fixture.request({ resource: 'scheduling.k8s.io/priorityclasses', object: first, oldObject: first }),
    );
  });
});
