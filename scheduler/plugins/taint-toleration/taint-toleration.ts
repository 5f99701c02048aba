/**
 * TaintToleration (Filter, PreScore, Score): a node's NoSchedule and NoExecute taints keep off every pod
 * that does not tolerate them; its PreferNoSchedule taints only count against it in scoring — the fewer
 * a pod does not tolerate, the better the node.
 *
 *   node taint dedicated=gpu:NoSchedule, pod without a toleration
 *     → "node(s) had untolerated taint {dedicated: gpu}" (Unresolvable: evicting pods would not help)
 *   nodes with 0, 1, 2 untolerated PreferNoSchedule taints → 100, 50, 0
 *
 * The toleration matching is api/scheduling's (shared with the DaemonSet controller).
 */
import { findUntoleratedTaint, tolerationsTolerateTaint } from '../../../api/scheduling/taints.js';
import type { Taint, Toleration } from '../../../api/scheduling/types.js';
import {
  ActionType,
  type EnqueueExtensions,
  type FilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
} from '../../framework/interfaces.js';
import { defaultNormalizeScore } from '../../framework/normalize.js';
import { unresolvable } from '../../framework/status.js';
import type { Node } from '../../types.js';

export const TAINT_TOLERATION = 'TaintToleration';

const PRE_SCORE_KEY = `PreScore${TAINT_TOLERATION}`;

const doNotSchedule = (taint: Taint) => taint.effect === 'NoSchedule' || taint.effect === 'NoExecute';

export function taintToleration() {
  return {
    name: TAINT_TOLERATION,
    filter(_state, pod, node) {
      const taints = node.taints;
      if (taints.length === 0) return undefined;
      const taint = findUntoleratedTaint(taints, pod.pod.spec?.tolerations, doNotSchedule);
      if (!taint) return undefined;
      return unresolvable(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
    },
    preScore(state, pod) {
      // Tolerations with no effect tolerate every effect, PreferNoSchedule included.
      const tolerations = (pod.pod.spec?.tolerations ?? []).filter(
        (toleration) => !toleration.effect || toleration.effect === 'PreferNoSchedule',
      );
      state.write(PRE_SCORE_KEY, tolerations);
      return undefined;
    },
    score(state, _pod, node) {
      const taints = node.taints;
      if (taints.length === 0) return 0;
      const tolerations = state.read<Toleration[]>(PRE_SCORE_KEY) ?? [];
      let intolerable = 0;
      for (const taint of taints) {
        if (taint.effect === 'PreferNoSchedule' && !tolerationsTolerateTaint(tolerations, taint))
          intolerable++;
      }
      return intolerable;
    },
    normalizeScore(_state, _pod, _nodes, scores) {
      defaultNormalizeScore(scores, true);
      return undefined;
    },
    eventsToRegister: () => [
      {
        event: { resource: 'Node', action: ActionType.Add | ActionType.UpdateNodeTaint },
        hint: (pod, _old, node) =>
          findUntoleratedTaint((node as Node | undefined)?.spec?.taints, pod.spec?.tolerations, doNotSchedule)
            ? 'Skip'
            : 'Queue',
      },
      { event: { resource: 'Pod', action: ActionType.UpdatePodToleration } },
    ],
  } satisfies FilterPlugin & PreScorePlugin & ScorePlugin & EnqueueExtensions;
}
