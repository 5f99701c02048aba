/**
 * DefaultTolerationSeconds: a pod that does not already tolerate the `not-ready` and `unreachable`
 * NoExecute taints gets tolerations of each for 300 seconds, so it is evicted five minutes after its
 * node stops answering rather than at once. A toleration counts when its key is the taint's or empty
 * and its effect is NoExecute or empty (upstream does not look at the operator).
 *
 *   tolerations: []  →  [{key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 300},
 *                        {key: node.kubernetes.io/unreachable, …}]
 */
import type { AdmissionPlugin, AdmissionPluginFactory, AdmissionRequest } from './types.js';

interface Toleration {
  key?: string;
  operator?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export const notReadyTaint = 'node.kubernetes.io/not-ready';
export const unreachableTaint = 'node.kubernetes.io/unreachable';
/** Upstream's --default-not-ready-toleration-seconds and --default-unreachable-toleration-seconds. */
export const defaultTolerationSeconds = 300;

function tolerates(tolerations: readonly Toleration[], taint: string): boolean {
  return tolerations.some(
    (toleration) =>
      (toleration.key === taint || !toleration.key) &&
      (toleration.effect === 'NoExecute' || !toleration.effect),
  );
}

export class DefaultTolerationSeconds implements AdmissionPlugin {
  readonly name = 'DefaultTolerationSeconds';

  admit(request: AdmissionRequest): void {
    const { resource, subresource, object } = request;
    if (resource.group !== '' || resource.plural !== 'pods' || subresource !== undefined) return;
    const spec = (object.spec ??= {}) as { tolerations?: Toleration[] };
    const tolerations = (spec.tolerations ??= []);
    for (const key of [notReadyTaint, unreachableTaint]) {
      if (tolerates(tolerations, key)) continue;
      tolerations.push({
        key,
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: defaultTolerationSeconds,
      });
    }
  }
}

export const defaultTolerationSecondsPlugin: AdmissionPluginFactory = () => new DefaultTolerationSeconds();
