import type { Strategy } from '../resource.js';

/**
 * Nodes: a kubelet registers its Node with its status (capacity, addresses, conditions) in the create
 * itself, and upstream keeps that status on create — unlike most resources with a status subresource,
 * whose create starts from an empty status.
 */
export const nodeStrategy: Strategy = {
  prepareForCreate() {
    // The status given is kept.
  },
};
