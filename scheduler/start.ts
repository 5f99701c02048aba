/**
 * Starts the scheduler: makes its informers and profiles, waits for the caches to fill, and schedules
 * until stopped. With leader election (what a standalone `skiff scheduler` uses) it does all that only
 * while it holds the kube-system/kube-scheduler Lease, so of several schedulers exactly one binds pods
 * and a survivor takes over within the lease duration — as kube-scheduler and the controller manager do.
 *
 *   const scheduler = startScheduler({ client, config: await loadSchedulerConfiguration('profile.yaml') });
 *   …
 *   await scheduler.stop();
 *
 * A bad configuration (an unknown plugin, bad plugin args) throws from startScheduler itself, before
 * anything runs, so the caller can report it and exit.
 */

import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { type Clock, systemClock } from '../client/clock.js';
import { InformerFactory } from '../client/informer-factory.js';
import { LeaderElector } from '../client/leader-election.js';
import type { KubeClient } from '../client/types.js';
import { parseGoDuration } from './config/load.js';
import type { SchedulerConfiguration } from './config/types.js';
import type { PluginFactory } from './framework/interfaces.js';
import { Scheduler, type SchedulerObserver } from './scheduler.js';

export interface SchedulerLeaderElection {
  /** Unique per candidate; default `hostname_uuid`, as kube-scheduler. */
  readonly identity?: string;
  /** Default: the configuration's leaderElection.resourceName, else `kube-scheduler`. */
  readonly leaseName?: string;
  /** Default: the configuration's leaderElection.resourceNamespace, else `kube-system`. */
  readonly leaseNamespace?: string;
  /** Defaults: the configuration's leaseDuration, renewDeadline, retryPeriod, else 15 s, 10 s, 2 s. */
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
}

export interface StartSchedulerOptions {
  readonly client: KubeClient;
  /** A KubeSchedulerConfiguration (loadSchedulerConfiguration); default: one profile, default-scheduler. */
  readonly config?: SchedulerConfiguration;
  /** Hold the Lease before scheduling anything; omit to schedule at once (one process owns it all). */
  readonly leaderElection?: SchedulerLeaderElection;
  /** Out-of-tree plugins by name, enabled by naming them in a profile. */
  readonly registry?: Readonly<Record<string, PluginFactory>>;
  readonly clock?: Clock;
  readonly log?: (message: string) => void;
  /** For benchmarks and tests: told of every bind and failed attempt. */
  readonly observer?: SchedulerObserver;
}

export interface RunningScheduler {
  stop(): Promise<void>;
}

export function startScheduler(options: StartSchedulerOptions): RunningScheduler {
  const log = options.log ?? ((message: string) => console.error(message));
  const clock = options.clock ?? systemClock;

  /** Makes a scheduler with fresh informers; throws on a bad configuration. */
  const make = () => {
    const informers = new InformerFactory({
      client: options.client,
      clock,
      onError: (error) =>
        log(`scheduler informer: ${error instanceof Error ? error.message : String(error)}`),
    });
    const scheduler = new Scheduler({
      client: options.client,
      informers,
      ...(options.config ? { config: options.config } : {}),
      ...(options.registry ? { registry: options.registry } : {}),
      clock,
      log,
      ...(options.observer ? { observer: options.observer } : {}),
    });
    return { informers, scheduler };
  };

  const lead = async (signal: AbortSignal, made = make()): Promise<void> => {
    setMaxListeners(0, signal);
    const { informers, scheduler } = made;
    informers.start();
    try {
      if (!(await informers.waitForSync(signal))) return;
      await scheduler.run(signal);
    } finally {
      await informers.stop();
      await scheduler.close();
    }
  };

  // Made once up front so a bad configuration fails here, not later inside the elector.
  const first = make();

  if (!options.leaderElection) {
    const abort = new AbortController();
    const done = lead(abort.signal, first).catch((error) =>
      log(`scheduler: ${(error as Error).stack ?? error}`),
    );
    return {
      async stop() {
        abort.abort();
        await done;
      },
    };
  }

  const election = options.leaderElection;
  const configured = options.config?.leaderElection ?? {};
  const duration = (value: string | undefined) => (value === undefined ? undefined : parseGoDuration(value));
  const leaseDurationMs = election.leaseDurationMs ?? duration(configured.leaseDuration);
  const renewDeadlineMs = election.renewDeadlineMs ?? duration(configured.renewDeadline);
  const retryPeriodMs = election.retryPeriodMs ?? duration(configured.retryPeriod);
  const identity = election.identity ?? `${hostname()}_${randomUUID()}`;
  let unused: typeof first | undefined = first;
  const elector = new LeaderElector({
    client: options.client,
    identity,
    ...(leaseDurationMs !== undefined ? { leaseDurationMs } : {}),
    ...(renewDeadlineMs !== undefined ? { renewDeadlineMs } : {}),
    ...(retryPeriodMs !== undefined ? { retryPeriodMs } : {}),
    lease: {
      namespace: election.leaseNamespace ?? configured.resourceNamespace ?? 'kube-system',
      name: election.leaseName ?? configured.resourceName ?? 'kube-scheduler',
    },
    clock,
    onStartedLeading: (signal: AbortSignal) => {
      log(`scheduler: ${identity} became the leader`);
      // Every term of leadership starts from fresh caches: what was cached while following is stale.
      const made = unused ?? make();
      unused = undefined;
      return lead(signal, made).catch((error) => log(`scheduler: ${(error as Error).stack ?? error}`));
    },
    onStoppedLeading: () => log(`scheduler: ${identity} stopped leading`),
  });
  elector.start();
  return {
    async stop() {
      await elector.stop();
      if (unused) await unused.scheduler.close();
    },
  };
}
