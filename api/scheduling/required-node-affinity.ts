/**
 * Whether a pod may be placed on a node by its labels and name, as component-helpers'
 * GetRequiredNodeAffinity: the pod's `nodeSelector` (every label present with that value) AND its node
 * affinity's `requiredDuringSchedulingIgnoredDuringExecution` (see node-affinity.ts). Either absent
 * restricts nothing; a required affinity with no terms matches no node.
 *
 *   requiredNodeAffinity({ nodeSelector: { disk: 'ssd' } }).matches(node)
 *
 * Compile once per pod, match against many nodes.
 */
import { compileNodeSelector } from './node-affinity.js';
import type { Node, PodPlacementSpec } from './types.js';

export interface RequiredNodeAffinity {
  matches(node: Node): boolean;
}

export function requiredNodeAffinity(spec: PodPlacementSpec | undefined): RequiredNodeAffinity {
  const nodeSelector = Object.entries(spec?.nodeSelector ?? {});
  const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const affinity = required ? compileNodeSelector(required) : undefined;
  return {
    matches(node) {
      const labels = node.metadata?.labels ?? {};
      const selected = nodeSelector.every(
        ([key, value]) => Object.hasOwn(labels, key) && labels[key] === value,
      );
      if (!selected) return false;
      return affinity ? affinity.matches(node) : true;
    },
  };
}
