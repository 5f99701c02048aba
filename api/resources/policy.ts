/**
 * policy/v1 PodDisruptionBudgets.
 *
 *   NAME   MIN AVAILABLE   MAX UNAVAILABLE   ALLOWED DISRUPTIONS   AGE
 *   web    2               N/A               1                     9d
 */
import { ageColumn, formatIntOrString, nameColumn } from '../printers.js';
import type { ResourceDefinition } from '../resource.js';
import { asInteger, isSet, readPath } from './json.js';

/** An IntOrString budget, or `N/A` when the budget does not set it. */
function budget(value: unknown): string {
  return isSet(value) ? formatIntOrString(value) : 'N/A';
}

export const podDisruptionBudgets: ResourceDefinition = {
  group: 'policy',
  version: 'v1',
  kind: 'PodDisruptionBudget',
  plural: 'poddisruptionbudgets',
  singular: 'poddisruptionbudget',
  namespaced: true,
  shortNames: ['pdb'],
  schema: 'io.k8s.api.policy.v1.PodDisruptionBudget',
  subresources: { status: true },
  generation: true,
  columns: [
    nameColumn,
    {
      name: 'Min Available',
      type: 'string',
      description: 'Pods that must stay available through a disruption, as a count or a percentage.',
      cell: (pdb) => budget(readPath(pdb, 'spec', 'minAvailable')),
    },
    {
      name: 'Max Unavailable',
      type: 'string',
      description: 'Pods that may be unavailable at once, as a count or a percentage.',
      cell: (pdb) => budget(readPath(pdb, 'spec', 'maxUnavailable')),
    },
    {
      name: 'Allowed Disruptions',
      type: 'integer',
      description: 'Evictions the budget allows right now.',
      cell: (pdb) => asInteger(readPath(pdb, 'status', 'disruptionsAllowed')),
    },
    ageColumn,
  ],
};
