/**
 * NodeResourcesBalancedAllocation (PreScore, Score): prefers nodes whose resources would be used in
 * equal proportions after placing the pod, so no node runs out of memory with CPU to spare. The score
 * is (1 − the standard deviation of the used fractions) × 100:
 *
 *   cpu 50% used, memory 50% used   → 100
 *   cpu 80% used, memory 20% used   → (1 − |0.8 − 0.2| / 2) × 100 = 70
 *
 * Requests here are the real ones (no 100m / 200Mi stand-ins), and best-effort pods (no requests for
 * the scored resources) skip this plugin: scoring them would pile them onto the same node.
 *
 * Args: `resources: [{name, weight}]`, default cpu and memory.
 */
import {
  type FrameworkHandle,
  MAX_NODE_SCORE,
  type PreScorePlugin,
  type ScorePlugin,
} from '../../framework/interfaces.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { skip } from '../../framework/status.js';
import { DEFAULT_SCORED_RESOURCES } from '../node-resources-fit/node-resources-fit.js';
import { type ResourceSpec, readResource } from '../node-resources-fit/scoring.js';

export const NODE_RESOURCES_BALANCED_ALLOCATION = 'NodeResourcesBalancedAllocation';

export interface BalancedAllocationArgs {
  readonly resources?: readonly ResourceSpec[];
}

export function nodeResourcesBalancedAllocation(rawArgs: unknown, _handle: FrameworkHandle) {
  const args = (rawArgs ?? {}) as BalancedAllocationArgs;
  const resources = args.resources?.length ? args.resources : DEFAULT_SCORED_RESOURCES;
  const requestOf = (pod: PodInfo, name: string) => pod.requests.get(name);
  const allocatable = new Array<number>(resources.length).fill(0);
  const requested = new Array<number>(resources.length).fill(0);
  const fractions = new Array<number>(resources.length).fill(0);
  return {
    name: NODE_RESOURCES_BALANCED_ALLOCATION,
    preScore(_state, pod) {
      return resources.every((resource) => requestOf(pod, resource.name) === 0) ? skip() : undefined;
    },
    score(_state, pod, node) {
      let count = 0;
      let total = 0;
      for (let index = 0; index < resources.length; index++) {
        const name = resources[index]!.name;
        readResource(node, name, requestOf(pod, name), true, allocatable, requested, index);
        if (allocatable[index] === 0) continue;
        const fraction = Math.min(requested[index]! / allocatable[index]!, 1);
        fractions[count++] = fraction;
        total += fraction;
      }
      return balancedScore(fractions, total, count);
    },
  } satisfies PreScorePlugin & ScorePlugin;
}

/** (1 − std dev of the fractions) × 100, truncated as Go's int64() does. */
export function balancedScore(
  fractions: readonly number[],
  total = fractions.reduce((a, b) => a + b, 0),
  count = fractions.length,
): number {
  let deviation = 0;
  if (count === 2) {
    deviation = Math.abs((fractions[0]! - fractions[1]!) / 2);
  } else if (count > 2) {
    const mean = total / count;
    let sum = 0;
    for (let index = 0; index < count; index++)
      sum += (fractions[index]! - mean) * (fractions[index]! - mean);
    deviation = Math.sqrt(sum / count);
  }
  return Math.trunc((1 - deviation) * MAX_NODE_SCORE);
}
