import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSkiff, type TestSkiff } from '../conformance/harness.js';

/** pods/eviction through the whole API server (no controllers: the tests write the budgets' status). */
let skiff: TestSkiff;
beforeAll(async () => {
  skiff = await startSkiff({ controllers: false, scheduler: false });
});
afterAll(async () => {
  await skiff?.stop();
});

const json = async (response: Response) => ({
  status: response.status,
  body: (await response.json()) as Record<string, any>,
});
const pdbs = '/apis/policy/v1/namespaces/default/poddisruptionbudgets';

async function runningPod(name: string, app: string, phase = 'Running') {
  const created = await json(
    await skiff.request('POST', '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: { app } },
      spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }] },
    }),
  );
  expect(created.status).toBe(201);
  const status = { phase, conditions: [{ type: 'Ready', status: phase === 'Running' ? 'True' : 'False' }] };
  const updated = await skiff.request('PUT', `/api/v1/namespaces/default/pods/${name}/status`, {
    ...created.body,
    status,
  });
  expect(updated.status).toBe(200);
}

async function budget(name: string, app: string, status: Record<string, unknown>) {
  const created = await json(
    await skiff.request('POST', pdbs, {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name },
      spec: { minAvailable: 1, selector: { matchLabels: { app } } },
    }),
  );
  expect(created.status).toBe(201);
  const written = await skiff.request('PUT', `${pdbs}/${name}/status`, {
    ...created.body,
    status: { observedGeneration: 1, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1, ...status },
  });
  expect(written.status).toBe(200);
}

const evict = (name: string, deleteOptions?: object) =>
  skiff.request('POST', `/api/v1/namespaces/default/pods/${name}/eviction`, {
    apiVersion: 'policy/v1',
    kind: 'Eviction',
    metadata: { name },
    ...(deleteOptions ? { deleteOptions } : {}),
  });

describe('the eviction subresource', () => {
  it('is in discovery as pods/eviction, a policy/v1 Eviction one can create', async () => {
    const list = await json(await skiff.request('GET', '/api/v1'));
    expect(
      list.body.resources.find((resource: { name: string }) => resource.name === 'pods/eviction'),
    ).toEqual({
      name: 'pods/eviction',
      singularName: '',
      namespaced: true,
      group: 'policy',
      version: 'v1',
      kind: 'Eviction',
      verbs: ['create'],
    });
  });

  it('refuses with 429 and a DisruptionBudget cause while the budget allows no disruption', async () => {
    await runningPod('guarded', 'guarded');
    await budget('guarded', 'guarded', { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1 });
    const answer = await json(await evict('guarded'));
    expect(answer).toEqual({
      status: 429,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: "Cannot evict pod as it would violate the pod's disruption budget.",
        reason: 'TooManyRequests',
        details: {
          causes: [
            {
              reason: 'DisruptionBudget',
              message: 'The disruption budget guarded needs 1 healthy pods and has 1 currently',
            },
          ],
        },
        code: 429,
      },
    });
    expect((await skiff.request('GET', '/api/v1/namespaces/default/pods/guarded')).status).toBe(200);
  });

  it('spends a disruption, records the pod in disruptedPods, marks it DisruptionTarget and deletes it', async () => {
    await runningPod('spare', 'spare');
    await budget('spare', 'spare', { disruptionsAllowed: 1, currentHealthy: 2 });
    const answer = await json(await evict('spare'));
    expect(answer).toEqual({
      status: 201,
      body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 },
    });
    const pdb = await json(await skiff.request('GET', `${pdbs}/spare`));
    expect(pdb.body.status.disruptionsAllowed).toBe(0);
    expect(Object.keys(pdb.body.status.disruptedPods)).toEqual(['spare']);
    expect(pdb.body.status.conditions).toEqual([
      expect.objectContaining({ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods' }),
    ]);
    // Bound to a node, the pod waits for its kubelet: being deleted, with the condition.
    const pod = await json(await skiff.request('GET', '/api/v1/namespaces/default/pods/spare'));
    expect(pod.body.metadata.deletionTimestamp).toBeDefined();
    expect(pod.body.status.conditions).toContainEqual(
      expect.objectContaining({
        type: 'DisruptionTarget',
        status: 'True',
        reason: 'EvictionByEvictionAPI',
        message: 'Eviction API: evicting',
      }),
    );
  });

  it('answers 500 when two budgets select the pod', async () => {
    await runningPod('double', 'double');
    await budget('double-1', 'double', { disruptionsAllowed: 1 });
    await budget('double-2', 'double', { disruptionsAllowed: 1 });
    const answer = await json(await evict('double'));
    expect(answer.status).toBe(500);
    expect(answer.body.message).toBe(
      'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
    );
  });

  it('evicts a finished pod without asking its budget', async () => {
    await runningPod('done', 'guarded', 'Succeeded');
    expect((await evict('done')).status).toBe(201);
    const pdb = await json(await skiff.request('GET', `${pdbs}/guarded`));
    expect(pdb.body.status.disruptedPods).toBeUndefined();
  });

  it('refuses an Eviction whose name is not the URL’s', async () => {
    const response = await skiff.request('POST', '/api/v1/namespaces/default/pods/guarded/eviction', {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: 'other' },
    });
    expect(await json(response)).toMatchObject({
      status: 400,
      body: { reason: 'BadRequest', message: 'name in URL does not match name in Eviction object' },
    });
  });
});
