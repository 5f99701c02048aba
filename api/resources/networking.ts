/**
 * networking.k8s.io/v1: Ingresses and NetworkPolicies.
 *
 *   NAME   CLASS   HOSTS                       ADDRESS        PORTS     AGE
 *   web    nginx   a.example.com,b.example.com 203.0.113.7    80, 443   2d
 */
import { ageColumn, formatLabelSelector, nameColumn } from '../printers.js';
import type { KubeObject, ResourceDefinition } from '../resource.js';
import { loadBalancerAddresses } from './core-services.js';
import { asArray, asString, isSet, readPath } from './json.js';

const shownHosts = 3;

/**
 * The first three rule hosts, then `+ N more...` — where N counts the remaining rules, hosts or not,
 * as upstream counts them. `*` when no rule names a host.
 */
function ingressHosts(ingress: KubeObject): string {
  const rules = asArray(readPath(ingress, 'spec', 'rules'));
  const hosts: string[] = [];
  let more = false;
  for (const rule of rules) {
    if (hosts.length === shownHosts) more = true;
    const host = asString(readPath(rule, 'host'));
    if (!more && host !== '') hosts.push(host);
  }
  if (hosts.length === 0) return '*';
  const joined = hosts.join(',');
  return more ? `${joined} + ${rules.length - shownHosts} more...` : joined;
}

export const ingresses: ResourceDefinition = {
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'Ingress',
  plural: 'ingresses',
  singular: 'ingress',
  namespaced: true,
  shortNames: ['ing'],
  schema: 'io.k8s.api.networking.v1.Ingress',
  subresources: { status: true },
  generation: true,
  columns: [
    nameColumn,
    {
      name: 'Class',
      type: 'string',
      description: 'The IngressClass that implements the ingress.',
      cell: (ingress) => {
        const className = readPath(ingress, 'spec', 'ingressClassName');
        return isSet(className) ? asString(className) : '<none>';
      },
    },
    {
      name: 'Hosts',
      type: 'string',
      description: 'The host names the rules match.',
      cell: ingressHosts,
    },
    {
      name: 'Address',
      type: 'string',
      description: 'The addresses of the load balancer that serves the ingress.',
      cell: (ingress) => loadBalancerAddresses(readPath(ingress, 'status', 'loadBalancer', 'ingress')),
    },
    {
      name: 'Ports',
      type: 'string',
      description: 'The ports the ingress serves: 80, and 443 when it terminates TLS.',
      cell: (ingress) => (asArray(readPath(ingress, 'spec', 'tls')).length > 0 ? '80, 443' : '80'),
    },
    ageColumn,
  ],
};

export const networkPolicies: ResourceDefinition = {
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'NetworkPolicy',
  plural: 'networkpolicies',
  singular: 'networkpolicy',
  namespaced: true,
  shortNames: ['netpol'],
  schema: 'io.k8s.api.networking.v1.NetworkPolicy',
  generation: true,
  columns: [
    nameColumn,
    {
      name: 'Pod-Selector',
      type: 'string',
      description: 'The pods the policy applies to.',
      cell: (policy) => formatLabelSelector(readPath(policy, 'spec', 'podSelector')),
    },
    ageColumn,
  ],
};
