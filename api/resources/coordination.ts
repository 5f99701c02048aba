/**
 * coordination.k8s.io/v1 Leases: leader election and node heartbeats.
 *
 *   NAME     HOLDER   AGE
 *   node-1   node-1   12d
 */
import { ageColumn, nameColumn } from '../printers.js';
import type { ResourceDefinition } from '../resource.js';
import { asString, readPath } from './json.js';

export const leases: ResourceDefinition = {
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  plural: 'leases',
  singular: 'lease',
  namespaced: true,
  schema: 'io.k8s.api.coordination.v1.Lease',
  // A holder may PUT its lease into existence.
  allowCreateOnUpdate: true,
  columns: [
    nameColumn,
    {
      name: 'Holder',
      type: 'string',
      description: 'Who holds the lease now.',
      cell: (lease) => asString(readPath(lease, 'spec', 'holderIdentity')),
    },
    ageColumn,
  ],
};
