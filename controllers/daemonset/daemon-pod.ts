/**
 * What the DaemonSet controller makes of its pod template, as upstream's daemon/util: the tolerations
 * every daemon pod gets, the labels that tie a pod to a revision, the node affinity that pins it to
 * one node, and reading back which node a pod is meant for.
 *
 *   template {labels: {app: agent}, spec: {containers: […]}}, node-3, hash 5d9c8f, generation 2
 *     → labels {app: agent, pod-template-generation: '2', controller-revision-hash: 5d9c8f}
 *       spec.tolerations + not-ready, unreachable (NoExecute); disk-, memory-, pid-pressure,
 *                          unschedulable (NoSchedule); network-unavailable with hostNetwork
 *       spec.affinity.nodeAffinity.required… = [{matchFields: [metadata.name In [node-3]]}]
 *
 * The pod is left for the scheduler to bind; the affinity makes node-3 the only place it fits.
 * Nothing here does I/O, and nothing edits its inputs.
 */
import { NODE_NAME_FIELD } from '../../api/scheduling/node-affinity.js';
import type { Affinity, PodPlacementSpec, Toleration } from '../../api/scheduling/types.js';
import { CONTROLLER_REVISION_HASH_LABEL } from '../history.js';
import type { Pod, PodTemplate } from '../pods.js';
import { type DaemonSet, POD_TEMPLATE_GENERATION_LABEL, TEMPLATE_GENERATION_ANNOTATION } from './types.js';

/** Tolerations a daemon pod always has: node problems must not evict or keep out a node's daemons. */
const DAEMON_TOLERATIONS: readonly Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

/** Only pods on the host's network need not wait for the node's pod network. */
const HOST_NETWORK_TOLERATION: Toleration = {
  key: 'node.kubernetes.io/network-unavailable',
  operator: 'Exists',
  effect: 'NoSchedule',
};

/** Upstream's AddOrUpdateDaemonPodTolerations, on a copy: `spec` with the daemon tolerations added. */
export function withDaemonTolerations<S extends PodPlacementSpec>(spec: S): S {
  let tolerations = spec.tolerations ?? [];
  for (const toleration of DAEMON_TOLERATIONS) tolerations = addOrUpdateToleration(tolerations, toleration);
  if (spec.hostNetwork === true) tolerations = addOrUpdateToleration(tolerations, HOST_NETWORK_TOLERATION);
  return { ...spec, tolerations };
}

/**
 * v1helper.AddOrUpdateTolerationInPodSpec: a toleration with the same key, operator, value and effect
 * is replaced by `toleration` (losing, say, its tolerationSeconds); without one, it is appended.
 */
function addOrUpdateToleration(tolerations: readonly Toleration[], toleration: Toleration): Toleration[] {
  const same = (a: Toleration, b: Toleration) =>
    (a.key ?? '') === (b.key ?? '') &&
    (a.operator ?? '') === (b.operator ?? '') &&
    (a.value ?? '') === (b.value ?? '') &&
    (a.effect ?? '') === (b.effect ?? '');
  let found = false;
  const result = tolerations.map((existing) => {
    if (!same(existing, toleration)) return existing;
    found = true;
    return { ...toleration };
  });
  if (!found) result.push({ ...toleration });
  return result;
}

/**
 * The template generation: the `deprecated.daemonset.template.generation` annotation the API server
 * keeps, as upstream reads it (unparsable: none). Skiff's API server does not write that annotation
 * yet, so without it the DaemonSet's generation stands in — it too changes with every template change,
 * and one generation never names two templates, so a pod labelled with it is never mistaken for current.
 */
export function templateGeneration(daemonSet: DaemonSet): number | undefined {
  const annotation = daemonSet.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  if (annotation === undefined) return daemonSet.metadata?.generation;
  return /^[+-]?\d+$/.test(annotation) ? Number(annotation) : undefined;
}

/** Upstream's CreatePodTemplate: the template with the daemon tolerations and the revision labels. */
export function createPodTemplate(
  template: PodTemplate | undefined,
  generation: number | undefined,
  hash: string,
): PodTemplate {
  const copy = structuredClone(template ?? {});
  const labels: Record<string, string> = { ...(copy.metadata?.labels ?? {}) };
  if (generation !== undefined) labels[POD_TEMPLATE_GENERATION_LABEL] = String(generation);
  if (hash) labels[CONTROLLER_REVISION_HASH_LABEL] = hash;
  return {
    ...copy,
    metadata: { ...copy.metadata, labels },
    spec: withDaemonTolerations((copy.spec ?? {}) as PodPlacementSpec),
  };
}

/**
 * Upstream's ReplaceDaemonSetPodNodeNameNodeAffinity: the required node affinity becomes the one term
 * `matchFields metadata.name In [nodeName]`, replacing whatever terms were there (the controller has
 * already checked that the node satisfies them). Preferred terms and pod (anti-)affinity are kept.
 */
export function replaceNodeNameNodeAffinity(affinity: Affinity | undefined, nodeName: string): Affinity {
  const required = {
    nodeSelectorTerms: [{ matchFields: [{ key: NODE_NAME_FIELD, operator: 'In', values: [nodeName] }] }],
  };
  const nodeAffinity = affinity?.nodeAffinity;
  if (!nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution) {
    return {
      ...affinity,
      nodeAffinity: { ...nodeAffinity, requiredDuringSchedulingIgnoredDuringExecution: required },
    };
  }
  return {
    ...affinity,
    nodeAffinity: {
      ...nodeAffinity,
      requiredDuringSchedulingIgnoredDuringExecution: {
        ...nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution,
        ...required,
      },
    },
  };
}

/**
 * Upstream's GetTargetNodeName: the node a daemon pod runs on, or (not yet scheduled) the node its
 * `metadata.name` matchFields term names. Undefined when neither says (or the term names several).
 */
export function targetNodeName(pod: Pod): string | undefined {
  const spec = pod.spec as PodPlacementSpec | undefined;
  if (spec?.nodeName) return spec.nodeName;
  const terms =
    spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  for (const term of terms ?? []) {
    for (const requirement of term.matchFields ?? []) {
      if (requirement.key !== NODE_NAME_FIELD || requirement.operator !== 'In') continue;
      return requirement.values?.length === 1 ? requirement.values[0] : undefined;
    }
  }
  return undefined;
}

/** Upstream's IsPodUpdated: the pod carries the current revision's hash, or the current template generation. */
export function isPodUpdated(pod: Pod, hash: string, generation: number | undefined): boolean {
  const labels = pod.metadata?.labels ?? {};
  const generationMatches =
    generation !== undefined && labels[POD_TEMPLATE_GENERATION_LABEL] === String(generation);
  const hashMatches = hash !== '' && labels[CONTROLLER_REVISION_HASH_LABEL] === hash;
  return hashMatches || generationMatches;
}
