/**
 * discovery.k8s.io/v1 EndpointSlices.
 *
 *   NAME        ADDRESSTYPE   PORTS    ENDPOINTS                                AGE
 *   web-x7k2p   IPv4          80,443   10.0.0.4,10.0.0.5,10.0.0.6 + 2 more...   3h
 */
import { ageColumn, nameColumn } from '../printers.js';
import type { ResourceDefinition } from '../resource.js';
import { asArray, asInteger, asString, isSet, readPath } from './json.js';

const shown = 3;

/** The first three entries, then `+ N more...`; `<unset>` when there are none. */
function listWithMore(entries: readonly string[]): string {
  if (entries.length === 0) return '<unset>';
  const joined = entries.slice(0, shown).join(',');
  return entries.length > shown ? `${joined} + ${entries.length - shown} more...` : joined;
}

/** A port by number, else by name, else `*` (a slice may cover all ports). */
function portLabel(port: unknown): string {
  const number = readPath(port, 'port');
  if (isSet(number)) return String(asInteger(number));
  const name = readPath(port, 'name');
  return isSet(name) ? asString(name) : '*';
}

export const endpointSlices: ResourceDefinition = {
  group: 'discovery.k8s.io',
  version: 'v1',
  kind: 'EndpointSlice',
  plural: 'endpointslices',
  singular: 'endpointslice',
  namespaced: true,
  schema: 'io.k8s.api.discovery.v1.EndpointSlice',
  // EndpointSlices have no spec: upstream bumps the generation when anything but metadata changes,
  // and also when the labels change.
  generation: true,
  columns: [
    nameColumn,
    {
      name: 'AddressType',
      type: 'string',
      description: 'The kind of address the slice holds: IPv4, IPv6 or FQDN.',
      cell: (slice) => asString(slice.addressType),
    },
    {
      name: 'Ports',
      type: 'string',
      description: 'The first few ports the endpoints serve.',
      cell: (slice) => listWithMore(asArray(slice.ports).map(portLabel)),
    },
    {
      name: 'Endpoints',
      type: 'string',
      description: 'The first few endpoint addresses.',
      cell: (slice) =>
        listWithMore(
          asArray(slice.endpoints).flatMap((endpoint) =>
            asArray(readPath(endpoint, 'addresses')).map(asString),
          ),
        ),
    },
    ageColumn,
  ],
};
