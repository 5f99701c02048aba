import { setMaxListeners } from 'node:events';
import { type Clock, systemClock } from '../client/clock.js';
import { InformerFactory } from '../client/informer-factory.js';
import { LeaderElector } from '../client/leader-election.js';
import type { KubeClient } from '../client/types.js';
import type { Controller, ControllerContext, ControllerFactory } from './framework.js';

/**
 * The controller manager: makes the controllers, starts the shared informers, waits for their caches,
 * and runs every controller until stopped. With leader election (the default for a standalone manager),
 * it does all that only while it holds the `kube-controller-manager` Lease in kube-system, so two
 * managers never act at once and a survivor takes over within the lease duration.
 */
export interface ControllerManagerOptions {
  readonly client: KubeClient;
  readonly controllers: readonly ControllerFactory[];
  /** Hold this identity's Lease before running anything; omit to run at once (one process owns all). */
  readonly leaderElection?: {
    readonly identity: string;
    readonly leaseName?: string;
    /** kube-controller-manager's --leader-elect-lease-duration, -renew-deadline, -retry-period (15 s, 10 s, 2 s). */
    readonly leaseDurationMs?: number;
    readonly renewDeadlineMs?: number;
    readonly retryPeriodMs?: number;
  };
  readonly clock?: Clock;
  readonly log?: (message: string) => void;
}

export interface RunningControllerManager {
  stop(): Promise<void>;
}

export function startControllerManager(options: ControllerManagerOptions): RunningControllerManager {
  const log = options.log ?? ((message: string) => console.error(message));
  const clock = options.clock ?? systemClock;

  const lead = (signal: AbortSignal): Promise<void> => {
    // Every informer and worker listens on this one signal.
    setMaxListeners(0, signal);
    const informers = new InformerFactory({
      client: options.client,
      clock,
      onError: (error) => log(`informer: ${error instanceof Error ? error.message : String(error)}`),
    });
    const context: ControllerContext = {
      client: options.client,
      informers,
      clock,
      onError: (controller, key, error) =>
        log(`${controller}: ${key}: ${error instanceof Error ? error.message : String(error)}`),
    };
    const controllers: Controller[] = options.controllers.map((make) => make(context));
    const done = (async () => {
      informers.start();
      try {
        if (!(await informers.waitForSync(signal))) return;
        await Promise.all(controllers.map((controller) => controller.run(signal)));
      } finally {
        await informers.stop();
      }
    })();
    return done;
  };

  if (!options.leaderElection) {
    const abort = new AbortController();
    const done = lead(abort.signal);
    return {
      async stop() {
        abort.abort();
        await done;
      },
    };
  }

  const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = options.leaderElection;
  const elector = new LeaderElector({
    client: options.client,
    identity: options.leaderElection.identity,
    ...(leaseDurationMs !== undefined ? { leaseDurationMs } : {}),
    ...(renewDeadlineMs !== undefined ? { renewDeadlineMs } : {}),
    ...(retryPeriodMs !== undefined ? { retryPeriodMs } : {}),
    lease: { namespace: 'kube-system', name: options.leaderElection.leaseName ?? 'kube-controller-manager' },
    clock,
    onStartedLeading: (signal: AbortSignal) => {
      log(`controller manager: ${options.leaderElection!.identity} became the leader`);
      return lead(signal);
    },
    onStoppedLeading: () => log(`controller manager: ${options.leaderElection!.identity} stopped leading`),
  });
  elector.start();
  return {
    async stop() {
      await elector.stop();
    },
  };
}
