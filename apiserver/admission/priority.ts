/**
 * Priority: a pod's `spec.priority` comes from its PriorityClass, never from the pod.
 *
 * On create, a pod naming `priorityClassName` gets that class's value and preemption policy (403 when
 * the class does not exist); a pod naming none gets the global default class's (its name too), or 0
 * when there is no default. A pod that states a priority or preemption policy other than the one its
 * class gives is refused. On update the pod keeps the priority it was given. For PriorityClasses, at
 * most one may be the global default.
 *
 *   priorityClassName: system-node-critical  →  priority: 2000001000, preemptionPolicy: PreemptLowerPriority
 */
import type { KubeObject } from '../../api/resource.js';
import { forbidden } from '../../api/status.js';
import { AdmissionObjects } from './objects.js';
import type { AdmissionPlugin, AdmissionPluginFactory, AdmissionRequest } from './types.js';

interface PodSpec {
  priorityClassName?: string;
  priority?: number;
  preemptionPolicy?: string;
}

interface PriorityClass extends KubeObject {
  value?: number;
  globalDefault?: boolean;
  preemptionPolicy?: string;
}

/** The built-in classes every cluster has (upstream creates them at start; see apiserver/bootstrap.ts). */
export const systemPriorityClasses: readonly KubeObject[] = [
  {
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name: 'system-node-critical' },
    value: 2000001000,
    description: 'Used for system critical pods that must not be moved from their current node.',
    preemptionPolicy: 'PreemptLowerPriority',
  },
  {
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name: 'system-cluster-critical' },
    value: 2000000000,
    description:
      'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
    preemptionPolicy: 'PreemptLowerPriority',
  },
];

export class Priority implements AdmissionPlugin {
  readonly name = 'Priority';
  readonly #objects: AdmissionObjects;

  constructor(objects: AdmissionObjects) {
    this.#objects = objects;
  }

  async admit(request: AdmissionRequest): Promise<void> {
    const { resource, subresource, operation, object, oldObject } = request;
    if (resource.group !== '' || resource.plural !== 'pods' || subresource !== undefined) return;
    const spec = (object.spec ??= {}) as PodSpec;
    if (operation === 'UPDATE') {
      // Validation keeps both immutable; an update that leaves them out keeps what create gave.
      const old = (oldObject?.spec ?? {}) as PodSpec;
      if (spec.priority === undefined && old.priority !== undefined) spec.priority = old.priority;
      if (spec.preemptionPolicy === undefined && old.preemptionPolicy !== undefined) {
        spec.preemptionPolicy = old.preemptionPolicy;
      }
      return;
    }
    let priority = 0;
    let preemptionPolicy: string | undefined = 'PreemptLowerPriority';
    if (!spec.priorityClassName) {
      const fallback = this.#globalDefault();
      if (fallback) {
        spec.priorityClassName = fallback.metadata?.name ?? '';
        priority = fallback.value ?? 0;
        preemptionPolicy = fallback.preemptionPolicy;
      }
    } else {
      const named = (await this.#objects.get(
        'scheduling.k8s.io',
        'priorityclasses',
        undefined,
        spec.priorityClassName,
      )) as PriorityClass | undefined;
      if (!named) {
        throw forbidden(
          { group: '', resource: 'pods' },
          request.name,
          `no PriorityClass with name ${spec.priorityClassName} was found`,
        );
      }
      priority = named.value ?? 0;
      preemptionPolicy = named.preemptionPolicy;
    }
    if (spec.priority !== undefined && spec.priority !== priority) {
      throw forbidden(
        { group: '', resource: 'pods' },
        request.name,
        `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`,
      );
    }
    spec.priority = priority;
    if (preemptionPolicy !== undefined) {
      if (spec.preemptionPolicy !== undefined && spec.preemptionPolicy !== preemptionPolicy) {
        throw forbidden(
          { group: '', resource: 'pods' },
          request.name,
          `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${preemptionPolicy} from the given PriorityClass name`,
        );
      }
      spec.preemptionPolicy = preemptionPolicy;
    }
  }

  validate(request: AdmissionRequest): void {
    const { resource, subresource, operation, object } = request;
    if (resource.group !== 'scheduling.k8s.io' || resource.plural !== 'priorityclasses') return;
    if (subresource !== undefined || (object as PriorityClass).globalDefault !== true) return;
    const existing = this.#globalDefault();
    if (!existing) return;
    const existingName = existing.metadata?.name ?? '';
    if (operation === 'CREATE' || existingName !== request.name) {
      throw forbidden(
        { group: 'scheduling.k8s.io', resource: 'priorityclasses' },
        request.name,
        `PriorityClass ${existingName} is already marked as default. Only one default can exist`,
      );
    }
  }

  /** The global default class; if a race made several, the one of lowest value, as upstream picks. */
  #globalDefault(): PriorityClass | undefined {
    let chosen: PriorityClass | undefined;
    for (const candidate of this.#objects.list('scheduling.k8s.io', 'priorityclasses') as PriorityClass[]) {
      if (candidate.globalDefault !== true) continue;
      if (!chosen || (candidate.value ?? 0) < (chosen.value ?? 0)) chosen = candidate;
    }
    return chosen;
  }
}

export const priorityPlugin: AdmissionPluginFactory = (context) =>
  new Priority(new AdmissionObjects(context.stores));
