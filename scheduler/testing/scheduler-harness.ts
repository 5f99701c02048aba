/**
 * A Scheduler over the memory client (with pods/binding), for tests of the whole framework: profiles,
 * weights, failures and preemption. `schedule` runs one scheduling algorithm pass directly on the cache
 * (no queue, no API); `start` runs the real loop against the memory client with a fake clock.
 */

import { InformerFactory } from '../../client/informer-factory.js';
import { FakeClock } from '../../client/testing/fake-clock.js';
import { MemoryClient } from '../../client/testing/memory-client.js';
import type { SchedulerConfiguration } from '../config/types.js';
import { CycleState } from '../framework/cycle-state.js';
import type { FitError } from '../framework/fit-error.js';
import type { PluginFactory } from '../framework/interfaces.js';
import { PodInfo } from '../framework/pod-info.js';
import { Scheduler } from '../scheduler.js';
import type { Node, Pod } from '../types.js';
import { BindingClient } from './binding-client.js';
import type { RecordedEvent } from './fixtures.js';

export interface HarnessOptions {
  readonly nodes?: Node[];
  /** Bound pods, put straight into the cache. */
  readonly pods?: Pod[];
  readonly config?: SchedulerConfiguration;
  readonly registry?: Readonly<Record<string, PluginFactory>>;
  /** For ties between nodes; default: always the first of the best. */
  readonly random?: () => number;
}

export function testScheduler(options: HarnessOptions = {}) {
  const clock = new FakeClock();
  const memory = new MemoryClient({ clock });
  const client = new BindingClient(memory);
  const informers = new InformerFactory({ client, clock });
  const events: RecordedEvent[] = [];
  const logs: string[] = [];
  const scheduler = new Scheduler({
    client,
    informers,
    clock,
    log: (message) => logs.push(message),
    random: options.random ?? (() => 0.99),
    events: {
      event(object, type, reason, message) {
        events.push({
          object: `${object.metadata?.namespace}/${object.metadata?.name}`,
          type,
          reason,
          message,
        });
      },
    },
    ...(options.config ? { config: options.config } : {}),
    ...(options.registry ? { registry: options.registry } : {}),
  });
  for (const node of options.nodes ?? []) scheduler.cache.addNode(node);
  for (const pod of options.pods ?? []) scheduler.cache.addPod(new PodInfo(pod));
  const framework = (name = 'default-scheduler') => scheduler.frameworks.get(name)!;

  /** One pass of the algorithm: the chosen node, or the FitError's message. */
  const schedule = (
    pod: Pod,
    profile = 'default-scheduler',
  ): { node?: string; message?: string; fitError?: FitError; state: CycleState } => {
    const state = new CycleState();
    const result = scheduler.schedulePod(framework(profile), state, new PodInfo(pod));
    if ('nodeName' in result) return { node: result.nodeName, state };
    return { message: result.message, ...('diagnosis' in result ? { fitError: result } : {}), state };
  };

  return { scheduler, client, memory, informers, clock, events, logs, framework, schedule };
}
