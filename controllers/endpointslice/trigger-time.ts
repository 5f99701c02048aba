/**
 * Upstream's TriggerTimeTracker: the value of `endpoints.kubernetes.io/last-change-trigger-time`, the
 * time of the earliest pod or service change a sync is the first to reflect.
 *
 * A pod's trigger time is its Ready condition's lastTransitionTime; a service's is its
 * creationTimestamp. Per service the tracker remembers what it saw at the last sync:
 *
 *   first sync of web (created 12:00)          → 12:00 (the service's creation)
 *   pod a becomes Ready at 12:05, sync         → 12:05
 *   nothing changed, sync                      → none: the annotation is cleared on the next write
 *   pods b, c Ready at 12:07 and 12:06, sync   → 12:06 (the earliest change)
 *
 * A change made twice between two syncs counts once, at its last time (upstream accepts this too).
 * One tracker serves one controller; syncs of one service never overlap (the work queue sees to it).
 */
import { type Pod, podCondition, timeOf } from '../pods.js';
import type { Service } from './types.js';

interface ServiceState {
  readonly serviceTime: number;
  readonly podTimes: ReadonlyMap<string, number>;
}

export class TriggerTimeTracker {
  readonly #states = new Map<string, ServiceState>();

  /** Milliseconds since the epoch, or undefined when there is nothing new to report. */
  compute(service: Service, pods: readonly Pod[]): number | undefined {
    const key = `${service.metadata?.namespace}/${service.metadata?.name}`;
    const state = this.#states.get(key);
    let earliest: number | undefined;
    const podTimes = new Map<string, number>();
    for (const pod of pods) {
      const time = timeOf(podCondition(pod, 'Ready')?.lastTransitionTime);
      if (time === 0) continue;
      const name = pod.metadata?.name ?? '';
      podTimes.set(name, time);
      if (time > (state?.podTimes.get(name) ?? 0)) earliest = Math.min(earliest ?? time, time);
    }
    const serviceTime = timeOf(service.metadata?.creationTimestamp);
    if (serviceTime > (state?.serviceTime ?? 0)) earliest = Math.min(earliest ?? serviceTime, serviceTime);
    this.#states.set(key, { serviceTime, podTimes });
    if (!state) return serviceTime === 0 ? undefined : serviceTime;
    return earliest;
  }

  deleteService(namespace: string | undefined, name: string): void {
    this.#states.delete(`${namespace}/${name}`);
  }
}

/** Go's time.RFC3339Nano in UTC: `2025-01-01T12:00:00Z`, `2025-01-01T12:00:00.5Z` (trailing zeros dropped). */
export function formatTriggerTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 19)}${fraction === '' ? '' : `.${fraction}`}Z`;
}
