/**
 * "No node fits": the message kube-scheduler writes into the PodScheduled condition and the
 * FailedScheduling event. It counts each reason over the nodes and sorts the counted phrases as strings:
 *
 *   0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu.
 *
 * A PreFilter that rejects the pod outright replaces the counts with its own message; a PostFilter
 * (preemption) adds its verdict at the end:
 *
 *   0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes
 *   are available: 3 Preemption is not helpful for scheduling.
 */
import type { NodeToStatus } from './node-to-status.js';

export interface Diagnosis {
  readonly nodeToStatus: NodeToStatus;
  /** Plugins that rejected the pod: the cluster events they registered can make it schedulable. */
  readonly unschedulablePlugins: Set<string>;
  readonly pendingPlugins: Set<string>;
  preFilterMessage: string;
  postFilterMessage: string;
}

export function newDiagnosis(nodeToStatus: NodeToStatus): Diagnosis {
  return {
    nodeToStatus,
    unschedulablePlugins: new Set(),
    pendingPlugins: new Set(),
    preFilterMessage: '',
    postFilterMessage: '',
  };
}

/** The outcome of an attempt in which no node fitted (not an exception: it is an expected answer). */
export class FitError {
  readonly numAllNodes: number;
  readonly diagnosis: Diagnosis;

  constructor(numAllNodes: number, diagnosis: Diagnosis) {
    this.numAllNodes = numAllNodes;
    this.diagnosis = diagnosis;
  }

  /** Computed on demand: PostFilter still adds to the diagnosis after the FitError is made. */
  get message(): string {
    return fitErrorMessage(this.numAllNodes, this.diagnosis);
  }
}

export function fitErrorMessage(numAllNodes: number, diagnosis: Diagnosis): string {
  let message = `0/${numAllNodes} nodes are available:`;
  if (diagnosis.preFilterMessage) {
    message += ` ${diagnosis.preFilterMessage}.`;
  } else {
    const counts = new Map<string, number>();
    const statuses = diagnosis.nodeToStatus;
    for (const [, status] of statuses.entries()) {
      for (const reason of status.reasons) counts.set(reason, (counts.get(reason) ?? 0) + 1);
    }
    const absent = numAllNodes - statuses.size;
    if (absent > 0) {
      for (const reason of statuses.absent.reasons) counts.set(reason, (counts.get(reason) ?? 0) + absent);
    }
    const phrases = [...counts].map(([reason, count]) => `${count} ${reason}`);
    phrases.sort(compareGoStrings);
    if (phrases.length > 0) message += ` ${phrases.join(', ')}.`;
  }
  if (diagnosis.postFilterMessage) message += ` ${diagnosis.postFilterMessage}`;
  return message;
}

/** Go's sort.Strings: byte order, not locale order. */
export function compareGoStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
