import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/resource.js';
import { isStatusError } from '../../api/status.js';
import { refFor } from '../../client/refs.js';
import { AdmissionObjects } from './objects.js';
import { PodSecurity } from './pod-security.js';
import { type PluginFixture, pluginFixture } from './testing.js';

let fixture: PluginFixture;
let plugin: PodSecurity;

beforeAll(async () => {
  fixture = await pluginFixture();
  plugin = new PodSecurity(new AdmissionObjects(fixture.server.stores));
  await fixture.namespace('locked', { 'pod-security.kubernetes.io/enforce': 'restricted' });
  await fixture.namespace('watched', { 'pod-security.kubernetes.io/warn': 'baseline' });
  await fixture.namespace('open');
  await fixture.caught();
});
afterAll(() => fixture?.close());

const privilegedPod = (namespace: string, name = 'x'): KubeObject => ({
  metadata: { name, namespace },
  spec: { containers: [{ name: 'c', image: 'nginx', securityContext: { privileged: true } }] },
});

describe('PodSecurity', () => {
  it('refuses a pod that violates the enforced level with upstream’s message', async () => {
    const failure = await Promise.resolve(
      plugin.validate(fixture.request({ resource: 'pods', object: privilegedPod('locked') })),
    ).catch((error: unknown) => error);
    expect(isStatusError(failure, 'Forbidden')).toBe(true);
    expect((failure as { message: string }).message).toBe(
      'pods "x" is forbidden: violates PodSecurity "restricted:latest": privileged (container "c" must not set securityContext.privileged=true), allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    );
  });

  it('warns, and lets the pod in, where the level is only warned about', async () => {
    const request = fixture.request({ resource: 'pods', object: privilegedPod('watched') });
    await plugin.validate(request);
    expect(request.warnings).toEqual([
      'would violate PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)',
    ]);
  });

  it('says nothing in a namespace without labels', async () => {
    const request = fixture.request({ resource: 'pods', object: privilegedPod('open') });
    await plugin.validate(request);
    expect(request.warnings).toEqual([]);
  });

  it('only warns about a workload’s pod template, even where the level is enforced', async () => {
    const request = fixture.request({
      resource: 'apps/deployments',
      object: {
        metadata: { name: 'web', namespace: 'locked' },
        spec: {
          template: {
            spec: { containers: [{ name: 'c', image: 'nginx', securityContext: { privileged: true } }] },
          },
        },
      },
    });
    await plugin.validate(request);
    expect(request.warnings).toHaveLength(1);
    expect(request.warnings[0]).toMatch(
      /^would violate PodSecurity "restricted:latest": privileged \(container "c"/,
    );
  });

  it('lets a pod update through unless it changes an image', async () => {
    const pod = privilegedPod('locked');
    const relabelled = { ...pod, metadata: { ...pod.metadata, labels: { a: 'b' } } };
    await plugin.validate(fixture.request({ resource: 'pods', object: relabelled, oldObject: pod }));
    const reimaged = {
      ...pod,
      spec: { containers: [{ name: 'c', image: 'nginx:2', securityContext: { privileged: true } }] },
    };
    await expect(
      Promise.resolve(
        plugin.validate(fixture.request({ resource: 'pods', object: reimaged, oldObject: pod })),
      ),
    ).rejects.toThrow(/violates PodSecurity/);
  });

  it('refuses namespace labels that do not parse with a 422 naming the label', async () => {
    const failure = await Promise.resolve(
      plugin.validate(
        fixture.request({
          resource: 'namespaces',
          object: { metadata: { name: 'bad', labels: { 'pod-security.kubernetes.io/enforce': 'strict' } } },
        }),
      ),
    ).catch((error: unknown) => error);
    expect(isStatusError(failure, 'Invalid')).toBe(true);
    expect((failure as { message: string }).message).toBe(
      'Namespace "bad" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted',
    );
  });

  it('warns about existing pods when a namespace’s enforce level is tightened', async () => {
    await fixture.namespace('legacy');
    for (const name of ['b', 'a']) {
      await fixture.client.create(refFor('Pod', 'legacy'), privilegedPod('legacy', name));
    }
    await fixture.client.create(refFor('Pod', 'legacy'), {
      metadata: { name: 'host' },
      spec: { hostNetwork: true, containers: [{ name: 'c', image: 'nginx' }] },
    });
    await fixture.caught();
    const old = await fixture.client.get(refFor('Namespace'), 'legacy');
    const tightened = {
      ...old,
      metadata: {
        ...old.metadata,
        labels: { ...old.metadata?.labels, 'pod-security.kubernetes.io/enforce': 'baseline' },
      },
    };
    const request = fixture.request({ resource: 'namespaces', object: tightened, oldObject: old });
    await plugin.validate(request);
    expect(request.warnings).toEqual([
      'existing pods in namespace "legacy" violate the new PodSecurity enforce level "baseline:latest"',
      'a (and 1 other pod): privileged',
      'host: host namespaces',
    ]);
    // Relaxing it again checks nothing.
    const relaxed = fixture.request({ resource: 'namespaces', object: old, oldObject: tightened });
    await plugin.validate(relaxed);
    expect(relaxed.warnings).toEqual([]);
  });
});
