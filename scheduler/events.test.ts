import { expect, test } from 'vitest';
import type { CoreEvent } from '../client/event-recorder.js';
import { refFor } from '../client/refs.js';
import { MemoryClient } from '../client/testing/memory-client.js';
import { ShardedEventSink } from './events.js';
import { pod } from './testing/fixtures.js';
import { podReference } from './types.js';

test('events about one pod go through one recorder, so repeats are counted on one Event', async () => {
  const client = new MemoryClient();
  const errors: unknown[] = [];
  const sink = new ShardedEventSink({
    client,
    component: 'default-scheduler',
    clock: { now: () => Date.UTC(2025, 0, 1), setTimer: () => () => {} },
    onError: (error) => errors.push(error),
  });
  const stuck = podReference(pod('stuck'));
  for (let attempt = 0; attempt < 3; attempt++)
    sink.event(stuck, 'Warning', 'FailedScheduling', '0/1 nodes are available: 1 Insufficient cpu.');
  for (let index = 0; index < 20; index++)
    sink.event(
      podReference(pod(`web-${index}`)),
      'Normal',
      'Scheduled',
      `Successfully assigned default/web-${index} to n1`,
    );
  await sink.flush();
  const events = (await client.list<CoreEvent>(refFor('Event', 'default'))).items;
  const failed = events.filter((event) => event.reason === 'FailedScheduling');
  expect(failed.map((event) => [event.count, event.involvedObject.kind, event.source.component])).toEqual([
    [3, 'Pod', 'default-scheduler'],
  ]);
  expect(events.filter((event) => event.reason === 'Scheduled')).toHaveLength(20);
  expect(errors).toEqual([]);
  await sink.stop();
});
