/**
 * scheduling.k8s.io/v1 PriorityClasses.
 *
 *   NAME                      VALUE        GLOBAL-DEFAULT   AGE   PREEMPTIONPOLICY
 *   system-cluster-critical   2000000000   false            40d   PreemptLowerPriority
 */
import { ageColumn, nameColumn } from '../printers.js';
import type { ResourceDefinition } from '../resource.js';
import { asBoolean, asInteger, asString } from './json.js';

export const priorityClasses: ResourceDefinition = {
  group: 'scheduling.k8s.io',
  version: 'v1',
  kind: 'PriorityClass',
  plural: 'priorityclasses',
  singular: 'priorityclass',
  namespaced: false,
  shortNames: ['pc'],
  schema: 'io.k8s.api.scheduling.v1.PriorityClass',
  // Upstream sets generation 1 on create. A PriorityClass has no spec, so nothing ever bumps it.
  generation: true,
  columns: [
    nameColumn,
    {
      name: 'Value',
      type: 'integer',
      description: 'The priority pods of this class get; higher schedules first.',
      cell: (priorityClass) => asInteger(priorityClass.value),
    },
    {
      name: 'Global-Default',
      type: 'boolean',
      description: 'Whether pods naming no class get this one.',
      cell: (priorityClass) => asBoolean(priorityClass.globalDefault),
    },
    ageColumn,
    {
      // Priority 0 although it comes after Age: kubectl shows it without -o wide.
      name: 'PreemptionPolicy',
      type: 'string',
      description: 'Whether pods of this class may preempt lower-priority pods.',
      cell: (priorityClass) => asString(priorityClass.preemptionPolicy),
    },
  ],
};
