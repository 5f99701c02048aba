import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/resource.js';
import { isStatusError } from '../../api/status.js';
import { refFor } from '../../client/refs.js';
import { FakeClock, settle } from '../../client/testing/fake-clock.js';
import { AdmissionObjects } from './objects.js';
import { ServiceAccountAdmission, tokenVolume } from './service-account.js';
import { type PluginFixture, pluginFixture } from './testing.js';

let fixture: PluginFixture;
let clock: FakeClock;
let plugin: ServiceAccountAdmission;

beforeAll(async () => {
  fixture = await pluginFixture();
  clock = new FakeClock();
  plugin = new ServiceAccountAdmission({
    objects: new AdmissionObjects(fixture.server.stores),
    clock,
    defaultAccountWaitMs: 5000,
    randomSuffix: () => 'abcde',
  });
  await fixture.namespace('apps');
  await fixture.client.create(refFor('ServiceAccount', 'apps'), {
    metadata: { name: 'default' },
    imagePullSecrets: [{ name: 'registry' }],
  });
  await fixture.client.create(refFor('ServiceAccount', 'apps'), {
    metadata: { name: 'quiet' },
    automountServiceAccountToken: false,
  });
  await fixture.client.create(refFor('ServiceAccount', 'apps'), {
    metadata: { name: 'strict', annotations: { 'kubernetes.io/enforce-mountable-secrets': 'true' } },
    secrets: [{ name: 'allowed' }],
  });
  await fixture.caught();
});
afterAll(() => fixture?.close());

const pod = (
  spec: Record<string, unknown>,
  namespace = 'apps',
  metadata: Record<string, unknown> = {},
): KubeObject => ({
  metadata: { name: 'web', namespace, ...metadata },
  spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec },
});

const mount = {
  name: 'kube-api-access-abcde',
  readOnly: true,
  mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
};

async function admitted(object: KubeObject): Promise<KubeObject> {
  const request = fixture.request({ resource: 'pods', object });
  await plugin.admit(request);
  await plugin.validate(request);
  return object;
}

async function refusal(object: KubeObject): Promise<string> {
  const failure = await admitted(object).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(isStatusError(failure, 'Forbidden')).toBe(true);
  return (failure as Error).message;
}

describe('ServiceAccount admission', () => {
  it('runs a pod as `default`, mounts its token, CA and namespace everywhere, and copies pull secrets', async () => {
    const object = await admitted(pod({ initContainers: [{ name: 'init', image: 'busybox' }] }));
    expect(object.spec).toEqual({
      containers: [{ name: 'app', image: 'nginx', volumeMounts: [mount] }],
      initContainers: [{ name: 'init', image: 'busybox', volumeMounts: [mount] }],
      serviceAccountName: 'default',
      serviceAccount: 'default',
      volumes: [tokenVolume('kube-api-access-abcde')],
      imagePullSecrets: [{ name: 'registry' }],
    });
    expect(tokenVolume('v')).toEqual({
      name: 'v',
      projected: {
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          {
            downwardAPI: {
              items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
            },
          },
        ],
        defaultMode: 420,
      },
    });
  });

  it('mounts nothing when the account or the pod opts out; the pod’s choice wins', async () => {
    expect((await admitted(pod({ serviceAccountName: 'quiet' }))).spec).toEqual({
      containers: [{ name: 'app', image: 'nginx' }],
      serviceAccountName: 'quiet',
      serviceAccount: 'quiet',
    });
    const optedIn = await admitted(pod({ serviceAccountName: 'quiet', automountServiceAccountToken: true }));
    expect((optedIn.spec as { volumes: { name: string }[] }).volumes.map((volume) => volume.name)).toEqual([
      'kube-api-access-abcde',
    ]);
    const optedOut = await admitted(pod({ automountServiceAccountToken: false }));
    expect((optedOut.spec as { volumes?: unknown }).volumes).toBeUndefined();
  });

  it('leaves a container that mounts its own token there alone', async () => {
    const own = { name: 'mine', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' };
    const object = await admitted(
      pod({
        containers: [
          { name: 'custom', image: 'nginx', volumeMounts: [own] },
          { name: 'plain', image: 'nginx' },
        ],
        volumes: [{ name: 'mine', secret: { secretName: 'token' } }],
      }),
    );
    const spec = object.spec as { containers: { volumeMounts: unknown[] }[]; volumes: unknown[] };
    expect(spec.containers.map((container) => container.volumeMounts)).toEqual([[own], [mount]]);
    expect(spec.volumes).toHaveLength(2);
  });

  it('refuses a pod whose account does not exist, at once', async () => {
    expect(await refusal(pod({ serviceAccountName: 'ghost' }))).toBe(
      'pods "web" is forbidden: error looking up service account apps/ghost: serviceaccount "ghost" not found',
    );
  });

  it('waits for a new namespace’s default account, which the controller makes just after it', async () => {
    await fixture.namespace('fresh');
    let done = false;
    const pending = admitted(pod({}, 'fresh')).finally(() => {
      done = true;
    });
    await settle();
    expect(done).toBe(false);
    await fixture.client.create(refFor('ServiceAccount', 'fresh'), { metadata: { name: 'default' } });
    expect(((await pending).spec as { serviceAccountName: string }).serviceAccountName).toBe('default');
  });

  it('gives up on a default account that does not come, after the wait', async () => {
    await fixture.namespace('empty');
    const pending = refusal(pod({}, 'empty'));
    await clock.advance(5000);
    expect(await pending).toBe(
      'pods "web" is forbidden: error looking up service account empty/default: serviceaccount "default" not found',
    );
  });

  it('holds a pod to the Secrets an account that enforces mountable secrets lists', async () => {
    await admitted(
      pod({ serviceAccountName: 'strict', volumes: [{ name: 's', secret: { secretName: 'allowed' } }] }),
    );
    expect(
      await refusal(
        pod({
          serviceAccountName: 'strict',
          containers: [
            {
              name: 'app',
              image: 'nginx',
              env: [{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'other', key: 'p' } } }],
            },
          ],
        }),
      ),
    ).toBe(
      'pods "web" is forbidden: container app with envVar PASSWORD referencing secret.secretName="other" is not allowed because service account strict does not reference that secret',
    );
  });

  it('keeps mirror pods away from accounts and Secrets, and changes nothing of theirs', async () => {
    const mirror = { annotations: { 'kubernetes.io/config.mirror': 'hash' } };
    const plain = pod({}, 'apps', mirror);
    await admitted(plain);
    expect(plain.spec).toEqual({ containers: [{ name: 'app', image: 'nginx' }] });
    expect(await refusal(pod({ serviceAccountName: 'default' }, 'apps', mirror))).toBe(
      'pods "web" is forbidden: a mirror pod may not reference service accounts',
    );
  });

  it('changes nothing on update', async () => {
    const object = pod({});
    await plugin.admit(fixture.request({ resource: 'pods', object, oldObject: pod({}) }));
    expect(object).toEqual(pod({}));
  });
});
