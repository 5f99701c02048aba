import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/resource.js';
import { InformerFactory } from '../client/informer-factory.js';
import { refFor } from '../client/refs.js';
import { FakeClock } from '../client/testing/fake-clock.js';
import { MemoryClient } from '../client/testing/memory-client.js';
import { RecordingClient } from '../client/testing/recording-client.js';
import type { ControllerContext } from './framework.js';
import { ROOT_CA_CONFIG_MAP, type RootCaPublisher, rootCaPublisher } from './root-ca-publisher.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function setup(seed: (memory: MemoryClient) => Promise<void>) {
  const clock = new FakeClock();
  const memory = new MemoryClient({ clock });
  await seed(memory);
  const client = new RecordingClient(memory);
  const informers = new InformerFactory({ client, clock });
  stops.push(() => informers.stop());
  const context: ControllerContext = { client, informers, clock, onError: () => {} };
  const controller = rootCaPublisher(CA)(context) as RootCaPublisher;
  informers.start();
  await informers.waitForSync();
  return { controller, client, summaries: () => client.writes.map((write) => write.summary) };
}

const namespace = (name: string, phase = 'Active'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name },
  status: { phase },
});

describe('the root CA publisher', () => {
  it('publishes the CA in an active namespace that lacks it', async () => {
    const { controller, client, summaries } = await setup(async (memory) => {
      await memory.create(refFor('Namespace'), namespace('shop'));
    });
    await controller.reconcile('shop');
    expect(summaries()).toEqual([`create configmaps/${ROOT_CA_CONFIG_MAP} -n shop`]);
    expect(client.writes[0]!.body).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: ROOT_CA_CONFIG_MAP, annotations: { 'kubernetes.io/description': DESCRIPTION } },
      data: { 'ca.crt': CA },
    });
  });

  it('puts back an edited CA, keeping labels and annotations others added', async () => {
    const { controller, client, summaries } = await setup(async (memory) => {
      await memory.create(refFor('Namespace'), namespace('shop'));
      await memory.create(refFor('ConfigMap', 'shop'), {
        metadata: { name: ROOT_CA_CONFIG_MAP, labels: { team: 'web' }, annotations: { note: 'mine' } },
        data: { 'ca.crt': 'tampered', extra: 'x' },
      } as KubeObject);
    });
    await controller.reconcile('shop');
    expect(summaries()).toEqual([`update configmaps/${ROOT_CA_CONFIG_MAP} -n shop`]);
    const written = client.writes[0]!.body as { metadata: KubeObject['metadata']; data: unknown };
    expect(written.data).toEqual({ 'ca.crt': CA });
    expect(written.metadata?.labels).toEqual({ team: 'web' });
    expect(written.metadata?.annotations).toEqual({ note: 'mine', 'kubernetes.io/description': DESCRIPTION });
  });

  it('writes nothing when the CA is there, the namespace is terminating, or gone', async () => {
    const { controller, summaries } = await setup(async (memory) => {
      await memory.create(refFor('Namespace'), namespace('ready'));
      await memory.create(refFor('ConfigMap', 'ready'), {
        metadata: { name: ROOT_CA_CONFIG_MAP, annotations: { 'kubernetes.io/description': DESCRIPTION } },
        data: { 'ca.crt': CA },
      } as KubeObject);
      await memory.create(refFor('Namespace'), namespace('doomed', 'Terminating'));
    });
    for (const key of ['ready', 'doomed', 'vanished']) await controller.reconcile(key);
    expect(summaries()).toEqual([]);
  });
});
