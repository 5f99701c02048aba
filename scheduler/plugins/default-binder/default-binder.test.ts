import { expect, test } from 'vitest';
import { refFor } from '../../../client/refs.js';
import { CycleState } from '../../framework/cycle-state.js';
import { PodInfo } from '../../framework/pod-info.js';
import { BindingClient } from '../../testing/binding-client.js';
import { describe, pod, testHandle } from '../../testing/fixtures.js';
import { defaultBinder } from './default-binder.js';

test('binds through pods/binding with a Binding naming the node', async () => {
  const { handle, client: memory } = testHandle();
  const client = new BindingClient(memory);
  await memory.create(refFor('Pod', 'default'), pod('web'));
  const status = await defaultBinder(undefined, { ...handle, client }).bind(
    new CycleState(),
    new PodInfo(pod('web')),
    'n1',
  );
  expect(describe(status)).toBe('ok');
  expect(client.writes).toEqual([
    {
      summary: 'create pods/web/binding',
      body: {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name: 'web', namespace: 'default', uid: 'uid-default-web' },
        target: { apiVersion: 'v1', kind: 'Node', name: 'n1' },
      },
    },
  ]);
  expect((await memory.get<ReturnType<typeof pod>>(refFor('Pod', 'default'), 'web')).spec?.nodeName).toBe(
    'n1',
  );
});

test('a failed bind is an Error status carrying the API’s message', async () => {
  const { handle } = testHandle();
  const failing = {
    ...handle,
    client: {
      ...handle.client,
      create: async () => {
        throw new Error('pod web is already assigned to node "n2"');
      },
    },
  };
  const status = await defaultBinder(undefined, failing).bind(
    new CycleState(),
    new PodInfo(pod('web')),
    'n1',
  );
  expect(describe(status)).toBe('Error: pod web is already assigned to node "n2"');
});
