/**
 * NodeAffinity (PreFilter, Filter, PreScore, Score): the pod's `nodeSelector` and required node
 * affinity decide which nodes it may use (the matching itself is api/scheduling's, shared with the
 * DaemonSet controller); its preferred terms add their weights to the nodes they match.
 *
 *   nodeSelector {disk: ssd}                     → only nodes labelled disk=ssd
 *   required: matchFields metadata.name In [n7]  → PreFilter narrows the search to node n7 at once
 *   preferred: [{weight: 80, zone In [a]}, {weight: 20, gpu Exists}]
 *                                                → a gpu node in zone a scores 100, one in zone b 20
 *
 * Args: `addedAffinity` — node affinity every pod of the profile must also satisfy ("node(s) didn't
 * match scheduler-enforced node affinity"), and whose preferred terms also score.
 */
import { compileNodeSelector } from '../../../api/scheduling/node-affinity.js';
import {
  type RequiredNodeAffinity,
  requiredNodeAffinity,
} from '../../../api/scheduling/required-node-affinity.js';
import type { NodeAffinity, NodeSelectorTerm } from '../../../api/scheduling/types.js';
import type { CycleState } from '../../framework/cycle-state.js';
import {
  ActionType,
  type EnqueueExtensions,
  type FilterPlugin,
  type FrameworkHandle,
  type PreFilterPlugin,
  type PreFilterResult,
  type PreScorePlugin,
  type ScorePlugin,
} from '../../framework/interfaces.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { defaultNormalizeScore } from '../../framework/normalize.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { type Result, skip, unresolvable } from '../../framework/status.js';
import type { Node, Pod } from '../../types.js';

export const NODE_AFFINITY = 'NodeAffinity';
export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
export const ERR_REASON_ENFORCED = "node(s) didn't match scheduler-enforced node affinity";
export const ERR_REASON_CONFLICT = 'pod affinity terms conflict';

export interface NodeAffinityArgs {
  readonly addedAffinity?: NodeAffinity;
}

const PRE_FILTER_KEY = `PreFilter${NODE_AFFINITY}`;
const PRE_SCORE_KEY = `PreScore${NODE_AFFINITY}`;

interface PreferredTerm {
  readonly weight: number;
  readonly matches: (node: Node) => boolean;
}

export function nodeAffinity(rawArgs: unknown, _handle: FrameworkHandle) {
  const args = (rawArgs ?? {}) as NodeAffinityArgs;
  const added = args.addedAffinity;
  const addedRequired = added?.requiredDuringSchedulingIgnoredDuringExecution
    ? requiredNodeAffinity({
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution:
              added.requiredDuringSchedulingIgnoredDuringExecution,
          },
        },
      })
    : undefined;
  const addedPreferred = compilePreferred(added?.preferredDuringSchedulingIgnoredDuringExecution);

  const matchesRequired = (pod: Pod, node: Node): boolean =>
    (!addedRequired || addedRequired.matches(node)) && requiredNodeAffinity(pod.spec).matches(node);

  return {
    name: NODE_AFFINITY,
    preFilter(state: CycleState, pod: PodInfo): PreFilterResult | Result {
      const spec = pod.pod.spec;
      const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
      const hasSelector = Object.keys(spec?.nodeSelector ?? {}).length > 0;
      if (!hasSelector && !required && !addedRequired) return skip();
      state.write(PRE_FILTER_KEY, requiredNodeAffinity(spec));
      if (!required) return undefined;
      // Terms are ORed: only if every term names its nodes can the search be narrowed.
      let nodeNames: Set<string> | undefined;
      for (const term of required.nodeSelectorTerms ?? []) {
        let termNames: Set<string> | undefined;
        for (const field of term.matchFields ?? []) {
          if (field.key !== 'metadata.name' || field.operator !== 'In') continue;
          const values = new Set(field.values ?? []);
          termNames = termNames ? new Set([...termNames].filter((name) => values.has(name))) : values;
        }
        if (!termNames) return undefined;
        nodeNames = new Set([...(nodeNames ?? []), ...termNames]);
      }
      if (!nodeNames) return undefined;
      if (nodeNames.size === 0) return unresolvable(ERR_REASON_CONFLICT);
      return { nodeNames };
    },
    filter(state, pod, node) {
      if (!node.node) return unresolvable('node not found');
      if (addedRequired && !addedRequired.matches(node.node)) return unresolvable(ERR_REASON_ENFORCED);
      const required = state.read<RequiredNodeAffinity>(PRE_FILTER_KEY) ?? requiredNodeAffinity(pod.pod.spec);
      return required.matches(node.node) ? undefined : unresolvable(ERR_REASON_POD);
    },
    preScore(state, pod) {
      const preferred = [
        ...addedPreferred,
        ...compilePreferred(
          pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution,
        ),
      ];
      if (preferred.length === 0) return skip();
      state.write(PRE_SCORE_KEY, preferred);
      return undefined;
    },
    score(state, _pod, node: NodeInfo) {
      const preferred = state.read<PreferredTerm[]>(PRE_SCORE_KEY) ?? [];
      if (!node.node) return 0;
      let score = 0;
      for (const term of preferred) if (term.matches(node.node)) score += term.weight;
      return score;
    },
    normalizeScore(_state, _pod, _nodes, scores) {
      defaultNormalizeScore(scores, false);
      return undefined;
    },
    eventsToRegister: () => [
      {
        event: { resource: 'Node', action: ActionType.Add | ActionType.UpdateNodeLabel },
        hint: (pod, _old, node) => (node && matchesRequired(pod, node as Node) ? 'Queue' : 'Skip'),
      },
    ],
  } satisfies PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin & EnqueueExtensions;
}

/** Preferred terms, compiled; an empty term matches nothing and a weight of 0 counts for nothing. */
function compilePreferred(
  terms: readonly { weight: number; preference: NodeSelectorTerm }[] | undefined,
): PreferredTerm[] {
  const compiled: PreferredTerm[] = [];
  for (const term of terms ?? []) {
    if (!term.weight) continue;
    const selector = compileNodeSelector({ nodeSelectorTerms: [term.preference] });
    compiled.push({ weight: term.weight, matches: (node) => selector.matches(node) });
  }
  return compiled;
}
