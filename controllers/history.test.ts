import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/resource.js';
import { refFor } from '../client/refs.js';
import { MemoryClient } from '../client/testing/memory-client.js';
import {
  CONTROLLER_REVISION_HASH_LABEL,
  type ControllerRevision,
  createControllerRevision,
  equalRevision,
  findEqualRevisions,
  hashRevision,
  newControllerRevision,
  nextRevision,
  renumberControllerRevision,
  revisionName,
  sortRevisions,
} from './history.js';

const owner: KubeObject = { metadata: { name: 'web', namespace: 'default', uid: 'uid-web' } };
const ownerKind = { apiVersion: 'apps/v1', kind: 'StatefulSet' };
const ref = refFor('ControllerRevision', 'default');
const data = (image: string) => ({ spec: { template: { spec: { containers: [{ name: 'web', image }] } } } });

function revision(image: string, number: number, extra: Partial<ControllerRevision['metadata']> = {}) {
  const made = newControllerRevision({
    owner,
    ownerKind,
    templateLabels: { app: 'web' },
    data: data(image),
    revision: number,
  });
  return { ...made, metadata: { ...made.metadata, ...extra } };
}

describe('ControllerRevision history', () => {
  it('names, labels and owns a new revision by the hash of its data', () => {
    const made = revision('nginx:1', 1);
    const hash = hashRevision(data('nginx:1'));
    expect(made.metadata?.name).toBe(`web-${hash}`);
    expect(made.metadata?.labels).toEqual({ app: 'web', [CONTROLLER_REVISION_HASH_LABEL]: hash });
    expect(made.metadata?.ownerReferences).toEqual([
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        name: 'web',
        uid: 'uid-web',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(made.revision).toBe(1);
    expect(hashRevision(data('nginx:1'), 1)).not.toBe(hash);
    expect(revisionName('x'.repeat(300), 'abc')).toHaveLength(223 + 4);
  });

  it('sorts by revision, then creation, then name; finds equal snapshots; numbers the next', () => {
    const a = revision('a', 2, { name: 'b-name', creationTimestamp: '2025-01-01T00:00:00Z' });
    const b = revision('b', 1);
    const c = revision('c', 2, { name: 'a-name', creationTimestamp: '2025-01-01T00:00:00Z' });
    expect(sortRevisions([a, b, c]).map((r) => r.metadata?.name)).toEqual([
      b.metadata?.name,
      'a-name',
      'b-name',
    ]);
    expect(equalRevision(revision('a', 1), revision('a', 5))).toBe(true);
    expect(equalRevision(revision('a', 1), revision('b', 1))).toBe(false);
    // After a collision an equal snapshot carries another hash: still the same snapshot.
    const collided = revision('a', 1, {
      labels: { [CONTROLLER_REVISION_HASH_LABEL]: hashRevision(data('a'), 1) },
    });
    expect(equalRevision(revision('a', 1), collided)).toBe(true);
    expect(findEqualRevisions([a, b, c], revision('b', 9))).toEqual([b]);
    expect(nextRevision([])).toBe(1);
    expect(nextRevision([a, b])).toBe(3);
  });

  it('creates a revision; an equal one under the name is the answer; a different one raises the collision count', async () => {
    const client = new MemoryClient();
    const first = await createControllerRevision(client, ref, revision('nginx:1', 1), 0);
    expect(first.collisionCount).toBe(0);
    expect(first.revision.metadata?.name).toBe(`web-${hashRevision(data('nginx:1'), 0)}`);

    const again = await createControllerRevision(client, ref, revision('nginx:1', 1), 0);
    expect(again.revision.metadata?.uid).toBe(first.revision.metadata?.uid);

    // Another snapshot squatting on the name the next one would get: a collision.
    const squatted = `web-${hashRevision(data('nginx:2'), 0)}`;
    await client.create(ref, {
      ...revision('other', 7),
      metadata: { ...revision('other', 7).metadata, name: squatted },
    });
    const collided = await createControllerRevision(client, ref, revision('nginx:2', 2), 0);
    expect(collided.collisionCount).toBe(1);
    expect(collided.revision.metadata?.name).toBe(`web-${hashRevision(data('nginx:2'), 1)}`);
    expect(collided.revision.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL]).toBe(
      hashRevision(data('nginx:2'), 1),
    );
  });

  it('renumbers a revision rolled back to', async () => {
    const client = new MemoryClient();
    const { revision: stored } = await createControllerRevision(client, ref, revision('nginx:1', 1), 0);
    const renumbered = await renumberControllerRevision(client, ref, stored, 3);
    expect(renumbered.revision).toBe(3);
    expect((await client.get<ControllerRevision>(ref, stored.metadata!.name!)).revision).toBe(3);
    expect(await renumberControllerRevision(client, ref, renumbered, 3)).toBe(renumbered);
  });
});
