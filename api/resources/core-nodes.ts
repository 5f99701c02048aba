/**
 * Nodes, with the printer behind `kubectl get nodes`:
 *
 *   NAME     STATUS                     ROLES           AGE   VERSION
 *   node-1   Ready,SchedulingDisabled   control-plane   12d   v1.33.1
 */
import { ageColumn, compareStrings, nameColumn } from '../printers.js';
import type { KubeObject, ResourceDefinition } from '../resource.js';
import { asArray, asBoolean, asString, asStringMap, readPath } from './json.js';

const rolePrefix = 'node-role.kubernetes.io/';
const legacyRoleLabel = 'kubernetes.io/role';

/** `Ready`, `NotReady` or `Unknown` from the Ready condition, then `SchedulingDisabled` if cordoned. */
function nodeStatus(node: KubeObject): string {
  // As in a Go map keyed by type, a later condition of the same type replaces an earlier one.
  let ready: unknown;
  for (const condition of asArray(readPath(node, 'status', 'conditions'))) {
    if (readPath(condition, 'type') === 'Ready') ready = condition;
  }
  const status: string[] = [];
  if (ready !== undefined) status.push(readPath(ready, 'status') === 'True' ? 'Ready' : 'NotReady');
  else status.push('Unknown');
  if (asBoolean(readPath(node, 'spec', 'unschedulable'))) status.push('SchedulingDisabled');
  return status.join(',');
}

/** Roles from `node-role.kubernetes.io/<role>` label keys and the older `kubernetes.io/role=<role>`. */
function nodeRoles(node: KubeObject): string {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(asStringMap(node.metadata?.labels))) {
    if (key.startsWith(rolePrefix)) {
      const role = key.slice(rolePrefix.length);
      if (role !== '') roles.add(role);
    } else if (key === legacyRoleLabel && value !== '') {
      roles.add(value);
    }
  }
  return roles.size === 0 ? '<none>' : [...roles].sort(compareStrings).join(',');
}

/** The first address of the type, or `<none>`. */
function nodeAddress(node: KubeObject, type: string): string {
  const address = asArray(readPath(node, 'status', 'addresses')).find(
    (entry) => readPath(entry, 'type') === type,
  );
  return address === undefined ? '<none>' : asString(readPath(address, 'address'));
}

function nodeInfo(node: KubeObject, field: string): string {
  const value = asString(readPath(node, 'status', 'nodeInfo', field));
  return value === '' ? '<unknown>' : value;
}

export const nodes: ResourceDefinition = {
  group: '',
  version: 'v1',
  kind: 'Node',
  plural: 'nodes',
  singular: 'node',
  namespaced: false,
  shortNames: ['no'],
  schema: 'io.k8s.api.core.v1.Node',
  // The proxy subresource is served outside the generic handler.
  subresources: { status: true },
  columns: [
    nameColumn,
    {
      name: 'Status',
      type: 'string',
      description: 'Whether the node is Ready, and SchedulingDisabled when it is cordoned.',
      cell: nodeStatus,
    },
    {
      name: 'Roles',
      type: 'string',
      description: "The node's roles, from its node-role.kubernetes.io/* labels.",
      cell: nodeRoles,
    },
    ageColumn,
    {
      name: 'Version',
      type: 'string',
      description: 'The kubelet version the node reports.',
      cell: (node) => asString(readPath(node, 'status', 'nodeInfo', 'kubeletVersion')),
    },
    {
      name: 'Internal-IP',
      type: 'string',
      priority: 1,
      description: "The node's first InternalIP address.",
      cell: (node) => nodeAddress(node, 'InternalIP'),
    },
    {
      name: 'External-IP',
      type: 'string',
      priority: 1,
      description: "The node's first ExternalIP address.",
      cell: (node) => nodeAddress(node, 'ExternalIP'),
    },
    {
      name: 'OS-Image',
      type: 'string',
      priority: 1,
      description: 'The operating system image the node reports.',
      cell: (node) => nodeInfo(node, 'osImage'),
    },
    {
      name: 'Kernel-Version',
      type: 'string',
      priority: 1,
      description: 'The kernel version the node reports.',
      cell: (node) => nodeInfo(node, 'kernelVersion'),
    },
    {
      name: 'Container-Runtime',
      type: 'string',
      priority: 1,
      description: 'The container runtime and its version, as the node reports them.',
      cell: (node) => nodeInfo(node, 'containerRuntimeVersion'),
    },
  ],
  fieldSelectors: {
    'spec.unschedulable': (node) => String(asBoolean(readPath(node, 'spec', 'unschedulable'))),
  },
};
