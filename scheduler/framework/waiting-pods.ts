/**
 * Pods held at Permit: each waits until every plugin that asked it to wait allows it, any one rejects
 * it, or a plugin's timeout passes (a rejection: "rejected due to timeout after waiting 10s at plugin
 * Coscheduling"). Plugins reach a waiting pod through `handle.getWaitingPod(uid)` — a gang plugin allows
 * the whole gang when its last member arrives.
 */
import type { Clock } from '../../client/clock.js';
import type { WaitingPod } from './interfaces.js';
import type { PodInfo } from './pod-info.js';
import { type Result, unschedulable } from './status.js';

interface Entry extends WaitingPod {
  readonly done: Promise<Result>;
}

export class WaitingPods {
  readonly #clock: Clock;
  readonly #pods = new Map<string, Entry>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  get(uid: string): WaitingPod | undefined {
    return this.#pods.get(uid);
  }

  /** Holds `pod` for the plugins in `waits` (plugin → timeout in ms). */
  add(pod: PodInfo, waits: ReadonlyMap<string, number>): void {
    const pending = new Map<string, () => void>();
    let settle: (result: Result) => void = () => {};
    const done = new Promise<Result>((resolve) => {
      settle = resolve;
    });
    const finish = (result: Result) => {
      for (const cancel of pending.values()) cancel();
      pending.clear();
      this.#pods.delete(pod.uid);
      settle(result);
    };
    for (const [plugin, timeoutMs] of waits) {
      pending.set(
        plugin,
        this.#clock.setTimer(() => {
          const seconds = timeoutMs / 1000;
          finish(
            unschedulable(`rejected due to timeout after waiting ${seconds}s at plugin ${plugin}`).withPlugin(
              plugin,
            ),
          );
        }, timeoutMs),
      );
    }
    this.#pods.set(pod.uid, {
      pod,
      done,
      get pendingPlugins() {
        return [...pending.keys()];
      },
      allow(plugin) {
        const cancel = pending.get(plugin);
        if (!cancel) return;
        cancel();
        pending.delete(plugin);
        if (pending.size === 0) finish(undefined);
      },
      reject(plugin, message) {
        finish(unschedulable(message).withPlugin(plugin));
      },
    });
  }

  /** Resolves when the pod is allowed (undefined) or rejected; at once if it is not waiting. */
  wait(uid: string): Promise<Result> {
    return this.#pods.get(uid)?.done ?? Promise.resolve(undefined);
  }

  /** Rejects every waiting pod (the scheduler is stopping, or lost its lease). */
  rejectAll(message: string): void {
    for (const entry of [...this.#pods.values()]) entry.reject('', message);
  }
}
