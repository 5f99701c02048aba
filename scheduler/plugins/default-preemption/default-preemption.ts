/**
 * DefaultPreemption (PostFilter): when no node fits a pod, find a node where evicting lower-priority
 * pods would make it fit, evict them, and nominate the node (status.nominatedNodeName) so the room is
 * kept for this pod while the victims terminate.
 *
 *   1. Eligible? Not with preemptionPolicy Never, nor while victims of its last preemption are still
 *      terminating on its nominated node.
 *   2. Candidates: nodes rejected as Unschedulable (not Unresolvable). On a copy of each, remove every
 *      lower-priority pod; if the pod then fits, add pods back, most important first, while it still
 *      fits — those that cannot come back are the victims. Pods whose eviction would break a
 *      PodDisruptionBudget are reprieved first. Dry runs start at a random node and stop after
 *      max(10% of the nodes, 100) candidates (minCandidateNodesPercentage / minCandidateNodesAbsolute).
 *   3. Pick: fewest PDB violations, then the lowest highest-priority victim, the lowest sum of
 *      priorities, the fewest victims, the latest start among the most important victims.
 *   4. Act: mark each victim DisruptionTarget=True (PreemptionByScheduler), delete it, record a
 *      Preempted event; clear the nominations of lower-priority pods on that node.
 *
 * Everything up to step 4 runs without awaiting, on NodeInfo and CycleState copies; only step 4 talks to
 * the API. With no candidate, the message says why per node, as kube-scheduler's:
 *
 *   preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption
 *   is not helpful for scheduling.
 */
import { labelSelectorAsSelector, type Selector } from '../../../api/labels.js';
import { isStatusError } from '../../../api/status.js';
import type { Informer } from '../../../client/informer.js';
import { refFor } from '../../../client/refs.js';
import type { CycleState } from '../../framework/cycle-state.js';
import { fitErrorMessage, newDiagnosis } from '../../framework/fit-error.js';
import type { FrameworkHandle, PostFilterOutcome, PostFilterPlugin } from '../../framework/interfaces.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { NodeToStatus } from '../../framework/node-to-status.js';
import type { PodInfo } from '../../framework/pod-info.js';
import {
  errorStatus,
  isSuccess,
  type Result,
  Status,
  unresolvable,
  unschedulable,
} from '../../framework/status.js';
import { type Pod, type PodDisruptionBudget, podReference } from '../../types.js';

export const DEFAULT_PREEMPTION = 'DefaultPreemption';
export const NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const NO_VICTIMS = 'No preemption victims found for incoming pod';

export interface DefaultPreemptionArgs {
  readonly minCandidateNodesPercentage?: number;
  readonly minCandidateNodesAbsolute?: number;
}

export interface Candidate {
  readonly nodeName: string;
  /** Most important first. */
  readonly victims: readonly PodInfo[];
  readonly pdbViolations: number;
}

export interface DefaultPreemptionOptions {
  /** For the dry runs' starting node; default Math.random. */
  readonly random?: () => number;
}

export function defaultPreemption(
  rawArgs: unknown,
  handle: FrameworkHandle,
  options: DefaultPreemptionOptions = {},
) {
  const args = (rawArgs ?? {}) as DefaultPreemptionArgs;
  const percentage = args.minCandidateNodesPercentage ?? 10;
  const absolute = args.minCandidateNodesAbsolute ?? 100;
  const random = options.random ?? Math.random;
  const budgets: Informer<PodDisruptionBudget> = handle.informers.informerFor(refFor('PodDisruptionBudget'));
  const pods: Informer<Pod> = handle.informers.informerFor(refFor('Pod'));

  const preempt = async (
    state: CycleState,
    pod: PodInfo,
    statuses: NodeToStatus,
  ): Promise<PostFilterOutcome> => {
    const latest = pods.store.getByName(pod.namespace, pod.name) ?? pod.pod;
    const ineligible = ineligibility(latest, pod, statuses, handle);
    if (ineligible) return { status: unschedulable(ineligible) };

    const allNodes = handle.snapshot.list();
    if (allNodes.length === 0) return { status: errorStatus('no nodes available') };
    const potential = statuses.nodesWithCode(allNodes, 'Unschedulable');
    const dryRunStatuses = new NodeToStatus();
    dryRunStatuses.absent = unresolvable(NOT_HELPFUL);
    let candidates: Candidate[] = [];
    if (potential.length > 0) {
      const pdbs = budgets.store.list();
      const wanted = Math.min(
        potential.length,
        Math.max(Math.trunc((potential.length * percentage) / 100), absolute),
      );
      const offset = Math.floor(random() * potential.length);
      candidates = dryRun(state, pod, potential, pdbs, offset, wanted, dryRunStatuses, handle);
    }
    if (candidates.length === 0) {
      const message = fitErrorMessage(allNodes.length, newDiagnosis(dryRunStatuses));
      return { nominatedNodeName: '', status: unschedulable(message) };
    }
    const best = pickCandidate(candidates, handle.clock.now());
    const status = await evict(best, pod, handle);
    if (!isSuccess(status)) return { status };
    return { nominatedNodeName: best.nodeName, status: undefined };
  };

  return {
    name: DEFAULT_PREEMPTION,
    async postFilter(state, pod, statuses) {
      const outcome = await preempt(state, pod, statuses);
      const status = outcome.status;
      if (!status?.message) return outcome;
      return { ...outcome, status: new Status(status.code, [`preemption: ${status.message}`], status.error) };
    },
  } satisfies PostFilterPlugin;
}

/** Why the pod may not preempt now, or undefined if it may (upstream's PodEligibleToPreemptOthers). */
function ineligibility(
  latest: Pod,
  pod: PodInfo,
  statuses: NodeToStatus,
  handle: FrameworkHandle,
): string | undefined {
  if (latest.spec?.preemptionPolicy === 'Never') return 'not eligible due to preemptionPolicy=Never.';
  const nominated = latest.status?.nominatedNodeName;
  if (!nominated) return undefined;
  // A nominated node that no longer fits at all is worth preempting elsewhere.
  if (statuses.get(nominated).code === 'UnschedulableAndUnresolvable') return undefined;
  const node = handle.snapshot.get(nominated);
  for (const other of node?.pods ?? []) {
    if (other.priority < pod.priority && terminatingByPreemption(other.pod)) {
      return 'not eligible due to a terminating pod on the nominated node.';
    }
  }
  return undefined;
}

function terminatingByPreemption(pod: Pod): boolean {
  if (!pod.metadata?.deletionTimestamp) return false;
  const condition = pod.status?.conditions?.find((candidate) => candidate.type === 'DisruptionTarget');
  return condition?.status === 'True' && condition.reason === 'PreemptionByScheduler';
}

/** Dry-runs preemption on potential nodes from `offset`, until enough candidates are found. */
export function dryRun(
  state: CycleState,
  pod: PodInfo,
  potential: readonly NodeInfo[],
  pdbs: readonly PodDisruptionBudget[],
  offset: number,
  wanted: number,
  statuses: NodeToStatus,
  handle: FrameworkHandle,
): Candidate[] {
  const nonViolating: Candidate[] = [];
  const violating: Candidate[] = [];
  for (let index = 0; index < potential.length; index++) {
    const node = potential[(offset + index) % potential.length]!.clone();
    const result = selectVictimsOnNode(state.clone(), pod, node, pdbs, handle);
    if ('status' in result) {
      statuses.set(node.name, result.status);
      continue;
    }
    const candidate = { nodeName: node.name, victims: result.victims, pdbViolations: result.pdbViolations };
    (candidate.pdbViolations === 0 ? nonViolating : violating).push(candidate);
    if (nonViolating.length > 0 && nonViolating.length + violating.length >= wanted) break;
  }
  return [...nonViolating, ...violating];
}

/**
 * The fewest lower-priority pods to evict from `node` (a copy) for `pod` to fit, reprieving PDB-covered
 * pods first; or why there are none.
 */
export function selectVictimsOnNode(
  state: CycleState,
  pod: PodInfo,
  node: NodeInfo,
  pdbs: readonly PodDisruptionBudget[],
  handle: FrameworkHandle,
): { victims: PodInfo[]; pdbViolations: number } | { status: NonNullable<Result> } {
  const potential = node.pods.filter((other) => other.priority < pod.priority);
  for (const victim of potential) {
    node.removePod(victim);
    const status = handle.runPreFilterExtensionRemovePod(state, pod, victim, node);
    if (!isSuccess(status)) return { status };
  }
  if (potential.length === 0) return { status: unresolvable(NO_VICTIMS) };
  const fits = handle.runFilterPluginsWithNominatedPods(state, pod, node);
  if (!isSuccess(fits)) return { status: fits };

  const now = handle.clock.now();
  potential.sort((a, b) => (moreImportant(a, b, now) ? -1 : moreImportant(b, a, now) ? 1 : 0));
  const { violating, nonViolating } = splitByBudgets(potential, pdbs);
  const victims: PodInfo[] = [];
  let pdbViolations = 0;
  const reprieve = (other: PodInfo): boolean | NonNullable<Result> => {
    node.addPod(other);
    const added = handle.runPreFilterExtensionAddPod(state, pod, other, node);
    if (!isSuccess(added)) return added;
    if (isSuccess(handle.runFilterPluginsWithNominatedPods(state, pod, node))) return true;
    node.removePod(other);
    const removed = handle.runPreFilterExtensionRemovePod(state, pod, other, node);
    if (!isSuccess(removed)) return removed;
    victims.push(other);
    return false;
  };
  for (const other of violating) {
    const result = reprieve(other);
    if (typeof result !== 'boolean') return { status: result };
    if (!result) pdbViolations++;
  }
  for (const other of nonViolating) {
    const result = reprieve(other);
    if (typeof result !== 'boolean') return { status: result };
  }
  if (violating.length > 0 && nonViolating.length > 0) {
    victims.sort((a, b) => (moreImportant(a, b, now) ? -1 : moreImportant(b, a, now) ? 1 : 0));
  }
  return { victims, pdbViolations };
}

/** Higher priority, then longer running (upstream's MoreImportantPod). */
function moreImportant(a: PodInfo, b: PodInfo, now: number): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  return startTime(a.pod, now) < startTime(b.pod, now);
}

function startTime(pod: Pod, now: number): number {
  const started = pod.status?.startTime ? Date.parse(pod.status.startTime) : Number.NaN;
  return Number.isNaN(started) ? now : started;
}

/** Splits victims by whether evicting them (in order) would take a PDB below its allowed disruptions. */
function splitByBudgets(
  victims: readonly PodInfo[],
  pdbs: readonly PodDisruptionBudget[],
): { violating: PodInfo[]; nonViolating: PodInfo[] } {
  const allowed = pdbs.map((pdb) => pdb.status?.disruptionsAllowed ?? 0);
  const selectors: (Selector | undefined)[] = pdbs.map((pdb) => {
    try {
      return labelSelectorAsSelector(pdb.spec?.selector ?? null);
    } catch {
      return undefined;
    }
  });
  const violating: PodInfo[] = [];
  const nonViolating: PodInfo[] = [];
  for (const victim of victims) {
    let violated = false;
    if (Object.keys(victim.labels).length > 0) {
      pdbs.forEach((pdb, index) => {
        const selector = selectors[index];
        if (pdb.metadata?.namespace !== victim.namespace || !selector) return;
        // A PDB with an empty selector matches nothing.
        if (selector.empty || !selector.matches(victim.labels)) return;
        if (pdb.status?.disruptedPods?.[victim.name] !== undefined) return;
        allowed[index]!--;
        if (allowed[index]! < 0) violated = true;
      });
    }
    (violated ? violating : nonViolating).push(victim);
  }
  return { violating, nonViolating };
}

/** Upstream's pickOneNodeForPreemption, with its default criteria in order. */
export function pickCandidate(candidates: readonly Candidate[], now: number): Candidate {
  const MAX_INT32_PLUS_ONE = 2 ** 31;
  const criteria: ((candidate: Candidate) => number)[] = [
    (candidate) => -candidate.pdbViolations,
    (candidate) => -(candidate.victims[0]?.priority ?? 0),
    (candidate) => -candidate.victims.reduce((sum, victim) => sum + victim.priority + MAX_INT32_PLUS_ONE, 0),
    (candidate) => -candidate.victims.length,
    (candidate) => {
      const highest = candidate.victims[0]?.priority;
      let earliest = Number.POSITIVE_INFINITY;
      for (const victim of candidate.victims) {
        if (victim.priority === highest) earliest = Math.min(earliest, startTime(victim.pod, now));
      }
      return earliest;
    },
  ];
  let remaining = [...candidates];
  for (const criterion of criteria) {
    let best = Number.NEGATIVE_INFINITY;
    let selected: Candidate[] = [];
    for (const candidate of remaining) {
      const score = criterion(candidate);
      if (score > best) {
        best = score;
        selected = [candidate];
      } else if (score === best) selected.push(candidate);
    }
    if (selected.length === 1) return selected[0]!;
    remaining = selected;
  }
  return remaining[0]!;
}

/** Evicts the victims, then clears lower-priority nominations on the node. */
async function evict(candidate: Candidate, preemptor: PodInfo, handle: FrameworkHandle): Promise<Result> {
  const schedulerName = preemptor.pod.spec?.schedulerName ?? handle.profileName;
  try {
    await Promise.all(
      candidate.victims.map(async (victim) => {
        if (victim.pod.metadata?.deletionTimestamp) return;
        const ref = refFor('Pod', victim.namespace);
        try {
          await handle.client.patch(
            ref,
            victim.name,
            'strategic',
            {
              status: {
                conditions: [
                  {
                    type: 'DisruptionTarget',
                    status: 'True',
                    reason: 'PreemptionByScheduler',
                    message: `${schedulerName}: preempting to accommodate a higher priority pod`,
                    lastTransitionTime: formatTime(handle.clock.now()),
                  },
                ],
              },
            },
            { subresource: 'status' },
          );
          await handle.client.delete(ref, victim.name);
        } catch (error) {
          if (isStatusError(error, 'NotFound')) return;
          throw error;
        }
        handle.events.event(
          podReference(victim.pod),
          'Normal',
          'Preempted',
          `Preempted by pod ${preemptor.uid} on node ${candidate.nodeName}`,
        );
      }),
    );
  } catch (error) {
    return errorStatus(error);
  }
  const lower = handle.nominator
    .nominatedPodsForNode(candidate.nodeName)
    .filter((other) => other.priority < preemptor.priority);
  for (const other of lower) {
    try {
      await handle.client.patch(
        refFor('Pod', other.namespace),
        other.name,
        'merge',
        { status: { nominatedNodeName: null } },
        { subresource: 'status' },
      );
    } catch (error) {
      handle.log(`could not clear the nominated node of ${other.key}: ${(error as Error).message}`);
    }
  }
  return undefined;
}

function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}
