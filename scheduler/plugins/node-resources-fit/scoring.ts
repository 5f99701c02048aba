/**
 * How NodeResourcesFit and NodeResourcesBalancedAllocation turn a node's requested and allocatable
 * amounts into a 0–100 score, per resource, then averaged by weight — upstream's resource_allocation
 * scorers, in its integer arithmetic. For each resource the requested amount already includes the pod
 * being scheduled.
 *
 *   LeastAllocated            (allocatable − requested) × 100 / allocatable     emptier is better (spread)
 *   MostAllocated             requested × 100 / allocatable                     fuller is better (pack)
 *   RequestedToCapacityRatio  a piecewise-linear function of utilization %, given as points
 *                             {utilization, score 0–10}: [{0, 0}, {100, 10}] is MostAllocated-like
 *
 * A resource the node has none of is left out of the average; an extended resource the pod does not
 * ask for, too.
 */
import { MAX_NODE_SCORE } from '../../framework/interfaces.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { isScalarResourceName } from '../../framework/resources.js';

export interface ResourceSpec {
  readonly name: string;
  readonly weight: number;
}

export interface UtilizationShapePoint {
  readonly utilization: number;
  readonly score: number;
}

/** Score from per-resource (requested, allocatable) pairs, in the order of `resources`. */
export type Scorer = (requested: readonly number[], allocatable: readonly number[]) => number;

export function leastAllocatedScorer(resources: readonly ResourceSpec[]): Scorer {
  return (requested, allocatable) => {
    let nodeScore = 0;
    let weightSum = 0;
    for (let index = 0; index < requested.length; index++) {
      const capacity = allocatable[index]!;
      if (capacity === 0) continue;
      const weight = resources[index]!.weight;
      const used = requested[index]!;
      const score = used > capacity ? 0 : Math.trunc(((capacity - used) * MAX_NODE_SCORE) / capacity);
      nodeScore += score * weight;
      weightSum += weight;
    }
    return weightSum === 0 ? 0 : Math.trunc(nodeScore / weightSum);
  };
}

export function mostAllocatedScorer(resources: readonly ResourceSpec[]): Scorer {
  return (requested, allocatable) => {
    let nodeScore = 0;
    let weightSum = 0;
    for (let index = 0; index < requested.length; index++) {
      const capacity = allocatable[index]!;
      if (capacity === 0) continue;
      const weight = resources[index]!.weight;
      const used = Math.min(requested[index]!, capacity);
      nodeScore += Math.trunc((used * MAX_NODE_SCORE) / capacity) * weight;
      weightSum += weight;
    }
    return weightSum === 0 ? 0 : Math.trunc(nodeScore / weightSum);
  };
}

/** Scores in the shape are 0–10 (upstream's MaxCustomPriorityScore), scaled here to 0–100. */
export function requestedToCapacityRatioScorer(
  resources: readonly ResourceSpec[],
  shape: readonly UtilizationShapePoint[],
): Scorer {
  const points = shape.map((point) => ({
    utilization: point.utilization,
    score: point.score * (MAX_NODE_SCORE / 10),
  }));
  const brokenLinear = (utilization: number): number => {
    for (let index = 0; index < points.length; index++) {
      const point = points[index]!;
      if (utilization <= point.utilization) {
        if (index === 0) return point.score;
        const previous = points[index - 1]!;
        return (
          previous.score +
          Math.trunc(
            ((point.score - previous.score) * (utilization - previous.utilization)) /
              (point.utilization - previous.utilization),
          )
        );
      }
    }
    return points[points.length - 1]?.score ?? 0;
  };
  const resourceScore = (used: number, capacity: number): number =>
    capacity === 0 || used > capacity ? brokenLinear(100) : brokenLinear(Math.trunc((used * 100) / capacity));
  return (requested, allocatable) => {
    let nodeScore = 0;
    let weightSum = 0;
    for (let index = 0; index < requested.length; index++) {
      if (allocatable[index] === 0) continue;
      const weight = resources[index]!.weight;
      const score = resourceScore(requested[index]!, allocatable[index]!);
      if (score > 0) {
        nodeScore += score * weight;
        weightSum += weight;
      }
    }
    return weightSum === 0 ? 0 : Math.round(nodeScore / weightSum);
  };
}

/**
 * The allocatable amount of one resource on one node, and the amount requested with the pod added,
 * written to `allocatable[index]` and `requested[index]` (no allocation: this runs per node per cycle).
 * With `useRequested` false, CPU and memory count containers without requests as 100m / 200Mi (so
 * best-effort pods still spread); BalancedAllocation uses the real requests. An extended resource the
 * pod does not ask for, or the node does not have, is (0, 0): left out of the score.
 */
export function readResource(
  node: NodeInfo,
  resource: string,
  podRequest: number,
  useRequested: boolean,
  allocatable: number[],
  requested: number[],
  index: number,
): void {
  switch (resource) {
    case 'cpu':
      allocatable[index] = node.allocatable.milliCPU;
      requested[index] =
        (useRequested ? node.requested.milliCPU : node.nonZeroRequested.milliCPU) + podRequest;
      return;
    case 'memory':
      allocatable[index] = node.allocatable.memory;
      requested[index] = (useRequested ? node.requested.memory : node.nonZeroRequested.memory) + podRequest;
      return;
    case 'ephemeral-storage':
      allocatable[index] = node.allocatable.ephemeralStorage;
      requested[index] = node.requested.ephemeralStorage + podRequest;
      return;
  }
  const capacity =
    podRequest === 0 && isScalarResourceName(resource) ? undefined : node.allocatable.scalar?.get(resource);
  allocatable[index] = capacity ?? 0;
  requested[index] = capacity === undefined ? 0 : (node.requested.scalar?.get(resource) ?? 0) + podRequest;
}
