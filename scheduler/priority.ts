/**
 * A pod's priority, as the Priority admission plugin would have set it: the value of the PriorityClass
 * named by `spec.priorityClassName` (the two built-in system classes included), else the cluster's
 * globalDefault class, else `spec.priority`.
 *
 * Skiff's API defaults `spec.priority` to 0 on create, so a 0 cannot be told from "unset"; a non-zero
 * spec.priority is taken as set (by admission or by hand) and wins over the global default. Once the
 * Priority admission plugin runs, spec.priority and the class agree and this changes nothing.
 */
import type { Informer } from '../client/informer.js';
import type { Pod, PriorityClass } from './types.js';

/** The classes every cluster has, whether or not their objects exist (upstream's SystemPriorityClasses). */
export const SYSTEM_PRIORITY_CLASSES: ReadonlyMap<string, number> = new Map([
  ['system-node-critical', 2_000_001_000],
  ['system-cluster-critical', 2_000_000_000],
]);

export class PriorityResolver {
  readonly #classes: Informer<PriorityClass> | undefined;

  constructor(classes: Informer<PriorityClass> | undefined) {
    this.#classes = classes;
  }

  priorityOf(pod: Pod): number {
    const spec = pod.spec;
    const className = spec?.priorityClassName;
    if (className) {
      const value =
        this.#classes?.store.getByName(undefined, className)?.value ?? SYSTEM_PRIORITY_CLASSES.get(className);
      return value ?? spec?.priority ?? 0;
    }
    if (spec?.priority) return spec.priority;
    for (const priorityClass of this.#classes?.store.list() ?? []) {
      if (priorityClass.globalDefault) return priorityClass.value ?? 0;
    }
    return spec?.priority ?? 0;
  }
}
